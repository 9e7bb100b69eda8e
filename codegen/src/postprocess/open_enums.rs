//! The `open-enums` pass: string enums keep values the spec does not list.
//!
//! typify's enums are closed: a value the spec does not know (a newer daemon's, Podman's) fails
//! the decoding of the whole response it is in. Every string enum gets an `Other(String)` variant
//! that keeps such a value as it came.

use crate::tree::{
    Node, Walk, is_path, last_segment, module_items_mut, remove_derive, trait_impls_mut, walk_impl,
};

/// Adds an `Other(String)` variant to every string enum in `mod types`.
///
/// A string enum is one whose variants are all unit variants; the new variant is
/// `#[serde(untagged)]`, so known values still (de)serialise as before and any other string is
/// kept as it came. `Copy` goes (a `String` is not `Copy`); `Display` and `FromStr` learn the new
/// variant, so `FromStr` no longer fails. An enum that has typify's `TryFrom<String>` (which
/// parses with that `FromStr`) is decoded through it (`#[serde(try_from = "String")]`): the same
/// values, without the derive's untagged decoding, which buffers each value and tries every
/// variant before `Other` (generated code per enum that every consumer compiles).
pub fn open_enums(file: &mut syn::File) -> usize {
    let Some(types) = module_items_mut(file, "types") else {
        return 0;
    };
    let opened: Vec<syn::Ident> = types
        .iter_mut()
        .filter_map(|item| match item {
            syn::Item::Enum(e) if is_string_enum(e) => {
                open_enum(e);
                Some(e.ident.clone())
            }
            _ => None,
        })
        .collect();
    let mut from_string = Vec::new();
    for (trait_name, imp) in trait_impls_mut(types.iter_mut()) {
        let Some(name) = opened
            .iter()
            .find(|name| is_path(&imp.self_ty, &name.to_string()))
        else {
            continue;
        };
        match trait_name.as_str() {
            "Display" => add_display_arm(imp),
            "FromStr" => open_from_str(imp),
            "TryFrom" if converts_from_string(imp) => from_string.push(name.clone()),
            _ => {}
        }
    }
    for item in types.iter_mut() {
        if let syn::Item::Enum(e) = item
            && from_string.contains(&e.ident)
        {
            e.attrs
                .push(syn::parse_quote!(#[serde(try_from = "::std::string::String")]));
        }
    }
    opened.len()
}

/// Whether a `TryFrom` impl is `TryFrom<String>`.
fn converts_from_string(imp: &syn::ItemImpl) -> bool {
    let Some((path, _)) = &imp.trait_ else {
        return false;
    };
    let Some(syn::PathArguments::AngleBracketed(args)) = path.segments.last().map(|s| &s.arguments)
    else {
        return false;
    };
    matches!(
        args.args.first(),
        Some(syn::GenericArgument::Type(ty)) if last_segment(ty).is_some_and(|s| s.ident == "String")
    )
}

fn is_string_enum(e: &syn::ItemEnum) -> bool {
    !e.variants.is_empty()
        && e.variants
            .iter()
            .all(|v| matches!(v.fields, syn::Fields::Unit))
}

fn open_enum(e: &mut syn::ItemEnum) {
    remove_derive(&mut e.attrs, "Copy");
    e.variants.push(syn::parse_quote! {
        /// A value this API version's spec does not list (a newer daemon, another engine), kept
        /// as it came.
        #[serde(untagged)]
        Other(::std::string::String)
    });
}

fn add_display_arm(imp: &mut syn::ItemImpl) {
    walk_impl(imp, &mut |node| match node {
        Node::ExprMatch(m) => {
            m.arms
                .push(syn::parse_quote!(Self::Other(ref value) => f.write_str(value),));
            Walk::Over
        }
        _ => Walk::Into,
    });
}

fn open_from_str(imp: &mut syn::ItemImpl) {
    walk_impl(imp, &mut |node| match node {
        Node::ExprMatch(m) => {
            for arm in &mut m.arms {
                if matches!(arm.pat, syn::Pat::Wild(_)) {
                    arm.pat = syn::parse_quote!(other);
                    *arm.body = syn::parse_quote!(Ok(Self::Other(other.to_string())));
                }
            }
            Walk::Over
        }
        _ => Walk::Into,
    });
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;
    use crate::postprocess::test_file as file;

    #[test]
    fn string_enums_gain_other() {
        let mut f = file(quote! {
            pub mod types {
                #[derive(::serde::Deserialize, Clone, Copy, Debug, PartialEq)]
                pub enum Kind { #[serde(rename = "a")] A }
                impl ::std::fmt::Display for Kind {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        match *self { Self::A => f.write_str("a") }
                    }
                }
                impl ::std::str::FromStr for Kind {
                    type Err = String;
                    fn from_str(value: &str) -> Result<Self, String> {
                        match value { "a" => Ok(Self::A), _ => Err("invalid value".into()) }
                    }
                }
                impl ::std::convert::TryFrom<::std::string::String> for Kind {
                    type Error = String;
                    fn try_from(value: ::std::string::String) -> Result<Self, String> {
                        value.parse()
                    }
                }
                #[derive(::serde::Deserialize)]
                pub enum Bare { #[serde(rename = "b")] B }
                pub enum Data { B(u8) }
            }
        });
        assert_eq!(open_enums(&mut f), 2, "only the all-unit enums are opened");
        let code = prettyplease::unparse(&f);
        assert!(
            code.contains("#[serde(untagged)]\n        Other(::std::string::String)"),
            "{code}"
        );
        assert!(
            code.contains("Self::Other(ref value) => f.write_str(value)"),
            "{code}"
        );
        assert!(
            code.contains("other => Ok(Self::Other(other.to_string()))"),
            "{code}"
        );
        assert!(!code.contains("Copy"), "{code}");
        let serde_of = |name: &str| {
            let types = crate::tree::module_items(&f, "types").unwrap();
            types
                .iter()
                .find_map(|item| match item {
                    syn::Item::Enum(e) if e.ident == name => {
                        Some(crate::tree::serde_entries(&e.attrs))
                    }
                    _ => None,
                })
                .unwrap()
        };
        let try_from = (
            "try_from".to_string(),
            Some("::std::string::String".to_string()),
        );
        assert!(
            serde_of("Kind").contains(&try_from),
            "decoded through TryFrom<String>: {code}"
        );
        assert!(
            !serde_of("Bare").contains(&try_from),
            "which it lacks: {code}"
        );
    }
}
