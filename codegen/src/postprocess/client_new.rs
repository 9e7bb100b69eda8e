//! The `client-new` pass: `Client::new` with the crate's HTTP defaults.
//!
//! progenitor's `Client::new` builds its HTTP client with a 15 s total timeout, which cuts
//! every long-running call (follow-mode logs, events, pulls, waits) mid-stream. The body is
//! replaced by one that takes `crate::transport::default_client()`: a connect timeout and no total
//! timeout.

use crate::tree::{inherent_impls_mut, is_path, methods_mut};

/// Replaces the body of `Client::new` so it uses `crate::transport::default_client()`; returns
/// how many were replaced.
pub fn client_new(file: &mut syn::File) -> usize {
    let mut n = 0;
    let clients = inherent_impls_mut(&mut file.items).filter(|imp| is_path(&imp.self_ty, "Client"));
    for imp in clients {
        for f in methods_mut(imp) {
            if f.sig.ident == "new" {
                f.block = syn::parse_quote!({
                    Self::new_with_client(baseurl, crate::transport::default_client(), inner)
                });
                f.attrs.retain(|a| !a.path().is_ident("doc"));
                f.attrs.push(syn::parse_quote!(
                    #[doc = "Creates a client for `baseurl` (scheme, host and the `/v1.NN` path stem) with the crate's HTTP defaults: a connect timeout and no total timeout, so long-running streams are not cut."]
                ));
                n += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;
    use crate::postprocess::test_file as file;

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
            code.contains("crate::transport::default_client()") && !code.contains("from_secs"),
            "{code}"
        );
    }
}
