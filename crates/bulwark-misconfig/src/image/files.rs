//! Checks on the files of the final image: setuid/setgid, shadow hashes, credential files, `.git`,
//! package-manager caches.

use super::shadow::{parse_shadow, PasswordState};
use super::{find_file, FileFact, FileKind, ImageInput};
use crate::check::Hit;
use std::collections::BTreeMap;

/// A hit about one file of the image.
fn file_hit(message: String, fact: &FileFact) -> Hit {
    Hit { path: Some(fact.path.clone()), layer: Some(fact.layer), ..Hit::new(message) }
}

/// BW-IMG-005: regular files with the setuid or setgid bit. One finding per file, so each carries
/// its own path and layer (and can be suppressed on its own). Directories are skipped: setgid on
/// a directory only makes new files inherit its group (Debian's `/var/mail`, `/var/local`).
pub(crate) fn setuid_setgid(input: &ImageInput<'_>) -> Vec<Hit> {
    input
        .files
        .iter()
        .filter(|f| f.kind == FileKind::File && f.mode & 0o6000 != 0)
        .map(|f| {
            let bits = match (f.mode & 0o4000 != 0, f.mode & 0o2000 != 0) {
                (true, true) => "setuid and setgid",
                (true, false) => "setuid",
                _ => "setgid",
            };
            file_hit(format!("/{} is {bits} (mode {:04o})", f.path, f.mode & 0o7777), f)
        })
        .collect()
}

/// Where the shadow file lives.
const SHADOW: &str = "etc/shadow";

/// Accounts of `/etc/shadow` in a given password state, as `name` or `name (scheme)`.
fn shadow_accounts(input: &ImageInput<'_>, state: PasswordState) -> Vec<String> {
    let Some(data) = input.shadow else { return Vec::new() };
    parse_shadow(data)
        .into_iter()
        .filter(|e| e.state == state)
        .map(|e| match (e.algorithm, e.locked) {
            (Some(a), true) => format!("{} ({a}, locked)", e.user),
            (Some(a), false) => format!("{} ({a})", e.user),
            (None, _) => e.user,
        })
        .collect()
}

/// A hit on `/etc/shadow` listing accounts.
fn shadow_hit(input: &ImageInput<'_>, message: String) -> Hit {
    match find_file(input.files, SHADOW) {
        Some(fact) => file_hit(message, fact),
        None => Hit { path: Some(SHADOW.into()), ..Hit::new(message) },
    }
}

/// BW-IMG-006: `/etc/shadow` holds password hashes (crackable offline by anyone with the image).
pub(crate) fn shadow_hashes(input: &ImageInput<'_>) -> Vec<Hit> {
    let accounts = shadow_accounts(input, PasswordState::Hash);
    if accounts.is_empty() {
        return Vec::new();
    }
    vec![shadow_hit(input, format!("/etc/shadow holds password hashes for {}", accounts.join(", ")))]
}

/// BW-IMG-007: accounts with an empty password (anyone can become them with `su`).
pub(crate) fn empty_passwords(input: &ImageInput<'_>) -> Vec<Hit> {
    let accounts = shadow_accounts(input, PasswordState::Empty);
    if accounts.is_empty() {
        return Vec::new();
    }
    vec![shadow_hit(input, format!("/etc/shadow has accounts with an empty password: {}", accounts.join(", ")))]
}

/// Directories whose contents come from packages (example configs, test fixtures), not from the
/// image's author: credential-named files there are left to the secret scanner, which reads them.
const VENDORED_DIRS: &[&str] = &["node_modules", "site-packages", "dist-packages", "vendor", "usr/share/doc"];

/// Whether a path lies inside a package's own files.
fn vendored(path: &str) -> bool {
    VENDORED_DIRS.iter().any(|d| path.starts_with(&format!("{d}/")) || path.contains(&format!("/{d}/")))
}

/// What a credential file is, by where it is; `None` for other files.
pub(crate) fn credential_kind(path: &str) -> Option<&'static str> {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let parent = dir.rsplit('/').next().unwrap_or(dir);
    let in_ssh = parent == ".ssh";
    let kind = match name {
        "authorized_keys" | "authorized_keys2" if in_ssh => {
            "SSH authorized keys (grants login to whoever holds the key)"
        }
        n if in_ssh && n.starts_with("id_") && !n.ends_with(".pub") => "SSH private key",
        "config.json" if parent == ".docker" => "Docker registry credentials (.docker/config.json)",
        "credentials" if parent == ".aws" => "AWS credentials (.aws/credentials)",
        "config" if parent == ".kube" => "Kubernetes client config (.kube/config)",
        ".npmrc" => "npm config (.npmrc, may hold registry tokens)",
        ".pypirc" => "PyPI config (.pypirc, may hold upload tokens)",
        ".netrc" => "netrc login file (.netrc)",
        ".git-credentials" => "git credential store (.git-credentials)",
        ".pgpass" => "PostgreSQL password file (.pgpass)",
        ".my.cnf" => "MySQL client config (.my.cnf)",
        ".env" => "dotenv file (.env)",
        n if n.starts_with(".env.")
            && ![".example", ".sample", ".template", ".dist"].iter().any(|s| n.ends_with(s)) =>
        {
            "dotenv file (.env.*)"
        }
        _ => return None,
    };
    Some(kind)
}

/// BW-IMG-008: credential files left in the image (Dockle CIS-DI-0010 / DKL-DI list, narrowed to
/// files that are credentials by definition). One finding per file.
pub(crate) fn credential_files(input: &ImageInput<'_>) -> Vec<Hit> {
    input
        .files
        .iter()
        .filter(|f| f.kind == FileKind::File && !vendored(&f.path))
        .filter_map(|f| credential_kind(&f.path).map(|kind| file_hit(format!("/{} is a {kind}", f.path), f)))
        .collect()
}

/// BW-IMG-009: `.git` directories (the repository's whole history, often with secrets). One finding
/// per repository; the layer is the one holding most of its files.
pub(crate) fn git_directories(input: &ImageInput<'_>) -> Vec<Hit> {
    let mut repos: BTreeMap<&str, (u64, u64, BTreeMap<usize, u64>)> = BTreeMap::new();
    for f in input.files {
        let Some(root) = git_root(&f.path) else { continue };
        let entry = repos.entry(root).or_default();
        if f.kind == FileKind::File {
            entry.0 += 1;
            entry.1 = entry.1.saturating_add(f.size);
        }
        *entry.2.entry(f.layer).or_default() += 1;
    }
    repos
        .into_iter()
        .map(|(root, (count, bytes, layers))| {
            let layer = layers.into_iter().max_by_key(|(l, n)| (*n, *l)).map(|(l, _)| l);
            Hit {
                path: Some(root.to_string()),
                layer,
                ..Hit::new(format!("/{root} is a git repository ({count} files, {bytes} bytes)"))
            }
        })
        .collect()
}

/// The `…/.git` prefix of a path inside a git directory (the outermost one).
fn git_root(path: &str) -> Option<&str> {
    let mut end = 0;
    for seg in path.split('/') {
        end += seg.len();
        if seg == ".git" {
            return path.get(..end);
        }
        end += 1;
    }
    None
}

/// A package-manager cache: its name, the directory it lives in, and which files under it count.
pub(crate) struct Cache {
    /// Human name, e.g. `apt package cache`.
    pub name: &'static str,
    /// Directory prefixes, relative (`var/cache/apt/`, `home/*/.cache/pip/` with `*` one segment).
    pub dirs: &'static [&'static str],
    /// Whether a file (path below the cache dir) counts as cache.
    pub counts: fn(&str) -> bool,
}

/// Anything below the cache directory.
fn any_file(_: &str) -> bool {
    true
}

/// apt's downloaded `.deb`s and binary caches, not its lock or partial downloads' directory.
fn apt_cache_file(rest: &str) -> bool {
    rest != "archives/lock" && rest != "lock" && !rest.starts_with("archives/partial/")
}

/// apt's package lists, not its lock or partial downloads.
fn apt_list_file(rest: &str) -> bool {
    rest != "lock" && !rest.starts_with("partial/")
}

/// The caches an image should not ship (what `apt-get clean`, `rm -rf /var/lib/apt/lists/*`,
/// `apk --no-cache`, `pip --no-cache-dir`, `npm cache clean`, `yum/dnf clean all` remove).
pub(crate) const CACHES: &[Cache] = &[
    Cache { name: "apt package cache", dirs: &["var/cache/apt/"], counts: apt_cache_file },
    Cache { name: "apt package lists", dirs: &["var/lib/apt/lists/"], counts: apt_list_file },
    Cache { name: "apk package cache", dirs: &["var/cache/apk/"], counts: any_file },
    Cache { name: "yum cache", dirs: &["var/cache/yum/"], counts: any_file },
    Cache { name: "dnf cache", dirs: &["var/cache/dnf/", "var/cache/libdnf5/"], counts: any_file },
    Cache { name: "zypper cache", dirs: &["var/cache/zypp/packages/"], counts: any_file },
    Cache { name: "pip cache", dirs: &["root/.cache/pip/", "home/*/.cache/pip/"], counts: any_file },
    Cache { name: "npm cache", dirs: &["root/.npm/_cacache/", "home/*/.npm/_cacache/"], counts: any_file },
    Cache {
        name: "yarn cache",
        dirs: &["root/.cache/yarn/", "home/*/.cache/yarn/", "usr/local/share/.cache/yarn/"],
        counts: any_file,
    },
    Cache { name: "Go build cache", dirs: &["root/.cache/go-build/", "home/*/.cache/go-build/"], counts: any_file },
];

/// The part of `path` below `dir` (whose `*` matches one segment), if `path` is below it.
fn below<'p>(path: &'p str, dir: &str) -> Option<(String, &'p str)> {
    let mut rest = path;
    let mut matched = String::new();
    for seg in dir.trim_end_matches('/').split('/') {
        let (head, tail) = rest.split_once('/')?;
        if seg != "*" && seg != head {
            return None;
        }
        matched.push_str(head);
        matched.push('/');
        rest = tail;
    }
    Some((matched, rest))
}

/// Files and bytes of one cache directory, by layer.
#[derive(Default)]
struct Tally {
    files: u64,
    bytes: u64,
    by_layer: BTreeMap<usize, u64>,
}

/// BW-IMG-010: package-manager caches, with the bytes that removing them in the step that made
/// them would save. One finding per cache directory.
pub(crate) fn package_caches(input: &ImageInput<'_>) -> Vec<Hit> {
    let mut found: BTreeMap<(String, &'static str), Tally> = BTreeMap::new();
    for f in input.files.iter().filter(|f| f.kind == FileKind::File) {
        for cache in CACHES {
            let hit = cache.dirs.iter().find_map(|d| below(&f.path, d)).filter(|(_, rest)| (cache.counts)(rest));
            if let Some((dir, _)) = hit {
                let t = found.entry((dir, cache.name)).or_default();
                t.files += 1;
                t.bytes = t.bytes.saturating_add(f.size);
                let at = t.by_layer.entry(f.layer).or_default();
                *at = at.saturating_add(f.size);
                break;
            }
        }
    }
    found
        .into_iter()
        .map(|((dir, name), t)| {
            let layer = t.by_layer.iter().max_by_key(|(l, b)| (**b, **l)).map(|(l, _)| *l);
            let dir = dir.trim_end_matches('/').to_string();
            let message = format!("{name} /{dir}: {} files, {} bytes reclaimable", t.files, t.bytes);
            Hit { path: Some(dir), layer, ..Hit::new(message) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names() {
        let yes = [
            "root/.ssh/id_rsa",
            "home/app/.ssh/id_ed25519",
            "root/.ssh/authorized_keys",
            "root/.docker/config.json",
            "app/.npmrc",
            "root/.pypirc",
            "app/config/.env",
            "app/.env.production",
            "root/.aws/credentials",
        ];
        for p in yes {
            assert!(credential_kind(p).is_some(), "{p}");
        }
        let no =
            ["root/.ssh/id_rsa.pub", "root/.ssh/known_hosts", "etc/config.json", "app/.env.example", "app/credentials"];
        for p in no {
            assert!(credential_kind(p).is_none(), "{p}");
        }
        assert!(vendored("app/node/node_modules/x/.npmrc"));
        assert!(vendored("usr/lib/python3/dist-packages/x/.env"));
        assert!(!vendored("app/.npmrc"));
    }

    #[test]
    fn git_roots_and_cache_dirs() {
        assert_eq!(git_root("app/.git/HEAD"), Some("app/.git"));
        assert_eq!(git_root(".git/objects/ab/cd"), Some(".git"));
        assert_eq!(git_root("app/.gitignore"), None);
        assert_eq!(git_root("app/.git"), Some("app/.git"));
        assert_eq!(
            below("home/bob/.cache/pip/http/x", "home/*/.cache/pip/"),
            Some(("home/bob/.cache/pip/".into(), "http/x"))
        );
        assert_eq!(
            below("var/cache/apt/archives/a.deb", "var/cache/apt/"),
            Some(("var/cache/apt/".into(), "archives/a.deb"))
        );
        assert_eq!(below("var/cache/apt", "var/cache/apt/"), None);
        assert!(!apt_list_file("lock") && !apt_list_file("partial/x") && apt_list_file("deb.debian.org_InRelease"));
        assert!(!apt_cache_file("archives/lock") && apt_cache_file("archives/x.deb") && apt_cache_file("pkgcache.bin"));
    }
}
