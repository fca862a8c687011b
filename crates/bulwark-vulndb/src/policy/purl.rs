//! Package URLs as VEX statements and ignore rules write them, and how they select packages.

use percent_encoding::percent_decode_str;

/// A parsed package URL, components percent-decoded and normalised for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Purl {
    /// Type, lower-cased (`deb`, `pypi`, `npm`, `oci`, …).
    pub(crate) ty: String,
    /// Namespace segments joined with `/` (empty when none).
    pub(crate) namespace: String,
    /// Name.
    pub(crate) name: String,
    /// Version, when given.
    pub(crate) version: Option<String>,
    /// Qualifiers with lower-cased keys, sorted by key.
    pub(crate) qualifiers: Vec<(String, String)>,
    /// Subpath (empty when none).
    pub(crate) subpath: String,
}

fn decode(s: &str) -> Result<String, String> {
    percent_decode_str(s).decode_utf8().map(|c| c.into_owned()).map_err(|_| format!("`{s}` is not UTF-8"))
}

/// Types whose names (and namespaces) compare case-insensitively, as the purl spec asks.
fn case_insensitive(ty: &str) -> bool {
    matches!(ty, "pypi" | "npm" | "apk" | "composer" | "deb" | "github" | "bitbucket" | "golang")
}

impl Purl {
    /// Parses `pkg:type/namespace/name@version?qualifiers#subpath`.
    pub(crate) fn parse(s: &str) -> Result<Purl, String> {
        let rest = s
            .get(..4)
            .filter(|scheme| scheme.eq_ignore_ascii_case("pkg:"))
            .and_then(|_| s.get(4..))
            .ok_or_else(|| format!("`{s}` is not a package URL (no `pkg:` scheme)"))?;
        let rest = rest.trim_start_matches('/');
        let (rest, subpath) = rest.split_once('#').unwrap_or((rest, ""));
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (ty, path) = rest.split_once('/').ok_or_else(|| format!("`{s}` has no name after the type"))?;
        let ty = ty.to_ascii_lowercase();
        if ty.is_empty() || !ty.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-')) {
            return Err(format!("`{s}` has an invalid type"));
        }
        let path = path.trim_end_matches('/');
        // The version follows the last `@` after the last `/` (a raw `@scope` keeps its `@`).
        let last_slash = path.rfind('/').map_or(0, |i| i + 1);
        let (path, version) = match path.get(last_slash..).and_then(|tail| tail.rfind('@')) {
            Some(at) if at > 0 => {
                let split = last_slash + at;
                (path.get(..split).unwrap_or(path), path.get(split + 1..).map(decode).transpose()?)
            }
            _ => (path, None),
        };
        let (namespace, name) = match path.rsplit_once('/') {
            Some((ns, name)) => (ns, name),
            None => ("", path),
        };
        let mut name = decode(name)?;
        if name.is_empty() {
            return Err(format!("`{s}` has an empty name"));
        }
        let mut namespace =
            namespace.split('/').filter(|seg| !seg.is_empty()).map(decode).collect::<Result<Vec<_>, _>>()?.join("/");
        if ty == "pypi" {
            name = name.replace(['_', '.'], "-");
        }
        if case_insensitive(&ty) {
            name = name.to_lowercase();
            namespace = namespace.to_lowercase();
        }
        let mut qualifiers = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').ok_or_else(|| format!("`{s}`: qualifier `{pair}` has no `=`"))?;
            qualifiers.push((k.to_ascii_lowercase(), decode(v)?));
        }
        qualifiers.sort();
        let subpath = decode(subpath.trim_matches('/'))?;
        Ok(Purl { ty, namespace, name, version: version.filter(|v| !v.is_empty()), qualifiers, subpath })
    }

    /// Whether this purl, used as a selector, names `package`: same type, namespace and name; the
    /// same version unless this one has none; and every qualifier this one has, with the same value.
    pub(crate) fn selects(&self, package: &Purl) -> bool {
        self.ty == package.ty
            && self.namespace == package.namespace
            && self.name == package.name
            && self.version.as_ref().is_none_or(|v| package.version.as_ref() == Some(v))
            && self.qualifiers.iter().all(|q| package.qualifiers.contains(q))
            && (self.subpath.is_empty() || self.subpath == package.subpath)
    }
}

#[cfg(test)]
mod tests {
    use super::Purl;

    fn p(s: &str) -> Purl {
        Purl::parse(s).expect(s)
    }

    #[test]
    fn selectors_ignore_qualifiers_they_do_not_name() {
        let pkg = p("pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12&upstream=glibc");
        let cases = [
            ("pkg:deb/debian/libc6@2.36-9+deb12u14", true),
            ("pkg:deb/debian/libc6", true),
            ("pkg:deb/debian/libc6@2.36-9+deb12u14?arch=amd64", true),
            ("pkg:deb/debian/libc6@2.36-9+deb12u14?arch=arm64", false),
            ("pkg:deb/debian/libc6@2.36-9+deb12u13", false),
            ("pkg:deb/ubuntu/libc6@2.36-9+deb12u14", false),
            ("pkg:rpm/debian/libc6@2.36-9+deb12u14", false),
        ];
        for (selector, want) in cases {
            assert_eq!(p(selector).selects(&pkg), want, "{selector}");
        }
    }

    #[test]
    fn names_normalise_per_type() {
        assert!(p("pkg:pypi/Jinja2@2.10").selects(&p("pkg:pypi/jinja2@2.10")));
        assert!(p("pkg:PyPI/PyYAML").selects(&p("pkg:pypi/pyyaml@5.3")));
        assert!(p("pkg:npm/@angular/core@1.0.0").selects(&p("pkg:npm/%40angular/core@1.0.0")));
        assert_eq!(p("pkg:npm/%40angular/core@1.0.0").namespace, "@angular");
        assert_eq!(p("pkg:oci/app-python@sha256%3Aabc").version.as_deref(), Some("sha256:abc"));
    }

    #[test]
    fn malformed_purls_are_errors() {
        for bad in ["", "pypi/jinja2", "pkg:", "pkg:pypi", "pkg:pypi/", "pkg:py pi/x", "pkg:pypi/x?a", "pkg:pypi/%FF"] {
            assert!(Purl::parse(bad).is_err(), "{bad}");
        }
    }
}
