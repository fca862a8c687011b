//! A minimal reader for Debian control-file paragraphs (RFC 822 style, deb822).
//!
//! Paragraphs are separated by blank lines (or lines of only spaces and tabs);
//! a field is `Name: value`; a line starting with a space or tab continues the
//! previous field. Field names compare case-insensitively. Lines may end in CRLF.

/// One field of a paragraph: its name, first-line value and 1-based line number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    /// Field name as written, e.g. `Package`.
    pub name: &'a [u8],
    /// The value on the field's first line, trimmed (continuation lines are not kept).
    pub value: &'a [u8],
    /// Line number of the field, counted from 1.
    pub line: usize,
}

/// One paragraph: its fields in order and the line it starts on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paragraph<'a> {
    /// Line number of the paragraph's first field.
    pub line: usize,
    /// Fields in file order.
    pub fields: Vec<Field<'a>>,
}

impl<'a> Paragraph<'a> {
    /// The field called `name` (ASCII case-insensitive), if present.
    pub fn get(&self, name: &str) -> Option<&Field<'a>> {
        self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name.as_bytes()))
    }
}

/// Why a paragraph file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Splits `data` into paragraphs; fails on a line that is neither a field nor a continuation.
pub fn paragraphs(data: &[u8]) -> Result<Vec<Paragraph<'_>>, SyntaxError> {
    let mut out = Vec::new();
    let mut current = Paragraph::default();
    for (index, raw) in data.split(|&b| b == b'\n').enumerate() {
        let line_no = index + 1;
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.iter().all(|&b| b == b' ' || b == b'\t') {
            if !current.fields.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if matches!(line.first(), Some(b' ' | b'\t')) {
            if current.fields.is_empty() {
                return Err(SyntaxError { line: line_no, message: "continuation line without a field".into() });
            }
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return Err(SyntaxError { line: line_no, message: "expected `Field: value`".into() });
        };
        let name = &line[..colon];
        if name.is_empty() || !name.iter().all(|&b| b.is_ascii_graphic()) {
            return Err(SyntaxError { line: line_no, message: "invalid field name".into() });
        }
        if current.fields.iter().any(|f| f.name.eq_ignore_ascii_case(name)) {
            return Err(SyntaxError {
                line: line_no,
                message: format!("duplicate field {}", String::from_utf8_lossy(name)),
            });
        }
        if current.fields.is_empty() {
            current.line = line_no;
        }
        current.fields.push(Field { name, value: line[colon + 1..].trim_ascii(), line: line_no });
    }
    if !current.fields.is_empty() {
        out.push(current);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_paragraphs_and_skips_continuations() {
        let data = b"Package: a\r\nDescription: one\r\n two\r\n .\r\n\r\nPackage: b\n \t\nPackage: c\n";
        let ps = paragraphs(data).unwrap();
        assert_eq!(ps.len(), 3);
        assert_eq!(ps[0].get("package").unwrap().value, b"a");
        assert_eq!(ps[0].get("DESCRIPTION").unwrap().value, b"one");
        assert_eq!((ps[1].line, ps[2].line), (6, 8));
    }

    #[test]
    fn rejects_garbage_lines_with_their_number() {
        let cases: [(&[u8], usize, &str); 4] = [
            (b"Package: a\nno colon here\n", 2, "expected `Field: value`"),
            (b" leading continuation\n", 1, "continuation line without a field"),
            (b"Package: a\n: empty name\n", 2, "invalid field name"),
            (b"Package: a\npackage: b\n", 2, "duplicate field package"),
        ];
        for (data, line, message) in cases {
            assert_eq!(paragraphs(data), Err(SyntaxError { line, message: message.into() }));
        }
    }
}
