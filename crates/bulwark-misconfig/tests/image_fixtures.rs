//! Image checks on small images built here: root file systems made with real tools (`dpkg-deb`
//! builds the cached `.deb`s, `openssl passwd -6` the shadow hashes, `openssl genpkey` the SSH key,
//! `git` the repository), packed into layer tars with the `tar` crate, read back and stacked
//! (whiteouts included), then checked. A "dirty" image fails every check it can; a "clean" one,
//! holding the near misses (setgid directory, public keys, `.env.example`, apt lock files,
//! `gcc-12-base`), fails none.

mod image_support;

use bulwark_image::ImageConfig;
use bulwark_misconfig::image::{check, checks, FileKind, ImageInput, CHECKS};
use bulwark_types::{LayerRef, Level, Misconfiguration, Package};
use image_support::{merge, parse_stanzas, read_layer, run, testdata, Merged};
use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("bulwark-image-fixture-{name}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Writes a file (creating parents) with a mode.
fn put(root: &Path, rel: &str, data: &[u8], mode: u32) -> PathBuf {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(&path, data).expect("write");
    fs::set_permissions(&path, fs::Permissions::from_mode(mode)).expect("chmod");
    path
}

/// Creates a directory with a mode.
fn dir(root: &Path, rel: &str, mode: u32) {
    let path = root.join(rel);
    fs::create_dir_all(&path).expect("mkdir");
    fs::set_permissions(&path, fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Packs a directory tree into a layer tar (modes kept, setuid bits included), paths sorted.
fn pack(root: &Path) -> Vec<u8> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> =
            fs::read_dir(dir).expect("read_dir").map(|e| e.expect("entry").path()).collect();
        entries.sort();
        for p in entries {
            out.push(p.clone());
            if p.is_dir() && !p.is_symlink() {
                walk(&p, out);
            }
        }
    }
    let mut paths = Vec::new();
    walk(root, &mut paths);
    let mut builder = tar::Builder::new(Vec::new());
    builder.mode(tar::HeaderMode::Complete);
    builder.follow_symlinks(false);
    for p in paths {
        let rel = p.strip_prefix(root).expect("under root");
        builder.append_path_with_name(&p, rel).expect("append");
    }
    builder.into_inner().expect("tar")
}

/// Builds a real `.deb` with dpkg-deb; returns its path.
fn build_deb(scratch: &Path, name: &str, payload_len: usize) -> PathBuf {
    let pkg = scratch.join(format!("pkg-{name}"));
    put(
        &pkg,
        "DEBIAN/control",
        format!(
            "Package: {name}\nVersion: 1.0\nArchitecture: all\nMaintainer: Bulwark <tests@bulwark.invalid>\nDescription: image check fixture\n"
        )
        .as_bytes(),
        0o644,
    );
    // Incompressible-ish payload so the .deb has a size worth counting.
    let payload: Vec<u8> = (0..payload_len).map(|i| ((i * 7919 + i / 13) % 251) as u8).collect();
    put(&pkg, &format!("usr/share/{name}/data.bin"), &payload, 0o644);
    let out = scratch.join(format!("{name}_1.0_all.deb"));
    run(
        "dpkg-deb",
        &["--root-owner-group", "-Zgzip", "--build", &pkg.to_string_lossy(), &out.to_string_lossy()],
        scratch,
    );
    out
}

/// The checked image: config, visible files and shadow, packages, layer refs.
struct Image {
    config: ImageConfig,
    merged: Merged,
    packages: Vec<Package>,
    layers: Vec<LayerRef>,
}

impl Image {
    fn input(&self) -> ImageInput<'_> {
        ImageInput {
            config: &self.config,
            files: &self.merged.files,
            packages: &self.packages,
            shadow: self.merged.shadow.as_deref(),
        }
    }

    fn findings(&self) -> Vec<Misconfiguration> {
        check("fixture:latest", &self.input(), &self.layers)
    }
}

/// Stacks layer trees (each packed with the tar crate, hashed with sha256sum) into an image.
fn image(scratch: &Path, trees: &[PathBuf], config: ImageConfig, packages: Vec<Package>) -> Image {
    let mut layers = Vec::new();
    let mut refs = Vec::new();
    for (i, tree) in trees.iter().enumerate() {
        let tar = pack(tree);
        let file = scratch.join(format!("layer{}.tar", i + 1));
        fs::write(&file, &tar).expect("write layer");
        let sum = String::from_utf8_lossy(&run("sha256sum", &[&file.to_string_lossy()], scratch)).into_owned();
        let hex = sum.split_whitespace().next().expect("sha256sum output").to_string();
        refs.push(LayerRef { index: i + 1, digest: format!("sha256:{hex}"), diff_id: Some(format!("sha256:{hex}")) });
        layers.push(read_layer(std::io::Cursor::new(tar)));
    }
    Image { config, merged: merge(layers), packages, layers: refs }
}

/// The fixture config (testdata/image/fixture-config.json).
fn fixture_config() -> ImageConfig {
    let data = fs::read(testdata().join("fixture-config.json")).expect("fixture config");
    ImageConfig::from_json(&data).expect("fixture config parses")
}

/// Real package metadata: dpkg status stanzas from a Debian 12 system and apt `Packages` stanzas.
fn real_packages() -> Vec<Package> {
    let mut packages = parse_stanzas(&fs::read_to_string(testdata().join("dpkg-status")).expect("dpkg-status"));
    packages.extend(parse_stanzas(&fs::read_to_string(testdata().join("apt-packages")).expect("apt-packages")));
    let make_files: Vec<String> =
        fs::read_to_string(testdata().join("make.list")).expect("make.list").lines().map(str::to_string).collect();
    for p in packages.iter_mut().filter(|p| p.name == "make") {
        p.files = make_files.clone();
    }
    packages
}

/// The dirty image, and the sizes the cache figures must equal.
struct Dirty {
    image: Image,
    deb_a: u64,
    lists: u64,
    make: u64,
}

/// The dirty image, built once (its scratch tree is removed once the layers are in memory).
fn dirty() -> &'static Dirty {
    static DIRTY: OnceLock<Dirty> = OnceLock::new();
    DIRTY.get_or_init(build_dirty)
}

fn build_dirty() -> Dirty {
    let scratch = Scratch::new("dirty");
    let s = scratch.0.clone();
    let l1 = s.join("l1");
    // Layer 1: the "base" added from a rootfs tarball (many files).
    let deb_a = build_deb(&s, "fixture-a", 40_000);
    let deb_b = build_deb(&s, "fixture-b", 25_000);
    let deb_a_len = fs::metadata(&deb_a).expect("deb").len();
    put(&l1, "var/cache/apt/archives/fixture-a_1.0_all.deb", &fs::read(&deb_a).expect("deb a"), 0o644);
    put(&l1, "var/cache/apt/archives/fixture-b_1.0_all.deb", &fs::read(&deb_b).expect("deb b"), 0o644);
    put(&l1, "var/cache/apt/archives/lock", b"", 0o640);
    dir(&l1, "var/cache/apt/archives/partial", 0o700);
    let hash = String::from_utf8_lossy(&run("openssl", &["passwd", "-6", "-salt", "Zm9vYmFy", "hunter2"], &s))
        .trim()
        .to_string();
    assert!(hash.starts_with("$6$Zm9vYmFy$"), "{hash}");
    let shadow = format!(
        "root:{hash}:20000:0:99999:7:::\ndaemon:*:20000:0:99999:7:::\nguest::20000:0:99999:7:::\nold:!{hash}:20000:0:99999:7:::\nnobody:!:20000::::::\n"
    );
    put(&l1, "etc/shadow", shadow.as_bytes(), 0o640);
    put(&l1, "usr/bin/sudo", b"\x7fELF fixture sudo", 0o4755);
    put(&l1, "usr/sbin/sshd", b"\x7fELF fixture sshd", 0o755);
    let make = put(&l1, "usr/bin/make", &vec![0x90u8; 12_345], 0o755);
    let make_len = fs::metadata(&make).expect("make").len();
    dir(&l1, "var/mail", 0o2775);
    let key = run("openssl", &["genpkey", "-algorithm", "ed25519"], &s);
    put(&l1, "root/.ssh/id_ed25519", &key, 0o600);
    put(&l1, "app/.npmrc", b"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n", 0o644);
    put(&l1, "app/node_modules/left-pad/.npmrc", b"package-lock=false\n", 0o644);
    put(&l1, "app/README.md", b"fixture app\n", 0o644);
    run("git", &["init", "-q", "app"], &l1);
    run(
        "git",
        &["-c", "user.name=Fixture", "-c", "user.email=f@bulwark.invalid", "-C", "app", "add", "README.md"],
        &l1,
    );
    run(
        "git",
        &["-c", "user.name=Fixture", "-c", "user.email=f@bulwark.invalid", "-C", "app", "commit", "-qm", "init"],
        &l1,
    );
    // Layer 2: one file added with ADD (COPY would do).
    let l2 = s.join("l2");
    put(&l2, "etc/app.conf", b"listen = 8080\n", 0o644);
    // Layer 3: `apt-get update` alone leaves the lists.
    let l3 = s.join("l3");
    let lists =
        fs::read(testdata().join("deb.debian.org_debian_dists_bookworm-updates_main_binary-amd64_Packages.lz4"))
            .expect("Packages.lz4");
    put(
        &l3,
        "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm-updates_main_binary-amd64_Packages.lz4",
        &lists,
        0o644,
    );
    put(&l3, "var/lib/apt/lists/lock", b"", 0o640);
    put(&l3, "var/lib/apt/lists/partial/.keep", b"", 0o644);
    // Layer 4: a tarball extracted by ADD.
    let l4 = s.join("l4");
    put(&l4, "srv/index.html", b"<h1>fixture</h1>\n", 0o644);
    put(&l4, "srv/app.css", b"h1 { color: red }\n", 0o644);
    // Layer 5: a directory added with ADD.
    let l5 = s.join("l5");
    put(&l5, "opt/tools/run.sh", b"#!/bin/sh\nexec sleep infinity\n", 0o755);
    // Layer 6: update + install in one step; deletes one cached .deb (a whiteout).
    let l6 = s.join("l6");
    put(&l6, "usr/bin/curl", b"\x7fELF fixture curl", 0o755);
    put(&l6, "var/cache/apt/archives/.wh.fixture-b_1.0_all.deb", b"", 0o644);
    let image = image(&s, &[l1, l2, l3, l4, l5, l6], fixture_config(), real_packages());
    Dirty { image, deb_a: deb_a_len, lists: lists.len() as u64, make: make_len }
}

/// (check id, path or resource) of each finding.
fn keys(findings: &[Misconfiguration]) -> BTreeSet<(String, String)> {
    findings
        .iter()
        .map(|f| (f.check_id.clone(), f.path.clone().or_else(|| f.resource.clone()).unwrap_or_default()))
        .collect()
}

fn one<'a>(findings: &'a [Misconfiguration], id: &str, key: &str) -> &'a Misconfiguration {
    findings
        .iter()
        .find(|f| f.check_id == id && (f.path.as_deref() == Some(key) || f.resource.as_deref() == Some(key)))
        .unwrap_or_else(|| panic!("no {id} on {key}: {findings:#?}"))
}

#[test]
fn dirty_image_fails_each_check_it_should_and_only_those() {
    let d = dirty();
    let findings = d.image.findings();
    let want: BTreeSet<(String, String)> = [
        ("BW-IMG-003", "history[2]"),
        ("BW-IMG-003", "history[5]"),
        ("BW-IMG-004", "history[3]"),
        ("BW-IMG-005", "usr/bin/sudo"),
        ("BW-IMG-006", "etc/shadow"),
        ("BW-IMG-007", "etc/shadow"),
        ("BW-IMG-008", "root/.ssh/id_ed25519"),
        ("BW-IMG-008", "app/.npmrc"),
        ("BW-IMG-009", "app/.git"),
        ("BW-IMG-010", "var/cache/apt"),
        ("BW-IMG-010", "var/lib/apt/lists"),
        ("BW-IMG-011", ""),
        ("BW-IMG-012", "usr/sbin/sshd"),
        ("BW-IMG-014", "config.Env[1]"),
        ("BW-IMG-015", "usr/bin/sudo"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(keys(&findings), want, "{findings:#?}");
    assert_eq!(findings.len(), want.len(), "one finding per key");
}

#[test]
fn cache_findings_give_the_exact_bytes_reclaimable() {
    let d = dirty();
    let findings = d.image.findings();
    let apt = one(&findings, "BW-IMG-010", "var/cache/apt");
    // fixture-b was deleted by a whiteout in layer 6; the lock file and partial/ do not count.
    assert_eq!(apt.message, format!("apt package cache /var/cache/apt: 1 files, {} bytes reclaimable", d.deb_a));
    assert_eq!(apt.layer.as_ref().map(|l| l.index), Some(1));
    let lists = one(&findings, "BW-IMG-010", "var/lib/apt/lists");
    assert_eq!(lists.message, format!("apt package lists /var/lib/apt/lists: 1 files, {} bytes reclaimable", d.lists));
    assert_eq!(lists.layer.as_ref().map(|l| l.index), Some(3));
    assert_eq!(d.lists, 11_648);
    assert!(d.deb_a > 1_000, "dpkg-deb built a real package");
    assert_eq!(lists.severity, Level::Low);
    assert_eq!(lists.layer.as_ref(), Some(&d.image.layers[2]), "the layer ref carries the layer digest");
}

#[test]
fn toolchain_finding_names_packages_and_their_bytes() {
    let d = dirty();
    let findings = d.image.findings();
    let tool = findings.iter().find(|f| f.check_id == "BW-IMG-011").expect("toolchain");
    for name in ["gcc-12 12.2.0-14+deb12u1", "g++ 4:12.2.0-3", "make 4.3-4.1", "build-essential 12.9"] {
        assert!(tool.message.contains(name), "{name} in {}", tool.message);
    }
    for not in ["gcc-12-base", "libgcc-s1", "openssh-client"] {
        assert!(!tool.message.contains(not), "{not} is no toolchain: {}", tool.message);
    }
    // Only make's file list is known; its one file present in the image is usr/bin/make.
    assert!(tool.message.contains(&format!("their files take {} bytes reclaimable", d.make)), "{}", tool.message);
}

#[test]
fn shadow_credential_ssh_sudo_and_env_messages() {
    let d = dirty();
    let findings = d.image.findings();
    let hashes = one(&findings, "BW-IMG-006", "etc/shadow");
    assert_eq!(hashes.message, "/etc/shadow holds password hashes for root (SHA-512), old (SHA-512, locked)");
    assert_eq!(hashes.layer.as_ref().map(|l| l.index), Some(1));
    let empty = one(&findings, "BW-IMG-007", "etc/shadow");
    assert_eq!(empty.message, "/etc/shadow has accounts with an empty password: guest");
    assert_eq!(empty.severity, Level::Critical);
    let all = serde_json::to_string(&findings).expect("json");
    assert!(!all.contains("$6$Zm9vYmFy"), "no hash in the output");
    assert!(!all.contains("tok_4f9a8b7c6d5e"), "no ENV value in the output");

    let key = one(&findings, "BW-IMG-008", "root/.ssh/id_ed25519");
    assert!(key.message.contains("SSH private key"), "{}", key.message);
    let sshd = one(&findings, "BW-IMG-012", "usr/sbin/sshd");
    assert!(sshd.message.contains("openssh-server 1:9.2p1-2+deb12u10"), "{}", sshd.message);
    let sudo = one(&findings, "BW-IMG-015", "usr/bin/sudo");
    assert!(sudo.message.contains("sudo 1.9.13p3-1+deb12u4"), "{}", sudo.message);
    let env = one(&findings, "BW-IMG-014", "config.Env[1]");
    assert_eq!(env.message, "ENV API_TOKEN holds a literal value (24 characters, redacted)");
    let git = one(&findings, "BW-IMG-009", "app/.git");
    assert!(git.message.starts_with("/app/.git is a git repository ("), "{}", git.message);
    let setuid = one(&findings, "BW-IMG-005", "usr/bin/sudo");
    assert_eq!(setuid.message, "/usr/bin/sudo is setuid (mode 4755)");
}

#[test]
fn history_findings_name_the_step_and_its_layer() {
    let d = dirty();
    let findings = d.image.findings();
    let file = one(&findings, "BW-IMG-003", "history[2]");
    assert_eq!(file.layer.as_ref().map(|l| l.index), Some(2));
    assert!(file.message.contains("ADD file:77ab3e90c1d2 in /etc/app.conf"), "{}", file.message);
    let dir = one(&findings, "BW-IMG-003", "history[5]");
    assert_eq!(dir.layer.as_ref().map(|l| l.index), Some(5));
    assert!(dir.message.contains("local directory"), "{}", dir.message);
    let update = one(&findings, "BW-IMG-004", "history[3]");
    assert_eq!(update.layer.as_ref().map(|l| l.index), Some(3));
    assert_eq!(update.message, "history[3] RUN runs `apt-get update` without installing anything in the same step");
    assert!(update.mappings.iter().any(|m| m.control == "4.7"));
}

#[test]
fn clean_image_fails_nothing() {
    let scratch = Scratch::new("clean");
    let s = scratch.0.clone();
    let l1 = s.join("l1");
    dir(&l1, "var/mail", 0o2775);
    dir(&l1, "var/local", 0o2775);
    put(&l1, "usr/bin/su", b"\x7fELF fixture su without setuid", 0o755);
    let key = run("openssl", &["genpkey", "-algorithm", "ed25519"], &s);
    put(&s, "k.pem", &key, 0o600);
    let public = run("openssl", &["pkey", "-in", "k.pem", "-pubout"], &s);
    put(&l1, "root/.ssh/id_ed25519.pub", &public, 0o644);
    put(
        &l1,
        "root/.ssh/known_hosts",
        b"github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n",
        0o644,
    );
    put(&l1, "app/.env.example", b"DB_PASSWORD=\n", 0o644);
    put(&l1, "app/node_modules/left-pad/.npmrc", b"package-lock=false\n", 0o644);
    put(&l1, "app/.gitignore", b"node_modules/\n", 0o644);
    put(&l1, "app/.github/workflows/ci.yml", b"on: push\n", 0o644);
    put(&l1, "var/lib/apt/lists/lock", b"", 0o640);
    put(&l1, "var/lib/apt/lists/partial/.keep", b"", 0o644);
    put(&l1, "var/cache/apt/archives/lock", b"", 0o640);
    dir(&l1, "var/cache/apt/archives/partial", 0o700);
    put(
        &l1,
        "etc/shadow",
        b"root:*:20000:0:99999:7:::\ndaemon:!:20000::::::\napp:!!:20000::::::\nsvc:!*:20000::::::\n",
        0o640,
    );
    let config = ImageConfig::from_json(
        br#"{"architecture":"amd64","os":"linux",
            "config":{"User":"1000:1000","Env":["PATH=/usr/bin:/bin","GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D"],
                      "ExposedPorts":{"8080/tcp":{}},"Healthcheck":{"Test":["CMD","/usr/bin/true"]}},
            "history":[{"created_by":"COPY rootfs/ / # buildkit"},
                       {"created_by":"RUN /bin/sh -c apt-get update && apt-get install -y tini && rm -rf /var/lib/apt/lists/* # buildkit","empty_layer":true},
                       {"created_by":"USER 1000:1000","empty_layer":true}]}"#,
    )
    .expect("config");
    let packages: Vec<Package> = real_packages()
        .into_iter()
        .filter(|p| ["gcc-12-base", "libgcc-s1", "openssh-client"].contains(&p.name.as_str()))
        .collect();
    assert_eq!(packages.len(), 3);
    let img = image(&s, &[l1], config, packages);
    assert!(img.merged.files.iter().any(|f| f.path == "var/mail" && f.kind == FileKind::Dir && f.mode & 0o2000 != 0));
    let findings = img.findings();
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn root_user_forms_and_disabled_healthcheck_are_reported() {
    let d = dirty();
    for user in ["0:0", "root", "0"] {
        let mut img_config = d.image.config.clone();
        img_config.config.user = Some(user.to_string());
        let input = ImageInput { config: &img_config, ..d.image.input() };
        let found = check("fixture:latest", &input, &d.image.layers);
        let root = found.iter().find(|f| f.check_id == "BW-IMG-001").unwrap_or_else(|| panic!("User {user:?} is root"));
        assert_eq!(root.message, format!("the image config sets User {user:?}, which is root"));
    }
    let mut img_config = d.image.config.clone();
    img_config.config.healthcheck = Some(serde_json::json!({"Test": ["NONE"]}));
    let input = ImageInput { config: &img_config, ..d.image.input() };
    let found = check("fixture:latest", &input, &d.image.layers);
    let hc = found.iter().find(|f| f.check_id == "BW-IMG-002").expect("HEALTHCHECK NONE");
    assert!(hc.message.contains("NONE"), "{}", hc.message);
    let mut img_config = d.image.config.clone();
    img_config.config.exposed_ports.insert("22".into(), serde_json::json!({}));
    let input = ImageInput { config: &img_config, ..d.image.input() };
    assert!(check("fixture:latest", &input, &d.image.layers).iter().any(|f| f.check_id == "BW-IMG-013"));
}

#[test]
fn the_table_is_complete_and_mapped() {
    let ids: Vec<&str> = CHECKS.iter().map(|c| c.meta.id).collect();
    let want: Vec<String> = (1..=15).map(|i| format!("BW-IMG-{i:03}")).collect();
    assert_eq!(ids, want.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(checks().len(), CHECKS.len());
    for c in CHECKS {
        assert!(!c.meta.title.is_empty() && !c.meta.description.is_empty() && !c.meta.remediation.is_empty());
        assert!(
            c.meta.mappings.iter().any(|(f, _)| *f == bulwark_types::Framework::Nist800190),
            "{} maps to NIST SP 800-190",
            c.meta.id
        );
        assert!(!c.meta.references.is_empty(), "{}", c.meta.id);
    }
}
