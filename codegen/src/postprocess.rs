//! Passes over progenitor's output (as a `syn` tree), for what no setting of progenitor reaches.
//!
//! - [`client_new`]: progenitor's `Client::new` builds a reqwest client with a 15 s *total*
//!   timeout, which kills follow-mode logs, events, pulls and waits. It is rewritten to use the
//!   crate's HTTP client defaults (a connect timeout, no total timeout).
//! - [`open_enums`]: typify's enums are closed, so a value the spec does not know (a newer daemon,
//!   Podman) fails the whole response. Each string enum gets an `Other(String)` variant that keeps
//!   the unknown value, serialises it back unchanged, and leaves the known values typed.
//! - [`hooks`]: the `ClientHooks` implementation (progenitor's `HooksMode::Expected`), delegating
//!   to the crate's handwritten `hooks` module, with this version's per-operation request media
//!   types.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;
use syn::visit_mut::VisitMut;

use crate::Error;
use crate::convert::{X_CONTENT_TYPE, operations_mut};

/// Runs every pass; `doc` is the OpenAPI tree the tokens were generated from.
pub fn run(version: &str, doc: &Value, tokens: TokenStream) -> Result<syn::File, Error> {
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| Error::Syntax {
        version: version.to_string(),
        message: e.to_string(),
    })?;
    client_new(&mut file);
    open_enums(&mut file);
    file.items.extend(hooks(doc).items);
    Ok(file)
}

/// Replaces the body of `Client::new` so it uses `crate::http::default_client()`.
pub fn client_new(file: &mut syn::File) {
    for item in &mut file.items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || !is_path(&imp.self_ty, "Client") {
            continue;
        }
        for it in &mut imp.items {
            let syn::ImplItem::Fn(f) = it else { continue };
            if f.sig.ident == "new" {
                f.block = syn::parse_quote!({
                    Self::new_with_client(baseurl, crate::http::default_client(), inner)
                });
                f.attrs.retain(|a| !a.path().is_ident("doc"));
                f.attrs.push(syn::parse_quote!(
                    #[doc = "Creates a client for `baseurl` (scheme, host and the `/v1.NN` path stem) with the crate's HTTP defaults: a connect timeout and no total timeout, so long-running streams are not cut."]
                ));
            }
        }
    }
}

fn is_path(ty: &syn::Type, name: &str) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.is_ident(name))
}

/// Adds an `Other(String)` variant to every string enum in `mod types`.
///
/// A string enum is one whose variants are all unit variants; the new variant is
/// `#[serde(untagged)]`, so known values still (de)serialise as before and any other string is
/// kept as it came. `Copy` goes (a `String` is not `Copy`); `Display` and `FromStr` learn the new
/// variant, so `FromStr` no longer fails.
pub fn open_enums(file: &mut syn::File) -> usize {
    let Some(types) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    }) else {
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
    for item in types.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        let Some((trait_path, _)) = &imp.trait_ else {
            continue;
        };
        if !opened
            .iter()
            .any(|name| is_path(&imp.self_ty, &name.to_string()))
        {
            continue;
        }
        let trait_name = trait_path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        match trait_name.as_str() {
            "Display" => add_display_arm(imp),
            "FromStr" => open_from_str(imp),
            _ => {}
        }
    }
    opened.len()
}

fn is_string_enum(e: &syn::ItemEnum) -> bool {
    !e.variants.is_empty()
        && e.variants
            .iter()
            .all(|v| matches!(v.fields, syn::Fields::Unit))
}

fn open_enum(e: &mut syn::ItemEnum) {
    for attr in &mut e.attrs {
        if !attr.path().is_ident("derive") {
            continue;
        }
        if let Ok(list) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) {
            let kept = list.into_iter().filter(|p| !p.is_ident("Copy"));
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
    }
    e.variants.push(syn::parse_quote! {
        /// A value this API version's spec does not list (a newer daemon, another engine), kept
        /// as it came.
        #[serde(untagged)]
        Other(::std::string::String)
    });
}

fn add_display_arm(imp: &mut syn::ItemImpl) {
    struct Arm;
    impl VisitMut for Arm {
        fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
            m.arms
                .push(syn::parse_quote!(Self::Other(ref value) => f.write_str(value),));
        }
    }
    Arm.visit_item_impl_mut(imp);
}

fn open_from_str(imp: &mut syn::ItemImpl) {
    struct Arm;
    impl VisitMut for Arm {
        fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
            for arm in &mut m.arms {
                if matches!(arm.pat, syn::Pat::Wild(_)) {
                    arm.pat = syn::parse_quote!(other);
                    *arm.body = syn::parse_quote!(Ok(Self::Other(other.to_string())));
                }
            }
        }
    }
    Arm.visit_item_impl_mut(imp);
}

/// The `ClientHooks` impl for this version's `Client`.
pub fn hooks(doc: &Value) -> syn::File {
    let mut doc = doc.clone();
    let mut media: Vec<(String, String)> = operations_mut(&mut doc)
        .filter_map(|(_, _, op)| {
            let media = op.get(X_CONTENT_TYPE)?.as_str()?.to_string();
            let id = op.get("operationId")?.as_str()?;
            Some((heck::ToSnakeCase::to_snake_case(id), media))
        })
        .collect();
    media.sort();
    let entries = media.iter().map(|(id, m)| quote!((#id, #m)));
    syn::parse_quote! {
        /// Request media types the spec names but progenitor sends as `application/octet-stream`,
        /// by operation id.
        const REQUEST_MEDIA_TYPES: &[(&str, &str)] = &[#(#entries),*];

        impl ClientHooks<crate::hooks::Hooks> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &OperationInfo,
            ) -> std::result::Result<(), Error<E>> {
                crate::hooks::pre(&self.inner, request, info.operation_id, REQUEST_MEDIA_TYPES);
                Ok(())
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                info: &OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                crate::hooks::exec(&self.inner, &self.client, request, info.operation_id).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(tokens: TokenStream) -> syn::File {
        syn::parse2(tokens).unwrap()
    }

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
                pub enum Data { B(u8) }
            }
        });
        assert_eq!(open_enums(&mut f), 1, "only the all-unit enum is opened");
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
    }

    #[test]
    fn client_new_uses_crate_defaults() {
        let mut f = file(quote! {
            impl Client {
                pub fn new(baseurl: &str, inner: X) -> Self {
                    let dur = ::std::time::Duration::from_secs(15u64);
                    Self::new_with_client(baseurl, reqwest::ClientBuilder::new().timeout(dur).build().unwrap(), inner)
                }
            }
        });
        client_new(&mut f);
        let code = prettyplease::unparse(&f);
        assert!(
            code.contains("crate::http::default_client()") && !code.contains("from_secs"),
            "{code}"
        );
    }

    #[test]
    fn hooks_carry_the_request_media_types() {
        let doc = serde_json::json!({"paths": {"/build": {"post": {"operationId": "ImageBuild", X_CONTENT_TYPE: "application/x-tar"}}}});
        let code = prettyplease::unparse(&hooks(&doc));
        assert!(
            code.contains("(\"image_build\", \"application/x-tar\")"),
            "{code}"
        );
    }
}
