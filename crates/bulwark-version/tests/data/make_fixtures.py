#!/usr/bin/env python3
"""Regenerates the real-version fixture files in this folder (deterministic).

Usage: python3 make_fixtures.py [--vulndata /work/shared/vulndata] [--lists /var/lib/apt/lists]
Needs: lz4 (for the apt lists), a Go toolchain and Debian's Maven repository only for the
go/maven lists (skipped with a note when absent). See README.md for provenance.
"""
import argparse
import glob
import json
import os
import subprocess
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, lines):
    path = os.path.join(HERE, name)
    with open(path, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(line + "\n")
    print(f"{name}: {len(lines)} lines")


def packages_index(lists):
    """(package, version) from every *_Packages(.lz4) index, in file order."""
    out = []
    for path in sorted(glob.glob(os.path.join(lists, "*_Packages*"))):
        if path.endswith(".lz4"):
            text = subprocess.run(["lz4cat", path], check=True, capture_output=True).stdout.decode()
        else:
            text = open(path, encoding="utf-8").read()
        pkg = None
        for line in text.splitlines():
            if line.startswith("Package: "):
                pkg = line[9:].strip()
            elif line.startswith("Version: ") and pkg:
                out.append((pkg, line[9:].strip()))
    return out


def stable_hash(s):
    return zlib.crc32(s.encode())


def dpkg_fixture(lists):
    entries = sorted(set(packages_index(lists)))
    by_pkg = {}
    for pkg, ver in entries:
        by_pkg.setdefault(pkg, []).append(ver)
    chosen = []
    for pkg, vers in sorted(by_pkg.items()):
        # Every package with several versions (bookworm vs -security/-updates) where crc % 2 == 0,
        # plus one package in 25 of the rest: a few thousand lines, same-package pairs adjacent.
        if (len(vers) > 1 and stable_hash(pkg) % 2 == 0) or stable_hash(pkg) % 25 == 0:
            chosen.extend(f"{pkg}\t{v}" for v in vers)
    write("dpkg-versions.tsv", chosen)


def osv_versions(vulndata, ecosystems):
    out = set()
    for eco in ecosystems:
        for f in sorted(glob.glob(os.path.join(vulndata, "osv", eco, "*.json"))):
            d = json.load(open(f, encoding="utf-8"))
            for a in d.get("affected", []):
                out.update(a.get("versions") or [])
                for r in a.get("ranges") or []:
                    if r.get("type") == "GIT":
                        continue
                    for e in r.get("events", []):
                        for k in ("introduced", "fixed", "last_affected"):
                            if k in e:
                                out.add(e[k])
    out.discard("0")
    return sorted(v for v in out if "\n" not in v and "\t" not in v)


# Version strings used in rpm's own test suite (tests/rpmvercmp.at); facts, not code.
RPM_SUITE = """1.0 2.0 2.0.1 2.0.1a 5.5p1 5.5p2 5.5p10 10xyz 10.1xyz xyz10 xyz10.1 xyz.4 8 2 5.6p1 6.5p1
6.0.rc1 6.0 10b2 10a1 10a2 1.0aa 1.0a 10.0001 10.1 10.0039 4.999.9 5.0 20101121 20101122 2_0
a a+ a_ +a _a +_ _+ + _ 1.0~rc1 1.0~rc2 1.0~rc1~git123 1.0^ 1.0^git1 1.0^git2 1.01 1.0^20160101
1.0.1 1.0^20160101^git1 1.0~rc1^git1 1.0^git1~pre 1b.fc17 1.fc17 1g.fc17""".split()


def rpm_fixture(vulndata, lists):
    real = osv_versions(vulndata, ["AlmaLinux"])
    debian = [v for _, v in sorted(set(packages_index(lists))) if stable_hash(v) % 40 == 0]
    write("rpm-versions.txt", sorted(set(real + RPM_SUITE + debian)))


def semver_fixture(vulndata):
    vers = set(osv_versions(vulndata, ["npm", "crates.io"]))
    truth = glob.glob("/work/main/corpus-cache/truth/*/npm.tsv")
    for path in sorted(truth):
        for line in open(path, encoding="utf-8").read().splitlines()[1:]:
            parts = line.split("\t")
            if len(parts) > 1:
                vers.add(parts[1])
    write("semver-versions.txt", sorted(vers))


def maven_fixture():
    vers = set()
    for root, _dirs, files in os.walk("/usr/share/maven-repo"):
        if any(f.endswith(".pom") for f in files):
            vers.add(os.path.basename(root))
    if not vers:
        print("maven-versions.txt: /usr/share/maven-repo missing, skipped")
        return
    write("maven-versions.txt", sorted(vers))


def go_fixture(vulndata):
    vers = set()
    try:
        goroot = subprocess.run(["go", "env", "GOROOT"], check=True, capture_output=True).stdout.decode().strip()
        for path in glob.glob(os.path.join(goroot, "src", "**", "modules.txt"), recursive=True):
            for line in open(path, encoding="utf-8"):
                parts = line.split()
                if len(parts) == 3 and parts[0] == "#":
                    vers.add(parts[2])
    except (OSError, subprocess.CalledProcessError):
        print("go: toolchain missing, only semver-derived versions")
    # Real SemVer strings from the advisories, as Go writes them (with a leading v).
    vers.update("v" + v for v in osv_versions(vulndata, ["npm", "crates.io"]))
    write("go-versions.txt", sorted(vers))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vulndata", default="/work/shared/vulndata")
    ap.add_argument("--lists", default="/var/lib/apt/lists")
    args = ap.parse_args()
    dpkg_fixture(args.lists)
    rpm_fixture(args.vulndata, args.lists)
    write("pypi-versions.txt", osv_versions(args.vulndata, ["PyPI"]))
    semver_fixture(args.vulndata)
    maven_fixture()
    go_fixture(args.vulndata)


if __name__ == "__main__":
    main()
