//! The `bounded-errors` pass: error statuses are read by the crate's bounded reader.
//!
//! progenitor decodes an error status's body whole as the spec's `ErrorResponse`: a read with no
//! bound of whatever the daemon (or a proxy in front of it) sends, and a decoding error when the
//! body is not that JSON. The pass hands those responses to `crate::transport` instead, which
//! reads at most 1 MiB and keeps a non-JSON body as text with its status.

use syn::visit_mut::VisitMut;

use crate::tree::{is_call_to, visit_module_mut};

/// Error statuses are read by the crate's bounded reader instead of being decoded whole as the
/// spec's `ErrorResponse`: `Err(Error::ErrorResponse(<decode>))` arms become
/// `Err(Error::UnexpectedResponse(response))`, which `crate::transport::from_generated` hands to the
/// handwritten mapping (at most 1 MiB read, a non-JSON body kept as text with its status).
/// Returns how many arms were rewritten.
pub fn bounded_errors(file: &mut syn::File) -> usize {
    struct Bounded(usize);
    impl VisitMut for Bounded {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            if let syn::Expr::Call(call) = expr
                && is_call_to(&call.func, &["Err"])
                && let Some(syn::Expr::Call(inner)) = call.args.first()
                && is_call_to(&inner.func, &["Error", "ErrorResponse"])
            {
                *expr = syn::parse_quote!(Err(Error::UnexpectedResponse(response)));
                self.0 += 1;
                return;
            }
            syn::visit_mut::visit_expr_mut(self, expr);
        }
    }
    let mut pass = Bounded(0);
    visit_module_mut(file, "builder", &mut pass);
    pass.0
}
