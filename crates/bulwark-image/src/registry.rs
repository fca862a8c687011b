//! PLACEHOLDER: the OCI distribution client (the session's helper replaces this file).

use crate::reference::RegistryRef;
use crate::source::{ImageInfo, ImageSource, Platform};
use crate::ImageError;
use std::io::Read;

/// Registry credentials.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// User name.
    pub username: String,
    /// Password or token.
    pub password: String,
}

/// How to reach registries.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Explicit credentials (`--username` + `--password-stdin`); otherwise `~/.docker/config.json`.
    pub credentials: Option<Credentials>,
    /// Use plain HTTP (`--insecure`).
    pub insecure: bool,
}

/// PLACEHOLDER.
pub struct RegistryImage {
    info: ImageInfo,
}

impl RegistryImage {
    /// PLACEHOLDER.
    pub fn open(
        r: &RegistryRef,
        _platform: &Platform,
        _options: &RegistryOptions,
    ) -> Result<RegistryImage, ImageError> {
        Err(ImageError::Remote { image: r.to_string(), message: "registry pulls are not implemented yet".into() })
    }
}

impl ImageSource for RegistryImage {
    fn info(&self) -> &ImageInfo {
        &self.info
    }
    fn open_layer(&self, _index: usize) -> Result<Box<dyn Read + Send + '_>, ImageError> {
        unimplemented!()
    }
}
