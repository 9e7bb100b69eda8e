//! The `default-types` pass: every generated type can be written as
//! `Type { field: value, ..Default::default() }`.
//!
//! typify implements `Default` only for a struct whose fields are all optional (or have a spec
//! default), so a request body with one required field (`NetworkCreateRequest`'s `Name`,
//! `SwarmJoinRequest`'s `RemoteAddrs`, ...) had to be written out field by field. The pass gives
//! every other struct of `mod types` a `Default` too, by one rule, said in each such type's docs:
//! a field takes its spec default where the spec gives one (typify's `#[serde(default = ..)]`), and
//! otherwise its type's empty value: `None`, `""`, `0`, `false`, an empty list or map, and for an
//! enum without a spec default its empty string (the `""` value where the spec lists one, else
//! `Other("")`), like a `String` field. Those empty values are what Go's client sends for a field
//! left unset; the daemon refuses most required ones empty, so they are to be set before sending.
//! Enums get a `Default` only where a struct's required field needs one.
//!
//! The pass runs after `drop-type-builders`, so an operation builder whose body had no `Default`
//! still starts with its body "not set": a request is not sent with an all-empty body by mistake.

use std::collections::{BTreeMap, BTreeSet};

use crate::tree::{
    add_doc, derives, last_segment, module_items_mut, self_type_name, serde_entries, serde_value,
    trait_impls, type_args,
};

/// What the docs of a struct (or newtype) that gets its `Default` here say.
const STRUCT_DOC: &str = " `Default`: a field takes its spec default where the spec gives one, \
    otherwise its type's empty value (`None`, `\"\"`, `0`, `false`, an empty list or map, an \
    enum's `\"\"`), as Go leaves an unset field. The daemon refuses most required fields empty: \
    set them before sending.";

/// What the docs of an enum that gets its `Default` here say.
const ENUM_DOC: &str = " `Default`: the empty string `\"\"` (the spec gives this enum no \
    default), as for an unset `String` field; set a real value before sending.";

/// Gives every struct of `mod types` without a `Default` one (and the enums their required fields
/// need), with the rule in the type's docs; returns how many types got one.
pub fn default_types(file: &mut syn::File) -> usize {
    let Some(types) = module_items_mut(file, "types") else {
        return 0;
    };
    let with_default = types_with_default(types);
    let enum_defaults: BTreeMap<String, syn::Expr> = types
        .iter()
        .filter_map(|item| match item {
            syn::Item::Enum(e) if !with_default.contains(&e.ident.to_string()) => {
                Some((e.ident.to_string(), empty_variant(e)?))
            }
            _ => None,
        })
        .collect();
    let structs: Vec<&syn::ItemStruct> = types
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) if !with_default.contains(&s.ident.to_string()) => Some(s),
            _ => None,
        })
        .collect();

    // Structs whose fields all have a `Default`, counting the structs found so far: until none is
    // added.
    let mut known: BTreeSet<String> = with_default.clone();
    known.extend(enum_defaults.keys().cloned());
    let mut chosen = BTreeSet::new();
    loop {
        let before = chosen.len();
        for s in &structs {
            let name = s.ident.to_string();
            if !chosen.contains(&name) && s.fields.iter().all(|f| has_default(&f.ty, &known)) {
                chosen.insert(name.clone());
                known.insert(name);
            }
        }
        if chosen.len() == before {
            break;
        }
    }
    let needed_enums: BTreeSet<String> = structs
        .iter()
        .filter(|s| chosen.contains(&s.ident.to_string()))
        .flat_map(|s| s.fields.iter())
        .filter_map(|f| required_type_name(&f.ty))
        .filter(|name| enum_defaults.contains_key(name))
        .collect();

    let mut out = Vec::with_capacity(types.len() + chosen.len() + needed_enums.len());
    for mut item in types.drain(..) {
        let added: Option<syn::Item> = match &mut item {
            syn::Item::Struct(s) if chosen.contains(&s.ident.to_string()) => {
                add_doc(&mut s.attrs, STRUCT_DOC);
                Some(struct_default(s))
            }
            syn::Item::Enum(e) if needed_enums.contains(&e.ident.to_string()) => {
                add_doc(&mut e.attrs, ENUM_DOC);
                let ident = &e.ident;
                let value = &enum_defaults[&ident.to_string()];
                Some(syn::parse_quote! {
                    impl ::std::default::Default for #ident {
                        fn default() -> Self {
                            #value
                        }
                    }
                })
            }
            _ => None,
        };
        out.push(item);
        out.extend(added);
    }
    *types = out;
    chosen.len() + needed_enums.len()
}

/// The names of the types among `items` that have a `Default` (derived or implemented).
fn types_with_default(items: &[syn::Item]) -> BTreeSet<String> {
    let derived = items.iter().filter_map(|item| match item {
        syn::Item::Struct(s) if derives(&s.attrs, "Default") => Some(s.ident.to_string()),
        syn::Item::Enum(e) if derives(&e.attrs, "Default") => Some(e.ident.to_string()),
        _ => None,
    });
    let implemented = trait_impls(items)
        .filter(|(name, _)| name == "Default")
        .filter_map(|(_, imp)| self_type_name(imp));
    derived.chain(implemented).collect()
}

/// An enum's empty value: its variant serialised as `""`, else `Other("")` (the variant the
/// `open-enums` pass adds); `None` for an enum with neither.
fn empty_variant(e: &syn::ItemEnum) -> Option<syn::Expr> {
    let unit = |v: &&syn::Variant| matches!(v.fields, syn::Fields::Unit);
    if let Some(v) = e
        .variants
        .iter()
        .filter(unit)
        .find(|v| serde_value(&v.attrs, "rename").as_deref() == Some(""))
    {
        let ident = &v.ident;
        return Some(syn::parse_quote!(Self::#ident));
    }
    e.variants
        .iter()
        .any(|v| v.ident == "Other" && serde_entries(&v.attrs).iter().any(|(k, _)| k == "untagged"))
        .then(|| syn::parse_quote!(Self::Other(::std::string::String::new())))
}

/// Whether a field of type `ty` has a `Default`, given the generated types `known` to have one.
fn has_default(ty: &syn::Type, known: &BTreeSet<String>) -> bool {
    if matches!(ty, syn::Type::Tuple(t) if t.elems.is_empty()) {
        return true;
    }
    let Some(last) = last_segment(ty) else {
        return false;
    };
    let name = last.ident.to_string();
    match name.as_str() {
        "Option" | "Vec" | "HashMap" | "BTreeMap" | "HashSet" | "BTreeSet" | "Map" | "Value"
        | "String" | "bool" | "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64"
        | "f32" | "f64" | "usize" | "isize" | "DateTime" => true,
        "Box" => type_args(ty).first().is_some_and(|t| has_default(t, known)),
        _ => known.contains(&name),
    }
}

/// The generated type a required field holds directly (through a `Box`), by name.
fn required_type_name(ty: &syn::Type) -> Option<String> {
    let last = last_segment(ty)?;
    if last.ident == "Box" {
        return required_type_name(type_args(ty).first()?);
    }
    Some(last.ident.to_string())
}

/// `impl Default` for a struct: each named field its `#[serde(default = "..")]` function's value
/// or `Default::default()`; a newtype its inner type's default.
fn struct_default(s: &syn::ItemStruct) -> syn::Item {
    let ident = &s.ident;
    let body: syn::Expr = match &s.fields {
        syn::Fields::Named(fields) => {
            let inits = fields.named.iter().map(|f| {
                let name = &f.ident;
                let value: syn::Expr = serde_value(&f.attrs, "default")
                    .and_then(|path| syn::parse_str::<syn::ExprPath>(&path).ok())
                    .map_or_else(
                        || syn::parse_quote!(::std::default::Default::default()),
                        |path| syn::parse_quote!(#path()),
                    );
                quote::quote!(#name: #value)
            });
            syn::parse_quote!(Self { #(#inits),* })
        }
        syn::Fields::Unnamed(fields) => {
            let inits = fields
                .unnamed
                .iter()
                .map(|_| quote::quote!(::std::default::Default::default()));
            syn::parse_quote!(Self(#(#inits),*))
        }
        syn::Fields::Unit => syn::parse_quote!(Self),
    };
    syn::parse_quote! {
        impl ::std::default::Default for #ident {
            fn default() -> Self {
                #body
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;
    use crate::postprocess::test_file as file;

    #[test]
    fn structs_with_required_fields_get_default_with_their_rule() {
        let mut f = file(quote! {
            pub mod types {
                ///Create a network.
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
                pub struct NetworkCreateRequest {
                    #[serde(rename = "Name")]
                    pub name: ::std::string::String,
                    #[serde(rename = "Ipam", skip_serializing_if = "::std::option::Option::is_none")]
                    pub ipam: ::std::option::Option<Ipam>,
                    #[serde(rename = "Port", default = "defaults::default_u64::<u32, 4789>")]
                    pub port: u32,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
                pub struct Port {
                    #[serde(rename = "PrivatePort")]
                    pub private_port: u16,
                    #[serde(rename = "Type")]
                    pub type_: PortType,
                    #[serde(rename = "Mode")]
                    pub mode: Mode,
                    #[serde(rename = "Inner")]
                    pub inner: Box<NetworkCreateRequest>,
                }
                pub enum PortType {
                    #[serde(rename = "tcp")]
                    Tcp,
                    #[serde(untagged)]
                    Other(::std::string::String),
                }
                pub enum Mode {
                    #[serde(rename = "")]
                    X,
                    #[serde(rename = "ingress")]
                    Ingress,
                    #[serde(untagged)]
                    Other(::std::string::String),
                }
                // Only optional: not needed by any struct, left without a `Default`.
                pub enum Unused {
                    #[serde(rename = "a")]
                    A,
                    #[serde(untagged)]
                    Other(::std::string::String),
                }
                pub struct Holder {
                    #[serde(rename = "Unused")]
                    pub unused: ::std::option::Option<Unused>,
                }
                #[derive(Default)]
                pub struct Ipam {}
                #[serde(transparent)]
                pub struct ChangeType(u8);
                // A field whose type has no `Default`: no `Default` for it.
                pub struct Stuck {
                    pub closed: Closed,
                }
                pub enum Closed { A(u8) }
            }
        });
        // NetworkCreateRequest, Port, Holder, ChangeType; PortType and Mode.
        assert_eq!(default_types(&mut f), 6);
        let code = prettyplease::unparse(&f);
        assert!(
            code.contains("impl ::std::default::Default for NetworkCreateRequest {\n        fn default() -> Self {\n            Self {\n                name: ::std::default::Default::default(),\n                ipam: ::std::default::Default::default(),\n                port: defaults::default_u64::<u32, 4789>(),\n            }"),
            "{code}"
        );
        assert!(
            code.contains(
                "///Create a network.\n    ///\n    /// `Default`: a field takes its spec default"
            ),
            "{code}"
        );
        assert!(
            code.contains("impl ::std::default::Default for PortType {\n        fn default() -> Self {\n            Self::Other(::std::string::String::new())"),
            "{code}"
        );
        assert!(code.contains("impl ::std::default::Default for Mode {\n        fn default() -> Self {\n            Self::X"), "{code}");
        assert!(code.contains("impl ::std::default::Default for ChangeType {\n        fn default() -> Self {\n            Self(::std::default::Default::default())"), "{code}");
        assert!(
            code.contains("impl ::std::default::Default for Holder"),
            "{code}"
        );
        for absent in ["Unused", "Ipam", "Stuck", "Closed"] {
            assert!(
                !code.contains(&format!("Default for {absent} ")),
                "{absent}: {code}"
            );
        }
    }
}
