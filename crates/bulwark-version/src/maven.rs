//! Maven versions, ordered like Maven 3.8's `ComparableVersion`.
//!
//! The version is lower-cased and split into items at `.`, `-` and every switch
//! between digits and letters; a `-` (or a letter/digit switch) opens a nested list.
//! Numbers compare numerically; the known qualifiers order
//! `alpha (a) < beta (b) < milestone (m) < rc (cr) < snapshot < "" (ga, final, release) < sp`,
//! unknown qualifiers after them alphabetically. Trailing "null" items (`0`, `""`, empty
//! lists) are dropped, so `1.0.0 == 1` and `1.0-ga == 1`.
//!
//! Maven accepts any string, so only the empty string and strings longer than
//! [`crate::MAX_LEN`] are invalid here (ordered first). Digits are ASCII only (Java's
//! `Character.isDigit` also takes other Unicode digits).

use crate::cmp_digits;
use std::cmp::Ordering;

/// One parsed item.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// A number, as its digits without leading zeros.
    Int(String),
    /// A qualifier after alias resolution.
    Str(String),
    /// A nested list (after `-` or a digit/letter switch).
    List(Vec<Item>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
/// `comparableQualifier("")`.
const RELEASE_INDEX: &str = "5";

/// Orders two Maven versions (total; invalid versions first, by bytes).
pub fn compare(a: &str, b: &str) -> Ordering {
    crate::order_parsed(a, b, parse(a), parse(b), |x, y| cmp_lists(x, y))
}

/// Whether `v` is a non-empty version within the length bound (Maven parses anything).
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

fn string_item(value: &str, followed_by_digit: bool) -> Item {
    let value = match (followed_by_digit, value) {
        (true, "a") => "alpha",
        (true, "b") => "beta",
        (true, "m") => "milestone",
        (_, "ga" | "final" | "release") => "",
        (_, "cr") => "rc",
        (_, v) => v,
    };
    Item::Str(value.to_string())
}

fn parse_item(is_digit: bool, buf: &str) -> Item {
    if is_digit {
        Item::Int(buf.trim_start_matches('0').to_string())
    } else {
        string_item(buf, false)
    }
}

/// `ComparableVersion.parseVersion`: a chain of lists, each nested in the previous one.
fn parse(v: &str) -> Option<Vec<Item>> {
    if v.is_empty() || v.len() > crate::MAX_LEN {
        return None;
    }
    let version = v.to_lowercase();
    let mut chain: Vec<Vec<Item>> = vec![Vec::new()];
    let mut is_digit = false;
    let mut start = 0usize;
    for (i, c) in version.char_indices() {
        let list = chain.len() - 1;
        if c == '.' || c == '-' {
            let item = if i == start { Item::Int(String::new()) } else { parse_item(is_digit, &version[start..i]) };
            chain[list].push(item);
            start = i + 1;
            if c == '-' {
                chain.push(Vec::new());
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                if !chain[list].is_empty() {
                    chain.push(Vec::new());
                }
                let last = chain.len() - 1;
                chain[last].push(string_item(&version[start..i], true));
                start = i;
                chain.push(Vec::new());
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                chain[list].push(parse_item(true, &version[start..i]));
                start = i;
                chain.push(Vec::new());
            }
            is_digit = false;
        }
    }
    if version.len() > start {
        if !is_digit && chain.last().is_some_and(|l| !l.is_empty()) {
            chain.push(Vec::new());
        }
        let last = chain.len() - 1;
        chain[last].push(parse_item(is_digit, &version[start..]));
    }
    // Fold the chain from the innermost list out, normalising each one.
    let mut inner: Option<Vec<Item>> = None;
    while let Some(mut list) = chain.pop() {
        if let Some(child) = inner.take() {
            list.push(Item::List(child));
        }
        normalize(&mut list);
        inner = Some(list);
    }
    inner
}

fn is_null(item: &Item) -> bool {
    match item {
        Item::Int(d) => d.is_empty(),
        Item::Str(s) => comparable_qualifier(s) == RELEASE_INDEX,
        Item::List(l) => l.is_empty(),
    }
}

/// Drops trailing null items, looking through (but keeping) non-null nested lists.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if is_null(&list[i]) {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

fn comparable_qualifier(q: &str) -> String {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

/// `item.compareTo(other)`, where `None` is a missing item (the shorter list ran out).
fn cmp_item(item: &Item, other: Option<&Item>) -> Ordering {
    match (item, other) {
        (Item::Int(d), None) => {
            if d.is_empty() {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        (Item::Int(x), Some(Item::Int(y))) => cmp_digits(x, y),
        (Item::Int(_), Some(_)) => Ordering::Greater,
        (Item::Str(s), None) => comparable_qualifier(s).as_str().cmp(RELEASE_INDEX),
        (Item::Str(x), Some(Item::Str(y))) => comparable_qualifier(x).cmp(&comparable_qualifier(y)),
        (Item::Str(_), Some(_)) => Ordering::Less,
        (Item::List(l), None) => {
            l.iter().map(|i| cmp_item(i, None)).find(|o| *o != Ordering::Equal).unwrap_or(Ordering::Equal)
        }
        (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
        (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
        (Item::List(x), Some(Item::List(y))) => cmp_lists(x, y),
    }
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    for k in 0..a.len().max(b.len()) {
        let o = match (a.get(k), b.get(k)) {
            (Some(l), r) => cmp_item(l, r),
            (None, Some(r)) => cmp_item(r, None).reverse(),
            (None, None) => Ordering::Equal,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn qualifier_order() {
        let ascending = ["1.0-alpha", "1.0-beta", "1.0-milestone", "1.0-rc", "1.0-snapshot", "1.0", "1.0-sp", "1.0.1"];
        for w in ascending.windows(2) {
            assert_eq!(compare(w[0], w[1]), Less, "{} < {}", w[0], w[1]);
            assert_eq!(compare(w[1], w[0]), Greater, "{} > {}", w[1], w[0]);
        }
    }

    #[test]
    fn comparable_version_test_cases() {
        // From Maven's ComparableVersionTest and the POM reference "Version Order Specification".
        let equal = [
            ("1", "1.0.0"),
            ("1", "1-0"),
            ("1.0", "1-ga"),
            ("1", "1.final"),
            ("1", "1.RELEASE"),
            ("1a1", "1-a1"),
            ("1a1", "1-alpha-1"),
            ("1b2", "1-beta-2"),
            ("1m3", "1-milestone-3"),
            ("1X", "1.x"),
            ("1cr1", "1rc1"),
            ("1.0-CR1", "1.0-rc1"),
            ("000000000000000001", "1"),
            ("1-SNAPSHOT", "1-snapshot"),
        ];
        for (a, b) in equal {
            assert_eq!(compare(a, b), Equal, "{a} == {b}");
        }
        let pairs = [
            ("1", "1.1"),
            ("1-snapshot", "1"),
            ("1", "1-sp"),
            ("1-foo2", "1-foo10"),
            ("1-foo", "1-1"),
            ("1-1", "1.1"),
            ("1.ga", "1-sp"),
            ("1-alpha-1", "1-alpha-2"),
            ("1.0-alpha-1", "1.0"),
            ("2.0-1", "2.0.1"),
            ("2.0.1-klm", "2.0.1-lmn"),
            ("2.0.1", "2.0.1-xyz"),
            ("2.0.1-xyz", "2.0.1-123"),
            ("1.0.0.X1", "1.0.0-X2"),
            ("1-final-1", "1-1"),
        ];
        for (a, b) in pairs {
            assert_eq!(compare(a, b), Less, "{a} < {b}");
            assert_eq!(compare(b, a), Greater, "{b} > {a}");
        }
    }

    #[test]
    fn invalid_and_odd_inputs() {
        assert!(!is_valid(""));
        assert_eq!(compare("", "0"), Less);
        assert!(is_valid("..--"));
        assert_eq!(compare("..--", "0"), Equal);
        assert!(!is_valid(&"1.".repeat(600)));
        assert_eq!(compare("1-\u{e9}", "1-e"), Greater);
    }
}
