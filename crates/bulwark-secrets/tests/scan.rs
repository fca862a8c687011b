//! The scanner on real files: the planted secrets of the corpus `app-python` image, private keys
//! made by openssl / ssh-keygen / gpg, image metadata, and the engine's bounds and configuration.

use bulwark_secrets::{Error, Scanner, SecretConfig, SecretMatch, Skip};
use bulwark_types::{LayerRef, Level};
use std::path::PathBuf;

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/testdata").join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(testdata(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn builtin() -> Scanner {
    Scanner::builtin().unwrap_or_else(|e| panic!("{e}"))
}

fn with_config(yaml: &str) -> Result<Scanner, Error> {
    Scanner::from_config(&SecretConfig::from_yaml("custom.yaml", yaml)?)
}

fn summary(found: &[SecretMatch]) -> Vec<(String, u32, bool)> {
    found.iter().map(|m| (m.rule_id.clone(), m.line, m.example)).collect()
}

/// Every planted secret of the corpus README's table, with rule, line and example flag.
#[test]
fn planted_corpus_secrets_are_all_found() {
    let s = builtin();
    let env = s.scan("/app/config/.env", &read("corpus-app.env")).matches;
    assert_eq!(
        summary(&env),
        vec![
            ("aws-access-key-id".into(), 2, true),
            ("aws-secret-access-key".into(), 3, true),
            ("github-pat".into(), 4, false),
        ]
    );
    assert!(env[..2].iter().all(|m| m.severity == Level::Low), "documented AWS examples are LOW");
    assert_eq!(env[2].severity, Level::Critical);
    assert_eq!(env[0].redacted, "AWS_ACCESS_KEY_ID=AKIA****");
    assert_eq!(env[2].redacted, "GITHUB_TOKEN=ghp_****");

    let old = s.scan("/app/old-credentials.txt", &read("old-credentials.txt")).matches;
    assert_eq!(summary(&old), vec![("gitlab-pat".into(), 2, false)]);
    assert_eq!(old[0].redacted, "GITLAB_TOKEN=glpat-****");

    let dockerfile = s.scan("/app/Dockerfile", &read("Dockerfile")).matches;
    assert_eq!(summary(&dockerfile), vec![("generic-password".into(), 7, false)]);
    assert_eq!(dockerfile[0].redacted, "ENV DB_PASSWORD=****");

    let key = s.scan("/app/config/id_rsa", &read("id_rsa")).matches;
    assert_eq!(summary(&key), vec![("private-key-rsa".into(), 1, false)]);
    assert_eq!(key[0].redacted, "-----BEGIN RSA PRIVATE KEY----- ****");
}

/// Image metadata: `Env` entries and history lines (`ENV` in BuildKit and classic form).
#[test]
fn image_metadata_password_is_found() {
    let s = builtin();
    for (target, text) in [
        ("config.Env[1]", "DB_PASSWORD=Sup3rS3cretFAKEpassw0rd!"),
        ("history[6].created_by", "ENV DB_PASSWORD=Sup3rS3cretFAKEpassw0rd!"),
        ("history[6].created_by", "/bin/sh -c #(nop)  ENV DB_PASSWORD=Sup3rS3cretFAKEpassw0rd!"),
        ("config.Labels[\"db\"]", "postgresql://app:Sup3rS3cretFAKEpassw0rd!@db:5432/app"),
    ] {
        let found = s.scan_text(target, text).matches;
        assert_eq!(found.len(), 1, "{target}: {text}: {found:?}");
        let finding = found[0].to_finding(target, None);
        assert_eq!(finding.target, target);
        assert!(!finding.redacted.contains("Sup3rS3cret"), "{}", finding.redacted);
        assert!(!serde_json::to_string(&finding).unwrap_or_default().contains("Sup3rS3cret"));
    }
    for benign in ["PATH=/opt/venv/bin:/usr/bin", "DB_PASSWORD=${DB_PASSWORD}", "DB_PASSWORD_FILE=/run/secrets/db"] {
        assert!(s.scan_text("config.Env[0]", benign).matches.is_empty(), "{benign}");
    }
}

/// Private keys written by the real tools are found by the rule for their format, on line 1.
#[test]
fn private_keys_from_real_tools() {
    let s = builtin();
    for (file, rule) in [
        ("id_rsa", "private-key-rsa"),
        ("id_rsa-encrypted", "private-key-rsa"),
        ("id_ed25519", "private-key-openssh"),
        ("ec.key", "private-key-ec"),
        ("dsa.key", "private-key-dsa"),
        ("pkcs8.key", "private-key-pkcs8"),
        ("pkcs8-encrypted.key", "private-key-pkcs8-encrypted"),
        ("pgp-secret.asc", "private-key-pgp"),
    ] {
        let data = read(file);
        let found = s.scan(file, &data).matches;
        assert_eq!(summary(&found), vec![(rule.to_string(), 1, false)], "{file}");
        // No line of the key body survives in any field of the finding.
        let json = serde_json::to_string(&found[0].to_finding(file, None)).unwrap_or_default();
        let text = String::from_utf8_lossy(&data);
        for body_line in text.lines().filter(|l| l.len() >= 16 && !l.starts_with("-----") && !l.contains(':')) {
            assert!(!json.contains(body_line), "{file}: body line leaked");
        }
        assert!(found[0].secret_len() > 100, "{file}: the secret is the key body");
    }
}

#[test]
fn docker_config_auth() {
    let s = builtin();
    let found = s.scan("/root/.docker/config.json", &read("docker-config.json")).matches;
    assert_eq!(summary(&found), vec![("docker-config-auth".into(), 4, false)]);
    assert_eq!(found[0].redacted.trim(), "\"auth\": \"****\"");
}

#[test]
fn line_numbers_with_crlf_and_several_matches() {
    let s = builtin();
    let text = "# config\r\n\r\nuser = app\r\nGITLAB=glpat-AbCdEfGhIjKlMnOpQrSt\r\n\r\n\r\nslack=xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx\r\n";
    let found = s.scan("settings.ini", text.as_bytes()).matches;
    assert_eq!(summary(&found), vec![("gitlab-pat".into(), 4, false), ("slack-bot-token".into(), 7, false)]);
    assert_eq!(found[0].redacted, "GITLAB=glpat-****");
    // Two secrets on one line: each finding masks both.
    let both = "A=ghp_0123456789abcdefghijABCDEFGHIJ012345 B=glpat-AbCdEfGhIjKlMnOpQrSt";
    let found = s.scan_text("t", both).matches;
    assert_eq!(found.len(), 2);
    for m in &found {
        assert_eq!(m.redacted, "A=ghp_**** B=glpat-****");
    }
}

#[test]
fn long_lines_are_cut_around_the_match() {
    let s = builtin();
    let mut line = "x".repeat(5000);
    line.push_str(" token ghp_0123456789abcdefghijABCDEFGHIJ012345 ");
    line.push_str(&"y".repeat(5000));
    let found = s.scan("bundle.min.js", line.as_bytes()).matches;
    assert_eq!(found.len(), 1);
    assert!(found[0].redacted.len() < 300, "{}", found[0].redacted.len());
    assert!(found[0].redacted.contains("ghp_****"));
}

#[test]
fn binary_content_is_skipped() {
    let s = builtin();
    let mut data = b"GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345\n".to_vec();
    assert_eq!(s.scan("t", &data).matches.len(), 1);
    data.push(0);
    assert_eq!(s.skip_reason("t", &data), Some(Skip::Binary));
    assert!(s.scan("t", &data).matches.is_empty());
    // Mostly invalid UTF-8 without NUL bytes is binary too …
    let mut noise: Vec<u8> = (0..4000u32).map(|i| 0x80 | (i % 0x7f) as u8).collect();
    noise.extend_from_slice(b"\nghp_0123456789abcdefghijABCDEFGHIJ012345\n");
    assert_eq!(s.skip_reason("t", &noise), Some(Skip::Binary));
    // … but a Latin-1 text with a few accented bytes is scanned.
    let mut latin1 = b"caf\xe9 cr\xe8me br\xfbl\xe9e, ".repeat(20);
    latin1.extend_from_slice(b"\nGITLAB=glpat-AbCdEfGhIjKlMnOpQrSt\n");
    assert_eq!(s.skip_reason("t", &latin1), None);
    assert_eq!(s.scan("t", &latin1).matches.len(), 1);
    // A real executable.
    if let Ok(ls) = std::fs::read("/bin/ls") {
        assert_eq!(s.skip_reason("/bin/ls", &ls), Some(Skip::Binary));
    }
}

#[test]
fn size_bound() {
    let token = b"GITLAB=glpat-AbCdEfGhIjKlMnOpQrSt\n";
    let s = with_config("max-file-size: 100\n").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.max_file_size(), 100);
    let mut data = token.to_vec();
    assert_eq!(s.scan("t", &data).matches.len(), 1);
    data.resize(101, b'\n');
    assert_eq!(s.skip_reason("t", &data), Some(Skip::TooLarge { size: 101, limit: 100 }));
    assert!(s.scan("t", &data).matches.is_empty());
    assert!(s.scan_text("t", std::str::from_utf8(&data).unwrap_or_default()).matches.is_empty());
    let default = builtin();
    assert_eq!(default.max_file_size(), 10 * 1024 * 1024);
    let mut big = token.to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    assert!(default.scan("big", &big).matches.is_empty());
}

#[test]
fn allow_rules_by_path_and_value() {
    let env = read("corpus-app.env");
    let s =
        with_config("allow-rules:\n  - id: config-dir\n    description: test fixtures\n    path: '^/app/config/'\n")
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.skip_reason("/app/config/.env", &env), Some(Skip::Allowed { rule: "config-dir".into() }));
    assert!(s.scan("/app/config/.env", &env).matches.is_empty());
    assert_eq!(s.scan("/srv/.env", &env).matches.len(), 3);

    let s =
        with_config("allow-rules:\n  - id: fake-tokens\n    value: '^ghp_FAKE'\n").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary(&s.scan("/app/config/.env", &env).matches).len(), 2);

    // Scoped to one rule: the path allow only silences that rule.
    let s = with_config("allow-rules:\n  - id: no-aws-here\n    path: '\\.env$'\n    rules: [aws-access-key-id, aws-secret-access-key]\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary(&s.scan("/app/config/.env", &env).matches), vec![("github-pat".into(), 4, false)]);

    // Built-in placeholder allow rule, and turning it off.
    let text = "password = changeme12345";
    assert!(builtin().scan_text("t", text).matches.is_empty());
    let s = with_config("disable-allow-rules: [placeholder-value]\n").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary(&s.scan_text("t", text).matches), vec![("generic-password".into(), 1, false)]);

    // Disabling a rule: the generic token rule still sees the assignment.
    let s = with_config("disable-rules: [github-pat]\n").unwrap_or_else(|e| panic!("{e}"));
    assert!(s.rules().iter().all(|r| r.id != "github-pat"));
    assert_eq!(summary(&s.scan("/app/config/.env", &env).matches)[2], ("generic-token".into(), 4, false));
    let s = with_config("disable-rules: [github-pat, generic-token]\n").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.scan("/app/config/.env", &env).matches.len(), 2);
}

#[test]
fn documented_examples_are_low_and_flagged_never_dropped() {
    let s = builtin();
    let jwt_io = "token: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    let found = s.scan_text("t", jwt_io).matches;
    assert_eq!(summary(&found), vec![("jwt".into(), 1, true)]);
    assert_eq!(found[0].severity, Level::Low);
    let found = s.scan_text("t", "STRIPE_KEY=sk_live_EXAMPLEabcdefghijklmnop").matches;
    assert_eq!(summary(&found), vec![("stripe-secret-key".into(), 1, true)]);
    let found = s.scan_text("t", "STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc").matches;
    assert_eq!(summary(&found), vec![("stripe-secret-key".into(), 1, false)]);
    assert_eq!(found[0].severity, Level::Critical);
    let finding =
        found[0].to_finding("/app/.env", Some(LayerRef { index: 5, digest: "sha256:ab".into(), diff_id: None }));
    assert_eq!(finding.layer.map(|l| l.index), Some(5));
    assert_eq!(finding.line, Some(1));
    assert_eq!(finding.fingerprint.len(), 32);
}

#[test]
fn custom_rules_and_config_errors() {
    let yaml = r#"
rules:
  - id: acme-token
    category: ACME
    title: ACME deploy token
    severity: high
    keywords: [acme_]
    regex: '\b(?P<secret>acme_[a-z0-9]{24})\b'
    keep: 5
    examples: ['ACME=acme_0123456789abcdefghijklmn']
    negatives: ['acme_short']
"#;
    let s = with_config(yaml).unwrap_or_else(|e| panic!("{e}"));
    let found = s.scan_text("t", "deploy with acme_zyxwvutsrq9876543210abcd now").matches;
    assert_eq!(summary(&found), vec![("acme-token".into(), 1, false)]);
    assert_eq!(found[0].redacted, "deploy with acme_**** now");

    let cases: &[(&str, &str)] = &[
        ("rules: [ {id: x", "malformed secret config"),
        ("rulez: []\n", "unknown field `rulez`"),
        ("rules:\n  - {id: bad-re, category: X, title: X, severity: high, regex: '(?P<secret>[a-'}\n", "rule bad-re: invalid regex"),
        ("rules:\n  - {id: no-group, category: X, title: X, severity: high, regex: 'abc'}\n", "rule no-group: regex has no named group `secret`"),
        ("rules:\n  - {id: sev, category: X, title: X, severity: urgent, regex: '(?P<secret>a)'}\n", "rule sev: unknown severity"),
        (
            "rules:\n  - {id: ex, category: X, title: X, severity: low, keywords: [zz], regex: '(?P<secret>zz[0-9]{4})', examples: ['zz12']}\n",
            "rule ex: example 1 is not found",
        ),
        (
            "rules:\n  - {id: neg, category: X, title: X, severity: low, keywords: [zz], regex: '(?P<secret>zz[0-9]{4})', negatives: ['zz1234']}\n",
            "rule neg: negative 1 is matched",
        ),
        ("allow-rules:\n  - {id: a1, value: '(['}\n", "rule a1: invalid value regex"),
        ("allow-rules:\n  - {id: a2}\n", "rule a2: allow rule needs"),
        ("disable-rules: [no-such-rule]\n", "rule no-such-rule: disable-rules names an unknown rule"),
    ];
    for (yaml, want) in cases {
        match with_config(yaml) {
            Ok(_) => panic!("accepted: {yaml}"),
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.starts_with("custom.yaml: "), "{msg}");
                assert!(msg.contains(want), "{msg} (want {want})");
            }
        }
    }
    let missing = SecretConfig::load(std::path::Path::new("/nonexistent/secret.yaml"));
    assert!(matches!(missing, Err(Error::Io { ref file, .. }) if file == "/nonexistent/secret.yaml"));
    // A file on disk, loaded by path.
    let dir = std::env::temp_dir().join(format!("bulwark-secrets-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("secret.yaml");
    std::fs::write(&file, yaml).unwrap_or_else(|e| panic!("{e}"));
    let cfg = SecretConfig::load(&file).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cfg.source, file.display().to_string());
    assert!(Scanner::from_config(&cfg).is_ok());
    std::fs::write(&file, "max-file-size: lots\n").unwrap_or_else(|e| panic!("{e}"));
    let err = SecretConfig::load(&file).map(|_| ()).unwrap_err().to_string();
    assert!(err.starts_with(&file.display().to_string()), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A custom rule with a built-in id replaces the built-in rule.
#[test]
fn custom_rule_replaces_builtin() {
    let yaml = "rules:\n  - {id: github-pat, category: GitHub, title: Only FAKE tokens, severity: low, keywords: [ghp_], regex: '(?P<secret>ghp_FAKE[0-9A-Za-z]{32})'}\n";
    let s = with_config(yaml).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.rules().iter().filter(|r| r.id == "github-pat").count(), 1);
    let env = s.scan("/app/config/.env", &read("corpus-app.env")).matches;
    let gh: Vec<_> = env.iter().filter(|m| m.rule_id == "github-pat").collect();
    assert_eq!(gh.len(), 1);
    assert_eq!(gh[0].severity, Level::Low);
    assert!(s.scan_text("t", "ghp_0123456789abcdefghijABCDEFGHIJ012345").matches.is_empty());
}

/// Adversarial inputs at the size bound finish promptly and report a bounded number of matches.
#[test]
fn pathological_inputs_stay_bounded() {
    let s = builtin();
    let limit = usize::try_from(s.max_file_size()).unwrap_or(usize::MAX);
    let body = "MIIEowIBAAKCAQEA1vhPsLTeQAjcXxpwiIGqAGKZJyJDw9JbZxmNVBHeTyvzQH6I\n";
    let patterns: Vec<String> = vec![
        "password=Sup3rS3cretFAKEpassw0rd! ".into(),
        format!("-----BEGIN RSA PRIVATE KEY-----\n{}", body.repeat(10)),
        "ghp_0123456789abcdefghijABCDEFGHIJ012345\n".into(),
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.".into(),
        "token token token = = = ".into(),
    ];
    for unit in patterns {
        let data = unit.repeat(limit / unit.len());
        let start = std::time::Instant::now();
        let found = s.scan("big.txt", data.as_bytes()).matches;
        let took = start.elapsed();
        println!("{:?}…: {} matches in {:.2?}", unit.get(..20).unwrap_or_default(), found.len(), took);
        assert!(found.len() <= 1000, "matches are capped");
        assert!(took.as_secs() < 60, "took {took:?}");
    }
}

/// The example configuration in docs/secret-config.md loads and behaves as documented.
#[test]
fn documented_config_example_loads() {
    let doc_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/secret-config.md");
    let doc = std::fs::read_to_string(&doc_path).unwrap_or_else(|e| panic!("{}: {e}", doc_path.display()));
    let yaml = doc.split("```yaml\n").nth(1).and_then(|rest| rest.split("```").next()).unwrap_or_default();
    assert!(yaml.contains("acme-deploy-token"), "the doc's yaml block");
    let cfg = SecretConfig::from_yaml("docs/secret-config.md", yaml).unwrap_or_else(|e| panic!("{e}"));
    let s = Scanner::from_config(&cfg).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.max_file_size(), 5_242_880);
    assert!(s.rules().iter().all(|r| r.id != "jwt" && r.id != "generic-token"));
    let found = s.scan("/srv/app/.env", b"ACME=acme_0123456789abcdefghijklmn\n").matches;
    assert_eq!(summary(&found), vec![("acme-deploy-token".into(), 1, false)]);
    assert!(s.scan("/srv/app/main.rs", b"ACME=acme_0123456789abcdefghijklmn\n").matches.is_empty(), "path filter");
    assert!(s.scan("/srv/app/tests/fixtures/a.env", b"ACME=acme_0123456789abcdefghijklmn\n").matches.is_empty());
    assert!(s.scan_text("t", "DB_PASSWORD=stg-orders-2024").matches.is_empty(), "value allow rule");
    assert_eq!(builtin().scan_text("t", "DB_PASSWORD=stg-orders-2024").matches.len(), 1, "found without it");
    // The error shape the doc shows.
    let err = SecretConfig::from_yaml("secret.yaml", "rules:\n  - id: x\n    category: X\n").map(|_| ()).unwrap_err();
    println!("{err}");
    assert!(err.to_string().starts_with("secret.yaml: malformed secret config: "));
}

/// A file that floods one rule still gets every other rule, and says which rule stopped at the bound.
#[test]
fn a_rule_at_its_match_bound_is_named_and_does_not_starve_the_others() {
    use bulwark_secrets::MAX_MATCHES_PER_RULE;
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut text = String::new();
    for n in 0..MAX_MATCHES_PER_RULE + 200 {
        // 16 different letters per key (11 is prime to 32): far over the rule's entropy minimum.
        let key: String = (0..16).map(|i| char::from(alphabet[(n + i * 11) % 32])).collect();
        text.push_str(&format!("key {n}: AKIA{key}\n"));
    }
    // The AWS rule comes first in the rule set; this token's rule comes after it.
    text.push_str("GITHUB_TOKEN=ghp_n5N5LBS9QN3JFCVJwnh8S0z054LYyVc1pFRS\n");
    let found = builtin().scan("/srv/keys.txt", text.as_bytes());
    let aws = found.matches.iter().filter(|m| m.rule_id == "aws-access-key-id").count();
    assert_eq!(aws, MAX_MATCHES_PER_RULE);
    let github: Vec<_> = found.matches.iter().filter(|m| m.rule_id == "github-pat").collect();
    assert_eq!(github.len(), 1);
    assert_eq!(github[0].line, u32::try_from(MAX_MATCHES_PER_RULE + 201).unwrap_or(0));
    assert_eq!(found.capped, vec!["aws-access-key-id".to_string()]);
    let warning = found.warning("/srv/keys.txt").unwrap_or_default();
    assert!(
        warning.starts_with("/srv/keys.txt: secret rule(s) aws-access-key-id matched more than 1000 times"),
        "{warning}"
    );

    // At the bound exactly, nothing is capped.
    let exact: String = text.lines().take(MAX_MATCHES_PER_RULE).map(|l| format!("{l}\n")).collect();
    let found = builtin().scan("/srv/keys.txt", exact.as_bytes());
    assert_eq!(found.matches.len(), MAX_MATCHES_PER_RULE);
    assert!(found.capped.is_empty() && found.warning("t").is_none());
}
