//! A package URL parser (<https://github.com/package-url/purl-spec>): enough to turn another tool's
//! purl back into a package kind, name, version and qualifiers.

use percent_encoding::percent_decode_str;

/// A parsed purl; every component percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    /// Lower-case type, e.g. `deb`, `npm`.
    pub ty: String,
    /// Namespace segments joined with `/` (empty when none), e.g. `@types`, `github.com/gorilla`.
    pub namespace: String,
    /// Name, e.g. `node`.
    pub name: String,
    /// Version (empty when none).
    pub version: String,
    /// Qualifiers as (lower-case key, value), in document order.
    pub qualifiers: Vec<(String, String)>,
}

impl Purl {
    /// The value of qualifier `key`, if present and non-empty.
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }
}

/// Parses `s`; `Err` says what is wrong with it.
pub fn parse(s: &str) -> Result<Purl, String> {
    let rest = s.trim();
    let scheme = rest.get(..4).filter(|p| p.eq_ignore_ascii_case("pkg:")).ok_or("does not start with `pkg:`")?;
    let rest = rest[scheme.len()..].trim_start_matches('/');
    let rest = rest.split_once('#').map_or(rest, |(r, _subpath)| r);
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (ty, path) = rest.split_once('/').ok_or("has no name")?;
    if ty.is_empty() {
        return Err("has no type".into());
    }
    // The version follows the last `@` after the last `/` (an unencoded npm scope `@` comes before it).
    let last_slash = path.rfind('/').map_or(0, |i| i + 1);
    let (path, version) = match path.rfind('@').filter(|&i| i >= last_slash) {
        Some(i) => (&path[..i], decode(&path[i + 1..])?),
        None => (path, String::new()),
    };
    let mut segments: Vec<String> =
        path.split('/').filter(|seg| !seg.is_empty()).map(decode).collect::<Result<_, _>>()?;
    let name = segments.pop().filter(|n| !n.is_empty()).ok_or("has no name")?;
    let mut qualifiers = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        qualifiers.push((k.to_ascii_lowercase(), decode(v)?));
    }
    Ok(Purl { ty: ty.to_ascii_lowercase(), namespace: segments.join("/"), name, version, qualifiers })
}

fn decode(s: &str) -> Result<String, String> {
    percent_decode_str(s).decode_utf8().map(|c| c.into_owned()).map_err(|_| format!("{s:?} is not UTF-8 once decoded"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Purl {
        parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parses_the_spec_examples_and_tool_output() {
        let deb = p("pkg:deb/debian/login@1:4.13%2Bdfsg1-1%2Bdeb12u2?arch=amd64&distro=debian-12&upstream=shadow");
        assert_eq!((deb.ty.as_str(), deb.namespace.as_str(), deb.name.as_str()), ("deb", "debian", "login"));
        assert_eq!(deb.version, "1:4.13+dfsg1-1+deb12u2");
        assert_eq!(deb.qualifier("upstream"), Some("shadow"));
        assert_eq!(deb.qualifier("epoch"), None);

        let npm = p("pkg:npm/%40angular/animation@12.3.1");
        assert_eq!(
            (npm.namespace.as_str(), npm.name.as_str(), npm.version.as_str()),
            ("@angular", "animation", "12.3.1")
        );
        let raw_scope = p("pkg:npm/@angular/animation");
        assert_eq!((raw_scope.namespace.as_str(), raw_scope.version.as_str()), ("@angular", ""));

        let go = p("pkg:golang/github.com/gorilla/context@v1.1.1#api");
        assert_eq!((go.namespace.as_str(), go.name.as_str()), ("github.com/gorilla", "context"));

        let syft = p("pkg:deb/debian/bash@5.2.15-2%2Bb13?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2");
        assert_eq!(syft.qualifier("upstream"), Some("bash@5.2.15-2"));

        let rpm = p("PKG:RPM/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25&epoch=1");
        assert_eq!((rpm.ty.as_str(), rpm.qualifier("epoch")), ("rpm", Some("1")));
    }

    #[test]
    fn rejects_what_is_not_a_purl() {
        for bad in ["", "npm/lodash@1", "pkg:", "pkg:npm", "pkg:npm/", "pkg:/lodash", "pkg:npm/%FF@1"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
