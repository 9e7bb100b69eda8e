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
pub const FIXES: &[Fix] = &[Fix {
    name: "strslice-type-list",
    reason: "Config.Cmd/Entrypoint declare `type: [array, string]` (Go's strslice), which is not \
             valid OpenAPI 3.0 and which openapiv3 cannot read; the daemon accepts the array form, \
             which is what the spec itself declares from v1.35 on",
    versions: (25, 34),
    apply: strslice_type_list,
}];

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strslice_becomes_array() {
        let mut doc = json!({"components": {"schemas": {"Config": {"properties": {
            "Cmd": {"type": ["array", "string"], "items": {"type": "string"}}}}}}});
        assert_eq!(
            apply_all("1.30", 30, &mut doc).unwrap(),
            ["strslice-type-list"]
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
        // Outside its range the fix is not tried at all.
        assert!(apply_all("1.41", 41, &mut doc).unwrap().is_empty());
    }
}
