//! Actions on Argo CD and Flux apps through the Kubernetes API: the objects are read
//! fresh, `integrations::actions::plan` says what to patch and what to wait for, and
//! this module sends the merge patches and waits, recording the action in
//! driftdeck's ledger (Running first, then how it ended) like every native action.

use std::time::Duration;

use jiff::Timestamp;
use serde_json::Value;

use super::ledger::{self, LedgerError};
use super::operation::local_user;
use crate::cluster::{self, Catalog, ClusterError, Connection};
use crate::error::{Classified, ErrorKind};
use crate::integrations::actions::{self, Ask, Objects, Plan, Request, Step};
use crate::integrations::{AppKind, Engine, ExternalApp, MappingError, argocd, flux};
use crate::model::ledger::{Actor, LedgerEntry, Outcome};
use crate::model::{AppName, ResourceKey};

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
}

impl Classified for ActionError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Cluster(error) => error.kind(),
            Self::NotServed { .. } => ErrorKind::Cluster,
            Self::Gone { .. } => ErrorKind::NotFound,
            Self::Mapping(_) => ErrorKind::InvalidManifest,
            Self::Refused(_) => ErrorKind::Usage,
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
}

impl Prepared {
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
            });
        }
        lines
    }
}

/// Reads the app (and a Flux app's source) and plans `ask` on it.
pub async fn prepare(
    connection: &Connection,
    catalog: &Catalog,
    app: &ResourceKey,
    ask: &Ask,
    reason: Option<String>,
) -> Result<Prepared, ActionError> {
    let object = fetch(connection, catalog, app).await?;
    let kind = match app.kind.as_str() {
        "Application" => AppKind::Application,
        "Kustomization" => AppKind::Kustomization,
        _ => AppKind::HelmRelease,
    };
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
    let objects = Objects {
        app: &object,
        source: source.as_ref(),
    };
    let plan = actions::plan(&mapped, &objects, ask, &request).map_err(ActionError::Refused)?;
    Ok(Prepared {
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

async fn fetch(
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
    let result =
        run_steps(connection, catalog, prepared, waits)
            .await
            .map(|(summary, deployed)| {
                // What Argo CD resolved and synced, rather than what it targeted before.
                if let Some(revision) = deployed.filter(|r| !r.is_empty()) {
                    entry.revision = revision;
                }
                summary
            });
    entry.finished = Some(Timestamp::now());
    entry.outcome = match &result {
        Ok(_) => Outcome::Succeeded,
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

async fn run_steps(
    connection: &Connection,
    catalog: &Catalog,
    prepared: &Prepared,
    waits: Waits,
) -> Result<(String, Option<String>), String> {
    let plan = &prepared.plan;
    let mut said = Vec::new();
    let mut deployed = None;
    let mut patched: Vec<&ResourceKey> = Vec::new();
    for step in &plan.steps {
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
                said.push(await_reconcile(connection, catalog, target, token, waits).await?);
            }
            Step::AwaitOperation { target, since } => {
                let (words, revision) =
                    await_operation(connection, catalog, target, *since, waits).await?;
                said.push(words);
                deployed = revision;
            }
        }
    }
    let mut summary = plan.title.clone();
    if let Some(last) = said.last() {
        summary.push_str(": ");
        summary.push_str(last);
    }
    Ok((summary, deployed))
}

/// Polls `target` until `check` says it is done (`Ok`), or the wait times out: then
/// the object as last read is the `Err`, to say where it stood.
async fn poll<T>(
    connection: &Connection,
    catalog: &Catalog,
    target: &ResourceKey,
    waits: Waits,
    check: impl Fn(&Value) -> Option<T>,
) -> Result<Result<T, Value>, String> {
    let deadline = tokio::time::Instant::now() + waits.timeout;
    loop {
        let object = fetch(connection, catalog, target)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(done) = check(&object) {
            return Ok(Ok(done));
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(Err(object));
        }
        tokio::time::sleep(waits.every).await;
    }
}

async fn await_reconcile(
    connection: &Connection,
    catalog: &Catalog,
    target: &ResourceKey,
    token: &str,
    waits: Waits,
) -> Result<String, String> {
    let handled = poll(connection, catalog, target, waits, |object| {
        let handled = object.pointer("/status/lastHandledReconcileAt")?.as_str()?;
        (handled == token).then(|| ready_of(object))
    })
    .await?;
    let (ready, message) = match handled {
        Ok(handled) => handled,
        Err(last) => {
            let handled = last
                .pointer("/status/lastHandledReconcileAt")
                .and_then(Value::as_str)
                .map_or("never".to_owned(), |at| format!("last at {at}"));
            let (ready, message) = ready_of(&last);
            let ready = ready.map_or(String::new(), |ready| format!("; Ready {ready} {message}"));
            return Err(format!(
                "{} {}/{} did not handle the request within {}s (handled {handled}{}): is \
                 its Flux controller running?",
                target.kind,
                target.namespace,
                target.name,
                waits.timeout.as_secs(),
                ready.trim_end()
            ));
        }
    };
    match ready.as_deref() {
        Some("False") => Err(format!(
            "{} {} not ready: {message}",
            target.kind, target.name
        )),
        _ => Ok(
            format!("{} {} reconciled {message}", target.kind, target.name)
                .trim_end()
                .to_owned(),
        ),
    }
}

/// The `Ready` condition's status and `reason: message`.
fn ready_of(object: &Value) -> (Option<String>, String) {
    let ready = object
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|c| {
            c.iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("Ready"))
        });
    let text = |key: &str| {
        ready
            .and_then(|r| r.get(key))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let message = match (text("reason"), text("message")) {
        (reason, message) if reason.is_empty() => message,
        (reason, message) if message.is_empty() => format!("({reason})"),
        (reason, message) => format!("({reason}: {message})"),
    };
    (ready.map(|_| text("status")), message)
}

async fn await_operation(
    connection: &Connection,
    catalog: &Catalog,
    target: &ResourceKey,
    since: Timestamp,
    waits: Waits,
) -> Result<(String, Option<String>), String> {
    // Argo CD copies the operation into its state: ours carries the request's
    // token in its info (an automated sync started meanwhile does not).
    let token = since.to_string();
    let finished = poll(connection, catalog, target, waits, |object| {
        let state = object.pointer("/status/operationState")?;
        if !carries_request(state, &token) {
            return None;
        }
        let phase = state.get("phase")?.as_str()?;
        let message = state
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let revision = state
            .pointer("/syncResult/revision")
            .and_then(Value::as_str)
            .map(str::to_owned);
        matches!(phase, "Succeeded" | "Failed" | "Error")
            .then(|| (phase.to_owned(), message.to_owned(), revision))
    })
    .await?;
    match finished {
        Ok((phase, message, revision)) if phase == "Succeeded" => Ok((
            format!("operation succeeded {message}")
                .trim_end()
                .to_owned(),
            revision,
        )),
        Ok((phase, message, _)) => Err(format!("operation {phase}: {message}")),
        Err(last) => Err(format!(
            "Argo CD did not finish the operation within {}s ({}): is its application \
             controller running?",
            waits.timeout.as_secs(),
            operation_stand(&last, &token)
        )),
    }
}

/// Whether an `operationState` is of the operation that carries request `token`.
fn carries_request(state: &Value, token: &str) -> bool {
    state
        .pointer("/operation/info")
        .and_then(Value::as_array)
        .is_some_and(|info| {
            info.iter().any(|i| {
                i.get("name").and_then(Value::as_str) == Some(actions::REQUEST)
                    && i.get("value").and_then(Value::as_str) == Some(token)
            })
        })
}

/// Where an Argo CD operation stood when the wait gave up.
fn operation_stand(object: &Value, token: &str) -> String {
    let state = object.pointer("/status/operationState");
    if !state.is_some_and(|state| carries_request(state, token)) {
        return if object.get("operation").is_some_and(|o| !o.is_null()) {
            "still requested, not started: X cancels the request".into()
        } else {
            "not started, and no longer requested".into()
        };
    }
    let text = |key: &str| {
        state
            .and_then(|s| s.get(key))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    format!(
        "still {} {}; it may finish later",
        text("phase"),
        text("message")
    )
    .replace("  ", " ")
}
