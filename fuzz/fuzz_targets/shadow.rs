//! `/etc/shadow`: `image::parse_shadow` on any bytes. Entries have a user, ascending lines within
//! the 10 000-line bound, an algorithm exactly when they hold a hash, and a lock flag on locked ones.

#![no_main]

use bulwark_misconfig::image::{parse_shadow, PasswordState};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let entries = parse_shadow(data);
    let mut previous = 0;
    for e in &entries {
        assert!(!e.user.is_empty() && !e.user.starts_with('#'), "{e:?}");
        assert!(!e.user.contains(':') && !e.user.contains('\n'), "{e:?}");
        assert!(e.line > previous && e.line <= 10_000, "{e:?} after line {previous}");
        previous = e.line;
        assert_eq!(e.algorithm.is_some(), e.state == PasswordState::Hash, "{e:?}");
        if e.state == PasswordState::Locked {
            assert!(e.locked, "{e:?}");
        }
    }
});
