//! The object store: every object the sandbox holds, the resource-version counter,
//! the recent change log that watches resume from, and the registry of served types
//! (kept here because a CRD write and the types it serves must change together).
//!
//! One mutex guards it all; every operation under it is a map lookup or insert, so
//! requests never wait long. API semantics (defaulting, patches, conflicts) live in
//! `api/`; the store only keeps objects and tells watchers what changed.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::registry::{Registry, ResourceType};

/// `(group, plural)`: the identity of a stored resource across its versions.
pub type ResourceId = (String, String);

/// `(namespace, name)`, namespace empty for cluster-scoped objects.
pub type ObjectId = (String, String);

/// The changes a watch must send first, and the subscription to those after.
pub type Resumed = (Vec<Arc<Change>>, broadcast::Receiver<Arc<Change>>);

pub fn resource_id(rtype: &ResourceType) -> ResourceId {
    (rtype.group.clone(), rtype.plural.clone())
}

pub fn object_id(object: &Value) -> ObjectId {
    let meta = |field: &str| {
        object
            .pointer(&format!("/metadata/{field}"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    (meta("namespace"), meta("name"))
}

/// The watch event types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
}

/// One committed change, as watchers receive it.
#[derive(Debug)]
pub struct Change {
    pub resource_version: u64,
    pub kind: ChangeKind,
    pub resource: ResourceId,
    pub object: Arc<Value>,
    /// The object before a modification, so selector watches can tell an object
    /// that stopped matching (sent as DELETED) from one that never did.
    pub previous: Option<Arc<Value>>,
}

/// How many changes are kept, by default, for watches to resume from; older
/// resource versions get `410 Expired`, as after an etcd compaction.
pub const CHANGE_LOG: usize = 20_000;

/// Everything under the store's lock.
pub struct State {
    pub registry: Registry,
    objects: BTreeMap<ResourceId, BTreeMap<ObjectId, Arc<Value>>>,
    resource_version: u64,
    log: VecDeque<Arc<Change>>,
    /// The oldest resource version a watch can resume from.
    compacted: u64,
    log_capacity: usize,
    next_cluster_ip: u32,
    changes: broadcast::Sender<Arc<Change>>,
}

impl State {
    pub fn resource_version(&self) -> u64 {
        self.resource_version
    }

    pub fn get(&self, resource: &ResourceId, id: &ObjectId) -> Option<Arc<Value>> {
        self.objects.get(resource)?.get(id).cloned()
    }

    /// The objects of a resource, in (namespace, name) order; `namespace` narrows.
    pub fn list(&self, resource: &ResourceId, namespace: Option<&str>) -> Vec<Arc<Value>> {
        let Some(objects) = self.objects.get(resource) else {
            return Vec::new();
        };
        match namespace {
            Some(ns) => objects
                .range((ns.to_owned(), String::new())..)
                .take_while(|((object_ns, _), _)| object_ns == ns)
                .map(|(_, o)| o.clone())
                .collect(),
            None => objects.values().cloned().collect(),
        }
    }

    /// The objects after `after` (exclusive), for `continue` tokens.
    pub fn list_after(
        &self,
        resource: &ResourceId,
        namespace: Option<&str>,
        after: &ObjectId,
    ) -> Vec<Arc<Value>> {
        let Some(objects) = self.objects.get(resource) else {
            return Vec::new();
        };
        objects
            .range((
                std::ops::Bound::Excluded(after.clone()),
                std::ops::Bound::Unbounded,
            ))
            .filter(|((ns, _), _)| namespace.is_none_or(|n| n == ns))
            .map(|(_, o)| o.clone())
            .collect()
    }

    /// Every resource that holds objects, for persistence and namespace deletion.
    pub fn resources(&self) -> Vec<ResourceId> {
        self.objects.keys().cloned().collect()
    }

    /// Stores `object` (its `metadata.resourceVersion` is set here) and tells
    /// watchers. Returns the stored object.
    pub fn put(&mut self, resource: &ResourceId, mut object: Value) -> Arc<Value> {
        self.resource_version += 1;
        let rv = self.resource_version;
        if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("resourceVersion".into(), rv.to_string().into());
        }
        let id = object_id(&object);
        let object = Arc::new(object);
        let previous = self
            .objects
            .entry(resource.clone())
            .or_default()
            .insert(id, object.clone());
        let kind = if previous.is_some() {
            ChangeKind::Modified
        } else {
            ChangeKind::Added
        };
        self.record(Change {
            resource_version: rv,
            kind,
            resource: resource.clone(),
            object: object.clone(),
            previous,
        });
        object
    }

    /// Removes an object; watchers get it with a fresh resource version.
    pub fn remove(&mut self, resource: &ResourceId, id: &ObjectId) -> Option<Arc<Value>> {
        let removed = self.objects.get_mut(resource)?.remove(id)?;
        self.resource_version += 1;
        let rv = self.resource_version;
        let mut object = (*removed).clone();
        if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("resourceVersion".into(), rv.to_string().into());
        }
        let object = Arc::new(object);
        self.record(Change {
            resource_version: rv,
            kind: ChangeKind::Deleted,
            resource: resource.clone(),
            object: object.clone(),
            previous: None,
        });
        Some(object)
    }

    fn record(&mut self, change: Change) {
        let change = Arc::new(change);
        if self.log.len() >= self.log_capacity
            && let Some(oldest) = self.log.pop_front()
        {
            self.compacted = oldest.resource_version;
        }
        self.log.push_back(change.clone());
        // No receivers is fine: nobody is watching.
        let _ = self.changes.send(change);
    }

    /// The changes after `resource_version` for a resource and a subscription to the
    /// ones that follow, taken atomically so none is missed or sent twice. `None`
    /// when that version has been compacted away (the client must list again).
    pub fn watch_from(&self, resource: &ResourceId, resource_version: u64) -> Option<Resumed> {
        if resource_version < self.compacted {
            return None;
        }
        let backlog = self
            .log
            .iter()
            .filter(|c| c.resource_version > resource_version && &c.resource == resource)
            .cloned()
            .collect();
        Some((backlog, self.changes.subscribe()))
    }

    /// The next free Service cluster IP in 10.96.0.0/12 (10.96.0.1 is `kubernetes`).
    pub fn allocate_cluster_ip(&mut self) -> String {
        self.next_cluster_ip += 1;
        let n = self.next_cluster_ip;
        format!("10.96.{}.{}", (n >> 8) & 0xff, n & 0xff)
    }

    /// Everything needed to resume: objects (shared, not copied, so the lock is
    /// held only briefly) and counters. [`Snapshot::to_json`] serialises it.
    pub fn snapshot(&self) -> Snapshot {
        let objects = self
            .objects
            .iter()
            .flat_map(|(resource, items)| {
                items.values().map(move |o| (resource.clone(), o.clone()))
            })
            .collect();
        Snapshot {
            resource_version: self.resource_version,
            next_cluster_ip: self.next_cluster_ip,
            objects,
        }
    }

    /// Restores a snapshot: CRDs first so their types are served again, then every
    /// object as it was, without change events (no watch can predate the load).
    pub fn restore(&mut self, snapshot: &Value) -> Result<(), String> {
        let objects = snapshot
            .get("objects")
            .and_then(Value::as_array)
            .ok_or("the state file has no \"objects\" list")?;
        self.objects.clear();
        for entry in objects {
            let group = entry
                .get("group")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let plural = entry
                .get("resource")
                .and_then(Value::as_str)
                .ok_or("a state entry has no \"resource\"")?;
            let object = entry
                .get("object")
                .cloned()
                .ok_or("a state entry has no \"object\"")?;
            if group == "apiextensions.k8s.io" && plural == "customresourcedefinitions" {
                self.registry.register_crd(&object)?;
            }
            let id = object_id(&object);
            self.objects
                .entry((group.to_owned(), plural.to_owned()))
                .or_default()
                .insert(id, Arc::new(object));
        }
        self.resource_version = snapshot
            .get("resourceVersion")
            .and_then(Value::as_u64)
            .unwrap_or(1);
        self.next_cluster_ip = snapshot
            .get("nextClusterIP")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(1);
        self.log.clear();
        self.compacted = self.resource_version;
        Ok(())
    }
}

/// The store's content at one moment.
pub struct Snapshot {
    pub resource_version: u64,
    next_cluster_ip: u32,
    objects: Vec<(ResourceId, Arc<Value>)>,
}

impl Snapshot {
    pub fn to_json(&self) -> Value {
        let objects: Vec<Value> = self
            .objects
            .iter()
            .map(|(resource, object)| json!({"group": resource.0, "resource": resource.1, "object": **object}))
            .collect();
        json!({
            "resourceVersion": self.resource_version,
            "nextClusterIP": self.next_cluster_ip,
            "objects": objects,
        })
    }
}

/// The shared store.
pub struct Store {
    state: Mutex<State>,
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    pub fn new() -> Self {
        Self::with_change_log(CHANGE_LOG)
    }

    /// A store that keeps `capacity` changes for watches (at least one).
    pub fn with_change_log(capacity: usize) -> Self {
        let (changes, _) = broadcast::channel(4096);
        Self {
            state: Mutex::new(State {
                registry: Registry::new(),
                objects: BTreeMap::new(),
                resource_version: 1,
                log: VecDeque::new(),
                compacted: 0,
                log_capacity: capacity.max(1),
                next_cluster_ip: 1,
                changes,
            }),
        }
    }

    /// Locks the store. A panic while it was held cannot leave half a write behind
    /// (every write is a single insert), so a poisoned lock is taken over.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cm(ns: &str, name: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"namespace": ns, "name": name}})
    }

    #[test]
    fn put_list_remove_and_watch_backlog() {
        let store = Store::new();
        let resource: ResourceId = (String::new(), "configmaps".into());
        let mut state = store.lock();
        let start = state.resource_version();
        state.put(&resource, cm("a", "one"));
        state.put(&resource, cm("b", "two"));
        state.put(&resource, cm("a", "three"));
        assert_eq!(state.list(&resource, Some("a")).len(), 2);
        assert_eq!(state.list(&resource, None).len(), 3);
        let after = state.list_after(&resource, None, &("a".into(), "one".into()));
        assert_eq!(after.len(), 2);
        state
            .remove(&resource, &("a".into(), "one".into()))
            .unwrap();
        let (backlog, _) = state.watch_from(&resource, start).unwrap();
        let kinds: Vec<_> = backlog.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            vec![
                ChangeKind::Added,
                ChangeKind::Added,
                ChangeKind::Added,
                ChangeKind::Deleted
            ]
        );
        assert_eq!(
            backlog[3].object["metadata"]["resourceVersion"],
            (start + 4).to_string()
        );
    }

    #[test]
    fn snapshot_round_trips() {
        let store = Store::new();
        let resource: ResourceId = (String::new(), "configmaps".into());
        store.lock().put(&resource, cm("a", "one"));
        let snapshot = store.lock().snapshot().to_json();
        let other = Store::new();
        other.lock().restore(&snapshot).unwrap();
        let state = other.lock();
        assert_eq!(state.list(&resource, None).len(), 1);
        assert_eq!(state.resource_version(), store.lock().resource_version());
    }
}
