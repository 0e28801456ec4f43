//! Native automation, as Argo CD's automated sync policy: an app whose
//! configuration says `sync.automated` is synced when Git moves past what runs, and
//! with `selfHeal` also when its objects drift; `prune` lets those syncs delete what
//! Git no longer has. driftdeck has no controller in the cluster: a cockpit runs the
//! automation while it is open (`decide` after every observation).
//!
//! What holds it back, each said in words: a pin (automation leaves a pinned app
//! alone until unpinned), a suspend recorded in the ledger (`p` in the cockpit; every
//! cockpit sees it), and a failed last sync of the very revision Git wants — as Argo
//! CD does, the same commit is not retried by itself; a new commit or a manual sync
//! is needed.

use super::operation::{self, Record};
use crate::cluster::Connection;
use crate::model::ledger::{LedgerEntry, Operation, Outcome};
use crate::model::{AppName, SyncPolicy, SyncStatus};

use super::ledger::LedgerError;
use super::status::AppStatus;

/// Why an automated sync is due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Due {
    /// Git wants another revision than the one running.
    Behind { desired: String },
    /// The revision is Git's but objects differ (self-heal).
    Drifted { resources: usize },
}

impl Due {
    /// The reason the ledger records for the sync.
    pub fn reason(&self) -> String {
        match self {
            Self::Behind { desired } => format!(
                "automated: Git moved to {}",
                desired.get(..7).unwrap_or(desired)
            ),
            Self::Drifted { resources } => {
                format!("self-heal: {resources} resource(s) drifted from Git")
            }
        }
    }
}

/// Why automation leaves an app alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Held {
    /// `sync.automated` is off.
    Off,
    Pinned {
        revision: String,
    },
    Suspended {
        by: String,
    },
    /// The last sync of Git's revision failed.
    Failed {
        revision: String,
    },
}

impl Held {
    pub fn describe(&self) -> String {
        let short = |r: &str| r.get(..7).unwrap_or(r).to_owned();
        match self {
            Self::Off => "off".into(),
            Self::Pinned { revision } => format!("held: pinned to {}", short(revision)),
            Self::Suspended { by } => format!("suspended by {by}"),
            Self::Failed { revision } => format!(
                "held: the last sync of {} failed (a new commit or a manual sync)",
                short(revision)
            ),
        }
    }
}

/// What automation does with an app now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Nothing to do: it runs Git's revision and (as far as self-heal cares) matches.
    InSync,
    Sync(Due),
    Hold(Held),
}

/// Decides for one observed app. Pure.
pub fn decide(policy: SyncPolicy, status: &AppStatus) -> Decision {
    if !policy.automated {
        return Decision::Hold(Held::Off);
    }
    if let Some(revision) = &status.pinned {
        return Decision::Hold(Held::Pinned {
            revision: revision.clone(),
        });
    }
    if let Some(entry) = &status.suspended {
        return Decision::Hold(Held::Suspended { by: who(entry) });
    }
    let desired = &status.desired_revision;
    let failed_here = status.last_operation.as_ref().is_some_and(|last| {
        last.operation == Operation::Sync
            && &last.revision == desired
            && matches!(last.outcome, Outcome::Failed { .. })
    });
    let behind = status.live_revision.as_deref() != Some(desired.as_str());
    // Extra objects are drift only when the sync would delete them (prune): else
    // self-heal would sync, leave them, and sync again.
    let fixable = status.out_of_sync + status.missing + if policy.prune { status.extra } else { 0 };
    let drifted = status.sync != SyncStatus::Synced && fixable > 0;
    if (behind || (drifted && policy.self_heal)) && failed_here {
        return Decision::Hold(Held::Failed {
            revision: desired.clone(),
        });
    }
    if behind {
        return Decision::Sync(Due::Behind {
            desired: desired.clone(),
        });
    }
    if drifted && policy.self_heal {
        return Decision::Sync(Due::Drifted { resources: fixable });
    }
    Decision::InSync
}

/// How long automation waits before syncing an app again after `attempts`
/// automated syncs in a row that left it still due: 15 s, doubling, at most 30
/// minutes — something that keeps drifting back (an HPA, a webhook, a ledger that
/// cannot be written) must not become a sync loop filling the ledger.
pub fn pause_after(attempts: u32) -> jiff::SignedDuration {
    let seconds = 15i64.saturating_mul(1 << attempts.saturating_sub(1).min(7));
    jiff::SignedDuration::from_secs(seconds.min(30 * 60))
}

/// Who an entry names, for people.
pub fn who(entry: &LedgerEntry) -> String {
    match (entry.who.local_user.as_str(), entry.who.kube_user.as_str()) {
        ("", "") => "someone".into(),
        (local, "") | ("", local) => local.into(),
        (local, kube) => format!("{local} ({kube})"),
    }
}

/// Records that the app's automation is suspended (`true`) or resumed, at the
/// revision it runs. Nothing else changes: it is a ledger entry every cockpit reads.
pub async fn set_suspended(
    connection: &Connection,
    app: &AppName,
    suspend: bool,
    live_revision: String,
) -> Result<(), LedgerError> {
    let operation = if suspend {
        Operation::Suspend
    } else {
        Operation::Resume
    };
    let record = Record {
        operation,
        reason: None,
        restored: None,
        ledger_required: true,
    };
    operation::record_only(app, connection, record, live_revision).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HealthStatus;
    use crate::model::ledger::Actor;

    fn policy(self_heal: bool) -> SyncPolicy {
        SyncPolicy {
            automated: true,
            prune: false,
            self_heal,
        }
    }

    fn status(live: &str, desired: &str, sync: SyncStatus) -> AppStatus {
        AppStatus {
            live_revision: Some(live.into()),
            desired_revision: desired.into(),
            sync,
            out_of_sync: usize::from(sync != SyncStatus::Synced),
            missing: 0,
            extra: 0,
            health: HealthStatus::Healthy,
            pinned: None,
            suspended: None,
            last_operation: None,
        }
    }

    fn entry(operation: Operation, revision: &str, outcome: Outcome) -> LedgerEntry {
        LedgerEntry {
            id: "1".into(),
            operation,
            revision: revision.into(),
            who: Actor {
                kube_user: "ops".into(),
                local_user: "maya".into(),
            },
            reason: None,
            restored: None,
            started: jiff::Timestamp::UNIX_EPOCH,
            finished: None,
            outcome,
            resources: Vec::new(),
        }
    }

    #[test]
    fn behind_git_syncs_and_drift_syncs_only_with_self_heal() {
        let behind = status("aaa", "bbb", SyncStatus::OutOfSync);
        assert_eq!(
            decide(policy(false), &behind),
            Decision::Sync(Due::Behind {
                desired: "bbb".into()
            })
        );
        let drifted = status("bbb", "bbb", SyncStatus::OutOfSync);
        assert_eq!(decide(policy(false), &drifted), Decision::InSync);
        assert_eq!(
            decide(policy(true), &drifted),
            Decision::Sync(Due::Drifted { resources: 1 })
        );
        let synced = status("bbb", "bbb", SyncStatus::Synced);
        assert_eq!(decide(policy(true), &synced), Decision::InSync);
        // Only extra objects: drift that a sync without prune would leave.
        let mut extras = status("bbb", "bbb", SyncStatus::OutOfSync);
        extras.out_of_sync = 0;
        extras.extra = 2;
        assert_eq!(decide(policy(true), &extras), Decision::InSync);
        let pruning = SyncPolicy {
            prune: true,
            ..policy(true)
        };
        assert_eq!(
            decide(pruning, &extras),
            Decision::Sync(Due::Drifted { resources: 2 })
        );
        // Never deployed: behind.
        let mut fresh = status("x", "bbb", SyncStatus::OutOfSync);
        fresh.live_revision = None;
        assert!(matches!(decide(policy(false), &fresh), Decision::Sync(_)));
    }

    #[test]
    fn off_pinned_suspended_and_a_failed_revision_hold() {
        let behind = status("aaa", "bbb", SyncStatus::OutOfSync);
        let off = SyncPolicy::default();
        assert_eq!(decide(off, &behind), Decision::Hold(Held::Off));

        let mut pinned = behind.clone();
        pinned.pinned = Some("aaa".into());
        assert_eq!(
            decide(policy(true), &pinned),
            Decision::Hold(Held::Pinned {
                revision: "aaa".into()
            })
        );

        let mut suspended = behind.clone();
        suspended.suspended = Some(entry(Operation::Suspend, "aaa", Outcome::Succeeded));
        assert_eq!(
            decide(policy(true), &suspended),
            Decision::Hold(Held::Suspended {
                by: "maya (ops)".into()
            })
        );

        let mut failed = behind.clone();
        let boom = Outcome::Failed {
            message: "boom".into(),
        };
        failed.last_operation = Some(entry(Operation::Sync, "bbb", boom.clone()));
        assert_eq!(
            decide(policy(true), &failed),
            Decision::Hold(Held::Failed {
                revision: "bbb".into()
            })
        );
        // A failure of another revision does not hold the new one.
        failed.last_operation = Some(entry(Operation::Sync, "ccc", boom));
        assert!(matches!(decide(policy(true), &failed), Decision::Sync(_)));
    }

    #[test]
    fn repeated_syncs_back_off_to_half_an_hour() {
        let secs = |n| pause_after(n).as_secs();
        assert_eq!([secs(0), secs(1), secs(2), secs(3)], [15, 15, 30, 60]);
        assert_eq!(secs(7), 960);
        assert_eq!(secs(8), 1_800, "15 × 128 s is past the cap");
        assert_eq!(secs(40), 1_800);
    }

    #[test]
    fn reasons_say_why() {
        let behind = Due::Behind {
            desired: "0123456789abcdef".into(),
        };
        assert_eq!(behind.reason(), "automated: Git moved to 0123456");
        assert_eq!(
            Due::Drifted { resources: 2 }.reason(),
            "self-heal: 2 resource(s) drifted from Git"
        );
    }
}
