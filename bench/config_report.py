"""Normalises bench/config.sh results and prints the comparison: python3 bench/config_report.py OUT_DIR.

Reads OUT_DIR/runs.tsv (one line per tool run: set, input, run, root, raw JSON, exit code), times.tsv,
versions.tsv and bulwark.txt; writes OUT_DIR/findings.json (every finding as tool, family, file, line,
check id, control) and OUT_DIR/gaps.json; prints, per input set, family and control, which tool found it on
how many files, the lists "peer finds, Bulwark does not" and "Bulwark finds, peer does not", and wall
time per tool per input set. The mapping from check ids to controls lives in config_map.py.

Normalisations, each printed with its count: Bulwark findings map by check id (config_map.BULWARK_IDS), one
finding to several controls only where its message names them; Bulwark findings named by a Helm `# Source:`
template count on the scanned file whose `# Source:` line names it (read from the scanned files); Bulwark's
per-namespace NetworkPolicy finding counts for every scanned file with a workload in that namespace (Checkov
reports per workload file); secret findings of different tools on the same file and line are one secret.
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
        controls, by_id = config_map.bulwark_controls(m, family)
        for control in controls:
            f = finding("bulwark", run, family, file, m.get("start_line"), m.get("check_id", ""), control,
                        m.get("title", ""))
            f.update({"message": m.get("message", ""), "resource": m.get("resource", ""), "by_id": by_id})
            out.append(f)
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


WORKLOAD_KINDS = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job",
                  "CronJob", "DeploymentConfig"}
MAX_INDEX_FILES = 20000           # YAML files read per scanned directory
MAX_INDEX_BYTES = 8 * 1024 * 1024  # largest YAML file read
SOURCE_LINE = re.compile(r"^# Source:\s*(\S.*?)\s*$", re.M)


def yaml_objects(text):
    """(kind, namespace) of every object in a multi-document YAML text, `List` items included. Uses PyYAML when
    it is importable and parses the text; otherwise reads top-level `kind:` and `metadata.namespace` per document."""
    try:
        import yaml  # PyYAML: in the bench venv (a Checkov dependency)
        docs = list(yaml.safe_load_all(text))
    except Exception:  # noqa: BLE001 — ImportError or any YAML error: fall back to the line reader
        docs = None
    out = []
    if docs is not None:
        stack = [(d, 0) for d in docs]
        while stack:
            doc, depth = stack.pop()
            if not isinstance(doc, dict):
                continue
            if isinstance(doc.get("items"), list) and depth < 8:
                stack.extend((item, depth + 1) for item in doc["items"])
                continue
            meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
            out.append((str(doc.get("kind", "")), str(meta.get("namespace") or "default")))
        return out
    for doc in re.split(r"^---.*$", text, flags=re.M):
        kind = re.search(r"^kind:\s*(\S+)", doc, re.M)
        ns = re.search(r"^metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+namespace:\s*(\S+)", doc, re.M)
        if kind:
            out.append((kind.group(1).strip("\"'"), ns.group(1).strip("\"'") if ns else "default"))
    return out


class InputIndex:
    """What the scanned directory itself says, for normalising Bulwark's file names: Helm `# Source:` templates
    -> (scanned file, line of the comment), and namespace -> files holding a workload in it."""

    def __init__(self, root):
        self.sources = collections.defaultdict(list)
        self.namespace_files = collections.defaultdict(set)
        self.skipped = []
        if not root or not os.path.isdir(root):
            return
        seen = 0
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                if not name.endswith((".yaml", ".yml")):
                    continue
                path = os.path.join(dirpath, name)
                seen += 1
                if seen > MAX_INDEX_FILES:
                    self.skipped.append(f"{root}: more than {MAX_INDEX_FILES} YAML files, rest not indexed")
                    return
                try:
                    if os.path.getsize(path) > MAX_INDEX_BYTES:
                        self.skipped.append(f"{path}: larger than {MAX_INDEX_BYTES} bytes, not indexed")
                        continue
                    with open(path, errors="replace") as f:
                        text = f.read()
                except OSError as e:
                    self.skipped.append(f"{path}: {e}")
                    continue
                file = rel(path, root)
                for m in SOURCE_LINE.finditer(text):
                    self.sources[m.group(1)].append((file, text.count("\n", 0, m.start()) + 1))
                for kind, ns in yaml_objects(text):
                    if kind in WORKLOAD_KINDS:
                        self.namespace_files[ns].add(file)

    def scanned_file(self, file, line):
        """(scanned file, line in it) for a file named by a Helm template path; None when no scanned file has a
        `# Source:` line naming it, or several do. The line is kept only when the template occurs once."""
        hits = self.sources.get(file) or []
        files = {f for f, _ in hits}
        if len(files) != 1:
            return None
        scanned = files.pop()
        return scanned, (hits[0][1] + line if line and len(hits) == 1 else None)


NETPOL_NOTE = ("network-policy: Bulwark reports one finding per namespace (on the first workload's file), Checkov "
               "one per workload file; a Bulwark finding here counts for every scanned file with a workload in "
               "its namespace.")


def normalise_bulwark(found, root, index, notes):
    """Bulwark findings renamed to the scanned file (Helm templates) and namespace findings (BW-K8S-027)
    counted for every file with a workload in the namespace; counts of both go to `notes`."""
    out = []
    for f in found:
        if f["tool"] == "bulwark" and f["family"] == "kubernetes" and f["file"] and root and \
                not os.path.exists(os.path.join(root, f["file"])):
            hit = index.scanned_file(f["file"], f["line"])
            if hit:
                f = dict(f, template=f["file"], file=hit[0], line=hit[1])
                notes["helm"] += 1
        ns = re.match(r"Namespace/(.+)$", f.get("resource") or "")
        if f["tool"] == "bulwark" and f["control"] == "network-policy" and ns:
            files = index.namespace_files.get(ns.group(1)) or {f["file"]}
            for file in sorted(files | {f["file"]}):
                out.append(dict(f, file=file, line=f["line"] if file == f["file"] else None,
                                counted_from=f["file"]))
            notes["netpol"] += 1
            notes["netpol_files"] += len(files | {f["file"]})
            continue
        out.append(f)
    return out


# Secret kinds that name no provider, and peer rules that cover several provider kinds: a finding of these takes
# the kind another tool gives the same file and line.
GENERIC_SECRET_KINDS = ("password-assignment", "high-entropy-string")  # preferred first when all are generic
BROAD_SECRET_RULES = {("checkov", "CKV_SECRET_2"): {"aws-access-key", "aws-secret-key"}}
SECRET_NOTE = ("secret: findings of different tools on the same file and line are one secret; a generic kind "
               "(password / high entropy) or a broad rule (Checkov CKV_SECRET_2 = any AWS key) takes the specific "
               "kind another tool names there.")


def unify_secret_kinds(findings):
    """Relabels secret findings in place per SECRET_NOTE; returns how many were relabelled."""
    at = collections.defaultdict(list)
    for f in findings:
        if f["family"] == "secret" and f["line"] and f["file"]:
            at[(f["set"], f["input"], f["file"], f["line"])].append(f)
    changed = 0
    for group in at.values():
        for f in group:
            broad = BROAD_SECRET_RULES.get((f["tool"], f["check_id"]))
            if f["control"] not in GENERIC_SECRET_KINDS and not broad:
                continue
            others = {g["control"] for g in group if g["tool"] != f["tool"]}
            specific = sorted(k for k in others if k not in GENERIC_SECRET_KINDS and (not broad or k in broad))
            generic = [k for k in GENERIC_SECRET_KINDS if k in others and not broad]
            target = specific[0] if specific else (generic[0] if generic and
                                                   GENERIC_SECRET_KINDS.index(generic[0]) <
                                                   GENERIC_SECRET_KINDS.index(f["control"]) else None)
            if target and target != f["control"]:
                f["kind_as_reported"] = f["control"]
                f["control"] = target
                changed += 1
    return changed


def normalise(out_dir):
    """All findings of all runs, the runs that produced no readable output, and normalisation counts."""
    findings, broken = [], []
    notes = collections.Counter()
    indexes = {}
    for r in read_tsv(os.path.join(out_dir, "runs.tsv"), None):
        tool = r["run"].split("-")[0]
        doc = load_json(r["raw"])
        if doc is None:
            broken.append(f"{r['set']}/{r['input']} {r['run']}: no JSON output (exit {r['rc']}; see {r['raw']}.err)")
            continue
        found = PARSERS[tool](doc, r["run"], r["root"])
        if tool == "bulwark":
            if r["root"] not in indexes:
                indexes[r["root"]] = InputIndex(r["root"])
            found = normalise_bulwark(found, r["root"], indexes[r["root"]], notes)
        for f in found:
            f.update({"set": r["set"], "input": r["input"]})
            findings.append(f)
    notes["secret_relabelled"] = unify_secret_kinds(findings)
    notes["index_skipped"] = sum(len(i.skipped) for i in indexes.values())
    for i in indexes.values():
        for s_ in i.skipped:
            print(f"input index: {s_}")
    return findings, broken, notes


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
    ran = collections.defaultdict(set)
    for r in runs:
        ran[(r["set"], r["input"])].add(r["run"].split("-")[0])
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
            if key == "peer_not_bulwark" and fam != "secret" and not config_map.bulwark_has_check(control):
                who += " [no Bulwark check maps here]"
            if key == "bulwark_not_peer":
                able = [t for t in PEERS if t in ran[(s_, inp)] and config_map.peer_has_check(t, fam, control)]
                if config_map.peer_has_check("trivy", fam, control) is not None:
                    who = f" [checked by {'+'.join(able)}]" if able else " [no peer run here has a check for it]"
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
    findings, broken, notes = normalise(out_dir)
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
    by_title = collections.Counter((f["check_id"], f["title"], f["control"]) for f in findings
                                   if f["tool"] == "bulwark" and f.get("by_id") is False)
    if by_title:
        print("\nBulwark check ids not in config_map.BULWARK_IDS (mapped by title; add them to the table):")
        for (cid, title, control), n in sorted(by_title.items()):
            print(f"  {cid:22} {n:4}  {title[:50]:50} -> {control}")
    problems = config_map.self_check(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs",
                                                  "checks.md"))
    for p in problems:
        print(f"config_map self-check: {p}")
    print("\nnormalisation:")
    print("  Bulwark findings map by check id (config_map.BULWARK_IDS); one finding counts for several controls "
          "only where its message names them (e.g. 'no cpu or memory limits').")
    print(f"  helm: {notes['helm']} Bulwark finding(s) named by a `# Source:` template counted on the scanned file "
          "whose `# Source:` line names that template (peers name the scanned file).")
    print(f"  {NETPOL_NOTE} ({notes['netpol']} namespace finding(s) -> {notes['netpol_files']} file(s))")
    print(f"  {SECRET_NOTE} ({notes['secret_relabelled']} relabelled)")
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
