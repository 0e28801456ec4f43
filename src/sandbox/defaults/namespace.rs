//! Namespace defaults: the name label, the `kubernetes` finalizer and the phase.
//!
//! `SetDefaults_Namespace` always (re)writes `kubernetes.io/metadata.name` from the
//! name, even over a user's value, because NetworkPolicies select namespaces by it.
//! The finalizer is added by the Namespace strategy on create; since this module
//! cannot tell create from update it adds it whenever it is missing, except once
//! deletion has begun, so the namespace controller's removal of it sticks.

use serde_json::Value;

use super::fields::{Object, child, default_zero, text};

const NAME_LABEL: &str = "kubernetes.io/metadata.name";
const FINALIZER: &str = "kubernetes";

pub(super) fn default_namespace(namespace: &mut Object) {
    let Some(metadata) = child(namespace, "metadata") else {
        return;
    };
    let name = text(metadata, "name").to_owned();
    let deleting = metadata
        .get("deletionTimestamp")
        .is_some_and(|t| !t.is_null());
    // A generateName namespace has no name yet; there is nothing to label.
    if !name.is_empty()
        && let Some(labels) = child(metadata, "labels")
    {
        labels.insert(NAME_LABEL.to_owned(), name.into());
    }
    if !deleting && let Some(spec) = child(namespace, "spec") {
        add_finalizer(spec);
    }
    if let Some(status) = child(namespace, "status") {
        default_zero(status, "phase", "Active");
    }
}

fn add_finalizer(spec: &mut Object) {
    let slot = spec.entry("finalizers").or_insert(Value::Null);
    if slot.is_null() {
        *slot = Value::Array(Vec::new());
    }
    if let Some(finalizers) = slot.as_array_mut()
        && !finalizers.iter().any(|f| f == FINALIZER)
    {
        finalizers.push(FINALIZER.into());
    }
}
