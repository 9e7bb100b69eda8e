//! What the generated structs' `Deserialize` impls share (the codegen's `compact-deserialize`
//! pass): the reading of a map key as a field, the storing of its value, and the value of a field
//! the input left out.
//!
//! serde's derive writes all of it out again in every struct (a field enum with its own
//! `Deserialize` and a visitor matching the names three times, a duplicate check and a
//! missing-field branch per field). Across the ~250 types of a version that was about half of the
//! generated module's compile time, the single-core tail of a consumer's build. Here it is written
//! once; each struct keeps its list of names, one `match` from name to position, and one line per
//! field. They behave as the derive's do: names are matched exactly (also as bytes, or by position
//! as a number), unknown keys are skipped, a key given twice is refused, and a missing field is
//! `None` for an `Option` and an error otherwise. Decoding is as fast as the derive's
//! (`cargo xtask bench decode`).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, forward_to_deserialize_any};

/// Reads a map key as the position of one of a struct's fields (`None` for any other key), as
/// the derive's field identifier does: a string or bytes naming the field, or its position.
///
/// The first part is the struct's own lookup of a wire name (a `match` the generator writes, which
/// the compiler turns into a few length and byte comparisons; a linear or binary search of the
/// list of names made decoding `SystemInfo` 17 to 30% slower), the second its number of fields.
#[derive(Clone, Copy, Debug)]
pub struct FieldIndex(pub fn(&str) -> Option<usize>, pub usize);

impl<'de> DeserializeSeed<'de> for FieldIndex {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<usize>, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for FieldIndex {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_u64<E: de::Error>(self, index: u64) -> Result<Option<usize>, E> {
        Ok(usize::try_from(index).ok().filter(|&i| i < self.1))
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Option<usize>, E> {
        Ok((self.0)(name))
    }

    fn visit_bytes<E: de::Error>(self, name: &[u8]) -> Result<Option<usize>, E> {
        Ok(std::str::from_utf8(name).ok().and_then(self.0))
    }
}

/// Reads the value of the field `name` into `slot`; a field already read is an error
/// (`duplicate field`), as with the derive.
///
/// Always inlined: called with a `&mut` to one of 70 slots of a struct's `visit_map`, and not
/// inlined into such a large function, it made decoding `SystemInfo` 15% slower than the derive.
#[inline(always)]
pub fn set<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Skips the value of a key that names no field.
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(drop)
}

/// The value of the field `name` that the input left out: what `T` makes of a missing value,
/// which is `None` for an `Option` and `missing field` for anything else (the derive's rule).
pub fn missing<'de, T: Deserialize<'de>, E: de::Error>(name: &'static str) -> Result<T, E> {
    T::deserialize(Missing(name, PhantomData))
}

/// The value `T` reads from the field `name`: what was read, or [`missing`].
pub fn take<'de, T: Deserialize<'de>, E: de::Error>(
    slot: Option<T>,
    name: &'static str,
) -> Result<T, E> {
    match slot {
        Some(value) => Ok(value),
        None => missing(name),
    }
}

/// A deserializer with nothing to read: `None` to an `Option`, `missing field` to anything else.
struct Missing<E>(&'static str, PhantomData<E>);

impl<'de, E: de::Error> Deserializer<'de> for Missing<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, E> {
        Err(E::missing_field(self.0))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_none()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    const FIELDS: &[&str] = &["Name", "Id"];

    fn field(name: &str) -> Option<usize> {
        match name {
            "Name" => Some(0),
            "Id" => Some(1),
            _ => None,
        }
    }

    /// A struct decoded as the pass writes it, for these tests.
    #[derive(Debug, PartialEq)]
    struct Two {
        id: String,
        name: Option<String>,
    }

    impl<'de> Deserialize<'de> for Two {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Two;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("struct Two")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Two, A::Error> {
                    let mut id: Option<String> = None;
                    let mut name: Option<Option<String>> = None;
                    while let Some(key) = map.next_key_seed(FieldIndex(field, FIELDS.len()))? {
                        match key {
                            Some(0) => set(&mut name, &mut map, FIELDS[0]),
                            Some(1) => set(&mut id, &mut map, FIELDS[1]),
                            _ => skip(&mut map),
                        }?;
                    }
                    Ok(Two {
                        id: take(id, FIELDS[1])?,
                        name: take(name, FIELDS[0])?,
                    })
                }
            }
            d.deserialize_struct("Two", FIELDS, V)
        }
    }

    #[test]
    fn fields_by_name_unknown_skipped_missing_option_is_none() {
        let two: Two = serde_json::from_str(r#"{"Other": [1, {"x": 2}], "Id": "a"}"#).unwrap();
        assert_eq!(
            two,
            Two {
                id: "a".into(),
                name: None
            }
        );
        let two: Two = serde_json::from_str(r#"{"Name": "n", "Id": "a"}"#).unwrap();
        assert_eq!(two.name.as_deref(), Some("n"));
    }

    #[test]
    fn duplicate_and_missing_fields_are_the_derives_errors() {
        let err = serde_json::from_str::<Two>(r#"{"Id": "a", "Id": "b"}"#).unwrap_err();
        assert!(err.to_string().starts_with("duplicate field `Id`"), "{err}");
        let err = serde_json::from_str::<Two>(r#"{"Name": "n"}"#).unwrap_err();
        assert!(err.to_string().starts_with("missing field `Id`"), "{err}");
        let err = serde_json::from_str::<Two>(r#"["a", "n"]"#).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid type: sequence, expected struct Two"),
            "{err}"
        );
    }

    #[test]
    fn keys_as_bytes_or_positions_name_fields_too() {
        use serde::de::value::{Error, MapDeserializer};
        let by_index = MapDeserializer::<_, Error>::new(
            BTreeMap::from([(1u64, "a"), (7u64, "skipped")]).into_iter(),
        );
        let two = Two::deserialize(by_index).unwrap();
        assert_eq!(two.id, "a");
        let by_bytes = MapDeserializer::<_, Error>::new(
            [(
                serde::de::value::BytesDeserializer::<Error>::new(b"Id"),
                "b",
            )]
            .into_iter(),
        );
        let two = Two::deserialize(by_bytes).unwrap();
        assert_eq!((two.id.as_str(), two.name), ("b", None));
        // Bytes that are not UTF-8 name no field: skipped, as any unknown key.
        let odd = MapDeserializer::<_, Error>::new(
            [
                (
                    serde::de::value::BytesDeserializer::<Error>::new(b"\xffId"),
                    "x",
                ),
                (
                    serde::de::value::BytesDeserializer::<Error>::new(b"Id"),
                    "c",
                ),
            ]
            .into_iter(),
        );
        assert_eq!(Two::deserialize(odd).unwrap().id, "c");
    }

    #[test]
    fn missing_is_none_for_options_and_an_error_otherwise() {
        let none: Result<Option<u8>, serde_json::Error> = missing("X");
        assert_eq!(none.unwrap(), None);
        let err = missing::<Vec<u8>, serde_json::Error>("X").unwrap_err();
        assert_eq!(err.to_string(), "missing field `X`");
    }
}
