//! Passes over progenitor's output (as a `syn` tree), for what no setting of progenitor reaches.
//!
//! - [`client_new`]: progenitor's `Client::new` builds a reqwest client with a 15 s *total*
//!   timeout, which kills follow-mode logs, events, pulls and waits. It is rewritten to use the
//!   crate's HTTP client defaults (a connect timeout, no total timeout).
//! - [`open_enums`]: typify's enums are closed, so a value the spec does not know (a newer daemon,
//!   Podman) fails the whole response. Each string enum gets an `Other(String)` variant that keeps
//!   the unknown value, serialises it back unchanged, and leaves the known values typed.
//! - [`drop_type_builders`]: typify's per-type builders (`types::builder`) are more than half of
//!   the generated code and of its compile time; struct literals with `..Default::default()` do
//!   the same job. Operation builders keep their `body_map`, now over the plain type.
//! - [`doc_code_blocks`]: the spec's descriptions hold JSON, shell and Go snippets in Markdown
//!   fences, which rustdoc would compile and run as Rust doctests; they become `text` blocks.
//! - [`typed_errors`]: each operation builder's `send()` returns the crate's `Error` (no
//!   progenitor or reqwest type in it): progenitor's `send` is kept, private, as
//!   `send_generated`, and the new `send` maps its error with `crate::transport::from_generated`.
//! - [`lean_requests`]: progenitor adds an informational `api-version` header to every request
//!   (Docker ignores it) and clones every response's headers into its `ResponseValue`; requests
//!   go without the header, and responses are wrapped by `crate::transport`, which moves the
//!   headers instead (measured: ~10% of the client's instructions per `/_ping`).
//! - [`optional_raw_bodies`]: progenitor makes every raw (`octet-stream`) body mandatory, so a
//!   pull (`image_create` without `fromSrc=-`) or a build from a `remote` URL could not be sent.
//!   Where the spec says the body is optional, it starts out empty.
//! - [`registry_credentials`]: the `X-Registry-Auth` and `X-Registry-Config` header setters take
//!   `&crate::auth::Credentials` / `&crate::auth::RegistryConfig`, which encode themselves as the
//!   daemon decodes them (base64url JSON), instead of a pre-encoded string.
//! - [`redact_credentials`]: builders that hold an encoded `X-Registry-Auth`/`X-Registry-Config`
//!   (base64url of a password) print `<redacted>` for it in `Debug` instead of deriving it.
//! - [`bounded_errors`]: error statuses go to the crate's bounded reader (at most 1 MiB, a
//!   non-JSON body kept as text with its status) instead of being decoded whole.
//!
//! The passes that rewrite a shape of progenitor's output count their changes; one that changes
//! nothing fails generation ([`Error::StalePass`](crate::Error::StalePass)).
//! - [`hooks`]: the `ClientHooks` implementation (progenitor's `HooksMode::Expected`), delegating
//!   to the crate's handwritten `hooks` module, with this version's per-operation request media
//!   types.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;
use syn::visit_mut::VisitMut;

use crate::Error;
use crate::convert::{X_CONTENT_TYPE, operations};

/// Runs every pass; `doc` is the OpenAPI tree the tokens were generated from.
pub fn run(version: &str, doc: &Value, tokens: TokenStream) -> Result<syn::File, Error> {
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| Error::Syntax {
        version: version.to_string(),
        message: e.to_string(),
    })?;
    client_new(&mut file);
    drop_type_builders(&mut file);
    doc_code_blocks(&mut file);
    typed_errors(&mut file);
    lean_requests(&mut file);
    optional_raw_bodies(&mut file, doc);
    let counted: [(&'static str, usize); 4] = [
        ("registry_credentials", registry_credentials(&mut file)),
        ("redact_credentials", redact_credentials(&mut file)),
        ("bounded_errors", bounded_errors(&mut file)),
        ("open_enums", open_enums(&mut file)),
    ];
    // A pass that changes nothing means progenitor's output moved under it: fail like a stale fix.
    if let Some((pass, _)) = counted.iter().find(|(_, n)| *n == 0) {
        return Err(Error::StalePass {
            version: version.to_string(),
            pass,
        });
    }
    file.items.extend(hooks(doc, version).items);
    Ok(file)
}

/// Rewrites the builders' `x_registry_auth` and `x_registry_config` setters to take the crate's
/// credential types; returns how many were rewritten.
pub fn registry_credentials(file: &mut syn::File) -> usize {
    let Some(builders) = module_items(file, "builder") else {
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
            let optional = quote!(#f).to_string().contains("map (Some)");
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

/// The headers that carry registry credentials, as progenitor names the builder fields.
const CREDENTIAL_FIELDS: [&str; 2] = ["x_registry_auth", "x_registry_config"];

/// Builders whose fields hold an encoded `X-Registry-Auth`/`X-Registry-Config` value (base64url
/// of a password) get a `Debug` that prints `<redacted>` for those fields instead of deriving it,
/// and the module lists them in `CREDENTIAL_BUILDERS` (so a test can walk every one); returns how
/// many builders were changed.
pub fn redact_credentials(file: &mut syn::File) -> usize {
    let Some(builders) = module_items(file, "builder") else {
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
        for attr in &mut s.attrs {
            if attr.path().is_ident("derive")
                && let Ok(list) = attr.parse_args_with(
                    syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
                )
            {
                let kept: Vec<&syn::Path> = list.iter().filter(|p| !p.is_ident("Debug")).collect();
                *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
            }
        }
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
    let Some(builders) = module_items(file, "builder") else {
        return 0;
    };
    let mut pass = Bounded(0);
    for item in builders.iter_mut() {
        pass.visit_item_mut(item);
    }
    pass.0
}

/// Whether `func` is the path `segments` (`Error::ErrorResponse`).
fn is_call_to(func: &syn::Expr, segments: &[&str]) -> bool {
    matches!(func, syn::Expr::Path(p)
        if p.path.segments.len() == segments.len()
            && p.path.segments.iter().zip(segments).all(|(s, want)| s.ident == want))
}

/// Replaces the body of `Client::new` so it uses `crate::transport::default_client()`.
pub fn client_new(file: &mut syn::File) {
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
            }
        }
    }
}

/// Removes `types::builder` and `T::builder()`, and makes the operation builders hold the plain
/// body types.
pub fn drop_type_builders(file: &mut syn::File) {
    let mut with_default = std::collections::BTreeSet::new();
    if let Some(types) = module_items(file, "types") {
        types.retain(|item| !matches!(item, syn::Item::Mod(m) if m.ident == "builder"));
        for item in types.iter_mut() {
            if let syn::Item::Impl(imp) = item
                && imp.trait_.is_none()
            {
                imp.items
                    .retain(|it| !matches!(it, syn::ImplItem::Fn(f) if f.sig.ident == "builder"));
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
    struct Plain;
    impl VisitMut for Plain {
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            let idents: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            if idents.len() == 3 && idents[0] == "types" && idents[1] == "builder" {
                let mut segments = path.segments.clone().into_iter().collect::<Vec<_>>();
                segments.remove(1);
                path.segments = segments.into_iter().collect();
            }
            syn::visit_mut::visit_path_mut(self, path);
        }
    }
    let Some(builders) = module_items(file, "builder") else {
        return;
    };
    for item in builders.iter_mut() {
        Plain.visit_item_mut(item);
    }
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
        struct Init;
        impl VisitMut for Init {
            fn visit_field_value_mut(&mut self, fv: &mut syn::FieldValue) {
                if matches!(&fv.member, syn::Member::Named(n) if n == "body") {
                    fv.expr = syn::parse_quote!(Err("body was not set".to_string()));
                }
            }
        }
        for it in &mut imp.items {
            if let syn::ImplItem::Fn(f) = it
                && f.sig.ident == "new"
            {
                Init.visit_impl_item_fn_mut(f);
            }
        }
    }
}

/// Marks every fenced code block in doc comments as `text`.
pub fn doc_code_blocks(file: &mut syn::File) {
    struct Docs;
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
            nv.value = syn::parse_quote!(#fixed);
        }
    }
    Docs.visit_file_mut(file);
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

/// Wraps every operation builder's `send` so that it returns `crate::Error`.
pub fn typed_errors(file: &mut syn::File) {
    let Some(builders) = module_items(file, "builder") else {
        return;
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
        let operation = heck::ToSnakeCase::to_snake_case(name.as_str());
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
        }
    }
}

/// Drops the `api-version` header and routes response wrapping through `crate::transport`.
pub fn lean_requests(file: &mut syn::File) {
    struct Lean;
    impl VisitMut for Lean {
        fn visit_block_mut(&mut self, block: &mut syn::Block) {
            block.stmts.retain(|stmt| {
                let text = quote!(#stmt).to_string();
                !(text.starts_with("header_map . append") && text.contains("\"api-version\""))
            });
            syn::visit_mut::visit_block_mut(self, block);
        }
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            // `HeaderMap::with_capacity(n)`: one header fewer now.
            if let syn::Expr::Path(p) = &*call.func
                && p.path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "with_capacity")
                && p.path.segments.iter().any(|s| s.ident == "HeaderMap")
                && let Some(syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(n),
                    ..
                })) = call.args.first()
                && let Ok(n) = n.base10_parse::<usize>()
            {
                let n = n.saturating_sub(1);
                call.args = syn::parse_quote!(#n);
            }
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
                    }
                }
            }
            syn::visit_mut::visit_expr_call_mut(self, call);
        }
    }
    if let Some(builders) = module_items(file, "builder") {
        for item in builders.iter_mut() {
            Lean.visit_item_mut(item);
        }
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
        .filter_map(|(_, _, op)| {
            op.get("operationId")?
                .as_str()
                .map(heck::ToUpperCamelCase::to_upper_camel_case)
        })
        .collect()
}

/// Optional raw bodies start out empty instead of "not initialized".
pub fn optional_raw_bodies(file: &mut syn::File, doc: &Value) {
    let optional = optional_raw_body_builders(doc);
    let Some(builders) = module_items(file, "builder") else {
        return;
    };
    struct Empty;
    impl VisitMut for Empty {
        fn visit_field_value_mut(&mut self, fv: &mut syn::FieldValue) {
            if matches!(&fv.member, syn::Member::Named(n) if n == "body") {
                fv.expr = syn::parse_quote!(Ok(reqwest::Body::from(::std::vec::Vec::<u8>::new())));
            }
        }
    }
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
                Empty.visit_impl_item_fn_mut(f);
            }
        }
    }
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

/// The body type named by an operation builder's `body_map` method, if it has one.
fn body_type_of(imp: &syn::ItemImpl) -> Option<String> {
    imp.items.iter().find_map(|it| match it {
        syn::ImplItem::Fn(f) if f.sig.ident == "body_map" => {
            let text = quote!(#f).to_string().replace(' ', "");
            let start = text.find("FnOnce(types::")? + "FnOnce(types::".len();
            let end = start + text[start..].find(')')?;
            Some(text[start..end].to_string())
        }
        _ => None,
    })
}

fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("derive")
            && a.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|list| {
                list.iter()
                    .any(|p| p.segments.last().is_some_and(|s| s.ident == name))
            })
    })
}

fn module_items<'a>(file: &'a mut syn::File, name: &str) -> Option<&'a mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

fn is_path(ty: &syn::Type, name: &str) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.is_ident(name))
}

/// Adds an `Other(String)` variant to every string enum in `mod types`.
///
/// A string enum is one whose variants are all unit variants; the new variant is
/// `#[serde(untagged)]`, so known values still (de)serialise as before and any other string is
/// kept as it came. `Copy` goes (a `String` is not `Copy`); `Display` and `FromStr` learn the new
/// variant, so `FromStr` no longer fails.
pub fn open_enums(file: &mut syn::File) -> usize {
    let Some(types) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    }) else {
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
    for attr in &mut e.attrs {
        if !attr.path().is_ident("derive") {
            continue;
        }
        if let Ok(list) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) {
            let kept = list.into_iter().filter(|p| !p.is_ident("Copy"));
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
    }
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
/// version-independent code (`ApiClient`, `DaemonMessage`).
pub fn hooks(doc: &Value, version: &str) -> syn::File {
    let (major, minor) = version.split_once('.').unwrap_or(("1", "0"));
    let major: u16 = major.parse().unwrap_or(1);
    let minor: u16 = minor.parse().unwrap_or(0);
    let mut media: Vec<(String, String)> = operations(doc)
        .filter_map(|(_, _, op)| {
            let media = op.get(X_CONTENT_TYPE)?.as_str()?.to_string();
            let id = op.get("operationId")?.as_str()?;
            Some((heck::ToSnakeCase::to_snake_case(id), media))
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

        impl crate::transport::DaemonMessage for types::ErrorResponse {
            fn daemon_message(self) -> ::std::string::String {
                self.message
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
