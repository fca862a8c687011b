//! Checks on stages and their instructions: base images, USER, HEALTHCHECK, CMD/ENTRYPOINT, WORKDIR, COPY.

use super::at;
use crate::check::Hit;
use crate::dockerfile::parser::{Dockerfile, Instruction, Stage};
use crate::dockerfile::words::unquote;

/// A hit on a stage's `FROM` line.
fn at_from(stage: &Stage, message: String) -> Hit {
    Hit::new(message).lines(stage.from_line, stage.from_line).resource(stage.label())
}

/// The stages whose base is an image (not `scratch`, not an earlier stage, not a build argument).
fn image_bases(dockerfile: &Dockerfile) -> impl Iterator<Item = &Stage> {
    dockerfile.stages.iter().filter(|s| {
        !s.base.eq_ignore_ascii_case("scratch")
            && !s.base.contains('$')
            && !s.base.is_empty()
            && dockerfile.stage_named(&s.base, s.index).is_none()
    })
}

/// An image reference's tag and whether it has a digest: `debian:12@sha256:…` → (Some("12"), true).
fn tag_and_digest(reference: &str) -> (Option<&str>, bool) {
    let (name, digest) = match reference.split_once('@') {
        Some((name, _)) => (name, true),
        None => (reference, false),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    (last.split_once(':').map(|(_, tag)| tag), digest)
}

/// BW-DF-005 (DL3006): `FROM image` without tag or digest.
pub fn untagged_base(dockerfile: &Dockerfile) -> Vec<Hit> {
    image_bases(dockerfile)
        .filter(|s| tag_and_digest(&s.base) == (None, false))
        .map(|s| at_from(s, format!("FROM {} has no tag or digest", s.base)))
        .collect()
}

/// BW-DF-006 (DL3007): `FROM image:latest` without a digest.
pub fn latest_base(dockerfile: &Dockerfile) -> Vec<Hit> {
    image_bases(dockerfile)
        .filter(|s| tag_and_digest(&s.base) == (Some("latest"), false))
        .map(|s| at_from(s, format!("FROM {} uses the latest tag", s.base)))
        .collect()
}

/// The last instruction named `keyword` in the final stage or, failing that, the stages it builds on.
fn last_in_final_chain<'a>(dockerfile: &'a Dockerfile, keyword: &str) -> Option<&'a Instruction> {
    dockerfile
        .final_chain()
        .into_iter()
        .find_map(|stage| dockerfile.stage_instructions(stage).iter().rev().find(|i| i.is(keyword)))
}

/// BW-DF-002 (DL3002): the final image's last `USER` is root.
pub fn last_user_root(dockerfile: &Dockerfile) -> Vec<Hit> {
    let Some(user) = last_in_final_chain(dockerfile, "USER") else { return Vec::new() };
    let value = unquote(user.args.first().map_or("", String::as_str), dockerfile.escape);
    let name = value.split(':').next().unwrap_or("");
    if name == "root" || name == "0" {
        vec![at(dockerfile, user, format!("USER {value} is the last USER of the final image"))]
    } else {
        Vec::new()
    }
}

/// BW-DF-028 (CIS 4.1): the final image never sets `USER`.
pub fn no_user(dockerfile: &Dockerfile) -> Vec<Hit> {
    match (dockerfile.stages.last(), last_in_final_chain(dockerfile, "USER")) {
        (Some(stage), None) => {
            vec![at_from(stage, format!("final stage FROM {} never sets USER; it runs as root", stage.base))]
        }
        _ => Vec::new(),
    }
}

/// BW-DF-029 (CIS 4.6, DL3057): the final image has no `HEALTHCHECK`, or disables it.
pub fn no_healthcheck(dockerfile: &Dockerfile) -> Vec<Hit> {
    match (dockerfile.stages.last(), last_in_final_chain(dockerfile, "HEALTHCHECK")) {
        (Some(stage), None) => vec![at_from(stage, format!("final stage FROM {} has no HEALTHCHECK", stage.base))],
        (_, Some(check)) if check.args.first().is_some_and(|a| a == "NONE") => {
            vec![at(dockerfile, check, "HEALTHCHECK NONE disables the health check".to_string())]
        }
        _ => Vec::new(),
    }
}

/// Whether a path is absolute on Linux or Windows, or starts with a variable.
fn is_absolute(path: &str) -> bool {
    let mut chars = path.chars();
    match (chars.next(), chars.next()) {
        (Some('/' | '\\' | '$'), _) => true,
        (Some(c), Some(':')) => c.is_ascii_alphabetic(),
        _ => false,
    }
}

/// BW-DF-001 (DL3000): `WORKDIR` with a relative path.
pub fn relative_workdir(dockerfile: &Dockerfile) -> Vec<Hit> {
    dockerfile
        .instructions
        .iter()
        .filter(|i| i.is("WORKDIR"))
        .filter_map(|i| {
            let path = unquote(i.args.first()?, dockerfile.escape);
            (!is_absolute(&path)).then(|| at(dockerfile, i, format!("WORKDIR {path} is relative")))
        })
        .collect()
}

/// BW-DF-016 (DL3022): `COPY --from=x` where `x` is no earlier stage, stage index, or tagged image.
pub fn copy_from_unknown(dockerfile: &Dockerfile) -> Vec<Hit> {
    let mut hits = Vec::new();
    for instruction in dockerfile.instructions.iter().filter(|i| i.is("COPY")) {
        let Some(from) = instruction.flag("from").and_then(|f| f.value.as_deref()) else { continue };
        let current = instruction.stage.unwrap_or(0);
        let known = if from.contains([':', '/', '@', '$']) {
            true
        } else if let Ok(index) = from.parse::<usize>() {
            index < current
        } else {
            dockerfile.stage_named(from, current).is_some()
        };
        if !known {
            hits.push(at(dockerfile, instruction, format!("COPY --from={from} names no stage defined before it")));
        }
    }
    hits
}

/// BW-DF-017 (DL3025): `CMD` or `ENTRYPOINT` in shell form.
pub fn shell_form_cmd(dockerfile: &Dockerfile) -> Vec<Hit> {
    dockerfile
        .instructions
        .iter()
        .filter(|i| (i.is("CMD") || i.is("ENTRYPOINT")) && !i.json && !i.args.is_empty())
        .map(|i| at(dockerfile, i, format!("{} {} is in shell form", i.keyword, i.text)))
        .collect()
}

/// BW-DF-020 (DL4000): `MAINTAINER`.
pub fn maintainer(dockerfile: &Dockerfile) -> Vec<Hit> {
    dockerfile
        .instructions
        .iter()
        .filter(|i| i.is("MAINTAINER"))
        .map(|i| at(dockerfile, i, format!("MAINTAINER {} is deprecated", i.text)))
        .collect()
}

/// Hits on every `keyword` after the first in the same stage.
fn repeated(dockerfile: &Dockerfile, keyword: &str) -> Vec<Hit> {
    let mut hits = Vec::new();
    for stage in &dockerfile.stages {
        let mut first: Option<u32> = None;
        for instruction in dockerfile.stage_instructions(stage).iter().filter(|i| i.is(keyword)) {
            match first {
                None => first = Some(instruction.start_line),
                Some(line) => hits.push(at(
                    dockerfile,
                    instruction,
                    format!("{keyword} repeats the one on line {line}; only the last takes effect"),
                )),
            }
        }
    }
    hits
}

/// BW-DF-021 (DL4003): several `CMD`s in a stage.
pub fn multiple_cmd(dockerfile: &Dockerfile) -> Vec<Hit> {
    repeated(dockerfile, "CMD")
}

/// BW-DF-022 (DL4004): several `ENTRYPOINT`s in a stage.
pub fn multiple_entrypoint(dockerfile: &Dockerfile) -> Vec<Hit> {
    repeated(dockerfile, "ENTRYPOINT")
}

/// BW-DF-025 (DL3024): two stages with the same `AS` name.
pub fn duplicate_alias(dockerfile: &Dockerfile) -> Vec<Hit> {
    dockerfile
        .stages
        .iter()
        .filter_map(|stage| {
            let alias = stage.alias.as_deref()?;
            let earlier = dockerfile.stage_named(alias, stage.index)?;
            Some(at_from(
                stage,
                format!("stage name {alias} is already used by the stage on line {}", earlier.from_line),
            ))
        })
        .collect()
}

/// BW-DF-026 (DL3045): `COPY` to a relative destination before any `WORKDIR` in the stage or its parents.
pub fn copy_relative_without_workdir(dockerfile: &Dockerfile) -> Vec<Hit> {
    let mut hits = Vec::new();
    let mut has_workdir = vec![false; dockerfile.stages.len()];
    for stage in &dockerfile.stages {
        let parent = dockerfile.stage_named(&stage.base, stage.index).map(|p| p.index);
        let mut workdir = parent.and_then(|p| has_workdir.get(p).copied()).unwrap_or(false);
        for instruction in dockerfile.stage_instructions(stage) {
            if instruction.is("WORKDIR") {
                workdir = true;
            }
            if !instruction.is("COPY") || workdir || instruction.args.len() < 2 {
                continue;
            }
            let Some(dest) = instruction.args.last().map(|d| unquote(d, dockerfile.escape)) else { continue };
            if !is_absolute(&dest) {
                hits.push(at(dockerfile, instruction, format!("COPY to relative {dest} with no WORKDIR set")));
            }
        }
        if let Some(slot) = has_workdir.get_mut(stage.index) {
            *slot = workdir;
        }
    }
    hits
}
