//! BuildKit's progress, as a BuildKit build on the daemon reports it: each `moby.buildkit.trace`
//! aux message is base64 of a protobuf `StatusResponse` (`super::proto`, declared by
//! `buildkit.proto` beside this file). BuildKit re-sends a vertex each time its state changes, so the
//! decoder keeps what it said of each vertex and turns the messages into [`BuildEvent`]s said
//! once each: started, cached, done (with its duration), failed, and the vertex's log bytes.
//!
//! Memory stays bounded whatever the daemon sends: each message is bounded by the JSON stream's
//! limit, the vertices remembered by [`MAX_VERTICES`], and each running vertex keeps only the
//! tail of its log (for the error of a failed step).

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use base64::Engine as _;

use super::BuildEvent;
use super::proto::{StatusResponse, Timestamp, Vertex};
use crate::stream::StdStream;

/// The most vertices one build may announce (a Dockerfile has far fewer steps).
pub(crate) const MAX_VERTICES: usize = 65_536;

/// The log bytes kept per running step (of either builder), for the error of a failed one.
pub(crate) const LOG_TAIL: usize = 4096;

impl Timestamp {
    /// `later - self`, if `later` is not earlier.
    fn until(self, later: Timestamp) -> Option<Duration> {
        let nanos = |t: Timestamp| i128::from(t.seconds) * 1_000_000_000 + i128::from(t.nanos);
        let diff = nanos(later) - nanos(self);
        u64::try_from(diff).ok().map(Duration::from_nanos)
    }
}

/// What has been said of one vertex.
#[derive(Debug, Default)]
struct Seen {
    name: String,
    started: Option<Timestamp>,
    said_started: bool,
    said_end: bool,
    /// The tail of its log, while it runs (for the error of a failed step).
    tail: VecDeque<u8>,
}

/// Why a trace message could not be read.
#[derive(Debug)]
pub(crate) enum TraceError {
    /// Not base64, or not a `StatusResponse`.
    Undecodable(String),
    /// More vertices than [`MAX_VERTICES`].
    TooManyVertices,
}

impl std::fmt::Display for TraceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TraceError::Undecodable(reason) => {
                write!(f, "a moby.buildkit.trace message does not decode: {reason}")
            }
            TraceError::TooManyVertices => write!(
                f,
                "the build announced more than {MAX_VERTICES} steps: the rest are not shown"
            ),
        }
    }
}

/// Turns trace messages into events, each said once.
#[derive(Debug, Default)]
pub(crate) struct TraceDecoder {
    vertices: HashMap<String, Seen>,
    /// The last vertex that failed: the step a build error names.
    failed: Option<String>,
}

impl TraceDecoder {
    /// Decodes one trace message's `aux` (base64 text) and appends its events to `out`.
    pub(crate) fn decode(
        &mut self,
        aux: &serde_json::Value,
        out: &mut VecDeque<BuildEvent>,
    ) -> Result<(), TraceError> {
        let text = aux
            .as_str()
            .ok_or_else(|| TraceError::Undecodable("its aux is not a string".into()))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| TraceError::Undecodable(format!("not base64: {e}")))?;
        let status = <StatusResponse as prost::Message>::decode(bytes.as_slice())
            .map_err(|e| TraceError::Undecodable(e.to_string()))?;
        self.apply(status, out)
    }

    /// Appends the events of one `StatusResponse` to `out`.
    pub(crate) fn apply(
        &mut self,
        status: StatusResponse,
        out: &mut VecDeque<BuildEvent>,
    ) -> Result<(), TraceError> {
        for vertex in status.vertexes {
            self.vertex(vertex, out)?;
        }
        for status in status.statuses {
            out.push_back(BuildEvent::Progress {
                vertex: status.vertex,
                id: status.id,
                current: u64::try_from(status.current).unwrap_or(0),
                total: u64::try_from(status.total).ok().filter(|t| *t > 0),
                done: status.completed.is_some(),
            });
        }
        for log in status.logs {
            // Kept while the vertex runs, and for the failed one (its last lines may come with
            // or after its failure).
            let failed = self.failed.as_ref() == Some(&log.vertex);
            if let Some(seen) = self.vertices.get_mut(&log.vertex)
                && (!seen.said_end || failed)
            {
                seen.tail.extend(log.msg.iter().copied());
                let excess = seen.tail.len().saturating_sub(LOG_TAIL);
                seen.tail.drain(..excess);
            }
            out.push_back(BuildEvent::Log {
                vertex: Some(log.vertex),
                stream: if log.stream == 2 {
                    StdStream::Stderr
                } else {
                    StdStream::Stdout
                },
                bytes: log.msg,
            });
        }
        for warning in status.warnings {
            out.push_back(BuildEvent::Warning {
                vertex: Some(warning.vertex).filter(|v| !v.is_empty()),
                message: String::from_utf8_lossy(&warning.short).into_owned(),
                detail: warning
                    .detail
                    .iter()
                    .map(|d| String::from_utf8_lossy(d).into_owned())
                    .collect(),
                url: Some(warning.url).filter(|u| !u.is_empty()),
            });
        }
        Ok(())
    }

    fn vertex(&mut self, vertex: Vertex, out: &mut VecDeque<BuildEvent>) -> Result<(), TraceError> {
        if !self.vertices.contains_key(&vertex.digest) && self.vertices.len() >= MAX_VERTICES {
            return Err(TraceError::TooManyVertices);
        }
        let seen = self.vertices.entry(vertex.digest.clone()).or_default();
        if !vertex.name.is_empty() {
            seen.name = vertex.name;
        }
        if seen.said_end {
            return Ok(());
        }
        let name = seen.name.clone();
        let id = vertex.digest;
        if vertex.started.is_some() {
            seen.started = vertex.started;
            if !seen.said_started {
                seen.said_started = true;
                out.push_back(BuildEvent::Started {
                    vertex: id.clone(),
                    name: name.clone(),
                });
            }
        }
        if !vertex.error.is_empty() {
            seen.said_end = true;
            self.failed = Some(id.clone());
            out.push_back(BuildEvent::Failed {
                vertex: id,
                name,
                error: vertex.error,
            });
        } else if vertex.cached {
            seen.said_end = true;
            seen.tail = VecDeque::new();
            out.push_back(BuildEvent::Cached { vertex: id, name });
        } else if let Some(completed) = vertex.completed {
            seen.said_end = true;
            seen.tail = VecDeque::new();
            let duration = seen.started.and_then(|s| s.until(completed));
            out.push_back(BuildEvent::Done {
                vertex: id,
                name,
                duration,
            });
        }
        Ok(())
    }

    /// The failed step's name and its last log lines (at most `lines`), if a step failed.
    pub(crate) fn failure(&self, lines: usize) -> Option<(String, Vec<String>)> {
        let seen = self.vertices.get(self.failed.as_ref()?)?;
        let (front, back) = seen.tail.as_slices();
        let text = String::from_utf8_lossy(&[front, back].concat()).into_owned();
        Some((seen.name.clone(), last_lines(&text, lines)))
    }
}

/// The last `n` non-empty lines of `text`.
pub(crate) fn last_lines(text: &str, n: usize) -> Vec<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| l.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    use bytes::Bytes;

    use crate::build::proto::{VertexLog, VertexStatus, VertexWarning};

    fn ts(seconds: i64, nanos: i32) -> Option<Timestamp> {
        Some(Timestamp { seconds, nanos })
    }

    fn vertex(digest: &str, name: &str) -> Vertex {
        Vertex {
            digest: digest.into(),
            name: name.into(),
            cached: false,
            started: None,
            completed: None,
            error: String::new(),
        }
    }

    fn aux(status: &StatusResponse) -> serde_json::Value {
        serde_json::Value::String(
            base64::engine::general_purpose::STANDARD.encode(status.encode_to_vec()),
        )
    }

    fn events(decoder: &mut TraceDecoder, status: StatusResponse) -> Vec<BuildEvent> {
        let mut out = VecDeque::new();
        decoder.decode(&aux(&status), &mut out).unwrap();
        out.into()
    }

    #[test]
    fn each_state_of_a_vertex_is_said_once() {
        let mut decoder = TraceDecoder::default();
        let started = Vertex {
            started: ts(10, 0),
            ..vertex("sha256:a", "[2/2] RUN echo hi")
        };
        let first = events(
            &mut decoder,
            StatusResponse {
                vertexes: vec![started.clone()],
                ..Default::default()
            },
        );
        assert_eq!(
            first,
            [BuildEvent::Started {
                vertex: "sha256:a".into(),
                name: "[2/2] RUN echo hi".into()
            }]
        );
        // Re-sent with a log and then completed 1.5 s later: no second `Started`.
        let log = VertexLog {
            vertex: "sha256:a".into(),
            stream: 1,
            msg: Bytes::from_static(b"hi\n"),
        };
        let done = Vertex {
            completed: ts(11, 500_000_000),
            ..started.clone()
        };
        let second = events(
            &mut decoder,
            StatusResponse {
                vertexes: vec![started, done.clone()],
                logs: vec![log],
                ..Default::default()
            },
        );
        assert_eq!(
            second,
            [
                BuildEvent::Done {
                    vertex: "sha256:a".into(),
                    name: "[2/2] RUN echo hi".into(),
                    duration: Some(Duration::from_millis(1500)),
                },
                BuildEvent::Log {
                    vertex: Some("sha256:a".into()),
                    stream: StdStream::Stdout,
                    bytes: Bytes::from_static(b"hi\n"),
                },
            ]
        );
        let third = events(
            &mut decoder,
            StatusResponse {
                vertexes: vec![done],
                ..Default::default()
            },
        );
        assert!(third.is_empty(), "{third:?}");
    }

    #[test]
    fn cached_and_failed_vertices() {
        let mut decoder = TraceDecoder::default();
        let cached = Vertex {
            cached: true,
            started: ts(1, 0),
            completed: ts(1, 0),
            ..vertex("sha256:c", "[1/2] FROM busybox")
        };
        let failing = Vertex {
            started: ts(2, 0),
            ..vertex("sha256:f", "[2/2] RUN false")
        };
        let logs: Vec<VertexLog> = (1..=12)
            .map(|i| VertexLog {
                vertex: "sha256:f".into(),
                stream: 2,
                msg: Bytes::from(format!("line {i}\n")),
            })
            .collect();
        let failed = Vertex {
            completed: ts(3, 0),
            error: "process \"/bin/sh -c false\" did not complete successfully: exit code: 1"
                .into(),
            ..failing.clone()
        };
        let all = events(
            &mut decoder,
            StatusResponse {
                vertexes: vec![cached, failing, failed],
                logs,
                ..Default::default()
            },
        );
        assert!(matches!(&all[0], BuildEvent::Started { .. }));
        assert!(matches!(&all[1], BuildEvent::Cached { name, .. } if name == "[1/2] FROM busybox"));
        assert!(matches!(&all[2], BuildEvent::Started { .. }));
        assert!(
            matches!(&all[3], BuildEvent::Failed { name, error, .. } if name == "[2/2] RUN false" && error.contains("exit code: 1"))
        );
        assert!(matches!(
            &all[4],
            BuildEvent::Log {
                stream: StdStream::Stderr,
                ..
            }
        ));
        let (step, lines) = decoder.failure(3).unwrap();
        assert_eq!(step, "[2/2] RUN false");
        assert_eq!(lines, ["line 10", "line 11", "line 12"]);
    }

    #[test]
    fn progress_and_warnings() {
        let mut decoder = TraceDecoder::default();
        let all = events(
            &mut decoder,
            StatusResponse {
                statuses: vec![VertexStatus {
                    id: "transferring context".into(),
                    vertex: "sha256:x".into(),
                    name: String::new(),
                    current: 512,
                    total: 0,
                    completed: ts(1, 0),
                }],
                warnings: vec![VertexWarning {
                    vertex: String::new(),
                    level: 1,
                    short: b"JSONArgsRecommended".to_vec(),
                    detail: vec![b"use JSON".to_vec()],
                    url: "https://docs.docker.com/".into(),
                }],
                ..Default::default()
            },
        );
        assert_eq!(
            all,
            [
                BuildEvent::Progress {
                    vertex: "sha256:x".into(),
                    id: "transferring context".into(),
                    current: 512,
                    total: None,
                    done: true,
                },
                BuildEvent::Warning {
                    vertex: None,
                    message: "JSONArgsRecommended".into(),
                    detail: vec!["use JSON".into()],
                    url: Some("https://docs.docker.com/".into()),
                },
            ]
        );
    }

    #[test]
    fn bad_messages_are_errors_not_panics() {
        let mut decoder = TraceDecoder::default();
        let mut out = VecDeque::new();
        for bad in [
            serde_json::json!({"not": "a string"}),
            serde_json::json!("***not base64***"),
            // Valid base64 of bytes that are no StatusResponse (a field with a bad wire type).
            serde_json::json!("Cv//////////"),
        ] {
            let err = decoder.decode(&bad, &mut out).unwrap_err();
            assert!(
                err.to_string().contains("moby.buildkit.trace"),
                "{bad}: {err}"
            );
        }
        assert!(out.is_empty());
    }

    #[test]
    fn the_vertices_remembered_are_bounded() {
        let mut decoder = TraceDecoder::default();
        let mut out = VecDeque::new();
        let many = StatusResponse {
            vertexes: (0..MAX_VERTICES)
                .map(|i| vertex(&format!("sha256:{i}"), ""))
                .collect(),
            ..Default::default()
        };
        decoder.apply(many, &mut out).unwrap();
        let one_more = StatusResponse {
            vertexes: vec![vertex("sha256:new", "")],
            ..Default::default()
        };
        assert!(matches!(
            decoder.apply(one_more, &mut out),
            Err(TraceError::TooManyVertices)
        ));
    }

    #[test]
    fn the_proto_declares_the_same_field_numbers() {
        // Each `type name = N;` of buildkit.proto, against the prost structs' encodings: a
        // message with only that field set encodes with tag N first.
        let proto = include_str!("buildkit.proto");
        let mut message = "";
        let mut checked = 0;
        for line in proto.lines().map(str::trim) {
            if let Some(rest) = line.strip_prefix("message ") {
                message = rest.trim_end_matches(" {");
                continue;
            }
            if line == "}" {
                message = "";
            }
            if message.is_empty() || line.starts_with("//") {
                continue;
            }
            let Some((decl, number)) = line.trim_end_matches(';').split_once(" = ") else {
                continue;
            };
            let field = decl.split_whitespace().last().unwrap();
            let number: u32 = number.parse().unwrap();
            let encoded = one_field(message, field);
            let (tag, _) = prost::encoding::decode_key(&mut encoded.as_slice()).unwrap();
            assert_eq!(tag, number, "{message}.{field}");
            checked += 1;
        }
        assert_eq!(checked, 26, "fields checked");
    }

    /// The encoding of `message` with only `field` set to a non-default value.
    fn one_field(message: &str, field: &str) -> Vec<u8> {
        let t = ts(1, 1);
        let b = Bytes::from_static(b"x");
        match (message, field) {
            ("StatusResponse", "vertexes") => StatusResponse {
                vertexes: vec![vertex("", "")],
                ..Default::default()
            }
            .encode_to_vec(),
            ("StatusResponse", "statuses") => StatusResponse {
                statuses: vec![VertexStatus::default()],
                ..Default::default()
            }
            .encode_to_vec(),
            ("StatusResponse", "logs") => StatusResponse {
                logs: vec![VertexLog::default()],
                ..Default::default()
            }
            .encode_to_vec(),
            ("StatusResponse", "warnings") => StatusResponse {
                warnings: vec![VertexWarning::default()],
                ..Default::default()
            }
            .encode_to_vec(),
            ("Vertex", f) => {
                let mut v = vertex("", "");
                match f {
                    "digest" => v.digest = "d".into(),
                    "name" => v.name = "n".into(),
                    "cached" => v.cached = true,
                    "started" => v.started = t,
                    "completed" => v.completed = t,
                    "error" => v.error = "e".into(),
                    other => panic!("Vertex.{other}"),
                }
                v.encode_to_vec()
            }
            ("VertexStatus", f) => {
                let mut s = VertexStatus::default();
                match f {
                    "ID" => s.id = "i".into(),
                    "vertex" => s.vertex = "v".into(),
                    "name" => s.name = "n".into(),
                    "current" => s.current = 1,
                    "total" => s.total = 1,
                    "completed" => s.completed = t,
                    other => panic!("VertexStatus.{other}"),
                }
                s.encode_to_vec()
            }
            ("VertexLog", f) => {
                let mut l = VertexLog::default();
                match f {
                    "vertex" => l.vertex = "v".into(),
                    "stream" => l.stream = 1,
                    "msg" => l.msg = b,
                    other => panic!("VertexLog.{other}"),
                }
                l.encode_to_vec()
            }
            ("VertexWarning", f) => {
                let mut w = VertexWarning::default();
                match f {
                    "vertex" => w.vertex = "v".into(),
                    "level" => w.level = 1,
                    "short" => w.short = b"s".to_vec(),
                    "detail" => w.detail = vec![b"d".to_vec()],
                    "url" => w.url = "u".into(),
                    other => panic!("VertexWarning.{other}"),
                }
                w.encode_to_vec()
            }
            ("Timestamp", "seconds") => Timestamp {
                seconds: 1,
                nanos: 0,
            }
            .encode_to_vec(),
            ("Timestamp", "nanos") => Timestamp {
                seconds: 0,
                nanos: 1,
            }
            .encode_to_vec(),
            other => panic!("{other:?} is not known to the test"),
        }
    }
}
