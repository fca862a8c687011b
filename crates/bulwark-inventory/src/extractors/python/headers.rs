//! The email-header block at the top of a core-metadata file: `Field: value` lines,
//! continuation lines starting with a space or tab, ended by the first empty line
//! (what follows is the long description).

/// One header field.
#[derive(Debug)]
pub(super) struct Field<'a> {
    /// Field name as written, e.g. `Name`.
    pub name: &'a str,
    /// The value on the field's own line, trimmed.
    pub first_line: &'a str,
    /// Whether non-blank continuation lines follow (a multi-line value).
    pub continued: bool,
    /// 1-based line number of the field.
    pub line: usize,
}

/// Why a header block could not be read.
#[derive(Debug)]
pub(super) struct HeaderError {
    /// 1-based line number of the offending line.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

/// The parsed header block, fields in file order.
#[derive(Debug)]
pub(super) struct Headers<'a> {
    fields: Vec<Field<'a>>,
}

impl<'a> Headers<'a> {
    /// Parses the header block of `text`, stopping at the first empty line.
    pub fn parse(text: &'a str) -> Result<Self, HeaderError> {
        let mut fields: Vec<Field<'a>> = Vec::new();
        for (i, raw) in text.split('\n').enumerate() {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            let number = i + 1;
            if line.is_empty() {
                break;
            }
            if line.starts_with([' ', '\t']) {
                let Some(last) = fields.last_mut() else {
                    return Err(HeaderError { line: number, message: "continuation line before any field".into() });
                };
                last.continued |= !line.trim().is_empty();
                continue;
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(HeaderError {
                    line: number,
                    message: format!("expected `Field: value`, found {:?}", clip(line)),
                });
            };
            let name = name.trim_end();
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(HeaderError { line: number, message: format!("invalid field name {:?}", clip(name)) });
            }
            fields.push(Field { name, first_line: value.trim(), continued: false, line: number });
        }
        Ok(Headers { fields })
    }

    /// The first field named `name` (case-insensitive).
    pub fn first(&self, name: &str) -> Option<&Field<'a>> {
        self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// Every field named `name` (case-insensitive), in file order.
    pub fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Field<'a>> + 's {
        self.fields.iter().filter(move |f| f.name.eq_ignore_ascii_case(name))
    }
}

/// At most 40 characters of `s`, for error messages.
fn clip(s: &str) -> &str {
    match s.char_indices().nth(40) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}
