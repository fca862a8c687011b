//! `META-INF/MANIFEST.MF`: the main section's attributes (JAR file specification).

use super::properties::natural_lines;

/// The main attributes of a manifest, in file order.
#[derive(Debug, Default)]
pub(super) struct Manifest {
    attributes: Vec<(String, String)>,
}

impl Manifest {
    /// Parses the main section (up to the first blank line); continuation lines start with one space.
    /// Lines that are neither `Name: value` nor continuations are skipped, as many tools write them.
    pub(super) fn parse(data: &[u8]) -> Manifest {
        let text = String::from_utf8_lossy(data);
        let mut attributes: Vec<(String, String)> = Vec::new();
        let mut continues = false;
        for line in natural_lines(&text) {
            if line.is_empty() {
                break;
            }
            if let Some(more) = line.strip_prefix(' ') {
                if let (true, Some((_, value))) = (continues, attributes.last_mut()) {
                    value.push_str(more);
                }
                continue;
            }
            continues = match line.split_once(':') {
                Some((name, value)) if !name.is_empty() && !name.contains(' ') => {
                    attributes.push((name.to_string(), value.strip_prefix(' ').unwrap_or(value).to_string()));
                    true
                }
                _ => false,
            };
        }
        for (_, value) in &mut attributes {
            let trimmed = value.trim();
            if trimmed.len() != value.len() {
                *value = trimmed.to_string();
            }
        }
        Manifest { attributes }
    }

    /// The first non-empty value of attribute `name` (names compare case-insensitively).
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(n, v)| n.eq_ignore_ascii_case(name) && !v.is_empty()).map(|(_, v)| v.as_str())
    }

    /// The licence names in `Bundle-License` (OSGi: `name;attr=…, name;…` or `<<EXTERNAL>>`).
    pub(super) fn bundle_licenses(&self) -> Vec<String> {
        let Some(header) = self.get("Bundle-License") else { return Vec::new() };
        split_outside_quotes(header, ',')
            .into_iter()
            .filter_map(|clause| split_outside_quotes(clause, ';').into_iter().next())
            .map(|name| name.trim().trim_matches('"').trim().to_string())
            .filter(|name| !name.is_empty() && name != "<<EXTERNAL>>")
            .collect()
    }
}

/// Splits `s` at each `sep` that is not inside double quotes.
fn split_outside_quotes(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            parts.push(s.get(start..i).unwrap_or_default());
            start = i + c.len_utf8();
        }
    }
    parts.push(s.get(start..).unwrap_or_default());
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_section_with_continuations_and_line_endings() {
        let text =
            "Manifest-Version: 1.0\r\nImplementation-Title: gree\r\n ter\rbundle-version:  2.0 \nBroken line\n contin\
                    ues nothing\nX-Empty:\n\nName: org/example/\nImplementation-Title: per-entry\n";
        let m = Manifest::parse(text.as_bytes());
        assert_eq!(m.get("implementation-title"), Some("greeter"));
        assert_eq!(m.get("Bundle-Version"), Some("2.0"));
        assert_eq!(m.get("X-Empty"), None);
        assert_eq!(m.get("Name"), None, "per-entry sections are not main attributes");
        assert_eq!(m.attributes.len(), 4);
    }

    #[test]
    fn bundle_license_clauses() {
        let cases = [
            (
                "https://www.apache.org/licenses/LICENSE-2.0.txt",
                vec!["https://www.apache.org/licenses/LICENSE-2.0.txt"],
            ),
            (
                "\"Apache-2.0\";link=\"https://x/LICENSE\";description=\"Apache License, Version 2.0\", MIT",
                vec!["Apache-2.0", "MIT"],
            ),
            ("<<EXTERNAL>>", vec![]),
            ("EPL-2.0 , ; ,GPL-2.0-with-classpath-exception", vec!["EPL-2.0", "GPL-2.0-with-classpath-exception"]),
        ];
        for (header, want) in cases {
            let m = Manifest::parse(format!("Bundle-License: {header}\n").as_bytes());
            assert_eq!(m.bundle_licenses(), want, "{header}");
        }
        assert!(Manifest::parse(b"Manifest-Version: 1.0\n").bundle_licenses().is_empty());
    }

    #[test]
    fn binary_garbage_gives_no_panic() {
        let garbage: Vec<u8> = (0..=255u8).rev().cycle().take(10_000).collect();
        let m = Manifest::parse(&garbage);
        assert!(m.get("Implementation-Version").is_none());
    }
}
