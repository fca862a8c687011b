//! OS detection on arbitrary release files: the input as each known OS file alone, then split at
//! its first NUL into `etc/os-release` and `etc/debian_version` (the pair Debian reads together).

#![no_main]

use bulwark_inventory::os_release::{detect, OS_FILES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for &path in OS_FILES {
        if let Some(os) = detect(&[(path, data)]) {
            assert_eq!(os.source_path, format!("/{path}"));
        }
    }
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (first, rest) = data.split_at(split);
    let second = rest.get(1..).unwrap_or_default();
    let _ = detect(&[("etc/os-release", first), ("etc/debian_version", second)]);
});
