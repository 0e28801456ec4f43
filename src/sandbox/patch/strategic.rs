//! Strategic merge patches (`application/strategic-merge-patch+json`), applied the
//! way Kubernetes' `strategicpatch` package applies them to built-in kinds.
//!
//! It owns the patch directives (`$patch`, `$retainKeys`, `$setElementOrder/…`,
//! `$deleteFromPrimitiveList/…`) and guarantees none of them reaches the result.
//! Which lists merge, and by which key, comes from [`crate::model::lists`]; this
//! module knows no field names. Pure: it never sees the store or HTTP.

use serde_json::{Map, Value};

use crate::model::lists::{self, StrategicList};

const PATCH: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const SET_ELEMENT_ORDER: &str = "$setElementOrder/";
const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList/";

/// Why a strategic merge patch cannot be applied (a 400 for the client).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    #[error("the {what} of a strategic merge patch must be a JSON object, not {found}")]
    NotAnObject { what: &'static str, found: String },
    #[error("{at}: {directive} must be {expected}, not {found}")]
    BadDirective {
        at: String,
        directive: String,
        expected: &'static str,
        found: String,
    },
    #[error("{at}: list item {item} does not contain its merge key {key:?}")]
    MissingMergeKey {
        at: String,
        key: &'static str,
        item: String,
    },
    #[error("{at}: list items merged by {key:?} must be objects, not {item}")]
    ItemNotObject {
        at: String,
        key: &'static str,
        item: String,
    },
    #[error("{at}: a merged list of values cannot contain {item}")]
    NotPrimitive { at: String, item: String },
    #[error("{at}: the patch sets {field:?}, which its $retainKeys does not list")]
    NotRetained { at: String, field: String },
}

/// Applies `patch` to `original`, an object of `group`/`kind`, as a strategic merge
/// patch. Kinds without list rules (custom resources) merge like a JSON merge patch
/// that also understands the directives.
pub fn strategic_merge(
    group: &str,
    kind: &str,
    original: &Value,
    patch: &Value,
) -> Result<Value, PatchError> {
    let not_object = |what, value: &Value| PatchError::NotAnObject {
        what,
        found: type_name(value).into(),
    };
    let Value::Object(patch) = patch else {
        return Err(not_object("patch", patch));
    };
    let Value::Object(original) = original else {
        return Err(not_object("original object", original));
    };
    let merger = Merger { group, kind };
    merger
        .merge_map(&mut Vec::new(), original.clone(), patch)
        .map(Value::Object)
}

/// The kind whose list rules apply; the path (field names, list indices skipped)
/// travels through the recursion.
struct Merger<'a> {
    group: &'a str,
    kind: &'a str,
}

/// The list directives a map carries for one of its fields.
struct ListDirectives<'p> {
    field: &'p str,
    order: Option<&'p [Value]>,
    delete: Option<&'p [Value]>,
}

impl Merger<'_> {
    fn merge_map<'p>(
        &self,
        path: &mut Vec<&'p str>,
        original: Map<String, Value>,
        patch: &'p Map<String, Value>,
    ) -> Result<Map<String, Value>, PatchError> {
        match patch.get(PATCH) {
            None => self.merge_map_fields(path, original, patch),
            Some(Value::String(d)) if d == "merge" => self.merge_map_fields(path, original, patch),
            // The patch's map is the result, cleaned of its own directives.
            Some(Value::String(d)) if d == "replace" => {
                self.merge_map_fields(path, Map::new(), patch)
            }
            // Kubernetes empties the map rather than dropping its key.
            Some(Value::String(d)) if d == "delete" => Ok(Map::new()),
            Some(other) => Err(bad_directive(
                path,
                PATCH,
                "replace, delete or merge",
                other,
            )),
        }
    }

    /// Merges everything but a map-level `$patch`, which the caller has handled.
    fn merge_map_fields<'p>(
        &self,
        path: &mut Vec<&'p str>,
        mut original: Map<String, Value>,
        patch: &'p Map<String, Value>,
    ) -> Result<Map<String, Value>, PatchError> {
        if let Some(retain) = patch.get(RETAIN_KEYS) {
            retain_keys(path, &mut original, patch, retain)?;
        }
        let directives = list_directives(path, patch)?;
        // `$setElementOrder` interleaves by the positions the live list had.
        let live_lists: Vec<Option<Value>> = directives
            .iter()
            .map(|d| d.order.and(original.get(d.field).cloned()))
            .collect();
        for (key, value) in patch {
            if key.starts_with('$') && is_directive(key) {
                continue;
            }
            if value.is_null() {
                original.shift_remove(key);
                continue;
            }
            // Taken in place: removing would move an existing key to the end.
            let current = original.get_mut(key).map(Value::take);
            path.push(key);
            let merged = self.merge_value(path, current, value);
            path.pop();
            original.insert(key.clone(), merged?);
        }
        for (directive, live) in directives.iter().zip(live_lists) {
            path.push(directive.field);
            let applied = self.apply_list_directives(path, &mut original, directive, live);
            path.pop();
            applied?;
        }
        Ok(original)
    }

    fn merge_value<'p>(
        &self,
        path: &mut Vec<&'p str>,
        original: Option<Value>,
        patch: &'p Value,
    ) -> Result<Value, PatchError> {
        match (original, patch) {
            (Some(Value::Object(o)), Value::Object(p)) => {
                self.merge_map(path, o, p).map(Value::Object)
            }
            (Some(Value::Array(o)), Value::Array(p)) => {
                self.merge_list(path, o, p).map(Value::Array)
            }
            // New keys and type changes take the patch's value, merged into an
            // empty one so that its directives and nulls are resolved too.
            (_, Value::Object(p)) => self.merge_map(path, Map::new(), p).map(Value::Object),
            (_, Value::Array(p)) => self.merge_list(path, Vec::new(), p).map(Value::Array),
            (_, scalar) => Ok(scalar.clone()),
        }
    }

    fn merge_list<'p>(
        &self,
        path: &mut Vec<&'p str>,
        original: Vec<Value>,
        patch: &'p [Value],
    ) -> Result<Vec<Value>, PatchError> {
        match lists::strategic_merge_key(self.group, self.kind, path) {
            None => patch
                .iter()
                .map(|item| self.merge_value(path, None, item))
                .collect(),
            Some(StrategicList::MergePrimitives) => {
                let mut merged = Vec::with_capacity(original.len() + patch.len());
                for item in original.into_iter().chain(patch.iter().cloned()) {
                    if item.is_object() || item.is_array() {
                        return Err(PatchError::NotPrimitive {
                            at: display_path(path),
                            item: item.to_string(),
                        });
                    }
                    if !merged.contains(&item) {
                        merged.push(item);
                    }
                }
                Ok(merged)
            }
            Some(StrategicList::MergeByKey(key)) => self.merge_keyed(path, original, patch, key),
        }
    }

    fn merge_keyed<'p>(
        &self,
        path: &mut Vec<&'p str>,
        mut original: Vec<Value>,
        patch: &'p [Value],
        key: &'static str,
    ) -> Result<Vec<Value>, PatchError> {
        let mut replace = false;
        let mut items = Vec::with_capacity(patch.len());
        for item in patch {
            let Value::Object(map) = item else {
                return Err(PatchError::ItemNotObject {
                    at: display_path(path),
                    key,
                    item: item.to_string(),
                });
            };
            match map.get(PATCH) {
                Some(Value::String(d)) if d == "delete" => {
                    let id = merge_key(path, map, key)?;
                    original.retain(|o| o.get(key) != Some(id));
                }
                // `{"$patch": "replace"}` as an item: the other items are the list.
                Some(Value::String(d)) if d == "replace" => replace = true,
                None => items.push(map),
                Some(Value::String(d)) if d == "merge" => items.push(map),
                Some(other) => {
                    return Err(bad_directive(
                        path,
                        PATCH,
                        "replace, delete or merge",
                        other,
                    ));
                }
            }
        }
        if replace {
            return items
                .into_iter()
                .map(|map| self.merge_map(path, Map::new(), map).map(Value::Object))
                .collect();
        }
        for map in items {
            let id = merge_key(path, map, key)?;
            match original.iter().position(|o| o.get(key) == Some(id)) {
                Some(index) => {
                    let base = match original[index].take() {
                        Value::Object(o) => o,
                        _ => Map::new(),
                    };
                    original[index] = Value::Object(self.merge_map(path, base, map)?);
                }
                None => original.push(Value::Object(self.merge_map(path, Map::new(), map)?)),
            }
        }
        Ok(original)
    }

    /// `$deleteFromPrimitiveList/<field>` then `$setElementOrder/<field>`, after the
    /// field itself was merged.
    fn apply_list_directives(
        &self,
        path: &[&str],
        map: &mut Map<String, Value>,
        directives: &ListDirectives<'_>,
        live: Option<Value>,
    ) -> Result<(), PatchError> {
        let Some(Value::Array(list)) = map.get_mut(directives.field) else {
            return Ok(());
        };
        if let Some(delete) = directives.delete {
            list.retain(|item| !delete.contains(item));
        }
        let Some(order) = directives.order else {
            return Ok(());
        };
        let key = match lists::strategic_merge_key(self.group, self.kind, path) {
            Some(StrategicList::MergeByKey(key)) => Some(key),
            Some(StrategicList::MergePrimitives) => None,
            // A replaced list already has the patch's order.
            None => return Ok(()),
        };
        let live = match live {
            Some(Value::Array(live)) => live,
            _ => Vec::new(),
        };
        let merged = std::mem::take(list);
        *list = set_element_order(path, merged, order, &live, key)?;
        Ok(())
    }
}

/// Reorders a merged list the way Kubernetes' `normalizeElementOrder` does: items
/// named in `order` take that order; the others keep the live list's relative
/// order and are interleaved by their live positions.
fn set_element_order(
    path: &[&str],
    merged: Vec<Value>,
    order: &[Value],
    live: &[Value],
    key: Option<&'static str>,
) -> Result<Vec<Value>, PatchError> {
    let id = |item: &Value| -> Option<Value> {
        match key {
            Some(key) => item.get(key).cloned(),
            None => Some(item.clone()),
        }
    };
    let order_ids: Vec<Option<Value>> = order.iter().map(id).collect();
    // Only items of keyed lists can lack their id.
    if let (Some(key), Some(index)) = (key, order_ids.iter().position(Option::is_none)) {
        return Err(PatchError::MissingMergeKey {
            at: format!("{} ($setElementOrder)", display_path(path)),
            key,
            item: order[index].to_string(),
        });
    }
    let live_ids: Vec<Option<Value>> = live.iter().map(id).collect();
    let position = |ids: &[Option<Value>], item: &Value| {
        let item = id(item);
        ids.iter().position(|i| *i == item && item.is_some())
    };
    let (mut named, mut server_only): (Vec<Value>, Vec<Value>) = merged
        .into_iter()
        .partition(|item| position(&order_ids, item).is_some());
    named.sort_by_key(|item| position(&order_ids, item));
    // Items missing from the live list sort first, like Kubernetes' index -1.
    server_only.sort_by_key(|item| position(&live_ids, item));

    let mut result = Vec::with_capacity(named.len() + server_only.len());
    let mut left = server_only.into_iter().peekable();
    let mut right = named.into_iter().peekable();
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (Some(l), Some(r)) => matches!(
                (position(&live_ids, l), position(&live_ids, r)),
                (Some(li), Some(ri)) if li < ri
            ),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_left { left.next() } else { right.next() };
        result.extend(next);
    }
    Ok(result)
}

fn retain_keys(
    path: &[&str],
    original: &mut Map<String, Value>,
    patch: &Map<String, Value>,
    retain: &Value,
) -> Result<(), PatchError> {
    let keys: Option<Vec<&str>> = match retain {
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        _ => None,
    };
    let Some(keys) = keys else {
        return Err(bad_directive(
            path,
            RETAIN_KEYS,
            "a list of strings",
            retain,
        ));
    };
    if let Some((field, _)) = patch
        .iter()
        .find(|(k, v)| !v.is_null() && !k.starts_with('$') && !keys.contains(&k.as_str()))
    {
        return Err(PatchError::NotRetained {
            at: display_path(path),
            field: field.clone(),
        });
    }
    original.retain(|k, _| keys.contains(&k.as_str()));
    Ok(())
}

/// Gathers `$setElementOrder/<f>` and `$deleteFromPrimitiveList/<f>` by field.
fn list_directives<'p>(
    path: &[&str],
    patch: &'p Map<String, Value>,
) -> Result<Vec<ListDirectives<'p>>, PatchError> {
    let mut found: Vec<ListDirectives<'p>> = Vec::new();
    for (key, value) in patch {
        let (field, is_order) = if let Some(field) = key.strip_prefix(SET_ELEMENT_ORDER) {
            (field, true)
        } else if let Some(field) = key.strip_prefix(DELETE_FROM_PRIMITIVE_LIST) {
            (field, false)
        } else {
            continue;
        };
        let Value::Array(items) = value else {
            return Err(bad_directive(path, key, "a list", value));
        };
        let index = match found.iter().position(|d| d.field == field) {
            Some(index) => index,
            None => {
                found.push(ListDirectives {
                    field,
                    order: None,
                    delete: None,
                });
                found.len() - 1
            }
        };
        if is_order {
            found[index].order = Some(items);
        } else {
            found[index].delete = Some(items);
        }
    }
    Ok(found)
}

fn is_directive(key: &str) -> bool {
    key == PATCH
        || key == RETAIN_KEYS
        || key.starts_with(SET_ELEMENT_ORDER)
        || key.starts_with(DELETE_FROM_PRIMITIVE_LIST)
}

fn merge_key<'m>(
    path: &[&str],
    map: &'m Map<String, Value>,
    key: &'static str,
) -> Result<&'m Value, PatchError> {
    map.get(key).ok_or_else(|| PatchError::MissingMergeKey {
        at: display_path(path),
        key,
        item: Value::Object(map.clone()).to_string(),
    })
}

fn bad_directive(
    path: &[&str],
    directive: &str,
    expected: &'static str,
    found: &Value,
) -> PatchError {
    PatchError::BadDirective {
        at: display_path(path),
        directive: directive.into(),
        expected,
        found: found.to_string(),
    }
}

fn display_path(path: &[&str]) -> String {
    if path.is_empty() {
        return "the object".into();
    }
    path.iter().map(|p| format!(".{p}")).collect()
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
#[path = "strategic_tests.rs"]
mod tests;
