//! What the generated structs' `Serialize` impls share (the codegen's `compact-serialize` pass):
//! writing a struct field by field, a skipped field as the derive skips it.
//!
//! serde's derived `Serialize` is short per field, yet across the ~250 structs of a version it was
//! about a quarter of the generated module's compile time (v1.55, `CARGO_INCREMENTAL=0`: 7.2 s
//! with the derives, 6.1 s with impls over this type, medians; the module is the single-core tail
//! of a consumer's build). Each generated impl now computes which optional fields are skipped once,
//! and writes each field with one call here. The output is the derive's for every serializer:
//! the same `serialize_struct` name and field count (the fields written), the same keys in the
//! same order, and `skip_field` for a skipped field.

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

/// A struct being written: `S`'s `SerializeStruct`, started with the number of fields written.
pub struct StructOut<S: Serializer>(S::SerializeStruct);

impl<S: Serializer> StructOut<S> {
    /// Starts the struct `name` of `fields` fields of which those marked in `skipped` are left
    /// out (the derive's length: the fields written).
    #[inline]
    pub fn start(
        serializer: S,
        name: &'static str,
        fields: usize,
        skipped: &[bool],
    ) -> Result<Self, S::Error> {
        serializer
            .serialize_struct(name, written(fields, skipped))
            .map(StructOut)
    }

    /// Writes the field `key`.
    #[inline]
    pub fn field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), S::Error> {
        self.0.serialize_field(key, value)
    }

    /// Writes the field `key`, or tells the serializer it is skipped.
    #[inline]
    pub fn field_unless<T: Serialize + ?Sized>(
        &mut self,
        skip: bool,
        key: &'static str,
        value: &T,
    ) -> Result<(), S::Error> {
        if skip {
            self.0.skip_field(key)
        } else {
            self.0.serialize_field(key, value)
        }
    }

    /// Ends the struct.
    #[inline]
    pub fn end(self) -> Result<S::Ok, S::Error> {
        self.0.end()
    }
}

/// How many of `fields` fields are written when those marked in `skipped` are not.
fn written(fields: usize, skipped: &[bool]) -> usize {
    fields - skipped.iter().filter(|&&skip| skip).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As the derive writes `{a, b?, c}`.
    struct Sample {
        a: u8,
        b: Option<&'static str>,
        c: Vec<u8>,
    }

    impl Serialize for Sample {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let skipped = [self.b.is_none()];
            let mut out = StructOut::start(serializer, "Sample", 3, &skipped)?;
            out.field("A", &self.a)?;
            out.field_unless(skipped[0], "B", &self.b)?;
            out.field("C", &self.c)?;
            out.end()
        }
    }

    #[derive(serde::Serialize)]
    struct Derived {
        #[serde(rename = "A")]
        a: u8,
        #[serde(rename = "B", skip_serializing_if = "Option::is_none")]
        b: Option<&'static str>,
        #[serde(rename = "C")]
        c: Vec<u8>,
    }

    #[test]
    fn writes_what_the_derive_writes() {
        for b in [None, Some("x")] {
            let ours = serde_json::to_string(&Sample {
                a: 1,
                b,
                c: vec![2],
            })
            .unwrap();
            let derived = serde_json::to_string(&Derived {
                a: 1,
                b,
                c: vec![2],
            })
            .unwrap();
            assert_eq!(ours, derived);
        }
        assert_eq!(
            serde_json::to_string(&Sample {
                a: 1,
                b: None,
                c: vec![]
            })
            .unwrap(),
            r#"{"A":1,"C":[]}"#
        );
    }

    #[test]
    fn the_length_counts_the_fields_written() {
        assert_eq!(written(3, &[]), 3);
        assert_eq!(written(3, &[true, false]), 2);
        assert_eq!(written(2, &[true, true]), 0);
    }
}
