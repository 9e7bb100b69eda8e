//! Accessors for the two trees the stages work on, shared by them so that each stage reads the
//! same shapes the same way.
//!
//! The JSON side (the spec, as [`convert`](crate::convert) leaves it) is read by the conversion
//! passes, the policies, the syn passes (which look up operations) and the coverage count; the
//! `syn` side (progenitor's output) is walked by the syn passes and by the coverage count. Keeping
//! the accessors here, rather than in whichever stage needed them first, means a stage does not
//! reach into another for a helper, and a change in how progenitor names things (its `types` and
//! `builder` modules, the method and builder names it derives from an operation id) is made once.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::{Map, Value, json};
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

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

/// Calls `edit` on every object of `v`, each before the objects inside it (which `edit` may have
/// changed), and returns the sum of what it returned: the passes that rewrite a shape wherever it
/// is in the document count their edits this way.
pub fn edit_objects(
    v: &mut Value,
    mut edit: impl FnMut(&mut Map<String, Value>) -> usize,
) -> usize {
    fn walk(v: &mut Value, edit: &mut dyn FnMut(&mut Map<String, Value>) -> usize) -> usize {
        match v {
            Value::Object(map) => {
                let n = edit(map);
                n + map.values_mut().map(|v| walk(v, edit)).sum::<usize>()
            }
            Value::Array(items) => items.iter_mut().map(|v| walk(v, edit)).sum(),
            _ => 0,
        }
    }
    walk(v, &mut edit)
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

/// Gives structs of the generated `types` module an impl of their own: `impl_of` sees each struct
/// (and may edit it) and returns the impl, which is placed right after it, or `None` to leave the
/// struct as it is. Returns how many impls were added (0 when the file has no `types`).
pub fn add_struct_impls(
    file: &mut syn::File,
    mut impl_of: impl FnMut(&mut syn::ItemStruct) -> Option<syn::Item>,
) -> usize {
    let Some(types) = module_items_mut(file, "types") else {
        return 0;
    };
    let mut out = Vec::with_capacity(types.len() * 2);
    let mut added = 0;
    for mut item in types.drain(..) {
        let imp = match &mut item {
            syn::Item::Struct(s) => impl_of(s),
            _ => None,
        };
        added += usize::from(imp.is_some());
        out.push(item);
        out.extend(imp);
    }
    *types = out;
    added
}

// ---- One walker for the syn passes ----------------------------------------------------------
//
// syn's traversal is generic over the visitor: every `VisitMut` impl compiles its own copy of
// all of it (about 360 functions), and this crate is compiled in every consumer's build, on the
// way to the build script. So the passes share one walker, which hands them the few kinds of node
// they rewrite, instead of each having a visitor type of its own.

/// A node the walker hands to a pass before walking into it.
pub enum Node<'a> {
    /// An attribute (`#[doc = ".."]`, `#[serde(..)]`, ...).
    Attribute(&'a mut syn::Attribute),
    /// A block of statements.
    Block(&'a mut syn::Block),
    /// Any expression (handed again as its kind below when it is one of them).
    Expr(&'a mut syn::Expr),
    /// A call `f(..)`.
    ExprCall(&'a mut syn::ExprCall),
    /// A `match`.
    ExprMatch(&'a mut syn::ExprMatch),
    /// A field pattern `field: pat` (or the shorthand `field`).
    FieldPat(&'a mut syn::FieldPat),
    /// A field initialiser `field: expr` (or the shorthand `field`).
    FieldValue(&'a mut syn::FieldValue),
    /// A named or numbered member (`x.field`, `Self { field: .. }`).
    Member(&'a mut syn::Member),
    /// A path (in types, expressions and patterns alike).
    Path(&'a mut syn::Path),
}

/// What the walker does after handing a pass a node.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Walk {
    /// Walk into the node (as it is now, after the pass's changes).
    Into,
    /// Leave the node's insides alone.
    Over,
}

/// The one `VisitMut` impl: hands each [`Node`] to the pass, then walks into it unless told not
/// to.
struct Walker<'p>(&'p mut dyn FnMut(Node<'_>) -> Walk);

/// Each `VisitMut` method named, with the node type and [`Node`] variant it hands over; it walks
/// on with syn's function of the same name.
macro_rules! hand_over {
    ($($method:ident, $ty:ty, $variant:ident;)*) => {
        $(
            fn $method(&mut self, node: &mut $ty) {
                if (self.0)(Node::$variant(node)) == Walk::Into {
                    syn::visit_mut::$method(self, node);
                }
            }
        )*
    };
}

impl VisitMut for Walker<'_> {
    hand_over! {
        visit_attribute_mut, syn::Attribute, Attribute;
        visit_block_mut, syn::Block, Block;
        visit_expr_mut, syn::Expr, Expr;
        visit_expr_call_mut, syn::ExprCall, ExprCall;
        visit_expr_match_mut, syn::ExprMatch, ExprMatch;
        visit_field_pat_mut, syn::FieldPat, FieldPat;
        visit_field_value_mut, syn::FieldValue, FieldValue;
        visit_member_mut, syn::Member, Member;
        visit_path_mut, syn::Path, Path;
    }
}

/// Walks the whole generated file, handing `pass` every [`Node`].
pub fn walk_file(file: &mut syn::File, pass: &mut dyn FnMut(Node<'_>) -> Walk) {
    Walker(pass).visit_file_mut(file);
}

/// Walks every item of the inline module `name` of the generated file (nothing when the file has
/// no such module): the passes that rewrite expressions or paths inside the operation builders
/// walk `builder` this way.
pub fn walk_module(file: &mut syn::File, name: &str, pass: &mut dyn FnMut(Node<'_>) -> Walk) {
    let mut walker = Walker(pass);
    for item in module_items_mut(file, name).into_iter().flatten() {
        walker.visit_item_mut(item);
    }
}

/// Walks one impl block.
pub fn walk_impl(imp: &mut syn::ItemImpl, pass: &mut dyn FnMut(Node<'_>) -> Walk) {
    Walker(pass).visit_item_impl_mut(imp);
}

/// Makes `value` the initialiser of the `body` field in an operation builder's `new`; returns how
/// many initialisers it replaced.
pub fn set_body_in_new(imp: &mut syn::ItemImpl, value: &syn::Expr) -> usize {
    let mut n = 0;
    for f in methods_named_mut(imp, "new") {
        Walker(&mut |node| match node {
            Node::FieldValue(fv) => {
                if matches!(&fv.member, syn::Member::Named(field) if field == "body") {
                    fv.expr = value.clone();
                    n += 1;
                }
                Walk::Over
            }
            _ => Walk::Into,
        })
        .visit_impl_item_fn_mut(f);
    }
    n
}

/// A node the read-only walker shows a pass (which then walks into it).
pub enum Seen<'a> {
    /// A method call `x.method(..)`.
    MethodCall(&'a syn::ExprMethodCall),
    /// A path (in types, expressions and patterns alike).
    Path(&'a syn::Path),
}

/// The one `Visit` impl, for the passes that only look.
struct Looker<'p>(&'p mut dyn FnMut(Seen<'_>));

impl<'ast> Visit<'ast> for Looker<'_> {
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        (self.0)(Seen::MethodCall(call));
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        (self.0)(Seen::Path(path));
        syn::visit::visit_path(self, path);
    }
}

/// Shows `pass` every [`Seen`] node of a block.
pub fn look_block(block: &syn::Block, pass: &mut dyn FnMut(Seen<'_>)) {
    Looker(pass).visit_block(block);
}

/// Shows `pass` every [`Seen`] node of a struct's or variant's fields.
pub fn look_fields(fields: &syn::Fields, pass: &mut dyn FnMut(Seen<'_>)) {
    Looker(pass).visit_fields(fields);
}

/// Shows `pass` every [`Seen`] node of a type.
pub fn look_type(ty: &syn::Type, pass: &mut dyn FnMut(Seen<'_>)) {
    Looker(pass).visit_type(ty);
}

/// The names of the types (structs, enums, type aliases) of the generated `types` module: what
/// typify made of the definitions.
pub fn generated_type_names(file: &syn::File) -> BTreeSet<String> {
    module_items(file, "types")
        .into_iter()
        .flatten()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            syn::Item::Type(t) => Some(t.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// The structs among `items`.
pub fn structs<'a>(
    items: impl IntoIterator<Item = &'a syn::Item>,
) -> impl Iterator<Item = &'a syn::ItemStruct> {
    items.into_iter().filter_map(|item| match item {
        syn::Item::Struct(s) => Some(s),
        _ => None,
    })
}

/// The structs among `items`, to edit.
pub fn structs_mut<'a>(
    items: impl IntoIterator<Item = &'a mut syn::Item>,
) -> impl Iterator<Item = &'a mut syn::ItemStruct> {
    items.into_iter().filter_map(|item| match item {
        syn::Item::Struct(s) => Some(s),
        _ => None,
    })
}

/// The names of a struct's fields, or `None` for a tuple or unit struct.
pub fn field_names(s: &syn::ItemStruct) -> Option<Vec<syn::Ident>> {
    let syn::Fields::Named(fields) = &s.fields else {
        return None;
    };
    Some(
        fields
            .named
            .iter()
            .filter_map(|f| f.ident.clone())
            .collect(),
    )
}

/// The impl blocks among `items` that implement no trait (`impl Client { .. }`): where progenitor
/// puts the methods of the client and of the operation builders.
pub fn inherent_impls<'a>(
    items: impl IntoIterator<Item = &'a syn::Item>,
) -> impl Iterator<Item = &'a syn::ItemImpl> {
    items.into_iter().filter_map(|item| match item {
        syn::Item::Impl(imp) if imp.trait_.is_none() => Some(imp),
        _ => None,
    })
}

/// The impl blocks among `items` that implement no trait, to edit.
pub fn inherent_impls_mut<'a>(
    items: impl IntoIterator<Item = &'a mut syn::Item>,
) -> impl Iterator<Item = &'a mut syn::ItemImpl> {
    items.into_iter().filter_map(|item| match item {
        syn::Item::Impl(imp) if imp.trait_.is_none() => Some(imp),
        _ => None,
    })
}

/// The trait's name (its last path segment: `Default`, `Display`) of an impl block, or `None` for
/// an inherent one.
pub fn trait_name(imp: &syn::ItemImpl) -> Option<String> {
    let (path, _) = imp.trait_.as_ref()?;
    path.segments.last().map(|s| s.ident.to_string())
}

/// The impl blocks among `items` that implement a trait, each with the trait's [`trait_name`].
pub fn trait_impls<'a>(
    items: impl IntoIterator<Item = &'a syn::Item>,
) -> impl Iterator<Item = (String, &'a syn::ItemImpl)> {
    items.into_iter().filter_map(|item| match item {
        syn::Item::Impl(imp) => Some((trait_name(imp)?, imp)),
        _ => None,
    })
}

/// The impl blocks among `items` that implement a trait, to edit, each with the trait's
/// [`trait_name`].
pub fn trait_impls_mut<'a>(
    items: impl IntoIterator<Item = &'a mut syn::Item>,
) -> impl Iterator<Item = (String, &'a mut syn::ItemImpl)> {
    items.into_iter().filter_map(|item| match item {
        syn::Item::Impl(imp) => Some((trait_name(imp)?, imp)),
        _ => None,
    })
}

/// The name of the type an impl block is for, by its last path segment (`ContainerList` of
/// `impl<'a> ContainerList<'a>`); `None` when it is not a path.
pub fn self_type_name(imp: &syn::ItemImpl) -> Option<String> {
    let syn::Type::Path(p) = &*imp.self_ty else {
        return None;
    };
    p.path.segments.last().map(|s| s.ident.to_string())
}

/// The methods (associated functions) of an impl block.
pub fn methods(imp: &syn::ItemImpl) -> impl Iterator<Item = &syn::ImplItemFn> {
    imp.items.iter().filter_map(|it| match it {
        syn::ImplItem::Fn(f) => Some(f),
        _ => None,
    })
}

/// The methods of an impl block, to edit.
pub fn methods_mut(imp: &mut syn::ItemImpl) -> impl Iterator<Item = &mut syn::ImplItemFn> {
    imp.items.iter_mut().filter_map(|it| match it {
        syn::ImplItem::Fn(f) => Some(f),
        _ => None,
    })
}

/// The method `name` of an impl block.
pub fn method<'a>(imp: &'a syn::ItemImpl, name: &str) -> Option<&'a syn::ImplItemFn> {
    methods(imp).find(|f| f.sig.ident == name)
}

/// The methods `name` of an impl block, to edit (progenitor's `new` of a builder).
pub fn methods_named_mut<'a>(
    imp: &'a mut syn::ItemImpl,
    name: &'a str,
) -> impl Iterator<Item = &'a mut syn::ImplItemFn> {
    methods_mut(imp).filter(move |f| f.sig.ident == name)
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

/// Removes `name` (`Copy`, `Debug`, `::serde::Deserialize` by its last segment) from every
/// `#[derive(...)]` of the attributes.
pub fn remove_derive(attrs: &mut [syn::Attribute], name: &str) {
    for attr in attrs {
        if let Some(list) = derive_list(attr) {
            let kept = list
                .into_iter()
                .filter(|p| p.segments.last().is_none_or(|s| s.ident != name));
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
    }
}

/// The entries of the `#[serde(...)]` attributes, in order: `("rename", Some("Id"))` for
/// `rename = "Id"`, `("default", None)` for a bare `default`.
pub fn serde_entries(attrs: &[syn::Attribute]) -> Vec<(String, Option<String>)> {
    let mut entries = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let value = if meta.input.peek(syn::Token![=]) {
                Some(meta.value()?.parse::<syn::LitStr>()?.value())
            } else {
                None
            };
            entries.push((key, value));
            Ok(())
        });
    }
    entries
}

/// The value of a `#[serde(key = "...")]` entry of the attributes (`rename`, `default`).
pub fn serde_value(attrs: &[syn::Attribute], key: &str) -> Option<String> {
    serde_entries(attrs)
        .into_iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v)
}

/// The last segment of a path type (`HashMap<K, V>` of `::std::collections::HashMap<K, V>`), or
/// `None` for any other type.
pub fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        _ => None,
    }
}

/// The type arguments of a path type's last segment (`[K, V]` of `HashMap<K, V>`).
pub fn type_args(ty: &syn::Type) -> Vec<&syn::Type> {
    match last_segment(ty).map(|s| &s.arguments) {
        Some(syn::PathArguments::AngleBracketed(args)) => args
            .args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether the attribute is a `#[doc]` (what an item keeps when a pass changes its shape).
pub fn is_doc(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("doc")
}

/// Adds a paragraph after an item's docs (or as its docs, when it has none).
pub fn add_doc(attrs: &mut Vec<syn::Attribute>, text: &str) {
    let paragraph: syn::Attribute = syn::parse_quote!(#[doc = #text]);
    match attrs.iter().rposition(is_doc) {
        Some(last) => {
            attrs.insert(last + 1, syn::parse_quote!(#[doc = ""]));
            attrs.insert(last + 2, paragraph);
        }
        None => attrs.insert(0, paragraph),
    }
}

/// Whether an impl block is for one of `names`, or implements a trait with one of them as a type
/// argument (`impl From<PortMap> for HashMap<..>`).
pub fn impl_is_about(imp: &syn::ItemImpl, names: &BTreeSet<String>) -> bool {
    let named = |ty: &syn::Type| {
        matches!(ty, syn::Type::Path(p) if p.qself.is_none()
            && p.path.get_ident().is_some_and(|i| names.contains(&i.to_string())))
    };
    if named(&imp.self_ty) {
        return true;
    }
    let Some((path, _)) = &imp.trait_ else {
        return false;
    };
    path.segments.iter().any(|seg| match &seg.arguments {
        syn::PathArguments::AngleBracketed(args) => args.args.iter().any(|a| match a {
            syn::GenericArgument::Type(t) => named(t),
            _ => false,
        }),
        _ => false,
    })
}
