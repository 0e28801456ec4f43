//! Rolling an app back to a commit, with a reason, and pinning and unpinning it.
//!
//! - `revert` (the default): a new commit on the tracked branch restores the app's
//!   path to its content at the chosen commit, the reason in its message. A local
//!   branch moves only if it still points where it did; a remote repository gets the
//!   commit by push (`git` CLI), and when the push is rejected the clone is fetched
//!   back, so nothing is left half-done. Then the app is synced to that commit.
//! - `pin` (emergency): the manifests of the chosen commit are applied and the app is
//!   marked pinned in its ledger; `sync` and revert leave it alone until `unpin`.

use super::ledger::{self, LedgerError};
use super::operation::{self, Record, Recorded};
use super::sync::{self, SyncOptions};
use super::target::{self, Cluster, Desired};
use crate::cluster::Connection;
use crate::config::Config;
use crate::error::{Classified, ErrorKind, boxed};
use crate::git::{self, RestoreRequest, Restored};
use crate::model::ledger::{LedgerEntry, Operation, pinned};
use crate::model::{AppName, CommitId, RepoSource, RepoSpec};

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
    #[error("cannot tell whether {app} is pinned: its ledger cannot be read: {message}")]
    LedgerUnreadable { app: String, message: String },
    #[error("the revert commit {commit} is in Git, but it was not applied: {message}")]
    NotApplied { commit: String, message: String },
    #[error("{app} was {} but is NOT pinned: the ledger could not be written: {message}", if *.applied { "rolled back" } else { "not changed" })]
    PinNotRecorded {
        app: String,
        applied: bool,
        message: String,
    },
}

impl Classified for RollbackError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::LedgerUnreadable { .. }
            | Self::NotApplied { .. }
            | Self::PinNotRecorded { .. } => ErrorKind::Cluster,
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
            Self::LedgerUnreadable { .. } => {
                "a pin lives in the ledger ConfigMap in driftdeck-system: allow reading it (get configmaps there)".into()
            }
            Self::NotApplied { .. } => "fix the cause, then `driftdeck sync APP` applies it".into(),
            Self::PinNotRecorded { .. } => {
                "allow writing ConfigMaps in driftdeck-system, then run the pin again (not a sync: that would apply Git's tip)".into()
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

/// A rollback ready to preview and run: what comes back, and exactly the manifests
/// that will be applied.
pub struct Prepared {
    pub mode: RollbackMode,
    /// The commit whose content comes back.
    pub to: CommitId,
    /// Revert: the branch committed to, and its tip when prepared (the commit is
    /// refused if the branch moves before it is made).
    pub branch: Option<(String, CommitId)>,
    /// Pin: the manifests at `to`. Revert: the manifests of the tip with the app's
    /// path restored (rendered from a preview commit on no branch), which differ
    /// from `to`'s when the app also renders from outside its path (kustomize
    /// bases, Helm values elsewhere).
    pub desired: Desired,
}

/// Renders what a rollback of `app_name` to `rev` would apply.
pub fn prepare(
    config: &Config,
    app_name: &str,
    rev: &str,
    mode: RollbackMode,
) -> Result<Prepared, Box<dyn Classified>> {
    let app = config.app(app_name).map_err(boxed)?;
    let spec = config.repo_of(app).map_err(boxed)?;
    let repo = git::open_source(spec).map_err(boxed)?;
    let to = repo.resolve(rev).map_err(boxed)?;
    match mode {
        RollbackMode::Pin => Ok(Prepared {
            mode,
            desired: target::desired(config, app_name, Some(to.as_str()))?,
            to,
            branch: None,
        }),
        RollbackMode::Revert => {
            let branch = tracked_branch(spec, &repo, app_name)?;
            let preview = repo
                .preview_restore(&branch, &app.path, &to)
                .map_err(boxed)?;
            let applied = preview.commit.as_ref().unwrap_or(&preview.tip);
            let desired = target::desired(config, app_name, Some(applied.as_str()))?;
            Ok(Prepared {
                mode,
                to,
                branch: Some((branch, preview.tip)),
                desired,
            })
        }
    }
}

/// The branch a revert commits to: the configured one, else the one `HEAD` names.
fn tracked_branch(
    spec: &crate::model::RepoSpec,
    repo: &git::GitRepo,
    app_name: &str,
) -> Result<String, Box<dyn Classified>> {
    spec.branch
        .clone()
        .or_else(|| repo.head_branch())
        .ok_or_else(|| {
            Box::new(RollbackError::NoBranch {
                app: app_name.to_owned(),
            }) as Box<dyn Classified>
        })
}

/// What the Git half of a revert did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reverted {
    /// A new commit on `branch`; `pushed` for a remote repository. `kept` names files
    /// of a checked-out branch changed on disk meanwhile, left as they were.
    Committed {
        commit: CommitId,
        branch: String,
        pushed: bool,
        kept: Vec<String>,
    },
    /// The path already has that content at the tip: nothing was committed.
    AlreadyThere { tip: CommitId },
}

impl Reverted {
    /// The commit the app is synced to.
    pub fn commit(&self) -> &CommitId {
        match self {
            Self::Committed { commit, .. } => commit,
            Self::AlreadyThere { tip } => tip,
        }
    }
}

/// Writes the revert commit on `branch`, refused when it no longer points at
/// `expected_tip` (and pushes it, for a remote repository).
pub fn revert_commit(
    config: &Config,
    app_name: &str,
    to: &CommitId,
    (branch, expected_tip): (&str, &CommitId),
    reason: &str,
) -> Result<Reverted, Box<dyn Classified>> {
    let app = config.app(app_name).map_err(boxed)?;
    let spec = config.repo_of(app).map_err(boxed)?;
    let message = revert_message(app.name.as_str(), to, reason);
    commit_and_push(spec, &app.path, to, (branch, expected_tip), &message)
}

/// Commits on `branch` of the repository `spec` declares `path` restored as it was
/// at `to`, refused when the branch no longer points at `expected_tip`, and pushes
/// the commit for a remote repository (a refused push leaves the clone as the
/// remote is).
pub fn commit_and_push(
    spec: &RepoSpec,
    path: &str,
    to: &CommitId,
    (branch, expected_tip): (&str, &CommitId),
    message: &str,
) -> Result<Reverted, Box<dyn Classified>> {
    let repo = git::open_source(spec).map_err(boxed)?;
    let branch = branch.to_owned();
    let restored = repo
        .restore_path(&RestoreRequest {
            branch: &branch,
            path,
            to,
            expected_tip,
            message,
            identity: None,
        })
        .map_err(boxed)?;
    let (commit, kept) = match restored {
        Restored::Committed { commit, kept } => (commit, kept),
        Restored::Unchanged => {
            return Ok(Reverted::AlreadyThere {
                tip: expected_tip.clone(),
            });
        }
    };
    let remote = match &spec.source {
        RepoSource::Url(url) => Some(url),
        RepoSource::Path(_) => None,
    };
    if let Some(url) = remote
        && let Err(error) = repo.push_commit("origin", &commit, &branch)
    {
        // The remote refused (it moved, or is protected) or could not be reached:
        // put the clone back to the remote's state so the local commit does not
        // linger.
        return Err(match repo.fetch(url) {
            Ok(()) => boxed(error),
            Err(fetch) => boxed(PushUndone {
                push: error,
                fetch: fetch.to_string(),
            }),
        });
    }
    Ok(Reverted::Committed {
        commit,
        branch,
        pushed: remote.is_some(),
        kept,
    })
}

/// A push failed and the clone could not be put back either.
#[derive(Debug, thiserror::Error)]
#[error(
    "{push}; and the local clone could not be reset to the remote ({fetch}): it keeps the unpushed commit until the next fetch"
)]
struct PushUndone {
    push: git::GitError,
    fetch: String,
}

impl Classified for PushUndone {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Git
    }

    fn hint(&self) -> Option<String> {
        Some("the remote is unchanged; driftdeck fetches again on its next use of the repo".into())
    }
}

/// What a rollback did.
pub struct RolledBack {
    /// What the revert did in Git; `None` for a pin.
    pub reverted: Option<Reverted>,
    pub recorded: Recorded,
}

/// Runs a prepared rollback on `cluster`. Revert commits first, then applies the
/// manifests of the new commit (those previewed, unless the branch moved, which
/// refuses the commit); pin applies the old commit's. Recorded in the ledger as a
/// rollback or a pin.
pub async fn rollback(
    config: &Config,
    prepared: &Prepared,
    cluster: &Cluster,
    reason: &str,
    options: &SyncOptions,
) -> Result<RolledBack, Box<dyn Classified>> {
    let (mode, target) = (prepared.mode, &prepared.desired);
    let reason = &clean_reason(reason);
    if reason.is_empty() {
        return Err(Box::new(RollbackError::NoReason));
    }
    let record = Record {
        operation: match mode {
            RollbackMode::Revert => Operation::Rollback,
            RollbackMode::Pin => Operation::Pin,
        },
        reason: Some(reason.clone()),
        restored: Some(prepared.to.clone()),
        ledger_required: mode == RollbackMode::Pin,
    };
    match mode {
        RollbackMode::Pin => {
            let recorded = apply(target, cluster, options, record).await;
            if let Some(error) = &recorded.ledger_error {
                return Err(Box::new(RollbackError::PinNotRecorded {
                    app: target.app.name.to_string(),
                    applied: !recorded.report.touched().is_empty(),
                    message: error.to_string(),
                }));
            }
            Ok(RolledBack {
                reverted: None,
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
            let Some((branch, tip)) = &prepared.branch else {
                return Err(Box::new(RollbackError::NoBranch { app: app.into() }));
            };
            let reverted = revert_commit(config, app, &prepared.to, (branch, tip), reason)?;
            let commit = reverted.commit();
            let desired = target::desired(config, app, Some(commit.as_str())).map_err(|e| {
                Box::new(RollbackError::NotApplied {
                    commit: commit.short().to_owned(),
                    message: e.to_string(),
                }) as Box<dyn Classified>
            })?;
            let recorded = apply(&desired, cluster, options, record).await;
            Ok(RolledBack {
                reverted: Some(reverted),
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
    let plan = sync::plan_against(desired, cluster, options).await;
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
            reason: reason.map(|r| clean_reason(&r)).filter(|r| !r.is_empty()),
            restored: None,
            ledger_required: true,
        },
        pin.revision.clone(),
    )
    .await?;
    Ok(Some(pin))
}

/// The reason as it goes into Git and the ledger: trimmed, without control
/// characters or bidirectional overrides (a newline stays; a tab becomes a space),
/// so no later reader's terminal can be steered by it.
pub fn clean_reason(reason: &str) -> String {
    let kept: String = reason
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .filter(|c| *c == '\n' || !crate::model::text::is_unsafe(*c))
        .collect();
    kept.trim().to_owned()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_lose_what_could_steer_a_terminal() {
        assert_eq!(
            clean_reason("  bad \u{1b}[31mrelease\tnow\u{202e}\nINC-42 \u{7} "),
            "bad [31mrelease now\nINC-42"
        );
        assert_eq!(clean_reason(" \u{1b} "), "");
    }

    #[test]
    fn the_revert_message_names_app_target_and_reason() {
        let to = CommitId::new("e712bf66e3d8449a684802582ecdc8a17245c348");
        let message = revert_message("shop", &to, "v3 breaks checkout");
        assert!(message.starts_with("Roll back shop to e712bf6\n\nv3 breaks checkout\n"));
        assert!(message.contains(to.as_str()));
    }
}
