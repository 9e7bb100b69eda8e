//! The `bounded-errors` pass: error statuses are read by the crate's bounded reader.
//!
//! progenitor decodes an error status's body whole as the spec's `ErrorResponse`: a read with no
//! bound of whatever the daemon (or a proxy in front of it) sends, and a decoding error when the
//! body is not that JSON. The pass hands those responses to `crate::transport` instead, which
//! reads at most 1 MiB and keeps a non-JSON body as text with its status.

use crate::tree::{Node, Walk, is_call_to, walk_module};

/// Error statuses are read by the crate's bounded reader instead of being decoded whole as the
/// spec's `ErrorResponse`: `Err(Error::ErrorResponse(<decode>))` arms become
/// `Err(Error::UnexpectedResponse(response))`, which `crate::transport::from_generated` hands to the
/// handwritten mapping (at most 1 MiB read, a non-JSON body kept as text with its status).
/// Returns how many arms were rewritten.
pub fn bounded_errors(file: &mut syn::File) -> usize {
    let mut rewritten = 0;
    walk_module(file, "builder", &mut |node| {
        if let Node::Expr(expr) = node
            && let syn::Expr::Call(call) = expr
            && is_call_to(&call.func, &["Err"])
            && let Some(syn::Expr::Call(inner)) = call.args.first()
            && is_call_to(&inner.func, &["Error", "ErrorResponse"])
        {
            *expr = syn::parse_quote!(Err(Error::UnexpectedResponse(response)));
            rewritten += 1;
            return Walk::Over;
        }
        Walk::Into
    });
    rewritten
}
