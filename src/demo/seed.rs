//! Bringing the demo cluster into the story's state the way people would: the
//! platform team's namespaces first, then each sync through the engine (recorded in
//! the ledger, so deploy history exists), then the hand changes with other field
//! managers, as `kubectl scale`, `kubectl edit` and `kubectl delete` make them.

use serde_json::json;

use super::story::Deploy;
use crate::cluster::{self, ApplyMode, ClusterError};
use crate::config::Config;
use crate::engine::clusters::Clusters;
use crate::engine::operation::{self, Record};
use crate::engine::sync::{self, SyncOptions};
use crate::engine::target;
use crate::error::Classified;
use crate::model::CommitId;

/// Plays `deploys` against the current context of `clusters`. Apps the
/// configuration does not have (their renderer is missing) are passed over.
pub async fn seed(
    config: &Config,
    clusters: &Clusters,
    commits: &[CommitId],
    deploys: &[Deploy],
) -> Result<(), Box<dyn Classified>> {
    fn boxed<E: Classified + 'static>(error: E) -> Box<dyn Classified> {
        Box::new(error)
    }
    let session = clusters.session(None).await.map_err(boxed)?;
    let known = |app: &str| config.apps.iter().any(|a| a.name.as_str() == app);
    let served = |group: &str, kind: &str| {
        session
            .catalog
            .get(group, kind)
            .ok_or_else(|| ClusterError::NotFound {
                context: session.connection.context.clone(),
                message: format!("{kind} is not served"),
            })
    };
    for deploy in deploys {
        match deploy {
            Deploy::Sync { app, commit } if known(app) => {
                let namespace = json!({
                    "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": app}
                });
                cluster::apply(
                    &session.connection,
                    served("", "Namespace").map_err(boxed)?,
                    &namespace,
                    "platform-bootstrap",
                    true,
                    ApplyMode::Real,
                )
                .await
                .map_err(boxed)?;
                let revision = commits.get(*commit).map(CommitId::as_str);
                let desired = target::desired(config, app, revision)?;
                let cluster = target::observe_in(clusters, &desired, None)
                    .await
                    .map_err(boxed)?;
                let options = SyncOptions::default();
                let plan = sync::plan_against(&desired, &cluster, &options).await;
                let recorded =
                    operation::apply_recorded(&desired, &cluster, &plan, &options, Record::sync())
                        .await;
                if let Some((_, error)) = recorded.report.failed.into_iter().next() {
                    return Err(boxed(error));
                }
            }
            Deploy::Scale {
                app,
                deployment,
                replicas,
            } if known(app) => {
                cluster::workloads::scale(
                    &session.connection,
                    served("apps", "Deployment").map_err(boxed)?,
                    app,
                    deployment,
                    *replicas,
                    "kubectl",
                )
                .await
                .map_err(boxed)?;
            }
            Deploy::EditConfigMap {
                app,
                name,
                key,
                value,
            } if known(app) => {
                let edit = json!({
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": name, "namespace": app},
                    "data": {*key: value}
                });
                cluster::apply(
                    &session.connection,
                    served("", "ConfigMap").map_err(boxed)?,
                    &edit,
                    "kubectl-edit",
                    true,
                    ApplyMode::Real,
                )
                .await
                .map_err(boxed)?;
            }
            Deploy::Delete { app, kind, name } if known(app) => {
                let group = if *kind == "Deployment" { "apps" } else { "" };
                cluster::delete(
                    &session.connection,
                    served(group, kind).map_err(boxed)?,
                    Some(app),
                    name,
                )
                .await
                .map_err(boxed)?;
            }
            _ => {}
        }
    }
    Ok(())
}
