//! `WWW-Authenticate` challenges and the token / basic credentials that answer them.

use super::Credentials;
use base64::Engine as _;
use serde::Deserialize;

/// What a registry asked for in a 401's `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Challenge {
    /// `Basic realm=…`: send `Authorization: Basic base64(user:pass)`.
    Basic,
    /// `Bearer realm=…,service=…,scope=…`: fetch a token from `realm` and send it.
    Bearer {
        /// Token endpoint URL.
        realm: String,
        /// `service` query parameter.
        service: Option<String>,
        /// `scope` query parameter.
        scope: Option<String>,
    },
    /// A scheme Bulwark does not speak, or no header at all.
    Unsupported(String),
}

/// Parses `Scheme k="v",k2=v2`; quoted values may contain commas and `\"` escapes.
pub(crate) fn parse_challenge(header: &str) -> Challenge {
    let header = header.trim();
    let (scheme, rest) = header.split_once(char::is_whitespace).unwrap_or((header, ""));
    let params = parse_params(rest);
    let get = |k: &str| params.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v.clone());
    if scheme.eq_ignore_ascii_case("basic") {
        return Challenge::Basic;
    }
    if scheme.eq_ignore_ascii_case("bearer") {
        if let Some(realm) = get("realm").filter(|r| !r.is_empty()) {
            return Challenge::Bearer { realm, service: get("service"), scope: get("scope") };
        }
    }
    Challenge::Unsupported(header.chars().take(200).collect())
}

fn parse_params(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        let key: String = std::iter::from_fn(|| chars.next_if(|c| *c != '=' && *c != ',')).collect();
        if key.trim().is_empty() {
            break;
        }
        if chars.next() != Some('=') {
            continue;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            value = std::iter::from_fn(|| chars.next_if(|c| *c != ',')).collect::<String>().trim().to_string();
        }
        out.push((key.trim().to_string(), value));
    }
    out
}

/// `Basic base64(user:password)`.
pub(crate) fn basic_header(c: &Credentials) -> String {
    let raw = format!("{}:{}", c.username, c.password);
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw))
}

#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

/// Extracts the token from a token endpoint's JSON answer (`token`, or OAuth2's `access_token`).
pub(crate) fn parse_token(body: &[u8]) -> Result<String, String> {
    let t: TokenResponse =
        serde_json::from_slice(body).map_err(|e| format!("the token endpoint did not answer with token JSON: {e}"))?;
    t.token
        .or(t.access_token)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| "the token endpoint's answer holds neither \"token\" nor \"access_token\"".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_challenges_table() {
        let bearer = |realm: &str, service: Option<&str>, scope: Option<&str>| Challenge::Bearer {
            realm: realm.into(),
            service: service.map(Into::into),
            scope: scope.map(Into::into),
        };
        let cases = [
            (r#"Basic realm="corpus-registry""#, Challenge::Basic),
            (
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/debian:pull""#,
                bearer(
                    "https://auth.docker.io/token",
                    Some("registry.docker.io"),
                    Some("repository:library/debian:pull"),
                ),
            ),
            (
                r#"bearer realm=http://127.0.0.1:1/token, scope="repository:a/b:pull,push""#,
                bearer("http://127.0.0.1:1/token", None, Some("repository:a/b:pull,push")),
            ),
            (r#"Bearer realm="a\"b""#, bearer("a\"b", None, None)),
            ("Bearer service=x", Challenge::Unsupported("Bearer service=x".into())),
            ("Negotiate", Challenge::Unsupported("Negotiate".into())),
            ("", Challenge::Unsupported(String::new())),
        ];
        for (header, want) in cases {
            assert_eq!(parse_challenge(header), want, "{header}");
        }
    }

    #[test]
    fn token_json_forms() {
        assert_eq!(parse_token(br#"{"token":"abc","expires_in":60}"#).unwrap(), "abc");
        assert_eq!(parse_token(br#"{"access_token":"xyz"}"#).unwrap(), "xyz");
        assert!(parse_token(br#"{"token":""}"#).is_err());
        assert!(parse_token(b"<html>").is_err());
    }
}
