//! Rolling an app back to a commit, with a reason, and pinning and unpinning it.
//!
//! - `revert` (the default): a new commit on the tracked branch restores the app's
//!   path to its content at the chosen commit, the reason in its message. A local
//!   branch moves only if it still points where it did; a remote repository gets the
//!   commit by push (`git` CLI), and when the push is rejected the clone is fetched
//!   back, so nothing is left half-done. Then the app is synced to that commit.
//! - `pin` (emergency): the manifests of the chosen commit are applied and the app is
//!   marked pinned in its ledger; `sync` and revert leave it alone until `unpin`.

use super::drift;
use super::ledger::{self, LedgerError};
use super::operation::{self, Record, Recorded};
use super::sync::{self, SyncOptions};
use super::target::{self, Cluster, Desired};
use crate::cluster::Connection;
use crate::config::Config;
use crate::diff::DiffMode;
use crate::error::{Classified, ErrorKind};
use crate::git::{self, RestoreRequest, Restored};
use crate::model::ledger::{LedgerEntry, Operation, pinned};
use crate::model::{AppName, CommitId, RepoSource};

/// How a rollback is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RollbackMode {
    /// A commit restoring the app's path, then a sync.
    Revert,
    /// Apply the old manifests and hold the app there.
    Pin,
}

/// Why a rollback, sync or unpin is refused before anything changes.
#[derive(Debug, thiserror::Error)]
pub enum RollbackError {
    #[error(
        "the repository of {app} has no branch to commit to (none configured, and HEAD is detached)"
    )]
    NoBranch { app: String },
    #[error("a rollback needs a reason")]
    NoReason,
    #[error("{app} is pinned to {revision} by {who} ({reason})")]
    Pinned {
        app: String,
        revision: String,
        who: String,
        reason: String,
    },
}

impl Classified for RollbackError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Pinned { .. } => ErrorKind::Cluster,
            _ => ErrorKind::Usage,
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            Self::NoBranch { .. } => "set `branch:` for the repo in driftdeck.yaml".into(),
            Self::NoReason => {
                "say why with --reason \"...\" (it goes into the commit and the ledger)".into()
            }
            Self::Pinned { app, .. } => {
                format!("`driftdeck unpin {app}` first, when the pin is no longer needed")
            }
        })
    }
}

/// Refuses when the app's ledger says it is pinned. A ledger that cannot be read
/// does not block (the operation's own ledger write will report it).
pub async fn ensure_not_pinned(
    connection: &Connection,
    app: &AppName,
) -> Result<(), RollbackError> {
    let Ok(entries) = ledger::read(connection, app).await else {
        return Ok(());
    };
    match pinned(&entries) {
        None => Ok(()),
        Some(pin) => Err(RollbackError::Pinned {
            app: app.to_string(),
            revision: short(&pin.revision).to_owned(),
            who: who(pin),
            reason: pin
                .reason
                .clone()
                .unwrap_or_else(|| "no reason given".into()),
        }),
    }
}

/// The commit message of a revert: the subject names app and target, the body
/// carries the operator's reason.
pub fn revert_message(app: &str, to: &CommitId, reason: &str) -> String {
    format!(
        "Roll back {app} to {}\n\n{}\n\nRestores {app}'s path to its content at {to}.\nWritten by driftdeck rollback.\n",
        to.short(),
        reason.trim()
    )
}

/// Writes the revert commit (and pushes it, for a remote repository). Returns the new
/// tip, or the current one when the path already had that content.
pub fn revert_commit(
    config: &Config,
    app_name: &str,
    to: &CommitId,
    reason: &str,
) -> Result<CommitId, Box<dyn Classified>> {
    fn boxed<E: Classified + 'static>(error: E) -> Box<dyn Classified> {
        Box::new(error)
    }
    let app = config.app(app_name).map_err(boxed)?;
    let spec = config.repo_of(app).map_err(boxed)?;
    let repo = git::open_source(spec).map_err(boxed)?;
    let branch = spec
        .branch
        .clone()
        .or_else(|| repo.head_branch())
        .ok_or_else(|| {
            boxed(RollbackError::NoBranch {
                app: app_name.to_owned(),
            })
        })?;
    let tip = repo
        .resolve(&format!("refs/heads/{branch}"))
        .map_err(boxed)?;
    let message = revert_message(app.name.as_str(), to, reason);
    let restored = repo
        .restore_path(&RestoreRequest {
            branch: &branch,
            path: &app.path,
            to,
            expected_tip: &tip,
            message: &message,
            identity: None,
        })
        .map_err(boxed)?;
    let commit = match restored {
        Restored::Committed(commit) => commit,
        Restored::Unchanged => return Ok(tip),
    };
    if let RepoSource::Url(url) = &spec.source
        && let Err(error) = repo.push("origin", &branch)
    {
        // The remote refused (it moved, or is protected): put the clone back to the
        // remote's state so the local commit does not linger.
        let _ = repo.fetch(url);
        return Err(boxed(error));
    }
    Ok(commit)
}

/// What a rollback did.
pub struct RolledBack {
    /// The revert commit (revert mode; the tip itself when the path already had
    /// the old content), `None` for a pin.
    pub commit: Option<CommitId>,
    pub recorded: Recorded,
}

/// Rolls the app back to `target` (its manifests at the chosen commit, as previewed)
/// on `cluster`. Revert commits first, then applies the manifests of the new commit;
/// pin applies `target`'s. Recorded in the ledger as a rollback or a pin.
pub async fn rollback(
    config: &Config,
    target: &Desired,
    cluster: &Cluster,
    mode: RollbackMode,
    reason: &str,
    options: &SyncOptions,
) -> Result<RolledBack, Box<dyn Classified>> {
    if reason.trim().is_empty() {
        return Err(Box::new(RollbackError::NoReason));
    }
    let record = Record {
        operation: match mode {
            RollbackMode::Revert => Operation::Rollback,
            RollbackMode::Pin => Operation::Pin,
        },
        reason: Some(reason.trim().to_owned()),
        restored: Some(target.commit.clone()),
    };
    match mode {
        RollbackMode::Pin => {
            let recorded = apply(target, cluster, options, record).await;
            Ok(RolledBack {
                commit: None,
                recorded,
            })
        }
        RollbackMode::Revert => {
            ensure_not_pinned(&cluster.connection, &target.app.name)
                .await
                .map_err(|e| Box::new(e) as Box<dyn Classified>)?;
            // Git work is synchronous (gix, the git CLI for a push): brief for a
            // local repository, a network round trip for a remote one.
            let app = target.app.name.as_str();
            let commit = revert_commit(config, app, &target.commit, reason)?;
            let desired = target::desired(config, app, Some(commit.as_str()))?;
            let recorded = apply(&desired, cluster, options, record).await;
            Ok(RolledBack {
                commit: Some(commit),
                recorded,
            })
        }
    }
}

/// Plans against what the cluster has (objects already matching are left alone) and
/// applies, recorded.
async fn apply(
    desired: &Desired,
    cluster: &Cluster,
    options: &SyncOptions,
    record: Record,
) -> Recorded {
    let drift = drift::drift(desired, cluster, DiffMode::ServerSide).await;
    let plan = sync::plan(
        &desired.app.name,
        &desired.manifests,
        &cluster.live,
        options,
        &drift.synced(),
    );
    operation::apply_recorded(desired, cluster, &plan, options, record).await
}

/// Lifts the pin of an app, recorded with `reason`. Returns the pin lifted, or `None`
/// when the app was not pinned (nothing is recorded then).
pub async fn unpin(
    connection: &Connection,
    app: &AppName,
    reason: Option<String>,
) -> Result<Option<LedgerEntry>, LedgerError> {
    let entries = ledger::read(connection, app).await?;
    let Some(pin) = pinned(&entries).cloned() else {
        return Ok(None);
    };
    operation::record_only(
        app,
        connection,
        Record {
            operation: Operation::Unpin,
            reason,
            restored: None,
        },
        pin.revision.clone(),
    )
    .await?;
    Ok(Some(pin))
}

fn who(entry: &LedgerEntry) -> String {
    match (entry.who.local_user.as_str(), entry.who.kube_user.as_str()) {
        ("", "") => "someone".into(),
        (local, "") => local.into(),
        ("", kube) => kube.into(),
        (local, kube) => format!("{local} ({kube})"),
    }
}

fn short(revision: &str) -> &str {
    revision.get(..7).unwrap_or(revision)
}
