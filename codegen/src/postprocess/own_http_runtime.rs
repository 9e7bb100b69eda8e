//! The `own-http-runtime` pass: the generated code runs on the crate's HTTP layer.
//!
//! progenitor writes its clients against reqwest (the HTTP client, its request builder,
//! `Request`, `Response`, `Body`, `Upgraded`, header types) and its runtime crate
//! progenitor-client (`ResponseValue`, `ByteStream`, `Error`, the hooks traits, query and path
//! encoding). The crate sends everything over hyper with its own types of the same names and
//! methods (docker-engine-core's `wire`), reached from the generated code as
//! `crate::transport::…`: reqwest and progenitor-client are not compiled at all (reqwest brought
//! the url crate and its ICU stack with it: 8 s of a consumer's cold build's 81 s of CPU). Every
//! path starting with `reqwest` or `progenitor_client`, in code and in `use` items, is pointed at
//! `crate::transport` (`reqwest::Client` as `HttpClient`, `reqwest::Result` as `HttpResult`), and
//! the docs and messages that name reqwest's types name the crate's (`conversion to
//! `reqwest::Body` for body failed` becomes ``conversion to `Body` ...``).

use crate::tree::{Node, Walk, walk_file};

/// The crates the generated code is written against.
const RUNTIMES: [&str; 2] = ["reqwest", "progenitor_client"];

/// Items of reqwest's crate root that the crate's HTTP layer names differently.
const RENAMED: [(&str, &str); 2] = [("Client", "HttpClient"), ("Result", "HttpResult")];

/// Points every path into reqwest or progenitor-client at `crate::transport`; returns how many
/// paths and `use` items were changed.
pub fn own_http_runtime(file: &mut syn::File) -> usize {
    let mut n = 0;
    for item in &mut file.items {
        if let syn::Item::Use(item) = item {
            n += usize::from(rewrite_use(&mut item.tree));
        }
    }
    walk_file(file, &mut |node| {
        match node {
            Node::Path(path) => n += usize::from(rewrite_path(path)),
            Node::Attribute(attr) => {
                if let syn::Meta::NameValue(doc) = &mut attr.meta
                    && doc.path.is_ident("doc")
                {
                    n += usize::from(rewrite_text(&mut doc.value));
                }
            }
            Node::Expr(expr) => n += usize::from(rewrite_text(expr)),
            _ => {}
        }
        Walk::Into
    });
    n
}

/// A string literal naming reqwest's types (a doc, a conversion's error message), naming the
/// crate's instead.
fn rewrite_text(expr: &mut syn::Expr) -> bool {
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(text),
        ..
    }) = expr
    else {
        return false;
    };
    let value = text.value();
    if !value.contains("reqwest::") {
        return false;
    }
    let ours = value
        .replace("reqwest::Client", "HttpClient")
        .replace("reqwest::", "");
    *text = syn::LitStr::new(&ours, text.span());
    true
}

/// `reqwest::header::ACCEPT` → `crate::transport::header::ACCEPT`.
fn rewrite_path(path: &mut syn::Path) -> bool {
    let Some(first) = path.segments.first() else {
        return false;
    };
    if !RUNTIMES.iter().any(|r| first.ident == r) {
        return false;
    }
    let from_reqwest = first.ident == "reqwest";
    let mut rest: Vec<syn::PathSegment> = path.segments.iter().skip(1).cloned().collect();
    if from_reqwest
        && let [item] = rest.as_mut_slice()
        && let Some((_, ours)) = RENAMED.iter().find(|(theirs, _)| item.ident == theirs)
    {
        item.ident = syn::Ident::new(ours, item.ident.span());
    }
    let mut ours: syn::Path = syn::parse_quote!(crate::transport);
    ours.segments.extend(rest);
    *path = ours;
    true
}

/// `use progenitor_client::{..};` → `use crate::transport::{..};`.
fn rewrite_use(tree: &mut syn::UseTree) -> bool {
    let syn::UseTree::Path(path) = tree else {
        return false;
    };
    if !RUNTIMES.iter().any(|r| path.ident == r) {
        return false;
    }
    let rest = std::mem::replace(
        &mut path.tree,
        Box::new(syn::UseTree::Glob(syn::UseGlob {
            star_token: Default::default(),
        })),
    );
    *tree = syn::UseTree::Path(syn::UsePath {
        ident: syn::Ident::new("crate", proc_macro2::Span::call_site()),
        colon2_token: Default::default(),
        tree: Box::new(syn::UseTree::Path(syn::UsePath {
            ident: syn::Ident::new("transport", proc_macro2::Span::call_site()),
            colon2_token: Default::default(),
            tree: rest,
        })),
    });
    true
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;
    use crate::postprocess::test_file as file;

    #[test]
    fn paths_into_reqwest_and_progenitor_client_point_at_the_transport() {
        let mut f = file(quote! {
            pub use progenitor_client::{ByteStream, ClientInfo, Error, ResponseValue};
            use std::fmt;
            pub struct Client {
                pub(crate) client: reqwest::Client,
            }
            /// Construct a new client with an existing `reqwest::Client`.
            fn send() -> reqwest::Result<reqwest::Response> {
                let e = "conversion to `reqwest::Body` for body failed";
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(0usize);
                let request = client
                    .get(url)
                    .query(&progenitor_client::QueryParam::new("all", &all))
                    .body(reqwest::Body::from(x));
                other::reqwest::Body::from(y)
            }
        });
        assert_eq!(own_http_runtime(&mut f), 9);
        let code = prettyplease::unparse(&f);
        for expected in [
            "pub use crate::transport::{ByteStream, ClientInfo, Error, ResponseValue};",
            "use std::fmt;",
            "client: crate::transport::HttpClient",
            "crate::transport::HttpResult<crate::transport::Response>",
            "crate::transport::header::HeaderMap::with_capacity",
            "crate::transport::QueryParam::new",
            "crate::transport::Body::from(x)",
            "existing `HttpClient`",
            "\"conversion to `Body` for body failed\"",
            // Not a path into either crate.
            "other::reqwest::Body::from(y)",
        ] {
            assert!(code.contains(expected), "{expected}:\n{code}");
        }
        assert!(!code.contains("progenitor_client"), "{code}");
        assert!(!code.contains("`reqwest::"), "{code}");
        // Nothing left to change.
        assert_eq!(own_http_runtime(&mut f), 0);
    }
}
