//! The comparison itself: walks the desired side and live together, records each
//! difference as a [`FieldChange`], and builds the view of live that the texts
//! show, so the unified diff and the change list always tell the same story.
//!
//! Two scopes. `Manifest` (client-side) looks only at what the manifest sets:
//! map keys it leaves out are ignored, and so are live items of associative lists
//! and sets that it does not name (a controller's finalizer, another manager's
//! container); atomic lists are the manifest's whole and compare by index.
//! `Whole` (server-side, against the dry-run result) counts everything.
//!
//! Lists follow `model::lists`: associative lists match items by their key fields
//! (a missing key field takes its schema default, `protocol: TCP`), sets by value,
//! everything else (and every list of a custom resource) by index. Absent equals
//! `null`, `{}` and `[]` (Go's `omitempty` drops them); in the `Manifest` scope also
//! `""`, `0` and `false`, which the server drops the same way. Numbers compare by
//! value and quantities by amount (see `quantity`). Where two values count as
//! equal, the view takes the desired spelling, so the texts do not differ either.
//!
//! Pointers address the desired side, except those of `Removed` changes, which
//! address live.

use serde_json::{Map, Value};

use crate::model::ResourceKey;
use crate::model::lists::{ListType, list_type, map_key_default};

use super::pointer::{Path, Step};
use super::quantity;
use super::{ChangeKind, FieldChange};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scope {
    /// Only what the manifest sets (client-side).
    Manifest,
    /// Every field of both sides (server-side).
    Whole,
}

pub(super) struct Comparison {
    /// Live as compared: projected onto the manifest in the `Manifest` scope.
    pub(super) live_view: Value,
    /// In walk order; the caller sorts.
    pub(super) changes: Vec<FieldChange>,
}

pub(super) fn compare(
    key: &ResourceKey,
    desired: &Value,
    live: &Value,
    scope: Scope,
) -> Comparison {
    let mut walker = Walker {
        group: &key.group,
        kind: &key.kind,
        scope,
        changes: Vec::new(),
    };
    let live_view = walker.value(desired, live, &mut Path::default());
    Comparison {
        live_view,
        changes: walker.changes,
    }
}

struct Walker<'k> {
    group: &'k str,
    kind: &'k str,
    scope: Scope,
    changes: Vec<FieldChange>,
}

impl Walker<'_> {
    fn value<'v>(&mut self, desired: &'v Value, live: &'v Value, path: &mut Path<'v>) -> Value {
        if is_empty(desired) && is_empty(live) {
            return desired.clone();
        }
        match (desired, live) {
            (Value::Object(want), Value::Object(have)) => Value::Object(self.map(want, have, path)),
            (Value::Array(want), Value::Array(have)) => Value::Array(self.list(want, have, path)),
            // A manifest's `null` asks for the field to be unset.
            (Value::Null, _) => {
                self.record(path, ChangeKind::Removed, Some(live), None);
                live.clone()
            }
            _ if same_scalar(desired, live, path) => desired.clone(),
            _ => {
                self.record(path, ChangeKind::Changed, Some(live), Some(desired));
                live.clone()
            }
        }
    }

    fn map<'v>(
        &mut self,
        desired: &'v Map<String, Value>,
        live: &'v Map<String, Value>,
        path: &mut Path<'v>,
    ) -> Map<String, Value> {
        let mut view = Map::new();
        for (name, want) in desired {
            path.push(Step::Field(name));
            match live.get(name) {
                Some(have) => {
                    view.insert(name.clone(), self.value(want, have, path));
                }
                None if self.is_unset(want) => {
                    view.insert(name.clone(), want.clone());
                }
                None => self.record(path, ChangeKind::Added, None, Some(want)),
            }
            path.pop();
        }
        if self.scope == Scope::Whole {
            for (name, have) in live {
                if desired.contains_key(name) || is_empty(have) {
                    continue;
                }
                path.push(Step::Field(name));
                self.record(path, ChangeKind::Removed, Some(have), None);
                view.insert(name.clone(), have.clone());
                path.pop();
            }
        }
        view
    }

    fn list<'v>(
        &mut self,
        desired: &'v [Value],
        live: &'v [Value],
        path: &mut Path<'v>,
    ) -> Vec<Value> {
        match list_type(self.group, self.kind, &path.fields()) {
            ListType::Map(keys) => self.matched(desired, live, path, |item| {
                keys.iter()
                    .map(|field| match item.get(*field) {
                        Some(value) => value.clone(),
                        None => map_key_default(field).map_or(Value::Null, Value::from),
                    })
                    .collect()
            }),
            ListType::Set => self.matched(desired, live, path, |item| vec![item.clone()]),
            ListType::Atomic => self.by_index(desired, live, path),
        }
    }

    /// Items paired by identity; live items nobody asked for count only in the
    /// `Whole` scope, after the paired ones in the view.
    fn matched<'v>(
        &mut self,
        desired: &'v [Value],
        live: &'v [Value],
        path: &mut Path<'v>,
        identity: impl Fn(&Value) -> Vec<Value>,
    ) -> Vec<Value> {
        let live_ids: Vec<Vec<Value>> = live.iter().map(&identity).collect();
        let mut paired = vec![false; live.len()];
        let mut view = Vec::new();
        for (index, want) in desired.iter().enumerate() {
            path.push(Step::Index(index));
            let id = identity(want);
            let partner = live_ids
                .iter()
                .zip(&paired)
                .position(|(live_id, taken)| !taken && *live_id == id);
            match partner.and_then(|at| Some((at, live.get(at)?))) {
                Some((at, have)) => {
                    if let Some(taken) = paired.get_mut(at) {
                        *taken = true;
                    }
                    view.push(self.value(want, have, path));
                }
                None => self.record(path, ChangeKind::Added, None, Some(want)),
            }
            path.pop();
        }
        if self.scope == Scope::Whole {
            for (index, (have, taken)) in live.iter().zip(&paired).enumerate() {
                if !taken {
                    path.push(Step::Index(index));
                    self.record(path, ChangeKind::Removed, Some(have), None);
                    view.push(have.clone());
                    path.pop();
                }
            }
        }
        view
    }

    /// An atomic list belongs to the manifest whole: extra live items count in
    /// both scopes.
    fn by_index<'v>(
        &mut self,
        desired: &'v [Value],
        live: &'v [Value],
        path: &mut Path<'v>,
    ) -> Vec<Value> {
        let mut view = Vec::new();
        for index in 0..desired.len().max(live.len()) {
            path.push(Step::Index(index));
            match (desired.get(index), live.get(index)) {
                (Some(want), Some(have)) => view.push(self.value(want, have, path)),
                (Some(want), None) => self.record(path, ChangeKind::Added, None, Some(want)),
                (None, Some(have)) => {
                    self.record(path, ChangeKind::Removed, Some(have), None);
                    view.push(have.clone());
                }
                (None, None) => {}
            }
            path.pop();
        }
        view
    }

    /// Whether a desired value that live lacks asks for nothing live does not
    /// already have.
    fn is_unset(&self, want: &Value) -> bool {
        is_empty(want)
            || (self.scope == Scope::Manifest
                && match want {
                    Value::Bool(flag) => !flag,
                    Value::String(text) => text.is_empty(),
                    Value::Number(number) => number.as_f64() == Some(0.0),
                    _ => false,
                })
    }

    fn record(
        &mut self,
        path: &Path<'_>,
        change: ChangeKind,
        live: Option<&Value>,
        desired: Option<&Value>,
    ) {
        self.changes.push(FieldChange {
            pointer: path.pointer(),
            change,
            live: live.cloned(),
            desired: desired.cloned(),
        });
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

fn same_scalar(desired: &Value, live: &Value, path: &Path<'_>) -> bool {
    if desired == live {
        return true;
    }
    if let (Value::Number(a), Value::Number(b)) = (desired, live)
        && a.as_f64().is_some()
        && a.as_f64() == b.as_f64()
    {
        return true;
    }
    quantity::is_quantity_field(&path.fields()) && quantity::same(desired, live)
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    fn pointers(comparison: &Comparison) -> Vec<(&str, ChangeKind)> {
        comparison
            .changes
            .iter()
            .map(|c| (c.pointer.as_str(), c.change))
            .collect()
    }

    fn deployment() -> ResourceKey {
        ResourceKey::new("apps", "Deployment", "web", "api")
    }

    #[test]
    fn manifest_scope_ignores_what_the_manifest_leaves_out() {
        let desired = json!({"spec": {"template": {"spec": {
            "containers": [{"name": "app", "image": "app:2", "ports": [{"containerPort": 80}]}]
        }}}});
        let live = json!({"spec": {"replicas": 7, "template": {"spec": {
            "dnsPolicy": "ClusterFirst",
            "containers": [
                {"name": "sidecar", "image": "proxy:1"},
                {"name": "app", "image": "app:1", "imagePullPolicy": "IfNotPresent",
                 "ports": [{"containerPort": 80, "protocol": "TCP"}]}
            ]
        }}}});
        let result = compare(&deployment(), &desired, &live, Scope::Manifest);
        assert_eq!(
            pointers(&result),
            [(
                "/spec/template/spec/containers/0/image",
                ChangeKind::Changed
            )]
        );
        // The view holds only what the manifest names, in its order.
        assert_eq!(
            result.live_view,
            json!({"spec": {"template": {"spec": {
                "containers": [{"name": "app", "image": "app:1", "ports": [{"containerPort": 80}]}]
            }}}})
        );
    }

    #[test]
    fn whole_scope_counts_extra_fields_and_items() {
        let desired =
            json!({"spec": {"containers": [{"name": "app"}]}, "metadata": {"finalizers": ["a"]}});
        let live = json!({
            "spec": {"containers": [{"name": "old"}, {"name": "app"}], "paused": true},
            "metadata": {"finalizers": ["b", "a"]}
        });
        let key = ResourceKey::new("", "Pod", "web", "api");
        let result = compare(&key, &desired, &live, Scope::Whole);
        assert_eq!(
            pointers(&result),
            [
                ("/spec/containers/0", ChangeKind::Removed),
                ("/spec/paused", ChangeKind::Removed),
                ("/metadata/finalizers/0", ChangeKind::Removed),
            ]
        );
        // Client-side, a controller's finalizer and another container are not ours.
        let client = compare(&key, &desired, &live, Scope::Manifest);
        assert_eq!(pointers(&client), []);
    }

    #[test]
    fn atomic_lists_compare_by_index_in_both_scopes() {
        let desired = json!({"spec": {"args": ["a", "b"], "tolerations": [{"key": "k"}]}});
        let live = json!({"spec": {"args": ["a", "c", "d"], "tolerations": [{"key": "k", "operator": "Equal"}]}});
        let key = ResourceKey::new("example.com", "Widget", "web", "w");
        let result = compare(&key, &desired, &live, Scope::Manifest);
        assert_eq!(
            pointers(&result),
            [
                ("/spec/args/1", ChangeKind::Changed),
                ("/spec/args/2", ChangeKind::Removed),
            ]
        );
    }

    #[test]
    fn leniencies_are_equal_and_take_the_desired_spelling() {
        let desired = json!({"spec": {
            "hostNetwork": false,
            "priority": 0,
            "volumes": [],
            "weight": 1.0,
            "containers": [{"name": "a", "resources": {"limits": {"cpu": 0.5, "memory": "1024Mi"}}}]
        }});
        let live = json!({"spec": {
            "weight": 1,
            "containers": [{"name": "a", "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}}}]
        }});
        let key = ResourceKey::new("", "Pod", "web", "p");
        let result = compare(&key, &desired, &live, Scope::Manifest);
        assert_eq!(pointers(&result), []);
        assert_eq!(result.live_view, desired);
        // Server-side, `false` against absent is a difference: both sides came
        // from the server, which would have spelled them alike.
        let strict = compare(&key, &desired, &live, Scope::Whole);
        assert_eq!(
            pointers(&strict),
            [
                ("/spec/hostNetwork", ChangeKind::Added),
                ("/spec/priority", ChangeKind::Added)
            ]
        );
    }

    #[test]
    fn strings_and_numbers_stay_different_and_null_unsets() {
        let desired = json!({"spec": {"port": "80", "paused": null, "ports": [{"port": 80, "targetPort": "http"}]}});
        let live = json!({"spec": {"port": 80, "paused": true, "ports": [{"port": 80, "protocol": "TCP", "targetPort": 8080}]}});
        let key = ResourceKey::new("", "Service", "web", "s");
        let result = compare(&key, &desired, &live, Scope::Manifest);
        assert_eq!(
            pointers(&result),
            [
                ("/spec/port", ChangeKind::Changed),
                ("/spec/paused", ChangeKind::Removed),
                ("/spec/ports/0/targetPort", ChangeKind::Changed),
            ]
        );
        let changed = &result.changes[0];
        assert_eq!(
            (changed.live.clone(), changed.desired.clone()),
            (Some(json!(80)), Some(json!("80")))
        );
    }

    #[test]
    fn missing_keyed_items_are_added_at_their_desired_index() {
        let desired = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]},
            {"name": "b"}
        ]}}}});
        let live = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "env": [{"name": "Y", "value": "2"}]}
        ]}}}});
        let result = compare(&deployment(), &desired, &live, Scope::Manifest);
        assert_eq!(
            pointers(&result),
            [
                ("/spec/template/spec/containers/0/env/0", ChangeKind::Added),
                ("/spec/template/spec/containers/1", ChangeKind::Added),
            ]
        );
    }
}
