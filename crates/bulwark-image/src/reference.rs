//! Parsing the `REF` argument: `docker-archive:`, `oci:`, `dir:`, `docker:`/`podman:` and registry references.

use crate::ImageError;
use std::path::PathBuf;

/// A registry image reference, `host[:port]/repo[:tag|@sha256:…]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRef {
    /// Registry host and optional port, e.g. `127.0.0.1:5000`, `registry-1.docker.io`.
    pub registry: String,
    /// Repository path, e.g. `library/debian`.
    pub repository: String,
    /// Tag, when no digest is given (defaults to `latest`).
    pub tag: Option<String>,
    /// Manifest digest, `sha256:…`.
    pub digest: Option<String>,
}

impl RegistryRef {
    /// Tag or digest, as used in `/v2/<repo>/manifests/<reference>`.
    pub fn manifest_reference(&self) -> &str {
        self.digest.as_deref().or(self.tag.as_deref()).unwrap_or("latest")
    }

    /// Parses `host[:port]/repo[:tag|@digest]`; a name without a registry host means Docker Hub.
    pub fn parse(s: &str) -> Result<RegistryRef, ImageError> {
        let err = |m: &str| ImageError::Reference { reference: s.to_string(), message: m.to_string() };
        if s.is_empty() || s.chars().any(|c| c.is_whitespace()) {
            return Err(err("empty or contains whitespace"));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => {
                crate::Digest::parse(d).map_err(|m| err(&m))?;
                (r, Some(d.to_string()))
            }
            None => (s, None),
        };
        // A tag follows the last ':' that comes after the last '/'.
        let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(rest[last_slash + i + 1..].to_string())),
            None => (rest, None),
        };
        if let Some(t) = &tag {
            let valid = !t.is_empty()
                && t.len() <= 128
                && t.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
                && !t.starts_with(['.', '-']);
            if !valid {
                return Err(err("invalid tag (letters, digits, '_', '.', '-'; at most 128)"));
            }
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, path)) if first.contains('.') || first.contains(':') || first == "localhost" => {
                (first.to_string(), path.to_string())
            }
            _ if name.contains('/') => ("registry-1.docker.io".to_string(), name.to_string()),
            _ => ("registry-1.docker.io".to_string(), format!("library/{name}")),
        };
        let repo_ok = !repository.is_empty()
            && repository.split('/').all(|seg| {
                !seg.is_empty()
                    && seg.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
                    && seg.starts_with(|c: char| c.is_ascii_alphanumeric())
            });
        if !repo_ok {
            return Err(err("invalid repository name (lower-case letters, digits and . _ - separated by /)"));
        }
        let tag = if digest.is_none() { Some(tag.unwrap_or_else(|| "latest".into())) } else { tag };
        Ok(RegistryRef { registry, repository, tag, digest })
    }
}

impl std::fmt::Display for RegistryRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// The local container engine a `docker:`/`podman:` reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineKind {
    /// Docker Engine (`/var/run/docker.sock` or `DOCKER_HOST`).
    Docker,
    /// Podman's Docker-compatible service (`/run/podman/podman.sock` or `DOCKER_HOST`).
    Podman,
}

/// Where an image is read from, as parsed from a `REF` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRef {
    /// `docker-archive:PATH` — a `docker save` tarball.
    DockerArchive(PathBuf),
    /// `oci:DIR[:TAG]` — an OCI image layout.
    OciLayout {
        /// Layout directory.
        dir: PathBuf,
        /// Tag (`org.opencontainers.image.ref.name`), if given.
        tag: Option<String>,
    },
    /// `dir:PATH` — an unpacked root filesystem.
    Dir(PathBuf),
    /// `docker:NAME` / `podman:NAME` — an image held by a local engine.
    Engine {
        /// Which engine.
        kind: EngineKind,
        /// Image name or id as the engine knows it.
        name: String,
    },
    /// A registry reference.
    Registry(RegistryRef),
}

impl ImageRef {
    /// Parses a `REF` argument.
    pub fn parse(s: &str) -> Result<ImageRef, ImageError> {
        let err = |m: &str| ImageError::Reference { reference: s.to_string(), message: m.to_string() };
        if let Some(p) = s.strip_prefix("docker-archive:") {
            if p.is_empty() {
                return Err(err("docker-archive: needs a path, e.g. docker-archive:image.tar"));
            }
            return Ok(ImageRef::DockerArchive(PathBuf::from(p)));
        }
        if let Some(p) = s.strip_prefix("oci:") {
            if p.is_empty() {
                return Err(err("oci: needs a directory, e.g. oci:./layout:latest"));
            }
            // `oci:DIR:TAG` — the tag is what follows the last ':' if DIR exists without it.
            if let Some((dir, tag)) = p.rsplit_once(':') {
                if !std::path::Path::new(p).exists() && !tag.contains('/') && !dir.is_empty() {
                    return Ok(ImageRef::OciLayout { dir: PathBuf::from(dir), tag: Some(tag.to_string()) });
                }
            }
            return Ok(ImageRef::OciLayout { dir: PathBuf::from(p), tag: None });
        }
        if let Some(p) = s.strip_prefix("dir:") {
            if p.is_empty() {
                return Err(err("dir: needs a path, e.g. dir:/srv/rootfs"));
            }
            return Ok(ImageRef::Dir(PathBuf::from(p)));
        }
        for (prefix, kind) in [("docker:", EngineKind::Docker), ("podman:", EngineKind::Podman)] {
            if let Some(name) = s.strip_prefix(prefix) {
                if name.is_empty() {
                    return Err(err("needs an image name, e.g. podman:debian:12"));
                }
                return Ok(ImageRef::Engine { kind, name: name.to_string() });
            }
        }
        Ok(ImageRef::Registry(RegistryRef::parse(s)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_reference_form() {
        assert_eq!(ImageRef::parse("docker-archive:/x/a.tar").unwrap(), ImageRef::DockerArchive("/x/a.tar".into()));
        assert_eq!(
            ImageRef::parse("oci:/nonexistent/layout:v1").unwrap(),
            ImageRef::OciLayout { dir: "/nonexistent/layout".into(), tag: Some("v1".into()) }
        );
        assert_eq!(ImageRef::parse("dir:/srv").unwrap(), ImageRef::Dir("/srv".into()));
        assert_eq!(
            ImageRef::parse("podman:debian:12").unwrap(),
            ImageRef::Engine { kind: EngineKind::Podman, name: "debian:12".into() }
        );
        let r = RegistryRef::parse("127.0.0.1:5000/app-python:latest").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()),
            ("127.0.0.1:5000", "app-python", Some("latest"))
        );
        let r = RegistryRef::parse("localhost:5000/a/b").unwrap();
        assert_eq!((r.repository.as_str(), r.manifest_reference()), ("a/b", "latest"));
        let d = format!("sha256:{}", "0".repeat(64));
        let r = RegistryRef::parse(&format!("example.com/x@{d}")).unwrap();
        assert_eq!((r.tag, r.digest.as_deref()), (None, Some(d.as_str())));
        let r = RegistryRef::parse("debian").unwrap();
        assert_eq!((r.registry.as_str(), r.repository.as_str()), ("registry-1.docker.io", "library/debian"));
    }

    #[test]
    fn rejects_malformed_references() {
        for bad in ["", "Upper/Case", "host/repo:bad tag", "host/repo@sha256:zz", "docker-archive:", "a//b"] {
            assert!(ImageRef::parse(bad).is_err(), "{bad:?} should fail");
        }
    }
}
