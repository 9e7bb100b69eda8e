//! What the generated client should do where progenitor's default reading of a spec is wrong at
//! run time. These are the project's choices, applied to every version alike (unlike `fixes`,
//! which correct upstream mistakes in named versions): [`POLICIES`] lists them in the order they
//! run, each reporting how many places it changed (see [`crate::pass`]).

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::Error;
use crate::pass::{Applied, Pass, Stage, Versions, run_table};
use crate::tree::{
    JSON, OCTET_STREAM, binary_schema, edit_objects, is_error_status, operations_mut,
};

/// Operations whose success body is a stream of bytes: progress JSON lines, multiplexed or raw
/// container output, tar archives. The spec types them as nothing (`()` would drop the body and,
/// for a pull, cancel it) or as one JSON value (a stream of values is not one value). They return
/// progenitor's `ByteStream`; the crate's stream decoders type the items.
pub const STREAMING_OPERATIONS: &[&str] = &[
    // JSON progress / message lines
    "ImageCreate",
    "ImagePush",
    "ImageBuild",
    "ImageLoad",
    "PluginPull",
    "PluginUpgrade",
    "PluginPush",
    "SystemEvents",
    "ContainerStats",
    // container output (stdcopy frames, or raw with a TTY)
    "ContainerLogs",
    "ServiceLogs",
    "TaskLogs",
    "ContainerAttach",
    "ExecStart",
    // tar archives
    "ContainerExport",
    "ContainerArchive",
    "ContainerGetArchive",
    "ImageGet",
    "ImageGetAll",
];

/// What a policy changed, for `spec check`.
#[derive(Debug, Default, Clone)]
pub struct Notes {
    /// Streaming operations found in this version.
    pub streaming: BTreeSet<String>,
    /// `operation: what was dropped and why`.
    pub adapted: Vec<String>,
}

/// A policy: an edit of the OpenAPI 3 tree, which may leave notes for `spec check`; returns how
/// many places it changed.
pub type Policy = Pass<fn(&mut Value, &mut Notes) -> usize>;

/// Every policy, in the order they run (after the fixes).
pub const POLICIES: &[Policy] = &[
    Pass {
        name: "streaming-responses",
        reason: "the success bodies of the STREAMING_OPERATIONS (progress lines, container \
                 output, tar archives) are typed as nothing or as one JSON value; they are byte \
                 streams that the crate's stream decoders type",
        versions: Versions::Every,
        run: streaming_responses,
    },
    Pass {
        name: "head-errors-without-body",
        reason: "a response to HEAD has no body, so its errors cannot be decoded as the \
                 ErrorResponse the spec promises",
        versions: Versions::Every,
        run: |doc, _| head_errors_without_body(doc),
    },
    Pass {
        name: "one-success-kind",
        reason: "progenitor gives an operation one success type; where the spec lists several \
                 kinds, the richest (body, upgrade, nothing) is kept",
        versions: Versions::Every,
        run: one_success_kind,
    },
    Pass {
        name: "nullable-definitions-at-use",
        reason: "a nullable definition would become a newtype around an Option of an `...Inner` \
                 struct; the uses become optional instead",
        // No definition is `x-nullable` before v1.32 (which marked PortBinding, ClusterInfo,
        // ManagerStatus, ... so): there is nothing to move before it.
        versions: Versions::ZeroBefore(32),
        run: |doc, _| nullable_definitions_at_use(doc),
    },
    Pass {
        name: "nullable-collections",
        reason: "Go sends a nil slice or map as `null`: array and map properties decode it as \
                 None",
        versions: Versions::Every,
        run: |doc, _| nullable_collections(doc),
    },
    Pass {
        name: "lenient-strings",
        reason: "string constraints would make typify wrap strings in validating newtypes that \
                 fail whole responses; the daemon validates what it is sent",
        versions: Versions::Every,
        run: |doc, _| lenient_strings(doc),
    },
    Pass {
        name: "timestamps-as-strings",
        reason: "Docker's timestamps are RFC 3339 strings; most are marked `dateTime` (which \
                 typify leaves a String) and a few `date-time` (which it would make chrono \
                 types): all stay Strings, one type for every timestamp and no date library \
                 in every build (users parse them with the one they use)",
        // The first `date-time` field (HealthcheckResult's Start) is in v1.39's spec.
        versions: Versions::ZeroBefore(39),
        run: |doc, _| timestamps_as_strings(doc),
    },
];

/// Applies every policy to an OpenAPI 3 tree; returns what each did and the notes they left.
pub fn apply_all(
    version: &str,
    minor: u32,
    doc: &mut Value,
) -> Result<(Vec<Applied>, Notes), Error> {
    let mut notes = Notes::default();
    let applied = run_table(Stage::Policy, version, minor, POLICIES, |policy| {
        Ok((policy.run)(doc, &mut notes))
    })?;
    Ok((applied, notes))
}

fn is_success(code: &str) -> bool {
    code.starts_with('2') || code == "101"
}

/// Success bodies of [`STREAMING_OPERATIONS`] become byte streams; their `101` (an upgrade the
/// generated call cannot drive: the hijacked attach/exec is handwritten) is dropped.
fn streaming_responses(doc: &mut Value, notes: &mut Notes) -> usize {
    let mut n = 0;
    for (_, _, op) in operations_mut(doc) {
        let Some(id) = op
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            continue;
        };
        if !STREAMING_OPERATIONS.contains(&id.as_str()) {
            continue;
        }
        let Some(Value::Object(responses)) = op.get_mut("responses") else {
            continue;
        };
        if responses.remove("101").is_some() {
            notes.adapted.push(format!(
                "{id}: 101 dropped: the generated call reads the 200 stream; the hijacked \
                 (stdin) form is handwritten"
            ));
        }
        for (code, response) in responses.iter_mut() {
            if !code.starts_with('2') {
                continue;
            }
            let Some(response) = response.as_object_mut() else {
                continue;
            };
            let media = response
                .get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.keys().find(|k| !k.starts_with(JSON)).cloned())
                .unwrap_or_else(|| OCTET_STREAM.to_string());
            response.insert(
                "content".into(),
                json!({ media: { "schema": binary_schema() } }),
            );
        }
        notes.streaming.insert(id);
        n += 1;
    }
    n
}

/// A response to `HEAD` has no body, so a `HEAD` operation's error responses cannot be decoded
/// as `ErrorResponse` (the spec says they are): they become body-less, and the error carries the
/// status alone.
fn head_errors_without_body(doc: &mut Value) -> usize {
    let mut n = 0;
    for (_, method, op) in operations_mut(doc) {
        if method != "head" {
            continue;
        }
        let Some(Value::Object(responses)) = op.get_mut("responses") else {
            continue;
        };
        for (code, response) in responses.iter_mut() {
            if is_error_status(code)
                && let Some(response) = response.as_object_mut()
                && response.remove("content").is_some()
            {
                n += 1;
            }
        }
    }
    n
}

#[derive(PartialEq, Eq, PartialOrd, Ord, Clone, Copy, Debug)]
enum Kind {
    Empty,
    Upgrade,
    Body,
}

fn kind(code: &str, response: &Value) -> Kind {
    if response
        .get("content")
        .and_then(Value::as_object)
        .is_some_and(|c| !c.is_empty())
    {
        Kind::Body
    } else if code == "101" {
        Kind::Upgrade
    } else {
        Kind::Empty
    }
}

/// progenitor gives an operation one success type. Where the spec lists several kinds (SystemAuth:
/// 200 JSON + 204 empty; the websocket attach: 101 + 200 empty), the richer one is kept: a body
/// over an upgrade over nothing. A dropped empty 2xx is a status the daemon does not send for
/// these operations.
fn one_success_kind(doc: &mut Value, notes: &mut Notes) -> usize {
    let mut n = 0;
    for (_, _, op) in operations_mut(doc) {
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let Some(Value::Object(responses)) = op.get_mut("responses") else {
            continue;
        };
        let kinds: Vec<(String, Kind)> = responses
            .iter()
            .filter(|(code, _)| is_success(code))
            .map(|(code, r)| (code.clone(), kind(code, r)))
            .collect();
        let Some(best) = kinds.iter().map(|(_, k)| *k).max() else {
            continue;
        };
        for (code, k) in kinds {
            if k != best {
                responses.remove(&code);
                notes.adapted.push(format!(
                    "{id}: {code} ({k:?}) dropped beside a {best:?} success response"
                ));
                n += 1;
            }
        }
    }
    n
}

/// A definition marked nullable (`ContainerState`, `ClusterInfo`, ...) would become a newtype
/// around an `Option` of an `...Inner` struct (`state.0.unwrap().status`). Where such a value can
/// be null is where it is used, so nullability moves there: the definition is a plain struct, and
/// a property referring to it is optional (`Option<ContainerState>`, taking `null`) even if the
/// spec lists it as required.
fn nullable_definitions_at_use(doc: &mut Value) -> usize {
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        return 0;
    };
    let mut nullable = BTreeSet::new();
    for (name, schema) in schemas.iter_mut() {
        if let Some(schema) = schema.as_object_mut()
            && schema.remove("nullable") == Some(json!(true))
        {
            nullable.insert(format!("#/components/schemas/{name}"));
        }
    }
    let dropped = edit_objects(doc, |map| {
        let refs_nullable: Vec<String> = map
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(_, p)| {
                p.get("$ref")
                    .and_then(Value::as_str)
                    .is_some_and(|r| nullable.contains(r))
            })
            .map(|(name, _)| name.clone())
            .collect();
        let Some(Value::Array(required)) = map.get_mut("required") else {
            return 0;
        };
        let before = required.len();
        required.retain(|r| {
            !r.as_str()
                .is_some_and(|r| refs_nullable.iter().any(|n| n == r))
        });
        before - required.len()
    });
    nullable.len() + dropped
}

/// Go encodes a nil slice or map as `null`, and Docker sends it (`Ports`, `Labels`, `Warnings`,
/// `Env`...). Every array- or map-valued property is made nullable, so it decodes to `None`; this
/// also keeps "omitted" (`None`) apart from "empty" (`Some(vec![])`) in requests.
fn nullable_collections(doc: &mut Value) -> usize {
    fn is_collection(schema: &Map<String, Value>) -> bool {
        match schema.get("type").and_then(Value::as_str) {
            Some("array") => true,
            Some("object") => {
                schema.contains_key("additionalProperties") && !schema.contains_key("properties")
            }
            _ => false,
        }
    }
    edit_objects(doc, |map| {
        let Some(Value::Object(props)) = map.get_mut("properties") else {
            return 0;
        };
        let mut n = 0;
        for prop in props.values_mut() {
            if let Some(prop) = prop.as_object_mut()
                && is_collection(prop)
                && prop.insert("nullable".into(), json!(true)) != Some(json!(true))
            {
                n += 1;
            }
        }
        n
    })
}

/// String constraints (`pattern`, `minLength`, `maxLength`) would make typify wrap the string in
/// a validating newtype: a response value that breaks them (another engine's ids, a looser name)
/// would fail the whole response, and requests would need `try_from`. The daemon validates what
/// it is sent, so the client takes strings as they are; the constraint stays in the description.
fn lenient_strings(doc: &mut Value) -> usize {
    edit_objects(doc, |map| {
        if map.get("type") != Some(&json!("string")) {
            return 0;
        }
        let mut removed = Vec::new();
        for key in ["pattern", "minLength", "maxLength"] {
            if let Some(value) = map.remove(key) {
                removed.push(format!("{key}: {value}"));
            }
        }
        if removed.is_empty() {
            return 0;
        }
        let note = format!(
            "\n\nConstraint (checked by the daemon): {}.",
            removed.join(", ")
        );
        let description = map.entry("description").or_insert_with(|| json!(""));
        if let Value::String(d) = description {
            d.push_str(&note);
        }
        1
    })
}

/// `format: date-time` is dropped from string schemas, so typify types them as it types
/// Docker's other (`dateTime`) timestamps: `String`. The description says the format already.
fn timestamps_as_strings(doc: &mut Value) -> usize {
    edit_objects(doc, |map| {
        let timestamp = map.get("type") == Some(&json!("string"))
            && map.get("format") == Some(&json!("date-time"));
        if timestamp {
            map.remove("format");
        }
        usize::from(timestamp)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs every policy, whatever it counts: these documents are too small to give each policy
    /// something to do.
    fn apply_all(doc: &mut Value) -> Notes {
        let mut notes = Notes::default();
        for policy in POLICIES {
            (policy.run)(doc, &mut notes);
        }
        notes
    }

    fn op(responses: Value) -> Value {
        json!({"paths": {"/x": {"post": {"operationId": "ContainerAttach", "responses": responses}}}})
    }

    #[test]
    fn a_policy_that_changes_nothing_fails() {
        let mut doc = json!({"paths": {}, "components": {"schemas": {}}});
        let err = super::apply_all("1.41", 41, &mut doc).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("v1.41: policies `streaming-responses`, `head-errors-without-body`"),
            "{err}"
        );
        for policy in POLICIES {
            assert_eq!(
                (policy.run)(&mut doc, &mut Notes::default()),
                0,
                "{}",
                policy.name
            );
        }
    }

    #[test]
    fn nullable_definitions_may_be_absent_before_v1_32_only() {
        let rule = POLICIES
            .iter()
            .find(|p| p.name == "nullable-definitions-at-use")
            .unwrap()
            .versions;
        assert!(rule.may_be_zero_in(31));
        assert!(!rule.may_be_zero_in(32));
    }

    #[test]
    fn streaming_operation_becomes_byte_stream() {
        let mut doc = op(
            json!({"101": {"description": "hijack"}, "200": {"description": "ok"},
            "404": {"description": "nf", "content": {"application/json": {"schema": {}}}}}),
        );
        let notes = apply_all(&mut doc);
        let r = &doc["paths"]["/x"]["post"]["responses"];
        assert!(r.get("101").is_none());
        assert_eq!(
            r["200"]["content"]["application/octet-stream"]["schema"],
            binary_schema()
        );
        assert!(
            r["404"]["content"]["application/json"].is_object(),
            "errors untouched"
        );
        assert!(notes.streaming.contains("ContainerAttach"));
    }

    #[test]
    fn head_errors_have_no_body() {
        let mut doc = json!({"paths": {"/x": {"head": {"operationId": "H", "responses": {
            "200": {"description": "ok"},
            "404": {"description": "nf", "content": {"application/json": {"schema": {}}}}}}}}});
        apply_all(&mut doc);
        assert!(
            doc["paths"]["/x"]["head"]["responses"]["404"]
                .get("content")
                .is_none()
        );
    }

    #[test]
    fn richer_success_kind_wins() {
        let mut doc = json!({"paths": {"/auth": {"post": {"operationId": "SystemAuth", "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {}}}},
            "204": {"description": "no error"}}}}}});
        let notes = apply_all(&mut doc);
        assert!(
            doc["paths"]["/auth"]["post"]["responses"]
                .get("204")
                .is_none()
        );
        assert_eq!(notes.adapted.len(), 1);
    }

    #[test]
    fn collections_become_nullable() {
        let mut doc = json!({"components": {"schemas": {"C": {"type": "object", "properties": {
            "Names": {"type": "array", "items": {"type": "string"}},
            "Labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "State": {"type": "object", "properties": {"Env": {"type": "array"}}},
            "Id": {"type": "string"}}}}}});
        apply_all(&mut doc);
        let p = &doc["components"]["schemas"]["C"]["properties"];
        assert_eq!(p["Names"]["nullable"], json!(true));
        assert_eq!(p["Labels"]["nullable"], json!(true));
        assert!(p["State"].get("nullable").is_none());
        assert_eq!(p["State"]["properties"]["Env"]["nullable"], json!(true));
        assert!(p["Id"].get("nullable").is_none());
    }

    #[test]
    fn nullable_definitions_become_optional_uses() {
        let mut doc = json!({"components": {"schemas": {
            "State": {"type": "object", "nullable": true, "properties": {"Status": {"type": "string"}}},
            "Container": {"type": "object", "required": ["State", "Id"], "properties": {
                "State": {"$ref": "#/components/schemas/State"}, "Id": {"type": "string"}}}}}});
        apply_all(&mut doc);
        let schemas = &doc["components"]["schemas"];
        assert!(schemas["State"].get("nullable").is_none());
        assert_eq!(schemas["Container"]["required"], json!(["Id"]));
    }

    #[test]
    fn string_constraints_move_to_the_description() {
        let mut doc = json!({"components": {"schemas": {"Name": {"type": "string", "pattern": "^a$", "maxLength": 3}}}});
        apply_all(&mut doc);
        let name = &doc["components"]["schemas"]["Name"];
        assert!(name.get("pattern").is_none() && name.get("maxLength").is_none());
        assert!(
            name["description"]
                .as_str()
                .unwrap()
                .contains("pattern: \"^a$\""),
            "{name}"
        );
    }

    #[test]
    fn date_time_strings_stay_strings() {
        let mut doc = json!({"components": {"schemas": {"Health": {"type": "object", "properties": {
            "Start": {"type": "string", "format": "date-time"},
            "Created": {"type": "string", "format": "dateTime"},
            "Size": {"type": "integer", "format": "int64"}}}}}});
        let timestamps = POLICIES
            .iter()
            .find(|p| p.name == "timestamps-as-strings")
            .unwrap();
        assert_eq!((timestamps.run)(&mut doc, &mut Notes::default()), 1);
        let props = &doc["components"]["schemas"]["Health"]["properties"];
        assert_eq!(props["Start"], json!({"type": "string"}));
        assert_eq!(props["Created"]["format"], "dateTime", "not ours to touch");
        assert_eq!(props["Size"]["format"], "int64");
        assert!(timestamps.versions.may_be_zero_in(38));
        assert!(!timestamps.versions.may_be_zero_in(39));
    }
}
