//! Turned-off verification: package signatures (apt, yum/dnf/tdnf/microdnf, zypper, rpm, apk) and TLS
//! certificates (curl, wget, pip, npm/yarn/pnpm, git, apt/yum/apk options, environment variables). Read from
//! the commands a `RUN` executes, the configuration files it or a `COPY <<EOF` writes (see [`written`]), and
//! `ENV`/`ARG` values.

use super::written::{self, Written};
use super::{at, runs};
use crate::check::Hit;
use crate::dockerfile::parser::{Dockerfile, Instruction};
use crate::dockerfile::shell::{basename, Script, SimpleCommand};

/// What kind of verification a finding turns off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Signatures of packages or repository metadata.
    Signature,
    /// TLS certificates of download servers.
    Tls,
}

/// One finding inside an instruction: its kind and what exactly was written.
pub type Found = (Kind, String);

/// BW-DF-037: a `RUN` (or `COPY <<EOF`) that turns off package signature checks.
pub fn signatures_off(dockerfile: &Dockerfile) -> Vec<Hit> {
    hits(dockerfile, Kind::Signature, false)
}

/// BW-DF-038: a `RUN`, `COPY <<EOF` or `ARG` default that turns off TLS certificate checks during the build.
pub fn tls_off_at_build(dockerfile: &Dockerfile) -> Vec<Hit> {
    hits(dockerfile, Kind::Tls, true)
}

/// BW-DF-039: an `ENV` that turns off TLS certificate checks for every later build step and the running
/// container.
pub fn tls_off_in_env(dockerfile: &Dockerfile) -> Vec<Hit> {
    let mut out = Vec::new();
    for instruction in &dockerfile.instructions {
        let inner = instruction.onbuild.as_deref().unwrap_or(instruction);
        if !inner.is("ENV") {
            continue;
        }
        let found: Vec<Found> = inner
            .pairs(dockerfile.escape)
            .iter()
            .filter_map(|(name, value)| env_setting(name, value.as_deref()?))
            .map(|why| (Kind::Tls, format!("ENV {why}")))
            .collect();
        push_hit(&mut out, dockerfile, instruction, &found, Kind::Tls);
    }
    out
}

/// One hit per instruction with findings of `kind`: `RUN`s, `COPY`/`ADD` heredocs and, when `with_args`,
/// `ARG` defaults.
fn hits(dockerfile: &Dockerfile, kind: Kind, with_args: bool) -> Vec<Hit> {
    let mut out = Vec::new();
    let mut scripts = runs(dockerfile).peekable();
    for instruction in &dockerfile.instructions {
        let inner = instruction.onbuild.as_deref().unwrap_or(instruction);
        let found = if scripts.peek().is_some_and(|(i, _)| std::ptr::eq(*i, instruction)) {
            scripts.next().map(|(_, script)| in_run(inner, &script)).unwrap_or_default()
        } else if inner.is("COPY") || inner.is("ADD") {
            written::by_copy(inner).iter().flat_map(in_file).collect()
        } else if with_args && inner.is("ARG") {
            inner
                .pairs(dockerfile.escape)
                .iter()
                .filter_map(|(name, value)| env_setting(name, value.as_deref()?))
                .map(|why| (Kind::Tls, format!("ARG {why}")))
                .collect()
        } else {
            Vec::new()
        };
        push_hit(&mut out, dockerfile, instruction, &found, kind);
    }
    out
}

/// Adds one hit for the findings of `kind` (messages deduplicated, in order), if there are any.
fn push_hit(out: &mut Vec<Hit>, dockerfile: &Dockerfile, instruction: &Instruction, found: &[Found], kind: Kind) {
    let mut messages: Vec<&str> = Vec::new();
    for (k, message) in found {
        if *k == kind && !messages.contains(&message.as_str()) {
            messages.push(message);
        }
    }
    if !messages.is_empty() {
        out.push(at(dockerfile, instruction, messages.join("; ")));
    }
}

/// Everything one `RUN` does that turns verification off.
fn in_run(instruction: &Instruction, script: &Script) -> Vec<Found> {
    let mut found: Vec<Found> = Vec::new();
    for command in &script.commands {
        found.extend(in_command(command));
        for (name, value) in assignments(command) {
            if let Some(why) = env_setting(name, value) {
                found.push((Kind::Tls, format!("RUN sets {why}")));
            }
        }
    }
    for file in written::by_run(instruction, script) {
        found.extend(in_file(&file));
    }
    found
}

/// `NAME=value` pairs a command sets: leading assignments, and the words of `export`, `env`, `declare -x`.
fn assignments(command: &SimpleCommand) -> Vec<(&str, &str)> {
    let mut out: Vec<(&str, &str)> = command.assignments.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let setter = command.words.first().map(|w| basename(w));
    if matches!(setter, Some("export" | "env" | "declare" | "typeset" | "readonly")) {
        let words = command.words.iter().skip(1).take_while(|w| w.starts_with('-') || w.contains('='));
        out.extend(words.filter_map(|w| w.split_once('=')));
    }
    out
}

/// Environment variables that turn TLS verification off; `Some(description)` when `value` does.
pub fn env_setting(name: &str, value: &str) -> Option<String> {
    let upper = name.to_ascii_uppercase();
    let literal = !value.trim_start().starts_with('$');
    let off = match upper.as_str() {
        // Python's urllib / http.client (PEP 493 builds): 0 turns certificate checks off.
        "PYTHONHTTPSVERIFY" => value.trim() == "0",
        // Node.js: 0 accepts any certificate.
        "NODE_TLS_REJECT_UNAUTHORIZED" => value.trim() == "0",
        // git: any value at all, even an empty one, turns checks off.
        "GIT_SSL_NO_VERIFY" => true,
        // pip: every listed host is trusted without a valid certificate.
        "PIP_TRUSTED_HOST" | "GOINSECURE" => literal && !value.trim().is_empty(),
        // npm (case-insensitive `npm_config_*`) and Yarn 2+.
        "NPM_CONFIG_STRICT_SSL" | "YARN_ENABLE_STRICT_SSL" => falsy(value),
        _ => false,
    };
    off.then(|| if upper == "GIT_SSL_NO_VERIFY" { name.to_string() } else { format!("{name}={}", value.trim()) })
}

/// Whether a configuration value means "off" (`0`, `false`, `no`, `off`, `disable`, `without`).
pub fn falsy(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'').to_ascii_lowercase();
    matches!(v.as_str(), "0" | "false" | "no" | "off" | "disable" | "without")
}

/// Whether a configuration value means "on" (`1`, `true`, `yes`, `on`, `enable`, `with`).
pub fn truthy(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'').to_ascii_lowercase();
    matches!(v.as_str(), "1" | "true" | "yes" | "on" | "enable" | "with")
}

/// The findings in a file a build step writes.
fn in_file(file: &Written) -> Vec<Found> {
    written::settings(file)
}

/// The program a command runs and its arguments, looking through `busybox`.
fn program(command: &SimpleCommand) -> Option<(&str, &[String])> {
    match command.program()? {
        ("busybox", [applet, rest @ ..]) => Some((basename(applet), rest)),
        other => Some(other),
    }
}

/// The verification a command turns off, by program.
pub fn in_command(command: &SimpleCommand) -> Vec<Found> {
    let Some((name, args)) = program(command) else { return Vec::new() };
    match name {
        "apt-get" | "apt" | "aptitude" => apt(name, args),
        "yum" | "dnf" | "dnf5" | "tdnf" | "microdnf" | "yum-config-manager" => yum(name, args),
        "zypper" => zypper(args),
        "rpm" => rpm(args),
        "apk" => apk(args),
        "add-apt-repository" => args
            .iter()
            .filter(|a| written::trusted_source(a))
            .map(|_| (Kind::Signature, "add-apt-repository of a [trusted=yes] source".to_string()))
            .collect(),
        "curl" => curl(args),
        "wget" => wget(args),
        "git" => git(args),
        "npm" | "yarn" | "pnpm" => node(name, args),
        "uv" => pip("uv", args),
        _ if is_versioned(name, "pip") => pip(name, args),
        _ if is_versioned(name, "python") => match args {
            [m, module, rest @ ..] if m == "-m" && module == "pip" => pip("pip", rest),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// Whether `name` is `base` with an optional version (`pip3`, `python3.12`).
fn is_versioned(name: &str, base: &str) -> bool {
    name.strip_prefix(base).is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// The value of an option written `--name=value`, `--name value`, or (short) `-nvalue` / `-n value`.
fn option_values<'a>(args: &'a [String], names: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        for name in names {
            if word == name {
                if let Some(value) = words.clone().next() {
                    out.push(value.as_str());
                }
            } else if let Some(rest) = word.strip_prefix(name) {
                let attached = if name.starts_with("--") { rest.strip_prefix('=') } else { Some(rest) };
                out.extend(attached);
            }
        }
    }
    out
}

/// apt-get, apt, aptitude: `--allow-unauthenticated`, `--force-yes`, `--allow-insecure-repositories`, and
/// `-o` settings.
fn apt(name: &str, args: &[String]) -> Vec<Found> {
    let mut found: Vec<Found> = args
        .iter()
        .filter(|a| matches!(a.as_str(), "--allow-unauthenticated" | "--force-yes" | "--allow-insecure-repositories"))
        .map(|a| (Kind::Signature, format!("{name} {a}")))
        .collect();
    for setting in option_values(args, &["-o", "--option"]) {
        if let Some((key, value)) = setting.split_once('=') {
            found.extend(apt_setting(key, value).map(|(kind, what)| (kind, format!("{name} -o {what}"))));
        }
    }
    found
}

/// An apt configuration setting that turns verification off, as `Key=value`.
pub fn apt_setting(key: &str, value: &str) -> Option<Found> {
    let k = key.trim().to_ascii_lowercase();
    let signature = matches!(
        k.as_str(),
        "apt::get::allowunauthenticated"
            | "apt::get::force-yes"
            | "acquire::allowinsecurerepositories"
            | "acquire::allowdowngradetoinsecurerepositories"
    );
    let tls = k.starts_with("acquire::https::") && (k.ends_with("::verify-peer") || k.ends_with("::verify-host"));
    let what = format!("{}={}", key.trim(), value.trim());
    if signature && truthy(value) {
        Some((Kind::Signature, what))
    } else if tls && falsy(value) {
        Some((Kind::Tls, what))
    } else {
        None
    }
}

/// A yum/dnf/zypper repository option that turns verification off (`gpgcheck=0`, `*.sslverify=false`).
pub fn repo_setting(key: &str, value: &str) -> Option<Found> {
    let last = key.trim().rsplit('.').next().unwrap_or(key).to_ascii_lowercase();
    let what = format!("{}={}", key.trim(), value.trim());
    match last.as_str() {
        "gpgcheck" | "pkg_gpgcheck" if falsy(value) => Some((Kind::Signature, what)),
        "sslverify" if falsy(value) => Some((Kind::Tls, what)),
        _ => None,
    }
}

/// yum, dnf, tdnf, microdnf, yum-config-manager: `--nogpgcheck` and `--setopt` / `setopt` settings.
fn yum(name: &str, args: &[String]) -> Vec<Found> {
    let mut found: Vec<Found> =
        args.iter().filter(|a| *a == "--nogpgcheck").map(|a| (Kind::Signature, format!("{name} {a}"))).collect();
    let mut settings = option_values(args, &["--setopt"]);
    // dnf5: `dnf config-manager setopt repo.gpgcheck=0`.
    if let Some(pos) = args.iter().position(|a| a == "setopt") {
        settings.extend(args.iter().skip(pos + 1).filter(|a| !a.starts_with('-')).map(String::as_str));
    }
    for setting in settings {
        if let Some((key, value)) = setting.split_once('=') {
            found.extend(repo_setting(key, value).map(|(kind, what)| (kind, format!("{name} --setopt={what}"))));
        }
    }
    found
}

/// zypper: `--no-gpg-checks` anywhere; `-G` / `--no-gpgcheck` when adding a repository.
fn zypper(args: &[String]) -> Vec<Found> {
    let adds = args.iter().find(|a| !a.starts_with('-')).is_some_and(|s| matches!(s.as_str(), "ar" | "addrepo"));
    args.iter()
        .filter(|a| *a == "--no-gpg-checks" || (adds && matches!(a.as_str(), "-G" | "--no-gpgcheck")))
        .map(|a| (Kind::Signature, format!("zypper {a}")))
        .collect()
}

/// rpm installing, upgrading or checking packages with `--nosignature`, `--nodigest`, `--nogpgcheck`,
/// `--noverify` or `--nofiledigest` (queries with those options are left alone).
fn rpm(args: &[String]) -> Vec<Found> {
    let installs = args.iter().any(|a| {
        matches!(a.as_str(), "--install" | "--upgrade" | "--freshen" | "--reinstall" | "--checksig")
            || (a.starts_with('-') && !a.starts_with("--") && matches!(a.chars().nth(1), Some('i' | 'U' | 'F' | 'K')))
    });
    if !installs {
        return Vec::new();
    }
    args.iter()
        .filter(|a| {
            matches!(a.as_str(), "--nosignature" | "--nodigest" | "--nogpgcheck" | "--noverify" | "--nofiledigest")
        })
        .map(|a| (Kind::Signature, format!("rpm {a}")))
        .collect()
}

/// apk: `--allow-untrusted` (signatures) and `--no-check-certificate` (TLS).
fn apk(args: &[String]) -> Vec<Found> {
    args.iter()
        .filter_map(|a| match a.as_str() {
            "--allow-untrusted" => Some((Kind::Signature, format!("apk {a}"))),
            "--no-check-certificate" => Some((Kind::Tls, format!("apk {a}"))),
            _ => None,
        })
        .collect()
}

/// curl short options that take a value: in a cluster (`-fsSLo file`) the rest is that value.
const CURL_SHORT_WITH_VALUE: &str = "AbcCdDeEFHKmoPQrtTuUwxXyYz";
/// curl long options that take a value (the next word).
const CURL_LONG_WITH_VALUE: &[&str] = &[
    "--output",
    "--header",
    "--user",
    "--data",
    "--data-raw",
    "--data-binary",
    "--data-urlencode",
    "--url",
    "--user-agent",
    "--referer",
    "--cert",
    "--key",
    "--cacert",
    "--capath",
    "--config",
    "--connect-timeout",
    "--max-time",
    "--retry",
    "--retry-delay",
    "--retry-max-time",
    "--proxy",
    "--request",
    "--write-out",
    "--form",
    "--cookie",
    "--cookie-jar",
    "--upload-file",
    "--range",
    "--continue-at",
    "--dump-header",
    "--limit-rate",
    "--resolve",
    "--connect-to",
    "--interface",
    "--unix-socket",
    "--output-dir",
    "--proto",
    "--proto-redir",
    "--json",
    "--oauth2-bearer",
    "--pinnedpubkey",
];

/// curl: `-k` (alone or in a cluster such as `-fsSLk`), `--insecure`, `--proxy-insecure`, `--doh-insecure`.
/// `-K file` is a config file, not `-k`.
fn curl(args: &[String]) -> Vec<Found> {
    let mut found = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        if matches!(word.as_str(), "--insecure" | "--proxy-insecure" | "--doh-insecure") {
            found.push((Kind::Tls, format!("curl {word}")));
        } else if CURL_LONG_WITH_VALUE.contains(&word.as_str()) {
            words.next();
        } else if let Some(cluster) = word.strip_prefix('-').filter(|c| !c.starts_with('-') && !c.is_empty()) {
            for c in cluster.chars() {
                if c == 'k' {
                    found.push((Kind::Tls, format!("curl {word}")));
                    break;
                }
                if CURL_SHORT_WITH_VALUE.contains(c) {
                    if cluster.ends_with(c) {
                        words.next();
                    }
                    break;
                }
            }
        }
    }
    found
}

/// wget: `--no-check-certificate`, `--check-certificate=off`, and `-e check_certificate=off`.
fn wget(args: &[String]) -> Vec<Found> {
    let mut found: Vec<Found> = args
        .iter()
        .filter(|a| {
            *a == "--no-check-certificate"
                || a.strip_prefix("--check-certificate=").is_some_and(|v| falsy(v) || v == "quiet")
        })
        .map(|a| (Kind::Tls, format!("wget {a}")))
        .collect();
    for command in option_values(args, &["-e", "--execute"]) {
        if let Some((key, value)) = command.split_once('=') {
            if written::wgetrc_setting(key, value) {
                found.push((Kind::Tls, format!("wget -e {command}")));
            }
        }
    }
    found
}

/// Whether a git configuration key is `http.sslVerify` (or `http.<url>.sslVerify`).
fn git_ssl_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("http.") && k.ends_with(".sslverify")
}

/// Whether a git boolean value is false (`false`, `no`, `off`, `0`, or empty).
fn git_false(value: &str) -> bool {
    value.trim().is_empty() || falsy(value)
}

/// git: `-c http.sslVerify=false` (also `--config` of `git clone`) and `git config http.sslVerify false`.
fn git(args: &[String]) -> Vec<Found> {
    let mut found = Vec::new();
    for setting in option_values(args, &["-c", "--config"]) {
        if let Some((key, value)) = setting.split_once('=') {
            if git_ssl_key(key) && git_false(value) {
                found.push((Kind::Tls, format!("git -c {setting}")));
            }
        }
    }
    let Some(pos) = args.iter().position(|a| a == "config") else { return found };
    let mut rest = args.iter().skip(pos + 1).filter(|a| !a.starts_with('-'));
    let mut key = rest.next();
    if key.is_some_and(|k| k == "set") {
        key = rest.next();
    }
    if let (Some(key), Some(value)) = (key, rest.next()) {
        if git_ssl_key(key) && git_false(value) {
            found.push((Kind::Tls, format!("git config {key} {value}")));
        }
    }
    found
}

/// npm, yarn, pnpm: `config set strict-ssl false` (and `set`, `c set`, `strict-ssl=false`, Yarn 2's
/// `enableStrictSsl false`), and `--strict-ssl=false` / `--no-strict-ssl` on any command.
fn node(name: &str, args: &[String]) -> Vec<Found> {
    let mut found: Vec<Found> = Vec::new();
    let mut words = args.iter().peekable();
    while let Some(word) = words.next() {
        let off = word == "--no-strict-ssl"
            || word.strip_prefix("--strict-ssl=").is_some_and(falsy)
            || (word == "--strict-ssl" && words.peek().is_some_and(|v| falsy(v)));
        if off {
            found.push((Kind::Tls, format!("{name} {word}")));
        }
    }
    let operands: Vec<&str> = args.iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect();
    let setting = match operands.as_slice() {
        ["config" | "c", "set", rest @ ..] | ["set", rest @ ..] => rest,
        _ => &[],
    };
    let (key, value) = match setting {
        [pair] => pair.split_once('=').unwrap_or((pair, "")),
        [key, value, ..] => key.split_once('=').map_or((*key, *value), |(k, v)| (k, v)),
        [] => ("", ""),
    };
    if matches!(key.to_ascii_lowercase().as_str(), "strict-ssl" | "enablestrictssl") && falsy(value) {
        found.push((Kind::Tls, format!("{name} config set {key} {value}")));
    }
    found
}

/// pip (and uv): `--trusted-host`, uv's `--allow-insecure-host`, and `pip config set global.trusted-host`.
fn pip(name: &str, args: &[String]) -> Vec<Found> {
    let mut found: Vec<Found> = args
        .iter()
        .filter(|a| {
            ["--trusted-host", "--allow-insecure-host"]
                .iter()
                .any(|o| *a == o || a.strip_prefix(o).is_some_and(|r| r.starts_with('=')))
        })
        .map(|a| (Kind::Tls, format!("{name} {}", a.split('=').next().unwrap_or(a))))
        .collect();
    let operands: Vec<&str> = args.iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect();
    if let ["config", "set", key, ..] = operands.as_slice() {
        let key = key.split('=').next().unwrap_or(key);
        if key.to_ascii_lowercase().ends_with(".trusted-host") {
            found.push((Kind::Tls, format!("{name} config set {key}")));
        }
    }
    found
}
