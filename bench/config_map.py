"""The one mapping table of bench/config.sh: peer check ids and Bulwark findings -> (family, control name).

Families: `secret`, `dockerfile`, `kubernetes`, `image-config`. Controls are short names shared by every tool
(e.g. `host-network`, `base-image-unpinned`, `aws-access-key`), so that "Trivy KSV-0009", "Checkov CKV_K8S_19"
and Bulwark's BW-K8S-002 with message "pod sets hostNetwork: true" all land on the same row.
Bulwark findings map by check id through BULWARK_IDS (one finding may map to several controls when its message
names them); ids missing there fall back to the title tables. Anything without a mapping is reported as
`unmapped:<id>` so gaps in these tables stay visible. `python3 bench/config_map.py` checks BULWARK_IDS against
docs/checks.md and BULWARK_EXAMPLES (exit 1 on a problem).
"""
import re

# Trivy Dockerfile checks (ids as Trivy 0.76 prints them: DS-0001; older releases print DS001 / AVD-DS-0001).
TRIVY_DS = {
    "DS-0001": "base-image-unpinned", "DS-0002": "user-root", "DS-0004": "expose-ssh-port",
    "DS-0005": "add-instead-of-copy", "DS-0006": "copy-from-self", "DS-0007": "multiple-entrypoint",
    "DS-0008": "expose-port-range", "DS-0009": "workdir-relative", "DS-0010": "sudo",
    "DS-0011": "copy-dest-slash", "DS-0012": "duplicate-stage-alias", "DS-0013": "run-cd",
    "DS-0014": "wget-and-curl", "DS-0015": "yum-clean", "DS-0016": "multiple-cmd",
    "DS-0017": "update-alone", "DS-0019": "dnf-clean", "DS-0020": "zypper-clean",
    "DS-0021": "apt-get-yes", "DS-0022": "maintainer-deprecated", "DS-0023": "multiple-healthcheck",
    "DS-0024": "apt-dist-upgrade", "DS-0025": "apk-no-cache", "DS-0026": "healthcheck-missing",
    "DS-0027": "microdnf-clean", "DS-0029": "apt-no-install-recommends", "DS-0030": "workdir-system-dir",
    "DS-0031": "secret-in-env",
}

# Trivy Kubernetes checks (KSV-0001 …).
TRIVY_KSV = {
    "KSV-0001": "allow-privilege-escalation", "KSV-0002": "apparmor", "KSV-0003": "capabilities-drop-all",
    "KSV-0004": "capabilities-drop-all", "KSV-0005": "cap-sys-admin", "KSV-0006": "docker-sock",
    "KSV-0007": "host-aliases", "KSV-0008": "host-ipc", "KSV-0009": "host-network", "KSV-0010": "host-pid",
    "KSV-0011": "cpu-limits", "KSV-0012": "run-as-non-root", "KSV-0013": "image-tag-latest",
    "KSV-0014": "read-only-root-fs", "KSV-0015": "cpu-requests", "KSV-0016": "memory-requests",
    "KSV-0017": "privileged", "KSV-0018": "memory-limits", "KSV-0020": "run-as-high-uid",
    "KSV-0021": "run-as-high-gid", "KSV-0022": "capabilities-added", "KSV-0023": "host-path",
    "KSV-0024": "host-port", "KSV-0025": "selinux", "KSV-0026": "sysctls", "KSV-0027": "proc-mount",
    "KSV-0028": "volume-types", "KSV-0030": "seccomp", "KSV-0032": "trusted-registry",
    "KSV-0033": "trusted-registry", "KSV-0034": "trusted-registry", "KSV-0035": "trusted-registry",
    "KSV-0036": "automount-sa-token", "KSV-0037": "kube-system-namespace", "KSV-0038": "network-policy-selector",
    "KSV-0039": "limit-range", "KSV-0040": "resource-quota", "KSV-0041": "rbac-secrets", "KSV-0042": "rbac-logs",
    "KSV-0043": "rbac-impersonate", "KSV-0044": "rbac-wildcard", "KSV-0045": "rbac-wildcard",
    "KSV-0046": "rbac-wildcard", "KSV-0047": "rbac-nodes-proxy", "KSV-0048": "rbac-workloads",
    "KSV-0049": "rbac-configmaps", "KSV-0050": "rbac-escalate", "KSV-0051": "rbac-escalate",
    "KSV-0052": "rbac-escalate", "KSV-0053": "rbac-exec", "KSV-0054": "rbac-exec", "KSV-0055": "rbac-escalate",
    "KSV-0056": "rbac-network", "KSV-01010": "configmap-secrets", "KSV-01011": "rbac-system-authenticated",
    "KSV-0102": "tiller", "KSV-0103": "windows-host-process", "KSV-0104": "seccomp",
    "KSV-0105": "run-as-user-0", "KSV-0106": "capabilities-restricted", "KSV-0107": "deprecated-api",
    "KSV-0108": "service-external-ip", "KSV-0109": "configmap-secrets", "KSV-0110": "default-namespace",
    "KSV-0111": "rbac-admin", "KSV-0112": "rbac-wildcard", "KSV-0113": "rbac-secrets",
    "KSV-0114": "rbac-webhooks", "KSV-0115": "rbac-eks-auth", "KSV-0116": "root-group",
    "KSV-0117": "privileged-ports", "KSV-0118": "security-context-missing", "KSV-0119": "cap-net-raw-added",
    "KSV-0120": "cap-sys-module", "KSV-0121": "host-path-sensitive", "KSV-0122": "rbac-anonymous",
    "KSV-0123": "rbac-system-masters", "KSV-0124": "gatekeeper-repo", "KSV-0125": "trusted-registry",
}

# Checkov (3.x) Dockerfile, Kubernetes and secrets checks.
CHECKOV = {
    "CKV_DOCKER_1": "expose-ssh-port", "CKV_DOCKER_2": "healthcheck-missing", "CKV_DOCKER_3": "user-root",
    "CKV_DOCKER_4": "add-instead-of-copy", "CKV_DOCKER_5": "update-alone", "CKV_DOCKER_6": "maintainer-deprecated",
    "CKV_DOCKER_7": "base-image-unpinned", "CKV_DOCKER_8": "user-root", "CKV_DOCKER_9": "apt-not-apt-get",
    "CKV_DOCKER_10": "workdir-relative", "CKV_DOCKER_11": "duplicate-stage-alias",
    "CKV2_DOCKER_1": "sudo", "CKV2_DOCKER_17": "chpasswd",
    "CKV_K8S_8": "liveness-probe", "CKV_K8S_9": "readiness-probe", "CKV_K8S_10": "cpu-requests",
    "CKV_K8S_11": "cpu-limits", "CKV_K8S_12": "memory-requests", "CKV_K8S_13": "memory-limits",
    "CKV_K8S_14": "image-tag-latest", "CKV_K8S_15": "image-pull-policy", "CKV_K8S_16": "privileged",
    "CKV_K8S_17": "host-pid", "CKV_K8S_18": "host-ipc", "CKV_K8S_19": "host-network",
    "CKV_K8S_20": "allow-privilege-escalation", "CKV_K8S_21": "default-namespace", "CKV_K8S_22": "read-only-root-fs",
    "CKV_K8S_23": "run-as-non-root", "CKV_K8S_25": "capabilities-added", "CKV_K8S_26": "host-port",
    "CKV_K8S_27": "docker-sock", "CKV_K8S_28": "cap-net-raw-not-dropped", "CKV_K8S_29": "security-context-missing",
    "CKV_K8S_30": "security-context-missing", "CKV_K8S_31": "seccomp", "CKV_K8S_33": "dashboard",
    "CKV_K8S_34": "tiller", "CKV_K8S_35": "secrets-as-env", "CKV_K8S_37": "capabilities-drop-all",
    "CKV_K8S_38": "automount-sa-token", "CKV_K8S_39": "cap-sys-admin", "CKV_K8S_40": "run-as-high-uid",
    "CKV_K8S_41": "default-service-account", "CKV_K8S_42": "default-service-account", "CKV_K8S_43": "image-digest",
    "CKV_K8S_44": "tiller", "CKV_K8S_45": "tiller", "CKV_K8S_49": "rbac-wildcard", "CKV_K8S_152": "ingress-snippets",
    "CKV_K8S_153": "ingress-snippets", "CKV_K8S_154": "ingress-snippets", "CKV_K8S_155": "rbac-webhooks",
    "CKV_K8S_156": "rbac-csr", "CKV_K8S_157": "rbac-escalate", "CKV_K8S_158": "rbac-escalate",
    "CKV_K8S_159": "git-sync", "CKV2_K8S_1": "rbac-escalate", "CKV2_K8S_2": "rbac-exec",
    "CKV2_K8S_3": "rbac-impersonate", "CKV2_K8S_4": "rbac-services-status", "CKV2_K8S_5": "rbac-secrets",
    "CKV2_K8S_6": "network-policy",
}
# Checkov id ranges that share one control: PodSecurityPolicy objects, control-plane flags, TLS/signature bypasses.
CHECKOV_RANGES = [
    (r"CKV_K8S_([1-7]|24|32|36)$", "psp"),
    (r"CKV_K8S_([6-9]\d|1[0-4]\d|15[01])$", "control-plane-flags"),
    (r"CKV2_DOCKER_([2-6]|1[2-6])$", "tls-verify-disabled"),
    (r"CKV2_DOCKER_([7-9]|1[01])$", "unsigned-packages"),
]

# Hadolint rule codes. SC* (ShellCheck) are grouped as `shellcheck`.
HADOLINT = {
    "DL3000": "workdir-relative", "DL3001": "pointless-command", "DL3002": "user-root", "DL3003": "run-cd",
    "DL3004": "sudo", "DL3005": "apt-upgrade", "DL3006": "base-image-unpinned", "DL3007": "base-image-unpinned",
    "DL3008": "apt-pin-versions", "DL3009": "apt-lists-not-deleted", "DL3010": "add-for-archives",
    "DL3011": "expose-port-range", "DL3012": "multiple-healthcheck", "DL3013": "pip-pin-versions",
    "DL3014": "apt-get-yes", "DL3015": "apt-no-install-recommends", "DL3016": "npm-pin-versions",
    "DL3018": "apk-pin-versions", "DL3019": "apk-no-cache", "DL3020": "add-instead-of-copy",
    "DL3021": "copy-dest-slash", "DL3022": "copy-from-undefined", "DL3023": "copy-from-self",
    "DL3024": "duplicate-stage-alias", "DL3025": "exec-form", "DL3026": "trusted-registry",
    "DL3027": "apt-not-apt-get", "DL3028": "gem-pin-versions", "DL3029": "from-platform", "DL3030": "yum-yes",
    "DL3032": "yum-clean", "DL3033": "yum-pin-versions", "DL3034": "zypper-yes", "DL3035": "zypper-dist-upgrade",
    "DL3036": "zypper-clean", "DL3037": "zypper-pin-versions", "DL3038": "dnf-yes", "DL3040": "dnf-clean",
    "DL3041": "dnf-pin-versions", "DL3042": "pip-no-cache", "DL3043": "onbuild-forbidden",
    "DL3044": "env-self-reference", "DL3045": "copy-relative-no-workdir", "DL3046": "useradd-no-l",
    "DL3047": "wget-progress", "DL3048": "label-invalid", "DL3049": "label-missing", "DL3050": "label-extra",
    "DL3051": "label-invalid", "DL3052": "label-invalid", "DL3053": "label-invalid", "DL3054": "label-invalid",
    "DL3055": "label-invalid", "DL3056": "label-invalid", "DL3057": "healthcheck-missing",
    "DL3058": "label-invalid", "DL3059": "consecutive-run", "DL3060": "yarn-cache", "DL3061": "instruction-order",
    "DL3062": "go-pin-versions", "DL3064": "secret-in-env", "DL4000": "maintainer-deprecated",
    "DL4001": "wget-and-curl", "DL4003": "multiple-cmd", "DL4004": "multiple-entrypoint", "DL4005": "shell-via-ln",
    "DL4006": "pipefail",
}

# Secret kinds: first matching regex (on a lower-cased "rule id / category / title" string) wins.
SECRET_KINDS = [
    (r"ckv_secret_2$|aws.*(access.?key.?id|akia)|aws-access-key", "aws-access-key"),
    (r"aws.*secret", "aws-secret-key"),
    (r"ckv_secret_13$|private.?key|rsa|openssh|pkcs|pgp|\bec\b.*key|dsa", "private-key"),
    (r"github", "github-token"),
    (r"gitlab", "gitlab-token"),
    (r"bitbucket", "bitbucket-token"),
    (r"ckv_secret_9$|jwt|json web token", "jwt"),
    (r"ckv_secret_14$|slack", "slack-token"),
    (r"ckv_secret_17$|stripe", "stripe-key"),
    (r"ckv_secret_18$|twilio", "twilio-key"),
    (r"sendgrid", "sendgrid-key"),
    (r"mailgun", "mailgun-key"),
    (r"ckv_secret_11$|mailchimp", "mailchimp-key"),
    (r"openai", "openai-key"),
    (r"ckv_secret_12$|npm", "npm-token"),
    (r"pypi", "pypi-token"),
    (r"rubygems", "rubygems-token"),
    (r"docker.?config|dockerconfig|docker.*auth", "docker-auth"),
    (r"gcp|google|service.?account", "gcp-credentials"),
    (r"ckv_secret_3$|azure", "azure-key"),
    (r"ckv_secret_1$|artifactory", "artifactory"),
    (r"ckv_secret_(5|7|8|15|16)$", "other-provider"),
    (r"database|postgres|mysql|mongodb|redis.*url|connection.?string", "database-url"),
    (r"ckv_secret_4$|basic.?auth", "basic-auth"),
    (r"ckv_secret_(6|19)$|entropy", "high-entropy-string"),
    (r"password|passwd|secret|token|credential|api.?key", "password-assignment"),
]

_NOT_DROPPED = r"does not drop all"

# Bulwark check id -> control(s); the first place a Bulwark finding is looked up (docs/checks.md lists the ids).
# A value is one control name, or a list whose items are either a control name (always applies) or a pair
# (regex, control) that applies when the regex matches the finding's lower-cased message. One finding may so
# count for several controls, but only where its message names them ("no cpu or memory limits" -> both, "no
# memory limits" -> memory only). An id whose rules all miss maps to `unmapped:<id> <message>`, so a new
# message shape shows up in the report instead of being counted wrongly.
BULWARK_IDS = {
    # Image (config, history, files): family image-config.
    "BW-IMG-001": "user-root", "BW-IMG-002": "healthcheck-missing", "BW-IMG-003": "add-instead-of-copy",
    "BW-IMG-004": "update-alone", "BW-IMG-005": "setuid-files", "BW-IMG-006": "shadow-hashes",
    "BW-IMG-007": "empty-password", "BW-IMG-008": "credential-file", "BW-IMG-009": "git-repo",
    "BW-IMG-010": "package-cache", "BW-IMG-011": "build-toolchain", "BW-IMG-012": "sshd-installed",
    "BW-IMG-013": "expose-ssh-port", "BW-IMG-014": "secret-in-env", "BW-IMG-015": "sudo-installed",
    # Dockerfile: the control of the Hadolint rule each check mirrors (HADOLINT above), else its own.
    "BW-DF-001": "workdir-relative", "BW-DF-002": "user-root", "BW-DF-003": "run-cd", "BW-DF-004": "sudo",
    "BW-DF-005": "base-image-unpinned", "BW-DF-006": "base-image-unpinned", "BW-DF-007": "apt-pin-versions",
    "BW-DF-008": "apt-lists-not-deleted", "BW-DF-009": "pip-pin-versions", "BW-DF-010": "apt-get-yes",
    "BW-DF-011": "apt-no-install-recommends", "BW-DF-012": "npm-pin-versions", "BW-DF-013": "apk-pin-versions",
    "BW-DF-014": "apk-no-cache", "BW-DF-015": "add-instead-of-copy", "BW-DF-016": "copy-from-undefined",
    "BW-DF-017": "exec-form", "BW-DF-018": "apt-not-apt-get", "BW-DF-019": "pip-no-cache",
    "BW-DF-020": "maintainer-deprecated", "BW-DF-021": "multiple-cmd", "BW-DF-022": "multiple-entrypoint",
    "BW-DF-023": "pipefail", "BW-DF-024": "expose-port-range", "BW-DF-025": "duplicate-stage-alias",
    "BW-DF-026": "copy-relative-no-workdir", "BW-DF-027": "pointless-command", "BW-DF-028": "user-root",
    "BW-DF-029": "healthcheck-missing", "BW-DF-030": "update-alone", "BW-DF-031": "expose-ssh-port",
    "BW-DF-032": "secret-in-env", "BW-DF-033": "add-url-unverified", "BW-DF-034": "remote-script-piped",
    "BW-DF-035": "syntax-error", "BW-DF-036": "secret-in-env",
    # Kubernetes.
    "BW-K8S-001": "windows-host-process",
    "BW-K8S-002": [(r"hostnetwork", "host-network"), (r"hostpid", "host-pid"), (r"hostipc", "host-ipc")],
    "BW-K8S-003": "privileged",
    "BW-K8S-004": ["capabilities-added", (r"\bsys_admin\b", "cap-sys-admin"), (r"\bnet_raw\b", "cap-net-raw-added"), (r"\bnet_raw\b", "cap-net-raw-not-dropped"),
                   (r"\bsys_module\b", "cap-sys-module")],
    # Sensitive host paths are BW-K8S-033's (its list is wider than Trivy KSV-0121's exact set: /, /boot, /dev,
    # /etc, /lib, /proc, /sys, /usr, /var/lib/docker).
    "BW-K8S-005": ["host-path", (r"docker\.sock", "docker-sock")],
    "BW-K8S-006": "host-port", "BW-K8S-007": "apparmor", "BW-K8S-008": "selinux", "BW-K8S-009": "proc-mount",
    "BW-K8S-010": "seccomp", "BW-K8S-011": "sysctls", "BW-K8S-012": "probe-other-host",
    "BW-K8S-013": "volume-types", "BW-K8S-014": "allow-privilege-escalation", "BW-K8S-015": "run-as-non-root",
    "BW-K8S-016": "run-as-user-0", "BW-K8S-017": "seccomp",
    # "does not drop ALL" fails the restricted capabilities rule and leaves NET_RAW in (Checkov CKV_K8S_28,
    # not Trivy KSV-0119, which fires only when NET_RAW is added); "adds X" fails the restricted rule only.
    "BW-K8S-018": [(_NOT_DROPPED, "capabilities-drop-all"), (_NOT_DROPPED, "cap-net-raw-not-dropped"),
                   (_NOT_DROPPED + r"|adds capabilit", "capabilities-restricted")],
    "BW-K8S-019": [(r"\bcpu\b", "cpu-limits"), (r"\bmemory\b", "memory-limits")],
    "BW-K8S-020": [(r"\bcpu\b", "cpu-requests"), (r"\bmemory\b", "memory-requests")],
    "BW-K8S-021": "read-only-root-fs", "BW-K8S-022": "automount-sa-token", "BW-K8S-023": "image-digest",
    "BW-K8S-024": "image-tag-latest",
    "BW-K8S-025": ["run-as-non-root", (r"runasuser: 0\b", "run-as-user-0")],
    "BW-K8S-026": "default-namespace", "BW-K8S-027": "network-policy",
    "BW-K8S-028": "run-as-high-uid", "BW-K8S-029": "run-as-high-gid",
    "BW-K8S-030": [(r"no livenessprobe", "liveness-probe"), (r"no readinessprobe", "readiness-probe")],
    "BW-K8S-031": "secrets-as-env", "BW-K8S-032": "privileged-ports", "BW-K8S-033": "host-path-sensitive",
    # RBAC: the message names the permissions granted ("Role rule 2 can run code in pods: create on pods/exec").
    "BW-K8S-034": "rbac-wildcard", "BW-K8S-035": "rbac-secrets", "BW-K8S-036": "rbac-exec",
    "BW-K8S-037": [(r"\b(bind|escalate)\b", "rbac-escalate"), (r"\bimpersonate\b", "rbac-impersonate"),
                   (r"nodes/proxy", "rbac-nodes-proxy"), (r"serviceaccounts/token", "rbac-escalate")],
    "BW-K8S-038": "rbac-webhooks", "BW-K8S-039": "rbac-network", "BW-K8S-040": "rbac-admin",
    "BW-K8S-041": [(r"anyone who can reach", "rbac-anonymous"),
                   (r"every authenticated account", "rbac-system-authenticated")],
    # Dockerfile: verification turned off (package signatures; TLS certificates at build time or in ENV).
    "BW-DF-037": "unsigned-packages", "BW-DF-038": "tls-verify-disabled", "BW-DF-039": "tls-verify-disabled",
}

# Messages as Bulwark prints them (bench/out/config/raw; the BW-K8S-004 one in the same shape) and the controls
# they must map to: checked by `python3 bench/config_map.py` and at the top of every report.
BULWARK_EXAMPLES = [
    ("BW-DF-028", "final stage FROM debian:latest never sets USER; it runs as root", {"user-root"}),
    ("BW-DF-006", 'FROM debian:latest uses the latest tag', {"base-image-unpinned"}),
    ("BW-K8S-019", 'container "app" has no cpu or memory limits', {"cpu-limits", "memory-limits"}),
    ("BW-K8S-019", 'container "master" has no memory limits', {"memory-limits"}),
    ("BW-K8S-020", 'container "app" has no cpu or memory requests', {"cpu-requests", "memory-requests"}),
    ("BW-K8S-018", 'container "app" does not drop ALL capabilities',
     {"capabilities-drop-all", "cap-net-raw-not-dropped", "capabilities-restricted"}),
    ("BW-K8S-018", 'container "node-exporter" adds capabilities SYS_TIME', {"capabilities-restricted"}),
    ("BW-K8S-004", 'container "x" adds capabilities NET_RAW, SYS_ADMIN',
     {"capabilities-added", "cap-net-raw-added", "cap-net-raw-not-dropped", "cap-sys-admin"}),
    ("BW-K8S-005", 'volume "boot-vol" mounts host path "/boot"', {"host-path"}),
    ("BW-K8S-005", 'volume "modules-vol" mounts host path "/lib/modules"', {"host-path"}),
    ("BW-K8S-005", 'volume "docker-sock" mounts host path "/var/run/docker.sock"', {"host-path", "docker-sock"}),
    ("BW-K8S-002", "pod sets hostPID: true", {"host-pid"}),
    ("BW-K8S-030", 'container "server" has no livenessProbe and no readinessProbe', {"liveness-probe", "readiness-probe"}),
    ("BW-K8S-030", 'container "server" has no readinessProbe', {"readiness-probe"}),
    ("BW-K8S-025", 'container "app" runs as root (runAsUser: 0)', {"run-as-non-root", "run-as-user-0"}),
    ("BW-K8S-025", 'container "busybox" sets neither runAsNonRoot: true nor a non-zero runAsUser',
     {"run-as-non-root"}),
]

# Fallback for Bulwark checks missing from BULWARK_IDS (user Rego checks, ids added since): per family,
# first matching regex on the lower-cased "check id / title / message" wins; the report lists such ids.
KUBERNETES_TITLES = [
    (r"hostnetwork|host network", "host-network"),
    (r"hostpid|host pid|host process id", "host-pid"),
    (r"hostipc|host ipc", "host-ipc"),
    (r"docker\.sock|docker socket", "docker-sock"),
    (r"hostpath", "host-path"),
    (r"hostport|host port", "host-port"),
    (r"privileged port", "privileged-ports"),
    (r"privileged", "privileged"),
    (r"allowprivilegeescalation|privilege escalation", "allow-privilege-escalation"),
    (r"runasuser.*\b0\b|uid 0|runasuser: 0", "run-as-user-0"),
    (r"runasnonroot|non-?root|as root", "run-as-non-root"),
    (r"sys_admin", "cap-sys-admin"),
    (r"net_raw", "cap-net-raw-not-dropped"),
    (r"drop.*all|not dropped", "capabilities-drop-all"),
    (r"capabilit", "capabilities-added"),
    (r"seccomp", "seccomp"),
    (r"apparmor", "apparmor"),
    (r"selinux", "selinux"),
    (r"sysctl", "sysctls"),
    (r"procmount|/proc mount", "proc-mount"),
    (r"volume type", "volume-types"),
    (r"readonlyrootfilesystem|read-only root", "read-only-root-fs"),
    (r"cpu limit", "cpu-limits"),
    (r"memory limit", "memory-limits"),
    (r"cpu request", "cpu-requests"),
    (r"memory request", "memory-requests"),
    (r"digest", "image-digest"),
    (r"latest|untagged|image tag", "image-tag-latest"),
    (r"automountserviceaccounttoken|service ?account token", "automount-sa-token"),
    (r"networkpolicy|network policy", "network-policy"),
    (r"default namespace", "default-namespace"),
    (r"liveness", "liveness-probe"),
    (r"readiness", "readiness-probe"),
]
DOCKERFILE_TITLES = [
    (r"healthcheck", "healthcheck-missing"),
    (r"port 22|\bssh", "expose-ssh-port"),
    (r"\badd\b", "add-instead-of-copy"),
    (r"update.*alone|alone.*update", "update-alone"),
    (r"\buser\b|root", "user-root"),
    (r"latest|untagged|not pinned|unpinned", "base-image-unpinned"),
    (r"sudo", "sudo"),
    (r"setuid|setgid", "setuid-files"),
    (r"shadow|private key|\.git\b|sensitive file", "sensitive-file"),
    (r"sshd", "sshd-installed"),
    (r"cache|clutter|toolchain", "clutter"),
    (r"secret|password|credential|token", "secret-in-env"),
]
TITLE_TABLES = {"kubernetes": KUBERNETES_TITLES, "dockerfile": DOCKERFILE_TITLES, "image-config": DOCKERFILE_TITLES}


def canonical_trivy_id(raw):
    """`AVD-DS-0001`, `DS001`, `ds-0001` -> `DS-0001` (KSV likewise)."""
    m = re.match(r"(?:AVD-)?(DS|KSV)-?(\d+)$", raw.strip().upper())
    if not m:
        return raw.strip().upper()
    num = m.group(2)
    return f"{m.group(1)}-{num.zfill(4) if len(num) < 4 else num}"


def peer_control(tool, check_id):
    """The control a peer's check id maps to, or `unmapped:<id>`."""
    if tool == "trivy":
        cid = canonical_trivy_id(check_id)
        control = TRIVY_DS.get(cid) or TRIVY_KSV.get(cid)
        return control or f"unmapped:{cid}"
    if tool == "checkov":
        if check_id in CHECKOV:
            return CHECKOV[check_id]
        for pattern, control in CHECKOV_RANGES:
            if re.match(pattern, check_id):
                return control
        if check_id.startswith("CKV_SECRET"):
            return secret_kind(check_id)
        return f"unmapped:{check_id}"
    if tool == "hadolint":
        if check_id.startswith("SC"):
            return "shellcheck"
        return HADOLINT.get(check_id, f"unmapped:{check_id}")
    return f"unmapped:{check_id}"


def secret_kind(text):
    """Secret kind for a rule id / category / title (any tool)."""
    low = text.lower()
    for pattern, kind in SECRET_KINDS:
        if re.search(pattern, low):
            return kind
    return f"unmapped:{text}"


def peer_has_check(tool, family, control):
    """Whether a peer has any check mapping to this control (None for secrets, which every tool may name)."""
    if family == "secret":
        return None
    if tool == "trivy":
        return control in TRIVY_DS.values() or control in TRIVY_KSV.values()
    if tool == "checkov":
        return control in CHECKOV.values() or any(c == control for _, c in CHECKOV_RANGES)
    if tool == "hadolint":
        return family == "dockerfile" and (control in HADOLINT.values() or control == "shellcheck")
    return False


def bulwark_has_check(control):
    """Whether any Bulwark check id in BULWARK_IDS can map to this control."""
    for rules in BULWARK_IDS.values():
        for rule in [rules] if isinstance(rules, str) else rules:
            if (rule if isinstance(rule, str) else rule[1]) == control:
                return True
    return False


def bulwark_id_controls(check_id, message):
    """Controls of a Bulwark check id in BULWARK_IDS for this message: a list, None when the id is not in the table."""
    rules = BULWARK_IDS.get(check_id)
    if rules is None:
        return None
    if isinstance(rules, str):
        return [rules]
    low = (message or "").lower()
    out = []
    for rule in rules:
        control = rule if isinstance(rule, str) else (rule[1] if re.search(rule[0], low) else None)
        if control and control not in out:
            out.append(control)
    return out or [f"unmapped:{check_id} {message}"]


def bulwark_controls(finding, family):
    """Controls of a Bulwark misconfiguration and whether BULWARK_IDS gave them: by check id first, else its
    Hadolint mapping, else its title/message (TITLE_TABLES), else `unmapped:`."""
    by_id = bulwark_id_controls(finding.get("check_id", ""), finding.get("message", ""))
    if by_id is not None:
        return by_id, True
    for m in finding.get("mappings") or []:
        if m.get("framework") == "hadolint":
            code = m.get("control", "").split()[0] if m.get("control") else ""
            if code in HADOLINT:
                return [HADOLINT[code]], False
    text = " ".join(str(finding.get(k) or "") for k in ("check_id", "title", "message")).lower()
    for pattern, control in TITLE_TABLES.get(family, []):
        if re.search(pattern, text):
            return [control], False
    return [f"unmapped:{finding.get('check_id')} {finding.get('title')}"], False


def documented_ids(checks_md):
    """Check ids listed in docs/checks.md (first column of its tables), in order; [] when it cannot be read."""
    try:
        with open(checks_md) as f:
            return [m.group(1) for m in re.finditer(r"^\| (BW-[A-Z0-9]+-\d+) \|", f.read(), re.M)]
    except OSError:
        return []


def self_check(checks_md):
    """Problems of BULWARK_IDS: documented ids it lacks, ids it has that are not documented, examples that map
    wrongly. Empty when all is well."""
    problems = []
    documented = documented_ids(checks_md)
    if not documented:
        problems.append(f"{checks_md}: no check ids found")
    problems += [f"{cid}: documented in {checks_md} but not in BULWARK_IDS" for cid in documented
                 if cid not in BULWARK_IDS]
    if documented:
        problems += [f"{cid}: in BULWARK_IDS but not documented in {checks_md}" for cid in BULWARK_IDS
                     if cid not in documented]
    for cid, message, want in BULWARK_EXAMPLES:
        got = set(bulwark_id_controls(cid, message) or [])
        if got != want:
            problems.append(f"{cid} {message!r}: maps to {sorted(got)}, expected {sorted(want)}")
    for cid, rules in BULWARK_IDS.items():
        for rule in [rules] if isinstance(rules, str) else rules:
            if not isinstance(rule, str) and not (isinstance(rule, tuple) and len(rule) == 2):
                problems.append(f"{cid}: rule {rule!r} is neither a control nor a (regex, control) pair")
    return problems


if __name__ == "__main__":
    import os
    import sys
    here = os.path.dirname(os.path.abspath(__file__))
    md = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "docs", "checks.md")
    found = self_check(md)
    for p in found:
        print(p)
    print(f"{len(BULWARK_IDS)} Bulwark ids mapped, {len(BULWARK_EXAMPLES)} examples, {len(found)} problem(s)")
    sys.exit(1 if found else 0)
