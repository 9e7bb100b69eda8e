//! Containers: create with env, labels, mounts, ports, a restart policy and a healthcheck, then
//! inspect; list by every filter; top, changes, stats; update and rename; the lifecycle (pause,
//! unpause, restart, stop, start, kill, wait) and its `304 Not Modified`; export; prune.

use std::time::Duration;

use docker_engine_client::filters::ContainerFilters;
use docker_engine_client::stream::ByteStreamExt;
use super::api::{Client, types};
use futures_util::TryStreamExt;
use serde_json::json;

use super::common::{body, create, inspect, labelled, listed, run, run_to_exit, setup, status};
use crate::support;

/// A running container made with most of what `container_create` takes: env, labels, an
/// exposed and published port, a healthcheck (every 200 ms), a restart policy, a tmpfs and a
/// named volume (removed at the end).
struct Web {
    id: String,
    name: String,
    label: String,
    volume: String,
}

impl Web {
    async fn start(client: &Client, cleanup: &support::Cleanup, image: &str) -> Web {
        let name = support::unique("ep-container");
        let label = support::unique("ep-label");
        let volume = support::unique("ep-volume");
        cleanup.volume(&volume);
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
        Web {
            id,
            name,
            label,
            volume,
        }
    }
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn create_then_inspect_shows_env_labels_mounts_ports_restart_policy_and_healthcheck() {
    let Some((_docker, client, cleanup, image)) = setup("ep-create").await else {
        return;
    };
    let web = Web::start(&client, &cleanup, &image).await;

    // What was asked for is what the daemon has.
    let info = inspect(&client, &web.id).await;
    assert_eq!(
        info.name.as_deref(),
        Some(format!("/{}", web.name).as_str())
    );
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
    let healthcheck = config.healthcheck.unwrap();
    assert_eq!(
        healthcheck.test.unwrap_or_default(),
        ["CMD".to_string(), "true".to_string()]
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
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn list_filters_by_label_name_id_status_ancestor_volume_expose_and_health() {
    let Some((_docker, client, cleanup, image)) = setup("ep-list").await else {
        return;
    };
    let web = Web::start(&client, &cleanup, &image).await;
    let id = web.id.clone();
    let label = labelled(&web.label);

    let by_label = ContainerFilters::new().label(&label);
    assert_eq!(listed(&client, by_label).await, vec![id.clone()]);
    assert_eq!(
        listed(&client, ContainerFilters::new().name(&web.name)).await,
        vec![id.clone()]
    );
    assert_eq!(
        listed(&client, ContainerFilters::new().id(&id)).await,
        vec![id.clone()]
    );
    let running = ContainerFilters::new().status("running").label(&label);
    assert_eq!(listed(&client, running).await, vec![id.clone()]);
    let ancestor = ContainerFilters::new().ancestor(&image).label(&label);
    assert_eq!(listed(&client, ancestor).await, vec![id.clone()]);
    let volume_filter = ContainerFilters::new().volume(&web.volume);
    assert_eq!(listed(&client, volume_filter).await, vec![id.clone()]);
    let expose = ContainerFilters::new().expose("8080/tcp").label(&label);
    assert_eq!(listed(&client, expose).await, vec![id.clone()]);
    // Healthy within a few seconds (checks every 200 ms).
    let healthy = ContainerFilters::new().health("healthy").label(&label);
    let seen = support::eventually(50, Duration::from_millis(200), || async {
        let seen = listed(&client, healthy.clone()).await;
        (!seen.is_empty()).then_some(seen)
    })
    .await
    .unwrap_or_default();
    assert_eq!(seen, vec![id.clone()]);
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn top_lists_the_processes_and_changes_the_added_file() {
    let Some((_docker, client, cleanup, image)) = setup("ep-top").await else {
        return;
    };
    let label = support::unique("ep-top");
    let cmd = ["sh", "-c", "touch /tmp/new-file; exec sleep 300"];
    let id = run(&client, &cleanup, &image, &cmd, &label).await;

    // Once the shell has made the file (and then become `sleep`).
    let changes = support::eventually(50, Duration::from_millis(100), || async {
        let changes = client
            .container_changes()
            .id(&id)
            .send()
            .await
            .unwrap()
            .into_inner();
        changes
            .iter()
            .any(|c| c.path == "/tmp/new-file")
            .then_some(changes)
    })
    .await
    .expect("/tmp/new-file never showed in the changes");
    let new_file = changes.iter().find(|c| c.path == "/tmp/new-file");
    assert_eq!(new_file.map(|c| *c.kind), Some(1), "added: {changes:?}");

    let top = support::eventually(50, Duration::from_millis(100), || async {
        let top = client
            .container_top()
            .id(&id)
            .send()
            .await
            .unwrap()
            .into_inner();
        let processes = top.processes.clone().unwrap_or_default();
        processes
            .iter()
            .flatten()
            .any(|p| p.contains("sleep 300"))
            .then_some(top)
    })
    .await
    .expect("`sleep 300` never showed in top");
    assert!(top.titles.unwrap_or_default().iter().any(|t| t == "PID"));
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn one_shot_stats_is_a_single_sample() {
    let Some((_docker, client, cleanup, image)) = setup("ep-stats").await else {
        return;
    };
    let label = support::unique("ep-stats");
    let id = run(&client, &cleanup, &image, &["sleep", "300"], &label).await;
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
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn update_changes_cpu_shares_and_the_restart_policy() {
    let Some((_docker, client, cleanup, image)) = setup("ep-update").await else {
        return;
    };
    let id = create(
        &client,
        &cleanup,
        json!({
            "Image": image,
            "Cmd": ["sleep", "300"],
            "HostConfig": {"RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 2}}
        }),
    )
    .await;
    client.container_start().id(&id).send().await.unwrap();
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
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn rename_then_the_new_name_finds_it_and_the_old_one_does_not() {
    let Some((_docker, client, cleanup, image)) = setup("ep-rename").await else {
        return;
    };
    let name = support::unique("ep-rename");
    let id = client
        .container_create()
        .name(&name)
        .body(body::<types::ContainerCreateBody>(
            json!({"Image": image, "Cmd": ["true"]}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner()
        .id;
    cleanup.container(&id);
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
    support::assert_not_found(client.container_inspect().id(&name).send().await);
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn pause_then_unpause() {
    let Some((_docker, client, cleanup, image)) = setup("ep-pause").await else {
        return;
    };
    let label = support::unique("ep-pause");
    let id = run(&client, &cleanup, &image, &["sleep", "300"], &label).await;
    client.container_pause().id(&id).send().await.unwrap();
    assert_eq!(
        status(&client, &id).await,
        Some(types::ContainerStateStatus::Paused)
    );
    let paused = ContainerFilters::new()
        .status("paused")
        .label(labelled(&label));
    assert_eq!(listed(&client, paused).await, vec![id.clone()]);
    client.container_unpause().id(&id).send().await.unwrap();
    assert_eq!(
        status(&client, &id).await,
        Some(types::ContainerStateStatus::Running)
    );
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn restart_starts_it_anew() {
    let Some((_docker, client, cleanup, image)) = setup("ep-restart").await else {
        return;
    };
    let label = support::unique("ep-restart");
    let id = run(&client, &cleanup, &image, &["sleep", "300"], &label).await;
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
    assert_eq!(
        status(&client, &id).await,
        Some(types::ContainerStateStatus::Running)
    );
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn stop_then_start_again() {
    let Some((_docker, client, cleanup, image)) = setup("ep-stop").await else {
        return;
    };
    let label = support::unique("ep-stop");
    let id = run(&client, &cleanup, &image, &["sleep", "300"], &label).await;
    // SIGTERM, then SIGKILL after 1 s (`sleep` as PID 1 ignores SIGTERM).
    client.container_stop().id(&id).t(1).send().await.unwrap();
    assert_eq!(
        status(&client, &id).await,
        Some(types::ContainerStateStatus::Exited)
    );
    client.container_start().id(&id).send().await.unwrap();
    assert_eq!(
        status(&client, &id).await,
        Some(types::ContainerStateStatus::Running)
    );
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn kill_with_a_signal_then_wait_sees_its_exit_code() {
    let Some((_docker, client, cleanup, image)) = setup("ep-kill").await else {
        return;
    };
    let label = support::unique("ep-kill");
    let id = run(&client, &cleanup, &image, &["sleep", "300"], &label).await;
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
    let exited = ContainerFilters::new().exited(137).label(labelled(&label));
    assert_eq!(listed(&client, exited).await, vec![id.clone()]);
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn starting_a_started_or_stopping_a_stopped_container_is_304_not_modified() {
    let Some((_docker, client, cleanup, image)) = setup("ep-304").await else {
        return;
    };
    let label = support::unique("ep-304");
    let id = run(&client, &cleanup, &image, &["sleep", "300"], &label).await;
    let err = client.container_start().id(&id).send().await.unwrap_err();
    assert!(err.is_not_modified(), "{err}");
    client.container_stop().id(&id).t(1).send().await.unwrap();
    let err = client.container_stop().id(&id).send().await.unwrap_err();
    assert!(err.is_not_modified(), "{err}");
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn export_streams_the_whole_filesystem_as_a_tar() {
    let Some((_docker, client, cleanup, image)) = setup("ep-export").await else {
        return;
    };
    let label = support::unique("ep-export");
    let cmd = ["sh", "-c", "touch /tmp/new-file"];
    let id = run_to_exit(&client, &cleanup, &image, &cmd, &label).await;
    let export = client.container_export().id(&id).send().await.unwrap();
    let tarball = support::read_all(export.into_body()).await;
    let mut archive = tar::Archive::new(tarball.as_slice());
    let paths: Vec<String> = archive
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    assert!(paths.iter().any(|p| p == "bin/busybox") && paths.iter().any(|p| p == "tmp/new-file"));
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn prune_by_label_takes_the_stopped_container_not_the_running_one() {
    let Some((_docker, client, cleanup, image)) = setup("ep-prune").await else {
        return;
    };
    let label = support::unique("ep-prune");
    let running = run(&client, &cleanup, &image, &["sleep", "300"], &label).await;
    let stopped = run_to_exit(&client, &cleanup, &image, &["true"], &label).await;
    let pruned = client
        .container_prune()
        .filters(ContainerFilters::new().label(labelled(&label)))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        pruned.containers_deleted.unwrap_or_default(),
        vec![stopped.clone()]
    );
    support::assert_not_found(client.container_inspect().id(&stopped).send().await);
    assert_eq!(
        status(&client, &running).await,
        Some(types::ContainerStateStatus::Running)
    );
}
