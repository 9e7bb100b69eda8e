//! Build-time half of `docker-engine-client`: Docker's Swagger 2.0 Engine API specs in, one
//! formatted Rust client module per API version out.
//!
//! The pipeline, each step its own module:
//! [`load`] (YAML → JSON tree) → [`convert`] (Swagger 2.0 → OpenAPI 3.0 passes) → [`fixes`]
//! (named corrections of upstream mistakes) → [`policy`] (streams, nulls, success kinds) →
//! [`progenitor`] (runs progenitor, with its panics caught and attributed) → [`postprocess`]
//! (syn passes on the generated code, the last of which, [`decoders`], adds the test-only table
//! that proves the types decode the spec's [`examples`]) → [`coverage`] (what made it into the code, for
//! `spec check`). The accessors of the JSON and syn trees that several stages read are in
//! [`tree`].
//!
//! Every edit of the conversion, fix, policy and syn stages is a named [`pass::Pass`] with a
//! reason, in a table its stage runs in order; each reports how many places it changed, a pass
//! that changes nothing where it must fails generation ([`Error::StalePass`]), and the counts end
//! up in the [`Report`].
//!
//! It is a library so that `build.rs` and `cargo xtask spec check` run the same code.

pub mod convert;
pub mod coverage;
pub mod decoders;
pub mod examples;
pub mod fixes;
pub mod load;
pub mod pass;
pub mod policy;
pub mod postprocess;
pub mod progenitor;
pub mod specs;
pub mod tree;

pub use coverage::Report;
pub use pass::{Applied, Stage};

/// Everything that can go wrong between a spec file and generated code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The spec file could not be read or is not a Swagger 2.0 document.
    #[error("v{version}: {message}")]
    Spec {
        /// API version, e.g. `1.41`.
        version: String,
        /// What is wrong.
        message: String,
    },
    /// A Swagger → OpenAPI pass failed.
    #[error("v{version}: conversion pass {pass}: {message}")]
    Convert {
        /// API version.
        version: String,
        /// The pass's name.
        pass: &'static str,
        /// What it could not handle.
        message: String,
    },
    /// A pass (conversion, spec fix, policy or syn pass) changed nothing in a version where it
    /// must change something: what it rewrites is no longer there (upstream fixed the spec, or
    /// progenitor's output changed shape), so the behaviour it adds would be silently lost.
    #[error(
        "v{version}: {} {} changed nothing ({}) in {}",
        if passes.len() == 1 { stage.pass_noun().to_string() } else { stage.pass_nouns() },
        passes.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", "),
        stage.stale_hint(),
        stage.file()
    )]
    StalePass {
        /// API version.
        version: String,
        /// The stage the passes belong to.
        stage: Stage,
        /// Every pass of the stage that changed nothing where it must.
        passes: Vec<&'static str>,
    },
    /// progenitor rejected (or panicked on) operations or types.
    #[error("{}", .failures.join("\n"))]
    Generate {
        /// One `v1.NN: <operation>: <why>` line each.
        failures: Vec<String>,
    },
    /// The generated tokens are not valid Rust (a progenitor or post-processing bug).
    #[error("v{version}: generated code does not parse: {message}")]
    Syntax {
        /// API version.
        version: String,
        /// The parser's message.
        message: String,
    },
}

/// One API version's generated client.
pub struct Generated {
    /// Formatted Rust source of the module body.
    pub code: String,
    /// What was generated against what the spec has.
    pub report: Report,
}

/// Runs the whole pipeline on one spec: `version` is `1.NN`, `yaml` the spec file's text.
pub fn generate(version: &str, yaml: &str) -> Result<Generated, Error> {
    let minor = minor_of(version).ok_or_else(|| Error::Spec {
        version: version.to_string(),
        message: "expected a version of the form 1.NN".into(),
    })?;
    let mut doc = load::parse_yaml(version, yaml)?;
    let mut passes = convert::swagger_to_openapi(version, minor, &mut doc)?;
    passes.extend(fixes::apply_all(version, minor, &mut doc)?);
    let (policies, notes) = policy::apply_all(version, minor, &mut doc)?;
    passes.extend(policies);
    let expected = coverage::Expected::of(&doc);
    let tokens = progenitor::run(version, &doc)?;
    let (file, syn_passes) = postprocess::run(version, minor, &doc, tokens)?;
    passes.extend(syn_passes);
    let report = coverage::Report::new(version, &expected, &file, passes, notes);
    let code = prettyplease::unparse(&file);
    Ok(Generated { code, report })
}

/// `1.41` → `41`.
pub fn minor_of(version: &str) -> Option<u32> {
    version.strip_prefix("1.")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_that_matches_nothing_fails_generation() {
        // A spec without definitions: the first conversion pass has nothing to move (nor do the
        // ones after it; each is named).
        let yaml = "\
swagger: \"2.0\"
info: {title: t, version: \"1.41\"}
paths:
  /_ping:
    get:
      operationId: SystemPing
      responses:
        200: {description: ok}
";
        let err = generate("1.41", yaml).err().expect("a stale pass fails");
        assert!(
            matches!(
                err,
                Error::StalePass {
                    stage: Stage::Convert,
                    ref passes,
                    ..
                } if passes.first() == Some(&"definitions-to-components")
            ),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("v1.41: conversion passes `definitions-to-components`, "),
            "{err}"
        );
    }
}
