//! Every endpoint group on the real daemon, with the types of the version it speaks (v1.41):
//! containers, images, networks, volumes and system. Each test makes uniquely named objects and
//! removes them; `cargo xtask coverage` lists what these (and the other) tests called.
//!
//! Request bodies with deep nesting are written as the JSON Docker documents and decoded into the
//! generated types, so a field the types get wrong fails here.

#![cfg(all(feature = "v1_41", feature = "v1_55"))]

mod support;

use std::time::Duration;

use docker_engine_client::Docker;
use docker_engine_client::filters::{
    ContainerFilters, ImageFilters, NetworkFilters, VolumeFilters,
};
use docker_engine_client::stream::ByteStreamExt;
use docker_engine_client::v1_41::{Client, types};
use futures_util::TryStreamExt;
use serde_json::json;

/// A v1.41 client, a busybox image, and the cleanup of what the test makes.
async fn setup(name: &str) -> Option<(Docker, Client, support::Cleanup, String)> {
    let docker = support::docker()?;
    let client: Client = docker.client().await.unwrap();
    let importer: docker_engine_client::v1_55::Client = docker.client().await.unwrap();
    let cleanup = support::Cleanup::new(&docker);
    let image = support::import_busybox(&importer, &support::unique(name)).await;
    cleanup.image(&image);
    Some((docker, client, cleanup, image))
}

fn body<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).unwrap()
}

async fn inspect(client: &Client, id: &str) -> types::ContainerInspectResponse {
    client
        .container_inspect()
        .id(id)
        .send()
        .await
        .unwrap()
        .into_inner()
}

async fn status(client: &Client, id: &str) -> Option<types::ContainerStateStatus> {
    inspect(client, id).await.state.and_then(|s| s.status)
}

async fn listed(client: &Client, filters: ContainerFilters) -> Vec<String> {
    client
        .container_list()
        .all(true)
        .filters(filters)
        .send()
        .await
        .unwrap()
        .into_inner()
        .into_iter()
        .filter_map(|c| c.id)
        .collect()
}

#[tokio::test]
async fn containers_from_create_to_prune() {
    let Some((_docker, client, cleanup, image)) = setup("ep-containers").await else {
        return;
    };
    let name = support::unique("ep-container");
    let label = support::unique("ep-label");
    let volume = support::unique("ep-volume");
    let create: types::ContainerCreateBody = body(json!({
        "Image": image,
        "Cmd": ["sh", "-c", "touch /tmp/new-file; exec sleep 300"],
        "Env": ["GREETING=hello", "EMPTY="],
        "Labels": {"dec.test": label, "role": "web"},
        "ExposedPorts": {"8080/tcp": {}},
        "Healthcheck": {"Test": ["CMD", "true"], "Interval": 200_000_000i64, "Retries": 2},
        "StopTimeout": 1,
        "HostConfig": {
            "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 2},
            "PortBindings": {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]},
            "Mounts": [
                {"Type": "tmpfs", "Target": "/scratch"},
                {"Type": "volume", "Source": volume, "Target": "/data"}
            ]
        }
    }));
    let created = client
        .container_create()
        .name(&name)
        .body(create)
        .send()
        .await
        .unwrap()
        .into_inner();
    let id = created.id;
    cleanup.container(&id);
    client.container_start().id(&id).send().await.unwrap();

    // Inspect: what was asked for is what the daemon has.
    let info = inspect(&client, &id).await;
    assert_eq!(info.name.as_deref(), Some(format!("/{name}").as_str()));
    let config = info.config.clone().unwrap();
    assert!(
        config
            .env
            .unwrap_or_default()
            .contains(&"GREETING=hello".to_string())
    );
    assert_eq!(
        config
            .labels
            .unwrap_or_default()
            .get("role")
            .map(String::as_str),
        Some("web")
    );
    let host = info.host_config.clone().unwrap();
    let restart = host.restart_policy.unwrap();
    assert_eq!(restart.name, Some(types::RestartPolicyName::OnFailure));
    assert_eq!(restart.maximum_retry_count, Some(2));
    let mounts = info.mounts.clone().unwrap_or_default();
    assert!(
        mounts
            .iter()
            .any(|m| m.destination.as_deref() == Some("/data")),
        "{mounts:?}"
    );
    let ports = info.network_settings.clone().and_then(|n| n.ports).unwrap();
    let bound = ports
        .0
        .get("8080/tcp")
        .cloned()
        .flatten()
        .unwrap_or_default();
    assert!(
        bound
            .iter()
            .any(|b| b.host_ip.as_deref() == Some("127.0.0.1")),
        "{bound:?}"
    );

    // List, by each filter.
    let by_label = ContainerFilters::new().label(format!("dec.test={label}"));
    assert_eq!(listed(&client, by_label.clone()).await, vec![id.clone()]);
    assert_eq!(
        listed(&client, ContainerFilters::new().name(&name)).await,
        vec![id.clone()]
    );
    assert_eq!(
        listed(&client, ContainerFilters::new().id(&id)).await,
        vec![id.clone()]
    );
    let running = ContainerFilters::new()
        .status("running")
        .label(format!("dec.test={label}"));
    assert_eq!(listed(&client, running).await, vec![id.clone()]);
    let ancestor = ContainerFilters::new()
        .ancestor(&image)
        .label(format!("dec.test={label}"));
    assert_eq!(listed(&client, ancestor).await, vec![id.clone()]);
    let volume_filter = ContainerFilters::new().volume(&volume);
    assert_eq!(listed(&client, volume_filter).await, vec![id.clone()]);
    let expose = ContainerFilters::new()
        .expose("8080/tcp")
        .label(format!("dec.test={label}"));
    assert_eq!(listed(&client, expose).await, vec![id.clone()]);
    // Healthy within a few seconds (checks every 200 ms).
    let healthy = ContainerFilters::new()
        .health("healthy")
        .label(format!("dec.test={label}"));
    let seen = support::eventually(50, Duration::from_millis(200), || async {
        let seen = listed(&client, healthy.clone()).await;
        (!seen.is_empty()).then_some(seen)
    })
    .await
    .unwrap_or_default();
    assert_eq!(seen, vec![id.clone()]);

    // Top and changes.
    let top = client
        .container_top()
        .id(&id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(top.titles.unwrap_or_default().iter().any(|t| t == "PID"));
    let processes = top.processes.unwrap_or_default();
    assert!(
        processes.iter().flatten().any(|p| p.contains("sleep 300")),
        "{processes:?}"
    );
    let changes = client
        .container_changes()
        .id(&id)
        .send()
        .await
        .unwrap()
        .into_inner();
    let new_file = changes.iter().find(|c| c.path == "/tmp/new-file");
    assert_eq!(new_file.map(|c| *c.kind), Some(1), "added: {changes:?}");

    // One-shot stats.
    let stats = client
        .container_stats()
        .id(&id)
        .stream(false)
        .send()
        .await
        .unwrap();
    let stats: Vec<serde_json::Value> = stats.into_json().try_collect().await.unwrap();
    assert_eq!(stats.len(), 1);
    assert!(stats[0]["memory_stats"].is_object(), "{}", stats[0]);

    // Update, rename.
    let update: types::ContainerUpdateBody =
        body(json!({"CpuShares": 512, "RestartPolicy": {"Name": "no"}}));
    client
        .container_update()
        .id(&id)
        .body(update)
        .send()
        .await
        .unwrap();
    let host = inspect(&client, &id).await.host_config.unwrap();
    assert_eq!(host.cpu_shares, Some(512));
    assert_eq!(
        host.restart_policy.and_then(|r| r.name),
        Some(types::RestartPolicyName::No)
    );
    let renamed = format!("{name}-renamed");
    client
        .container_rename()
        .id(&id)
        .name(&renamed)
        .send()
        .await
        .unwrap();
    assert_eq!(
        inspect(&client, &renamed).await.id.as_deref(),
        Some(id.as_str())
    );

    // Pause, unpause, restart.
    client.container_pause().id(&id).send().await.unwrap();
    assert_eq!(
        status(&client, &id).await,
        Some(types::ContainerStateStatus::Paused)
    );
    let paused = ContainerFilters::new()
        .status("paused")
        .label(format!("dec.test={label}"));
    assert_eq!(listed(&client, paused).await, vec![id.clone()]);
    client.container_unpause().id(&id).send().await.unwrap();
    assert_eq!(
        status(&client, &id).await,
        Some(types::ContainerStateStatus::Running)
    );
    let before = inspect(&client, &id).await.state.and_then(|s| s.started_at);
    client
        .container_restart()
        .id(&id)
        .t(1)
        .send()
        .await
        .unwrap();
    let after = inspect(&client, &id).await.state.and_then(|s| s.started_at);
    assert_ne!(before, after, "restarted");

    // Stop (SIGTERM, then SIGKILL after 1 s), start again.
    client.container_stop().id(&id).t(1).send().await.unwrap();
    assert_eq!(
        status(&client, &id).await,
        Some(types::ContainerStateStatus::Exited)
    );
    client.container_start().id(&id).send().await.unwrap();

    // Kill with a signal; wait sees it.
    client
        .container_kill()
        .id(&id)
        .signal("SIGKILL")
        .send()
        .await
        .unwrap();
    let waited = client
        .container_wait()
        .id(&id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(waited.status_code, 137);
    let exited = ContainerFilters::new()
        .exited(137)
        .label(format!("dec.test={label}"));
    assert_eq!(listed(&client, exited).await, vec![id.clone()]);
    // Starting a started container, stopping a stopped one: 304, typed.
    let err = client.container_stop().id(&id).send().await.unwrap_err();
    assert!(err.is_not_modified(), "{err}");

    // Export: the whole filesystem as a tar stream.
    let export = client.container_export().id(&id).send().await.unwrap();
    let tarball = support::read_all(export.into_body()).await;
    let mut archive = tar::Archive::new(tarball.as_slice());
    let paths: Vec<String> = archive
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    assert!(paths.iter().any(|p| p == "bin/busybox") && paths.iter().any(|p| p == "tmp/new-file"));

    // Prune by label takes exactly this stopped container.
    let pruned = client
        .container_prune()
        .filters(by_label)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        pruned.containers_deleted.unwrap_or_default(),
        vec![id.clone()]
    );
    support::assert_not_found(client.container_inspect().id(&id).send().await);
    client.volume_delete().name(&volume).send().await.unwrap();
}

#[tokio::test]
async fn images_inspect_history_tag_list_commit_prune_save_load() {
    let Some((_docker, client, cleanup, image)) = setup("ep-images").await else {
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

    // Tag, then list by reference.
    let (repo, _) = image.rsplit_once(':').unwrap();
    let tagged = format!("{repo}:second");
    cleanup.image(&tagged);
    client
        .image_tag()
        .name(&image)
        .repo(repo)
        .tag("second")
        .send()
        .await
        .unwrap();
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

    // Commit a container's change as a labelled image, then list by label.
    let label = support::unique("ep-commit");
    let container: types::ContainerCreateBody =
        body(json!({"Image": image, "Cmd": ["sh", "-c", "echo committed > /made"]}));
    let cid = client
        .container_create()
        .body(container)
        .send()
        .await
        .unwrap()
        .into_inner()
        .id;
    cleanup.container(&cid);
    client.container_start().id(&cid).send().await.unwrap();
    client.container_wait().id(&cid).send().await.unwrap();
    let commit_repo = format!("{repo}-committed");
    let config: types::ContainerConfig =
        body(json!({"Labels": {"dec.test": label}, "Cmd": ["cat", "/made"]}));
    let committed = client
        .image_commit()
        .container(&cid)
        .repo(&commit_repo)
        .tag("v1")
        .comment("made by a test")
        .body(config)
        .send()
        .await
        .unwrap()
        .into_inner();
    cleanup.image(&format!("{commit_repo}:v1"));
    let by_label = client
        .image_list()
        .filters(ImageFilters::new().label(format!("dec.test={label}")))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_label.len(), 1);
    assert_eq!(by_label[0].id, committed.id);

    // Save the committed image, remove it, load it back.
    let saved = client
        .image_get()
        .name(format!("{commit_repo}:v1"))
        .send()
        .await
        .unwrap();
    let tarball = support::read_all(saved.into_body()).await;
    client
        .image_delete()
        .name(format!("{commit_repo}:v1"))
        .send()
        .await
        .unwrap();
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
            .is_some_and(|s| s.contains(&commit_repo))),
        "{messages:?}"
    );

    // Several images in one tarball.
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

    // Untag: the second tag goes, the image stays.
    let deleted = client
        .image_delete()
        .name(&tagged)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(deleted[0].untagged.as_deref(), Some(tagged.as_str()));
    client.image_inspect().name(&image).send().await.unwrap();

    // A dangling, labelled image (its tag moved away) is what prune takes.
    let container: types::ContainerCreateBody = body(json!({"Image": image, "Cmd": ["true"]}));
    let cid = client
        .container_create()
        .body(container)
        .send()
        .await
        .unwrap()
        .into_inner()
        .id;
    cleanup.container(&cid);
    let config: types::ContainerConfig = body(json!({"Labels": {"dec.test": label}}));
    let first = client
        .image_commit()
        .container(&cid)
        .repo(&commit_repo)
        .tag("moving")
        .body(config.clone())
        .send()
        .await
        .unwrap()
        .into_inner();
    let second = client
        .image_commit()
        .container(&cid)
        .repo(&commit_repo)
        .tag("moving")
        .comment("the tag moves here")
        .body(config)
        .send()
        .await
        .unwrap()
        .into_inner();
    cleanup.image(&format!("{commit_repo}:moving"));
    assert_ne!(first.id, second.id);
    let dangling = client
        .image_list()
        .filters(
            ImageFilters::new()
                .dangling(true)
                .label(format!("dec.test={label}")),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        dangling.iter().map(|i| i.id.clone()).collect::<Vec<_>>(),
        vec![first.id.clone()]
    );
    let pruned = client
        .image_prune()
        .filters(
            ImageFilters::new()
                .dangling(true)
                .label(format!("dec.test={label}")),
        )
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

#[tokio::test]
async fn networks_with_ipam_connect_aliases_filters_prune() {
    let Some((_docker, client, cleanup, image)) = setup("ep-networks").await else {
        return;
    };
    let name = support::unique("ep-net");
    let label = support::unique("ep-net-label");
    // A subnet of its own per test process.
    let octet = std::process::id() % 200 + 20;
    let subnet = format!("10.{octet}.77.0/24");
    let create: types::NetworkCreateRequest = body(json!({
        "Name": name,
        "Driver": "bridge",
        "Internal": true,
        "EnableIPv6": true,
        "Labels": {"dec.test": label},
        "IPAM": {"Driver": "default", "Config": [
            {"Subnet": subnet, "Gateway": format!("10.{octet}.77.1")},
            {"Subnet": format!("fd00:dec:{octet:x}::/64")}
        ]}
    }));
    let created = client
        .network_create()
        .body(create)
        .send()
        .await
        .unwrap()
        .into_inner();
    let network = created.id.clone().unwrap();

    let inspected = client
        .network_inspect()
        .id(&network)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(inspected.internal);
    assert_eq!(inspected.enable_i_pv6, Some(true));
    let ipam = inspected.ipam.unwrap().config.unwrap_or_default();
    assert_eq!(ipam[0].subnet.as_deref(), Some(subnet.as_str()));

    let list = |filters: NetworkFilters| {
        let client = client.clone();
        async move {
            client
                .network_list()
                .filters(filters)
                .send()
                .await
                .unwrap()
                .into_inner()
                .into_iter()
                .filter_map(|n| n.id)
                .collect::<Vec<_>>()
        }
    };
    let by_label = NetworkFilters::new().label(format!("dec.test={label}"));
    assert_eq!(list(by_label.clone()).await, vec![network.clone()]);
    assert_eq!(
        list(NetworkFilters::new().name(&name)).await,
        vec![network.clone()]
    );
    let custom = NetworkFilters::new()
        .kind("custom")
        .driver("bridge")
        .label(format!("dec.test={label}"));
    assert_eq!(list(custom).await, vec![network.clone()]);

    // Connect a container with aliases, see them, disconnect.
    let container: types::ContainerCreateBody =
        body(json!({"Image": image, "Cmd": ["sleep", "300"]}));
    let cid = client
        .container_create()
        .body(container)
        .send()
        .await
        .unwrap()
        .into_inner()
        .id;
    cleanup.container(&cid);
    client.container_start().id(&cid).send().await.unwrap();
    let connect: types::NetworkConnectRequest = body(json!({
        "Container": cid,
        "EndpointConfig": {"Aliases": ["db", "primary"]}
    }));
    client
        .network_connect()
        .id(&network)
        .body(connect)
        .send()
        .await
        .unwrap();
    let info = inspect(&client, &cid).await;
    let endpoint = info.network_settings.and_then(|n| n.networks).unwrap()[&name].clone();
    let aliases = endpoint.aliases.unwrap_or_default();
    assert!(
        aliases.contains(&"db".to_string()) && aliases.contains(&"primary".to_string()),
        "{aliases:?}"
    );
    assert!(
        endpoint
            .ip_address
            .unwrap_or_default()
            .starts_with(&format!("10.{octet}.77."))
    );
    let disconnect: types::NetworkDisconnectRequest =
        body(json!({"Container": cid, "Force": true}));
    client
        .network_disconnect()
        .id(&network)
        .body(disconnect)
        .send()
        .await
        .unwrap();
    let networks = inspect(&client, &cid)
        .await
        .network_settings
        .and_then(|n| n.networks)
        .unwrap();
    assert!(!networks.contains_key(&name));

    // A second network, deleted by id.
    let other: types::NetworkCreateRequest =
        body(json!({"Name": format!("{name}-other"), "Labels": {"dec.test": label}}));
    let other = client
        .network_create()
        .body(other)
        .send()
        .await
        .unwrap()
        .into_inner();
    let other = other.id.unwrap();
    client.network_delete().id(&other).send().await.unwrap();
    support::assert_not_found(client.network_inspect().id(&other).send().await);

    let pruned = client
        .network_prune()
        .filters(by_label)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        pruned.networks_deleted.unwrap_or_default(),
        vec![name.clone()]
    );
    support::assert_not_found(client.network_inspect().id(&network).send().await);
}

#[tokio::test]
async fn volumes_with_labels_filters_prune() {
    let Some(docker) = support::docker() else {
        return;
    };
    let client: Client = docker.client().await.unwrap();
    let label = support::unique("ep-vol-label");
    let names = [support::unique("ep-vol-a"), support::unique("ep-vol-b")];
    for name in &names {
        let create: types::VolumeCreateOptions =
            body(json!({"Name": name, "Driver": "local", "Labels": {"dec.test": label}}));
        let volume = client
            .volume_create()
            .body(create)
            .send()
            .await
            .unwrap()
            .into_inner();
        assert_eq!(&volume.name, name);
    }
    let inspected = client
        .volume_inspect()
        .name(&names[0])
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        inspected.labels.unwrap_or_default().get("dec.test"),
        Some(&label)
    );
    assert_eq!(inspected.driver, "local");

    let by_label = VolumeFilters::new().label(format!("dec.test={label}"));
    let listed = client
        .volume_list()
        .filters(by_label.clone())
        .send()
        .await
        .unwrap()
        .into_inner();
    let mut found: Vec<String> = listed
        .volumes
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.name)
        .collect();
    found.sort();
    let mut expected = names.to_vec();
    expected.sort();
    assert_eq!(found, expected);
    let dangling = VolumeFilters::new().dangling(true).name(&names[1]);
    let listed = client
        .volume_list()
        .filters(dangling)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.volumes.unwrap_or_default().len(), 1);

    client.volume_delete().name(&names[0]).send().await.unwrap();
    let pruned = client
        .volume_prune()
        .filters(by_label)
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

#[tokio::test]
async fn system_ping_version_info_df_and_plugins() {
    // An image of its own, so `df` has layers to count whatever the other tests do.
    let Some((_docker, client, _cleanup, _image)) = setup("dec-df").await else {
        return;
    };
    let ping = client.system_ping().send().await.unwrap();
    assert_eq!(support::read_all(ping.into_body()).await, b"OK");
    client.system_ping_head().send().await.unwrap();
    let version = client.system_version().send().await.unwrap().into_inner();
    assert_eq!(version.api_version.as_deref(), Some("1.41"));
    let info = client.system_info().send().await.unwrap().into_inner();
    assert!(
        info.ncpu.unwrap_or(0) >= 1 && info.server_version.unwrap_or_default().starts_with("20.10")
    );
    let df = client
        .system_data_usage()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(df.layers_size.unwrap_or(0) > 0, "{df:?}");
    assert!(!df.images.unwrap_or_default().is_empty());
    let pruned = client.build_prune().send().await.unwrap().into_inner();
    assert!(pruned.space_reclaimed.unwrap_or(0) >= 0);
    let plugins = client.plugin_list().send().await.unwrap().into_inner();
    assert!(plugins.iter().all(|p| !p.name.is_empty()));
}

/// A static program that listens on the plugin socket (`/run/docker/plugins/dec.sock`, which the
/// daemon dials when enabling), compiled by the toolchain that builds these tests: busybox has no
/// unix-socket server.
fn plugin_server() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("plugin.rs");
    std::fs::write(
        &source,
        r#"
use std::os::unix::net::UnixListener;
fn main() {
    let dir = std::path::Path::new("/run/docker/plugins");
    let _ = std::fs::create_dir_all(dir);
    let listener = UnixListener::bind(dir.join("dec.sock")).expect("bind the plugin socket");
    let mut open = Vec::new();
    for conn in listener.incoming().flatten() {
        open.push(conn);
    }
}
"#,
    )
    .unwrap();
    let rustc = std::path::Path::new(env!("CARGO")).with_file_name("rustc");
    let binary = dir.path().join("dec-plugin");
    let out = std::process::Command::new(rustc)
        .args(["-O", "-C", "target-feature=+crt-static", "-o"])
        .arg(&binary)
        .arg(&source)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(binary).unwrap()
}

/// Removes a plugin when dropped, on its own connection (the test's runtime may be gone).
struct RemovePlugin(String, String);

impl Drop for RemovePlugin {
    fn drop(&mut self) {
        let name = self.1.clone();
        support::on_own_connection(&self.0, |docker| async move {
            let client: Client = docker.client().await.unwrap();
            let _ = client.plugin_delete().name(&name).force(true).send().await;
        });
    }
}

#[tokio::test]
async fn plugins_created_from_a_local_rootfs_set_enabled_disabled_and_removed() {
    let Some(docker) = support::docker() else {
        return;
    };
    let client: Client = docker.client().await.unwrap();
    let server = plugin_server();
    // A plugin context: config.json and a rootfs (busybox and a socket server), as `docker
    // plugin create` sends it.
    let config = json!({
        "Description": "docker-engine-client test plugin",
        "Documentation": "https://example.invalid",
        "Interface": {"Types": ["docker.volumedriver/1.0"], "Socket": "dec.sock"},
        "Entrypoint": ["/bin/dec-plugin"],
        "Network": {"Type": "host"},
        "Env": [{"Name": "DEBUG", "Description": "debug", "Settable": ["value"], "Value": "0"}]
    })
    .to_string();
    // Content of its own: the daemon refuses a second plugin with the same rootfs blob.
    let name = format!("{}:latest", support::unique("plugin"));
    let rootfs = support::busybox_rootfs_tar_with(&[("etc/plugin-name", name.as_bytes())]);
    let mut context = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(config.len() as u64);
    header.set_mode(0o644);
    context
        .append_data(&mut header, "config.json", config.as_bytes())
        .unwrap();
    let mut inner = tar::Archive::new(rootfs.as_slice());
    for entry in inner.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = format!("rootfs/{}", entry.path().unwrap().display());
        let mut header = entry.header().clone();
        if header.entry_type().is_symlink() {
            let target = entry.link_name().unwrap().unwrap().into_owned();
            context.append_link(&mut header, &path, target).unwrap();
        } else {
            context.append_data(&mut header, &path, &mut entry).unwrap();
        }
    }
    let mut header = tar::Header::new_gnu();
    header.set_size(server.len() as u64);
    header.set_mode(0o755);
    context
        .append_data(&mut header, "rootfs/bin/dec-plugin", server.as_slice())
        .unwrap();
    let context = context.into_inner().unwrap();
    client
        .plugin_create()
        .name(&name)
        .body(context)
        .send()
        .await
        .unwrap();
    let _remove = RemovePlugin(docker.host().to_string(), name.clone());

    let plugin = client
        .plugin_inspect()
        .name(&name)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(plugin.name, name);
    assert!(!plugin.enabled);
    let env = |p: &types::Plugin| p.settings.env.clone().unwrap_or_default();
    assert!(
        env(&plugin).contains(&"DEBUG=0".to_string()),
        "{:?}",
        env(&plugin)
    );
    client
        .plugin_set()
        .name(&name)
        .body(vec!["DEBUG=1".to_string()])
        .send()
        .await
        .unwrap();
    let plugin = client
        .plugin_inspect()
        .name(&name)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        env(&plugin).contains(&"DEBUG=1".to_string()),
        "{:?}",
        env(&plugin)
    );
    let listed = client.plugin_list().send().await.unwrap().into_inner();
    assert!(listed.iter().any(|p| p.name == name));

    // Enable: the daemon starts it and dials its socket; then disable.
    client
        .plugin_enable()
        .name(&name)
        .timeout(30)
        .send()
        .await
        .unwrap();
    let plugin = client
        .plugin_inspect()
        .name(&name)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(plugin.enabled);
    client.plugin_disable().name(&name).send().await.unwrap();
    let plugin = client
        .plugin_inspect()
        .name(&name)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!plugin.enabled);

    client.plugin_delete().name(&name).send().await.unwrap();
    support::assert_not_found(client.plugin_inspect().name(&name).send().await);
}
