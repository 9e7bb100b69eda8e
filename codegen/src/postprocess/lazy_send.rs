//! The `lazy-send` pass: an operation's request future is compiled where it is called.
//!
//! Every operation builder has an `async fn send` (and the private `send_generated` behind it).
//! An `async fn` that is not generic is compiled to machine code in the crate that defines it,
//! called or not, and with it the JSON decoding of its response type: for the default version,
//! 108 futures, a quarter of the client crate's own build (BENCHMARKS.md, "Where the client
//! crate's own compile goes"), paid by every consumer for the few operations its program calls.
//!
//! The pass turns each into an `#[inline]` function returning its body as an `async move` block:
//! the same signature for callers (a `Future` of the same output, `Send` when it was), but the
//! block's code is only generated in the crate that calls the function, for the operations it
//! calls. (An `#[inline] async fn` would not do: rustc still compiles its body where it is
//! defined.) It runs last, after every pass that edits these bodies, and after
//! `example-decoders`, which reads `send_generated`'s declared output.

use crate::tree::{inherent_impls_mut, methods_mut, module_items_mut};

/// The methods of an operation builder the pass rewrites.
const SEND_METHODS: [&str; 2] = ["send", "send_generated"];

/// Rewrites every operation builder's `async fn send`/`send_generated` as an `#[inline]` function
/// returning `impl Future` of an `async move` block; returns how many were rewritten.
pub fn lazy_send(file: &mut syn::File) -> usize {
    let Some(builders) = module_items_mut(file, "builder") else {
        return 0;
    };
    let mut n = 0;
    for imp in inherent_impls_mut(builders.iter_mut()) {
        for f in methods_mut(imp) {
            if f.sig.asyncness.is_none() || !SEND_METHODS.iter().any(|m| f.sig.ident == m) {
                continue;
            }
            let output = match &f.sig.output {
                syn::ReturnType::Default => syn::parse_quote!(()),
                syn::ReturnType::Type(_, ty) => (**ty).clone(),
            };
            f.sig.asyncness = None;
            f.sig.output = syn::parse_quote!(-> impl ::std::future::Future<Output = #output>);
            let body = &f.block;
            f.block = syn::parse_quote!({ async move #body });
            f.attrs.push(syn::parse_quote!(#[inline]));
            n += 1;
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
    fn send_methods_return_an_inline_future_of_the_same_output() {
        let mut f = file(quote! {
            pub mod builder {
                impl<'a> ContainerList<'a> {
                    pub fn all(mut self, value: bool) -> Self { self }
                    async fn send_generated(self) -> Result<ResponseValue<Vec<u8>>, Error<()>> {
                        let x = self.client.get()?;
                        Ok(x)
                    }
                    /// Sends the request.
                    pub async fn send(self) -> Result<Vec<u8>, crate::Error> {
                        crate::transport::from_generated(self.send_generated().await).await
                    }
                }
            }
        });
        assert_eq!(lazy_send(&mut f), 2);
        let code = prettyplease::unparse(&f);
        let compact: String = code.split_whitespace().collect();
        assert!(
            compact.contains(
                "#[inline]fnsend_generated(self,)->impl::std::future::Future<\
                 Output=Result<ResponseValue<Vec<u8>>,Error<()>>,>{asyncmove{\
                 letx=self.client.get()?;"
            ),
            "{code}"
        );
        assert!(
            compact.contains(
                "///Sendstherequest.#[inline]pubfnsend(self,)->\
                 impl::std::future::Future<Output=Result<Vec<u8>,crate::Error>>{asyncmove{"
            ),
            "{code}"
        );
        assert!(!code.contains("async fn"), "{code}");
        assert!(
            code.contains("pub fn all(mut self"),
            "other methods stay: {code}"
        );
        assert_eq!(lazy_send(&mut f), 0, "nothing left to rewrite");
    }
}
