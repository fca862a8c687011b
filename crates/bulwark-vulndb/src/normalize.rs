//! Lookup keys: the base of an OSV ecosystem and package names normalised per ecosystem.

/// How names of one ecosystem are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameRule {
    /// Exactly as written (npm, Go, Maven, RubyGems, distro source packages).
    Exact,
    /// PEP 503: lower case, runs of `-`, `_`, `.` become one `-`.
    Pep503,
    /// Lower case (registries whose names are case-insensitive: NuGet, Packagist, Hex, Pub).
    Lower,
    /// Lower case with `_` read as `-` (crates.io treats both as the same name).
    Crates,
}

/// Ecosystem base → name rule; bases not listed compare names exactly.
const NAME_RULES: &[(&str, NameRule)] = &[
    ("PyPI", NameRule::Pep503),
    ("crates.io", NameRule::Crates),
    ("NuGet", NameRule::Lower),
    ("Packagist", NameRule::Lower),
    ("Hex", NameRule::Lower),
    ("Pub", NameRule::Lower),
];

/// The ecosystem without its release suffix: `Debian:12` → `Debian`, `Ubuntu:22.04:LTS` → `Ubuntu`, `PyPI` → `PyPI`.
pub fn ecosystem_base(ecosystem: &str) -> &str {
    ecosystem.split(':').next().unwrap_or_default().trim()
}

/// The name under which a package of `ecosystem` is stored and looked up.
pub fn normalize_name(ecosystem: &str, name: &str) -> String {
    let base = ecosystem_base(ecosystem);
    let rule = NAME_RULES.iter().find(|(b, _)| *b == base).map_or(NameRule::Exact, |(_, r)| *r);
    match rule {
        NameRule::Exact => name.trim().to_string(),
        NameRule::Lower => name.trim().to_lowercase(),
        NameRule::Crates => name.trim().to_lowercase().replace('_', "-"),
        NameRule::Pep503 => {
            let mut out = String::with_capacity(name.len());
            let mut in_sep = false;
            for c in name.trim().chars() {
                if matches!(c, '-' | '_' | '.') {
                    if !in_sep {
                        out.push('-');
                    }
                    in_sep = true;
                } else {
                    out.extend(c.to_lowercase());
                    in_sep = false;
                }
            }
            out
        }
    }
}

/// Whether a record's affected ecosystem applies to a package of `package_ecosystem`.
///
/// Equal names match. Ubuntu's OSV data adds `:LTS` to long-term releases (`Ubuntu:22.04:LTS`)
/// while `/etc/os-release` gives `22.04`, so `Ubuntu:22.04` also matches `Ubuntu:22.04:LTS`.
/// Ubuntu Pro records (`Ubuntu:Pro:…`) describe ESM packages and match only when asked for exactly.
/// Red Hat records name product streams (`Red Hat:enterprise_linux:9::appstream`); any stream of the
/// release matches.
pub fn ecosystem_matches(package_ecosystem: &str, record_ecosystem: &str) -> bool {
    if package_ecosystem == record_ecosystem {
        return true;
    }
    let Some(rest) = record_ecosystem.strip_prefix(package_ecosystem) else { return false };
    // OSV spells some releases more finely than os-release does: Ubuntu's LTS marker, Red Hat's
    // CPE-style product streams (`Red Hat:enterprise_linux:9::appstream`).
    ECOSYSTEM_SUFFIXES.iter().any(|(base, accepts)| package_ecosystem.starts_with(base) && accepts(rest))
}

/// Whether a record ecosystem's remainder (after the package's ecosystem) still names the same release.
type SuffixRule = fn(&str) -> bool;

/// Per distribution: what may follow the package's ecosystem in a record's ecosystem.
const ECOSYSTEM_SUFFIXES: &[(&str, SuffixRule)] =
    &[("Ubuntu:", |rest| rest == ":LTS"), ("Red Hat:", |rest| rest.starts_with("::"))];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_per_ecosystem() {
        let cases = [
            ("PyPI", "Jinja2", "jinja2"),
            ("PyPI", "PyYAML", "pyyaml"),
            ("PyPI", "zope.interface", "zope-interface"),
            ("PyPI", "Foo__Bar-.baz", "foo-bar-baz"),
            ("npm", "JSONStream", "JSONStream"),
            ("npm", "@types/node", "@types/node"),
            ("crates.io", "Serde_JSON", "serde-json"),
            ("Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"),
            ("Maven", "org.apache.logging.log4j:log4j-core", "org.apache.logging.log4j:log4j-core"),
            ("NuGet", "Newtonsoft.Json", "newtonsoft.json"),
            ("Packagist", "Laravel/Framework", "laravel/framework"),
            ("Debian:12", "openssl", "openssl"),
            ("AlmaLinux:9", "NetworkManager", "NetworkManager"),
        ];
        for (eco, name, want) in cases {
            assert_eq!(normalize_name(eco, name), want, "{eco} {name}");
        }
    }

    #[test]
    fn ecosystems_match_by_release() {
        assert_eq!(ecosystem_base("Ubuntu:Pro:18.04:LTS"), "Ubuntu");
        assert_eq!(ecosystem_base("Red Hat:enterprise_linux:9"), "Red Hat");
        assert!(ecosystem_matches("Debian:12", "Debian:12"));
        assert!(!ecosystem_matches("Debian:12", "Debian:11"));
        assert!(!ecosystem_matches("Debian:1", "Debian:12"));
        assert!(ecosystem_matches("Ubuntu:22.04", "Ubuntu:22.04:LTS"));
        assert!(ecosystem_matches("Ubuntu:22.04:LTS", "Ubuntu:22.04:LTS"));
        assert!(!ecosystem_matches("Ubuntu:22.04", "Ubuntu:Pro:22.04:LTS"));
        assert!(!ecosystem_matches("Ubuntu:22.04", "Ubuntu:22.04.1"));
        assert!(!ecosystem_matches("PyPI", "npm"));
    }

    #[test]
    fn distribution_ecosystems_match_osv_spellings() {
        assert!(ecosystem_matches("Debian:12", "Debian:12"));
        assert!(!ecosystem_matches("Debian:12", "Debian:11"));
        assert!(ecosystem_matches("Ubuntu:22.04", "Ubuntu:22.04:LTS"));
        assert!(!ecosystem_matches("Ubuntu:22.04", "Ubuntu:Pro:22.04:LTS"));
        assert!(ecosystem_matches("Red Hat:enterprise_linux:9", "Red Hat:enterprise_linux:9::appstream"));
        assert!(!ecosystem_matches("Red Hat:enterprise_linux:9", "Red Hat:enterprise_linux:90::appstream"));
        assert!(!ecosystem_matches("Alpine:v3.1", "Alpine:v3.19"));
        assert!(ecosystem_matches("SUSE:Linux Enterprise Server 15 SP5", "SUSE:Linux Enterprise Server 15 SP5"));
    }
}
