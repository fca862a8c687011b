//! PLACEHOLDER: Docker Engine API client (the session's helper replaces this file).

use crate::reference::EngineKind;
use crate::source::{ImageInfo, ImageSource, Platform};
use crate::ImageError;
use std::io::Read;

/// PLACEHOLDER.
pub struct EngineImage {
    info: ImageInfo,
}

impl EngineImage {
    /// PLACEHOLDER.
    pub fn open(_kind: EngineKind, name: &str, _platform: &Platform) -> Result<EngineImage, ImageError> {
        Err(ImageError::Remote { image: name.to_string(), message: "engine sources are not implemented yet".into() })
    }
}

impl ImageSource for EngineImage {
    fn info(&self) -> &ImageInfo {
        &self.info
    }
    fn open_layer(&self, _index: usize) -> Result<Box<dyn Read + Send + '_>, ImageError> {
        unimplemented!()
    }
}
