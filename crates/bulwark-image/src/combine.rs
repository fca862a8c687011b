//! Visitors combined and small ready-made ones, so every layer is still read once when several scanners need its files.

use crate::entry::EntryMeta;
use crate::walk::{LayerContents, Visitor};

/// Runs visitor `A` and visitor `B` over the same walk; each sees only the files it wants.
pub struct Pair<A, B>(pub A, pub B);

impl<A: Visitor, B: Visitor> Visitor for Pair<A, B> {
    type Output = (Option<A::Output>, Option<B::Output>);

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        self.0.wants(entry) || self.1.wants(entry)
    }

    fn visit(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Self::Output {
        let a = self.0.wants(entry).then(|| self.0.visit(entry, data));
        let b = self.1.wants(entry).then(|| self.1.visit(entry, data));
        (a, b)
    }
}

/// A visitor that may be switched off: `None` wants nothing.
impl<V: Visitor> Visitor for Option<V> {
    type Output = V::Output;

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        self.as_ref().is_some_and(|v| v.wants(entry))
    }

    fn visit(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Self::Output {
        match self {
            Some(v) => v.visit(entry, data),
            // `wants` returned false, so the walker never calls this; visiting anyway is a caller bug.
            None => unreachable!("a switched-off visitor was asked to visit {}", entry.path),
        }
    }
}

/// Keeps the bytes of the regular files at a few exact paths (e.g. `etc/shadow`).
pub struct KeepFiles(pub &'static [&'static str]);

impl Visitor for KeepFiles {
    type Output = std::sync::Arc<Vec<u8>>;

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        self.0.contains(&entry.path)
    }

    fn visit(&self, _entry: &EntryMeta<'_>, data: &[u8]) -> Self::Output {
        std::sync::Arc::new(data.to_vec())
    }
}

impl<A, B> LayerContents<(Option<A>, Option<B>)> {
    /// Splits a paired walk's result into what each visitor would have got on its own.
    pub fn split(self) -> (LayerContents<A>, LayerContents<B>) {
        let mut a_out = Vec::new();
        let mut b_out = Vec::new();
        for (path, (a, b)) in self.outputs {
            match (a, b) {
                (Some(a), Some(b)) => {
                    a_out.push((path.clone(), a));
                    b_out.push((path, b));
                }
                (Some(a), None) => a_out.push((path, a)),
                (None, Some(b)) => b_out.push((path, b)),
                (None, None) => {}
            }
        }
        let a = LayerContents {
            entries: self.entries.clone(),
            whiteouts: self.whiteouts.clone(),
            opaque_dirs: self.opaque_dirs.clone(),
            outputs: a_out,
            warnings: self.warnings.clone(),
            tar_bytes: self.tar_bytes,
        };
        let b = LayerContents {
            entries: self.entries,
            whiteouts: self.whiteouts,
            opaque_dirs: self.opaque_dirs,
            outputs: b_out,
            warnings: self.warnings,
            tar_bytes: self.tar_bytes,
        };
        (a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::EntryKind;

    struct Suffix(&'static str);

    impl Visitor for Suffix {
        type Output = usize;
        fn wants(&self, entry: &EntryMeta<'_>) -> bool {
            entry.path.ends_with(self.0)
        }
        fn visit(&self, _entry: &EntryMeta<'_>, data: &[u8]) -> usize {
            data.len()
        }
    }

    #[test]
    fn each_visitor_sees_only_its_files() {
        let pair = Pair(Suffix(".txt"), Suffix("a.txt"));
        let kind = EntryKind::File;
        let mut contents = LayerContents::default();
        for (path, data) in [("a.txt", &b"12"[..]), ("b.txt", b"123"), ("c.bin", b"1")] {
            let meta = EntryMeta { path, kind: &kind, size: data.len() as u64, mode: 0o644 };
            if pair.wants(&meta) {
                contents.outputs.push((path.to_string(), pair.visit(&meta, data)));
            }
        }
        let (a, b) = contents.split();
        assert_eq!(a.outputs, vec![("a.txt".to_string(), 2), ("b.txt".to_string(), 3)]);
        assert_eq!(b.outputs, vec![("a.txt".to_string(), 2)]);
    }
}
