//! Checks on the commands a `RUN` executes: cd, sudo, pipefail, interactive tools, lone index updates,
//! and remote scripts piped into a shell.

use super::{at, each_run, runs};
use crate::check::Hit;
use crate::dockerfile::parser::Dockerfile;
use crate::dockerfile::shell::{basename, sets_pipefail, Script, SimpleCommand, SHELLS};

/// BW-DF-003 (DL3003): `cd` in RUN.
pub fn cd(dockerfile: &Dockerfile) -> Vec<Hit> {
    each_run(dockerfile, |command| match command.program() {
        Some(("cd", args)) => Some(format!("cd {}", args.join(" "))),
        _ => None,
    })
}

/// BW-DF-004 (DL3004): `sudo` in RUN.
pub fn sudo(dockerfile: &Dockerfile) -> Vec<Hit> {
    each_run(dockerfile, |command| {
        let first = command.words.first()?;
        (basename(first) == "sudo").then(|| format!("sudo {}", command.words.get(1..).unwrap_or(&[]).join(" ")))
    })
}

/// Commands that make no sense in an image build (Hadolint's DL3001 list).
const POINTLESS: &[&str] = &["free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim", "ifconfig"];

/// BW-DF-027 (DL3001): ssh, vim, shutdown, service, ps, … in RUN.
pub fn pointless_command(dockerfile: &Dockerfile) -> Vec<Hit> {
    each_run(dockerfile, |command| {
        let (program, _) = command.program()?;
        POINTLESS.contains(&program).then(|| format!("runs {program}"))
    })
}

/// BW-DF-023 (DL4006): a pipe in a RUN when neither SHELL, the shell's options nor the script set pipefail.
pub fn pipe_without_pipefail(dockerfile: &Dockerfile) -> Vec<Hit> {
    let mut hits = Vec::new();
    for stage in &dockerfile.stages {
        let mut shell_pipefail = false;
        let mut posix_shell = true;
        for instruction in dockerfile.stage_instructions(stage) {
            if instruction.is("SHELL") {
                let program = instruction.args.first().map_or("", |p| basename(p));
                posix_shell = SHELLS.contains(&program);
                shell_pipefail = sets_pipefail(&instruction.args);
                continue;
            }
            // Exec form runs no SHELL: only an explicit `sh -c` inside it can pipe.
            if !instruction.is("RUN") || (!instruction.json && (shell_pipefail || !posix_shell)) {
                continue;
            }
            let script = Script::of_run(instruction);
            let mut pipefail = false;
            for command in &script.commands {
                if command.runs("set") || command.program().is_some_and(|(p, _)| SHELLS.contains(&p)) {
                    pipefail |= command.program().is_some_and(|(_, args)| sets_pipefail(args));
                }
                if command.piped_out && !pipefail {
                    let program = command.program().map_or("", |(p, _)| p);
                    hits.push(at(dockerfile, instruction, format!("pipe from {program} without pipefail")));
                    break;
                }
            }
        }
    }
    hits
}

/// Whether a command refreshes a package index (`apt-get update`, `apk update`, `dnf makecache`, …).
fn updates_index(command: &SimpleCommand) -> bool {
    let Some((program, args)) = command.program() else { return false };
    let sub = args.iter().find(|a| !a.starts_with('-')).map_or("", String::as_str);
    matches!(
        (program, sub),
        ("apt-get" | "apt", "update")
            | ("apk", "update")
            | ("yum" | "dnf" | "microdnf", "makecache")
            | ("zypper", "refresh" | "ref")
    )
}

/// Whether a command installs or upgrades packages.
fn installs(command: &SimpleCommand) -> bool {
    let Some((program, args)) = command.program() else { return false };
    let sub = args.iter().find(|a| !a.starts_with('-')).map_or("", String::as_str);
    match program {
        "apt-get" | "apt" => {
            matches!(
                sub,
                "install" | "upgrade" | "dist-upgrade" | "full-upgrade" | "build-dep" | "reinstall" | "source"
            )
        }
        "apk" => matches!(sub, "add" | "upgrade" | "fix"),
        "yum" | "dnf" | "microdnf" => matches!(sub, "install" | "update" | "upgrade" | "groupinstall" | "reinstall"),
        "zypper" => matches!(sub, "install" | "in" | "update" | "up" | "dist-upgrade" | "dup" | "patch"),
        _ => false,
    }
}

/// BW-DF-030 (CIS 4.7): a RUN refreshes a package index but installs nothing.
pub fn update_alone(dockerfile: &Dockerfile) -> Vec<Hit> {
    runs(dockerfile)
        .filter(|(_, script)| script.commands.iter().any(updates_index) && !script.commands.iter().any(installs))
        .map(|(instruction, script)| {
            let update =
                script.commands.iter().find(|c| updates_index(c)).map(|c| c.words.join(" ")).unwrap_or_default();
            at(dockerfile, instruction, format!("{update} in a RUN that installs nothing"))
        })
        .collect()
}

/// Programs that run a script read from stdin or a substitution.
fn interpreter(program: &str) -> bool {
    SHELLS.contains(&program)
        || matches!(program, "perl" | "ruby" | "node" | "php" | "source" | ".")
        || program.strip_prefix("python").is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Whether a word is a command or process substitution that downloads with curl or wget.
fn downloads(word: &str) -> bool {
    let inner = word
        .strip_prefix("$(")
        .or_else(|| word.strip_prefix("<("))
        .and_then(|w| w.strip_suffix(')'))
        .or_else(|| word.strip_prefix('`').and_then(|w| w.strip_suffix('`')));
    inner.is_some_and(|inner| {
        let script = Script::parse(inner);
        script.runs("curl") || script.runs("wget")
    })
}

/// BW-DF-034: `curl … | sh`, `wget -O- … | bash`, `bash -c "$(curl …)"`, `sh <(curl …)`.
pub fn curl_pipe_shell(dockerfile: &Dockerfile) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (instruction, script) in runs(dockerfile) {
        let commands = &script.commands;
        let piped = commands.iter().enumerate().find_map(|(i, fetch)| {
            let (from, _) = fetch.program()?;
            if !matches!(from, "curl" | "wget") || !fetch.piped_out {
                return None;
            }
            let to = commands
                .iter()
                .skip(i + 1)
                .take_while(|c| c.pipeline == fetch.pipeline)
                .filter_map(SimpleCommand::program)
                .find(|(p, _)| interpreter(p))?;
            Some(format!("{from} output piped into {}", to.0))
        });
        let substituted = commands.iter().find_map(|c| {
            let (program, args) = c.program()?;
            (interpreter(program) && args.iter().any(|a| downloads(a)))
                .then(|| format!("{program} runs a downloaded script"))
        });
        if let Some(message) = piped.or(substituted) {
            hits.push(at(dockerfile, instruction, message));
        }
    }
    hits
}
