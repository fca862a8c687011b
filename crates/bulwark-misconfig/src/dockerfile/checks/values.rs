//! Checks on instruction values: ADD sources, EXPOSE ports, secrets in ENV/ARG, and parse warnings.

use super::{at, listed};
use crate::check::Hit;
use crate::dockerfile::parser::{Dockerfile, Instruction};
use crate::dockerfile::words::is_variable_reference;

/// Archive suffixes ADD unpacks (so ADD is the right tool for them).
const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tb2", ".tar.xz", ".txz", ".tar.zst", ".tzst", ".gz",
    ".bz2", ".xz", ".lz", ".lzma", ".tlz", ".zst", ".z",
];

/// Whether an ADD source is a remote URL (http, https, git).
fn is_url(source: &str) -> bool {
    source.contains("://") || source.starts_with("git@")
}

/// The sources of an ADD/COPY (all arguments but the destination; heredoc markers excluded).
fn sources(instruction: &Instruction) -> &[String] {
    match instruction.args.split_last() {
        Some((_, sources)) => sources,
        None => &[],
    }
}

/// BW-DF-015 (DL3020): ADD of local files or directories that are not archives.
pub fn add_local(dockerfile: &Dockerfile) -> Vec<Hit> {
    dockerfile
        .instructions
        .iter()
        .filter(|i| i.is("ADD"))
        .filter_map(|instruction| {
            let local: Vec<&str> = sources(instruction)
                .iter()
                .map(String::as_str)
                .filter(|s| {
                    let lower = s.to_ascii_lowercase();
                    !is_url(s)
                        && !s.starts_with("<<")
                        && !s.contains('$')
                        && !ARCHIVES.iter().any(|a| lower.ends_with(a))
                })
                .collect();
            (!local.is_empty())
                .then(|| at(dockerfile, instruction, format!("ADD of local {} (use COPY)", listed(&local))))
        })
        .collect()
}

/// BW-DF-033: ADD of a remote URL without `--checksum`.
pub fn add_url(dockerfile: &Dockerfile) -> Vec<Hit> {
    dockerfile
        .instructions
        .iter()
        .filter(|i| i.is("ADD") && i.flag("checksum").is_none())
        .filter_map(|instruction| {
            let urls: Vec<&str> = sources(instruction).iter().map(String::as_str).filter(|s| is_url(s)).collect();
            (!urls.is_empty())
                .then(|| at(dockerfile, instruction, format!("ADD downloads {} unverified", listed(&urls))))
        })
        .collect()
}

/// A port spec's port range and protocol: `8000-8010/udp` → (8000, 8010, "udp"). `None` when not numbers.
fn port_range(spec: &str) -> Option<(u32, u32, &str)> {
    let (ports, protocol) = spec.split_once('/').unwrap_or((spec, "tcp"));
    let (low, high) = ports.split_once('-').unwrap_or((ports, ports));
    Some((low.parse().ok()?, high.parse().ok()?, protocol))
}

/// The EXPOSE port specs of the file, with their instruction, variables skipped.
fn exposed(dockerfile: &Dockerfile) -> impl Iterator<Item = (&Instruction, &str)> {
    dockerfile
        .instructions
        .iter()
        .filter(|i| i.is("EXPOSE"))
        .flat_map(|i| i.args.iter().map(move |a| (i, a.as_str())))
        .filter(|(_, spec)| !spec.contains('$'))
}

/// BW-DF-024 (DL3011): EXPOSE of a port outside 0–65535 or an unknown protocol.
pub fn invalid_port(dockerfile: &Dockerfile) -> Vec<Hit> {
    exposed(dockerfile)
        .filter(|(_, spec)| match port_range(spec) {
            Some((low, high, protocol)) => {
                high > 65535 || low > high || !["tcp", "udp", "sctp"].contains(&protocol.to_ascii_lowercase().as_str())
            }
            None => true,
        })
        .map(|(instruction, spec)| at(dockerfile, instruction, format!("EXPOSE {spec} is not a valid port")))
        .collect()
}

/// BW-DF-031: EXPOSE of port 22 (alone or in a range).
pub fn ssh_port(dockerfile: &Dockerfile) -> Vec<Hit> {
    exposed(dockerfile)
        .filter(|(_, spec)| port_range(spec).is_some_and(|(low, high, _)| (low..=high).contains(&22)))
        .map(|(instruction, spec)| at(dockerfile, instruction, format!("EXPOSE {spec} exposes SSH")))
        .collect()
}

/// Name parts that mark a secret.
const SECRET_WORDS: &[&str] =
    &["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "API_KEY", "PRIVATE_KEY"];
/// Name parts that mark a public or non-secret value (GPG key fingerprints, file paths, …).
const NOT_SECRET: &[&str] = &["GPG", "PGP", "PUBLIC", "PUBKEY"];
/// Name suffixes that point at a secret rather than hold it.
const POINTER_SUFFIXES: &[&str] =
    &["_FILE", "_PATH", "_DIR", "_URL", "_URI", "_HOST", "_PORT", "_NAME", "_USER", "_ID"];

/// Whether an ENV/ARG name says its value is a secret.
fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let secret = SECRET_WORDS.iter().any(|w| upper.contains(w)) || upper.ends_with("_KEY") || upper == "KEY";
    secret && !NOT_SECRET.iter().any(|w| upper.contains(w)) && !POINTER_SUFFIXES.iter().any(|s| upper.ends_with(s))
}

/// BW-DF-032 (CIS 4.10, DL3064): ENV/ARG with a secret-looking name and a literal value (the value is not shown).
pub fn secret_value(dockerfile: &Dockerfile) -> Vec<Hit> {
    let mut hits = Vec::new();
    for instruction in dockerfile.instructions.iter().filter(|i| i.is("ENV") || i.is("ARG")) {
        for (name, value) in instruction.pairs(dockerfile.escape) {
            let Some(value) = value else { continue };
            let literal = !value.is_empty()
                && !is_variable_reference(&value)
                && !matches!(value.to_ascii_lowercase().as_str(), "true" | "false" | "yes" | "no" | "0" | "1");
            if literal && secret_name(&name) {
                hits.push(at(
                    dockerfile,
                    instruction,
                    format!("{} {name} is set to a literal value", instruction.keyword),
                ));
            }
        }
    }
    hits
}

/// BW-DF-036 (DL3064): ARG with a secret-looking name and no default: the value given with `--build-arg`
/// is recorded in the image history of every RUN that follows.
pub fn secret_build_arg(dockerfile: &Dockerfile) -> Vec<Hit> {
    let mut hits = Vec::new();
    for instruction in dockerfile.instructions.iter().filter(|i| i.is("ARG")) {
        for (name, value) in instruction.pairs(dockerfile.escape) {
            if value.is_none() && secret_name(&name) {
                hits.push(at(dockerfile, instruction, format!("ARG {name} takes a secret as a build argument")));
            }
        }
    }
    hits
}

/// BW-DF-035: the parser's warnings, one hit each.
pub fn syntax_warnings(dockerfile: &Dockerfile) -> Vec<Hit> {
    dockerfile.warnings.iter().map(|w| Hit::new(w.message.clone()).lines(w.line, w.line)).collect()
}
