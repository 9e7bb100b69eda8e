//! The generated types written by hand, without a daemon: every body type takes
//! `..Default::default()`, fields with Go's acronyms have Rust names (`enable_ipv4`) and keep their
//! wire names (`EnableIPv4`), exposed ports and volumes are sets, and port maps are maps.

#![cfg(feature = "v1_55")]

use std::collections::{BTreeSet, HashMap};

use docker_engine_client::v1_55::types::{
    ContainerCreateBody, EndpointIpamConfig, EndpointSettings, HostConfig, NetworkConnectRequest,
    NetworkCreateRequest, NetworkInspect, PortBinding, PortMap, SwarmJoinRequest,
};
use serde_json::json;

#[test]
fn bodies_with_required_fields_take_default() {
    let create = NetworkCreateRequest {
        name: "x".into(),
        enable_ipv4: Some(true),
        enable_ipv6: Some(false),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&create).unwrap(),
        // `Driver` and `ConfigOnly` have spec defaults, which `Default` takes.
        json!({
            "Name": "x", "EnableIPv4": true, "EnableIPv6": false,
            "Driver": "bridge", "ConfigOnly": false
        })
    );

    let connect = NetworkConnectRequest {
        container: "web".into(),
        endpoint_config: Some(EndpointSettings {
            ipam_config: Some(EndpointIpamConfig {
                ipv4_address: Some("172.24.56.89".into()),
                link_local_ips: Some(vec!["169.254.34.68".into()]),
                ..Default::default()
            }),
            ..Default::default()
        }),
    };
    assert_eq!(
        serde_json::to_value(&connect).unwrap(),
        json!({
            "Container": "web",
            "EndpointConfig": {"IPAMConfig": {
                "IPv4Address": "172.24.56.89",
                "LinkLocalIPs": ["169.254.34.68"]
            }}
        })
    );

    // Required fields not set are their type's empty value, as the type's docs say.
    let join = SwarmJoinRequest {
        remote_addrs: Some(vec!["10.0.0.1:2377".into()]),
        ..Default::default()
    };
    let value = serde_json::to_value(&join).unwrap();
    assert_eq!(value["JoinToken"], "");
    assert_eq!(value["ListenAddr"], "");
    assert_eq!(value["RemoteAddrs"], json!(["10.0.0.1:2377"]));
}

#[test]
fn acronym_fields_decode_from_their_wire_names() {
    let network: NetworkInspect = serde_json::from_value(json!({
        "Name": "n", "EnableIPv4": true, "EnableIPv6": true
    }))
    .unwrap();
    assert_eq!(network.enable_ipv4, Some(true));
    assert_eq!(network.enable_ipv6, Some(true));
}

#[test]
fn exposed_ports_are_a_set_and_port_bindings_a_map() {
    let mut bindings = PortMap::new();
    bindings.insert(
        "80/tcp".into(),
        Some(vec![PortBinding {
            host_port: Some("8080".into()),
            ..Default::default()
        }]),
    );
    let body = ContainerCreateBody {
        image: Some("busybox".into()),
        exposed_ports: Some(["80/tcp".to_string(), "53/udp".to_string()].into()),
        volumes: Some(BTreeSet::from(["/data".to_string()])),
        host_config: Some(HostConfig {
            port_bindings: Some(bindings),
            ..Default::default()
        }),
        ..Default::default()
    };
    let value = serde_json::to_value(&body).unwrap();
    assert_eq!(value["ExposedPorts"], json!({"53/udp": {}, "80/tcp": {}}));
    assert_eq!(value["Volumes"], json!({"/data": {}}));
    assert_eq!(
        value["HostConfig"]["PortBindings"],
        json!({"80/tcp": [{"HostPort": "8080"}]})
    );
    let back: ContainerCreateBody = serde_json::from_value(value).unwrap();
    assert_eq!(back, body);
    assert!(back.exposed_ports.unwrap().contains("80/tcp"));
    // A plain map: `PortMap` is `HashMap<String, Option<Vec<PortBinding>>>`.
    let ports: HashMap<_, _> = back.host_config.unwrap().port_bindings.unwrap();
    assert_eq!(
        ports["80/tcp"].as_ref().unwrap()[0].host_port.as_deref(),
        Some("8080")
    );
}
