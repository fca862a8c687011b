//! dpkg's companion files: `var/lib/dpkg/info/<pkg>[:<arch>].list` (the paths a package owns) and
//! `usr/share/doc/<pkg>/copyright` (its licences).

use super::license;
use crate::extractor::{MAX_COMPANION_FILES, MAX_COMPANION_LINE};
use crate::{Companion, FileInput};
use bulwark_types::PackageKind;
use std::collections::HashSet;

/// dpkg's per-package metadata directory, relative to the root.
const INFO_DIR: &str = "var/lib/dpkg/info/";
/// Where packages put their documentation, relative to the root.
const DOC_DIR: &str = "usr/share/doc/";
/// Most `.list` lines read; dpkg lists each directory as well, so this leaves room for
/// [`MAX_COMPANION_FILES`] files in even a deep tree, and bounds the directory set below.
const MAX_LIST_LINES: usize = 10 * MAX_COMPANION_FILES;

/// The companion file `path` is, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind<'a> {
    /// `var/lib/dpkg/info/<pkg>[:<arch>].list` of the package named.
    List(&'a str),
    /// `usr/share/doc/<pkg>/copyright` of the package named.
    Copyright(&'a str),
}

/// Classifies `path` (relative, at the root or under any directory); cheap, for `wants_companion`.
pub fn kind(path: &str) -> Option<Kind<'_>> {
    if let Some(stem) = path.strip_suffix(".list") {
        let (root, file) = stem.rsplit_once(INFO_DIR)?;
        let name = file.split_once(':').map_or(file, |(name, _arch)| name);
        return (at_root(root) && is_package_name(name) && !file.contains('/')).then_some(Kind::List(name));
    }
    let dir = path.strip_suffix("/copyright")?;
    let (root, name) = dir.rsplit_once(DOC_DIR)?;
    (at_root(root) && is_package_name(name)).then_some(Kind::Copyright(name))
}

/// Whether `prefix` puts the following path at the root or directly under some directory.
fn at_root(prefix: &str) -> bool {
    prefix.is_empty() || prefix.ends_with('/')
}

/// Whether `name` can be a Debian package name (`[a-z0-9][a-z0-9+.-]+`; upper case tolerated).
fn is_package_name(name: &str) -> bool {
    name.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// Parses a companion file of the given kind; `None` when it says nothing usable.
pub fn parse(kind: Kind<'_>, input: &FileInput<'_>) -> Option<Companion> {
    let (package, files, licenses) = match kind {
        Kind::List(name) => (name, owned_files(input.data), Vec::new()),
        Kind::Copyright(name) => (name, Vec::new(), license::from_copyright(input.data)),
    };
    if files.is_empty() && licenses.is_empty() {
        return None;
    }
    Some(Companion { kind: PackageKind::Deb, package: package.to_string(), files, licenses })
}

/// The paths of a `.list` file, in file order, without `/.` and without the directories dpkg lists
/// as parents of other entries (what remains: files, symlinks and empty directories the package
/// owns). Lines that are not absolute UTF-8 paths of at most [`MAX_COMPANION_LINE`] bytes are
/// skipped; at most [`MAX_LIST_LINES`] lines are read and [`MAX_COMPANION_FILES`] paths kept.
pub fn owned_files(data: &[u8]) -> Vec<String> {
    let lines: Vec<&str> = data
        .split(|&b| b == b'\n')
        .take(MAX_LIST_LINES)
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| l.len() <= MAX_COMPANION_LINE && l.len() > 1 && l.first() == Some(&b'/') && *l != b"/.")
        .filter_map(|l| std::str::from_utf8(l).ok())
        .collect();
    let parents: HashSet<&str> =
        lines.iter().filter_map(|l| l.rsplit_once('/').map(|(dir, _)| dir)).filter(|d| !d.is_empty()).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    lines
        .into_iter()
        .filter(|l| !parents.contains(l) && seen.insert(l))
        .take(MAX_COMPANION_FILES)
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(name: &str) -> Vec<String> {
        let path = format!("{}/src/extractors/dpkg/testdata/info/{name}", env!("CARGO_MANIFEST_DIR"));
        owned_files(&std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
    }

    #[test]
    fn classifies_list_and_copyright_paths_at_any_root() {
        let cases = [
            ("var/lib/dpkg/info/bash.list", Some(Kind::List("bash"))),
            ("var/lib/dpkg/info/libc6:amd64.list", Some(Kind::List("libc6"))),
            ("rootfs/var/lib/dpkg/info/libstdc++6:amd64.list", Some(Kind::List("libstdc++6"))),
            ("usr/share/doc/bash/copyright", Some(Kind::Copyright("bash"))),
            ("x/usr/share/doc/libbz2-1.0/copyright", Some(Kind::Copyright("libbz2-1.0"))),
            ("var/lib/dpkg/info/bash.md5sums", None),
            ("var/lib/dpkg/info/.list", None),
            ("var/lib/dpkg/info/:amd64.list", None),
            ("var/lib/dpkg/info/sub/bash.list", None),
            ("myvar/lib/dpkg/info/bash.list", None),
            ("usr/share/doc/copyright", None),
            ("usr/share/doc//copyright", None),
            ("usr/share/doc/bash/examples/copyright", None),
            ("usr/share/doc/bash/copyright.gz", None),
            ("usr/share/docs/bash/copyright", None),
            ("opt/usr/share/doc/bash/copyright", Some(Kind::Copyright("bash"))),
            ("usr/local/share/doc/bash/copyright", None),
        ];
        for (path, want) in cases {
            assert_eq!(kind(path), want, "{path}");
        }
    }

    #[test]
    fn bash_list_keeps_files_and_drops_parent_directories() {
        let files = list("bash.list");
        // 167 lines: `/.`, 95 parent directories, 71 files, symlinks and empty directories.
        assert_eq!(files.len(), 71);
        assert_eq!(&files[..3], ["/bin/bash", "/etc/bash.bashrc", "/etc/skel/.bash_logout"]);
        assert_eq!(files.last().map(String::as_str), Some("/bin/rbash"));
        for owned in ["/usr/bin/bashbug", "/usr/share/doc/bash/copyright", "/usr/share/info", "/usr/share/menu/bash"] {
            assert!(files.iter().any(|f| f == owned), "{owned} missing");
        }
        for dir in ["/.", "/bin", "/usr", "/usr/share/doc/bash", "/usr/share/locale/af/LC_MESSAGES"] {
            assert!(!files.iter().any(|f| f == dir), "{dir} kept");
        }
    }

    #[test]
    fn real_lists_match_the_files_they_name() {
        // (file, lines, kept): kept = lines - `/.` - parents, counted with `sort -u` and `comm` on the real file.
        let cases = [("libc6_amd64.list", 302, 286), ("base-files.list", 88, 72), ("zlib1g_amd64.list", 12, 5)];
        for (name, lines, kept) in cases {
            let path = format!("{}/src/extractors/dpkg/testdata/info/{name}", env!("CARGO_MANIFEST_DIR"));
            let data = std::fs::read(&path).unwrap();
            assert_eq!(data.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count(), lines, "{name}");
            assert_eq!(list(name).len(), kept, "{name}");
        }
    }

    #[test]
    fn hostile_lists_are_bounded_and_never_panic() {
        assert!(owned_files(b"").is_empty());
        assert!(owned_files(b"/.\n\n\n").is_empty());
        assert_eq!(owned_files(b"relative/path\n/ok\n\xff\xfe/bad\n/\xff\n"), ["/ok"]);
        let long = format!("/{}\n/short\n", "a".repeat(MAX_COMPANION_LINE));
        assert_eq!(owned_files(long.as_bytes()), ["/short"]);
        assert_eq!(owned_files(b"/a\r\n/a\n/a/b\n"), ["/a/b"]);
        let many: String = (0..MAX_COMPANION_FILES + 5).map(|i| format!("/f{i}\n")).collect();
        let files = owned_files(many.as_bytes());
        assert_eq!(files.len(), MAX_COMPANION_FILES);
        assert_eq!(files[0], "/f0");
        let lines: String = (0..MAX_LIST_LINES + 5).map(|i| format!("/d/{i}\n")).collect();
        assert_eq!(owned_files(lines.as_bytes()).len(), MAX_COMPANION_FILES);
    }
}
