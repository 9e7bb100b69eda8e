//! BuildKit's status messages as Rust structs, encoded and decoded by prost.
//!
//! `buildkit.proto` beside this file declares the part of BuildKit's `StatusResponse` the build
//! reads. Each message here implements `prost::Message` through the [`messages!`] macro, which
//! writes the impl prost's derive would write from the same field list, with prost's own encoding
//! functions (`prost::encoding`). prost's derive is not used: it is a proc macro that builds
//! `prost-derive`, `itertools`, `anyhow` and `either` in every consumer's build (2.7 s of CPU in
//! the cold build, BENCHMARKS.md) for six small messages. The test in `trace.rs` checks every
//! field number here against `buildkit.proto`.

use bytes::Bytes;

/// Declares protobuf messages (proto3) and implements `prost::Message` for them. A field is
/// `name: Type = tag, (kind) codec`: `kind` is `single` (a proto3 scalar, not sent when it has
/// its default value), `optional` (a message field, `Option<T>`) or `repeated` (`Vec<T>`);
/// `codec` names the module of `prost::encoding` that encodes it (`string`, `int64`, `message`...).
macro_rules! messages {
    ($(
        $(#[$meta:meta])*
        struct $name:ident {
            $( $(#[$field_meta:meta])* $field:ident : $ty:ty = $tag:literal, ($kind:ident) $codec:ident; )*
        }
    )*) => {$(
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq)]
        pub(crate) struct $name {
            $( $(#[$field_meta])* pub $field: $ty, )*
        }

        impl prost::Message for $name {
            fn encode_raw(&self, buf: &mut impl prost::bytes::BufMut) {
                $( field!(encode $kind $codec, $tag, &self.$field, buf); )*
            }

            fn merge_field(
                &mut self,
                tag: u32,
                wire_type: prost::encoding::WireType,
                buf: &mut impl prost::bytes::Buf,
                ctx: prost::encoding::DecodeContext,
            ) -> Result<(), prost::DecodeError> {
                match tag {
                    $( $tag => {
                        field!(merge $kind $codec, wire_type, &mut self.$field, buf, ctx)
                            .map_err(|mut e| {
                                e.push(stringify!($name), stringify!($field));
                                e
                            })
                    } )*
                    _ => prost::encoding::skip_field(wire_type, tag, buf, ctx),
                }
            }

            fn encoded_len(&self) -> usize {
                0 $( + field!(len $kind $codec, $tag, &self.$field) )*
            }

            fn clear(&mut self) {
                *self = Self::default();
            }
        }
    )*};
}

/// One field's part of a `prost::Message` impl, by its kind (see [`messages!`]).
macro_rules! field {
    (encode single $codec:ident, $tag:literal, $value:expr, $buf:ident) => {
        if !is_default($value) {
            prost::encoding::$codec::encode($tag, $value, $buf);
        }
    };
    (encode optional $codec:ident, $tag:literal, $value:expr, $buf:ident) => {
        if let Some(value) = $value {
            prost::encoding::$codec::encode($tag, value, $buf);
        }
    };
    (encode repeated $codec:ident, $tag:literal, $value:expr, $buf:ident) => {
        prost::encoding::$codec::encode_repeated($tag, $value, $buf)
    };
    (merge single $codec:ident, $wire:ident, $value:expr, $buf:ident, $ctx:ident) => {
        prost::encoding::$codec::merge($wire, $value, $buf, $ctx)
    };
    (merge optional $codec:ident, $wire:ident, $value:expr, $buf:ident, $ctx:ident) => {
        prost::encoding::$codec::merge(
            $wire,
            $value.get_or_insert_with(Default::default),
            $buf,
            $ctx,
        )
    };
    (merge repeated $codec:ident, $wire:ident, $value:expr, $buf:ident, $ctx:ident) => {
        prost::encoding::$codec::merge_repeated($wire, $value, $buf, $ctx)
    };
    (len single $codec:ident, $tag:literal, $value:expr) => {
        if !is_default($value) {
            prost::encoding::$codec::encoded_len($tag, $value)
        } else {
            0
        }
    };
    (len optional $codec:ident, $tag:literal, $value:expr) => {
        $value
            .as_ref()
            .map_or(0, |value| prost::encoding::$codec::encoded_len($tag, value))
    };
    (len repeated $codec:ident, $tag:literal, $value:expr) => {
        prost::encoding::$codec::encoded_len_repeated($tag, $value)
    };
}

/// Whether a proto3 scalar has its default value (and is therefore not sent).
fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

messages! {
    /// `StatusResponse` (field numbers as BuildKit's `control.proto`).
    struct StatusResponse {
        vertexes: Vec<Vertex> = 1, (repeated) message;
        statuses: Vec<VertexStatus> = 2, (repeated) message;
        logs: Vec<VertexLog> = 3, (repeated) message;
        warnings: Vec<VertexWarning> = 4, (repeated) message;
    }

    /// One step of the build graph.
    struct Vertex {
        digest: String = 1, (single) string;
        name: String = 3, (single) string;
        cached: bool = 4, (single) bool;
        started: Option<Timestamp> = 5, (optional) message;
        completed: Option<Timestamp> = 6, (optional) message;
        error: String = 7, (single) string;
    }

    /// Progress of one part of a vertex (a layer being pulled, a context being sent).
    struct VertexStatus {
        id: String = 1, (single) string;
        vertex: String = 2, (single) string;
        name: String = 3, (single) string;
        current: i64 = 4, (single) int64;
        total: i64 = 5, (single) int64;
        completed: Option<Timestamp> = 8, (optional) message;
    }

    /// Output of a vertex (a `RUN`'s stdout or stderr).
    struct VertexLog {
        vertex: String = 1, (single) string;
        stream: i64 = 3, (single) int64;
        msg: Bytes = 4, (single) bytes;
    }

    /// A warning about the build (a lint rule, a deprecated instruction).
    struct VertexWarning {
        vertex: String = 1, (single) string;
        level: i64 = 2, (single) int64;
        short: Vec<u8> = 3, (single) bytes;
        detail: Vec<Vec<u8>> = 4, (repeated) bytes;
        url: String = 5, (single) string;
    }

    /// `google.protobuf.Timestamp`.
    struct Timestamp {
        seconds: i64 = 1, (single) int64;
        nanos: i32 = 2, (single) int32;
    }
}

// `Copy`: a timestamp is two integers, passed by value.
impl Copy for Timestamp {}

#[cfg(test)]
mod tests {
    use prost::Message;
    use prost::encoding::{WireType, encode_key, encode_varint, string};

    use super::*;

    fn full_status() -> StatusResponse {
        let t = Some(Timestamp {
            seconds: 1_700_000_000,
            nanos: 5,
        });
        StatusResponse {
            vertexes: vec![Vertex {
                digest: "sha256:1".into(),
                name: "[1/2] RUN true".into(),
                cached: true,
                started: t,
                completed: t,
                error: "boom".into(),
            }],
            statuses: vec![VertexStatus {
                id: "layer".into(),
                vertex: "sha256:1".into(),
                name: "pulling".into(),
                current: 10,
                total: -1,
                completed: t,
            }],
            logs: vec![VertexLog {
                vertex: "sha256:1".into(),
                stream: 2,
                msg: Bytes::from_static(b"out\n"),
            }],
            warnings: vec![VertexWarning {
                vertex: "sha256:1".into(),
                level: 1,
                short: b"short".to_vec(),
                detail: vec![b"a".to_vec(), Vec::new()],
                url: "https://example.invalid".into(),
            }],
        }
    }

    #[test]
    fn every_field_kind_round_trips_and_the_length_is_exact() {
        let status = full_status();
        let bytes = status.encode_to_vec();
        assert_eq!(bytes.len(), status.encoded_len());
        assert_eq!(StatusResponse::decode(bytes.as_slice()).unwrap(), status);
    }

    #[test]
    fn defaults_are_not_sent() {
        // proto3: scalars at their default value and absent messages take no bytes.
        assert!(Vertex::default().encode_to_vec().is_empty());
        assert!(StatusResponse::default().encode_to_vec().is_empty());
        let nanos_only = Timestamp {
            seconds: 0,
            nanos: 1,
        };
        assert_eq!(nanos_only.encode_to_vec(), [0x10, 0x01]);
    }

    #[test]
    fn unknown_fields_are_skipped() {
        // A newer BuildKit's fields (here 2, 99 and 100 of a Vertex) are skipped, the known ones kept.
        let mut bytes = Vec::new();
        string::encode(2, &"inputs".to_string(), &mut bytes);
        string::encode(3, &"name".to_string(), &mut bytes);
        encode_key(99, WireType::Varint, &mut bytes);
        encode_varint(7, &mut bytes);
        encode_key(100, WireType::LengthDelimited, &mut bytes);
        encode_varint(3, &mut bytes);
        bytes.extend_from_slice(b"abc");
        let vertex = Vertex::decode(bytes.as_slice()).unwrap();
        assert_eq!(vertex.name, "name");
        assert_eq!(vertex.digest, "");
    }

    #[test]
    fn bad_input_is_an_error_naming_the_field() {
        // `cached` (4) sent as a string: the wrong wire type.
        let mut bytes = Vec::new();
        string::encode(4, &"yes".to_string(), &mut bytes);
        let err = Vertex::decode(bytes.as_slice()).unwrap_err();
        assert!(err.to_string().contains("Vertex.cached"), "{err}");

        // Every truncation of a full message fails or decodes, never panics.
        let full = full_status().encode_to_vec();
        let mut errors = 0;
        for end in 0..full.len() {
            errors += usize::from(StatusResponse::decode(&full[..end]).is_err());
        }
        assert!(errors > 0);
    }
}
