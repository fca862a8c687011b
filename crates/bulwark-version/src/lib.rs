//! Version ordering per packaging ecosystem.
//!
//! Each module implements one scheme the way its reference tool orders versions
//! (dpkg, rpm, apk-tools, Python `packaging`, npm `semver`, Go's `x/mod/semver`,
//! Maven's `ComparableVersion`, RubyGems' `Gem::Version`, NuGet, Composer) and exposes
//! `compare(a, b) -> Ordering` and `is_valid(v) -> bool`. [`Scheme`] picks the module
//! for an OSV ecosystem name.
//!
//! Every `compare` is total and never panics. The rule for strings a scheme cannot
//! parse is the same everywhere: **an invalid version orders before every valid one,
//! and two invalid versions order by their bytes**. (Sorting garbage lowest is the
//! conservative choice for a vulnerability matcher: an unreadable installed version is
//! "before the fix".) Strings longer than [`MAX_LEN`] bytes are invalid in every scheme,
//! which bounds the work done on hostile input.

use std::cmp::Ordering;

pub mod apk;
pub mod composer;
pub mod dpkg;
pub mod golang;
pub mod maven;
pub mod nuget;
pub mod pep440;
pub mod rpm;
pub mod rubygems;
pub mod semver;

/// Longest version string (in bytes) any scheme accepts; longer strings are invalid.
pub const MAX_LEN: usize = 1024;

/// A version ordering scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Debian/Ubuntu (`dpkg --compare-versions`).
    Dpkg,
    /// RPM distributions (`rpmvercmp` over epoch, version, release).
    Rpm,
    /// Alpine, Wolfi, Chainguard (apk-tools).
    Apk,
    /// Python (PEP 440, as `packaging.version.Version`).
    Pep440,
    /// SemVer 2 as npm's `semver` package orders it (npm, crates.io).
    Semver,
    /// Go modules (`golang.org/x/mod/semver`, leading `v` optional).
    Go,
    /// Maven (`ComparableVersion`).
    Maven,
    /// RubyGems (`Gem::Version`).
    RubyGems,
    /// NuGet (`NuGetVersion`).
    NuGet,
    /// Composer (Packagist): Composer's normalisation, then PHP's `version_compare`.
    Composer,
}

/// OSV ecosystem name (the part before any `:`) or prefix → scheme; first match wins.
const ECOSYSTEMS: &[(&str, Scheme)] = &[
    ("Debian", Scheme::Dpkg),
    ("Ubuntu", Scheme::Dpkg),
    ("Alpine", Scheme::Apk),
    ("Wolfi", Scheme::Apk),
    ("Chainguard", Scheme::Apk),
    ("Red Hat", Scheme::Rpm),
    ("AlmaLinux", Scheme::Rpm),
    ("Rocky Linux", Scheme::Rpm),
    ("SUSE", Scheme::Rpm),
    ("openSUSE", Scheme::Rpm),
    ("Mariner", Scheme::Rpm),
    ("Azure Linux", Scheme::Rpm),
    ("Photon OS", Scheme::Rpm),
    ("openEuler", Scheme::Rpm),
    ("PyPI", Scheme::Pep440),
    ("npm", Scheme::Semver),
    ("crates.io", Scheme::Semver),
    ("Go", Scheme::Go),
    ("Maven", Scheme::Maven),
    ("RubyGems", Scheme::RubyGems),
    ("NuGet", Scheme::NuGet),
    ("Packagist", Scheme::Composer),
];

impl Scheme {
    /// The scheme for an OSV ecosystem such as `Debian:12`, `Alpine:v3.19`, `PyPI`, `Red Hat:enterprise_linux:9`.
    pub fn for_ecosystem(osv_ecosystem: &str) -> Option<Scheme> {
        let base = osv_ecosystem.split(':').next().unwrap_or_default().trim();
        ECOSYSTEMS.iter().find(|(name, _)| *name == base).map(|(_, scheme)| *scheme)
    }

    /// Orders two versions under this scheme (total; invalid versions first, see the crate docs).
    pub fn compare(self, a: &str, b: &str) -> Ordering {
        match self {
            Scheme::Dpkg => dpkg::compare(a, b),
            Scheme::Rpm => rpm::compare(a, b),
            Scheme::Apk => apk::compare(a, b),
            Scheme::Pep440 => pep440::compare(a, b),
            Scheme::Semver => semver::compare(a, b),
            Scheme::Go => golang::compare(a, b),
            Scheme::Maven => maven::compare(a, b),
            Scheme::RubyGems => rubygems::compare(a, b),
            Scheme::NuGet => nuget::compare(a, b),
            Scheme::Composer => composer::compare(a, b),
        }
    }

    /// Whether `v` is a well-formed version under this scheme (each module documents its rule).
    pub fn is_valid(self, v: &str) -> bool {
        match self {
            Scheme::Dpkg => dpkg::is_valid(v),
            Scheme::Rpm => rpm::is_valid(v),
            Scheme::Apk => apk::is_valid(v),
            Scheme::Pep440 => pep440::is_valid(v),
            Scheme::Semver => semver::is_valid(v),
            Scheme::Go => golang::is_valid(v),
            Scheme::Maven => maven::is_valid(v),
            Scheme::RubyGems => rubygems::is_valid(v),
            Scheme::NuGet => nuget::is_valid(v),
            Scheme::Composer => composer::is_valid(v),
        }
    }
}

/// Orders two parse results: invalid (`None`) before valid, invalid among themselves by bytes.
pub(crate) fn order_parsed<T>(
    a: &str,
    b: &str,
    pa: Option<T>,
    pb: Option<T>,
    cmp: impl FnOnce(&T, &T) -> Ordering,
) -> Ordering {
    match (pa, pb) {
        (Some(x), Some(y)) => cmp(&x, &y),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (None, None) => a.as_bytes().cmp(b.as_bytes()),
    }
}

/// Compares two ASCII digit strings as unbounded non-negative integers.
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystems_map_to_schemes() {
        let cases = [
            ("Debian:12", Some(Scheme::Dpkg)),
            ("Ubuntu:22.04:LTS", Some(Scheme::Dpkg)),
            ("Ubuntu:Pro:18.04:LTS", Some(Scheme::Dpkg)),
            ("Alpine:v3.19", Some(Scheme::Apk)),
            ("Wolfi", Some(Scheme::Apk)),
            ("Chainguard", Some(Scheme::Apk)),
            ("Red Hat:enterprise_linux:9", Some(Scheme::Rpm)),
            ("AlmaLinux:9", Some(Scheme::Rpm)),
            ("Rocky Linux:9", Some(Scheme::Rpm)),
            ("SUSE:Linux Enterprise Server 15 SP5", Some(Scheme::Rpm)),
            ("openSUSE:Leap 15.5", Some(Scheme::Rpm)),
            ("Mariner:2.0", Some(Scheme::Rpm)),
            ("PyPI", Some(Scheme::Pep440)),
            ("npm", Some(Scheme::Semver)),
            ("crates.io", Some(Scheme::Semver)),
            ("Go", Some(Scheme::Go)),
            ("Maven", Some(Scheme::Maven)),
            ("RubyGems", Some(Scheme::RubyGems)),
            ("NuGet", Some(Scheme::NuGet)),
            ("Packagist", Some(Scheme::Composer)),
            ("GIT", None),
            ("", None),
            ("debian:12", None),
        ];
        for (eco, want) in cases {
            assert_eq!(Scheme::for_ecosystem(eco), want, "{eco}");
        }
    }

    #[test]
    fn scheme_dispatch_reaches_each_module() {
        assert_eq!(Scheme::Dpkg.compare("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(Scheme::Rpm.compare("1.0^git1", "1.0"), Ordering::Greater);
        assert_eq!(Scheme::Apk.compare("1.0_rc1", "1.0"), Ordering::Less);
        assert_eq!(Scheme::Pep440.compare("1.0.post1", "1.0"), Ordering::Greater);
        assert_eq!(Scheme::Semver.compare("1.0.0-rc.1", "1.0.0"), Ordering::Less);
        assert_eq!(Scheme::Go.compare("v2.0.0+incompatible", "v2.0.0"), Ordering::Equal);
        assert_eq!(Scheme::Maven.compare("1.0-sp", "1.0"), Ordering::Greater);
        assert_eq!(Scheme::RubyGems.compare("1.0.a", "1.0"), Ordering::Less);
        assert_eq!(Scheme::NuGet.compare("1.0.0-BETA", "1.0.0-beta"), Ordering::Equal);
        assert_eq!(Scheme::Composer.compare("v1.0.0-RC1", "1.0.0"), Ordering::Less);
        assert!(!Scheme::Pep440.is_valid("not a version"));
        assert!(Scheme::Dpkg.is_valid("1:2.3-4"));
    }

    #[test]
    fn digit_strings_compare_as_numbers() {
        assert_eq!(cmp_digits("007", "7"), Ordering::Equal);
        assert_eq!(cmp_digits("10", "9"), Ordering::Greater);
        assert_eq!(cmp_digits("", "0"), Ordering::Equal);
        assert_eq!(cmp_digits("123456789012345678901234567890", "99"), Ordering::Greater);
    }
}
