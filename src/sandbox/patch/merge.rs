//! What server-side apply does to an object's content: merging an applied
//! configuration into the live object and removing pruned paths. Ownership
//! (which paths to prune, who conflicts) is decided in `managed`; list rules come
//! through [`Schema`] from [`crate::model::lists`].

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::fieldset::{FieldPath, FieldSet, PathElement};
use super::structured::{Schema, ShapeError, Walk, key_element};
use crate::model::lists::{self, ListType};

impl Schema<'_> {
    /// Merges an applied configuration into the live object the way
    /// structured-merge-diff does: maps recursively, associative and set lists item
    /// by item (the configuration's order wins for shared items, live-only items
    /// stay where they were), everything else replaced. A `null` removes the field.
    pub fn merge(&self, live: Option<&Value>, config: &Value) -> Result<Value, ShapeError> {
        let Value::Object(config) = config else {
            return Err(ShapeError::NotAnObject);
        };
        let live = live.and_then(Value::as_object);
        self.merge_maps(live, config, &mut Walk::default())
            .map(Value::Object)
    }

    fn merge_maps<'v>(
        &self,
        live: Option<&'v Map<String, Value>>,
        config: &'v Map<String, Value>,
        walk: &mut Walk<'v>,
    ) -> Result<Map<String, Value>, ShapeError> {
        let mut out = live.cloned().unwrap_or_default();
        for (name, value) in config {
            if value.is_null() {
                out.shift_remove(name);
                continue;
            }
            walk.enter_field(name);
            let merged = self.merge_values(live.and_then(|l| l.get(name)), value, walk);
            walk.leave_field();
            out.insert(name.clone(), merged?);
        }
        Ok(out)
    }

    fn merge_values<'v>(
        &self,
        live: Option<&'v Value>,
        config: &'v Value,
        walk: &mut Walk<'v>,
    ) -> Result<Value, ShapeError> {
        match config {
            Value::Object(_) if self.atomic_object(walk) => Ok(config.clone()),
            Value::Object(map) => self
                .merge_maps(live.and_then(Value::as_object), map, walk)
                .map(Value::Object),
            Value::Array(items) => {
                let Some(config_elements) = self.list_elements(walk, items, true)? else {
                    return Ok(config.clone());
                };
                if let Some(duplicate) = first_duplicate(&config_elements) {
                    return Err(ShapeError::Duplicate {
                        at: walk.path().to_string(),
                        key: duplicate.to_string(),
                    });
                }
                let live_items = match live {
                    Some(Value::Array(live_items)) => live_items.as_slice(),
                    _ => &[],
                };
                let live_elements = self.list_elements(walk, live_items, false)?;
                let (live_items, live_elements) = match live_elements {
                    Some(elements) => (live_items, elements),
                    // A live list that breaks its rules is replaced, not merged.
                    None => (&[][..], Vec::new()),
                };
                self.merge_lists(live_items, &live_elements, items, &config_elements, walk)
                    .map(Value::Array)
            }
            scalar => Ok(scalar.clone()),
        }
    }

    /// structured-merge-diff's list merge (`mergingWalker.visitListItems`).
    fn merge_lists<'v>(
        &self,
        lhs: &'v [Value],
        lhs_elements: &[PathElement],
        rhs: &'v [Value],
        rhs_elements: &[PathElement],
        walk: &mut Walk<'v>,
    ) -> Result<Vec<Value>, ShapeError> {
        let mut lhs_index: HashMap<&PathElement, usize> = HashMap::new();
        for (i, element) in lhs_elements.iter().enumerate() {
            lhs_index.entry(element).or_insert(i);
        }
        let rhs_index: HashMap<&PathElement, usize> = rhs_elements
            .iter()
            .enumerate()
            .map(|(i, e)| (e, i))
            .collect();
        let mut shared = rhs_elements.iter().filter(|e| lhs_index.contains_key(e));
        let mut next_shared = shared.next();
        let mut merged_rhs: HashSet<&PathElement> = HashSet::new();
        let mut out = Vec::with_capacity(lhs.len().max(rhs.len()));
        let (mut l, mut r) = (0, 0);
        while l < lhs.len() || r < rhs.len() {
            if l < lhs.len() && r < rhs.len() {
                let element = &lhs_elements[l];
                if *element == rhs_elements[r] {
                    merged_rhs.insert(element);
                    out.push(self.merge_item(element, Some(&lhs[l]), &rhs[r], walk)?);
                    l += 1;
                    r += 1;
                    next_shared = shared.next();
                    continue;
                }
                // A shared item, but not the one the configuration wants next.
                if rhs_index.contains_key(element) && next_shared.is_some_and(|n| n != element) {
                    l += 1;
                    continue;
                }
            }
            if l < lhs.len() {
                let element = &lhs_elements[l];
                if !rhs_index.contains_key(element) {
                    out.push(lhs[l].clone());
                    l += 1;
                    continue;
                }
                if merged_rhs.contains(element) {
                    l += 1;
                    continue;
                }
            }
            if r < rhs.len() {
                let element = &rhs_elements[r];
                merged_rhs.insert(element);
                let live = lhs_index.get(element).map(|&i| &lhs[i]);
                out.push(self.merge_item(element, live, &rhs[r], walk)?);
                r += 1;
                if next_shared == Some(element) {
                    next_shared = shared.next();
                }
            }
        }
        Ok(out)
    }

    fn merge_item<'v>(
        &self,
        element: &PathElement,
        live: Option<&'v Value>,
        config: &'v Value,
        walk: &mut Walk<'v>,
    ) -> Result<Value, ShapeError> {
        walk.path.push(element.clone());
        let merged = self.merge_values(live, config, walk);
        walk.path.pop();
        merged
    }

    /// Removes `paths` from `object`, then every object or list they leave empty
    /// that nobody in `keep` owns (Go drops empty maps and slices; Kubernetes drops
    /// unowned emptied structs), so pruning leaves no `{}` behind.
    pub fn remove(&self, object: &mut Value, paths: &FieldSet, keep: &FieldSet) {
        for path in paths.iter() {
            if !self.remove_path(object, &path.0) {
                continue;
            }
            for depth in (1..path.0.len()).rev() {
                let parent = FieldPath(path.0[..depth].to_vec());
                let emptied = self.get(object, &parent.0).is_some_and(|v| match v {
                    Value::Object(map) => map.is_empty(),
                    Value::Array(items) => items.is_empty(),
                    _ => false,
                });
                if !emptied || keep.contains(&parent) || !self.remove_path(object, &parent.0) {
                    break;
                }
            }
        }
    }

    fn get<'v>(&self, object: &'v Value, path: &[PathElement]) -> Option<&'v Value> {
        let mut names = Vec::new();
        let mut value = object;
        for element in path {
            value = self.step(value, element, &names)?;
            if let PathElement::Field(name) = element {
                names.push(name.as_str());
            }
        }
        Some(value)
    }

    fn step<'v>(
        &self,
        value: &'v Value,
        element: &PathElement,
        names: &[&str],
    ) -> Option<&'v Value> {
        match (value, element) {
            (Value::Object(map), PathElement::Field(name)) => map.get(name),
            (Value::Array(items), _) => items.get(self.item_index(items, element, names)?),
            _ => None,
        }
    }

    fn item_index(&self, items: &[Value], element: &PathElement, names: &[&str]) -> Option<usize> {
        match element {
            PathElement::Index(index) => Some(*index),
            PathElement::Value(_) => items
                .iter()
                .position(|item| PathElement::value(item) == *element),
            PathElement::Key(_) => {
                let ListType::Map(keys) = lists::list_type(self.group, self.kind, names) else {
                    return None;
                };
                items
                    .iter()
                    .position(|item| key_element(item, keys).ok().as_ref() == Some(element))
            }
            PathElement::Field(_) => None,
        }
    }

    /// Removes the value at `path`; false when it was not there.
    fn remove_path(&self, object: &mut Value, path: &[PathElement]) -> bool {
        self.remove_under(object, path, &mut Vec::new())
    }

    fn remove_under<'p>(
        &self,
        value: &mut Value,
        path: &'p [PathElement],
        names: &mut Vec<&'p str>,
    ) -> bool {
        let Some((first, rest)) = path.split_first() else {
            return false;
        };
        let child = match (value, first) {
            (Value::Object(map), PathElement::Field(name)) if rest.is_empty() => {
                return map.shift_remove(name).is_some();
            }
            (Value::Object(map), PathElement::Field(name)) => map.get_mut(name),
            (Value::Array(items), element) => match self.item_index(items, element, names) {
                Some(index) if rest.is_empty() && index < items.len() => {
                    items.remove(index);
                    return true;
                }
                Some(index) => items.get_mut(index),
                None => None,
            },
            _ => None,
        };
        let Some(child) = child else {
            return false;
        };
        let named = if let PathElement::Field(name) = first {
            names.push(name);
            true
        } else {
            false
        };
        let removed = self.remove_under(child, rest, names);
        if named {
            names.pop();
        }
        removed
    }
}

fn first_duplicate(elements: &[PathElement]) -> Option<&PathElement> {
    let mut seen = HashSet::new();
    elements.iter().find(|e| !seen.insert(*e))
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

    fn names(object: &Value) -> Vec<String> {
        object["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    }

    fn path(text: &[&str]) -> FieldPath {
        FieldPath::fields(text)
    }

    #[test]
    fn list_merge_follows_the_configuration_order_and_keeps_live_only_items() {
        let live = containers(&["a", "x", "b", "c"]);
        let merged = DEPLOYMENT
            .merge(Some(&live), &containers(&["c", "b", "new"]))
            .unwrap();
        assert_eq!(names(&merged), ["a", "x", "c", "b", "new"]);
        let merged = DEPLOYMENT
            .merge(Some(&live), &containers(&["b", "a"]))
            .unwrap();
        // Traced by hand through structured-merge-diff's visitListItems.
        assert_eq!(names(&merged), ["x", "b", "c", "a"]);
    }

    #[test]
    fn merge_replaces_atomic_values_and_null_removes() {
        let live = json!({"spec": {"selector": {"matchLabels": {"a": "1", "b": "2"}}, "paused": true, "template": {"spec": {"tolerations": [{"key": "k"}]}}}});
        let config = json!({"spec": {"selector": {"matchLabels": {"a": "1"}}, "paused": null, "template": {"spec": {"tolerations": [{"key": "z"}]}}}});
        let merged = DEPLOYMENT.merge(Some(&live), &config).unwrap();
        assert_eq!(
            merged,
            json!({"spec": {"selector": {"matchLabels": {"a": "1"}}, "template": {"spec": {"tolerations": [{"key": "z"}]}}}})
        );
    }

    #[test]
    fn remove_drops_paths_and_the_containers_they_empty() {
        let mut object = json!({"metadata": {"name": "a", "labels": {"x": "1"}}, "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}});
        let mut item = path(&["spec", "template", "spec", "containers"]).0;
        item.push(PathElement::key([("name", &json!("c"))]));
        let paths: FieldSet = [path(&["metadata", "labels", "x"]), FieldPath(item)]
            .into_iter()
            .collect();
        DEPLOYMENT.remove(&mut object, &paths, &FieldSet::new());
        assert_eq!(object, json!({"metadata": {"name": "a"}}));
        // An emptied map somebody owns stays.
        let mut object = json!({"metadata": {"labels": {"x": "1"}}});
        let keep: FieldSet = [path(&["metadata", "labels"])].into_iter().collect();
        DEPLOYMENT.remove(
            &mut object,
            &[path(&["metadata", "labels", "x"])].into_iter().collect(),
            &keep,
        );
        assert_eq!(object, json!({"metadata": {"labels": {}}}));
    }
}
