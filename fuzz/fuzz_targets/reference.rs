//! `REF` parsing on arbitrary strings; a parsed registry reference prints back to itself.

#![no_main]

use bulwark_image::{ImageRef, RegistryRef};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(ImageRef::Registry(r)) = ImageRef::parse(s) {
        let printed = r.to_string();
        match RegistryRef::parse(&printed) {
            Ok(again) => assert_eq!(again, r, "{s:?} printed as {printed:?} parses differently"),
            Err(e) => panic!("{s:?} printed as {printed:?}, which does not parse: {e}"),
        }
    }
});
