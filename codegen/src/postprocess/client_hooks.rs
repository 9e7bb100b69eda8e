//! The `ClientHooks` implementation of each version's `Client`, added after the passes.
//!
//! progenitor runs with `HooksMode::Expected`: the generated client calls a `ClientHooks`
//! implementation it does not provide. This one delegates to the crate's handwritten `transport`
//! module (request media types, timeouts, tracing, credential headers), passing it this version's
//! per-operation request media types, which progenitor cannot express (it sends every raw body
//! as `application/octet-stream`). It also implements `crate::ApiClient`, the glue to the crate's
//! version-independent code. It is not a pass: it adds items rather than rewriting progenitor's,
//! so there is nothing for it to find or miss.

use quote::quote;
use serde_json::Value;

use crate::tree::{X_CONTENT_TYPE, method_name, operation_id, operations};

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
                request: &mut crate::transport::Request,
                info: &OperationInfo,
            ) -> std::result::Result<(), Error<E>> {
                crate::transport::pre(&self.inner, request, info.operation_id, REQUEST_MEDIA_TYPES);
                Ok(())
            }

            async fn exec(
                &self,
                request: crate::transport::Request,
                info: &OperationInfo,
            ) -> crate::transport::HttpResult<crate::transport::Response> {
                crate::transport::exec(&self.inner, &self.client, request, info.operation_id).await
            }
        }

        impl crate::ApiClient for Client {
            const VERSION: crate::ApiVersion = crate::ApiVersion::new(#major, #minor);

            fn from_parts(base_url: &str, http: crate::transport::HttpClient, state: crate::ClientState) -> Self {
                Self::new_with_client(base_url, http, state)
            }

            fn parts(&self) -> (&str, &crate::transport::HttpClient, &crate::ClientState) {
                (&self.baseurl, &self.client, &self.inner)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hooks_carry_the_request_media_types() {
        let doc = serde_json::json!({"paths": {"/build": {"post": {"operationId": "ImageBuild", X_CONTENT_TYPE: "application/x-tar"}}}});
        let code = prettyplease::unparse(&hooks(&doc, "1.41"));
        assert!(
            code.contains("(\"image_build\", \"application/x-tar\")"),
            "{code}"
        );
    }
}
