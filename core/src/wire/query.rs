//! Query strings: parameters serialized as `application/x-www-form-urlencoded` pairs (as Go's
//! `url.Values.Encode` and the daemon's form parser read them) and appended to a URL.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde_json::Value;

use super::HttpError;

/// What the form encoding leaves as it is: letters, digits and `*-._` (a space becomes `+`).
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'*')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_');

/// Appends the parameters `value` serializes to (see [`form`]) to `url`'s query.
pub(crate) fn append<T: Serialize + ?Sized>(url: &mut String, value: &T) -> Result<(), HttpError> {
    let query = form(value)?;
    if !query.is_empty() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&query);
    }
    Ok(())
}

/// `name=value&...`, form-encoded, for what `value` serializes to: a map of names to scalars (a
/// sequence repeats its name, `null` leaves it out) or a sequence of `(name, value)` pairs.
pub(crate) fn form<T: Serialize + ?Sized>(value: &T) -> Result<String, HttpError> {
    let value = serde_json::to_value(value).map_err(HttpError::build)?;
    let mut query = String::new();
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (name, value) in &map {
                pair(&mut query, name, value)?;
            }
        }
        Value::Array(pairs) => {
            for item in &pairs {
                match item.as_array().map(Vec::as_slice) {
                    Some([Value::String(name), value]) => pair(&mut query, name, value)?,
                    _ => return Err(invalid(format!("{item} is not a (name, value) pair"))),
                }
            }
        }
        other => return Err(invalid(format!("{other} is not a map or a list of pairs"))),
    }
    Ok(query)
}

/// `name=value` (after a `&` unless first) for a scalar, once per item for a sequence, nothing
/// for `null`.
fn pair(query: &mut String, name: &str, value: &Value) -> Result<(), HttpError> {
    let number;
    let text = match value {
        Value::Null => return Ok(()),
        Value::Bool(b) => {
            if *b {
                "true"
            } else {
                "false"
            }
        }
        Value::Number(n) => {
            number = n.to_string();
            number.as_str()
        }
        Value::String(s) => s.as_str(),
        Value::Array(items) => {
            for item in items {
                if item.is_array() {
                    return Err(invalid(format!("{name}: nested lists are not a query")));
                }
                pair(query, name, item)?;
            }
            return Ok(());
        }
        Value::Object(_) => return Err(invalid(format!("{name}: a map is not a query value"))),
    };
    if !query.is_empty() {
        query.push('&');
    }
    encode(query, name);
    query.push('=');
    encode(query, text);
    Ok(())
}

fn encode(out: &mut String, text: &str) {
    for piece in utf8_percent_encode(text, FORM) {
        out.push_str(if piece == "%20" { "+" } else { piece });
    }
}

fn invalid(reason: String) -> HttpError {
    HttpError::build(format!("query: {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn appended<T: Serialize + ?Sized>(url: &str, value: &T) -> String {
        let mut url = url.to_string();
        append(&mut url, value).unwrap();
        url
    }

    #[test]
    fn parameters_are_form_encoded_and_appended() {
        assert_eq!(
            appended("http://d/x", &[("fromImage", "a b/c"), ("tag", "1.0+x")]),
            "http://d/x?fromImage=a+b%2Fc&tag=1.0%2Bx"
        );
        assert_eq!(
            appended("http://d/x?a=1", &[("b", "2")]),
            "http://d/x?a=1&b=2"
        );
        assert_eq!(
            appended(
                "http://d/x",
                &serde_json::json!({"all": true, "limit": 5, "f": null})
            ),
            "http://d/x?all=true&limit=5"
        );
        assert_eq!(
            appended("http://d/x", &serde_json::json!({"t": ["a", "b"]})),
            "http://d/x?t=a&t=b"
        );
        assert_eq!(
            appended("http://d/x", &serde_json::json!({"f": null})),
            "http://d/x"
        );
        assert_eq!(
            appended("http://d/x", &[("filters", r#"{"label":["k=v"]}"#)]),
            "http://d/x?filters=%7B%22label%22%3A%5B%22k%3Dv%22%5D%7D"
        );
        // A form body: the same pairs, without a `?`.
        assert_eq!(form(&[("a b", "c&d"), ("e", "")]).unwrap(), "a+b=c%26d&e=");
    }

    #[test]
    fn values_that_are_no_query_are_errors() {
        for bad in [
            serde_json::json!({"a": {"b": 1}}),
            serde_json::json!({"a": [[1]]}),
            serde_json::json!(5),
            serde_json::json!([1, 2]),
        ] {
            let mut url = "http://d/x".to_string();
            let error = append(&mut url, &bad).unwrap_err();
            assert!(error.to_string().contains("invalid"), "{bad}: {error}");
            assert_eq!(url, "http://d/x");
        }
    }
}
