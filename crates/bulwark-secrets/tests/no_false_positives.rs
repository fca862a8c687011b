//! No false positives on a real Debian root: `/etc`, `/usr/share/doc`, `/usr/include`, `/usr/lib/python3*` of this
//! machine and every file of the corpus `debian-min` image (streamed from its docker-archive).
//! Findings must be documented examples or one of the justified true positives listed in
//! `docs/secret-config.md`. Prints the scan throughput.

use bulwark_secrets::{Scanner, SecretMatch};
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

/// What one tree scan saw.
#[derive(Default)]
struct Tally {
    files: u64,
    bytes: u64,
    time: Duration,
    findings: Vec<(String, SecretMatch)>,
}

impl Tally {
    fn scan(&mut self, scanner: &Scanner, path: &str, data: &[u8]) {
        let start = Instant::now();
        let found = scanner.scan(path, data).matches;
        self.time += start.elapsed();
        self.files += 1;
        self.bytes += data.len() as u64;
        self.findings.extend(found.into_iter().map(|m| (path.to_string(), m)));
    }

    fn report(&self, name: &str) {
        let secs = self.time.as_secs_f64().max(1e-9);
        println!(
            "{name}: {} files, {:.1} MB in {:.2} s of scanning = {:.1} MB/s ({} findings)",
            self.files,
            self.bytes as f64 / 1e6,
            secs,
            self.bytes as f64 / 1e6 / secs,
            self.findings.len()
        );
    }
}

fn walk(scanner: &Scanner, dir: &Path, tally: &mut Tally) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        if meta.is_dir() {
            walk(scanner, &path, tally);
        } else if meta.is_file() && meta.len() <= scanner.max_file_size() {
            if let Ok(data) = std::fs::read(&path) {
                tally.scan(scanner, &path.display().to_string(), &data);
            }
        }
    }
}

/// Every regular file of every layer tar inside a docker-archive.
fn scan_docker_archive(scanner: &Scanner, archive: &Path, tally: &mut Tally) -> std::io::Result<()> {
    scan_layers(scanner, archive, &mut |_, path, data| tally.scan(scanner, path, data))
}

/// Calls `each(layer tar name, path, bytes)` for every regular file of every layer of a docker-archive.
fn scan_layers(scanner: &Scanner, archive: &Path, each: &mut dyn FnMut(&str, &str, &[u8])) -> std::io::Result<()> {
    let mut outer = tar::Archive::new(std::fs::File::open(archive)?);
    for entry in outer.entries()? {
        let entry = entry?;
        let name = entry.path()?.display().to_string();
        if !entry.header().entry_type().is_file() || !name.ends_with(".tar") {
            continue;
        }
        let mut inner = tar::Archive::new(entry);
        for file in inner.entries()? {
            let mut file = file?;
            let size = file.header().size()?;
            if !file.header().entry_type().is_file() || size > scanner.max_file_size() {
                continue;
            }
            let path = format!("/{}", file.path()?.display());
            let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            file.read_to_end(&mut data)?;
            each(&name, &path, &data);
        }
    }
    Ok(())
}

/// True positives a Debian root really holds (see docs/secret-config.md): SSH host keys and the
/// snakeoil TLS key are private keys made at install time; packages ship sample private keys
/// under `/usr/share/doc/*/examples/`.
fn justified(path: &str, m: &SecretMatch) -> bool {
    let host_key = path.starts_with("/etc/ssh/ssh_host_") && path.ends_with("_key");
    let tls_key = path.starts_with("/etc/ssl/private/");
    let doc_example = path.starts_with("/usr/share/doc/") && path.contains("/examples/");
    (host_key || tls_key || doc_example) && m.rule_id.starts_with("private-key-")
}

#[test]
fn debian_root_has_no_false_positives() {
    let scanner = Scanner::builtin().unwrap_or_else(|e| panic!("{e}"));
    let mut unexplained = Vec::new();
    let mut trees: Vec<(String, Tally)> = Vec::new();
    let mut roots = vec!["/etc".to_string(), "/usr/share/doc".to_string(), "/usr/include".to_string()];
    if let Ok(entries) = std::fs::read_dir("/usr/lib") {
        let mut py: Vec<String> = entries
            .flatten()
            .map(|e| e.path().display().to_string())
            .filter(|p| p.starts_with("/usr/lib/python3"))
            .collect();
        py.sort();
        roots.extend(py);
    }
    for root in roots {
        let mut tally = Tally::default();
        walk(&scanner, Path::new(&root), &mut tally);
        trees.push((root, tally));
    }
    let archive = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus-cache/archives/debian-min.tar");
    if archive.exists() {
        let mut tally = Tally::default();
        if let Err(e) = scan_docker_archive(&scanner, &archive, &mut tally) {
            panic!("{}: {e}", archive.display());
        }
        assert!(tally.files > 1000, "debian-min has thousands of files, saw {}", tally.files);
        trees.push(("debian-min.tar".to_string(), tally));
    } else {
        println!("{} missing: run /work/shared/corpus/prebuilt.sh", archive.display());
    }
    for (name, tally) in &trees {
        tally.report(name);
        for (path, m) in &tally.findings {
            let note = if m.example {
                " (example)"
            } else if justified(path, m) {
                " (justified)"
            } else {
                ""
            };
            println!("  {path}:{} {} {}{note}", m.line, m.rule_id, m.redacted);
            if !m.example && !justified(path, m) {
                unexplained.push(format!("{path}:{} {} {}", m.line, m.rule_id, m.redacted));
            }
        }
    }
    let doc_and_python: Vec<&Tally> = trees.iter().filter(|(n, _)| n.starts_with("/usr/")).map(|(_, t)| t).collect();
    let bytes: u64 = doc_and_python.iter().map(|t| t.bytes).sum();
    let time: f64 = doc_and_python.iter().map(|t| t.time.as_secs_f64()).sum();
    println!("throughput /usr/share/doc + /usr/lib/python3*: {:.1} MB/s", bytes as f64 / 1e6 / time.max(1e-9));
    assert!(unexplained.is_empty(), "{} unexplained findings:\n{}", unexplained.len(), unexplained.join("\n"));
}

/// The real `app-python` image: every planted secret of the corpus table is found in its layer
/// files with the right rule and line, and nothing else is reported but documented examples.
#[test]
fn app_python_image_planted_secrets() {
    let archive = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus-cache/archives/app-python.tar");
    if !archive.exists() {
        println!("{} missing: run /work/shared/corpus/prebuilt.sh", archive.display());
        return;
    }
    let scanner = Scanner::builtin().unwrap_or_else(|e| panic!("{e}"));
    let mut found: Vec<(String, String, u32, bool)> = Vec::new();
    let mut files = 0u64;
    scan_layers(&scanner, &archive, &mut |_, path, data| {
        files += 1;
        for m in scanner.scan(path, data).matches {
            println!("  {path}:{} {} {}{}", m.line, m.rule_id, m.redacted, if m.example { " (example)" } else { "" });
            found.push((path.to_string(), m.rule_id, m.line, m.example));
        }
    })
    .unwrap_or_else(|e| panic!("{}: {e}", archive.display()));
    assert!(files > 5000, "{files} files");
    let planted = [
        ("/app/config/.env", "aws-access-key-id", 2, true),
        ("/app/config/.env", "aws-secret-access-key", 3, true),
        ("/app/config/.env", "github-pat", 4, false),
        ("/app/config/id_rsa", "private-key-rsa", 1, false),
        ("/app/old-credentials.txt", "gitlab-pat", 2, false),
        ("/app/Dockerfile", "generic-password", 7, false),
    ];
    for (path, rule, line, example) in planted {
        assert!(
            found.iter().any(|f| f.0 == path && f.1 == rule && f.2 == line && f.3 == example),
            "planted {rule} in {path}:{line} not found"
        );
    }
    let unexplained: Vec<_> =
        found.iter().filter(|f| !f.3 && !planted.iter().any(|p| p.0 == f.0 && p.1 == f.1 && p.2 == f.2)).collect();
    assert!(unexplained.is_empty(), "unexplained findings: {unexplained:?}");
}
