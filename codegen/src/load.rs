//! Reading Docker's spec files.
//!
//! The specs are YAML; everything after this module works on a `serde_json::Value` so that the
//! conversion passes can be small, plain tree edits that are easy to unit-test.

use serde_json::Value;

use crate::Error;

/// Parses one Swagger 2.0 YAML document into a JSON tree.
///
/// YAML mapping keys such as response codes (`200:`) become strings, as JSON requires.
pub fn parse_yaml(version: &str, text: &str) -> Result<Value, Error> {
    let value: Value = serde_norway::from_str(text).map_err(|e| Error::Spec {
        version: version.to_string(),
        message: format!("not valid YAML: {e}"),
    })?;
    match value.get("swagger").and_then(Value::as_str) {
        Some("2.0") => Ok(value),
        other => Err(Error::Spec {
            version: version.to_string(),
            message: format!("expected a Swagger 2.0 document, found swagger: {other:?}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_keys_become_strings() {
        let v = parse_yaml("1.99", "swagger: \"2.0\"\npaths:\n  /x:\n    get:\n      responses:\n        200:\n          description: ok\n").unwrap();
        assert!(v["paths"]["/x"]["get"]["responses"]["200"].is_object());
    }

    #[test]
    fn rejects_openapi3() {
        let err = parse_yaml("1.99", "openapi: 3.0.0\n").unwrap_err();
        assert!(err.to_string().contains("Swagger 2.0"), "{err}");
    }
}
