//! Git history joined to deploy history: for each commit of an app's path, whether
//! it is Git's tip for the app, whether it runs now, whether it is newer than what
//! runs (not deployed yet), every operation that deployed it (when, who, why,
//! whether it worked), and which rollback took it back out.
//!
//! A ledger entry names the commit it deployed, which need not touch the app's path
//! (a sync at the branch's tip); it is placed on the newest commit of the path it
//! contains. The placing reads Git (`place`); the joining is pure (`mark`).

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Serialize;

use crate::git::GitRepo;
use crate::model::ledger::{Actor, LedgerEntry, Operation, Outcome};
use crate::model::{CommitId, CommitInfo};

/// A ledger entry placed on the app's path history.
#[derive(Clone, Debug)]
pub struct Placed<'a> {
    pub entry: &'a LedgerEntry,
    /// The newest commit of the path in what the entry deployed.
    pub commit: Option<CommitId>,
    /// For a rollback or pin: the newest commit of the path in what it restored.
    pub restored: Option<CommitId>,
}

/// One operation that deployed a commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeployMark {
    pub operation: Operation,
    /// When it finished (when it started, while running).
    pub at: Timestamp,
    pub who: Actor,
    pub succeeded: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The rollback (or pin) that took a deployed commit back out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RollbackMark {
    pub operation: Operation,
    pub at: Timestamp,
    pub who: Actor,
    /// The commit the app went back to.
    pub to: CommitId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A commit of the app's path with its deploy markers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Marked {
    #[serde(flatten)]
    pub commit: CommitInfo,
    /// The newest commit of the path on the tracked branch: what Git wants.
    pub head: bool,
    /// What runs now, by the ledger.
    pub live: bool,
    /// Newer than what runs: in Git, not deployed yet.
    pub pending: bool,
    /// Every operation that deployed this commit, oldest first.
    pub deploys: Vec<DeployMark>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rolled_back: Option<RollbackMark>,
}

/// Places each ledger entry on the path's history (see the module note). Entries
/// whose revision this repository does not have are left unplaced.
pub fn place<'a>(repo: &GitRepo, path: &str, entries: &'a [LedgerEntry]) -> Vec<Placed<'a>> {
    let mut cache: HashMap<String, Option<CommitId>> = HashMap::new();
    let mut newest_of = |revision: &str| {
        cache
            .entry(revision.to_owned())
            .or_insert_with(|| {
                let commit = repo.resolve(revision).ok()?;
                let history = repo.history(&commit, path, Some(1)).ok()?;
                history.into_iter().next().map(|c| c.id)
            })
            .clone()
    };
    entries
        .iter()
        .map(|entry| Placed {
            entry,
            commit: newest_of(&entry.revision),
            restored: entry.restored.as_deref().and_then(&mut newest_of),
        })
        .collect()
}

/// Joins the path's history (newest first) with the placed ledger (oldest first).
pub fn mark(commits: &[CommitInfo], placed: &[Placed<'_>]) -> Vec<Marked> {
    let index: HashMap<&CommitId, usize> = commits
        .iter()
        .enumerate()
        .map(|(i, c)| (&c.id, i))
        .collect();
    let position = |commit: &Option<CommitId>| commit.as_ref().and_then(|c| index.get(c).copied());
    let mut marked: Vec<Marked> = commits
        .iter()
        .enumerate()
        .map(|(i, commit)| Marked {
            commit: commit.clone(),
            head: i == 0,
            live: false,
            pending: false,
            deploys: Vec::new(),
            rolled_back: None,
        })
        .collect();
    // Walk the ledger in order, knowing at each step what ran before.
    let mut live: Option<usize> = None;
    for step in placed {
        let entry = step.entry;
        if !entry.operation.deploys() || entry.outcome == Outcome::Running {
            continue;
        }
        let Some(at) = position(&step.commit) else {
            continue;
        };
        let succeeded = entry.outcome == Outcome::Succeeded;
        marked[at].deploys.push(DeployMark {
            operation: entry.operation,
            at: entry.finished.unwrap_or(entry.started),
            who: entry.who.clone(),
            succeeded,
            reason: entry.reason.clone(),
        });
        if !succeeded {
            continue;
        }
        // Deployed (again): whatever rollback took it out before no longer holds.
        marked[at].rolled_back = None;
        if let (Some(restored), Some(before)) = (position(&step.restored), live) {
            // Commits newer than the one restored, up to what ran before, were
            // rolled back (the revert commit itself sits above them all).
            for rolled in marked.iter_mut().take(restored).skip(before) {
                rolled.rolled_back = Some(RollbackMark {
                    operation: entry.operation,
                    at: entry.finished.unwrap_or(entry.started),
                    who: entry.who.clone(),
                    to: commits[restored].id.clone(),
                    reason: entry.reason.clone(),
                });
            }
        }
        live = Some(at);
    }
    if let Some(live) = live {
        marked[live].live = true;
        for newer in marked.iter_mut().take(live) {
            newer.pending = true;
        }
    }
    marked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(id: &str) -> CommitInfo {
        CommitInfo {
            id: CommitId::new(id),
            author_name: "Ada".into(),
            author_email: "ada@example.com".into(),
            author_time: Timestamp::UNIX_EPOCH,
            subject: id.into(),
        }
    }

    fn entry(
        operation: Operation,
        revision: &str,
        outcome: Outcome,
        restored: Option<&str>,
    ) -> LedgerEntry {
        LedgerEntry {
            id: revision.into(),
            operation,
            revision: revision.into(),
            who: Actor::default(),
            reason: Some(format!("{operation:?} {revision}")),
            restored: restored.map(Into::into),
            started: Timestamp::UNIX_EPOCH,
            finished: None,
            outcome,
            resources: Vec::new(),
        }
    }

    fn placed(entries: &[LedgerEntry]) -> Vec<Placed<'_>> {
        entries
            .iter()
            .map(|entry| Placed {
                entry,
                commit: Some(CommitId::new(entry.revision.clone())),
                restored: entry.restored.clone().map(CommitId::new),
            })
            .collect()
    }

    #[test]
    fn live_pending_deployed_and_rolled_back() {
        // Newest first: r (revert of c3, c2 back to c1), c3, c2, c1.
        let commits: Vec<CommitInfo> = ["r", "c3", "c2", "c1"].into_iter().map(commit).collect();
        let failed = Outcome::Failed {
            message: "x".into(),
        };
        let entries = vec![
            entry(Operation::Sync, "c1", Outcome::Succeeded, None),
            entry(Operation::Sync, "c2", Outcome::Succeeded, None),
            entry(Operation::Sync, "c3", failed, None),
            entry(Operation::Sync, "c3", Outcome::Succeeded, None),
            entry(Operation::Rollback, "r", Outcome::Succeeded, Some("c1")),
        ];
        let marked = mark(&commits, &placed(&entries));
        let by = |id: &str| marked.iter().find(|m| m.commit.id.as_str() == id).unwrap();
        assert!(by("r").head && by("r").live && !by("r").pending);
        assert_eq!(by("c3").deploys.len(), 2, "a failed and a good sync");
        assert!(!by("c3").deploys[0].succeeded && by("c3").deploys[1].succeeded);
        for rolled in ["c3", "c2"] {
            let mark = by(rolled).rolled_back.as_ref().expect("rolled back");
            assert_eq!(mark.to.as_str(), "c1");
            assert_eq!(mark.operation, Operation::Rollback);
        }
        assert!(by("c1").rolled_back.is_none() && !by("c1").live);
        assert!(marked.iter().all(|m| !m.pending));
    }

    #[test]
    fn a_pin_rolls_back_and_newer_commits_are_pending() {
        let commits: Vec<CommitInfo> = ["c4", "c3", "c2", "c1"].into_iter().map(commit).collect();
        let entries = vec![
            entry(Operation::Sync, "c3", Outcome::Succeeded, None),
            entry(Operation::Pin, "c2", Outcome::Succeeded, Some("c2")),
            entry(Operation::Unpin, "c2", Outcome::Succeeded, None),
        ];
        let marked = mark(&commits, &placed(&entries));
        assert!(marked[0].head && marked[0].pending && marked[0].deploys.is_empty());
        assert!(
            marked[1].pending,
            "c3 was rolled back: newer than what runs"
        );
        assert_eq!(
            marked[1].rolled_back.as_ref().map(|r| r.operation),
            Some(Operation::Pin)
        );
        assert!(marked[2].live && !marked[2].pending);
        assert!(!marked[3].live && !marked[3].pending);
        // Pinned to a commit a rollback had taken out: live, not rolled back.
        let mut repinned = entries.clone();
        repinned.push(entry(Operation::Pin, "c3", Outcome::Succeeded, Some("c3")));
        let marked = mark(&commits, &placed(&repinned));
        assert!(marked[1].live && marked[1].rolled_back.is_none());
        // Deployed again: no longer rolled back.
        let mut again = entries.clone();
        again.push(entry(Operation::Sync, "c3", Outcome::Succeeded, None));
        let marked = mark(&commits, &placed(&again));
        assert!(marked[1].live && marked[1].rolled_back.is_none());
    }

    #[test]
    fn without_a_ledger_only_head_is_marked() {
        let commits: Vec<CommitInfo> = ["c2", "c1"].into_iter().map(commit).collect();
        let marked = mark(&commits, &[]);
        assert!(marked[0].head && !marked[0].live && !marked[0].pending);
        assert!(!marked[1].head);
    }
}
