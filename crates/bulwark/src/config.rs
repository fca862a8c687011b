//! `bulwark config PATH`: the Dockerfiles and Kubernetes manifests in one file or under a directory.

use anyhow::Context;
use bulwark_image::{walk_dir, EntryKind, WalkOptions};
use bulwark_misconfig::files::{check_files, kind_of, ConfigFile, ConfigFileVisitor, MAX_CONFIG_FILE_BYTES};
use bulwark_misconfig::rego::Policies;
use bulwark_misconfig::{dockerfile, kubernetes};
use bulwark_types::{ConfigKind, ScanReport, INVENTORY_SCHEMA_VERSION};
use std::io::Read;
use std::path::Path;

/// Checks every config file at `path` with the built-in checks and `policies`.
pub fn scan(path: &Path, policies: Option<&Policies>) -> anyhow::Result<ScanReport> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    let mut warnings = Vec::new();
    let files = if meta.is_dir() {
        let walked = walk_dir(path, &ConfigFileVisitor, WalkOptions::default())
            .map_err(|e| anyhow::anyhow!("scanning {}: {e}", path.display()))?;
        warnings.extend(walked.warnings);
        let mut too_large: Vec<String> = walked
            .entries
            .iter()
            .filter(|(rel, e)| e.kind == EntryKind::File && e.size > MAX_CONFIG_FILE_BYTES && kind_of(rel).is_some())
            .map(|(rel, e)| {
                format!(
                    "{}: {} bytes, over the {MAX_CONFIG_FILE_BYTES}-byte limit for config files; not checked",
                    path.join(rel).display(),
                    e.size
                )
            })
            .collect();
        too_large.sort();
        warnings.extend(too_large);
        let mut files: Vec<ConfigFile> = walked
            .outputs
            .into_iter()
            .filter_map(|(rel, bytes)| {
                let kind = kind_of(&rel)?;
                let text = String::from_utf8_lossy(bytes.as_deref()?).into_owned();
                Some(ConfigFile { path: path.join(&rel).display().to_string(), kind, text })
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    } else {
        let file = one_file(path)?;
        // A file named on the command line must parse: its errors fail the run (a directory's only warn).
        match file.kind {
            ConfigKind::Dockerfile => {
                dockerfile::parse(&file.text).map_err(|e| anyhow::anyhow!("{}", e.in_file(&file.path)))?;
            }
            _ => {
                kubernetes::parse(&file.path, &file.text)?;
            }
        }
        vec![file]
    };
    let found = check_files(&files, policies);
    warnings.extend(found.warnings);
    Ok(ScanReport {
        schema_version: INVENTORY_SCHEMA_VERSION,
        misconfigurations: found.misconfigurations,
        scanners: vec!["misconfig".into()],
        warnings,
        ..Default::default()
    })
}

/// A file named on the command line: its kind from its name, else from its content.
fn one_file(path: &Path) -> anyhow::Result<ConfigFile> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_CONFIG_FILE_BYTES + 1).read_to_end(&mut bytes))
        .with_context(|| format!("reading {}", path.display()))?;
    if bytes.len() as u64 > MAX_CONFIG_FILE_BYTES {
        anyhow::bail!("{}: larger than {MAX_CONFIG_FILE_BYTES} bytes; not a config file", path.display());
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| anyhow::anyhow!("{}: not UTF-8 text (byte {})", path.display(), e.utf8_error().valid_up_to()))?;
    let name = path.display().to_string();
    let kind = match kind_of(&name) {
        Some(kind) => kind,
        None if text.contains("apiVersion") => ConfigKind::Kubernetes,
        None if text.lines().any(|l| l.trim_start().to_ascii_uppercase().starts_with("FROM ")) => ConfigKind::Dockerfile,
        None => anyhow::bail!(
            "{name}: neither a Dockerfile nor a Kubernetes manifest (name it Dockerfile / *.dockerfile, or *.yaml / *.json)"
        ),
    };
    Ok(ConfigFile { path: name, kind, text })
}
