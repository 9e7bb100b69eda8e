//! The `redact-credentials` pass: builders holding credentials do not print them.
//!
//! progenitor derives `Debug` for every operation builder, so a builder holding an encoded
//! `X-Registry-Auth`/`X-Registry-Config` (base64url of a password) would print it in any log or
//! panic message that formats it. Those builders get a `Debug` of their own that prints
//! `<redacted>` for the credential fields instead, and the module lists them in
//! `CREDENTIAL_BUILDERS` so that a test can walk every one.

use quote::quote;

use crate::tree::{field_names, module_items_mut, remove_derive, structs_mut};

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
    for s in structs_mut(builders.iter_mut()) {
        let Some(field_names) = field_names(s) else {
            continue;
        };
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
