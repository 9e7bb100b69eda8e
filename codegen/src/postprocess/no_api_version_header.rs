//! The `no-api-version-header` pass: requests go without progenitor's `api-version` header.
//!
//! progenitor adds an informational `api-version` header (the spec's `info.version`) to every
//! request. Docker ignores it (the version is in the path), so it is only bytes on the wire and
//! a header map allocated one slot larger; the pass removes the header and that slot.

use crate::tree::{Node, Walk, walk_module};

/// Drops the `api-version` header from the operation builders' requests (and one from the
/// capacity of the header map built beside it); returns how many headers were dropped.
pub fn no_api_version_header(file: &mut syn::File) -> usize {
    let mut dropped = 0;
    walk_module(file, "builder", &mut |node| {
        if let Node::Block(block) = node {
            let before = block.stmts.len();
            block.stmts.retain(|stmt| !is_api_version_header(stmt));
            if block.stmts.len() < before {
                dropped += before - block.stmts.len();
                // The block's `HeaderMap::with_capacity(n)`: one header fewer now.
                for stmt in &mut block.stmts {
                    if let Some(capacity) = header_map_capacity(stmt)
                        && let syn::Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Int(n),
                            ..
                        }) = capacity
                        && let Ok(n) = n.base10_parse::<usize>()
                    {
                        let n = n.saturating_sub(1);
                        *capacity = syn::parse_quote!(#n);
                    }
                }
            }
        }
        Walk::Into
    });
    dropped
}

/// Whether `stmt` is progenitor's
/// `header_map.append(HeaderName::from_static("api-version"), HeaderValue::from_static(..));`.
fn is_api_version_header(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(append), _) = stmt else {
        return false;
    };
    append.method == "append"
        && matches!(&*append.receiver, syn::Expr::Path(p) if p.path.is_ident("header_map"))
        && matches!(append.args.first(), Some(syn::Expr::Call(name))
            if matches!(&*name.func, syn::Expr::Path(p)
                if p.path.segments.last().is_some_and(|s| s.ident == "from_static"))
            && matches!(name.args.first(), Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(header), ..
            })) if header.value() == "api-version"))
}

/// The `n` of a `let .. = HeaderMap::with_capacity(n);` statement.
fn header_map_capacity(stmt: &mut syn::Stmt) -> Option<&mut syn::Expr> {
    let syn::Stmt::Local(local) = stmt else {
        return None;
    };
    let syn::Expr::Call(call) = &mut *local.init.as_mut()?.expr else {
        return None;
    };
    let syn::Expr::Path(p) = &*call.func else {
        return None;
    };
    let segments = &p.path.segments;
    let is_with_capacity = segments.len() >= 2
        && segments[segments.len() - 1].ident == "with_capacity"
        && segments[segments.len() - 2].ident == "HeaderMap";
    if is_with_capacity && call.args.len() == 1 {
        call.args.first_mut()
    } else {
        None
    }
}
