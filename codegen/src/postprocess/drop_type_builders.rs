//! The `drop-type-builders` pass: no per-type builders in `mod types`.
//!
//! typify generates a builder for every type (`types::builder::X`, `X::builder()`): more than half
//! of the generated code and of its compile time, for what a struct literal with
//! `..Default::default()` does. The pass removes them and points the operation builders (which
//! progenitor makes hold a type builder for their body) at the plain body types; where a body's
//! plain type has no `Default` (a type builder always has one), the body starts out "not set".
//! The builders' items are not even parsed: [`hollow_type_builders`] empties their module in
//! progenitor's tokens first.

use std::collections::BTreeSet;

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

use crate::tree::{
    Node, Walk, derives, inherent_impls_mut, method, module_items_mut, self_type_name,
    set_body_in_new, structs, trait_impls, walk_module,
};

/// Empties `mod types { .. mod builder { .. } }` in progenitor's tokens, before they are parsed:
/// the module is about a fifth of them, and [`drop_type_builders`] removes it whole, so parsing
/// its items would be wasted (about 0.2 s of a consumer's build-script run). The module itself
/// stays, for the pass to find and count. Anything else, including the operation builders' `mod
/// builder` at the top level, is passed through as it is.
pub fn hollow_type_builders(tokens: TokenStream) -> TokenStream {
    map_module(tokens, "types", |types| {
        map_module(types, "builder", |_| TokenStream::new())
    })
}

/// Replaces the body of the first `mod <name> { .. }` among `tokens`' own trees (not nested ones)
/// with `f` of it.
fn map_module(
    tokens: TokenStream,
    name: &str,
    f: impl FnOnce(TokenStream) -> TokenStream,
) -> TokenStream {
    let mut f = Some(f);
    let mut out = Vec::new();
    // The last two trees: `mod` then the name put the next brace group in the module's place.
    let (mut after_mod, mut named) = (false, false);
    for tree in tokens {
        let tree = match tree {
            TokenTree::Group(group) if named && group.delimiter() == Delimiter::Brace => {
                match f.take() {
                    Some(f) => {
                        let mut body = Group::new(Delimiter::Brace, f(group.stream()));
                        body.set_span(group.span());
                        TokenTree::Group(body)
                    }
                    None => TokenTree::Group(group),
                }
            }
            tree => tree,
        };
        named = after_mod && matches!(&tree, TokenTree::Ident(i) if i == name);
        after_mod = matches!(&tree, TokenTree::Ident(i) if i == "mod");
        out.push(tree);
    }
    out.into_iter().collect()
}

/// Removes `types::builder` and `T::builder()`, and makes the operation builders hold the plain
/// body types; returns how many items were removed and paths and initialisers rewritten.
pub fn drop_type_builders(file: &mut syn::File) -> usize {
    let mut n = 0;
    let mut with_default = BTreeSet::new();
    if let Some(types) = module_items_mut(file, "types") {
        n += remove_type_builders(types);
        with_default = types_with_default(types);
    }
    walk_module(file, "builder", &mut |node| {
        if let Node::Path(path) = node {
            n += usize::from(plain_type_path(path));
        }
        Walk::Into
    });
    let Some(builders) = module_items_mut(file, "builder") else {
        return n;
    };
    n + unset_bodies_without_default(builders, &with_default)
}

/// Removes the `builder` module of `mod types` and every type's `builder()`, then the inherent
/// impls left empty; returns how many modules and methods went.
fn remove_type_builders(types: &mut Vec<syn::Item>) -> usize {
    let mut n = 0;
    let before = types.len();
    types.retain(|item| !matches!(item, syn::Item::Mod(m) if m.ident == "builder"));
    n += before - types.len();
    for imp in inherent_impls_mut(types.iter_mut()) {
        let before = imp.items.len();
        imp.items
            .retain(|it| !matches!(it, syn::ImplItem::Fn(f) if f.sig.ident == "builder"));
        n += before - imp.items.len();
    }
    types.retain(|item| !matches!(item, syn::Item::Impl(imp) if imp.trait_.is_none() && imp.items.is_empty()));
    n
}

/// The names of the types of `mod types` that have a `Default` (derived or implemented).
fn types_with_default(types: &[syn::Item]) -> BTreeSet<String> {
    let derived = structs(types)
        .filter(|s| derives(&s.attrs, "Default"))
        .map(|s| s.ident.to_string());
    let implemented = trait_impls(types)
        .filter(|(name, _)| name == "Default")
        .filter_map(|(_, imp)| self_type_name(imp));
    derived.chain(implemented).collect()
}

/// `types::builder::X` → `types::X`; whether `path` was one.
fn plain_type_path(path: &mut syn::Path) -> bool {
    let idents: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    if idents.len() == 3 && idents[0] == "types" && idents[1] == "builder" {
        let mut segments = path.segments.clone().into_iter().collect::<Vec<_>>();
        segments.remove(1);
        path.segments = segments.into_iter().collect();
        return true;
    }
    false
}

/// In each operation builder's `new`, the initialiser of a body whose type has no `Default`
/// becomes "not set"; returns how many changed.
fn unset_bodies_without_default(
    builders: &mut [syn::Item],
    with_default: &BTreeSet<String>,
) -> usize {
    let unset: syn::Expr = syn::parse_quote!(Err("body was not set".to_string()));
    inherent_impls_mut(builders)
        .filter(|imp| body_type_of(imp).is_some_and(|ty| !with_default.contains(&ty)))
        .map(|imp| set_body_in_new(imp, &unset))
        .sum()
}

/// The body type named by an operation builder's `body_map` method, if it has one: the `X` of its
/// `F: FnOnce(types::X) -> types::X` bound.
fn body_type_of(imp: &syn::ItemImpl) -> Option<String> {
    let generics = &method(imp, "body_map")?.sig.generics;
    let param_bounds = generics.params.iter().flat_map(|p| match p {
        syn::GenericParam::Type(t) => t.bounds.iter().collect(),
        _ => Vec::new(),
    });
    let where_bounds = generics
        .where_clause
        .iter()
        .flat_map(|w| w.predicates.iter())
        .flat_map(|p| match p {
            syn::WherePredicate::Type(t) => t.bounds.iter().collect(),
            _ => Vec::new(),
        });
    param_bounds
        .chain(where_bounds)
        .find_map(fn_once_types_input)
}

/// `X` of a `FnOnce(types::X) -> ..` bound.
fn fn_once_types_input(bound: &syn::TypeParamBound) -> Option<String> {
    let syn::TypeParamBound::Trait(t) = bound else {
        return None;
    };
    let last = t.path.segments.last()?;
    if last.ident != "FnOnce" {
        return None;
    }
    let syn::PathArguments::Parenthesized(args) = &last.arguments else {
        return None;
    };
    let syn::Type::Path(input) = &args.inputs.first()?.ty else {
        return None;
    };
    match input.path.segments.iter().collect::<Vec<_>>().as_slice() {
        [module, name] if module.ident == "types" => Some(name.ident.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    #[test]
    fn only_the_type_builders_are_hollowed() {
        let tokens = quote! {
            pub mod types {
                pub struct A { x: i64 }
                pub mod builder { pub struct A { x: Result<i64, String> } }
                pub mod other { pub mod builder { pub struct B; } }
            }
            pub mod builder { pub struct ContainerList<'a> { client: &'a () } }
        };
        let expected = quote! {
            pub mod types {
                pub struct A { x: i64 }
                pub mod builder {}
                pub mod other { pub mod builder { pub struct B; } }
            }
            pub mod builder { pub struct ContainerList<'a> { client: &'a () } }
        };
        assert_eq!(
            hollow_type_builders(tokens).to_string(),
            expected.to_string()
        );
    }

    #[test]
    fn body_types_are_read_from_body_map() {
        let imp: syn::ItemImpl = syn::parse_quote! {
            impl<'a> ContainerCreate<'a> {
                pub fn body_map<F>(mut self, f: F) -> Self
                where
                    F: std::ops::FnOnce(types::ContainerCreateBody) -> types::ContainerCreateBody,
                {
                    self.body = self.body.map(f);
                    self
                }
            }
        };
        assert_eq!(body_type_of(&imp).as_deref(), Some("ContainerCreateBody"));
    }
}
