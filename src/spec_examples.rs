//! Every enabled version's types, proven against the spec's own examples and against a
//! synthesized instance of every definition, without a daemon (tests only).
//!
//! The generator's `example-decoders` pass puts a table into each version module
//! (`v1_NN::spec_examples`): the spec's examples and synthesized instances, each with the
//! decoder of its generated type, [`round_trip`]. It decodes the JSON, re-encodes it, decodes
//! that again and compares the two encodings: a type that loses or changes a field on the way
//! fails. A failure names the definition (or response) and the JSON path of the field, found
//! by decoding a pretty-printed copy in which every line's path is known.
//!
//! `cargo xtask spec check --examples` runs the test of each version and prints its
//! `v1.NN: examples decoded N/N, synthesized instances decoded M/M` line.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One JSON document and the decoder of the type generated for it.
pub(crate) struct Case {
    /// What it is: `definition Volume`, `response ContainerList 200`.
    pub name: &'static str,
    /// The JSON text.
    pub json: &'static str,
    /// Decodes, re-encodes and decodes again; `Err` names the field.
    pub check: fn(&str) -> Result<(), String>,
}

/// One version's tables, as `build.rs` lists them for the enabled versions.
pub(crate) struct Version {
    /// `1.NN`.
    pub version: &'static str,
    /// The spec's examples.
    pub examples: &'static [Case],
    /// One synthesized instance per definition.
    pub synthesized: &'static [Case],
    /// Examples of responses the client does not decode as JSON.
    pub untyped: &'static [&'static str],
}

/// Decodes `json` as `T`, re-encodes it, decodes and re-encodes again, and compares the two
/// encodings. `Err` is `field a.b.c: <serde's message>` (the field is `(root)` for the whole
/// document), or `re-encoding changed field a.b: ...`.
pub(crate) fn round_trip<T: DeserializeOwned + Serialize>(json: &str) -> Result<(), String> {
    let value: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let (text, paths) = pretty_with_paths(&value);
    let first: T = serde_json::from_str(&text).map_err(|e| {
        let path = paths
            .get(e.line().saturating_sub(1))
            .map_or("(root)", String::as_str);
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m);
        format!("field {path}: {message}")
    })?;
    let encoded = serde_json::to_string(&first).map_err(|e| format!("re-encoding: {e}"))?;
    let second: T = serde_json::from_str(&encoded)
        .map_err(|e| format!("decoding the re-encoded value: {e}"))?;
    let again = serde_json::to_string(&second).map_err(|e| format!("re-encoding: {e}"))?;
    let (a, b): (Value, Value) = (
        serde_json::from_str(&encoded).map_err(|e| e.to_string())?,
        serde_json::from_str(&again).map_err(|e| e.to_string())?,
    );
    match first_difference(&a, &b, "") {
        None => Ok(()),
        Some(path) => Err(format!(
            "re-encoding changed field {}: {} became {}",
            display_path(&path),
            a.pointer(&path).unwrap_or(&Value::Null),
            b.pointer(&path).unwrap_or(&Value::Null)
        )),
    }
}

/// JSON text with one value (or one bracket) per line, and the path of the value each line
/// belongs to, so that serde's line number names the field.
fn pretty_with_paths(value: &Value) -> (String, Vec<String>) {
    fn emit(
        v: &Value,
        path: &str,
        prefix: String,
        suffix: &str,
        lines: &mut Vec<(String, String)>,
    ) {
        let shown = if path.is_empty() { "(root)" } else { path };
        let (open, close, children): (&str, &str, Vec<(String, String, &Value)>) = match v {
            Value::Object(map) if !map.is_empty() => (
                "{",
                "}",
                map.iter()
                    .map(|(k, item)| {
                        let child = if path.is_empty() {
                            k.clone()
                        } else {
                            format!("{path}.{k}")
                        };
                        (format!("{}:", Value::String(k.clone())), child, item)
                    })
                    .collect(),
            ),
            Value::Array(items) if !items.is_empty() => (
                "[",
                "]",
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| (String::new(), format!("{path}[{i}]"), item))
                    .collect(),
            ),
            scalar => {
                lines.push((format!("{prefix}{scalar}{suffix}"), shown.to_string()));
                return;
            }
        };
        lines.push((format!("{prefix}{open}"), shown.to_string()));
        let last = children.len() - 1;
        for (i, (key, child, item)) in children.into_iter().enumerate() {
            emit(item, &child, key, if i == last { "" } else { "," }, lines);
        }
        lines.push((format!("{close}{suffix}"), shown.to_string()));
    }
    let mut lines = Vec::new();
    emit(value, "", String::new(), "", &mut lines);
    let text = lines
        .iter()
        .map(|(l, _)| l.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    (text, lines.into_iter().map(|(_, p)| p).collect())
}

/// The JSON pointer of the first place where `a` and `b` differ.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let child = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = first_difference(p, q, &child) {
                            return Some(d);
                        }
                    }
                    _ => return Some(child),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{at}/{i}"))),
        _ => (a != b).then(|| at.to_string()),
    }
}

/// `/a/0/b` → `a[0].b`.
fn display_path(pointer: &str) -> String {
    if pointer.is_empty() {
        return "(root)".into();
    }
    let mut out = String::new();
    for part in pointer.split('/').skip(1) {
        let part = part.replace("~1", "/").replace("~0", "~");
        if part.parse::<usize>().is_ok() {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&part);
        }
    }
    out
}

/// Runs every case of `cases`; returns how many decoded and one line per failure.
fn run(version: &str, kind: &str, cases: &[Case]) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    for case in cases {
        if let Err(e) = (case.check)(case.json) {
            failures.push(format!("v{version}: {kind} {}: {e}", case.name));
        }
    }
    (cases.len() - failures.len(), failures)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn every_example_of_every_enabled_version_decodes() {
        let mut failures = Vec::new();
        for v in crate::spec_example_versions() {
            let (examples, mut failed) = run(v.version, "example of", v.examples);
            let (synthesized, failed_synth) = run(v.version, "synthesized", v.synthesized);
            failed.extend(failed_synth);
            println!(
                "v{}: examples decoded {examples}/{}, synthesized instances decoded {synthesized}/{} ({} examples of untyped responses not decoded)",
                v.version,
                v.examples.len(),
                v.synthesized.len(),
                v.untyped.len()
            );
            for f in &failed {
                println!("{f}");
            }
            failures.extend(failed);
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Mount {
        target: String,
        read_only: Option<bool>,
    }

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Spec {
        name: String,
        mounts: Vec<Mount>,
    }

    #[test]
    fn a_broken_example_names_its_field() {
        assert_eq!(
            round_trip::<Spec>(
                r#"{"Name": "web", "Mounts": [{"Target": "/a", "ReadOnly": true}]}"#
            ),
            Ok(())
        );
        let err = round_trip::<Spec>(
            r#"{"Name": "web", "Mounts": [{"Target": "/a"}, {"Target": "/b", "ReadOnly": "yes"}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            err,
            "field Mounts[1].ReadOnly: invalid type: string \"yes\", expected a boolean"
        );
        let err =
            round_trip::<Spec>(r#"{"Name": "web", "Mounts": [{"ReadOnly": false}]}"#).unwrap_err();
        assert_eq!(err, "field Mounts[0]: missing field `Target`");
        let err = round_trip::<Spec>(r#"{"Mounts": []}"#).unwrap_err();
        assert_eq!(err, "field (root): missing field `Name`");
        let err = round_trip::<Spec>(r#""text""#).unwrap_err();
        assert!(
            err.starts_with("field (root): invalid type: string"),
            "{err}"
        );
    }

    /// Encodes what it decoded differently each time: a round trip must catch it.
    #[derive(Debug, Deserialize)]
    struct Drifts {
        n: u32,
    }

    impl Serialize for Drifts {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            #[derive(Serialize)]
            struct Out {
                n: u32,
            }
            Out { n: self.n + 1 }.serialize(s)
        }
    }

    #[test]
    fn a_value_that_changes_when_re_encoded_fails() {
        let err = round_trip::<Drifts>(r#"{"n": 1}"#).unwrap_err();
        assert_eq!(err, "re-encoding changed field n: 2 became 3");
    }

    #[test]
    fn failures_are_counted_and_named() {
        let cases = [
            Case {
                name: "definition Spec",
                json: r#"{"Name": "a", "Mounts": []}"#,
                check: round_trip::<Spec>,
            },
            Case {
                name: "definition Mount",
                json: r#"{"Target": 1}"#,
                check: round_trip::<Mount>,
            },
        ];
        let (ok, failures) = run("1.99", "example of", &cases);
        assert_eq!(ok, 1);
        assert_eq!(
            failures,
            [
                "v1.99: example of definition Mount: field Target: invalid type: integer `1`, expected a string"
            ]
        );
    }
}
