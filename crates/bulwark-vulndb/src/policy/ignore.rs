//! Ignore files: rules that suppress findings, each with a reason and an optional expiry date.
//!
//! Two forms are read. YAML (documented in `docs/ignore-file.md`):
//!
//! ```yaml
//! ignore:
//!   - id: CVE-2019-10906
//!     package: pkg:pypi/jinja2          # optional: a purl (no version = all versions) or a name
//!     paths: ["/opt/venv/**"]            # optional: globs against the package's locations
//!     reason: templates are never user-controlled
//!     expires: 2026-01-31               # optional: stops suppressing on this date
//! ```
//!
//! and the plain-text form of `.bulwarkignore` / `.trivyignore`: one id per line, `#` comments,
//! an optional `exp:YYYY-MM-DD` after the id; the comment above an id (or after it) is its reason.

use super::date::parse_date;
use super::glob::Glob;
use super::purl::Purl;
use super::read::read_text;
use super::PolicyError;
use bulwark_types::{Finding, Misconfiguration, Package, SecretFinding, Suppressed};
use serde::de::{Deserializer, Error as _};
use serde::Deserialize;
use std::path::Path;

/// Largest ignore file read, in bytes.
pub const MAX_IGNORE_FILE: u64 = 4 << 20;

/// A loaded ignore file.
#[derive(Debug, Clone, PartialEq)]
pub struct IgnoreFile {
    /// The file the rules came from, as given.
    pub path: String,
    /// The rules, in file order.
    pub rules: Vec<IgnoreRule>,
}

/// One rule: which finding it suppresses, why, and until when.
#[derive(Debug, Clone, PartialEq)]
pub struct IgnoreRule {
    /// Position in the file, counted from 1 (as warnings and errors name it).
    pub number: usize,
    /// Vulnerability id; matches a finding's id or any of its aliases (ASCII case-insensitive).
    pub id: String,
    /// Package selector as written: a purl (without version = every version) or a name (`name` or `name@version`).
    pub package: Option<String>,
    /// Globs matched against the package's locations; empty = anywhere.
    pub paths: Vec<String>,
    /// Why the finding is acceptable.
    pub reason: String,
    /// `YYYY-MM-DD` from which the rule no longer suppresses.
    pub expires: Option<String>,
    selector: Option<Selector>,
    globs: Vec<Glob>,
}

/// A compiled package selector.
#[derive(Debug, Clone, PartialEq)]
enum Selector {
    Purl(Purl),
    Name { name: String, version: Option<String> },
}

impl Selector {
    fn parse(text: &str) -> Result<Selector, String> {
        if text.get(..4).is_some_and(|s| s.eq_ignore_ascii_case("pkg:")) {
            return Purl::parse(text).map(Selector::Purl);
        }
        // `name@version`; a leading `@` belongs to an npm scope.
        match text.rfind('@').filter(|&at| at > 0) {
            Some(at) => {
                let (name, version) = (text.get(..at).unwrap_or(text), text.get(at + 1..).unwrap_or(""));
                if version.is_empty() {
                    return Err(format!("package `{text}` has an empty version after `@`"));
                }
                Ok(Selector::Name { name: name.to_string(), version: Some(version.to_string()) })
            }
            None => Ok(Selector::Name { name: text.to_string(), version: None }),
        }
    }

    fn selects(&self, package: &Package) -> bool {
        match self {
            Selector::Purl(purl) => Purl::parse(&package.purl).is_ok_and(|p| purl.selects(&p)),
            Selector::Name { name, version } => {
                let norm = |n: &str| crate::normalize::normalize_name(&package.ecosystem, n).to_lowercase();
                let wanted = norm(name);
                let by_name = norm(&package.name) == wanted && version.as_ref().is_none_or(|v| *v == package.version);
                let by_source = package
                    .source
                    .as_ref()
                    .is_some_and(|src| norm(&src.name) == wanted && version.as_ref().is_none_or(|v| *v == src.version));
                by_name || by_source
            }
        }
    }
}

impl IgnoreRule {
    fn new(
        number: usize,
        id: String,
        package: Option<String>,
        paths: Vec<String>,
        reason: String,
        expires: Option<String>,
    ) -> Result<IgnoreRule, String> {
        let selector = package.as_deref().map(Selector::parse).transpose()?;
        let globs = paths.iter().map(|p| Glob::new(p)).collect::<Result<Vec<_>, _>>()?;
        Ok(IgnoreRule { number, id, package, paths, reason, expires, selector, globs })
    }

    /// Whether the rule still suppresses on `today` (a `YYYY-MM-DD` date; `None` = unknown, so only rules without expiry).
    pub fn is_active(&self, today: Option<&str>) -> bool {
        match &self.expires {
            None => true,
            Some(expires) => today.is_some_and(|t| t < expires.as_str()),
        }
    }

    /// The warning an expired rule yields.
    pub fn expired_warning(&self) -> String {
        format!(
            "ignore rule {} ({}) expired on {}; no longer suppressing",
            self.number,
            self.id,
            self.expires.as_deref().unwrap_or("an unknown date")
        )
    }

    /// Whether the rule covers `finding` on `package` (the package is `None` when the index is out of range).
    pub fn matches(&self, finding: &Finding, package: Option<&Package>) -> bool {
        let id_matches = finding.id.eq_ignore_ascii_case(&self.id)
            || finding.aliases.iter().any(|a| a.eq_ignore_ascii_case(&self.id));
        if !id_matches {
            return false;
        }
        if let Some(selector) = &self.selector {
            if !package.is_some_and(|p| selector.selects(p)) {
                return false;
            }
        }
        if !self.globs.is_empty() {
            let Some(package) = package else { return false };
            if !package.locations.iter().any(|loc| self.globs.iter().any(|g| g.matches(loc))) {
                return false;
            }
        }
        true
    }
}

impl IgnoreRule {
    /// Whether the rule covers a secret: `id` is its rule id (`github-pat`) or its fingerprint, and
    /// `paths` (if any) match its target. `package` never matches a secret.
    pub fn matches_secret(&self, secret: &SecretFinding) -> bool {
        let id_matches =
            secret.rule_id.eq_ignore_ascii_case(&self.id) || secret.fingerprint.eq_ignore_ascii_case(&self.id);
        id_matches && self.selector.is_none() && self.paths_match(&[&secret.target])
    }

    /// Whether the rule covers a misconfiguration: `id` is its check id and `paths` (if any) match
    /// its target file or, for image checks, the file inside the image. `package` never matches.
    pub fn matches_misconfiguration(&self, m: &Misconfiguration) -> bool {
        let mut places: Vec<&str> = vec![&m.target];
        places.extend(m.path.as_deref());
        m.check_id.eq_ignore_ascii_case(&self.id) && self.selector.is_none() && self.paths_match(&places)
    }

    fn paths_match(&self, places: &[&str]) -> bool {
        self.globs.is_empty() || places.iter().any(|p| self.globs.iter().any(|g| g.matches(p)))
    }
}

impl IgnoreFile {
    /// Splits `items` into those no active rule covers and those the first active matching rule suppresses
    /// (`today` as for [`IgnoreRule::is_active`]).
    pub fn suppress<T>(
        &self,
        items: Vec<T>,
        today: Option<&str>,
        matches: impl Fn(&IgnoreRule, &T) -> bool,
    ) -> (Vec<T>, Vec<Suppressed<T>>) {
        let mut kept = Vec::new();
        let mut suppressed = Vec::new();
        for item in items {
            match self.rules.iter().find(|r| r.is_active(today) && matches(r, &item)) {
                Some(rule) => suppressed.push(Suppressed {
                    item,
                    by: "ignore-file".to_string(),
                    source: self.path.clone(),
                    reason: rule.reason.clone(),
                }),
                None => kept.push(item),
            }
        }
        (kept, suppressed)
    }

    /// One warning per rule that expired by `today`.
    pub fn expired_warnings(&self, today: Option<&str>) -> Vec<String> {
        self.rules.iter().filter(|r| !r.is_active(today)).map(IgnoreRule::expired_warning).collect()
    }

    /// Loads a YAML ignore file (`.yaml`/`.yml`, or any file whose first entry is `ignore:`) or a
    /// plain-text `.bulwarkignore` / `.trivyignore`.
    pub fn load(path: &Path) -> Result<IgnoreFile, PolicyError> {
        let text = read_text(path, MAX_IGNORE_FILE)?;
        let origin = path.display().to_string();
        let yaml_ext =
            path.extension().is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
        let rules =
            if yaml_ext || looks_like_yaml(&text) { parse_yaml(&text, &origin)? } else { parse_plain(&text, &origin)? };
        Ok(IgnoreFile { path: origin, rules })
    }
}

/// Whether the first line that is not blank or a comment opens the `ignore:` key.
fn looks_like_yaml(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && *l != "---")
        .is_some_and(|l| l.starts_with("ignore:"))
}

/// A string that must not be blank.
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.trim().is_empty() {
            return Err(D::Error::custom("must not be empty"));
        }
        Ok(Text(s.trim().to_string()))
    }
}

/// A `YYYY-MM-DD` date.
struct Date(String);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_date(s.trim()).ok_or_else(|| D::Error::custom(format!("`{s}` is not a YYYY-MM-DD date")))?;
        Ok(Date(s.trim().to_string()))
    }
}

/// A package selector, checked while parsing so the error carries its line.
struct PackageText(String);

impl<'de> Deserialize<'de> for PackageText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Text(s) = Text::deserialize(d)?;
        Selector::parse(&s).map_err(D::Error::custom)?;
        Ok(PackageText(s))
    }
}

/// A path glob, checked while parsing so the error carries its line.
struct GlobText(String);

impl<'de> Deserialize<'de> for GlobText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Text(s) = Text::deserialize(d)?;
        Glob::new(&s).map_err(D::Error::custom)?;
        Ok(GlobText(s))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    ignore: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Text,
    #[serde(default)]
    package: Option<PackageText>,
    #[serde(default)]
    paths: Vec<GlobText>,
    reason: Text,
    #[serde(default)]
    expires: Option<Date>,
}

fn parse_yaml(text: &str, origin: &str) -> Result<Vec<IgnoreRule>, PolicyError> {
    let raw: RawFile = serde_path_to_error::deserialize(serde_yaml::Deserializer::from_str(text))
        .map_err(|e| yaml_error(origin, &e))?;
    raw.ignore
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let paths = r.paths.into_iter().map(|g| g.0).collect();
            IgnoreRule::new(i + 1, r.id.0, r.package.map(|p| p.0), paths, r.reason.0, r.expires.map(|d| d.0)).map_err(
                |message| PolicyError::Invalid {
                    file: origin.to_string(),
                    at: format!("ignore rule {}", i + 1),
                    message,
                },
            )
        })
        .collect()
}

/// Turns a YAML error into one that names the rule (counted from 1), the field, and the line (serde_yaml
/// reports the line where the rule's entry starts for errors in its values).
fn yaml_error(origin: &str, e: &serde_path_to_error::Error<serde_yaml::Error>) -> PolicyError {
    use serde_path_to_error::Segment;
    let inner = e.inner();
    let mut message = inner.to_string();
    let line = inner.location().map(|loc| {
        let suffix = format!(" at line {} column {}", loc.line(), loc.column());
        if let Some(stripped) = message.strip_suffix(&suffix) {
            message = stripped.to_string();
        }
        loc.line()
    });
    // serde_yaml prefixes the path it knows (the whole path, or the part up to the rule); ours is said in `at`.
    let segments: Vec<&Segment> = e.path().iter().collect();
    let mut prefixes = Vec::new();
    let mut prefix = String::new();
    for segment in &segments {
        match segment {
            Segment::Seq { index } => prefix.push_str(&format!("[{index}]")),
            Segment::Map { key } if prefix.is_empty() => prefix.push_str(key),
            Segment::Map { key } => prefix.push_str(&format!(".{key}")),
            _ => break,
        }
        prefixes.push(format!("{prefix}: "));
    }
    if let Some(stripped) = prefixes.iter().rev().find_map(|p| message.strip_prefix(p.as_str())) {
        message = stripped.to_string();
    }
    let rule = match segments.as_slice() {
        [Segment::Map { key }, Segment::Seq { index }, rest @ ..] if key == "ignore" => {
            let field = match rest.first() {
                Some(Segment::Map { key }) => format!(", field `{key}`"),
                _ => String::new(),
            };
            Some(format!("ignore rule {}{field}", index + 1))
        }
        [Segment::Map { key }] => Some(format!("field `{key}`")),
        _ => None,
    };
    let at = match (rule, line) {
        (Some(rule), Some(line)) => format!("{rule} (line {line})"),
        (Some(rule), None) => rule,
        (None, Some(line)) => format!("line {line}"),
        (None, None) => "document".to_string(),
    };
    PolicyError::Invalid { file: origin.to_string(), at, message }
}

/// Parses `.trivyignore`-style text: `ID [exp:YYYY-MM-DD] [# reason]` per line.
fn parse_plain(text: &str, origin: &str) -> Result<Vec<IgnoreRule>, PolicyError> {
    let mut rules = Vec::new();
    let mut comment: Vec<&str> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let bad =
            |message: String| PolicyError::Invalid { file: origin.to_string(), at: format!("line {}", n + 1), message };
        let line = line.trim();
        if line.is_empty() {
            comment.clear();
            continue;
        }
        if let Some(c) = line.strip_prefix('#') {
            comment.push(c.trim());
            continue;
        }
        let (body, inline) = match line.split_once('#') {
            Some((body, c)) => (body, Some(c.trim())),
            None => (line, None),
        };
        let mut words = body.split_whitespace();
        let id = words.next().unwrap_or_default().to_string();
        let mut expires = None;
        for word in words {
            let date = word.strip_prefix("exp:").ok_or_else(|| {
                bad(format!("unexpected `{word}` after the id (expected `exp:YYYY-MM-DD` or a `#` comment)"))
            })?;
            parse_date(date).ok_or_else(|| bad(format!("`{date}` is not a YYYY-MM-DD date")))?;
            expires = Some(date.to_string());
        }
        let reason = match inline.filter(|c| !c.is_empty()) {
            Some(c) => c.to_string(),
            None if comment.iter().any(|c| !c.is_empty()) => comment.join(" ").trim().to_string(),
            None => format!("listed in {origin}"),
        };
        comment.clear();
        let rule = IgnoreRule::new(rules.len() + 1, id, None, Vec::new(), reason, expires).map_err(bad)?;
        rules.push(rule);
    }
    Ok(rules)
}
