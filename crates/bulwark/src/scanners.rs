//! `--scanners` and the settings of the secret and misconfiguration scanners.

use crate::exit;
use crate::scan::Plan;
use anyhow::Context;
use bulwark_misconfig::rego::Policies;
use bulwark_secrets::{Scanner, SecretConfig};
use clap::Args;
use std::path::PathBuf;

/// Which scanners a verb runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scanners {
    /// Vulnerabilities (needs the database).
    pub vuln: bool,
    /// Secrets in files and image metadata.
    pub secret: bool,
    /// Misconfigurations of the image, Dockerfiles and Kubernetes manifests.
    pub misconfig: bool,
}

impl Scanners {
    /// Reads a list such as `vuln,secret` (`misconfiguration` and `config` are accepted for `misconfig`).
    pub fn parse(list: &str) -> Result<Scanners, String> {
        let mut s = Scanners { vuln: false, secret: false, misconfig: false };
        for word in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match word.to_ascii_lowercase().as_str() {
                "vuln" | "vulns" | "vulnerability" => s.vuln = true,
                "secret" | "secrets" => s.secret = true,
                "misconfig" | "misconfiguration" | "config" => s.misconfig = true,
                other => return Err(format!("unknown scanner {other:?} in --scanners; use vuln, secret, misconfig")),
            }
        }
        if !(s.vuln || s.secret || s.misconfig) {
            return Err("--scanners names no scanner; use vuln, secret, misconfig".into());
        }
        Ok(s)
    }

    /// The names of the scanners that run, as the report lists them.
    pub fn names(&self) -> Vec<String> {
        [(self.vuln, "vuln"), (self.secret, "secret"), (self.misconfig, "misconfig")]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, n)| n.to_string())
            .collect()
    }
}

/// Flags choosing the scanners and configuring the secret and misconfiguration ones.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Scanners to run: vuln, secret, misconfig (comma-separated).
    #[arg(long, value_name = "LIST", default_value = "vuln,secret,misconfig")]
    pub scanners: String,
    /// Custom secret rules, allow rules and disabled rules (YAML; see docs/secret-config.md).
    #[arg(long, value_name = "FILE")]
    pub secret_config: Option<PathBuf>,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

impl ScanArgs {
    /// The scanners chosen.
    fn scanners(&self) -> anyhow::Result<Scanners> {
        Scanners::parse(&self.scanners).map_err(exit::usage)
    }

    /// Reads `--scanners`, builds the secret scanner and loads the policies the chosen scanners need.
    pub fn load(&self) -> anyhow::Result<Loaded> {
        let scanners = self.scanners()?;
        let secrets = scanners.secret.then(|| self.secret_scanner()).transpose()?;
        let policies = if scanners.misconfig { self.policy.load()? } else { None };
        Ok(Loaded { scanners, secrets, policies })
    }

    /// The secret scanner: built-in rules plus `--secret-config`.
    fn secret_scanner(&self) -> anyhow::Result<Scanner> {
        match &self.secret_config {
            None => Ok(Scanner::builtin()?),
            Some(path) => {
                let config = SecretConfig::load(path)?;
                Scanner::from_config(&config).with_context(|| format!("secret config {}", path.display()))
            }
        }
    }
}

/// The chosen scanners with their secret rules and policies loaded.
pub struct Loaded {
    /// Which scanners run.
    pub scanners: Scanners,
    secrets: Option<Scanner>,
    policies: Option<Policies>,
}

impl Loaded {
    /// What the one-pass scan runs.
    pub fn plan(&self) -> Plan<'_> {
        Plan { scanners: self.scanners, secrets: self.secrets.as_ref(), policies: self.policies.as_ref() }
    }
}

/// `--policy DIR`: user checks in Rego.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// Directory of Rego policies to run with the built-in checks (see docs/policies.md).
    #[arg(long, value_name = "DIR")]
    pub policy: Option<PathBuf>,
}

impl PolicyArgs {
    /// The loaded policies, if `--policy` was given.
    pub fn load(&self) -> anyhow::Result<Option<Policies>> {
        let Some(dir) = self.policy.as_deref() else { return Ok(None) };
        let policies = Policies::load(dir)?;
        for note in policies.notes() {
            eprintln!("warning: {note}");
        }
        Ok(Some(policies))
    }
}
