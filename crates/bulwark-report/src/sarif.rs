//! SARIF 2.1.0 (<https://docs.oasis-open.org/sarif/sarif/v2.1.0/>), shaped for GitHub code scanning.
//!
//! One run; one rule per vulnerability id (`helpUri` on osv.dev, `security-severity` from the CVSS
//! score or the level); one result per finding, located at the package's evidence file (relative
//! URI) and, logically, at its purl. Suppressed findings are results with an external suppression.
//! Secrets ([`crate::sarif_secret`]) and misconfigurations ([`crate::sarif_misconfig`]) follow in
//! the same run, their rules after the vulnerability rules.

use crate::TOOL_VERSION;
use bulwark_types::{Finding, Level, Package, ScanReport, Severity, Suppression};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::io::Write;

/// Characters percent-encoded in artifact URIs: all but the unreserved set and `/`.
pub(crate) const URI_PATH: &AsciiSet =
    &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');
/// Characters percent-encoded in an advisory id inside a URL path: as [`URI_PATH`], and `/` too.
const URI_SEGMENT: &AsciiSet = &URI_PATH.add(b'/');

/// Writes `report` as a SARIF 2.1.0 log.
pub fn render(report: &ScanReport, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(report))?;
    out.write_all(b"\n")
}

/// The advisory page of a vulnerability id on osv.dev.
pub(crate) fn advisory_url(id: &str) -> String {
    format!("https://osv.dev/vulnerability/{}", utf8_percent_encode(id, URI_SEGMENT))
}

/// The whole log.
fn log(report: &ScanReport) -> Value {
    let all: Vec<(&Finding, Option<&Suppression>)> = report
        .findings
        .iter()
        .map(|f| (f, None))
        .chain(report.suppressed.iter().map(|s| (&s.finding, Some(s))))
        .collect();
    let packages = &report.inventory.packages;

    // Rules in order of first appearance; each takes the worst severity among its findings.
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut rules: Vec<(&Finding, &Severity)> = Vec::new();
    for (f, _) in &all {
        match index.get(f.id.as_str()).and_then(|&i| rules.get_mut(i)) {
            Some(rule) if f.severity.rank() > rule.1.rank() => rule.1 = &f.severity,
            Some(_) => {}
            None => {
                index.insert(&f.id, rules.len());
                rules.push((f, &f.severity));
            }
        }
    }
    let mut rules_json: Vec<Value> = rules.iter().map(|(f, sev)| rule(f, sev, packages)).collect();
    let mut results: Vec<Value> =
        all.iter().map(|(f, s)| result(f, *s, index.get(f.id.as_str()).copied().unwrap_or(0), packages)).collect();
    let (secret_rules, secret_results) = crate::sarif_secret::rules_and_results(&report.secrets, rules_json.len());
    rules_json.extend(secret_rules);
    results.extend(secret_results);
    let (check_rules, check_results) =
        crate::sarif_misconfig::rules_and_results(&report.misconfigurations, rules_json.len());
    rules_json.extend(check_rules);
    results.extend(check_results);

    let mut driver = Map::new();
    driver.insert("name".into(), "bulwark".into());
    driver.insert("version".into(), TOOL_VERSION.into());
    driver.insert("semanticVersion".into(), TOOL_VERSION.into());
    if let Some(uri) = information_uri() {
        driver.insert("informationUri".into(), uri.into());
    }
    driver.insert("rules".into(), Value::Array(rules_json));

    let t = &report.inventory.target;
    let mut run_props = Map::new();
    run_props.insert("target".into(), t.reference.clone().into());
    run_props.insert("targetKind".into(), t.kind.clone().into());
    if let Some(d) = &t.manifest_digest {
        run_props.insert("manifestDigest".into(), d.clone().into());
    }
    if let Some(os) = &report.inventory.os {
        run_props.insert("os".into(), format!("{} {}", os.id, os.version_id).into());
    }
    if !report.scanners.is_empty() {
        run_props.insert("scanners".into(), json!(report.scanners));
    }
    if let Some(db) = &report.database {
        run_props.insert("databaseRecords".into(), db.records.into());
        if !db.updated.is_empty() {
            run_props.insert("databaseUpdated".into(), db.updated.clone().into());
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "results": results,
            "properties": run_props,
        }]
    })
}

/// The project's URL from the crate manifest (`repository`, else `homepage`), when one is set.
fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")].into_iter().find(|u| u.starts_with("https://"))
}

/// SARIF `level` of a severity: CRITICAL/HIGH → error, MEDIUM → warning, the rest → note.
pub(crate) fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Critical | Level::High => "error",
        Level::Medium => "warning",
        Level::Low | Level::Negligible | Level::Unknown => "note",
    }
}

/// GitHub's `security-severity`: the CVSS score, else a score inside the level's CVSS band; none when unknown.
pub(crate) fn security_severity(level: Level, score: Option<f64>) -> Option<String> {
    if let Some(s) = score.filter(|s| s.is_finite() && (0.0..=10.0).contains(s)) {
        return Some(format!("{s:.1}"));
    }
    let s = match level {
        Level::Critical => "9.5",
        Level::High => "8.0",
        Level::Medium => "5.5",
        Level::Low => "2.0",
        Level::Negligible => "0.0",
        Level::Unknown => return None,
    };
    Some(s.to_string())
}

/// One rule (reporting descriptor) for a vulnerability id.
fn rule(f: &Finding, severity: &Severity, packages: &[Package]) -> Value {
    let level = severity.level;
    let os = packages.get(f.package).is_some_and(|p| p.kind.is_os());
    let name = if os { "OsPackageVulnerability" } else { "LanguageSpecificPackageVulnerability" };
    let url = advisory_url(&f.id);
    let short = if f.summary.trim().is_empty() { f.id.clone() } else { first_line(&f.summary) };
    let mut props = Map::new();
    if let Some(s) = security_severity(level, severity.score) {
        props.insert("security-severity".into(), s.into());
    }
    props.insert("tags".into(), json!(["vulnerability", "security", level.as_str()]));
    props.insert("precision".into(), "very-high".into());
    let mut help = format!("{}\nSeverity: {level}\nAdvisory: {url}", f.id);
    let mut markdown = format!("**{}**\n\n| Severity | Advisory |\n| --- | --- |\n| {level} | [{url}]({url}) |", f.id);
    if !f.aliases.is_empty() {
        help.push_str(&format!("\nAliases: {}", f.aliases.join(", ")));
        markdown.push_str(&format!("\n\nAliases: {}", f.aliases.join(", ")));
    }
    json!({
        "id": f.id,
        "name": name,
        "shortDescription": { "text": short },
        "fullDescription": { "text": if f.summary.is_empty() { f.id.as_str() } else { f.summary.as_str() } },
        "defaultConfiguration": { "level": sarif_level(level) },
        "helpUri": url,
        "help": { "text": help, "markdown": markdown },
        "properties": props,
    })
}

/// One result for a finding, suppressed when `suppression` is given.
fn result(f: &Finding, suppression: Option<&Suppression>, rule_index: usize, packages: &[Package]) -> Value {
    let pkg = packages.get(f.package);
    let name = pkg.map_or_else(|| format!("package #{}", f.package), |p| p.name.clone());
    let installed = pkg.map(|p| p.version.as_str()).unwrap_or_default();
    let fixed = if f.fixed.is_empty() { "none".to_string() } else { f.fixed.join(", ") };
    let mut text = format!("{} {installed} is affected by {} ({})", name, f.id, f.severity.level);
    if !f.summary.trim().is_empty() {
        text.push_str(&format!(": {}", first_line(&f.summary)));
    }
    text.push_str(&format!(
        "\nPackage: {name}\nInstalled Version: {installed}\nVulnerability: {}\nSeverity: {}\nFixed Version: {fixed}\nLink: {}",
        f.id,
        f.severity.level,
        advisory_url(&f.id)
    ));

    let mut location = Map::new();
    if let Some(path) =
        pkg.and_then(|p| p.locations.first()).map(|l| l.trim_start_matches('/')).filter(|l| !l.is_empty())
    {
        location.insert(
            "physicalLocation".into(),
            json!({
                "artifactLocation": { "uri": utf8_percent_encode(path, URI_PATH).to_string() },
                // GitHub code scanning wants a region; the whole evidence file is meant.
                "region": { "startLine": 1 },
            }),
        );
    }
    if let Some(p) = pkg {
        let mut logical = Map::new();
        logical.insert("name".into(), p.name.clone().into());
        if !p.purl.is_empty() {
            logical.insert("fullyQualifiedName".into(), p.purl.clone().into());
        }
        logical.insert("kind".into(), "package".into());
        location.insert("logicalLocations".into(), json!([logical]));
    }

    let mut props = Map::new();
    if let Some(p) = pkg {
        props.insert("packageType".into(), p.kind.as_str().into());
        props.insert("purl".into(), p.purl.clone().into());
        props.insert("installedVersion".into(), p.version.clone().into());
    }
    props.insert("fixedVersions".into(), json!(f.fixed));
    if !f.aliases.is_empty() {
        props.insert("aliases".into(), json!(f.aliases));
    }
    if !f.risk.is_empty() {
        props.insert("risk".into(), f.risk.clone().into());
    }
    if let Some(e) = &f.epss {
        props.insert("epss".into(), json!(e));
    }
    if let Some(k) = &f.kev {
        props.insert("kev".into(), json!(k));
    }

    let mut r = Map::new();
    r.insert("ruleId".into(), f.id.clone().into());
    r.insert("ruleIndex".into(), rule_index.into());
    r.insert("level".into(), sarif_level(f.severity.level).into());
    r.insert("message".into(), json!({ "text": text }));
    if !location.is_empty() {
        r.insert("locations".into(), json!([location]));
    }
    if let Some(s) = suppression {
        r.insert(
            "suppressions".into(),
            json!([{
                "kind": "external",
                "justification": s.reason,
                "properties": { "by": s.by, "source": s.source },
            }]),
        );
    }
    r.insert("properties".into(), Value::Object(props));
    Value::Object(r)
}

/// A path as a relative artifact URI: leading `/` and `./` dropped, percent-encoded; `None` when nothing is left.
pub(crate) fn relative_uri(path: &str) -> Option<String> {
    let mut p = path.trim_start_matches('/');
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.trim_start_matches('/');
    }
    (!p.is_empty()).then(|| utf8_percent_encode(p, URI_PATH).to_string())
}

/// The run's rule for a group of results: the index of its id in `rules`, adding it (via `make`)
/// the first time; the rule keeps the worst `level` seen (`make` is re-run for a worse one).
pub(crate) struct RuleSet<'a, T> {
    /// Rule id → position in `rules`.
    index: HashMap<&'a str, usize>,
    /// The first (then worst) item and its level, per rule, in order of first appearance.
    pub(crate) rules: Vec<(&'a T, Level)>,
}

impl<'a, T> RuleSet<'a, T> {
    /// An empty set.
    pub(crate) fn new() -> Self {
        RuleSet { index: HashMap::new(), rules: Vec::new() }
    }

    /// Records `item` under `id`; returns the rule's position in this set.
    pub(crate) fn add(&mut self, id: &'a str, item: &'a T, level: Level) -> usize {
        match self.index.get(id).copied() {
            Some(i) => {
                if let Some(rule) = self.rules.get_mut(i).filter(|r| level > r.1) {
                    *rule = (item, level);
                }
                i
            }
            None => {
                self.index.insert(id, self.rules.len());
                self.rules.push((item, level));
                self.rules.len() - 1
            }
        }
    }
}

/// Whether `s` can be a SARIF `helpUri`: an absolute http(s) URL without spaces or characters a URI may not hold.
pub(crate) fn is_web_uri(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() > "https://".len()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control() || !c.is_ascii() || "\"<>\\^`{|}".contains(c))
}

pub(crate) fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_maps_to_level_and_github_score() {
        let cases = [
            (Level::Critical, None, "error", Some("9.5")),
            (Level::High, Some(7.54), "error", Some("7.5")),
            (Level::Medium, None, "warning", Some("5.5")),
            (Level::Low, Some(f64::NAN), "note", Some("2.0")),
            (Level::Negligible, None, "note", Some("0.0")),
            (Level::Unknown, None, "note", None),
            (Level::Unknown, Some(9.8), "note", Some("9.8")),
        ];
        for (level, score, want_level, want_score) in cases {
            assert_eq!(sarif_level(level), want_level);
            assert_eq!(security_severity(level, score).as_deref(), want_score, "{level} {score:?}");
        }
    }

    #[test]
    fn paths_become_relative_uris() {
        let cases = [
            ("/app/config/.env", Some("app/config/.env")),
            ("./k8s/deployment.yaml", Some("k8s/deployment.yaml")),
            ("Dockerfile", Some("Dockerfile")),
            ("/a b/c+d", Some("a%20b/c%2Bd")),
            ("/", None),
            ("", None),
        ];
        for (path, want) in cases {
            assert_eq!(relative_uri(path).as_deref(), want, "{path}");
        }
    }

    #[test]
    fn only_absolute_web_urls_are_help_uris() {
        assert!(is_web_uri("https://docs.docker.com/reference/dockerfile/#user"));
        assert!(is_web_uri("http://example.org/a?b=c"));
        assert!(!is_web_uri("docs/policy.md"));
        assert!(!is_web_uri("https://"));
        assert!(!is_web_uri("https://x.org/a b"));
        assert!(!is_web_uri("https://x.org/é"));
    }

    #[test]
    fn rule_sets_keep_first_order_and_worst_level() {
        let (a, b, c) = ("a", "b", "c");
        let mut set = RuleSet::new();
        assert_eq!(set.add("x", &a, Level::Low), 0);
        assert_eq!(set.add("y", &b, Level::High), 1);
        assert_eq!(set.add("x", &c, Level::Critical), 0);
        assert_eq!(set.add("x", &b, Level::Medium), 0);
        let got: Vec<(&str, Level)> = set.rules.iter().map(|(s, l)| (**s, *l)).collect();
        assert_eq!(got, [("c", Level::Critical), ("b", Level::High)]);
    }

    #[test]
    fn advisory_urls_encode_odd_ids() {
        assert_eq!(advisory_url("CVE-2024-2961"), "https://osv.dev/vulnerability/CVE-2024-2961");
        assert_eq!(advisory_url("ALSA-2022:6224"), "https://osv.dev/vulnerability/ALSA-2022%3A6224");
        assert_eq!(advisory_url("a/b c"), "https://osv.dev/vulnerability/a%2Fb%20c");
    }
}
