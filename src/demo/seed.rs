//! Bringing the demo cluster into the story's state the way people would: the
//! story's past deploys written into the ledgers first (weeks of history, older
//! than anything done here), then the platform team's namespaces, then each sync
//! through the engine (recorded in the ledger, the newest entries), then the hand
//! changes with other field managers, as `kubectl scale`, `kubectl edit` and
//! `kubectl delete` make them.

use serde_json::json;

use super::past::PastDeploy;
use super::story::Deploy;
use crate::cluster::{self, ApplyMode, ClusterError, Connection};
use crate::config::Config;
use crate::engine::clusters::Clusters;
use crate::engine::ledger::{self, LedgerError};
use crate::engine::operation::{self, Record};
use crate::engine::sync::{self, SyncOptions};
use crate::engine::target;
use crate::error::{Classified, boxed};
use crate::model::CommitId;
use crate::model::ledger::{Actor, LedgerEntry};

/// Writes `past` into the ledgers, then plays `deploys` against the current context
/// of `clusters`. Apps the configuration does not have (their renderer is missing)
/// are passed over.
pub async fn seed(
    config: &Config,
    clusters: &Clusters,
    commits: &[CommitId],
    past: &[PastDeploy],
    deploys: &[Deploy],
) -> Result<(), Box<dyn Classified>> {
    let session = clusters.session(None).await.map_err(boxed)?;
    write_past(config, &session.connection, commits, past)
        .await
        .map_err(boxed)?;
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

/// Appends the past deploys to the ledgers in the order given (oldest first), as
/// their operators ran them with this context's kubeconfig user. The engine stamps
/// its entries with the present, so these are written as values. A deploy whose
/// app is not configured, or whose commit the repository lacks, is left out.
async fn write_past(
    config: &Config,
    connection: &Connection,
    commits: &[CommitId],
    past: &[PastDeploy],
) -> Result<(), LedgerError> {
    for deploy in past {
        let Some(app) = config.apps.iter().find(|a| a.name.as_str() == deploy.app) else {
            continue;
        };
        let Some(revision) = commits.get(deploy.commit) else {
            continue;
        };
        let restored = match deploy.restored {
            Some(index) => match commits.get(index) {
                Some(commit) => Some(commit.to_string()),
                None => continue,
            },
            None => None,
        };
        let entry = LedgerEntry {
            id: format!("{}-{}", deploy.started.as_millisecond(), revision.short()),
            operation: deploy.operation,
            revision: revision.to_string(),
            who: Actor {
                kube_user: connection.user.clone(),
                local_user: deploy.operator.clone(),
            },
            reason: deploy.reason.map(str::to_owned),
            restored,
            started: deploy.started,
            finished: Some(deploy.finished),
            outcome: deploy.outcome.clone(),
            resources: Vec::new(),
        };
        ledger::append(connection, &app.name, entry).await?;
    }
    Ok(())
}
