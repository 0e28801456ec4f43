//! The live state of an app: every desired object as the cluster has it, plus every
//! object labelled as this app's (which may have left Git), fetched with one list
//! per kind and namespace rather than one get per object. A kind the cluster does
//! not serve, or one it forbids listing, is recorded as a problem for that kind and
//! does not hide the rest.

use std::collections::{BTreeMap, BTreeSet};

use super::bounded::bounded;
use serde_json::Value;

use super::clusters::Session;

use crate::cluster::{self, ClusterError};
use crate::model::{AppName, Manifest, ResourceKey};

/// Kinds always searched for objects this app applied earlier, even when Git no
/// longer has any of them (so removed objects show as Extra).
const TRACKED_KINDS: &[(&str, &str)] = &[
    ("", "Namespace"),
    ("", "ConfigMap"),
    ("", "Secret"),
    ("", "Service"),
    ("", "ServiceAccount"),
    ("", "PersistentVolumeClaim"),
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("batch", "Job"),
    ("batch", "CronJob"),
    ("networking.k8s.io", "Ingress"),
    ("autoscaling", "HorizontalPodAutoscaler"),
    ("rbac.authorization.k8s.io", "Role"),
    ("rbac.authorization.k8s.io", "RoleBinding"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
];

/// A kind that could not be read.
#[derive(Debug)]
pub struct KindProblem {
    pub group: String,
    pub kind: String,
    pub error: KindError,
}

#[derive(Debug)]
pub enum KindError {
    /// The cluster does not serve the kind (a missing CRD, say).
    NotServed,
    Cluster(ClusterError),
}

/// An app's objects in the cluster, by key.
#[derive(Debug, Default)]
pub struct LiveState {
    pub objects: BTreeMap<ResourceKey, Value>,
    pub problems: Vec<KindProblem>,
}

pub(super) fn key_of(object: &Value) -> Option<ResourceKey> {
    let api_version = object.get("apiVersion")?.as_str()?;
    let kind = object.get("kind")?.as_str()?;
    let name = object.pointer("/metadata/name")?.as_str()?;
    let namespace = object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Some(ResourceKey::new(
        ResourceKey::group_of(api_version),
        kind,
        namespace,
        name,
    ))
}

/// Reads the live objects of `app` whose desired manifests are `desired`: the
/// tracked ones from the context's watches, and desired objects nobody labelled yet
/// (created by hand or by another tool) by listing their namespaces.
pub async fn fetch(session: &Session, app: &AppName, desired: &[Manifest]) -> LiveState {
    let wanted: BTreeSet<&ResourceKey> = desired.iter().map(|m| &m.key).collect();
    let mut kinds: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for manifest in desired {
        kinds
            .entry((manifest.key.group.clone(), manifest.key.kind.clone()))
            .or_default()
            .insert(manifest.key.namespace.clone());
    }
    for (group, kind) in TRACKED_KINDS {
        if session.catalog.get(group, kind).is_some() {
            kinds.entry(((*group).into(), (*kind).into())).or_default();
        }
    }
    // Kinds are read concurrently; results are merged in kind order, so the outcome
    // does not depend on who answers first.
    let wanted = &wanted;
    let reads = bounded(
        kinds
            .iter()
            .map(|((group, kind), namespaces)| {
                read_kind(session, app, group, kind, namespaces, wanted)
            })
            .collect(),
        CONCURRENT_KINDS,
    )
    .await;
    let mut live = LiveState::default();
    for (((group, kind), _), (found, error)) in kinds.into_iter().zip(reads) {
        if let Some(error) = error {
            live.problems.push(KindProblem { group, kind, error });
        }
        live.objects.extend(found);
    }
    live
}

/// How many kinds are read at once.
const CONCURRENT_KINDS: usize = 8;

/// One kind's objects of the app: from the watch, then lists of the namespaces where
/// a desired object was not found among the tracked ones.
async fn read_kind(
    session: &Session,
    app: &AppName,
    group: &str,
    kind: &str,
    namespaces: &BTreeSet<String>,
    wanted: &BTreeSet<&ResourceKey>,
) -> (Vec<(ResourceKey, Value)>, Option<KindError>) {
    let Some(served) = session.catalog.get(group, kind) else {
        return (Vec::new(), Some(KindError::NotServed));
    };
    let of_kind: Vec<&ResourceKey> = wanted
        .iter()
        .filter(|key| key.group == group && key.kind == kind)
        .copied()
        .collect();
    let mut found = match session.watched.select(served, app.as_str(), &of_kind).await {
        Ok(found) => found,
        Err(error) => return (Vec::new(), Some(KindError::Cluster(error))),
    };
    let unlabelled: BTreeSet<&str> = of_kind
        .iter()
        .filter(|key| !found.iter().any(|(k, _)| k == **key))
        .map(|key| key.namespace.as_str())
        .filter(|namespace| namespaces.contains(*namespace))
        .collect();
    let mut failed = None;
    for namespace in unlabelled {
        let namespace = Some(namespace).filter(|_| served.namespaced);
        match cluster::list(&session.connection, served, namespace, None).await {
            Ok(objects) => found.extend(
                objects
                    .into_iter()
                    .filter_map(|object| Some((key_of(&object)?, object)))
                    .filter(|(key, _)| wanted.contains(key)),
            ),
            Err(error) => failed = Some(KindError::Cluster(error)),
        }
    }
    (found, failed)
}
