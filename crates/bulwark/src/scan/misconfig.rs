//! Misconfigurations of an image (config, history, files) and of the config files a walk found.

use bulwark_image::{EntryKind, ImageInfo, LayerContents, MergedView};
use bulwark_misconfig::check::Target;
use bulwark_misconfig::files::{check_files, kind_of, ConfigFile, FilesScan};
use bulwark_misconfig::image::{self, FileFact, FileKind, ImageInput};
use bulwark_misconfig::rego::Policies;
use bulwark_types::{ConfigKind, LayerRef, Package};
use std::sync::Arc;

/// Bytes of a config file kept by the walk.
pub type Bytes = Arc<Vec<u8>>;

/// Config files (Dockerfiles, Kubernetes manifests) visible in the final file system.
fn visible_files(layers: &[LayerContents<Option<Bytes>>], merged: &MergedView) -> Vec<ConfigFile> {
    let mut files = Vec::new();
    for (index, layer) in layers.iter().enumerate() {
        for (path, bytes) in &layer.outputs {
            let (Some(bytes), Some(kind)) = (bytes, kind_of(path)) else { continue };
            if !merged.is_visible(path, index) {
                continue;
            }
            files.push(ConfigFile {
                path: format!("/{path}"),
                kind,
                text: String::from_utf8_lossy(bytes).into_owned(),
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Checks the config files of a directory walk.
pub fn in_files(
    layers: &[LayerContents<Option<Bytes>>],
    merged: &MergedView,
    policies: Option<&Policies>,
) -> FilesScan {
    check_files(&visible_files(layers, merged), policies)
}

/// Checks an image: its config, history and files, then the config files it holds.
pub fn in_image(
    info: &ImageInfo,
    packages: &[Package],
    layers: &[LayerContents<Option<Bytes>>],
    merged: &MergedView,
    refs: &[LayerRef],
    policies: Option<&Policies>,
) -> FilesScan {
    let facts: Vec<FileFact> = merged
        .entries()
        .map(|(path, layer, entry)| FileFact {
            path: path.to_string(),
            size: entry.size,
            mode: entry.mode,
            layer: layer + 1,
            kind: match entry.kind {
                EntryKind::File | EntryKind::Hardlink(_) => FileKind::File,
                EntryKind::Dir => FileKind::Dir,
                EntryKind::Symlink(_) => FileKind::Symlink,
                EntryKind::Other => FileKind::Other,
            },
        })
        .collect();
    let shadow = merged.get("etc/shadow").and_then(|(layer, _)| {
        layers.get(layer)?.outputs.iter().find(|(p, _)| p == "etc/shadow").and_then(|(_, b)| b.clone())
    });
    let input =
        ImageInput { config: &info.config, files: &facts, packages, shadow: shadow.as_deref().map(Vec::as_slice) };
    let mut scan = FilesScan { misconfigurations: image::check(&info.reference, &input, refs), warnings: Vec::new() };
    if let Some(policies) = policies {
        let target = Target { kind: ConfigKind::Image, name: &info.reference, layers: refs };
        match policies.evaluate(ConfigKind::Image, &image::input_document(&input), &target) {
            Ok(found) => scan.misconfigurations.extend(found),
            Err(e) => scan.warnings.push(format!("{}: {e}", info.reference)),
        }
    }
    let files = check_files(&visible_files(layers, merged), policies);
    scan.misconfigurations.extend(files.misconfigurations);
    scan.warnings.extend(files.warnings);
    scan
}
