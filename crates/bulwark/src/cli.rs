//! Command-line arguments and the verbs they run.

use crate::exit;
use crate::output::write_to;
use crate::progress::Bar;
use crate::sources::SourceArgs;
use anyhow::Context;
use bulwark_image::{open, ImageRef};
use bulwark_inventory::{scan_dir, scan_image, ScanOptions};
use bulwark_report::{render_sbom, SbomFormat};
use bulwark_types::Inventory;
use clap::{Args, Parser, Subcommand};
use std::io::IsTerminal;
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
    /// Scan an image: its inventory (--list-packages).
    Image {
        /// docker-archive:PATH, oci:DIR[:TAG], dir:PATH, docker:NAME, podman:NAME or host[:port]/repo[:tag|@digest].
        reference: String,
        /// List the image's packages.
        #[arg(long)]
        list_packages: bool,
        #[command(flatten)]
        report: ReportArgs,
        #[command(flatten)]
        source: SourceArgs,
    },
    /// Scan a directory (source tree or root filesystem): packages from lockfiles and installed metadata.
    Fs {
        /// Directory to scan.
        path: PathBuf,
        /// List the packages found.
        #[arg(long)]
        list_packages: bool,
        #[command(flatten)]
        report: ReportArgs,
    },
}

/// Where and how a scanning verb writes its report.
#[derive(Debug, Args)]
struct ReportArgs {
    /// Output format: table (default on a terminal), json (default when piped), cyclonedx or spdx.
    #[arg(long, short = 'f')]
    format: Option<SbomFormat>,
    /// Write to FILE instead of stdout (replaced atomically).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

impl ReportArgs {
    fn write(&self, inventory: &Inventory) -> anyhow::Result<i32> {
        emit(inventory, self.format.unwrap_or_else(default_format), self.output.as_deref())
    }
}

/// Runs the parsed command and returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Sbom { reference, format, output, source } => {
            let inventory = inventory_of(&reference, &source)?;
            emit(&inventory, format, output.as_deref())
        }
        Command::Image { reference, list_packages: _, report, source } => {
            report.write(&inventory_of(&reference, &source)?)
        }
        Command::Fs { path, list_packages: _, report } => report.write(&scan_directory(&path)?),
    }
}

/// `table` on a terminal, `json` when piped.
fn default_format() -> SbomFormat {
    if std::io::stdout().is_terminal() {
        SbomFormat::Table
    } else {
        SbomFormat::Json
    }
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

fn emit(inventory: &Inventory, format: SbomFormat, output: Option<&Path>) -> anyhow::Result<i32> {
    write_to(output, |out| render_sbom(inventory, format, out))?;
    Ok(exit::OK)
}
