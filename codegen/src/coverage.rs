//! Did everything in the spec make it into the generated code? Counted, not assumed: operations
//! are the methods of `impl Client`, definitions the items of `mod types`. The [`Report`] also
//! carries what each pass did, so `spec check` shows which passes applied where, and how much.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

use crate::pass::{Applied, Stage};
use crate::policy::Notes;
use crate::tree::{
    generated_type_names, inherent_impls, is_path, method_name, methods, operation_id, operations,
    type_name,
};

/// What the (converted) spec contains.
#[derive(Debug, Default)]
pub struct Expected {
    /// Operation ids, as progenitor names their methods (snake case).
    pub operations: BTreeSet<String>,
    /// Definition names, as typify names their types (upper camel case).
    pub definitions: BTreeSet<String>,
}

impl Expected {
    /// Reads operation ids and definition names from an OpenAPI tree.
    pub fn of(doc: &Value) -> Self {
        let operations = operations(doc)
            .filter_map(|(_, _, op)| operation_id(op))
            .map(method_name)
            .collect();
        let definitions = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|s| s.keys())
            .map(|name| type_name(name))
            .collect();
        Self {
            operations,
            definitions,
        }
    }
}

/// One version's completeness and the passes applied, as `spec check` prints it: a line of counts,
/// a line for anything missing, and one line per stage of `pass=count` pairs.
#[derive(Debug, Clone)]
pub struct Report {
    /// API version, `1.NN`.
    pub version: String,
    /// Operations in the spec.
    pub operations_in_spec: usize,
    /// Operations with a generated method.
    pub operations_generated: usize,
    /// Definitions in the spec.
    pub definitions_in_spec: usize,
    /// Definitions with a generated type.
    pub definitions_generated: usize,
    /// Each operation or definition left out.
    pub missing: Vec<String>,
    /// What each pass that ran did, in the order they ran (conversion passes, fixes, policies,
    /// syn passes).
    pub passes: Vec<Applied>,
    /// What the policies changed.
    pub notes: Notes,
}

impl Report {
    /// Compares the generated file against the spec.
    pub fn new(
        version: &str,
        expected: &Expected,
        file: &syn::File,
        passes: Vec<Applied>,
        notes: Notes,
    ) -> Self {
        let methods = client_methods(file);
        let types = generated_type_names(file);
        let mut missing = Vec::new();
        for op in expected.operations.difference(&methods) {
            missing.push(format!("operation {op}: no method generated"));
        }
        for def in expected.definitions.difference(&types) {
            missing.push(format!("definition {def}: no type generated"));
        }
        Self {
            version: version.to_string(),
            operations_in_spec: expected.operations.len(),
            operations_generated: expected.operations.intersection(&methods).count(),
            definitions_in_spec: expected.definitions.len(),
            definitions_generated: expected.definitions.intersection(&types).count(),
            missing,
            passes,
            notes,
        }
    }

    /// Whether every operation and definition was generated.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
            && self.operations_generated == self.operations_in_spec
            && self.definitions_generated == self.definitions_in_spec
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "v{}: operations {}/{}, definitions {}/{}",
            self.version,
            self.operations_generated,
            self.operations_in_spec,
            self.definitions_generated,
            self.definitions_in_spec
        )?;
        for m in &self.missing {
            write!(f, "\n  missing: {m}")?;
        }
        for stage in Stage::ALL {
            let mut passes = self.passes.iter().filter(|p| p.stage == stage).peekable();
            if passes.peek().is_none() {
                continue;
            }
            write!(f, "\n  {:<8}", format!("{stage}:"))?;
            for p in passes {
                write!(f, " {}={}", p.name, p.count)?;
            }
        }
        Ok(())
    }
}

fn client_methods(file: &syn::File) -> BTreeSet<String> {
    inherent_impls(&file.items)
        .filter(|imp| is_path(&imp.self_ty, "Client"))
        .flat_map(methods)
        .map(|f| f.sig.ident.to_string())
        .collect()
}
