//! The ReplicaSet controller: keeps `spec.replicas` pods from the template (the
//! least ready go first when scaling down) and reports replicas, ready and
//! available counts.

use std::sync::Arc;

use jiff::SignedDuration;
use serde_json::{Value, json};

use super::super::api::meta;
use super::context::{Ctl, controller_ref, int_at, is_terminating, pod_ready, time_at};

const MANAGER: &str = "kube-controller-manager";

pub fn reconcile(ctl: &Ctl) {
    let pods = ctl.list("", "Pod");
    for rs in ctl.list("apps", "ReplicaSet") {
        if is_terminating(&rs) {
            continue;
        }
        let owned: Vec<&Arc<Value>> = ctl
            .owned_by(&rs, &pods)
            .into_iter()
            .filter(|p| !is_terminating(p))
            .collect();
        let desired = int_at(&rs, "/spec/replicas").unwrap_or(1);
        let count = i64::try_from(owned.len()).unwrap_or(i64::MAX);
        if count < desired {
            // At most a burst of pods per pass, as the real controller.
            for _ in count..desired.min(count + super::BURST) {
                if let Some(pod) = create_pod(ctl, &rs, "", None) {
                    ctl.event(
                        &rs,
                        false,
                        "SuccessfulCreate",
                        &format!("Created pod: {}", meta::name(&pod)),
                        "replicaset-controller",
                    );
                }
            }
        } else if count > desired {
            let mut victims = owned.clone();
            // Not-ready pods first, then the youngest.
            victims.sort_by_key(|p| {
                (
                    pod_ready(p),
                    std::cmp::Reverse(
                        meta::str_field(p, "/metadata/creationTimestamp")
                            .unwrap_or_default()
                            .to_owned(),
                    ),
                )
            });
            for pod in victims
                .into_iter()
                .take(usize::try_from(count - desired).unwrap_or(0))
            {
                ctl.terminate_pod(pod);
                ctl.event(
                    &rs,
                    false,
                    "SuccessfulDelete",
                    &format!("Deleted pod: {}", meta::name(pod)),
                    "replicaset-controller",
                );
            }
        }
        let min_ready = int_at(&rs, "/spec/minReadySeconds").unwrap_or(0);
        let ready = owned.iter().filter(|p| pod_ready(p)).count();
        let available = owned
            .iter()
            .filter(|p| available_for(p, min_ready, ctl))
            .count();
        let mut status = json!({
            "replicas": owned.len(),
            "fullyLabeledReplicas": owned.len(),
            "readyReplicas": ready,
            "availableReplicas": available,
            "observedGeneration": rs.pointer("/metadata/generation").cloned().unwrap_or(json!(1)),
        });
        if let Some(map) = status.as_object_mut() {
            map.retain(|k, v| k == "replicas" || v.as_i64() != Some(0));
        }
        ctl.set_status(&rs, status, MANAGER);
    }
}

/// Whether a pod has been Ready for at least `min_ready` seconds.
pub fn available_for(pod: &Value, min_ready: i64, ctl: &Ctl) -> bool {
    if !pod_ready(pod) {
        return false;
    }
    let since = pod
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|cs| {
            cs.iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("Ready"))
        })
        .and_then(|c| time_at(c, "/lastTransitionTime"));
    since.is_none_or(|t| ctl.since(t) >= SignedDuration::from_secs(min_ready))
}

/// Creates a pod from an owner's template: `generateName` from the owner (or the
/// given fixed name), the owner as controller, labels from the template.
pub fn create_pod(ctl: &Ctl, owner: &Value, name: &str, node: Option<&str>) -> Option<Arc<Value>> {
    let template = owner
        .pointer("/spec/template")
        .or_else(|| owner.pointer("/spec/jobTemplate/spec/template"))?;
    let mut metadata = template.get("metadata").cloned().unwrap_or(json!({}));
    if !metadata.is_object() {
        metadata = json!({});
    }
    metadata["namespace"] = meta::namespace(owner).into();
    metadata["ownerReferences"] = json!([controller_ref(owner)]);
    if name.is_empty() {
        metadata["generateName"] = format!("{}-", meta::name(owner)).into();
    } else {
        metadata["name"] = name.into();
    }
    let mut spec = template.get("spec").cloned().unwrap_or(json!({}));
    if let Some(node) = node {
        spec["nodeName"] = node.into();
    }
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec});
    ctl.create("", "Pod", pod, MANAGER)
}
