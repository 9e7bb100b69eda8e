//! Named corrections of Docker's specs.
//!
//! Each fix says what is wrong upstream, for which versions, and how it is corrected. A fix that
//! finds nothing to correct in a version it claims to cover is an error: upstream has fixed it
//! (or moved it), and the fix must be narrowed or deleted rather than rot silently.

use serde_json::{Value, json};

use crate::Error;

/// One correction of the specs.
pub struct Fix {
    /// Short, stable name.
    pub name: &'static str,
    /// Why the spec needs it.
    pub reason: &'static str,
    /// First and last API minor version (`1.NN`) the fix covers, inclusive.
    pub versions: (u32, u32),
    /// Applies the fix to an OpenAPI 3 tree; returns how many places it changed.
    pub apply: fn(&mut Value) -> usize,
}

/// Every fix, applied in this order after the Swagger → OpenAPI conversion.
pub const FIXES: &[Fix] = &[
    Fix {
        name: "strslice-type-list",
        reason: "Config.Cmd/Entrypoint declare `type: [array, string]` (Go's strslice), which is not \
             valid OpenAPI 3.0 and which openapiv3 cannot read; the daemon accepts the array form, \
             which is what the spec itself declares from v1.35 on",
        versions: (25, 34),
        apply: strslice_type_list,
    },
    Fix {
        name: "push-info-layer-id",
        reason: "PushImageInfo leaves out `id` (the layer a progress item is about) and `aux` (the \
             pushed tag's digest and size), which the daemon sends in every push stream (Go's \
             jsonmessage.JSONMessage); without them a push cannot draw per-layer progress or \
             report its digest",
        versions: (25, 55),
        apply: push_info_layer_id,
    },
    Fix {
        name: "distribution-registry-auth",
        reason: "DistributionInspect does not declare the `X-Registry-Auth` header, which the daemon \
             reads (distribution_routes.go) to ask a private registry; without it the call only \
             works anonymously",
        versions: (30, 55),
        apply: distribution_registry_auth,
    },
];

/// Applies every fix that covers `minor` (the `NN` of `1.NN`); names the fixes applied.
pub fn apply_all(version: &str, minor: u32, doc: &mut Value) -> Result<Vec<&'static str>, Error> {
    let mut applied = Vec::new();
    for fix in FIXES
        .iter()
        .filter(|f| (f.versions.0..=f.versions.1).contains(&minor))
    {
        if (fix.apply)(doc) == 0 {
            return Err(Error::StaleFix {
                version: version.to_string(),
                fix: fix.name,
            });
        }
        applied.push(fix.name);
    }
    Ok(applied)
}

fn strslice_type_list(doc: &mut Value) -> usize {
    fn walk(v: &mut Value) -> usize {
        match v {
            Value::Object(map) => {
                let mut n = 0;
                if map.get("type") == Some(&json!(["array", "string"])) {
                    map.insert("type".into(), json!("array"));
                    n += 1;
                }
                n + map.values_mut().map(walk).sum::<usize>()
            }
            Value::Array(items) => items.iter_mut().map(walk).sum(),
            _ => 0,
        }
    }
    walk(doc)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strslice_becomes_array() {
        let mut doc = json!({"components": {"schemas": {"Config": {"properties": {
            "Cmd": {"type": ["array", "string"], "items": {"type": "string"}}}},
            "PushImageInfo": {"properties": {}}}}});
        assert_eq!(
            apply_all("1.29", 29, &mut doc).unwrap(),
            ["strslice-type-list", "push-info-layer-id"]
        );
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
        // Outside their ranges fixes are not tried at all.
        let mut doc = json!({});
        assert!(apply_all("1.56", 56, &mut doc).unwrap().is_empty());
    }

    #[test]
    fn push_info_and_distribution_auth() {
        let mut doc = json!({
            "components": {"schemas": {"PushImageInfo": {"properties": {"status": {"type": "string"}}}}},
            "paths": {"/distribution/{name}/json": {"get": {"parameters": [
                {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}]}}}
        });
        assert_eq!(
            apply_all("1.41", 41, &mut doc).unwrap(),
            ["push-info-layer-id", "distribution-registry-auth"]
        );
        let props = &doc["components"]["schemas"]["PushImageInfo"]["properties"];
        assert_eq!(props["id"]["type"], "string");
        assert_eq!(props["aux"]["properties"]["Digest"]["type"], "string");
        let params = &doc["paths"]["/distribution/{name}/json"]["get"]["parameters"];
        assert_eq!(params[1]["name"], "X-Registry-Auth");
    }
}
