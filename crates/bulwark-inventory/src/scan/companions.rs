//! Attaches companion facts (owned files, licences) to the installed packages they name.

use super::assemble::PackageKey;
use crate::extractor::{MAX_COMPANION_FILES, MAX_COMPANION_LICENSES};
use crate::Companion;
use bulwark_image::{EntryKind, MergedView};
use bulwark_types::{Package, PackageKind};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Everything the visible companions say about one package, deduplicated and bounded.
#[derive(Default)]
struct Facts {
    /// Owned files as real paths in the final image, in the order first listed.
    files: Vec<String>,
    /// The same files, for deduplication.
    seen: HashSet<String>,
    /// Whether more than [`MAX_COMPANION_FILES`] files were listed.
    truncated: bool,
    /// Declared licences, in the order first seen.
    licenses: Vec<String>,
}

/// Appends the facts of `companions` (all from files the final image shows) to the packages of the
/// same kind and name: files after the existing locations, licences after the existing licences,
/// both without duplicates. Files are reported at their real path in the final image (see
/// [`real_path`]); directories are left out. Facts about packages that are not installed are dropped.
pub(super) fn attach(
    packages: &mut BTreeMap<PackageKey, Package>,
    companions: &[&Companion],
    merged: &MergedView,
    warnings: &mut Vec<String>,
) {
    if companions.is_empty() {
        return;
    }
    let installed: HashSet<(PackageKind, &str)> =
        packages.keys().map(|(kind, name, _)| (*kind, name.as_str())).collect();
    let mut resolved_dirs: HashMap<String, String> = HashMap::new();
    let mut by_package: HashMap<(PackageKind, String), Facts> = HashMap::new();
    for c in companions {
        if !installed.contains(&(c.kind, c.package.as_str())) {
            continue;
        }
        let facts = by_package.entry((c.kind, c.package.clone())).or_default();
        for file in &c.files {
            let real = real_path(merged, &mut resolved_dirs, file);
            if facts.seen.contains(&real) || is_dir(merged, &real) {
                continue;
            }
            if facts.files.len() >= MAX_COMPANION_FILES {
                facts.truncated = true;
                break;
            }
            facts.seen.insert(real.clone());
            facts.files.push(real);
        }
        for license in &c.licenses {
            if facts.licenses.len() < MAX_COMPANION_LICENSES && !facts.licenses.contains(license) {
                facts.licenses.push(license.clone());
            }
        }
    }

    let mut cut_short: Vec<String> = by_package
        .iter()
        .filter(|(_, facts)| facts.truncated)
        .map(|((kind, name), _)| {
            format!(
                "{} package {name}: more than {MAX_COMPANION_FILES} owned files listed; kept the first {MAX_COMPANION_FILES}",
                kind.as_str()
            )
        })
        .collect();
    cut_short.sort();
    warnings.extend(cut_short);

    for pkg in packages.values_mut() {
        let Some(facts) = by_package.get(&(pkg.kind, pkg.name.clone())) else { continue };
        super::assemble::extend_unique(&mut pkg.files, facts.files.iter().cloned());
        super::assemble::extend_unique(&mut pkg.licenses, facts.licenses.iter().cloned());
    }
}

/// Whether the final image shows `path` (absolute) as a directory: an empty directory a package
/// owns is no file of it.
fn is_dir(merged: &MergedView, path: &str) -> bool {
    matches!(merged.get(path.trim_start_matches('/')), Some((_, EntryKind::Dir)))
}

/// `file` (absolute) with symlinks in its directory part followed through the final image, so
/// `/bin/bash` on a merged-`/usr` system becomes `/usr/bin/bash`. The last component is kept as
/// listed (a symlink the package owns stays itself); a directory that cannot be resolved (a loop)
/// is kept as written.
fn real_path(merged: &MergedView, resolved_dirs: &mut HashMap<String, String>, file: &str) -> String {
    let relative = file.trim_start_matches('/');
    let Some((dir, name)) = relative.rsplit_once('/') else {
        return format!("/{relative}");
    };
    let real_dir = match resolved_dirs.get(dir) {
        Some(real) => real.clone(),
        None => {
            let real = merged.resolve(dir).unwrap_or_else(|_| dir.to_string());
            resolved_dirs.insert(dir.to_string(), real.clone());
            real
        }
    };
    if real_dir.is_empty() {
        format!("/{name}")
    } else {
        format!("/{real_dir}/{name}")
    }
}
