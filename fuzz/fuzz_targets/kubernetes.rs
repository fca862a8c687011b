//! Kubernetes manifests: `kubernetes::parse` on any text (YAML or JSON, multi-document, `List` kinds,
//! Helm `# Source:` comments), then every built-in check on the objects and their Rego input documents.
//! Findings name lines of at least 1; `check` agrees with `parse` + `check_objects`.

#![no_main]

use bulwark_misconfig::kubernetes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let objects = match kubernetes::parse("fuzz.yaml", &text) {
        Ok(objects) => objects,
        Err(e) => {
            assert_eq!(e.file, "fuzz.yaml");
            assert!(e.line >= 1, "{e}");
            return;
        }
    };
    for object in &objects {
        assert!(!object.kind.is_empty() && !object.api_version.is_empty(), "{object:?}");
        let _ = kubernetes::input_document(object);
    }
    let findings = kubernetes::check_objects(objects);
    for f in &findings {
        if let (Some(start), Some(end)) = (f.start_line, f.end_line) {
            assert!(1 <= start && start <= end, "{}: lines {start}-{end}", f.check_id);
        }
    }
    assert_eq!(kubernetes::check("fuzz.yaml", &text).ok(), Some(findings));
});
