#!/usr/bin/env python3
"""Synthetic osv.dev-style exports of RECORDS advisories, cloned from real OSV records.

usage: vulndb_synth.py SRC_OSV_DIR OUT_DIR RECORDS

Reads every <Ecosystem>/all.zip listed in SRC_OSV_DIR/ecosystems.txt (../shared/vulndata/osv) and
writes OUT_DIR/osv/<Ecosystem>/all.zip plus OUT_DIR/osv/ecosystems.txt and OUT_DIR/manifest.json.
The output holds the real records unchanged (clone 0) and then clones k = 1, 2, ... of every real
record until RECORDS records are written; the last clone is partial, spread evenly over the pool.
Clone k of a record:
  - id                       -> <id>-S<k>
  - aliases/related/upstream -> <x>-S<k> (so alias groups of clone k merge exactly like the originals)
  - affected[].package.name  -> <name>-synth-<k> (purl rewritten the same way)
  - everything else (ecosystem, ranges, versions, details, severity, modified) kept as is.
Clones never share a package name with a real record, so matching a real inventory is unchanged.

Each clone is made by joining a per-record template (the record serialised once with a marker
where k goes) with str(k), so generation costs about one deflate per record. The zips are built like
osv.dev's exporter: ZIP_DEFLATED, arcname <ID>.json, no directories, entry time = record's modified.
"""

import json
import os
import sys
import zipfile

MARK = "\ue000"  # private-use character: never in the real data (checked), not escaped by json.dumps


def entry_time(modified):
    """Zip timestamp of a record: its `modified`, clamped to the zip epoch."""
    try:
        d, t = modified[:10], modified[11:19]
        parts = tuple(int(x) for x in d.split("-")) + tuple(int(x) for x in t.split(":"))
        if len(parts) == 6 and parts[0] >= 1980:
            return parts
    except (ValueError, TypeError):
        pass
    return (1980, 1, 1, 0, 0, 0)


def purl_with_suffix(purl, suffix):
    """The purl with `suffix` appended to its name (before @version, ?qualifiers, #subpath)."""
    cut = min([i for i in (purl.find(c) for c in "@?#") if i >= 0] or [len(purl)])
    return purl[:cut] + suffix + purl[cut:]


def template(record, text):
    """The record rewritten for clone MARK, serialised like the original, split at the marks."""
    if MARK in text:
        raise ValueError(f"{record.get('id')}: contains the template marker")
    r = json.loads(text)
    r["id"] = r["id"] + "-S" + MARK
    for key in ("aliases", "related", "upstream"):
        if isinstance(r.get(key), list):
            r[key] = [x + "-S" + MARK if isinstance(x, str) else x for x in r[key]]
    for a in r.get("affected") or []:
        pkg = a.get("package") if isinstance(a, dict) else None
        if isinstance(pkg, dict) and isinstance(pkg.get("name"), str):
            pkg["name"] += "-synth-" + MARK
            if isinstance(pkg.get("purl"), str):
                pkg["purl"] = purl_with_suffix(pkg["purl"], "-synth-" + MARK)
    out = json.dumps(r, indent=2, ensure_ascii=False) + ("\n" if text.endswith("\n") else "")
    return out.split(MARK)


def load(src):
    """[(ecosystem, id, original bytes, modified, template parts)] of every real record."""
    pool = []
    with open(os.path.join(src, "ecosystems.txt")) as f:
        ecosystems = [line.strip() for line in f if line.strip()]
    for eco in ecosystems:
        with zipfile.ZipFile(os.path.join(src, eco, "all.zip")) as z:
            for info in z.infolist():
                if info.is_dir() or not info.filename.endswith(".json"):
                    continue
                raw = z.read(info)
                text = raw.decode("utf-8")
                rec = json.loads(text)
                pool.append((eco, rec["id"], raw, rec.get("modified", ""), template(rec, text)))
    return ecosystems, pool


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2])
    src, out, total = argv[1], argv[2], int(argv[3])
    ecosystems, pool = load(src)
    if total < len(pool):
        sys.exit(f"RECORDS ({total}) must be at least the {len(pool)} real records")
    os.makedirs(os.path.join(out, "osv"), exist_ok=True)
    zips, counts, sizes = {}, {e: 0 for e in ecosystems}, {e: 0 for e in ecosystems}
    for eco in ecosystems:
        os.makedirs(os.path.join(out, "osv", eco), exist_ok=True)
        path = os.path.join(out, "osv", eco, "all.zip.tmp")
        zips[eco] = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)

    def put(eco, name, data, modified):
        info = zipfile.ZipInfo(name, date_time=entry_time(modified))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        zips[eco].writestr(info, data)
        counts[eco] += 1
        sizes[eco] += len(data)

    for eco, rid, raw, modified, _ in pool:
        put(eco, rid + ".json", raw, modified)
    clones = total - len(pool)
    full, rest = divmod(clones, len(pool))
    for k in range(1, full + 2):
        ks = str(k)
        for i, (eco, rid, _, modified, parts) in enumerate(pool):
            # The partial last clone takes `rest` records spread evenly over the pool.
            if k == full + 1 and (i + 1) * rest // len(pool) == i * rest // len(pool):
                continue
            put(eco, f"{rid}-S{k}.json", ks.join(parts).encode("utf-8"), modified)
    for eco, z in zips.items():
        z.close()
        os.replace(os.path.join(out, "osv", eco, "all.zip.tmp"), os.path.join(out, "osv", eco, "all.zip"))
    with open(os.path.join(out, "osv", "ecosystems.txt"), "w") as f:
        f.write("".join(e + "\n" for e in ecosystems))
    written = sum(counts.values())
    if written != total:
        sys.exit(f"internal error: wrote {written} records, wanted {total}")
    manifest = {
        "records": written,
        "real": len(pool),
        "full_clones": full,
        "json_bytes": sum(sizes.values()),
        "zip_bytes": sum(os.path.getsize(os.path.join(out, "osv", e, "all.zip")) for e in ecosystems),
        "per_ecosystem": {e: {"records": counts[e], "json_bytes": sizes[e]} for e in ecosystems},
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(json.dumps(manifest))


if __name__ == "__main__":
    main(sys.argv)
