//! Editing untyped JSON the way Go's generated defaulters edit typed structs.
//!
//! The API server decides "is this field set?" by the field's Go type: a pointer
//! (`*int32`, `*bool`) is unset only when nil, while a plain `string` or `int32` is
//! unset whenever it holds its zero value, so `imagePullPolicy: ""` and
//! `timeoutSeconds: 0` are defaulted too. Each rule in the per-kind files names which
//! of the two it means by calling [`default_unset`] or [`default_zero`]. A value of
//! the wrong JSON type is never touched: rejecting it is validation's job, and
//! guessing here would hide the error the user would see on a real cluster.

use serde_json::{Map, Value};

/// One JSON object being defaulted.
pub(super) type Object = Map<String, Value>;

/// Defaults a pointer field: set only when absent or null.
pub(super) fn default_unset(object: &mut Object, key: &str, value: impl Into<Value>) {
    if is_unset(object, key) {
        object.insert(key.to_owned(), value.into());
    }
}

/// Whether a pointer field is nil: absent or null.
pub(super) fn is_unset(object: &Object, key: &str) -> bool {
    matches!(object.get(key), None | Some(Value::Null))
}

/// Defaults a plain Go field, whose zero value ("", 0, false) cannot be told apart
/// from absent once decoded.
pub(super) fn default_zero(object: &mut Object, key: &str, value: impl Into<Value>) {
    if is_zero(object.get(key)) {
        object.insert(key.to_owned(), value.into());
    }
}

/// Whether a field is absent or holds what Go would decode as its zero value.
pub(super) fn is_zero(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Number(n)) => n.as_u64() == Some(0) || n.as_i64() == Some(0),
        Some(Value::Bool(b)) => !b,
        Some(Value::Array(items)) => items.is_empty(),
        Some(Value::Object(_)) => false,
    }
}

/// The child object at `key`, created empty when absent or null: a struct Go embeds
/// by value, or a pointer the defaulter allocates. None when it holds another type.
pub(super) fn child<'a>(object: &'a mut Object, key: &str) -> Option<&'a mut Object> {
    let slot = object.entry(key).or_insert(Value::Null);
    if slot.is_null() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut()
}

/// The child object at `key` only if it is already there (an optional pointer).
pub(super) fn existing<'a>(object: &'a mut Object, key: &str) -> Option<&'a mut Object> {
    object.get_mut(key).and_then(Value::as_object_mut)
}

/// The object elements of the array at `key`; anything else is skipped.
pub(super) fn each<'a>(object: &'a mut Object, key: &str) -> impl Iterator<Item = &'a mut Object> {
    object
        .get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
}

/// The string at `key`, or "" when absent or not a string (Go's zero value).
pub(super) fn text<'a>(object: &'a Object, key: &str) -> &'a str {
    object.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// An `ObjectMeta` embedded by value (pod templates, claim templates, job templates)
/// is always serialised, and its zero `creationTimestamp` comes out as `null`: the
/// line every `kubectl get -o yaml` of a Deployment shows on 1.32.
pub(super) fn embedded_metadata(owner: &mut Object) {
    if let Some(metadata) = child(owner, "metadata")
        && !metadata.contains_key("creationTimestamp")
    {
        metadata.insert("creationTimestamp".to_owned(), Value::Null);
    }
}
