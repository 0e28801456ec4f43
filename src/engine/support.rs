//! What the support actions work on, found from an app's live objects: its
//! workloads, the pods they select (with their containers), the events about its
//! objects, and a workload named `KIND/NAME`. The CLI and the cockpit both use it,
//! for driftdeck's own apps and (through `engine::external_support`) for the
//! resources an Argo CD or Flux app manages.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Event, Pod};
use serde_json::Value;

use super::target::Cluster;
use crate::cluster::{Catalog, ClusterError, Connection, workloads};
use crate::model::ResourceKey;

const WORKLOAD_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
];

/// Whether `key` is a workload: something that runs pods, in `apps` or `batch`.
pub fn is_workload(key: &ResourceKey) -> bool {
    (key.group == "apps" || key.group == "batch") && WORKLOAD_KINDS.contains(&key.kind.as_str())
}

/// What the support actions work on: an app's objects in one cluster.
#[derive(Clone)]
pub struct AppObjects {
    pub connection: Connection,
    pub catalog: Catalog,
    /// Every object of the app (its events are found by their names).
    pub keys: Vec<ResourceKey>,
    /// Its live workloads, in key order.
    pub workloads: BTreeMap<ResourceKey, Value>,
}

impl AppObjects {
    /// A driftdeck app's objects, as observed.
    pub fn of(cluster: &Cluster) -> Self {
        Self {
            connection: cluster.connection.clone(),
            catalog: cluster.catalog.clone(),
            keys: cluster.live.objects.keys().cloned().collect(),
            workloads: cluster
                .live
                .objects
                .iter()
                .filter(|(key, _)| is_workload(key))
                .map(|(key, object)| (key.clone(), object.clone()))
                .collect(),
        }
    }
}

/// A pod of the app, with its containers (init containers last).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppPod {
    pub namespace: String,
    pub name: String,
    pub containers: Vec<String>,
}

impl AppPod {
    /// `namespace/name`: a pod's name alone may repeat across an app's namespaces.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// Every pod the app's workloads select: running ones first (the first is the
/// one logs open on, as `kubectl logs deploy/…` prefers a running pod; a pod
/// still starting has no logs yet), then by namespace and name.
pub async fn pods(objects: &AppObjects) -> Result<Vec<AppPod>, ClusterError> {
    let mut found = Vec::new();
    for workload in objects.workloads.values() {
        for pod in workloads::pods_of(&objects.connection, workload).await? {
            let running = pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
            found.extend(app_pod(&pod).map(|app_pod| (running, app_pod)));
        }
    }
    Ok(running_first(found))
}

/// Pods with whether each runs: running ones first, then by namespace and name,
/// each once.
fn running_first(mut found: Vec<(bool, AppPod)>) -> Vec<AppPod> {
    found.sort_by(|(a_runs, a), (b_runs, b)| {
        (!a_runs, &a.namespace, &a.name).cmp(&(!b_runs, &b.namespace, &b.name))
    });
    found.dedup();
    found.into_iter().map(|(_, pod)| pod).collect()
}

fn app_pod(pod: &Pod) -> Option<AppPod> {
    let spec = pod.spec.as_ref();
    let names = |list: Option<&Vec<k8s_openapi::api::core::v1::Container>>| {
        list.into_iter()
            .flatten()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
    };
    let mut containers = names(spec.map(|s| &s.containers));
    containers.extend(names(spec.and_then(|s| s.init_containers.as_ref())));
    Some(AppPod {
        namespace: pod.metadata.namespace.clone()?,
        name: pod.metadata.name.clone()?,
        containers,
    })
}

/// The events of the app's namespaces that are about its objects or something they
/// own by name (ReplicaSets and Pods carry their workload's name), newest first.
pub async fn events(objects: &AppObjects) -> Result<Vec<Event>, ClusterError> {
    let mut namespaces: Vec<&str> = objects
        .keys
        .iter()
        .map(|k| k.namespace.as_str())
        .filter(|ns| !ns.is_empty())
        .collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    let names: Vec<&str> = objects.keys.iter().map(|k| k.name.as_str()).collect();
    let mut found = Vec::new();
    for namespace in namespaces {
        for event in workloads::events(&objects.connection, namespace).await? {
            let name = event.involved_object.name.as_deref().unwrap_or_default();
            let ours = names.iter().any(|n| {
                name == *n
                    || name
                        .strip_prefix(n)
                        .is_some_and(|rest| rest.starts_with('-'))
            });
            if ours {
                found.push(event);
            }
        }
    }
    found.sort_by_key(|e| std::cmp::Reverse(last_seen(e)));
    Ok(found)
}

/// When an event last happened (`lastTimestamp`, else `eventTime`, else creation).
pub fn last_seen(event: &Event) -> Option<jiff::Timestamp> {
    event
        .last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| event.event_time.as_ref().map(|t| t.0))
        .or_else(|| event.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

/// Why a workload could not be found.
#[derive(Debug, thiserror::Error)]
pub enum WorkloadError {
    #[error("{0:?} is not KIND/NAME")]
    NotKindName(String),
    #[error("{0:?} is not a workload kind driftdeck can restart or scale")]
    NotScalable(String),
    #[error("{kind} {name:?} is not one of this app's live workloads")]
    NotFound { kind: String, name: String },
    #[error("{kind} {name:?} is in more than one namespace of this app ({namespaces})")]
    Ambiguous {
        kind: String,
        name: String,
        namespaces: String,
    },
}

impl crate::error::Classified for WorkloadError {
    fn kind(&self) -> crate::error::ErrorKind {
        crate::error::ErrorKind::Usage
    }

    fn hint(&self) -> Option<String> {
        match self {
            Self::NotKindName(_) => Some("for example deployment/web".into()),
            Self::NotScalable(_) => {
                Some("use deployment, statefulset, daemonset or replicaset".into())
            }
            Self::NotFound { .. } => None,
            Self::Ambiguous { .. } => Some("use NAMESPACE/KIND/NAME".into()),
        }
    }
}

/// Finds `KIND/NAME` (`deployment/web`, `sts/db`), or `NAMESPACE/KIND/NAME` where
/// the name is in two namespaces, among the app's workloads.
pub fn find_workload<'a>(
    objects: &'a AppObjects,
    wanted: &str,
) -> Result<&'a ResourceKey, WorkloadError> {
    let parts: Vec<&str> = wanted.split('/').collect();
    let (namespace, kind, name) = match parts.as_slice() {
        [kind, name] => (None, *kind, *name),
        [namespace, kind, name] => (Some(*namespace), *kind, *name),
        _ => return Err(WorkloadError::NotKindName(wanted.to_owned())),
    };
    let kind = match kind.to_lowercase().as_str() {
        "deploy" | "deployment" | "deployments" => "Deployment",
        "sts" | "statefulset" | "statefulsets" => "StatefulSet",
        "ds" | "daemonset" | "daemonsets" => "DaemonSet",
        "rs" | "replicaset" | "replicasets" => "ReplicaSet",
        other => return Err(WorkloadError::NotScalable(other.to_owned())),
    };
    let found: Vec<&ResourceKey> = objects
        .workloads
        .keys()
        .filter(|key| key.kind == kind && key.name == name)
        .filter(|key| namespace.is_none_or(|ns| key.namespace == ns))
        .collect();
    match found.as_slice() {
        [key] => Ok(key),
        [] => Err(WorkloadError::NotFound {
            kind: kind.to_owned(),
            name: name.to_owned(),
        }),
        many => Err(WorkloadError::Ambiguous {
            kind: kind.to_owned(),
            name: name.to_owned(),
            namespaces: many
                .iter()
                .map(|key| key.namespace.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

#[cfg(test)]
mod pod_order {
    use super::{AppPod, running_first};

    fn pod(namespace: &str, name: &str) -> AppPod {
        AppPod {
            namespace: namespace.into(),
            name: name.into(),
            containers: vec!["main".into()],
        }
    }

    #[test]
    fn logs_open_on_a_running_pod_before_one_still_starting() {
        let found = vec![
            (false, pod("shop", "web-a")),
            (true, pod("shop", "web-c")),
            (true, pod("other", "web-b")),
            (true, pod("shop", "web-c")),
        ];
        assert_eq!(
            running_first(found),
            [
                pod("other", "web-b"),
                pod("shop", "web-c"),
                pod("shop", "web-a")
            ]
        );
    }
}
