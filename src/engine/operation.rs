//! An operation that changes a cluster, recorded: a ledger entry is written as
//! Running before anything is applied and updated with the outcome and the
//! resources touched afterwards. Sync, rollback and pin all go through here, so none
//! can change a cluster without leaving a trace.

use super::ledger::{self, LedgerError};
use super::sync::{self, SyncOptions, SyncPlan, SyncReport};
use super::target::{Cluster, Desired};
use crate::cluster::Connection;
use crate::model::AppName;
use crate::model::CommitId;
use crate::model::ledger::{Actor, LedgerEntry, Operation, Outcome};

/// What the ledger says about an operation besides its outcome.
#[derive(Clone, Debug)]
pub struct Record {
    pub operation: Operation,
    pub reason: Option<String>,
    /// For a rollback or pin: the commit whose content it brings back.
    pub restored: Option<CommitId>,
    /// Nothing is applied unless the ledger entry could be written first (a pin
    /// exists only in the ledger).
    pub ledger_required: bool,
}

impl Record {
    /// A plain sync, with no reason.
    pub fn sync() -> Self {
        Self {
            operation: Operation::Sync,
            reason: None,
            restored: None,
            ledger_required: false,
        }
    }
}

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

/// Applies `plan` and records it as `record` says.
pub async fn apply_recorded(
    desired: &Desired,
    cluster: &Cluster,
    plan: &SyncPlan,
    options: &SyncOptions,
    record: Record,
) -> Recorded {
    let required = record.ledger_required;
    let mut entry = entry(&cluster.connection, record, desired.commit.as_str());
    let appended = ledger::append(&cluster.connection, &desired.app.name, entry.clone()).await;
    if required && let Err(error) = appended {
        return Recorded {
            report: SyncReport::default(),
            ledger_error: Some(error),
        };
    }
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

/// Records an operation that applies nothing (unpin), at `revision`.
pub async fn record_only(
    app: &AppName,
    connection: &Connection,
    record: Record,
    revision: String,
) -> Result<(), LedgerError> {
    let mut entry = entry(connection, record, &revision);
    entry.finished = Some(entry.started);
    entry.outcome = Outcome::Succeeded;
    ledger::append(connection, app, entry).await
}

fn entry(connection: &Connection, record: Record, revision: &str) -> LedgerEntry {
    let started = jiff::Timestamp::now();
    LedgerEntry {
        id: format!(
            "{}-{}",
            started.as_millisecond(),
            revision.get(..7).unwrap_or(revision)
        ),
        operation: record.operation,
        revision: revision.to_owned(),
        who: Actor {
            kube_user: connection.user.clone(),
            local_user: local_user(),
        },
        reason: record.reason,
        restored: record.restored.map(|commit| commit.to_string()),
        started,
        finished: None,
        outcome: Outcome::Running,
        resources: Vec::new(),
    }
}
