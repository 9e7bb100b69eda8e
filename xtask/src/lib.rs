//! Project chores behind `cargo xtask`: keeping the Engine API specs in sync, adding a new Engine
//! release, checking that every version generates completely, benchmarks, and which operations
//! the integration tests exercise.

pub mod bench;
pub mod coverage;
pub mod examples;
pub mod fetch;
pub mod fuzz;
pub mod load;
pub mod package;
pub mod spec;
pub mod spec_diff;

use std::path::{Path, PathBuf};

pub use docker_engine_codegen::specs::{self, Manifest};

/// The workspace root (the folder above `xtask/`).
pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Where `spec/manifest.yaml` is under `root`.
pub fn manifest_path(root: &Path) -> PathBuf {
    root.join("spec").join(specs::MANIFEST_FILE)
}

/// Reads `spec/manifest.yaml` under `root`.
pub fn manifest(root: &Path) -> Result<Manifest, String> {
    Manifest::load(&manifest_path(root))
}
