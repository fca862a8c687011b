//! Every version scheme on arbitrary strings (up to three, separated by NUL): `compare` is
//! reflexive and antisymmetric, and transitive (a total order) in every scheme but Maven.
//!
//! Maven is exempt from transitivity because Maven's own `ComparableVersion` (3.8.7, which
//! `bulwark_version::maven` reproduces pair for pair) is not transitive: it orders
//! `1.0.0-alpha < 1.0 < 1.x.0-a1 < 1.0.0-alpha`. See fuzz/README.md.

#![no_main]

use bulwark_version::Scheme;
use libfuzzer_sys::fuzz_target;
use std::cmp::Ordering;

const SCHEMES: [Scheme; 10] = [
    Scheme::Dpkg,
    Scheme::Rpm,
    Scheme::Apk,
    Scheme::Pep440,
    Scheme::Semver,
    Scheme::Go,
    Scheme::Maven,
    Scheme::RubyGems,
    Scheme::NuGet,
    Scheme::Composer,
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\0');
    let a = parts.next().unwrap_or_default();
    let b = parts.next().unwrap_or_default();
    let c = parts.next().unwrap_or_default();
    for scheme in SCHEMES {
        let cmp = |x: &str, y: &str| scheme.compare(x, y);
        for (x, y) in [(a, b), (b, c), (a, c)] {
            assert_eq!(cmp(x, y), cmp(y, x).reverse(), "{scheme:?}: {x:?} vs {y:?} is not antisymmetric");
        }
        assert_eq!(cmp(a, a), Ordering::Equal, "{scheme:?}: {a:?} does not equal itself");
        let _ = scheme.is_valid(a);
        if scheme == Scheme::Maven {
            continue;
        }
        let (ab, bc, ac) = (cmp(a, b), cmp(b, c), cmp(a, c));
        if ab != Ordering::Greater && bc != Ordering::Greater {
            assert_ne!(ac, Ordering::Greater, "{scheme:?}: {a:?} <= {b:?} <= {c:?} but {a:?} > {c:?}");
        }
        if ab != Ordering::Less && bc != Ordering::Less {
            assert_ne!(ac, Ordering::Less, "{scheme:?}: {a:?} >= {b:?} >= {c:?} but {a:?} < {c:?}");
        }
    }
});
