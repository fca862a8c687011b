//! PHP Composer packages: `composer.lock` and the `vendor/composer/installed.json` Composer writes on install.
//!
//! `composer.lock` lists runtime packages under `packages` and development-only ones under `packages-dev`; like
//! Trivy by default we report only `packages` (what `composer install --no-dev` installs). `installed.json`
//! lists what is really on disk: a JSON array (Composer 1) or `{"packages": [...]}` (Composer 2); all of it is
//! reported. Versions are kept as written, so tags such as `v1.8.1` keep their `v` (version comparison for the
//! Packagist ecosystem has to accept it).

use crate::{package_at, ExtractError, Extractor, FileInput, FileMeta};
use bulwark_types::{Package, PackageKind};
use serde::Deserialize;

/// Extractor for Composer lock files and installed-package lists.
pub struct Composer;

/// `composer.lock`: only the runtime packages are read.
#[derive(Deserialize)]
struct LockFile {
    packages: Vec<ComposerPackage>,
}

/// Composer 2 `installed.json`.
#[derive(Deserialize)]
struct InstalledV2 {
    packages: Vec<ComposerPackage>,
}

/// One package entry; both files use the same shape.
#[derive(Deserialize)]
struct ComposerPackage {
    name: String,
    version: String,
    #[serde(default)]
    license: Licenses,
}

/// `license` is an array of SPDX identifiers, or a single string in old files.
#[derive(Deserialize, Default)]
#[serde(untagged)]
enum Licenses {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl Extractor for Composer {
    fn name(&self) -> &'static str {
        "lang/composer"
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        let name = file.file_name();
        name == "composer.lock"
            || (name == "installed.json"
                && (file.path == "vendor/composer/installed.json" || file.path.ends_with("/composer/installed.json")))
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Vec<Package>, ExtractError> {
        let error = |e: serde_json::Error| ExtractError::new(input, format!("line {}: {e}", e.line()));
        let packages = if input.path.ends_with("installed.json") {
            let first = input.data.iter().find(|b| !b.is_ascii_whitespace());
            if first == Some(&b'[') {
                serde_json::from_slice::<Vec<ComposerPackage>>(input.data).map_err(error)?
            } else {
                serde_json::from_slice::<InstalledV2>(input.data).map_err(error)?.packages
            }
        } else {
            serde_json::from_slice::<LockFile>(input.data).map_err(error)?.packages
        };
        Ok(packages
            .into_iter()
            .map(|p| {
                let mut pkg = package_at(input, PackageKind::Composer, &p.name, &p.version, self.name());
                pkg.licenses = match p.license {
                    Licenses::None => Vec::new(),
                    Licenses::One(l) => vec![l],
                    Licenses::Many(l) => l,
                };
                pkg
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract(path: &str, data: &[u8]) -> Result<Vec<(String, String, Vec<String>)>, ExtractError> {
        let pkgs = Composer.extract(&FileInput { path, data })?;
        for p in &pkgs {
            assert_eq!(p.kind, PackageKind::Composer);
            assert_eq!(p.locations, [format!("/{path}")]);
            assert_eq!(p.found_by, "lang/composer");
        }
        Ok(pkgs.into_iter().map(|p| (p.name, p.version, p.licenses)).collect())
    }

    fn want(list: &[(&str, &str, &str)]) -> Vec<(String, String, Vec<String>)> {
        list.iter().map(|(n, v, l)| (n.to_string(), v.to_string(), vec![l.to_string()])).collect()
    }

    #[test]
    fn lock_file_lists_runtime_packages_only() {
        let got = extract("app/composer.lock", include_bytes!("testdata/syft-composer.lock")).unwrap();
        // behat/gherkin and codeception/codeception are in packages-dev.
        assert_eq!(
            got,
            want(&[("adoy/fastcgi-client", "1.0.2", "MIT"), ("alcaeus/mongo-php-adapter", "1.1.11", "MIT")])
        );
    }

    #[test]
    fn installed_json_v1_and_v2_list_everything_installed() {
        let expected = want(&[("asm89/stack-cors", "1.3.0", "MIT"), ("behat/mink", "v1.8.1", "MIT")]);
        let v1 = include_bytes!("testdata/syft-composer_1/installed.json");
        let v2 = include_bytes!("testdata/syft-composer_2/installed.json");
        assert_eq!(extract("app/vendor/composer/installed.json", v1).unwrap(), expected);
        assert_eq!(extract("app/vendor/composer/installed.json", v2).unwrap(), expected);
    }

    #[test]
    fn wants_lock_files_and_installed_json() {
        let meta = |path| FileMeta { path, size: 100, mode: 0o644 };
        assert!(Composer.wants(&meta("var/www/html/composer.lock")));
        assert!(Composer.wants(&meta("composer.lock")));
        assert!(Composer.wants(&meta("var/www/html/vendor/composer/installed.json")));
        assert!(Composer.wants(&meta("vendor/composer/installed.json")));
        assert!(Composer.wants(&meta("var/www/nextcloud/3rdparty/composer/installed.json")));
        assert!(!Composer.wants(&meta("var/www/html/composer.json")));
        assert!(!Composer.wants(&meta("var/www/html/vendor/installed.json")));
        assert!(!Composer.wants(&meta("usr/lib/node_modules/x/installed.json")));
        assert!(!Composer.wants(&meta("app/mycomposer/installed.json")));
    }

    #[test]
    fn single_string_and_missing_licences() {
        let data = br#"{"packages": [{"name": "a/b", "version": "1.0", "license": "BSD-3-Clause"}, {"name": "c/d", "version": "dev-main"}]}"#;
        let got = extract("composer.lock", data).unwrap();
        assert_eq!(got[0].2, ["BSD-3-Clause"]);
        assert_eq!((got[1].0.as_str(), got[1].1.as_str(), got[1].2.len()), ("c/d", "dev-main", 0));
    }

    #[test]
    fn malformed_files_are_errors_naming_the_line() {
        let cases: [(&str, &[u8], &str); 6] = [
            ("composer.lock", b"", "line 1"),
            ("composer.lock", b"{\n\"packages\": [\n{\"name\": \"a/b\"}\n]}", "line 3"),
            ("composer.lock", b"{\"_readme\": []}", "missing field `packages`"),
            ("composer.lock", b"\xff\xfe", "line 1"),
            ("vendor/composer/installed.json", b"[{\"name\": 5, \"version\": \"1\"}]", "line 1"),
            ("vendor/composer/installed.json", b"\n\n{\"packages\": {}}", "line 3"),
        ];
        for (path, data, want) in cases {
            let err = extract(path, data).unwrap_err();
            assert!(err.message.starts_with(want) || err.message.contains(want), "{want}: {}", err.message);
            assert_eq!(err.path, format!("/{path}"));
        }
        let real = include_bytes!("testdata/syft-composer_2/installed.json");
        for len in (0..real.len()).step_by(7) {
            assert!(extract("vendor/composer/installed.json", &real[..len]).is_err());
        }
        assert!(extract("vendor/composer/installed.json", b"[]").unwrap().is_empty());
    }
}
