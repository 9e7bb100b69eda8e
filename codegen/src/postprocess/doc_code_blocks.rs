//! The `doc-code-blocks` pass: the spec's code snippets are not doctests.
//!
//! progenitor and typify copy the spec's descriptions into doc comments, and those hold JSON,
//! shell and Go snippets in Markdown code blocks (fenced, or indented by four spaces). rustdoc
//! would compile and run each as a Rust doctest, and fail; the pass marks every one as `text`.

use crate::tree::{Node, Walk, walk_file};

/// Marks every fenced code block in doc comments as `text`; returns how many doc attributes
/// changed.
pub fn doc_code_blocks(file: &mut syn::File) -> usize {
    let mut changed = 0;
    walk_file(file, &mut |node| match node {
        Node::Attribute(attr) => {
            changed += usize::from(fence_doc_as_text(attr));
            Walk::Over
        }
        _ => Walk::Into,
    });
    changed
}

/// Fences the code blocks of a doc attribute as `text`; whether it changed.
fn fence_doc_as_text(attr: &mut syn::Attribute) -> bool {
    if !attr.path().is_ident("doc") {
        return false;
    }
    let syn::Meta::NameValue(nv) = &mut attr.meta else {
        return false;
    };
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(text),
        ..
    }) = &nv.value
    else {
        return false;
    };
    let value = text.value();
    if !value.contains("```") && !value.contains("\n    ") {
        return false;
    }
    let fixed = fence_as_text(&value);
    if fixed == value {
        return false;
    }
    nv.value = syn::parse_quote!(#fixed);
    true
}

/// Opening fences (with or without a language) become `` ```text ``, closing fences stay, and
/// Markdown's indented code blocks (four spaces after a blank line) are fenced as `text` too.
fn fence_as_text(doc: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut fenced = false;
    let mut indented = false;
    let mut previous_blank = true;
    for line in doc.split('\n') {
        let trimmed = line.trim_start();
        let blank = trimmed.is_empty();
        if indented && !blank && !line.starts_with("    ") {
            out.push("```".into());
            indented = false;
        }
        if let Some(rest) = trimmed.strip_prefix("```") {
            let indent = &line[..line.len() - trimmed.len()];
            fenced = !fenced;
            out.push(if fenced && rest.trim() != "text" {
                format!("{indent}```text")
            } else {
                line.to_string()
            });
        } else if !fenced && !indented && previous_blank && line.starts_with("    ") && !blank {
            out.push("```text".into());
            out.push(line.to_string());
            indented = true;
        } else {
            out.push(line.to_string());
        }
        previous_blank = blank;
    }
    if indented {
        out.push("```".into());
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_fences_become_text() {
        assert_eq!(
            fence_as_text("a\n```\n{}\n```\nb\n  ```json\n[]\n  ```"),
            "a\n```text\n{}\n```\nb\n  ```text\n[]\n  ```"
        );
        assert_eq!(
            fence_as_text("hosts:\n\n    IP name\n"),
            "hosts:\n\n```text\n    IP name\n\n```"
        );
        assert_eq!(
            fence_as_text("a\n\n    x\nb"),
            "a\n\n```text\n    x\n```\nb"
        );
    }
}
