//! Stacks layers top-down into the file system a container would see (whiteouts, opaque dirs, symlinks).

use crate::entry::{resolve_link_target, EntryKind, LayerEntry};
use crate::walk::LayerContents;
use std::collections::BTreeMap;
use std::ops::Bound;

/// How many symlinks a path lookup follows before it reports a loop (Linux uses 40).
const MAX_SYMLINK_HOPS: usize = 40;

/// The final file system of an image: for each path, the layer whose entry is visible and its kind.
/// It borrows paths and entries from the layers it stacks.
#[derive(Debug, Default)]
pub struct MergedView<'a> {
    entries: BTreeMap<&'a str, (usize, &'a LayerEntry)>,
}

/// Removes `dir` itself (when `include_self`) and everything below it.
fn remove_subtree(map: &mut BTreeMap<&str, (usize, &LayerEntry)>, dir: &str, include_self: bool) {
    if dir.is_empty() {
        map.clear();
        return;
    }
    if include_self {
        map.remove(dir);
    }
    let lo = format!("{dir}/");
    let hi = format!("{dir}0"); // '0' is the byte after '/'
    let below = (Bound::Included(lo.as_str()), Bound::Excluded(hi.as_str()));
    let doomed: Vec<&str> = map.range::<str, _>(below).map(|(k, _)| *k).collect();
    for k in doomed {
        map.remove(k);
    }
}

impl<'a> MergedView<'a> {
    /// Stacks `layers` (bottom first) applying whiteouts and opaque directories of each layer to
    /// the layers below it.
    pub fn build<T>(layers: &[&'a LayerContents<T>]) -> MergedView<'a> {
        let mut map: BTreeMap<&'a str, (usize, &'a LayerEntry)> = BTreeMap::new();
        for (index, layer) in layers.iter().enumerate() {
            for dir in &layer.opaque_dirs {
                remove_subtree(&mut map, dir, false);
            }
            for path in &layer.whiteouts {
                remove_subtree(&mut map, path, true);
            }
            let mut paths: Vec<(&'a str, &'a LayerEntry)> =
                layer.entries.iter().map(|(path, entry)| (path.as_str(), entry)).collect();
            if map.is_empty() {
                // Nothing below to replace: the layer's entries are the view so far.
                map = paths.into_iter().map(|(path, entry)| (path, (index, entry))).collect();
                continue;
            }
            paths.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for (path, entry) in paths {
                if entry.kind != EntryKind::Dir {
                    // A file or link replaces a lower directory and everything in it.
                    if matches!(map.get(path), Some((_, e)) if e.kind == EntryKind::Dir) {
                        remove_subtree(&mut map, path, false);
                    }
                }
                map.insert(path, (index, entry));
            }
        }
        MergedView { entries: map }
    }

    /// The visible entry at exactly `path` (no symlink resolution): layer index (0-based) and kind.
    pub fn get(&self, path: &str) -> Option<(usize, &EntryKind)> {
        self.entries.get(path).map(|(l, e)| (*l, &e.kind))
    }

    /// The visible entry at exactly `path` with its size and mode: layer index (0-based) and entry.
    pub fn entry(&self, path: &str) -> Option<(usize, &LayerEntry)> {
        self.entries.get(path).map(|(l, e)| (*l, *e))
    }

    /// Every visible path with its layer index (0-based) and entry, in path order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, usize, &LayerEntry)> {
        self.entries.iter().map(|(p, (l, e))| (*p, *l, *e))
    }

    /// Whether the file `path` as written by layer `layer` is what the final image shows.
    pub fn is_visible(&self, path: &str, layer: usize) -> bool {
        matches!(self.entries.get(path), Some((l, e)) if *l == layer && matches!(e.kind, EntryKind::File | EntryKind::Hardlink(_)))
    }

    /// Follows symlinks (in every component) to the path that holds the content, never leaving the
    /// root; an error names the loop.
    pub fn resolve(&self, path: &str) -> Result<String, String> {
        let mut current = path.to_string();
        let mut hops = 0;
        'restart: loop {
            let segs: Vec<&str> = current.split('/').filter(|s| !s.is_empty()).collect();
            let mut prefix = String::new();
            for (i, seg) in segs.iter().enumerate() {
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(seg);
                if let Some((_, LayerEntry { kind: EntryKind::Symlink(target), .. })) =
                    self.entries.get(prefix.as_str())
                {
                    hops += 1;
                    if hops > MAX_SYMLINK_HOPS {
                        return Err(format!("/{path}: too many levels of symbolic links (loop at /{prefix})"));
                    }
                    let mut next = resolve_link_target(&prefix, target);
                    for rest in &segs[i + 1..] {
                        next.push('/');
                        next.push_str(rest);
                    }
                    current = next.trim_start_matches('/').to_string();
                    continue 'restart;
                }
            }
            return Ok(current);
        }
    }

    /// Every visible path, in order.
    pub fn paths(&self) -> impl Iterator<Item = (&str, usize, &EntryKind)> {
        self.entries.iter().map(|(p, (l, e))| (*p, *l, &e.kind))
    }

    /// Number of visible entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entries are visible.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(files: &[&str], whiteouts: &[&str], opaque: &[&str]) -> LayerContents<()> {
        let mut l = LayerContents::<()>::default();
        for f in files {
            let (p, kind) = match f.split_once(" -> ") {
                Some((p, t)) => (p, EntryKind::Symlink(t.to_string())),
                None if f.ends_with('/') => (f.trim_end_matches('/'), EntryKind::Dir),
                None => (*f, EntryKind::File),
            };
            l.entries.insert(p.to_string(), LayerEntry::of_kind(kind));
        }
        l.whiteouts = whiteouts.iter().map(|s| s.to_string()).collect();
        l.opaque_dirs = opaque.iter().map(|s| s.to_string()).collect();
        l
    }

    #[test]
    fn whiteouts_and_opaque_dirs_hide_lower_layers() {
        let l0 = layer(&["a/", "a/x", "a/y", "b/", "b/z", "c"], &[], &[]);
        let l1 = layer(&["a/", "a/new", "d"], &["b", "c"], &["a"]);
        let l2 = layer(&["c"], &[], &[]);
        let v = MergedView::build(&[&l0, &l1, &l2]);
        assert!(v.get("a/x").is_none() && v.get("a/y").is_none());
        assert!(v.is_visible("a/new", 1));
        assert!(v.get("b").is_none() && v.get("b/z").is_none());
        assert!(v.is_visible("c", 2) && !v.is_visible("c", 0));
        assert!(v.is_visible("d", 1));
    }

    #[test]
    fn a_file_replacing_a_directory_hides_its_children() {
        let l0 = layer(&["x/", "x/f"], &[], &[]);
        let l1 = layer(&["x"], &[], &[]);
        let v = MergedView::build(&[&l0, &l1]);
        assert!(v.get("x/f").is_none());
        assert!(v.is_visible("x", 1));
    }

    #[test]
    fn symlinks_resolve_inside_the_root_and_loops_are_errors() {
        let l0 = layer(
            &[
                "etc/",
                "etc/os-release -> ../usr/lib/os-release",
                "usr/lib/os-release",
                "loop/a -> b",
                "loop/b -> a",
                "esc -> ../../../../etc/os-release",
            ],
            &[],
            &[],
        );
        let v = MergedView::build(&[&l0]);
        assert_eq!(v.resolve("etc/os-release").unwrap(), "usr/lib/os-release");
        assert_eq!(v.resolve("esc").unwrap(), "usr/lib/os-release");
        let err = v.resolve("loop/a").unwrap_err();
        assert!(err.contains("too many levels"), "{err}");
    }
}
