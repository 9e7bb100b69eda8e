//! Volumes: create with labels and inspect; list by label and by dangling and name; delete;
//! prune.

use docker_engine_client::filters::VolumeFilters;
use super::api::{Client, types};
use serde_json::json;

use super::common::{body, connect, labelled};
use crate::support;

/// Creates local volume `name` labelled `dec.test=<label>` (removed at the end).
async fn create(client: &Client, cleanup: &support::Cleanup, name: &str, label: &str) {
    cleanup.volume(name);
    let create: types::VolumeCreateOptions =
        body(json!({"Name": name, "Driver": "local", "Labels": {"dec.test": label}}));
    let volume = client
        .volume_create()
        .body(create)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(volume.name, name);
}

/// The names of the volumes that `filters` select, sorted.
async fn list(client: &Client, filters: VolumeFilters) -> Vec<String> {
    let listed = client
        .volume_list()
        .filters(filters)
        .send()
        .await
        .unwrap()
        .into_inner();
    let mut names: Vec<String> = listed
        .volumes
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.name)
        .collect();
    names.sort();
    names
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn create_with_labels_then_inspect() {
    let Some((_docker, client, cleanup)) = connect().await else {
        return;
    };
    let label = support::unique("ep-vol-label");
    let name = support::unique("ep-vol");
    create(&client, &cleanup, &name, &label).await;
    let inspected = client
        .volume_inspect()
        .name(&name)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        inspected.labels.unwrap_or_default().get("dec.test"),
        Some(&label)
    );
    assert_eq!(inspected.driver, "local");
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn list_by_label_and_by_dangling_and_name() {
    let Some((_docker, client, cleanup)) = connect().await else {
        return;
    };
    let label = support::unique("ep-vol-label");
    let mut names = [support::unique("ep-vol-a"), support::unique("ep-vol-b")];
    for name in &names {
        create(&client, &cleanup, name, &label).await;
    }
    names.sort();
    let by_label = VolumeFilters::new().label(labelled(&label));
    assert_eq!(list(&client, by_label).await, names);
    let dangling = VolumeFilters::new().dangling(true).name(&names[1]);
    assert_eq!(list(&client, dangling).await, [names[1].clone()]);
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn delete_then_prune_by_label_takes_the_rest() {
    let Some((_docker, client, cleanup)) = connect().await else {
        return;
    };
    let label = support::unique("ep-vol-label");
    let names = [support::unique("ep-vol-a"), support::unique("ep-vol-b")];
    for name in &names {
        create(&client, &cleanup, name, &label).await;
    }
    client.volume_delete().name(&names[0]).send().await.unwrap();
    support::assert_not_found(client.volume_inspect().name(&names[0]).send().await);
    // From API 1.42 on, prune leaves named volumes unless asked for `all`.
    let mut filters = VolumeFilters::new().label(labelled(&label));
    if super::DAEMON == support::Daemon::Modern {
        filters = filters.all(true);
    }
    let pruned = client
        .volume_prune()
        .filters(filters)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        pruned.volumes_deleted.unwrap_or_default(),
        vec![names[1].clone()]
    );
    support::assert_not_found(client.volume_inspect().name(&names[1]).send().await);
}
