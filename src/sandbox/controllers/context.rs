//! What every simulated controller needs: the time of this pass, typed access to
//! objects of a kind, and writes that skip no-ops (so an idle sandbox does not
//! churn resource versions) and give up quietly on conflicts (the next pass retries,
//! as real controllers do).

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::super::api::meta;
use super::super::api::{Api, DeleteOptions, ListOptions, Subresource, WriteOptions};
use super::events;

pub struct Ctl {
    pub api: Api,
    pub now: Timestamp,
}

impl Ctl {
    pub fn new(api: Api) -> Self {
        Self {
            api,
            now: Timestamp::now(),
        }
    }

    /// How long ago `then` was at this pass.
    pub fn since(&self, then: Timestamp) -> jiff::SignedDuration {
        self.now.duration_since(then)
    }

    pub fn now_text(&self) -> String {
        meta::timestamp(self.now)
    }

    /// Every object of a kind, in every namespace.
    pub fn list(&self, group: &str, kind: &str) -> Vec<Arc<Value>> {
        let Ok(rtype) = self.api.kind_type(group, kind) else {
            return Vec::new();
        };
        self.api
            .list(&rtype, &ListOptions::default())
            .map(|l| l.items)
            .unwrap_or_default()
    }

    pub fn get(&self, group: &str, kind: &str, namespace: &str, name: &str) -> Option<Arc<Value>> {
        let rtype = self.api.kind_type(group, kind).ok()?;
        self.api.get(&rtype, namespace, name).ok()
    }

    pub fn create(
        &self,
        group: &str,
        kind: &str,
        object: Value,
        manager: &str,
    ) -> Option<Arc<Value>> {
        let rtype = self.api.kind_type(group, kind).ok()?;
        let namespace = meta::namespace(&object).to_owned();
        self.api
            .create(&rtype, &namespace, object, &WriteOptions::new(manager))
            .ok()
    }

    /// Replaces an object (its resourceVersion guards against lost updates).
    pub fn update(&self, object: Value, manager: &str) -> Option<Arc<Value>> {
        let (group, kind) = group_kind(&object);
        let rtype = self.api.kind_type(&group, &kind).ok()?;
        let namespace = meta::namespace(&object).to_owned();
        let name = meta::name(&object).to_owned();
        self.api
            .update(
                &rtype,
                &namespace,
                &name,
                object,
                Subresource::Main,
                &WriteOptions::new(manager),
            )
            .ok()
    }

    /// Writes `status` unless it is what the object already has.
    pub fn set_status(&self, object: &Value, status: Value, manager: &str) -> Option<Arc<Value>> {
        if object.get("status") == Some(&status) {
            return None;
        }
        let (group, kind) = group_kind(object);
        let rtype = self.api.kind_type(&group, &kind).ok()?;
        let mut updated = object.clone();
        updated["status"] = status;
        let namespace = meta::namespace(object).to_owned();
        let name = meta::name(object).to_owned();
        self.api
            .update(
                &rtype,
                &namespace,
                &name,
                updated,
                Subresource::Status,
                &WriteOptions::new(manager),
            )
            .ok()
    }

    pub fn delete(&self, object: &Value) {
        let (group, kind) = group_kind(object);
        if let Ok(rtype) = self.api.kind_type(&group, &kind) {
            let options = DeleteOptions {
                grace_period: Some(0),
                ..DeleteOptions::default()
            };
            let _ = self.api.delete(
                &rtype,
                meta::namespace(object),
                meta::name(object),
                &options,
            );
        }
    }

    /// Starts a pod's graceful termination (the kubelet finishes it).
    pub fn terminate_pod(&self, pod: &Value) {
        if let Ok(rtype) = self.api.kind_type("", "Pod") {
            let _ = self.api.delete(
                &rtype,
                meta::namespace(pod),
                meta::name(pod),
                &DeleteOptions::default(),
            );
        }
    }

    /// Records an Event about `object` (repeats are counted, not duplicated).
    pub fn event(
        &self,
        object: &Value,
        warning: bool,
        reason: &str,
        message: &str,
        component: &str,
    ) {
        events::record(self, object, warning, reason, message, component);
    }

    /// Objects in the same namespace owned (as controller) by `owner`.
    pub fn owned_by<'a>(&self, owner: &Value, candidates: &'a [Arc<Value>]) -> Vec<&'a Arc<Value>> {
        let uid = meta::uid(owner);
        let namespace = meta::namespace(owner);
        candidates
            .iter()
            .filter(|o| meta::namespace(o) == namespace && meta::owner_uids(o).contains(&uid))
            .collect()
    }
}

/// `(group, kind)` from an object's `apiVersion` and `kind`.
pub fn group_kind(object: &Value) -> (String, String) {
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    (
        crate::model::ResourceKey::group_of(api_version).to_owned(),
        kind.to_owned(),
    )
}

/// An owner reference naming `owner` as the controlling owner.
pub fn controller_ref(owner: &Value) -> Value {
    json!({
        "apiVersion": owner.get("apiVersion").cloned().unwrap_or(Value::Null),
        "kind": owner.get("kind").cloned().unwrap_or(Value::Null),
        "name": meta::name(owner),
        "uid": meta::uid(owner),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// A short, stable hash of a pod template, like `pod-template-hash`.
pub fn template_hash(template: &Value) -> String {
    let text = serde_json::to_string(template).unwrap_or_default();
    // FNV-1a: stable across runs and platforms, which std's hasher is not.
    let mut hash: u32 = 0x811c_9dc5;
    for byte in text.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut out = String::new();
    let mut n = hash;
    for _ in 0..10 {
        out.push(char::from(ALPHABET[(n % ALPHABET.len() as u32) as usize]));
        n = (n / ALPHABET.len() as u32) ^ hash.rotate_left(7);
    }
    out
}

pub fn int_at(object: &Value, pointer: &str) -> Option<i64> {
    object.pointer(pointer).and_then(Value::as_i64)
}

pub fn time_at(object: &Value, pointer: &str) -> Option<Timestamp> {
    object
        .pointer(pointer)
        .and_then(Value::as_str)
        .and_then(|t| t.parse().ok())
}

/// A pod (template) with `ready` semantics: whether its Ready condition is True.
pub fn pod_ready(pod: &Value) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter().any(|c| {
                c.get("type").and_then(Value::as_str) == Some("Ready")
                    && c.get("status").and_then(Value::as_str) == Some("True")
            })
        })
}

pub fn is_terminating(object: &Value) -> bool {
    object.pointer("/metadata/deletionTimestamp").is_some()
}

/// A condition entry that keeps its `lastTransitionTime` while its status holds.
pub fn condition(
    previous: Option<&Value>,
    kind: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: &str,
) -> Value {
    let old = previous.and_then(|conds| conds.as_array()).and_then(|cs| {
        cs.iter()
            .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
    });
    let same = old.is_some_and(|c| c.get("status").and_then(Value::as_str) == Some(status));
    let transition = if same {
        old.and_then(|c| c.get("lastTransitionTime").cloned())
            .unwrap_or_else(|| now.into())
    } else {
        now.into()
    };
    let update =
        if same && old.and_then(|c| c.get("reason").and_then(Value::as_str)) == Some(reason) {
            old.and_then(|c| c.get("lastUpdateTime").cloned())
                .unwrap_or_else(|| now.into())
        } else {
            now.into()
        };
    json!({
        "type": kind,
        "status": status,
        "lastUpdateTime": update,
        "lastTransitionTime": transition,
        "reason": reason,
        "message": message,
    })
}
