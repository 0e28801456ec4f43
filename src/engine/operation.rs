//! An operation that changes a cluster, recorded: a ledger entry is written as
//! Running before anything is applied and updated with the outcome and the
//! resources touched afterwards. Sync, rollback and pin all go through here, so none
//! can change a cluster without leaving a trace.

use super::ledger::{self, LedgerError};
use super::sync::{self, SyncOptions, SyncPlan, SyncReport};
use super::target::{Cluster, Desired};
use crate::model::ledger::{Actor, LedgerEntry, Operation, Outcome};

/// What an operation did, and whether the ledger kept up.
pub struct Recorded {
    pub report: SyncReport,
    /// The ledger could not be written (the operation still ran).
    pub ledger_error: Option<LedgerError>,
}

/// The local user, for the ledger's "who".
pub fn local_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default()
}

/// Applies `plan` and records it as `operation` with `reason`.
pub async fn apply_recorded(
    desired: &Desired,
    cluster: &Cluster,
    plan: &SyncPlan,
    options: &SyncOptions,
    operation: Operation,
    reason: Option<String>,
) -> Recorded {
    let mut entry = entry(desired, cluster, operation, reason);
    let appended = ledger::append(&cluster.connection, &desired.app.name, entry.clone()).await;
    let report = sync::execute(
        &cluster.connection,
        &cluster.catalog,
        &desired.app.name,
        &desired.manifests,
        &cluster.live,
        plan,
        options,
    )
    .await;
    entry.finished = Some(jiff::Timestamp::now());
    entry.resources = report.touched();
    entry.outcome = if report.succeeded() {
        Outcome::Succeeded
    } else {
        Outcome::Failed {
            message: report
                .failed
                .first()
                .map(|(key, error)| format!("{key}: {error}"))
                .unwrap_or_else(|| "not every resource was applied".into()),
        }
    };
    let ledger_error = match appended {
        Err(error) => Some(error),
        Ok(()) => ledger::update(&cluster.connection, &desired.app.name, entry)
            .await
            .err(),
    };
    Recorded {
        report,
        ledger_error,
    }
}

/// Records an operation that applies nothing (unpin).
pub async fn record_only(
    desired: &Desired,
    cluster: &Cluster,
    operation: Operation,
    revision: String,
    reason: Option<String>,
) -> Result<(), LedgerError> {
    let mut entry = entry(desired, cluster, operation, reason);
    entry.revision = revision;
    entry.finished = Some(entry.started);
    entry.outcome = Outcome::Succeeded;
    ledger::append(&cluster.connection, &desired.app.name, entry).await
}

fn entry(
    desired: &Desired,
    cluster: &Cluster,
    operation: Operation,
    reason: Option<String>,
) -> LedgerEntry {
    let started = jiff::Timestamp::now();
    LedgerEntry {
        id: format!("{}-{}", started.as_millisecond(), desired.commit.short()),
        operation,
        revision: desired.commit.to_string(),
        who: Actor {
            kube_user: cluster.connection.user.clone(),
            local_user: local_user(),
        },
        reason,
        started,
        finished: None,
        outcome: Outcome::Running,
        resources: Vec::new(),
    }
}
