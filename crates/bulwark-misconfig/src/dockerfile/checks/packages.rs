//! Package-manager hygiene in `RUN`: apt-get, apk, pip and npm — pinning, prompts, caches and lists.

use super::{at, each_run, listed, runs};
use crate::check::Hit;
use crate::dockerfile::parser::{Dockerfile, Instruction};
use crate::dockerfile::shell::{Script, SimpleCommand};

/// A package-manager command line split into options, option values and operands.
#[derive(Debug, Default)]
struct Cli<'a> {
    /// Options as written (`-y`, `--no-cache`, `-o`).
    options: Vec<&'a str>,
    /// Values of options that take one (`-o APT::Install-Recommends=false` → the value).
    values: Vec<&'a str>,
    /// Everything else, subcommand first.
    operands: Vec<&'a str>,
}

impl<'a> Cli<'a> {
    /// Splits `args`; options in `with_value` consume the next word.
    fn parse(args: &'a [String], with_value: &[&str]) -> Cli<'a> {
        let mut cli = Cli::default();
        let mut words = args.iter().map(String::as_str);
        let mut only_operands = false;
        while let Some(word) = words.next() {
            if only_operands || !word.starts_with('-') || word.len() < 2 {
                cli.operands.push(word);
            } else if word == "--" {
                only_operands = true;
            } else {
                cli.options.push(word);
                if with_value.contains(&word) {
                    if let Some(value) = words.next() {
                        cli.values.push(value);
                    }
                } else if let Some((_, value)) = word.split_once('=') {
                    cli.values.push(value);
                }
            }
        }
        cli
    }

    /// The subcommand (first operand).
    fn subcommand(&self) -> Option<&'a str> {
        self.operands.first().copied()
    }

    /// The operands after the subcommand.
    fn packages(&self) -> &[&'a str] {
        self.operands.get(1..).unwrap_or(&[])
    }

    /// Whether an option in `names` was given.
    fn has(&self, names: &[&str]) -> bool {
        self.options.iter().any(|o| names.contains(o))
    }
}

/// apt-get/apt options that take a value.
const APT_VALUE_OPTIONS: &[&str] = &["-o", "-c", "-t", "-a", "--option", "--config-file", "--target-release"];

/// An `apt-get`/`apt` command: (program, parsed command line).
fn apt(command: &SimpleCommand) -> Option<(&str, Cli<'_>)> {
    let (program, args) = command.program()?;
    matches!(program, "apt-get" | "apt").then(|| (program, Cli::parse(args, APT_VALUE_OPTIONS)))
}

/// An `apt-get install` (or `apt install`).
fn apt_install(command: &SimpleCommand) -> Option<(&str, Cli<'_>)> {
    apt(command).filter(|(_, cli)| cli.subcommand() == Some("install"))
}

/// Whether an operand cannot be judged or needs no pin: a variable, a path, a URL.
fn unjudgeable(package: &str) -> bool {
    package.starts_with('$') || package.starts_with('.') || package.starts_with('/') || package.contains("://")
}

/// BW-DF-007 (DL3008): apt-get install of packages without `=version`.
pub fn apt_unpinned(dockerfile: &Dockerfile) -> Vec<Hit> {
    each_run(dockerfile, |command| {
        let (program, cli) = apt_install(command)?;
        let unpinned: Vec<&str> = cli
            .packages()
            .iter()
            .copied()
            .filter(|p| !p.contains('=') && !p.ends_with(".deb") && !unjudgeable(p))
            .collect();
        (!unpinned.is_empty()).then(|| format!("{program} install without versions: {}", listed(&unpinned)))
    })
}

/// BW-DF-010 (DL3014): apt-get install without `-y`.
pub fn apt_no_yes(dockerfile: &Dockerfile) -> Vec<Hit> {
    each_run(dockerfile, |command| {
        let (program, cli) = apt_install(command)?;
        let short_yes = cli.options.iter().any(|o| !o.starts_with("--") && o.contains('y') && !o.contains('='));
        let quiet_twice = cli.options.iter().filter(|o| **o == "-q").count() >= 2;
        let yes = short_yes
            || quiet_twice
            || cli.has(&["--yes", "--assume-yes", "-qq", "-q=2", "--quiet=2", "--force-yes"])
            || cli.values.iter().any(|v| v.to_ascii_lowercase().starts_with("apt::get::assume-yes=true"));
        (!yes).then(|| format!("{program} install without -y"))
    })
}

/// BW-DF-011 (DL3015): apt-get install without `--no-install-recommends`.
pub fn apt_recommends(dockerfile: &Dockerfile) -> Vec<Hit> {
    each_run(dockerfile, |command| {
        let (program, cli) = apt_install(command)?;
        let off = cli.has(&["--no-install-recommends"])
            || cli.values.iter().any(|v| {
                let v = v.to_ascii_lowercase();
                v.starts_with("apt::install-recommends=") && (v.ends_with("=false") || v.ends_with("=0"))
            });
        (!off).then(|| format!("{program} install without --no-install-recommends"))
    })
}

/// BW-DF-018 (DL3027): `apt` instead of `apt-get`.
pub fn apt_not_apt_get(dockerfile: &Dockerfile) -> Vec<Hit> {
    each_run(dockerfile, |command| {
        let (program, cli) = apt(command)?;
        (program == "apt").then(|| format!("apt {} (use apt-get)", cli.subcommand().unwrap_or("")))
    })
}

/// Whether a `RUN --mount=type=cache` targets a path under `prefix`.
fn cache_mount(instruction: &Instruction, prefix: &str) -> bool {
    instruction.flags.iter().filter(|f| f.name == "mount").filter_map(|f| f.value.as_deref()).any(|mount| {
        let fields: Vec<(&str, &str)> = mount.split(',').filter_map(|kv| kv.split_once('=')).collect();
        let cache = fields.iter().any(|(k, v)| *k == "type" && *v == "cache");
        let target = fields.iter().find(|(k, _)| matches!(*k, "target" | "dst" | "destination")).map(|(_, v)| *v);
        cache && target.is_some_and(|t| t.starts_with(prefix) || prefix.starts_with(t.trim_end_matches('/')))
    })
}

/// Whether the script removes something under `prefix` with `rm`.
fn removes(script: &Script, prefix: &str) -> bool {
    script.commands.iter().any(|c| match c.program() {
        Some(("rm", args)) => args.iter().any(|a| a.starts_with(prefix)),
        _ => false,
    })
}

/// BW-DF-008 (DL3009): `apt-get update` in a stage of the final image without removing `/var/lib/apt/lists`.
pub fn apt_lists_kept(dockerfile: &Dockerfile) -> Vec<Hit> {
    let chain: Vec<usize> = dockerfile.final_chain().iter().map(|s| s.index).collect();
    runs(dockerfile)
        .filter(|(instruction, _)| instruction.stage.is_some_and(|s| chain.contains(&s)))
        .filter(|(instruction, script)| {
            let updates =
                script.commands.iter().any(|c| apt(c).is_some_and(|(_, cli)| cli.subcommand() == Some("update")));
            updates && !removes(script, "/var/lib/apt/lists") && !cache_mount(instruction, "/var/lib/apt/lists")
        })
        .map(|(instruction, _)| {
            at(dockerfile, instruction, "apt-get update without rm -rf /var/lib/apt/lists/*".into())
        })
        .collect()
}

/// apk options that take a value.
const APK_VALUE_OPTIONS: &[&str] = &[
    "-t",
    "--virtual",
    "-X",
    "--repository",
    "-p",
    "--root",
    "--arch",
    "--keys-dir",
    "--repositories-file",
    "--cache-dir",
];

/// An `apk add`.
fn apk_add(command: &SimpleCommand) -> Option<Cli<'_>> {
    let (program, args) = command.program()?;
    let cli = Cli::parse(args, APK_VALUE_OPTIONS);
    (program == "apk" && cli.subcommand() == Some("add")).then_some(cli)
}

/// BW-DF-013 (DL3018): apk add of packages without `=version`.
pub fn apk_unpinned(dockerfile: &Dockerfile) -> Vec<Hit> {
    each_run(dockerfile, |command| {
        let cli = apk_add(command)?;
        let unpinned: Vec<&str> = cli
            .packages()
            .iter()
            .copied()
            .filter(|p| !p.contains(['=', '~', '<', '>']) && !p.ends_with(".apk") && !unjudgeable(p))
            .collect();
        (!unpinned.is_empty()).then(|| format!("apk add without versions: {}", listed(&unpinned)))
    })
}

/// BW-DF-014 (DL3019): apk add without `--no-cache` (a cache mount or removing /var/cache/apk also passes).
pub fn apk_cache(dockerfile: &Dockerfile) -> Vec<Hit> {
    runs(dockerfile)
        .filter(|(instruction, script)| {
            script.commands.iter().any(|c| apk_add(c).is_some_and(|cli| !cli.has(&["--no-cache"])))
                && !removes(script, "/var/cache/apk")
                && !cache_mount(instruction, "/var/cache/apk")
                && !cache_mount(instruction, "/etc/apk/cache")
        })
        .map(|(instruction, _)| at(dockerfile, instruction, "apk add without --no-cache".into()))
        .collect()
}

/// pip options that take a value.
const PIP_VALUE_OPTIONS: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "--src",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--upgrade-strategy",
    "--cache-dir",
    "--log",
    "--proxy",
    "--retries",
    "--timeout",
    "--exists-action",
    "--cert",
    "--client-cert",
    "--only-binary",
    "--no-binary",
    "--progress-bar",
    "--config-settings",
    "-C",
];

/// A `pip install` (`pip`, `pip3`, `pip3.12`, `python3 -m pip`), as its parsed command line.
fn pip_install(command: &SimpleCommand) -> Option<Cli<'_>> {
    let (program, args) = command.program()?;
    let is_pip = program.strip_prefix("pip").is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'));
    let is_python = program.strip_prefix("python").is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'));
    let args = if is_pip {
        args
    } else if is_python {
        match args {
            [m, pip, rest @ ..] if m == "-m" && pip == "pip" => rest,
            _ => return None,
        }
    } else {
        return None;
    };
    let cli = Cli::parse(args, PIP_VALUE_OPTIONS);
    (cli.subcommand() == Some("install")).then_some(cli)
}

/// BW-DF-009 (DL3013): pip install of packages without a version specifier.
pub fn pip_unpinned(dockerfile: &Dockerfile) -> Vec<Hit> {
    each_run(dockerfile, |command| {
        let cli = pip_install(command)?;
        let unpinned: Vec<&str> = cli
            .packages()
            .iter()
            .copied()
            .filter(|p| {
                !p.contains(['=', '<', '>', '@', '~'])
                    && !unjudgeable(p)
                    && ![".whl", ".tar.gz", ".zip"].iter().any(|e| p.ends_with(e))
            })
            .collect();
        (!unpinned.is_empty()).then(|| format!("pip install without versions: {}", listed(&unpinned)))
    })
}

/// BW-DF-019 (DL3042): pip install without `--no-cache-dir` (`PIP_NO_CACHE_DIR` or a cache mount also pass).
pub fn pip_cache(dockerfile: &Dockerfile) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (instruction, script) in runs(dockerfile) {
        if cache_mount(instruction, "/root/.cache") || env_before(dockerfile, instruction, "PIP_NO_CACHE_DIR") {
            continue;
        }
        let offending = script.commands.iter().any(|c| {
            pip_install(c).is_some_and(|cli| !cli.has(&["--no-cache-dir"]))
                && !c.assignments.iter().any(|(k, _)| k == "PIP_NO_CACHE_DIR")
        });
        if offending {
            hits.push(at(dockerfile, instruction, "pip install without --no-cache-dir".into()));
        }
    }
    hits
}

/// Whether an `ENV` or `ARG` before `instruction` in its stage (or a global `ARG`) sets `name`.
fn env_before(dockerfile: &Dockerfile, instruction: &Instruction, name: &str) -> bool {
    dockerfile
        .instructions
        .iter()
        .take_while(|i| !std::ptr::eq(*i, instruction))
        .filter(|i| i.stage == instruction.stage && (i.is("ENV") || i.is("ARG")))
        .any(|i| i.pairs(dockerfile.escape).iter().any(|(k, _)| k == name))
}

/// npm options that take a value.
const NPM_VALUE_OPTIONS: &[&str] = &["--prefix", "--registry", "--cache", "-w", "--workspace", "--userconfig", "--tag"];

/// BW-DF-012 (DL3016): npm install of packages without `@version`.
pub fn npm_unpinned(dockerfile: &Dockerfile) -> Vec<Hit> {
    each_run(dockerfile, |command| {
        let (program, args) = command.program()?;
        let cli = Cli::parse(args, NPM_VALUE_OPTIONS);
        if program != "npm" || !matches!(cli.subcommand(), Some("install" | "i" | "add" | "in" | "isntall")) {
            return None;
        }
        let unpinned: Vec<&str> = cli.packages().iter().copied().filter(|p| !npm_pinned(p)).collect();
        (!unpinned.is_empty()).then(|| format!("npm install without versions: {}", listed(&unpinned)))
    })
}

/// Whether an npm install operand names a version, tag, commit, tarball or local path.
fn npm_pinned(spec: &str) -> bool {
    if unjudgeable(spec) || spec.ends_with(".tgz") || spec.ends_with(".tar.gz") {
        return true;
    }
    if spec.starts_with("git") || spec.contains(':') {
        return spec.contains('#');
    }
    let name_end = if spec.starts_with('@') { spec.find('/').unwrap_or(spec.len()) } else { 0 };
    spec.get(name_end..).is_some_and(|rest| rest.contains('@'))
}
