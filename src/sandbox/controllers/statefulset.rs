//! The StatefulSet controller: pods `{name}-{ordinal}` created in order (each once
//! the previous is Ready, for `OrderedReady`), one PVC per volume claim template
//! and ordinal, removal from the highest ordinal down, rolling updates that replace
//! outdated pods one at a time from the top, and revision-aware status.

use std::sync::Arc;

use serde_json::{Value, json};

use super::super::api::meta;
use super::context::{Ctl, controller_ref, int_at, is_terminating, pod_ready, template_hash};
use super::replicaset::create_pod;

const MANAGER: &str = "kube-controller-manager";

pub fn reconcile(ctl: &Ctl) {
    let pods = ctl.list("", "Pod");
    for sts in ctl.list("apps", "StatefulSet") {
        if is_terminating(&sts) {
            continue;
        }
        let owned: Vec<&Arc<Value>> = ctl.owned_by(&sts, &pods);
        reconcile_one(ctl, &sts, &owned);
    }
}

fn ordinal(sts: &Value, pod: &Value) -> Option<i64> {
    meta::name(pod)
        .strip_prefix(meta::name(sts))?
        .strip_prefix('-')?
        .parse()
        .ok()
}

fn reconcile_one(ctl: &Ctl, sts: &Value, owned: &[&Arc<Value>]) {
    let name = meta::name(sts);
    let desired = int_at(sts, "/spec/replicas").unwrap_or(1);
    let revision = format!(
        "{name}-{}",
        template_hash(sts.pointer("/spec/template").unwrap_or(&Value::Null))
    );
    let parallel = sts
        .pointer("/spec/podManagementPolicy")
        .and_then(Value::as_str)
        == Some("Parallel");
    let by_ordinal = |i: i64| owned.iter().find(|p| ordinal(sts, p) == Some(i)).copied();
    let any_terminating = owned.iter().any(|p| is_terminating(p));
    // Create missing ordinals in order.
    for i in 0..desired {
        if by_ordinal(i).is_some() {
            continue;
        }
        let previous_ready = i == 0 || by_ordinal(i - 1).is_some_and(|p| pod_ready(p));
        if !parallel && (!previous_ready || any_terminating) {
            break;
        }
        create_member(ctl, sts, i, &revision);
        if !parallel {
            break;
        }
    }
    // Remove ordinals above the desired count, highest first.
    let mut surplus: Vec<&&Arc<Value>> = owned
        .iter()
        .filter(|p| ordinal(sts, p).is_some_and(|o| o >= desired) && !is_terminating(p))
        .collect();
    surplus.sort_by_key(|p| std::cmp::Reverse(ordinal(sts, p)));
    if let Some(pod) = surplus.first() {
        ctl.terminate_pod(pod);
        ctl.event(
            sts,
            false,
            "SuccessfulDelete",
            &format!(
                "delete Pod {} in StatefulSet {name} successful",
                meta::name(pod)
            ),
            "statefulset-controller",
        );
    }
    // Rolling update: the highest outdated pod goes once all are Ready.
    let current: Vec<&&Arc<Value>> = owned
        .iter()
        .filter(|p| ordinal(sts, p).is_some_and(|o| o < desired))
        .collect();
    let all_ready = current.len() as i64 == desired
        && current.iter().all(|p| pod_ready(p) && !is_terminating(p));
    let on_delete = sts
        .pointer("/spec/updateStrategy/type")
        .and_then(Value::as_str)
        == Some("OnDelete");
    if all_ready && !on_delete {
        let mut outdated: Vec<&&&Arc<Value>> = current
            .iter()
            .filter(|p| {
                meta::str_field(p, "/metadata/labels/controller-revision-hash") != Some(&revision)
            })
            .collect();
        outdated.sort_by_key(|p| std::cmp::Reverse(ordinal(sts, p)));
        if let Some(pod) = outdated.first() {
            ctl.terminate_pod(pod);
        }
    }
    let live: Vec<&&Arc<Value>> = current
        .iter()
        .filter(|p| !is_terminating(p))
        .copied()
        .collect();
    let updated = live
        .iter()
        .filter(|p| {
            meta::str_field(p, "/metadata/labels/controller-revision-hash") == Some(&revision)
        })
        .count();
    let ready = live.iter().filter(|p| pod_ready(p)).count();
    let status = json!({
        "observedGeneration": sts.pointer("/metadata/generation").cloned().unwrap_or(json!(1)),
        "replicas": live.len(),
        "readyReplicas": ready,
        "currentReplicas": updated,
        "updatedReplicas": updated,
        "availableReplicas": ready,
        "currentRevision": revision,
        "updateRevision": revision,
        "collisionCount": 0,
    });
    ctl.set_status(sts, status, MANAGER);
}

fn create_member(ctl: &Ctl, sts: &Value, ordinal: i64, revision: &str) {
    let name = meta::name(sts);
    let pod_name = format!("{name}-{ordinal}");
    let mut owner = sts.clone();
    let labels = &mut owner["spec"]["template"]["metadata"]["labels"];
    labels["controller-revision-hash"] = revision.into();
    labels["statefulset.kubernetes.io/pod-name"] = pod_name.clone().into();
    labels["apps.kubernetes.io/pod-index"] = ordinal.to_string().into();
    let templates = sts
        .pointer("/spec/volumeClaimTemplates")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for template in &templates {
        let claim = template
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("data");
        let claim_name = format!("{claim}-{pod_name}");
        if ctl
            .get(
                "",
                "PersistentVolumeClaim",
                meta::namespace(sts),
                &claim_name,
            )
            .is_none()
        {
            let mut pvc = json!({
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": claim_name, "namespace": meta::namespace(sts),
                             "labels": owner.pointer("/spec/selector/matchLabels").cloned().unwrap_or(json!({}))},
                "spec": template.get("spec").cloned().unwrap_or(json!({})),
            });
            if sts
                .pointer("/spec/persistentVolumeClaimRetentionPolicy/whenDeleted")
                .and_then(Value::as_str)
                == Some("Delete")
            {
                pvc["metadata"]["ownerReferences"] = json!([controller_ref(sts)]);
            }
            ctl.create("", "PersistentVolumeClaim", pvc, MANAGER);
        }
        let volumes = &mut owner["spec"]["template"]["spec"]["volumes"];
        if !volumes.is_array() {
            *volumes = json!([]);
        }
        if let Some(list) = volumes.as_array_mut() {
            list.push(json!({"name": claim, "persistentVolumeClaim": {"claimName": claim_name}}));
        }
    }
    owner["spec"]["template"]["spec"]["hostname"] = pod_name.clone().into();
    if let Some(service) = sts.pointer("/spec/serviceName").and_then(Value::as_str) {
        owner["spec"]["template"]["spec"]["subdomain"] = service.into();
    }
    if create_pod(ctl, &owner, &pod_name, None).is_some() {
        ctl.event(
            sts,
            false,
            "SuccessfulCreate",
            &format!("create Pod {pod_name} in StatefulSet {name} successful"),
            "statefulset-controller",
        );
    }
}
