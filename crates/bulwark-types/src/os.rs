use serde::{Deserialize, Serialize};

/// The operating system an image or root filesystem identifies itself as.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsRelease {
    /// Lower-case distribution id, e.g. `debian`, `alpine`, `rhel`, `ubuntu`.
    pub id: String,
    /// Version as the distribution writes it, e.g. `12`, `3.19.1`, `9.4`.
    pub version_id: String,
    /// Human-readable name, e.g. `Debian GNU/Linux 12 (bookworm)`.
    pub pretty_name: String,
    /// Release codename where one exists, e.g. `bookworm`.
    pub codename: Option<String>,
    /// Finer point release where the distribution records one (`/etc/debian_version`).
    pub point_release: Option<String>,
    /// Path of the file the identity was read from.
    pub source_path: String,
}

impl OsRelease {
    /// OSV ecosystem name for this distribution's packages, e.g. `Debian:12`, `Alpine:v3.19`.
    pub fn osv_ecosystem(&self) -> Option<String> {
        let major = self.version_id.split('.').next().unwrap_or_default();
        let major_minor: String = self.version_id.split('.').take(2).collect::<Vec<_>>().join(".");
        let eco = match self.id.as_str() {
            "debian" => format!("Debian:{major}"),
            "ubuntu" => format!("Ubuntu:{}", self.version_id),
            "alpine" => format!("Alpine:v{major_minor}"),
            "rhel" | "redhat" => format!("Red Hat:enterprise_linux:{major}"),
            "almalinux" => format!("AlmaLinux:{major}"),
            "rocky" => format!("Rocky Linux:{major}"),
            "opensuse-leap" => format!("openSUSE:Leap {}", self.version_id),
            "sle-micro" => format!("SUSE:Linux Enterprise Micro {}", self.version_id),
            "sles" => format!("SUSE:Linux Enterprise Server {}", suse_release(&self.version_id)),
            "wolfi" => "Wolfi".to_string(),
            "chainguard" => "Chainguard".to_string(),
            "mariner" => format!("Mariner:{}", self.version_id),
            "azurelinux" => format!("Azure Linux:{major_minor}"),
            "photon" => format!("Photon OS:{major_minor}"),
            _ => return None,
        };
        Some(eco)
    }

    /// The purl `distro` qualifier, e.g. `debian-12`, `alpine-3.19.1`.
    pub fn purl_distro(&self) -> String {
        format!("{}-{}", self.id, self.version_id)
    }
}

/// SUSE's service-pack spelling of an os-release VERSION_ID: `15.5` → `15 SP5`, `15` → `15`.
fn suse_release(version_id: &str) -> String {
    match version_id.split_once('.') {
        Some((major, sp)) if sp != "0" => format!("{major} SP{sp}"),
        Some((major, _)) => major.to_string(),
        None => version_id.to_string(),
    }
}
