//! Pod spec defaults, for Pods and for every pod template.
//!
//! `SetDefaults_PodSpec` runs on every pod spec, template or not. What a real
//! cluster adds only to Pods comes from two places, both reproduced here for the
//! `PodSite::Pod` case: `SetDefaults_Pod` (service links, requests from limits,
//! host ports under hostNetwork) and the admission plugins every cluster enables
//! (ServiceAccount, Priority, DefaultTolerationSeconds). Admission that needs other
//! objects (LimitRanger, a PriorityClass the user created, the service-account token
//! volume with its random name) is left to the store, which can see them.

use serde_json::{Value, json};

use super::container::{copy_limits_to_requests, default_container};
use super::fields::{Object, child, default_unset, default_zero, each, embedded_metadata, text};
use super::volume::default_volume;

/// Where a pod spec sits, which decides the rules it gets.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum PodSite {
    /// A Pod object: template rules plus Pod-only defaults and admission.
    Pod,
    /// A Deployment, ReplicaSet, StatefulSet or DaemonSet template.
    Template,
    /// A Job or CronJob template: `restartPolicy` is required there (OnFailure or
    /// Never), so it is not defaulted to `Always` for validation to reject.
    JobTemplate,
}

const CONTAINER_LISTS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];
/// `DefaultTolerationSeconds`: how long a Pod stays on a failing node.
const TOLERATION_SECONDS: u32 = 300;
const TOLERATED_TAINTS: [&str; 2] = [
    "node.kubernetes.io/not-ready",
    "node.kubernetes.io/unreachable",
];

pub(super) fn default_pod(pod: &mut Object) {
    let Some(spec) = child(pod, "spec") else {
        return;
    };
    default_pod_spec(spec, PodSite::Pod);
}

/// `spec.template` of a workload: embedded metadata plus the pod spec.
pub(super) fn default_template(owner_spec: &mut Object, site: PodSite) {
    let Some(template) = child(owner_spec, "template") else {
        return;
    };
    embedded_metadata(template);
    if let Some(spec) = child(template, "spec") {
        default_pod_spec(spec, site);
    }
}

fn default_pod_spec(spec: &mut Object, site: PodSite) {
    default_zero(spec, "dnsPolicy", "ClusterFirst");
    if site != PodSite::JobTemplate {
        default_zero(spec, "restartPolicy", "Always");
    }
    child(spec, "securityContext");
    default_unset(spec, "terminationGracePeriodSeconds", 30);
    default_zero(spec, "schedulerName", "default-scheduler");
    adopt_deprecated_service_account(spec);
    if site == PodSite::Pod {
        default_pod_only(spec);
        admit(spec);
    }
    mirror_service_account(spec);
    for list in CONTAINER_LISTS {
        for container in each(spec, list) {
            default_container(container);
        }
    }
    for volume in each(spec, "volumes") {
        default_volume(volume);
    }
}

/// `SetDefaults_Pod`: what only Pods, never templates, get.
fn default_pod_only(spec: &mut Object) {
    default_unset(spec, "enableServiceLinks", true);
    let host_network = spec.get("hostNetwork").and_then(Value::as_bool) == Some(true);
    for list in ["containers", "initContainers"] {
        for container in each(spec, list) {
            copy_limits_to_requests(container);
            if host_network {
                for port in each(container, "ports") {
                    if let Some(container_port) = port.get("containerPort").cloned() {
                        default_zero(port, "hostPort", container_port);
                    }
                }
            }
        }
    }
}

/// The admission plugins every cluster runs on Pod create. Each is a no-op once
/// its field is set, so running them again on update changes nothing.
fn admit(spec: &mut Object) {
    // ServiceAccount admission.
    default_zero(spec, "serviceAccountName", "default");
    // Priority admission, for the classes every cluster has; a user-made class
    // needs the store's PriorityClass objects.
    let priority = match text(spec, "priorityClassName") {
        "" => Some(0),
        "system-cluster-critical" => Some(2_000_000_000),
        "system-node-critical" => Some(2_000_001_000),
        _ => None,
    };
    if let Some(priority) = priority {
        default_unset(spec, "priority", priority);
        default_unset(spec, "preemptionPolicy", "PreemptLowerPriority");
    }
    add_default_tolerations(spec);
}

/// DefaultTolerationSeconds: tolerate not-ready and unreachable nodes for five
/// minutes unless an existing toleration already covers the taint.
fn add_default_tolerations(spec: &mut Object) {
    let slot = spec.entry("tolerations").or_insert(Value::Null);
    if slot.is_null() {
        *slot = Value::Array(Vec::new());
    }
    let Some(tolerations) = slot.as_array_mut() else {
        return;
    };
    for taint in TOLERATED_TAINTS {
        let covered = tolerations.iter().any(|t| {
            let key = t.get("key").and_then(Value::as_str).unwrap_or_default();
            let effect = t.get("effect").and_then(Value::as_str).unwrap_or_default();
            (key == taint || key.is_empty()) && (effect == "NoExecute" || effect.is_empty())
        });
        if !covered {
            tolerations.push(json!({
                "effect": "NoExecute",
                "key": taint,
                "operator": "Exists",
                "tolerationSeconds": TOLERATION_SECONDS,
            }));
        }
    }
}

/// v1 → internal conversion: the deprecated `serviceAccount` names the account
/// when `serviceAccountName` does not.
fn adopt_deprecated_service_account(spec: &mut Object) {
    let deprecated = text(spec, "serviceAccount").to_owned();
    if !deprecated.is_empty() {
        default_zero(spec, "serviceAccountName", deprecated);
    }
}

/// internal → v1 conversion: `serviceAccount` is written back as a copy of
/// `serviceAccountName`, in templates too.
fn mirror_service_account(spec: &mut Object) {
    let name = text(spec, "serviceAccountName").to_owned();
    if !name.is_empty() {
        spec.insert("serviceAccount".to_owned(), name.into());
    }
}
