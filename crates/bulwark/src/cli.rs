//! Command-line arguments and the verbs they run.

use crate::exit;
use crate::gate::GateArgs;
use crate::output::{terminal_default, write_to};
use crate::progress::Bar;
use crate::scan::{self, Plan};
use crate::scanners::{PolicyArgs, ScanArgs};
use crate::sources::SourceArgs;
use crate::vulns::VulnArgs;
use anyhow::Context;
use bulwark_image::{open, ImageRef};
use bulwark_inventory::{scan_dir, scan_image, ScanOptions};
use bulwark_report::{read_sbom, render_sbom, ReportFormat, SbomFormat};
use bulwark_types::{Inventory, ScanReport};
use clap::{Args, Parser, Subcommand};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Container security from build to run.
#[derive(Debug, Parser)]
#[command(name = "bulwark", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The local vulnerability database: import, status, update.
    Db {
        #[command(subcommand)]
        command: crate::db::DbCommand,
        #[command(flatten)]
        cache: crate::db::CacheArgs,
    },
    /// Write an SBOM (CycloneDX 1.6, SPDX 2.3 or Bulwark JSON) of an image or directory.
    Sbom {
        /// docker-archive:PATH, oci:DIR[:TAG], dir:PATH, docker:NAME, podman:NAME or host[:port]/repo[:tag|@digest].
        reference: String,
        /// Output format: cyclonedx, spdx, json or table.
        #[arg(long, short = 'f', default_value = "cyclonedx")]
        format: SbomFormat,
        /// Write to FILE instead of stdout (replaced atomically).
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        source: SourceArgs,
    },
    /// Scan an image for vulnerabilities, secrets and misconfigurations (or list its packages with --list-packages).
    Image {
        /// docker-archive:PATH, oci:DIR[:TAG], dir:PATH, docker:NAME, podman:NAME or host[:port]/repo[:tag|@digest].
        reference: String,
        /// List the image's packages instead of scanning them.
        #[arg(long)]
        list_packages: bool,
        #[command(flatten)]
        report: ReportArgs,
        #[command(flatten)]
        scan: ScanArgs,
        #[command(flatten)]
        gate: GateArgs,
        #[command(flatten)]
        vulns: VulnArgs,
        #[command(flatten)]
        source: SourceArgs,
    },
    /// Scan a directory (source tree or root filesystem): vulnerabilities of lockfiles and installed
    /// packages, secrets, and misconfigured Dockerfiles and Kubernetes manifests.
    Fs {
        /// Directory to scan.
        path: PathBuf,
        /// List the packages found instead of scanning them.
        #[arg(long)]
        list_packages: bool,
        #[command(flatten)]
        report: ReportArgs,
        #[command(flatten)]
        scan: ScanArgs,
        #[command(flatten)]
        gate: GateArgs,
        #[command(flatten)]
        vulns: VulnArgs,
    },
    /// Check Dockerfiles and Kubernetes manifests (files or a directory; Helm: scan `helm template` output).
    Config {
        /// A Dockerfile, a manifest (YAML/JSON) or a directory holding them.
        path: PathBuf,
        #[command(flatten)]
        report: ReportArgs,
        #[command(flatten)]
        gate: GateArgs,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Re-match an SBOM (CycloneDX or SPDX JSON, from Bulwark, Syft or Trivy) against the database.
    SbomScan {
        /// The SBOM file (`-` for stdin).
        file: PathBuf,
        #[command(flatten)]
        report: ReportArgs,
        #[command(flatten)]
        gate: GateArgs,
        #[command(flatten)]
        vulns: VulnArgs,
    },
}

/// Where and how a scanning verb writes its report.
#[derive(Debug, Args)]
struct ReportArgs {
    /// Output format: table (default on a terminal), json (default when piped), sarif or cyclonedx;
    /// with --list-packages: table, json, cyclonedx or spdx.
    #[arg(long, short = 'f')]
    format: Option<String>,
    /// Write to FILE instead of stdout (replaced atomically).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

impl ReportArgs {
    /// Writes the package list.
    fn packages(&self, inventory: &Inventory) -> anyhow::Result<i32> {
        let format = match &self.format {
            Some(f) => f.parse().map_err(exit::usage)?,
            None => terminal_default(SbomFormat::Table, SbomFormat::Json),
        };
        write_to(self.output.as_deref(), |out| render_sbom(inventory, format, out))?;
        Ok(exit::OK)
    }

    /// The `--format` chosen, if any.
    fn format(&self) -> anyhow::Result<Option<ReportFormat>> {
        self.format.as_deref().map(|f| f.parse().map_err(exit::usage)).transpose()
    }

    /// Completes the report (vulnerabilities when `vulns` is given), writes it, returns the exit code.
    fn finish(&self, report: ScanReport, gate: &GateArgs, vulns: Option<&VulnArgs>) -> anyhow::Result<i32> {
        crate::report::finish(report, self.format()?, self.output.as_deref(), gate, vulns)
    }
}

/// Runs the parsed command and returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Db { command, cache } => crate::db::run(command, &cache),
        Command::Sbom { reference, format, output, source } => {
            let inventory = inventory_of(&reference, &source)?;
            write_to(output.as_deref(), |out| render_sbom(&inventory, format, out))?;
            Ok(exit::OK)
        }
        Command::Image { reference, list_packages, report, scan, gate, vulns, source } => {
            if list_packages {
                let inventory = inventory_of(&reference, &source)?;
                return report.packages(&inventory);
            }
            let loaded = scan.load()?;
            let found = scan_reference(&reference, &source, &loaded.plan())?;
            report.finish(found, &gate, loaded.scanners.vuln.then_some(&vulns))
        }
        Command::Fs { path, list_packages, report, scan, gate, vulns } => {
            if list_packages {
                let inventory = scan_directory(&path)?;
                return report.packages(&inventory);
            }
            let loaded = scan.load()?;
            let found = scan::dir(&path, &format!("dir:{}", path.display()), &loaded.plan())?;
            report.finish(found, &gate, loaded.scanners.vuln.then_some(&vulns))
        }
        Command::Config { path, report, gate, policy } => {
            let policies = policy.load()?;
            let found = crate::config::scan(&path, policies.as_ref())?;
            report.finish(found, &gate, None)
        }
        Command::SbomScan { file, report, gate, vulns } => {
            let inventory = read_sbom_file(&file)?;
            let found = ScanReport {
                schema_version: bulwark_types::INVENTORY_SCHEMA_VERSION,
                inventory,
                scanners: vec!["vuln".into()],
                ..Default::default()
            };
            report.finish(found, &gate, Some(&vulns))
        }
    }
}

/// Largest SBOM read (a large image's SBOM is a few MB).
const MAX_SBOM_BYTES: u64 = 512 << 20;

fn read_sbom_file(file: &Path) -> anyhow::Result<Inventory> {
    let mut bytes = Vec::new();
    let origin = file.display().to_string();
    if origin == "-" {
        std::io::stdin().take(MAX_SBOM_BYTES).read_to_end(&mut bytes).context("reading the SBOM from stdin")?;
    } else {
        std::fs::File::open(file)
            .and_then(|f| f.take(MAX_SBOM_BYTES).read_to_end(&mut bytes))
            .with_context(|| format!("reading {origin}"))?;
    }
    Ok(read_sbom(&bytes, &origin)?)
}

fn inventory_of(reference: &str, source: &SourceArgs) -> anyhow::Result<Inventory> {
    let parsed = ImageRef::parse(reference)?;
    if let ImageRef::Dir(path) = &parsed {
        return scan_directory(path).map(|mut inv| {
            inv.target.reference = reference.to_string();
            inv
        });
    }
    let options = source.open_options()?;
    let image = open(&parsed, &options)?;
    let bar = Bar::new(&format!("reading {reference}"));
    let inventory = scan_image(image.as_ref(), &ScanOptions::default(), &bar)?;
    report_warnings(&inventory);
    Ok(inventory)
}

/// Scans an image reference (or `dir:PATH`) with every scanner of `plan`.
fn scan_reference(reference: &str, source: &SourceArgs, plan: &Plan<'_>) -> anyhow::Result<ScanReport> {
    let parsed = ImageRef::parse(reference)?;
    if let ImageRef::Dir(path) = &parsed {
        return scan::dir(path, reference, plan);
    }
    let options = source.open_options()?;
    let image = open(&parsed, &options)?;
    let bar = Bar::new(&format!("reading {reference}"));
    scan::image(image.as_ref(), plan, &bar)
}

fn scan_directory(path: &Path) -> anyhow::Result<Inventory> {
    let reference = format!("dir:{}", path.display());
    let inventory =
        scan_dir(path, &reference, &ScanOptions::default()).with_context(|| format!("scanning {}", path.display()))?;
    report_warnings(&inventory);
    Ok(inventory)
}

fn report_warnings(inventory: &Inventory) {
    for w in &inventory.warnings {
        eprintln!("warning: {w}");
    }
}
