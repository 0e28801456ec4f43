//! PersistentVolumeClaim and PersistentVolume defaults, and the claim-spec rules
//! that StatefulSet claim templates and generic ephemeral volumes share.
//!
//! Claims get `volumeMode: Filesystem`, canonical quantities and, like every
//! claim the API server reads back, `status.phase: Pending` until a controller binds
//! them. A top-level claim also has its `dataSource` and `dataSourceRef` mirrored
//! (the PVC strategy's `NormalizeDataSources`), which templates do not.

use serde_json::Value;

use super::fields::{Object, child, default_unset, default_zero, existing};
use super::quantity::canonicalize_list;

pub(super) fn default_claim(claim: &mut Object) {
    if let Some(spec) = child(claim, "spec") {
        default_claim_spec(spec);
        mirror_data_sources(spec);
    }
    default_claim_status(claim);
}

/// `SetDefaults_PersistentVolumeClaimSpec`, plus the resources struct Go always
/// serialises.
pub(super) fn default_claim_spec(spec: &mut Object) {
    default_unset(spec, "volumeMode", "Filesystem");
    if let Some(resources) = child(spec, "resources") {
        for list in ["limits", "requests"] {
            if let Some(list) = existing(resources, list) {
                canonicalize_list(list);
            }
        }
    }
}

/// `SetDefaults_PersistentVolumeClaim`: the phase is Pending until bound.
pub(super) fn default_claim_status(claim: &mut Object) {
    if let Some(status) = child(claim, "status") {
        default_zero(status, "phase", "Pending");
    }
}

pub(super) fn default_persistent_volume(volume: &mut Object) {
    if let Some(spec) = child(volume, "spec") {
        default_zero(spec, "persistentVolumeReclaimPolicy", "Retain");
        default_unset(spec, "volumeMode", "Filesystem");
        if let Some(capacity) = existing(spec, "capacity") {
            canonicalize_list(capacity);
        }
        if let Some(host_path) = existing(spec, "hostPath") {
            default_unset(host_path, "type", "");
        }
    }
    if let Some(status) = child(volume, "status") {
        default_zero(status, "phase", "Pending");
    }
}

/// The old `dataSource` and the newer `dataSourceRef` always read back together.
fn mirror_data_sources(spec: &mut Object) {
    let source = spec.get("dataSource").filter(|v| v.is_object()).cloned();
    let source_ref = spec.get("dataSourceRef").filter(|v| v.is_object()).cloned();
    match (source, source_ref) {
        (Some(source), None) => {
            spec.insert("dataSourceRef".to_owned(), local_reference(&source));
        }
        (None, Some(source_ref)) => {
            // A reference into another namespace has no old-style equivalent.
            let cross_namespace = source_ref
                .get("namespace")
                .and_then(Value::as_str)
                .is_some_and(|ns| !ns.is_empty());
            if !cross_namespace {
                spec.insert("dataSource".to_owned(), local_reference(&source_ref));
            }
        }
        _ => {}
    }
}

/// The `{apiGroup, kind, name}` part of a reference, copied as written.
fn local_reference(reference: &Value) -> Value {
    let copy: Object = ["apiGroup", "kind", "name"]
        .into_iter()
        .filter_map(|key| Some((key.to_owned(), reference.get(key)?.clone())))
        .collect();
    Value::Object(copy)
}
