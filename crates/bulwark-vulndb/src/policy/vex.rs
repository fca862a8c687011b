//! OpenVEX 0.2.0 documents (<https://github.com/openvex/spec>): statements that a product is or is
//! not affected by a vulnerability, and which statement decides each finding.
//!
//! A statement covers a finding when its vulnerability `name` or one of its `aliases` equals the
//! finding's id or one of its aliases, and one of its products reaches the finding's package:
//!
//! - a product whose purl selects the package (qualifiers compared only when the statement names them);
//! - the subcomponents of a product that is in the scan: a package of the inventory, or the image
//!   itself (`pkg:oci/NAME@DIGEST`, compared with the manifest or config digest, or by name when the
//!   purl has no version);
//! - an image product without subcomponents covers every package of the image.
//!
//! Of the statements covering a finding, the latest wins: a statement's time is the later of its
//! `timestamp` (else the document's) and its `last_updated`; ties go to the later document, then the
//! later statement. `not_affected` and `fixed` suppress; `affected` and `under_investigation` keep
//! the finding and say so in its `risk`.

use super::purl::Purl;
use super::read::read_text;
use super::PolicyError;
use bulwark_types::{Finding, Inventory, Package};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Largest VEX document read, in bytes.
pub const MAX_VEX_FILE: u64 = 32 << 20;

/// A loaded OpenVEX document.
#[derive(Debug, Clone, PartialEq)]
pub struct VexDocument {
    /// The file it came from, as given.
    pub path: String,
    /// The document's `@id`.
    pub id: String,
    /// The document's `author`.
    pub author: String,
    /// The statements, in document order.
    pub statements: Vec<VexStatement>,
}

/// The impact status a statement asserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VexStatus {
    /// No remediation needed (needs a `justification` or `impact_statement`); suppresses.
    NotAffected,
    /// Remediation recommended; the finding stays.
    Affected,
    /// These versions contain a fix; suppresses.
    Fixed,
    /// Not yet known; the finding stays.
    UnderInvestigation,
}

impl VexStatus {
    /// The label as OpenVEX writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Affected => "affected",
            VexStatus::Fixed => "fixed",
            VexStatus::UnderInvestigation => "under_investigation",
        }
    }

    /// Whether a statement with this status hides the finding.
    pub fn suppresses(self) -> bool {
        matches!(self, VexStatus::NotAffected | VexStatus::Fixed)
    }
}

/// One statement of a document, with its inherited timestamp resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct VexStatement {
    /// Position in the document's `statements` array, from 0 (as JSON paths count).
    pub index: usize,
    /// `vulnerability.name`.
    pub vulnerability: String,
    /// `vulnerability.aliases`.
    pub aliases: Vec<String>,
    /// The products the statement is about.
    pub products: Vec<VexProduct>,
    /// The asserted status.
    pub status: VexStatus,
    /// `justification` label (for `not_affected`).
    pub justification: Option<String>,
    /// `impact_statement` (for `not_affected`).
    pub impact_statement: Option<String>,
    /// `action_statement` (for `affected`).
    pub action_statement: Option<String>,
    /// `status_notes`.
    pub status_notes: Option<String>,
    /// The statement's effective time (RFC 3339, as written), after inheritance from the document.
    pub time: String,
    micros: i64,
}

/// A product of a statement: its purl, and the purls of its subcomponents.
#[derive(Debug, Clone, PartialEq)]
pub struct VexProduct {
    /// The product's purl (`@id` when it is a purl, else `identifiers.purl`); `None` when it has none.
    pub purl: Option<String>,
    /// Purls of the subcomponents that have one.
    pub subcomponents: Vec<String>,
    parsed: Option<Purl>,
    parsed_subcomponents: Vec<Purl>,
}

impl VexStatement {
    /// The suppression reason: status, justification, impact statement and notes.
    pub fn reason(&self) -> String {
        let mut parts = vec![self.status.as_str().to_string()];
        parts.extend(self.justification.clone());
        parts.extend(self.impact_statement.clone());
        parts.extend(self.status_notes.clone());
        parts.join(": ")
    }
}

#[derive(Deserialize)]
struct RawDoc {
    #[serde(rename = "@context")]
    context: String,
    #[serde(rename = "@id", default)]
    id: String,
    #[serde(default)]
    author: String,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    version: Option<u64>,
    statements: Vec<RawStatement>,
}

#[derive(Deserialize)]
struct RawStatement {
    vulnerability: Vulnerability,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    last_updated: Option<String>,
    #[serde(default)]
    products: Vec<RawComponent>,
    status: VexStatus,
    #[serde(default)]
    justification: Option<Justification>,
    #[serde(default)]
    impact_statement: Option<String>,
    #[serde(default)]
    action_statement: Option<String>,
    #[serde(default)]
    status_notes: Option<String>,
}

/// The five justification labels of the VEX status justifications document.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Justification {
    ComponentNotPresent,
    VulnerableCodeNotPresent,
    VulnerableCodeNotInExecutePath,
    VulnerableCodeCannotBeControlledByAdversary,
    InlineMitigationsAlreadyExist,
}

impl Justification {
    fn as_str(self) -> &'static str {
        match self {
            Justification::ComponentNotPresent => "component_not_present",
            Justification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Justification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Justification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }
}

/// `vulnerability` as the document writes it (named for serde's "expected struct" messages).
#[derive(Deserialize)]
struct Vulnerability {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Deserialize)]
struct RawComponent {
    #[serde(rename = "@id", default)]
    id: Option<String>,
    #[serde(default)]
    identifiers: BTreeMap<String, String>,
    #[serde(default)]
    hashes: BTreeMap<String, String>,
    #[serde(default)]
    subcomponents: Vec<RawComponent>,
}

impl RawComponent {
    /// The component's purl and the JSON key it came from.
    fn purl(&self) -> Option<(&str, &'static str)> {
        let is_purl = |s: &str| s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("pkg:"));
        match (&self.id, self.identifiers.get("purl")) {
            (Some(id), _) if is_purl(id) => Some((id, "@id")),
            (_, Some(purl)) => Some((purl, "identifiers.purl")),
            _ => None,
        }
    }

    fn is_identified(&self) -> bool {
        self.id.as_deref().is_some_and(|s| !s.trim().is_empty())
            || !self.identifiers.is_empty()
            || !self.hashes.is_empty()
    }
}

impl VexDocument {
    /// Loads an OpenVEX 0.2.0 JSON document; errors name the file and the JSON path.
    pub fn load(path: &Path) -> Result<VexDocument, PolicyError> {
        let text = read_text(path, MAX_VEX_FILE)?;
        parse(&text, &path.display().to_string())
    }
}

fn parse(text: &str, origin: &str) -> Result<VexDocument, PolicyError> {
    let bad = |at: String, message: String| PolicyError::Invalid { file: origin.to_string(), at, message };
    let de = &mut serde_json::Deserializer::from_str(text);
    let raw: RawDoc = serde_path_to_error::deserialize(de).map_err(|e| {
        let at = e.path().to_string();
        bad(if at == "." { "document".to_string() } else { at }, e.inner().to_string())
    })?;
    if !raw.context.starts_with("https://openvex.dev/ns") {
        return Err(bad(
            "@context".into(),
            format!("`{}` is not an OpenVEX context (https://openvex.dev/ns/…)", raw.context),
        ));
    }
    let doc_time = match &raw.timestamp {
        Some(t) => Some((t.clone(), timestamp(t).ok_or_else(|| bad("timestamp".into(), not_rfc3339(t)))?)),
        None => None,
    };
    if raw.statements.is_empty() {
        return Err(bad("statements".into(), "a document needs at least one statement".into()));
    }
    let mut statements = Vec::with_capacity(raw.statements.len());
    for (i, s) in raw.statements.into_iter().enumerate() {
        let at = |field: &str| format!("statements[{i}]{field}");
        if s.vulnerability.name.trim().is_empty() {
            return Err(bad(at(".vulnerability.name"), "must not be empty".into()));
        }
        let own = match &s.timestamp {
            Some(t) => Some((t.clone(), timestamp(t).ok_or_else(|| bad(at(".timestamp"), not_rfc3339(t)))?)),
            None => None,
        };
        let (mut time, mut micros) = own
            .or_else(|| doc_time.clone())
            .ok_or_else(|| bad(at(".timestamp"), "no timestamp in the statement or the document".into()))?;
        if let Some(t) = &s.last_updated {
            let updated = timestamp(t).ok_or_else(|| bad(at(".last_updated"), not_rfc3339(t)))?;
            if updated > micros {
                (time, micros) = (t.clone(), updated);
            }
        }
        if s.status == VexStatus::NotAffected
            && s.justification.is_none()
            && s.impact_statement.as_deref().is_none_or(|t| t.trim().is_empty())
        {
            return Err(bad(at(""), "status `not_affected` needs a `justification` or an `impact_statement`".into()));
        }
        if s.products.is_empty() {
            return Err(bad(at(".products"), "a statement needs at least one product".into()));
        }
        let mut products = Vec::with_capacity(s.products.len());
        for (j, p) in s.products.iter().enumerate() {
            products.push(product(p, &at(&format!(".products[{j}]")), &bad)?);
        }
        statements.push(VexStatement {
            index: i,
            vulnerability: s.vulnerability.name.trim().to_string(),
            aliases: s.vulnerability.aliases,
            products,
            status: s.status,
            justification: s.justification.map(|j| j.as_str().to_string()),
            impact_statement: s.impact_statement,
            action_statement: s.action_statement,
            status_notes: s.status_notes,
            time,
            micros,
        });
    }
    Ok(VexDocument { path: origin.to_string(), id: raw.id, author: raw.author, statements })
}

fn timestamp(t: &str) -> Option<i64> {
    bulwark_types::time::parse_rfc3339_micros(t.trim())
}

fn not_rfc3339(t: &str) -> String {
    format!("`{t}` is not an RFC 3339 timestamp")
}

fn product(p: &RawComponent, at: &str, bad: &dyn Fn(String, String) -> PolicyError) -> Result<VexProduct, PolicyError> {
    if !p.is_identified() {
        return Err(bad(at.to_string(), "a product needs an `@id`, `identifiers` or `hashes`".into()));
    }
    let parse_purl = |c: &RawComponent, at: &str| -> Result<Option<(String, Purl)>, PolicyError> {
        match c.purl() {
            Some((text, key)) => {
                let purl = Purl::parse(text).map_err(|m| bad(format!("{at}.{key}"), m))?;
                Ok(Some((text.to_string(), purl)))
            }
            None => Ok(None),
        }
    };
    let own = parse_purl(p, at)?;
    let mut subcomponents = Vec::new();
    let mut parsed_subcomponents = Vec::new();
    for (k, sub) in p.subcomponents.iter().enumerate() {
        let sub_at = format!("{at}.subcomponents[{k}]");
        if !sub.is_identified() {
            return Err(bad(sub_at, "a subcomponent needs an `@id`, `identifiers` or `hashes`".into()));
        }
        if let Some((text, purl)) = parse_purl(sub, &sub_at)? {
            subcomponents.push(text);
            parsed_subcomponents.push(purl);
        }
    }
    let (purl, parsed) = match own {
        Some((text, purl)) => (Some(text), Some(purl)),
        None => (None, None),
    };
    Ok(VexProduct { purl, subcomponents, parsed, parsed_subcomponents })
}

/// What a statement reaches in this scan.
#[derive(Debug)]
enum Reach {
    /// Every package (an image product without subcomponents).
    All,
    /// Packages these purls select.
    Purls(Vec<Purl>),
}

/// The statement that decides one finding.
pub(crate) struct Decision<'a> {
    /// The document holding it.
    pub(crate) document: &'a VexDocument,
    /// The statement.
    pub(crate) statement: &'a VexStatement,
}

impl Decision<'_> {
    /// The note a kept finding carries, e.g. `VEX affected (app.vex.json): upgrade to 3.1.4`.
    pub(crate) fn annotation(&self) -> String {
        let s = self.statement;
        let mut out = format!("VEX {} ({})", s.status.as_str(), self.document.path);
        if let Some(note) = s.action_statement.as_deref().or(s.status_notes.as_deref()).filter(|n| !n.trim().is_empty())
        {
            out.push_str(": ");
            out.push_str(note.trim());
        }
        out
    }
}

/// Statements by vulnerability id, with what each reaches in this scan.
pub(crate) struct Index<'a> {
    docs: &'a [VexDocument],
    /// Lower-cased id → (document, statement) positions.
    by_id: HashMap<String, Vec<(usize, usize)>>,
    /// What each statement reaches, by (document, statement).
    reach: HashMap<(usize, usize), Reach>,
    /// Statements that covered at least one finding.
    used: HashSet<(usize, usize)>,
}

/// The identity of the scanned image that `pkg:oci` products are compared with.
struct Image {
    digests: Vec<String>,
    name: String,
}

impl Image {
    fn of(inventory: &Inventory) -> Image {
        let t = &inventory.target;
        let digests = [&t.manifest_digest, &t.config_digest].into_iter().flatten().map(|d| d.to_lowercase()).collect();
        // `oci:/dir/app-python:latest`, `host:5000/team/app@sha256:…` → `app-python`, `app`.
        let reference = t.reference.split_once(':').filter(|(scheme, _)| !scheme.contains(['/', '.'])).map_or(
            t.reference.as_str(),
            |(scheme, rest)| {
                if matches!(scheme, "oci" | "docker-archive" | "dir" | "oci-archive") {
                    rest
                } else {
                    &t.reference
                }
            },
        );
        let reference = reference.split('@').next().unwrap_or_default();
        let last = reference.rsplit('/').next().unwrap_or_default();
        let name = last.split(':').next().unwrap_or_default().to_lowercase();
        Image { digests, name }
    }

    fn is(&self, purl: &Purl) -> bool {
        purl.ty == "oci"
            && match &purl.version {
                Some(v) => self.digests.contains(&v.to_lowercase()),
                None => !self.name.is_empty() && purl.name == self.name,
            }
    }
}

impl<'a> Index<'a> {
    /// Indexes `docs` for the packages of `inventory`.
    pub(crate) fn new(docs: &'a [VexDocument], inventory: &Inventory) -> Index<'a> {
        let image = Image::of(inventory);
        let package_purls: Vec<Purl> = inventory.packages.iter().filter_map(|p| Purl::parse(&p.purl).ok()).collect();
        let mut by_id: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        let mut reach = HashMap::new();
        for (d, doc) in docs.iter().enumerate() {
            for (s, st) in doc.statements.iter().enumerate() {
                let mut ids: Vec<String> =
                    std::iter::once(&st.vulnerability).chain(&st.aliases).map(|i| i.trim().to_lowercase()).collect();
                ids.sort();
                ids.dedup();
                for id in ids {
                    by_id.entry(id).or_default().push((d, s));
                }
                reach.insert((d, s), statement_reach(st, &image, &package_purls));
            }
        }
        Index { docs, by_id, reach, used: HashSet::new() }
    }

    /// The latest statement covering `finding` on `package`, if any.
    pub(crate) fn decide(&mut self, finding: &Finding, package: Option<&Package>) -> Option<Decision<'a>> {
        let package_purl = package.and_then(|p| Purl::parse(&p.purl).ok());
        let mut best: Option<(i64, usize, usize)> = None;
        let mut seen = HashSet::new();
        for id in std::iter::once(&finding.id).chain(&finding.aliases) {
            for &(d, s) in self.by_id.get(&id.trim().to_lowercase()).map(Vec::as_slice).unwrap_or_default() {
                if !seen.insert((d, s)) {
                    continue;
                }
                let covers = match self.reach.get(&(d, s)) {
                    Some(Reach::All) => package.is_some(),
                    Some(Reach::Purls(purls)) => {
                        package_purl.as_ref().is_some_and(|pp| purls.iter().any(|sel| sel.selects(pp)))
                    }
                    None => false,
                };
                if !covers {
                    continue;
                }
                self.used.insert((d, s));
                let micros = self.docs.get(d).and_then(|doc| doc.statements.get(s)).map_or(i64::MIN, |st| st.micros);
                if best.is_none_or(|b| (micros, d, s) > b) {
                    best = Some((micros, d, s));
                }
            }
        }
        let (_, d, s) = best?;
        let document = self.docs.get(d)?;
        Some(Decision { document, statement: document.statements.get(s)? })
    }

    /// One warning per statement that covered no finding (the first `limit`, then a count).
    pub(crate) fn unmatched_warnings(&self, limit: usize) -> Vec<String> {
        let mut out = Vec::new();
        for (d, doc) in self.docs.iter().enumerate() {
            let unused: Vec<&VexStatement> = doc
                .statements
                .iter()
                .enumerate()
                .filter(|(s, _)| !self.used.contains(&(d, *s)))
                .map(|(_, st)| st)
                .collect();
            for st in unused.iter().take(limit) {
                out.push(format!(
                    "{}: VEX statement statements[{}] ({}, {}) matched no finding",
                    doc.path,
                    st.index,
                    st.vulnerability,
                    st.status.as_str()
                ));
            }
            if unused.len() > limit {
                out.push(format!("{}: {} more VEX statements matched no finding", doc.path, unused.len() - limit));
            }
        }
        out
    }
}

/// What `st` reaches: see the module documentation.
fn statement_reach(st: &VexStatement, image: &Image, packages: &[Purl]) -> Reach {
    let mut purls = Vec::new();
    for product in &st.products {
        let Some(own) = &product.parsed else { continue };
        if image.is(own) {
            if product.parsed_subcomponents.is_empty() {
                return Reach::All;
            }
            purls.extend(product.parsed_subcomponents.iter().cloned());
            continue;
        }
        purls.push(own.clone());
        if packages.iter().any(|p| own.selects(p)) {
            purls.extend(product.parsed_subcomponents.iter().cloned());
        }
    }
    Reach::Purls(purls)
}
