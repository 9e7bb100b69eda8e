//! The `acronym-fields` pass: Go's plural and versioned acronyms make one word of a field name.
//!
//! typify snake-cases a property name by splitting before the last capital of a run of capitals,
//! which reads Docker's (Go's) `IPv4`, `IPs`, `IDs`, `CAs` and `IOps` as a one-letter word and
//! the rest: `EnableIPv4` became `enable_i_pv4`, `LinkLocalIPs` `link_local_i_ps`, `DeviceIDs`
//! `device_i_ds`. The pass renames such fields as a person would write them (`enable_ipv4`,
//! `link_local_ips`, `device_ids`, `external_cas`, `blkio_device_read_iops`), everywhere the
//! generated code names them. Their `#[serde(rename = "...")]` stays, so the wire names are
//! unchanged.

use std::collections::BTreeMap;

use heck::ToSnakeCase;

use crate::tree::{Node, Walk, module_items_mut, serde_value, walk_file};

/// The acronyms Docker's property names use with a lowercase tail that belongs to them (`IPv4`,
/// `IPs`, `IDs`, `CAs`, `IOps`).
const ACRONYMS: &[&str] = &["IP", "ID", "CA", "IO"];

/// Renames every field of `mod types` whose wire name has an acronym with a lowercase tail, and
/// every use of it in the generated file; returns how many fields were renamed.
pub fn acronym_fields(file: &mut syn::File) -> usize {
    let Some(types) = module_items_mut(file, "types") else {
        return 0;
    };
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    let mut conflicts = Vec::new();
    let mut n = 0;
    for item in types.iter_mut() {
        let syn::Item::Struct(s) = item else {
            continue;
        };
        let syn::Fields::Named(fields) = &mut s.fields else {
            continue;
        };
        for field in &mut fields.named {
            let Some(ident) = &field.ident else {
                continue;
            };
            let Some(wire) = serde_value(&field.attrs, "rename") else {
                continue;
            };
            let old = ident.to_string();
            let Some(new) = field_name(&wire, &old) else {
                continue;
            };
            if renames.get(&old).is_some_and(|other| *other != new) {
                conflicts.push(old);
                continue;
            }
            field.ident = Some(syn::Ident::new(&new, ident.span()));
            renames.insert(old, new);
            n += 1;
        }
    }
    // Two wire names that typify made the same identifier but that read differently would need
    // the struct to tell them apart; none exists, and the build would say so.
    assert!(
        conflicts.is_empty(),
        "acronym-fields: fields {conflicts:?} would get two different names"
    );
    walk_file(file, &mut |node| rename(&renames, node));
    n
}

/// The field name of the wire name `wire` with its acronyms read as words, if that differs from
/// typify's `old` (and `old` is typify's plain snake case of `wire`, so nothing else is lost).
fn field_name(wire: &str, old: &str) -> Option<String> {
    if wire.to_snake_case() != old {
        return None;
    }
    let worded = acronyms_as_words(wire)?;
    let new = worded.to_snake_case();
    (new != old).then_some(new)
}

/// `EnableIPv4` → `EnableIpv4`: each acronym of [`ACRONYMS`] that starts a word and is followed
/// by a lowercase letter becomes a capitalised word, so that snake case keeps it with its tail;
/// `None` when there is none.
fn acronyms_as_words(wire: &str) -> Option<String> {
    let chars: Vec<char> = wire.chars().collect();
    let mut out = String::with_capacity(wire.len());
    let mut changed = false;
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !chars[i - 1].is_ascii_uppercase();
        let acronym = ACRONYMS.iter().find(|a| {
            let a: Vec<char> = a.chars().collect();
            chars[i..].starts_with(&a)
                && chars.get(i + a.len()).is_some_and(char::is_ascii_lowercase)
        });
        match acronym {
            Some(a) if starts_word => {
                let mut letters = a.chars();
                out.extend(letters.next());
                out.extend(letters.map(|c| c.to_ascii_lowercase()));
                i += a.len();
                changed = true;
            }
            _ => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    changed.then_some(out)
}

/// Renames the named members (`x.field`, `Self { field: .. }`, patterns) in `renames`.
fn rename(renames: &BTreeMap<String, String>, node: Node<'_>) -> Walk {
    match node {
        // `Self { field }` shorthand: the value keeps the old name's binding.
        Node::FieldValue(fv) => keep_shorthand(renames, &fv.member, &mut fv.colon_token),
        // `Type { field }` shorthand: the binding keeps the old name.
        Node::FieldPat(fp) => keep_shorthand(renames, &fp.member, &mut fp.colon_token),
        Node::Member(member) => {
            if let syn::Member::Named(ident) = member
                && let Some(new) = renames.get(&ident.to_string())
            {
                *ident = syn::Ident::new(new, ident.span());
            }
            Walk::Over
        }
        _ => Walk::Into,
    }
}

/// A shorthand `field` (value or pattern) of a renamed member becomes `field: field`, so that
/// only the member is renamed and the binding keeps its name.
fn keep_shorthand(
    renames: &BTreeMap<String, String>,
    member: &syn::Member,
    colon: &mut Option<syn::Token![:]>,
) -> Walk {
    if colon.is_none()
        && let syn::Member::Named(ident) = member
        && renames.contains_key(&ident.to_string())
    {
        *colon = Some(Default::default());
    }
    Walk::Into
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;
    use crate::postprocess::test_file as file;

    #[test]
    fn acronyms_keep_their_tails() {
        let cases = [
            ("EnableIPv4", "enable_i_pv4", Some("enable_ipv4")),
            ("IPv4Address", "i_pv4_address", Some("ipv4_address")),
            ("LinkLocalIPs", "link_local_i_ps", Some("link_local_ips")),
            (
                "LinkLocalIPv6PrefixLen",
                "link_local_i_pv6_prefix_len",
                Some("link_local_ipv6_prefix_len"),
            ),
            ("IPsInUse", "i_ps_in_use", Some("ips_in_use")),
            ("DeviceIDs", "device_i_ds", Some("device_ids")),
            ("ExternalCAs", "external_c_as", Some("external_cas")),
            ("IOMaximumIOps", "io_maximum_i_ops", Some("io_maximum_iops")),
            (
                "BlkioDeviceReadIOps",
                "blkio_device_read_i_ops",
                Some("blkio_device_read_iops"),
            ),
            // Already right, or not an acronym with a tail: unchanged.
            ("IPAddress", "ip_address", None),
            ("CACert", "ca_cert", None),
            ("ID", "id", None),
            ("NEventsListener", "n_events_listener", None),
            ("Capabilities", "capabilities", None),
            // typify chose something else than its plain snake case: left alone.
            ("EnableIPv6", "enable_ipv6_", None),
        ];
        for (wire, old, new) in cases {
            assert_eq!(field_name(wire, old).as_deref(), new, "{wire}");
        }
    }

    #[test]
    fn fields_and_their_uses_are_renamed_wire_names_kept() {
        let mut f = file(quote! {
            pub mod types {
                pub struct NetworkCreateRequest {
                    #[serde(rename = "EnableIPv4", skip_serializing_if = "::std::option::Option::is_none")]
                    pub enable_i_pv4: ::std::option::Option<bool>,
                    #[serde(rename = "Name")]
                    pub name: ::std::string::String,
                }
                impl ::std::default::Default for NetworkCreateRequest {
                    fn default() -> Self {
                        Self { enable_i_pv4: Default::default(), name: Default::default() }
                    }
                }
                pub struct EndpointIpamConfig {
                    #[serde(rename = "LinkLocalIPs")]
                    pub link_local_i_ps: Vec<String>,
                }
                impl From<&EndpointIpamConfig> for Vec<String> {
                    fn from(value: &EndpointIpamConfig) -> Self {
                        let EndpointIpamConfig { link_local_i_ps } = value;
                        value.link_local_i_ps.clone()
                    }
                }
            }
        });
        assert_eq!(acronym_fields(&mut f), 2);
        let code = prettyplease::unparse(&f);
        assert!(
            code.contains("#[serde(\n            rename = \"EnableIPv4\",\n            skip_serializing_if = \"::std::option::Option::is_none\"\n        )]\n        pub enable_ipv4:"),
            "{code}"
        );
        assert!(code.contains("enable_ipv4: Default::default()"), "{code}");
        assert!(code.contains("pub link_local_ips: Vec<String>"), "{code}");
        assert!(code.contains("value.link_local_ips.clone()"), "{code}");
        assert!(
            code.contains("EndpointIpamConfig { link_local_ips: link_local_i_ps }"),
            "{code}"
        );
        assert!(
            !code.contains("i_pv4") && !code.contains("link_local_i_ps:"),
            "{code}"
        );
    }
}
