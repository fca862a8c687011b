//! Writing a report to stdout or to `-o FILE` (atomically: a temp file renamed into place).

use crate::exit::OutputError;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// `on_terminal` when stdout is a terminal, else `piped` (formats default to a table for people, JSON for pipes).
pub fn terminal_default<T>(on_terminal: T, piped: T) -> T {
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        on_terminal
    } else {
        piped
    }
}

/// Runs `write` against stdout, or against a temp file next to `path` that replaces `path` only on success.
pub fn write_to(path: Option<&Path>, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> anyhow::Result<()> {
    match path {
        None => {
            let stdout = std::io::stdout();
            let mut buffered = std::io::BufWriter::with_capacity(256 * 1024, stdout.lock());
            match write(&mut buffered).and_then(|_| buffered.flush()) {
                Ok(()) => Ok(()),
                // A closed pipe (`| head`) is not an error worth reporting.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(OutputError(format!("writing to stdout: {e}")).into()),
            }
        }
        Some(path) => {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            let fail = |e: std::io::Error| OutputError(format!("writing {}: {e}", path.display()));
            let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
            {
                let mut buffered = std::io::BufWriter::new(tmp.as_file_mut());
                write(&mut buffered).map_err(fail)?;
                buffered.flush().map_err(fail)?;
            }
            // Temp files are created 0600; a report is an ordinary file.
            std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644)).map_err(fail)?;
            tmp.persist(path).map_err(|e| fail(e.error))?;
            Ok(())
        }
    }
}
