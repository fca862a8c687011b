//! Byte-level helpers: binary sniffing, entropy, line numbers and redaction.

/// How many leading bytes the binary sniff looks at.
pub const SNIFF_LEN: usize = 8 * 1024;

/// Redacted lines keep at most this many bytes of context on each side of the match.
const CONTEXT: usize = 80;

/// True when the start of `data` looks binary: a NUL byte, or more than 30 % bytes of invalid UTF-8
/// (a Latin-1 text stays well below that).
pub fn is_binary(data: &[u8]) -> bool {
    let head = data.get(..SNIFF_LEN).unwrap_or(data);
    if memchr::memchr(0, head).is_some() {
        return true;
    }
    let mut invalid = 0usize;
    let mut rest = head;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(_) => break,
            Err(e) => match e.error_len() {
                // A sequence cut off by the end of the window is not evidence of binary.
                None => break,
                Some(n) => {
                    invalid += n;
                    rest = rest.get(e.valid_up_to() + n..).unwrap_or_default();
                }
            },
        }
    }
    invalid * 10 > head.len() * 3
}

/// Shannon entropy of `value` in bits per byte.
pub fn entropy(value: &[u8]) -> f64 {
    if value.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in value {
        counts[usize::from(b)] += 1;
    }
    let n = value.len() as f64;
    counts.iter().filter(|&&c| c > 0).map(|&c| f64::from(c) / n).map(|p| -p * p.log2()).sum()
}

/// A byte span `[start, end)` of a secret value, and how many of its leading bytes may stay visible.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Leading bytes kept visible.
    pub keep: usize,
}

/// Secret spans sorted by start, with how far the spans up to each one reach: finds the spans
/// around a line without looking at the others.
#[derive(Debug)]
pub struct Spans {
    spans: Vec<Span>,
    /// `reach[i]`: the furthest end among `spans[..=i]`.
    reach: Vec<usize>,
}

impl Spans {
    /// The spans, in any order.
    pub fn new(mut spans: Vec<Span>) -> Spans {
        spans.sort_by_key(|s| s.start);
        let mut furthest = 0;
        let reach = spans
            .iter()
            .map(|s| {
                furthest = furthest.max(s.end);
                furthest
            })
            .collect();
        Spans { spans, reach }
    }

    /// The furthest end of the spans that start before `at` (0 when there are none).
    fn reach_before(&self, at: usize) -> usize {
        let before = self.spans.partition_point(|s| s.start < at);
        before.checked_sub(1).and_then(|i| self.reach.get(i)).copied().unwrap_or(0)
    }

    /// The spans that start in `from..to`, by start.
    fn starting_in(&self, from: usize, to: usize) -> &[Span] {
        let first = self.spans.partition_point(|s| s.start < from);
        let last = self.spans.partition_point(|s| s.start < to);
        self.spans.get(first..last).unwrap_or_default()
    }
}

/// The line around `at` (without the line break), at most [`CONTEXT`] bytes each side of `at..at_end`,
/// with every span in `spans` that touches it replaced by its kept prefix and `****` (spans that
/// start before the shown text become one `****`).
pub fn redact_line(data: &[u8], at: usize, at_end: usize, spans: &Spans) -> String {
    let line_start = memchr::memrchr(b'\n', data.get(..at).unwrap_or_default()).map_or(0, |p| p + 1);
    let line_end = memchr::memchr(b'\n', data.get(at..).unwrap_or_default()).map_or(data.len(), |p| at + p);
    let from = line_start.max(at.saturating_sub(CONTEXT));
    let to = line_end.min(at_end.max(at).saturating_add(CONTEXT)).max(from);
    let mut out = Vec::with_capacity(to - from + 8);
    if from > line_start {
        out.extend_from_slice("…".as_bytes());
    }
    let mut pos = from;
    let covered = spans.reach_before(from).min(to);
    if covered > from {
        out.extend_from_slice(b"****");
        pos = covered;
    }
    for span in spans.starting_in(from, to) {
        if span.end <= pos {
            continue;
        }
        let start = span.start.max(pos);
        out.extend_from_slice(data.get(pos..start).unwrap_or_default());
        if start == span.start {
            out.extend_from_slice(data.get(span.start..span.start + span.keep).unwrap_or_default());
        }
        out.extend_from_slice(b"****");
        pos = span.end.min(to).max(start);
        if span.end > to {
            pos = to;
        }
    }
    if pos < to {
        out.extend_from_slice(data.get(pos..to).unwrap_or_default());
    }
    if to < line_end {
        out.extend_from_slice("…".as_bytes());
    }
    let text = String::from_utf8_lossy(&out);
    text.trim_end_matches('\r').chars().map(|c| if c.is_control() && c != '\t' { ' ' } else { c }).collect()
}

/// How many leading bytes of a value of length `len` redaction keeps when the rule allows `keep`:
/// never more than a third of the value.
pub fn kept_prefix(keep: usize, len: usize) -> usize {
    keep.min(len / 3)
}
