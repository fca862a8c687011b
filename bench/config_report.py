"""Normalises bench/config.sh results and prints the comparison: python3 bench/config_report.py OUT_DIR.

Reads OUT_DIR/runs.tsv (one line per tool run: set, input, run, root, raw JSON, exit code), times.tsv,
versions.tsv and bulwark.txt; writes OUT_DIR/findings.json (every finding as tool, family, file, line,
check id, control) and OUT_DIR/gaps.json; prints, per input set, family and control, which tool found it on
how many files, the lists "peer finds, Bulwark does not" and "Bulwark finds, peer does not", and wall
time per tool per input set. The mapping from check ids to controls lives in config_map.py.
"""
import collections
import json
import os
import re
import statistics
import sys

sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import config_map  # noqa: E402

PEERS = ("trivy", "hadolint", "checkov")
TOOLS = PEERS + ("bulwark",)
FAMILIES = ("secret", "dockerfile", "kubernetes", "image-config")
IMAGE_CONFIG = "<image-config>"


def load_json(path):
    """The JSON document in a file, or None when it is empty or not JSON."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start < 0:
        return None
    try:
        return json.loads(text[start:])
    except ValueError:
        return None


def rel(path, root):
    """A path relative to the scanned root, without a leading slash."""
    if not path:
        return ""
    if root and path.startswith(root.rstrip("/") + "/"):
        path = path[len(root.rstrip("/")) + 1:]
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/")


def finding(tool, run, family, file, line, check_id, control, title):
    """One normalised finding."""
    return {"tool": tool, "run": run, "family": family, "file": file, "line": line or None,
            "check_id": check_id, "control": control, "title": title}


def parse_trivy(doc, run, root):
    """Findings of `trivy image|fs|config --format json`."""
    out = []
    artifact = doc.get("ArtifactName", "")
    is_image = doc.get("ArtifactType") == "container_image"
    for r in doc.get("Results") or []:
        target, typ = r.get("Target", ""), (r.get("Type") or "").lower()
        on_image = is_image and target == artifact
        file = IMAGE_CONFIG if on_image else rel(target, root)
        for m in r.get("Misconfigurations") or []:
            if m.get("Status", "FAIL") != "FAIL":
                continue
            if typ == "dockerfile":
                family = "image-config" if on_image else "dockerfile"
            elif typ in ("kubernetes", "helm"):
                family = "kubernetes"
            else:
                family = typ or "other"
            cid = config_map.canonical_trivy_id(m.get("ID") or m.get("AVDID") or "")
            line = (m.get("CauseMetadata") or {}).get("StartLine")
            out.append(finding("trivy", run, family, file, line, cid, config_map.peer_control("trivy", cid),
                               m.get("Title", "")))
        for s in r.get("Secrets") or []:
            kind = config_map.secret_kind(s.get("RuleID", ""))
            if kind.startswith("unmapped:"):
                kind = config_map.secret_kind(f"{s.get('Category', '')} {s.get('Title', '')}")
            f = finding("trivy", run, "secret", file, s.get("StartLine"), s.get("RuleID", ""), kind,
                        s.get("Title", ""))
            layer = s.get("Layer") or {}
            if layer.get("DiffID"):
                f["layer"] = layer["DiffID"]
            out.append(f)
    return out


def parse_hadolint(doc, run, root):
    """Findings of `hadolint -f json`."""
    return [finding("hadolint", run, "dockerfile", rel(h.get("file", ""), root), h.get("line"), h.get("code", ""),
                    config_map.peer_control("hadolint", h.get("code", "")), h.get("message", ""))
            for h in doc or []]


def parse_checkov(doc, run, root):
    """Findings of `checkov -o json` (one report, or a list of reports per framework)."""
    out = []
    reports = doc if isinstance(doc, list) else [doc]
    for rep in reports:
        if not isinstance(rep, dict):
            continue
        ctype = rep.get("check_type", "")
        family = {"dockerfile": "dockerfile", "kubernetes": "kubernetes", "secrets": "secret"}.get(ctype, ctype)
        for c in (rep.get("results") or {}).get("failed_checks") or []:
            cid = c.get("check_id", "")
            control = config_map.peer_control("checkov", cid)
            if family == "secret" and control.startswith("unmapped:"):
                control = config_map.secret_kind(c.get("check_name", ""))
            lines = c.get("file_line_range") or [None]
            file = rel(c.get("file_abs_path") or c.get("file_path", ""), root)
            out.append(finding("checkov", run, family, file, lines[0], cid, control, c.get("check_name", "")))
    return out


def parse_bulwark(doc, run, root):
    """Findings of `bulwark image|fs|config --format json` (`secrets[]`, `misconfigurations[]`)."""
    out = []
    rep = doc.get("report", doc) if isinstance(doc, dict) else {}
    for s in rep.get("secrets") or []:
        target = s.get("target", "")
        meta = re.match(r"(config\.|history\[)", target) is not None
        file = IMAGE_CONFIG if meta else rel(target, root)
        kind = config_map.secret_kind(s.get("rule_id", ""))
        if kind.startswith("unmapped:"):
            kind = config_map.secret_kind(f"{s.get('category', '')} {s.get('title', '')}")
        f = finding("bulwark", run, "secret", file, s.get("line"), s.get("rule_id", ""), kind, s.get("title", ""))
        f.update({"deleted": bool(s.get("deleted")), "example": bool(s.get("example"))})
        layer = s.get("layer") or {}
        if layer:
            f["layer"] = layer.get("diff_id") or layer.get("digest") or layer.get("index")
        out.append(f)
    for m in rep.get("misconfigurations") or []:
        kind = m.get("kind", "")
        family = {"image": "image-config", "dockerfile": "dockerfile", "kubernetes": "kubernetes"}.get(kind, kind)
        if kind == "image":
            file = rel(m["path"], "") if m.get("path") else IMAGE_CONFIG
        else:
            file = rel(m.get("target", ""), root)
        out.append(finding("bulwark", run, family, file, m.get("start_line"), m.get("check_id", ""),
                           config_map.bulwark_control(m, family), m.get("title", "")))
    return out


PARSERS = {"trivy": parse_trivy, "hadolint": parse_hadolint, "checkov": parse_checkov, "bulwark": parse_bulwark}


def read_tsv(path, header):
    """Rows of a tab-separated file as dicts (header given, or from the first line)."""
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        lines = [ln.rstrip("\n").split("\t") for ln in f if ln.strip()]
    if header is None:
        header, lines = lines[0], lines[1:]
    for ln in lines:
        rows.append(dict(zip(header, ln)))
    return rows


def normalise(out_dir):
    """All findings of all runs, and the runs that produced no readable output."""
    findings, broken = [], []
    for r in read_tsv(os.path.join(out_dir, "runs.tsv"), None):
        tool = r["run"].split("-")[0]
        doc = load_json(r["raw"])
        if doc is None:
            broken.append(f"{r['set']}/{r['input']} {r['run']}: no JSON output (exit {r['rc']}; see {r['raw']}.err)")
            continue
        for f in PARSERS[tool](doc, r["run"], r["root"]):
            f.update({"set": r["set"], "input": r["input"]})
            findings.append(f)
    return findings, broken


def print_times(out_dir):
    """Median wall time and peak RSS per set, run and input."""
    runs = collections.defaultdict(list)
    for r in read_tsv(os.path.join(out_dir, "times.tsv"), ["set", "run", "input", "wall", "rss"]):
        runs[(r["set"], r["run"], r["input"])].append((float(r["wall"]), int(r["rss"])))
    print(f"\n{'set':10} {'tool run':15} {'input':22} {'wall s':>8} {'peak MiB':>9} {'runs':>4}")
    for key in sorted(runs):
        walls = [w for w, _ in runs[key]]
        rss = statistics.median(m for _, m in runs[key]) / 1024
        print(f"{key[0]:10} {key[1]:15} {key[2]:22} {statistics.median(walls):8.2f} {rss:9.1f} {len(walls):4}")
    totals = collections.defaultdict(float)
    for (s, run, _), v in runs.items():
        totals[(s, run.split("-")[0])] += statistics.median(w for w, _ in v)
    print("\nwall time per tool per input set (sum of medians over the set's inputs and the tool's verbs):")
    for s in sorted({k[0] for k in totals}):
        cells = "  ".join(f"{t} {totals[(s, t)]:.2f}s" for t in TOOLS if (s, t) in totals)
        print(f"  {s:10} {cells}")


def short(files, cap=6):
    """A file list, capped."""
    files = sorted(files)
    more = f" …(+{len(files) - cap})" if len(files) > cap else ""
    return ", ".join(files[:cap]) + more


def keyset(findings, set_name, inp):
    """The (tool, family, control, file) facts of one input."""
    return {(f["tool"], f["family"], f["control"], f["file"]) for f in findings
            if f["set"] == set_name and f["input"] == inp}


def print_counts(findings, runs):
    """Findings per input, tool and family (inputs where a tool found nothing show 0)."""
    ran = collections.defaultdict(set)
    for r in runs:
        ran[(r["set"], r["input"])].add(r["run"].split("-")[0])
    count = collections.Counter((f["set"], f["input"], f["tool"], f["family"]) for f in findings)
    print(f"\nfindings per input and tool (secret/dockerfile/kubernetes/image-config):")
    for (set_name, inp), tools in sorted(ran.items()):
        cells = []
        for t in TOOLS:
            if t in tools:
                cells.append(f"{t} " + "/".join(str(count[(set_name, inp, t, fam)]) for fam in FAMILIES))
            else:
                cells.append(f"{t} not run")
        print(f"  {set_name + '/' + inp:32} " + "   ".join(cells))


def report(findings, runs, out_dir, bulwark_missing):
    """Prints the per-control matrix and the gap lists; returns the gaps."""
    inputs = sorted({(r["set"], r["input"]) for r in runs})
    skip = set()
    for set_name, inp in inputs:
        if inp.endswith(".oci") and (set_name, inp[:-4] + ".tar") in inputs:
            if keyset(findings, set_name, inp) == keyset(findings, set_name, inp[:-4] + ".tar"):
                skip.add((set_name, inp))
    seen = collections.defaultdict(lambda: collections.defaultdict(set))
    for f in findings:
        if (f["set"], f["input"]) not in skip:
            seen[(f["set"], f["input"], f["family"], f["control"])][f["tool"]].add(f["file"])
    gaps = {"peer_not_bulwark": [], "bulwark_not_peer": []}
    for set_name in ("images", "app-iac", "realworld"):
        keys = sorted(k for k in seen if k[0] == set_name)
        print(f"\n===== {set_name} =====")
        for s_, inp in sorted(skip):
            if s_ == set_name:
                print(f"[{inp}] identical to {inp[:-4]}.tar for every tool (not repeated)")
        for inp in sorted({k[1] for k in keys}):
            for fam in FAMILIES + tuple(sorted({k[2] for k in keys} - set(FAMILIES))):
                rows = [k for k in keys if k[1] == inp and k[2] == fam]
                if not rows:
                    continue
                print(f"\n[{inp}] {fam}: files per control")
                print(f"  {'control':30} " + " ".join(f"{t:>8}" for t in TOOLS) + "  files")
                for k in rows:
                    by = seen[k]
                    cells = " ".join(f"{len(by[t]) if by.get(t) else '-':>8}" for t in TOOLS)
                    allf = set().union(*by.values())
                    print(f"  {k[3][:30]:30} {cells}  {short(allf, 3)}")
                    for fl in sorted(allf):
                        peers = [t for t in PEERS if fl in by.get(t, ())]
                        item = {"set": set_name, "input": inp, "family": fam, "control": k[3], "file": fl}
                        if peers and fl not in by.get("bulwark", ()):
                            gaps["peer_not_bulwark"].append(dict(item, peers=peers))
                        if fl in by.get("bulwark", ()) and not peers:
                            gaps["bulwark_not_peer"].append(item)
    for title, key in (("peer finds, Bulwark does not", "peer_not_bulwark"),
                       ("Bulwark finds, peer does not", "bulwark_not_peer")):
        items = gaps[key]
        groups = collections.defaultdict(lambda: (set(), set()))
        for g in items:
            files, peers = groups[(g["set"], g["input"], g["family"], g["control"])]
            files.add(g["file"])
            peers.update(g.get("peers", []))
        print(f"\n{title}: {len(items)} (control × file) in {len(groups)} (input × control)")
        if key == "peer_not_bulwark" and bulwark_missing:
            print("  (Bulwark column missing — every peer finding counts as a gap until it runs)")
        for (s_, inp, fam, control), (files, peers) in sorted(groups.items()):
            who = f" [{'+'.join(t for t in PEERS if t in peers)}]" if peers else ""
            print(f"  {s_}/{inp} {fam} {control}{who}: {len(files)} file(s): {short(files, 4)}")
    return gaps


SECRETISH = {"password-assignment", "secret-in-env", "high-entropy-string"}
# Image-config problems planted in app-python (truth.json "misconfig_fodder": no USER, EXPOSE 22, ENV password).
IMAGE_FODDER = ("user-root", "expose-ssh-port", "secret-in-env")


def value_line(layer_dir, path, value):
    """1-based line of a planted value in the extracted layer, or None."""
    try:
        with open(os.path.join(layer_dir, path.lstrip("/")), errors="replace") as f:
            for n, text in enumerate(f, 1):
                if value and value in text:
                    return n
    except OSError:
        pass
    return None


def print_truth(findings, runs, truth_path, layer_dir):
    """Which tool found each secret and image-config problem planted in app-python (corpus truth.json)."""
    ran = collections.defaultdict(set)
    for r in runs:
        ran[(r["set"], r["input"])].add(r["run"].split("-")[0])
    try:
        truth = json.load(open(truth_path))
    except (OSError, ValueError):
        return
    print("\ncorpus truth (app-python): who finds what was planted (+ found, - missed, n/a not run on this input)")
    for set_name, inp in (("images", "app-python.tar"), ("app-iac", "app-python-layer5")):
        mine = [f for f in findings if f["set"] == set_name and f["input"] == inp]
        if not mine:
            continue
        print(f"  {set_name}/{inp}:")
        for p in truth.get("planted_secrets", []):
            on_config = p.get("layer") == "config"
            if on_config and set_name != "images":
                continue
            file = IMAGE_CONFIG if on_config else p["path"].lstrip("/")
            control = config_map.secret_kind(p["kind"])
            line = None if on_config else value_line(layer_dir, p["path"], p.get("value", ""))
            cells = []
            for tool in TOOLS:
                if tool not in ran[(set_name, inp)]:
                    cells.append(f"{tool} n/a")
                    continue
                hits = [f for f in mine if f["tool"] == tool and f["file"] == file and (
                    f["control"] == control or (line and f["line"] == line and f["family"] == "secret")
                    or (control in SECRETISH and f["control"] in SECRETISH))]
                cells.append(f"{tool} {'+' if hits else '-'}")
            where = f"{p['path']}" + (f":{line}" if line else "") + (" (deleted later)" if p.get("deleted") else "")
            print(f"    {p['kind'][:30]:30} {where:42} " + "  ".join(cells))
        if set_name == "images":
            for control in IMAGE_FODDER:
                cells = [f"{t} n/a" if t not in ran[(set_name, inp)] else
                         f"{t} {'+' if any(f['tool'] == t and f['file'] == IMAGE_CONFIG and f['control'] == control for f in mine) else '-'}"
                         for t in TOOLS]
                print(f"    {'image config: ' + control:30} {IMAGE_CONFIG:42} " + "  ".join(cells))


def main():
    """Entry point."""
    if len(sys.argv) not in (2, 4):
        sys.exit("usage: config_report.py OUT_DIR [TRUTH_JSON LAYER5_DIR]")
    out_dir = sys.argv[1]
    findings, broken = normalise(out_dir)
    runs = read_tsv(os.path.join(out_dir, "runs.tsv"), None)
    with open(os.path.join(out_dir, "findings.json"), "w") as f:
        json.dump(findings, f, indent=1)
    print("versions:")
    for r in read_tsv(os.path.join(out_dir, "versions.tsv"), ["tool", "version"]):
        print(f"  {r['tool']:9} {r.get('version', '')}")
    bulwark_missing = []
    if os.path.exists(os.path.join(out_dir, "bulwark.txt")):
        bulwark_missing = [ln.strip() for ln in open(os.path.join(out_dir, "bulwark.txt")) if ln.strip()]
    for ln in bulwark_missing:
        print(f"Bulwark column {ln}")
    for b in broken:
        print(f"no output: {b}")
    unmapped = collections.Counter((f["tool"], f["check_id"], f["title"]) for f in findings
                                   if f["control"].startswith("unmapped:"))
    if unmapped:
        print("\nunmapped check ids (extend config_map.py):")
        for (tool, cid, title), n in sorted(unmapped.items()):
            print(f"  {tool:8} {cid:22} {n:4}  {title[:70]}")
    print(f"\n{len(findings)} findings normalised into {os.path.join(out_dir, 'findings.json')}")
    print_counts(findings, runs)
    if len(sys.argv) == 4:
        print_truth(findings, runs, sys.argv[2], sys.argv[3])
    gaps = report(findings, runs, out_dir, bool(bulwark_missing))
    with open(os.path.join(out_dir, "gaps.json"), "w") as f:
        json.dump(gaps, f, indent=1)
    print_times(out_dir)


if __name__ == "__main__":
    main()
