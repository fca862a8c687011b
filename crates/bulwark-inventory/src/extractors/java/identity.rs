//! Maven coordinates of one archive, from `pom.properties`, the manifest or the file name.

use super::manifest::Manifest;
use super::properties;
use super::ARCHIVE_EXTENSIONS;

/// Longest group, artifact or version we accept; anything longer is not an identifier.
const MAX_IDENTIFIER_LEN: usize = 256;

/// A Maven identity: `group:artifact` (or just `artifact` when the group is unknown) at a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Coordinates {
    /// `groupId`, when the archive says it.
    pub group: Option<String>,
    /// `artifactId` (or the best artifact-like name the archive gives).
    pub artifact: String,
    /// Version as written.
    pub version: String,
}

impl Coordinates {
    /// The package name: `group:artifact`, or `artifact` alone.
    pub fn name(&self) -> String {
        match &self.group {
            Some(group) => format!("{group}:{}", self.artifact),
            None => self.artifact.clone(),
        }
    }
}

/// Whether `entry` is `META-INF/maven/<group>/<artifact>/pom.properties` (`META-INF` in any case).
pub(super) fn is_pom_properties(entry: &str) -> bool {
    pom_path_parts(entry).is_some()
}

/// The `<group>` and `<artifact>` directory names of a `pom.properties` entry.
fn pom_path_parts(entry: &str) -> Option<(&str, &str)> {
    let mut parts = entry.split('/');
    let (meta, maven, group, artifact, file) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let shaped = parts.next().is_none()
        && meta.eq_ignore_ascii_case("META-INF")
        && maven == "maven"
        && file == "pom.properties"
        && !group.is_empty()
        && !artifact.is_empty();
    shaped.then_some((group, artifact))
}

/// Coordinates from a `pom.properties` entry; the directory names stand in for missing keys.
/// `None` when there is no usable artifact or version.
pub(super) fn from_pom_properties(entry: &str, data: &[u8]) -> Option<Coordinates> {
    let (dir_group, dir_artifact) = pom_path_parts(entry)?;
    let props = properties::parse(data);
    let get = |key: &str| props.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim()).filter(|v| !v.is_empty());
    let group = identifier(get("groupId").unwrap_or(dir_group))?;
    let artifact = identifier(get("artifactId").unwrap_or(dir_artifact))?;
    let version = identifier(get("version")?)?;
    Some(Coordinates { group: Some(group.to_string()), artifact: artifact.to_string(), version: version.to_string() })
}

/// Coordinates from the manifest's main attributes, falling back to the file name
/// (`name-1.2.3.jar`). `None` when no version can be found.
///
/// The artifact is the first identifier-like value of `Implementation-Title`,
/// `Bundle-SymbolicName`, `Specification-Title`, else the file name. The group is
/// `Implementation-Vendor-Id`, or the part of `Bundle-SymbolicName` before `.<artifact>`
/// when the symbolic name ends with a hyphenated artifact; a symbolic name used as the
/// artifact itself gets no group (splitting it would be a guess).
pub(super) fn from_manifest(manifest: &Manifest, file_name: &str) -> Option<Coordinates> {
    let (group, artifact) = manifest_name(manifest, file_name)?;
    let file = FileName::parse(file_name);
    let version = ["Implementation-Version", "Bundle-Version", "Specification-Version"]
        .iter()
        .find_map(|key| manifest.get(key).and_then(identifier))
        .or_else(|| file.version.filter(|_| file.name == artifact).and_then(identifier))?;
    Some(Coordinates { group, artifact, version: version.to_string() })
}

/// The `(group, artifact)` the manifest and file name give, without a version.
pub(super) fn manifest_name(manifest: &Manifest, file_name: &str) -> Option<(Option<String>, String)> {
    let attr = |key: &str| manifest.get(key).and_then(identifier);
    let symbolic = manifest.get("Bundle-SymbolicName").and_then(|v| v.split(';').next()).and_then(identifier);
    let vendor_id = attr("Implementation-Vendor-Id");
    let file = FileName::parse(file_name);
    let group_for = |artifact: &str| vendor_id.or_else(|| symbolic.and_then(|s| group_prefix(s, artifact)));

    let (group, artifact) = if let Some(title) = attr("Implementation-Title") {
        (group_for(title), title)
    } else if let Some(symbolic) = symbolic {
        match identifier(file.name).and_then(|name| Some((group_prefix(symbolic, name)?, name))) {
            Some((group, name)) => (Some(group), name),
            None => (None, symbolic),
        }
    } else if let Some(title) = attr("Specification-Title") {
        (group_for(title), title)
    } else {
        let name = identifier(file.name)?;
        (group_for(name), name)
    };
    Some((group.map(str::to_string), artifact.to_string()))
}

/// `com.example` for symbolic name `com.example.foo-bar` and artifact `foo-bar` (the maven-bundle-plugin
/// default `groupId.artifactId`). Only for artifacts with a `-`: a symbolic name ending in `.asm` or
/// `.guava` is as likely a Java package name (`org.objectweb.asm` is `org.ow2.asm:asm`).
fn group_prefix<'a>(symbolic: &'a str, artifact: &str) -> Option<&'a str> {
    if !artifact.contains('-') {
        return None;
    }
    let group = symbolic.strip_suffix(artifact)?.strip_suffix('.')?;
    (!group.is_empty() && !group.ends_with('.')).then_some(group)
}

/// `value` trimmed, if it looks like a Maven identifier or version: no whitespace or control
/// characters, no unexpanded `${…}` placeholder, not absurdly long.
fn identifier(value: &str) -> Option<&str> {
    let value = value.trim();
    let plausible = !value.is_empty()
        && value.len() <= MAX_IDENTIFIER_LEN
        && !value.contains("${")
        && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    plausible.then_some(value)
}

/// An archive file name split into artifact name and version: `commons-lang3-3.12.0.jar`
/// is `commons-lang3` at `3.12.0` (the version starts at the first `-` followed by a digit).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct FileName<'a> {
    /// The part before the version (the whole stem when there is none).
    pub name: &'a str,
    /// The version, when the stem has one.
    pub version: Option<&'a str>,
}

impl<'a> FileName<'a> {
    /// Splits `file_name` (no directories) after removing a known archive extension.
    pub fn parse(file_name: &'a str) -> FileName<'a> {
        let stem = match file_name.rsplit_once('.') {
            Some((stem, ext)) if ARCHIVE_EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e)) => stem,
            _ => file_name,
        };
        let split = stem
            .match_indices('-')
            .map(|(i, _)| i)
            .find(|&i| stem.as_bytes().get(i + 1).is_some_and(u8::is_ascii_digit) && i > 0);
        match split {
            Some(i) => FileName { name: stem.get(..i).unwrap_or(stem), version: stem.get(i + 1..) },
            None => FileName { name: stem, version: None },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        let cases = [
            ("commons-lang3-3.12.0.jar", "commons-lang3", Some("3.12.0")),
            ("osgi.annotation-8.1.0.JAR", "osgi.annotation", Some("8.1.0")),
            ("hamcrest-integration-1.3.1-SNAPSHOT.jar", "hamcrest-integration", Some("1.3.1-SNAPSHOT")),
            ("jsr305-0.1~+svn49.jar", "jsr305", Some("0.1~+svn49")),
            ("ca-certificates-java.jar", "ca-certificates-java", None),
            ("jrt-fs.jar", "jrt-fs", None),
            ("-1.0.jar", "-1.0", None),
            ("lib.tar", "lib.tar", None),
        ];
        for (file, name, version) in cases {
            assert_eq!(FileName::parse(file), FileName { name, version }, "{file}");
        }
    }

    #[test]
    fn pom_properties_paths() {
        assert!(is_pom_properties("META-INF/maven/org.slf4j/slf4j-api/pom.properties"));
        assert!(is_pom_properties("meta-inf/maven/g/a/pom.properties"));
        for path in [
            "META-INF/maven/org.slf4j/pom.properties",
            "META-INF/maven/g/a/b/pom.properties",
            "BOOT-INF/classes/META-INF/maven/g/a/pom.properties",
            "META-INF/maven/g//pom.properties",
            "META-INF/maven/g/a/pom.xml",
        ] {
            assert!(!is_pom_properties(path), "{path}");
        }
    }

    #[test]
    fn pom_properties_content() {
        let entry = "META-INF/maven/dir.group/dir-artifact/pom.properties";
        let full = from_pom_properties(entry, b"groupId=org.x\nartifactId=x-core\nversion=1.0\n");
        assert_eq!(full.map(|c| (c.name(), c.version)), Some(("org.x:x-core".to_string(), "1.0".to_string())));
        let dirs_only = from_pom_properties(entry, b"version=2.0\n");
        assert_eq!(dirs_only.map(|c| c.name()), Some("dir.group:dir-artifact".to_string()));
        assert_eq!(from_pom_properties(entry, b"groupId=org.x\nartifactId=x\n"), None, "no version");
        assert_eq!(from_pom_properties(entry, b"version=${project.version}\n"), None);
        assert_eq!(from_pom_properties(entry, b"artifactId=has space\nversion=1\n"), None);
    }

    /// Manifest text, file name, and the expected (name, version).
    type NamingCase = (&'static str, &'static str, Option<(&'static str, &'static str)>);

    #[test]
    fn manifest_naming_rules() {
        let cases: [NamingCase; 10] = [
            // Maven jar plugin defaults: title = artifactId, vendor id = groupId.
            (
                "Implementation-Title: greeter\nImplementation-Version: 1.4.2\nImplementation-Vendor-Id: org.example\n",
                "x.jar",
                Some(("org.example:greeter", "1.4.2")),
            ),
            // A human title is skipped; the symbolic name ends with the file's artifact: group is the rest.
            (
                "Implementation-Title: Jackson Annotations\n\
                 Bundle-SymbolicName: com.fasterxml.jackson.core.jackson-annotations;singleton:=true\n\
                 Bundle-Version: 2.14.0\n",
                "jackson-annotations.jar",
                Some(("com.fasterxml.jackson.core:jackson-annotations", "2.14.0")),
            ),
            // A symbolic name that does not end with the file's artifact is the name itself, without a group.
            (
                "Bundle-SymbolicName: org.apache.commons.lang3\nImplementation-Vendor-Id: org.apache.commons\n\
                 Bundle-Version: 3.12.0\n",
                "commons-lang3-3.12.0.jar",
                Some(("org.apache.commons.lang3", "3.12.0")),
            ),
            // asm-9.7.1.jar: `org.objectweb.asm` ends with `.asm`, but the group is org.ow2.asm: no guessing.
            (
                "Implementation-Title: ASM, a very small and fast Java bytecode manipulation framework\n\
                 Bundle-SymbolicName: org.objectweb.asm\nBundle-Version: 9.7.1\n",
                "asm-9.7.1.jar",
                Some(("org.objectweb.asm", "9.7.1")),
            ),
            // jrt-fs.jar: only human titles; the file name supplies the artifact.
            (
                "Implementation-Title: Java Runtime Environment\nSpecification-Title: Java Platform API Specification\n\
                 Implementation-Version: 17.0.15\nSpecification-Version: 17\n",
                "jrt-fs.jar",
                Some(("jrt-fs", "17.0.15")),
            ),
            ("Specification-Title: servlet-api\nSpecification-Version: 4.0\n", "s.jar", Some(("servlet-api", "4.0"))),
            // File name only.
            ("Manifest-Version: 1.0\n", "osgi.annotation-8.1.0.jar", Some(("osgi.annotation", "8.1.0"))),
            // No version anywhere: nothing.
            ("Main-Class: org.debian.security.UpdateCertificates\n", "ca-certificates-java.jar", None),
            // The file's version belongs to the file's artifact, not to a differently named title.
            ("Implementation-Title: other\n", "greeter-1.0.jar", None),
            ("Implementation-Title: ${project.artifactId}\nImplementation-Version: ${project.version}\n", "p.jar", None),
        ];
        for (text, file, want) in cases {
            let got = from_manifest(&Manifest::parse(text.as_bytes()), file).map(|c| (c.name(), c.version));
            let want = want.map(|(n, v)| (n.to_string(), v.to_string()));
            assert_eq!(got, want, "{file}: {text}");
        }
    }
}
