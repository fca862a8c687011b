//! Differential test: the Rego v1 policies of examples/policies and tests/testdata/rego evaluated by
//! Bulwark (regorus) and by rego-cpp (PyPI `regopy`, an independent implementation) on the same
//! inputs must yield the same failures. `.ci/run` installs `regopy` in a venv and sets
//! `$BULWARK_REGOPY_PYTHON` (then a missing `regopy` fails the test); without the variable it runs
//! when `python3` can import `regopy`, and otherwise says so and checks nothing.
//!
//! Left out: Rego v0 policies (rego-cpp reads `deny[msg] { … }` as a v1 object rule) and policies
//! calling Trivy's `result.new`, which rego-cpp does not have.

use bulwark_image::ImageConfig;
use bulwark_misconfig::check::Target;
use bulwark_misconfig::rego::Policies;
use bulwark_misconfig::{dockerfile, image, kubernetes};
use bulwark_types::ConfigKind;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn testdata(name: &str) -> PathBuf {
    root().join("tests/testdata/rego").join(name)
}

/// The Python that has `regopy`: `$BULWARK_REGOPY_PYTHON` (which must work: `.ci/run` sets it), else
/// `python3` if it happens to have it.
fn python() -> Option<String> {
    let explicit = std::env::var("BULWARK_REGOPY_PYTHON").ok();
    let python = explicit.clone().unwrap_or_else(|| "python3".into());
    let ok =
        Command::new(&python).args(["-c", "import regopy"]).stderr(Stdio::null()).status().is_ok_and(|s| s.success());
    assert!(ok || explicit.is_none(), "BULWARK_REGOPY_PYTHON={python} cannot import regopy");
    ok.then_some(python)
}

/// Every `*.rego` (not `_test.rego`) and data file under `dir`, sorted.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("read dir").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// (message, start line) of each failure, sorted.
type Failures = Vec<(String, Option<u64>)>;

fn from_value(value: &Value) -> Failures {
    let items = match value {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    };
    items
        .iter()
        .map(|v| match v {
            Value::String(s) => (s.clone(), None),
            Value::Object(o) => (
                o.get("msg").and_then(Value::as_str).unwrap_or_default().to_string(),
                o.get("startline").and_then(Value::as_u64),
            ),
            other => (other.to_string(), None),
        })
        .collect()
}

/// Compares Bulwark and rego-cpp on one policy directory and a set of inputs of one kind.
fn compare(python: &str, dir: &Path, kind: ConfigKind, inputs: &[Value]) -> usize {
    let policies = Policies::load(dir).expect("load");
    let mut all = Vec::new();
    files(dir, &mut all);
    let mut modules = Vec::new();
    let mut data = Vec::new();
    let mut included = Vec::new();
    for path in &all {
        let name = path.to_string_lossy().to_string();
        let text = std::fs::read_to_string(path).expect("read");
        if name.ends_with(".rego") && !name.ends_with("_test.rego") {
            if text.contains("import rego.v1") && !text.contains("result.new") {
                included.push(name.clone());
                modules.push((name, text));
            }
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            data.push(
                serde_json::to_value(serde_yaml::from_str::<serde_yaml::Value>(&text).expect("yaml")).expect("json"),
            );
        } else if name.ends_with(".json") {
            data.push(serde_json::from_str::<Value>(&text).expect("json"));
        }
    }
    let checks: Vec<_> = policies.policies().iter().filter(|p| included.contains(&p.path)).collect();
    assert!(!checks.is_empty(), "{}: no policy to compare", dir.display());
    let queries: Vec<Vec<String>> = inputs
        .iter()
        .map(|input| {
            checks
                .iter()
                .filter(|p| p.applies(kind, input))
                .flat_map(|p| p.rules.iter().map(move |r| format!("{}.{}", p.query, r.name)))
                .collect()
        })
        .collect();
    let job = json!({"modules": modules, "data": data, "inputs": inputs, "queries": queries});
    let mut child = Command::new(python)
        .arg(testdata("regopy_eval.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run python");
    child.stdin.take().expect("stdin").write_all(job.to_string().as_bytes()).expect("write job");
    let output = child.wait_with_output().expect("python output");
    assert!(output.status.success(), "regopy_eval.py failed");
    let answers: Vec<Vec<(String, Value)>> = serde_json::from_slice(&output.stdout).expect("answers");
    let mut compared = 0;
    for (input, answer) in inputs.iter().zip(answers) {
        let mut theirs: Failures = Vec::new();
        for (query, value) in &answer {
            assert!(value.get("error").is_none(), "rego-cpp failed on {query}: {value}");
            theirs.extend(from_value(value));
        }
        theirs.sort();
        let t = Target { kind, name: "input", layers: &[] };
        let ids: Vec<&str> = checks.iter().map(|p| p.meta.id.as_str()).collect();
        let mut ours: Failures = policies
            .evaluate(kind, input, &t)
            .expect("evaluate")
            .into_iter()
            .filter(|m| ids.contains(&m.check_id.as_str()))
            .map(|m| (m.message, m.start_line.map(u64::from)))
            .collect();
        ours.sort();
        assert_eq!(ours, theirs, "{} on input {input}", dir.display());
        compared += ours.len();
    }
    compared
}

fn manifests(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(testdata(name)).expect("read");
    kubernetes::parse(name, &text).expect("parse").iter().map(kubernetes::input_document).collect()
}

fn dockerfiles() -> Vec<Value> {
    let shaped: Value =
        serde_json::from_str(&std::fs::read_to_string(testdata("Dockerfile.trivy-shape.json")).expect("read"))
            .expect("json");
    let text = std::fs::read_to_string(testdata("Dockerfile")).expect("read");
    vec![shaped, dockerfile::input_document_at(&dockerfile::parse(&text).expect("parse"), "Dockerfile")]
}

fn images() -> Vec<Value> {
    let mut out = Vec::new();
    for (file, user) in [
        ("app-python-config.json", None),
        ("debian-min-config.json", Some("root")),
        ("app-python-config.json", Some("app")),
    ] {
        let mut config = ImageConfig::from_json(&std::fs::read(testdata(file)).expect("read")).expect("config");
        config.config.user = user.map(str::to_string);
        out.push(image::input_document(&image::ImageInput {
            config: &config,
            files: &[],
            packages: &[],
            shadow: None,
        }));
    }
    out
}

#[test]
fn regorus_and_rego_cpp_agree() {
    let Some(python) = python() else {
        eprintln!("rego_differential: regopy is not installed for python3 (or $BULWARK_REGOPY_PYTHON); not compared");
        return;
    };
    let examples = root().join("../../examples/policies");
    let mut k8s = manifests("corpus-deployment.yaml");
    k8s.extend(manifests("good-manifests.yaml"));
    let mut failures = 0;
    failures += compare(&python, &examples, ConfigKind::Kubernetes, &k8s);
    failures += compare(&python, &examples, ConfigKind::Image, &images());
    failures += compare(&python, &testdata("rules"), ConfigKind::Dockerfile, &dockerfiles());
    failures += compare(&python, &testdata("rbac"), ConfigKind::Kubernetes, &k8s);
    failures += compare(&python, &testdata("meta-annotation"), ConfigKind::Kubernetes, &k8s);
    failures += compare(&python, &testdata("empty-deny"), ConfigKind::Kubernetes, &k8s);
    failures += compare(&python, &testdata("convention"), ConfigKind::Dockerfile, &dockerfiles());
    // The comparison saw real failures, not only empty sets.
    assert!(failures >= 10, "only {failures} failures compared");
}
