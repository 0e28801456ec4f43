//! Objects read as structured-merge-diff reads them: the field paths an object
//! has and what changed between two objects. Changing objects (the apply merge,
//! pruning) is in `merge`, on the same [`Schema`].
//!
//! List semantics come from [`crate::model::lists`]; everything else about
//! ownership (managers, entries, conflicts) lives in `managed`. Without schemas,
//! every JSON object is treated as a struct: its fields are paths, the object
//! itself is not, except where noted.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::fieldset::{FieldPath, FieldSet, PathElement};
use crate::model::lists::{self, ListType};

/// Why an object's lists cannot be read as its kind says they should be.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    #[error(
        "{at}: element {index}: associative list with keys has an element that omits key field {field:?} (and doesn't have default value)"
    )]
    MissingKey {
        at: String,
        index: usize,
        field: &'static str,
    },
    #[error("{at}: element {index}: associative list items must be objects, not {found}")]
    ItemNotObject {
        at: String,
        index: usize,
        found: String,
    },
    #[error("{at}: element {index}: set items must be scalars, not {found}")]
    SetItemNotScalar {
        at: String,
        index: usize,
        found: String,
    },
    #[error("{at}: duplicate entries for key {key}")]
    Duplicate { at: String, key: String },
    #[error("an applied configuration must be a JSON object")]
    NotAnObject,
}

/// What changed from one object to another, as path sets.
#[derive(Debug, Default)]
pub struct Comparison {
    pub added: FieldSet,
    pub modified: FieldSet,
    pub removed: FieldSet,
}

/// Struct-typed fields Go always serialises, so Kubernetes never sees them appear
/// or vanish and never records them themselves; other objects that appear (maps
/// like `labels`, pointers like `rollingUpdate`) are recorded with `.`.
const ALWAYS_PRESENT: &[&str] = &["metadata", "spec", "status", "template", "jobTemplate"];

/// The list rules of one kind, and the walks that use them.
#[derive(Clone, Copy)]
pub struct Schema<'a> {
    pub group: &'a str,
    pub kind: &'a str,
}

impl Schema<'_> {
    /// Every path `object` has: leaves (scalars, nulls, empty objects, atomic
    /// lists), and each item of associative and set lists. With `strict`, lists
    /// that break their kind's rules are errors; otherwise they count as atomic.
    pub fn paths(&self, object: &Value, strict: bool) -> Result<FieldSet, ShapeError> {
        let Value::Object(map) = object else {
            return Err(ShapeError::NotAnObject);
        };
        let mut set = FieldSet::new();
        self.object_paths(map, &mut Walk::default(), &mut set, strict)?;
        Ok(set)
    }

    fn object_paths<'v>(
        &self,
        map: &'v Map<String, Value>,
        walk: &mut Walk<'v>,
        set: &mut FieldSet,
        strict: bool,
    ) -> Result<(), ShapeError> {
        for (name, value) in map {
            walk.enter_field(name);
            let done = self.value_paths(value, walk, set, strict);
            walk.leave_field();
            done?;
        }
        Ok(())
    }

    fn value_paths<'v>(
        &self,
        value: &'v Value,
        walk: &mut Walk<'v>,
        set: &mut FieldSet,
        strict: bool,
    ) -> Result<(), ShapeError> {
        match value {
            Value::Object(map) if !map.is_empty() && !self.atomic_object(walk) => {
                self.object_paths(map, walk, set, strict)
            }
            Value::Array(items) => match self.list_elements(walk, items, strict)? {
                None => {
                    set.insert(walk.path());
                    Ok(())
                }
                Some(elements) => {
                    for (element, item) in elements.into_iter().zip(items) {
                        walk.path.push(element);
                        set.insert(walk.path());
                        let done = match item {
                            Value::Object(map) => self.object_paths(map, walk, set, strict),
                            _ => Ok(()),
                        };
                        walk.path.pop();
                        done?;
                    }
                    Ok(())
                }
            },
            _ => {
                set.insert(walk.path());
                Ok(())
            }
        }
    }

    pub(super) fn atomic_object(&self, walk: &Walk<'_>) -> bool {
        lists::is_atomic_object(self.group, self.kind, &walk.names)
    }

    /// The path elements of a list's items, or `None` when the list is atomic
    /// (by its rule, or, when not `strict`, because it breaks its rule).
    pub(super) fn list_elements(
        &self,
        walk: &Walk<'_>,
        items: &[Value],
        strict: bool,
    ) -> Result<Option<Vec<PathElement>>, ShapeError> {
        let elements = match lists::list_type(self.group, self.kind, &walk.names) {
            ListType::Atomic => return Ok(None),
            ListType::Set => set_elements(walk, items),
            ListType::Map(keys) => key_elements(walk, items, keys),
        };
        match elements {
            Ok(elements) => Ok(Some(elements)),
            Err(error) if strict => Err(error),
            Err(_) => Ok(None),
        }
    }

    /// What changed from `old` to `new` (both objects; lists that break their
    /// rules compare as atomic).
    pub fn compare(&self, old: &Value, new: &Value) -> Comparison {
        let mut comparison = Comparison::default();
        self.compare_values(Some(old), Some(new), &mut Walk::default(), &mut comparison);
        comparison
    }

    fn compare_values<'v>(
        &self,
        old: Option<&'v Value>,
        new: Option<&'v Value>,
        walk: &mut Walk<'v>,
        out: &mut Comparison,
    ) {
        let is_map = |v: Option<&Value>| v.is_none_or(Value::is_object);
        let is_empty =
            |v: Option<&Value>| v.is_none_or(|v| v.as_object().is_some_and(Map::is_empty));
        let lists = |v: Option<&'v Value>| match v {
            None => Some(&[][..]),
            Some(Value::Array(items)) => Some(items.as_slice()),
            Some(_) => None,
        };
        if is_map(old)
            && is_map(new)
            && !(is_empty(old) && is_empty(new))
            && !self.atomic_object(walk)
        {
            let old_fields = old.and_then(Value::as_object);
            let new_fields = new.and_then(Value::as_object);
            for (name, value) in old_fields.into_iter().flatten() {
                walk.enter_field(name);
                self.compare_values(Some(value), new_fields.and_then(|m| m.get(name)), walk, out);
                walk.leave_field();
            }
            let added = new_fields
                .into_iter()
                .flatten()
                .filter(|(name, _)| old_fields.is_none_or(|m| !m.contains_key(*name)));
            for (name, value) in added {
                walk.enter_field(name);
                self.compare_values(None, Some(value), walk, out);
                walk.leave_field();
            }
            if walk.records_itself() {
                match (old, new) {
                    (None, Some(_)) => out.added.insert(walk.path()),
                    (Some(_), None) => out.removed.insert(walk.path()),
                    _ => {}
                }
            }
            return;
        }
        if let (Some(old_items), Some(new_items)) = (lists(old), lists(new))
            && let Ok(Some(old_elements)) = self.list_elements(walk, old_items, true)
            && let Ok(Some(new_elements)) = self.list_elements(walk, new_items, true)
        {
            let new_index: HashMap<&PathElement, usize> = new_elements
                .iter()
                .enumerate()
                .map(|(i, e)| (e, i))
                .collect();
            for (element, item) in old_elements.iter().zip(old_items) {
                let counterpart = new_index.get(element).map(|&i| &new_items[i]);
                walk.path.push(element.clone());
                self.compare_values(Some(item), counterpart, walk, out);
                walk.path.pop();
            }
            let old_set: HashSet<&PathElement> = old_elements.iter().collect();
            for (element, item) in new_elements.iter().zip(new_items) {
                if !old_set.contains(element) {
                    walk.path.push(element.clone());
                    self.compare_values(None, Some(item), walk, out);
                    walk.path.pop();
                }
            }
            return;
        }
        let shape = |v: &Value| (v.is_object(), v.is_array());
        match (old, new) {
            (Some(o), Some(n)) if shape(o) != shape(n) => {
                // A map or list turned into something else: both sides' paths change.
                self.compare_values(Some(o), None, walk, out);
                self.compare_values(None, Some(n), walk, out);
            }
            (None, Some(_)) => out.added.insert(walk.path()),
            (Some(_), None) => out.removed.insert(walk.path()),
            (Some(o), Some(n)) if o != n => out.modified.insert(walk.path()),
            _ => {}
        }
    }
}

/// The path and field names (for list rules) of the current position.
#[derive(Default)]
pub(super) struct Walk<'v> {
    pub(super) path: Vec<PathElement>,
    pub(super) names: Vec<&'v str>,
}

impl<'v> Walk<'v> {
    pub(super) fn enter_field(&mut self, name: &'v str) {
        self.path.push(PathElement::Field(name.to_owned()));
        self.names.push(name);
    }

    pub(super) fn leave_field(&mut self) {
        self.path.pop();
        self.names.pop();
    }

    pub(super) fn path(&self) -> FieldPath {
        FieldPath(self.path.clone())
    }

    /// Whether an object here is recorded itself when it appears or vanishes.
    fn records_itself(&self) -> bool {
        match self.path.last() {
            None => false,
            Some(PathElement::Field(name)) => !ALWAYS_PRESENT.contains(&name.as_str()),
            Some(_) => true,
        }
    }
}

fn set_elements(walk: &Walk<'_>, items: &[Value]) -> Result<Vec<PathElement>, ShapeError> {
    items
        .iter()
        .enumerate()
        .map(|(index, item)| match item {
            Value::Object(_) | Value::Array(_) => Err(ShapeError::SetItemNotScalar {
                at: walk.path().to_string(),
                index,
                found: item.to_string(),
            }),
            scalar => Ok(PathElement::value(scalar)),
        })
        .collect()
}

fn key_elements(
    walk: &Walk<'_>,
    items: &[Value],
    keys: &'static [&'static str],
) -> Result<Vec<PathElement>, ShapeError> {
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            key_element(item, keys).map_err(|missing| match missing {
                Some(field) => ShapeError::MissingKey {
                    at: walk.path().to_string(),
                    index,
                    field,
                },
                None => ShapeError::ItemNotObject {
                    at: walk.path().to_string(),
                    index,
                    found: item.to_string(),
                },
            })
        })
        .collect()
}

/// The `k:` element of an item; the error names the missing key field, or is
/// `None` when the item is not an object.
pub(super) fn key_element(
    item: &Value,
    keys: &'static [&'static str],
) -> Result<PathElement, Option<&'static str>> {
    let Value::Object(map) = item else {
        return Err(None);
    };
    let mut fields = Vec::with_capacity(keys.len());
    for &key in keys {
        let value = match map.get(key).filter(|v| !v.is_null()) {
            Some(value) => value.clone(),
            None => Value::String(lists::map_key_default(key).ok_or(Some(key))?.into()),
        };
        fields.push((key, value));
    }
    Ok(PathElement::key(fields.iter().map(|(k, v)| (*k, v))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    const DEPLOYMENT: Schema<'static> = Schema {
        group: "apps",
        kind: "Deployment",
    };

    fn containers(names: &[&str]) -> Value {
        let items: Vec<Value> = names.iter().map(|n| json!({"name": n})).collect();
        json!({"spec": {"template": {"spec": {"containers": items}}}})
    }

    fn path(text: &[&str]) -> FieldPath {
        FieldPath::fields(text)
    }

    #[test]
    fn compare_reports_items_and_appearing_maps() {
        let old = json!({"metadata": {"name": "a"}, "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "a", "image": "1"}]}}}});
        let new = json!({"metadata": {"name": "a", "labels": {"x": "y"}}, "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "b", "image": "1"}]}}}});
        let comparison = DEPLOYMENT.compare(&old, &new);
        let item = |name: &str, field: Option<&str>| {
            let mut p = path(&["spec", "template", "spec", "containers"]).0;
            p.push(PathElement::key([("name", &json!(name))]));
            p.extend(field.map(|f| PathElement::Field(f.into())));
            FieldPath(p)
        };
        let added: FieldSet = [
            path(&["metadata", "labels"]),
            path(&["metadata", "labels", "x"]),
            item("b", None),
            item("b", Some("name")),
            item("b", Some("image")),
        ]
        .into_iter()
        .collect();
        assert_eq!(comparison.added, added);
        assert_eq!(
            comparison.modified,
            [path(&["spec", "replicas"])].into_iter().collect()
        );
        let removed: FieldSet = [
            item("a", None),
            item("a", Some("name")),
            item("a", Some("image")),
        ]
        .into_iter()
        .collect();
        assert_eq!(comparison.removed, removed);
    }

    #[test]
    fn lists_that_break_their_rules_are_errors_only_when_strict() {
        let object = containers(&[]);
        let mut broken = object.clone();
        broken["spec"]["template"]["spec"]["containers"] = json!([{"image": "x"}]);
        assert!(DEPLOYMENT.paths(&broken, true).is_err());
        let lenient = DEPLOYMENT.paths(&broken, false).unwrap();
        assert_eq!(
            lenient,
            [path(&["spec", "template", "spec", "containers"])]
                .into_iter()
                .collect()
        );
        // An empty associative list owns nothing; an empty object is a leaf.
        assert!(DEPLOYMENT.paths(&object, true).unwrap().is_empty());
        assert_eq!(
            DEPLOYMENT.paths(&json!({"spec": {}}), true).unwrap(),
            [path(&["spec"])].into_iter().collect()
        );
    }
}
