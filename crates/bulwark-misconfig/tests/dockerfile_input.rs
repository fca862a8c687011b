//! The OPA input document for Dockerfile Rego policies has Trivy's shape (pkg/iac/providers/dockerfile):
//! `Stages[].Name/Commands[]` with `Cmd`, `SubCmd`, `Flags`, `Value`, `Original`, `JSON`, `Stage`, `Path`,
//! `StartLine`, `EndLine`.

use bulwark_misconfig::dockerfile::{input_document, input_document_at, parse};
use serde_json::{json, Value};

const DOCKERFILE: &str = "ARG GO=1.22
FROM --platform=$BUILDPLATFORM golang:${GO} AS build
RUN --mount=type=cache,target=/root/.cache go build \\
    -o /out/app ./cmd/app
FROM gcr.io/distroless/static:nonroot
COPY --from=build --chown=65532:65532 /out/app /app
ENV A=1 B=\"x y\"
RUN <<EOF
apt-get update
apt-get install -y curl
EOF
ONBUILD RUN echo later
HEALTHCHECK --interval=30s CMD [\"/app\", \"health\"]
EXPOSE 8080/tcp 9090
ENTRYPOINT [\"/app\"]
";

/// The command of stage `stage` at position `index`.
fn command(doc: &Value, stage: usize, index: usize) -> &Value {
    &doc["Stages"][stage]["Commands"][index]
}

#[test]
fn stages_like_trivy() {
    let doc = input_document_at(&parse(DOCKERFILE).expect("parses"), "build/Dockerfile");
    let stages = doc["Stages"].as_array().expect("Stages");
    let names: Vec<&str> = stages.iter().map(|s| s["Name"].as_str().expect("Name")).collect();
    assert_eq!(names, vec!["", "--platform=$BUILDPLATFORM golang:${GO} AS build", "gcr.io/distroless/static:nonroot"]);
    // Global ARGs and the first stage share index 0, as in Trivy.
    assert_eq!(command(&doc, 0, 0)["Stage"], 0);
    assert_eq!(command(&doc, 1, 0)["Stage"], 0);
    assert_eq!(command(&doc, 2, 0)["Stage"], 1);
    assert_eq!(command(&doc, 2, 0)["Path"], "build/Dockerfile");
}

#[test]
fn commands_like_trivy() {
    let doc = input_document(&parse(DOCKERFILE).expect("parses"));
    assert_eq!(
        command(&doc, 1, 0),
        &json!({"Cmd": "from", "SubCmd": "", "Flags": ["--platform=$BUILDPLATFORM"],
                "Value": ["golang:${GO}", "AS", "build"], "Original": "FROM --platform=$BUILDPLATFORM golang:${GO} AS build",
                "JSON": false, "Stage": 0, "Path": "", "StartLine": 2, "EndLine": 2})
    );
    let run = command(&doc, 1, 1);
    assert_eq!(run["Flags"], json!(["--mount=type=cache,target=/root/.cache"]));
    assert_eq!(run["Value"], json!(["go build     -o /out/app ./cmd/app"]));
    assert_eq!((run["StartLine"].as_u64(), run["EndLine"].as_u64()), (Some(3), Some(4)));
    let copy = command(&doc, 2, 1);
    assert_eq!(copy["Flags"], json!(["--from=build", "--chown=65532:65532"]));
    assert_eq!(copy["Value"], json!(["/out/app", "/app"]));
    assert_eq!(command(&doc, 2, 2)["Value"], json!(["A", "1", "B", "\"x y\""]));
    let heredoc = command(&doc, 2, 3);
    assert_eq!(heredoc["Value"], json!(["apt-get update ; apt-get install -y curl"]));
    assert_eq!(heredoc["Original"], "RUN <<EOF\napt-get update\napt-get install -y curl\nEOF");
    assert_eq!((heredoc["StartLine"].as_u64(), heredoc["EndLine"].as_u64()), (Some(8), Some(11)));
    let onbuild = command(&doc, 2, 4);
    assert_eq!((onbuild["Cmd"].as_str(), onbuild["SubCmd"].as_str()), (Some("onbuild"), Some("run")));
    assert_eq!(onbuild["Value"], json!(["echo later"]));
    let health = command(&doc, 2, 5);
    assert_eq!(health["Value"], json!(["CMD", "/app", "health"]));
    assert_eq!(health["Flags"], json!(["--interval=30s"]));
    assert_eq!(command(&doc, 2, 6)["Value"], json!(["8080/tcp", "9090"]));
    let entry = command(&doc, 2, 7);
    assert_eq!((entry["JSON"].as_bool(), entry["Value"].clone()), (Some(true), json!(["/app"])));
}

#[test]
fn heredoc_with_a_command_keeps_line_and_bodies() {
    let doc = input_document(&parse("FROM debian:12\nRUN cat <<A > /a\nx\nA\n").expect("parses"));
    assert_eq!(command(&doc, 0, 1)["Value"], json!(["cat <<A > /a\nx\nA"]));
}
