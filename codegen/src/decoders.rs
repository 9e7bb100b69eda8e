//! The table that proves the generated types decode the spec's examples: the syn pass
//! `example-decoders` adds it to each version's module, compiled only in the client crate's
//! unit tests (`#[cfg(test)]`), so users' builds never pay for it.
//!
//! Each row names what it checks (`definition Volume`, `response ContainerList 200`), holds the
//! JSON ([`crate::examples`]) and a decoder for the Rust type generated for it: for a
//! definition, `types::<its type name>`; for a response, the type its operation builder's
//! `send_generated` returns for that status (success: the `T` of `ResponseValue<T>`, including
//! inline schemas typify named itself; error: the `E` of `Error<E>`). The decoder is the crate's
//! `spec_examples::round_trip::<T>`. Examples of responses the client does not decode (byte
//! streams, upgraded connections, empty bodies) are listed as untyped instead, and counted.

use std::collections::BTreeMap;

use quote::quote;
use serde_json::Value;

use crate::examples::{Example, Target, collect, is_success, synthesize_all};
use crate::tree::{
    builder_name, generated_type_names, inherent_impls, method, module_items, self_type_name,
    type_name,
};

/// The module the table is generated as, in each version's module.
pub const MODULE: &str = "spec_examples";

/// Adds `mod spec_examples` (tests only) with the tables `EXAMPLES`, `SYNTHESIZED` and
/// `UNTYPED`; returns how many decoding checks it holds (zero, and nothing added, when the spec
/// has neither examples nor definitions).
pub fn example_decoders(file: &mut syn::File, doc: &Value) -> usize {
    let types = generated_type_names(file);
    let responses = response_types(file);
    let rust_type = |target: &Target| -> Option<syn::Type> {
        match target {
            Target::Definition(name) => {
                let ident = type_name(name);
                types.contains(&ident).then(|| {
                    let ident = syn::Ident::new(&ident, proc_macro2::Span::call_site());
                    syn::parse_quote!(types::#ident)
                })
            }
            Target::Response { operation, status } => {
                let (ok, err) = responses.get(&builder_name(operation))?;
                let ty = if is_success(status) { ok } else { err };
                ty.as_ref().filter(|t| decodable(t)).cloned()
            }
        }
    };
    let mut untyped = Vec::new();
    let rows = |examples: Vec<Example>, untyped: &mut Vec<String>| {
        examples
            .into_iter()
            .filter_map(|example| {
                let label = example.target.label();
                let Some(ty) = rust_type(&example.target) else {
                    untyped.push(label);
                    return None;
                };
                let json = example.value.to_string();
                Some(quote! {
                    crate::spec_examples::Case {
                        name: #label,
                        json: #json,
                        check: crate::spec_examples::round_trip::<#ty>,
                    }
                })
            })
            .collect::<Vec<_>>()
    };
    let examples = rows(collect(doc), &mut untyped);
    let mut unused = Vec::new();
    let synthesized = rows(synthesize_all(doc), &mut unused);
    let count = examples.len() + synthesized.len();
    if count == 0 {
        return 0;
    }
    let module = syn::Ident::new(MODULE, proc_macro2::Span::call_site());
    file.items.push(syn::parse_quote! {
        /// Decoding checks of the spec's examples and of synthesized instances (tests only).
        #[cfg(test)]
        pub(crate) mod #module {
            use super::types;
            /// The spec's examples, each with the decoder of its type.
            pub(crate) static EXAMPLES: &[crate::spec_examples::Case] = &[#(#examples),*];
            /// One instance of every definition with every property filled.
            pub(crate) static SYNTHESIZED: &[crate::spec_examples::Case] = &[#(#synthesized),*];
            /// Examples of responses the client does not decode (streams, empty bodies).
            pub(crate) static UNTYPED: &[&str] = &[#(#untyped),*];
        }
    });
    count
}

/// Whether the client decodes a response of type `ty` as JSON.
fn decodable(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Tuple(t) => !t.elems.is_empty(),
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident != "ByteStream" && s.ident != "Upgraded"),
        _ => false,
    }
}

/// Per operation builder: the success type (`T` of `ResponseValue<T>`) and error type (`E` of
/// progenitor's `Error<E>`) of its `send_generated` (or `send`, before the `typed-errors` pass).
type ResponseTypes = BTreeMap<String, (Option<syn::Type>, Option<syn::Type>)>;

fn response_types(file: &syn::File) -> ResponseTypes {
    let mut out = BTreeMap::new();
    for imp in inherent_impls(module_items(file, "builder").into_iter().flatten()) {
        let Some(name) = self_type_name(imp) else {
            continue;
        };
        // After `typed-errors`, `send` returns the crate's error; progenitor's own signature
        // (with the error body's type) is `send_generated`'s.
        let Some(f) = method(imp, "send_generated").or_else(|| method(imp, "send")) else {
            continue;
        };
        let Some([ok, err]) = generic_args(&f.sig.output) else {
            continue;
        };
        let ok = inner(&ok, "ResponseValue");
        let err = inner(&err, "Error");
        if ok.is_some() || err.is_some() {
            out.insert(name, (ok, err));
        }
    }
    out
}

/// `[T, E]` of a `Result<T, E>` return type.
fn generic_args(output: &syn::ReturnType) -> Option<[syn::Type; 2]> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let args = args_of(ty, "Result")?;
    match args.as_slice() {
        [ok, err] => Some([ok.clone(), err.clone()]),
        _ => None,
    }
}

/// `X` of `wrapper<X>`.
fn inner(ty: &syn::Type, wrapper: &str) -> Option<syn::Type> {
    args_of(ty, wrapper)?.into_iter().next()
}

fn args_of(ty: &syn::Type, name: &str) -> Option<Vec<syn::Type>> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    Some(
        args.args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn definitions_and_responses_get_their_types() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Volume {}
                pub struct VolumeListResponse {}
                pub struct ErrorResponse {}
            }
            pub mod builder {
                impl<'a> VolumeList<'a> {
                    async fn send_generated(self) -> Result<ResponseValue<types::VolumeListResponse>, Error<types::ErrorResponse>> { todo!() }
                    pub async fn send(self) -> ::std::result::Result<ResponseValue<types::VolumeListResponse>, crate::Error> { todo!() }
                }
                impl<'a> ContainerLogs<'a> {
                    async fn send_generated(self) -> Result<ResponseValue<ByteStream>, Error<types::ErrorResponse>> { todo!() }
                }
            }
        };
        let doc = json!({
            "components": {"schemas": {
                "Volume": {"type": "object", "properties": {"Name": {"type": "string"}},
                           "example": {"Name": "v"}}
            }},
            "paths": {
                "/volumes": {"get": {"operationId": "VolumeList", "responses": {
                    "200": {"content": {"application/json": {"example": {"Volumes": []}}}},
                    "500": {"content": {"application/json": {"example": {"message": "x"}}}}
                }}},
                "/containers/{id}/logs": {"get": {"operationId": "ContainerLogs", "responses": {
                    "200": {"content": {"application/json": {"example": "text"}}}
                }}}
            }
        });
        // 3 examples decoded (definition, 200, 500) + 1 synthesized; the log stream is untyped.
        assert_eq!(example_decoders(&mut file, &doc), 4);
        let code = quote!(#file).to_string();
        assert!(code.contains("round_trip :: < types :: Volume >"), "{code}");
        assert!(
            code.contains("\"response VolumeList 200\" , json : \"{\\\"Volumes\\\":[]}\" , check : crate :: spec_examples :: round_trip :: < types :: VolumeListResponse >"),
            "{code}"
        );
        assert!(
            code.contains("round_trip :: < types :: ErrorResponse >"),
            "{code}"
        );
        assert!(
            code.contains("UNTYPED : & [& str] = & [\"response ContainerLogs 200\"]"),
            "{code}"
        );
    }

    #[test]
    fn nothing_to_check_adds_nothing() {
        let mut file: syn::File = syn::parse_quote! { pub mod types {} };
        assert_eq!(example_decoders(&mut file, &json!({"paths": {}})), 0);
        assert_eq!(file.items.len(), 1);
    }
}
