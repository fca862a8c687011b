//! Licences a Debian package declares in `usr/share/doc/<pkg>/copyright`.
//!
//! A machine-readable file (DEP-5, first line `Format: …`) names them in `License:` fields: the
//! first line of each is a short name or an expression such as `GPL-2+ or Artistic`. A free-text
//! file refers to the full texts in `/usr/share/common-licenses/<NAME>`. Names are mapped to SPDX
//! where the mapping is unambiguous (`GPL-2+` → `GPL-2.0-or-later`); anything else is kept as written.

use crate::extractor::MAX_COMPANION_LICENSES;

/// Where Debian keeps the full texts of common licences.
const COMMON_LICENSES: &[u8] = b"/usr/share/common-licenses/";
/// Longer `License:` values are prose, not names; they are skipped.
const MAX_LICENSE_LEN: usize = 200;

/// Debian short licence names (lower-cased) with one SPDX id. The GNU family with its versions
/// and `+` is handled by [`gnu`].
const NAMES: &[(&str, &str)] = &[
    ("0bsd", "0BSD"),
    ("apache-1.0", "Apache-1.0"),
    ("apache-1.1", "Apache-1.1"),
    ("apache-2", "Apache-2.0"),
    ("apache-2.0", "Apache-2.0"),
    // Debian's "Artistic" (common-licenses/Artistic) is the Perl 5 Artistic License.
    ("artistic", "Artistic-1.0-Perl"),
    ("artistic-2", "Artistic-2.0"),
    ("artistic-2.0", "Artistic-2.0"),
    ("beerware", "Beerware"),
    ("bsd-2-clause", "BSD-2-Clause"),
    ("bsd-3-clause", "BSD-3-Clause"),
    ("bsd-4-clause", "BSD-4-Clause"),
    ("bsd-4-clause-uc", "BSD-4-Clause-UC"),
    ("bsl-1.0", "BSL-1.0"),
    ("cc-by-3.0", "CC-BY-3.0"),
    ("cc-by-4.0", "CC-BY-4.0"),
    ("cc-by-sa-3.0", "CC-BY-SA-3.0"),
    ("cc-by-sa-4.0", "CC-BY-SA-4.0"),
    ("cc0-1.0", "CC0-1.0"),
    ("curl", "curl"),
    ("epl-1.0", "EPL-1.0"),
    ("epl-2.0", "EPL-2.0"),
    ("expat", "MIT"),
    ("fsfap", "FSFAP"),
    ("fsful", "FSFUL"),
    ("fsfullr", "FSFULLR"),
    ("isc", "ISC"),
    ("latex2e", "Latex2e"),
    ("mit", "MIT"),
    ("mpl-1.1", "MPL-1.1"),
    ("mpl-2.0", "MPL-2.0"),
    ("ms-pl", "MS-PL"),
    ("openssl", "OpenSSL"),
    ("psf-2", "PSF-2.0"),
    ("psf-2.0", "PSF-2.0"),
    ("python-2.0", "Python-2.0"),
    ("sleepycat", "Sleepycat"),
    ("unlicense", "Unlicense"),
    ("wtfpl", "WTFPL"),
    ("x11", "X11"),
    ("zlib", "Zlib"),
];

/// One GNU licence family: Debian prefix, SPDX prefix and the versions SPDX knows (as Debian may
/// write them → as SPDX writes them).
type Family = (&'static str, &'static str, &'static [(&'static str, &'static str)]);

/// The GNU licence families.
const GNU: &[Family] = &[
    ("GPL", "GPL", &[("1", "1.0"), ("1.0", "1.0"), ("2", "2.0"), ("2.0", "2.0"), ("3", "3.0"), ("3.0", "3.0")]),
    ("LGPL", "LGPL", &[("2", "2.0"), ("2.0", "2.0"), ("2.1", "2.1"), ("3", "3.0"), ("3.0", "3.0")]),
    ("AGPL", "AGPL", &[("1", "1.0"), ("1.0", "1.0"), ("3", "3.0"), ("3.0", "3.0")]),
    ("GFDL", "GFDL", &[("1.1", "1.1"), ("1.2", "1.2"), ("1.3", "1.3")]),
    ("GFDL-NIV", "GFDL", &[("1.1", "1.1-no-invariants"), ("1.2", "1.2-no-invariants"), ("1.3", "1.3-no-invariants")]),
];

/// `with <NAME> exception` clauses (lower-cased name) with one SPDX exception id.
const EXCEPTIONS: &[(&str, &str)] = &[("linux-syscall-note", "Linux-syscall-note"), ("texinfo", "Texinfo-exception")];

/// The licences `data` (a `copyright` file) declares, deduplicated, in the order first seen.
pub fn from_copyright(data: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |license: String| {
        if out.len() < MAX_COMPANION_LICENSES && !out.contains(&license) {
            out.push(license);
        }
    };
    if is_dep5(data) {
        for line in data.split(|&b| b == b'\n') {
            let Some(value) = field_value(line, b"license") else { continue };
            if !value.is_empty() && value.len() <= MAX_LICENSE_LEN && !value.eq_ignore_ascii_case("none") {
                add(expression(value));
            }
        }
    } else {
        for at in memchr::memmem::find_iter(data, COMMON_LICENSES) {
            let rest = &data[at + COMMON_LICENSES.len()..];
            let len = rest.iter().take_while(|&&b| b.is_ascii_alphanumeric() || b"_.+-".contains(&b)).count();
            // A trailing dot ends the sentence (`…/common-licenses/GPL-2.`), not the name.
            let name = String::from_utf8_lossy(&rest[..len]).trim_end_matches('.').to_string();
            if !name.is_empty() && name.len() <= MAX_LICENSE_LEN {
                add(spdx_name(&name).unwrap_or(name));
            }
        }
    }
    out
}

/// Whether the file is machine-readable: its first non-blank line is a `Format:` field.
fn is_dep5(data: &[u8]) -> bool {
    data.split(|&b| b == b'\n')
        .find(|l| !l.iter().all(u8::is_ascii_whitespace))
        .is_some_and(|l| field_value(l, b"format").is_some())
}

/// The trimmed value of `line` if it is the field `name:` (case-insensitive, not a continuation line).
fn field_value<'a>(line: &'a [u8], name: &[u8]) -> Option<&'a str> {
    let (field, value) = (line.get(..name.len())?, line.get(name.len()..)?);
    let value = value.strip_prefix(b":").filter(|_| field.eq_ignore_ascii_case(name))?;
    std::str::from_utf8(value).ok().map(str::trim)
}

/// A DEP-5 licence expression in SPDX syntax when every name in it maps, else as written.
///
/// DEP-5 joins names with `or` / `and` (`and` binds tighter, as in SPDX); a comma binds loosest:
/// `GPL-1+ or Artistic, and Expat` is `(GPL-1.0-or-later OR Artistic-1.0-Perl) AND MIT`.
pub fn expression(value: &str) -> String {
    spdx_expression(value).unwrap_or_else(|| value.trim().to_string())
}

/// [`expression`] when every part maps.
fn spdx_expression(value: &str) -> Option<String> {
    let mut groups = value.split(',');
    let mut acc = group(groups.next()?)?;
    for g in groups {
        let (op, rest) = g.trim_start().split_once(char::is_whitespace)?;
        let op = operator(op)?;
        acc = format!("{} {op} {}", parenthesised(&acc), parenthesised(&group(rest)?));
    }
    Some(acc)
}

/// `name [with X exception] (op name [with X exception])*` in SPDX syntax.
fn group(text: &str) -> Option<String> {
    let mut words = text.split_whitespace();
    let mut out = String::new();
    loop {
        let name = spdx_name(words.next()?)?;
        out.push_str(&name);
        match words.next() {
            None => return Some(out),
            Some(w) if w.eq_ignore_ascii_case("with") => {
                let exception = words.next()?;
                if !words.next()?.eq_ignore_ascii_case("exception") {
                    return None;
                }
                let (_, id) = EXCEPTIONS.iter().find(|(k, _)| exception.eq_ignore_ascii_case(k))?;
                out.push_str(" WITH ");
                out.push_str(id);
                match words.next() {
                    None => return Some(out),
                    Some(op) => out.push_str(&format!(" {} ", operator(op)?)),
                }
            }
            Some(op) => out.push_str(&format!(" {} ", operator(op)?)),
        }
    }
}

/// `or` / `and` (any case) as SPDX writes them.
fn operator(word: &str) -> Option<&'static str> {
    if word.eq_ignore_ascii_case("or") {
        Some("OR")
    } else if word.eq_ignore_ascii_case("and") {
        Some("AND")
    } else {
        None
    }
}

/// `expr` in parentheses when it is compound.
fn parenthesised(expr: &str) -> String {
    if expr.contains(' ') {
        format!("({expr})")
    } else {
        expr.to_string()
    }
}

/// The SPDX id of one Debian licence name, if unambiguous.
pub fn spdx_name(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    if let Some((_, id)) = NAMES.iter().find(|(k, _)| *k == lower) {
        return Some((*id).to_string());
    }
    gnu(name)
}

/// `GPL-2` → `GPL-2.0-only`, `LGPL-2.1+` → `LGPL-2.1-or-later`, `GFDL-NIV-1.3+` →
/// `GFDL-1.3-no-invariants-or-later`; unversioned `GPL` is ambiguous and gives `None`.
fn gnu(name: &str) -> Option<String> {
    let (versioned, suffix) = match name.strip_suffix('+') {
        Some(v) => (v, "or-later"),
        None => (name, "only"),
    };
    // `GFDL-NIV-1.3` is not read as `GFDL` version `NIV-1.3`: versions must match exactly.
    GNU.iter().find_map(|(prefix, spdx, versions)| {
        let head = versioned.get(..prefix.len()).filter(|h| h.eq_ignore_ascii_case(prefix))?;
        let version = versioned.get(head.len()..)?.strip_prefix('-')?;
        let (_, spdx_version) = versions.iter().find(|(v, _)| *v == version)?;
        Some(format!("{spdx}-{spdx_version}-{suffix}"))
    })
}

#[cfg(test)]
#[path = "license_tests.rs"]
mod tests;
