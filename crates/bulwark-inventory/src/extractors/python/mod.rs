//! Python distributions from their core metadata (PEP 241/314/345/566/643/639): wheels'
//! `*.dist-info/METADATA`, setuptools' `*.egg-info/PKG-INFO`, single-file `*.egg-info`
//! and unzipped eggs' `*.egg/EGG-INFO/PKG-INFO`, wherever they are (virtualenvs,
//! `site-packages`, Debian's `dist-packages`, source trees).

mod headers;

use crate::{package_at, ExtractError, Extractor, FileInput, FileMeta};
use bulwark_types::{Package, PackageKind};
use headers::Headers;

/// Longest free-text `License:` value still reported as a licence; longer ones are licence texts.
const MAX_LICENSE_FIELD: usize = 100;

/// Extractor for installed Python distributions.
pub struct Python;

impl Extractor for Python {
    fn name(&self) -> &'static str {
        "lang/python"
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        let p = file.path;
        p.ends_with(".dist-info/METADATA")
            || p.ends_with(".egg-info/PKG-INFO")
            || p.ends_with(".egg-info")
            || p.ends_with(".egg/EGG-INFO/PKG-INFO")
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Vec<Package>, ExtractError> {
        let text = String::from_utf8_lossy(input.data);
        let headers =
            Headers::parse(&text).map_err(|e| ExtractError::new(input, format!("line {}: {}", e.line, e.message)))?;
        let name = required(input, &headers, "Name")?;
        let version = required(input, &headers, "Version")?;
        let mut pkg = package_at(input, PackageKind::Python, name, version, self.name());
        pkg.licenses = licenses(&headers);
        Ok(vec![pkg])
    }
}

/// The one-line value of a field that must be present and non-empty.
fn required<'a>(input: &FileInput<'_>, headers: &Headers<'a>, field: &str) -> Result<&'a str, ExtractError> {
    match headers.first(field) {
        Some(v) if !v.first_line.is_empty() => Ok(v.first_line),
        Some(v) => Err(ExtractError::new(input, format!("line {}: empty {field} field", v.line))),
        None => Err(ExtractError::new(input, format!("no {field} field in the metadata header"))),
    }
}

/// Declared licences: `License-Expression` (PEP 639), else a short one-line `License`,
/// else the last part of each `Classifier: License :: …`.
fn licenses(headers: &Headers<'_>) -> Vec<String> {
    if let Some(expr) = headers.first("License-Expression").filter(|v| !v.first_line.is_empty()) {
        return vec![expr.first_line.to_string()];
    }
    if let Some(license) = headers.first("License") {
        let text = license.first_line;
        let usable = !license.continued
            && !text.is_empty()
            && text.len() <= MAX_LICENSE_FIELD
            && !text.eq_ignore_ascii_case("UNKNOWN");
        if usable {
            return vec![text.to_string()];
        }
    }
    let mut out: Vec<String> = Vec::new();
    for classifier in headers.all("Classifier") {
        let Some(rest) = classifier.first_line.strip_prefix("License ::") else { continue };
        let last = rest.rsplit("::").next().unwrap_or(rest).trim();
        if !last.is_empty() && last != "OSI Approved" && !out.iter().any(|l| l == last) {
            out.push(last.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests;
