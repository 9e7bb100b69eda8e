//! Generates one client module per enabled `v1_NN` feature from Docker's spec `v1.NN.yaml`.
//!
//! The specs come from the crate's own `spec/` folder (synced in a checkout, shipped inside the
//! published package) or, for a git dependency or a vendored tree that has none, from the folder
//! named by `DOCKER_ENGINE_API_SPECS`. Every spec is checked against the sha256 that
//! `spec/manifest.yaml` pins before the generator sees it. The work is done by the
//! `docker-engine-codegen` crate (also used by `cargo xtask spec check`); this file only picks the
//! folder and the versions, and writes `OUT_DIR`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs, process};

use docker_engine_codegen::specs::{MANIFEST_FILE, Manifest, SPECS_ENV, SpecDir};

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=spec/{MANIFEST_FILE}");
    println!("cargo::rerun-if-env-changed={SPECS_ENV}");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let spec_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
    let manifest = Manifest::load(&spec_dir.join(MANIFEST_FILE)).unwrap_or_else(|e| fail(&e));
    let env_value = env::var(SPECS_ENV).ok();
    let source = SpecDir::choose(&spec_dir, env_value.as_deref()).unwrap_or_else(|e| fail(&e));
    if let SpecDir::Crate(dir) = &source {
        check_not_partial(&manifest, dir);
    }

    let mut versions: Vec<u32> = env::vars()
        .filter_map(|(k, _)| k.strip_prefix("CARGO_FEATURE_V1_")?.parse().ok())
        .collect();
    versions.sort_unstable();

    // Docker's prose becomes the generated items' docs; its brackets and HTML are not rustdoc's
    // intra-doc links or tags, so rustdoc's lints about them are off for generated modules only.
    let mut modules = String::new();
    // The unit tests' list of every enabled version's example-decoding tables
    // (`src/spec_examples.rs`); compiled only in the crate's own tests.
    let mut example_tables = String::new();
    for minor in versions {
        let version = format!("1.{minor}");
        let entry = manifest.entry(&version).unwrap_or_else(|| {
            fail(&format!(
                "feature v1_{minor} has no entry in spec/{MANIFEST_FILE} (add it with `cargo xtask spec add {version}`)"
            ))
        });
        let path = source.path().join(entry.file_name());
        println!("cargo::rerun-if-changed={}", path.display());
        let yaml = source.read(entry).unwrap_or_else(|e| fail(&e));
        let generated = docker_engine_codegen::generate(&version, &yaml)
            .unwrap_or_else(|e| fail(&e.to_string()));
        let file = format!("v1_{minor}.rs");
        fs::write(out.join(&file), generated.code)
            .unwrap_or_else(|e| fail(&format!("writing {file}: {e}")));
        writeln!(
            modules,
            "#[doc = \"Docker Engine API v{version}: its typed `Client`, request builders and `types`, generated from Docker's spec.\"]\n\
             #[cfg(feature = \"v1_{minor}\")]\n\
             #[cfg_attr(docsrs, doc(cfg(feature = \"v1_{minor}\")))]\n\
             #[allow(missing_docs, unused_mut, clippy::all, clippy::pedantic)]\n\
             #[allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags, rustdoc::bare_urls, rustdoc::invalid_rust_codeblocks)]\n\
             pub mod v1_{minor} {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/{file}\"));\n}}"
        )
        .unwrap();
        writeln!(
            example_tables,
            "        crate::spec_examples::Version {{ version: \"{version}\", examples: v1_{minor}::spec_examples::EXAMPLES, synthesized: v1_{minor}::spec_examples::SYNTHESIZED, untyped: v1_{minor}::spec_examples::UNTYPED }},"
        )
        .unwrap();
    }
    writeln!(
        modules,
        "/// Every enabled version's example-decoding tables (tests only).\n\
         #[cfg(test)]\n\
         fn spec_example_versions() -> Vec<crate::spec_examples::Version> {{\n    vec![\n{example_tables}    ]\n}}"
    )
    .unwrap();

    // The generator's list of operations that answer a stream (by their method names, as requests
    // name themselves), for the test that holds the transport's own list (docker-engine-core's)
    // to it.
    let streaming: Vec<String> = docker_engine_codegen::policy::STREAMING_OPERATIONS
        .iter()
        .map(|id| format!("{:?}", docker_engine_codegen::tree::method_name(id)))
        .collect();
    writeln!(
        modules,
        "/// The operations whose success body is a stream (progress lines, container output, \
         tar archives), as the generator types them (tests only: compared with the transport's).\n\
         #[cfg(test)]\n\
         const GENERATED_STREAMING_OPERATIONS: &[&str] = &[{}];",
        streaming.join(", ")
    )
    .unwrap();
    fs::write(out.join("versions.rs"), modules)
        .unwrap_or_else(|e| fail(&format!("writing versions.rs: {e}")));
}

/// The crate's own `spec/` holds all of the manifest's specs or none (a checkout not synced yet):
/// a package that lost some on the way is refused here, whichever versions this build enables.
fn check_not_partial(manifest: &Manifest, dir: &Path) {
    let missing: Vec<String> = manifest
        .specs
        .iter()
        .map(|s| s.file_name())
        .filter(|f| !dir.join(f).is_file())
        .collect();
    if !missing.is_empty() && missing.len() < manifest.specs.len() {
        fail(&format!(
            "spec/ is incomplete: {} of {} specs missing ({}): re-run `cargo xtask spec sync` before building or packaging",
            missing.len(),
            manifest.specs.len(),
            missing.join(", ")
        ));
    }
}

fn fail(message: &str) -> ! {
    for line in message.lines() {
        println!("cargo::error={line}");
    }
    process::exit(1);
}
