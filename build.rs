//! Generates one client module per enabled `v1_NN` feature from `spec/v1.NN.yaml`.
//!
//! The work is done by the `docker-engine-codegen` crate (also used by `cargo xtask spec check`);
//! this file only finds the enabled versions, reads their specs and writes `OUT_DIR`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs, process};

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let spec_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
    let mut versions: Vec<u32> = env::vars()
        .filter_map(|(k, _)| k.strip_prefix("CARGO_FEATURE_V1_")?.parse().ok())
        .collect();
    versions.sort_unstable();

    let mut modules = String::new();
    for minor in versions {
        let version = format!("1.{minor}");
        let spec = spec_dir.join(format!("v{version}.yaml"));
        println!("cargo::rerun-if-changed={}", spec.display());
        let Ok(yaml) = fs::read_to_string(&spec) else {
            fail(&format!(
                "spec/v{version}.yaml is missing: run `cargo xtask spec sync --from ../shared/docker-engine-api` (or `cargo xtask spec sync` to download)"
            ));
        };
        let generated = docker_engine_codegen::generate(&version, &yaml)
            .unwrap_or_else(|e| fail(&e.to_string()));
        let file = format!("v1_{minor}.rs");
        fs::write(out.join(&file), generated.code)
            .unwrap_or_else(|e| fail(&format!("writing {file}: {e}")));
        writeln!(
            modules,
            "#[doc = \"Docker Engine API v{version}: its typed `Client`, request builders and `types`, generated from Docker's spec.\"]\n\
             #[cfg(feature = \"v1_{minor}\")]\n\
             #[allow(missing_docs, unused_mut, clippy::all, clippy::pedantic)]\n\
             pub mod v1_{minor} {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/{file}\"));\n}}"
        )
        .unwrap();
    }
    fs::write(out.join("versions.rs"), modules)
        .unwrap_or_else(|e| fail(&format!("writing versions.rs: {e}")));
}

fn fail(message: &str) -> ! {
    for line in message.lines() {
        println!("cargo::error={line}");
    }
    process::exit(1);
}
