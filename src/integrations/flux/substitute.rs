//! Flux's post-build variable substitution (`spec.postBuild` of a Kustomization),
//! as kustomize-controller applies it to each rendered object: `${name}` and the
//! default forms `${name:=word}`, `${name=word}`, `${name:-word}`, `${name-word}`
//! (a default applies when the variable is unset or empty); `$${…}` is an escape
//! for a literal `${…}`; `$name` without braces is left alone, as Flux leaves it.
//! An unset variable without a default becomes the empty string (Flux's default,
//! non-strict mode). Objects labelled or annotated
//! `kustomize.toolkit.fluxcd.io/substitute: disabled` are not touched.
//!
//! Flux substitutes in the YAML text of each object, so a value that was the text
//! `${replicas}` becomes the number `3` when the variable holds `3`. Here the
//! object is JSON: every string (keys and values) is substituted, and a one-line
//! value whose text changed is read again as a YAML scalar, so that it takes the
//! type the YAML text would give it. Pure.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

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

/// `object` with the variables substituted, unless the object opts out.
pub fn object(object: &Value, vars: &BTreeMap<String, String>) -> Result<Value, SubstituteError> {
    let opted_out = ["labels", "annotations"].iter().any(|field| {
        object
            .pointer(&format!("/metadata/{field}"))
            .and_then(|map| map.get(DISABLED))
            .and_then(Value::as_str)
            == Some("disabled")
    });
    if opted_out {
        return Ok(object.clone());
    }
    value(object, vars)
}

fn value(node: &Value, vars: &BTreeMap<String, String>) -> Result<Value, SubstituteError> {
    Ok(match node {
        Value::String(original) => {
            let substituted = text(original, vars)?;
            if substituted == *original {
                node.clone()
            } else {
                retyped(substituted)
            }
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| value(item, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, item) in map {
                out.insert(text(key, vars)?, value(item, vars)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

/// A substituted one-line text read as the YAML scalar it now is: `3` a number,
/// `true` a boolean; anything else (several lines, a mapping, a list) stays text.
fn retyped(text: String) -> Value {
    if text.contains('\n') || text.trim().is_empty() {
        return Value::String(text);
    }
    match crate::yaml::documents(&text) {
        Ok(documents) if documents.len() == 1 => match &documents[0].value {
            scalar @ (Value::Number(_) | Value::Bool(_) | Value::Null) => scalar.clone(),
            _ => Value::String(text),
        },
        _ => Value::String(text),
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
    use serde_json::json;

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
    fn a_whole_value_takes_the_type_its_yaml_text_has() {
        let vars = vars(&[("replicas", "3"), ("on", "true"), ("name", "web")]);
        let object = json!({
            "metadata": {"name": "${name}", "labels": {"tier-${name}": "x"}},
            "spec": {
                "replicas": "${replicas}",
                "paused": "${on}",
                "image": "nginx:${replicas}",
                "port": "${missing:=8080}",
                "script": "echo ${name}\necho $HOME",
            }
        });
        let out = super::object(&object, &vars).unwrap();
        assert_eq!(
            out,
            json!({
                "metadata": {"name": "web", "labels": {"tier-web": "x"}},
                "spec": {
                    "replicas": 3,
                    "paused": true,
                    "image": "nginx:3",
                    "port": 8080,
                    "script": "echo web\necho $HOME",
                }
            })
        );
    }

    #[test]
    fn an_object_that_opts_out_is_left_alone() {
        let vars = vars(&[("name", "web")]);
        for field in ["labels", "annotations"] {
            let object =
                json!({"metadata": {field: {DISABLED: "disabled"}}, "data": {"a": "${name}"}});
            assert_eq!(super::object(&object, &vars).unwrap(), object);
        }
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
