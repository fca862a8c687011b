//! Files a build step writes, and the settings in them that turn verification off: apt sources and
//! configuration, yum/dnf/zypper repository files, `pip.conf`, `.npmrc` / `.yarnrc`, gitconfig, wgetrc and
//! curlrc. A `RUN` writes with `echo`/`printf` redirected or piped into `tee`, with a heredoc fed to `cat` or
//! `tee`, or with `sed -i 's/…/…/'`; a `COPY <<EOF /path` writes the heredoc body.

use super::verify::{apt_setting, falsy, repo_setting, truthy, Found, Kind};
use crate::dockerfile::parser::{heredoc_markers, Instruction};
use crate::dockerfile::shell::{basename, dash_c_script, Script, SimpleCommand, SHELLS};

/// A file a build step writes: its path as written and the text written (for `sed`, the replacement text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The path, e.g. `/etc/apt/sources.list.d/x.list`.
    pub path: String,
    /// The text written to it.
    pub text: String,
}

/// Redirection operators that write a command's output to a file.
const WRITES: &[&str] = &[">", ">>", ">|", "&>", "&>>"];

/// Files the commands of one `RUN` write, with what they write.
pub fn by_run(instruction: &Instruction, script: &Script) -> Vec<Written> {
    let mut out = Vec::new();
    for (i, command) in script.commands.iter().enumerate() {
        let text = match command.program() {
            Some(("echo", args)) => Some(echoed(args)),
            Some(("printf", args)) => Some(unescape(&args.join(" "))),
            Some(("sed", args)) => {
                out.extend(sed_in_place(args));
                None
            }
            _ => None,
        };
        if let Some(text) = text {
            out.extend(destinations(script, i).into_iter().map(|path| Written { path, text: text.clone() }));
        }
    }
    for heredoc in &instruction.heredocs {
        let consumer = script
            .commands
            .iter()
            .position(|c| c.depth == 0 && c.redirects.iter().any(|r| r.is_heredoc() && r.target == heredoc.name));
        let program = consumer.and_then(|i| script.commands.get(i)).map(SimpleCommand::program);
        match (consumer, program) {
            (Some(i), Some(Some(("cat" | "tee", _)))) => {
                let files = destinations(script, i);
                out.extend(files.into_iter().map(|path| Written { path, text: heredoc.body.clone() }));
            }
            // A body a shell runs (`RUN <<EOF`, `RUN bash <<EOF`) can hold heredocs of its own.
            (_, program) if runs_body(program, &heredoc.body) => out.extend(nested(&heredoc.body)),
            _ => {}
        }
    }
    out
}

/// Whether a heredoc is run by a shell: fed to a shell without `-c`, or run on its own (`RUN <<EOF`) without
/// a shebang naming another interpreter. `program` is the consuming command's program (`Some(None)`: none).
fn runs_body(program: Option<Option<(&str, &[String])>>, body: &str) -> bool {
    match program {
        Some(None) => {
            body.lines().next().and_then(|l| l.strip_prefix("#!")).is_none_or(|shebang| {
                shebang.split(|c: char| c.is_whitespace() || c == '/').any(|w| SHELLS.contains(&w))
            })
        }
        Some(Some((p, args))) => SHELLS.contains(&p) && dash_c_script(args).is_none(),
        None => false,
    }
}

/// The files that heredocs inside a shell script write (`cat > /etc/x.repo <<'REPO'` … `REPO`); one level
/// deep, line by line.
fn nested(body: &str) -> Vec<Written> {
    let mut out = Vec::new();
    let mut lines = body.lines();
    while let Some(line) = lines.next() {
        for (name, chomp, _) in heredoc_markers(line) {
            let mut text = String::new();
            for inner in lines.by_ref() {
                let end = if chomp { inner.trim_start_matches('\t') } else { inner };
                if end == name {
                    break;
                }
                text.push_str(end);
                text.push('\n');
            }
            let script = Script::parse(line);
            let consumer =
                script.commands.iter().position(|c| c.redirects.iter().any(|r| r.is_heredoc() && r.target == name));
            let Some(i) = consumer else { continue };
            if let Some(("cat" | "tee", _)) = script.commands.get(i).and_then(SimpleCommand::program) {
                out.extend(destinations(&script, i).into_iter().map(|path| Written { path, text: text.clone() }));
            }
        }
    }
    out
}

/// Files a `COPY <<EOF /path` (or `ADD`) writes: each heredoc body to the destination (a directory
/// destination gets a file named after the heredoc).
pub fn by_copy(instruction: &Instruction) -> Vec<Written> {
    let Some(dest) = instruction.args.last().filter(|d| !d.starts_with("<<")) else { return Vec::new() };
    instruction
        .heredocs
        .iter()
        .map(|heredoc| {
            let path = if dest.ends_with('/') { format!("{dest}{}", heredoc.name) } else { dest.clone() };
            Written { path, text: heredoc.body.clone() }
        })
        .collect()
}

/// The text `echo` prints: its words after `-n`/`-e`/`-E` options, joined by spaces, `\n` and `\t` expanded.
fn echoed(args: &[String]) -> String {
    let is_option =
        |a: &&String| a.strip_prefix('-').is_some_and(|r| !r.is_empty() && r.chars().all(|c| "neE".contains(c)));
    let skip = args.iter().take_while(is_option).count();
    unescape(&args.get(skip..).unwrap_or(&[]).join(" "))
}

/// Expands the `\n` and `\t` escapes `echo -e` and `printf` expand.
fn unescape(text: &str) -> String {
    text.replace("\\n", "\n").replace("\\t", "\t")
}

/// The files command `i`'s output reaches: its own redirections, then every `tee` it is piped into.
fn destinations(script: &Script, i: usize) -> Vec<String> {
    let Some(first) = script.commands.get(i) else { return Vec::new() };
    let mut files = outputs(first);
    let mut piped = first.piped_out;
    for next in script.commands.iter().skip(i + 1).take_while(|c| c.pipeline == first.pipeline) {
        if !piped {
            break;
        }
        if let Some(("tee", args)) = next.program() {
            files.extend(args.iter().filter(|a| !a.starts_with('-')).cloned());
            files.extend(outputs(next));
        }
        piped = next.piped_out;
    }
    files.retain(|f| !f.starts_with("/dev/") && !f.is_empty());
    files
}

/// The files a command's redirections write.
fn outputs(command: &SimpleCommand) -> Vec<String> {
    command.redirects.iter().filter(|r| WRITES.contains(&r.op.as_str())).map(|r| r.target.clone()).collect()
}

/// `sed -i` edits: for each file, the replacement texts of the script's `s` commands.
fn sed_in_place(args: &[String]) -> Vec<Written> {
    let in_place = args.iter().any(|a| {
        a == "--in-place"
            || a.starts_with("--in-place=")
            || (a.starts_with('-') && !a.starts_with("--") && a.contains('i'))
    });
    if !in_place {
        return Vec::new();
    }
    let mut scripts: Vec<&str> = Vec::new();
    let mut operands: Vec<&str> = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        match word.as_str() {
            "-e" | "--expression" => scripts.extend(words.next().map(String::as_str)),
            w if w.starts_with("--expression=") => scripts.extend(w.strip_prefix("--expression=")),
            "-f" | "--file" => {
                words.next();
            }
            w if w.starts_with('-') && w.len() > 1 => {}
            w => operands.push(w),
        }
    }
    if scripts.is_empty() && !operands.is_empty() {
        scripts.push(operands.remove(0));
    }
    let text = scripts.iter().flat_map(|s| replacements(s)).collect::<Vec<_>>().join("\n");
    if text.is_empty() {
        return Vec::new();
    }
    operands.into_iter().map(|path| Written { path: path.to_string(), text: text.clone() }).collect()
}

/// The replacement parts of the `s<d>pattern<d>replacement<d>` commands of a sed script.
fn replacements(script: &str) -> Vec<String> {
    let chars: Vec<char> = script.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let starts = c == 's'
            && (i == 0
                || i.checked_sub(1)
                    .and_then(|p| chars.get(p))
                    .is_some_and(|p| matches!(p, ';' | '\n' | ' ' | '}' | '/')));
        let delim = chars.get(i + 1).copied().filter(|d| !d.is_alphanumeric() && !d.is_whitespace() && *d != '\\');
        let (true, Some(delim)) = (starts, delim) else {
            i += 1;
            continue;
        };
        let (_, after_pattern) = sed_part(&chars, i + 2, delim);
        let (replacement, after) = sed_part(&chars, after_pattern, delim);
        out.push(replacement);
        i = after.max(i + 1);
    }
    out
}

/// One `delim`-terminated part of an `s` command from `start`: its text (escaped delimiters unescaped) and
/// the index after the delimiter.
fn sed_part(chars: &[char], start: usize, delim: char) -> (String, usize) {
    let mut text = String::new();
    let mut i = start;
    while let Some(&c) = chars.get(i) {
        i += 1;
        if c == delim {
            return (text, i);
        }
        if c == '\\' {
            if let Some(&next) = chars.get(i) {
                i += 1;
                if next != delim {
                    text.push('\\');
                }
                text.push(next);
                continue;
            }
        }
        text.push(c);
    }
    (text, i)
}

/// Splits `key<sep>value` at the first of `seps`, both trimmed.
fn key_value<'a>(line: &'a str, seps: &[char]) -> Option<(&'a str, &'a str)> {
    let pos = line.find(seps)?;
    Some((line.get(..pos)?.trim(), line.get(pos + 1..)?.trim()))
}

/// Whether a URI is local to the build (apt's `file:`, `copy:`, `cdrom:`): no download to verify.
fn local_uri(uri: &str) -> bool {
    ["file:", "copy:", "cdrom:"].iter().any(|s| uri.starts_with(s))
}

/// Whether a one-line apt source (`deb [trusted=yes] http://… suite`) is marked trusted and not local.
pub fn trusted_source(line: &str) -> bool {
    let mut words = line.split_whitespace();
    if !matches!(words.next(), Some("deb" | "deb-src")) {
        return false;
    }
    let rest: Vec<&str> = words.collect();
    let Some(first) = rest.first() else { return false };
    if !first.starts_with('[') {
        return false;
    }
    let close = rest.iter().position(|w| w.ends_with(']')).unwrap_or(rest.len());
    let options = rest.get(..=close).unwrap_or(&rest);
    let trusted = options
        .iter()
        .flat_map(|w| w.trim_matches(|c| c == '[' || c == ']').split_whitespace())
        .filter_map(|o| o.split_once('='))
        .any(|(k, v)| k.eq_ignore_ascii_case("trusted") && truthy(v));
    trusted && !rest.get(close + 1).is_some_and(|uri| local_uri(uri))
}

/// The verification settings in a written file, judged by the file's kind (from its path).
pub fn settings(file: &Written) -> Vec<Found> {
    let path = file.path.as_str();
    let name = basename(path);
    let mut found: Vec<Found> = Vec::new();
    let apt_sources = path.starts_with("/etc/apt/")
        && (path.contains("sources.list") || name.ends_with(".list") || name.ends_with(".sources"));
    let deb822_local = {
        let mut uris = file
            .text
            .lines()
            .filter_map(|l| key_value(l.trim(), &[':']))
            .filter(|(k, _)| k.eq_ignore_ascii_case("uris"));
        let mut any = false;
        let all = uris.all(|(_, v)| {
            any = true;
            v.split_whitespace().all(local_uri)
        });
        any && all
    };
    let repo_file = name.ends_with(".repo")
        || ["/yum.repos.d/", "/zypp/repos.d/", "/distro.repos.d/"].iter().any(|d| path.contains(d))
        || matches!(name, "yum.conf" | "dnf.conf" | "tdnf.conf");
    for line in file.text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with("//") || line.starts_with(';') {
            continue;
        }
        let tls = |what: String| (Kind::Tls, format!("{what} in {path}"));
        if apt_sources {
            if trusted_source(line) {
                found.push((Kind::Signature, format!("[trusted=yes] apt source in {path}")));
            }
            if let Some(("Trusted" | "trusted", v)) = key_value(line, &[':']) {
                if truthy(v) && !deb822_local {
                    found.push((Kind::Signature, format!("Trusted: {v} apt source in {path}")));
                }
            }
        } else if path.starts_with("/etc/apt/apt.conf") {
            for statement in line.split(';') {
                let statement = statement.trim();
                if let Some(pos) = statement.find(char::is_whitespace) {
                    let (key, value) = statement.split_at(pos);
                    if let Some((kind, what)) = apt_setting(key, value.trim().trim_matches('"')) {
                        found.push((kind, format!("{what} in {path}")));
                    }
                }
            }
        } else if repo_file {
            if let Some((kind, what)) = key_value(line, &['=']).and_then(|(k, v)| repo_setting(k, v)) {
                found.push((kind, format!("{what} in {path}")));
            }
        } else if matches!(name, "pip.conf" | "pip.ini") {
            if let Some((k, v)) = key_value(line, &['=', ':']) {
                if matches!(k.to_ascii_lowercase().as_str(), "trusted-host" | "trusted_host") && !v.is_empty() {
                    found.push(tls(format!("trusted-host = {v}")));
                }
            }
        } else if matches!(name, ".npmrc" | "npmrc") {
            if let Some((k, v)) = key_value(line, &['=']) {
                if k.eq_ignore_ascii_case("strict-ssl") && falsy(v) {
                    found.push(tls(format!("strict-ssl={v}")));
                }
            }
        } else if name == ".yarnrc" || name == ".yarnrc.yml" {
            let (k, v) = key_value(line, &[':', ' ']).unwrap_or((line, ""));
            if matches!(k.trim_matches('"').to_ascii_lowercase().as_str(), "strict-ssl" | "enablestrictssl") && falsy(v)
            {
                found.push(tls(format!("{} {v}", k.trim_matches('"'))));
            }
        } else if name == ".gitconfig" || path == "/etc/gitconfig" || path.ends_with("/git/config") {
            if let Some((k, v)) = key_value(line, &['=']) {
                if k.eq_ignore_ascii_case("sslverify") && (v.is_empty() || falsy(v)) {
                    found.push(tls(format!("sslVerify = {v}")));
                }
            }
        } else if matches!(name, ".wgetrc" | "wgetrc") {
            if let Some((k, v)) = key_value(line, &['=']) {
                if wgetrc_setting(k, v) {
                    found.push(tls(format!("{k} = {v}")));
                }
            }
        } else if matches!(name, ".curlrc" | "curlrc") && matches!(line, "insecure" | "-k" | "--insecure") {
            found.push(tls(line.to_string()));
        }
    }
    found
}

/// Whether a wgetrc command (`check_certificate = off`; wget ignores `_` and `-` in names) turns certificate
/// checks off.
pub fn wgetrc_setting(key: &str, value: &str) -> bool {
    let key: String = key.trim().chars().filter(|c| *c != '_' && *c != '-').collect();
    key.eq_ignore_ascii_case("checkcertificate") && (falsy(value) || value.trim().eq_ignore_ascii_case("quiet"))
}
