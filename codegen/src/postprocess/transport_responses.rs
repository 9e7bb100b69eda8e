//! The `transport-responses` pass: responses are wrapped by `crate::transport`.
//!
//! progenitor's `ResponseValue::stream`, `from_response` and `empty` clone every response's
//! headers into the value they return (measured: ~10% of the client's instructions per
//! `/_ping`). The pass reroutes those calls to `crate::transport`'s equivalents, which move them.

use quote::quote;

use crate::tree::{Node, Walk, walk_module};

/// Routes the operation builders' response wrapping (`ResponseValue::stream`, `from_response`,
/// `empty`) through `crate::transport`; returns how many calls were rerouted.
pub fn transport_responses(file: &mut syn::File) -> usize {
    let mut rerouted = 0;
    walk_module(file, "builder", &mut |node| {
        if let Node::ExprCall(call) = node
            && let syn::Expr::Path(p) = &mut *call.func
        {
            let segments: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            if let [first, second] = segments.as_slice()
                && first == "ResponseValue"
            {
                let replacement = match second.as_str() {
                    "stream" => Some(quote!(crate::transport::stream_response)),
                    "from_response" => Some(quote!(crate::transport::json_response)),
                    "empty" => Some(quote!(crate::transport::empty_response)),
                    _ => None,
                };
                if let Some(r) = replacement {
                    p.path = syn::parse_quote!(#r);
                    rerouted += 1;
                }
            }
        }
        Walk::Into
    });
    rerouted
}
