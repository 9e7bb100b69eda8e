//! The `collection-aliases` pass: a definition that is only a map or a list is that map or list.
//!
//! typify makes a named definition whose schema is a plain map or list (`PortMap`, a map of port
//! to bindings; `GenericResources`, a list) a newtype around the collection, with `Deref` and
//! `From` but no `DerefMut`, `Default`, `FromIterator` or `IntoIterator`: a port map had to be
//! built as a `HashMap` and wrapped, and could not be edited in place. The pass makes such a
//! definition a type alias of its collection: the name, and its docs, stay; everything a map or a
//! list does works on it directly (`PortMap::new()`, `insert`, `collect()`, iteration). The
//! newtype was `#[serde(transparent)]`, so the wire format is the same.

use std::collections::BTreeSet;

use crate::tree::{impl_is_about, is_doc, last_segment, module_items_mut, serde_entries};

/// Replaces each unconstrained newtype of a map or list in `mod types` (a tuple struct with one
/// `pub` field of type `HashMap`, `BTreeMap` or `Vec`, `#[serde(transparent)]`) with a type alias
/// of that collection, and removes the newtype's impls (`Deref`, the `From`s both ways); returns
/// how many newtypes became aliases.
pub fn collection_aliases(file: &mut syn::File) -> usize {
    let Some(types) = module_items_mut(file, "types") else {
        return 0;
    };
    let mut aliased = BTreeSet::new();
    for item in types.iter_mut() {
        let syn::Item::Struct(s) = item else {
            continue;
        };
        let Some(inner) = collection_newtype(s) else {
            continue;
        };
        let attrs = s.attrs.iter().filter(|a| is_doc(a));
        let (vis, ident) = (&s.vis, &s.ident);
        aliased.insert(ident.to_string());
        *item = syn::parse_quote! {
            #(#attrs)*
            #vis type #ident = #inner;
        };
    }
    types.retain(|item| match item {
        syn::Item::Impl(imp) => !impl_is_about(imp, &aliased),
        _ => true,
    });
    aliased.len()
}

/// The collection a struct wraps, if it is a transparent newtype with a public map or list field.
fn collection_newtype(s: &syn::ItemStruct) -> Option<syn::Type> {
    let syn::Fields::Unnamed(fields) = &s.fields else {
        return None;
    };
    let [field] = fields.unnamed.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let transparent = serde_entries(&s.attrs)
        .iter()
        .any(|(key, _)| key == "transparent");
    let collection = last_segment(&field.ty).is_some_and(|seg| {
        ["HashMap", "BTreeMap", "Vec"]
            .iter()
            .any(|c| seg.ident == c)
    });
    (transparent && collection && matches!(field.vis, syn::Visibility::Public(_)))
        .then(|| field.ty.clone())
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;
    use crate::postprocess::test_file as file;

    #[test]
    fn map_and_list_newtypes_become_aliases() {
        let mut f = file(quote! {
            pub mod types {
                ///Port to bindings.
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
                #[serde(transparent)]
                pub struct PortMap(
                    pub ::std::collections::HashMap<::std::string::String, ::std::option::Option<::std::vec::Vec<PortBinding>>>,
                );
                impl ::std::ops::Deref for PortMap {
                    type Target = ::std::collections::HashMap<::std::string::String, ::std::option::Option<::std::vec::Vec<PortBinding>>>;
                    fn deref(&self) -> &Self::Target { &self.0 }
                }
                impl ::std::convert::From<PortMap> for ::std::collections::HashMap<::std::string::String, ::std::option::Option<::std::vec::Vec<PortBinding>>> {
                    fn from(value: PortMap) -> Self { value.0 }
                }
                #[derive(::serde::Serialize, Clone, Debug, PartialEq)]
                #[serde(transparent)]
                pub struct GenericResources(pub ::std::vec::Vec<GenericResourcesItem>);
                impl ::std::convert::From<::std::vec::Vec<GenericResourcesItem>> for GenericResources {
                    fn from(value: ::std::vec::Vec<GenericResourcesItem>) -> Self { Self(value) }
                }
                // Constrained (private field): kept.
                #[derive(::serde::Serialize)]
                #[serde(transparent)]
                pub struct ChangeType(u8);
                impl ::std::ops::Deref for ChangeType {
                    type Target = u8;
                    fn deref(&self) -> &u8 { &self.0 }
                }
                // A newtype of a struct: kept.
                #[serde(transparent)]
                pub struct NetworkSummary(pub Network);
            }
        });
        assert_eq!(collection_aliases(&mut f), 2);
        let code = prettyplease::unparse(&f);
        assert!(
            code.contains(
                "///Port to bindings.\n    pub type PortMap = ::std::collections::HashMap<"
            ),
            "{code}"
        );
        assert!(
            code.contains("pub type GenericResources = ::std::vec::Vec<GenericResourcesItem>;"),
            "{code}"
        );
        assert!(
            !code.contains("for PortMap") && !code.contains("From<PortMap>"),
            "{code}"
        );
        assert!(!code.contains("for GenericResources"), "{code}");
        assert!(code.contains("pub struct ChangeType(u8)"), "{code}");
        assert!(
            code.contains("impl ::std::ops::Deref for ChangeType"),
            "{code}"
        );
        assert!(
            code.contains("pub struct NetworkSummary(pub Network)"),
            "{code}"
        );
    }
}
