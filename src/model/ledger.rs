//! The ledger's words: one entry per operation driftdeck performs on an app (sync,
//! rollback, pin, unpin), with who, why, when, the revision and the outcome. The
//! entries are kept in the cluster (see `engine::ledger`); these are the values.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Sync,
    Rollback,
    Pin,
    Unpin,
    /// Automation (auto-sync, self-heal) stopped for the app until resumed.
    Suspend,
    Resume,
    /// An Argo CD sync as a dry run: nothing applied.
    DryRun,
    /// An Argo CD refresh asked for.
    Refresh,
    /// An Argo CD operation stopped.
    Terminate,
    /// An operation a newer driftdeck wrote: kept, shown, never counted as a deploy.
    #[serde(other)]
    Other,
}

impl Operation {
    /// Whether the operation puts a revision live (an unpin, a suspend or a resume
    /// changes no object).
    pub fn deploys(self) -> bool {
        matches!(self, Self::Sync | Self::Rollback | Self::Pin)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sync => "sync",
            Self::Rollback => "rollback",
            Self::Pin => "pin",
            Self::Unpin => "unpin",
            Self::Suspend => "suspend",
            Self::Resume => "resume",
            Self::DryRun => "dry run",
            Self::Refresh => "refresh",
            Self::Terminate => "terminate",
            Self::Other => "other",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum Outcome {
    Running,
    Succeeded,
    Failed {
        message: String,
    },
    /// The engine did not answer within the wait: what was sent stands, and it may
    /// still take effect (an Argo CD or Flux action).
    TimedOut {
        message: String,
    },
}

impl Outcome {
    /// `running`, `succeeded`, `failed`, `timed out`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed { .. } => "failed",
            Self::TimedOut { .. } => "timed out",
        }
    }

    /// What went wrong, for an outcome that is not a success.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Failed { message } | Self::TimedOut { message } => Some(message),
            Self::Running | Self::Succeeded => None,
        }
    }
}

/// Who ran an operation: the kubeconfig user of the context and the local user.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    pub kube_user: String,
    pub local_user: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    pub id: String,
    pub operation: Operation,
    /// The commit the operation deployed (full id).
    pub revision: String,
    pub who: Actor,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For a rollback or a pin: the commit whose content was brought back (the
    /// commits after it, up to what ran before, were rolled back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restored: Option<String>,
    pub started: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<Timestamp>,
    pub outcome: Outcome,
    /// The resources touched, as `group/kind/namespace/name`.
    #[serde(default)]
    pub resources: Vec<String>,
}

/// The revision an app runs, according to its ledger: the revision of the latest
/// successful sync, rollback or pin (an unpin, suspend or resume deploys nothing).
pub fn live_revision(entries: &[LedgerEntry]) -> Option<&str> {
    entries
        .iter()
        .rev()
        .find(|e| e.outcome == Outcome::Succeeded && e.operation.deploys())
        .map(|e| e.revision.as_str())
}

/// Whether the app's automation is suspended: a successful suspend not followed
/// by a successful resume.
pub fn suspended(entries: &[LedgerEntry]) -> Option<&LedgerEntry> {
    let last = entries.iter().rev().find(|e| {
        e.outcome == Outcome::Succeeded
            && matches!(e.operation, Operation::Suspend | Operation::Resume)
    })?;
    (last.operation == Operation::Suspend).then_some(last)
}

/// Whether the app is pinned: a successful pin not followed by a successful unpin.
pub fn pinned(entries: &[LedgerEntry]) -> Option<&LedgerEntry> {
    let last = entries.iter().rev().find(|e| {
        e.outcome == Outcome::Succeeded && matches!(e.operation, Operation::Pin | Operation::Unpin)
    })?;
    (last.operation == Operation::Pin).then_some(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(operation: Operation, revision: &str, outcome: Outcome) -> LedgerEntry {
        LedgerEntry {
            id: revision.into(),
            operation,
            revision: revision.into(),
            who: Actor::default(),
            reason: None,
            restored: None,
            started: Timestamp::UNIX_EPOCH,
            finished: None,
            outcome,
            resources: Vec::new(),
        }
    }

    #[test]
    fn live_revision_is_the_last_success() {
        let failed = Outcome::Failed {
            message: "x".into(),
        };
        let entries = vec![
            entry(Operation::Sync, "a", Outcome::Succeeded),
            entry(Operation::Sync, "b", failed),
            entry(Operation::Pin, "c", Outcome::Succeeded),
            entry(Operation::Unpin, "c", Outcome::Succeeded),
        ];
        assert_eq!(live_revision(&entries), Some("c"));
        assert!(pinned(&entries).is_none());
        assert!(suspended(&entries).is_none());
        let mut paused = entries.clone();
        paused.push(entry(Operation::Suspend, "c", Outcome::Succeeded));
        assert_eq!(live_revision(&paused), Some("c"));
        assert!(suspended(&paused).is_some());
        paused.push(entry(Operation::Resume, "c", Outcome::Succeeded));
        assert!(suspended(&paused).is_none());
        assert_eq!(
            pinned(&entries[..3]).map(|e| e.revision.as_str()),
            Some("c")
        );
        let json = serde_json::to_value(&entries[1]).unwrap();
        assert_eq!(json["outcome"]["state"], "failed");
        assert_eq!(json["operation"], "sync");
    }
}
