//! The fields of a generated struct as serde's derive reads them: what `compact-deserialize` and
//! `compact-serialize` need to write the derive's impls themselves, read once for both.
//!
//! Only the attributes typify writes and whose meaning the passes reproduce are understood
//! (`rename`, `default`, `skip_serializing_if`, `deserialize_with`, `with`); a struct with any
//! other serde attribute, a struct-level one, generics or unnamed fields is not described at all,
//! so that a pass leaves it to the derive.

use syn::ext::IdentExt;

use crate::tree::serde_entries;

/// One named field and its serde attributes.
pub struct SerdeField {
    /// The Rust field.
    pub ident: syn::Ident,
    /// Its type, as written.
    pub ty: syn::Type,
    /// Its name on the wire (`rename`, else the field's name without `r#`).
    pub wire: String,
    /// `#[serde(default)]`: `Some(None)`; `#[serde(default = "path")]`: `Some(Some(path))`.
    pub default: Option<Option<syn::ExprPath>>,
    /// `skip_serializing_if`: the test that leaves it out of the output.
    pub skip_if: Option<syn::ExprPath>,
    /// `deserialize_with`: the function that reads it.
    pub deserialize_with: Option<syn::ExprPath>,
    /// `with`: the module whose `serialize` and `deserialize` write and read it.
    pub with: Option<syn::ExprPath>,
}

impl SerdeField {
    /// The function that reads the field, if not its type's `Deserialize`.
    pub fn read_with(&self) -> Option<syn::ExprPath> {
        let module = self.with.as_ref();
        (self.deserialize_with.clone())
            .or_else(|| module.map(|m| syn::parse_quote!(#m::deserialize)))
    }

    /// The function that writes the field, if not its type's `Serialize`.
    pub fn write_with(&self) -> Option<syn::ExprPath> {
        let module = self.with.as_ref()?;
        Some(syn::parse_quote!(#module::serialize))
    }
}

/// The fields of `s`, or `None` when the struct has anything serde-wise the passes do not
/// reproduce (see the module docs).
pub fn serde_fields(s: &syn::ItemStruct) -> Option<Vec<SerdeField>> {
    let syn::Fields::Named(named) = &s.fields else {
        return None;
    };
    if !s.generics.params.is_empty() || !serde_entries(&s.attrs).is_empty() {
        return None;
    }
    let path = |v: &Option<String>| -> Option<syn::ExprPath> { syn::parse_str(v.as_deref()?).ok() };
    let mut fields = Vec::with_capacity(named.named.len());
    for f in &named.named {
        let ident = f.ident.clone()?;
        let mut field = SerdeField {
            wire: ident.unraw().to_string(),
            ident,
            ty: f.ty.clone(),
            default: None,
            skip_if: None,
            deserialize_with: None,
            with: None,
        };
        for (key, value) in serde_entries(&f.attrs) {
            match (key.as_str(), &value) {
                ("rename", Some(name)) => field.wire = name.clone(),
                ("default", None) => field.default = Some(None),
                ("default", Some(_)) => field.default = Some(Some(path(&value)?)),
                ("skip_serializing_if", Some(_)) => field.skip_if = Some(path(&value)?),
                ("deserialize_with", Some(_)) => field.deserialize_with = Some(path(&value)?),
                ("with", Some(_)) => field.with = Some(path(&value)?),
                _ => return None,
            }
        }
        fields.push(field);
    }
    Some(fields)
}
