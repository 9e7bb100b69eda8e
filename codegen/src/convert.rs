//! Swagger 2.0 → OpenAPI 3.0, as a list of small named passes over a JSON tree.
//!
//! progenitor reads only OpenAPI 3.0.x, and Docker publishes Swagger 2.0. Each pass below does
//! one part of the translation; [`PASSES`] lists them in the order they run, and each reports how
//! many places it changed (one that changes nothing fails, see [`crate::pass`]). They are
//! mechanical: choices about what the generated client should *do* (streams, null handling, ...)
//! live in `policy`, and corrections of upstream mistakes live in `fixes`.

use serde_json::{Map, Value, json};

use crate::Error;
use crate::pass::{Applied, Pass, Stage, Versions, run_table};
use crate::tree::{
    JSON, OCTET_STREAM, X_CONTENT_TYPE, binary_schema, edit_objects, is_error_status,
    operations_mut,
};

/// A conversion pass: an edit of the tree that returns how many places it changed, or why it
/// cannot translate the document.
pub type ConvertPass = Pass<fn(&mut Value) -> Result<usize, String>>;

/// The passes, in the order they run.
pub const PASSES: &[ConvertPass] = &[
    Pass {
        name: "definitions-to-components",
        reason: "OpenAPI 3 keeps schemas under `components.schemas`, not `definitions`",
        versions: Versions::Every,
        run: definitions_to_components,
    },
    Pass {
        name: "rewrite-refs",
        reason: "references must follow the schemas to `#/components/schemas/`",
        versions: Versions::Every,
        run: rewrite_refs,
    },
    Pass {
        name: "x-nullable",
        reason: "Swagger's vendor `x-nullable` is OpenAPI 3's `nullable`, which typify reads",
        versions: Versions::Every,
        run: x_nullable,
    },
    Pass {
        name: "parameters",
        reason: "OpenAPI 3 parameters describe their value in a `schema`, and their array \
                 encoding as style/explode rather than `collectionFormat`",
        versions: Versions::Every,
        run: parameters,
    },
    Pass {
        name: "request-bodies",
        reason: "OpenAPI 3 has `requestBody` (one media type, for progenitor) instead of an \
                 `in: body` parameter",
        versions: Versions::Every,
        run: request_bodies,
    },
    Pass {
        name: "responses",
        reason: "OpenAPI 3 responses carry their schema per media type (`content`), and their \
                 headers a `schema`",
        versions: Versions::Every,
        run: responses,
    },
    Pass {
        name: "document-header",
        reason: "an OpenAPI 3 document says `openapi: 3.0.3` and has `servers`; Swagger-only \
                 keys go",
        versions: Versions::Every,
        run: document_header,
    },
];

/// Runs every pass on a Swagger 2.0 tree, leaving an OpenAPI 3.0 tree; returns what each did.
pub fn swagger_to_openapi(
    version: &str,
    minor: u32,
    doc: &mut Value,
) -> Result<Vec<Applied>, Error> {
    run_table(Stage::Convert, version, minor, PASSES, |pass| {
        (pass.run)(doc).map_err(|message| Error::Convert {
            version: version.to_string(),
            pass: pass.name,
            message,
        })
    })
}

/// `definitions` → `components.schemas`.
fn definitions_to_components(doc: &mut Value) -> Result<usize, String> {
    let root = doc.as_object_mut().ok_or("document is not a mapping")?;
    let definitions = root.remove("definitions").unwrap_or_else(|| json!({}));
    let moved = definitions.as_object().map_or(0, Map::len);
    root.insert("components".into(), json!({ "schemas": definitions }));
    Ok(moved)
}

/// `#/definitions/X` → `#/components/schemas/X`, everywhere.
fn rewrite_refs(doc: &mut Value) -> Result<usize, String> {
    fn walk(v: &mut Value, n: &mut usize) -> Result<(), String> {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get_mut("$ref") {
                    let name = r
                        .strip_prefix("#/definitions/")
                        .ok_or_else(|| format!("unsupported reference {r}"))?;
                    *r = format!("#/components/schemas/{name}");
                    *n += 1;
                }
                map.values_mut().try_for_each(|v| walk(v, n))
            }
            Value::Array(items) => items.iter_mut().try_for_each(|v| walk(v, n)),
            _ => Ok(()),
        }
    }
    let mut n = 0;
    walk(doc, &mut n)?;
    Ok(n)
}

/// Swagger's vendor `x-nullable: true` → OpenAPI's `nullable: true`.
fn x_nullable(doc: &mut Value) -> Result<usize, String> {
    Ok(edit_objects(doc, |map| {
        let removed = map.remove("x-nullable");
        if removed == Some(Value::Bool(true)) {
            map.insert("nullable".into(), Value::Bool(true));
        }
        usize::from(removed.is_some())
    }))
}

/// Keys of a Swagger 2.0 non-body parameter that describe its value; OpenAPI 3 moves them
/// into the parameter's `schema`.
const SCHEMA_KEYS: &[&str] = &[
    "type",
    "format",
    "items",
    "enum",
    "default",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
    "nullable",
];

/// Removes the [`SCHEMA_KEYS`] from a Swagger parameter or header, as its OpenAPI `schema`.
fn take_schema_keys(map: &mut Map<String, Value>) -> Map<String, Value> {
    SCHEMA_KEYS
        .iter()
        .filter_map(|key| map.remove(*key).map(|v| ((*key).to_string(), v)))
        .collect()
}

/// Non-body parameters: value keys move into `schema`; `collectionFormat` becomes style/explode.
fn parameters(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    for (path, method, op) in operations_mut(doc) {
        let Some(Value::Array(params)) = op.get_mut("parameters") else {
            continue;
        };
        for param in params.iter_mut() {
            let param = param
                .as_object_mut()
                .ok_or_else(|| format!("{method} {path}: a parameter is not a mapping"))?;
            match param.get("in").and_then(Value::as_str) {
                Some("body") => continue,
                Some("query" | "path" | "header") => {}
                other => {
                    return Err(format!(
                        "{method} {path}: parameter location {other:?} is not supported"
                    ));
                }
            }
            let mut schema = take_schema_keys(param);
            if let Some(items) = schema.get_mut("items").and_then(Value::as_object_mut) {
                items.remove("collectionFormat");
            }
            match param
                .remove("collectionFormat")
                .as_ref()
                .and_then(Value::as_str)
            {
                None | Some("csv") if schema.get("type") == Some(&json!("array")) => {
                    param.insert("style".into(), json!("form"));
                    param.insert("explode".into(), json!(false));
                }
                None | Some("csv") => {}
                Some("multi") => {
                    param.insert("style".into(), json!("form"));
                    param.insert("explode".into(), json!(true));
                }
                Some(other) => {
                    return Err(format!(
                        "{method} {path}: collectionFormat {other} is not supported"
                    ));
                }
            }
            if param.get("in") == Some(&json!("path")) {
                param.insert("required".into(), json!(true));
            }
            param.insert("schema".into(), Value::Object(schema));
            n += 1;
        }
    }
    Ok(n)
}

/// Whether a Swagger body/response schema is a plain string (a byte body or stream).
fn is_string_schema(schema: &Value) -> bool {
    schema.get("type") == Some(&json!("string"))
}

fn media_types(op: &Map<String, Value>, key: &str, doc_default: &[String]) -> Vec<String> {
    match op.get(key).and_then(Value::as_array) {
        Some(list) => list
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        None => doc_default.to_vec(),
    }
}

fn doc_media_types(doc: &Value, key: &str) -> Vec<String> {
    doc.get(key)
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// `in: body` parameter → `requestBody` with exactly one media type.
///
/// progenitor takes one media type per body. Docker's string bodies are byte streams (tar
/// archives, image tarballs), sent as `application/octet-stream` by progenitor; when the spec names
/// `application/x-tar`, that type is kept in [`X_CONTENT_TYPE`] for the request hook. Everything
/// else is JSON.
fn request_bodies(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    let doc_consumes = doc_media_types(doc, "consumes");
    for (path, method, op) in operations_mut(doc) {
        let consumes = media_types(op, "consumes", &doc_consumes);
        op.remove("consumes");
        let Some(Value::Array(params)) = op.get_mut("parameters") else {
            continue;
        };
        let Some(pos) = params
            .iter()
            .position(|p| p.get("in") == Some(&json!("body")))
        else {
            continue;
        };
        let body = params.remove(pos);
        if params.iter().any(|p| p.get("in") == Some(&json!("body"))) {
            return Err(format!("{method} {path}: more than one body parameter"));
        }
        let schema = body
            .get("schema")
            .cloned()
            .ok_or_else(|| format!("{method} {path}: body has no schema"))?;
        let mut request_body = Map::new();
        if let Some(d) = body.get("description") {
            request_body.insert("description".into(), d.clone());
        }
        request_body.insert(
            "required".into(),
            body.get("required").cloned().unwrap_or(json!(false)),
        );
        let content = if is_string_schema(&schema) {
            if consumes.iter().any(|c| c == "application/x-tar") {
                op.insert(X_CONTENT_TYPE.into(), json!("application/x-tar"));
            }
            json!({ OCTET_STREAM: { "schema": binary_schema() } })
        } else {
            json!({ JSON: { "schema": schema } })
        };
        request_body.insert("content".into(), content);
        op.insert("requestBody".into(), Value::Object(request_body));
        n += 1;
    }
    Ok(n)
}

/// Responses: `schema` + `produces` → `content`; headers get a `schema`; a JSON
/// `examples` entry becomes the JSON content's `example`.
///
/// Error responses (status ≥ 400 and `default`) are always JSON: the daemon writes its errors as
/// `{"message": ...}` whatever the operation produces. A success response is JSON when the
/// operation produces JSON and its schema is not binary; otherwise it is a raw byte stream.
fn responses(doc: &mut Value) -> Result<usize, String> {
    let mut n = 0;
    let doc_produces = doc_media_types(doc, "produces");
    for (path, method, op) in operations_mut(doc) {
        let produces = media_types(op, "produces", &doc_produces);
        op.remove("produces");
        let Some(Value::Object(responses)) = op.get_mut("responses") else {
            return Err(format!("{method} {path}: no responses"));
        };
        for (code, response) in responses.iter_mut() {
            let response = response
                .as_object_mut()
                .ok_or_else(|| format!("{method} {path} {code}: response is not a mapping"))?;
            // The JSON example becomes the media type's `example` (read by `crate::examples`
            // and proven to decode); examples of other media types (plain text) go.
            let example = response
                .remove("examples")
                .and_then(|mut e| e.get_mut(JSON).map(Value::take));
            if let Some(Value::Object(headers)) = response.get_mut("headers") {
                for header in headers.values_mut() {
                    let header = header
                        .as_object_mut()
                        .ok_or("response header is not a mapping")?;
                    let schema = take_schema_keys(header);
                    header.insert("schema".into(), Value::Object(schema));
                    n += 1;
                }
            }
            let Some(schema) = response.remove("schema") else {
                continue;
            };
            let is_error = is_error_status(code);
            let json_ok = produces.iter().any(|p| p == JSON) || produces.is_empty();
            let binary = schema.get("format") == Some(&json!("binary"));
            let content = if is_error || (json_ok && !binary) {
                match example {
                    Some(example) => json!({ JSON: { "schema": schema, "example": example } }),
                    None => json!({ JSON: { "schema": schema } }),
                }
            } else {
                let media = produces
                    .first()
                    .cloned()
                    .unwrap_or_else(|| OCTET_STREAM.to_string());
                json!({ media: { "schema": binary_schema() } })
            };
            response.insert("content".into(), content);
            n += 1;
        }
    }
    Ok(n)
}

/// `swagger: "2.0"` → `openapi: "3.0.3"`; `basePath` → `servers`; Swagger-only keys go.
fn document_header(doc: &mut Value) -> Result<usize, String> {
    let root = doc.as_object_mut().ok_or("document is not a mapping")?;
    root.remove("swagger");
    root.remove("schemes");
    root.remove("produces");
    root.remove("consumes");
    let base = root.remove("basePath").unwrap_or_else(|| json!("/"));
    root.insert("openapi".into(), json!("3.0.3"));
    root.insert("servers".into(), json!([{ "url": base }]));
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(paths: Value) -> Value {
        json!({
            "swagger": "2.0", "basePath": "/v1.99",
            "produces": ["application/json", "text/plain"],
            "consumes": ["application/json", "text/plain"],
            "info": {"title": "t", "version": "1.99"},
            "definitions": {"ErrorResponse": {"type": "object", "x-nullable": true}},
            "paths": paths,
        })
    }

    /// Runs every pass, whatever it counts: these documents are too small to give each pass
    /// something to do.
    fn convert(mut d: Value) -> Value {
        for pass in PASSES {
            (pass.run)(&mut d).unwrap();
        }
        d
    }

    #[test]
    fn definitions_move_and_refs_follow() {
        let d = convert(doc(
            json!({"/x": {"get": {"operationId": "X", "responses": {
            "500": {"description": "e", "schema": {"$ref": "#/definitions/ErrorResponse"}}}}}}),
        ));
        assert!(d.get("definitions").is_none());
        assert_eq!(
            d["components"]["schemas"]["ErrorResponse"]["nullable"],
            json!(true)
        );
        assert_eq!(
            d["paths"]["/x"]["get"]["responses"]["500"]["content"]["application/json"]["schema"]["$ref"],
            json!("#/components/schemas/ErrorResponse")
        );
        assert_eq!(d["openapi"], json!("3.0.3"));
        assert_eq!(d["servers"][0]["url"], json!("/v1.99"));
    }

    #[test]
    fn parameter_values_move_into_schema() {
        let d = convert(doc(
            json!({"/x/{id}": {"get": {"operationId": "X", "responses": {}, "parameters": [
                {"name": "id", "in": "path", "type": "string"},
                {"name": "all", "in": "query", "type": "boolean", "default": false},
                {"name": "k", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "multi"},
            ]}}}),
        ));
        let params = &d["paths"]["/x/{id}"]["get"]["parameters"];
        assert_eq!(params[0]["required"], json!(true));
        assert_eq!(params[0]["schema"], json!({"type": "string"}));
        assert_eq!(
            params[1]["schema"],
            json!({"type": "boolean", "default": false})
        );
        assert!(params[1].get("type").is_none());
        assert_eq!(
            (&params[2]["style"], &params[2]["explode"]),
            (&json!("form"), &json!(true))
        );
    }

    #[test]
    fn bodies_get_one_media_type() {
        let d = convert(doc(json!({
            "/a": {"post": {"operationId": "A", "responses": {}, "consumes": ["application/json", "application/octet-stream"],
                "parameters": [{"name": "body", "in": "body", "required": true, "schema": {"type": "object"}}]}},
            "/b": {"put": {"operationId": "B", "responses": {}, "consumes": ["application/x-tar", "application/octet-stream"],
                "parameters": [{"name": "in", "in": "body", "schema": {"type": "string", "format": "binary"}}]}},
        })));
        let a = &d["paths"]["/a"]["post"];
        assert_eq!(
            a["requestBody"]["content"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["application/json"]
        );
        assert_eq!(a["requestBody"]["required"], json!(true));
        assert!(a.get("consumes").is_none());
        assert_eq!(a["parameters"], json!([]));
        let b = &d["paths"]["/b"]["put"];
        assert_eq!(
            b["requestBody"]["content"]["application/octet-stream"]["schema"],
            binary_schema()
        );
        assert_eq!(b[X_CONTENT_TYPE], json!("application/x-tar"));
    }

    #[test]
    fn responses_get_content() {
        let d = convert(doc(json!({
            "/t": {"get": {"operationId": "T", "produces": ["application/x-tar"], "responses": {
                "200": {"description": "ok", "schema": {"type": "string", "format": "binary"},
                        "headers": {"X-Stat": {"type": "string", "description": "h"}}},
                "404": {"description": "nf", "schema": {"$ref": "#/definitions/ErrorResponse"}}}}},
            "/j": {"get": {"operationId": "J", "responses": {"200": {"description": "ok", "schema": {"type": "string"}}}}},
        })));
        let t = &d["paths"]["/t"]["get"]["responses"];
        assert_eq!(
            t["200"]["content"]["application/x-tar"]["schema"],
            binary_schema()
        );
        assert_eq!(
            t["200"]["headers"]["X-Stat"]["schema"],
            json!({"type": "string"})
        );
        assert!(t["404"]["content"]["application/json"].is_object());
        // A string the operation produces as JSON stays JSON (e.g. SwarmInit's node id).
        assert!(
            d["paths"]["/j"]["get"]["responses"]["200"]["content"]["application/json"].is_object()
        );
    }
}
