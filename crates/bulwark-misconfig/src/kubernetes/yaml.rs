//! A YAML loader that keeps line spans: multi-document streams, anchors and aliases (with a bounded
//! expansion, so "billion laughs" documents fail instead of eating memory), merge keys (`<<`), and
//! scalars resolved the way Kubernetes' decoder (`sigs.k8s.io/yaml`, YAML 1.1) reads them, so that
//! `privileged: yes` is the boolean `true` as `kubectl` would apply it. JSON is read as flow YAML.

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use std::collections::{HashMap, HashSet};

/// Most nodes one stream may hold, counting every node an alias expands to.
pub const MAX_NODES: usize = 1_000_000;
/// Deepest nesting of sequences and mappings accepted.
pub const MAX_DEPTH: usize = 128;

/// A YAML value with the 1-based lines it spans.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// First line (1-based).
    pub start: u32,
    /// Last line (1-based, inclusive).
    pub end: u32,
}

/// A resolved YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty value.
    Null,
    /// A boolean (YAML 1.1 spellings included: `yes`, `on`, …).
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order, keys unique (a later duplicate replaces the earlier value).
    Map(Vec<Entry>),
}

/// One key of a mapping, the line of the key, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key as text.
    pub key: String,
    /// Line of the key (1-based).
    pub line: u32,
    /// The value.
    pub value: Node,
}

/// One document of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The document's root node.
    pub root: Node,
}

/// A syntax error or a limit hit while loading, with the 1-based line where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// Line (1-based).
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

impl Node {
    /// The value under `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry (key line and value) under `key` when this is a mapping.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    /// The value at a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The text when this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean when this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The integer when this is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The items when this is a sequence (empty otherwise).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// The entries when this is a mapping (empty otherwise).
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// Levels of nesting below and including this node (1 for a scalar).
    fn height(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::height).max().unwrap_or(0),
            Value::Map(entries) => entries.iter().map(|e| e.value.height()).max().unwrap_or(0),
            _ => 0,
        }
    }

    /// Number of nodes in this tree (itself included).
    fn size(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::size).sum(),
            Value::Map(entries) => entries.iter().map(|e| e.value.size()).sum(),
            _ => 0,
        }
    }

    /// Converts to JSON (non-finite floats become strings).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map_or_else(|| serde_json::Value::String(f.to_string()), serde_json::Value::Number),
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => serde_json::Value::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                serde_json::Value::Object(entries.iter().map(|e| (e.key.clone(), e.value.to_json())).collect())
            }
        }
    }
}

/// A collection being built.
enum Frame {
    Seq {
        items: Vec<Node>,
        start: u32,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        index: HashMap<String, usize>,
        merges: Vec<Node>,
        key: Option<Key>,
        start: u32,
        anchor: usize,
    },
}

/// A mapping key waiting for its value.
struct Key {
    text: String,
    line: u32,
    merge: bool,
}

/// Loads every document of a YAML (or JSON) stream.
pub fn load(text: &str) -> Result<Vec<Document>, YamlError> {
    let mut loader = Loader { stack: Vec::new(), anchors: Vec::new(), nodes: 0, docs: Vec::new() };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| YamlError {
            line: line_of(e.marker().line()),
            message: format!("{} (column {})", e.info(), e.marker().col() + 1),
        })?;
        loader.event(event, span)?;
    }
    Ok(loader.docs)
}

/// Builds nodes from parser events.
struct Loader {
    stack: Vec<Frame>,
    /// Anchored nodes: (anchor id, node, size, height).
    anchors: Vec<(usize, Node, usize, usize)>,
    nodes: usize,
    docs: Vec<Document>,
}

impl Loader {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlError> {
        let line = line_of(span.start.line());
        match event {
            Event::DocumentStart(_) => {
                self.anchors.clear();
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, line)?;
                if let Some(Frame::Map { key: key @ None, .. }) = self.stack.last_mut() {
                    let merge = style == ScalarStyle::Plain && text == "<<";
                    let node = scalar(&text, style, tag.as_deref(), span);
                    let text = key_text(&node);
                    *key = Some(Key { text, line, merge });
                    if anchor != 0 {
                        self.anchors.push((anchor, node, 1, 1));
                    }
                    return Ok(());
                }
                let node = scalar(&text, style, tag.as_deref(), span);
                self.finish(node, anchor)?;
            }
            Event::Alias(id) => {
                let Some((_, node, size, height)) = self.anchors.iter().rev().find(|(a, ..)| *a == id) else {
                    return Err(YamlError { line, message: "alias to an unknown anchor".into() });
                };
                if self.stack.len() + height > MAX_DEPTH {
                    return Err(YamlError { line, message: format!("nesting deeper than {MAX_DEPTH} levels") });
                }
                let (size, mut node) = (*size, node.clone());
                self.count(size, line)?;
                if let Some(Frame::Map { key: key @ None, .. }) = self.stack.last_mut() {
                    if matches!(node.value, Value::Seq(_) | Value::Map(_)) {
                        return Err(YamlError { line, message: "a mapping key is a collection".into() });
                    }
                    *key = Some(Key { text: key_text(&node), line, merge: false });
                    return Ok(());
                }
                // An alias sits where it is used: report the use site's line.
                shift(&mut node, line);
                self.finish(node, 0)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.open(Frame::Seq { items: Vec::new(), start: line, anchor }, line)?;
            }
            Event::MappingStart(anchor, _) => {
                let frame = Frame::Map {
                    entries: Vec::new(),
                    index: HashMap::new(),
                    merges: Vec::new(),
                    key: None,
                    start: line,
                    anchor,
                };
                self.open(frame, line)?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Err(YamlError { line, message: "collection end without a start".into() });
                };
                let (node, anchor) = match frame {
                    Frame::Seq { items, start, anchor } => {
                        let end = items.iter().map(|n| n.end).max().unwrap_or(start).max(start);
                        (Node { value: Value::Seq(items), start, end }, anchor)
                    }
                    Frame::Map { mut entries, merges, start, anchor, .. } => {
                        for merged in merges {
                            merge_into(&mut entries, merged);
                        }
                        let end = entries.iter().map(|e| e.value.end.max(e.line)).max().unwrap_or(start).max(start);
                        (Node { value: Value::Map(entries), start, end }, anchor)
                    }
                };
                self.finish(node, anchor)?;
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
        Ok(())
    }

    fn count(&mut self, n: usize, line: u32) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(YamlError {
                line,
                message: format!("more than {MAX_NODES} nodes after expanding aliases (alias bomb?)"),
            });
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame, line: u32) -> Result<(), YamlError> {
        if let Some(Frame::Map { key: None, .. }) = self.stack.last() {
            return Err(YamlError { line, message: "a mapping key is a collection (not supported)".into() });
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError { line, message: format!("nesting deeper than {MAX_DEPTH} levels") });
        }
        self.count(1, line)?;
        self.stack.push(frame);
        Ok(())
    }

    /// Attaches a finished node to its parent (or ends the document).
    fn finish(&mut self, mut node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor != 0 {
            let (size, height) = (node.size(), node.height());
            self.anchors.push((anchor, node.clone(), size, height));
        }
        match self.stack.last_mut() {
            None => self.docs.push(Document { root: node }),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, index, merges, key, .. }) => {
                let Some(key) = key.take() else {
                    return Err(YamlError { line: node.start, message: "a mapping key is a collection".into() });
                };
                if key.merge {
                    match node.value {
                        Value::Map(_) => merges.push(node),
                        Value::Seq(items) => merges.extend(items),
                        _ => {
                            return Err(YamlError { line: key.line, message: "merge key `<<` needs a mapping".into() })
                        }
                    }
                    return Ok(());
                }
                if node.value == Value::Null {
                    node.start = key.line;
                    node.end = key.line;
                }
                match index.get(&key.text).and_then(|&i| entries.get_mut(i)) {
                    Some(existing) => {
                        existing.line = key.line;
                        existing.value = node;
                    }
                    None => {
                        index.insert(key.text.clone(), entries.len());
                        entries.push(Entry { key: key.text, line: key.line, value: node });
                    }
                }
            }
        }
        Ok(())
    }
}

/// Adds the entries of a merged mapping that the mapping does not set itself.
fn merge_into(entries: &mut Vec<Entry>, merged: Node) {
    if let Value::Map(more) = merged.value {
        let mut present: HashSet<String> = entries.iter().map(|e| e.key.clone()).collect();
        for entry in more {
            if present.insert(entry.key.clone()) {
                entries.push(entry);
            }
        }
    }
}

/// Moves a copied node so that all its lines are the line where the alias is used.
fn shift(node: &mut Node, line: u32) {
    node.start = line;
    node.end = line;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift(n, line)),
        Value::Map(entries) => entries.iter_mut().for_each(|e| {
            e.line = line;
            shift(&mut e.value, line);
        }),
        _ => {}
    }
}

fn line_of(line: usize) -> u32 {
    u32::try_from(line.max(1)).unwrap_or(u32::MAX)
}

/// The key text of a scalar node, as Kubernetes' YAML-to-JSON conversion writes it.
fn key_text(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Str(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>, span: Span) -> Node {
    let start = line_of(span.start.line());
    let mut end = line_of(span.end.line());
    if span.end.col() == 0 && end > start {
        end -= 1;
    }
    let value = match tag {
        Some(tag) if tag.suffix == "str" || tag.suffix.ends_with(":str") => Value::Str(text.to_string()),
        _ if style != ScalarStyle::Plain => Value::Str(text.to_string()),
        _ => resolve_plain(text),
    };
    Node { value, start, end }
}

/// Resolves a plain scalar as YAML 1.1 (go-yaml v2, which `sigs.k8s.io/yaml` uses) does.
pub fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => return Value::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Value::Bool(false)
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    if let Some(i) = parse_int(s) {
        return Value::Int(i);
    }
    if looks_float(s) {
        if let Ok(f) = s.replace('_', "").parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(s.to_string())
}

/// Integers as Go's `strconv.ParseInt(s, 0, 64)` reads them after removing `_`.
fn parse_int(s: &str) -> Option<i64> {
    let cleaned = s.replace('_', "");
    let (negative, digits) = match cleaned.as_bytes().first()? {
        b'-' => (true, &cleaned[1..]),
        b'+' => (false, &cleaned[1..]),
        _ => (false, cleaned.as_str()),
    };
    let (radix, body) = if let Some(rest) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        (16, rest)
    } else if let Some(rest) = digits.strip_prefix("0b").or_else(|| digits.strip_prefix("0B")) {
        (2, rest)
    } else if let Some(rest) = digits.strip_prefix("0o").or_else(|| digits.strip_prefix("0O")) {
        (8, rest)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(body, radix).ok()?;
    i64::try_from(if negative { -magnitude } else { magnitude }).ok()
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` with `_` allowed in digits.
fn looks_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let from = *i;
        while *i < b.len() && (b[*i].is_ascii_digit() || b[*i] == b'_') {
            *i += 1;
        }
        *i > from
    };
    let int_part = digits(&mut i);
    let mut frac = false;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        frac = digits(&mut i);
    }
    if !int_part && !frac {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_yaml_1_1_scalars() {
        let cases: &[(&str, Value)] = &[
            ("yes", Value::Bool(true)),
            ("Off", Value::Bool(false)),
            ("0", Value::Int(0)),
            ("0x1F", Value::Int(31)),
            ("0755", Value::Int(493)),
            ("-1_000", Value::Int(-1000)),
            ("1.5", Value::Float(1.5)),
            ("1e3", Value::Float(1000.0)),
            ("~", Value::Null),
            ("latest", Value::Str("latest".into())),
            ("1.2.3", Value::Str("1.2.3".into())),
            ("0x", Value::Str("0x".into())),
        ];
        for (text, want) in cases {
            assert_eq!(&resolve_plain(text), want, "{text}");
        }
    }

    #[test]
    fn keeps_lines_and_merges() {
        let docs = load("base: &b\n  x: 1\n  z: 2\nother:\n  <<: *b\n  z: 3\n  y: 4\n---\n- a\n- 'yes'\n").unwrap();
        assert_eq!(docs.len(), 2);
        let other = docs[0].root.get("other").unwrap();
        assert_eq!(other.get("x").unwrap().as_i64(), Some(1));
        assert_eq!(other.get("z").unwrap().as_i64(), Some(3));
        // YAML 1.1 (as Kubernetes reads it): the key `y` is the boolean true.
        assert_eq!(other.get("true").unwrap().as_i64(), Some(4));
        assert_eq!(other.get("x").unwrap().start, 5, "alias copies carry the use site's line");
        assert_eq!(docs[0].root.entry("other").unwrap().line, 4);
        assert_eq!(docs[1].root.items()[1].as_str(), Some("yes"));
        assert_eq!((docs[1].root.start, docs[1].root.end), (9, 10));
    }

    #[test]
    fn block_scalar_end_line() {
        let docs = load("a: |\n  one\n  two\nb: 1\n").unwrap();
        // The value starts at its first content line; the field (key through value) spans 1-3.
        let a = docs[0].root.entry("a").unwrap();
        assert_eq!((a.line, a.value.start, a.value.end), (1, 2, 3));
    }

    #[test]
    fn too_deep_is_an_error() {
        let text = "[".repeat(MAX_DEPTH + 5);
        let err = load(&text).unwrap_err();
        assert!(err.message.contains("nesting"), "{err:?}");
    }

    #[test]
    fn aliases_cannot_nest_past_the_depth_limit() {
        let deep = format!("a: &a {}x{}\n", "[".repeat(100), "]".repeat(100));
        let err =
            load(&format!("{deep}b: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n")).unwrap_err();
        assert!(err.message.contains("nesting"), "{err:?}");
    }

    #[test]
    fn many_keys_load_in_linear_time() {
        let text: String = (0..200_000).map(|i| format!("k{i}: {i}\n")).collect();
        let started = std::time::Instant::now();
        let docs = load(&text).unwrap();
        assert_eq!(docs[0].root.entries().len(), 200_000);
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    }
}
