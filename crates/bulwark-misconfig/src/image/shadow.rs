//! `/etc/shadow`: which accounts carry a password hash, an empty password, or none.

/// Most lines of `/etc/shadow` read (a real one has dozens; the rest is ignored).
const MAX_LINES: usize = 10_000;

/// Most bytes of `/etc/shadow` read.
const MAX_BYTES: usize = 1 << 20;

/// What the password field (field 2) of a shadow line holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordState {
    /// A password hash (possibly behind a `!` lock prefix): crackable offline.
    Hash,
    /// An empty field: the account logs in without a password.
    Empty,
    /// `!` or `!!`, `!*`: a locked account with no hash.
    Locked,
    /// `*` (or any other non-hash marker): no password login at all.
    None,
}

impl PasswordState {
    /// Lower-case name as used in the Rego input document.
    pub fn as_str(self) -> &'static str {
        match self {
            PasswordState::Hash => "hash",
            PasswordState::Empty => "empty",
            PasswordState::Locked => "locked",
            PasswordState::None => "none",
        }
    }
}

/// One account of `/etc/shadow`, without its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShadowEntry {
    /// Account name (field 1).
    pub user: String,
    /// 1-based line number.
    pub line: u32,
    /// What the password field holds.
    pub state: PasswordState,
    /// Hash scheme for [`PasswordState::Hash`], e.g. `SHA-512`, `yescrypt`.
    pub algorithm: Option<&'static str>,
    /// Whether a `!` prefix locks the account (the hash behind it is still there).
    pub locked: bool,
}

/// Hash schemes by their `crypt(3)` prefix.
const SCHEMES: &[(&str, &str)] = &[
    ("$y$", "yescrypt"),
    ("$gy$", "gost-yescrypt"),
    ("$7$", "scrypt"),
    ("$6$", "SHA-512"),
    ("$5$", "SHA-256"),
    ("$2a$", "bcrypt"),
    ("$2b$", "bcrypt"),
    ("$2y$", "bcrypt"),
    ("$sha1$", "SHA-1"),
    ("$md5", "Sun MD5"),
    ("$1$", "MD5"),
    ("_", "BSDi DES"),
];

/// Reads the accounts of a shadow file; lines without a `:` are skipped, at most the first
/// 10 000 lines and 1 MiB read.
pub fn parse_shadow(data: &[u8]) -> Vec<ShadowEntry> {
    let text = String::from_utf8_lossy(data.get(..MAX_BYTES).unwrap_or(data));
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().take(MAX_LINES) {
        let mut fields = line.split(':');
        let (Some(user), Some(password)) = (fields.next(), fields.next()) else { continue };
        if user.is_empty() || user.starts_with('#') {
            continue;
        }
        let (state, algorithm, locked) = classify(password);
        out.push(ShadowEntry {
            user: user.to_string(),
            line: u32::try_from(i + 1).unwrap_or(u32::MAX),
            state,
            algorithm,
            locked,
        });
    }
    out
}

/// Classifies a password field: state, hash scheme, lock prefix.
fn classify(field: &str) -> (PasswordState, Option<&'static str>, bool) {
    match field {
        "" => return (PasswordState::Empty, None, false),
        "!" | "!!" | "!*" => return (PasswordState::Locked, None, true),
        "*" => return (PasswordState::None, None, false),
        _ => {}
    }
    let locked = field.starts_with('!');
    let hash = field.trim_start_matches('!');
    if let Some((_, name)) = SCHEMES.iter().find(|(prefix, _)| hash.starts_with(prefix)) {
        return (PasswordState::Hash, Some(name), locked);
    }
    // Traditional DES crypt: 13 characters of [./0-9A-Za-z].
    let des = hash.len() == 13 && hash.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/');
    if des {
        return (PasswordState::Hash, Some("DES"), locked);
    }
    if hash.starts_with('$') {
        return (PasswordState::Hash, Some("unknown"), locked);
    }
    // `*LK*`, `*NP*`, `x`, `!*` variants: markers that no password can match.
    (if locked { PasswordState::Locked } else { PasswordState::None }, None, locked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_password_fields() {
        let cases: &[(&str, PasswordState, Option<&str>, bool)] = &[
            ("", PasswordState::Empty, None, false),
            ("*", PasswordState::None, None, false),
            ("!", PasswordState::Locked, None, true),
            ("!!", PasswordState::Locked, None, true),
            ("!*", PasswordState::Locked, None, true),
            ("*LK*", PasswordState::None, None, false),
            ("$6$salt$abc", PasswordState::Hash, Some("SHA-512"), false),
            ("!$y$j9T$abc$def", PasswordState::Hash, Some("yescrypt"), true),
            ("$1$abc$def", PasswordState::Hash, Some("MD5"), false),
            ("abJnggxhB/yWI", PasswordState::Hash, Some("DES"), false),
            ("$9$weird", PasswordState::Hash, Some("unknown"), false),
        ];
        for (field, state, algorithm, locked) in cases {
            assert_eq!(classify(field), (*state, *algorithm, *locked), "{field:?}");
        }
    }

    #[test]
    fn parses_lines_and_skips_junk() {
        let data = b"root:*:20000:0:99999:7:::\n\nbroken line\nalice:$6$x$y:1::::::\n:$6$a$b:::\nbob::1:::\n";
        let entries = parse_shadow(data);
        let got: Vec<(&str, u32, PasswordState)> = entries.iter().map(|e| (e.user.as_str(), e.line, e.state)).collect();
        assert_eq!(
            got,
            vec![("root", 1, PasswordState::None), ("alice", 4, PasswordState::Hash), ("bob", 6, PasswordState::Empty)]
        );
    }
}
