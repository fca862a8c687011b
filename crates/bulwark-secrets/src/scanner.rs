//! The scanner: one keyword automaton over all rules, then each triggered rule's regex.

use crate::claimed::Claimed;
use crate::config::{SecretConfig, DEFAULT_MAX_FILE_SIZE};
use crate::rule::{Allow, Rule};
use crate::text::{entropy, is_binary, kept_prefix, redact_line, Span, Spans};
use crate::{Error, Scan, SecretMatch};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use bulwark_types::Level;
use std::collections::{HashMap, HashSet};

/// The embedded built-in rule set.
const BUILTIN: &str = include_str!("rules.yaml");

/// Name of the built-in rule set in error messages.
pub const BUILTIN_SOURCE: &str = "bulwark-secrets/src/rules.yaml (built in)";

/// At most this many matches of one rule are kept per file (bounds memory on pathological input);
/// a rule that matches more is named in [`Scan::capped`], and the other rules still run.
pub const MAX_MATCHES_PER_RULE: usize = 1000;

/// Why a file was not scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// Larger than the configured bound.
    TooLarge {
        /// Size of the data in bytes.
        size: u64,
        /// The bound.
        limit: u64,
    },
    /// Looks binary (NUL bytes or mostly invalid UTF-8 in the first 8 KiB).
    Binary,
    /// A path allow rule covers it.
    Allowed {
        /// Id of the allow rule.
        rule: String,
    },
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::TooLarge { size, limit } => write!(f, "{size} bytes, over the {limit}-byte secret-scan bound"),
            Skip::Binary => f.write_str("binary content"),
            Skip::Allowed { rule } => write!(f, "allowed by {rule}"),
        }
    }
}

/// The secret scanner: compiled rules, allow rules and the keyword prefilter.
#[derive(Debug, Clone)]
pub struct Scanner {
    rules: Vec<Rule>,
    allows: Vec<Allow>,
    prefilter: Option<AhoCorasick>,
    keyword_rules: Vec<Vec<usize>>,
    unkeyed: Vec<usize>,
    max_file_size: u64,
    example_values: HashSet<String>,
}

/// A match before overlap resolution.
struct Candidate {
    rule: usize,
    start: usize,
    end: usize,
    secret: Span,
    value: String,
    /// Dropped by an allow rule: still claims its span against generic rules, never reported.
    allowed: bool,
}

impl Scanner {
    /// The scanner with the built-in rules and allow rules only.
    pub fn builtin() -> Result<Scanner, Error> {
        Scanner::from_config(&SecretConfig::default())
    }

    /// The built-in rule set as a configuration (for listing rules and documentation).
    pub fn builtin_config() -> Result<SecretConfig, Error> {
        SecretConfig::from_yaml(BUILTIN_SOURCE, BUILTIN)
    }

    /// The built-in rules plus a user configuration: added or replaced rules and allow rules,
    /// disabled ids, the file-size bound. Custom rules' examples and negatives are checked.
    pub fn from_config(config: &SecretConfig) -> Result<Scanner, Error> {
        let base = Scanner::builtin_config()?;
        let file = if config.source.is_empty() { "secret config" } else { config.source.as_str() };
        let mut rules: Vec<Rule> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (specs, source) in [(&base.rules, BUILTIN_SOURCE), (&config.rules, file)] {
            let mut seen = HashSet::new();
            for spec in specs {
                let rule = Rule::compile(spec, source)?;
                if !seen.insert(rule.id.clone()) {
                    return Err(Error::Rule {
                        file: source.into(),
                        rule: rule.id,
                        problem: "duplicate rule id".into(),
                    });
                }
                match index.get(&rule.id) {
                    Some(&i) => rules[i] = rule,
                    None => {
                        index.insert(rule.id.clone(), rules.len());
                        rules.push(rule);
                    }
                }
            }
        }
        let mut allows: Vec<Allow> = Vec::new();
        for (specs, source) in [(&base.allow_rules, BUILTIN_SOURCE), (&config.allow_rules, file)] {
            let mut seen = HashSet::new();
            for spec in specs {
                let allow = Allow::compile(spec, source)?;
                if !seen.insert(allow.id.clone()) {
                    return Err(Error::Rule {
                        file: source.into(),
                        rule: allow.id,
                        problem: "duplicate allow id".into(),
                    });
                }
                match allows.iter().position(|a| a.id == allow.id) {
                    Some(i) => allows[i] = allow,
                    None => allows.push(allow),
                }
            }
        }
        for id in &config.disable_rules {
            if !rules.iter().any(|r| &r.id == id) {
                return Err(Error::Rule {
                    file: file.into(),
                    rule: id.clone(),
                    problem: "disable-rules names an unknown rule".into(),
                });
            }
        }
        for id in &config.disable_allow_rules {
            if !allows.iter().any(|a| &a.id == id) {
                return Err(Error::Rule {
                    file: file.into(),
                    rule: id.clone(),
                    problem: "disable-allow-rules names an unknown allow rule".into(),
                });
            }
        }
        rules.retain(|r| !config.disable_rules.contains(&r.id));
        allows.retain(|a| !config.disable_allow_rules.contains(&a.id));
        let scanner = Scanner::assemble(
            rules,
            allows,
            config.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
            base.example_values.iter().chain(&config.example_values).cloned().collect(),
        )?;
        for spec in &config.rules {
            scanner.check_examples(&spec.id, file)?;
        }
        Ok(scanner)
    }

    /// Builds the keyword automaton and its rule table.
    fn assemble(
        rules: Vec<Rule>,
        allows: Vec<Allow>,
        max_file_size: u64,
        example_values: HashSet<String>,
    ) -> Result<Scanner, Error> {
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut unkeyed = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            if rule.keywords.is_empty() {
                unkeyed.push(i);
            }
            for k in &rule.keywords {
                match keywords.iter().position(|x| x == k) {
                    Some(p) => keyword_rules[p].push(i),
                    None => {
                        keywords.push(k.clone());
                        keyword_rules.push(vec![i]);
                    }
                }
            }
        }
        let prefilter = if keywords.is_empty() {
            None
        } else {
            let ac = AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&keywords)
                .map_err(|e| Error::Rule {
                    file: BUILTIN_SOURCE.into(),
                    rule: "(keywords)".into(),
                    problem: e.to_string(),
                })?;
            Some(ac)
        };
        Ok(Scanner { rules, allows, prefilter, keyword_rules, unkeyed, max_file_size, example_values })
    }

    /// Checks that rule `id` finds something in each of its examples and nothing in its negatives.
    pub fn check_examples(&self, id: &str, file: &str) -> Result<(), Error> {
        let Some(rule) = self.rules.iter().find(|r| r.id == id) else { return Ok(()) };
        let fail = |problem: String| Error::Rule { file: file.into(), rule: id.into(), problem };
        for (n, example) in rule.examples.iter().enumerate() {
            if !self.scan_example(example).iter().any(|m| m.rule_id == id) {
                return Err(fail(format!("example {} is not found by the rule", n + 1)));
            }
        }
        for (n, negative) in rule.negatives.iter().enumerate() {
            if self.scan_example(negative).iter().any(|m| m.rule_id == id) {
                return Err(fail(format!("negative {} is matched by the rule", n + 1)));
            }
        }
        Ok(())
    }

    /// The rules in evaluation order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The allow rules.
    pub fn allow_rules(&self) -> &[Allow] {
        &self.allows
    }

    /// Files larger than this many bytes are skipped.
    pub fn max_file_size(&self) -> u64 {
        self.max_file_size
    }

    /// Why `scan` would skip this file, if it would.
    pub fn skip_reason(&self, path: &str, data: &[u8]) -> Option<Skip> {
        let size = data.len() as u64;
        if size > self.max_file_size {
            return Some(Skip::TooLarge { size, limit: self.max_file_size });
        }
        if let Some(a) = self.allows.iter().find(|a| a.rules.is_empty() && a.allows_path(path)) {
            return Some(Skip::Allowed { rule: a.id.clone() });
        }
        if is_binary(data) {
            return Some(Skip::Binary);
        }
        None
    }

    /// Secrets in one file's bytes, ordered by line; nothing for skipped files (see [`Scanner::skip_reason`]).
    pub fn scan(&self, path: &str, data: &[u8]) -> Scan {
        if self.skip_reason(path, data).is_some() {
            return Scan::default();
        }
        self.run(path, data)
    }

    /// Secrets in image metadata text (an `Env` entry, a label, a history `created_by` line);
    /// `target` names it (`config.Env[1]`). No binary sniffing; the size bound and allow rules apply.
    pub fn scan_text(&self, target: &str, text: &str) -> Scan {
        if text.len() as u64 > self.max_file_size
            || self.allows.iter().any(|a| a.rules.is_empty() && a.allows_path(target))
        {
            return Scan::default();
        }
        self.run(target, text.as_bytes())
    }

    /// Scans a rule example or negative: like [`Scanner::scan_text`] with rule path filters ignored.
    pub fn scan_example(&self, text: &str) -> Vec<SecretMatch> {
        self.run_rules("example", text.as_bytes(), false).matches
    }

    /// Runs the triggered rules and resolves overlaps.
    fn run(&self, path: &str, data: &[u8]) -> Scan {
        self.run_rules(path, data, true)
    }

    /// Runs the triggered rules (honouring rule path filters or not) and resolves overlaps.
    fn run_rules(&self, path: &str, data: &[u8], paths: bool) -> Scan {
        let mut wanted = vec![false; self.rules.len()];
        for &i in &self.unkeyed {
            wanted[i] = true;
        }
        if let Some(ac) = &self.prefilter {
            for m in ac.find_overlapping_iter(data) {
                for &r in self.keyword_rules.get(m.pattern().as_usize()).map(Vec::as_slice).unwrap_or_default() {
                    wanted[r] = true;
                }
            }
        }
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut capped = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if !wanted[i] || (paths && !rule.applies_to(path)) {
                continue;
            }
            let path_allowed = self.path_allowed(path, &rule.id);
            let mut taken = 0;
            for caps in rule.regex.captures_iter(data) {
                let (Some(whole), Some(secret)) = (caps.get(0), caps.name("secret")) else { continue };
                if secret.is_empty() || rule.entropy.is_some_and(|min| entropy(secret.as_bytes()) < min) {
                    continue;
                }
                if taken == MAX_MATCHES_PER_RULE {
                    capped.push(rule.id.clone());
                    break;
                }
                taken += 1;
                let value = String::from_utf8_lossy(secret.as_bytes()).into_owned();
                let allowed = path_allowed || self.value_allowed(path, &rule.id, &value);
                let lead = whole.as_bytes().iter().take_while(|b| b.is_ascii_whitespace()).count();
                let keep = kept_prefix(rule.keep, secret.len());
                let span = Span { start: secret.start(), end: secret.end(), keep };
                let start = (whole.start() + lead).min(secret.start());
                candidates.push(Candidate {
                    rule: i,
                    start,
                    end: whole.end().max(secret.end()),
                    secret: span,
                    value,
                    allowed,
                });
            }
        }
        Scan { matches: self.resolve(data, candidates), capped }
    }

    /// Drops matches overlapped by an earlier specific rule, then numbers lines and redacts.
    fn resolve(&self, data: &[u8], candidates: Vec<Candidate>) -> Vec<SecretMatch> {
        let spans = Spans::new(candidates.iter().filter(|c| !c.allowed).map(|c| c.secret).collect());
        let mut order: Vec<usize> = (0..candidates.len()).collect();
        order
            .sort_by_key(|&i| (self.rules[candidates[i].rule].generic, candidates[i].rule, candidates[i].secret.start));
        // A specific rule owns its whole match (a generic rule may not report a key name inside it);
        // otherwise matches conflict only where their secret values overlap. Specific rules come
        // first in `order`, so when the first generic one comes, the specific matches kept so far
        // claim their whole spans.
        let mut kept: Vec<usize> = Vec::new();
        let mut claimed = Claimed::default();
        let mut generic_phase = false;
        for i in order {
            let c = &candidates[i];
            if self.rules[c.rule].generic && !generic_phase {
                generic_phase = true;
                for k in kept.iter().map(|&k| &candidates[k]) {
                    claimed.claim(k.start, k.end);
                }
            }
            if !claimed.overlaps(c.secret.start, c.secret.end) {
                claimed.claim(c.secret.start, c.secret.end);
                kept.push(i);
            }
        }
        kept.retain(|&i| !candidates[i].allowed);
        kept.sort_by_key(|&i| (candidates[i].start, candidates[i].rule));
        let mut line = 1usize;
        let mut counted = 0usize;
        let mut out = Vec::with_capacity(kept.len());
        for i in kept {
            let c = &candidates[i];
            let rule = &self.rules[c.rule];
            line += memchr::memchr_iter(b'\n', data.get(counted..c.start).unwrap_or_default()).count();
            counted = c.start.max(counted);
            let mut redacted = redact_line(data, c.start, c.secret.end, &spans);
            if c.value.len() >= 4 && redacted.contains(&c.value) {
                redacted = redacted.replace(&c.value, "****");
            }
            if !redacted.contains("****") {
                // The value starts on a later line (a PEM body after its BEGIN line).
                redacted.push_str(" ****");
            }
            let example = self.is_example(&c.value);
            out.push(SecretMatch {
                rule_id: rule.id.clone(),
                category: rule.category.clone(),
                title: rule.title.clone(),
                severity: if example { Level::Low } else { rule.severity },
                line: u32::try_from(line).unwrap_or(u32::MAX),
                redacted,
                example,
                secret: c.value.clone(),
            });
        }
        out
    }

    /// A documented example: a listed value, or one that says `example`.
    fn is_example(&self, value: &str) -> bool {
        self.example_values.contains(value) || value.to_ascii_lowercase().contains("example")
    }

    /// A path-only allow rule covers this rule at this path.
    fn path_allowed(&self, path: &str, rule: &str) -> bool {
        self.allows.iter().any(|a| !a.rules.is_empty() && a.covers(rule) && a.allows_path(path))
    }

    /// An allow rule with a value pattern drops this value.
    fn value_allowed(&self, path: &str, rule: &str, value: &str) -> bool {
        self.allows.iter().any(|a| a.covers(rule) && a.allows_value(path, value))
    }
}
