//! The `transport-responses` pass: responses are wrapped by `crate::transport`.
//!
//! progenitor's `ResponseValue::stream`, `from_response` and `empty` clone every response's
//! headers into the value they return (measured: ~10% of the client's instructions per
//! `/_ping`). The pass reroutes those calls to `crate::transport`'s equivalents, which move them.

use quote::quote;
use syn::visit_mut::VisitMut;

use crate::tree::visit_module_mut;

/// Routes the operation builders' response wrapping (`ResponseValue::stream`, `from_response`,
/// `empty`) through `crate::transport`; returns how many calls were rerouted.
pub fn transport_responses(file: &mut syn::File) -> usize {
    struct Transport(usize);
    impl VisitMut for Transport {
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            if let syn::Expr::Path(p) = &mut *call.func {
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
                        self.0 += 1;
                    }
                }
            }
            syn::visit_mut::visit_expr_call_mut(self, call);
        }
    }
    let mut pass = Transport(0);
    visit_module_mut(file, "builder", &mut pass);
    pass.0
}
