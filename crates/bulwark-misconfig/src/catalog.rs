//! Every built-in check, for listings and documentation.

use crate::check::CheckMeta;
use crate::{dockerfile, image, kubernetes};
use bulwark_types::ConfigKind;

/// Every built-in check with the kind of input it looks at, in id order within each kind.
pub fn all() -> Vec<(ConfigKind, CheckMeta)> {
    let mut out: Vec<(ConfigKind, CheckMeta)> = Vec::new();
    out.extend(image::CHECKS.iter().map(|c| (ConfigKind::Image, c.meta)));
    out.extend(dockerfile::CHECKS.iter().map(|c| (ConfigKind::Dockerfile, c.meta)));
    out.extend(kubernetes::metadata().into_iter().map(|m| (ConfigKind::Kubernetes, m)));
    out.sort_by(|a, b| (a.0, a.1.id).cmp(&(b.0, b.1.id)));
    out
}

/// The catalogue as a Markdown page (`docs/checks.md`).
pub fn markdown() -> String {
    let mut s = String::from(
        "# Built-in checks\n\nGenerated from the check tables in `crates/bulwark-misconfig` \
         (`cargo test -p bulwark-misconfig --test catalog` fails when this page is stale; \
         `BLESS=1` rewrites it). User checks in Rego: [policies.md](policies.md).\n",
    );
    for kind in [ConfigKind::Image, ConfigKind::Dockerfile, ConfigKind::Kubernetes] {
        let heading = match kind {
            ConfigKind::Image => "Image (config, history, files)",
            ConfigKind::Dockerfile => "Dockerfile",
            ConfigKind::Kubernetes => "Kubernetes",
        };
        s.push_str(&format!("\n## {heading}\n\n| id | severity | title | maps to |\n|---|---|---|---|\n"));
        for (_, meta) in all().into_iter().filter(|(k, _)| *k == kind) {
            let maps: Vec<String> =
                meta.mappings.iter().map(|(f, c)| format!("{} {}", f.as_str(), c.replace('|', "\\|"))).collect();
            s.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                meta.id,
                meta.severity.as_str(),
                meta.title.replace('|', "\\|"),
                maps.join("; ")
            ));
        }
    }
    s
}
