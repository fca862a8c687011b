//! Registry access flags shared by the verbs that take an image `REF`.

use anyhow::{bail, Context};
use bulwark_image::{Credentials, OpenOptions, Platform, RegistryOptions};
use clap::Args;
use std::io::Read;

/// Flags for reaching an image.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Platform to pick from a multi-platform image, `os/arch[/variant]` (default: this machine's).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    /// Registry user name (the password is read from stdin with --password-stdin).
    #[arg(long, requires = "password_stdin")]
    pub username: Option<String>,
    /// Read the registry password from standard input.
    #[arg(long, requires = "username")]
    pub password_stdin: bool,
    /// Talk plain HTTP to the registry (for loopback test registries).
    #[arg(long)]
    pub insecure: bool,
    /// Also check local layers (docker-archive:, oci:, docker:/podman:) against their digests,
    /// reading every byte; registry pulls are always checked.
    #[arg(long)]
    pub verify_layers: bool,
}

impl SourceArgs {
    /// Turns the flags into image-opening options (reads the password from stdin if asked).
    pub fn open_options(&self) -> anyhow::Result<OpenOptions> {
        let platform = match &self.platform {
            Some(p) => Some(Platform::parse(p).map_err(crate::exit::usage)?),
            None => None,
        };
        let credentials = match (&self.username, self.password_stdin) {
            (Some(user), true) => {
                let mut password = String::new();
                std::io::stdin()
                    .take(64 * 1024)
                    .read_to_string(&mut password)
                    .context("reading the password from stdin")?;
                let password = password.trim_end_matches(['\r', '\n']).to_string();
                if password.is_empty() {
                    bail!("--password-stdin: standard input was empty; pipe the password in, e.g. `cat pw | bulwark … --password-stdin`");
                }
                Some(Credentials { username: user.clone(), password })
            }
            _ => None,
        };
        Ok(OpenOptions {
            platform,
            registry: RegistryOptions { credentials, insecure: self.insecure, ..Default::default() },
            verify_layers: self.verify_layers,
        })
    }
}
