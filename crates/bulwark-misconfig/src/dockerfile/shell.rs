//! A small POSIX-shell reader for `RUN` scripts: splits on `&&`, `||`, `;`, `&`, `|` and newlines into simple
//! commands with their words (quotes and escapes removed), assignments and redirections. Scripts run through
//! `sh -c '…'` and shell heredoc bodies are read too, so checks match commands, never raw text.

use super::parser::Instruction;

/// How deep `sh -c "…"` nesting is followed.
const MAX_DEPTH: u8 = 4;

/// Programs that are POSIX-style shells.
pub const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"];

/// Words that open or close compound commands; dropped from the front of a simple command.
const RESERVED: &[&str] = &["!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "esac"];

/// A redirection: `>`, `>>`, `2>&1`, `<`, and heredoc markers `<<` / `<<-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The operator, e.g. `>>` or `<<-`.
    pub op: String,
    /// Its target word (file, descriptor, or heredoc delimiter), quotes removed.
    pub target: String,
}

impl Redirect {
    /// Whether it is a heredoc marker (`<<` or `<<-`).
    pub fn is_heredoc(&self) -> bool {
        self.op == "<<" || self.op == "<<-"
    }
}

/// One simple command: `DEBIAN_FRONTEND=noninteractive apt-get install -y curl > /dev/null`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimpleCommand {
    /// Words, program first, quotes removed.
    pub words: Vec<String>,
    /// Leading `NAME=value` assignments.
    pub assignments: Vec<(String, String)>,
    /// Redirections.
    pub redirects: Vec<Redirect>,
    /// Pipeline number within the script: commands joined by `|` share it.
    pub pipeline: usize,
    /// Its output goes into a pipe (`a | …`).
    pub piped_out: bool,
    /// Nesting depth: 0 for the instruction's own script, more inside `sh -c` or a heredoc body.
    pub depth: u8,
}

impl SimpleCommand {
    /// The program's base name and its arguments, looking through `sudo`, `env`, `exec`, `command`, `nohup`,
    /// `time` and `nice`.
    pub fn program(&self) -> Option<(&str, &[String])> {
        let mut i = 0;
        loop {
            let word = self.words.get(i)?;
            let name = basename(word);
            let skip_options = |mut j: usize, with_value: &[&str]| {
                while let Some(w) = self.words.get(j) {
                    if w == "--" {
                        return j + 1;
                    }
                    if !w.starts_with('-') || w.len() < 2 {
                        break;
                    }
                    j += if with_value.contains(&w.as_str()) { 2 } else { 1 };
                }
                j
            };
            i = match name {
                "sudo" | "doas" => skip_options(i + 1, &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U"]),
                "env" => {
                    let mut j = skip_options(i + 1, &["-u", "-C", "-S"]);
                    while self.words.get(j).is_some_and(|w| is_assignment(w)) {
                        j += 1;
                    }
                    j
                }
                "nice" => skip_options(i + 1, &["-n"]),
                "exec" | "command" | "nohup" | "time" | "builtin" => skip_options(i + 1, &[]),
                _ => return Some((name, self.words.get(i + 1..).unwrap_or(&[]))),
            };
        }
    }

    /// Whether the program (through wrappers) is `name`.
    pub fn runs(&self, name: &str) -> bool {
        self.program().is_some_and(|(p, _)| p == name)
    }
}

/// The simple commands of a script, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    /// Simple commands, nested ones (`sh -c`, heredoc bodies) after the command that runs them.
    pub commands: Vec<SimpleCommand>,
    /// Pipeline numbers handed out so far.
    pipelines: usize,
}

impl Script {
    /// Reads a shell script.
    pub fn parse(text: &str) -> Script {
        let mut script = Script::default();
        script.read(text, 0);
        script
    }

    /// The commands that one `RUN` executes: its shell script (or exec-form words) and the heredoc bodies a
    /// shell executes (`RUN <<EOF`, `RUN bash <<EOF`) — not bodies fed to other programs (`cat <<EOF > file`).
    pub fn of_run(instruction: &Instruction) -> Script {
        let mut script = Script::default();
        if instruction.json {
            script.push_words(instruction.args.clone(), 0);
        } else {
            script.read(instruction.args.first().map_or("", String::as_str), 0);
        }
        for heredoc in &instruction.heredocs {
            let consumer = script
                .commands
                .iter()
                .find(|c| c.depth == 0 && c.redirects.iter().any(|r| r.is_heredoc() && r.target == heredoc.name));
            let executes = match consumer.map(SimpleCommand::program) {
                Some(None) => shebang_is_shell(&heredoc.body),
                Some(Some((program, args))) => SHELLS.contains(&program) && dash_c_script(args).is_none(),
                None => false,
            };
            if executes {
                script.read(&heredoc.body, 1);
            }
        }
        script
    }

    /// Whether any command runs `name`.
    pub fn runs(&self, name: &str) -> bool {
        self.commands.iter().any(|c| c.runs(name))
    }

    /// Reads `text` at nesting `depth`, appending its commands. `case` patterns (`amd64 | arm64)`) are skipped.
    fn read(&mut self, text: &str, depth: u8) {
        let mut current: Vec<Token> = Vec::new();
        let mut pipeline = self.next_pipeline();
        let mut in_pattern = false;
        for token in Lexer::new(text).tokens() {
            if in_pattern {
                in_pattern =
                    !matches!(&token, Token::Op(Op::Close)) && !matches!(&token, Token::Word(w, _) if w == "esac");
                continue;
            }
            match token {
                Token::Op(op) => {
                    let piped = matches!(op, Op::Pipe);
                    self.finish(std::mem::take(&mut current), pipeline, piped, depth);
                    if !piped {
                        pipeline = self.next_pipeline();
                    }
                    in_pattern = matches!(op, Op::CaseEnd);
                }
                Token::Word(word, _) if word == "in" && starts_case(&current) => {
                    current.clear();
                    in_pattern = true;
                }
                other => current.push(other),
            }
        }
        self.finish(current, pipeline, false, depth);
    }

    /// A pipeline number not used yet.
    fn next_pipeline(&mut self) -> usize {
        self.pipelines += 1;
        self.pipelines - 1
    }

    /// Turns the tokens of one simple command into a [`SimpleCommand`].
    fn finish(&mut self, tokens: Vec<Token>, pipeline: usize, piped_out: bool, depth: u8) {
        let mut command = SimpleCommand { pipeline, piped_out, depth, ..SimpleCommand::default() };
        let mut words = Vec::new();
        for token in tokens {
            match token {
                Token::Word(word, assignable) => {
                    if words.is_empty() && assignable && is_assignment(&word) {
                        if let Some((k, v)) = word.split_once('=') {
                            command.assignments.push((k.to_string(), v.to_string()));
                        }
                    } else {
                        words.push(word);
                    }
                }
                Token::Redirect(redirect) => command.redirects.push(redirect),
                Token::Op(_) => {}
            }
        }
        let skip = words.iter().take_while(|w| RESERVED.contains(&w.as_str())).count();
        words.drain(..skip);
        if matches!(words.first().map(String::as_str), Some("for" | "select" | "case")) {
            words.clear();
        }
        if words.is_empty() && command.redirects.is_empty() && command.assignments.is_empty() {
            return;
        }
        command.words = words;
        self.push(command, depth);
    }

    /// Adds a command built from exec-form words.
    fn push_words(&mut self, words: Vec<String>, depth: u8) {
        let pipeline = self.next_pipeline();
        let command = SimpleCommand { words, pipeline, depth, ..SimpleCommand::default() };
        self.push(command, depth);
    }

    /// Appends a command, then the scripts it runs: `sh -c` scripts and command substitutions.
    fn push(&mut self, command: SimpleCommand, depth: u8) {
        let mut nested: Vec<String> = match command.program() {
            Some((program, args)) if SHELLS.contains(&program) => {
                dash_c_script(args).map(str::to_string).into_iter().collect()
            }
            _ => Vec::new(),
        };
        let texts = command
            .words
            .iter()
            .chain(command.assignments.iter().map(|(_, v)| v))
            .chain(command.redirects.iter().map(|r| &r.target));
        for text in texts {
            nested.extend(substitutions(text));
        }
        self.commands.push(command);
        if depth < MAX_DEPTH {
            for script in nested {
                self.read(&script, depth + 1);
            }
        }
    }
}

/// The script a shell runs with `-c` (`sh -c 'script'`, `bash -eux -o pipefail -c 'script'`).
pub fn dash_c_script(args: &[String]) -> Option<&str> {
    let mut has_c = false;
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if arg.starts_with("--") {
            i += 1;
            continue;
        }
        if arg.len() > 1 && (arg.starts_with('-') || arg.starts_with('+')) {
            has_c |= arg.starts_with('-') && arg.contains('c');
            // `-o NAME` (also inside a cluster like `-euo pipefail`) takes the next word.
            i += if arg.contains('o') { 2 } else { 1 };
            continue;
        }
        return if has_c { Some(arg) } else { None };
    }
    None
}

/// The scripts inside command and process substitutions of a word: `$(…)`, `` `…` ``, `<(…)`, `>(…)`
/// (not arithmetic `$((…))`).
pub fn substitutions(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let opens = matches!(c, '$' | '<' | '>') && chars.get(i + 1) == Some(&'(') && chars.get(i + 2) != Some(&'(');
        if opens {
            let (inner, next) = until_close(&chars, i + 2);
            out.push(inner);
            i = next;
        } else if c == '`' {
            let mut inner = String::new();
            i += 1;
            while let Some(&b) = chars.get(i) {
                i += 1;
                if b == '`' {
                    break;
                }
                inner.push(b);
            }
            out.push(inner);
        } else {
            i += 1;
        }
    }
    out
}

/// The text from `start` up to the `)` that closes an already opened parenthesis, quotes respected;
/// returns it and the index after the `)`.
fn until_close(chars: &[char], start: usize) -> (String, usize) {
    let mut depth = 1usize;
    let mut quote: Option<char> = None;
    let mut inner = String::new();
    let mut i = start;
    while let Some(&c) = chars.get(i) {
        i += 1;
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '(' => depth += 1,
            None if c == ')' => {
                depth -= 1;
                if depth == 0 {
                    return (inner, i);
                }
            }
            None => {}
        }
        inner.push(c);
    }
    (inner, i)
}

/// Whether shell options turn on `pipefail` (`-o pipefail`, `-euo pipefail`).
pub fn sets_pipefail(args: &[String]) -> bool {
    args.windows(2).any(|w| {
        matches!(w, [option, value] if option.starts_with('-') && !option.starts_with("--") && option.contains('o') && value == "pipefail")
    })
}

/// Whether a heredoc body that runs on its own runs in a shell (no shebang, or a shell shebang).
fn shebang_is_shell(body: &str) -> bool {
    let Some(line) = body.lines().next().and_then(|l| l.strip_prefix("#!")) else { return true };
    let mut words = line.split_whitespace();
    let mut program = words.next().map(basename);
    if program == Some("env") {
        program = words.find(|w| !w.starts_with('-')).map(basename);
    }
    program.is_some_and(|p| SHELLS.contains(&p))
}

/// The last path component of a program name.
pub fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Whether a word is `NAME=value` with a valid shell name.
fn is_assignment(word: &str) -> bool {
    let Some((name, _)) = word.split_once('=') else { return false };
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether the tokens so far are a `case WORD` header.
fn starts_case(tokens: &[Token]) -> bool {
    let mut words = tokens.iter().filter_map(|t| match t {
        Token::Word(w, _) => Some(w.as_str()),
        _ => None,
    });
    words.find(|w| !RESERVED.contains(w)) == Some("case")
}

/// Control operators that end a simple command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `|` or `|&`.
    Pipe,
    /// `)`, which also ends a `case` pattern.
    Close,
    /// `;;`, `;&` or `;;&`: the end of a `case` branch.
    CaseEnd,
    /// Anything else: `&&`, `||`, `;`, `&`, newline, `(`.
    Other,
}

/// A lexical token.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A word, quotes removed; `true` when its `NAME=` prefix was unquoted (so it can be an assignment).
    Word(String, bool),
    /// A redirection with its target.
    Redirect(Redirect),
    /// A control operator.
    Op(Op),
}

/// Splits shell text into tokens.
struct Lexer {
    chars: Vec<char>,
    i: usize,
}

impl Lexer {
    /// A lexer over `text`.
    fn new(text: &str) -> Lexer {
        Lexer { chars: text.chars().collect(), i: 0 }
    }

    /// The character at offset `n` from the cursor.
    fn at(&self, n: usize) -> Option<char> {
        self.chars.get(self.i + n).copied()
    }

    /// All tokens.
    fn tokens(mut self) -> Vec<Token> {
        let mut out = Vec::new();
        let mut line_start = 0;
        while let Some(c) = self.at(0) {
            match c {
                ' ' | '\t' | '\r' => self.i += 1,
                '\\' if self.at(1) == Some('\n') => self.i += 2,
                '\n' => {
                    self.i += 1;
                    // Heredocs opened on this line: their bodies follow and are data, not commands.
                    let opened: Vec<(String, bool)> = out
                        .get(line_start..)
                        .unwrap_or(&[])
                        .iter()
                        .filter_map(|t| match t {
                            Token::Redirect(r) if r.is_heredoc() => Some((r.target.clone(), r.op == "<<-")),
                            _ => None,
                        })
                        .collect();
                    for (name, chomp) in opened {
                        self.skip_heredoc_body(&name, chomp);
                    }
                    out.push(Token::Op(Op::Other));
                    line_start = out.len();
                }
                '(' => {
                    self.i += 1;
                    out.push(Token::Op(Op::Other));
                }
                ')' => {
                    self.i += 1;
                    out.push(Token::Op(Op::Close));
                }
                '#' => {
                    while self.at(0).is_some_and(|c| c != '\n') {
                        self.i += 1;
                    }
                }
                ';' => {
                    let (len, op) = match (self.at(1), self.at(2)) {
                        (Some(';'), Some('&')) => (3, Op::CaseEnd),
                        (Some(';' | '&'), _) => (2, Op::CaseEnd),
                        _ => (1, Op::Other),
                    };
                    self.i += len;
                    out.push(Token::Op(op));
                }
                '&' if self.at(1) == Some('>') => {
                    self.i += 1;
                    out.push(self.redirect("&"));
                }
                '&' => {
                    self.i += if self.at(1) == Some('&') { 2 } else { 1 };
                    out.push(Token::Op(Op::Other));
                }
                '|' => {
                    let op = match self.at(1) {
                        Some('|') => Op::Other,
                        _ => Op::Pipe,
                    };
                    self.i += if matches!(self.at(1), Some('|' | '&')) { 2 } else { 1 };
                    out.push(Token::Op(op));
                }
                '<' | '>' if self.at(1) != Some('(') => out.push(self.redirect("")),
                _ => {
                    let before = self.i;
                    let (word, assignable) = self.word();
                    if self.i == before {
                        // A character no rule takes (e.g. a form feed): skip it so the lexer always advances.
                        self.i += 1;
                        continue;
                    }
                    let fd = assignable && !word.is_empty() && word.chars().all(|c| c.is_ascii_digit());
                    if fd && matches!(self.at(0), Some('<' | '>')) && self.at(1) != Some('(') {
                        out.push(self.redirect(""));
                    } else {
                        out.push(Token::Word(word, assignable));
                    }
                }
            }
        }
        out
    }

    /// Skips the lines of a heredoc body up to and including its delimiter line (tabs stripped for `<<-`).
    fn skip_heredoc_body(&mut self, name: &str, chomp: bool) {
        while self.i < self.chars.len() {
            let end = self.chars.get(self.i..).and_then(|rest| rest.iter().position(|c| *c == '\n'));
            let stop = end.map_or(self.chars.len(), |n| self.i + n);
            let line: String = self.chars.get(self.i..stop).unwrap_or(&[]).iter().collect();
            self.i = stop + 1;
            let line = line.trim_end_matches('\r');
            if (if chomp { line.trim_start_matches('\t') } else { line }) == name {
                return;
            }
        }
    }

    /// Reads a redirection operator (after `prefix` already consumed) and its target word.
    fn redirect(&mut self, prefix: &str) -> Token {
        let mut op = prefix.to_string();
        const OPS: &[&str] = &["<<<", "<<-", "<<", "<>", "<&", ">>", ">&", ">|", "<", ">"];
        for candidate in OPS {
            if candidate.chars().enumerate().all(|(n, c)| self.at(n) == Some(c)) {
                op.push_str(candidate);
                self.i += candidate.chars().count();
                break;
            }
        }
        while matches!(self.at(0), Some(' ' | '\t')) {
            self.i += 1;
        }
        let (target, _) = self.word();
        Token::Redirect(Redirect { op, target })
    }

    /// Reads one word; returns it with quotes removed and whether no quote came before its first `=`.
    fn word(&mut self) -> (String, bool) {
        let mut out = String::new();
        let mut quoted_at: Option<usize> = None;
        while let Some(c) = self.at(0) {
            match c {
                c if c.is_whitespace() => break,
                ';' | '&' | '|' | '(' | ')' => break,
                '<' | '>' if self.at(1) == Some('(') => {
                    out.push(c);
                    self.i += 1;
                    self.balanced(&mut out);
                }
                '<' | '>' => break,
                '\\' => {
                    self.i += 1;
                    match self.at(0) {
                        Some('\n') => self.i += 1,
                        Some(n) => {
                            quoted_at.get_or_insert(out.len());
                            out.push(n);
                            self.i += 1;
                        }
                        None => {}
                    }
                }
                '\'' => {
                    quoted_at.get_or_insert(out.len());
                    self.i += 1;
                    while let Some(q) = self.at(0) {
                        self.i += 1;
                        if q == '\'' {
                            break;
                        }
                        out.push(q);
                    }
                }
                '"' => {
                    quoted_at.get_or_insert(out.len());
                    self.i += 1;
                    self.double_quoted(&mut out);
                }
                '$' if matches!(self.at(1), Some('(' | '{')) => {
                    out.push('$');
                    self.i += 1;
                    self.balanced(&mut out);
                }
                '`' => self.backticks(&mut out),
                _ => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
        let assignable = match (out.find('='), quoted_at) {
            (Some(eq), Some(q)) => eq < q,
            (_, None) => true,
            (None, Some(_)) => false,
        };
        (out, assignable)
    }

    /// Reads the rest of a double-quoted string (opening quote consumed).
    fn double_quoted(&mut self, out: &mut String) {
        while let Some(q) = self.at(0) {
            match q {
                '"' => {
                    self.i += 1;
                    return;
                }
                '\\' => {
                    self.i += 1;
                    match self.at(0) {
                        Some(n @ ('"' | '\\' | '$' | '`')) => {
                            out.push(n);
                            self.i += 1;
                        }
                        Some('\n') => self.i += 1,
                        _ => out.push('\\'),
                    }
                }
                '$' if matches!(self.at(1), Some('(' | '{')) => {
                    out.push('$');
                    self.i += 1;
                    self.balanced(out);
                }
                '`' => self.backticks(out),
                _ => {
                    out.push(q);
                    self.i += 1;
                }
            }
        }
    }

    /// Copies a bracketed group starting at `(` or `{` up to its match, quotes respected.
    fn balanced(&mut self, out: &mut String) {
        let Some(open) = self.at(0) else { return };
        let close = if open == '{' { '}' } else { ')' };
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        while let Some(c) = self.at(0) {
            out.push(c);
            self.i += 1;
            match quote {
                Some(q) if c == q => quote = None,
                Some('"') if c == '\\' => {
                    if let Some(n) = self.at(0) {
                        out.push(n);
                        self.i += 1;
                    }
                }
                Some(_) => {}
                None if c == '\'' || c == '"' => quote = Some(c),
                None if c == '\\' => {
                    if let Some(n) = self.at(0) {
                        out.push(n);
                        self.i += 1;
                    }
                }
                None if c == open => depth += 1,
                None if c == close => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                None => {}
            }
        }
    }

    /// Copies a backtick command substitution, backticks included.
    fn backticks(&mut self, out: &mut String) {
        out.push('`');
        self.i += 1;
        while let Some(c) = self.at(0) {
            out.push(c);
            self.i += 1;
            if c == '\\' {
                if let Some(n) = self.at(0) {
                    out.push(n);
                    self.i += 1;
                }
            } else if c == '`' {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(script: &Script) -> Vec<Vec<&str>> {
        script.commands.iter().map(|c| c.words.iter().map(String::as_str).collect()).collect()
    }

    #[test]
    fn splits_on_operators_and_newlines() {
        let script = Script::parse("apt-get update && apt-get install -y 'a b' \"c\"d || true; echo x | tee y\nls");
        assert_eq!(
            words(&script),
            vec![
                vec!["apt-get", "update"],
                vec!["apt-get", "install", "-y", "a b", "cd"],
                vec!["true"],
                vec!["echo", "x"],
                vec!["tee", "y"],
                vec!["ls"],
            ]
        );
        assert!(script.commands[3].piped_out);
        assert_eq!(script.commands[3].pipeline, script.commands[4].pipeline);
        assert_ne!(script.commands[4].pipeline, script.commands[5].pipeline);
    }

    #[test]
    fn assignments_redirects_and_wrappers() {
        let script = Script::parse("DEBIAN_FRONTEND=noninteractive sudo -u root apt-get install x >/dev/null 2>&1");
        let cmd = &script.commands[0];
        assert_eq!(cmd.assignments, vec![("DEBIAN_FRONTEND".to_string(), "noninteractive".to_string())]);
        assert_eq!(cmd.redirects.len(), 2);
        assert_eq!(cmd.program().map(|(p, a)| (p, a.len())), Some(("apt-get", 2)));
    }

    #[test]
    fn nested_sh_c_and_compound_commands() {
        let script = Script::parse("if [ -f x ]; then bash -euo pipefail -c 'cd /tmp && make'; fi");
        assert_eq!(
            words(&script),
            vec![
                vec!["[", "-f", "x", "]"],
                vec!["bash", "-euo", "pipefail", "-c", "cd /tmp && make"],
                vec!["cd", "/tmp"],
                vec!["make"],
            ]
        );
        assert_eq!(script.commands[2].depth, 1);
    }

    #[test]
    fn substitutions_are_read_as_nested_scripts() {
        let script = Script::parse("dst=\"$(echo \"$src\" | tr -d 3)\"; x=`id -u` cat <(curl -s u) $((2*(1+2)))");
        assert_eq!(
            words(&script),
            vec![
                vec![],
                vec!["echo", "$src"],
                vec!["tr", "-d", "3"],
                vec!["cat", "<(curl -s u)", "$((2*(1+2)))"],
                vec!["curl", "-s", "u"],
                vec!["id", "-u"]
            ]
        );
        assert!(script.commands[1].piped_out);
        assert_eq!(substitutions("$(a $(b) \")\")"), vec!["a $(b) \")\"".to_string()]);
    }

    #[test]
    fn heredoc_bodies_inside_a_script_are_data() {
        let script = Script::parse("set -e\ncat > /etc/x.repo <<'REPO'\n[x]\ngpgcheck=0\nREPO\nls\ncat <<-EOF | tee y\n\tapt-get update\n\tEOF\nid");
        assert_eq!(
            words(&script),
            vec![vec!["set", "-e"], vec!["cat"], vec!["ls"], vec!["cat"], vec!["tee", "y"], vec!["id"]]
        );
        let unterminated = Script::parse("cat <<EOF\nnever closed");
        assert_eq!(words(&unterminated), vec![vec!["cat"]]);
    }

    #[test]
    fn case_patterns_are_not_commands() {
        let script = Script::parse("case \"$a\" in amd64 | arm64) echo x | tee y ;; *) apt-get update ;; esac; ls");
        assert_eq!(words(&script), vec![vec!["echo", "x"], vec!["tee", "y"], vec!["apt-get", "update"], vec!["ls"]]);
        let multiline = Script::parse("case $x in\n  a|b)\n    cd /tmp\n    ;;\nesac");
        assert_eq!(words(&multiline), vec![vec!["cd", "/tmp"]]);
    }

    #[test]
    fn command_substitution_stays_in_word() {
        let script = Script::parse("echo \"$(uname -m | tr a b)\" `date` && x=$((1 << 2))");
        assert_eq!(
            words(&script),
            vec![
                vec!["echo", "$(uname -m | tr a b)", "`date`"],
                vec!["uname", "-m"],
                vec!["tr", "a", "b"],
                vec!["date"],
                vec![]
            ]
        );
        assert_eq!(script.commands[4].assignments, vec![("x".to_string(), "$((1 << 2))".to_string())]);
    }
}
