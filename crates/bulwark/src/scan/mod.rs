//! One pass over an image or a directory for every chosen scanner: each layer is read once and its
//! files go to the inventory extractors, the secret rules and the config-file checks together.

mod misconfig;
mod secrets;

use crate::scanners::Scanners;
use bulwark_image::{walk_dir, walk_image, ImageSource, LayerContents, MergedView, Pair, Progress, WalkOptions};
use bulwark_inventory::{assemble_dir, assemble_image, inventory_visitor, layer_refs, FileResult};
use bulwark_misconfig::files::ConfigFileVisitor;
use bulwark_misconfig::rego::Policies;
use bulwark_secrets::{Scan, Scanner};
use bulwark_types::{ScanReport, INVENTORY_SCHEMA_VERSION};
use std::path::Path;

/// The scanners to run and their settings.
pub struct Plan<'a> {
    /// Which scanners run.
    pub scanners: Scanners,
    /// The secret scanner, when `secret` runs.
    pub secrets: Option<&'a Scanner>,
    /// User Rego policies, when given.
    pub policies: Option<&'a Policies>,
}

type Outputs = (Option<FileResult>, Option<(Option<Scan>, Option<Option<misconfig::Bytes>>)>);

/// Scans an image: inventory, secrets (files of every layer, deleted ones too, and image metadata)
/// and misconfigurations (image config, history, files, and config files inside the image).
pub fn image(source: &dyn ImageSource, plan: &Plan<'_>, progress: &dyn Progress) -> anyhow::Result<ScanReport> {
    let visitor = visitor(plan);
    let walked: Vec<LayerContents<Outputs>> = walk_image(source, &visitor, WalkOptions::default(), progress)?;
    let info = source.info();
    let (inventory_layers, secret_layers, config_layers) = split(walked);
    let mut report = new_report(plan);
    let merged = MergedView::build(&inventory_layers.iter().collect::<Vec<_>>());
    report.inventory = assemble_image(info, &inventory_layers, &merged);
    let refs = layer_refs(info);
    if let Some(scanner) = plan.secrets {
        for found in [secrets::in_layers(&secret_layers, &merged, &refs), secrets::in_config(scanner, &info.config)] {
            report.secrets.extend(found.findings);
            report.warnings.extend(found.warnings);
        }
    }
    if plan.scanners.misconfig {
        let found =
            misconfig::in_image(info, &report.inventory.packages, &config_layers, &merged, &refs, plan.policies);
        report.misconfigurations = found.misconfigurations;
        report.warnings.extend(found.warnings);
    }
    Ok(report)
}

/// Scans a directory (a source tree or a root filesystem) the same way, without image metadata.
pub fn dir(root: &Path, reference: &str, plan: &Plan<'_>) -> anyhow::Result<ScanReport> {
    let visitor = visitor(plan);
    let walked = walk_dir(root, &visitor, WalkOptions::default())
        .map_err(|e| anyhow::anyhow!("scanning {}: {e}", root.display()))?;
    let (inventory_layers, secret_layers, config_layers) = split(vec![walked]);
    let mut report = new_report(plan);
    let Some(layer) = inventory_layers.first() else { return Ok(report) };
    let merged = MergedView::build(&[layer]);
    report.inventory = assemble_dir(reference, layer, &merged);
    if plan.secrets.is_some() {
        let found = secrets::in_layers(&secret_layers, &merged, &[]);
        report.secrets = found.findings;
        report.warnings.extend(found.warnings);
    }
    if plan.scanners.misconfig {
        let found = misconfig::in_files(&config_layers, &merged, plan.policies);
        report.misconfigurations = found.misconfigurations;
        report.warnings.extend(found.warnings);
    }
    Ok(report)
}

fn visitor<'a>(
    plan: &Plan<'a>,
) -> Pair<bulwark_inventory::InventoryVisitor, Pair<Option<secrets::SecretVisitor<'a>>, Option<ConfigFileVisitor>>> {
    Pair(
        inventory_visitor(),
        Pair(plan.secrets.map(secrets::SecretVisitor::new), plan.scanners.misconfig.then_some(ConfigFileVisitor)),
    )
}

type Split = (Vec<LayerContents<FileResult>>, Vec<LayerContents<Scan>>, Vec<LayerContents<Option<misconfig::Bytes>>>);

fn split(walked: Vec<LayerContents<Outputs>>) -> Split {
    let mut inventory = Vec::new();
    let mut secrets = Vec::new();
    let mut configs = Vec::new();
    for layer in walked {
        let (inv, rest) = layer.split();
        let (sec, conf) = rest.split();
        inventory.push(inv);
        secrets.push(sec);
        configs.push(conf);
    }
    (inventory, secrets, configs)
}

fn new_report(plan: &Plan<'_>) -> ScanReport {
    ScanReport { schema_version: INVENTORY_SCHEMA_VERSION, scanners: plan.scanners.names(), ..Default::default() }
}
