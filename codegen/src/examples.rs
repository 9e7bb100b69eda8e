//! The JSON the generated types must decode: the spec's own examples, and one synthesized
//! instance per definition with every property filled.
//!
//! Docker's specs carry an `example` on many definitions and on many responses
//! (`responses.<code>.examples.application/json`, kept by the conversion as the OpenAPI media
//! type's `example`). They are what the daemon sends, written by the people who wrote the
//! daemon, so every one of them must decode into the type generated for it. A synthesized
//! instance goes further: every property of the schema present (strings, numbers, booleans,
//! arrays of one element, nested objects, an enum's first value, maps of one entry), plus an
//! unknown extra field in each object, as a newer daemon would send.
//!
//! This module only reads the (converted, fixed) OpenAPI tree; the syn pass
//! `example-decoders` ([`crate::postprocess`]) turns what it collects into a table of decoding
//! checks compiled only in the client crate's unit tests, and `cargo xtask spec check
//! --examples` runs them. Both read the same tree, so both see the same examples.

use serde_json::{Map, Value, json};

use crate::tree::{is_error_status, operation_id, operations};

/// What an example is of: the type it must decode into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A definition (`components.schemas.<name>`), by its name in the spec.
    Definition(String),
    /// The body of one response of an operation.
    Response {
        /// The operation's id (`ContainerList`).
        operation: String,
        /// The response's status (`200`, `404`, `default`).
        status: String,
    },
}

impl Target {
    /// How failures name it: `definition Volume`, `response ContainerList 200`.
    pub fn label(&self) -> String {
        match self {
            Target::Definition(name) => format!("definition {name}"),
            Target::Response { operation, status } => format!("response {operation} {status}"),
        }
    }
}

/// One JSON document and the type it must decode into.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    /// What it is an example of.
    pub target: Target,
    /// The JSON.
    pub value: Value,
}

/// The extra field put into every synthesized object: no schema of Docker's has it.
pub const UNKNOWN_FIELD: &str = "XUnknownFieldOfANewerDaemon";

/// How deep a synthesized instance follows `$ref`s: bounds recursive schemas (and the size of
/// the generated table); deeper references stop at the first one already being expanded.
const MAX_DEPTH: usize = 8;

/// Every example of the spec, definitions first (in the spec's order), then responses.
pub fn collect(doc: &Value) -> Vec<Example> {
    let mut out = Vec::new();
    if let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            if let Some(example) = schema.get("example") {
                out.push(Example {
                    target: Target::Definition(name.clone()),
                    value: example.clone(),
                });
            }
        }
    }
    for (_, _, op) in operations(doc) {
        let Some(id) = operation_id(op) else { continue };
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            continue;
        };
        for (status, response) in responses {
            if let Some(example) = response.pointer("/content/application~1json/example") {
                out.push(Example {
                    target: Target::Response {
                        operation: id.to_string(),
                        status: status.clone(),
                    },
                    value: example.clone(),
                });
            }
        }
    }
    out
}

/// One synthesized instance of every definition, in the spec's order.
pub fn synthesize_all(doc: &Value) -> Vec<Example> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, schema)| Example {
            target: Target::Definition(name.clone()),
            value: Synth {
                doc,
                stack: vec![name.clone()],
            }
            .value(schema),
        })
        .collect()
}

/// Whether a response status is a success (its body is the operation's result, not an error).
pub fn is_success(status: &str) -> bool {
    !is_error_status(status)
}

/// Fills a schema in, following `$ref`s with a stack of the definitions being expanded.
struct Synth<'a> {
    doc: &'a Value,
    stack: Vec<String>,
}

impl Synth<'_> {
    fn value(&mut self, schema: &Value) -> Value {
        if let Some(name) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            return self.reference(name);
        }
        if let Some(first) = schema
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.iter().find(|v| !v.is_null()))
        {
            return first.clone();
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            return self.all_of(parts);
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("object") => self.object(schema),
            Some("array") => self.array(schema),
            Some("string") => string(schema),
            Some("integer") => integer(schema),
            Some("number") => json!(1.5),
            Some("boolean") => json!(true),
            _ if schema.get("properties").is_some()
                || schema.get("additionalProperties").is_some() =>
            {
                self.object(schema)
            }
            // No type: anything decodes into it (`serde_json::Value`).
            _ => json!({ UNKNOWN_FIELD: "any" }),
        }
    }

    fn reference(&mut self, name: &str) -> Value {
        let Some(target) = self.doc.pointer(&format!(
            "/components/schemas/{}",
            name.replace('~', "~0").replace('/', "~1")
        )) else {
            return Value::Null;
        };
        if self.stack.iter().any(|n| n == name) || self.stack.len() >= MAX_DEPTH {
            // A recursive schema (or a very deep one): stop with the smallest instance.
            return self.smallest(target);
        }
        self.stack.push(name.to_string());
        let value = self.value(target);
        self.stack.pop();
        value
    }

    /// The smallest instance: only what is required, references not followed further.
    fn smallest(&mut self, schema: &Value) -> Value {
        match schema.get("type").and_then(Value::as_str) {
            Some("array") => json!([]),
            Some("object") | None => json!({}),
            _ => self.value(schema),
        }
    }

    fn all_of(&mut self, parts: &[Value]) -> Value {
        let mut merged = Map::new();
        for part in parts {
            match self.value(part) {
                Value::Object(fields) => merged.extend(fields),
                other if parts.len() == 1 => return other,
                _ => {}
            }
        }
        Value::Object(merged)
    }

    fn object(&mut self, schema: &Value) -> Value {
        let mut out = Map::new();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (key, prop) in props {
                out.insert(key.clone(), self.value(prop));
            }
        }
        match schema.get("additionalProperties") {
            Some(values @ Value::Object(_)) => {
                // A map: one entry; an unknown key is just another entry of the map.
                let entry = self.value(values);
                out.insert("key".into(), entry);
            }
            Some(Value::Bool(false)) => {}
            _ => {
                out.insert(UNKNOWN_FIELD.into(), json!("extra"));
            }
        }
        Value::Object(out)
    }

    fn array(&mut self, schema: &Value) -> Value {
        let item = schema
            .get("items")
            .map_or(json!("item"), |items| self.value(items));
        let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(1);
        let max = schema
            .get("maxItems")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        let n = min.max(1).min(max);
        Value::Array((0..n).map(|_| item.clone()).collect())
    }
}

fn string(schema: &Value) -> Value {
    match schema.get("format").and_then(Value::as_str) {
        Some("date-time") => return json!("2024-01-02T03:04:05.123456789Z"),
        Some("uri") => return json!("https://example.com/"),
        _ => {}
    }
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(1);
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .unwrap_or(u64::MAX);
    // Docker's patterns are ids (64 hex digits) and names; 64 `a`s match all of them.
    let len = if schema.get("pattern").is_some() {
        64
    } else {
        min.max(1)
    };
    let len = usize::try_from(len.min(max)).unwrap_or(64);
    Value::String("a".repeat(len))
}

fn integer(schema: &Value) -> Value {
    let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(1);
    let max = schema
        .get("maximum")
        .and_then(Value::as_i64)
        .unwrap_or(i64::MAX);
    json!(min.max(1).min(max))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({
            "components": {"schemas": {
                "Volume": {
                    "type": "object",
                    "required": ["Name"],
                    "properties": {
                        "Name": {"type": "string"},
                        "Size": {"type": "integer", "format": "int64", "minimum": -1},
                        "Labels": {"type": "object", "additionalProperties": {"type": "string"}},
                        "Scope": {"type": "string", "enum": ["local", "global"]},
                        "Usage": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/Usage"}]},
                        "Tree": {"$ref": "#/components/schemas/Tree"},
                        "Created": {"type": "string", "format": "date-time"}
                    },
                    "example": {"Name": "v"}
                },
                "Usage": {"type": "object", "properties": {"RefCount": {"type": "integer"}}},
                "Networks": {"additionalProperties": {"type": "integer"}},
                "Tree": {"type": "object", "properties": {
                    "Children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}}}
            }},
            "paths": {"/volumes": {"get": {"operationId": "VolumeList", "responses": {
                "200": {"content": {"application/json": {"schema": {}, "example": {"Volumes": []}}}},
                "500": {"content": {"application/json": {"schema": {}}}}
            }}}}
        })
    }

    #[test]
    fn collects_definition_and_response_examples() {
        let examples = collect(&doc());
        assert_eq!(examples.len(), 2, "{examples:?}");
        assert_eq!(examples[0].target.label(), "definition Volume");
        assert_eq!(examples[0].value, json!({"Name": "v"}));
        assert_eq!(examples[1].target.label(), "response VolumeList 200");
        assert_eq!(examples[1].value, json!({"Volumes": []}));
    }

    #[test]
    fn synthesizes_every_property_and_an_unknown_field() {
        let all = synthesize_all(&doc());
        assert_eq!(all.len(), 4);
        let of = |name: &str| {
            let label = format!("definition {name}");
            &all.iter()
                .find(|e| e.target.label() == label)
                .unwrap_or_else(|| panic!("no {label}"))
                .value
        };
        assert_eq!(
            of("Networks"),
            &json!({"key": 1}),
            "a map without `type: object`"
        );
        let volume = of("Volume");
        assert_eq!(volume["Name"], "a");
        assert_eq!(volume["Size"], 1);
        assert_eq!(
            volume["Labels"],
            json!({"key": "a"}),
            "a map gets one entry, no extra"
        );
        assert_eq!(volume["Scope"], "local");
        assert_eq!(
            volume["Usage"],
            json!({"RefCount": 1, UNKNOWN_FIELD: "extra"})
        );
        assert_eq!(volume["Created"], "2024-01-02T03:04:05.123456789Z");
        assert_eq!(volume[UNKNOWN_FIELD], "extra");
        // Recursion stops at the first repeated reference.
        assert_eq!(
            volume["Tree"],
            json!({"Children": [{}], UNKNOWN_FIELD: "extra"})
        );
    }

    #[test]
    fn strings_meet_their_constraints() {
        assert_eq!(
            string(&json!({"pattern": "^[0-9a-fA-F]{64}$"})),
            json!("a".repeat(64))
        );
        assert_eq!(string(&json!({"minLength": 3})), json!("aaa"));
        assert_eq!(integer(&json!({"minimum": 5, "maximum": 6})), json!(5));
        assert_eq!(integer(&json!({"maximum": 0})), json!(0));
    }
}
