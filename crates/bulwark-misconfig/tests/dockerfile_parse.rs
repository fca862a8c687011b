//! Dockerfile parser: directives, continuations, forms, flags, stages, heredocs (including the cases
//! Hadolint misparses), and bad input that must give an error or a warning, never a panic.

use bulwark_misconfig::dockerfile::shell::Script;
use bulwark_misconfig::dockerfile::{parse, Dockerfile, Instruction, ParseErrorKind, MAX_DOCKERFILE_BYTES};

/// Parses or fails the test with the error.
fn parsed(text: &str) -> Dockerfile {
    parse(text).unwrap_or_else(|e| panic!("{e}"))
}

/// Keyword and line span of every instruction.
fn outline(dockerfile: &Dockerfile) -> Vec<(&str, u32, u32)> {
    dockerfile.instructions.iter().map(|i| (i.keyword.as_str(), i.start_line, i.end_line)).collect()
}

/// The words of every command a RUN executes.
fn commands(instruction: &Instruction) -> Vec<Vec<String>> {
    Script::of_run(instruction).commands.into_iter().map(|c| c.words).collect()
}

#[test]
fn directives_escape_and_continuations() {
    let df = parsed(
        "# syntax=docker/dockerfile:1.7\n# escape=`\n\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir c:\\ `\n    # a comment inside the continuation\n\n    && echo done\nCOPY . c:\\app\\\n",
    );
    assert_eq!(df.escape, '`');
    assert_eq!(df.directives.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), vec!["syntax", "escape"]);
    assert_eq!(outline(&df), vec![("FROM", 4, 4), ("RUN", 5, 8), ("COPY", 9, 9)]);
    assert_eq!(df.instructions[1].args, vec!["dir c:\\     && echo done".to_string()]);
    assert_eq!(df.instructions[2].args, vec![".".to_string(), "c:\\app\\".to_string()]);
    assert!(df.warnings.iter().any(|w| w.line == 7 && w.message.contains("empty continuation")));
}

#[test]
fn directive_after_a_comment_is_a_comment() {
    let df = parsed("# hello\n# escape=`\nFROM debian:12\nRUN echo a \\\n b\n");
    assert_eq!(df.escape, '\\');
    assert!(df.directives.is_empty());
    assert_eq!(outline(&df), vec![("FROM", 3, 3), ("RUN", 4, 5)]);
}

#[test]
fn exec_and_shell_forms_and_bad_json() {
    let df = parsed(
        "FROM debian:12\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\nENTRYPOINT /entry.sh --flag\nRUN [\"unterminated\", \"json\"\nSHELL [\"/bin/bash\", \"-c\"]\n",
    );
    let cmd = &df.instructions[1];
    assert!(cmd.json);
    assert_eq!(cmd.args, vec!["nginx", "-g", "daemon off;"]);
    let entry = &df.instructions[2];
    assert!(!entry.json);
    assert_eq!(entry.args, vec!["/entry.sh --flag"]);
    let run = &df.instructions[3];
    assert!(!run.json, "invalid JSON falls back to shell form as BuildKit does");
    assert!(df.warnings.iter().any(|w| w.line == 4 && w.message.contains("JSON")));
    assert!(df.instructions[4].json);
}

#[test]
fn flags_of_from_copy_and_run() {
    let df = parsed(
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM debian:12\nCOPY --from=build --chown=app:app --chmod=0755 --link /out/app /usr/local/bin/\nRUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=token make\n",
    );
    assert_eq!(df.stages[0].platform.as_deref(), Some("$BUILDPLATFORM"));
    let copy = &df.instructions[2];
    let names: Vec<&str> = copy.flags.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, vec!["from", "chown", "chmod", "link"]);
    assert_eq!(copy.flag("chmod").and_then(|f| f.value.as_deref()), Some("0755"));
    assert_eq!(copy.args, vec!["/out/app", "/usr/local/bin/"]);
    let run = &df.instructions[3];
    assert_eq!(run.flags.len(), 2);
    assert_eq!(run.flags[0].raw, "--mount=type=cache,target=/root/.cache");
    assert_eq!(run.args, vec!["make"]);
}

#[test]
fn env_arg_and_label_forms() {
    let df = parsed(
        "ARG BASE=debian:12\nFROM $BASE\nENV A=1 B=\"two words\" C=three\\ words\nENV LEGACY value with spaces\nARG X Y=2\nLABEL org.opencontainers.image.title=\"My app\"\n",
    );
    let env = &df.instructions[2];
    assert_eq!(env.args, vec!["A", "1", "B", "\"two words\"", "C", "three\\ words"]);
    let pairs = env.pairs(df.escape);
    assert_eq!(pairs[1], ("B".to_string(), Some("two words".to_string())));
    assert_eq!(pairs[2], ("C".to_string(), Some("three words".to_string())));
    assert_eq!(df.instructions[3].args, vec!["LEGACY", "value with spaces"]);
    assert_eq!(df.instructions[4].pairs(df.escape), vec![("X".into(), None), ("Y".into(), Some("2".into()))]);
    assert_eq!(df.instructions[0].stage, None, "global ARG belongs to no stage");
    assert_eq!(df.instructions[5].args[1], "\"My app\"");
}

#[test]
fn stages_aliases_and_onbuild() {
    let df = parsed(
        "FROM golang:1.22 AS build\nRUN go build\nFROM build AS test\nRUN go test\nFROM gcr.io/distroless/static:nonroot\nONBUILD RUN echo later\nCOPY --from=build /app /app\n",
    );
    assert_eq!(df.stages.len(), 3);
    assert_eq!(df.stages[1].alias.as_deref(), Some("test"));
    assert_eq!(df.stages[2].instructions, 4..7);
    assert_eq!(df.instructions[5].stage, Some(2));
    let onbuild = df.instructions[5].onbuild.as_deref().expect("ONBUILD registers RUN");
    assert_eq!(onbuild.keyword, "RUN");
    assert_eq!(onbuild.args, vec!["echo later"]);
    assert_eq!(df.final_chain().len(), 1);
    let chain = parsed("FROM a:1 AS base\nFROM base AS mid\nFROM mid\n");
    assert_eq!(chain.final_chain().iter().map(|s| s.index).collect::<Vec<_>>(), vec![2, 1, 0]);
}

/// Hadolint reads heredoc body lines as instructions (hadolint/hadolint#1035 and friends): a body line
/// starting with FROM or RUN must stay inside the RUN.
#[test]
fn heredoc_body_lines_are_not_instructions() {
    let df = parsed(
        "FROM debian:12\nRUN <<EOF\nFROM alpine\nRUN echo not an instruction\nUSER root\napt-get update\nEOF\nUSER app\n",
    );
    assert_eq!(outline(&df), vec![("FROM", 1, 1), ("RUN", 2, 7), ("USER", 8, 8)]);
    let run = &df.instructions[1];
    assert_eq!(run.heredocs[0].body, "FROM alpine\nRUN echo not an instruction\nUSER root\napt-get update\n");
    assert_eq!((run.heredocs[0].start_line, run.heredocs[0].end_line), (3, 6 + 1));
    assert_eq!(df.stages.len(), 1);
    // A shell runs the body: its lines are commands.
    assert_eq!(
        commands(run)[1..],
        [
            vec!["FROM", "alpine"],
            vec!["RUN", "echo", "not", "an", "instruction"],
            vec!["USER", "root"],
            vec!["apt-get", "update"]
        ]
    );
}

#[test]
fn heredoc_dash_strips_tabs_and_quoted_delimiter() {
    let df = parsed("FROM debian:12\nRUN <<-\"EOT\" bash\n\techo $HOME\n\t\tindented\n\tEOT\nCMD [\"x\"]\n");
    let run = &df.instructions[1];
    let heredoc = &run.heredocs[0];
    assert!(heredoc.chomp && heredoc.quoted);
    assert_eq!(heredoc.name, "EOT");
    assert_eq!(heredoc.body, "echo $HOME\nindented\n");
    assert_eq!(outline(&df), vec![("FROM", 1, 1), ("RUN", 2, 5), ("CMD", 6, 6)]);
    assert_eq!(
        commands(run),
        vec![vec!["bash".to_string()], vec!["echo".into(), "$HOME".into()], vec!["indented".into()]]
    );
}

#[test]
fn several_heredocs_on_one_line_and_copy_heredoc() {
    let df = parsed(
        "FROM debian:12\nCOPY <<FILE1 <<FILE2 /dest/\nfirst\nFILE1\nsecond\nFILE2\nRUN <<A cat > /a && <<'B' sh\nRUN inside A is data\nA\napt-get update\nB\nCOPY --chmod=0644 <<EOF /etc/app.conf\nkey = value\nEOF\n",
    );
    assert_eq!(outline(&df), vec![("FROM", 1, 1), ("COPY", 2, 6), ("RUN", 7, 11), ("COPY", 12, 14)]);
    let copy = &df.instructions[1];
    assert_eq!(copy.heredocs.iter().map(|h| h.body.as_str()).collect::<Vec<_>>(), vec!["first\n", "second\n"]);
    assert_eq!(copy.args, vec!["<<FILE1", "<<FILE2", "/dest/"]);
    let run = &df.instructions[2];
    // Body A is fed to cat (data); body B is run by sh (commands).
    let cmds = commands(run);
    assert!(cmds.contains(&vec!["apt-get".to_string(), "update".to_string()]), "{cmds:?}");
    assert!(!cmds.iter().any(|c| c.first().is_some_and(|w| w == "RUN")), "{cmds:?}");
    assert_eq!(df.instructions[3].args, vec!["<<EOF", "/etc/app.conf"]);
    assert_eq!(df.instructions[3].heredocs[0].body, "key = value\n");
}

#[test]
fn heredoc_for_another_interpreter_is_not_shell() {
    let df = parsed("FROM python:3.12\nRUN python3 <<EOF\nimport os\nprint(os.getcwd())\nEOF\nRUN <<EOF\n#!/usr/bin/env python3\nimport sys\nEOF\n");
    assert_eq!(commands(&df.instructions[1]), vec![vec!["python3".to_string()]]);
    assert!(commands(&df.instructions[2]).iter().all(|c| c.is_empty()));
}

#[test]
fn arithmetic_and_here_strings_are_not_heredocs() {
    let df = parsed("FROM debian:12\nRUN echo $((1<<3)) && cat <<<\"x\" && echo '<<NOPE'\nUSER app\n");
    assert!(df.instructions[1].heredocs.is_empty());
    assert_eq!(outline(&df), vec![("FROM", 1, 1), ("RUN", 2, 2), ("USER", 3, 3)]);
}

#[test]
fn unterminated_heredoc_is_an_error_with_its_line() {
    let err = parse("FROM debian:12\n\nRUN <<EOF\necho a\nEOFX\n").expect_err("unterminated");
    assert_eq!(err.line, Some(3));
    assert_eq!(err.kind, ParseErrorKind::UnterminatedHeredoc("EOF".into()));
}

#[test]
fn unknown_instruction_and_early_instruction_are_warnings() {
    let df = parsed("RUN echo too early\nFROM debian:12\nRUNN echo typo\nCMD [\"app\"]\n");
    assert_eq!(outline(&df), vec![("RUN", 1, 1), ("FROM", 2, 2), ("CMD", 4, 4)]);
    let lines: Vec<u32> = df.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, vec![3, 1]);
}

#[test]
fn crlf_and_bom() {
    let df = parsed("\u{feff}FROM debian:12\r\nRUN echo a \\\r\n  && echo b\r\n");
    assert_eq!(outline(&df), vec![("FROM", 1, 1), ("RUN", 2, 3)]);
    assert_eq!(df.instructions[1].args, vec!["echo a   && echo b"]);
}

#[test]
fn bad_inputs_are_errors() {
    assert_eq!(parse("").map_err(|e| e.kind), Err(ParseErrorKind::Empty));
    assert_eq!(parse("# only a comment\n\n").map_err(|e| e.kind), Err(ParseErrorKind::Empty));
    let binary = parse("FROM x\n\0\u{1}\u{2}").expect_err("binary");
    assert_eq!((binary.kind, binary.line), (ParseErrorKind::Binary, Some(2)));
    let big = "#".repeat(MAX_DOCKERFILE_BYTES + 1);
    assert!(matches!(parse(&big).map_err(|e| e.kind), Err(ParseErrorKind::TooLarge(_))));
    assert!(matches!(parse("# escape=x\nFROM a\n").map_err(|e| e.kind), Err(ParseErrorKind::BadEscape(_))));
}

/// Every prefix and many byte-level mutations of a Dockerfile full of edge cases parse or fail cleanly,
/// and the checks run on whatever parses.
#[test]
fn never_panics_on_truncated_or_mangled_input() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/testdata/dockerfile/checks/BW-DF-023.fail.Dockerfile"))
        .expect("fixture")
        + "ENV A=\"unterminated\nCOPY <<-'X' <<Y /d\n\tx\n\tX\ny\nY\nRUN sh -c \"a | b $(c `d` ${e:-f})\" && bash -euo pipefail -c 'x|y'\nEXPOSE 99999/zz 1-\nONBUILD ONBUILD RUN x\nHEALTHCHECK BOGUS\n";
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let specials = [b'\\', b'"', b'\'', b'<', b'|', b'$', b'(', b'`', b'\n', b'#', b'['];
    let mut cases: Vec<String> =
        (0..=text.len()).filter(|&n| text.is_char_boundary(n)).map(|n| text[..n].to_string()).collect();
    for _ in 0..400 {
        let mut bytes = text.clone().into_bytes();
        for _ in 0..4 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = (seed as usize) % bytes.len();
            bytes[at] = specials[(seed >> 32) as usize % specials.len()];
        }
        cases.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    for case in cases {
        if let Ok(df) = parse(&case) {
            for check in bulwark_misconfig::dockerfile::CHECKS {
                let _ = (check.run)(&df);
            }
            let _ = bulwark_misconfig::dockerfile::input_document(&df);
        }
    }
}
