//! One file-system entry of a layer, as the layer walker reports it.

/// What kind of entry a layer holds at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link and its target as written in the layer.
    Symlink(String),
    /// A hard link to another path of the same layer (normalised, relative).
    Hardlink(String),
    /// Device, FIFO or anything else without content.
    Other,
}

/// One path of a layer as the walker records it: kind, size and permission bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerEntry {
    /// Kind of entry.
    pub kind: EntryKind,
    /// Size in bytes (0 for anything but regular files).
    pub size: u64,
    /// Unix mode bits (permissions, setuid/setgid/sticky).
    pub mode: u32,
}

impl LayerEntry {
    /// An entry of `kind` with no size and mode 0o644 (directories 0o755).
    pub fn of_kind(kind: EntryKind) -> LayerEntry {
        let mode = if kind == EntryKind::Dir { 0o755 } else { 0o644 };
        LayerEntry { kind, size: 0, mode }
    }
}

/// What is known about an entry before its contents are read.
#[derive(Debug, Clone, Copy)]
pub struct EntryMeta<'a> {
    /// Normalised path inside the image root: relative, no leading `/`, no `.` or `..` components.
    pub path: &'a str,
    /// Kind of entry.
    pub kind: &'a EntryKind,
    /// Size in bytes (for sparse files, the apparent size).
    pub size: u64,
    /// Unix permission bits.
    pub mode: u32,
}

/// Normalises a tar entry name to a relative path inside the root.
///
/// Returns an error message for names that are absolute or climb out of the root with `..`:
/// such entries are hostile (or broken) and would write outside the root if extracted.
pub fn normalize_entry_path(raw: &str) -> Result<String, String> {
    if raw.starts_with('/') {
        return Err(format!("absolute path {raw:?} in layer"));
    }
    let mut parts: Vec<&str> = Vec::new();
    for seg in raw.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!("path {raw:?} climbs out of the image root"));
                }
            }
            s => parts.push(s),
        }
    }
    Ok(parts.join("/"))
}

/// Resolves a symlink `target` found at `link_path` to a normalised path, clamping `..` at the
/// root (the image root is `/`, so a link can never point outside it).
pub fn resolve_link_target(link_path: &str, target: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if !target.starts_with('/') {
        parts.extend(link_path.split('/').filter(|s| !s.is_empty()));
        parts.pop();
    }
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_tar_names_and_rejects_escapes() {
        assert_eq!(normalize_entry_path("./usr/bin/x").unwrap(), "usr/bin/x");
        assert_eq!(normalize_entry_path("usr/lib/../bin/").unwrap(), "usr/bin");
        assert_eq!(normalize_entry_path("./").unwrap(), "");
        assert!(normalize_entry_path("../../etc/passwd").is_err());
        assert!(normalize_entry_path("a/../../etc/passwd").is_err());
        assert!(normalize_entry_path("/etc/passwd").is_err());
    }

    #[test]
    fn link_targets_never_leave_the_root() {
        assert_eq!(resolve_link_target("etc/os-release", "../usr/lib/os-release"), "usr/lib/os-release");
        assert_eq!(resolve_link_target("etc/x", "../../../../etc/shadow"), "etc/shadow");
        assert_eq!(resolve_link_target("a/b/c", "/usr/bin"), "usr/bin");
        assert_eq!(resolve_link_target("a/b", "c"), "a/c");
    }
}
