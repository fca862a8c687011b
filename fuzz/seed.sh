#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds taken from the real test fixtures in the tree
# (and a few small real layers built here with tar). Corpora are not committed: run this
# before `cargo fuzz run`. Re-running adds the seeds again; libFuzzer de-duplicates by content.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
inv="$root/crates/bulwark-inventory/src"
ex="$inv/extractors"
corpus="$here/corpus"
mkdir -p "$corpus"/{extractors,os_release,layer,gzip_parts,reference,purl,version,dockerfile,kubernetes,secrets,secret_config,shadow}

# seed TARGET NAME: stdin becomes corpus/TARGET/NAME.
seed() { cat >"$corpus/$1/$2"; }

# ---- extractors: first byte = row of PATHS in fuzz_targets/extractors.rs, then the file.
# extractor_seed ROW FILE...
extractor_seed() {
    local row="$1"
    shift
    local f
    for f in "$@"; do
        [ -f "$f" ] || continue
        { printf "\\$(printf '%03o' "$row")"; cat "$f"; } | seed extractors "row$row-$(echo "$f" | sed "s|$ex/||; s|/|_|g")"
    done
}
extractor_seed 0 "$ex"/dpkg/testdata/status-*
extractor_seed 1 "$ex"/dpkg/testdata/status.d/*
extractor_seed 2 "$ex"/apk/testdata/{trivy-apk,trivy-apk-valid,syft-multiple,syft-corrupt,scalibr-different-arch}
extractor_seed 3 "$ex"/rpm/testdata/rpmdb.sqlite
extractor_seed 4 "$ex"/rpm/testdata/Packages "$ex"/rpm/testdata/Packages-bigendian
extractor_seed 5 "$ex"/rpm/testdata/Packages.db
mapfile -t metadata < <(find "$ex/python/testdata" -name METADATA | sort)
extractor_seed 6 "${metadata[@]}"
mapfile -t pkginfo < <(find "$ex/python/testdata" -name PKG-INFO | sort)
extractor_seed 7 "${pkginfo[@]}"
mapfile -t manifests < <(find "$ex/npm_installed/testdata" -name package.json | sort | head -40)
extractor_seed 8 "${manifests[@]}"
extractor_seed 9 "$ex"/npm_lock/testdata/*.json
extractor_seed 10 "$ex"/yarn_lock/testdata/*.lock
extractor_seed 11 "$ex"/pnpm_lock/testdata/*.yaml
extractor_seed 12 "$ex"/cargo_lock/testdata/*.Cargo.lock
extractor_seed 13 "$ex"/go_binary/testdata/gofixture-* "$ex"/cargo_auditable/testdata/{corpus-rustapp,true-debian12}
mapfile -t jars < <(find "$ex/java/testdata" -maxdepth 1 -type f \( -name '*.jar' -o -name '*.war' -o -name '*.ear' \) | sort)
extractor_seed 14 "${jars[@]}"
extractor_seed 15 "$ex"/gem/testdata/*.gemspec
extractor_seed 16 "$ex"/composer/testdata/syft-composer.lock
extractor_seed 17 "$ex"/dotnet/testdata/*.deps.json
extractor_seed 18 "$ex"/composer/testdata/syft-composer_*/installed.json

# ---- os_release: every release file, and Debian's os-release + NUL + debian_version pair.
while IFS= read -r f; do
    seed os_release "$(echo "${f#"$inv"/os_release/testdata/}" | tr / _)" <"$f"
done < <(find "$inv/os_release/testdata" -type f ! -name README.md | sort)
for d in debian-min debian-12-host; do
    { cat "$inv/os_release/testdata/$d/os-release"; printf '\0'; cat "$inv/os_release/testdata/$d/debian_version"; } |
        seed os_release "pair-$d"
done

# ---- layer: small real layers (plain, gzip, zstd, pax and GNU long names, links, whiteouts).
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/l1/etc" "$work/l1/usr/lib" "$work/l1/var/lib/dpkg" "$work/l1/lib/apk/db" "$work/l1/opt/app"
cp "$inv/os_release/testdata/debian-min/os-release" "$work/l1/usr/lib/os-release"
ln -s ../usr/lib/os-release "$work/l1/etc/os-release"
head -c 2000 "$ex/dpkg/testdata/status-debian-min" >"$work/l1/var/lib/dpkg/status"
cp "$ex/apk/testdata/trivy-apk-valid" "$work/l1/lib/apk/db/installed"
ln "$work/l1/var/lib/dpkg/status" "$work/l1/opt/app/status-hardlink"
ln -s loop-b "$work/l1/opt/loop-a"
ln -s loop-a "$work/l1/opt/loop-b"
ln -s ../../../../../etc/os-release "$work/l1/opt/escape"
long="$work/l1/opt/app/$(printf 'd%.0s' {1..120})/$(printf 'f%.0s' {1..120})"
mkdir -p "$(dirname "$long")" && echo long >"$long"
tar -C "$work/l1" --format=gnu --owner=0 --group=0 -cf "$work/gnu.tar" .
tar -C "$work/l1" --format=pax --owner=0 --group=0 -cf "$work/pax.tar" .
mkdir -p "$work/l2/opt/app" "$work/l2/etc"
touch "$work/l2/opt/app/.wh..wh..opq" "$work/l2/etc/.wh.os-release"
echo 'ID=alpine' >"$work/l2/etc/alpine-release"
tar -C "$work/l2" --owner=0 --group=0 -cf "$work/whiteouts.tar" .
cp "$work/gnu.tar" "$corpus/layer/gnu.tar"
cp "$work/whiteouts.tar" "$corpus/layer/whiteouts.tar"
gzip -9 -c "$work/pax.tar" >"$corpus/layer/pax.tar.gz"
tar -C "$work/l2" -czf "$corpus/layer/whiteouts.tar.gz" .
zstd -q -19 -c "$work/gnu.tar" >"$corpus/layer/gnu.tar.zst"
# A header that claims a 400 MiB file, then nothing (the walker once reserved the claimed size).
mkdir -p "$work/l3/etc" && truncate -s 400M "$work/l3/etc/big"
# (tar dies of SIGPIPE once head has its 512 bytes: only head's status counts here.)
(set +o pipefail; tar -C "$work/l3" --format=ustar --owner=0 --group=0 -cf - etc/big 2>/dev/null | head -c 512 >"$corpus/layer/lying-size.tar")

# ---- gzip_parts: byte 0 even = the rest builds a tar that is gzipped (bytes 1-3: level, number
# of parts, generator seed); odd = the rest is the blob itself (the gzipped layers above).
for f in "$corpus"/layer/*.tar.gz; do
    { printf '\001\000\003\177'; cat "$f"; } | seed gzip_parts "raw-$(basename "$f")"
done
for f in "$work/gnu.tar" "$ex/dpkg/testdata/status-debian-min"; do
    { printf '\000\006\004\041'; head -c 60000 "$f"; } | seed gzip_parts "built-$(basename "$f")"
done

i=0
for r in docker-archive:/x/a.tar oci:/nonexistent/layout:v1 oci:./layout dir:/srv podman:debian:12 docker:alpine \
    127.0.0.1:5000/app-python:latest localhost:5000/a/b debian library/debian:12 ghcr.io/o/r/img:v1.2-rc \
    "example.com/x@sha256:$(printf '0%.0s' {1..64})" "example.com/x:t@sha256:$(printf 'a%.0s' {1..64})"; do
    printf '%s' "$r" | seed reference "ref$i"
    i=$((i + 1))
done

# ---- purl: kind byte (bit 7 = OS known), then name, version, arch, source, OS id, OS version.
purl_seed() { printf "$2" | seed purl "$1"; }
purl_seed deb '\200libc6\0002.36-9+deb12u4\000amd64\000glibc\000debian\00012'
purl_seed rpm '\002bash\0001:5.1.8-6.el9\000x86_64\000bash\000rhel\0009.4'
purl_seed apk '\201musl\0001.2.4-r2\000x86_64\000\000alpine\0003.19.1'
purl_seed pypi '\003Django_Rest.framework\0001.11.1'
purl_seed npm '\004@angular/animation\00012.3.1'
purl_seed maven '\007org.apache.xmlgraphics:batik-anim\0001.9.1'
purl_seed go '\006github.com/gorilla/context\000v1.1.1'
purl_seed composer '\011Laravel/Laravel\0005.5.0'
purl_seed nuget '\012Newtonsoft.Json\00013.0.1'

# ---- version: three versions from the same real fixture, NUL-separated.
emit_triples() {
    local name="$1"
    local -a vs
    mapfile -t vs
    local j
    for ((j = 0; j + 2 < ${#vs[@]}; j += 3)); do
        printf '%s\0%s\0%s' "${vs[j]}" "${vs[j + 1]}" "${vs[j + 2]}" | seed version "$name-$j"
    done
}
cut -f2 "$ex/dpkg/testdata/truth-debian-min.tsv" | tail -n +2 | head -30 | emit_triples dpkg
cut -d' ' -f2 "$ex/rpm/testdata/rpm-qa-bdb.txt" | emit_triples rpm
sed -n 's/^V:\(.*\)/\1/p' "$ex/apk/testdata/trivy-apk-valid" | head -30 | emit_triples apk
sed -n 's/^version = "\(.*\)"/\1/p' "$ex/cargo_lock/testdata/bulwark.Cargo.lock" | head -30 | emit_triples cargo
find "$ex/python/testdata" \( -name METADATA -o -name PKG-INFO \) -exec sed -n 's/^Version: *//p' {} + | emit_triples pypi
printf '1.0.0-alpha\0001.0.0-alpha.1\0001.0.0' | seed version semver-pre
printf '1.0.RC1\0001.0-SNAPSHOT\0001.0.0.Final' | seed version maven-qualifiers
printf 'v1.2.3+incompatible\000v1.2.3-pre\000v0.0.0-20240101000000-abcdefabcdef' | seed version go-pseudo
printf '1.0a1\0001.0.post1.dev2\0001!0.1' | seed version pep440-epoch
printf '2:1.0~rc1-1\0001.0+b1\0001.0-1~bpo12+1' | seed version dpkg-tilde

# ---- dockerfile: the check fixtures, the real-world and corpus Dockerfiles of bulwark-misconfig.
mis="$root/crates/bulwark-misconfig/tests/testdata"
for f in "$mis"/dockerfile/checks/*.Dockerfile "$mis"/dockerfile/real/*.Dockerfile "$mis"/dockerfile/corpus/*.Dockerfile \
    "$mis"/rego/Dockerfile "$root"/crates/bulwark-secrets/tests/testdata/Dockerfile; do
    seed dockerfile "$(echo "${f#"$root"/crates/}" | tr / _)" <"$f"
done

# ---- kubernetes: check fixtures, loading cases (anchors, List, JSON, Helm stream, billion laughs), real manifests.
for f in "$mis"/kubernetes/*/*.yaml "$mis"/kubernetes/loading/pod.json "$mis"/rego/*.yaml; do
    seed kubernetes "$(echo "${f#"$mis"/}" | tr / _)" <"$f"
done

# ---- secrets: first byte = row of PATHS in fuzz_targets/secrets.rs, then the file.
sec="$root/crates/bulwark-secrets"
secret_seed() {
    local row="$1" f="$2"
    { printf "\\$(printf '%03o' "$row")"; cat "$f"; } | seed secrets "row$row-$(basename "$f")"
}
for f in "$sec"/tests/testdata/*; do
    [ "$(basename "$f")" = README.md ] && continue
    case "$(basename "$f")" in
        docker-config.json) secret_seed 1 "$f" ;;
        id_* | *.key | *.asc) secret_seed 2 "$f" ;;
        *.env) secret_seed 0 "$f" ;;
        *) secret_seed 3 "$f" ;;
    esac
done
# Every example and negative of the built-in rules, one seed each (row 4: app/config.py).
python3 - "$sec/src/rules.yaml" "$corpus/secrets" <<'PY'
import sys, yaml
rules = yaml.safe_load(open(sys.argv[1]))["rules"]
for rule in rules:
    for kind in ("examples", "negatives"):
        for n, text in enumerate(rule.get(kind) or []):
            with open(f"{sys.argv[2]}/rule-{rule['id']}-{kind}-{n}", "wb") as out:
                out.write(b"\x04" + text.encode())
PY

# ---- secret_config: the documented examples, and three built-in rules with the allow rules as a user config.
python3 - "$root/docs/secret-config.md" "$sec/src/rules.yaml" "$corpus/secret_config" <<'PY'
import re, sys, yaml
doc = open(sys.argv[1]).read()
for n, block in enumerate(re.findall(r"```yaml\n(.*?)```", doc, re.S)):
    open(f"{sys.argv[3]}/doc-{n}.yaml", "w").write(block)
builtin = yaml.safe_load(open(sys.argv[2]))
for n in range(0, 9, 3):
    config = {"rules": builtin["rules"][n:n + 3], "allow-rules": builtin["allow-rules"][:2],
              "disable-rules": [builtin["rules"][n + 5]["id"]], "max-file-size": 4096}
    open(f"{sys.argv[3]}/builtin-{n}.yaml", "w").write(yaml.safe_dump(config, sort_keys=False))
PY

# ---- shadow: the corpus images' /etc/shadow, and one with every hash kind openssl makes.
for blob in "$root"/corpus-cache/oci/*/blobs/sha256/*; do
    [ -f "$blob" ] || continue
    # (grep reads the whole listing: `grep -q` would stop early and SIGPIPE tar under pipefail.)
    if tar -tf "$blob" 2>/dev/null | grep -x 'etc/shadow' >/dev/null; then
        tar -xOf "$blob" etc/shadow | seed shadow "corpus-$(basename "$blob" | cut -c1-12)"
    fi
done
{
    echo "root:$(openssl passwd -6 -salt fuzzsalt root):19000:0:99999:7:::"
    echo "app:$(openssl passwd -5 -salt fuzzsalt app):19000:0:99999:7:::"
    echo "old:!$(openssl passwd -1 -salt fuzzsalt old):19000:0:99999:7:::"
    echo "apr:$(openssl passwd -apr1 -salt fuzzsalt apr):19000::::::"
    echo "nobody:*:19000:0:99999:7:::"
    echo "locked:!!:19000:0:99999:7:::"
    echo "empty::19000:0:99999:7:::"
    echo "# a comment: not an account"
} | seed shadow openssl-hashes

for t in extractors os_release layer gzip_parts reference purl version dockerfile kubernetes secrets secret_config shadow; do
    echo "$t: $(find "$corpus/$t" -type f | wc -l) seeds"
done
