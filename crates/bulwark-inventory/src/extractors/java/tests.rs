//! Fixture tests (real jars from Debian and the JDK, archives built with the `jar` tool) and
//! hostile archives generated here with the `zip` writer: bombs, lying sizes, deep nesting.

use super::archive::{scan, Limits};
use super::JavaArchive;
use crate::{ExtractError, Extractor, FileInput, FileMeta};
use bulwark_types::{Package, PackageKind};
use std::io::{Cursor, Read, Write};
use std::time::{Duration, Instant};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

const MIB: usize = 1 << 20;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/src/extractors/java/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn extract(path: &str, data: &[u8]) -> Result<Vec<Package>, ExtractError> {
    JavaArchive.extract(&FileInput { path, data })
}

/// (name, version, licences, locations) of each package, in order.
type Summary = Vec<(String, String, Vec<String>, Vec<String>)>;

fn summary(packages: &[Package]) -> Summary {
    for p in packages {
        assert_eq!((p.kind, p.found_by.as_str()), (PackageKind::Maven, "lang/java"));
        assert!(p.ecosystem.is_empty() && p.purl.is_empty() && p.layer.is_none() && p.arch.is_none());
        assert!(p.source.is_none());
    }
    packages.iter().map(|p| (p.name.clone(), p.version.clone(), p.licenses.clone(), p.locations.clone())).collect()
}

fn want(rows: &[(&str, &str, &[&str], &[&str])]) -> Summary {
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    rows.iter().map(|(n, v, l, loc)| (n.to_string(), v.to_string(), strings(l), strings(loc))).collect()
}

const APACHE_URL: &str = "https://www.apache.org/licenses/LICENSE-2.0.txt";

#[test]
fn wants_java_archives_only() {
    let cases = [
        ("usr/share/java/slf4j-api.jar", true),
        ("app/WEB.WAR", true),
        ("srv/shop.ear", true),
        ("var/jenkins_home/plugins/git.jpi", true),
        ("var/jenkins_home/plugins/git.hpi", true),
        ("x.par", true),
        ("x.sar", true),
        ("x.Nar", true),
        ("app.jar.bak", false),
        ("usr/bin/jar", false),
        ("lib/.jar", false),
        ("lib/archive.zip", false),
        ("lib/x.jarx", false),
        ("lib/x.tar", false),
    ];
    for (path, wanted) in cases {
        assert_eq!(JavaArchive.wants(&FileMeta { path, size: 4096, mode: 0o644 }), wanted, "{path}");
    }
    let tiny = FileMeta { path: "x.jar", size: 21, mode: 0o644 };
    assert!(!JavaArchive.wants(&tiny), "smaller than any zip");
}

#[test]
fn real_jars() {
    let slf4j = "/usr/share/java/slf4j-nop.jar";
    let jackson = "/usr/share/java/jackson-annotations.jar";
    let osgi = "/usr/share/java/osgi.annotation-8.1.0.jar";
    let jrt = "/usr/lib/jvm/java-17-openjdk-amd64/lib/jrt-fs.jar";
    let greeter = "/app/lib/greeter.jar";
    let cases: [(&str, &str, Summary); 6] = [
        (slf4j, "slf4j-nop.jar", want(&[("org.slf4j:slf4j-nop", "1.7.32", &[], &[slf4j])])),
        (
            jackson,
            "jackson-annotations.jar",
            want(&[("com.fasterxml.jackson.core:jackson-annotations", "2.14.0", &[APACHE_URL], &[jackson])]),
        ),
        // No identity in the manifest: the file name gives artifact and version, and no group.
        (osgi, "osgi.annotation-8.1.0.jar", want(&[("osgi.annotation", "8.1.0", &[], &[osgi])])),
        // Only human-readable titles: the file name names it, Implementation-Version versions it.
        (jrt, "jrt-fs.jar", want(&[("jrt-fs", "17.0.15", &[], &[jrt])])),
        // No version anywhere: nothing to report.
        ("/usr/share/ca-certificates-java/ca-certificates-java.jar", "ca-certificates-java.jar", want(&[])),
        // Manifest only, with a Bundle-License the jar tool wrapped over a continuation line.
        (greeter, "greeter.jar", want(&[("org.example.tools:greeter", "1.4.2", &["Apache-2.0", "MIT"], &[greeter])])),
    ];
    for (path, file, expected) in cases {
        let found = extract(&path[1..], &fixture(file)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(summary(&found), expected, "{file}");
    }
}

#[test]
fn war_with_deflated_nested_jars() {
    let war = "/srv/shop-web.war";
    let found = extract(&war[1..], &fixture("shop-web.war")).unwrap_or_else(|e| panic!("{e}"));
    let expected = want(&[
        ("org.example.shop:shop-web", "3.0.1", &[], &[war]),
        (
            "org.example.tools:greeter",
            "1.4.2",
            &["Apache-2.0", "MIT"],
            &[war, "/srv/shop-web.war!/WEB-INF/lib/greeter.jar"],
        ),
        ("org.slf4j:slf4j-nop", "1.7.32", &[], &[war, "/srv/shop-web.war!/WEB-INF/lib/slf4j-nop.jar"]),
    ]);
    assert_eq!(summary(&found), expected);
}

#[test]
fn ear_with_stored_war_two_levels_deep() {
    let ear = "/opt/shop.ear";
    let found = extract(&ear[1..], &fixture("shop.ear")).unwrap_or_else(|e| panic!("{e}"));
    let expected = want(&[
        ("org.example.shop:shop-web", "3.0.1", &[], &[ear, "/opt/shop.ear!/shop-web.war"]),
        (
            "org.example.tools:greeter",
            "1.4.2",
            &["Apache-2.0", "MIT"],
            &[ear, "/opt/shop.ear!/shop-web.war!/WEB-INF/lib/greeter.jar"],
        ),
        ("org.slf4j:slf4j-nop", "1.7.32", &[], &[ear, "/opt/shop.ear!/shop-web.war!/WEB-INF/lib/slf4j-nop.jar"]),
        ("osgi.annotation", "8.1.0", &[], &[ear, "/opt/shop.ear!/lib/osgi.annotation-8.1.0.jar"]),
    ]);
    assert_eq!(summary(&found), expected);
}

/// Copies every entry of `jar` for which `keep` holds into a new archive, compressed data untouched.
fn filtered_copy(jar: &[u8], keep: impl Fn(&str) -> bool, out: &mut ZipWriter<Cursor<Vec<u8>>>) {
    let mut zip = ZipArchive::new(Cursor::new(jar)).expect("fixture is a zip");
    for i in 0..zip.len() {
        let file = zip.by_index_raw(i).expect("entry");
        if keep(file.name()) {
            out.raw_copy_file(file).expect("copy");
        }
    }
}

#[test]
fn manifest_identity_of_a_real_bundle_without_pom_properties() {
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    filtered_copy(&fixture("jackson-annotations.jar"), |name| !name.starts_with("META-INF/maven/"), &mut out);
    let jar = out.finish().expect("finish").into_inner();
    let path = "/usr/share/java/jackson-annotations.jar";
    let found = extract(&path[1..], &jar).unwrap_or_else(|e| panic!("{e}"));
    // Bundle-SymbolicName com.fasterxml.jackson.core.jackson-annotations ends with the file's artifact.
    let expected = want(&[("com.fasterxml.jackson.core:jackson-annotations", "2.14.0", &[APACHE_URL], &[path])]);
    assert_eq!(summary(&found), expected);
}

#[test]
fn shaded_jar_reports_every_pom_properties() {
    // What maven-shade produces: the main jar's manifest plus classes and Maven metadata of its dependencies.
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    filtered_copy(&fixture("jackson-annotations.jar"), |_| true, &mut out);
    let dependency = |name: &str| !name.ends_with('/') && !name.eq_ignore_ascii_case("META-INF/MANIFEST.MF");
    filtered_copy(&fixture("slf4j-nop.jar"), dependency, &mut out);
    let jar = out.finish().expect("finish").into_inner();
    let path = "/app/jackson-annotations-2.14.0.jar";
    let found = extract(&path[1..], &jar).unwrap_or_else(|e| panic!("{e}"));
    // The manifest's Bundle-License belongs to the artifact the manifest describes, not to slf4j.
    let expected = want(&[
        ("com.fasterxml.jackson.core:jackson-annotations", "2.14.0", &[APACHE_URL], &[path]),
        ("org.slf4j:slf4j-nop", "1.7.32", &[], &[path]),
    ]);
    assert_eq!(summary(&found), expected);
}

/// Offsets of the central-directory headers and local headers of a (non-zip64) archive.
fn headers(zip: &[u8]) -> Vec<(usize, usize)> {
    let u16_at = |at: usize| usize::from(u16::from_le_bytes([zip[at], zip[at + 1]]));
    let u32_at = |at: usize| u32::from_le_bytes([zip[at], zip[at + 1], zip[at + 2], zip[at + 3]]) as usize;
    let eocd = (0..zip.len() - 21).rev().find(|&i| zip[i..i + 4] == [0x50, 0x4b, 0x05, 0x06]).expect("EOCD");
    let mut at = u32_at(eocd + 16);
    let mut out = Vec::new();
    for _ in 0..u16_at(eocd + 10) {
        assert_eq!(zip[at..at + 4], [0x50, 0x4b, 0x01, 0x02], "central header");
        out.push((at, u32_at(at + 42)));
        at += 46 + u16_at(at + 28) + u16_at(at + 30) + u16_at(at + 32);
    }
    out
}

/// Rewrites every entry's declared uncompressed size (central directory and local header).
fn lie_about_sizes(zip: &mut [u8], size: u32) {
    for (central, local) in headers(zip) {
        zip[central + 24..central + 28].copy_from_slice(&size.to_le_bytes());
        zip[local + 22..local + 26].copy_from_slice(&size.to_le_bytes());
    }
}

#[test]
fn declared_sizes_are_not_trusted() {
    let path = "usr/share/java/slf4j-nop.jar";
    let honest = summary(&extract(path, &fixture("slf4j-nop.jar")).expect("honest jar"));
    for size in [0, 1, 0x7fff_ffff] {
        let mut jar = fixture("slf4j-nop.jar");
        lie_about_sizes(&mut jar, size);
        let found = extract(path, &jar).unwrap_or_else(|e| panic!("declared size {size}: {e}"));
        assert_eq!(summary(&found), honest, "declared size {size}");
    }
    // Compressed sizes running past the end of the file: decompression stops at the end of each
    // deflate stream, so the result is the same.
    let mut jar = fixture("slf4j-nop.jar");
    for (central, _) in headers(&jar) {
        jar[central + 20..central + 24].copy_from_slice(&0x7fff_fff0u32.to_le_bytes());
    }
    assert_eq!(summary(&extract(path, &jar).expect("sizes past the end")), honest);
    // Compressed sizes that cut every deflate stream short: an error naming the entry, not a panic.
    let mut jar = fixture("slf4j-nop.jar");
    for (central, _) in headers(&jar) {
        jar[central + 20..central + 24].copy_from_slice(&2u32.to_le_bytes());
    }
    let err = extract(path, &jar).expect_err("truncated deflate streams");
    assert!(err.to_string().starts_with("/usr/share/java/slf4j-nop.jar: META-INF/MANIFEST.MF: "), "{err}");
}

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

fn stored() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Stored)
}

/// An archive of `(name, options, contents)` entries.
fn build(entries: &[(&str, SimpleFileOptions, &[u8])]) -> Vec<u8> {
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, options, data) in entries {
        out.start_file(*name, *options).expect("start");
        out.write_all(data).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

/// A deflated archive holding one entry of `size` zero bytes, written chunk by chunk.
fn zeros_archive(prefix: &[(&str, &[u8])], name: &str, size: usize) -> Vec<u8> {
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    for (entry, data) in prefix {
        out.start_file(*entry, deflated()).expect("start");
        out.write_all(data).expect("write");
    }
    out.start_file(name, deflated()).expect("start");
    let chunk = vec![0u8; MIB];
    for _ in 0..size / MIB {
        out.write_all(&chunk).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

fn slf4j_pom() -> Vec<u8> {
    let jar = fixture("slf4j-nop.jar");
    let mut zip = ZipArchive::new(Cursor::new(jar.as_slice())).expect("zip");
    let mut pom = Vec::new();
    zip.by_name("META-INF/maven/org.slf4j/slf4j-nop/pom.properties").expect("pom").read_to_end(&mut pom).expect("read");
    pom
}

#[test]
fn high_ratio_nested_bomb_is_refused() {
    let pom = slf4j_pom();
    let prefix: [(&str, &[u8]); 1] = [("META-INF/maven/org.slf4j/slf4j-nop/pom.properties", &pom)];
    let mut bomb = zeros_archive(&prefix, "WEB-INF/lib/bomb.jar", 300 * MIB);
    assert!(bomb.len() < 2 * MIB, "the bomb is {} bytes compressed", bomb.len());
    for lie in [None, Some(1024)] {
        if let Some(size) = lie {
            lie_about_sizes(&mut bomb, size);
        }
        let start = Instant::now();
        let err = extract("srv/app.war", &bomb).expect_err("bomb must be refused");
        assert_eq!(
            err.to_string(),
            "/srv/app.war: WEB-INF/lib/bomb.jar: nested archive decompresses to more than 256 MiB",
            "declared size {lie:?}"
        );
        assert!(start.elapsed() < Duration::from_secs(60), "took {:?}", start.elapsed());
    }
}

#[test]
fn oversized_manifest_is_read_only_up_to_its_cap() {
    let mut head =
        b"Manifest-Version: 1.0\r\nImplementation-Title: big\r\nImplementation-Version: 1.0\r\n\r\n".to_vec();
    head.resize(64 * MIB, 0);
    let jar = build(&[("META-INF/MANIFEST.MF", deflated(), &head)]);
    let found = extract("app/big.jar", &jar).expect("a truncated manifest still names the jar");
    assert_eq!(summary(&found), want(&[("big", "1.0", &[], &["/app/big.jar"])]));
}

#[test]
fn multiplying_nested_bomb_exhausts_the_budget() {
    // 42.zip-style: 16 × 16 × 16 jars, each with an 8 MiB manifest of zeros (4 GiB of metadata reads).
    let mut level = zeros_archive(&[], "META-INF/MANIFEST.MF", 8 * MIB);
    for _ in 0..3 {
        let names: Vec<String> = (0..16).map(|i| format!("lib/copy-{i}.jar")).collect();
        let entries: Vec<(&str, SimpleFileOptions, &[u8])> =
            names.iter().map(|n| (n.as_str(), deflated(), level.as_slice())).collect();
        level = build(&entries);
    }
    assert!(level.len() < MIB, "the bomb is {} bytes", level.len());
    let start = Instant::now();
    let err = extract("app/bomb.jar", &level).expect_err("bomb must be refused");
    let message = err.to_string();
    assert!(message.starts_with("/app/bomb.jar: lib/copy-"), "{message}");
    assert!(message.ends_with("decompression budget of 512 MiB for the whole archive exhausted"), "{message}");
    assert!(start.elapsed() < Duration::from_secs(60), "took {:?}", start.elapsed());
}

#[test]
fn nesting_depth_is_limited() {
    // level-0.jar holds level-1 … level-6, each with its own pom.properties and the next jar as inner.jar.
    let mut jar: Vec<u8> = Vec::new();
    for depth in (0..=6).rev() {
        let pom = format!("groupId=org.example\nartifactId=level-{depth}\nversion=1.0.{depth}\n");
        let pom_name = format!("META-INF/maven/org.example/level-{depth}/pom.properties");
        let inner = std::mem::take(&mut jar);
        let mut entries: Vec<(&str, SimpleFileOptions, &[u8])> = vec![(pom_name.as_str(), deflated(), pom.as_bytes())];
        if depth < 6 {
            // Alternate stored and deflated nesting.
            entries.push(("lib/inner.jar", if depth % 2 == 0 { stored() } else { deflated() }, inner.as_slice()));
        }
        jar = build(&entries);
    }
    let found = extract("level-0.jar", &jar).unwrap_or_else(|e| panic!("{e}"));
    let mut expected = Vec::new();
    let mut location = "/level-0.jar".to_string();
    for depth in 0..=4 {
        let mut locations = vec!["/level-0.jar".to_string()];
        if depth > 0 {
            location.push_str("!/lib/inner.jar");
            locations.push(location.clone());
        }
        expected.push((format!("org.example:level-{depth}"), format!("1.0.{depth}"), Vec::new(), locations));
    }
    assert_eq!(summary(&found), expected);
}

#[test]
fn entry_count_is_limited() {
    let names: Vec<String> = (0..3000).map(|i| format!("org/example/C{i}.class")).collect();
    let entries: Vec<(&str, SimpleFileOptions, &[u8])> =
        names.iter().map(|n| (n.as_str(), stored(), &b""[..])).collect();
    let jar = build(&entries);
    let input = FileInput { path: "app/many-1.0.jar", data: &jar };
    let found = scan(&input, &Limits::DEFAULT, "lang/java").expect("3000 entries are fine");
    assert_eq!(summary(&found), want(&[("many", "1.0", &[], &["/app/many-1.0.jar"])]));
    let tight = Limits { max_entries: 1000, ..Limits::DEFAULT };
    let err = scan(&input, &tight, "lang/java").expect_err("over the entry limit");
    assert_eq!(err.to_string(), "/app/many-1.0.jar: archive: more than 1000 zip entries in total");
}

#[test]
fn broken_nested_archive_is_skipped() {
    let nop = fixture("slf4j-nop.jar");
    let mut truncated = nop.clone();
    truncated.truncate(nop.len() / 2);
    let war = build(&[
        ("WEB-INF/lib/not-a-zip.jar", deflated(), b"this is not a zip file at all"),
        ("WEB-INF/lib/truncated.jar", stored(), &truncated),
        ("WEB-INF/lib/slf4j-nop.jar", deflated(), &nop),
    ]);
    let found = extract("srv/app.war", &war).unwrap_or_else(|e| panic!("{e}"));
    let expected =
        want(&[("org.slf4j:slf4j-nop", "1.7.32", &[], &["/srv/app.war", "/srv/app.war!/WEB-INF/lib/slf4j-nop.jar"])]);
    assert_eq!(summary(&found), expected);
}

#[test]
fn malformed_top_level_archives() {
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let mut eocd_only = vec![0x50, 0x4b, 0x05, 0x06];
    eocd_only.resize(22, 0);
    let mut lying_count = eocd_only.clone();
    lying_count[8..12].copy_from_slice(&[0xff, 0xff, 0xff, 0xff]);
    let cases: [(&str, Vec<u8>); 4] = [
        ("empty", Vec::new()),
        ("garbage", garbage),
        ("text", b"PK\x03\x04 not really".to_vec()),
        ("count", lying_count),
    ];
    for (what, data) in cases {
        let err = extract("app/x-1.0.jar", &data).expect_err(what);
        assert!(err.to_string().starts_with("/app/x-1.0.jar: archive: not a readable zip archive"), "{what}: {err}");
    }
    // An empty archive is well-formed; the file name still identifies it.
    let found = extract("app/x-1.0.jar", &eocd_only).expect("empty zip");
    assert_eq!(summary(&found), want(&[("x", "1.0", &[], &["/app/x-1.0.jar"])]));
}

#[test]
fn truncated_and_corrupted_real_archives_never_panic() {
    for file in ["shop.ear", "slf4j-nop.jar"] {
        let data = fixture(file);
        for len in (0..data.len()).step_by(61) {
            let _ = extract("app/x.ear", &data[..len]);
        }
        for at in (0..data.len()).step_by(37) {
            let mut corrupt = data.clone();
            corrupt[at] ^= 0x5a;
            let _ = extract("app/x.ear", &corrupt);
        }
    }
}
