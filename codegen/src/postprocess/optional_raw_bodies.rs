//! The `optional-raw-bodies` pass: an optional raw body starts out empty.
//!
//! progenitor makes every raw (`application/octet-stream`) request body mandatory: its builder's
//! `new` initialises the body as "not set", and `send` fails until one is given. Where the spec
//! says the body is optional, that blocks real calls (a pull, `image_create` without
//! `fromSrc=-`; a build from a `remote` URL); the pass starts those bodies out empty instead.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::tree::{
    builder_name, inherent_impls_mut, module_items_mut, operation_id, operations, self_type_name,
    set_body_in_new,
};

/// Operation builders (by struct name) whose raw body the spec marks optional.
fn optional_raw_body_builders(doc: &Value) -> BTreeSet<String> {
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
    let empty: syn::Expr = syn::parse_quote!(Ok(crate::transport::Body::from(
        ::std::vec::Vec::<u8>::new()
    )));
    inherent_impls_mut(builders.iter_mut())
        .filter(|imp| self_type_name(imp).is_some_and(|name| optional.contains(&name)))
        .map(|imp| set_body_in_new(imp, &empty))
        .sum()
}
