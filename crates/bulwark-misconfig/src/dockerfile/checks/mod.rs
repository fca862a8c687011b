//! The built-in Dockerfile checks: one table of metadata and functions (`BW-DF-001` …), mapped to the
//! Hadolint rules they correspond to and to CIS Docker Benchmark / NIST SP 800-190 controls where they apply.

mod packages;
mod run;
mod stages;
mod values;
mod verify;
mod written;

use super::parser::{Dockerfile, Instruction};
use super::shell::Script;
use crate::check::{Check, CheckMeta, Hit};
use bulwark_types::Framework::{CisDocker, Hadolint, Nist800190};
use bulwark_types::Level::{High, Low, Medium};

/// NIST SP 800-190 §4.1.2: image configuration defects.
const NIST_CONFIG: &str = "4.1.2 Image configuration defects";
/// NIST SP 800-190 §4.1.3: embedded malware.
const NIST_MALWARE: &str = "4.1.3 Embedded malware";
/// NIST SP 800-190 §4.1.4: embedded clear text secrets.
const NIST_SECRETS: &str = "4.1.4 Embedded clear text secrets";
/// NIST SP 800-190 §4.1.5: use of untrusted images.
const NIST_UNTRUSTED: &str = "4.1.5 Use of untrusted images";

/// Builds one table entry.
macro_rules! check {
    ($id:literal, $severity:expr, $title:literal, $description:literal, $remediation:literal,
     [$($framework:expr => $control:expr),* $(,)?], [$($reference:literal),* $(,)?], $run:expr) => {
        Check {
            meta: CheckMeta {
                id: $id,
                title: $title,
                severity: $severity,
                description: $description,
                remediation: $remediation,
                mappings: &[$(($framework, $control)),*],
                references: &[$($reference),*],
            },
            run: $run,
        }
    };
}

/// Every built-in Dockerfile check.
pub const CHECKS: &[Check<Dockerfile>] = &[
    check!("BW-DF-001", Medium, "WORKDIR path is not absolute",
        "A relative WORKDIR depends on the WORKDIR before it (or the base image's), which makes the build hard to follow and easy to break.",
        "Use an absolute path: WORKDIR /app.",
        [Hadolint => "DL3000"], ["https://github.com/hadolint/hadolint/wiki/DL3000"], stages::relative_workdir),
    check!("BW-DF-002", High, "Last USER is root",
        "The final image runs as root: a process that escapes or is compromised has root inside the container and an easier path to the host.",
        "Switch to an unprivileged user at the end: USER app (or a numeric UID).",
        [Hadolint => "DL3002", CisDocker => "4.1", Nist800190 => NIST_CONFIG],
        ["https://github.com/hadolint/hadolint/wiki/DL3002"], stages::last_user_root),
    check!("BW-DF-003", Low, "RUN changes directory with cd",
        "cd in RUN only lasts for that RUN; later instructions silently run elsewhere.",
        "Set the directory with WORKDIR instead of cd.",
        [Hadolint => "DL3003"], ["https://github.com/hadolint/hadolint/wiki/DL3003"], run::cd),
    check!("BW-DF-004", High, "RUN uses sudo",
        "sudo has unpredictable TTY and signal behaviour in builds, and its presence in an image is a privilege-escalation path.",
        "Drop sudo: RUN already runs as the current USER; switch USER around the steps that need root.",
        [Hadolint => "DL3004", Nist800190 => NIST_CONFIG], ["https://github.com/hadolint/hadolint/wiki/DL3004"], run::sudo),
    check!("BW-DF-005", Medium, "Base image has no tag",
        "FROM without a tag or digest means whatever :latest is at build time: builds are not reproducible and can pick up an untrusted or broken image.",
        "Pin the base image by tag, better by digest: FROM debian:12.5@sha256:….",
        [Hadolint => "DL3006", CisDocker => "4.2", Nist800190 => NIST_UNTRUSTED],
        ["https://github.com/hadolint/hadolint/wiki/DL3006"], stages::untagged_base),
    check!("BW-DF-006", Medium, "Base image pinned to \"latest\"",
        "The latest tag moves: builds are not reproducible and can pick up an untrusted or broken image.",
        "Pin the base image to a release tag, better to a digest.",
        [Hadolint => "DL3007", CisDocker => "4.2", Nist800190 => NIST_UNTRUSTED],
        ["https://github.com/hadolint/hadolint/wiki/DL3007"], stages::latest_base),
    check!("BW-DF-007", Low, "apt-get install without pinned versions",
        "Unpinned packages make builds unreproducible and can bring in new, untested versions.",
        "Pin versions: apt-get install curl=7.88.1-10+deb12u5.",
        [Hadolint => "DL3008"], ["https://github.com/hadolint/hadolint/wiki/DL3008"], packages::apt_unpinned),
    check!("BW-DF-008", Low, "apt lists not deleted after apt-get update",
        "The package lists apt-get update downloads stay in the image layer: tens of megabytes of clutter.",
        "End the same RUN with rm -rf /var/lib/apt/lists/* (or use a cache mount).",
        [Hadolint => "DL3009", CisDocker => "4.3"], ["https://github.com/hadolint/hadolint/wiki/DL3009"], packages::apt_lists_kept),
    check!("BW-DF-009", Low, "pip install without pinned versions",
        "Unpinned Python packages make builds unreproducible and can bring in new, untested or malicious releases.",
        "Pin versions (pip install requests==2.32.3) or install from a pinned requirements file.",
        [Hadolint => "DL3013"], ["https://github.com/hadolint/hadolint/wiki/DL3013"], packages::pip_unpinned),
    check!("BW-DF-010", Medium, "apt-get install without -y",
        "Without -y apt-get asks for confirmation, which a non-interactive build cannot give.",
        "Add -y (or --yes / --assume-yes).",
        [Hadolint => "DL3014"], ["https://github.com/hadolint/hadolint/wiki/DL3014"], packages::apt_no_yes),
    check!("BW-DF-011", Low, "apt-get install without --no-install-recommends",
        "Recommended packages are installed too: more software, more attack surface, bigger image.",
        "Add --no-install-recommends and list what you need.",
        [Hadolint => "DL3015", CisDocker => "4.3"], ["https://github.com/hadolint/hadolint/wiki/DL3015"], packages::apt_recommends),
    check!("BW-DF-012", Low, "npm install without pinned versions",
        "Unpinned npm packages make builds unreproducible and can bring in new, untested or malicious releases.",
        "Pin versions (npm install express@4.19.2), or use npm ci with a lockfile.",
        [Hadolint => "DL3016"], ["https://github.com/hadolint/hadolint/wiki/DL3016"], packages::npm_unpinned),
    check!("BW-DF-013", Low, "apk add without pinned versions",
        "Unpinned Alpine packages make builds unreproducible.",
        "Pin versions: apk add curl=8.5.0-r0.",
        [Hadolint => "DL3018"], ["https://github.com/hadolint/hadolint/wiki/DL3018"], packages::apk_unpinned),
    check!("BW-DF-014", Low, "apk add without --no-cache",
        "The apk index stays in the layer: clutter that later layers cannot remove.",
        "Use apk add --no-cache.",
        [Hadolint => "DL3019", CisDocker => "4.3"], ["https://github.com/hadolint/hadolint/wiki/DL3019"], packages::apk_cache),
    check!("BW-DF-015", Low, "ADD used where COPY serves",
        "ADD also fetches URLs and unpacks archives; for plain files and directories that magic is only a surprise waiting to happen.",
        "Use COPY for local files and directories.",
        [Hadolint => "DL3020", CisDocker => "4.9", Nist800190 => NIST_CONFIG],
        ["https://github.com/hadolint/hadolint/wiki/DL3020"], values::add_local),
    check!("BW-DF-016", Medium, "COPY --from names no earlier stage",
        "COPY --from names neither a stage defined before it nor a tagged image: the build fails or pulls an unintended image.",
        "Name an earlier stage (FROM … AS build; COPY --from=build …) or a full image reference with a tag.",
        [Hadolint => "DL3022"], ["https://github.com/hadolint/hadolint/wiki/DL3022"], stages::copy_from_unknown),
    check!("BW-DF-017", Low, "CMD or ENTRYPOINT in shell form",
        "Shell form runs the process under /bin/sh -c: it is not PID 1 and does not receive SIGTERM, so containers stop uncleanly.",
        "Use exec form: CMD [\"executable\", \"arg\"].",
        [Hadolint => "DL3025"], ["https://github.com/hadolint/hadolint/wiki/DL3025"], stages::shell_form_cmd),
    check!("BW-DF-018", Low, "apt used instead of apt-get",
        "apt's command-line interface is not stable for scripts and warns so.",
        "Use apt-get or apt-cache.",
        [Hadolint => "DL3027"], ["https://github.com/hadolint/hadolint/wiki/DL3027"], packages::apt_not_apt_get),
    check!("BW-DF-019", Low, "pip install without --no-cache-dir",
        "pip's download cache stays in the layer: clutter.",
        "Add --no-cache-dir (or set ENV PIP_NO_CACHE_DIR=1, or use a cache mount).",
        [Hadolint => "DL3042", CisDocker => "4.3"], ["https://github.com/hadolint/hadolint/wiki/DL3042"], packages::pip_cache),
    check!("BW-DF-020", Low, "MAINTAINER is deprecated",
        "MAINTAINER is deprecated since Docker 1.13.",
        "Use LABEL org.opencontainers.image.authors=\"…\".",
        [Hadolint => "DL4000"], ["https://github.com/hadolint/hadolint/wiki/DL4000"], stages::maintainer),
    check!("BW-DF-021", Medium, "Several CMD instructions in one stage",
        "Only the last CMD of a stage takes effect; the others mislead readers.",
        "Keep one CMD per stage.",
        [Hadolint => "DL4003"], ["https://github.com/hadolint/hadolint/wiki/DL4003"], stages::multiple_cmd),
    check!("BW-DF-022", Medium, "Several ENTRYPOINT instructions in one stage",
        "Only the last ENTRYPOINT of a stage takes effect; the others mislead readers.",
        "Keep one ENTRYPOINT per stage.",
        [Hadolint => "DL4004"], ["https://github.com/hadolint/hadolint/wiki/DL4004"], stages::multiple_entrypoint),
    check!("BW-DF-023", Medium, "Pipe in RUN without pipefail",
        "A shell pipeline's status is that of its last command: a failing download in curl … | tar x goes unnoticed and the build succeeds with a broken image.",
        "Set SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] before the RUN, or start the script with set -o pipefail.",
        [Hadolint => "DL4006"], ["https://github.com/hadolint/hadolint/wiki/DL4006"], run::pipe_without_pipefail),
    check!("BW-DF-024", Medium, "EXPOSE with an invalid port",
        "EXPOSE names a port outside 0–65535 (or an unknown protocol): the build fails or the metadata is wrong.",
        "Expose ports 0–65535, optionally with /tcp, /udp or /sctp.",
        [Hadolint => "DL3011"], ["https://github.com/hadolint/hadolint/wiki/DL3011"], values::invalid_port),
    check!("BW-DF-025", Medium, "Stage name used twice",
        "Two stages share an AS name: COPY --from and FROM references resolve to only one of them.",
        "Give every stage its own name.",
        [Hadolint => "DL3024"], ["https://github.com/hadolint/hadolint/wiki/DL3024"], stages::duplicate_alias),
    check!("BW-DF-026", Low, "COPY to a relative path without WORKDIR",
        "A relative COPY destination lands in whatever directory the base image set — often /.",
        "Set WORKDIR first or copy to an absolute path.",
        [Hadolint => "DL3045"], ["https://github.com/hadolint/hadolint/wiki/DL3045"], stages::copy_relative_without_workdir),
    check!("BW-DF-027", Low, "RUN uses an interactive or host-level command",
        "ssh, vim, shutdown, service, ps, free, top, kill, mount and ifconfig make no sense in an image build; their presence usually means the image is treated like a VM.",
        "Remove the command; configure services through the entrypoint, not an init system.",
        [Hadolint => "DL3001", CisDocker => "4.3"], ["https://github.com/hadolint/hadolint/wiki/DL3001"], run::pointless_command),
    check!("BW-DF-028", High, "No USER instruction",
        "The final stage (and the stages it builds on) never sets USER, so the container runs as root unless the base image chose otherwise.",
        "Create an unprivileged user and switch to it: RUN useradd -r app && USER app.",
        [CisDocker => "4.1", Nist800190 => NIST_CONFIG],
        ["https://docs.docker.com/reference/dockerfile/#user"], stages::no_user),
    check!("BW-DF-029", Low, "No HEALTHCHECK instruction",
        "Without HEALTHCHECK the engine cannot tell a hung container from a healthy one.",
        "Add HEALTHCHECK CMD [\"/app/healthcheck\"] (or a cheap HTTP probe).",
        [Hadolint => "DL3057", CisDocker => "4.6", Nist800190 => NIST_CONFIG],
        ["https://docs.docker.com/reference/dockerfile/#healthcheck"], stages::no_healthcheck),
    check!("BW-DF-030", Medium, "Package index update alone in a RUN",
        "An update in its own RUN is cached as a layer: later installs use a stale index and miss security fixes.",
        "Update and install in the same RUN: apt-get update && apt-get install -y … .",
        [CisDocker => "4.7", Nist800190 => "4.1.1 Image vulnerabilities"],
        ["https://docs.docker.com/build/building/best-practices/#apt-get"], run::update_alone),
    check!("BW-DF-031", Medium, "Port 22 exposed",
        "Exposing SSH suggests an SSH daemon in the container: another service to attack and to keep patched.",
        "Remove EXPOSE 22 and sshd; use docker exec / kubectl exec for access.",
        [CisDocker => "5.6", Nist800190 => NIST_CONFIG], [], values::ssh_port),
    check!("BW-DF-032", High, "Secret in ENV or ARG",
        "A password, token or key given a literal value in ENV or ARG is stored in the image config and history, readable by anyone who can pull the image.",
        "Pass secrets at run time (orchestrator secrets, mounted files) or at build time with RUN --mount=type=secret.",
        [Hadolint => "DL3064", CisDocker => "4.10", Nist800190 => NIST_SECRETS],
        ["https://docs.docker.com/build/building/secrets/"], values::secret_value),
    check!("BW-DF-033", Medium, "ADD downloads a URL without a checksum",
        "ADD fetches the URL at build time without verifying it: a compromised or changed download goes into the image.",
        "Use ADD --checksum=sha256:… <url>, or download with curl and verify the checksum in the same RUN.",
        [CisDocker => "4.9", Nist800190 => NIST_MALWARE], ["https://docs.docker.com/reference/dockerfile/#add"], values::add_url),
    check!("BW-DF-034", High, "Remote script piped into a shell",
        "curl … | sh runs whatever the server returns at build time, unverified.",
        "Download to a file, verify its checksum or signature, then run it.",
        [Nist800190 => NIST_MALWARE], [], run::curl_pipe_shell),
    check!("BW-DF-035", Low, "Dockerfile syntax problem",
        "The parser met something it had to skip or guess (unknown instruction, JSON that is not valid, instruction before FROM).",
        "Fix the line so BuildKit and scanners read it the same way.",
        [Hadolint => "DL1000"], ["https://docs.docker.com/reference/dockerfile/"], values::syntax_warnings),
    check!("BW-DF-036", Medium, "Secret passed as a build argument",
        "An ARG named like a password, token or key receives its value with --build-arg; build arguments are recorded in the image history of every RUN that uses them.",
        "Use RUN --mount=type=secret,id=… and docker build --secret instead of a build argument.",
        [Hadolint => "DL3064", CisDocker => "4.10", Nist800190 => NIST_SECRETS],
        ["https://docs.docker.com/build/building/secrets/"], values::secret_build_arg),
    check!("BW-DF-037", High, "Package signature verification disabled",
        "A package manager is told to accept packages or repositories whose signatures are missing or do not verify: apt-get --allow-unauthenticated, --force-yes, --allow-insecure-repositories or -o APT::Get::AllowUnauthenticated=true; a [trusted=yes] apt source (local file: repositories excepted); yum/dnf/tdnf/microdnf --nogpgcheck or gpgcheck=0 (on the command line or written to a repo file); zypper --no-gpg-checks; rpm --nosignature/--nodigest/--noverify when installing; apk --allow-untrusted. A tampered mirror or anyone on the network path can then put their code into the image. Checkov: CKV2_DOCKER_7, CKV2_DOCKER_8, CKV2_DOCKER_9, CKV2_DOCKER_10, CKV2_DOCKER_11.",
        "Remove the option or setting and make the packages verify: install the repository's signing key (apt: signed-by=/usr/share/keyrings/….gpg; rpm --import; a key in /etc/apk/keys).",
        [CisDocker => "4.11", Nist800190 => NIST_MALWARE],
        ["https://wiki.debian.org/SecureApt", "https://docs.docker.com/build/building/best-practices/#apt-get"],
        verify::signatures_off),
    check!("BW-DF-038", Medium, "TLS certificate verification disabled in a build step",
        "A build step downloads without checking the server's certificate: curl -k/--insecure, wget --no-check-certificate, pip --trusted-host, npm/yarn config set strict-ssl false, git -c http.sslVerify=false, apt -o Acquire::https::Verify-Peer=false, yum/dnf sslverify=0, apk --no-check-certificate; a variable such as NODE_TLS_REJECT_UNAUTHORIZED=0 or GIT_SSL_NO_VERIFY set in RUN or as an ARG default; or such a setting written to pip.conf, .npmrc, .gitconfig, wgetrc or curlrc. Anyone on the network path can then replace what is downloaded. Checkov: CKV2_DOCKER_2, CKV2_DOCKER_3, CKV2_DOCKER_4, CKV2_DOCKER_5, CKV2_DOCKER_6, CKV2_DOCKER_12, CKV2_DOCKER_13, CKV2_DOCKER_14, CKV2_DOCKER_15, CKV2_DOCKER_16, CKV2_DOCKER_18.",
        "Remove the option; when a private CA is the reason, add its certificate to the build's trust store (COPY it to /usr/local/share/ca-certificates/ and run update-ca-certificates, or point curl --cacert / pip --cert / npm cafile at it).",
        [CisDocker => "4.11", Nist800190 => NIST_MALWARE], [], verify::tls_off_at_build),
    check!("BW-DF-039", High, "ENV turns off TLS certificate verification",
        "ENV sets NODE_TLS_REJECT_UNAUTHORIZED=0, PYTHONHTTPSVERIFY=0, GIT_SSL_NO_VERIFY, PIP_TRUSTED_HOST, NPM_CONFIG_STRICT_SSL=false, YARN_ENABLE_STRICT_SSL=false or GOINSECURE. The variable is stored in the image config, so every later build step and the running container accept any certificate, the application's own HTTPS calls included. Checkov: CKV2_DOCKER_5, CKV2_DOCKER_6, CKV2_DOCKER_12, CKV2_DOCKER_14, CKV2_DOCKER_16, CKV2_DOCKER_18.",
        "Remove the variable; when a private CA is the reason, trust that CA instead (update-ca-certificates, NODE_EXTRA_CA_CERTS, PIP_CERT or REQUESTS_CA_BUNDLE).",
        [Nist800190 => NIST_CONFIG, Nist800190 => NIST_MALWARE], [], verify::tls_off_in_env),
];

/// A hit on one instruction: its line span and its stage.
fn at(dockerfile: &Dockerfile, instruction: &Instruction, message: String) -> Hit {
    let hit = Hit::new(message).lines(instruction.start_line, instruction.end_line);
    match instruction.stage.and_then(|s| dockerfile.stages.get(s)) {
        Some(stage) => hit.resource(stage.label()),
        None => hit.resource("global"),
    }
}

/// Every `RUN` (including `ONBUILD RUN`) with the commands it executes.
fn runs(dockerfile: &Dockerfile) -> impl Iterator<Item = (&Instruction, Script)> {
    dockerfile.instructions.iter().filter_map(|instruction| {
        let run = match &instruction.onbuild {
            Some(sub) if sub.is("RUN") => sub.as_ref(),
            _ if instruction.is("RUN") => instruction,
            _ => return None,
        };
        Some((instruction, Script::of_run(run)))
    })
}

/// One hit per `RUN` whose commands give messages (joined), from `per_command`.
fn each_run(dockerfile: &Dockerfile, per_command: impl Fn(&super::shell::SimpleCommand) -> Option<String>) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (instruction, script) in runs(dockerfile) {
        let mut messages: Vec<String> = Vec::new();
        for command in &script.commands {
            if let Some(message) = per_command(command) {
                if !messages.contains(&message) {
                    messages.push(message);
                }
            }
        }
        if !messages.is_empty() {
            hits.push(at(dockerfile, instruction, messages.join("; ")));
        }
    }
    hits
}

/// Words quoted for a message: `a b c` → "`a`, `b`, `c`".
fn listed(words: &[&str]) -> String {
    words.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ")
}
