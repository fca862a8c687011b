//! Credentials from a Docker client config (`~/.docker/config.json`, `auths` entries).

use super::Credentials;
use base64::Engine as _;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A config.json larger than this is refused (real ones are a few kB).
const MAX_CONFIG_SIZE: u64 = 4 * 1024 * 1024;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ConfigFile {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default)]
    creds_store: Option<String>,
    #[serde(default)]
    cred_helpers: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

/// Where the Docker client config lives: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
pub(crate) fn default_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".docker").join("config.json"))
}

/// The host part of an `auths` key: `https://index.docker.io/v1/` → `index.docker.io`.
fn key_host(key: &str) -> &str {
    let rest = key.strip_prefix("https://").or_else(|| key.strip_prefix("http://")).unwrap_or(key);
    rest.split('/').next().unwrap_or(rest)
}

/// The names an `auths` key may use for `registry` (Docker Hub has several).
fn host_aliases(registry: &str) -> Vec<&str> {
    match registry {
        "registry-1.docker.io" | "index.docker.io" | "docker.io" => {
            vec!["index.docker.io", "docker.io", "registry-1.docker.io"]
        }
        other => vec![other],
    }
}

/// Looks up credentials for `registry` in the config file at `path`; a missing file means none.
pub(crate) fn lookup(path: &Path, registry: &str) -> Result<Option<Credentials>, String> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let mut data = Vec::new();
    file.take(MAX_CONFIG_SIZE + 1).read_to_end(&mut data).map_err(|e| format!("{}: {e}", path.display()))?;
    if data.len() as u64 > MAX_CONFIG_SIZE {
        return Err(format!("{}: larger than {MAX_CONFIG_SIZE} bytes, not a Docker config", path.display()));
    }
    let config: ConfigFile = serde_json::from_slice(&data)
        .map_err(|e| format!("{}: not a valid Docker config.json: {e}", path.display()))?;
    let aliases = host_aliases(registry);
    let entry = config.auths.iter().find(|(k, _)| aliases.contains(&key_host(k)));
    let Some((key, entry)) = entry else {
        let helper = aliases.iter().find_map(|a| config.cred_helpers.get(*a)).or(config.creds_store.as_ref());
        if let Some(helper) = helper {
            tracing::warn!(
                "{}: credential helper {helper:?} is configured for {registry}, but credential helpers are not \
                 supported; pulling anonymously (use --username/--password-stdin)",
                path.display()
            );
        }
        return Ok(None);
    };
    let bad = |m: &str| format!("{}: auths entry {key:?}: {m}", path.display());
    if let (Some(u), Some(p)) = (&entry.username, &entry.password) {
        if !u.is_empty() {
            return Ok(Some(Credentials { username: u.clone(), password: p.clone() }));
        }
    }
    if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .map_err(|e| bad(&format!("\"auth\" is not base64: {e}")))?;
        let decoded = String::from_utf8(decoded).map_err(|_| bad("\"auth\" does not decode to UTF-8 text"))?;
        let (user, pass) = decoded.split_once(':').ok_or_else(|| bad("\"auth\" does not decode to user:password"))?;
        return Ok(Some(Credentials { username: user.to_string(), password: pass.to_string() }));
    }
    if entry.identitytoken.is_some() {
        tracing::warn!(
            "{}: auths entry {key:?} holds an identity token, which is not supported; pulling anonymously",
            path.display()
        );
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, json: &str) -> PathBuf {
        let p = dir.join("config.json");
        std::fs::write(&p, json).unwrap();
        p
    }

    #[test]
    fn reads_auth_and_username_password_entries() {
        let dir = tempfile::tempdir().unwrap();
        // "corpus:s3cret:with:colons" in base64.
        let auth = base64::engine::general_purpose::STANDARD.encode("corpus:s3cret:with:colons");
        let p = write(
            dir.path(),
            &format!(
                r#"{{"auths":{{"http://127.0.0.1:5000/v1/":{{"auth":"{auth}"}},
                   "https://index.docker.io/v1/":{{"username":"hubuser","password":"hubpass"}}}}}}"#
            ),
        );
        let c = lookup(&p, "127.0.0.1:5000").unwrap().unwrap();
        assert_eq!((c.username.as_str(), c.password.as_str()), ("corpus", "s3cret:with:colons"));
        let c = lookup(&p, "registry-1.docker.io").unwrap().unwrap();
        assert_eq!((c.username.as_str(), c.password.as_str()), ("hubuser", "hubpass"));
        assert!(lookup(&p, "127.0.0.1:5001").unwrap().is_none());
        assert!(lookup(&dir.path().join("missing.json"), "x").unwrap().is_none());
    }

    #[test]
    fn malformed_config_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), r#"{"auths":{"h:1":{"auth":"!!!"}}}"#);
        let err = lookup(&p, "h:1").unwrap_err();
        assert!(err.contains("config.json") && err.contains("not base64"), "{err}");
        let p = write(dir.path(), "{not json");
        let err = lookup(&p, "h:1").unwrap_err();
        assert!(err.contains("config.json") && err.contains("not a valid Docker config.json"), "{err}");
    }
}
