//! The `registry-credentials` pass: registry headers take credentials, not strings.
//!
//! The spec types `X-Registry-Auth` and `X-Registry-Config` as strings, so progenitor's setters
//! take any string and leave the caller to build the base64url JSON the daemon decodes (and to
//! get it wrong). The pass makes them take `&crate::auth::Credentials` and
//! `&crate::auth::RegistryConfig`, which encode themselves.

use crate::tree::{Seen, inherent_impls_mut, look_block, methods_mut, module_items_mut};

/// Rewrites the builders' `x_registry_auth` and `x_registry_config` setters to take the crate's
/// credential types; returns how many were rewritten.
pub fn registry_credentials(file: &mut syn::File) -> usize {
    let Some(builders) = module_items_mut(file, "builder") else {
        return 0;
    };
    let mut rewritten = 0;
    for imp in inherent_impls_mut(builders.iter_mut()) {
        for f in methods_mut(imp) {
            let (ty, header): (syn::Type, &str) = match f.sig.ident.to_string().as_str() {
                "x_registry_auth" => (
                    syn::parse_quote!(crate::auth::Credentials),
                    "Registry credentials, sent as `X-Registry-Auth`.",
                ),
                "x_registry_config" => (
                    syn::parse_quote!(crate::auth::RegistryConfig),
                    "Credentials for each registry the build may pull from, sent as `X-Registry-Config`.",
                ),
                _ => continue,
            };
            // Optional headers are stored as `Ok(Some(..))`, required ones as `Ok(..)`.
            let optional = wraps_in_some(&f.block);
            let field = &f.sig.ident;
            let value: syn::Expr = if optional {
                syn::parse_quote!(Some(value.header_value()))
            } else {
                syn::parse_quote!(value.header_value())
            };
            *f = syn::parse_quote! {
                #[doc = #header]
                pub fn #field(mut self, value: &#ty) -> Self {
                    self.#field = Ok(#value);
                    self
                }
            };
            rewritten += 1;
        }
    }
    rewritten
}

/// Whether a setter stores its value as `Some(..)`: progenitor's optional parameters are set with
/// `value.try_into().map(Some)...`, required ones without the `.map(Some)`.
fn wraps_in_some(block: &syn::Block) -> bool {
    let mut found = false;
    look_block(block, &mut |node| {
        if let Seen::MethodCall(call) = node
            && call.method == "map"
            && call.args.len() == 1
            && matches!(call.args.first(), Some(syn::Expr::Path(p)) if p.path.is_ident("Some"))
        {
            found = true;
        }
    });
    found
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;
    use crate::postprocess::test_file as file;

    #[test]
    fn registry_headers_take_credentials() {
        let mut f = file(quote! {
            pub mod builder {
                impl<'a> ImagePush<'a> {
                    pub fn x_registry_auth<V>(mut self, value: V) -> Self
                    where V: std::convert::TryInto<::std::string::String> {
                        self.x_registry_auth = value.try_into().map_err(|_| "failed".to_string());
                        self
                    }
                }
                impl<'a> ImageBuild<'a> {
                    pub fn x_registry_config<V>(mut self, value: V) -> Self
                    where V: std::convert::TryInto<::std::string::String> {
                        self.x_registry_config = value.try_into().map(Some).map_err(|_| "failed".to_string());
                        self
                    }
                    pub fn tag<V>(mut self, value: V) -> Self { self }
                }
            }
        });
        assert_eq!(registry_credentials(&mut f), 2);
        let code = prettyplease::unparse(&f);
        assert!(
            code.contains("pub fn x_registry_auth(mut self, value: &crate::auth::Credentials)")
                && code.contains("self.x_registry_auth = Ok(value.header_value());"),
            "{code}"
        );
        assert!(
            code.contains(
                "pub fn x_registry_config(mut self, value: &crate::auth::RegistryConfig)"
            ) && code.contains("self.x_registry_config = Ok(Some(value.header_value()));"),
            "{code}"
        );
        assert!(code.contains("pub fn tag<V>"), "{code}");
    }
}
