#!/usr/bin/env bash
# Quick start: lay out the real corpus images, build Bulwark, list app-python's packages, write
# its CycloneDX SBOM, import the real OSV exports and scan the image for vulnerabilities, secrets
# and misconfigurations.
# Offline apart from apt (skopeo; nasm and autotools to build ISA-L) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${BULWARK_CORPUS:-$PWD/corpus-cache}
bash ../shared/corpus/prebuilt.sh "$CORPUS"
# ISA-L, the gzip decoder, builds from its bundled source: nasm and autotools.
for tool in nasm autoreconf libtoolize make; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq nasm autoconf automake libtool make; break; }
done
cargo build --release --locked -p bulwark
./target/release/bulwark image --list-packages --format table "oci:$CORPUS/oci/app-python:latest"
./target/release/bulwark sbom --format cyclonedx -o app-python.cdx.json "docker-archive:$CORPUS/archives/app-python.tar"
echo "wrote app-python.cdx.json"
# Vulnerabilities: the real OSV exports of ../shared/vulndata into a local database, then a scan.
CACHE=${BULWARK_CACHE_DIR:-$PWD/.bulwark-cache}
./target/release/bulwark db import --cache-dir "$CACHE" ../shared/vulndata/osv/*/all.zip
./target/release/bulwark image --cache-dir "$CACHE" --format table "oci:$CORPUS/oci/app-python:latest"
