//! Images: inspect and history; tag, list by reference, untag; commit a container's change and
//! list by label; save, remove and load back; several images in one tarball; prune the dangling.

use docker_engine_client::filters::ImageFilters;
use docker_engine_client::stream::ByteStreamExt;
use super::api::{Client, types};
use futures_util::TryStreamExt;
use serde_json::json;

use super::common::{body, create, labelled, run_to_exit, setup, setup_alone};
use crate::support;

/// Tags `image` (`repo:latest`) as `repo:<tag>` too (removed at the end); returns the new
/// reference.
async fn tag(client: &Client, cleanup: &support::Cleanup, image: &str, tag: &str) -> String {
    let (repo, _) = image.rsplit_once(':').unwrap();
    let tagged = format!("{repo}:{tag}");
    cleanup.image(&tagged);
    client
        .image_tag()
        .name(image)
        .repo(repo)
        .tag(tag)
        .send()
        .await
        .unwrap();
    tagged
}

/// Commits container `cid` as `repo:tag` with `config` (removed at the end).
async fn commit(
    client: &Client,
    cleanup: &support::Cleanup,
    cid: &str,
    (repo, tag): (&str, &str),
    comment: &str,
    config: serde_json::Value,
) -> types::IdResponse {
    cleanup.image(&format!("{repo}:{tag}"));
    client
        .image_commit()
        .container(cid)
        .repo(repo)
        .tag(tag)
        .comment(comment)
        .body(body::<types::ContainerConfig>(config))
        .send()
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn inspect_and_history_of_an_imported_image() {
    let Some((_docker, client, _cleanup, image)) = setup("ep-inspect").await else {
        return;
    };
    let inspected = client
        .image_inspect()
        .name(&image)
        .send()
        .await
        .unwrap()
        .into_inner();
    let id = inspected.id.clone().unwrap();
    assert_eq!(inspected.repo_tags.unwrap_or_default(), vec![image.clone()]);
    let history = client
        .image_history()
        .name(&image)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(history.len(), 1, "one imported layer");
    assert_eq!(history[0].id, id);
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn tag_then_list_by_reference_shows_both_tags() {
    let Some((_docker, client, cleanup, image)) = setup("ep-tag").await else {
        return;
    };
    let tagged = tag(&client, &cleanup, &image, "second").await;
    let (repo, _) = image.rsplit_once(':').unwrap();
    let by_reference = client
        .image_list()
        .filters(ImageFilters::new().reference(format!("{repo}:*")))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_reference.len(), 1);
    let mut tags = by_reference[0].repo_tags.clone().unwrap_or_default();
    tags.sort();
    assert_eq!(tags, [image.clone(), tagged.clone()]);
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn deleting_a_second_tag_untags_and_keeps_the_image() {
    let Some((_docker, client, cleanup, image)) = setup("ep-untag").await else {
        return;
    };
    let tagged = tag(&client, &cleanup, &image, "second").await;
    let deleted = client
        .image_delete()
        .name(&tagged)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(deleted[0].untagged.as_deref(), Some(tagged.as_str()));
    client.image_inspect().name(&image).send().await.unwrap();
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn commit_a_containers_change_then_list_by_label() {
    let Some((_docker, client, cleanup, image)) = setup("ep-commit").await else {
        return;
    };
    let label = support::unique("ep-commit");
    let cmd = ["sh", "-c", "echo committed > /made"];
    let cid = run_to_exit(&client, &cleanup, &image, &cmd, &label).await;
    let (repo, _) = image.rsplit_once(':').unwrap();
    let commit_repo = format!("{repo}-committed");
    let config = json!({"Labels": {"dec.test": label}, "Cmd": ["cat", "/made"]});
    let committed = commit(
        &client,
        &cleanup,
        &cid,
        (&commit_repo, "v1"),
        "made by a test",
        config,
    )
    .await;
    let by_label = client
        .image_list()
        .filters(ImageFilters::new().label(labelled(&label)))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_label.len(), 1);
    assert_eq!(by_label[0].id, committed.id);
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn save_remove_and_load_back() {
    let Some((_docker, client, cleanup, image)) = setup("ep-save").await else {
        return;
    };
    // An image of its own (not just another tag of the imported one), so removing it removes it.
    let cid = create(&client, &cleanup, json!({"Image": image, "Cmd": ["true"]})).await;
    let (repo, _) = image.rsplit_once(':').unwrap();
    let saved_repo = format!("{repo}-saved");
    let reference = format!("{saved_repo}:v1");
    let config = json!({"Labels": {"dec.test": support::unique("ep-save")}});
    commit(
        &client,
        &cleanup,
        &cid,
        (&saved_repo, "v1"),
        "to save",
        config,
    )
    .await;

    let saved = client.image_get().name(&reference).send().await.unwrap();
    let tarball = support::read_all(saved.into_body()).await;
    client.image_delete().name(&reference).send().await.unwrap();
    support::assert_not_found(client.image_inspect().name(&reference).send().await);
    let loaded = client
        .image_load()
        .quiet(true)
        .body(tarball)
        .send()
        .await
        .unwrap();
    let messages: Vec<serde_json::Value> = loaded.into_json().try_collect().await.unwrap();
    assert!(
        messages.iter().any(|m| m["stream"]
            .as_str()
            .is_some_and(|s| s.contains(&saved_repo))),
        "{messages:?}"
    );
    client
        .image_inspect()
        .name(&reference)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn get_all_saves_several_images_in_one_tarball() {
    let Some((_docker, client, cleanup, image)) = setup("ep-get-all").await else {
        return;
    };
    let tagged = tag(&client, &cleanup, &image, "second").await;
    let all = client
        .image_get_all()
        .names(vec![image.clone(), tagged.clone()])
        .send()
        .await
        .unwrap();
    let tarball = support::read_all(all.into_body()).await;
    let mut archive = tar::Archive::new(tarball.as_slice());
    let names: Vec<String> = archive
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    assert!(names.iter().any(|n| n == "manifest.json"), "{names:?}");
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn prune_takes_the_dangling_labelled_image_whose_tag_moved_away() {
    // Alone on its daemon: the prune would take the leases of other tests' imports and commits.
    let Some((_docker, client, cleanup, image)) = setup_alone("ep-image-prune").await else {
        return;
    };
    let label = support::unique("ep-image-prune");
    let cid = create(&client, &cleanup, json!({"Image": image, "Cmd": ["true"]})).await;
    let (repo, _) = image.rsplit_once(':').unwrap();
    let commit_repo = format!("{repo}-committed");
    let config = json!({"Labels": {"dec.test": label}});
    let first = commit(
        &client,
        &cleanup,
        &cid,
        (&commit_repo, "moving"),
        "",
        config.clone(),
    )
    .await;
    // The tag moves to a second commit; the first image is left dangling.
    let second = commit(
        &client,
        &cleanup,
        &cid,
        (&commit_repo, "moving"),
        "the tag moves here",
        config,
    )
    .await;
    assert_ne!(first.id, second.id);
    let dangling = ImageFilters::new().dangling(true).label(labelled(&label));
    let listed = client
        .image_list()
        .filters(dangling.clone())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        listed.iter().map(|i| i.id.clone()).collect::<Vec<_>>(),
        vec![first.id.clone()]
    );
    let pruned = client
        .image_prune()
        .filters(dangling)
        .send()
        .await
        .unwrap()
        .into_inner();
    let deleted: Vec<String> = pruned
        .images_deleted
        .unwrap_or_default()
        .into_iter()
        .filter_map(|d| d.deleted)
        .collect();
    assert!(deleted.contains(&first.id), "{deleted:?}");
    client
        .image_inspect()
        .name(&second.id)
        .send()
        .await
        .unwrap();
}
