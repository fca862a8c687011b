//! Package URLs (<https://github.com/package-url/purl-spec>) for every [`PackageKind`].

use crate::{OsRelease, Package, PackageKind};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Characters left unencoded in purl segments: the spec's unreserved set.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'.').remove(b'-').remove(b'_').remove(b'~');
/// Versions may also keep `:` (dpkg epochs) readable.
const VERSION: &AsciiSet = &SEGMENT.remove(b':');

/// How one package kind maps onto a purl: its type, and how the name splits into namespace and name.
struct PurlShape {
    ty: &'static str,
    /// Split the package name into (namespace, name) on the last occurrence of this separator.
    split_on: Option<char>,
    /// The spec asks for a lower-cased name (and namespace) for this type.
    lowercase: bool,
}

fn shape(kind: PackageKind) -> PurlShape {
    let (ty, split_on, lowercase) = match kind {
        PackageKind::Deb => ("deb", None, false),
        PackageKind::Apk => ("apk", None, true),
        PackageKind::Rpm => ("rpm", None, false),
        PackageKind::Python => ("pypi", None, true),
        PackageKind::Npm => ("npm", Some('/'), false),
        PackageKind::Cargo => ("cargo", None, false),
        PackageKind::Go => ("golang", Some('/'), false),
        PackageKind::Maven => ("maven", Some(':'), false),
        PackageKind::Gem => ("gem", None, false),
        PackageKind::Composer => ("composer", Some('/'), true),
        PackageKind::Nuget => ("nuget", None, false),
    };
    PurlShape { ty, split_on, lowercase }
}

fn encode_path(s: &str) -> String {
    s.split('/').map(|seg| utf8_percent_encode(seg, SEGMENT).to_string()).collect::<Vec<_>>().join("/")
}

/// The package URL for `pkg`; OS packages take their namespace and `distro` qualifier from `os`.
pub fn purl_for(pkg: &Package, os: Option<&OsRelease>) -> String {
    let shape = shape(pkg.kind);
    let mut name = pkg.name.clone();
    if pkg.kind == PackageKind::Python {
        // PEP 503 normalisation, as the purl spec asks for pypi.
        name = name.replace(['_', '.'], "-");
    }
    if shape.lowercase {
        name = name.to_lowercase();
    }
    let (mut namespace, name) = match shape.split_on {
        Some(sep) => match name.rfind(sep) {
            Some(i) => (Some(name[..i].to_string()), name[i + 1..].to_string()),
            None => (None, name),
        },
        None => (None, name),
    };
    let mut version = pkg.version.clone();
    let mut qualifiers: Vec<(&str, String)> = Vec::new();
    if pkg.kind.is_os() {
        namespace = Some(match (pkg.kind, os) {
            (_, Some(os)) if !os.id.is_empty() => os.id.clone(),
            (PackageKind::Deb, _) => "debian".to_string(),
            (PackageKind::Apk, _) => "alpine".to_string(),
            _ => "linux".to_string(),
        });
        if let Some(arch) = &pkg.arch {
            qualifiers.push(("arch", arch.clone()));
        }
        if let Some(os) = os {
            qualifiers.push(("distro", os.purl_distro()));
        }
        if pkg.kind == PackageKind::Rpm {
            if let Some((epoch, rest)) = version.split_once(':') {
                qualifiers.push(("epoch", epoch.to_string()));
                version = rest.to_string();
            }
        }
        if let Some(src) = &pkg.source {
            if src.name != pkg.name {
                qualifiers.push(("upstream", src.name.clone()));
            }
        }
    }
    let mut out = format!("pkg:{}/", shape.ty);
    if let Some(ns) = namespace.filter(|ns| !ns.is_empty()) {
        out.push_str(&encode_path(&ns));
        out.push('/');
    }
    out.push_str(&utf8_percent_encode(&name, SEGMENT).to_string());
    if !version.is_empty() {
        out.push('@');
        out.push_str(&utf8_percent_encode(&version, VERSION).to_string());
    }
    qualifiers.sort_by(|a, b| a.0.cmp(b.0));
    for (i, (k, v)) in qualifiers.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        out.push_str(&utf8_percent_encode(v, SEGMENT).to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SourcePackage;

    fn pkg(kind: PackageKind, name: &str, version: &str) -> Package {
        Package::new(kind, name, version, "test")
    }

    #[test]
    fn language_purls_follow_the_spec_examples() {
        let cases = [
            (PackageKind::Npm, "@angular/animation", "12.3.1", "pkg:npm/%40angular/animation@12.3.1"),
            (PackageKind::Npm, "lodash", "4.17.4", "pkg:npm/lodash@4.17.4"),
            (PackageKind::Python, "Django_Rest.framework", "1.11.1", "pkg:pypi/django-rest-framework@1.11.1"),
            (
                PackageKind::Maven,
                "org.apache.xmlgraphics:batik-anim",
                "1.9.1",
                "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1",
            ),
            (PackageKind::Go, "github.com/gorilla/context", "v1.1.1", "pkg:golang/github.com/gorilla/context@v1.1.1"),
            (PackageKind::Cargo, "smallvec", "0.6.13", "pkg:cargo/smallvec@0.6.13"),
            (PackageKind::Composer, "Laravel/Laravel", "5.5.0", "pkg:composer/laravel/laravel@5.5.0"),
            (PackageKind::Gem, "rails", "7.0.1", "pkg:gem/rails@7.0.1"),
            (PackageKind::Nuget, "Newtonsoft.Json", "13.0.1", "pkg:nuget/Newtonsoft.Json@13.0.1"),
        ];
        for (kind, name, version, want) in cases {
            assert_eq!(purl_for(&pkg(kind, name, version), None), want);
        }
    }

    #[test]
    fn os_purls_carry_distro_arch_and_epoch() {
        let os = OsRelease { id: "debian".into(), version_id: "12".into(), ..Default::default() };
        let mut git = pkg(PackageKind::Deb, "git", "1:2.39.5-0+deb12u3");
        git.arch = Some("amd64".into());
        assert_eq!(purl_for(&git, Some(&os)), "pkg:deb/debian/git@1:2.39.5-0%2Bdeb12u3?arch=amd64&distro=debian-12");

        let mut libc = pkg(PackageKind::Deb, "libc6", "2.36-9+deb12u14");
        libc.source = Some(SourcePackage { name: "glibc".into(), version: "2.36-9+deb12u14".into() });
        assert_eq!(
            purl_for(&libc, Some(&os)),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?distro=debian-12&upstream=glibc"
        );

        let rhel = OsRelease { id: "rhel".into(), version_id: "9.4".into(), ..Default::default() };
        let mut bash = pkg(PackageKind::Rpm, "bash", "1:5.1.8-9.el9");
        bash.arch = Some("x86_64".into());
        assert_eq!(purl_for(&bash, Some(&rhel)), "pkg:rpm/rhel/bash@5.1.8-9.el9?arch=x86_64&distro=rhel-9.4&epoch=1");
    }

    #[test]
    fn osv_ecosystem_names_match_osv() {
        let os = |id: &str, v: &str| OsRelease { id: id.into(), version_id: v.into(), ..Default::default() };
        assert_eq!(os("debian", "12").osv_ecosystem().as_deref(), Some("Debian:12"));
        assert_eq!(os("alpine", "3.19.1").osv_ecosystem().as_deref(), Some("Alpine:v3.19"));
        assert_eq!(os("ubuntu", "22.04").osv_ecosystem().as_deref(), Some("Ubuntu:22.04"));
        assert_eq!(os("rocky", "9.3").osv_ecosystem().as_deref(), Some("Rocky Linux:9"));
        assert_eq!(os("rhel", "9.4").osv_ecosystem().as_deref(), Some("Red Hat:enterprise_linux:9"));
        assert_eq!(os("sles", "15.5").osv_ecosystem().as_deref(), Some("SUSE:Linux Enterprise Server 15 SP5"));
        assert_eq!(os("sles", "15").osv_ecosystem().as_deref(), Some("SUSE:Linux Enterprise Server 15"));
        assert_eq!(os("opensuse-leap", "15.5").osv_ecosystem().as_deref(), Some("openSUSE:Leap 15.5"));
        assert_eq!(os("wolfi", "20230201").osv_ecosystem().as_deref(), Some("Wolfi"));
        assert_eq!(os("plan9", "4").osv_ecosystem(), None);
    }
}
