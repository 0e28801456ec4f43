//! Normalisation: what the API server writes into an object and a manifest never
//! says, removed so it never counts as drift.
//!
//! Only server bookkeeping goes: identity and versioning (`uid`,
//! `resourceVersion`, `generation`, `creationTimestamp`, `selfLink`), field
//! ownership (`managedFields`), deletion state (`deletionTimestamp`,
//! `deletionGracePeriodSeconds`: an object being deleted is a health matter), the
//! annotations kubectl and the Deployment controller write, and `status` (observed
//! state, never desired). `ownerReferences` and `finalizers` stay: a manifest may
//! set them, and when it does not, neither client-side projection nor a
//! server-side dry run (which keeps live's) reports them.

use serde_json::{Map, Value};

const SERVER_METADATA: &[&str] = &[
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];

/// Written by `kubectl apply` (and holding the whole manifest, Secret values
/// included) or by the Deployment controller on every rollout.
pub(super) const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
const SERVER_ANNOTATIONS: &[&str] = &[LAST_APPLIED, "deployment.kubernetes.io/revision"];

/// A copy of `object` without server-populated fields. Maps left empty by the
/// removal (`annotations: {}`) go too, so an object whose only annotation was
/// kubectl's equals a manifest without annotations.
pub fn normalize(object: &Value) -> Value {
    let mut object = object.clone();
    if let Value::Object(root) = &mut object {
        root.shift_remove("status");
        if let Some(Value::Object(metadata)) = root.get_mut("metadata") {
            strip_metadata(metadata);
            if metadata.is_empty() {
                root.shift_remove("metadata");
            }
        }
    }
    object
}

fn strip_metadata(metadata: &mut Map<String, Value>) {
    for field in SERVER_METADATA {
        metadata.shift_remove(*field);
    }
    if let Some(Value::Object(annotations)) = metadata.get_mut("annotations") {
        for annotation in SERVER_ANNOTATIONS {
            annotations.shift_remove(*annotation);
        }
        if annotations.is_empty() {
            metadata.shift_remove("annotations");
        }
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    #[test]
    fn strips_server_fields_and_keeps_the_rest() {
        let live = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "api",
                "namespace": "web",
                "uid": "0b5c",
                "resourceVersion": "42",
                "generation": 3,
                "creationTimestamp": "2024-01-01T00:00:00Z",
                "selfLink": "/apis/apps/v1/namespaces/web/deployments/api",
                "managedFields": [{"manager": "driftdeck"}],
                "deletionTimestamp": "2024-01-02T00:00:00Z",
                "annotations": {
                    "kubectl.kubernetes.io/last-applied-configuration": "{}",
                    "deployment.kubernetes.io/revision": "3",
                    "team": "core"
                },
                "ownerReferences": [{"uid": "1", "kind": "X", "name": "x"}],
                "finalizers": ["example.com/keep"]
            },
            "spec": {"replicas": 2},
            "status": {"readyReplicas": 2}
        });
        assert_eq!(
            normalize(&live),
            json!({
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {
                    "name": "api",
                    "namespace": "web",
                    "annotations": {"team": "core"},
                    "ownerReferences": [{"uid": "1", "kind": "X", "name": "x"}],
                    "finalizers": ["example.com/keep"]
                },
                "spec": {"replicas": 2}
            })
        );
    }

    #[test]
    fn drops_annotations_left_empty_and_kubectl_null_timestamps() {
        let manifest = json!({
            "metadata": {
                "name": "a",
                "creationTimestamp": null,
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}
            },
            "status": {}
        });
        assert_eq!(normalize(&manifest), json!({"metadata": {"name": "a"}}));
        assert_eq!(normalize(&json!("not an object")), json!("not an object"));
    }
}
