//! Reference implementations for the differential tests, each run as ONE process that
//! reads `a<TAB>b` pairs on stdin and answers one line per pair: `<cmp> <a valid> <b valid>`
//! where `<cmp>` is `-1`, `0`, `1`, or `E` when either side is invalid for the reference.
//!
//! What must be installed (a missing tool fails the test with this hint):
//! - dpkg (always on Debian), lz4 only to regenerate fixtures;
//! - Debian package `python3-rpm` (rpm's Python bindings, for `/usr/bin/python3`);
//! - pip package `packaging` for `python3` on PATH (or Debian's `python3-packaging`);
//! - node + `npm ci --prefix crates/bulwark-version/tests/reference` (npm's `semver`, pinned);
//! - a Go toolchain (`golang-go`): `golang.org/x/mod/semver` is copied from its vendor tree;
//! - a JDK (`default-jdk-headless`) and Debian's `libmaven3-core-java` (maven-artifact jar).

#![allow(dead_code)]

use std::cmp::Ordering;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One reference answer: the ordering (None when the reference rejects a side) and each side's validity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub order: Option<Ordering>,
    pub a_valid: bool,
    pub b_valid: bool,
}

/// Folder of this crate's test data.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// Folder holding the reference programs and npm package.
pub fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference")
}

/// Non-empty lines of a fixture file.
pub fn read_lines(name: &str) -> Vec<String> {
    let path = data_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// A small deterministic PRNG (splitmix64) so pair samples are reproducible.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Neighbouring pairs (similar versions) plus `random` random pairs, deterministic.
pub fn sample_pairs(versions: &[String], random: usize, seed: u64) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = versions.windows(2).map(|w| (w[0].clone(), w[1].clone())).collect();
    let mut rng = Rng(seed);
    for _ in 0..random {
        let a = versions[rng.below(versions.len())].clone();
        let b = versions[rng.below(versions.len())].clone();
        pairs.push((a, b));
    }
    pairs
}

fn parse_answers(tool: &str, stdout: &str, expected: usize) -> Vec<Answer> {
    let answers: Vec<Answer> = stdout
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let order = match f.first().copied() {
                Some("-1") => Some(Ordering::Less),
                Some("0") => Some(Ordering::Equal),
                Some("1") => Some(Ordering::Greater),
                _ => None,
            };
            Answer { order, a_valid: f.get(1) == Some(&"1"), b_valid: f.get(2) == Some(&"1") }
        })
        .collect();
    assert_eq!(answers.len(), expected, "{tool}: expected {expected} answers, got {}:\n{stdout}", answers.len());
    answers
}

/// Runs `cmd` with `pairs` as `a<TAB>b` lines on stdin and parses its answers.
fn run_batch(tool: &str, hint: &str, cmd: Command, pairs: &[(String, String)]) -> Vec<Answer> {
    let mut input = String::new();
    for (a, b) in pairs {
        assert!(!a.contains(['\t', '\n']) && !b.contains(['\t', '\n']), "pair not line-safe: {a:?} {b:?}");
        input.push_str(&format!("{a}\t{b}\n"));
    }
    run_text(tool, hint, cmd, input, pairs.len())
}

/// `dpkg --compare-versions`, one shell loop per half of the pairs (two run in parallel).
/// `hints` (our own answers) only choose which relation to ask first, to save process spawns.
pub fn dpkg(pairs: &[(String, String)], hints: &[Ordering]) -> Vec<Answer> {
    const SCRIPT: &str = r#"
tab=$(printf '\t')
while IFS="$tab" read -r a b h; do
  case "$h" in -1) first=lt ;; 1) first=gt ;; *) first=eq ;; esac
  dpkg --compare-versions "$a" "$first" "$b" 2>/dev/null; rc=$?
  if [ $rc -eq 0 ]; then
    case $first in lt) echo "-1 1 1" ;; gt) echo "1 1 1" ;; *) echo "0 1 1" ;; esac; continue
  elif [ $rc -ne 1 ]; then
    va=0; vb=0
    dpkg --compare-versions "$a" eq "$a" 2>/dev/null && va=1
    dpkg --compare-versions "$b" eq "$b" 2>/dev/null && vb=1
    echo "E $va $vb"; continue
  fi
  for rel in lt eq gt; do
    [ $rel = $first ] && continue
    if dpkg --compare-versions "$a" $rel "$b" 2>/dev/null; then
      case $rel in lt) echo "-1 1 1" ;; gt) echo "1 1 1" ;; *) echo "0 1 1" ;; esac; break
    fi
  done
done
"#;
    let hint = "dpkg must be on PATH (Debian)";
    let lines: Vec<String> = pairs
        .iter()
        .zip(hints)
        .map(|((a, b), h)| {
            assert!(!a.contains(['\t', '\n']) && !b.contains(['\t', '\n']), "pair not line-safe: {a:?} {b:?}");
            format!("{a}\t{b}\t{}\n", *h as i8)
        })
        .collect();
    let mid = lines.len() / 2;
    let run = |chunk: &[String]| {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(SCRIPT);
        run_text("dpkg", hint, cmd, chunk.concat(), chunk.len())
    };
    std::thread::scope(|scope| {
        let second = scope.spawn(|| run(&lines[mid..]));
        let mut answers = run(&lines[..mid]);
        answers.extend(second.join().unwrap_or_else(|_| panic!("dpkg worker panicked")));
        answers
    })
}

fn run_text(tool: &str, hint: &str, mut cmd: Command, input: String, expected: usize) -> Vec<Answer> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{tool} did not start ({e}); {hint}"));
    let mut stdin = child.stdin.take().unwrap_or_else(|| panic!("{tool}: no stdin"));
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{tool}: {e}"));
    writer.join().unwrap_or_else(|_| panic!("{tool}: writer panicked")).unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert!(out.status.success(), "{tool} failed ({}); {hint}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    parse_answers(tool, &String::from_utf8_lossy(&out.stdout), expected)
}

/// First Python interpreter (of `python3` on PATH and Debian's `/usr/bin/python3`) that can import `module`.
fn python_with(module: &str, hint: &str) -> String {
    for py in ["python3", "/usr/bin/python3"] {
        let ok = Command::new(py)
            .args(["-c", &format!("import {module}")])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return py.to_string();
        }
    }
    panic!("no python3 can import {module}; {hint}")
}

/// rpm's `labelCompare` on EVRs split by rpm's own parser (`rpm.ver`).
pub fn rpm(pairs: &[(String, String)]) -> Vec<Answer> {
    const SCRIPT: &str = r#"
import sys, rpm
out = []
for line in sys.stdin.read().split("\n"):
    if not line:
        continue
    a, b = line.split("\t")
    x, y = rpm.ver(a), rpm.ver(b)
    out.append("%d 1 1" % rpm.labelCompare((x.e, x.v, x.r), (y.e, y.v, y.r)))
sys.stdout.write("\n".join(out) + "\n")
"#;
    let hint = "install the Debian package python3-rpm";
    let mut cmd = Command::new(python_with("rpm", hint));
    cmd.args(["-c", SCRIPT]);
    run_batch("python3-rpm", hint, cmd, pairs)
}

/// Python `packaging.version.Version`.
pub fn pep440(pairs: &[(String, String)]) -> Vec<Answer> {
    const SCRIPT: &str = r#"
import sys
from packaging.version import Version, InvalidVersion
def parse(s):
    try:
        return Version(s)
    except InvalidVersion:
        return None
out = []
for line in sys.stdin.read().split("\n"):
    if not line:
        continue
    a, b = line.split("\t")
    x, y = parse(a), parse(b)
    if x is None or y is None:
        out.append("E %d %d" % (x is not None, y is not None))
    else:
        out.append("%d 1 1" % ((x > y) - (x < y)))
sys.stdout.write("\n".join(out) + "\n")
"#;
    let hint = "pip install packaging (or apt-get install python3-packaging)";
    let mut cmd = Command::new(python_with("packaging.version", hint));
    cmd.args(["-c", SCRIPT]);
    run_batch("packaging", hint, cmd, pairs)
}

/// npm's `semver` package (`semver.valid`, `semver.compare`), from tests/reference/node_modules.
pub fn npm_semver(pairs: &[(String, String)]) -> Vec<Answer> {
    const SCRIPT: &str = r#"
const semver = require("semver");
const lines = require("fs").readFileSync(0, "utf8").split("\n").filter((l) => l.length > 0);
const out = lines.map((line) => {
  const [a, b] = line.split("\t");
  const va = semver.valid(a) !== null, vb = semver.valid(b) !== null;
  if (!va || !vb) return `E ${+va} ${+vb}`;
  return `${semver.compare(a, b)} 1 1`;
});
process.stdout.write(out.join("\n") + "\n");
"#;
    let hint = "run `npm ci --prefix crates/bulwark-version/tests/reference` (needs node and npm)";
    let modules = reference_dir().join("node_modules");
    assert!(modules.join("semver").is_dir(), "{} has no semver; {hint}", modules.display());
    let mut cmd = Command::new("node");
    cmd.args(["-e", SCRIPT]).env("NODE_PATH", &modules);
    run_batch("node semver", hint, cmd, pairs)
}

/// `golang.org/x/mod/semver`, copied from the installed Go toolchain and built once per call.
pub fn go_semver(pairs: &[(String, String)]) -> Vec<Answer> {
    let hint = "install a Go toolchain (Debian package golang-go)";
    let goroot = Command::new("go")
        .args(["env", "GOROOT"])
        .output()
        .unwrap_or_else(|e| panic!("go did not start ({e}); {hint}"));
    let goroot = PathBuf::from(String::from_utf8_lossy(&goroot.stdout).trim());
    let semver_src = goroot.join("src/cmd/vendor/golang.org/x/mod/semver/semver.go");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let pkg = dir.path().join("semver");
    std::fs::create_dir_all(&pkg).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(&semver_src, pkg.join("semver.go"))
        .unwrap_or_else(|e| panic!("{}: {e}; {hint}", semver_src.display()));
    std::fs::copy(reference_dir().join("main.go"), dir.path().join("main.go")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("go.mod"), "module ref\n\ngo 1.17\n").unwrap_or_else(|e| panic!("{e}"));
    let bin = dir.path().join("gosemver");
    let status = Command::new("go")
        .args(["build", "-o"])
        .arg(&bin)
        .arg(".")
        .current_dir(dir.path())
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOCACHE", dir.path().join("cache"))
        .status()
        .unwrap_or_else(|e| panic!("go build: {e}; {hint}"));
    assert!(status.success(), "go build of the semver reference failed; {hint}");
    run_batch("go semver", hint, Command::new(&bin), pairs)
}

/// Maven's `ComparableVersion` from Debian's maven-artifact jar, via a tiny compiled Java program.
pub fn maven(pairs: &[(String, String)]) -> Vec<Answer> {
    let hint = "install a JDK (default-jdk-headless) and libmaven3-core-java";
    let jar = ["/usr/share/maven/lib/maven-artifact-3.x.jar", "/usr/share/java/maven-artifact-3.x.jar"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("maven-artifact jar not found; {hint}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let status = Command::new("javac")
        .arg("-cp")
        .arg(&jar)
        .arg("-d")
        .arg(dir.path())
        .arg(reference_dir().join("MavenCompare.java"))
        .status()
        .unwrap_or_else(|e| panic!("javac: {e}; {hint}"));
    assert!(status.success(), "javac failed; {hint}");
    let mut cmd = Command::new("java");
    cmd.arg("-cp").arg(format!("{}:{}", dir.path().display(), jar.display())).arg("MavenCompare");
    run_batch("maven ComparableVersion", hint, cmd, pairs)
}

/// Compares our answers with the reference's; panics listing the first disagreements.
pub fn check(
    name: &str,
    pairs: &[(String, String)],
    answers: &[Answer],
    compare: impl Fn(&str, &str) -> Ordering,
    is_valid: impl Fn(&str) -> bool,
    min_ordered: usize,
) {
    let mut bad = Vec::new();
    let mut ordered = 0usize;
    for ((a, b), ans) in pairs.iter().zip(answers) {
        if is_valid(a) != ans.a_valid || is_valid(b) != ans.b_valid {
            bad.push(format!(
                "validity {a:?}={} {b:?}={} (reference {} {})",
                is_valid(a),
                is_valid(b),
                ans.a_valid,
                ans.b_valid
            ));
            continue;
        }
        let Some(want) = ans.order else { continue };
        ordered += 1;
        let got = compare(a, b);
        if got != want {
            bad.push(format!("{a:?} vs {b:?}: ours {got:?}, reference {want:?}"));
        }
    }
    println!(
        "{name}: compared {} pairs ({ordered} ordered by the reference), {} disagreements",
        pairs.len(),
        bad.len()
    );
    assert!(
        bad.is_empty(),
        "{name}: {} disagreements, first ones:\n{}",
        bad.len(),
        bad[..bad.len().min(25)].join("\n")
    );
    assert!(ordered >= min_ordered, "{name}: only {ordered} ordered pairs (want >= {min_ordered})");
}
