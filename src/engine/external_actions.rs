//! Actions on Argo CD and Flux apps through the Kubernetes API: the objects are read
//! fresh, `integrations::actions::plan` says what to patch and what to wait for, and
//! this module sends the merge patches and waits, recording the action in
//! driftdeck's ledger (Running first, then how it ended) like every native action.

use std::time::Duration;

use jiff::Timestamp;
use serde_json::Value;

use super::external_revert::{self, Located};
use super::external_waits::{Stopped, await_operation, await_reconcile};
use super::ledger::{self, LedgerError};
use super::operation::local_user;
use crate::cluster::{self, Catalog, ClusterError, Connection};
use crate::error::{Classified, ErrorKind};
use crate::integrations::actions::{self, Ask, Objects, Plan, Request, Step};
use crate::integrations::{AppKind, Engine, ExternalApp, MappingError, argocd, flux};
use crate::model::ledger::{Actor, LedgerEntry, Outcome};
use crate::model::{AppName, CommitId, RepoSpec, ResourceKey};

/// The field manager of driftdeck's patches.
const MANAGER: &str = "driftdeck";

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error("context {context} does not serve {kind}")]
    NotServed { context: String, kind: String },
    #[error("{key} does not exist in context {context}")]
    Gone { context: String, key: String },
    #[error(transparent)]
    Mapping(#[from] MappingError),
    /// The action makes no sense now (already suspended, an operation running, …).
    #[error("{0}")]
    Refused(String),
    /// Sent, and it failed (a patch refused, the engine reported a failure, a wait
    /// timed out).
    #[error("{0}")]
    Failed(String),
}

impl Classified for ActionError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Cluster(error) => error.kind(),
            Self::NotServed { .. } => ErrorKind::Cluster,
            Self::Gone { .. } => ErrorKind::NotFound,
            Self::Mapping(_) => ErrorKind::InvalidManifest,
            Self::Refused(_) => ErrorKind::Usage,
            Self::Failed(_) => ErrorKind::Cluster,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            Self::Cluster(error) => error.hint(),
            Self::NotServed { .. } => {
                Some("the engine's CRDs are not installed there (`kubectl api-resources`)".into())
            }
            _ => None,
        }
    }
}

/// The name of an external app's ledger in its cluster: `argocd.NS.NAME`,
/// `flux-ks.NS.NAME` or `flux-hr.NS.NAME` (native app names are DNS labels, so
/// they never contain a dot and never clash with these).
pub fn ledger_name(app: &ExternalApp) -> AppName {
    let kind = match app.kind {
        AppKind::Application => "argocd",
        AppKind::Kustomization => "flux-ks",
        AppKind::HelmRelease => "flux-hr",
    };
    AppName::new(format!("{kind}.{}.{}", app.namespace, app.name))
}

/// An action planned on objects just read.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub app: ExternalApp,
    pub plan: Plan,
    pub context: String,
    /// Why, as the user said it (the ledger keeps it; Argo CD's `info` too).
    pub reason: Option<String>,
    /// The app object's `metadata.resourceVersion` when it was read.
    pub resource_version: Option<String>,
    /// A rollback by a revert commit: where the commit goes.
    pub revert: Option<Located>,
}

impl Prepared {
    /// `ask` as planned: a revert carries the branch's tip it was planned on, so that
    /// running it later refuses if the branch moved meanwhile.
    pub fn planned_ask(&self, ask: &Ask) -> Ask {
        match (ask, &self.revert) {
            (Ask::Revert { to, .. }, Some(located)) => Ask::Revert {
                to: to.clone(),
                tip: Some(located.tip.to_string()),
            },
            _ => ask.clone(),
        }
    }

    /// The confirmation's lines: where, what protects it, the warnings, each patch.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![
            format!(
                "context {} · namespace {} · {} {}",
                self.context,
                self.app.namespace,
                self.app.kind.label(),
                self.app.name
            ),
            match self.app.engine() {
                _ if self.revert.is_some() => {
                    "protected by your rights on the Git remote (the push) and Kubernetes RBAC \
                     (the patches below)"
                }
                Engine::ArgoCd => {
                    "protected by Kubernetes RBAC only (patch on the objects below); Argo CD's \
                     own RBAC (projects, roles) is not consulted on this path"
                }
                Engine::Flux => {
                    "protected by Kubernetes RBAC only (patch on the objects below); Flux then \
                     applies with its own service account, as on any reconcile"
                }
            }
            .into(),
        ];
        lines.extend(self.plan.warnings.iter().map(|w| format!("warning: {w}")));
        for step in &self.plan.steps {
            lines.push(match step {
                Step::Patch { target, what, .. } => {
                    format!(
                        "patch {} {}/{}: {what}",
                        target.kind, target.namespace, target.name
                    )
                }
                Step::AwaitReconcile { target, .. } => format!(
                    "wait until {}/{} has handled the request",
                    target.kind, target.name
                ),
                Step::AwaitOperation { .. } => "wait until Argo CD has run the operation".into(),
                Step::Commit(revert) => match &self.revert {
                    Some(at) => format!(
                        "commit on {} of {} (now {}): {} restored as it was at {}, the reason \
                         in the message, author from your Git config; push it (fast-forward \
                         only: refused if {} moved)",
                        at.branch,
                        at.shown,
                        at.tip.short(),
                        at.path,
                        at.to.short(),
                        at.branch
                    ),
                    None => format!("commit on {} of {}", revert.branch, revert.url),
                },
                Step::AwaitCommit {
                    target,
                    commit: None,
                    ..
                } => format!(
                    "wait until {}/{} has handled the request and has the new commit",
                    target.kind, target.name
                ),
                Step::AwaitCommit {
                    target,
                    commit: Some(commit),
                    ..
                } => format!(
                    "wait until {}/{} has handled the request and is built from {}",
                    target.kind,
                    target.name,
                    commit.get(..7).unwrap_or(commit)
                ),
            });
        }
        lines
    }
}

/// The engine kind of an app's key.
fn kind_of(app: &ResourceKey) -> AppKind {
    match app.kind.as_str() {
        "Application" => AppKind::Application,
        "Kustomization" => AppKind::Kustomization,
        _ => AppKind::HelmRelease,
    }
}

/// Reads the app (and a Flux app's source) and plans `ask` on it.
pub async fn prepare(
    connection: &Connection,
    catalog: &Catalog,
    app: &ResourceKey,
    ask: &Ask,
    reason: Option<String>,
    repos: &[RepoSpec],
) -> Result<Prepared, ActionError> {
    let object = fetch(connection, catalog, app).await?;
    let kind = kind_of(app);
    let alone = map(kind, &object, None)?;
    let source_key = alone.source.as_ref().and_then(|s| s.object.clone());
    let source = match &source_key {
        Some(key) => Some(fetch(connection, catalog, key).await?),
        None => None,
    };
    let mapped = match &source {
        Some(source) => map(kind, &object, Some(source))?,
        None => alone,
    };
    let request = Request {
        user: connection.user.clone(),
        reason: reason.clone(),
        at: Timestamp::now(),
    };
    // A source pinned by another app's rollback may be unpinned from here only
    // when that app is gone, or no longer built from the source.
    let pinner = mapped
        .source
        .as_ref()
        .and_then(|s| s.pinned_by.as_deref())
        .and_then(actions::pinner_key)
        .filter(|pinner| *pinner != mapped.key());
    let pinner_gone = match pinner {
        Some(pinner) if matches!(ask, Ask::Unpin) => {
            match fetch(connection, catalog, &pinner).await {
                Ok(object) => {
                    let builds_from = map(kind_of(&pinner), &object, None)
                        .ok()
                        .and_then(|app| app.source.and_then(|s| s.object));
                    builds_from != source_key
                }
                Err(ActionError::Gone { .. } | ActionError::NotServed { .. }) => true,
                Err(other) => return Err(other),
            }
        }
        _ => false,
    };
    let objects = Objects {
        app: &object,
        source: source.as_ref(),
        pinner_gone,
    };
    let plan = actions::plan(&mapped, &objects, ask, &request).map_err(ActionError::Refused)?;
    let revert = match plan.steps.iter().find_map(|step| match step {
        Step::Commit(revert) => Some(revert.clone()),
        _ => None,
    }) {
        Some(revert) => {
            let repos = repos.to_vec();
            let located =
                tokio::task::spawn_blocking(move || external_revert::locate(&repos, &revert))
                    .await
                    .map_err(|e| ActionError::Refused(format!("the Git preview stopped: {e}")))?;
            let located = located.map_err(ActionError::Refused)?;
            // Planned again at Enter: the branch must be where the person saw it.
            if let Ask::Revert {
                tip: Some(seen), ..
            } = ask
                && located.tip.as_str() != seen
            {
                return Err(ActionError::Refused(format!(
                    "{} moved since the plan was shown (it was {}, it is {} now): look at the \
                     plan again",
                    located.branch,
                    seen.get(..7).unwrap_or(seen),
                    located.tip.short()
                )));
            }
            Some(located)
        }
        None => None,
    };
    Ok(Prepared {
        revert,
        app: mapped,
        plan,
        context: connection.context.clone(),
        reason,
        resource_version: object
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

fn map(kind: AppKind, object: &Value, source: Option<&Value>) -> Result<ExternalApp, MappingError> {
    match kind {
        AppKind::Application => argocd::from_application(object),
        AppKind::Kustomization => flux::from_kustomization(object, source),
        AppKind::HelmRelease => flux::from_helm_release(object, source),
    }
}

pub(super) async fn fetch(
    connection: &Connection,
    catalog: &Catalog,
    key: &ResourceKey,
) -> Result<Value, ActionError> {
    let served = served(connection, catalog, key)?;
    cluster::get(connection, served, Some(&key.namespace), &key.name)
        .await?
        .ok_or_else(|| ActionError::Gone {
            context: connection.context.clone(),
            key: format!("{}/{}/{}", key.kind, key.namespace, key.name),
        })
}

fn served<'a>(
    connection: &Connection,
    catalog: &'a Catalog,
    key: &ResourceKey,
) -> Result<&'a cluster::Served, ActionError> {
    catalog
        .get(&key.group, &key.kind)
        .ok_or_else(|| ActionError::NotServed {
            context: connection.context.clone(),
            kind: format!("{}.{}", key.kind, key.group),
        })
}

/// How long to wait for the engine's controller, and how often to look.
#[derive(Clone, Copy, Debug)]
pub struct Waits {
    pub timeout: Duration,
    pub every: Duration,
}

impl Default for Waits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(120),
            every: Duration::from_secs(1),
        }
    }
}

/// What an action did: its summary or why it failed, and whether the ledger kept up.
#[derive(Debug)]
pub struct Executed {
    pub result: Result<String, String>,
    pub ledger_error: Option<LedgerError>,
}

/// Sends the plan's patches in order and waits where it says; stops at the first
/// failure. The ledger entry is written before the first patch and updated after.
pub async fn execute(
    connection: &Connection,
    catalog: &Catalog,
    prepared: &Prepared,
    waits: Waits,
) -> Executed {
    let ledger_app = ledger_name(&prepared.app);
    let started = Timestamp::now();
    let plan = &prepared.plan;
    let mut entry = LedgerEntry {
        id: format!(
            "{}-{}",
            started.as_millisecond(),
            plan.ledger.name().replace(' ', "-")
        ),
        operation: plan.ledger,
        revision: plan.revision.clone(),
        who: Actor {
            kube_user: connection.user.clone(),
            local_user: local_user(),
        },
        reason: prepared.reason.clone(),
        restored: plan.restored.clone(),
        started,
        finished: None,
        outcome: Outcome::Running,
        resources: plan
            .patched()
            .iter()
            .map(|k| format!("{}/{}/{}/{}", k.group, k.kind, k.namespace, k.name))
            .collect(),
    };
    let appended = ledger::append(connection, &ledger_app, entry.clone()).await;
    let mut progress = Progress::default();
    let result = run_steps(connection, catalog, prepared, waits, &mut progress).await;
    // What Argo CD resolved and synced rather than what it targeted before; the
    // commit a revert wrote, even when a wait after it failed.
    if let Some(revision) = progress.deployed.filter(|r| !r.is_empty()) {
        entry.revision = revision;
    }
    let timed_out = matches!(result, Err(Stopped::TimedOut(_)));
    let result = result.map_err(|stopped| stopped.message().to_owned());
    let result = match (result, &progress.written) {
        (Ok(()), written) => {
            let mut summary = plan.title.clone();
            if let Some(commit) = written {
                summary.push_str(&format!(": {} pushed", commit.short()));
            }
            if let Some(last) = progress.said.last() {
                summary.push_str(": ");
                summary.push_str(last);
            }
            if let Some(checkout) = prepared.revert.as_ref().and_then(|r| r.checkout.as_ref()) {
                summary.push_str(&format!(
                    " (pull in {} to have it there)",
                    checkout.display()
                ));
            }
            Ok(summary)
        }
        (Err(failure), Some(commit)) => Err(format!(
            "the revert commit {} is pushed, but {failure}: Flux applies it at its next \
             interval, or when reconciled",
            commit.short()
        )),
        (Err(failure), None) => Err(failure),
    };
    entry.finished = Some(Timestamp::now());
    entry.outcome = match &result {
        Ok(_) => Outcome::Succeeded,
        Err(message) if timed_out => Outcome::TimedOut {
            message: message.clone(),
        },
        Err(message) => Outcome::Failed {
            message: message.clone(),
        },
    };
    let ledger_error = match appended {
        Err(error) => Some(error),
        Ok(()) => ledger::update(connection, &ledger_app, entry).await.err(),
    };
    Executed {
        result,
        ledger_error,
    }
}

/// What running a plan has done so far.
#[derive(Default)]
struct Progress {
    /// What each wait said.
    said: Vec<String>,
    /// What Argo CD synced, or the commit a revert wrote: the ledger's revision.
    deployed: Option<String>,
    /// The commit a revert wrote and pushed.
    written: Option<CommitId>,
}

async fn run_steps(
    connection: &Connection,
    catalog: &Catalog,
    prepared: &Prepared,
    waits: Waits,
    progress: &mut Progress,
) -> Result<(), Stopped> {
    let mut patched: Vec<&ResourceKey> = Vec::new();
    for step in &prepared.plan.steps {
        match step {
            Step::Patch { target, body, .. } => {
                let served = served(connection, catalog, target).map_err(|e| e.to_string())?;
                // The first patch of an Argo CD Application carries the version it
                // was planned on: if the controller started an operation (or ended
                // one) meanwhile, the API server refuses it (409) rather than
                // mixing our operation into another.
                let mut body = body.clone();
                let guarded = target.group == "argoproj.io" && !patched.contains(&target);
                if guarded && let Some(version) = &prepared.resource_version {
                    body["metadata"]["resourceVersion"] = Value::String(version.clone());
                }
                patched.push(target);
                cluster::merge_patch(
                    connection,
                    served,
                    Some(&target.namespace),
                    &target.name,
                    &body,
                    MANAGER,
                )
                .await
                .map_err(|e| {
                    let changed = matches!(&e, ClusterError::Conflict { .. });
                    format!(
                        "patch of {}/{}: {e}{}",
                        target.kind,
                        target.name,
                        if changed {
                            " (it changed since it was read: look at it again and retry)"
                        } else {
                            ""
                        }
                    )
                })?;
            }
            Step::AwaitReconcile { target, token } => {
                let said = await_reconcile(connection, catalog, target, (token, None), waits);
                progress.said.push(said.await?);
            }
            Step::AwaitCommit {
                target,
                token,
                commit,
            } => {
                let written = progress.written.as_ref().map(CommitId::as_str);
                let commit = commit.as_deref().or(written);
                let commit = commit.ok_or("no commit was written to wait for")?;
                let said =
                    await_reconcile(connection, catalog, target, (token, Some(commit)), waits);
                progress.said.push(said.await?);
            }
            Step::AwaitOperation { target, since } => {
                let (words, revision) =
                    await_operation(connection, catalog, target, *since, waits).await?;
                progress.said.push(words);
                progress.deployed = revision;
            }
            Step::Commit(_) => {
                let located = prepared
                    .revert
                    .clone()
                    .ok_or("the revert commit was not prepared with its repository")?;
                let app = format!("{}/{}", prepared.app.namespace, prepared.app.name);
                let reason = prepared.reason.clone().unwrap_or_default();
                let commit = tokio::task::spawn_blocking(move || {
                    external_revert::write(&located, &app, &reason)
                })
                .await
                .map_err(|e| format!("the commit stopped: {e}"))??;
                progress.deployed = Some(commit.to_string());
                progress.written = Some(commit);
            }
        }
    }
    Ok(())
}
