//! Misconfiguration checks: image config and files, Dockerfiles, Kubernetes manifests, and user
//! policies in Rego — all through one engine ([`check`]) that yields
//! [`bulwark_types::Misconfiguration`]s.

pub mod catalog;
pub mod check;
pub mod dockerfile;
pub mod files;
pub mod image;
pub mod kubernetes;
pub mod rego;
