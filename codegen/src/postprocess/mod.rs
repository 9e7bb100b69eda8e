//! Passes over progenitor's output (as a `syn` tree), for what no setting of progenitor reaches.
//!
//! progenitor's output is close to the client the crate needs, but some of what it generates is
//! wrong for Docker (a total timeout on every call, closed enums, mandatory optional bodies) or
//! costly (typify's per-type builders, cloned response headers), and no setting of progenitor or
//! typify changes it. This module rewrites the parsed output instead.
//!
//! [`PASSES`] lists the passes in the order they run, each with the reason it exists and in a file
//! of its own named after it; each counts the places it changed, and one that changes nothing where it
//! must fails generation ([`Error::StalePass`]): progenitor's output no longer has the shape it
//! rewrites, and the behaviour it adds would otherwise be lost without a word. Their matching is
//! structural (paths, calls, items, through the accessors of [`crate::tree`]), never on token
//! text. The last pass, `example-decoders`, is [`crate::decoders`].
//!
//! After the passes, [`hooks`] adds the `ClientHooks` implementation (progenitor's
//! `HooksMode::Expected`) delegating to the crate's handwritten `transport` module, with this
//! version's per-operation request media types. It is not a pass: it adds items rather than
//! rewriting progenitor's, so there is nothing for it to find or miss.

use proc_macro2::TokenStream;
use serde_json::Value;

use crate::Error;
use crate::pass::{Applied, Pass, Stage, Versions, run_table};

mod acronym_fields;
mod bounded_errors;
mod client_hooks;
mod client_new;
mod collection_aliases;
mod compact_deserialize;
mod compact_serialize;
mod default_types;
mod doc_code_blocks;
mod drop_type_builders;
mod key_sets;
mod no_api_version_header;
mod open_enums;
mod optional_raw_bodies;
mod own_http_runtime;
mod redact_credentials;
mod registry_credentials;
mod serde_fields;
mod transport_responses;
mod typed_errors;

pub use acronym_fields::acronym_fields;
pub use bounded_errors::bounded_errors;
pub use client_hooks::hooks;
pub use client_new::client_new;
pub use collection_aliases::collection_aliases;
pub use compact_deserialize::compact_deserialize;
pub use compact_serialize::compact_serialize;
pub use default_types::default_types;
pub use doc_code_blocks::doc_code_blocks;
pub use drop_type_builders::drop_type_builders;
pub use key_sets::key_sets;
pub use no_api_version_header::no_api_version_header;
pub use open_enums::open_enums;
pub use optional_raw_bodies::optional_raw_bodies;
pub use own_http_runtime::own_http_runtime;
pub use redact_credentials::redact_credentials;
pub use registry_credentials::registry_credentials;
pub use transport_responses::transport_responses;
pub use typed_errors::typed_errors;

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
                 variant that keeps it, and is decoded through its `TryFrom<String>` (the same \
                 values, without the derive's buffering untagged decoding)",
        versions: Versions::Every,
        run: |file, _| open_enums(file),
    },
    Pass {
        name: "collection-aliases",
        reason: "typify makes a definition that is only a map or a list (`PortMap`, \
                 `GenericResources`) a newtype with `Deref` and `From` only: it could not be \
                 built from pairs, edited in place or iterated without unwrapping; it becomes a \
                 type alias of the collection (serde-transparent before, so the same JSON)",
        versions: Versions::Every,
        run: |file, _| collection_aliases(file),
    },
    Pass {
        name: "key-sets",
        reason: "`ExposedPorts` and `Volumes` are objects whose every value is `{}` \
                 (`{\"80/tcp\": {}}`), which typify types as a map to a value type of its own \
                 per field (`ContainerCreateBodyExposedPortsValue`); each becomes a \
                 `BTreeSet<String>` of the keys, written and read as the same object by \
                 `crate::transport::key_set`, and the value types go",
        versions: Versions::Every,
        run: |file, _| key_sets(file),
    },
    Pass {
        name: "acronym-fields",
        reason: "typify splits Go's `IPv4`, `IPs`, `IDs`, `CAs`, `IOps` into a one-letter word \
                 and the rest (`enable_i_pv4`, `link_local_i_ps`, `device_i_ds`); the fields are \
                 named `enable_ipv4`, `link_local_ips`, `device_ids` wherever the generated code \
                 names them, their serde names (the wire) unchanged",
        versions: Versions::Every,
        run: |file, _| acronym_fields(file),
    },
    Pass {
        name: "default-types",
        reason: "typify implements `Default` only where every field is optional, so a body with \
                 one required field (`NetworkCreateRequest`, `SwarmJoinRequest`, ...) could not \
                 be written with `..Default::default()`; every struct gets one (and each enum a \
                 required field needs), a field taking its spec default or its type's empty \
                 value (`\"\"`, `0`, empty, an enum's `\"\"`), as each such type's docs say; \
                 after `drop-type-builders`, so an operation's body still starts out not set",
        versions: Versions::Every,
        run: |file, _| default_types(file),
    },
    Pass {
        name: "compact-deserialize",
        reason: "serde's derived `Deserialize` writes a field enum, its visitor and a \
                 duplicate and missing check per field out again in every struct: half of the \
                 generated module's compile time, the single-core tail of a consumer's build; \
                 structs that cannot be read from a sequence anyway (a skipped field) decode \
                 through steps written once in `crate::transport::fields`, as the derive does; \
                 after the passes that edit fields",
        versions: Versions::Every,
        run: |file, _| compact_deserialize(file),
    },
    Pass {
        name: "compact-serialize",
        reason: "serde's derived `Serialize` tests each skippable field twice (for the length, \
                 then to write it) in every struct: a quarter of the generated module's compile \
                 time; structs encode through `crate::transport::StructOut`, the same calls to \
                 any serializer; after `compact-deserialize`, which takes only structs that still \
                 derive `Serialize`",
        versions: Versions::Every,
        run: |file, _| compact_serialize(file),
    },
    Pass {
        name: "own-http-runtime",
        reason: "progenitor writes clients against reqwest and progenitor-client; the crate \
                 sends over hyper with its own types of the same names (docker-engine-core's \
                 `wire`: request builder, `Request`, `Response`, `Body`, `ResponseValue`, \
                 `ByteStream`, the hooks traits), so every path into those crates points at \
                 `crate::transport` and neither is compiled (reqwest brought url and its ICU \
                 stack: 8 s of a consumer's cold build's 81 s of CPU); after every pass that \
                 matches progenitor's paths",
        versions: Versions::Every,
        run: |file, _| own_http_runtime(file),
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

/// Parses progenitor's tokens (all but the type builders' items, which `drop-type-builders`
/// removes anyway: its module is emptied in the tokens first), runs every pass and adds the
/// [`hooks`]; `doc` is the OpenAPI tree the tokens were generated from. Returns the file and what
/// each pass did.
pub fn run(
    version: &str,
    minor: u32,
    doc: &Value,
    tokens: TokenStream,
) -> Result<(syn::File, Vec<Applied>), Error> {
    let tokens = drop_type_builders::hollow_type_builders(tokens);
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

/// Parses test input as a generated file.
#[cfg(test)]
fn test_file(tokens: TokenStream) -> syn::File {
    syn::parse2(tokens).unwrap()
}

/// Asserts that `code` (prettyplease's output) contains each of `expected`, compared without
/// whitespace or the trailing commas that prettyplease's length-dependent line breaks add.
#[cfg(test)]
fn assert_code_contains(code: &str, expected: &[&str]) {
    let squeezed = |s: &str| {
        s.split_whitespace()
            .collect::<String>()
            .replace(",)", ")")
            .replace(",]", "]")
    };
    for expected in expected {
        assert!(
            squeezed(code).contains(&squeezed(expected)),
            "{expected}\n{code}"
        );
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::test_file as file;
    use super::*;

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
}
