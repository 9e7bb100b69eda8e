//! `spec check` over every version, and `spec add` on a copy of the project.

use std::fs;

use docker_engine_codegen::Stage;
use xtask::{manifest, manifest_path, project_root, spec};

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
    fs::copy(manifest_path(&root), manifest_path(project.path())).unwrap();
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

    // It gets exactly the newest version's passes, with the same counts: every fix still
    // applies to it (open ranges), none is dropped because its range ended at a number.
    let text = fs::read_to_string(root.join("spec").join(newest.file_name())).unwrap();
    let passes = |version: &str| {
        docker_engine_codegen::generate(version, &text)
            .unwrap()
            .report
            .passes
    };
    assert_eq!(passes(&next), passes(&newest.version));

    // Adding it twice is refused.
    assert!(spec::add(project.path(), &next, Some(incoming.path())).is_err());
}

#[test]
fn a_release_where_upstream_fixed_what_a_fix_corrects_is_refused_naming_each_fix() {
    let root = project_root();
    let project = tempfile::tempdir().unwrap();
    let incoming = tempfile::tempdir().unwrap();
    fs::create_dir(project.path().join("spec")).unwrap();
    fs::copy(root.join("Cargo.toml"), project.path().join("Cargo.toml")).unwrap();
    fs::copy(manifest_path(&root), manifest_path(project.path())).unwrap();
    // The next release, with two of the mistakes the fixes correct corrected upstream: plugin
    // delete answers no body, a volume's Status values are any JSON. (JSON is YAML.)
    let newest = manifest(&root).unwrap().specs.last().unwrap().clone();
    let next = format!(
        "1.{}",
        docker_engine_codegen::minor_of(&newest.version).unwrap() + 1
    );
    let text = fs::read_to_string(root.join("spec").join(newest.file_name())).unwrap();
    let mut doc = docker_engine_codegen::load::parse_yaml(&newest.version, &text).unwrap();
    let plugin_delete = doc
        .pointer_mut("/paths/~1plugins~1{name}/delete/responses/200")
        .and_then(|r| r.as_object_mut())
        .unwrap();
    assert!(plugin_delete.remove("schema").is_some());
    *doc.pointer_mut("/definitions/Volume/properties/Status/additionalProperties")
        .unwrap() = serde_json::json!({});
    fs::write(
        incoming.path().join(format!("v{next}.yaml")),
        serde_json::to_string(&doc).unwrap(),
    )
    .unwrap();
    let before = fs::read_to_string(project.path().join("Cargo.toml")).unwrap();

    let err = spec::add(project.path(), &next, Some(incoming.path())).unwrap_err();

    assert!(
        err.starts_with(&format!("v{next} not added: v{next}: spec fixes")),
        "{err}"
    );
    assert!(
        err.contains("`plugin-delete-empty-body`") && err.contains("`volume-status-any-value`"),
        "{err}"
    );
    assert!(
        err.contains("Versions::Only(first, last)"),
        "what to do: {err}"
    );
    // Nothing was written.
    assert!(
        !project
            .path()
            .join("spec")
            .join(format!("v{next}.yaml"))
            .exists()
    );
    assert_eq!(
        fs::read_to_string(project.path().join("Cargo.toml")).unwrap(),
        before
    );
    assert_eq!(
        manifest(project.path()).unwrap().specs.len(),
        manifest(&root).unwrap().specs.len()
    );
}

#[test]
fn sync_refuses_a_file_with_the_wrong_hash() {
    let root = project_root();
    let project = tempfile::tempdir().unwrap();
    let incoming = tempfile::tempdir().unwrap();
    fs::create_dir(project.path().join("spec")).unwrap();
    fs::copy(manifest_path(&root), manifest_path(project.path())).unwrap();
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

#[test]
fn spec_diff_of_two_real_adjacent_versions() {
    let root = project_root();
    let diff = xtask::spec_diff::diff_files(&root, "1.47", "1.48").unwrap();
    let text = diff.render("1.47", "1.48");
    // What Docker's changelog says 1.48 brought, as the diff states it.
    for line in [
        "~ ImageInspect: query `manifests` added (boolean)",
        "~ ImageLoad: query `platform` added (string)",
        "~ ContainerInspect: response 200: object -> ContainerInspectResponse",
        "+ IDResponse",
        "- IdResponse",
        "~ EndpointSettings.GwPriority added (integer)",
        "~ ImageInspect.Manifests added (array of ImageManifestSummary)",
        "~ MountType: enum + image",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    // No operation came or went in 1.48; the reverse diff undoes every line.
    assert!(diff.operations.is_empty(), "{text}");
    let back = xtask::spec_diff::diff_files(&root, "1.48", "1.47").unwrap();
    assert_eq!(back.definitions.len(), diff.definitions.len());
    assert!(back.definitions.contains(&"- IDResponse".to_string()));
    // A version against itself: nothing.
    assert!(
        xtask::spec_diff::diff_files(&root, "1.48", "1.48")
            .unwrap()
            .is_empty()
    );
}
