//! Reading a policy file with a size limit.

use super::PolicyError;
use std::io::Read;
use std::path::Path;

/// Reads `path` as UTF-8 text of at most `limit` bytes.
pub(crate) fn read_text(path: &Path, limit: u64) -> Result<String, PolicyError> {
    let io = |source| PolicyError::Io { path: path.to_path_buf(), source };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(PolicyError::TooLarge { path: path.to_path_buf(), limit });
    }
    String::from_utf8(bytes).map_err(|e| PolicyError::Invalid {
        file: path.display().to_string(),
        at: format!("byte {}", e.utf8_error().valid_up_to()),
        message: "not UTF-8 text".to_string(),
    })
}
