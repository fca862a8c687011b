use bulwark_types::{Package, PackageKind};

/// Most owned files the engine keeps for one package (a `.list` file or several companions together).
pub(crate) const MAX_COMPANION_FILES: usize = 20_000;
/// Longest owned-file path kept, in bytes (Linux `PATH_MAX`); longer lines are skipped.
pub(crate) const MAX_COMPANION_LINE: usize = 4096;
/// Most licences the engine keeps for one package.
pub(crate) const MAX_COMPANION_LICENSES: usize = 256;

/// What is known about a file before its contents are read.
#[derive(Debug, Clone, Copy)]
pub struct FileMeta<'a> {
    /// Path inside the image root, relative, without a leading `/` (e.g. `var/lib/dpkg/status`).
    pub path: &'a str,
    /// Size in bytes as the tar header or file system reports it.
    pub size: u64,
    /// Unix permission bits (e.g. `0o755`).
    pub mode: u32,
}

impl FileMeta<'_> {
    /// Whether any execute bit is set.
    pub fn is_executable(&self) -> bool {
        self.mode & 0o111 != 0
    }

    /// The last path component.
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }
}

/// A wanted file's contents, handed to [`Extractor::extract`].
#[derive(Debug, Clone, Copy)]
pub struct FileInput<'a> {
    /// Path inside the image root, relative, without a leading `/`.
    pub path: &'a str,
    /// The whole file (the engine bounds the size it will read).
    pub data: &'a [u8],
}

impl FileInput<'_> {
    /// The path as reported to users: absolute, with a leading `/`.
    pub fn location(&self) -> String {
        format!("/{}", self.path)
    }
}

/// Why an extractor could not parse a file.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ExtractError {
    /// Absolute path of the file inside the image.
    pub path: String,
    /// What was wrong with it.
    pub message: String,
}

impl ExtractError {
    /// An error about `input`, e.g. `ExtractError::new(&input, "line 3: missing Version")`.
    pub fn new(input: &FileInput<'_>, message: impl Into<String>) -> Self {
        ExtractError { path: input.location(), message: message.into() }
    }
}

/// Facts about one package that a file other than the package database holds: the files the
/// package owns (dpkg's `info/<pkg>.list`) or its licences (`usr/share/doc/<pkg>/copyright`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Companion {
    /// Kind of the package the facts are about.
    pub kind: PackageKind,
    /// Name of the package the facts are about; packages of this kind and name receive them.
    pub package: String,
    /// Absolute paths the package owns, in file order.
    pub files: Vec<String>,
    /// Licences the package declares (SPDX ids or expressions where the mapping is unambiguous).
    pub licenses: Vec<String>,
}

/// Finds packages in files of one kind.
///
/// Implementations are stateless: the engine calls them from many threads,
/// once per version of each wanted file in each layer.
pub trait Extractor: Send + Sync {
    /// Stable identifier shown in reports as `found_by`, e.g. `os/dpkg`, `lang/python`.
    fn name(&self) -> &'static str;
    /// Whether this extractor wants to read the file; must be cheap (called for every file).
    fn wants(&self, file: &FileMeta<'_>) -> bool;
    /// Parses one wanted file. Packages carry name, version, kind, licences and locations;
    /// the engine fills `layer`, `ecosystem` and `purl`.
    fn extract(&self, input: &FileInput<'_>) -> Result<Vec<bulwark_types::Package>, ExtractError>;
    /// Whether this extractor wants a companion file: one that adds facts (owned files, licences) to packages found elsewhere.
    fn wants_companion(&self, _file: &FileMeta<'_>) -> bool {
        false
    }
    /// Parses a companion file into facts about one package, keyed by package name.
    fn companion(&self, _input: &FileInput<'_>) -> Option<Companion> {
        None
    }
}

/// Shared helper for extractors: a package whose first location is the input file.
pub fn package_at(input: &FileInput<'_>, kind: PackageKind, name: &str, version: &str, found_by: &str) -> Package {
    let mut p = Package::new(kind, name, version, found_by);
    p.locations.push(input.location());
    p
}
