//! The `compact-serialize` pass: the generated structs encode through a type written once in the
//! crate, not through serde's derive.
//!
//! serde's derived `Serialize` for a struct computes its length (one test per skippable field),
//! then writes each field behind the same test again. Across the ~250 structs of one version it
//! was about a quarter of the generated module's compile time (measured by taking the derives
//! out); v1.55's module compiles in 6.1 s with these impls instead of 7.2 s with the derives
//! (`CARGO_INCREMENTAL=0`, medians of 3 alternating builds); that module is the single-core tail
//! of a consumer's build. The pass replaces the derive of each struct it can by an impl that tests
//! each skippable field once and writes each field with one call to `crate::transport::StructOut`
//! (the handwritten crate's).
//!
//! The output is the derive's for any serializer: `serialize_struct` with the struct's name and
//! the number of fields written, each field under its wire name in declaration order, a skipped
//! field as `skip_field`, `with` honoured. Structs with a serde attribute the pass does not know
//! (on the struct, or on a field other than `rename`, `default`, `skip_serializing_if`,
//! `deserialize_with`, `with`), or with generics, keep the derive. A struct left with no serde
//! derive at all (its `Deserialize` already written by `compact-deserialize`) loses its fields'
//! `#[serde(...)]` attributes, which only a serde derive declares; their meaning is in the impls.

use super::serde_fields::{SerdeField, serde_fields};
use crate::tree::{add_struct_impls, derives, remove_derive};
use proc_macro2::TokenStream;
use quote::quote;

/// Gives each struct of `mod types` that qualifies (see the module docs) a compact `Serialize`
/// impl in place of the derived one; returns how many structs changed.
pub fn compact_serialize(file: &mut syn::File) -> usize {
    add_struct_impls(file, |s| {
        let fields = plan(s)?;
        remove_derive(&mut s.attrs, "Serialize");
        if !derives(&s.attrs, "Deserialize") {
            for f in &mut s.fields {
                f.attrs.retain(|a| !a.path().is_ident("serde"));
            }
        }
        Some(impl_for(&s.ident, &fields))
    })
}

/// The fields of a struct the pass takes, or `None` if it leaves the struct to the derive.
fn plan(s: &syn::ItemStruct) -> Option<Vec<SerdeField>> {
    if !derives(&s.attrs, "Serialize") {
        return None;
    }
    serde_fields(s)
}

/// The `impl Serialize` of the struct `name` with `fields`.
fn impl_for(name: &syn::Ident, fields: &[SerdeField]) -> syn::Item {
    let tests = fields.iter().filter_map(|f| {
        let (test, ident) = (f.skip_if.as_ref()?, &f.ident);
        Some(quote!(#test(&self.#ident)))
    });
    let mut skippable = 0..;
    let writes = fields.iter().map(|f| {
        let skipped = f.skip_if.as_ref().and_then(|_| skippable.next());
        write(f, skipped)
    });
    let count = fields.len();
    let name_str = name.to_string();
    syn::parse_quote! {
        impl ::serde::Serialize for #name {
            fn serialize<__S: ::serde::Serializer>(
                &self,
                serializer: __S,
            ) -> ::std::result::Result<__S::Ok, __S::Error> {
                let skipped = [#(#tests),*];
                let mut out =
                    crate::transport::StructOut::start(serializer, #name_str, #count, &skipped)?;
                #(#writes)*
                out.end()
            }
        }
    }
}

/// Writing one field: its value, or a wrapper calling its `with` function; behind its entry of
/// `skipped` (the `skipped`-th) if it has a `skip_serializing_if`.
fn write(f: &SerdeField, skipped: Option<usize>) -> TokenStream {
    let (ident, wire) = (&f.ident, &f.wire);
    let call = |value: TokenStream| match skipped {
        Some(i) => quote!(out.field_unless(skipped[#i], #wire, #value)?;),
        None => quote!(out.field(#wire, #value)?;),
    };
    let Some(with) = f.write_with() else {
        return call(quote!(&self.#ident));
    };
    let ty = &f.ty;
    let call = call(quote!(&__With(&self.#ident)));
    quote!({
        struct __With<'a>(&'a #ty);
        impl ::serde::Serialize for __With<'_> {
            fn serialize<__S: ::serde::Serializer>(
                &self,
                serializer: __S,
            ) -> ::std::result::Result<__S::Ok, __S::Error> {
                #with(self.0, serializer)
            }
        }
        #call
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::postprocess::{assert_code_contains, test_file as file};

    #[test]
    fn structs_encode_through_the_shared_type_and_lose_serde_attributes_no_derive_reads() {
        let mut f = file(quote! {
            pub mod types {
                #[derive(::serde::Serialize, Clone, Debug, PartialEq)]
                pub struct Port {
                    #[serde(rename = "PrivatePort")]
                    pub private_port: u16,
                    #[serde(rename = "IP", skip_serializing_if = "::std::option::Option::is_none")]
                    pub ip: ::std::option::Option<::std::string::String>,
                    #[serde(default)]
                    pub r#type: ::std::string::String,
                    #[serde(default, skip_serializing_if = "::serde_json::Map::is_empty")]
                    pub labels: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                    #[serde(default, with = "crate::transport::key_set")]
                    pub keys: ::std::collections::BTreeSet<::std::string::String>,
                    #[serde(rename = "Warnings", deserialize_with = "::std::option::Option::deserialize")]
                    pub warnings: ::std::option::Option<::std::vec::Vec<::std::string::String>>,
                }
                // Still derives Deserialize: its fields keep their attributes.
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Plain {
                    #[serde(rename = "A")]
                    pub a: u8,
                }
            }
        });
        assert_eq!(compact_serialize(&mut f), 2);
        let code = prettyplease::unparse(&f);
        assert!(
            code.contains("#[derive(Clone, Debug, PartialEq)]\n    pub struct Port"),
            "{code}"
        );
        assert_eq!(code.matches("#[serde(").count(), 1, "only Plain's: {code}");
        assert!(
            code.contains("#[derive(::serde::Deserialize)]\n    pub struct Plain {\n        #[serde(rename = \"A\")]"),
            "{code}"
        );
        assert_code_contains(
            &code,
            &[
                "impl ::serde::Serialize for Port {",
                "let skipped = [::std::option::Option::is_none(&self.ip), ::serde_json::Map::is_empty(&self.labels)];",
                r#"crate::transport::StructOut::start(serializer, "Port", 6usize, &skipped)?;"#,
                r#"out.field("PrivatePort", &self.private_port)?;"#,
                r#"out.field_unless(skipped[0usize], "IP", &self.ip)?;"#,
                r#"out.field("type", &self.r#type)?;"#,
                r#"out.field_unless(skipped[1usize], "labels", &self.labels)?;"#,
                "struct __With<'a>(&'a ::std::collections::BTreeSet<::std::string::String>);",
                "crate::transport::key_set::serialize(self.0, serializer)",
                r#"out.field("keys", &__With(&self.keys))?;"#,
                r#"out.field("Warnings", &self.warnings)?;"#,
                "out.end()",
                "impl ::serde::Serialize for Plain {",
                "let skipped = [];",
                r#"out.field("A", &self.a)?;"#,
            ],
        );
    }

    #[test]
    fn structs_it_cannot_reproduce_keep_the_derive() {
        let mut f = file(quote! {
            pub mod types {
                // An attribute the pass does not know.
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Flattened {
                    #[serde(flatten)]
                    pub rest: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                #[derive(::serde::Serialize)]
                pub struct WrittenWith {
                    #[serde(serialize_with = "write_it")]
                    pub a: u8,
                }
                // A struct-level attribute.
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                #[serde(deny_unknown_fields)]
                pub struct Strict {
                    pub a: u8,
                }
                // Only Deserialize.
                #[derive(::serde::Deserialize)]
                pub struct ReadOnly {
                    pub a: u8,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                #[serde(transparent)]
                pub struct Newtype(pub u8);
                #[derive(::serde::Serialize)]
                pub enum Kind { A }
            }
        });
        assert_eq!(compact_serialize(&mut f), 0);
        let code = prettyplease::unparse(&f);
        assert!(!code.contains("impl ::serde::Serialize"), "{code}");
        assert_eq!(code.matches("::serde::Serialize").count(), 5, "{code}");
    }
}
