//! The extractor table: one module per packaging format, each with its own `testdata/`.

use crate::Extractor;

pub mod apk;
pub mod cargo_auditable;
pub mod cargo_lock;
pub mod composer;
pub mod dotnet;
pub mod dpkg;
mod elf;
pub mod gem;
pub mod go_binary;
pub mod java;
pub mod npm_installed;
pub mod npm_lock;
pub mod pnpm_lock;
pub mod python;
pub mod rpm;
pub mod yarn_lock;

/// Every extractor Bulwark ships, in the order their packages are listed.
pub fn all() -> Vec<Box<dyn Extractor>> {
    vec![
        Box::new(dpkg::Dpkg),
        Box::new(apk::Apk),
        Box::new(rpm::Rpm),
        Box::new(python::Python),
        Box::new(npm_installed::NpmInstalled),
        Box::new(npm_lock::NpmLock),
        Box::new(yarn_lock::YarnLock),
        Box::new(pnpm_lock::PnpmLock),
        Box::new(cargo_lock::CargoLock),
        Box::new(cargo_auditable::CargoAuditable),
        Box::new(go_binary::GoBinary),
        Box::new(java::JavaArchive),
        Box::new(gem::Gem),
        Box::new(composer::Composer),
        Box::new(dotnet::DotnetDeps),
    ]
}
