//! Checks on installed OS packages: build toolchains, SSH servers, sudo.

use super::{find_file, FileKind, ImageInput};
use crate::check::Hit;
use bulwark_types::Package;
use std::collections::HashMap;

/// Exact names of compiler and build-tool packages (Debian, Alpine, Fedora/RHEL spellings).
const TOOLCHAIN_NAMES: &[&str] = &[
    "gcc",
    "g++",
    "gcc-c++",
    "clang",
    "make",
    "build-essential",
    "build-base",
    "golang",
    "golang-go",
    "go",
    "rustc",
    "rust",
    "cargo",
    "cmake",
    "autoconf",
    "automake",
    "libtool",
];

/// Versioned families: the prefix followed by a version only (`gcc-12`, `clang-16`), so that
/// runtime packages such as `gcc-12-base` or `libgcc-s1` are not counted.
const TOOLCHAIN_PREFIXES: &[&str] = &["gcc-", "g++-", "clang-", "rustc-", "llvm-"];

/// Whether a string is a version number (`12`, `1.19`).
fn is_version(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit()) && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// Whether an OS package name is a compiler or build tool.
pub(crate) fn is_toolchain(name: &str) -> bool {
    let versioned = TOOLCHAIN_PREFIXES.iter().any(|p| name.strip_prefix(p).is_some_and(is_version));
    let go = name.strip_prefix("golang-").and_then(|r| r.strip_suffix("-go")).is_some_and(is_version);
    TOOLCHAIN_NAMES.contains(&name) || versioned || go
}

/// The OS packages (dpkg, apk, rpm) among the input's packages.
fn os_packages<'a>(input: &ImageInput<'a>) -> impl Iterator<Item = &'a Package> {
    input.packages.iter().filter(|p| p.kind.is_os())
}

/// Bytes of regular files the packages own that are visible in the image.
fn owned_bytes(input: &ImageInput<'_>, packages: &[&Package]) -> u64 {
    let sizes: HashMap<&str, u64> =
        input.files.iter().filter(|f| f.kind == FileKind::File).map(|f| (f.path.as_str(), f.size)).collect();
    let mut seen = std::collections::HashSet::new();
    let mut total: u64 = 0;
    for p in packages {
        for file in &p.files {
            let path = file.trim_start_matches('/');
            if let Some(size) = sizes.get(path) {
                if seen.insert(path) {
                    total = total.saturating_add(*size);
                }
            }
        }
    }
    total
}

/// `name version` list for a message.
fn names(packages: &[&Package]) -> String {
    packages.iter().map(|p| format!("{} {}", p.name, p.version)).collect::<Vec<_>>().join(", ")
}

/// BW-IMG-011: compilers and build tools left in the image. One finding listing every toolchain
/// package and the bytes their files take.
pub(crate) fn build_toolchain(input: &ImageInput<'_>) -> Vec<Hit> {
    let found: Vec<&Package> = os_packages(input).filter(|p| is_toolchain(&p.name)).collect();
    if found.is_empty() {
        return Vec::new();
    }
    let bytes = owned_bytes(input, &found);
    let message = format!(
        "build toolchain packages installed: {}; their files take {bytes} bytes reclaimable (build in a separate stage)",
        names(&found)
    );
    vec![Hit::new(message)]
}

/// Packages that are SSH servers.
const SSH_SERVERS: &[&str] = &["openssh-server", "dropbear", "dropbear-bin", "tinysshd"];

/// Where SSH daemons are installed.
const SSHD_PATHS: &[&str] = &["usr/sbin/sshd", "usr/sbin/dropbear"];

/// BW-IMG-012: an SSH server is installed (by package or by its binary).
pub(crate) fn sshd_installed(input: &ImageInput<'_>) -> Vec<Hit> {
    let found: Vec<&Package> = os_packages(input).filter(|p| SSH_SERVERS.contains(&p.name.as_str())).collect();
    let binary = SSHD_PATHS.iter().find_map(|p| find_file(input.files, p)).filter(|f| f.kind == FileKind::File);
    let message = match (found.is_empty(), binary) {
        (true, None) => return Vec::new(),
        (false, _) => format!("an SSH server is installed: {}", names(&found)),
        (true, Some(f)) => format!("an SSH server binary is present: /{}", f.path),
    };
    vec![Hit { path: binary.map(|f| f.path.clone()), layer: binary.map(|f| f.layer), ..Hit::new(message) }]
}

/// BW-IMG-015: `sudo` is installed (by package or by its binary).
pub(crate) fn sudo_installed(input: &ImageInput<'_>) -> Vec<Hit> {
    let found: Vec<&Package> = os_packages(input).filter(|p| p.name == "sudo" || p.name == "sudo-ldap").collect();
    let binary = find_file(input.files, "usr/bin/sudo").filter(|f| f.kind == FileKind::File);
    let message = match (found.is_empty(), binary) {
        (true, None) => return Vec::new(),
        (false, _) => format!("sudo is installed: {}", names(&found)),
        (true, Some(f)) => format!("a sudo binary is present: /{}", f.path),
    };
    vec![Hit { path: binary.map(|f| f.path.clone()), layer: binary.map(|f| f.layer), ..Hit::new(message) }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toolchain_names() {
        for n in ["gcc", "gcc-12", "g++-12", "clang-16", "make", "golang-1.19-go", "rustc", "build-base", "gcc-c++"] {
            assert!(is_toolchain(n), "{n}");
        }
        for n in ["gcc-12-base", "llvm-14-dev", "libgcc-s1", "golang-github-x", "cpp", "libclang1-14", "python3"] {
            assert!(!is_toolchain(n), "{n}");
        }
    }
}
