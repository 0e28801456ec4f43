//! Flux's post-build variable substitution (`spec.postBuild` of a Kustomization),
//! as kustomize-controller applies it to the YAML text of each object kustomize
//! built: `${name}` and the default forms `${name:=word}`, `${name=word}`,
//! `${name:-word}`, `${name-word}` (a default applies when the variable is unset
//! or empty); `$${…}` is an escape for a literal `${…}`; `$name` without braces is
//! left alone, as Flux leaves it. An unset variable without a default becomes the
//! empty string (Flux's default, non-strict mode). Objects labelled or annotated
//! `kustomize.toolkit.fluxcd.io/substitute: disabled` are not touched. Pure.

use std::collections::BTreeMap;

use serde_json::Value;

/// The label or annotation that turns substitution off for one object.
pub const DISABLED: &str = "kustomize.toolkit.fluxcd.io/substitute";

/// Why a text could not be substituted. The text itself is never quoted: it may
/// be a Secret's value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SubstituteError {
    #[error("a `${{` has no closing `}}`")]
    Unclosed,
    #[error(
        "a `${{…}}` uses a form driftdeck does not substitute (it knows ${{name}}, \
         ${{name:=word}}, ${{name=word}}, ${{name:-word}} and ${{name-word}})"
    )]
    Unsupported,
    #[error("defaults nest more than {MAX_DEPTH} deep")]
    TooDeep,
    #[error("`{name}` is not a valid variable name (letters, digits and `_`, not first a digit)")]
    BadName { name: String },
}

/// How deep `${a:=${b:=…}}` defaults may nest.
const MAX_DEPTH: usize = 8;

/// Whether `name` may be a post-build variable (Flux's `^[_[:alpha:]][_[:alpha:][:digit:]]*$`).
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first == '_' || first.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// kustomize's output with the variables substituted in each object's YAML text,
/// as kustomize-controller substitutes each object it built, except in objects
/// that opt out. kustomize writes `"${x}"` from Git as `${x}`, so a value that
/// becomes `3` is read as a number, as Flux reads it.
pub fn stream(built: &str, vars: &BTreeMap<String, String>) -> Result<String, StreamError> {
    let mut out = String::with_capacity(built.len());
    for (index, document) in documents(built).into_iter().enumerate() {
        if index > 0 {
            out.push_str("---\n");
        }
        let parsed = crate::yaml::documents(document)
            .ok()
            .and_then(|parsed| parsed.into_iter().next())
            .map(|d| d.value)
            .unwrap_or(Value::Null);
        if opted_out(&parsed) {
            out.push_str(document);
            continue;
        }
        let substituted = text(document, vars).map_err(|error| StreamError {
            object: describe(&parsed, index),
            error,
        })?;
        out.push_str(&substituted);
    }
    Ok(out)
}

/// Why one built object could not be substituted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{object}: {error}")]
pub struct StreamError {
    /// `Kind/name` (or the document's place when it has no name).
    pub object: String,
    pub error: SubstituteError,
}

/// The documents of a stream as kustomize writes it: separated by `---` lines
/// (which kustomize never writes inside a document: block scalars are indented).
fn documents(stream: &str) -> Vec<&str> {
    let mut documents = Vec::new();
    let mut start = 0;
    let mut at = 0;
    for line in stream.split_inclusive('\n') {
        if line.trim_end() == "---" {
            documents.push(&stream[start..at]);
            start = at + line.len();
        }
        at += line.len();
    }
    documents.push(&stream[start..]);
    documents.retain(|d| !d.trim().is_empty());
    documents
}

fn opted_out(object: &Value) -> bool {
    ["labels", "annotations"].iter().any(|field| {
        object
            .pointer(&format!("/metadata/{field}"))
            .and_then(|map| map.get(DISABLED))
            .and_then(Value::as_str)
            == Some("disabled")
    })
}

fn describe(object: &Value, index: usize) -> String {
    let field = |pointer: &str| object.pointer(pointer).and_then(Value::as_str);
    match (field("/kind"), field("/metadata/name")) {
        (Some(kind), Some(name)) => {
            crate::model::text::one_line(&format!("{kind}/{name}")).into_owned()
        }
        _ => format!("object {} of kustomize's output", index + 1),
    }
}

/// `input` with every `${…}` replaced.
pub fn text(input: &str, vars: &BTreeMap<String, String>) -> Result<String, SubstituteError> {
    nested(input, vars, 0)
}

fn nested(
    input: &str,
    vars: &BTreeMap<String, String>,
    depth: usize,
) -> Result<String, SubstituteError> {
    if depth > MAX_DEPTH {
        return Err(SubstituteError::TooDeep);
    }
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        if let Some(escaped) = after.strip_prefix("$${") {
            out.push_str("${");
            rest = escaped;
        } else if let Some(open) = after.strip_prefix("${") {
            let close = closing(open).ok_or(SubstituteError::Unclosed)?;
            out.push_str(&expression(&open[..close], vars, depth)?);
            rest = &open[close + 1..];
        } else {
            out.push('$');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The index of the `}` that closes an expression, nested `${…}` counted.
fn closing(open: &str) -> Option<usize> {
    let mut depth = 0usize;
    let bytes = open.as_bytes();
    for (index, byte) in bytes.iter().enumerate() {
        match byte {
            b'{' if index > 0 && bytes[index - 1] == b'$' => depth += 1,
            b'}' if depth == 0 => return Some(index),
            b'}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// One `${…}`'s value: the variable, or its default when unset or empty.
fn expression(
    inner: &str,
    vars: &BTreeMap<String, String>,
    depth: usize,
) -> Result<String, SubstituteError> {
    let end = inner
        .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
        .unwrap_or(inner.len());
    let (name, operator) = inner.split_at(end);
    if !valid_name(name) {
        return Err(SubstituteError::Unsupported);
    }
    let current = vars.get(name).map(String::as_str).unwrap_or("");
    let default = [":=", ":-", "=", "-"]
        .iter()
        .find_map(|op| operator.strip_prefix(op));
    match (operator.is_empty(), default) {
        (true, _) => Ok(current.to_owned()),
        (false, Some(word)) if current.is_empty() => nested(word, vars, depth + 1),
        (false, Some(_)) => Ok(current.to_owned()),
        (false, None) => Err(SubstituteError::Unsupported),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn braces_defaults_escapes_and_bare_dollars() {
        let vars = vars(&[("env", "prod"), ("empty", "")]);
        let cases = [
            ("${env}", "prod"),
            ("app-${env}-1", "app-prod-1"),
            ("${missing}", ""),
            ("${missing:=dev}", "dev"),
            ("${missing=dev}", "dev"),
            ("${missing:-dev}", "dev"),
            ("${missing-dev}", "dev"),
            ("${empty:=dev}", "dev"),
            ("${env:=dev}", "prod"),
            ("${missing:=${env}-x}", "prod-x"),
            ("$${env}", "${env}"),
            ("$env and $ alone", "$env and $ alone"),
            ("price: 5$", "price: 5$"),
        ];
        for (input, expected) in cases {
            assert_eq!(text(input, &vars).unwrap(), expected, "{input}");
        }
    }

    #[test]
    fn unknown_forms_and_unclosed_braces_are_errors_not_guesses() {
        let vars = vars(&[("env", "prod")]);
        assert_eq!(text("${env^^}", &vars), Err(SubstituteError::Unsupported));
        assert_eq!(text("a ${env", &vars), Err(SubstituteError::Unclosed));
        assert_eq!(text("pa${1x}ss", &vars), Err(SubstituteError::Unsupported));
        let said = text("x${hunter2^}", &vars).unwrap_err().to_string();
        assert!(!said.contains("hunter2"), "{said}");
        // The text is never quoted back: it may be a Secret's value.
        let said = text("s3cr3t${x", &vars).unwrap_err().to_string();
        assert!(!said.contains("s3cr3t"), "{said}");
        // Defaults nest, but not without end.
        let deep = format!("{}x{}", "${a:=".repeat(9), "}".repeat(9));
        assert_eq!(text(&deep, &vars), Err(SubstituteError::TooDeep));
        let fine = format!("{}x{}", "${a:=".repeat(8), "}".repeat(8));
        assert_eq!(text(&fine, &vars).unwrap(), "x");
    }

    #[test]
    fn each_built_object_is_substituted_in_its_text_unless_it_opts_out() {
        let vars = vars(&[("replicas", "3"), ("name", "web")]);
        let built = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  n: ${replicas}\n  s: '${name}: x'\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n  name: raw\ndata:\n  a: ${name}\n  script: |\n    ---\n";
        let out = stream(built, &vars).unwrap();
        assert_eq!(
            out,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  n: 3\n  s: 'web: x'\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n  name: raw\ndata:\n  a: ${name}\n  script: |\n    ---\n"
        );
        let parsed = crate::yaml::documents(&out).unwrap();
        assert_eq!(parsed[0].value.pointer("/data/n"), Some(&Value::from(3)));
        assert_eq!(
            parsed[0].value.pointer("/data/s"),
            Some(&Value::from("web: x"))
        );
    }

    #[test]
    fn a_bad_expression_names_the_object_not_its_text() {
        let built = "kind: Secret\nmetadata:\n  name: db\ndata:\n  p: hunter2${x\n";
        let error = stream(built, &BTreeMap::new()).unwrap_err();
        assert_eq!(error.object, "Secret/db");
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }

    #[test]
    fn variable_names_follow_flux() {
        for good in ["a", "_a", "A_1", "cluster_env"] {
            assert!(valid_name(good), "{good}");
        }
        for bad in ["", "1a", "a-b", "a.b", "ä"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
