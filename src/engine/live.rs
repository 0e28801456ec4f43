//! The live state of an app: every desired object as the cluster has it, plus every
//! object labelled as this app's (which may have left Git), fetched with one list
//! per kind and namespace rather than one get per object. A kind the cluster does
//! not serve, or one it forbids listing, is recorded as a problem for that kind and
//! does not hide the rest.

use std::collections::{BTreeMap, BTreeSet};

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

#[derive(Debug, thiserror::Error)]
pub enum KindError {
    /// The cluster does not serve the kind (a missing CRD, say).
    #[error("the cluster does not serve this kind (is its CRD installed?)")]
    NotServed,
    #[error(transparent)]
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
    // All kinds at once (most answers come from the watches' memory; lists are
    // few); results are merged in kind order, so the outcome does not depend on
    // who answers first.
    let wanted = &wanted;
    let reads = futures_util::future::join_all(kinds.iter().map(|((group, kind), namespaces)| {
        read_kind(session, app, group, kind, namespaces, wanted)
    }))
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
    let (mut found, mut failed, unlabelled) =
        match session.watched.select(served, app.as_str(), &of_kind).await {
            Ok(found) => {
                let unlabelled: BTreeSet<&str> = of_kind
                    .iter()
                    .filter(|key| !found.iter().any(|(k, _)| k == **key))
                    .map(|key| key.namespace.as_str())
                    .collect();
                (found, None, unlabelled)
            }
            // The kind cannot be watched cluster-wide (RBAC limited to some
            // namespaces, say): the namespaces Git names are listed instead, so
            // the app's objects there are still seen.
            Err(error) => (
                Vec::new(),
                Some(KindError::Cluster(error)),
                namespaces.iter().map(String::as_str).collect(),
            ),
        };
    let listing_everything = failed.is_some();
    for namespace in unlabelled {
        let namespace = Some(namespace).filter(|_| served.namespaced);
        match cluster::list(&session.connection, served, namespace, None).await {
            Ok(objects) => found.extend(
                objects
                    .into_iter()
                    .filter_map(|object| Some((key_of(&object)?, object)))
                    .filter(|(key, object)| {
                        wanted.contains(key) || (listing_everything && labelled_as(object, app))
                    }),
            ),
            Err(error) => failed = Some(KindError::Cluster(error)),
        }
    }
    (found, failed)
}

/// The desired objects as the API server has them right now (lists of their kinds
/// and namespaces, not the watches): for checks right after this process wrote, when
/// a watch may not have caught up yet (`--wait`).
pub async fn fetch_desired_now(session: &Session, desired: &[Manifest]) -> LiveState {
    let mut requests: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for manifest in desired {
        requests
            .entry((manifest.key.group.clone(), manifest.key.kind.clone()))
            .or_default()
            .insert(manifest.key.namespace.clone());
    }
    let wanted: BTreeSet<&ResourceKey> = desired.iter().map(|m| &m.key).collect();
    let mut live = LiveState::default();
    for ((group, kind), namespaces) in requests {
        let Some(served) = session.catalog.get(&group, &kind) else {
            live.problems.push(KindProblem {
                group,
                kind,
                error: KindError::NotServed,
            });
            continue;
        };
        for namespace in namespaces {
            let namespace = Some(namespace.as_str()).filter(|_| served.namespaced);
            match cluster::list(&session.connection, served, namespace, None).await {
                Ok(objects) => live.objects.extend(
                    objects
                        .into_iter()
                        .filter_map(|object| Some((key_of(&object)?, object)))
                        .filter(|(key, _)| wanted.contains(key)),
                ),
                Err(error) => live.problems.push(KindProblem {
                    group: group.clone(),
                    kind: kind.clone(),
                    error: KindError::Cluster(error),
                }),
            }
        }
    }
    live
}

fn labelled_as(object: &Value, app: &AppName) -> bool {
    object
        .pointer("/metadata/labels")
        .and_then(|labels| labels.get(super::tracking::APP_LABEL))
        .and_then(Value::as_str)
        == Some(app.as_str())
}
