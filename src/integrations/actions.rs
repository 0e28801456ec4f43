//! What driftdeck asks of Argo CD and Flux through the Kubernetes API, as plans:
//! the exact merge patches, in order, and what to wait for between them. Pure: the
//! engine reads the objects, sends the patches and waits (`engine::external_actions`).
//!
//! Argo CD is driven the way its API server drives its controller — by writing the
//! `Application` object: an `operation` field starts a sync (its `initiatedBy` and
//! `info` carry who and why), the `argocd.argoproj.io/refresh` annotation asks for
//! a refresh, `status.operationState.phase: Terminating` stops a running operation
//! (the `Application` CRD has no status subresource), `spec.syncPolicy.automated`
//! turns auto-sync on and off. Flux is driven as the `flux` CLI drives it: the
//! `reconcile.fluxcd.io/requestedAt` annotation requests a reconcile (answered in
//! `status.lastHandledReconcileAt`), `spec.suspend` suspends and resumes.
//!
//! Through this path Argo CD's own RBAC (projects, roles) is not consulted: what
//! protects the app is Kubernetes RBAC on the objects patched, which every plan names.

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::{Automation, Engine, ExternalApp};
use crate::model::ResourceKey;
use crate::model::ledger::Operation;

/// Argo CD's refresh annotation (`normal` or `hard`; the controller removes it).
pub const REFRESH: &str = "argocd.argoproj.io/refresh";
/// Flux's reconcile request annotation.
pub const REQUESTED_AT: &str = "reconcile.fluxcd.io/requestedAt";
/// The `info` entry of an Argo CD operation that names driftdeck's request (its
/// time, to the nanosecond): the wait matches it.
pub const REQUEST: &str = "Request";
/// Where driftdeck keeps the auto-sync policy it turned off (Argo CD), as JSON, so
/// that turning auto-sync on again restores prune and self-heal.
pub const AUTO_SYNC_WAS: &str = "driftdeck.dev/auto-sync-was";
/// Where driftdeck keeps what a Flux rollback pinned over (the source's `spec.ref`,
/// or a HelmRelease's chart version), as JSON, for the unpin.
pub const PINNED_FROM: &str = "driftdeck.dev/pinned-from";
/// On a source pinned by a Flux rollback: the app rolled back (`Kind/ns/name`),
/// suspended until it is unpinned from that app.
pub const PINNED_BY: &str = "driftdeck.dev/pinned-by";

/// What a person asks of an Argo CD or Flux app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ask {
    /// Argo CD: a sync operation.
    Sync(SyncAsk),
    /// Argo CD: compare again (`hard`: and regenerate manifests, skipping the cache).
    Refresh { hard: bool },
    /// Argo CD: turn auto-sync on (restoring the prune and self-heal it had) or off.
    AutoSync { enable: bool },
    /// Argo CD: stop the running operation.
    Terminate,
    /// Flux: reconcile now (the source first, if asked); `resume` resumes a
    /// suspended app first (without it, Flux would ignore the request).
    Reconcile { with_source: bool, resume: bool },
    /// Flux: suspend (`true`) or resume reconciliation.
    Suspend(bool),
    /// Go back to an earlier revision: a commit (Argo CD, Flux Git sources) or a
    /// chart version (a Flux HelmRelease from a Helm repository).
    Rollback { to: String },
    /// Flux: undo a rollback's pin and resume.
    Unpin,
    /// Flux: roll back by a commit in Git that restores the app's path as it was at
    /// `to`, pushed to the branch its source follows; nothing pinned or suspended.
    /// `tip`: the branch's tip the plan was shown on; the commit is refused if the
    /// branch moved since (`None`: whatever it is when planned).
    Revert { to: String, tip: Option<String> },
}

/// The options of an Argo CD sync.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncAsk {
    pub prune: bool,
    pub dry_run: bool,
    /// Only these resources; empty: all of them.
    pub resources: Vec<ResourceKey>,
}

/// Who asks, why, and when (the clock is the caller's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The kubeconfig user.
    pub user: String,
    pub reason: Option<String>,
    pub at: Timestamp,
}

/// One step of a plan.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// A JSON merge patch (`application/merge-patch+json`) of `target`.
    Patch {
        target: ResourceKey,
        body: Value,
        /// In words, for the confirmation.
        what: String,
    },
    /// Wait until `target`'s `status.lastHandledReconcileAt` is `token`, then read
    /// its `Ready` condition.
    AwaitReconcile { target: ResourceKey, token: String },
    /// Wait until Argo CD has run the operation requested at `since`: the
    /// `status.operationState` whose operation's `info` has `Request` = `since`,
    /// finished.
    AwaitOperation {
        target: ResourceKey,
        since: Timestamp,
    },
    /// Write and push the commit `revert` describes.
    Commit(GitRevert),
    /// As `AwaitReconcile`, then `target`'s revision (a source's artifact, an app's
    /// last applied, a HelmChart's source revision) must be `commit`, else the
    /// commit the plan's `Commit` step wrote.
    AwaitCommit {
        target: ResourceKey,
        token: String,
        commit: Option<String>,
    },
}

/// A commit that restores `path` of the repository at `url` as it was at `to`, on
/// `branch`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitRevert {
    pub url: String,
    pub branch: String,
    /// As the app object writes it (the engine keeps it inside the repository).
    pub path: String,
    pub to: String,
}

/// The patches and waits of an action, and what it means for the ledger.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub title: String,
    pub steps: Vec<Step>,
    /// Said before the yes (a suspended app, auto-sync turned off first).
    pub warnings: Vec<String>,
    pub ledger: Operation,
    /// The revision the ledger records (what is, or is asked to be, deployed).
    pub revision: String,
    /// For a rollback: what it brings back.
    pub restored: Option<String>,
}

impl Plan {
    /// The objects the plan patches, each once, in order.
    pub fn patched(&self) -> Vec<&ResourceKey> {
        let mut keys: Vec<&ResourceKey> = Vec::new();
        for step in &self.steps {
            if let Step::Patch { target, .. } = step
                && !keys.contains(&target)
            {
                keys.push(target);
            }
        }
        keys
    }
}

/// The objects a plan is made from, as read from the cluster just before.
pub struct Objects<'a> {
    /// The `Application`, `Kustomization` or `HelmRelease`.
    pub app: &'a Value,
    /// A Flux app's source object (`GitRepository`, …), when it has one.
    pub source: Option<&'a Value>,
    /// The source is pinned by another app's rollback, and that app no longer
    /// exists or no longer builds from the source: any app built from it may
    /// unpin it.
    pub pinner_gone: bool,
}

/// The app a pinned source's `PINNED_BY` names (`Kind/namespace/name`), as a key.
pub fn pinner_key(by: &str) -> Option<ResourceKey> {
    let mut parts = by.splitn(3, '/');
    let (kind, namespace, name) = (parts.next()?, parts.next()?, parts.next()?);
    let kind = [super::AppKind::Kustomization, super::AppKind::HelmRelease]
        .into_iter()
        .find(|k| k.label() == kind)?;
    (!namespace.is_empty() && !name.is_empty())
        .then(|| ResourceKey::new(kind.group(), kind.label(), namespace, name))
}

/// Plans `ask` for `app`; `Err` says why it cannot be done (in words for the user).
pub fn plan(
    app: &ExternalApp,
    objects: &Objects<'_>,
    ask: &Ask,
    request: &Request,
) -> Result<Plan, String> {
    let key = app.key();
    let name = format!("{}/{}", app.namespace, app.name);
    let target = app.target_revision.clone().unwrap_or_default();
    let base = |title: String, ledger: Operation, steps: Vec<Step>| Plan {
        title,
        steps,
        warnings: Vec::new(),
        ledger,
        revision: target.clone(),
        restored: None,
    };
    match (app.engine(), ask) {
        (Engine::ArgoCd, Ask::Sync(sync)) => {
            argocd::refuse_if_operating(app)?;
            let title = if sync.dry_run {
                format!("sync {name} (dry run)")
            } else {
                format!("sync {name}")
            };
            let body = argocd::operation(request, sync, None);
            let ledger = if sync.dry_run {
                Operation::DryRun
            } else {
                Operation::Sync
            };
            Ok(base(
                title,
                ledger,
                vec![
                    Step::Patch {
                        target: key.clone(),
                        body,
                        what: argocd::sync_words(sync),
                    },
                    Step::AwaitOperation {
                        target: key,
                        since: request.at,
                    },
                ],
            ))
        }
        (Engine::ArgoCd, Ask::Refresh { hard }) => {
            let mode = if *hard { "hard" } else { "normal" };
            Ok(base(
                format!("{} refresh {name}", if *hard { "hard" } else { "" })
                    .trim_start()
                    .to_owned(),
                Operation::Refresh,
                vec![Step::Patch {
                    target: key,
                    body: annotations(&[(REFRESH, json!(mode))]),
                    what: format!("annotate {REFRESH}={mode}"),
                }],
            ))
        }
        (Engine::ArgoCd, Ask::AutoSync { enable }) => {
            let Automation::ArgoCd(policy) = &app.automation else {
                return Err(format!("{name} has no Argo CD sync policy"));
            };
            match (enable, policy.automated) {
                (true, true) => Err(format!("auto-sync of {name} is already on")),
                (false, false) => Err(format!("auto-sync of {name} is already off")),
                (true, false) => {
                    let mut automated = argocd::remembered_policy(objects.app);
                    // Argo CD 3.1+ can keep the policy with `enabled: false`; a merge
                    // patch would keep that flag, and auto-sync would stay off.
                    if objects
                        .app
                        .pointer("/spec/syncPolicy/automated/enabled")
                        .is_some()
                    {
                        automated["enabled"] = json!(true);
                    }
                    Ok(base(
                        format!("turn auto-sync of {name} on"),
                        Operation::Resume,
                        vec![Step::Patch {
                            target: key,
                            what: format!(
                                "set spec.syncPolicy.automated ({})",
                                argocd::policy_words(&automated)
                            ),
                            body: json!({
                                "metadata": {"annotations": {AUTO_SYNC_WAS: null}},
                                "spec": {"syncPolicy": {"automated": automated}}
                            }),
                        }],
                    ))
                }
                (false, true) => Ok(Plan {
                    warnings: argocd::owner_warning(objects.app).into_iter().collect(),
                    ..base(
                        format!("turn auto-sync of {name} off"),
                        Operation::Suspend,
                        vec![argocd::auto_sync_off(&key, objects.app)],
                    )
                }),
            }
        }
        (Engine::ArgoCd, Ask::Terminate) => match app.operation.as_ref().map(|op| op.phase) {
            Some(super::OperationPhase::Running) => Ok(base(
                format!("terminate the operation of {name}"),
                Operation::Terminate,
                vec![Step::Patch {
                    target: key,
                    body: json!({"status": {"operationState": {"phase": "Terminating"}}}),
                    what: "set status.operationState.phase=Terminating".into(),
                }],
            )),
            // Not picked up by the controller yet: the request is withdrawn (the
            // patch is refused if the controller takes it meanwhile).
            Some(super::OperationPhase::Requested) => Ok(base(
                format!("cancel the requested operation of {name}"),
                Operation::Terminate,
                vec![Step::Patch {
                    target: key,
                    body: json!({"operation": null}),
                    what: "remove the operation not started yet (operation: null)".into(),
                }],
            )),
            _ => Err(format!("{name} has no running operation to terminate")),
        },
        (Engine::ArgoCd, Ask::Rollback { to }) => {
            argocd::refuse_if_operating(app)?;
            if objects.app.pointer("/spec/sources").is_some() {
                return Err(format!(
                    "{name} has several sources: driftdeck rolls back single-source \
                     Applications only (one revision per source is not sent yet)"
                ));
            }
            let mut steps = Vec::new();
            let mut warnings = Vec::new();
            if let Automation::ArgoCd(policy) = &app.automation
                && policy.automated
            {
                warnings.push(format!(
                    "auto-sync of {name} is turned off first (Argo CD would sync Git's revision \
                     back); turn it on again with p once Git is fixed"
                ));
                steps.push(argocd::auto_sync_off(&key, objects.app));
            }
            warnings.extend(argocd::owner_warning(objects.app));
            let sync = SyncAsk::default();
            steps.push(Step::Patch {
                target: key.clone(),
                body: argocd::operation(request, &sync, Some(to)),
                what: format!("set operation: sync to revision {}", short(to)),
            });
            steps.push(Step::AwaitOperation {
                target: key,
                since: request.at,
            });
            Ok(Plan {
                title: format!("roll back {name} to {}", short(to)),
                steps,
                warnings,
                ledger: Operation::Rollback,
                revision: to.clone(),
                restored: Some(to.clone()),
            })
        }
        (
            Engine::Flux,
            Ask::Reconcile {
                with_source,
                resume,
            },
        ) => {
            let suspended = is_suspended(app);
            let token = request.at.to_string();
            let mut steps = Vec::new();
            let mut warnings = Vec::new();
            if *with_source {
                let source = source_key(app)?;
                let oci_helm = source.kind == "HelmRepository"
                    && objects
                        .source
                        .and_then(|s| s.pointer("/spec/type"))
                        .and_then(Value::as_str)
                        == Some("oci");
                if oci_helm {
                    // Flux keeps no artifact for these and never answers a request.
                    warnings.push(format!(
                        "HelmRepository {}/{} is an OCI repository, which Flux does not \
                         reconcile (the chart is pulled for the HelmRelease): only the app is \
                         reconciled",
                        source.namespace, source.name
                    ));
                } else {
                    steps.push(request_reconcile(&source, &token));
                    steps.push(Step::AwaitReconcile {
                        target: source,
                        token: token.clone(),
                    });
                }
            }
            let mut body = annotations(&[(REQUESTED_AT, json!(token))]);
            let mut what = format!("annotate {REQUESTED_AT}={token}");
            match (suspended, resume) {
                (true, true) => {
                    warnings.push(format!("{name} is suspended: it is resumed first"));
                    body["spec"] = json!({"suspend": false});
                    what.push_str(", set spec.suspend=false");
                }
                (true, false) => warnings.push(format!(
                    "{name} is suspended: Flux ignores the request until it is resumed \
                     (resume it and reconcile instead)"
                )),
                _ => {}
            }
            steps.push(Step::Patch {
                target: key.clone(),
                body,
                what,
            });
            if !suspended || *resume {
                steps.push(Step::AwaitReconcile { target: key, token });
            }
            Ok(Plan {
                warnings,
                ..base(
                    format!(
                        "{}reconcile {name}{}",
                        if suspended && *resume {
                            "resume and "
                        } else {
                            ""
                        },
                        if *with_source { " with its source" } else { "" }
                    ),
                    Operation::Sync,
                    steps,
                )
            })
        }
        (Engine::Flux, Ask::Suspend(suspend)) => {
            let suspended = is_suspended(app);
            if suspended == *suspend {
                return Err(format!(
                    "{name} is already {}",
                    if suspended { "suspended" } else { "running" }
                ));
            }
            if *suspend {
                return Ok(base(
                    format!("suspend {name}"),
                    Operation::Suspend,
                    vec![Step::Patch {
                        target: key,
                        body: json!({"spec": {"suspend": true}}),
                        what: "set spec.suspend=true".into(),
                    }],
                ));
            }
            let token = request.at.to_string();
            Ok(base(
                format!("resume {name}"),
                Operation::Resume,
                vec![
                    Step::Patch {
                        target: key.clone(),
                        body: json!({
                            "metadata": {"annotations": {REQUESTED_AT: token}},
                            "spec": {"suspend": false}
                        }),
                        what: format!("set spec.suspend=false, annotate {REQUESTED_AT}={token}"),
                    },
                    Step::AwaitReconcile { target: key, token },
                ],
            ))
        }
        (Engine::Flux, Ask::Rollback { to }) => flux::rollback(app, objects, to, request),
        (Engine::Flux, Ask::Unpin) => flux::unpin(app, objects, request),
        (Engine::Flux, Ask::Revert { to, .. }) => flux_revert::revert(app, objects, to, request),
        (engine, ask) => Err(format!("{} apps cannot {}", engine.name(), ask_words(ask))),
    }
}

fn ask_words(ask: &Ask) -> &'static str {
    match ask {
        Ask::Sync(_) => "be synced with an operation (reconcile them)",
        Ask::Refresh { .. } => "be refreshed (reconcile them)",
        Ask::AutoSync { .. } => "turn auto-sync on or off (suspend or resume them)",
        Ask::Terminate => "terminate an operation",
        Ask::Reconcile { .. } => "be reconciled (sync them)",
        Ask::Suspend(_) => "be suspended (turn auto-sync off)",
        Ask::Rollback { .. } => "be rolled back",
        Ask::Unpin => "be unpinned (they are never pinned)",
        Ask::Revert { .. } => "be rolled back by a Git commit here (roll back instead)",
    }
}

fn annotations(pairs: &[(&str, Value)]) -> Value {
    let map: Map<String, Value> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    json!({"metadata": {"annotations": map}})
}

fn request_reconcile(target: &ResourceKey, token: &str) -> Step {
    Step::Patch {
        target: target.clone(),
        body: annotations(&[(REQUESTED_AT, json!(token))]),
        what: format!("annotate {REQUESTED_AT}={token}"),
    }
}

fn is_suspended(app: &ExternalApp) -> bool {
    matches!(
        app.automation,
        Automation::Flux {
            suspended: true,
            ..
        }
    )
}

fn source_key(app: &ExternalApp) -> Result<ResourceKey, String> {
    app.source
        .as_ref()
        .and_then(|s| s.object.clone())
        .ok_or_else(|| format!("{}/{} names no source object", app.namespace, app.name))
}

fn short(revision: &str) -> &str {
    // `main@sha1:0123…` keeps its branch; a bare commit is cut to 7.
    if revision.len() == 40 && revision.bytes().all(|b| b.is_ascii_hexdigit()) {
        &revision[..7]
    } else {
        revision
    }
}

/// The commit of a Flux artifact revision (`main@sha1:abc…`, `sha1:abc…`) or a
/// bare commit id.
pub fn commit_of(revision: &str) -> Option<&str> {
    let commit = revision
        .rsplit_once(':')
        .map_or(revision, |(_, commit)| commit);
    let hex = commit.len() >= 7 && commit.bytes().all(|b| b.is_ascii_hexdigit());
    hex.then_some(commit)
}

mod argocd;
mod flux;
mod flux_revert;
#[cfg(test)]
mod tests;
