//! The DaemonSet controller: one pod per sandbox node whose labels match the
//! template's `nodeSelector`, outdated pods replaced one node at a time, and the
//! scheduled/ready/available/updated counts in status.

use std::sync::Arc;

use serde_json::{Value, json};

use super::super::api::meta;
use super::context::{Ctl, int_at, is_terminating, pod_ready, template_hash};
use super::replicaset::create_pod;

const MANAGER: &str = "kube-controller-manager";

pub fn reconcile(ctl: &Ctl) {
    let pods = ctl.list("", "Pod");
    let nodes = ctl.list("", "Node");
    for ds in ctl.list("apps", "DaemonSet") {
        if is_terminating(&ds) {
            continue;
        }
        let owned: Vec<&Arc<Value>> = ctl.owned_by(&ds, &pods);
        reconcile_one(ctl, &ds, &owned, &nodes);
    }
}

fn node_matches(node: &Value, selector: Option<&Value>) -> bool {
    let Some(selector) = selector.and_then(Value::as_object) else {
        return true;
    };
    selector.iter().all(|(key, value)| {
        node.pointer("/metadata/labels").and_then(|l| l.get(key)) == Some(value)
    })
}

fn reconcile_one(ctl: &Ctl, ds: &Value, owned: &[&Arc<Value>], nodes: &[Arc<Value>]) {
    let revision = template_hash(ds.pointer("/spec/template").unwrap_or(&Value::Null));
    let selector = ds.pointer("/spec/template/spec/nodeSelector");
    let eligible: Vec<&Arc<Value>> = nodes.iter().filter(|n| node_matches(n, selector)).collect();
    let on_node = |node: &str| {
        owned
            .iter()
            .filter(|p| meta::str_field(p, "/spec/nodeName") == Some(node) && !is_terminating(p))
            .copied()
            .collect::<Vec<_>>()
    };
    let mut owner = ds.clone();
    owner["spec"]["template"]["metadata"]["labels"]["controller-revision-hash"] =
        revision.clone().into();
    owner["spec"]["template"]["metadata"]["labels"]["pod-template-generation"] =
        int_at(ds, "/metadata/generation")
            .unwrap_or(1)
            .to_string()
            .into();
    for node in &eligible {
        let node_name = meta::name(node);
        if on_node(node_name).is_empty()
            && let Some(pod) = create_pod(ctl, &owner, "", Some(node_name))
        {
            ctl.event(
                ds,
                false,
                "SuccessfulCreate",
                &format!("Created pod: {}", meta::name(&pod)),
                "daemonset-controller",
            );
        }
    }
    let live: Vec<&Arc<Value>> = owned
        .iter()
        .filter(|p| !is_terminating(p))
        .copied()
        .collect();
    let outdated: Vec<&Arc<Value>> = live
        .iter()
        .filter(|p| {
            meta::str_field(p, "/metadata/labels/controller-revision-hash") != Some(&revision)
        })
        .copied()
        .collect();
    let all_ready = live.iter().all(|p| pod_ready(p)) && live.len() == owned.len();
    if all_ready && let Some(pod) = outdated.first() {
        ctl.terminate_pod(pod);
    }
    let ready = live.iter().filter(|p| pod_ready(p)).count();
    let updated = live.len() - outdated.len();
    let mut status = json!({
        "currentNumberScheduled": live.len(),
        "desiredNumberScheduled": eligible.len(),
        "numberMisscheduled": 0,
        "numberReady": ready,
        "numberAvailable": ready,
        "updatedNumberScheduled": updated,
        "observedGeneration": ds.pointer("/metadata/generation").cloned().unwrap_or(json!(1)),
    });
    let unavailable = eligible.len().saturating_sub(ready);
    if unavailable > 0 {
        status["numberUnavailable"] = unavailable.into();
    }
    ctl.set_status(ds, status, MANAGER);
}
