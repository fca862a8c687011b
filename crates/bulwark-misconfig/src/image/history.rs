//! Checks on the build history (`created_by` of each step): `ADD` where `COPY` serves, update alone.
//!
//! Messages name the history entry and never echo a `RUN` command: classic builders record
//! build arguments there (`|1 TOKEN=… /bin/sh -c …`), and those may be secrets.

use super::{FileKind, ImageInput};
use crate::check::Hit;

/// Most characters of an `ADD` instruction quoted in a message.
const MAX_QUOTE: usize = 120;

/// A history step reduced to the instruction that produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Instruction<'a> {
    /// `RUN`: the shell script.
    Run(&'a str),
    /// `ADD`: its arguments.
    Add(&'a str),
    /// Anything else (or a step a non-Dockerfile tool described in free text).
    Other,
}

/// Reads a `created_by` line in the forms Docker's classic builder (`/bin/sh -c #(nop) ADD …`,
/// `|1 A=b /bin/sh -c cmd`), BuildKit (`RUN /bin/sh -c cmd # buildkit`, `ADD src dest # buildkit`)
/// and Podman/Buildah write.
pub(crate) fn instruction(created_by: &str) -> Instruction<'_> {
    let line = created_by.trim();
    let line = line.strip_suffix("# buildkit").map(str::trim_end).unwrap_or(line);
    if let Some(i) = line.find("#(nop)") {
        let rest = line.get(i + "#(nop)".len()..).unwrap_or("").trim_start();
        return keyword(rest);
    }
    if let Some(rest) = line.strip_prefix("RUN ") {
        let rest = rest.trim_start();
        return Instruction::Run(shell_script(rest).unwrap_or(rest));
    }
    if let Some(script) = shell_script(line) {
        return Instruction::Run(script);
    }
    keyword(line)
}

/// The script after `/bin/sh -c ` (or another `sh -c`), if the line runs a shell.
fn shell_script(line: &str) -> Option<&str> {
    ["/bin/sh -c ", "/bin/bash -c ", "sh -c "]
        .iter()
        .find_map(|shell| line.find(shell).and_then(|i| line.get(i + shell.len()..)))
}

/// Classifies a Dockerfile instruction by its keyword.
fn keyword(text: &str) -> Instruction<'_> {
    match text.split_once(char::is_whitespace) {
        Some((word, rest)) if word.eq_ignore_ascii_case("ADD") => Instruction::Add(rest.trim()),
        Some((word, rest)) if word.eq_ignore_ascii_case("RUN") => Instruction::Run(rest.trim()),
        _ => Instruction::Other,
    }
}

/// Each history entry with its index and the 1-based layer it produced (none for empty layers).
fn steps<'a>(input: &ImageInput<'a>) -> Vec<(usize, Option<usize>, &'a str)> {
    let mut layer = 0;
    let mut out = Vec::new();
    for (i, h) in input.config.history.iter().enumerate() {
        let produced = if h.empty_layer {
            None
        } else {
            layer += 1;
            Some(layer)
        };
        out.push((i, produced, h.created_by.as_deref().unwrap_or("")));
    }
    out
}

/// Source names `ADD` unpacks (Docker extracts local tar archives, compressed or not).
const ARCHIVE_SUFFIXES: &[&str] =
    &[".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".tzst"];

/// Whether an `ADD` source is fetched rather than copied (URL or git repository).
fn is_remote(source: &str) -> bool {
    source.contains("://") || source.starts_with("git@")
}

/// Whether an `ADD` source name is an archive Docker extracts.
fn is_archive(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    ARCHIVE_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

/// Sources and destination of a BuildKit-style `ADD` (flags dropped; JSON array form read).
fn add_operands(args: &str) -> Vec<String> {
    let args = args.trim();
    if args.starts_with('[') {
        if let Ok(list) = serde_json::from_str::<Vec<String>>(args) {
            return list;
        }
    }
    args.split_whitespace().filter(|t| !t.starts_with("--")).map(str::to_string).collect()
}

/// Regular files and links the layer contributes to the final image.
fn layer_file_count(input: &ImageInput<'_>, layer: usize) -> usize {
    input.files.iter().filter(|f| f.layer == layer && f.kind != FileKind::Dir).count()
}

/// Shortens an instruction for a message.
fn quote(text: &str) -> String {
    if text.chars().count() <= MAX_QUOTE {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX_QUOTE).collect();
    format!("{cut}…")
}

/// Why an `ADD` step could have been a `COPY`, or `None` when `ADD` was needed (URL, archive).
fn add_where_copy_serves(args: &str, layer: Option<usize>, input: &ImageInput<'_>) -> Option<&'static str> {
    let words: Vec<&str> = args.split_whitespace().collect();
    // Classic builder: `file:<hash> in <dest>`, `dir:<hash> in <dest>`, `multi:<hash> in <dest>`.
    if let [source, "in", ..] = words.as_slice() {
        if source.starts_with("dir:") {
            return Some("adds a local directory");
        }
        if source.starts_with("file:") || source.starts_with("multi:") {
            // An extracted archive leaves many files; a copied file leaves one.
            let extracted = layer.is_some_and(|l| layer_file_count(input, l) > 1);
            return (!extracted).then_some("adds a local file that was not an archive to extract");
        }
        if is_remote(source) {
            return None;
        }
    }
    let operands = add_operands(args);
    let sources = operands.split_last().map(|(_, s)| s).unwrap_or(&[]);
    if sources.is_empty() || sources.iter().any(|s| is_remote(s) || is_archive(s)) {
        return None;
    }
    Some("adds local files that are not archives")
}

/// BW-IMG-003: `ADD` where `COPY` serves.
pub(crate) fn add_instead_of_copy(input: &ImageInput<'_>) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (i, layer, created_by) in steps(input) {
        let Instruction::Add(args) = instruction(created_by) else { continue };
        if let Some(why) = add_where_copy_serves(args, layer, input) {
            hits.push(Hit {
                resource: Some(format!("history[{i}]")),
                layer,
                ..Hit::new(format!("history[{i}] `ADD {}` {why}; COPY does the same", quote(args)))
            })
        }
    }
    hits
}

/// Package managers whose index update must share a step with an install.
const MANAGERS: &[(&str, &[&str], &[&str])] = &[
    (
        "apt-get",
        &["apt-get", "apt", "aptitude"],
        &["install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "reinstall"],
    ),
    ("apk", &["apk"], &["add", "upgrade"]),
];

/// The commands of a shell script as token lists (split at `&&`, `||`, `;`, `|`, `&` and newlines).
fn commands(script: &str) -> Vec<Vec<&str>> {
    script
        .split(['&', '|', ';', '\n'])
        .map(|c| c.split_whitespace().map(|t| t.trim_matches(|ch| ch == '"' || ch == '\'')).collect::<Vec<_>>())
        .filter(|c: &Vec<&str>| !c.is_empty())
        .collect()
}

/// Whether a command runs one of `programs` with one of `verbs` after it.
fn runs(command: &[&str], programs: &[&str], verbs: &[&str]) -> bool {
    let Some(at) = command.iter().position(|t| programs.contains(&t.rsplit('/').next().unwrap_or(t))) else {
        return false;
    };
    command.iter().skip(at + 1).any(|t| verbs.contains(t))
}

/// BW-IMG-004: a `RUN` updates the package index without installing in the same step.
pub(crate) fn update_alone(input: &ImageInput<'_>) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (i, layer, created_by) in steps(input) {
        let Instruction::Run(script) = instruction(created_by) else { continue };
        let commands = commands(script);
        for (name, programs, installs) in MANAGERS {
            let updates = commands.iter().any(|c| runs(c, programs, &["update"]));
            let installs = commands.iter().any(|c| runs(c, programs, installs));
            if updates && !installs {
                hits.push(Hit {
                    resource: Some(format!("history[{i}]")),
                    layer,
                    ..Hit::new(format!(
                        "history[{i}] RUN runs `{name} update` without installing anything in the same step"
                    ))
                });
            }
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_created_by_forms() {
        let cases: &[(&str, Instruction<'_>)] = &[
            ("/bin/sh -c #(nop) ADD file:0eae in / ", Instruction::Add("file:0eae in /")),
            ("/bin/sh -c #(nop)  CMD [\"bash\"]", Instruction::Other),
            ("/bin/sh -c apt-get update", Instruction::Run("apt-get update")),
            ("|1 TOKEN=x /bin/sh -c make", Instruction::Run("make")),
            ("RUN /bin/sh -c apt-get update # buildkit", Instruction::Run("apt-get update")),
            ("RUN apt-get update", Instruction::Run("apt-get update")),
            ("ADD app.tar.gz /srv/ # buildkit", Instruction::Add("app.tar.gz /srv/")),
            ("COPY a /b # buildkit", Instruction::Other),
            ("debootstrap --variant=minbase bookworm", Instruction::Other),
        ];
        for (line, want) in cases {
            assert_eq!(&instruction(line), want, "{line:?}");
        }
    }

    #[test]
    fn finds_update_without_install() {
        let alone = |s: &str| {
            let c = commands(s);
            c.iter().any(|c| runs(c, &["apt-get", "apt"], &["update"]))
                && !c.iter().any(|c| runs(c, &["apt-get", "apt"], &["install", "upgrade"]))
        };
        assert!(alone("apt-get update"));
        assert!(alone("apt-get -qq update; echo done"));
        assert!(alone("/usr/bin/apt-get update && apt-get clean"));
        assert!(!alone("apt-get update && apt-get install -y curl"));
        assert!(!alone("apt-get update && DEBIAN_FRONTEND=noninteractive apt-get -y upgrade"));
        assert!(!alone("apt-get install update-notifier"));
        assert!(!alone("echo nothing"));
    }

    #[test]
    fn odd_add_forms_never_panic_and_need_a_local_source() {
        let config = bulwark_image::ImageConfig::default();
        let input = ImageInput { config: &config, files: &[], packages: &[], shadow: None };
        let cases: &[(&str, bool)] = &[
            ("file:abc in /x", true),
            ("dir:abc in /x", true),
            ("https://example.com/a.sh /usr/local/bin/", false),
            ("--chown=1:1 app.tgz /srv", false),
            ("[\"conf.ini\", \"/etc/conf.ini\"]", true),
            ("[\"a\"]", false),
            ("[broken", false),
            ("in", false),
            ("é in ü", true),
            ("", false),
        ];
        for (args, reported) in cases {
            assert_eq!(add_where_copy_serves(args, Some(1), &input).is_some(), *reported, "{args:?}");
        }
        let long = format!("ADD {} /x", "é".repeat(500));
        let Instruction::Add(args) = instruction(&long) else { panic!("ADD") };
        assert!(quote(args).chars().count() <= MAX_QUOTE + 1);
        assert_eq!(instruction("#(nop)"), Instruction::Other);
        assert_eq!(instruction("/bin/sh -c #(nop) ADD"), Instruction::Other);
    }
}
