//! The objects of an Argo CD or Flux app that the support actions (logs, events,
//! restart, scale, delete pod) work on: the resources its engine says it manages
//! (Argo CD's `status.resources`, Flux's inventory), with the workloads among them
//! read live. A HelmRelease whose status lists none: the workloads Flux's
//! helm-controller labels with the release's name and namespace.

use std::collections::BTreeMap;

use serde_json::Value;

use super::clusters::Session;
use super::live::key_of;
use super::support::{AppObjects, is_workload};
use crate::cluster::{self, ClusterError};
use crate::integrations::{AppKind, ExternalApp};
use crate::model::ResourceKey;

/// The labels helm-controller puts on every object of a release.
const RELEASE_NAME: &str = "helm.toolkit.fluxcd.io/name";
const RELEASE_NAMESPACE: &str = "helm.toolkit.fluxcd.io/namespace";

/// The workload kinds looked for by label (those that run pods of their own).
const LABELLED_KINDS: [&str; 4] = ["Deployment", "StatefulSet", "DaemonSet", "Job"];

/// `app`'s objects in the cluster of `session`. A managed workload that is not in
/// the cluster (pruned, not created yet) is left out; one that cannot be read is an
/// error.
pub async fn app_objects(session: &Session, app: &ExternalApp) -> Result<AppObjects, ClusterError> {
    let keys: Vec<ResourceKey> = app
        .resources
        .iter()
        .filter(|r| !r.hook)
        .map(|r| r.key.clone())
        .collect();
    let mut workloads = BTreeMap::new();
    for key in keys.iter().filter(|key| is_workload(key)) {
        let Some(served) = session.catalog.get(&key.group, &key.kind) else {
            continue;
        };
        let namespace = Some(key.namespace.as_str()).filter(|ns| !ns.is_empty());
        if let Some(object) =
            cluster::get(&session.connection, served, namespace, &key.name).await?
        {
            workloads.insert(key.clone(), object);
        }
    }
    let mut objects = AppObjects {
        connection: session.connection.clone(),
        catalog: session.catalog.clone(),
        keys,
        workloads,
    };
    if app.kind == AppKind::HelmRelease && objects.keys.is_empty() {
        let labelled = labelled_workloads(session, app).await?;
        objects.keys = labelled.keys().cloned().collect();
        objects.workloads = labelled;
    }
    Ok(objects)
}

/// The workloads helm-controller labelled as the release's, in every namespace
/// (or, where that is refused, in the release's own).
async fn labelled_workloads(
    session: &Session,
    app: &ExternalApp,
) -> Result<BTreeMap<ResourceKey, Value>, ClusterError> {
    let selector = format!(
        "{RELEASE_NAME}={},{RELEASE_NAMESPACE}={}",
        app.name, app.namespace
    );
    let mut found = BTreeMap::new();
    for kind in LABELLED_KINDS {
        let group = if kind == "Job" { "batch" } else { "apps" };
        let Some(served) = session.catalog.get(group, kind) else {
            continue;
        };
        let listed = match cluster::list(&session.connection, served, None, Some(&selector)).await {
            Ok(listed) => listed,
            Err(ClusterError::Forbidden { .. }) => {
                cluster::list(
                    &session.connection,
                    served,
                    Some(&app.namespace),
                    Some(&selector),
                )
                .await?
            }
            Err(error) => return Err(error),
        };
        found.extend(
            listed
                .into_iter()
                .filter_map(|object| Some((key_of(&object)?, object))),
        );
    }
    Ok(found)
}
