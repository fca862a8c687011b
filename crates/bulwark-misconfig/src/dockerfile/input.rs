//! The OPA input document for Dockerfile policies, in the shape Trivy gives its Dockerfile checks, so Trivy
//! custom checks run unchanged: `{"Stages":[{"Name":…,"Commands":[{"Cmd":"run","SubCmd":"","Flags":[…],
//! "Value":[…],"Original":…,"JSON":false,"Stage":0,"Path":…,"StartLine":…,"EndLine":…}]}]}`.

use super::parser::{heredoc_markers, Dockerfile, Instruction};
use serde_json::{json, Value};

/// The input document of a Dockerfile with an empty `Path` on every command.
pub fn input_document(dockerfile: &Dockerfile) -> Value {
    input_document_at(dockerfile, "")
}

/// The input document of the Dockerfile at `path` (each command's `Path`).
///
/// As in Trivy: `ARG`s before the first `FROM` form a stage named `""`; a stage's `Name` is the `FROM` text
/// after the keyword (`golang:1.22 AS build`); `Stage` counts from 0 and the global `ARG`s share 0 with the
/// first stage; `Cmd` is lower-case; `Flags` are the flags as written; a `RUN` whose whole argument is one
/// heredoc has the body's lines joined with ` ; ` as its one value, other heredoc `RUN`s the command line
/// followed by each body and delimiter. Unlike Trivy, `COPY <<EOF /dest` keeps its words as values.
pub fn input_document_at(dockerfile: &Dockerfile, path: &str) -> Value {
    let mut stages: Vec<Value> = Vec::new();
    let mut name = String::new();
    let mut commands: Vec<Value> = Vec::new();
    let mut index = 0usize;
    let mut seen_from = false;
    for instruction in &dockerfile.instructions {
        if instruction.is("FROM") {
            if !commands.is_empty() {
                stages.push(json!({ "Name": name, "Commands": std::mem::take(&mut commands) }));
            }
            if seen_from {
                index += 1;
            }
            seen_from = true;
            name = from_name(instruction);
        }
        commands.push(command(instruction, index, path));
    }
    if !commands.is_empty() {
        stages.push(json!({ "Name": name, "Commands": commands }));
    }
    json!({ "Stages": stages })
}

/// The stage name Trivy uses: the `FROM` line after the keyword.
fn from_name(instruction: &Instruction) -> String {
    let original = instruction.original.trim();
    match original.find(char::is_whitespace) {
        Some(pos) => original[pos..].trim().to_string(),
        None => String::new(),
    }
}

/// One command object.
fn command(instruction: &Instruction, stage: usize, path: &str) -> Value {
    let (sub_cmd, value, is_json) = match &instruction.onbuild {
        Some(sub) => (sub.keyword.to_ascii_lowercase(), sub.args.clone(), sub.json),
        None => (String::new(), values(instruction), instruction.json),
    };
    json!({
        "Cmd": instruction.keyword.to_ascii_lowercase(),
        "SubCmd": sub_cmd,
        "Flags": instruction.flags.iter().map(|f| f.raw.clone()).collect::<Vec<_>>(),
        "Value": value,
        "Original": original(instruction),
        "JSON": is_json,
        "Stage": stage,
        "Path": path,
        "StartLine": instruction.start_line,
        "EndLine": instruction.end_line,
    })
}

/// `Value`: the arguments, with heredoc `RUN`s folded as Trivy folds them.
fn values(instruction: &Instruction) -> Vec<String> {
    let Some(first) = instruction.heredocs.first() else { return instruction.args.clone() };
    if !instruction.is("RUN") || instruction.json {
        return instruction.args.clone();
    }
    let line = instruction.args.first().map_or("", String::as_str).trim();
    let only_marker = line.starts_with("<<") && !line.contains(char::is_whitespace) && heredoc_markers(line).len() == 1;
    if only_marker && !first.body.starts_with("#!") {
        let body = first.body.replace("\r\n", "\n");
        let lines: Vec<&str> = body.strip_suffix('\n').unwrap_or(&body).split('\n').collect();
        return vec![lines.join(" ; ")];
    }
    let mut folded = line.to_string();
    for heredoc in &instruction.heredocs {
        folded.push('\n');
        folded.push_str(&heredoc.body);
        folded.push_str(&heredoc.name);
    }
    vec![folded]
}

/// `Original`: the instruction line, then each heredoc body and delimiter.
fn original(instruction: &Instruction) -> String {
    let mut text = instruction.original.clone();
    for heredoc in &instruction.heredocs {
        text.push('\n');
        text.push_str(&heredoc.body);
        text.push_str(&heredoc.name);
    }
    text
}
