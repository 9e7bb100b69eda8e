//! Accessors for the two trees the stages work on, shared by them so that each stage reads the
//! same shapes the same way.
//!
//! The JSON side (the spec, as [`convert`](crate::convert) leaves it) is read by the conversion
//! passes, the policies, the syn passes (which look up operations) and the coverage count; the
//! `syn` side (progenitor's output) is walked by the syn passes and by the coverage count. Keeping
//! the accessors here, rather than in whichever stage needed them first, means a stage does not
//! reach into another for a helper, and a change in how progenitor names things (its `types` and
//! `builder` modules, the method and builder names it derives from an operation id) is made once.

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::{Map, Value, json};

// ---- The JSON tree -------------------------------------------------------------------------

/// Media type progenitor treats as a raw byte body (request) or byte stream (response).
pub const OCTET_STREAM: &str = "application/octet-stream";

/// Media type of JSON bodies.
pub const JSON: &str = "application/json";

/// Vendor extension recording a request body's real media type when it is not one progenitor
/// knows (Docker's `application/x-tar`): [`convert`](crate::convert) writes it, and the generated
/// request hook ([`postprocess::hooks`](crate::postprocess::hooks)) puts it back on the wire.
pub const X_CONTENT_TYPE: &str = "x-docker-content-type";

/// The keys of a path item that are operations.
const HTTP_METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

/// The schema progenitor expects for a raw byte body or stream.
pub fn binary_schema() -> Value {
    json!({ "type": "string", "format": "binary" })
}

/// Iterates over every operation of a (Swagger or OpenAPI) document as `(path, method, op)`.
pub fn operations_mut(
    doc: &mut Value,
) -> impl Iterator<Item = (String, String, &mut Map<String, Value>)> {
    doc.get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.iter_mut())
        .flat_map(|(path, item)| {
            item.as_object_mut()
                .into_iter()
                .flat_map(|item| item.iter_mut())
                .filter(|(method, _)| HTTP_METHODS.contains(&method.as_str()))
                .filter_map(move |(method, op)| {
                    op.as_object_mut()
                        .map(|op| (path.clone(), method.clone(), op))
                })
        })
}

/// Iterates over every operation of a document, read-only: `(path, method, op)`.
pub fn operations(doc: &Value) -> impl Iterator<Item = (&str, &str, &Map<String, Value>)> {
    doc.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.iter())
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flat_map(|item| item.iter())
                .filter(|(method, _)| HTTP_METHODS.contains(&method.as_str()))
                .filter_map(move |(method, op)| {
                    op.as_object()
                        .map(|op| (path.as_str(), method.as_str(), op))
                })
        })
}

/// An operation's `operationId`.
pub fn operation_id(op: &Map<String, Value>) -> Option<&str> {
    op.get("operationId").and_then(Value::as_str)
}

/// Whether a response code is an error's: a 4xx, a 5xx or `default` (the daemon answers those
/// with its JSON error whatever the operation produces).
pub fn is_error_status(code: &str) -> bool {
    code == "default" || code.starts_with(['4', '5'])
}

// ---- Names progenitor derives from the spec ------------------------------------------------

/// The name of the `Client` method progenitor generates for an operation id
/// (`ContainerList` → `container_list`).
pub fn method_name(operation_id: &str) -> String {
    operation_id.to_snake_case()
}

/// The name of the operation builder progenitor generates for an operation id, in its `builder`
/// module (`ContainerList` → `ContainerList`, `containerList` → `ContainerList`).
pub fn builder_name(operation_id: &str) -> String {
    operation_id.to_upper_camel_case()
}

/// The name of the type typify generates for a definition (`IdResponse`, `Port`).
pub fn type_name(definition: &str) -> String {
    definition.to_upper_camel_case()
}

// ---- The syn tree --------------------------------------------------------------------------

/// The items of the inline module `name` (`types`, `builder`) of the generated file.
pub fn module_items<'a>(file: &'a syn::File, name: &str) -> Option<&'a Vec<syn::Item>> {
    file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    })
}

/// The items of the inline module `name` of the generated file, to edit.
pub fn module_items_mut<'a>(file: &'a mut syn::File, name: &str) -> Option<&'a mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// Whether `ty` is the bare path `name` (`Client`, not `crate::Client`).
pub fn is_path(ty: &syn::Type, name: &str) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.is_ident(name))
}

/// Whether `func` is the path `segments` exactly (`Error::ErrorResponse`).
pub fn is_call_to(func: &syn::Expr, segments: &[&str]) -> bool {
    matches!(func, syn::Expr::Path(p)
        if p.path.segments.len() == segments.len()
            && p.path.segments.iter().zip(segments).all(|(s, want)| s.ident == want))
}

/// The paths of a `#[derive(...)]` attribute, or `None` for any other attribute.
fn derive_list(
    attr: &syn::Attribute,
) -> Option<syn::punctuated::Punctuated<syn::Path, syn::Token![,]>> {
    if !attr.path().is_ident("derive") {
        return None;
    }
    attr.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        .ok()
}

/// Whether the attributes derive `name` (by its last path segment: `Default`,
/// `::std::default::Default`).
pub fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().filter_map(derive_list).any(|list| {
        list.iter()
            .any(|p| p.segments.last().is_some_and(|s| s.ident == name))
    })
}

/// Removes the bare `name` (`Copy`, `Debug`) from every `#[derive(...)]` of the attributes.
pub fn remove_derive(attrs: &mut [syn::Attribute], name: &str) {
    for attr in attrs {
        if let Some(list) = derive_list(attr) {
            let kept = list.into_iter().filter(|p| !p.is_ident(name));
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
    }
}
