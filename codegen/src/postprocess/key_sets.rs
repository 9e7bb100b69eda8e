//! The `key-sets` pass: maps whose every value must be `{}` are sets of their keys.
//!
//! Docker writes a set of strings as a JSON object of empty objects: `ExposedPorts` is
//! `{"80/tcp": {}, "53/udp": {}}`, a container's `Volumes` is `{"/data": {}}`. The spec says so
//! with a map whose values are an `enum` of the one value `{}`, and typify makes that value a type
//! of its own per field (`ContainerCreateBodyExposedPortsValue`, a validated `serde_json::Map`),
//! which a caller had to name and `default()` for every port. The pass makes each such field a
//! `BTreeSet<String>` of the keys, (de)serialised as the same object by the crate's
//! `transport::key_set` (sorted: the same body for the same set), and removes the value types.
//! Values other than `{}` are ignored when decoding rather than failing the whole response.

use std::collections::BTreeSet;

use crate::tree::{
    Seen, add_doc, impl_is_about, last_segment, look_fields, look_type, module_items_mut,
    trait_impls, type_args,
};

/// Where the generated code finds the (de)serialiser of a key set.
const KEY_SET_SERDE: &str = "crate::transport::key_set";

/// Rewrites every optional field of `mod types` that is a map of an empty-object value type into
/// an optional `BTreeSet<String>` (de)serialised by `crate::transport::key_set`, then removes the value
/// types no longer used; returns how many fields changed.
pub fn key_sets(file: &mut syn::File) -> usize {
    let Some(types) = module_items_mut(file, "types") else {
        return 0;
    };
    let empty_objects = empty_object_types(types);
    if empty_objects.is_empty() {
        return 0;
    }
    let mut n = 0;
    for item in types.iter_mut() {
        let syn::Item::Struct(s) = item else {
            continue;
        };
        let syn::Fields::Named(fields) = &mut s.fields else {
            continue;
        };
        for field in &mut fields.named {
            if !is_optional_map_of(&field.ty, &empty_objects) {
                continue;
            }
            field.ty = syn::parse_quote!(
                ::std::option::Option<::std::collections::BTreeSet<::std::string::String>>
            );
            add_doc(
                &mut field.attrs,
                " A set of keys: on the wire, an object mapping each one to `{}`.",
            );
            field
                .attrs
                .push(syn::parse_quote!(#[serde(default, with = #KEY_SET_SERDE)]));
            n += 1;
        }
    }
    let still_used = used_type_names(types);
    let unused: BTreeSet<String> = empty_objects
        .into_iter()
        .filter(|name| !still_used.contains(name))
        .collect();
    types.retain(|item| match item {
        syn::Item::Struct(s) => !unused.contains(&s.ident.to_string()),
        syn::Item::Impl(imp) => !impl_is_about(imp, &unused),
        _ => true,
    });
    n
}

/// The value types that can only be `{}`: transparent newtypes of a private `serde_json::Map`
/// that are checked on conversion (a `TryFrom` impl; typify's form of `enum: [{}]`).
fn empty_object_types(types: &[syn::Item]) -> BTreeSet<String> {
    let checked: BTreeSet<String> = trait_impls(types)
        .filter(|(name, _)| name == "TryFrom")
        .filter_map(|(_, imp)| match &*imp.self_ty {
            syn::Type::Path(p) => p.path.get_ident().map(ToString::to_string),
            _ => None,
        })
        .collect();
    types
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s),
            _ => None,
        })
        .filter(|s| {
            let syn::Fields::Unnamed(fields) = &s.fields else {
                return false;
            };
            fields.unnamed.len() == 1
                && fields.unnamed.iter().all(|f| {
                    matches!(f.vis, syn::Visibility::Inherited)
                        && last_segment(&f.ty).is_some_and(|seg| seg.ident == "Map")
                })
        })
        .map(|s| s.ident.to_string())
        .filter(|name| checked.contains(name))
        .collect()
}

/// Whether `ty` is `Option<HashMap<String, V>>` with `V` one of `values`.
fn is_optional_map_of(ty: &syn::Type, values: &BTreeSet<String>) -> bool {
    let named = |t: &syn::Type, name: &dyn Fn(&str) -> bool| {
        last_segment(t).is_some_and(|s| name(&s.ident.to_string()))
    };
    let [map] = type_args(ty)[..] else {
        return false;
    };
    let [key, value] = type_args(map)[..] else {
        return false;
    };
    named(ty, &|n| n == "Option")
        && named(map, &|n| n == "HashMap")
        && named(key, &|n| n == "String")
        && named(value, &|n| values.contains(n))
}

/// The names of the types that the fields of `items`' structs and enums use.
fn used_type_names(items: &[syn::Item]) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut note = |node: Seen<'_>| {
        if let Seen::Path(path) = node
            && let Some(last) = path.segments.last()
        {
            used.insert(last.ident.to_string());
        }
    };
    for item in items {
        match item {
            syn::Item::Struct(s) => look_fields(&s.fields, &mut note),
            syn::Item::Enum(e) => e
                .variants
                .iter()
                .for_each(|v| look_fields(&v.fields, &mut note)),
            syn::Item::Type(t) => look_type(&t.ty, &mut note),
            _ => {}
        }
    }
    used
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;
    use crate::postprocess::test_file as file;

    #[test]
    fn maps_of_empty_objects_become_key_sets() {
        let mut f = file(quote! {
            pub mod types {
                pub struct ContainerConfig {
                    #[serde(rename = "ExposedPorts", skip_serializing_if = "::std::option::Option::is_none")]
                    pub exposed_ports: ::std::option::Option<
                        ::std::collections::HashMap<::std::string::String, ContainerConfigExposedPortsValue>,
                    >,
                    #[serde(rename = "Labels", skip_serializing_if = "::std::option::Option::is_none")]
                    pub labels: ::std::option::Option<
                        ::std::collections::HashMap<::std::string::String, ::std::string::String>,
                    >,
                }
                #[serde(transparent)]
                pub struct ContainerConfigExposedPortsValue(
                    ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                );
                impl ::std::convert::From<ContainerConfigExposedPortsValue>
                    for ::serde_json::Map<::std::string::String, ::serde_json::Value> {
                    fn from(value: ContainerConfigExposedPortsValue) -> Self { value.0 }
                }
                impl ::std::default::Default for ContainerConfigExposedPortsValue {
                    fn default() -> Self { ContainerConfigExposedPortsValue([].into_iter().collect()) }
                }
                impl ::std::convert::TryFrom<::serde_json::Map<::std::string::String, ::serde_json::Value>>
                    for ContainerConfigExposedPortsValue {
                    type Error = self::error::ConversionError;
                    fn try_from(value: ::serde_json::Map<::std::string::String, ::serde_json::Value>)
                        -> ::std::result::Result<Self, self::error::ConversionError> { Ok(Self(value)) }
                }
                // Not checked: an object of anything, kept.
                pub struct Options(::serde_json::Map<::std::string::String, ::serde_json::Value>);
            }
        });
        assert_eq!(key_sets(&mut f), 1);
        let code = prettyplease::unparse(&f);
        assert!(
            code.contains(
                "#[serde(default, with = \"crate::transport::key_set\")]\n        pub exposed_ports: ::std::option::Option<\n            ::std::collections::BTreeSet<::std::string::String>,\n        >,"
            ),
            "{code}"
        );
        assert!(
            code.contains(
                "::std::collections::HashMap<::std::string::String, ::std::string::String>"
            ),
            "other maps stay: {code}"
        );
        assert!(!code.contains("ContainerConfigExposedPortsValue"), "{code}");
        assert!(code.contains("pub struct Options"), "{code}");
    }
}
