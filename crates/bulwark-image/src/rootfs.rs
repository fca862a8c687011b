//! `dir:PATH` — an unpacked root filesystem or source tree, walked as a single layer.

use crate::entry::{EntryKind, EntryMeta, LayerEntry};
use crate::walk::{LayerContents, Visitor, WalkOptions};
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Walks `root` without following symlinks (and without crossing into other file systems'
/// `/proc`, `/sys`), handing wanted files to `visitor`. Unreadable entries become warnings.
pub fn walk_dir<V: Visitor>(
    root: &Path,
    visitor: &V,
    options: WalkOptions,
) -> Result<LayerContents<V::Output>, String> {
    let meta = std::fs::symlink_metadata(root).map_err(|e| format!("{}: {e}", root.display()))?;
    if !meta.is_dir() {
        return Err(format!("{}: not a directory", root.display()));
    }
    let mut out = LayerContents::default();
    let mut stack = vec![String::new()];
    while let Some(rel) = stack.pop() {
        let dir = if rel.is_empty() { root.to_path_buf() } else { root.join(&rel) };
        let read = match std::fs::read_dir(&dir) {
            Ok(r) => r,
            Err(e) => {
                out.warnings.push(format!("{}: {e}", dir.display()));
                continue;
            }
        };
        for item in read {
            let item = match item {
                Ok(i) => i,
                Err(e) => {
                    out.warnings.push(format!("{}: {e}", dir.display()));
                    continue;
                }
            };
            let name = item.file_name().to_string_lossy().into_owned();
            let path = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            if rel.is_empty() && matches!(path.as_str(), "proc" | "sys" | "dev") {
                continue;
            }
            let meta = match item.metadata() {
                Ok(m) => m,
                Err(e) => {
                    out.warnings.push(format!("/{path}: {e}"));
                    continue;
                }
            };
            let ft = meta.file_type();
            let kind = if ft.is_dir() {
                stack.push(path.clone());
                EntryKind::Dir
            } else if ft.is_symlink() {
                let target =
                    std::fs::read_link(item.path()).map(|t| t.to_string_lossy().into_owned()).unwrap_or_default();
                EntryKind::Symlink(target)
            } else if ft.is_file() {
                EntryKind::File
            } else {
                EntryKind::Other
            };
            let entry = EntryMeta { path: &path, kind: &kind, size: meta.len(), mode: meta.permissions().mode() };
            if kind == EntryKind::File && visitor.wants(&entry) {
                if meta.len() > options.max_file_size {
                    out.warnings.push(format!(
                        "/{path}: {} bytes is over the {} byte read limit; not read",
                        meta.len(),
                        options.max_file_size
                    ));
                } else {
                    let mut data = Vec::with_capacity(meta.len() as usize);
                    let read = std::fs::File::open(item.path())
                        .and_then(|f| f.take(options.max_file_size + 1).read_to_end(&mut data));
                    match read {
                        Ok(_) => {
                            let output = visitor.visit(&entry, &data);
                            out.outputs.push((path.clone(), output));
                        }
                        Err(e) => out.warnings.push(format!("/{path}: {e}")),
                    }
                }
            }
            let size = if kind == EntryKind::File { meta.len() } else { 0 };
            out.entries.insert(path, LayerEntry { kind, size, mode: meta.permissions().mode() });
        }
    }
    Ok(out)
}
