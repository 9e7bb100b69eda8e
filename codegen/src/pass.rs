//! The one shape every edit of the pipeline has: a named, reasoned pass that reports how many
//! places it changed.
//!
//! The conversion passes, the spec fixes, the policies and the syn passes over progenitor's output
//! are each a table of [`Pass`]es, run in order by [`run_table`]. A pass returns its count of
//! changes, and a pass that changes nothing where it should fails generation
//! ([`Error::StalePass`]) naming the version, the stage and the pass: a spec that no longer has
//! what a pass rewrites, or a progenitor upgrade that changes the shape of its output, cannot
//! silently turn a pass (and the behaviour it adds) off. The counts go into the
//! [`Report`](crate::Report), which `cargo xtask spec check` prints per version.
//!
//! Where a pass legitimately changes nothing in some versions (what it rewrites appears in the
//! specs only from some version on, or no longer after one), its [`Versions`] rule says so,
//! explicitly and for those versions only; there is no blanket "zero is fine".

use std::fmt;

use crate::Error;

/// The stages of the pipeline that are made of passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// Swagger 2.0 → OpenAPI 3.0 ([`crate::convert`]).
    Convert,
    /// Named corrections of upstream mistakes ([`crate::fixes`]).
    Fix,
    /// What the generated client should do ([`crate::policy`]).
    Policy,
    /// Rewrites of progenitor's output ([`crate::postprocess`]).
    Syn,
}

impl Stage {
    /// Every stage, in the order the pipeline runs them.
    pub const ALL: [Stage; 4] = [Stage::Convert, Stage::Fix, Stage::Policy, Stage::Syn];

    /// Short name, as `spec check` prints it: `convert`, `fixes`, `policy`, `syn`.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Convert => "convert",
            Stage::Fix => "fixes",
            Stage::Policy => "policy",
            Stage::Syn => "syn",
        }
    }

    /// What one pass of the stage is called in messages.
    pub fn pass_noun(self) -> &'static str {
        match self {
            Stage::Convert => "conversion pass",
            Stage::Fix => "spec fix",
            Stage::Policy => "policy",
            Stage::Syn => "syn pass",
        }
    }

    /// The file that defines the stage's passes.
    pub fn file(self) -> &'static str {
        match self {
            Stage::Convert => "codegen/src/convert.rs",
            Stage::Fix => "codegen/src/fixes.rs",
            Stage::Policy => "codegen/src/policy.rs",
            Stage::Syn => "codegen/src/postprocess/mod.rs",
        }
    }

    /// The same, for several: `spec fixes`, `syn passes`.
    pub fn pass_nouns(self) -> String {
        match self {
            Stage::Fix => "spec fixes".into(),
            Stage::Policy => "policies".into(),
            other => format!("{}es", other.pass_noun()),
        }
    }

    /// The likely reason a pass of this stage changed nothing, and what to do about it.
    pub fn stale_hint(self) -> &'static str {
        match self {
            Stage::Convert => {
                "the spec no longer has what it translates? update the pass, or give it a \
                 version rule"
            }
            Stage::Fix => {
                "upstream fixed it? close its range at the last version that needs it \
                 (`Versions::Only(first, last)`) or remove it"
            }
            Stage::Policy => {
                "the spec no longer has what it decides on? update the policy, or give it a \
                 version rule"
            }
            Stage::Syn => {
                "progenitor's output changed? update the pass to its new shape, or give it a \
                 version rule"
            }
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// In which API versions a pass runs, and where it must change something. Versions are minors:
/// the `NN` of `1.NN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Versions {
    /// Runs in every version and must change something in each.
    Every,
    /// Runs from `1.first` on, every newer version included, and must change something in each:
    /// the correction of an upstream mistake still present in the newest spec. A new release
    /// gets it without anyone touching the range; when upstream fixes the spec, the fix changes
    /// nothing there and generation fails ([`Error::StalePass`]), and the range is closed then
    /// ([`Versions::Only`]).
    From(u32),
    /// Runs only in `1.first` to `1.last` (inclusive) and must change something in each: a
    /// correction that upstream made unnecessary after `1.last`, not tried in any other version.
    Only(u32, u32),
    /// Runs in every version; must change something from `1.NN` on, and may change nothing
    /// before it (what it rewrites is not in the older specs). Newer versions are covered.
    ZeroBefore(u32),
    /// Runs in every version; must change something up to `1.NN`, and may change nothing after
    /// it (what it rewrites left the specs). It keeps running, so it still applies to a newer
    /// spec that brings the shape back.
    ZeroAfter(u32),
}

impl Versions {
    /// Whether the pass runs in `minor`.
    pub fn runs_in(self, minor: u32) -> bool {
        match self {
            Versions::Only(first, last) => (first..=last).contains(&minor),
            Versions::From(first) => minor >= first,
            Versions::Every | Versions::ZeroBefore(_) | Versions::ZeroAfter(_) => true,
        }
    }

    /// Whether a count of zero is expected, not stale, in `minor`.
    pub fn may_be_zero_in(self, minor: u32) -> bool {
        match self {
            Versions::Every | Versions::Only(..) | Versions::From(_) => false,
            Versions::ZeroBefore(first) => minor < first,
            Versions::ZeroAfter(last) => minor > last,
        }
    }
}

/// One pass of a stage. `F` is the stage's kind of edit (a function over the JSON tree, or over
/// progenitor's output), returning how many places it changed.
pub struct Pass<F> {
    /// Short, stable, kebab-case name, shown in `spec check` and in errors.
    pub name: &'static str,
    /// Why the pass exists: what would be wrong without it.
    pub reason: &'static str,
    /// Where it runs and where it must change something.
    pub versions: Versions,
    /// The edit; returns the number of places it changed.
    pub run: F,
}

/// What one pass did in one version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Applied {
    /// The stage the pass belongs to.
    pub stage: Stage,
    /// The pass's name.
    pub name: &'static str,
    /// How many places it changed (zero only where its [`Versions`] rule allows it).
    pub count: usize,
}

/// Runs each pass of `table` that runs in `minor`, in order, through `run` (which calls the
/// pass's edit with the stage's arguments); a count of zero where the pass's [`Versions`] do not
/// allow it is an [`Error::StalePass`] naming every such pass of the stage (the whole table runs
/// first, so a new release's refusal lists them all at once). Returns what each pass did.
pub fn run_table<F>(
    stage: Stage,
    version: &str,
    minor: u32,
    table: &[Pass<F>],
    mut run: impl FnMut(&Pass<F>) -> Result<usize, Error>,
) -> Result<Vec<Applied>, Error> {
    let mut applied = Vec::new();
    let mut stale = Vec::new();
    for pass in table.iter().filter(|p| p.versions.runs_in(minor)) {
        let count = run(pass)?;
        if count == 0 && !pass.versions.may_be_zero_in(minor) {
            stale.push(pass.name);
        }
        applied.push(Applied {
            stage,
            name: pass.name,
            count,
        });
    }
    if !stale.is_empty() {
        return Err(Error::StalePass {
            version: version.to_string(),
            stage,
            passes: stale,
        });
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(n: usize) -> Pass<usize> {
        Pass {
            name: "counts",
            reason: "test",
            versions: Versions::Every,
            run: n,
        }
    }

    #[test]
    fn a_pass_that_changes_nothing_fails() {
        let table = [count(3), count(0)];
        let err = run_table(Stage::Syn, "1.41", 41, &table, |p| Ok(p.run)).unwrap_err();
        assert!(
            matches!(
                err,
                Error::StalePass {
                    stage: Stage::Syn,
                    ref passes,
                    ..
                } if passes == &["counts"]
            ),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.starts_with("v1.41: syn pass `counts` changed nothing")
                && message.contains("codegen/src/postprocess/mod.rs"),
            "{message}"
        );
    }

    #[test]
    fn version_rules() {
        let zero = |versions| Pass {
            name: "zero",
            reason: "test",
            versions,
            run: 0,
        };
        let run = |versions, minor| {
            run_table(
                Stage::Policy,
                "1.x",
                minor,
                &[zero(versions)],
                |p| Ok(p.run),
            )
        };
        // Allowed zero: it ran, and says so.
        assert_eq!(run(Versions::ZeroBefore(40), 39).unwrap()[0].count, 0);
        assert_eq!(run(Versions::ZeroAfter(40), 41).unwrap().len(), 1);
        // Not allowed.
        assert!(run(Versions::ZeroBefore(40), 40).is_err());
        assert!(run(Versions::ZeroAfter(40), 40).is_err());
        assert!(run(Versions::Only(30, 40), 35).is_err());
        // Outside its range an `Only` pass does not run at all.
        assert!(run(Versions::Only(30, 40), 41).unwrap().is_empty());
        // An open range runs in every newer version (a release nobody has seen yet included),
        // where it must still change something; it does not run before its start.
        assert!(run(Versions::From(30), 99).is_err());
        assert!(run(Versions::From(30), 29).unwrap().is_empty());
    }

    #[test]
    fn every_stale_pass_of_a_stage_is_named() {
        let named = |name, run| Pass {
            name,
            reason: "test",
            versions: Versions::From(25),
            run,
        };
        let table = [named("a", 0), named("b", 2), named("c", 0)];
        let err = run_table(Stage::Fix, "1.56", 56, &table, |p| Ok(p.run)).unwrap_err();
        assert!(
            matches!(&err, Error::StalePass { passes, .. } if passes == &["a", "c"]),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("v1.56: spec fixes `a`, `c` changed nothing"),
            "{err}"
        );
    }
}
