//! `cargo xtask spec diff 1.NN 1.MM`: what changed between two Engine API versions, read from
//! their Swagger files, so a new version's CHANGELOG entry is written from facts: operations,
//! their parameters and success responses; definitions and their fields (nested inline objects
//! as `Outer.Inner`), with type, `required` and `enum` changes. `spec add` prints it against the
//! newest version before.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

/// The deepest nesting of inline objects compared (Docker's go no deeper than 4).
const MAX_DEPTH: usize = 8;

/// What changed from one spec to another, as readable lines.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SpecDiff {
    /// `+ METHOD /path (OperationId)`, `- ...`.
    pub operations: Vec<String>,
    /// `~ OperationId: ...`, one per change.
    pub operation_changes: Vec<String>,
    /// `+ Name`, `- Name`.
    pub definitions: Vec<String>,
    /// `~ Name.Field: ...`, one per change.
    pub definition_changes: Vec<String>,
}

impl SpecDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
            && self.operation_changes.is_empty()
            && self.definitions.is_empty()
            && self.definition_changes.is_empty()
    }

    /// The diff as text: a heading, then each section that has lines.
    pub fn render(&self, from: &str, to: &str) -> String {
        let mut out = format!("spec diff v{from} -> v{to}\n");
        if self.is_empty() {
            out.push_str("  no changes\n");
            return out;
        }
        for (title, lines) in [
            ("operations", &self.operations),
            ("operations changed", &self.operation_changes),
            ("definitions", &self.definitions),
            ("definitions changed", &self.definition_changes),
        ] {
            if lines.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{title} ({}):", lines.len());
            for line in lines {
                let _ = writeln!(out, "  {line}");
            }
        }
        out
    }
}

/// `cargo xtask spec diff FROM TO`: both specs from `spec/`.
pub fn diff_files(root: &Path, from: &str, to: &str) -> Result<SpecDiff, String> {
    let read = |version: &str| -> Result<Value, String> {
        let version = version.trim_start_matches('v');
        let path = root.join("spec").join(format!("v{version}.yaml"));
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "{}: {e}: run `cargo xtask spec sync --from ../shared/docker-engine-api`",
                path.display()
            )
        })?;
        docker_engine_codegen::load::parse_yaml(version, &text).map_err(|e| e.to_string())
    };
    Ok(diff(&read(from)?, &read(to)?))
}

/// What changed from `old` to `new` (Swagger 2.0 documents as JSON).
pub fn diff(old: &Value, new: &Value) -> SpecDiff {
    let mut out = SpecDiff::default();
    let (old_ops, new_ops) = (operations(old), operations(new));
    for (id, (route, _)) in &new_ops {
        if !old_ops.contains_key(id) {
            out.operations.push(format!("+ {route} ({id})"));
        }
    }
    for (id, (route, _)) in &old_ops {
        if !new_ops.contains_key(id) {
            out.operations.push(format!("- {route} ({id})"));
        }
    }
    for (id, (_, new_op)) in &new_ops {
        if let Some((_, old_op)) = old_ops.get(id) {
            operation_changes(id, old_op, new_op, &mut out.operation_changes);
        }
    }
    let (old_defs, new_defs) = (definitions(old), definitions(new));
    for name in new_defs.keys().filter(|n| !old_defs.contains_key(*n)) {
        out.definitions.push(format!("+ {name}"));
    }
    for name in old_defs.keys().filter(|n| !new_defs.contains_key(*n)) {
        out.definitions.push(format!("- {name}"));
    }
    for (name, new_schema) in &new_defs {
        if let Some(old_schema) = old_defs.get(name) {
            schema_changes(name, old_schema, new_schema, 0, &mut out.definition_changes);
        }
    }
    out
}

/// `operationId -> ("METHOD /path", operation)`.
fn operations(doc: &Value) -> BTreeMap<String, (String, &Value)> {
    let mut all = BTreeMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return all;
    };
    for (path, item) in paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                all.insert(
                    id.to_string(),
                    (format!("{} {path}", method.to_uppercase()), op),
                );
            }
        }
    }
    all
}

fn definitions(doc: &Value) -> BTreeMap<String, &Value> {
    doc.get("definitions")
        .and_then(Value::as_object)
        .map(|d| d.iter().map(|(k, v)| (k.clone(), v)).collect())
        .unwrap_or_default()
}

/// A parameter's key: `in` and name (`query platform`, `header X-Registry-Auth`).
fn parameters(op: &Value) -> BTreeMap<String, &Value> {
    op.get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let name = p.get("name")?.as_str()?;
            let place = p.get("in")?.as_str()?;
            Some((format!("{place} `{name}`"), p))
        })
        .collect()
}

fn operation_changes(id: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    let (old_params, new_params) = (parameters(old), parameters(new));
    for (key, param) in &new_params {
        match old_params.get(key) {
            None => out.push(format!("~ {id}: {key} added ({})", describe(param))),
            Some(before) => {
                for change in value_changes(before, param) {
                    out.push(format!("~ {id}: {key}: {change}"));
                }
            }
        }
    }
    for key in old_params.keys().filter(|k| !new_params.contains_key(*k)) {
        out.push(format!("~ {id}: {key} removed"));
    }
    let success = |op: &Value| -> BTreeMap<String, String> {
        op.get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(status, _)| status.starts_with('2'))
            .map(|(status, r)| {
                (
                    status.clone(),
                    r.get("schema").map(describe).unwrap_or_default(),
                )
            })
            .collect()
    };
    let (old_ok, new_ok) = (success(old), success(new));
    for (status, schema) in &new_ok {
        match old_ok.get(status) {
            None => out.push(format!("~ {id}: response {status} added ({schema})")),
            Some(before) if before != schema => {
                out.push(format!("~ {id}: response {status}: {before} -> {schema}"));
            }
            Some(_) => {}
        }
    }
    for status in old_ok.keys().filter(|s| !new_ok.contains_key(*s)) {
        out.push(format!("~ {id}: response {status} removed"));
    }
}

/// A schema or parameter in a few words: `string`, `array of integer`, `ContainerSummary`,
/// `object`, with its enum values.
fn describe(schema: &Value) -> String {
    let mut text = match schema.get("type").and_then(Value::as_str) {
        Some("array") => format!(
            "array of {}",
            schema.get("items").map(describe).unwrap_or_default()
        ),
        _ => kind_of(schema),
    };
    if let Some(values) = enum_values(schema) {
        let _ = write!(
            text,
            ", one of {}",
            values.iter().cloned().collect::<Vec<_>>().join("|")
        );
    }
    text
}

fn enum_values(schema: &Value) -> Option<BTreeSet<String>> {
    let values = schema.get("enum")?.as_array()?;
    Some(
        values
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect(),
    )
}

/// Type, `required` (a parameter's own flag) and `enum` changes of one schema or parameter.
fn value_changes(old: &Value, new: &Value) -> Vec<String> {
    let mut changes = Vec::new();
    let (was, now) = (kind_of(old), kind_of(new));
    if was != now {
        changes.push(format!("type {was} -> {now}"));
    }
    let required = |v: &Value| v.get("required").and_then(Value::as_bool).unwrap_or(false);
    if required(old) != required(new) {
        changes.push(
            if required(new) {
                "now required"
            } else {
                "now optional"
            }
            .to_string(),
        );
    }
    match (enum_values(old), enum_values(new)) {
        (Some(before), Some(after)) if before != after => {
            let added: Vec<_> = after.difference(&before).cloned().collect();
            let removed: Vec<_> = before.difference(&after).cloned().collect();
            let mut text = "enum".to_string();
            if !added.is_empty() {
                let _ = write!(text, " + {}", added.join("|"));
            }
            if !removed.is_empty() {
                let _ = write!(text, " - {}", removed.join("|"));
            }
            changes.push(text);
        }
        (None, Some(after)) => changes.push(format!(
            "now an enum: {}",
            after.into_iter().collect::<Vec<_>>().join("|")
        )),
        (Some(_), None) => changes.push("no longer an enum".into()),
        _ => {}
    }
    changes
}

/// A schema's type in a few words, without its enum values.
fn kind_of(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return reference
            .rsplit('/')
            .next()
            .unwrap_or(reference)
            .to_string();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => format!(
            "array of {}",
            schema.get("items").map(kind_of).unwrap_or_default()
        ),
        Some(other) => other.to_string(),
        None if schema.get("properties").is_some() => "object".into(),
        None => "any".into(),
    }
}

/// The field-level changes of definition (or nested object) `name`.
fn schema_changes(name: &str, old: &Value, new: &Value, depth: usize, out: &mut Vec<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    for change in value_changes(old, new) {
        // The definition's own type/enum (a field's show under its own name below).
        if !change.starts_with("now required") && !change.starts_with("now optional") {
            out.push(format!("~ {name}: {change}"));
        }
    }
    let properties = |v: &Value| -> BTreeMap<String, Value> {
        v.get("properties")
            .and_then(Value::as_object)
            .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    let required = |v: &Value| -> BTreeSet<String> {
        v.get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (old_props, new_props) = (properties(old), properties(new));
    let (old_req, new_req) = (required(old), required(new));
    for (field, schema) in &new_props {
        let path = format!("{name}.{field}");
        match old_props.get(field) {
            None => {
                let required = if new_req.contains(field) {
                    ", required"
                } else {
                    ""
                };
                out.push(format!("~ {path} added ({}{required})", describe(schema)));
            }
            Some(before) => {
                if old_req.contains(field) != new_req.contains(field) {
                    let now = if new_req.contains(field) {
                        "required"
                    } else {
                        "optional"
                    };
                    out.push(format!("~ {path}: now {now}"));
                }
                // Inline objects (and arrays of them) are compared field by field.
                let inner = |s: &Value| -> Option<Value> {
                    if s.get("properties").is_some() {
                        return Some(s.clone());
                    }
                    s.get("items")
                        .filter(|i| i.get("properties").is_some())
                        .cloned()
                };
                match (inner(before), inner(schema)) {
                    (Some(b), Some(a)) => schema_changes(&path, &b, &a, depth + 1, out),
                    _ => {
                        for change in value_changes(before, schema) {
                            out.push(format!("~ {path}: {change}"));
                        }
                    }
                }
            }
        }
    }
    for field in old_props.keys().filter(|f| !new_props.contains_key(*f)) {
        out.push(format!("~ {name}.{field} removed"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_kind_of_change_is_one_line() {
        let old = json!({
            "paths": {
                "/a": {"get": {"operationId": "A", "parameters": [
                    {"name": "all", "in": "query", "type": "boolean"},
                    {"name": "gone", "in": "query", "type": "string"}
                ], "responses": {"200": {"schema": {"$ref": "#/definitions/Old"}}}}},
                "/b": {"delete": {"operationId": "B"}}
            },
            "definitions": {
                "Thing": {"required": ["Id"], "properties": {
                    "Id": {"type": "string"},
                    "Kind": {"type": "string", "enum": ["a", "b"]},
                    "Size": {"type": "integer"},
                    "Nested": {"type": "object", "properties": {"X": {"type": "string"}}},
                    "Dropped": {"type": "string"}
                }},
                "Old": {"type": "object"}
            }
        });
        let new = json!({
            "paths": {
                "/a": {"get": {"operationId": "A", "parameters": [
                    {"name": "all", "in": "query", "type": "boolean", "required": true},
                    {"name": "platform", "in": "query", "type": "string"}
                ], "responses": {"200": {"schema": {"$ref": "#/definitions/New"}}}}},
                "/c": {"put": {"operationId": "C"}}
            },
            "definitions": {
                "Thing": {"required": ["Id", "Size"], "properties": {
                    "Id": {"type": "string"},
                    "Kind": {"type": "string", "enum": ["a", "c"]},
                    "Size": {"type": "string"},
                    "Nested": {"type": "object", "properties": {"X": {"type": "string"}, "Y": {"type": "integer"}}},
                    "Added": {"type": "array", "items": {"$ref": "#/definitions/New"}}
                }},
                "New": {"type": "object"}
            }
        });
        let d = diff(&old, &new);
        assert_eq!(d.operations, ["+ PUT /c (C)", "- DELETE /b (B)"]);
        assert_eq!(
            d.operation_changes,
            [
                "~ A: query `all`: now required",
                "~ A: query `platform` added (string)",
                "~ A: query `gone` removed",
                "~ A: response 200: Old -> New",
            ]
        );
        assert_eq!(d.definitions, ["+ New", "- Old"]);
        assert_eq!(
            d.definition_changes,
            [
                "~ Thing.Added added (array of New)",
                "~ Thing.Kind: enum + c - b",
                "~ Thing.Nested.Y added (integer)",
                "~ Thing.Size: now required",
                "~ Thing.Size: type integer -> string",
                "~ Thing.Dropped removed",
            ]
        );
        let text = d.render("1.1", "1.2");
        assert!(
            text.starts_with("spec diff v1.1 -> v1.2\noperations (2):\n  + PUT /c (C)\n"),
            "{text}"
        );
        assert_eq!(
            diff(&new, &new).render("1.2", "1.2"),
            "spec diff v1.2 -> v1.2\n  no changes\n"
        );
    }
}
