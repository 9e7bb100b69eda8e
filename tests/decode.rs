//! The generated types decode what daemons really send: `null` for empty Go slices and maps, and
//! enum values the spec does not list (newer daemons, Podman).

#![cfg(feature = "v1_55")]

use docker_engine_client::v1_55::types::{
    ContainerInspectResponse, ContainerStateStatus, ContainerSummary, ContainerSummaryState,
    EventMessage, EventMessageType,
};
use serde_json::json;

#[test]
fn null_collections_and_unknown_enum_values_decode() {
    // Shaped like a /containers/json item from a daemon: nil slices and maps come as null, and
    // "State" carries a value this spec does not know.
    let summary: ContainerSummary = serde_json::from_value(json!({
        "Id": "8dfafdbc3a40", "Names": ["/boring_feynman"], "Image": "busybox",
        "Command": "sh", "Created": 1367854155, "State": "checkpointed", "Status": "Up",
        "Ports": null, "Labels": null, "Mounts": null,
        "NetworkSettings": {"Networks": null},
        "HostConfig": {"NetworkMode": "default", "Annotations": null}
    }))
    .unwrap();
    assert_eq!(summary.ports, None);
    assert_eq!(summary.labels, None);
    assert_eq!(
        summary.names.as_deref(),
        Some(&["/boring_feynman".to_string()][..])
    );
    assert_eq!(
        summary.state,
        Some(ContainerSummaryState::Other("checkpointed".into()))
    );

    // A known value stays typed.
    let running: ContainerSummary = serde_json::from_value(json!({"State": "running"})).unwrap();
    assert_eq!(running.state, Some(ContainerSummaryState::Running));
}

#[test]
fn unknown_event_type_round_trips_unchanged() {
    let raw = json!({"Type": "sandbox", "Action": "create", "Actor": {"ID": "x", "Attributes": null},
                     "scope": "local", "time": 1, "timeNano": 1});
    let event: EventMessage = serde_json::from_value(raw.clone()).unwrap();
    assert_eq!(event.type_, Some(EventMessageType::Other("sandbox".into())));
    assert_eq!(event.type_.as_ref().unwrap().to_string(), "sandbox");
    let back = serde_json::to_value(&event).unwrap();
    assert_eq!(back["Type"], json!("sandbox"));
    assert_eq!(
        "container".parse::<EventMessageType>().unwrap(),
        EventMessageType::Container
    );
    assert_eq!(
        "sandbox".parse::<EventMessageType>().unwrap(),
        EventMessageType::Other("sandbox".into())
    );
}

#[test]
fn inspect_with_null_state_parts_decodes() {
    let inspect: ContainerInspectResponse = serde_json::from_value(json!({
        "Id": "abc", "Args": null, "Mounts": null,
        "State": {"Status": "exited", "Health": null, "Running": false, "ExitCode": 3},
        "Config": {"Env": null, "Cmd": null, "Labels": null, "Volumes": null, "ExposedPorts": null},
        "HostConfig": {"Binds": null, "Devices": null, "Ulimits": null},
        "NetworkSettings": {"Networks": null, "Ports": null}
    }))
    .unwrap();
    let state = inspect.state.unwrap();
    assert_eq!(state.status, Some(ContainerStateStatus::Exited));
    assert_eq!(state.exit_code, Some(3));
    assert_eq!(inspect.args, None);
}

#[test]
fn omitted_empty_and_set_collections_stay_distinct_in_requests() {
    use docker_engine_client::v1_55::types::ContainerConfig;
    let omitted = ContainerConfig::default();
    let empty = ContainerConfig {
        cmd: Some(vec![]),
        ..Default::default()
    };
    assert!(serde_json::to_value(&omitted).unwrap().get("Cmd").is_none());
    assert_eq!(serde_json::to_value(&empty).unwrap()["Cmd"], json!([]));
}
