//! Attaches companion facts (owned files, licences) to the installed packages they name.

use super::assemble::PackageKey;
use crate::extractor::{MAX_COMPANION_FILES, MAX_COMPANION_LICENSES};
use crate::Companion;
use bulwark_image::{EntryKind, MergedView};
use bulwark_types::{Package, PackageKind};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Everything the visible companions say about one package, deduplicated and bounded.
#[derive(Default)]
struct Facts<'a> {
    /// Owned files as real paths in the final image, in the order first listed.
    files: Vec<Cow<'a, str>>,
    /// The same files, for deduplication.
    seen: HashSet<Cow<'a, str>>,
    /// Whether more than [`MAX_COMPANION_FILES`] files were listed.
    truncated: bool,
    /// Declared licences, in the order first seen.
    licenses: Vec<&'a str>,
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
    let mut real_dirs: HashMap<&str, Option<String>> = HashMap::new();
    let mut by_package: HashMap<(PackageKind, &str), Facts> = HashMap::new();
    for c in companions {
        if !installed.contains(&(c.kind, c.package.as_str())) {
            continue;
        }
        let facts = by_package.entry((c.kind, c.package.as_str())).or_default();
        for file in &c.files {
            let real = real_path(merged, &mut real_dirs, file);
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
            if facts.licenses.len() < MAX_COMPANION_LICENSES && !facts.licenses.contains(&license.as_str()) {
                facts.licenses.push(license);
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

    // Every version of a package receives the facts, so each is handed out by copy.
    for pkg in packages.values_mut() {
        let Some(facts) = by_package.get(&(pkg.kind, pkg.name.as_str())) else { continue };
        let files = facts.files.iter().map(|f| f.to_string());
        if pkg.files.is_empty() {
            pkg.files.extend(files); // already without duplicates
        } else {
            super::assemble::extend_unique(&mut pkg.files, files);
        }
        super::assemble::extend_unique(&mut pkg.licenses, facts.licenses.iter().map(|l| l.to_string()));
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
/// is kept as written. `real_dirs` remembers each directory's real path where it differs.
fn real_path<'a>(merged: &MergedView, real_dirs: &mut HashMap<&'a str, Option<String>>, file: &'a str) -> Cow<'a, str> {
    let relative = file.trim_start_matches('/');
    let Some((dir, name)) = relative.rsplit_once('/') else {
        return absolute(file, relative);
    };
    let real_dir = real_dirs.entry(dir).or_insert_with(|| merged.resolve(dir).ok().filter(|real| real != dir));
    match real_dir {
        None => absolute(file, relative),
        Some(real) if real.is_empty() => Cow::Owned(format!("/{name}")),
        Some(real) => Cow::Owned(format!("/{real}/{name}")),
    }
}

/// `relative` with one leading slash: `file` itself when that is how it was written.
fn absolute<'a>(file: &'a str, relative: &'a str) -> Cow<'a, str> {
    if file.len() == relative.len() + 1 {
        Cow::Borrowed(file)
    } else {
        Cow::Owned(format!("/{relative}"))
    }
}
