//! User secret configurations (`--secret-config`): `SecretConfig::from_yaml` on any text; a
//! configuration that parses and adds rules or allow rules is compiled with the built-ins
//! (`Scanner::from_config`, which also runs each custom rule's examples), and the scanner then scans
//! the configuration text itself.

#![no_main]

use bulwark_secrets::{Scanner, SecretConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let config = match SecretConfig::from_yaml("fuzz.yaml", &text) {
        Ok(config) => config,
        Err(e) => {
            assert!(e.to_string().starts_with("fuzz.yaml: "), "error does not name the file: {e}");
            return;
        }
    };
    assert_eq!(config.source, "fuzz.yaml");
    // Compiling the ~100 built-in rules costs milliseconds: only configurations that change them.
    let changes = !config.rules.is_empty()
        || !config.allow_rules.is_empty()
        || !config.disable_rules.is_empty()
        || !config.disable_allow_rules.is_empty()
        || config.max_file_size.is_some()
        || !config.example_values.is_empty();
    if !changes {
        return;
    }
    match Scanner::from_config(&config) {
        Ok(scanner) => {
            let _ = scanner.scan("fuzz.yaml", data);
            let _ = scanner.scan_text("config.Env[0]", &text);
        }
        // Only the user's file can be at fault: the built-in rules compile.
        Err(e) => assert!(e.to_string().starts_with("fuzz.yaml: "), "{e}"),
    }
});
