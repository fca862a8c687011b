//! Decoding of the Go build information block (`runtime/debug.BuildInfo` as the linker embeds it).

/// The 14 bytes a build information header starts with.
const MAGIC: &[u8] = b"\xff Go buildinf:";
/// Header size; in the inline format the two strings follow it.
const HEADER_LEN: usize = 32;
/// Flag bit: strings are stored inline (Go 1.18 and later) rather than behind pointers.
const FLAG_INLINE: u8 = 0x2;
/// At most this many magic matches are tried when scanning a file.
const MAX_CANDIDATES: usize = 64;

/// A module path and version as `go version -m` prints them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Module {
    /// Module path, e.g. `github.com/pkg/errors`.
    pub path: String,
    /// Version, e.g. `v0.9.1`, a pseudo-version, or `(devel)`.
    pub version: String,
}

/// A `dep` line and the `=>` replacement that may follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Dep {
    /// The module as required.
    pub module: Module,
    /// What the build used instead, if replaced.
    pub replace: Option<Module>,
}

impl Dep {
    /// The module the binary really contains: the replacement when there is one. A replacement by a local
    /// directory (`./x`, `../x`, `/x`) keeps the required module path, since a directory is no module name.
    pub fn effective(&self) -> Module {
        match &self.replace {
            None => self.module.clone(),
            Some(r) if is_local_path(&r.path) => Module { path: self.module.path.clone(), version: r.version.clone() },
            Some(r) => r.clone(),
        }
    }
}

/// Whether a replacement target is a file system path rather than a module path.
fn is_local_path(path: &str) -> bool {
    path.starts_with("./") || path.starts_with("../") || path.starts_with('/') || path == "." || path == ".."
}

/// Everything we read from one build information block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct BuildInfo {
    /// The toolchain version, e.g. `go1.19.8`.
    pub go_version: String,
    /// The main module (`mod` line), absent in binaries built outside module mode.
    pub main: Option<Module>,
    /// `dep` lines in order.
    pub deps: Vec<Dep>,
}

/// Parses a build information block that starts at `data[0]`.
pub(super) fn parse(data: &[u8]) -> Result<BuildInfo, String> {
    if !data.starts_with(MAGIC) {
        return Err("Go build info: missing magic".to_string());
    }
    let header = data.get(..HEADER_LEN).ok_or("Go build info: header truncated")?;
    let flags = header[15];
    if flags & FLAG_INLINE == 0 {
        return Err("Go build info in the pre-1.18 pointer format is not supported".to_string());
    }
    let rest = &data[HEADER_LEN..];
    let (version, rest) = read_string(rest).map_err(|e| format!("Go build info: version: {e}"))?;
    let (modinfo, _) = read_string(rest).map_err(|e| format!("Go build info: module info: {e}"))?;
    let go_version = std::str::from_utf8(version).map_err(|_| "Go build info: version is not UTF-8")?;
    let modinfo =
        std::str::from_utf8(strip_sentinels(modinfo)).map_err(|_| "Go build info: module info is not UTF-8")?;
    let (main, deps) = parse_modinfo(modinfo)?;
    Ok(BuildInfo { go_version: go_version.to_string(), main, deps })
}

/// Finds and parses a build information block anywhere in `data`.
///
/// `Ok(None)` when there is none; an error only when a block was found but is in a format we cannot read.
pub(super) fn scan(data: &[u8]) -> Result<Option<BuildInfo>, String> {
    let mut unsupported = None;
    for at in memchr::memmem::find_iter(data, MAGIC).take(MAX_CANDIDATES) {
        match parse(&data[at..]) {
            Ok(info) => return Ok(Some(info)),
            Err(e) if e.contains("pointer format") => unsupported = Some(e),
            Err(_) => {} // the magic bytes by chance, e.g. in a tool that looks for Go binaries itself
        }
    }
    unsupported.map_or(Ok(None), Err)
}

/// A Go `binary.Uvarint`-length-prefixed byte string, and what follows it.
fn read_string(data: &[u8]) -> Result<(&[u8], &[u8]), String> {
    let mut len: u64 = 0;
    for (i, &byte) in data.iter().enumerate().take(10) {
        len |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            let rest = &data[i + 1..];
            let n = usize::try_from(len).map_err(|_| format!("length {len} out of range"))?;
            if n > rest.len() {
                return Err(format!("length {len} runs past the end ({} bytes left)", rest.len()));
            }
            return Ok(rest.split_at(n));
        }
    }
    Err("bad or truncated varint length".to_string())
}

/// Module info is wrapped in two 16-byte sentinels; the byte before the closing one is a newline.
fn strip_sentinels(modinfo: &[u8]) -> &[u8] {
    let n = modinfo.len();
    if n >= 33 && modinfo[n - 17] == b'\n' {
        &modinfo[16..n - 16]
    } else {
        modinfo
    }
}

/// Parses the `path`/`mod`/`dep`/`=>`/`build` lines.
fn parse_modinfo(text: &str) -> Result<(Option<Module>, Vec<Dep>), String> {
    let mut main = None;
    let mut deps: Vec<Dep> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split('\t').collect();
        let module = || -> Result<Module, String> {
            match fields.get(1..3) {
                Some([path, version]) if !path.is_empty() => {
                    Ok(Module { path: path.to_string(), version: version.to_string() })
                }
                _ => Err(format!("Go build info line {}: expected a module path and version: {line:?}", index + 1)),
            }
        };
        match fields.first().copied() {
            Some("mod") => main = Some(module()?),
            Some("dep") => deps.push(Dep { module: module()?, replace: None }),
            Some("=>") => {
                let replacement = module()?;
                match deps.last_mut() {
                    Some(dep) => dep.replace = Some(replacement),
                    // `=>` after `mod` (a replaced main module) changes nothing we report.
                    None if main.is_some() => {}
                    None => return Err(format!("Go build info line {}: replacement without a module", index + 1)),
                }
            }
            _ => {} // path, build settings, blank lines
        }
    }
    Ok((main, deps))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(path: &str, version: &str) -> Module {
        Module { path: path.to_string(), version: version.to_string() }
    }

    #[test]
    fn modinfo_lines_and_replacements() {
        // The module info of testdata/gofixture-linux-amd64, as `go version -m` prints it.
        let text = "path\texample.com/bulwark/gofixture\nmod\texample.com/bulwark/gofixture\t(devel)\t\n\
                    dep\texample.com/bulwark/greet\tv0.0.0\n=>\t./greet\t(devel)\t\n\
                    dep\tgithub.com/pkg/errors\tv0.8.1\n=>\tgithub.com/pkg/errors\tv0.9.1\t\n\
                    dep\tgolang.org/x/text\tv0.3.7\th1:olpwvP2KacW1ZWvsR7uQhoyTYvKAupfQrRGBFM352Gk=\n\
                    build\t-compiler=gc\n";
        let (main, deps) = parse_modinfo(text).unwrap();
        assert_eq!(main, Some(m("example.com/bulwark/gofixture", "(devel)")));
        let effective: Vec<Module> = deps.iter().map(Dep::effective).collect();
        assert_eq!(
            effective,
            [
                m("example.com/bulwark/greet", "(devel)"),
                m("github.com/pkg/errors", "v0.9.1"),
                m("golang.org/x/text", "v0.3.7")
            ]
        );
        assert_eq!(deps[0].replace, Some(m("./greet", "(devel)")));
    }

    #[test]
    fn malformed_modinfo_lines_are_errors() {
        for (text, want) in [("dep\n", "line 1"), ("mod\tx\tv1\n\ndep\t\tv1\n", "line 3"), ("=>\tx\tv1\n", "without")] {
            let err = parse_modinfo(text).unwrap_err();
            assert!(err.contains(want), "{text:?}: {err}");
        }
    }

    #[test]
    fn varints() {
        assert_eq!(read_string(b"\x03abcd"), Ok((&b"abc"[..], &b"d"[..])));
        assert_eq!(read_string(b"\x00"), Ok((&b""[..], &b""[..])));
        let long = [&[0x80, 0x01][..], &[b'x'; 128]].concat();
        assert_eq!(read_string(&long).map(|(s, _)| s.len()), Ok(128));
        assert!(read_string(b"").is_err());
        assert!(read_string(b"\x80\x80").is_err());
        assert!(read_string(&[0xff; 11]).is_err());
        assert!(read_string(b"\x05abc").unwrap_err().contains("past the end"));
    }

    #[test]
    fn short_headers_are_errors() {
        assert!(parse(b"\xff Go buildinf:\x08").is_err());
        assert!(parse(b"nothing here").is_err());
        assert_eq!(scan(b"\xff Go buildinf:\x08\x02 truncated"), Ok(None));
        let old = [MAGIC, b"\x08\x00", &[0u8; 40]].concat();
        assert!(scan(&old).unwrap_err().contains("pre-1.18"));
    }
}
