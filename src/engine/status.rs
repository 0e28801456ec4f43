//! An app's status at a glance, as `apps` and the cockpit show it: the revision
//! live (from the ledger), whether the cluster matches Git (with counts), the worst
//! health of its objects, whether it is pinned, and the last operation.

use serde::Serialize;

use super::drift::Drift;
use super::target::{Cluster, Desired};
use crate::health;
use crate::model::ledger::{self, LedgerEntry};
use crate::model::{Health, HealthStatus, SyncStatus};

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub live_revision: Option<String>,
    /// The commit Git wants (full id).
    pub desired_revision: String,
    pub sync: SyncStatus,
    pub out_of_sync: usize,
    pub missing: usize,
    pub extra: usize,
    pub health: HealthStatus,
    /// The revision the app is pinned to, if it is.
    pub pinned: Option<String>,
    /// The ledger entry that suspended the app's automation, while it is.
    pub suspended: Option<LedgerEntry>,
    /// `sync succeeded 5m ago`-style summary of the last ledger entry.
    pub last_operation: Option<LedgerEntry>,
}

pub fn status(
    desired: &Desired,
    cluster: &Cluster,
    drift: &Drift,
    entries: &[LedgerEntry],
) -> AppStatus {
    let count = |status: SyncStatus| {
        drift
            .resources
            .iter()
            .filter(|r| r.status == status)
            .count()
    };
    let out_of_sync = count(SyncStatus::OutOfSync);
    let missing = count(SyncStatus::Missing);
    let extra = count(SyncStatus::Extra);
    let healths: Vec<Health> = desired
        .manifests
        .iter()
        .map(|m| {
            cluster
                .live
                .objects
                .get(&m.key)
                .map_or_else(health::missing, health::assess)
        })
        .collect();
    AppStatus {
        live_revision: ledger::live_revision(entries).map(str::to_owned),
        desired_revision: desired.commit.to_string(),
        sync: if out_of_sync + missing + extra == 0 {
            SyncStatus::Synced
        } else {
            SyncStatus::OutOfSync
        },
        out_of_sync,
        missing,
        extra,
        health: health::worst(&healths),
        pinned: ledger::pinned(entries).map(|e| e.revision.clone()),
        suspended: ledger::suspended(entries).cloned(),
        last_operation: entries.last().cloned(),
    }
}
