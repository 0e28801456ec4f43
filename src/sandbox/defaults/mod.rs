//! API-server defaulting for the sandbox: what a Kubernetes 1.32 API server adds to
//! an object between `kubectl apply` and `kubectl get -o yaml`.
//!
//! The sandbox must show the same false drift a real cluster shows when a Git
//! manifest is compared naively with the live object, so this reproduces the
//! `SetDefaults_*` functions of the built-in API groups, the conversion quirks that
//! change what reads back (quantity spelling, `serviceAccount`, `stringData`,
//! embedded `creationTimestamp: null`), and the admission plugins every cluster
//! runs that need no other object. It is called on every create, update, patch
//! and apply before storing, so every rule is idempotent and never replaces a
//! value the user set, except where the real server does too (each such rule says
//! so). Anything that needs cluster state — IP and port allocation, uids, status,
//! LimitRanges, PriorityClasses — belongs to the store and the admission code,
//! which may ask [`needs_cluster_ip`]. Unknown kinds and custom resources pass
//! through untouched.
//!
//! One file per API group; `pod`, `container`, `volume` and `storage` hold the
//! pieces several kinds embed, `fields` the typed-field vocabulary they all use.

mod apps;
mod autoscaling;
mod batch;
mod container;
mod fields;
mod image;
mod namespace;
mod networking;
mod pod;
mod quantity;
mod rbac;
mod secret;
mod service;
mod storage;
mod volume;

#[cfg(test)]
mod tests;

use serde_json::Value;

pub use service::needs_cluster_ip;

/// Fills in what the API server would, for the object of `kind` in API `group`
/// ("" for the core group). Objects that are not JSON objects are left alone.
pub fn apply_defaults(group: &str, kind: &str, object: &mut Value) {
    let Some(object) = object.as_object_mut() else {
        return;
    };
    match (group, kind) {
        ("", "Pod") => pod::default_pod(object),
        ("", "Service") => service::default_service(object),
        ("", "PersistentVolumeClaim") => storage::default_claim(object),
        ("", "PersistentVolume") => storage::default_persistent_volume(object),
        ("", "Namespace") => namespace::default_namespace(object),
        ("", "Secret") => secret::default_secret(object),
        ("apps", "Deployment") => apps::default_deployment(object),
        ("apps", "ReplicaSet") => apps::default_replica_set(object),
        ("apps", "StatefulSet") => apps::default_stateful_set(object),
        ("apps", "DaemonSet") => apps::default_daemon_set(object),
        ("batch", "Job") => batch::default_job(object),
        ("batch", "CronJob") => batch::default_cron_job(object),
        ("autoscaling", "HorizontalPodAutoscaler") => {
            autoscaling::default_horizontal_pod_autoscaler(object);
        }
        ("networking.k8s.io", "NetworkPolicy") => networking::default_network_policy(object),
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            rbac::default_binding(object);
        }
        _ => {}
    }
}
