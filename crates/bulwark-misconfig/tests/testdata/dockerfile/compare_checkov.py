#!/usr/bin/env python3
"""Compare Bulwark's verification checks (BW-DF-037/038/039) with Checkov's CKV2_DOCKER_2…16/18 on the cases
of tests/dockerfile_verify.rs. A script, not a test: the Bulwark side is what each case declares (and what
`cargo test -p bulwark-misconfig --test dockerfile_verify` proves); the Checkov side is what Checkov reports
on the same text.

Usage: compare_checkov.py [CHECKOV]   (default: `checkov` on PATH; `pip install checkov`)
Prints one line per case where the two disagree, then the counts.
"""
import codecs
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASES_RS = os.path.join(HERE, "..", "..", "dockerfile_verify.rs")
# Checkov's checks of the same family; CKV2_DOCKER_1 (sudo) and _17 (chpasswd) are other checks.
FAMILY = re.compile(r"CKV2_DOCKER_([2-9]|1[0-68])$")
CASE = re.compile(r'^\s*\(\s*"(BW-DF-03[789]|)",\s*"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)",?\s*\),', re.M)


def cases():
    """(expected Bulwark id or "", Dockerfile text) for every case, in order."""
    with open(CASES_RS, encoding="utf-8") as f:
        source = f.read()
    return [(m.group(1), "FROM debian:12\n" + codecs.decode(m.group(2), "unicode_escape") + "\n")
            for m in CASE.finditer(source)]


def checkov_hits(checkov, texts):
    """Index of each case -> the Checkov ids of the family it reports."""
    with tempfile.TemporaryDirectory() as root:
        for i, text in enumerate(texts):
            os.makedirs(os.path.join(root, f"c{i:03d}"))
            with open(os.path.join(root, f"c{i:03d}", "Dockerfile"), "w", encoding="utf-8") as f:
                f.write(text)
        run = subprocess.run([checkov, "-d", root, "--framework", "dockerfile", "-o", "json", "--quiet"],
                             capture_output=True, text=True, check=False)
    reports = json.loads(run.stdout or "[]")
    reports = reports if isinstance(reports, list) else [reports]
    hits = collections.defaultdict(set)
    for report in reports:
        for failed in report.get("results", {}).get("failed_checks", []):
            match = re.search(r"/c(\d{3})/", failed["file_path"])
            if match and FAMILY.match(failed["check_id"]):
                hits[int(match.group(1))].add(failed["check_id"])
    return hits


def main():
    checkov = sys.argv[1] if len(sys.argv) > 1 else "checkov"
    all_cases = cases()
    hits = checkov_hits(checkov, [text for _, text in all_cases])
    counts = collections.Counter()
    for i, (bulwark, text) in enumerate(all_cases):
        theirs = sorted(hits.get(i, ()))
        kind = {(True, True): "both", (True, False): "only-bulwark",
                (False, True): "only-checkov", (False, False): "neither"}[(bool(bulwark), bool(theirs))]
        counts[kind] += 1
        if kind in ("only-bulwark", "only-checkov"):
            first = text.splitlines()[1][:100]
            print(f"{kind:13} {bulwark or '-':9} {','.join(theirs) or '-':30} {first}")
    print(dict(counts), f"of {len(all_cases)} cases")


if __name__ == "__main__":
    main()
