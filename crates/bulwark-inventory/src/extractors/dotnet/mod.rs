//! .NET NuGet packages listed in `*.deps.json`, the dependency manifest the .NET SDK writes next to an app.
//!
//! Its `libraries` object is keyed `Name/Version`; entries of `"type": "package"` are NuGet packages. Entries
//! of type `project` (the app and its own projects) and `reference` are not packages anyone else publishes,
//! so they are skipped.

use crate::{package_at, ExtractError, Extractor, FileInput, FileMeta};
use bulwark_types::{Package, PackageKind};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

/// Extractor for .NET `*.deps.json` files.
pub struct DotnetDeps;

/// The part of a deps file we read.
#[derive(Deserialize)]
struct DepsFile {
    libraries: Libraries,
}

/// The `libraries` object's entries in file order.
struct Libraries(Vec<(String, Library)>);

impl<'de> Deserialize<'de> for Libraries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = Libraries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of Name/Version keys")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Libraries, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, Library>()? {
                    out.push(entry);
                }
                Ok(Libraries(out))
            }
        }
        deserializer.deserialize_map(InOrder)
    }
}

/// One `libraries` entry.
#[derive(Deserialize)]
struct Library {
    #[serde(rename = "type")]
    kind: String,
}

impl Extractor for DotnetDeps {
    fn name(&self) -> &'static str {
        "lang/dotnet"
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        let name = file.file_name();
        name.len() > ".deps.json".len() && name.ends_with(".deps.json")
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Vec<Package>, ExtractError> {
        let deps: DepsFile = serde_json::from_slice(input.data)
            .map_err(|e| ExtractError::new(input, format!("line {}: {e}", e.line())))?;
        let mut out = Vec::new();
        for (key, library) in &deps.libraries.0 {
            if library.kind != "package" {
                continue;
            }
            let Some((name, version)) = key.split_once('/').filter(|(n, v)| !n.is_empty() && !v.is_empty()) else {
                return Err(ExtractError::new(input, format!("library {key:?} is not of the form Name/Version")));
            };
            out.push(package_at(input, PackageKind::Nuget, name, version, self.name()));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract(path: &str, data: &[u8]) -> Result<Vec<(String, String)>, ExtractError> {
        let pkgs = DotnetDeps.extract(&FileInput { path, data })?;
        for p in &pkgs {
            assert_eq!(p.kind, PackageKind::Nuget);
            assert_eq!(p.locations, [format!("/{path}")]);
            assert_eq!(p.found_by, "lang/dotnet");
            assert!(p.licenses.is_empty() && p.source.is_none());
        }
        Ok(pkgs.into_iter().map(|p| (p.name, p.version)).collect())
    }

    #[test]
    fn pythonnet_runtime_deps_lists_its_nuget_packages() {
        let path = "usr/lib/python3/dist-packages/pythonnet/runtime/Python.Runtime.deps.json";
        let got = extract(path, include_bytes!("testdata/Python.Runtime.deps.json")).unwrap();
        // Python.Runtime/3.2.1 is the project itself (type "project") and is not listed.
        let want = [
            ("Microsoft.CSharp", "4.7.0"),
            ("Microsoft.SourceLink.GitHub", "10.0.401"),
            ("System.Buffers", "4.6.1"),
            ("System.IO.Hashing", "10.0.12"),
            ("System.Memory", "4.6.3"),
            ("System.Numerics.Vectors", "4.6.1"),
            ("System.Reflection.Emit", "4.7.0"),
            ("System.Reflection.Emit.ILGeneration", "4.7.0"),
            ("System.Runtime.CompilerServices.Unsafe", "6.1.2"),
        ];
        let want: Vec<(String, String)> = want.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn wants_deps_json_only() {
        let meta = |path| FileMeta { path, size: 100, mode: 0o644 };
        assert!(DotnetDeps.wants(&meta("app/MyApp.deps.json")));
        assert!(DotnetDeps
            .wants(&meta("usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.0/Microsoft.NETCore.App.deps.json")));
        assert!(!DotnetDeps.wants(&meta("app/.deps.json")));
        assert!(!DotnetDeps.wants(&meta("app/MyApp.runtimeconfig.json")));
        assert!(!DotnetDeps.wants(&meta("app/deps.json")));
    }

    #[test]
    fn malformed_files_are_errors() {
        let cases: [(&[u8], &str); 5] = [
            (b"", "line 1"),
            (b"{\"runtimeTarget\": {}}", "missing field `libraries`"),
            (b"{\n\"libraries\": {\n\"A/1\": {\"type\": 3}}}", "line 3"),
            (b"{\"libraries\": {\"NoVersion\": {\"type\": \"package\"}}}", "\"NoVersion\" is not of the form"),
            (b"{\"libraries\": {\"/1.0\": {\"type\": \"package\"}}}", "not of the form"),
        ];
        for (data, want) in cases {
            let err = extract("app/x.deps.json", data).unwrap_err();
            assert!(err.message.contains(want), "{want}: {}", err.message);
            assert_eq!(err.path, "/app/x.deps.json");
        }
        let real = include_bytes!("testdata/Python.Runtime.deps.json");
        for len in (0..real.len()).step_by(5) {
            assert!(extract("x.deps.json", &real[..len]).is_err());
        }
        // Only projects and references: no packages.
        let data = br#"{"libraries": {"App/1.0.0": {"type": "project"}, "System.Xml/4.0.0.0": {"type": "reference"}}}"#;
        assert!(extract("App.deps.json", data).unwrap().is_empty());
    }
}
