//! Checks on the runtime config: user, health check, exposed ports, secrets in `ENV`.

use super::ImageInput;
use crate::check::Hit;
use serde_json::Value;

/// Whether a `User` value runs the container as root: empty (the default), `root` or UID 0,
/// with or without a group (`0:0`, `root:staff`).
pub(crate) fn is_root_user(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or("").trim();
    name.is_empty()
        || name == "root"
        || (name.bytes().all(|b| b.is_ascii_digit()) && name.trim_start_matches('0').is_empty())
}

/// BW-IMG-001: the image runs as root.
pub(crate) fn root_user(input: &ImageInput<'_>) -> Vec<Hit> {
    let user = input.config.config.user.as_deref().unwrap_or("");
    if !is_root_user(user) {
        return Vec::new();
    }
    let message = if user.trim().is_empty() {
        "the image config sets no User, so containers run as root".to_string()
    } else {
        format!("the image config sets User {user:?}, which is root")
    };
    vec![Hit { resource: Some("config.User".into()), ..Hit::new(message) }]
}

/// BW-IMG-002: no `HEALTHCHECK` (absent, or `NONE` which disables an inherited one).
pub(crate) fn no_healthcheck(input: &ImageInput<'_>) -> Vec<Hit> {
    let test = input.config.config.healthcheck.as_ref().and_then(|h| h.get("Test")).and_then(Value::as_array);
    let first = test.and_then(|t| t.first()).and_then(Value::as_str);
    let message = match first {
        None => "the image config has no HEALTHCHECK",
        Some("NONE") => "the image config disables the health check (HEALTHCHECK NONE)",
        Some(_) => return Vec::new(),
    };
    vec![Hit { resource: Some("config.Healthcheck".into()), ..Hit::new(message) }]
}

/// BW-IMG-013: port 22 (SSH) exposed.
pub(crate) fn ssh_port_exposed(input: &ImageInput<'_>) -> Vec<Hit> {
    input
        .config
        .config
        .exposed_ports
        .keys()
        .filter(|key| {
            let (port, proto) = key.split_once('/').unwrap_or((key.as_str(), "tcp"));
            port.trim() == "22" && proto.eq_ignore_ascii_case("tcp")
        })
        .map(|key| Hit {
            resource: Some(format!("config.ExposedPorts[{key:?}]")),
            ..Hit::new(format!("the image exposes port {key} (SSH)"))
        })
        .collect()
}

/// Parts of a variable name that mark it as holding a secret.
const SECRET_NAME_PARTS: &[&str] =
    &["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "CREDENTIAL"];

/// Names that end like a secret but hold public data: signing-key fingerprints official images set.
const PUBLIC_NAMES: &[&str] = &["GPG_KEY", "GPG_KEYS", "PGP_KEY", "PGP_KEYS", "PUBLIC_KEY", "NODE_KEYS"];

/// Suffixes of names that point at where a secret is, not at the secret itself.
const POINTER_SUFFIXES: &[&str] = &[
    "_FILE",
    "_PATH",
    "_DIR",
    "_LOCATION",
    "_NAME",
    "_HEADER",
    "_LENGTH",
    "_TTL",
    "_URL",
    "_URI",
    "_ENDPOINT",
    "_HOST",
    "_PORT",
    "_USER",
    "_USERNAME",
    "_TIMEOUT",
    "_EXPIRY",
    "_ENABLED",
];

/// Whether an `ENV` name looks like it holds a secret.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if PUBLIC_NAMES.contains(&upper.as_str()) || POINTER_SUFFIXES.iter().any(|s| upper.ends_with(s)) {
        return false;
    }
    SECRET_NAME_PARTS.iter().any(|p| upper.contains(p)) || upper.ends_with("_KEY") || upper == "KEY"
}

/// Whether a value is a literal that could be a secret (not empty, a flag, a reference or a file path).
pub(crate) fn is_literal_secret_value(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || v.starts_with('$') {
        return false;
    }
    let flag = ["true", "false", "yes", "no", "on", "off", "none", "null"].iter().any(|f| v.eq_ignore_ascii_case(f));
    let path = v.strip_prefix('/').is_some_and(|rest| rest.contains('/')) && !v.contains(char::is_whitespace);
    !flag && !path
}

/// BW-IMG-014: a variable named like a secret holds a literal value; the value is never echoed.
pub(crate) fn secret_env(input: &ImageInput<'_>) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (i, entry) in input.config.config.env.iter().enumerate() {
        let (name, value) = entry.split_once('=').unwrap_or((entry.as_str(), ""));
        if is_secret_name(name) && is_literal_secret_value(value) {
            let chars = value.chars().count();
            hits.push(Hit {
                resource: Some(format!("config.Env[{i}]")),
                ..Hit::new(format!("ENV {name} holds a literal value ({chars} characters, redacted)"))
            });
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_user_forms() {
        for u in ["", " ", "root", "0", "00", "0:0", "root:root", "0:1000", ":1000"] {
            assert!(is_root_user(u), "{u:?} is root");
        }
        for u in ["app", "1000", "1000:0", "nobody", "10"] {
            assert!(!is_root_user(u), "{u:?} is not root");
        }
    }

    #[test]
    fn secret_names_and_values() {
        for n in
            ["DB_PASSWORD", "MYSQL_ROOT_PASSWORD", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "STRIPE_API_KEY", "APP_KEY"]
        {
            assert!(is_secret_name(n), "{n}");
        }
        for n in ["PATH", "GPG_KEY", "POSTGRES_PASSWORD_FILE", "KEYRING", "TOKEN_TTL", "LANG", "KEY_ID", "TOKEN_URL"] {
            assert!(!is_secret_name(n), "{n}");
        }
        for v in ["Sup3rS3cret!", "abc def", "/x"] {
            assert!(is_literal_secret_value(v), "{v}");
        }
        for v in ["", "  ", "true", "OFF", "$DB_PASS", "/run/secrets/db"] {
            assert!(!is_literal_secret_value(v), "{v}");
        }
    }
}
