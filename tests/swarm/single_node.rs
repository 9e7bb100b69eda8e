//! The single-node swarm test, for the daemon of the module that includes it (`legacy.rs`,
//! `modern.rs`) with its version's types (`super::api`).

use crate::support;

use std::time::Duration;

use super::api::{Client, types};
use base64::Engine;
use docker_engine_client::auth::Credentials;
use docker_engine_client::filters::{
    ConfigFilters, NodeFilters, SecretFilters, ServiceFilters, TaskFilters,
};
use docker_engine_client::stream::ByteStreamExt;
use futures_util::TryStreamExt;
use serde_json::json;

fn body<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).unwrap()
}

/// Leaves the swarm when dropped (on its own connection: the test's runtime may be gone).
struct Leave(String);

impl Drop for Leave {
    fn drop(&mut self) {
        support::on_own_connection(&self.0, |docker| async move {
            let client: Client = docker.client().await.unwrap();
            let _ = client.swarm_leave().force(true).send().await;
        });
    }
}

/// Polling every 200 ms.
const EVERY: Duration = Duration::from_millis(200);

async fn running_tasks(client: &Client, service: &str, want: usize) -> Vec<types::Task> {
    let filters = TaskFilters::new().service(service).desired_state("running");
    let running = support::eventually(150, EVERY, || async {
        let tasks = client
            .task_list()
            .filters(&filters)
            .send()
            .await
            .unwrap()
            .into_inner();
        let running: Vec<types::Task> = tasks
            .into_iter()
            .filter(|t| {
                t.status.as_ref().and_then(|s| s.state.clone()) == Some(types::TaskState::Running)
            })
            .collect();
        (running.len() == want).then_some(running)
    })
    .await;
    running.unwrap_or_else(|| panic!("{service}: {want} tasks never ran"))
}

/// A log response's text, once it has some (up to 10 s), else empty.
async fn logs_text<F, Fut>(mut request: F) -> String
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<
            Output = docker_engine_client::ResponseValue<docker_engine_client::ByteStream>,
        >,
{
    let text = support::eventually(50, EVERY, || {
        let response = request();
        async move {
            let items: Vec<_> = response
                .await
                .into_output(false)
                .try_collect()
                .await
                .unwrap();
            let text: String = items
                .iter()
                .map(|i| String::from_utf8_lossy(&i.bytes).into_owned())
                .collect();
            (!text.is_empty()).then_some(text)
        }
    })
    .await;
    text.unwrap_or_default()
}

#[tokio::test]
#[ignore = "needs a Docker daemon (it makes it a single-node swarm, then leaves): cargo test -- --include-ignored (CI runs them)"]
async fn a_single_node_swarm_with_services_secrets_configs_and_nodes() {
    // One swarm at a time: both daemons' swarms would share the host's network (the gateway
    // bridge, the overlay ports).
    let _turn = crate::TURN.lock().await;
    let Some(docker) = support::docker_of(super::DAEMON) else {
        return;
    };
    let client: Client = docker.client().await.unwrap();
    let importer: docker_engine_client::v1_55::Client = docker.client().await.unwrap();
    let cleanup = support::Cleanup::new(&docker);
    let image = support::import_busybox(&importer, &support::unique("swarm")).await;
    cleanup.image(&image);

    // Init (leaving a swarm a failed earlier run left behind), inspect.
    let _ = client.swarm_leave().force(true).send().await;
    let init: types::SwarmInitRequest = body(json!({
        "ListenAddr": super::LISTEN,
        "AdvertiseAddr": "127.0.0.1",
        "DataPathPort": super::DATA_PATH_PORT,
        "Spec": {"Labels": {"dec.test": "swarm"}}
    }));
    let node_id = client
        .swarm_init()
        .body(init)
        .send()
        .await
        .unwrap()
        .into_inner();
    let _leave = Leave(docker.host().to_string());
    let swarm = client.swarm_inspect().send().await.unwrap().into_inner();
    assert!(
        swarm
            .join_tokens
            .and_then(|t| t.worker)
            .is_some_and(|t| t.starts_with("SWMTKN-"))
    );

    // Update: autolock on, then the unlock key exists.
    let mut spec = swarm.spec.clone().unwrap();
    spec.encryption_config = Some(body(json!({"AutoLockManagers": true})));
    let version = swarm.version.and_then(|v| v.index).unwrap() as i64;
    client
        .swarm_update()
        .version(version)
        .body(spec)
        .send()
        .await
        .unwrap();
    let key = client.swarm_unlockkey().send().await.unwrap().into_inner();
    assert!(key.unlock_key.is_some_and(|k| k.starts_with("SWMKEY-")));

    // A secret and a config: create, inspect, list by name, update labels.
    let secret_name = support::unique("secret");
    let data = base64::engine::general_purpose::STANDARD.encode("s3cret-value");
    let secret = client
        .secret_create()
        .body(body::<types::SecretSpec>(
            json!({"Name": secret_name, "Labels": {"v": "1"}, "Data": data}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner()
        .id;
    let inspected = client
        .secret_inspect()
        .id(&secret)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        inspected.spec.as_ref().and_then(|s| s.name.clone()),
        Some(secret_name.clone())
    );
    let listed = client
        .secret_list()
        .filters(SecretFilters::new().name(&secret_name))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.into_inner().len(), 1);
    let mut secret_spec = inspected.spec.unwrap();
    secret_spec.labels = Some([("v".to_string(), "2".to_string())].into());
    let version = inspected.version.and_then(|v| v.index).unwrap() as i64;
    client
        .secret_update()
        .id(&secret)
        .version(version)
        .body(secret_spec)
        .send()
        .await
        .unwrap();
    let labels = client
        .secret_inspect()
        .id(&secret)
        .send()
        .await
        .unwrap()
        .into_inner()
        .spec
        .and_then(|s| s.labels);
    assert_eq!(
        labels.unwrap_or_default().get("v").map(String::as_str),
        Some("2")
    );

    let config_name = support::unique("config");
    let data = base64::engine::general_purpose::STANDARD.encode("config-value");
    let config = client
        .config_create()
        .body(body::<types::ConfigSpec>(
            json!({"Name": config_name, "Labels": {"v": "1"}, "Data": data}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner()
        .id;
    let inspected = client
        .config_inspect()
        .id(&config)
        .send()
        .await
        .unwrap()
        .into_inner();
    let listed = client
        .config_list()
        .filters(ConfigFilters::new().name(&config_name))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.into_inner().len(), 1);
    let mut config_spec = inspected.spec.unwrap();
    config_spec.labels = Some([("v".to_string(), "2".to_string())].into());
    let version = inspected.version.and_then(|v| v.index).unwrap() as i64;
    client
        .config_update()
        .id(&config)
        .version(version)
        .body(config_spec)
        .send()
        .await
        .unwrap();

    // A service with env, the secret and the config mounted.
    let service_name = support::unique("service");
    let spec = json!({
        "Name": service_name,
        "Labels": {"dec.test": service_name},
        "TaskTemplate": {
            "ContainerSpec": {
                "Image": image,
                "Command": ["sh", "-c", "echo \"$GREETING $(cat /run/secrets/token) $(cat /app.conf)\"; exec sleep 300"],
                "Env": ["GREETING=hello-from-service"],
                "Secrets": [{"File": {"Name": "token", "UID": "0", "GID": "0", "Mode": 292}, "SecretID": secret, "SecretName": secret_name}],
                "Configs": [{"File": {"Name": "/app.conf", "UID": "0", "GID": "0", "Mode": 292}, "ConfigID": config, "ConfigName": config_name}]
            }
        },
        "Mode": {"Replicated": {"Replicas": 1}},
        "UpdateConfig": {"Parallelism": 1, "Order": "start-first", "FailureAction": "pause"}
    });
    let created = client
        .service_create()
        .x_registry_auth(&Credentials::anonymous())
        .body(body::<types::ServiceSpec>(spec.clone()))
        .send()
        .await
        .unwrap()
        .into_inner();
    let service = created.id.unwrap();
    let tasks = running_tasks(&client, &service, 1).await;
    let task = client
        .task_inspect()
        .id(tasks[0].id.clone().unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(task.service_id.as_deref(), Some(service.as_str()));
    let listed = client
        .service_list()
        .filters(ServiceFilters::new().name(&service_name))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.into_inner().len(), 1);

    // Its logs: the env, the secret and the config reached the container.
    let logs = logs_text(|| async {
        let logs = client.service_logs().id(&service).stdout(true).send();
        logs.await.unwrap()
    })
    .await;
    assert!(
        logs.contains("hello-from-service s3cret-value config-value"),
        "{logs:?}"
    );

    // The task's own logs.
    let task_id = task.id.clone().unwrap();
    let task_logs = logs_text(|| async {
        let logs = client.task_logs().id(&task_id).stdout(true).send();
        logs.await.unwrap()
    })
    .await;
    assert!(task_logs.contains("hello-from-service"), "{task_logs:?}");

    // A rolling update that scales to 2.
    let inspected = client
        .service_inspect()
        .id(&service)
        .send()
        .await
        .unwrap()
        .into_inner();
    let version = inspected.version.and_then(|v| v.index).unwrap() as i64;
    let mut scaled = spec.clone();
    scaled["Mode"]["Replicated"]["Replicas"] = json!(2);
    scaled["UpdateConfig"] =
        json!({"Parallelism": 2, "Delay": 0, "Order": "stop-first", "FailureAction": "rollback"});
    let updated = client
        .service_update()
        .id(&service)
        .version(version)
        .body(body::<types::ServiceSpec>(scaled))
        .send()
        .await
        .unwrap();
    assert!(updated.into_inner().warnings.unwrap_or_default().is_empty());
    running_tasks(&client, &service, 2).await;
    let spec = client
        .service_inspect()
        .id(&service)
        .send()
        .await
        .unwrap()
        .into_inner()
        .spec
        .unwrap();
    assert_eq!(spec.update_config.and_then(|u| u.parallelism), Some(2));

    // Nodes: one, this one; labels and availability.
    let nodes = client
        .node_list()
        .filters(NodeFilters::new().role("manager"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0].id.as_deref(), Some(node_id.as_str()));
    let node = client
        .node_inspect()
        .id(&node_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    let version = node.version.and_then(|v| v.index).unwrap() as i64;
    let node_spec: types::NodeSpec =
        body(json!({"Availability": "pause", "Role": "manager", "Labels": {"zone": "a"}}));
    client
        .node_update()
        .id(&node_id)
        .version(version)
        .body(node_spec)
        .send()
        .await
        .unwrap();
    let labelled = client
        .node_list()
        .filters(NodeFilters::new().node_label("zone=a"))
        .send()
        .await
        .unwrap();
    assert_eq!(labelled.into_inner().len(), 1);
    let node = client
        .node_inspect()
        .id(&node_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        node.spec
            .and_then(|s| s.availability)
            .map(|a| a.to_string())
            .as_deref(),
        Some("pause")
    );

    // Remove the service, the secret and the config; leave.
    client.service_delete().id(&service).send().await.unwrap();
    let tasks_gone = support::eventually(100, EVERY, || async {
        let left = client
            .task_list()
            .filters(TaskFilters::new().service(&service))
            .send()
            .await;
        left.map(|t| t.into_inner().is_empty())
            .unwrap_or(true)
            .then_some(())
    });
    tasks_gone.await;
    // The secret is in use until the tasks are gone.
    let removed = support::eventually(50, EVERY, || async {
        client.secret_delete().id(&secret).send().await.ok()
    });
    assert!(removed.await.is_some());
    support::eventually(50, EVERY, || async {
        client.config_delete().id(&config).send().await.ok()
    })
    .await;
    support::assert_not_found(client.config_inspect().id(&config).send().await);
    client.swarm_leave().force(true).send().await.unwrap();
    let after = client.swarm_inspect().send().await.unwrap_err();
    assert!(after.status() == Some(503), "not in a swarm: {after}");
}
