//! The `typed-errors` pass: operation builders' `send()` returns the crate's `Error`.
//!
//! progenitor's `send()` returns `Result<ResponseValue<T>, progenitor_client::Error<E>>`, which
//! would put progenitor's and reqwest's types in the crate's public API and leave every caller to
//! map them. The pass keeps progenitor's method, private, as `send_generated`, and adds a `send`
//! (with its docs) that maps the error with `crate::transport::from_generated`.

use crate::tree::{inherent_impls_mut, method_name, methods_mut, module_items_mut, self_type_name};

/// Wraps every operation builder's `send` so that it returns `crate::Error`; returns how many
/// were wrapped.
pub fn typed_errors(file: &mut syn::File) -> usize {
    let mut n = 0;
    let Some(builders) = module_items_mut(file, "builder") else {
        return 0;
    };
    for imp in inherent_impls_mut(builders.iter_mut()) {
        let Some(name) = self_type_name(imp) else {
            continue;
        };
        let operation = method_name(&name);
        let mut wrapper = None;
        for f in methods_mut(imp) {
            if f.sig.ident != "send" {
                continue;
            }
            let Some(ok) = ok_type(&f.sig.output) else {
                continue;
            };
            let docs: Vec<syn::Attribute> = f
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"))
                .cloned()
                .collect();
            f.attrs.retain(|a| !a.path().is_ident("doc"));
            f.sig.ident = syn::parse_quote!(send_generated);
            f.vis = syn::Visibility::Inherited;
            wrapper = Some(syn::parse_quote! {
                #(#docs)*
                pub async fn send(self) -> ::std::result::Result<#ok, crate::Error> {
                    let hooks = self.client.inner.clone();
                    crate::transport::from_generated(self.send_generated().await, &hooks, #operation).await
                }
            });
        }
        if let Some(wrapper) = wrapper {
            imp.items.push(syn::ImplItem::Fn(wrapper));
            n += 1;
        }
    }
    n
}

/// `T` of a `Result<T, E>` return type.
fn ok_type(output: &syn::ReturnType) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let syn::Type::Path(p) = &**ty else {
        return None;
    };
    let last = p.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}
