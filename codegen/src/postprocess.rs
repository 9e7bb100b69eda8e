//! Passes over progenitor's output (as a `syn` tree), for what no setting of progenitor reaches.
//!
//! [`PASSES`] lists them in the order they run, each with the reason it exists; each counts the
//! places it changed, and one that changes nothing where it must fails generation
//! ([`Error::StalePass`]): progenitor's output no longer has the shape it rewrites, and the
//! behaviour it adds would otherwise be lost without a word. Their matching is structural (paths,
//! calls, items), never on token text.
//!
//! After the passes, [`hooks`] adds the `ClientHooks` implementation (progenitor's
//! `HooksMode::Expected`) delegating to the crate's handwritten `transport` module, with this
//! version's per-operation request media types. It is not a pass: it adds items rather than
//! rewriting progenitor's, so there is nothing for it to find or miss.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;
use syn::visit_mut::VisitMut;

use crate::Error;
use crate::pass::{Applied, Pass, Stage, Versions, run_table};
use crate::tree::{
    X_CONTENT_TYPE, builder_name, derives, is_call_to, is_path, method_name, module_items_mut,
    operation_id, operations, remove_derive,
};

/// A syn pass: an edit of progenitor's output, given the OpenAPI tree it was generated from;
/// returns how many places it changed.
pub type SynPass = Pass<fn(&mut syn::File, &Value) -> usize>;

/// Every syn pass, in the order they run.
pub const PASSES: &[SynPass] = &[
    Pass {
        name: "client-new",
        reason: "progenitor's `Client::new` builds a reqwest client with a 15 s total timeout, \
                 which kills follow-mode logs, events, pulls and waits; it uses the crate's HTTP \
                 defaults instead (a connect timeout, no total timeout)",
        versions: Versions::Every,
        run: |file, _| client_new(file),
    },
    Pass {
        name: "drop-type-builders",
        reason: "typify's per-type builders (`types::builder`) are more than half of the \
                 generated code and of its compile time; struct literals with \
                 `..Default::default()` do the same job, and operation builders keep their \
                 `body_map` over the plain type",
        versions: Versions::Every,
        run: |file, _| drop_type_builders(file),
    },
    Pass {
        name: "doc-code-blocks",
        reason: "the spec's descriptions hold JSON, shell and Go snippets in Markdown code \
                 blocks, which rustdoc would compile and run as Rust doctests; they become `text`",
        versions: Versions::Every,
        run: |file, _| doc_code_blocks(file),
    },
    Pass {
        name: "typed-errors",
        reason: "each operation builder's `send()` returns the crate's `Error` (no progenitor or \
                 reqwest type in it): progenitor's `send` stays, private, as `send_generated`, \
                 and the new `send` maps its error with `crate::transport::from_generated`",
        versions: Versions::Every,
        run: |file, _| typed_errors(file),
    },
    Pass {
        name: "no-api-version-header",
        reason: "progenitor adds an informational `api-version` header to every request, which \
                 Docker ignores; requests go without it",
        versions: Versions::Every,
        run: |file, _| no_api_version_header(file),
    },
    Pass {
        name: "transport-responses",
        reason: "progenitor's `ResponseValue` clones every response's headers; responses are \
                 wrapped by `crate::transport`, which moves them (measured: ~10% of the client's \
                 instructions per `/_ping`)",
        versions: Versions::Every,
        run: |file, _| transport_responses(file),
    },
    Pass {
        name: "optional-raw-bodies",
        reason: "progenitor makes every raw (`octet-stream`) body mandatory, so a pull \
                 (`image_create` without `fromSrc=-`) or a build from a `remote` URL could not be \
                 sent; where the spec says the body is optional, it starts out empty",
        versions: Versions::Every,
        run: optional_raw_bodies,
    },
    Pass {
        name: "registry-credentials",
        reason: "the `X-Registry-Auth` and `X-Registry-Config` setters take \
                 `&crate::auth::Credentials` / `&crate::auth::RegistryConfig`, which encode \
                 themselves as the daemon decodes them (base64url JSON), not a pre-encoded string",
        versions: Versions::Every,
        run: |file, _| registry_credentials(file),
    },
    Pass {
        name: "redact-credentials",
        reason: "builders that hold an encoded `X-Registry-Auth`/`X-Registry-Config` (base64url \
                 of a password) print `<redacted>` for it in `Debug` instead of deriving it",
        versions: Versions::Every,
        run: |file, _| redact_credentials(file),
    },
    Pass {
        name: "bounded-errors",
        reason: "error statuses go to the crate's bounded reader (at most 1 MiB, a non-JSON body \
                 kept as text with its status) instead of being decoded whole",
        versions: Versions::Every,
        run: |file, _| bounded_errors(file),
    },
    Pass {
        name: "open-enums",
        reason: "typify's enums are closed, so a value the spec does not know (a newer daemon, \
                 Podman) fails the whole response; each string enum gets an `Other(String)` \
                 variant that keeps it",
        versions: Versions::Every,
        run: |file, _| open_enums(file),
    },
    Pass {
        name: "example-decoders",
        reason: "the spec's examples (what the daemon sends, by its authors) and an instance of \
                 every definition with every property filled must decode into the generated \
                 types and re-encode to the same value; a table of these checks is added under \
                 `#[cfg(test)]` (users never compile it) for the crate's unit tests and \
                 `cargo xtask spec check --examples`",
        versions: Versions::Every,
        run: crate::decoders::example_decoders,
    },
];

/// Parses progenitor's tokens, runs every pass and adds the [`hooks`]; `doc` is the OpenAPI tree
/// the tokens were generated from. Returns the file and what each pass did.
pub fn run(
    version: &str,
    minor: u32,
    doc: &Value,
    tokens: TokenStream,
) -> Result<(syn::File, Vec<Applied>), Error> {
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| Error::Syntax {
        version: version.to_string(),
        message: e.to_string(),
    })?;
    let applied = run_table(Stage::Syn, version, minor, PASSES, |pass| {
        Ok((pass.run)(&mut file, doc))
    })?;
    file.items.extend(hooks(doc, version).items);
    Ok((file, applied))
}

/// Rewrites the builders' `x_registry_auth` and `x_registry_config` setters to take the crate's
/// credential types; returns how many were rewritten.
pub fn registry_credentials(file: &mut syn::File) -> usize {
    let Some(builders) = module_items_mut(file, "builder") else {
        return 0;
    };
    let mut rewritten = 0;
    for item in builders.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        for it in &mut imp.items {
            let syn::ImplItem::Fn(f) = it else { continue };
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
    struct MapSome(bool);
    impl<'ast> syn::visit::Visit<'ast> for MapSome {
        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            if call.method == "map"
                && call.args.len() == 1
                && matches!(call.args.first(), Some(syn::Expr::Path(p)) if p.path.is_ident("Some"))
            {
                self.0 = true;
            }
            syn::visit::visit_expr_method_call(self, call);
        }
    }
    let mut found = MapSome(false);
    syn::visit::Visit::visit_block(&mut found, block);
    found.0
}

/// The headers that carry registry credentials, as progenitor names the builder fields.
const CREDENTIAL_FIELDS: [&str; 2] = ["x_registry_auth", "x_registry_config"];

/// Builders whose fields hold an encoded `X-Registry-Auth`/`X-Registry-Config` value (base64url
/// of a password) get a `Debug` that prints `<redacted>` for those fields instead of deriving it,
/// and the module lists them in `CREDENTIAL_BUILDERS` (so a test can walk every one); returns how
/// many builders were changed.
pub fn redact_credentials(file: &mut syn::File) -> usize {
    let Some(builders) = module_items_mut(file, "builder") else {
        return 0;
    };
    let mut impls = Vec::new();
    let mut names = Vec::new();
    for item in builders.iter_mut() {
        let syn::Item::Struct(s) = item else { continue };
        let syn::Fields::Named(fields) = &s.fields else {
            continue;
        };
        let field_names: Vec<syn::Ident> = fields
            .named
            .iter()
            .filter_map(|f| f.ident.clone())
            .collect();
        if !field_names
            .iter()
            .any(|f| CREDENTIAL_FIELDS.iter().any(|c| f == c))
        {
            continue;
        }
        remove_derive(&mut s.attrs, "Debug");
        let name = &s.ident;
        let generics = &s.generics;
        let shown = field_names.iter().map(|f| {
            let label = f.to_string();
            if CREDENTIAL_FIELDS.contains(&label.as_str()) {
                quote!(.field(#label, &"<redacted>"))
            } else {
                quote!(.field(#label, &self.#f))
            }
        });
        let label = name.to_string();
        impls.push(syn::Item::Impl(syn::parse_quote! {
            impl #generics ::std::fmt::Debug for #name #generics {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_struct(#label) #(#shown)* .finish()
                }
            }
        }));
        names.push(label);
    }
    let count = names.len();
    builders.extend(impls);
    builders.push(syn::parse_quote! {
        /// The builders that take registry credentials (their `Debug` redacts them).
        #[doc(hidden)]
        pub const CREDENTIAL_BUILDERS: &[&str] = &[#(#names),*];
    });
    count
}

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
    let Some(builders) = module_items_mut(file, "builder") else {
        return 0;
    };
    let mut pass = Bounded(0);
    for item in builders.iter_mut() {
        pass.visit_item_mut(item);
    }
    pass.0
}

/// Replaces the body of `Client::new` so it uses `crate::transport::default_client()`; returns
/// how many were replaced.
pub fn client_new(file: &mut syn::File) -> usize {
    let mut n = 0;
    for item in &mut file.items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || !is_path(&imp.self_ty, "Client") {
            continue;
        }
        for it in &mut imp.items {
            let syn::ImplItem::Fn(f) = it else { continue };
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

/// Removes `types::builder` and `T::builder()`, and makes the operation builders hold the plain
/// body types; returns how many items were removed and paths and initialisers rewritten.
pub fn drop_type_builders(file: &mut syn::File) -> usize {
    let mut n = 0;
    let mut with_default = std::collections::BTreeSet::new();
    if let Some(types) = module_items_mut(file, "types") {
        let before = types.len();
        types.retain(|item| !matches!(item, syn::Item::Mod(m) if m.ident == "builder"));
        n += before - types.len();
        for item in types.iter_mut() {
            if let syn::Item::Impl(imp) = item
                && imp.trait_.is_none()
            {
                let before = imp.items.len();
                imp.items
                    .retain(|it| !matches!(it, syn::ImplItem::Fn(f) if f.sig.ident == "builder"));
                n += before - imp.items.len();
            }
        }
        types.retain(|item| !matches!(item, syn::Item::Impl(imp) if imp.trait_.is_none() && imp.items.is_empty()));
        for item in types.iter() {
            match item {
                syn::Item::Struct(s) if derives(&s.attrs, "Default") => {
                    with_default.insert(s.ident.to_string());
                }
                syn::Item::Impl(imp)
                    if imp.trait_.as_ref().is_some_and(|(p, _)| {
                        p.segments.last().is_some_and(|s| s.ident == "Default")
                    }) =>
                {
                    if let syn::Type::Path(p) = &*imp.self_ty
                        && let Some(last) = p.path.segments.last()
                    {
                        with_default.insert(last.ident.to_string());
                    }
                }
                _ => {}
            }
        }
    }
    /// `types::builder::X` → `types::X`.
    struct Plain(usize);
    impl VisitMut for Plain {
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            let idents: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            if idents.len() == 3 && idents[0] == "types" && idents[1] == "builder" {
                let mut segments = path.segments.clone().into_iter().collect::<Vec<_>>();
                segments.remove(1);
                path.segments = segments.into_iter().collect();
                self.0 += 1;
            }
            syn::visit_mut::visit_path_mut(self, path);
        }
    }
    let Some(builders) = module_items_mut(file, "builder") else {
        return n;
    };
    let mut plain = Plain(0);
    for item in builders.iter_mut() {
        plain.visit_item_mut(item);
    }
    n += plain.0;
    // Initialisers of bodies whose type has no `Default`.
    for item in builders.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let Some(body_ty) = body_type_of(imp) else {
            continue;
        };
        if with_default.contains(&body_ty) {
            continue;
        }
        struct Init(usize);
        impl VisitMut for Init {
            fn visit_field_value_mut(&mut self, fv: &mut syn::FieldValue) {
                if matches!(&fv.member, syn::Member::Named(n) if n == "body") {
                    fv.expr = syn::parse_quote!(Err("body was not set".to_string()));
                    self.0 += 1;
                }
            }
        }
        let mut init = Init(0);
        for it in &mut imp.items {
            if let syn::ImplItem::Fn(f) = it
                && f.sig.ident == "new"
            {
                init.visit_impl_item_fn_mut(f);
            }
        }
        n += init.0;
    }
    n
}

/// Marks every fenced code block in doc comments as `text`; returns how many doc attributes
/// changed.
pub fn doc_code_blocks(file: &mut syn::File) -> usize {
    struct Docs(usize);
    impl VisitMut for Docs {
        fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
            if !attr.path().is_ident("doc") {
                return;
            }
            let syn::Meta::NameValue(nv) = &mut attr.meta else {
                return;
            };
            let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) = &nv.value
            else {
                return;
            };
            let value = text.value();
            if !value.contains("```") && !value.contains("\n    ") {
                return;
            }
            let fixed = fence_as_text(&value);
            if fixed != value {
                nv.value = syn::parse_quote!(#fixed);
                self.0 += 1;
            }
        }
    }
    let mut docs = Docs(0);
    docs.visit_file_mut(file);
    docs.0
}

/// Opening fences (with or without a language) become `` ```text ``, closing fences stay, and
/// Markdown's indented code blocks (four spaces after a blank line) are fenced as `text` too.
fn fence_as_text(doc: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut fenced = false;
    let mut indented = false;
    let mut previous_blank = true;
    for line in doc.split('\n') {
        let trimmed = line.trim_start();
        let blank = trimmed.is_empty();
        if indented && !blank && !line.starts_with("    ") {
            out.push("```".into());
            indented = false;
        }
        if let Some(rest) = trimmed.strip_prefix("```") {
            let indent = &line[..line.len() - trimmed.len()];
            fenced = !fenced;
            out.push(if fenced && rest.trim() != "text" {
                format!("{indent}```text")
            } else {
                line.to_string()
            });
        } else if !fenced && !indented && previous_blank && line.starts_with("    ") && !blank {
            out.push("```text".into());
            out.push(line.to_string());
            indented = true;
        } else {
            out.push(line.to_string());
        }
        previous_blank = blank;
    }
    if indented {
        out.push("```".into());
    }
    out.join("\n")
}

/// Wraps every operation builder's `send` so that it returns `crate::Error`; returns how many
/// were wrapped.
pub fn typed_errors(file: &mut syn::File) -> usize {
    let mut n = 0;
    let Some(builders) = module_items_mut(file, "builder") else {
        return 0;
    };
    for item in builders.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let syn::Type::Path(self_ty) = &*imp.self_ty else {
            continue;
        };
        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else {
            continue;
        };
        let operation = method_name(&name);
        let mut wrapper = None;
        for it in imp.items.iter_mut() {
            let syn::ImplItem::Fn(f) = it else { continue };
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

/// Drops the `api-version` header from the operation builders' requests (and one from the
/// capacity of the header map built beside it); returns how many headers were dropped.
pub fn no_api_version_header(file: &mut syn::File) -> usize {
    struct NoApiVersion(usize);
    impl VisitMut for NoApiVersion {
        fn visit_block_mut(&mut self, block: &mut syn::Block) {
            let before = block.stmts.len();
            block.stmts.retain(|stmt| !is_api_version_header(stmt));
            if block.stmts.len() < before {
                self.0 += before - block.stmts.len();
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
            syn::visit_mut::visit_block_mut(self, block);
        }
    }
    let mut pass = NoApiVersion(0);
    if let Some(builders) = module_items_mut(file, "builder") {
        for item in builders.iter_mut() {
            pass.visit_item_mut(item);
        }
    }
    pass.0
}

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
    if let Some(builders) = module_items_mut(file, "builder") {
        for item in builders.iter_mut() {
            pass.visit_item_mut(item);
        }
    }
    pass.0
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

/// Operation builders (by struct name) whose raw body the spec marks optional.
fn optional_raw_body_builders(doc: &Value) -> std::collections::BTreeSet<String> {
    operations(doc)
        .filter(|(_, _, op)| {
            let body = op.get("requestBody");
            body.and_then(|b| b.pointer("/content/application~1octet-stream"))
                .is_some()
                && body.and_then(|b| b.get("required")) != Some(&Value::Bool(true))
        })
        .filter_map(|(_, _, op)| operation_id(op).map(builder_name))
        .collect()
}

/// Optional raw bodies start out empty instead of "not initialized"; returns how many builders'
/// bodies changed.
pub fn optional_raw_bodies(file: &mut syn::File, doc: &Value) -> usize {
    let optional = optional_raw_body_builders(doc);
    let Some(builders) = module_items_mut(file, "builder") else {
        return 0;
    };
    struct Empty(usize);
    impl VisitMut for Empty {
        fn visit_field_value_mut(&mut self, fv: &mut syn::FieldValue) {
            if matches!(&fv.member, syn::Member::Named(n) if n == "body") {
                fv.expr = syn::parse_quote!(Ok(reqwest::Body::from(::std::vec::Vec::<u8>::new())));
                self.0 += 1;
            }
        }
    }
    let mut empty = Empty(0);
    for item in builders.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        let syn::Type::Path(p) = &*imp.self_ty else {
            continue;
        };
        if imp.trait_.is_some()
            || !p
                .path
                .segments
                .last()
                .is_some_and(|s| optional.contains(&s.ident.to_string()))
        {
            continue;
        }
        for it in &mut imp.items {
            if let syn::ImplItem::Fn(f) = it
                && f.sig.ident == "new"
            {
                empty.visit_impl_item_fn_mut(f);
            }
        }
    }
    empty.0
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

/// The body type named by an operation builder's `body_map` method, if it has one: the `X` of its
/// `F: FnOnce(types::X) -> types::X` bound.
fn body_type_of(imp: &syn::ItemImpl) -> Option<String> {
    imp.items.iter().find_map(|it| match it {
        syn::ImplItem::Fn(f) if f.sig.ident == "body_map" => {
            let generics = &f.sig.generics;
            let param_bounds = generics.params.iter().flat_map(|p| match p {
                syn::GenericParam::Type(t) => t.bounds.iter().collect(),
                _ => Vec::new(),
            });
            let where_bounds = generics
                .where_clause
                .iter()
                .flat_map(|w| w.predicates.iter())
                .flat_map(|p| match p {
                    syn::WherePredicate::Type(t) => t.bounds.iter().collect(),
                    _ => Vec::new(),
                });
            param_bounds
                .chain(where_bounds)
                .find_map(fn_once_types_input)
        }
        _ => None,
    })
}

/// `X` of a `FnOnce(types::X) -> ..` bound.
fn fn_once_types_input(bound: &syn::TypeParamBound) -> Option<String> {
    let syn::TypeParamBound::Trait(t) = bound else {
        return None;
    };
    let last = t.path.segments.last()?;
    if last.ident != "FnOnce" {
        return None;
    }
    let syn::PathArguments::Parenthesized(args) = &last.arguments else {
        return None;
    };
    let syn::Type::Path(input) = &args.inputs.first()?.ty else {
        return None;
    };
    match input.path.segments.iter().collect::<Vec<_>>().as_slice() {
        [module, name] if module.ident == "types" => Some(name.ident.to_string()),
        _ => None,
    }
}

/// Adds an `Other(String)` variant to every string enum in `mod types`.
///
/// A string enum is one whose variants are all unit variants; the new variant is
/// `#[serde(untagged)]`, so known values still (de)serialise as before and any other string is
/// kept as it came. `Copy` goes (a `String` is not `Copy`); `Display` and `FromStr` learn the new
/// variant, so `FromStr` no longer fails.
pub fn open_enums(file: &mut syn::File) -> usize {
    let Some(types) = module_items_mut(file, "types") else {
        return 0;
    };
    let opened: Vec<syn::Ident> = types
        .iter_mut()
        .filter_map(|item| match item {
            syn::Item::Enum(e) if is_string_enum(e) => {
                open_enum(e);
                Some(e.ident.clone())
            }
            _ => None,
        })
        .collect();
    for item in types.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        let Some((trait_path, _)) = &imp.trait_ else {
            continue;
        };
        if !opened
            .iter()
            .any(|name| is_path(&imp.self_ty, &name.to_string()))
        {
            continue;
        }
        let trait_name = trait_path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        match trait_name.as_str() {
            "Display" => add_display_arm(imp),
            "FromStr" => open_from_str(imp),
            _ => {}
        }
    }
    opened.len()
}

fn is_string_enum(e: &syn::ItemEnum) -> bool {
    !e.variants.is_empty()
        && e.variants
            .iter()
            .all(|v| matches!(v.fields, syn::Fields::Unit))
}

fn open_enum(e: &mut syn::ItemEnum) {
    remove_derive(&mut e.attrs, "Copy");
    e.variants.push(syn::parse_quote! {
        /// A value this API version's spec does not list (a newer daemon, another engine), kept
        /// as it came.
        #[serde(untagged)]
        Other(::std::string::String)
    });
}

fn add_display_arm(imp: &mut syn::ItemImpl) {
    struct Arm;
    impl VisitMut for Arm {
        fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
            m.arms
                .push(syn::parse_quote!(Self::Other(ref value) => f.write_str(value),));
        }
    }
    Arm.visit_item_impl_mut(imp);
}

fn open_from_str(imp: &mut syn::ItemImpl) {
    struct Arm;
    impl VisitMut for Arm {
        fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
            for arm in &mut m.arms {
                if matches!(arm.pat, syn::Pat::Wild(_)) {
                    arm.pat = syn::parse_quote!(other);
                    *arm.body = syn::parse_quote!(Ok(Self::Other(other.to_string())));
                }
            }
        }
    }
    Arm.visit_item_impl_mut(imp);
}

/// The `ClientHooks` impl for this version's `Client`, and its glue to the crate's
/// version-independent code (`ApiClient`).
pub fn hooks(doc: &Value, version: &str) -> syn::File {
    let (major, minor) = version.split_once('.').unwrap_or(("1", "0"));
    let major: u16 = major.parse().unwrap_or(1);
    let minor: u16 = minor.parse().unwrap_or(0);
    let mut media: Vec<(String, String)> = operations(doc)
        .filter_map(|(_, _, op)| {
            let media = op.get(X_CONTENT_TYPE)?.as_str()?.to_string();
            let id = operation_id(op)?;
            Some((method_name(id), media))
        })
        .collect();
    media.sort();
    let entries = media.iter().map(|(id, m)| quote!((#id, #m)));
    syn::parse_quote! {
        /// Request media types the spec names but progenitor sends as `application/octet-stream`,
        /// by operation id.
        const REQUEST_MEDIA_TYPES: &[(&str, &str)] = &[#(#entries),*];

        impl ClientHooks<crate::ClientState> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &OperationInfo,
            ) -> std::result::Result<(), Error<E>> {
                crate::transport::pre(&self.inner, request, info.operation_id, REQUEST_MEDIA_TYPES);
                Ok(())
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                info: &OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                crate::transport::exec(&self.inner, &self.client, request, info.operation_id).await
            }
        }

        impl crate::ApiClient for Client {
            const VERSION: crate::ApiVersion = crate::ApiVersion::new(#major, #minor);

            fn from_parts(base_url: &str, http: reqwest::Client, hooks: crate::ClientState) -> Self {
                Self::new_with_client(base_url, http, hooks)
            }

            fn parts(&self) -> (&str, &reqwest::Client, &crate::ClientState) {
                (&self.baseurl, &self.client, &self.inner)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(tokens: TokenStream) -> syn::File {
        syn::parse2(tokens).unwrap()
    }

    #[test]
    fn a_syn_pass_that_matches_nothing_fails_generation() {
        // progenitor's output as if an upgrade had renamed `Client::new`: every other pass finds
        // its shape, `client-new` finds nothing and generation stops, naming it.
        let tokens = quote! {
            pub mod types {}
            pub mod builder {}
            impl Client {
                pub fn create(baseurl: &str, inner: X) -> Self { todo!() }
            }
        };
        let Err(err) = run("1.41", 41, &serde_json::json!({}), tokens) else {
            panic!("a pass that matches nothing must fail generation");
        };
        assert!(
            matches!(
                err,
                Error::StalePass {
                    stage: Stage::Syn,
                    ref passes,
                    ..
                } if passes.contains(&"client-new")
            ),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.starts_with("v1.41: syn pass")
                && message.contains("`client-new`")
                && message.contains("changed nothing (progenitor's output changed?"),
            "{message}"
        );
    }

    #[test]
    fn every_syn_pass_counts_zero_on_output_without_its_shape() {
        // No pass may report a change it did not make: a count is only worth checking if
        // "nothing matched" shows as 0.
        let doc = serde_json::json!({"paths": {}});
        for pass in PASSES {
            let mut f = file(quote! {
                pub mod types {}
                pub mod builder {}
                impl Client {}
            });
            assert_eq!((pass.run)(&mut f, &doc), 0, "{}", pass.name);
        }
    }

    #[test]
    fn string_enums_gain_other() {
        let mut f = file(quote! {
            pub mod types {
                #[derive(::serde::Deserialize, Clone, Copy, Debug, PartialEq)]
                pub enum Kind { #[serde(rename = "a")] A }
                impl ::std::fmt::Display for Kind {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        match *self { Self::A => f.write_str("a") }
                    }
                }
                impl ::std::str::FromStr for Kind {
                    type Err = String;
                    fn from_str(value: &str) -> Result<Self, String> {
                        match value { "a" => Ok(Self::A), _ => Err("invalid value".into()) }
                    }
                }
                pub enum Data { B(u8) }
            }
        });
        assert_eq!(open_enums(&mut f), 1, "only the all-unit enum is opened");
        let code = prettyplease::unparse(&f);
        assert!(
            code.contains("#[serde(untagged)]\n        Other(::std::string::String)"),
            "{code}"
        );
        assert!(
            code.contains("Self::Other(ref value) => f.write_str(value)"),
            "{code}"
        );
        assert!(
            code.contains("other => Ok(Self::Other(other.to_string()))"),
            "{code}"
        );
        assert!(!code.contains("Copy"), "{code}");
    }

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

    #[test]
    fn code_fences_become_text() {
        assert_eq!(
            fence_as_text("a\n```\n{}\n```\nb\n  ```json\n[]\n  ```"),
            "a\n```text\n{}\n```\nb\n  ```text\n[]\n  ```"
        );
        assert_eq!(
            fence_as_text("hosts:\n\n    IP name\n"),
            "hosts:\n\n```text\n    IP name\n\n```"
        );
        assert_eq!(
            fence_as_text("a\n\n    x\nb"),
            "a\n\n```text\n    x\n```\nb"
        );
    }

    #[test]
    fn hooks_carry_the_request_media_types() {
        let doc = serde_json::json!({"paths": {"/build": {"post": {"operationId": "ImageBuild", X_CONTENT_TYPE: "application/x-tar"}}}});
        let code = prettyplease::unparse(&hooks(&doc, "1.41"));
        assert!(
            code.contains("(\"image_build\", \"application/x-tar\")"),
            "{code}"
        );
    }

    #[test]
    fn api_version_header_goes_and_responses_go_through_transport() {
        let mut f = file(quote! {
            pub mod builder {
                impl<'a> ImagePush<'a> {
                    async fn send(self) -> Result<ResponseValue<()>, Error<()>> {
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
                        header_map.append(
                            ::reqwest::header::HeaderName::from_static("api-version"),
                            ::reqwest::header::HeaderValue::from_static(Client::api_version()),
                        );
                        header_map.append("X-Registry-Auth", value.to_string().try_into()?);
                        ResponseValue::empty(response)
                    }
                }
            }
        });
        assert_eq!(no_api_version_header(&mut f), 1);
        assert_eq!(transport_responses(&mut f), 1);
        let code = prettyplease::unparse(&f);
        assert!(!code.contains("api-version"), "{code}");
        assert!(code.contains("HeaderMap::with_capacity(1usize)"), "{code}");
        assert!(
            code.contains("header_map.append(\"X-Registry-Auth\""),
            "other headers stay: {code}"
        );
        assert!(
            code.contains("crate::transport::empty_response(response)"),
            "{code}"
        );
    }

    #[test]
    fn body_types_are_read_from_body_map() {
        let imp: syn::ItemImpl = syn::parse_quote! {
            impl<'a> ContainerCreate<'a> {
                pub fn body_map<F>(mut self, f: F) -> Self
                where
                    F: std::ops::FnOnce(types::ContainerCreateBody) -> types::ContainerCreateBody,
                {
                    self.body = self.body.map(f);
                    self
                }
            }
        };
        assert_eq!(body_type_of(&imp).as_deref(), Some("ContainerCreateBody"));
    }

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
