//! Running progenitor, with its panics caught and blamed on the operation that caused them.
//!
//! progenitor answers much of what it cannot handle with `todo!()`/`assert!`. A build script that
//! dies with "not yet implemented" and no operation name is no help, so the whole document is
//! generated under `catch_unwind`; when that fails, each operation is tried alone to name the
//! culprits: `v1.NN: <operation>: <why>`.

use std::panic::{self, AssertUnwindSafe};

use openapiv3::OpenAPI;
use proc_macro2::TokenStream;
use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;
use serde_json::Value;

use crate::Error;

/// The progenitor settings every version is generated with.
pub fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        // Comparing values (in tests, in caches, in reconcile loops) is basic; bollard has it too.
        .with_derive("PartialEq")
        // Each version's `Client` carries the crate's shared per-client state and gets its
        // `ClientHooks` from `postprocess` (request media types, tracing, error mapping).
        .with_inner_type(quote!(crate::ClientState))
        .with_hooks(HooksMode::Expected);
    settings
}

/// Parses the OpenAPI tree and generates the client's tokens.
pub fn run_progenitor(version: &str, doc: &Value) -> Result<TokenStream, Error> {
    let spec = parse(version, doc)?;
    match attempt(&spec) {
        Ok(tokens) => Ok(tokens),
        Err(whole) => Err(Error::Generate {
            failures: blame(version, doc, &whole),
        }),
    }
}

fn parse(version: &str, doc: &Value) -> Result<OpenAPI, Error> {
    serde_json::from_value(doc.clone()).map_err(|e| Error::Generate {
        failures: vec![format!(
            "v{version}: document: openapiv3 cannot read it: {e}"
        )],
    })
}

/// One generation attempt; a panic becomes an `Err` with its message.
fn attempt(spec: &OpenAPI) -> Result<TokenStream, String> {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        Generator::new(&settings()).generate_tokens(spec)
    }));
    panic::set_hook(previous);
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(e.to_string()),
        Err(payload) => Err(panic_message(payload.as_ref())),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        format!("progenitor panicked: {s}")
    } else if let Some(s) = payload.downcast_ref::<String>() {
        format!("progenitor panicked: {s}")
    } else {
        "progenitor panicked".to_string()
    }
}

/// Generates each operation alone (with all components) to find which ones fail.
fn blame(version: &str, doc: &Value, whole: &str) -> Vec<String> {
    let mut failures = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return vec![format!("v{version}: document: {whole}")];
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            let mut single = doc.clone();
            single["paths"] = serde_json::json!({ path.as_str(): { method.as_str(): op } });
            let id = op.get("operationId").and_then(Value::as_str).unwrap_or("?");
            let outcome = match serde_json::from_value::<OpenAPI>(single) {
                Ok(spec) => attempt(&spec).err(),
                Err(e) => Some(format!("openapiv3 cannot read it: {e}")),
            };
            if let Some(why) = outcome {
                failures.push(format!(
                    "v{version}: {id} ({} {path}): {}",
                    method.to_uppercase(),
                    one_line(&why)
                ));
            }
        }
    }
    if failures.is_empty() {
        // No single operation fails: the shared components do.
        let mut bare = doc.clone();
        bare["paths"] = serde_json::json!({});
        let why = serde_json::from_value::<OpenAPI>(bare)
            .map_err(|e| e.to_string())
            .and_then(|spec| attempt(&spec).map(|_| ()))
            .err()
            .unwrap_or_else(|| whole.to_string());
        failures.push(format!("v{version}: components: {}", one_line(&why)));
    }
    failures
}

fn one_line(s: &str) -> String {
    let line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.len() > 300 {
        // The last character boundary at or before byte 300 (`floor_char_boundary` is newer
        // than this crate's minimum Rust).
        let end = (0..=300)
            .rev()
            .find(|&i| line.is_char_boundary(i))
            .unwrap_or(0);
        format!("{}…", &line[..end])
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_blamed_on_its_operation() {
        // Two request media types: progenitor answers with todo!().
        let doc = serde_json::json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1.99"},
            "paths": {
                "/fine": {"get": {"operationId": "Fine", "responses": {"204": {"description": "ok"}}}},
                "/bad": {"post": {"operationId": "Bad", "responses": {"204": {"description": "ok"}},
                    "requestBody": {"content": {
                        "application/json": {"schema": {"type": "object"}},
                        "text/plain": {"schema": {"type": "string"}}}}}}
            }
        });
        let err = run_progenitor("1.99", &doc).unwrap_err().to_string();
        assert!(
            err.starts_with("v1.99: Bad (POST /bad): progenitor panicked"),
            "{err}"
        );
        assert!(!err.contains("Fine"), "{err}");
    }
}
