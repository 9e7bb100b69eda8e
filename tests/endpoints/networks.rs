//! Networks: create with IPAM (IPv4 and IPv6 subnets) and inspect; list by every filter;
//! connect a container with aliases and disconnect it; delete; prune.

use docker_engine_client::filters::NetworkFilters;
use super::api::{Client, types};
use serde_json::json;

use super::common::{Present, body, connect, inspect, labelled, run, setup};
use crate::support;

/// The second octet of this test process's subnets (`10.<octet>.<n>.0/24`): its own, so
/// concurrent runs do not collide. Each test that asks for a subnet takes its own `n`.
fn octet() -> u32 {
    std::process::id() % 200 + 20
}

/// Creates a network from `create` (removed at the end); returns its id.
async fn create(client: &Client, cleanup: &support::Cleanup, create: serde_json::Value) -> String {
    let created = client
        .network_create()
        .body(body::<types::NetworkCreateRequest>(create))
        .send()
        .await
        .unwrap()
        .into_inner();
    let id = created.id.present();
    cleanup.network(&id);
    id
}

/// The ids of the networks that `filters` select.
async fn list(client: &Client, filters: NetworkFilters) -> Vec<String> {
    client
        .network_list()
        .filters(filters)
        .send()
        .await
        .unwrap()
        .into_inner()
        .into_iter()
        .filter_map(|n| n.id)
        .collect()
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn create_with_ipam_then_inspect() {
    let Some((_docker, client, cleanup)) = connect().await else {
        return;
    };
    let octet = octet();
    let subnet = format!("10.{octet}.77.0/24");
    let network = create(
        &client,
        &cleanup,
        json!({
            "Name": support::unique("ep-net-ipam"),
            "Driver": "bridge",
            "Internal": true,
            "EnableIPv6": true,
            "Labels": {"dec.test": support::unique("ep-net-ipam")},
            "IPAM": {"Driver": "default", "Config": [
                {"Subnet": subnet, "Gateway": format!("10.{octet}.77.1")},
                {"Subnet": format!("fd00:dec:{octet:x}:77::/64")}
            ]}
        }),
    )
    .await;
    let inspected = client
        .network_inspect()
        .id(&network)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(inspected.internal);
    assert_eq!(inspected.enable_ipv6, Some(true));
    let ipam = inspected.ipam.unwrap().config.unwrap_or_default();
    assert_eq!(ipam[0].subnet.as_deref(), Some(subnet.as_str()));
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn list_filters_by_label_name_type_and_driver() {
    let Some((_docker, client, cleanup)) = connect().await else {
        return;
    };
    let name = support::unique("ep-net-list");
    let label = support::unique("ep-net-list");
    let network = create(
        &client,
        &cleanup,
        json!({"Name": name, "Driver": "bridge", "Labels": {"dec.test": label}}),
    )
    .await;
    let by_label = NetworkFilters::new().label(labelled(&label));
    assert_eq!(list(&client, by_label).await, vec![network.clone()]);
    assert_eq!(
        list(&client, NetworkFilters::new().name(&name)).await,
        vec![network.clone()]
    );
    let custom = NetworkFilters::new()
        .kind("custom")
        .driver("bridge")
        .label(labelled(&label));
    assert_eq!(list(&client, custom).await, vec![network.clone()]);
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn connect_a_container_with_aliases_then_disconnect_it() {
    let Some((_docker, client, cleanup, image)) = setup("ep-net-connect").await else {
        return;
    };
    let name = support::unique("ep-net-connect");
    let octet = octet();
    let network = create(
        &client,
        &cleanup,
        json!({
            "Name": name,
            "Internal": true,
            "IPAM": {"Config": [{"Subnet": format!("10.{octet}.78.0/24")}]}
        }),
    )
    .await;
    let label = support::unique("ep-net-connect");
    let cid = run(&client, &cleanup, &image, &["sleep", "300"], &label).await;
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
            .starts_with(&format!("10.{octet}.78."))
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
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn delete_by_id() {
    let Some((_docker, client, cleanup)) = connect().await else {
        return;
    };
    let network = create(
        &client,
        &cleanup,
        json!({"Name": support::unique("ep-net-delete")}),
    )
    .await;
    client.network_delete().id(&network).send().await.unwrap();
    support::assert_not_found(client.network_inspect().id(&network).send().await);
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn prune_by_label_takes_the_unused_labelled_network() {
    let Some((_docker, client, cleanup)) = connect().await else {
        return;
    };
    let name = support::unique("ep-net-prune");
    let label = support::unique("ep-net-prune");
    let network = create(
        &client,
        &cleanup,
        json!({"Name": name, "Labels": {"dec.test": label}}),
    )
    .await;
    let pruned = client
        .network_prune()
        .filters(NetworkFilters::new().label(labelled(&label)))
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
