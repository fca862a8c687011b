#!/usr/bin/env bash
# bench/vulndb.sh [SCALES...] — vulnerability database: import speed, size and match time, on the real
# OSV records of ../shared/vulndata and on synthetic exports of SCALES records (default 50000 200000
# 500000 1000000) cloned from them by bench/vulndb_synth.py (renamed packages, ids and aliases).
#
#  1. real data: `bulwark db import` of every osv/<Ecosystem>/all.zip into a fresh directory, RUNS times
#     (median wall, peak RSS), records/s, database size; match time of the app-python inventory.
#  2. per scale: generate bench/out/vulndb/synth-<N>/osv/*/all.zip (reused when its manifest says N
#     records; FORCE=1 regenerates), import it SCALE_RUNS times, database size, and match the app-python
#     inventory MATCH_RUNS times with the vulndb_bench example (median, p95). The findings must equal
#     the real-data baseline exactly (the clones must not change the result); the same inventory renamed
#     to clone K (`<name>-synth-K`) must give the same findings with ids `<id>-SK` (the clones really are
#     looked up, and alias merging works in them).
#  3. `bulwark image -f json` of app-python end to end (wall, peak RSS; median of E2E_RUNS) on the real
#     database and on the largest synthetic one.
#  4. a table against the targets: match <= 50 ms, import >= 10k advisories/s.
# Environment: RUNS (5), SCALE_RUNS (3), MATCH_RUNS (50), E2E_RUNS (5), VULNDATA, IMAGE (an OCI layout dir).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/.." && pwd)
VULNDATA=${VULNDATA:-$ROOT/../shared/vulndata}
IMAGE=${IMAGE:-$ROOT/corpus-cache/oci/app-python}
RUNS=${RUNS:-5}; SCALE_RUNS=${SCALE_RUNS:-3}; MATCH_RUNS=${MATCH_RUNS:-50}; E2E_RUNS=${E2E_RUNS:-5}
SCALES=("$@"); [ ${#SCALES[@]} -gt 0 ] || SCALES=(50000 200000 500000 1000000)
OUT=$HERE/out/vulndb
mkdir -p "$OUT/tmp" "$OUT/raw"
export TMPDIR=$OUT/tmp LC_ALL=C   # C: `sort` orders like the example's byte-wise sort
[ "$MATCH_RUNS" -ge 20 ] || { echo "MATCH_RUNS must be >= 20" >&2; exit 2; }

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
(cd "$ROOT" && cargo build --release -p bulwark -p bulwark-vulndb --examples >&2)
BULWARK=$ROOT/target/release/bulwark
BENCH=$ROOT/target/release/examples/vulndb_bench
INV=$OUT/app-python.inventory.json
"$BULWARK" sbom -f json -o "$INV" "oci:$IMAGE:latest"

RESULTS=$OUT/results.tsv; : > "$RESULTS"   # label  key  value
put() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$RESULTS"; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
kv() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }   # value of key in "k=v k=v" line

# do_import LABEL RUNS OSV_DIR: imports every all.zip of OSV_DIR into $OUT/db-LABEL (fresh each run).
do_import() {
  local label=$1 runs=$2 osv=$3 db=$OUT/db-$1 zips=() i wall rss records
  while read -r eco; do [ -n "$eco" ] && zips+=("$osv/$eco/all.zip"); done < "$osv/ecosystems.txt"
  : > "$OUT/tmp/walls"; : > "$OUT/tmp/rsss"
  for i in $(seq 1 "$runs"); do
    rm -rf "$db"; mkdir -p "$db"; sync
    /usr/bin/time -f '%e %M' -o "$OUT/tmp/time" "$BULWARK" db import --cache-dir "$db" "${zips[@]}" \
      2> "$OUT/raw/import-$label.err" || { cat "$OUT/raw/import-$label.err" >&2; exit 1; }
    read -r wall rss < "$OUT/tmp/time"
    echo "$wall" >> "$OUT/tmp/walls"; echo "$rss" >> "$OUT/tmp/rsss"
    echo "  import $label run $i: ${wall}s, peak RSS ${rss} KiB" >&2
  done
  records=$(sed -n 's/^imported \([0-9]*\) records.*/\1/p' "$OUT/raw/import-$label.err")
  put "$label" records "$records"
  put "$label" import_s "$(median < "$OUT/tmp/walls")"
  put "$label" import_rss_kib "$(median < "$OUT/tmp/rsss")"
  put "$label" db_bytes "$(stat -c %s "$db/vulndb.sqlite")"
  put "$label" json_bytes "$(python3 -c 'import sys,zipfile; print(sum(i.file_size for z in sys.argv[1:] for i in zipfile.ZipFile(z).infolist()))' "${zips[@]}")"
}

# match LABEL [SUFFIX]: matches the inventory (names + SUFFIX) against $OUT/db-LABEL; prints the result line.
match() {
  local label=$1 suffix=${2:-} tag=${2:+-renamed}
  "$BENCH" --match "$OUT/db-$label" "$INV" --runs "$MATCH_RUNS" --suffix "$suffix" --ids "$OUT/raw/ids-$label$tag.txt"
}

echo "== real data: $VULNDATA/osv" >&2
do_import real "$RUNS" "$VULNDATA/osv"
line=$(match real); echo "  match real: $line" >&2
BASE_FINDINGS=$(kv "$line" findings)
[ "$BASE_FINDINGS" -gt 0 ] || { echo "baseline has no findings: the benchmark would not notice a broken matcher" >&2; exit 1; }
for k in packages findings fresh_ms median_ms p95_ms; do put real "match_$k" "$(kv "$line" $k)"; done

for n in "${SCALES[@]}"; do
  dir=$OUT/synth-$n label=synth-$n
  if [ "${FORCE:-0}" = 1 ] || ! python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["records"] != int(sys.argv[2]))' "$dir/manifest.json" "$n" 2>/dev/null; then
    echo "== generating $n records into $dir" >&2
    /usr/bin/time -f '%e %M' -o "$OUT/tmp/time" python3 "$HERE/vulndb_synth.py" "$VULNDATA/osv" "$dir" "$n" > "$OUT/raw/synth-$n.json"
    read -r wall rss < "$OUT/tmp/time"; echo "  generated in ${wall}s (peak RSS ${rss} KiB)" >&2
  fi
  echo "== $label" >&2
  do_import "$label" "$SCALE_RUNS" "$dir/osv"
  line=$(match "$label"); echo "  match $label: $line" >&2
  [ "$(kv "$line" findings)" = "$BASE_FINDINGS" ] && cmp -s "$OUT/raw/ids-real.txt" "$OUT/raw/ids-$label.txt" \
    || { echo "FAIL: $label changed the app-python findings ($(kv "$line" findings) vs $BASE_FINDINGS)" >&2; exit 1; }
  for k in fresh_ms median_ms p95_ms; do put "$label" "match_$k" "$(kv "$line" $k)"; done
  clone=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["full_clones"])' "$dir/manifest.json")
  if [ "$clone" -ge 1 ]; then
    line=$(match "$label" "-synth-$clone"); echo "  match $label renamed to clone $clone: $line" >&2
    sed -e "s/-synth-$clone@/@/" -e "s/-S$clone\$//" "$OUT/raw/ids-$label-renamed.txt" | sort > "$OUT/tmp/ids"
    cmp -s "$OUT/raw/ids-real.txt" "$OUT/tmp/ids" \
      || { echo "FAIL: clone $clone of $label does not reproduce the baseline findings (see $OUT/raw/ids-$label-renamed.txt)" >&2; exit 1; }
    for k in median_ms p95_ms; do put "$label" "clone_$k" "$(kv "$line" $k)"; done
  fi
done

# e2e LABEL: `bulwark image` of the inventory's image against $OUT/db-LABEL.
e2e() {
  local label=$1 i wall rss n
  : > "$OUT/tmp/walls"; : > "$OUT/tmp/rsss"
  for i in $(seq 1 "$E2E_RUNS"); do
    /usr/bin/time -f '%e %M' -o "$OUT/tmp/time" "$BULWARK" image --cache-dir "$OUT/db-$label" -f json \
      -o "$OUT/raw/image-$label.json" "oci:$IMAGE:latest" 2> "$OUT/raw/image-$label.err" \
      || { cat "$OUT/raw/image-$label.err" >&2; exit 1; }
    read -r wall rss < "$OUT/tmp/time"; echo "$wall" >> "$OUT/tmp/walls"; echo "$rss" >> "$OUT/tmp/rsss"
  done
  n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$OUT/raw/image-$label.json")
  [ "$n" = "$BASE_FINDINGS" ] || { echo "FAIL: bulwark image on $label reports $n findings, baseline $BASE_FINDINGS" >&2; exit 1; }
  put "$label" e2e_s "$(median < "$OUT/tmp/walls")"; put "$label" e2e_rss_kib "$(median < "$OUT/tmp/rsss")"
  echo "  image $label: $(median < "$OUT/tmp/walls")s, $(median < "$OUT/tmp/rsss") KiB, $n findings" >&2
}
echo "== bulwark image end to end" >&2
e2e real
LARGEST=$(printf '%s\n' "${SCALES[@]}" | sort -n | tail -1)
[ -z "$LARGEST" ] || e2e "synth-$LARGEST"

python3 - "$RESULTS" <<'EOF'
import sys, collections
r = collections.defaultdict(dict)
order = []
for line in open(sys.argv[1]):
    label, key, value = line.rstrip("\n").split("\t")
    if label not in order:
        order.append(label)
    r[label][key] = float(value)
MATCH_TARGET_MS, IMPORT_TARGET = 50.0, 10_000.0
print("\ntargets: match an image's inventory <= 50 ms; import >= 10,000 advisories/s")
print("x-target: records/s / 10,000 (>= 1 meets it); 50 ms / match median (>= 1 meets it)\n")
head = ["scale", "records", "JSON MB", "import s", "records/s", "x-target", "import RSS MB", "DB MB",
        "match ms median", "p95", "fresh", "x-target", "clone match ms", "image e2e s", "image RSS MB"]
rows = []
for label in order:
    v = r[label]
    rps = v["records"] / v["import_s"]
    cell = lambda k, f="{:.1f}", scale=1.0: (f.format(v[k] * scale) if k in v else "-")
    rows.append([label, f"{int(v['records']):,}", cell("json_bytes", scale=1e-6), f"{v['import_s']:.2f}",
                 f"{rps:,.0f}", f"{rps / IMPORT_TARGET:.2f}", cell("import_rss_kib", scale=1024e-6),
                 cell("db_bytes", scale=1e-6), cell("match_median_ms", "{:.2f}"), cell("match_p95_ms", "{:.2f}"),
                 cell("match_fresh_ms", "{:.2f}"), f"{MATCH_TARGET_MS / v['match_median_ms']:.1f}",
                 cell("clone_median_ms", "{:.2f}"), cell("e2e_s", "{:.2f}"), cell("e2e_rss_kib", scale=1024e-6)])
w = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
print("| " + " | ".join(h.ljust(w[i]) for i, h in enumerate(head)) + " |")
print("|" + "|".join("-" * (x + 2) for x in w) + "|")
for row in rows:
    print("| " + " | ".join(c.rjust(w[i]) if i else c.ljust(w[i]) for i, c in enumerate(row)) + " |")
print(f"\npackages matched: {int(r['real']['match_packages'])}, findings: {int(r['real']['match_findings'])} "
      "(identical at every scale; clone K of the inventory reproduces them with -SK ids)")
EOF
