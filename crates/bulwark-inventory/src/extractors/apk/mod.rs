//! Alpine (and Wolfi/Chainguard) packages from apk's database, `lib/apk/db/installed`.
//!
//! The database is a list of records separated by blank lines; each line is
//! `X:value` with a one-letter key: `P` name, `V` version, `A` arch, `o` origin
//! (the source package), `L` licence, `F` a directory and `R` a file in the
//! last `F` directory (the files the package owns).

use crate::{package_at, ExtractError, Extractor, FileInput, FileMeta};
use bulwark_types::{Package, PackageKind, SourcePackage};

/// The installed-packages database path, relative to the root.
const INSTALLED: &str = "lib/apk/db/installed";
/// Longest `F`/`R` value accepted (Linux `PATH_MAX`).
const MAX_PATH: usize = 4096;
/// Total bytes of owned-file paths recorded per database; files past it are not listed.
const LOCATION_BUDGET: usize = 32 << 20;

/// Extractor for apk's installed database.
pub struct Apk;

impl Extractor for Apk {
    fn name(&self) -> &'static str {
        "os/apk"
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        file.path.strip_suffix(INSTALLED).is_some_and(|dir| dir.is_empty() || dir.ends_with('/'))
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Vec<Package>, ExtractError> {
        let mut parser = Parser { input, found_by: self.name(), budget: LOCATION_BUDGET, packages: Vec::new() };
        let mut record = Record::default();
        for (index, raw) in input.data.split(|&b| b == b'\n').enumerate() {
            let line_no = index + 1;
            let line = raw.strip_suffix(b"\r").unwrap_or(raw);
            if line.is_empty() {
                parser.finish(std::mem::take(&mut record))?;
                continue;
            }
            let (key, value) = match line {
                [key, b':', value @ ..] if key.is_ascii_alphabetic() => (*key, value),
                _ => return Err(parser.error(line_no, "expected `X:value`")),
            };
            if record.line == 0 {
                record.line = line_no;
            }
            parser.field(&mut record, key, value, line_no)?;
        }
        parser.finish(record)?;
        Ok(parser.packages)
    }
}

/// The fields of one record that become a package.
#[derive(Default)]
struct Record {
    /// Line the record starts on; 0 while no field has been seen.
    line: usize,
    name: Option<String>,
    version: Option<String>,
    arch: Option<String>,
    origin: Option<String>,
    license: Option<String>,
    /// The current `F` directory.
    dir: String,
    /// `/dir/file` for each `R` line, within the budget.
    files: Vec<String>,
}

/// Parsing state for one database file.
struct Parser<'a> {
    input: &'a FileInput<'a>,
    found_by: &'static str,
    /// Bytes of owned-file paths still allowed.
    budget: usize,
    packages: Vec<Package>,
}

impl Parser<'_> {
    fn error(&self, line: usize, message: &str) -> ExtractError {
        ExtractError::new(self.input, format!("line {line}: {message}"))
    }

    /// Applies one `key:value` line to the record.
    fn field(&mut self, record: &mut Record, key: u8, value: &[u8], line: usize) -> Result<(), ExtractError> {
        let slot = match key {
            b'P' => &mut record.name,
            b'V' => &mut record.version,
            b'A' => &mut record.arch,
            b'o' => &mut record.origin,
            b'L' => &mut record.license,
            b'F' | b'R' => return self.path(record, key, value, line),
            _ => return Ok(()),
        };
        if slot.is_some() {
            return Err(self.error(line, &format!("duplicate {} field", key as char)));
        }
        let text = std::str::from_utf8(value).map_err(|_| self.error(line, "value is not UTF-8"))?.trim();
        *slot = Some(text.to_string());
        Ok(())
    }

    /// Records an `F` directory or an `R` file in it.
    fn path(&mut self, record: &mut Record, key: u8, value: &[u8], line: usize) -> Result<(), ExtractError> {
        if value.len() > MAX_PATH {
            return Err(self.error(line, &format!("path longer than {MAX_PATH} bytes")));
        }
        let text = std::str::from_utf8(value).map_err(|_| self.error(line, "path is not UTF-8"))?;
        if key == b'F' {
            record.dir = text.trim_matches('/').to_string();
            return Ok(());
        }
        let path = if record.dir.is_empty() { format!("/{text}") } else { format!("/{}/{text}", record.dir) };
        if path.len() <= self.budget {
            self.budget -= path.len();
            record.files.push(path);
        }
        Ok(())
    }

    /// Turns a finished record into a package; a record needs both `P` and `V`.
    fn finish(&mut self, record: Record) -> Result<(), ExtractError> {
        if record.line == 0 {
            return Ok(());
        }
        let name =
            record.name.filter(|n| !n.is_empty()).ok_or_else(|| self.error(record.line, "record has no P (name)"))?;
        let version = record
            .version
            .filter(|v| !v.is_empty())
            .ok_or_else(|| self.error(record.line, &format!("package {name} has no V (version)")))?;
        let mut pkg = package_at(self.input, PackageKind::Apk, &name, &version, self.found_by);
        pkg.arch = record.arch.filter(|a| !a.is_empty());
        let source = record.origin.filter(|o| !o.is_empty()).unwrap_or_else(|| name.clone());
        pkg.source = Some(SourcePackage { name: source, version });
        pkg.licenses.extend(record.license.filter(|l| !l.is_empty()));
        pkg.files.extend(record.files);
        self.packages.push(pkg);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
