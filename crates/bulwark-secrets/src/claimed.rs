//! Byte ranges already claimed by kept matches, for overlap resolution in O(log n) per query.

use std::collections::BTreeMap;

/// A union of half-open byte ranges, stored as disjoint ranges keyed by start.
#[derive(Debug, Default)]
pub(crate) struct Claimed {
    ranges: BTreeMap<usize, usize>,
}

impl Claimed {
    /// Whether `start..end` shares a byte with any claimed range.
    pub(crate) fn overlaps(&self, start: usize, end: usize) -> bool {
        // Ranges are disjoint, so ends grow with starts: only the last one starting before `end` can reach past `start`.
        self.ranges.range(..end).next_back().is_some_and(|(_, &e)| e > start)
    }

    /// Adds `start..end`, merging it with every range it overlaps or touches.
    pub(crate) fn claim(&mut self, start: usize, end: usize) {
        let (mut start, mut end) = (start, end);
        while let Some((&s, &e)) = self.ranges.range(..=end).next_back() {
            if e < start {
                break;
            }
            self.ranges.remove(&s);
            start = start.min(s);
            end = end.max(e);
        }
        self.ranges.insert(start, end);
    }
}

#[cfg(test)]
mod tests {
    use super::Claimed;

    /// Against a plain list of ranges: the union answers exactly what checking each range would.
    #[test]
    fn answers_like_the_list_of_ranges() {
        let mut seed = 0x2545_f491_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            usize::try_from(seed % n).unwrap_or(0)
        };
        for _ in 0..200 {
            let mut claimed = Claimed::default();
            let mut list: Vec<(usize, usize)> = Vec::new();
            for _ in 0..40 {
                let start = next(200);
                let end = start + 1 + next(12);
                let naive = list.iter().any(|&(s, e)| s < end && start < e);
                assert_eq!(claimed.overlaps(start, end), naive, "{start}..{end} against {list:?}");
                if next(2) == 0 {
                    claimed.claim(start, end);
                    list.push((start, end));
                }
            }
        }
    }
}
