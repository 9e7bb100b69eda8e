//! Named corrections of Docker's specs.
//!
//! Each fix says what is wrong upstream, for which versions, and how it is corrected: a
//! [`Pass`] whose versions follow the spec, not a number. A mistake still in the newest spec is
//! corrected [`Versions::From`] the first version that has it, so a new release gets every fix
//! that still applies without anyone editing a range; one upstream corrected is
//! [`Versions::Only`] the versions that had it. A fix that finds nothing to correct in a version
//! it claims to cover is an error ([`Error::StalePass`], naming every such fix): upstream has
//! fixed it (or moved it), and its range must be closed or the fix deleted rather than rot
//! silently. `cargo xtask spec add` refuses a new version on that error.

use serde_json::{Value, json};

use crate::Error;
use crate::pass::{Applied, Pass, Stage, Versions, run_table};
use crate::tree::edit_objects;

/// One correction of the specs: applied to an OpenAPI 3 tree, it returns how many places it
/// changed. Its [`Versions`] are [`Versions::From`] or [`Versions::Only`] the upstream versions
/// that need it.
pub type Fix = Pass<fn(&mut Value) -> usize>;

/// Every fix, applied in this order after the Swagger → OpenAPI conversion.
pub const FIXES: &[Fix] = &[
    Fix {
        name: "strslice-type-list",
        reason: "Config.Cmd/Entrypoint declare `type: [array, string]` (Go's strslice), which is not \
             valid OpenAPI 3.0 and which openapiv3 cannot read; the daemon accepts the array form, \
             which is what the spec itself declares from v1.35 on",
        versions: Versions::Only(25, 34),
        run: strslice_type_list,
    },
    Fix {
        name: "push-info-layer-id",
        reason: "PushImageInfo leaves out `id` (the layer a progress item is about) and `aux` (the \
             pushed tag's digest and size), which the daemon sends in every push stream (Go's \
             jsonmessage.JSONMessage); without them a push cannot draw per-layer progress or \
             report its digest",
        versions: Versions::From(25),
        run: push_info_layer_id,
    },
    Fix {
        name: "distribution-registry-auth",
        reason: "DistributionInspect does not declare the `X-Registry-Auth` header, which the daemon \
             reads (distribution_routes.go) to ask a private registry; without it the call only \
             works anonymously",
        versions: Versions::From(30),
        run: distribution_registry_auth,
    },
    Fix {
        name: "network-connect-titles-swapped",
        reason: "the inline bodies of NetworkConnect and NetworkDisconnect carry each other's \
                 titles (connect's {Container, EndpointConfig} is titled \
                 NetworkDisconnectRequest), so the generated types were named backwards; fixed \
                 upstream in v1.42",
        versions: Versions::Only(40, 41),
        run: network_connect_titles_swapped,
    },
    Fix {
        name: "secret-config-create-id",
        reason: "SecretCreate and ConfigCreate answer `{\"ID\": ...}` (Go's \
                 swarm.SecretCreateResponse), but these specs point them at IdResponse (IDResponse \
                 from v1.48), whose field is `Id`: every successful create failed to decode \
                 (seen on Engine 20.10 and 28.5); they answer `SwarmObjectCreated` here",
        versions: Versions::From(36),
        run: secret_config_create_id,
    },
    Fix {
        name: "plugin-interface-type-string",
        reason: "PluginInterfaceType is declared as an object {Prefix, Capability, Version}, but \
                 the daemon writes it as one string (`docker.volumedriver/1.0`: Go's \
                 MarshalJSON, and the spec's own example): listing or inspecting any plugin \
                 failed to decode; v1.52 made it a string",
        versions: Versions::Only(25, 51),
        run: plugin_interface_type_string,
    },
    Fix {
        name: "plugin-delete-empty-body",
        reason: "PluginDelete says it answers the removed Plugin, but the daemon answers 200 with \
                 an empty body (plugin_routes.go returns without writing one): every successful \
                 delete failed to decode",
        versions: Versions::From(25),
        run: plugin_delete_empty_body,
    },
    Fix {
        name: "volume-status-any-value",
        reason: "Volume.Status is declared a map of objects, but it is Go's \
                 `map[string]interface{}` (any value per key, as the spec's own example \
                 `{\"hello\": \"world\"}` and its description `{\"key\":\"value\"}` show): a \
                 driver's string status failed to decode; found by the example-decoding test",
        versions: Versions::From(25),
        run: volume_status_any_value,
    },
    Fix {
        name: "ipam-options-map",
        reason: "IPAM.Options is declared an array of string maps, but it is Go's \
                 `map[string]string` (one map, as the spec's own example and v1.39 on have it): \
                 inspecting a network with IPAM options failed to decode; found by the \
                 example-decoding test",
        versions: Versions::Only(25, 38),
        run: ipam_options_map,
    },
    Fix {
        name: "port-map-null-bindings",
        reason: "PortMap's values are arrays, but the daemon writes `null` for an exposed port \
                 that is not published (Go's nil `[]PortBinding`), as the spec's own example \
                 `\"2377/tcp\": null` shows; v1.39 on declare them `x-nullable`: inspecting such a \
                 container failed to decode; found by the example-decoding test",
        versions: Versions::Only(32, 38),
        run: port_map_null_bindings,
    },
    Fix {
        name: "plugin-example-outdated",
        reason: "the Plugin example predates its schema: it says `Active` for what the schema \
                 (and the daemon, Go's types.Plugin) calls `Enabled`, its Settings leaves out \
                 `Mounts` and (1.29) its Config `IpcHost` and `PidHost`, which the schema \
                 requires and the daemon always writes (no omitempty): the example is brought \
                 up to date so that it decodes as what the \
                 daemon sends; found by the example-decoding test",
        versions: Versions::Only(25, 29),
        run: plugin_example_outdated,
    },
    Fix {
        name: "volume-example-options",
        reason: "the Volume example leaves out `Options`, which the schema requires and the \
                 daemon always writes (Go's volume.Volume has no omitempty on it): the example \
                 is completed with `\"Options\": {}` so that it decodes as what the daemon \
                 sends; found by the example-decoding test",
        versions: Versions::Only(25, 38),
        run: volume_example_options,
    },
    Fix {
        name: "image-data-required-unpacked-size",
        reason: "ImageManifestSummary.ImageData requires `UnpackedSize`, a property it does not \
                 have (the unpacked size is `Size.Unpacked`; Go's image.ImageData has no such \
                 field): typify generated a required field the daemon never sends, so listing \
                 or inspecting images with their manifests failed to decode; found by the \
                 synthesized-instance test",
        versions: Versions::From(47),
        run: image_data_required_unpacked_size,
    },
];

/// Applies every fix that covers `minor` (the `NN` of `1.NN`); returns what each did.
pub fn apply_all(version: &str, minor: u32, doc: &mut Value) -> Result<Vec<Applied>, Error> {
    run_table(Stage::Fix, version, minor, FIXES, |fix| Ok((fix.run)(doc)))
}

fn strslice_type_list(doc: &mut Value) -> usize {
    edit_objects(doc, |map| {
        if map.get("type") != Some(&json!(["array", "string"])) {
            return 0;
        }
        map.insert("type".into(), json!("array"));
        1
    })
}

fn push_info_layer_id(doc: &mut Value) -> usize {
    let Some(props) = doc
        .pointer_mut("/components/schemas/PushImageInfo/properties")
        .and_then(Value::as_object_mut)
    else {
        return 0;
    };
    let mut n = 0;
    if !props.contains_key("id") {
        props.insert(
            "id".into(),
            json!({"type": "string", "description": "The layer this progress item is about."}),
        );
        n += 1;
    }
    if !props.contains_key("aux") {
        props.insert(
            "aux".into(),
            json!({
                "type": "object",
                "description": "The pushed tag's digest and size, in the stream's last item.",
                "properties": {
                    "Tag": {"type": "string"},
                    "Digest": {"type": "string"},
                    "Size": {"type": "integer", "format": "int64"}
                }
            }),
        );
        n += 1;
    }
    n
}

fn distribution_registry_auth(doc: &mut Value) -> usize {
    let Some(params) = doc
        .pointer_mut("/paths/~1distribution~1{name}~1json/get/parameters")
        .and_then(Value::as_array_mut)
    else {
        return 0;
    };
    if params
        .iter()
        .any(|p| p["in"] == "header" && p["name"] == "X-Registry-Auth")
    {
        return 0;
    }
    params.push(json!({
        "name": "X-Registry-Auth",
        "in": "header",
        "required": false,
        "description": "A base64url-encoded auth configuration for a private registry.",
        "schema": {"type": "string"}
    }));
    1
}

fn network_connect_titles_swapped(doc: &mut Value) -> usize {
    let mut n = 0;
    for (path, title) in [
        (
            "/paths/~1networks~1{id}~1connect/post",
            "NetworkConnectRequest",
        ),
        (
            "/paths/~1networks~1{id}~1disconnect/post",
            "NetworkDisconnectRequest",
        ),
    ] {
        let schema = doc
            .pointer_mut(path)
            .and_then(|op| op.pointer_mut("/requestBody/content/application~1json/schema"));
        if let Some(Value::Object(schema)) = schema
            && schema.get("title").and_then(Value::as_str) != Some(title)
        {
            schema.insert("title".into(), json!(title));
            n += 1;
        }
    }
    n
}

fn secret_config_create_id(doc: &mut Value) -> usize {
    let id_response = json!({
        "type": "object",
        "title": "SwarmObjectCreated",
        "description": "The ID of a created secret or config.",
        "required": ["ID"],
        "properties": {"ID": {"type": "string", "description": "The id of the new object."}}
    });
    let mut n = 0;
    for path in [
        "/paths/~1secrets~1create/post",
        "/paths/~1configs~1create/post",
    ] {
        let schema = doc
            .pointer_mut(path)
            .and_then(|op| op.pointer_mut("/responses/201/content/application~1json/schema"));
        let points_at_id_response = |schema: &Value| {
            matches!(
                schema.get("$ref").and_then(Value::as_str),
                Some("#/components/schemas/IdResponse" | "#/components/schemas/IDResponse")
            )
        };
        if let Some(schema) = schema
            && points_at_id_response(schema)
        {
            *schema = json!({"$ref": "#/components/schemas/SwarmObjectCreated"});
            n += 1;
        }
    }
    if n > 0
        && let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas")
    {
        // Not `IDResponse` (as v1.48 has it): its Rust name would clash with `IdResponse`.
        schemas.entry("SwarmObjectCreated").or_insert(id_response);
    }
    n
}

fn plugin_interface_type_string(doc: &mut Value) -> usize {
    match doc.pointer_mut("/components/schemas/PluginInterfaceType") {
        Some(schema) if schema.get("type").and_then(Value::as_str) == Some("object") => {
            *schema = json!({
                "type": "string",
                "description": "A plugin interface: `prefix.capability/version`, e.g. \
                                `docker.volumedriver/1.0`."
            });
            1
        }
        _ => 0,
    }
}

fn plugin_delete_empty_body(doc: &mut Value) -> usize {
    let response = doc.pointer_mut("/paths/~1plugins~1{name}/delete/responses/200");
    let removed = response
        .and_then(Value::as_object_mut)
        .and_then(|r| r.remove("content"));
    usize::from(removed.is_some())
}

fn volume_status_any_value(doc: &mut Value) -> usize {
    match doc.pointer_mut("/components/schemas/Volume/properties/Status/additionalProperties") {
        Some(values) if values.get("type").and_then(Value::as_str) == Some("object") => {
            *values = json!({});
            1
        }
        _ => 0,
    }
}

fn ipam_options_map(doc: &mut Value) -> usize {
    match doc.pointer_mut("/components/schemas/IPAM/properties/Options") {
        Some(options) if options.get("type").and_then(Value::as_str) == Some("array") => {
            let description = options.get("description").cloned();
            *options = json!({"type": "object", "additionalProperties": {"type": "string"}});
            if let Some(description) = description {
                options["description"] = description;
            }
            1
        }
        _ => 0,
    }
}

fn port_map_null_bindings(doc: &mut Value) -> usize {
    match doc.pointer_mut("/components/schemas/PortMap/additionalProperties") {
        Some(Value::Object(values)) if values.get("nullable") != Some(&Value::Bool(true)) => {
            values.insert("nullable".into(), Value::Bool(true));
            1
        }
        _ => 0,
    }
}

fn plugin_example_outdated(doc: &mut Value) -> usize {
    let Some(Value::Object(example)) = doc.pointer_mut("/components/schemas/Plugin/example") else {
        return 0;
    };
    let mut n = 0;
    if !example.contains_key("Enabled")
        && let Some(active) = example.remove("Active")
    {
        example.insert("Enabled".into(), active);
        n += 1;
    }
    if let Some(Value::Object(settings)) = example.get_mut("Settings")
        && !settings.contains_key("Mounts")
    {
        settings.insert("Mounts".into(), json!([]));
        n += 1;
    }
    // 1.29 added the required `IpcHost` and `PidHost` to the config, not to its example.
    let config_has = |field: &str| {
        doc.pointer(&format!(
            "/components/schemas/Plugin/properties/Config/properties/{field}"
        ))
        .is_some()
    };
    let added: Vec<&str> = ["IpcHost", "PidHost"]
        .into_iter()
        .filter(|f| config_has(f))
        .collect();
    if let Some(Value::Object(config)) =
        doc.pointer_mut("/components/schemas/Plugin/example/Config")
    {
        for field in added {
            if !config.contains_key(field) {
                config.insert(field.into(), json!(false));
                n += 1;
            }
        }
    }
    n
}

fn volume_example_options(doc: &mut Value) -> usize {
    match doc.pointer_mut("/components/schemas/Volume/example") {
        Some(Value::Object(example)) if !example.contains_key("Options") => {
            example.insert("Options".into(), json!({}));
            1
        }
        _ => 0,
    }
}

fn image_data_required_unpacked_size(doc: &mut Value) -> usize {
    let Some(data) = doc
        .pointer_mut("/components/schemas/ImageManifestSummary/properties/ImageData")
        .and_then(Value::as_object_mut)
    else {
        return 0;
    };
    let has_property = data
        .get("properties")
        .is_some_and(|p| p.get("UnpackedSize").is_some());
    match data.get_mut("required").and_then(Value::as_array_mut) {
        Some(required) if !has_property => {
            let before = required.len();
            required.retain(|r| r != "UnpackedSize");
            before - required.len()
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strslice_becomes_array() {
        let mut doc = json!({"components": {"schemas": {"Config": {"properties": {
            "Cmd": {"type": ["array", "string"], "items": {"type": "string"}}}}}}});
        assert_eq!(strslice_type_list(&mut doc), 1);
        assert_eq!(
            doc["components"]["schemas"]["Config"]["properties"]["Cmd"]["type"],
            json!("array")
        );
    }

    #[test]
    fn a_fix_that_no_longer_applies_fails() {
        let mut doc = json!({"components": {"schemas": {}}});
        let err = apply_all("1.30", 30, &mut doc).unwrap_err();
        assert!(err.to_string().contains("strslice-type-list"), "{err}");
        let mut doc = json!({"components": {"schemas": {"PushImageInfo": {"properties": {
            "id": {"type": "string"}, "aux": {"type": "object"}}}}}});
        let err = apply_all("1.41", 41, &mut doc).unwrap_err();
        assert!(err.to_string().contains("push-info-layer-id"), "{err}");
        // A version nobody has seen yet gets every open-ranged fix, and here each one names
        // itself as no longer applying; a closed range is not tried there at all.
        let mut doc = json!({});
        let err = apply_all("1.56", 56, &mut doc).unwrap_err();
        let Error::StalePass { passes, .. } = &err else {
            panic!("{err:?}");
        };
        let open: Vec<&str> = FIXES
            .iter()
            .filter(|f| matches!(f.versions, Versions::From(_)))
            .map(|f| f.name)
            .collect();
        assert_eq!(passes, &open);
        assert!(
            !passes.contains(&"plugin-interface-type-string"),
            "closed at 1.51"
        );
    }

    #[test]
    fn network_connect_titles() {
        let body = |title: &str, field: &str| {
            json!({"requestBody": {"content": {"application/json": {"schema": {
                "title": title, "properties": {field: {"type": "string"}}}}}}})
        };
        let mut doc = json!({"paths": {
            "/networks/{id}/connect": {"post": body("NetworkDisconnectRequest", "EndpointConfig")},
            "/networks/{id}/disconnect": {"post": body("NetworkConnectRequest", "Force")}
        }});
        assert_eq!(network_connect_titles_swapped(&mut doc), 2);
        let title = |p: &str| {
            doc["paths"][p]["post"]["requestBody"]["content"]["application/json"]["schema"]["title"]
                .clone()
        };
        assert_eq!(title("/networks/{id}/connect"), "NetworkConnectRequest");
        assert_eq!(
            title("/networks/{id}/disconnect"),
            "NetworkDisconnectRequest"
        );
        assert_eq!(
            network_connect_titles_swapped(&mut doc),
            0,
            "a fixed spec is stale"
        );
    }

    #[test]
    fn secret_and_config_create_answer_upper_case_id() {
        let created = || {
            json!({"responses": {"201": {"content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/IdResponse"}}}}}})
        };
        let mut doc = json!({
            "components": {"schemas": {"IdResponse": {"properties": {"Id": {"type": "string"}}}}},
            "paths": {"/secrets/create": {"post": created()}, "/configs/create": {"post": created()}}
        });
        assert_eq!(secret_config_create_id(&mut doc), 2);
        assert_eq!(
            doc["paths"]["/secrets/create"]["post"]["responses"]["201"]["content"]["application/json"]
                ["schema"]["$ref"],
            "#/components/schemas/SwarmObjectCreated"
        );
        assert!(doc["components"]["schemas"]["SwarmObjectCreated"]["properties"]["ID"].is_object());
        assert_eq!(
            secret_config_create_id(&mut doc),
            0,
            "a fixed spec is stale"
        );
    }

    #[test]
    fn plugin_delete_answers_nothing() {
        let mut doc = json!({"paths": {"/plugins/{name}": {"delete": {"responses": {"200": {
            "description": "no error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Plugin"}}}}}}}}});
        assert_eq!(plugin_delete_empty_body(&mut doc), 1);
        assert!(doc["paths"]["/plugins/{name}"]["delete"]["responses"]["200"]["content"].is_null());
        assert_eq!(
            plugin_delete_empty_body(&mut doc),
            0,
            "a fixed spec is stale"
        );
    }

    #[test]
    fn plugin_interface_types_are_strings() {
        let mut doc = json!({"components": {"schemas": {"PluginInterfaceType": {
            "type": "object", "properties": {"Prefix": {"type": "string"}}}}}});
        assert_eq!(plugin_interface_type_string(&mut doc), 1);
        assert_eq!(
            doc["components"]["schemas"]["PluginInterfaceType"]["type"],
            "string"
        );
        assert_eq!(
            plugin_interface_type_string(&mut doc),
            0,
            "a fixed spec is stale"
        );
    }

    #[test]
    fn push_info_and_distribution_auth() {
        let mut doc = json!({
            "components": {"schemas": {"PushImageInfo": {"properties": {"status": {"type": "string"}}}}},
            "paths": {"/distribution/{name}/json": {"get": {"parameters": [
                {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}]}}}
        });
        assert_eq!(push_info_layer_id(&mut doc), 2);
        assert_eq!(distribution_registry_auth(&mut doc), 1);
        let props = &doc["components"]["schemas"]["PushImageInfo"]["properties"];
        assert_eq!(props["id"]["type"], "string");
        assert_eq!(props["aux"]["properties"]["Digest"]["type"], "string");
        let params = &doc["paths"]["/distribution/{name}/json"]["get"]["parameters"];
        assert_eq!(params[1]["name"], "X-Registry-Auth");
    }

    #[test]
    fn examples_disagreeing_with_their_schemas() {
        let mut doc = json!({"components": {"schemas": {
            "Volume": {"properties": {"Status": {"type": "object",
                "additionalProperties": {"type": "object"}}}},
            "IPAM": {"properties": {"Options": {"description": "d", "type": "array",
                "items": {"type": "object", "additionalProperties": {"type": "string"}}}}},
            "PortMap": {"type": "object", "additionalProperties": {"type": "array"}},
            "Plugin": {
                "properties": {"Config": {"properties": {"IpcHost": {}, "PidHost": {}}}},
                "example": {"Active": true, "Settings": {"Env": []}, "Config": {"PidHost": true}}
            }
        }}});
        assert_eq!(volume_status_any_value(&mut doc), 1);
        assert_eq!(ipam_options_map(&mut doc), 1);
        assert_eq!(port_map_null_bindings(&mut doc), 1);
        assert_eq!(plugin_example_outdated(&mut doc), 3);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["Volume"]["properties"]["Status"]["additionalProperties"],
            json!({})
        );
        assert_eq!(
            schemas["IPAM"]["properties"]["Options"],
            json!({"type": "object", "additionalProperties": {"type": "string"}, "description": "d"})
        );
        assert_eq!(schemas["PortMap"]["additionalProperties"]["nullable"], true);
        assert_eq!(
            schemas["Plugin"]["example"]["Settings"]["Mounts"],
            json!([])
        );
        let mut volume = json!({"components": {"schemas": {"Volume": {"example": {"Name": "v"}}}}});
        assert_eq!(volume_example_options(&mut volume), 1);
        assert_eq!(
            volume["components"]["schemas"]["Volume"]["example"]["Options"],
            json!({})
        );
        assert_eq!(volume_example_options(&mut volume), 0);
        let mut image = json!({"components": {"schemas": {"ImageManifestSummary": {"properties": {
            "ImageData": {"required": ["Platform", "Size", "UnpackedSize"],
                          "properties": {"Platform": {}, "Size": {}}}}}}}});
        assert_eq!(image_data_required_unpacked_size(&mut image), 1);
        assert_eq!(
            image["components"]["schemas"]["ImageManifestSummary"]["properties"]["ImageData"]["required"],
            json!(["Platform", "Size"])
        );
        assert_eq!(image_data_required_unpacked_size(&mut image), 0);
        // Each is stale once applied.
        assert_eq!(volume_status_any_value(&mut doc), 0);
        assert_eq!(ipam_options_map(&mut doc), 0);
        assert_eq!(port_map_null_bindings(&mut doc), 0);
        assert_eq!(plugin_example_outdated(&mut doc), 0);
    }
}
