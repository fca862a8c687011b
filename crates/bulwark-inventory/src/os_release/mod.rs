//! Which distribution an image or root filesystem is: `os-release` first
//! (<https://www.freedesktop.org/software/systemd/man/os-release.html>), then the
//! older per-distribution release files.

mod shell;

use bulwark_types::OsRelease;

/// Paths (relative, no leading '/') that identify the OS, highest priority first.
pub const OS_FILES: &[&str] = &[
    "etc/os-release",
    "usr/lib/os-release",
    "etc/alpine-release",
    "etc/redhat-release",
    "etc/centos-release",
    "etc/rocky-release",
    "etc/almalinux-release",
    "etc/system-release",
    "etc/lsb-release",
    "etc/debian_version",
];

/// Only this many leading bytes of a release file are read.
const MAX_BYTES: usize = 64 * 1024;

/// `* release N (codename)` name prefixes and the os-release `ID` each stands for; longest first.
const RELEASE_NAMES: &[(&str, &str)] = &[
    ("Red Hat Enterprise Linux CoreOS", "rhcos"),
    ("Red Hat Enterprise Linux", "rhel"),
    ("CentOS Stream", "centos"),
    ("CentOS Linux", "centos"),
    ("CentOS", "centos"),
    ("Rocky Linux", "rocky"),
    ("AlmaLinux", "almalinux"),
    ("Oracle Linux", "ol"),
    ("Fedora", "fedora"),
    ("Amazon Linux", "amzn"),
];

/// Debian major versions and their codenames.
const DEBIAN_CODENAMES: &[(&str, &str)] = &[
    ("7", "wheezy"),
    ("8", "jessie"),
    ("9", "stretch"),
    ("10", "buster"),
    ("11", "bullseye"),
    ("12", "bookworm"),
    ("13", "trixie"),
    ("14", "forky"),
];

/// Whether `path` is one of OS_FILES.
pub fn is_os_file(path: &str) -> bool {
    OS_FILES.contains(&relative(path))
}

/// Combines the OS files found (path, contents) into one identity; None when nothing identifies the OS.
pub fn detect(found: &[(&str, &[u8])]) -> Option<OsRelease> {
    let get = |want: &str| {
        found.iter().find(|(path, _)| relative(path) == want).map(|(_, data)| &data[..data.len().min(MAX_BYTES)])
    };
    OS_FILES.iter().find_map(|&path| {
        let data = get(path)?;
        let mut os = match path {
            "etc/os-release" | "usr/lib/os-release" => from_os_release(data),
            "etc/alpine-release" => from_alpine_release(data),
            "etc/lsb-release" => from_lsb_release(data),
            "etc/debian_version" => from_debian_version(data),
            _ => from_redhat_release(data),
        }?;
        if os.id == "debian" && os.point_release.is_none() {
            os.point_release = get("etc/debian_version").and_then(debian_point_release);
        }
        os.source_path = format!("/{path}");
        Some(os)
    })
}

/// `path` without a leading `/` or `./`.
fn relative(path: &str) -> &str {
    path.trim_start_matches("./").trim_start_matches('/')
}

/// The identity an os-release file gives; None without an `ID`.
fn from_os_release(data: &[u8]) -> Option<OsRelease> {
    let vars = shell::assignments(data);
    let get = |key: &str| vars.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
    let id = normalise_id(get("ID")?);
    let pretty_name = match (get("PRETTY_NAME"), get("NAME"), get("VERSION")) {
        (Some(pretty), _, _) => pretty.to_string(),
        (None, Some(name), Some(version)) => format!("{name} {version}"),
        (None, Some(name), None) => name.to_string(),
        (None, None, _) => id.clone(),
    };
    Some(OsRelease {
        id,
        version_id: get("VERSION_ID").unwrap_or_default().to_string(),
        pretty_name,
        codename: get("VERSION_CODENAME").or_else(|| get("UBUNTU_CODENAME")).map(str::to_string),
        point_release: None,
        source_path: String::new(),
    })
}

/// `/etc/lsb-release` (`DISTRIB_ID`, `DISTRIB_RELEASE`, `DISTRIB_CODENAME`, `DISTRIB_DESCRIPTION`).
fn from_lsb_release(data: &[u8]) -> Option<OsRelease> {
    let vars = shell::assignments(data);
    let get = |key: &str| vars.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
    let id = normalise_id(get("DISTRIB_ID")?);
    let version_id = get("DISTRIB_RELEASE").unwrap_or_default().to_string();
    let pretty_name = get("DISTRIB_DESCRIPTION").map_or_else(|| format!("{id} {version_id}"), str::to_string);
    Some(OsRelease {
        id,
        version_id,
        pretty_name,
        codename: get("DISTRIB_CODENAME").map(str::to_string),
        point_release: None,
        source_path: String::new(),
    })
}

/// `/etc/alpine-release`: the version alone, e.g. `3.19.1`.
fn from_alpine_release(data: &[u8]) -> Option<OsRelease> {
    let version = first_line(data)?;
    let valid = version.starts_with(|c: char| c.is_ascii_digit())
        && version.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    valid.then(|| OsRelease {
        id: "alpine".into(),
        version_id: version.to_string(),
        pretty_name: format!("Alpine Linux {version}"),
        ..OsRelease::default()
    })
}

/// `Red Hat Enterprise Linux release 9.4 (Plow)` and the same shape from CentOS, Rocky, Alma, Oracle, Fedora.
fn from_redhat_release(data: &[u8]) -> Option<OsRelease> {
    let line = first_line(data)?;
    let (name, rest) = line.split_once(" release ")?;
    let (_, id) = RELEASE_NAMES.iter().find(|(prefix, _)| name.starts_with(prefix))?;
    let version = rest.split_whitespace().next().filter(|v| v.starts_with(|c: char| c.is_ascii_digit()))?;
    let codename = rest
        .split_once('(')
        .and_then(|(_, tail)| tail.split_once(')'))
        .map(|(codename, _)| codename.trim().to_string())
        .filter(|c| !c.is_empty());
    Some(OsRelease {
        id: id.to_string(),
        version_id: version.to_string(),
        pretty_name: line.to_string(),
        codename,
        ..OsRelease::default()
    })
}

/// `/etc/debian_version`: `12.8` (a stable point release) or `bookworm/sid` (testing).
fn from_debian_version(data: &[u8]) -> Option<OsRelease> {
    if let Some(point) = debian_point_release(data) {
        let major = point.split('.').next().unwrap_or_default().to_string();
        let codename = DEBIAN_CODENAMES.iter().find(|(v, _)| *v == major).map(|(_, c)| c.to_string());
        let pretty_name = match &codename {
            Some(codename) => format!("Debian GNU/Linux {major} ({codename})"),
            None => format!("Debian GNU/Linux {major}"),
        };
        return Some(OsRelease {
            id: "debian".into(),
            version_id: major,
            pretty_name,
            codename,
            point_release: Some(point),
            source_path: String::new(),
        });
    }
    let line = first_line(data)?;
    let codename = line.split('/').next().filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_lowercase()))?;
    Some(OsRelease {
        id: "debian".into(),
        version_id: String::new(),
        pretty_name: format!("Debian GNU/Linux {line}"),
        codename: Some(codename.to_string()),
        ..OsRelease::default()
    })
}

/// The numeric release in `/etc/debian_version` (`12.8`), if it holds one.
fn debian_point_release(data: &[u8]) -> Option<String> {
    let line = first_line(data)?;
    let numeric = line.split('.').all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
    numeric.then(|| line.to_string())
}

/// The first line, trimmed, when it is short UTF-8 text.
fn first_line(data: &[u8]) -> Option<&str> {
    let line = data.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?.trim();
    (!line.is_empty() && line.len() <= 256).then_some(line)
}

/// Lower-cased distribution id, with `redhat` spelt `rhel`.
fn normalise_id(id: &str) -> String {
    let id = id.to_ascii_lowercase();
    if id == "redhat" {
        "rhel".into()
    } else {
        id
    }
}

#[cfg(test)]
mod tests;
