//! Finding the policy and data files under a `--policy` directory.

use super::RegoError;
use std::path::{Path, PathBuf};

/// Most files (policies and data together) read from one policy directory.
pub const MAX_FILES: usize = 10_000;
/// Deepest directory nesting followed.
const MAX_DEPTH: usize = 32;
/// Largest policy or data file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The files of a policy directory, each list sorted by path.
#[derive(Debug, Default)]
pub struct PolicyFiles {
    /// `*.rego` files, without `*_test.rego` (OPA unit tests).
    pub policies: Vec<PathBuf>,
    /// `*.json`, `*.yaml` and `*.yml` files: loaded as `data`.
    pub data: Vec<PathBuf>,
}

/// Lists the policy and data files under `root` (recursively; hidden entries and symlinked
/// directories are skipped). `root` may also be a single `.rego` file.
pub fn list(root: &Path) -> Result<PolicyFiles, RegoError> {
    let mut out = PolicyFiles::default();
    let meta = std::fs::metadata(root).map_err(|e| RegoError::io(root, e))?;
    if meta.is_file() {
        out.policies.push(root.to_path_buf());
        return Ok(out);
    }
    walk(root, 0, &mut out)?;
    out.policies.sort();
    out.data.sort();
    Ok(out)
}

/// Adds the files of one directory and recurses into its subdirectories.
fn walk(dir: &Path, depth: usize, out: &mut PolicyFiles) -> Result<(), RegoError> {
    if depth > MAX_DEPTH {
        return Err(RegoError::Files {
            path: dir.display().to_string(),
            message: format!("nested deeper than {MAX_DEPTH} directories"),
        });
    }
    let entries = std::fs::read_dir(dir).map_err(|e| RegoError::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| RegoError::io(dir, e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let file_type = entry.file_type().map_err(|e| RegoError::io(&path, e))?;
        if file_type.is_dir() {
            walk(&path, depth + 1, out)?;
            continue;
        }
        let is_file = file_type.is_file() || (file_type.is_symlink() && path.is_file());
        if !is_file {
            continue;
        }
        if name.ends_with(".rego") {
            if !name.ends_with("_test.rego") {
                out.policies.push(path);
            }
        } else if name.ends_with(".json") || name.ends_with(".yaml") || name.ends_with(".yml") {
            out.data.push(path);
        } else {
            continue;
        }
        if out.policies.len() + out.data.len() > MAX_FILES {
            return Err(RegoError::Files {
                path: dir.display().to_string(),
                message: format!("more than {MAX_FILES} policy and data files"),
            });
        }
    }
    Ok(())
}

/// Reads a policy or data file as UTF-8, refusing files larger than [`MAX_FILE_BYTES`].
pub fn read(path: &Path) -> Result<String, RegoError> {
    let len = std::fs::metadata(path).map_err(|e| RegoError::io(path, e))?.len();
    if len > MAX_FILE_BYTES {
        return Err(RegoError::Files {
            path: path.display().to_string(),
            message: format!("larger than {MAX_FILE_BYTES} bytes"),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| RegoError::io(path, e))?;
    String::from_utf8(bytes)
        .map_err(|e| RegoError::Files { path: path.display().to_string(), message: format!("not UTF-8 text: {e}") })
}
