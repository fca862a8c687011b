"""Summarises bench/inventory.sh results: medians, ratios against the peers, package-list diffs."""
import collections
import json
import re
import statistics
import sys

results, raw, images = sys.argv[1], sys.argv[2], sys.argv[3:]
runs = collections.defaultdict(list)
for line in open(results):
    label, wall, rss = line.split("\t")
    runs[label].append((float(wall), int(rss)))


def med(label):
    r = runs.get(label)
    if not r:
        return None
    return statistics.median(w for w, _ in r), statistics.median(m for _, m in r) / 1024


print(f"{'image/form':22} {'tool':15} {'wall s':>8} {'peak MiB':>9} {'runs':>4}")
for label in sorted(runs):
    w, m = med(label)
    img_form, tool = label.rsplit(".", 1)
    print(f"{img_form:22} {tool:15} {w:8.2f} {m:9.1f} {len(runs[label]):4}")

print("\nratios (Bulwark / best peer; target wall <= 0.20, RSS <= 0.25):")
for img in images:
    floor = med(f"{img}.floor.gunzip-parallel")
    for form in ("tar", "oci"):
        b, s, t = (med(f"{img}.{form}.{x}") for x in ("bulwark", "syft", "trivy"))
        if not (b and s and t):
            continue
        fastest = min(s[0], t[0])
        leanest = min(s[1], t[1])
        print(f"  {img}.{form}: wall {b[0]:.2f}s vs {fastest:.2f}s = {b[0] / fastest:.3f}; "
              f"RSS {b[1]:.0f} MiB vs {leanest:.0f} MiB = {b[1] / leanest:.3f}; floor {floor[0]:.2f}s")
        v = med(f"{img}.{form}.bulwark-verify")
        if v:
            print(f"  {'':{len(img) + len(form) + 1}}  --verify-layers: wall {v[0]:.2f}s = {v[0] / fastest:.3f}; "
                  f"RSS {v[1]:.0f} MiB = {v[1] / leanest:.3f}")


def purls(path):
    try:
        doc = json.load(open(path))
    except (OSError, ValueError):
        return set()
    out = set()
    for c in doc.get("components", []):
        p = c.get("purl")
        if p:
            p = p.split("?")[0].lower().replace("%2b", "+")
            # Trivy moves a dpkg/rpm epoch into a qualifier; compare versions without it.
            p = re.sub(r"^(pkg:(?:deb|rpm)/[^@]+@)\d+:", r"\1", p)
            out.add(p)
    return out


print("\npackage-list differences (purl without qualifiers or dpkg/rpm epoch, lower-cased):")
for img in images:
    b = purls(f"{raw}/{img}.oci.bulwark.cdx.json")
    for peer in ("syft", "trivy"):
        p = purls(f"{raw}/{img}.oci.{peer}.cdx.json")
        print(f"  {img}: only Bulwark vs {peer}: {len(b - p)}; only {peer}: {len(p - b)}")
        for x in sorted(b - p)[:40]:
            print(f"    + {x}")
        for x in sorted(p - b)[:40]:
            print(f"    - {x}")
