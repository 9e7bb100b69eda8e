//! Build-time half of `docker-engine-client`: Docker's Swagger 2.0 Engine API specs in, one
//! formatted Rust client module per API version out.
//!
//! The pipeline, each step its own module:
//! [`load`] (YAML → JSON tree) → [`convert`] (Swagger 2.0 → OpenAPI 3.0 passes) → [`fixes`]
//! (named corrections of upstream mistakes) → [`policy`] (streams, nulls, success kinds) →
//! [`progenitor`] (runs progenitor, with its panics caught and attributed) → [`postprocess`]
//! (syn passes on the generated code) → [`coverage`] (what made it into the code, for
//! `spec check`). The accessors of the JSON and syn trees that several stages read are in
//! [`tree`].
//!
//! It is a library so that `build.rs` and `cargo xtask spec check` run the same code.

pub mod convert;
pub mod coverage;
pub mod fixes;
pub mod load;
pub mod policy;
pub mod postprocess;
pub mod progenitor;
pub mod specs;
pub mod tree;

pub use coverage::Report;

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
    /// A named spec fix found nothing to fix.
    #[error(
        "v{version}: spec fix `{fix}` no longer applies (upstream fixed it?): narrow its version \
         range or remove it from codegen/src/fixes.rs"
    )]
    StaleFix {
        /// API version.
        version: String,
        /// The fix's name.
        fix: &'static str,
    },
    /// A generation pass found nothing to change: progenitor's output no longer has the shape it
    /// rewrites, so the behaviour it adds would be silently lost.
    #[error(
        "v{version}: generation pass `{pass}` changed nothing (progenitor's output changed?): \
         update it in codegen/src/postprocess.rs"
    )]
    StalePass {
        /// API version.
        version: String,
        /// The pass's name.
        pass: &'static str,
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
    convert::swagger_to_openapi(version, &mut doc)?;
    let fixes = fixes::apply_all(version, minor, &mut doc)?;
    let notes = policy::apply_all(&mut doc);
    let expected = coverage::Expected::of(&doc);
    let tokens = progenitor::run(version, &doc)?;
    let file = postprocess::run(version, &doc, tokens)?;
    let report = coverage::Report::new(version, &expected, &file, fixes, notes);
    let code = prettyplease::unparse(&file);
    Ok(Generated { code, report })
}

/// `1.41` → `41`.
pub fn minor_of(version: &str) -> Option<u32> {
    version.strip_prefix("1.")?.parse().ok()
}
