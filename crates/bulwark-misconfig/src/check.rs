//! The one check engine: built-in checks are data (metadata + a function over a typed input);
//! every check, built-in or Rego, ends as a [`Misconfiguration`].

use bulwark_types::{ConfigKind, Framework, LayerRef, Level, Mapping, Misconfiguration};

/// What a check says about itself: id, title, severity, remediation and framework mappings.
#[derive(Debug, Clone, Copy)]
pub struct CheckMeta {
    /// Stable id, e.g. `BW-DF-006`.
    pub id: &'static str,
    /// Short title, e.g. `Base image pinned to "latest"`.
    pub title: &'static str,
    /// Severity of a failure.
    pub severity: Level,
    /// What it looks for and why it matters.
    pub description: &'static str,
    /// How to fix a failure.
    pub remediation: &'static str,
    /// Framework controls it maps to.
    pub mappings: &'static [(Framework, &'static str)],
    /// Documentation links.
    pub references: &'static [&'static str],
}

/// One place where a check failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hit {
    /// What exactly is wrong here.
    pub message: String,
    /// The object inside the target (Kubernetes object and container, Dockerfile stage).
    pub resource: Option<String>,
    /// For image checks: the file's path inside the image.
    pub path: Option<String>,
    /// For image checks: the layer (1-based index) that holds the file.
    pub layer: Option<usize>,
    /// First line (1-based), when the input has lines.
    pub start_line: Option<u32>,
    /// Last line (1-based).
    pub end_line: Option<u32>,
}

impl Hit {
    /// A hit with only a message.
    pub fn new(message: impl Into<String>) -> Hit {
        Hit { message: message.into(), ..Hit::default() }
    }

    /// Sets the line span.
    pub fn lines(mut self, start: u32, end: u32) -> Hit {
        self.start_line = Some(start);
        self.end_line = Some(end);
        self
    }

    /// Sets the resource.
    pub fn resource(mut self, resource: impl Into<String>) -> Hit {
        self.resource = Some(resource.into());
        self
    }
}

/// A built-in check over input `I`: its metadata and the function that finds failures.
pub struct Check<I: ?Sized> {
    /// Metadata.
    pub meta: CheckMeta,
    /// Returns one hit per failure; empty when the input passes.
    pub run: fn(&I) -> Vec<Hit>,
}

/// Where a set of checks runs: the kind of input, the target's name, and the image's layers (for image checks).
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// What is checked.
    pub kind: ConfigKind,
    /// File path or image reference.
    pub name: &'a str,
    /// Layers of the image, bottom first (empty for files).
    pub layers: &'a [LayerRef],
}

/// Turns a check's metadata and one hit into a finding.
pub fn finding(meta: &CheckMeta, hit: Hit, target: &Target<'_>, source: &str) -> Misconfiguration {
    Misconfiguration {
        check_id: meta.id.to_string(),
        title: meta.title.to_string(),
        severity: meta.severity,
        description: meta.description.to_string(),
        remediation: meta.remediation.to_string(),
        message: hit.message,
        kind: target.kind,
        target: target.name.to_string(),
        resource: hit.resource,
        path: hit.path,
        layer: hit.layer.and_then(|i| target.layers.iter().find(|l| l.index == i).cloned()),
        start_line: hit.start_line,
        end_line: hit.end_line,
        mappings: meta
            .mappings
            .iter()
            .map(|(framework, control)| Mapping { framework: *framework, control: control.to_string() })
            .collect(),
        references: meta.references.iter().map(|r| r.to_string()).collect(),
        source: source.to_string(),
    }
}

/// Runs every check of a table on one input.
pub fn run_checks<I: ?Sized>(checks: &[Check<I>], input: &I, target: &Target<'_>) -> Vec<Misconfiguration> {
    let mut out = Vec::new();
    for check in checks {
        for hit in (check.run)(input) {
            out.push(finding(&check.meta, hit, target, "builtin"));
        }
    }
    out
}
