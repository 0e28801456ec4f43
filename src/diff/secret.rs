//! Secrets: their values never leave this module. `stringData` is folded into
//! `data` the way the API server does, then every value on both sides is replaced
//! by a mask that says only whether that key is the same, changed, added or
//! removed. This runs before any comparison or text, so changes, texts and the
//! unified diff can reveal which keys differ and nothing about their contents.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use crate::model::ResourceKey;

use super::normalize::LAST_APPLIED;

/// A value both sides agree on (and every value of a one-sided object).
pub(super) const SAME: &str = "***";
/// Live's value of a key that desired changes or drops.
pub(super) const OLD: &str = "*** (old)";
/// Desired's value of a key that live lacks or holds differently.
pub(super) const NEW: &str = "*** (new)";

pub(crate) fn is_secret(key: &ResourceKey) -> bool {
    key.group.is_empty() && key.kind == "Secret"
}

/// Moves `stringData` into `data`, base64-encoded and winning over a `data` entry
/// of the same key: what the server stores, so a manifest written with
/// `stringData` compares equal to the live object that reads back with `data`.
pub(super) fn fold_string_data(object: &mut Value) {
    let Value::Object(root) = object else {
        return;
    };
    let Some(plain) = root.shift_remove("stringData") else {
        return;
    };
    // A `stringData` that is not a map is invalid and the server rejects it; it
    // is dropped rather than kept where it could be printed.
    let Value::Object(plain) = plain else {
        return;
    };
    if plain.is_empty() {
        return;
    }
    if !root.get("data").is_some_and(Value::is_object) {
        root.insert("data".to_owned(), Value::Object(Map::new()));
    }
    if let Some(Value::Object(data)) = root.get_mut("data") {
        for (key, value) in plain {
            let text = match value {
                Value::String(text) => text,
                other => other.to_string(),
            };
            data.insert(key, Value::String(STANDARD.encode(text)));
        }
    }
}

/// Masks both sides of a comparison (after [`fold_string_data`]).
pub(super) fn mask_pair(live: &mut Value, desired: &mut Value) {
    let live_data = take_secret_fields(live);
    let desired_data = take_secret_fields(desired);
    let (live_masked, desired_masked) = match (live_data, desired_data) {
        (Some(Value::Object(old)), Some(Value::Object(new))) => {
            let (old, new) = mask_keys(&old, &new);
            (Some(Value::Object(old)), Some(Value::Object(new)))
        }
        (Some(old), Some(new)) if same(&old, &new) => (Some(SAME.into()), Some(SAME.into())),
        (old, new) => (
            old.map(|v| mask_all(&v, OLD)),
            new.map(|v| mask_all(&v, NEW)),
        ),
    };
    put_data(live, live_masked);
    put_data(desired, desired_masked);
}

/// Masks an object that has nothing to be compared with (Missing or Extra).
pub(super) fn mask_alone(object: &mut Value) {
    let data = take_secret_fields(object).map(|data| mask_all(&data, SAME));
    put_data(object, data);
}

/// Takes `data` out of the object, and drops whatever else could hold a value:
/// a `stringData` left unfolded and kubectl's last-applied annotation (which
/// normalisation already removes; this makes sure for Secrets).
fn take_secret_fields(object: &mut Value) -> Option<Value> {
    let Value::Object(root) = object else {
        return None;
    };
    root.shift_remove("stringData");
    if let Some(Value::Object(metadata)) = root.get_mut("metadata")
        && let Some(Value::Object(annotations)) = metadata.get_mut("annotations")
    {
        annotations.shift_remove(LAST_APPLIED);
        if annotations.is_empty() {
            metadata.shift_remove("annotations");
        }
    }
    root.shift_remove("data")
}

fn put_data(object: &mut Value, data: Option<Value>) {
    if let (Value::Object(root), Some(data)) = (object, data) {
        root.insert("data".to_owned(), data);
    }
}

fn mask_keys(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
) -> (Map<String, Value>, Map<String, Value>) {
    let mut live = Map::new();
    let mut desired = Map::new();
    for (key, value) in new {
        match old.get(key) {
            Some(before) if same(before, value) => {
                live.insert(key.clone(), SAME.into());
                desired.insert(key.clone(), SAME.into());
            }
            Some(_) => {
                live.insert(key.clone(), OLD.into());
                desired.insert(key.clone(), NEW.into());
            }
            None => {
                desired.insert(key.clone(), NEW.into());
            }
        }
    }
    for key in old.keys().filter(|key| !new.contains_key(*key)) {
        live.insert(key.clone(), OLD.into());
    }
    (live, desired)
}

/// Every value replaced by `mask`, keys kept. Anything but a map of values (an
/// invalid `data`) becomes one mask.
fn mask_all(data: &Value, mask: &str) -> Value {
    match data {
        Value::Object(map) => Value::Object(
            map.keys()
                .map(|key| (key.clone(), Value::from(mask)))
                .collect(),
        ),
        _ => mask.into(),
    }
}

/// Equal bytes: base64 is decoded (ignoring the line breaks Go's decoder also
/// skips) so two spellings of one value agree; what does not decode compares as
/// written.
fn same(a: &Value, b: &Value) -> bool {
    match (decode(a), decode(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn decode(value: &Value) -> Option<Vec<u8>> {
    let text: String = value
        .as_str()?
        .chars()
        .filter(|c| !matches!(c, '\r' | '\n'))
        .collect();
    STANDARD.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    #[test]
    fn string_data_folds_into_data_and_wins() {
        let mut secret = json!({
            "data": {"user": "YWRtaW4=", "password": "b2xk"},
            "stringData": {"password": "hunter2"}
        });
        fold_string_data(&mut secret);
        assert_eq!(
            secret,
            json!({"data": {"user": "YWRtaW4=", "password": "aHVudGVyMg=="}})
        );
        let mut only_plain = json!({"stringData": {"a": "b"}});
        fold_string_data(&mut only_plain);
        assert_eq!(only_plain, json!({"data": {"a": "Yg=="}}));
    }

    #[test]
    fn masks_say_same_changed_added_removed() {
        let mut live = json!({"data": {"same": "YQ==", "changed": "Yg==", "removed": "Yw=="}});
        let mut desired = json!({"data": {"same": "Y\nQ==", "changed": "ZA==", "added": "ZQ=="}});
        mask_pair(&mut live, &mut desired);
        assert_eq!(
            live,
            json!({"data": {"same": SAME, "changed": OLD, "removed": OLD}})
        );
        assert_eq!(
            desired,
            json!({"data": {"same": SAME, "changed": NEW, "added": NEW}})
        );
    }

    #[test]
    fn one_sided_and_invalid_data_are_masked_whole() {
        let mut live = json!({"data": {"a": "YQ=="}});
        let mut desired = json!({"metadata": {"name": "s"}});
        mask_pair(&mut live, &mut desired);
        assert_eq!(live, json!({"data": {"a": OLD}}));
        assert_eq!(desired, json!({"metadata": {"name": "s"}}));

        let mut live = json!({"data": "c2VjcmV0"});
        let mut desired = json!({"data": ["secret"]});
        mask_pair(&mut live, &mut desired);
        assert_eq!(
            (live, desired),
            (json!({"data": OLD}), json!({"data": NEW}))
        );

        let mut alone = json!({
            "metadata": {"annotations": {LAST_APPLIED: "{\"data\":{\"a\":\"c2VjcmV0\"}}"}},
            "data": {"a": "c2VjcmV0"},
            "stringData": {"b": "secret"}
        });
        mask_alone(&mut alone);
        assert_eq!(alone, json!({"metadata": {}, "data": {"a": SAME}}));
    }
}
