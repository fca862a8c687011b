//! Image checks: runtime config, build history and the files the final image holds.
//!
//! The checks follow CIS Docker Benchmark §4 (and the two §5 items an image decides: sshd and
//! exposed ports) and Dockle's checkpoints, with fewer false positives: setgid directories, base
//! rootfs tarballs added with `ADD`, credential-looking files shipped inside packages and `ENV`
//! names that point at files are not reported. [`check`] runs them all; [`input_document`] is
//! the document user policies in Rego see.

mod config;
mod files;
mod history;
mod packages;
mod shadow;
mod table;

use crate::check::{run_checks, Check, Target};
use bulwark_image::ImageConfig;
use bulwark_types::{ConfigKind, LayerRef, Misconfiguration, Package};
use serde_json::{json, Value};

pub use shadow::{parse_shadow, PasswordState, ShadowEntry};
pub use table::{checks, CHECKS};

/// Most file entries [`input_document`] puts in its `files` list (larger images are truncated).
pub const MAX_DOCUMENT_FILES: usize = 200_000;

/// What kind of file-system entry a [`FileFact`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A regular file (hard links included).
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
    /// A device, FIFO or socket.
    Other,
}

impl FileKind {
    /// Lower-case name as used in the Rego input document.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::File => "file",
            FileKind::Dir => "dir",
            FileKind::Symlink => "symlink",
            FileKind::Other => "other",
        }
    }
}

/// One entry visible in the final image (after whiteouts), as the layer walk saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFact {
    /// Path inside the image: relative, no leading slash (`usr/bin/su`).
    pub path: String,
    /// Size in bytes (0 for anything but regular files).
    pub size: u64,
    /// Unix mode bits, setuid (`0o4000`) and setgid (`0o2000`) included.
    pub mode: u32,
    /// The layer that holds the visible entry, counted from 1 (bottom layer).
    pub layer: usize,
    /// Kind of entry.
    pub kind: FileKind,
}

/// Everything the image checks look at.
#[derive(Debug, Clone, Copy)]
pub struct ImageInput<'a> {
    /// The image config: runtime settings and build history.
    pub config: &'a ImageConfig,
    /// Entries visible in the final image.
    pub files: &'a [FileFact],
    /// Packages the inventory found.
    pub packages: &'a [Package],
    /// Contents of `/etc/shadow`, when the image has one.
    pub shadow: Option<&'a [u8]>,
}

/// Runs every built-in image check on one image; `reference` names the image in the findings and
/// `layers` (bottom first) resolves the layer of file findings.
pub fn check(reference: &str, input: &ImageInput<'_>, layers: &[LayerRef]) -> Vec<Misconfiguration> {
    let target = Target { kind: ConfigKind::Image, name: reference, layers };
    run_checks(checks(), input, &target)
}

/// Runs a chosen set of image checks (e.g. [`checks`] filtered by id) on one image.
pub fn check_with<'a>(
    table: &[Check<ImageInput<'a>>],
    reference: &str,
    input: &ImageInput<'a>,
    layers: &[LayerRef],
) -> Vec<Misconfiguration> {
    let target = Target { kind: ConfigKind::Image, name: reference, layers };
    run_checks(table, input, &target)
}

/// The OPA input document for image policies (`package bulwark.image…`, `input.…`):
///
/// ```json
/// {
///   "config": { "architecture": "amd64", "os": "linux", "created": "…",
///               "config": { "User": "…", "Env": ["K=V"], "Cmd": […], "Entrypoint": […],
///                           "WorkingDir": "…", "ExposedPorts": {"22/tcp": {}},
///                           "Labels": {…}, "Healthcheck": {"Test": […]} },
///               "rootfs": { "type": "layers", "diff_ids": […] },
///               "history": [ { "created_by": "…", "empty_layer": false, "created": "…", "comment": "…" } ] },
///   "files": [ { "path": "usr/bin/su", "size": 72000, "mode": 2541, "layer": 1, "kind": "file" } ],
///   "files_truncated": false,
///   "packages": [ { "kind": "deb", "name": "sudo", "version": "1.9.13p3-1+deb12u1" } ],
///   "shadow": [ { "user": "root", "password": "hash", "algorithm": "SHA-512", "locked": false } ]
/// }
/// ```
///
/// `config` is the OCI image config (the fields Bulwark reads, history included); `files` lists
/// the entries visible in the final image (paths relative, no leading `/`; `mode` as a number,
/// so `mode & 2048 != 0` is setuid) — at most [`MAX_DOCUMENT_FILES`], `files_truncated` says
/// when there were more; `shadow` has one entry per `/etc/shadow` account with its password
/// state (`hash`, `empty`, `locked`, `none`) and never the hash itself.
pub fn input_document(input: &ImageInput<'_>) -> Value {
    let config = serde_json::to_value(input.config).unwrap_or(Value::Null);
    let files: Vec<Value> = input
        .files
        .iter()
        .take(MAX_DOCUMENT_FILES)
        .map(|f| json!({"path": f.path, "size": f.size, "mode": f.mode, "layer": f.layer, "kind": f.kind.as_str()}))
        .collect();
    let packages: Vec<Value> =
        input.packages.iter().map(|p| json!({"kind": p.kind.as_str(), "name": p.name, "version": p.version})).collect();
    let shadow: Vec<Value> = input
        .shadow
        .map(parse_shadow)
        .unwrap_or_default()
        .iter()
        .map(|e| {
            json!({
                "user": e.user,
                "password": e.state.as_str(),
                "algorithm": e.algorithm.unwrap_or(""),
                "locked": e.locked,
            })
        })
        .collect();
    json!({
        "config": config,
        "files": files,
        "files_truncated": input.files.len() > MAX_DOCUMENT_FILES,
        "packages": packages,
        "shadow": shadow,
    })
}

/// The visible entry at exactly `path`, if any.
fn find_file<'a>(files: &'a [FileFact], path: &str) -> Option<&'a FileFact> {
    files.iter().find(|f| f.path == path)
}
