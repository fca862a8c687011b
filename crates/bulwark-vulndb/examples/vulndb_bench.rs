//! Measures import and match on real data.
//!
//! `cargo run --release -p bulwark-vulndb --example vulndb_bench -- VULNDATA_DIR [INVENTORY_JSON | CORPUS_TRUTH_DIR]`
//!
//! Imports every `osv/<ecosystem>/all.zip` of VULNDATA_DIR into a fresh cache directory (import time,
//! records/s, database size and what takes the space), then matches the packages of an inventory
//! (`bulwark sbom -f json` output) or of a corpus truth directory (`dpkg.tsv`, `python.tsv`, `npm.tsv`)
//! and reports the match time (best and median of 50 runs).
//!
//! `vulndb_bench --match CACHE_DIR INVENTORY_JSON [--runs N] [--suffix SUFFIX] [--ids FILE]`
//!
//! Matches the inventory against the database already in CACHE_DIR, `--runs` times (default 50), and prints
//! one line of `key=value` pairs (packages, findings, fresh-handle, best, median, p95 and worst milliseconds)
//! for `bench/vulndb.sh`. `--suffix` appends SUFFIX to every package (and source package) name first, to
//! query the renamed clones of a synthetic database; `--ids` writes one `name@version id` line per finding.

use bulwark_types::{Inventory, Package, PackageKind, SourcePackage};
use bulwark_vulndb::{import_path, import_paths, match_packages, ImportLimits, Store};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if args.first().is_some_and(|a| a.as_os_str() == "--match") {
        return match_only(&args[1..]);
    }
    let vulndata = args.first().ok_or("usage: vulndb_bench VULNDATA_DIR [INVENTORY_JSON | TRUTH_DIR]")?;
    let cache = tempfile::tempdir()?;
    let ecosystems = std::fs::read_to_string(vulndata.join("osv/ecosystems.txt"))?;
    let started = Instant::now();
    let mut read = 0;
    for eco in ecosystems.lines().filter(|l| !l.trim().is_empty()) {
        let r = import_path(cache.path(), &vulndata.join("osv").join(eco).join("all.zip"))?;
        println!("  {eco:<10} {:>5} records {:>8.1} ms", r.read, r.elapsed.as_secs_f64() * 1e3);
        read += r.read;
    }
    let secs = started.elapsed().as_secs_f64();
    // All zips in one atomic import: one copy, one transaction, one fsync.
    let one = tempfile::tempdir()?;
    let zips: Vec<PathBuf> = ecosystems
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|e| vulndata.join("osv").join(e).join("all.zip"))
        .collect();
    let refs: Vec<&Path> = zips.iter().map(PathBuf::as_path).collect();
    let r = import_paths(one.path(), &refs, &ImportLimits::default())?;
    let store = Store::open(cache.path())?;
    let status = store.status()?;
    println!(
        "import: {read} records from {} zips in {secs:.3} s ({:.0} records/s); all zips in one import_paths: {} records in {:.3} s ({:.0} records/s)",
        ecosystems.lines().count(),
        read as f64 / secs,
        r.read,
        r.elapsed.as_secs_f64(),
        r.read as f64 / r.elapsed.as_secs_f64()
    );
    let conn = rusqlite::Connection::open(store.path())?;
    let originals: i64 = conn.query_row("SELECT sum(length(record)) FROM advisories", [], |r| r.get(0))?;
    let affected: i64 = conn.query_row("SELECT sum(length(data)) FROM affected", [], |r| r.get(0))?;
    let json_bytes: u64 = r.bytes;
    println!(
        "database: {} bytes ({} KiB) for {} bytes of JSON; zstd originals {} bytes, affected rows {} bytes",
        status.size_bytes,
        status.size_bytes / 1024,
        json_bytes,
        originals,
        affected
    );

    let packages = match args.get(1) {
        Some(p) if p.is_file() => serde_json::from_slice::<Inventory>(&std::fs::read(p)?)?.packages,
        Some(dir) => from_truth(dir)?,
        None => Vec::new(),
    };
    if packages.is_empty() {
        return Ok(());
    }
    let mut times = Vec::new();
    let mut findings = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        findings = match_packages(&store, &packages)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let cold_store = Store::open(cache.path())?;
    let t = Instant::now();
    match_packages(&cold_store, &packages)?;
    let cold = t.elapsed().as_secs_f64() * 1e3;
    println!(
        "match: {} packages -> {} findings; fresh handle {cold:.2} ms, best {:.2} ms, median {:.2} ms",
        packages.len(),
        findings.len(),
        times[0],
        times[times.len() / 2]
    );
    for f in findings.iter().take(5) {
        let p = &packages[f.package];
        println!("  {}@{} {} {} fixed {:?}", p.name, p.version, f.id, f.severity.level, f.fixed);
    }
    Ok(())
}

/// Options of the `--match` mode.
struct MatchArgs {
    cache: PathBuf,
    inventory: PathBuf,
    runs: usize,
    suffix: String,
    ids: Option<PathBuf>,
}

impl MatchArgs {
    fn parse(args: &[PathBuf]) -> Result<MatchArgs, Box<dyn std::error::Error>> {
        const USAGE: &str = "usage: vulndb_bench --match CACHE_DIR INVENTORY_JSON [--runs N] [--suffix S] [--ids FILE]";
        let mut positional = Vec::new();
        let (mut runs, mut suffix, mut ids) = (50, String::new(), None);
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = || it.next().ok_or_else(|| format!("{} needs a value; {USAGE}", a.display()));
            match a.to_str() {
                Some("--runs") => runs = value()?.to_string_lossy().parse()?,
                Some("--suffix") => suffix = value()?.to_string_lossy().into_owned(),
                Some("--ids") => ids = Some(value()?.clone()),
                _ => positional.push(a.clone()),
            }
        }
        let [cache, inventory] = <[PathBuf; 2]>::try_from(positional).map_err(|_| USAGE)?;
        if runs == 0 {
            return Err("--runs must be at least 1".into());
        }
        Ok(MatchArgs { cache, inventory, runs, suffix, ids })
    }
}

/// Matches an inventory against an existing database `runs` times and prints the timings on one line.
fn match_only(args: &[PathBuf]) -> Result<(), Box<dyn std::error::Error>> {
    let a = MatchArgs::parse(args)?;
    let text = std::fs::read(&a.inventory).map_err(|e| format!("{}: {e}", a.inventory.display()))?;
    let mut packages = serde_json::from_slice::<Inventory>(&text)
        .map_err(|e| format!("{}: not a bulwark inventory: {e}", a.inventory.display()))?
        .packages;
    if !a.suffix.is_empty() {
        for p in &mut packages {
            p.name.push_str(&a.suffix);
            if let Some(src) = p.source.as_mut().filter(|s| !s.name.is_empty()) {
                src.name.push_str(&a.suffix);
            }
        }
    }
    // First match on a freshly opened handle: page cache warm, SQLite cache and statements cold.
    let t = Instant::now();
    let store = Store::open(&a.cache)?;
    let mut findings = match_packages(&store, &packages)?;
    let fresh = t.elapsed().as_secs_f64() * 1e3;
    let mut times = Vec::with_capacity(a.runs);
    for _ in 0..a.runs {
        let t = Instant::now();
        findings = match_packages(&store, &packages)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times.get(((times.len() as f64 * q).ceil() as usize).saturating_sub(1)).copied().unwrap_or(0.0);
    println!(
        "packages={} findings={} runs={} fresh_ms={fresh:.3} best_ms={:.3} median_ms={:.3} p95_ms={:.3} max_ms={:.3}",
        packages.len(),
        findings.len(),
        a.runs,
        at(0.0),
        at(0.5),
        at(0.95),
        at(1.0)
    );
    if let Some(path) = &a.ids {
        let mut lines: Vec<String> = findings
            .iter()
            .filter_map(|f| packages.get(f.package).map(|p| format!("{}@{} {}\n", p.name, p.version, f.id)))
            .collect();
        lines.sort();
        std::fs::write(path, lines.concat()).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// Packages from a corpus truth directory's TSV files (OS packages as Debian 12, with their source).
fn from_truth(dir: &Path) -> Result<Vec<Package>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    for (file, kind, eco) in [
        ("dpkg.tsv", PackageKind::Deb, "Debian:12"),
        ("python.tsv", PackageKind::Python, "PyPI"),
        ("npm.tsv", PackageKind::Npm, "npm"),
    ] {
        let text = std::fs::read_to_string(dir.join(file))?;
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (Some(name), Some(version)) = (cols.first(), cols.get(1)) else { continue };
            let mut p = Package::new(kind, *name, *version, "truth");
            p.ecosystem = eco.to_string();
            if let (PackageKind::Deb, Some(src), Some(sv)) = (kind, cols.get(3), cols.get(4)) {
                p.source = Some(SourcePackage { name: src.to_string(), version: sv.to_string() });
            }
            out.push(p);
        }
    }
    Ok(out)
}
