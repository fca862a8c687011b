//! Finishing a scan: vulnerability matching (when it runs), severity filters, order, rendering and the exit code.

use crate::exit;
use crate::gate::{self, GateArgs};
use crate::output::{terminal_default, write_to};
use crate::vulns::VulnArgs;
use bulwark_report::{render_report, ReportFormat};
use bulwark_types::ScanReport;
use bulwark_vulndb::policy;
use std::cmp::Reverse;
use std::path::Path;

/// Completes `report` (its inventory, secrets and misconfigurations are filled), writes it and returns the exit code.
/// `vulns` is given when the vulnerability scanner runs.
pub fn finish(
    mut report: ScanReport,
    format: Option<ReportFormat>,
    output: Option<&Path>,
    gate: &GateArgs,
    vulns: Option<&VulnArgs>,
) -> anyhow::Result<i32> {
    // Read every flag before the (longer) match, so a typo fails fast.
    let severities = gate.severities()?;
    let fail_on = gate.fail_on()?;
    let ignore = gate.ignore_file()?;
    let today = policy::today_utc();
    if let Some(ignore) = &ignore {
        gate::suppress(&mut report, ignore, Some(&today));
    }
    match vulns {
        // The vulnerability policy applies the ignore file to vulnerabilities and warns about expired rules.
        Some(vulns) => {
            let policy = vulns.policy(severities.clone(), ignore)?;
            vulns.scan(&mut report, &policy)?;
        }
        None => report.warnings.extend(ignore.iter().flat_map(|f| f.expired_warnings(Some(&today)))),
    }
    gate::keep_severities(&mut report, severities.as_deref());
    report.misconfigurations.sort_by(|a, b| {
        (Reverse(a.severity), &a.target, a.start_line, &a.check_id).cmp(&(
            Reverse(b.severity),
            &b.target,
            b.start_line,
            &b.check_id,
        ))
    });
    for w in report.inventory.warnings.iter().chain(&report.warnings) {
        eprintln!("warning: {w}");
    }
    let failed = fail_on.is_some_and(|level| gate::fails(&report, level));
    let format = format.unwrap_or_else(|| terminal_default(ReportFormat::Table, ReportFormat::Json));
    write_to(output, |out| render_report(&report, format, out))?;
    Ok(if failed { exit::FINDINGS } else { exit::OK })
}
