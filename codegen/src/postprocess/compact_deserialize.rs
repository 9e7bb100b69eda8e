//! The `compact-deserialize` pass: the generated structs decode through code written once in the
//! crate, not through serde's derive written out again in each.
//!
//! serde's derived `Deserialize` for a struct of N fields is a field enum with its own
//! `Deserialize` and visitor (three matches over the N names), a visitor with `visit_map` (a
//! duplicate check, a read and a missing-field branch per field) and `visit_seq`. For the ~250
//! structs of one version it was about half of the generated module's compile time (measured:
//! the module compiled in 9.2 s with the derives, 4.4 s with stub impls in their place), and that
//! module is the single-core tail of a consumer's build. The pass replaces the derive of each
//! struct it can by an impl that keeps a list of the wire names, one `match` from name to
//! position and one line per field, and calls `crate::transport::fields` (the handwritten
//! crate's `FieldIndex`, `set`, `skip`, `take`) for the rest. Measured on v1.55 (`CARGO_INCREMENTAL=0`,
//! medians of 3): the module compiles in 6.8 s instead of 10.2 s, and decodes `GET /info` and
//! `GET /images/json` as fast as bollard's derived types (`cargo xtask bench decode`).
//!
//! The decoding is the derive's: keys matched exactly (or as bytes, or by position), unknown keys
//! skipped, a duplicate key refused, a missing field its `#[serde(default)]` or `None` for an
//! `Option` or else `missing field`, `deserialize_with`/`with` honoured; the errors say the same.
//! What it leaves out is `visit_seq`, a struct read from a sequence (formats such as bincode and
//! postcard write structs that way), so it only takes structs that already cannot take that road:
//! those with a `skip_serializing_if` field, whose serialized sequence is shorter than the struct
//! whenever that field is skipped. Other structs keep the derive, as do any with a serde attribute
//! the pass does not know (on the struct, or on a field other than `rename`, `default`,
//! `skip_serializing_if`, `deserialize_with`, `with`), with generics, or without `Serialize` (the
//! `compact-serialize` pass after it writes that impl, and then drops the fields' `serde`
//! attributes, which only a serde derive declares).

use super::serde_fields::{SerdeField, serde_fields};
use crate::tree::{add_struct_impls, derives, last_segment, remove_derive};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Where the generated code finds the shared decoding steps.
const FIELDS_PATH: &str = "crate::transport::fields";

/// Gives each struct of `mod types` that qualifies (see the module docs) a compact
/// `Deserialize` impl in place of the derived one; returns how many structs changed.
pub fn compact_deserialize(file: &mut syn::File) -> usize {
    add_struct_impls(file, |s| {
        let fields = plan(s)?;
        remove_derive(&mut s.attrs, "Deserialize");
        Some(impl_for(&s.ident, &fields))
    })
}

/// The fields of a struct the pass takes, or `None` if it leaves the struct to the derive.
fn plan(s: &syn::ItemStruct) -> Option<Vec<SerdeField>> {
    if !derives(&s.attrs, "Deserialize") || !derives(&s.attrs, "Serialize") {
        return None;
    }
    let fields = serde_fields(s)?;
    fields.iter().any(|f| f.skip_if.is_some()).then_some(fields)
}

/// The `impl Deserialize` of the struct `name` with `fields`.
fn impl_for(name: &syn::Ident, fields: &[SerdeField]) -> syn::Item {
    let helpers: syn::Path = syn::parse_str(FIELDS_PATH).expect("a path");
    let wire: Vec<&str> = fields.iter().map(|f| f.wire.as_str()).collect();

    let slots: Vec<syn::Ident> = (0..fields.len()).map(|i| format_ident!("__f{i}")).collect();
    let types = fields.iter().map(|f| &f.ty);
    let reads = fields
        .iter()
        .zip(&slots)
        .enumerate()
        .map(|(i, (f, slot))| read(i, f, slot, &helpers));
    let values = fields.iter().zip(&slots).enumerate().map(|(i, (f, slot))| {
        let ident = &f.ident;
        let value = finish(i, f, slot, &helpers);
        quote!(#ident: #value)
    });
    let positions: Vec<usize> = (0..fields.len()).collect();
    let expecting = format!("struct {name}");
    let name_str = name.to_string();
    syn::parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                const FIELDS: &[&str] = &[#(#wire),*];
                fn __field(name: &str) -> ::std::option::Option<usize> {
                    match name {
                        #(#wire => ::std::option::Option::Some(#positions),)*
                        _ => ::std::option::Option::None,
                    }
                }
                struct __Visitor;
                impl<'de> ::serde::de::Visitor<'de> for __Visitor {
                    type Value = #name;
                    fn expecting(
                        &self,
                        f: &mut ::std::fmt::Formatter<'_>,
                    ) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::std::result::Result<#name, A::Error> {
                        #(let mut #slots: ::std::option::Option<#types> = ::std::option::Option::None;)*
                        while let ::std::option::Option::Some(key) =
                            map.next_key_seed(#helpers::FieldIndex(__field, FIELDS.len()))?
                        {
                            match key {
                                #(::std::option::Option::Some(#positions) => #reads,)*
                                _ => #helpers::skip(&mut map),
                            }?;
                        }
                        ::std::result::Result::Ok(#name { #(#values),* })
                    }
                }
                deserializer.deserialize_struct(#name_str, FIELDS, __Visitor)
            }
        }
    }
}

/// Reading field `i` into its slot: through `fields::set`, or through a wrapper type calling its
/// `deserialize_with` function.
fn read(i: usize, f: &SerdeField, slot: &syn::Ident, helpers: &syn::Path) -> TokenStream {
    let Some(with) = f.read_with() else {
        return quote!(#helpers::set(&mut #slot, &mut map, FIELDS[#i]));
    };
    let ty = &f.ty;
    quote!({
        struct __With(#ty);
        impl<'de> ::serde::Deserialize<'de> for __With {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                #with(deserializer).map(__With)
            }
        }
        if #slot.is_some() {
            ::std::result::Result::Err(<A::Error as ::serde::de::Error>::duplicate_field(FIELDS[#i]))
        } else {
            map.next_value::<__With>().map(|value| #slot = ::std::option::Option::Some(value.0))
        }
    })
}

/// The value of field `i` once the map is read: what was read, else its default, else (as the
/// derive does) `missing field` for a field read by a function and `fields::take`'s rule for
/// the others.
fn finish(i: usize, f: &SerdeField, slot: &syn::Ident, helpers: &syn::Path) -> TokenStream {
    match (&f.default, f.read_with()) {
        (Some(None), _) => quote!(#slot.unwrap_or_default()),
        (Some(Some(path)), _) => quote!(#slot.unwrap_or_else(#path)),
        (None, Some(_)) => quote!(match #slot {
            ::std::option::Option::Some(value) => value,
            ::std::option::Option::None => {
                return ::std::result::Result::Err(
                    <A::Error as ::serde::de::Error>::missing_field(FIELDS[#i]),
                );
            }
        }),
        // `None` for a missing `Option`, which is what `take` would give, without its call.
        (None, None) if is_option(&f.ty) => quote!(#slot.unwrap_or_default()),
        (None, None) => quote!(#helpers::take(#slot, FIELDS[#i])?),
    }
}

/// Whether `ty` is written as an `Option` (as typify writes it: `::std::option::Option<..>`).
fn is_option(ty: &syn::Type) -> bool {
    last_segment(ty).is_some_and(|s| s.ident == "Option")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::postprocess::{assert_code_contains, test_file as file};

    #[test]
    fn structs_with_a_skipped_field_decode_through_the_shared_steps() {
        let mut f = file(quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
                pub struct Port {
                    #[serde(rename = "PrivatePort")]
                    pub private_port: u16,
                    #[serde(rename = "IP", skip_serializing_if = "::std::option::Option::is_none")]
                    pub ip: ::std::option::Option<::std::string::String>,
                    #[serde(rename = "Mode", default = "defaults::mode")]
                    pub mode: Mode,
                    #[serde(default)]
                    pub r#type: ::std::string::String,
                    #[serde(default, with = "crate::transport::key_set")]
                    pub keys: ::std::option::Option<::std::collections::BTreeSet<::std::string::String>>,
                    #[serde(rename = "Warnings", deserialize_with = "::std::option::Option::deserialize")]
                    pub warnings: ::std::option::Option<::std::vec::Vec<::std::string::String>>,
                }
            }
        });
        assert_eq!(compact_deserialize(&mut f), 1);
        let code = prettyplease::unparse(&f);
        assert!(
            code.contains(
                "#[derive(::serde::Serialize, Clone, Debug, PartialEq)]\n    pub struct Port"
            ),
            "{code}"
        );
        assert_code_contains(
            &code,
            &[
                "impl<'de> ::serde::Deserialize<'de> for Port {",
                r#"const FIELDS: &[&str] = &["PrivatePort", "IP", "Mode", "type", "keys", "Warnings"];"#,
                "fn __field(name: &str) -> ::std::option::Option<usize> { match name { \"PrivatePort\" => ::std::option::Option::Some(0usize), \"IP\" => ::std::option::Option::Some(1usize),",
                "\"Warnings\" => ::std::option::Option::Some(5usize), _ => ::std::option::Option::None, }",
                "map.next_key_seed(crate::transport::fields::FieldIndex(__field, FIELDS.len()))?",
                "::std::option::Option::Some(0usize) =>",
                "crate::transport::fields::set(&mut __f0, &mut map, FIELDS[0usize])",
                "_ => crate::transport::fields::skip(&mut map), }?;",
                "private_port: crate::transport::fields::take(__f0, FIELDS[0usize])?",
                "ip: __f1.unwrap_or_default()",
                "mode: __f2.unwrap_or_else(defaults::mode)",
                "r#type: __f3.unwrap_or_default()",
                "crate::transport::key_set::deserialize(deserializer).map(__With)",
                "keys: __f4.unwrap_or_default()",
                "::std::option::Option::deserialize(deserializer).map(__With)",
                "<A::Error as ::serde::de::Error>::missing_field(FIELDS[5usize])",
                r#"f.write_str("struct Port")"#,
                r#"deserializer.deserialize_struct("Port", FIELDS, __Visitor)"#,
            ],
        );
    }

    #[test]
    fn structs_it_cannot_reproduce_keep_the_derive() {
        let mut f = file(quote! {
            pub mod types {
                // Nothing skipped: it still reads from a sequence.
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct AllRequired {
                    #[serde(rename = "A")]
                    pub a: u8,
                }
                // An attribute the pass does not know.
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Flattened {
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub a: ::std::option::Option<u8>,
                    #[serde(flatten)]
                    pub rest: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                // A struct-level attribute.
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                #[serde(deny_unknown_fields)]
                pub struct Strict {
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub a: ::std::option::Option<u8>,
                }
                // Only Deserialize.
                #[derive(::serde::Deserialize)]
                pub struct ReadOnly {
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub a: ::std::option::Option<u8>,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                #[serde(transparent)]
                pub struct Newtype(pub u8);
            }
        });
        assert_eq!(compact_deserialize(&mut f), 0);
        let code = prettyplease::unparse(&f);
        assert!(!code.contains("impl<'de>"), "{code}");
        assert_eq!(code.matches("::serde::Deserialize").count(), 5, "{code}");
    }
}
