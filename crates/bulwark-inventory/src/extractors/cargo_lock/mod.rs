//! Rust crates pinned in `Cargo.lock` (lock file formats v1 to v4).
//!
//! Every `[[package]]` table is one crate: registry, git and local path crates alike, the workspace's own
//! crates included. Very old v1 files put the root crate in a `[root]` table; it is reported too.

use crate::{package_at, ExtractError, Extractor, FileInput, FileMeta};
use bulwark_types::{Package, PackageKind};
use serde::Deserialize;

/// Extractor for `Cargo.lock` files.
pub struct CargoLock;

/// The parts of a lock file we read; everything else (`metadata`, `patch`, checksums) is ignored.
#[derive(Deserialize)]
struct LockFile {
    #[serde(default)]
    package: Vec<LockedPackage>,
    root: Option<LockedPackage>,
}

/// One `[[package]]` table.
#[derive(Deserialize)]
struct LockedPackage {
    name: String,
    version: String,
}

impl Extractor for CargoLock {
    fn name(&self) -> &'static str {
        "lang/cargo-lock"
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        file.file_name() == "Cargo.lock"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Vec<Package>, ExtractError> {
        let text = std::str::from_utf8(input.data).map_err(|e| {
            ExtractError::new(input, format!("line {}: not UTF-8", line_of(input.data, e.valid_up_to())))
        })?;
        let lock: LockFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |span| line_of(input.data, span.start));
            ExtractError::new(input, format!("line {line}: {}", e.message().trim_end()))
        })?;
        let packages = lock
            .root
            .iter()
            .chain(&lock.package)
            .map(|p| package_at(input, PackageKind::Cargo, &p.name, &p.version, self.name()))
            .collect();
        Ok(packages)
    }
}

/// The 1-based line number of byte offset `at` in `data`.
fn line_of(data: &[u8], at: usize) -> usize {
    let upto = data.get(..at).unwrap_or(data);
    memchr::memchr_iter(b'\n', upto).count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract(path: &str, data: &[u8]) -> Result<Vec<(String, String)>, ExtractError> {
        let input = FileInput { path, data };
        let pkgs = CargoLock.extract(&input)?;
        for p in &pkgs {
            assert_eq!(p.kind, PackageKind::Cargo);
            assert_eq!(p.locations, vec![format!("/{path}")]);
            assert_eq!(p.found_by, "lang/cargo-lock");
            assert!(p.arch.is_none() && p.source.is_none() && p.licenses.is_empty());
        }
        Ok(pkgs.into_iter().map(|p| (p.name, p.version)).collect())
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn corpus_lock_v4_lists_all_eight_crates_with_the_root() {
        let got = extract("app/rust/Cargo.lock", include_bytes!("testdata/corpus-rustapp.Cargo.lock")).unwrap();
        // truth.json cargo_lock_packages for /app/rust/Cargo.lock.
        let want = pairs(&[
            ("corpus-rustapp", "0.1.0"),
            ("libc", "0.2.191"),
            ("maybe-uninit", "2.0.0"),
            ("smallvec", "0.6.13"),
            ("time", "0.1.43"),
            ("winapi", "0.3.9"),
            ("winapi-i686-pc-windows-gnu", "0.4.0"),
            ("winapi-x86_64-pc-windows-gnu", "0.4.0"),
        ]);
        assert_eq!(got, want);
    }

    #[test]
    fn lock_v3_from_http_body() {
        let got = extract("src/Cargo.lock", include_bytes!("testdata/http-body-1.1.0.v3.Cargo.lock")).unwrap();
        let want = pairs(&[
            ("bytes", "1.0.0"),
            ("fnv", "1.0.6"),
            ("http", "1.0.0"),
            ("http-body", "1.1.0"),
            ("itoa", "1.0.9"),
        ]);
        assert_eq!(got, want);
    }

    #[test]
    fn lock_v2_from_slab() {
        let got = extract("Cargo.lock", include_bytes!("testdata/slab-0.4.12.v2.Cargo.lock")).unwrap();
        let want = pairs(&[
            ("proc-macro2", "1.0.106"),
            ("quote", "1.0.44"),
            ("serde", "1.0.228"),
            ("serde_core", "1.0.228"),
            ("serde_derive", "1.0.228"),
            ("serde_test", "1.0.177"),
            ("slab", "0.4.12"),
            ("syn", "2.0.114"),
            ("unicode-ident", "1.0.22"),
        ]);
        assert_eq!(got, want);
    }

    #[test]
    fn lock_v1_with_metadata_table_from_num_iter() {
        let got = extract("Cargo.lock", include_bytes!("testdata/num-iter-0.1.46.v1.Cargo.lock")).unwrap();
        let want =
            pairs(&[("autocfg", "1.5.1"), ("num-integer", "0.1.46"), ("num-iter", "0.1.46"), ("num-traits", "0.2.18")]);
        assert_eq!(got, want);
    }

    #[test]
    fn oldest_v1_root_table_is_reported_first() {
        // The pre-2017 layout: the root crate in [root], the rest in [[package]].
        let data = b"[root]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"libc 0.2.20 (registry+https://github.com/rust-lang/crates.io-index)\",\n]\n\n[[package]]\nname = \"libc\"\nversion = \"0.2.20\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
        let got = extract("Cargo.lock", data).unwrap();
        assert_eq!(got, pairs(&[("app", "0.1.0"), ("libc", "0.2.20")]));
    }

    #[test]
    fn bulwark_own_lock_v4_matches_a_line_count_of_the_file() {
        let data = include_bytes!("testdata/bulwark.Cargo.lock");
        let got = extract("Cargo.lock", data).unwrap();
        // Cross-check against the raw text: each [[package]] header is followed by its name and version lines.
        let text = std::str::from_utf8(data).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut want = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if *line == "[[package]]" {
                let name = lines[i + 1].strip_prefix("name = \"").unwrap().trim_end_matches('"');
                let version = lines[i + 2].strip_prefix("version = \"").unwrap().trim_end_matches('"');
                want.push((name.to_string(), version.to_string()));
            }
        }
        assert!(want.len() > 100, "{}", want.len());
        assert_eq!(got, want);
        assert!(got.contains(&("bulwark-inventory".to_string(), "0.1.0".to_string())));
        // Two versions of one crate are two packages.
        for (name, version) in [("serde", "1.0.229"), ("syn", "2.0.119"), ("syn", "3.0.10")] {
            assert!(got.contains(&(name.to_string(), version.to_string())), "{name} {version}");
        }
    }

    #[test]
    fn wants_only_cargo_lock_files() {
        let meta = |path| FileMeta { path, size: 10, mode: 0o644 };
        assert!(CargoLock.wants(&meta("app/rust/Cargo.lock")));
        assert!(CargoLock.wants(&meta("Cargo.lock")));
        assert!(!CargoLock.wants(&meta("app/rust/Cargo.toml")));
        assert!(!CargoLock.wants(&meta("app/rust/Cargo.lock.orig")));
        assert!(!CargoLock.wants(&meta("app/rust/xCargo.lock")));
    }

    #[test]
    fn malformed_locks_are_errors_naming_the_line() {
        let cases: [(&[u8], &str); 5] = [
            (b"version = 3\n\n[[package]]\nname = \"a\"\nversion = \"1\n", "line 5:"),
            (b"[[package]]\nname = \"a\"\n", "line 1:"),
            (b"[[package]]\nname = 3\nversion = \"1\"\n", "line 2:"),
            (b"package = \"nope\"\n", "line 1:"),
            (b"\n\n\xff\xfe garbage", "line 3: not UTF-8"),
        ];
        for (data, want) in cases {
            let err = extract("x/Cargo.lock", data).unwrap_err();
            assert_eq!(err.path, "/x/Cargo.lock");
            assert!(err.message.starts_with(want), "{data:?}: {}", err.message);
        }
        // Truncated real file: an error, never a panic.
        let real = include_bytes!("testdata/corpus-rustapp.Cargo.lock");
        for len in 0..real.len() {
            let _ = extract("Cargo.lock", &real[..len]);
        }
        assert!(extract("Cargo.lock", b"version = 4\n").unwrap().is_empty());
    }
}
