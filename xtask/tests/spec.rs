//! `spec check` over every version, and `spec add` on a copy of the project.

use std::fs;

use docker_engine_codegen::Stage;
use xtask::{manifest, project_root, spec};

#[test]
fn every_version_generates_completely() {
    let root = project_root();
    let reports = spec::check(&root, &[]).unwrap_or_else(|e| panic!("spec check failed:\n{e}"));
    assert_eq!(reports.len(), manifest(&root).unwrap().specs.len());
    for r in &reports {
        assert!(r.is_complete(), "{r}");
        assert!(
            r.operations_in_spec >= 90 && r.definitions_in_spec >= 50,
            "{r}"
        );
        for stage in Stage::ALL {
            assert!(
                r.passes.iter().any(|p| p.stage == stage),
                "no {stage} pass reported: {r}"
            );
        }
    }
}

#[test]
fn add_a_new_release_in_one_command() {
    let root = project_root();
    let project = tempfile::tempdir().unwrap();
    let incoming = tempfile::tempdir().unwrap();
    fs::create_dir(project.path().join("spec")).unwrap();
    fs::copy(root.join("Cargo.toml"), project.path().join("Cargo.toml")).unwrap();
    fs::copy(
        root.join("spec/manifest.toml"),
        project.path().join("spec/manifest.toml"),
    )
    .unwrap();
    // A "new release": the newest spec under a new version number.
    let newest = manifest(&root).unwrap().specs.last().unwrap().clone();
    let next = format!(
        "1.{}",
        docker_engine_codegen::minor_of(&newest.version).unwrap() + 1
    );
    fs::copy(
        root.join("spec").join(newest.file_name()),
        incoming.path().join(format!("v{next}.yaml")),
    )
    .unwrap();

    spec::add(project.path(), &next, Some(incoming.path())).unwrap();

    let manifest = manifest(project.path()).unwrap();
    let added = manifest.specs.last().unwrap();
    assert_eq!(added.version, next);
    assert_eq!(added.sha256, newest.sha256, "same bytes, same hash");
    assert!(
        added.url.ends_with(&format!("/api/docs/v{next}.yaml")),
        "{}",
        added.url
    );
    let feature = added.feature();
    let cargo = fs::read_to_string(project.path().join("Cargo.toml")).unwrap();
    assert!(cargo.contains(&format!("\n{feature} = []\n")), "{cargo}");
    assert!(
        cargo.contains(&format!("default = [\"{feature}\"]")),
        "{cargo}"
    );
    assert!(
        cargo.contains(&format!(
            "\"/spec/{}\",\n    \"/spec/v{next}.yaml\",\n]",
            newest.file_name()
        )),
        "the new spec ships in the package: {cargo}"
    );
    assert!(
        project
            .path()
            .join("spec")
            .join(format!("v{next}.yaml"))
            .exists()
    );
    assert!(spec::features(project.path()).unwrap().contains(&feature));

    // Adding it twice is refused.
    assert!(spec::add(project.path(), &next, Some(incoming.path())).is_err());
}

#[test]
fn sync_refuses_a_file_with_the_wrong_hash() {
    let root = project_root();
    let project = tempfile::tempdir().unwrap();
    let incoming = tempfile::tempdir().unwrap();
    fs::create_dir(project.path().join("spec")).unwrap();
    fs::copy(
        root.join("spec/manifest.toml"),
        project.path().join("spec/manifest.toml"),
    )
    .unwrap();
    for entry in manifest(&root).unwrap().specs {
        fs::write(
            incoming.path().join(entry.file_name()),
            b"swagger: \"2.0\"\n",
        )
        .unwrap();
    }
    let err = spec::sync(project.path(), Some(incoming.path())).unwrap_err();
    assert!(err.contains("does not match the manifest"), "{err}");
    assert!(
        fs::read_dir(project.path().join("spec")).unwrap().count() == 1,
        "nothing written"
    );
}
