//! Turns per-layer extractor results into one inventory of what the final image contains.

use super::visitor::FileResult;
use crate::os_release;
use bulwark_image::{LayerContents, MergedView};
use bulwark_types::{purl_for, Inventory, LayerRef, OsRelease, Package, PackageKind};
use std::collections::{BTreeMap, HashMap};

/// Identity under which evidence from several files (a lockfile, an installed manifest, a binary) is merged.
pub(super) type PackageKey = (PackageKind, String, String);

fn key(p: &Package) -> PackageKey {
    (p.kind, p.name.clone(), p.version.clone())
}

/// Keeps the packages of files the final file system (`merged`, stacked from `layers`, bottom
/// first) still shows. `refs` names the layers of an image; `None` for a directory scan.
pub(super) fn assemble(
    layers: &[LayerContents<FileResult>],
    merged: &MergedView,
    refs: Option<&[LayerRef]>,
) -> Inventory {
    let by_path: Vec<HashMap<&str, &FileResult>> =
        layers.iter().map(|l| l.outputs.iter().map(|(p, r)| (p.as_str(), r)).collect()).collect();
    let mut inventory = super::empty_inventory();

    for (i, layer) in layers.iter().enumerate() {
        for w in &layer.warnings {
            inventory.warnings.push(match refs {
                Some(_) => format!("layer {}: {w}", i + 1),
                None => w.clone(),
            });
        }
    }

    let os = detect_os(merged, &by_path, &mut inventory.warnings);

    let mut packages: BTreeMap<PackageKey, Package> = BTreeMap::new();
    let mut companions = Vec::new();
    for (layer_index, layer) in layers.iter().enumerate() {
        for (path, result) in &layer.outputs {
            if !merged.is_visible(path, layer_index) {
                continue; // deleted or replaced by a later layer
            }
            for e in &result.errors {
                inventory.warnings.push(match refs {
                    Some(_) => format!("layer {}: {e}", layer_index + 1),
                    None => e.clone(),
                });
            }
            let evidence = format!("/{path}");
            for found in &result.packages {
                let mut pkg = found.clone();
                // A hard link hands over its target's results: the evidence is the link itself.
                match pkg.locations.first_mut() {
                    Some(first) if *first != evidence && !first.starts_with(&format!("{evidence}!")) => {
                        *first = evidence.clone()
                    }
                    None => pkg.locations.push(evidence.clone()),
                    _ => {}
                }
                if let Some(refs) = refs {
                    let introduced = introduced_in(&by_path, path, layer_index, &key(found));
                    pkg.layer = refs.get(introduced).cloned();
                }
                merge_into(&mut packages, pkg);
            }
            companions.extend(result.companions.iter());
        }
    }
    super::companions::attach(&mut packages, &companions, merged, &mut inventory.warnings);

    inventory.packages = packages
        .into_values()
        .map(|mut p| {
            finalize(&mut p, os.as_ref());
            p
        })
        .collect();
    inventory.os = os;
    inventory
}

/// The lowest layer from which the same file continuously listed this package: a dpkg status
/// file rewritten by every layer still credits each package to the layer that installed it.
fn introduced_in(by_path: &[HashMap<&str, &FileResult>], path: &str, visible_layer: usize, key: &PackageKey) -> usize {
    let mut introduced = visible_layer;
    for lower in (0..visible_layer).rev() {
        match by_path[lower].get(path) {
            Some(r) if r.packages.iter().any(|p| &self::key(p) == key) => introduced = lower,
            Some(_) => break,
            None => continue,
        }
    }
    introduced
}

/// Appends the `items` not already in `into`, keeping order.
pub(super) fn extend_unique(into: &mut Vec<String>, items: impl IntoIterator<Item = String>) {
    let mut seen: std::collections::HashSet<String> = into.iter().cloned().collect();
    for item in items {
        if seen.insert(item.clone()) {
            into.push(item);
        }
    }
}

/// Adds `pkg`, merging it with an earlier find of the same package (same kind, name, version):
/// locations are united and the earliest layer wins.
fn merge_into(packages: &mut BTreeMap<PackageKey, Package>, pkg: Package) {
    match packages.get_mut(&key(&pkg)) {
        None => {
            packages.insert(key(&pkg), pkg);
        }
        Some(existing) => {
            extend_unique(&mut existing.locations, pkg.locations);
            extend_unique(&mut existing.files, pkg.files);
            extend_unique(&mut existing.licenses, pkg.licenses);
            let earlier = match (&existing.layer, &pkg.layer) {
                (Some(a), Some(b)) => b.index < a.index,
                (None, Some(_)) => true,
                _ => false,
            };
            if earlier {
                existing.layer = pkg.layer;
            }
            if existing.source.is_none() {
                existing.source = pkg.source;
            }
            if existing.arch.is_none() {
                existing.arch = pkg.arch;
            }
        }
    }
}

/// Reads the visible OS identification files (through symlinks, inside the root) and identifies the OS.
fn detect_os(
    merged: &MergedView,
    by_path: &[HashMap<&str, &FileResult>],
    warnings: &mut Vec<String>,
) -> Option<OsRelease> {
    let mut found: Vec<(&str, std::sync::Arc<Vec<u8>>)> = Vec::new();
    for &path in os_release::OS_FILES {
        let resolved = match merged.resolve(path) {
            Ok(p) => p,
            Err(e) => {
                warnings.push(e);
                continue;
            }
        };
        let Some((layer, _)) = merged.get(&resolved) else { continue };
        if let Some(data) = by_path[layer].get(resolved.as_str()).and_then(|r| r.os_data.clone()) {
            found.push((path, data));
        }
    }
    let refs: Vec<(&str, &[u8])> = found.iter().map(|(p, d)| (*p, d.as_slice())).collect();
    os_release::detect(&refs)
}

/// Fills the ecosystem and purl from the package kind and the detected OS.
fn finalize(pkg: &mut Package, os: Option<&OsRelease>) {
    pkg.ecosystem = match pkg.kind.language_ecosystem() {
        Some(e) => e.to_string(),
        None => os.and_then(|o| o.osv_ecosystem()).unwrap_or_default(),
    };
    pkg.purl = purl_for(pkg, os);
}
