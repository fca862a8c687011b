//! The image check table: metadata (id, severity, remediation, framework mappings) and the
//! function that runs each check. CIS control numbers are those of CIS Docker Benchmark v1.6.0.

use super::{config, files, history, packages, ImageInput};
use crate::check::{Check, CheckMeta};
use bulwark_types::Framework::{CisDocker, Dockle, Nist800190};
use bulwark_types::Level;

/// Dockle's checkpoint list.
const DOCKLE: &str = "https://github.com/goodwithtech/dockle/blob/master/CHECKPOINT.md";
/// CIS Docker Benchmark.
const CIS: &str = "https://www.cisecurity.org/benchmark/docker";
/// NIST SP 800-190, Application Container Security Guide.
const NIST: &str = "https://doi.org/10.6028/NIST.SP.800-190";
/// Docker's Dockerfile best practices.
const BEST_PRACTICES: &str = "https://docs.docker.com/build/building/best-practices/";

/// NIST SP 800-190 countermeasure sections for image risks.
const NIST_VULNS: &str = "4.1.1 Image vulnerabilities";
/// Image configuration defects.
const NIST_CONFIG: &str = "4.1.2 Image configuration defects";
/// Embedded clear text secrets.
const NIST_SECRETS: &str = "4.1.4 Embedded clear text secrets";

/// BW-IMG-001.
const ROOT_USER: CheckMeta = CheckMeta {
    id: "BW-IMG-001",
    title: "Image runs as root",
    severity: Level::High,
    description: "The image config sets no USER, or a root one (root, 0, 0:0). Containers then run as root, so \
                  any compromise of the process is root inside the container and one kernel or runtime bug away \
                  from root on the host.",
    remediation: "Create an unprivileged user in the Dockerfile (useradd/adduser) and end with `USER <name>` or \
                  `USER <uid>:<gid>`.",
    mappings: &[(CisDocker, "4.1"), (Dockle, "CIS-DI-0001"), (Nist800190, NIST_CONFIG)],
    references: &[CIS, DOCKLE, NIST],
};

/// BW-IMG-002.
const NO_HEALTHCHECK: CheckMeta = CheckMeta {
    id: "BW-IMG-002",
    title: "No HEALTHCHECK",
    severity: Level::Low,
    description: "The image config has no HEALTHCHECK (or HEALTHCHECK NONE), so the engine cannot tell a hung \
                  container from a healthy one and will not replace it.",
    remediation: "Add a `HEALTHCHECK CMD …` that probes the service (or define probes in the orchestrator).",
    mappings: &[(CisDocker, "4.6"), (Dockle, "CIS-DI-0006"), (Nist800190, NIST_CONFIG)],
    references: &[CIS, DOCKLE],
};

/// BW-IMG-003.
const ADD_NOT_COPY: CheckMeta = CheckMeta {
    id: "BW-IMG-003",
    title: "ADD used where COPY serves",
    severity: Level::Low,
    description: "A build step used ADD to copy local files or directories. ADD also fetches URLs and unpacks \
                  archives, so a later change of the source can silently download or extract content; COPY \
                  only copies. ADD of a tar archive to extract and of a URL are not reported.",
    remediation: "Use `COPY` for local files and directories; keep `ADD` for archives that must be extracted.",
    mappings: &[(CisDocker, "4.9"), (Dockle, "CIS-DI-0009"), (Nist800190, NIST_CONFIG)],
    references: &[CIS, DOCKLE, BEST_PRACTICES],
};

/// BW-IMG-004.
const UPDATE_ALONE: CheckMeta = CheckMeta {
    id: "BW-IMG-004",
    title: "Package index updated alone",
    severity: Level::Medium,
    description: "A RUN step runs `apt-get update` (or `apk update`) without installing in the same step. The \
                  build cache keeps that layer, so later installs use stale package lists and miss security \
                  updates.",
    remediation: "Update and install in one RUN: `apt-get update && apt-get install -y … && rm -rf \
                  /var/lib/apt/lists/*` (or `apk add --no-cache …`).",
    mappings: &[(CisDocker, "4.7"), (Dockle, "CIS-DI-0007"), (Nist800190, NIST_VULNS)],
    references: &[CIS, DOCKLE, BEST_PRACTICES],
};

/// BW-IMG-005.
const SETUID: CheckMeta = CheckMeta {
    id: "BW-IMG-005",
    title: "setuid/setgid file",
    severity: Level::Low,
    description: "A regular file in the image has the setuid or setgid bit. Such programs run with their \
                  owner's or group's privileges and are the usual way to escalate from an unprivileged user. \
                  Setgid directories are not reported (the bit only sets the group of new files).",
    remediation: "Remove the bits in the Dockerfile (`RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`) \
                  or drop the programs; run containers with `--security-opt no-new-privileges`.",
    mappings: &[(CisDocker, "4.8"), (Dockle, "CIS-DI-0008"), (Nist800190, NIST_CONFIG)],
    references: &[CIS, DOCKLE],
};

/// BW-IMG-006.
const SHADOW_HASHES: CheckMeta = CheckMeta {
    id: "BW-IMG-006",
    title: "Password hashes in /etc/shadow",
    severity: Level::High,
    description: "/etc/shadow holds password hashes (a password field that is not `*`, `!`, `!!`, `!*` or \
                  empty). Anyone who can pull the image can crack them offline, and the same passwords are \
                  often used elsewhere.",
    remediation: "Do not set passwords at build time; lock the accounts (`passwd -l`, `usermod -p '*'`) and \
                  authenticate at runtime by other means.",
    mappings: &[(CisDocker, "4.10"), (Dockle, "CIS-DI-0010"), (Nist800190, NIST_SECRETS)],
    references: &[CIS, DOCKLE, NIST],
};

/// BW-IMG-007.
const EMPTY_PASSWORD: CheckMeta = CheckMeta {
    id: "BW-IMG-007",
    title: "Account with an empty password",
    severity: Level::Critical,
    description: "An account in /etc/shadow has an empty password field, so anyone in the container can become \
                  it without a password (CVE-2019-5021: Alpine images shipped root this way).",
    remediation: "Lock the account: `passwd -l <user>` or set the field to `*` / `!`.",
    mappings: &[(Dockle, "DKL-LI-0001"), (Nist800190, NIST_CONFIG)],
    references: &[DOCKLE, "https://nvd.nist.gov/vuln/detail/CVE-2019-5021"],
};

/// BW-IMG-008.
const CREDENTIAL_FILE: CheckMeta = CheckMeta {
    id: "BW-IMG-008",
    title: "Credential file in the image",
    severity: Level::High,
    description: "The image holds a file that stores credentials by definition: SSH private keys or \
                  authorized_keys under .ssh/, .docker/config.json, .aws/credentials, .kube/config, .npmrc, \
                  .pypirc, .netrc, .git-credentials, .pgpass, .my.cnf, .env files. Files inside installed \
                  packages (node_modules, site-packages) are left to the secret scanner, which reads contents.",
    remediation: "Remove the file and rotate what it held; pass credentials at build time with BuildKit secrets \
                  (`RUN --mount=type=secret`) and at runtime with the orchestrator's secrets.",
    mappings: &[(CisDocker, "4.10"), (Dockle, "CIS-DI-0010"), (Nist800190, NIST_SECRETS)],
    references: &[CIS, DOCKLE, NIST],
};

/// BW-IMG-009.
const GIT_DIRECTORY: CheckMeta = CheckMeta {
    id: "BW-IMG-009",
    title: "Git repository in the image",
    severity: Level::Medium,
    description: "The image holds a .git directory: the repository's whole history, including files and secrets \
                  that were deleted from the working tree, plus remote URLs that may carry tokens.",
    remediation: "Add `.git` to .dockerignore, or copy only the files the image needs.",
    mappings: &[(Dockle, "DKL-LI-0003"), (Nist800190, NIST_SECRETS)],
    references: &[DOCKLE, NIST],
};

/// BW-IMG-010.
const PACKAGE_CACHE: CheckMeta = CheckMeta {
    id: "BW-IMG-010",
    title: "Package-manager cache left in the image",
    severity: Level::Low,
    description: "Package-manager downloads and indexes (apt archives and lists, apk, yum/dnf, pip, npm, yarn, Go \
                  build cache) were left in the image. They serve nothing at runtime and make the image larger; \
                  the message gives the bytes that removing them in the step that created them would save.",
    remediation: "Clean in the same RUN that installs: `rm -rf /var/lib/apt/lists/*` and `apt-get clean`, \
                  `apk add --no-cache`, `pip install --no-cache-dir`, `npm ci && npm cache clean --force`, \
                  `dnf clean all`.",
    mappings: &[(Dockle, "DKL-DI-0005"), (Dockle, "DKL-DI-0004"), (Dockle, "DKL-LI-0003"), (Nist800190, NIST_CONFIG)],
    references: &[DOCKLE, BEST_PRACTICES],
};

/// BW-IMG-011.
const BUILD_TOOLCHAIN: CheckMeta = CheckMeta {
    id: "BW-IMG-011",
    title: "Build toolchain in a runtime image",
    severity: Level::Low,
    description: "Compilers and build tools (gcc, g++, clang, make, build-essential, Go, Rust, CMake, autotools) \
                  are installed. A runtime image does not need them; they enlarge the attack surface (an \
                  attacker can build exploits in place) and the image.",
    remediation: "Build in a separate stage of a multi-stage Dockerfile and copy only the artefacts into a \
                  minimal runtime stage.",
    mappings: &[(CisDocker, "4.3"), (Dockle, "CIS-DI-0003"), (Nist800190, NIST_CONFIG)],
    references: &[CIS, BEST_PRACTICES],
};

/// BW-IMG-012.
const SSHD: CheckMeta = CheckMeta {
    id: "BW-IMG-012",
    title: "SSH server installed",
    severity: Level::Medium,
    description: "An SSH server (openssh-server, dropbear) is installed. It adds keys, passwords and a network \
                  service to manage in every container; `docker exec` / `kubectl exec` give shell access without \
                  it.",
    remediation: "Remove the SSH server package; use the engine's or orchestrator's exec for access.",
    mappings: &[(CisDocker, "5.6"), (CisDocker, "4.3"), (Nist800190, NIST_CONFIG)],
    references: &[CIS, NIST],
};

/// BW-IMG-013.
const PORT_22: CheckMeta = CheckMeta {
    id: "BW-IMG-013",
    title: "Port 22 exposed",
    severity: Level::Medium,
    description: "The image exposes port 22/tcp (SSH). Containers should not run SSH servers, and an exposed port \
                  invites publishing it.",
    remediation: "Remove `EXPOSE 22` and the SSH server.",
    mappings: &[(CisDocker, "5.8"), (CisDocker, "5.6"), (Nist800190, NIST_CONFIG)],
    references: &[CIS],
};

/// BW-IMG-014.
const SECRET_ENV: CheckMeta = CheckMeta {
    id: "BW-IMG-014",
    title: "Secret in ENV",
    severity: Level::High,
    description: "An environment variable named like a secret (…PASSWORD…, …SECRET…, …TOKEN…, …_KEY, …API_KEY…) \
                  holds a literal value in the image config, readable by anyone who can pull the image. Names \
                  that point at files (…_FILE, …_PATH), empty values, booleans, `$` references, file paths and \
                  public key fingerprints (GPG_KEY) are not reported. The value is never printed.",
    remediation: "Remove the ENV and rotate the secret; pass it at runtime (orchestrator secrets, `--env-file`) \
                  or mount it (`RUN --mount=type=secret` at build time).",
    mappings: &[(CisDocker, "4.10"), (Dockle, "CIS-DI-0010"), (Nist800190, NIST_SECRETS)],
    references: &[CIS, DOCKLE, NIST],
};

/// BW-IMG-015.
const SUDO: CheckMeta = CheckMeta {
    id: "BW-IMG-015",
    title: "sudo installed",
    severity: Level::Medium,
    description: "sudo is installed. In a container it is a setuid path to root for any user it is configured \
                  for, and it has unpredictable TTY and signal-forwarding behaviour.",
    remediation: "Remove sudo; do privileged setup at build time as root, then switch with `USER`, or use \
                  gosu/su-exec in an entrypoint that drops privileges.",
    mappings: &[(Dockle, "DKL-DI-0001"), (CisDocker, "4.3"), (Nist800190, NIST_CONFIG)],
    references: &[DOCKLE, BEST_PRACTICES],
};

/// The table literal, shared by [`CHECKS`] and [`checks`].
macro_rules! table {
    () => {
        &[
            Check { meta: ROOT_USER, run: config::root_user },
            Check { meta: NO_HEALTHCHECK, run: config::no_healthcheck },
            Check { meta: ADD_NOT_COPY, run: history::add_instead_of_copy },
            Check { meta: UPDATE_ALONE, run: history::update_alone },
            Check { meta: SETUID, run: files::setuid_setgid },
            Check { meta: SHADOW_HASHES, run: files::shadow_hashes },
            Check { meta: EMPTY_PASSWORD, run: files::empty_passwords },
            Check { meta: CREDENTIAL_FILE, run: files::credential_files },
            Check { meta: GIT_DIRECTORY, run: files::git_directories },
            Check { meta: PACKAGE_CACHE, run: files::package_caches },
            Check { meta: BUILD_TOOLCHAIN, run: packages::build_toolchain },
            Check { meta: SSHD, run: packages::sshd_installed },
            Check { meta: PORT_22, run: config::ssh_port_exposed },
            Check { meta: SECRET_ENV, run: config::secret_env },
            Check { meta: SUDO, run: packages::sudo_installed },
        ]
    };
}

/// Every built-in image check, in id order: use it to list ids and metadata. To run the checks on
/// borrowed input use [`checks`] (same table, any input lifetime) or [`super::check`].
pub const CHECKS: &[Check<ImageInput<'static>>] = table!();

/// The built-in image checks ([`CHECKS`]) typed for an input of any lifetime.
pub fn checks<'a>() -> &'a [Check<ImageInput<'a>>] {
    table!()
}
