//! Dockerfiles: `dockerfile::parse` on any text, then every built-in check and the Rego input document.
//! Every instruction's and finding's line span lies inside the file, and `check` agrees with
//! `parse` + `check_parsed`.

#![no_main]

use bulwark_misconfig::dockerfile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Lines as the parser counts them: split at `\n` (a trailing empty line counts too).
    let lines = u32::try_from(text.split('\n').count()).unwrap_or(u32::MAX);
    let Ok(parsed) = dockerfile::parse(&text) else {
        assert!(dockerfile::check("Dockerfile", &text).is_err());
        return;
    };
    for i in &parsed.instructions {
        assert!(1 <= i.start_line && i.start_line <= i.end_line && i.end_line <= lines, "{i:?} in {lines} lines");
        for h in &i.heredocs {
            assert!(h.start_line <= h.end_line && h.end_line <= i.end_line, "{h:?} of {i:?}");
        }
    }
    let findings = dockerfile::check_parsed("Dockerfile", &parsed);
    for f in &findings {
        if let (Some(start), Some(end)) = (f.start_line, f.end_line) {
            assert!(1 <= start && start <= end && end <= lines, "{}: lines {start}-{end} of {lines}", f.check_id);
        }
    }
    assert_eq!(dockerfile::check("Dockerfile", &text).ok(), Some(findings));
    let _ = dockerfile::input_document(&parsed);
});
