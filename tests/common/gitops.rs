//! The sandbox as an Argo CD and Flux cluster: the minimal CRDs and objects of
//! tests/fixtures/gitops, a connection to it, and the engines' controllers
//! simulated by a task of the test (the sandbox runs neither Argo CD nor Flux),
//! for the tests of `engine::external_actions`.

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use driftdeck::cluster::{self, ApplyMode, Catalog, ClusterError, Connection};
use driftdeck::engine::external_actions::{
    self, ActionError, Executed, Prepared, Waits, ledger_name,
};
use driftdeck::engine::ledger;
use driftdeck::integrations::actions::{Ask, Step};
use driftdeck::model::ledger::{LedgerEntry, Operation, Outcome};
use driftdeck::model::{RepoSpec, ResourceKey};
use driftdeck::sandbox::SandboxOptions;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::cluster::Cluster;

const CRDS: &str = include_str!("../fixtures/gitops/crds.yaml");
const OBJECTS: &str = include_str!("../fixtures/gitops/objects.yaml");

pub const ARGO: &str = "argoproj.io";
pub const KUSTOMIZE: &str = "kustomize.toolkit.fluxcd.io";
pub const HELM: &str = "helm.toolkit.fluxcd.io";
pub const SOURCE: &str = "source.toolkit.fluxcd.io";

pub const WAITS: Waits = Waits {
    timeout: Duration::from_secs(5),
    every: Duration::from_millis(50),
};
/// For the waits no controller answers.
pub const SHORT: Waits = Waits {
    timeout: Duration::from_secs(1),
    every: Duration::from_millis(50),
};

pub const REQUESTED_AT: &str = "reconcile.fluxcd.io/requestedAt";
pub const PINNED_FROM: &str = "driftdeck.dev/pinned-from";
/// The commit `platform`'s branch main is at (its artifact in the fixture), and
/// what the simulated source controller fetches for a branch of a URL it cannot
/// read.
pub const HEAD: &str = "3333333333333333333333333333333333333333";
/// The message of every operation the simulated Argo CD runs.
pub const SUCCEEDED: &str = "successfully synced (all tasks run)";

pub fn group_of(kind: &str) -> &'static str {
    match kind {
        "Application" => ARGO,
        "Kustomization" => KUSTOMIZE,
        "HelmRelease" => HELM,
        _ => SOURCE,
    }
}

pub fn key(kind: &str, namespace: &str, name: &str) -> ResourceKey {
    ResourceKey::new(group_of(kind), kind, namespace, name)
}

/// A sandbox with the Argo CD and Flux CRDs and the fixture objects, and a
/// connection to it.
pub struct Gitops {
    pub cluster: Cluster,
    pub connection: Connection,
    pub catalog: Catalog,
}

/// The fixture CRDs, served, and the fixture objects (`argocd/shop`,
/// `flux-system/infra`, `flux-system/redis` and their sources) in their namespaces.
pub fn install(cluster: &Cluster) {
    cluster.ok_with_input(&["apply", "-f", "-"], CRDS);
    cluster.eventually(Duration::from_secs(20), "the CRDs are served", |c| {
        c.run(&[
            "get",
            "applications.argoproj.io,kustomizations,helmreleases,gitrepositories",
            "-A",
        ])
        .status
        .success()
    });
    cluster.ok_with_input(
        &["apply", "-f", "-"],
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: argocd}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: flux-system}\n",
    );
    cluster.ok_with_input(&["apply", "-f", "-"], OBJECTS);
}

impl Gitops {
    pub async fn start() -> Self {
        let cluster = Cluster::start_with(SandboxOptions {
            no_controllers: true,
            ..SandboxOptions::default()
        });
        install(&cluster);
        let connection = cluster::connect(Some(cluster.sandbox.kubeconfig()), None)
            .await
            .unwrap();
        let catalog = cluster::discover(&connection).await.unwrap();
        Self {
            cluster,
            connection,
            catalog,
        }
    }

    /// Creates (or replaces the fields of) an object given as JSON.
    pub async fn create(&self, object: Value) {
        let kind = object["kind"].as_str().unwrap();
        let group = ResourceKey::group_of(object["apiVersion"].as_str().unwrap());
        let served = self.catalog.get(group, kind).unwrap();
        cluster::apply(
            &self.connection,
            served,
            &object,
            "test-setup",
            true,
            ApplyMode::Real,
        )
        .await
        .unwrap();
    }

    /// The object as the API server has it now.
    pub async fn read(&self, kind: &str, namespace: &str, name: &str) -> Value {
        let served = self.catalog.get(group_of(kind), kind).unwrap();
        cluster::get(&self.connection, served, Some(namespace), name)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{kind} {namespace}/{name} exists"))
    }

    /// Prepares `ask` with no repository configured.
    pub async fn prepare(
        &self,
        kind: &str,
        namespace: &str,
        name: &str,
        ask: Ask,
        reason: Option<&str>,
    ) -> Result<Prepared, ActionError> {
        self.prepare_with(&[], (kind, namespace, name), ask, reason)
            .await
    }

    /// Prepares `ask` on the app `(kind, namespace, name)` with `repos` configured
    /// (where a revert commit may be written).
    pub async fn prepare_with(
        &self,
        repos: &[RepoSpec],
        (kind, namespace, name): (&str, &str, &str),
        ask: Ask,
        reason: Option<&str>,
    ) -> Result<Prepared, ActionError> {
        external_actions::prepare(
            &self.connection,
            &self.catalog,
            &key(kind, namespace, name),
            &ask,
            reason.map(str::to_owned),
            repos,
        )
        .await
    }

    pub async fn execute(&self, prepared: &Prepared, waits: Waits) -> Executed {
        external_actions::execute(&self.connection, &self.catalog, prepared, waits).await
    }

    /// Prepares and executes, asserting both went through; the action's summary.
    pub async fn act(
        &self,
        kind: &str,
        namespace: &str,
        name: &str,
        ask: Ask,
        reason: Option<&str>,
    ) -> (Prepared, String) {
        let prepared = self
            .prepare(kind, namespace, name, ask, reason)
            .await
            .unwrap();
        let executed = self.execute(&prepared, WAITS).await;
        assert!(executed.ledger_error.is_none(), "{executed:?}");
        let summary = executed
            .result
            .unwrap_or_else(|e| panic!("{}: {e}", prepared.plan.title));
        (prepared, summary)
    }

    pub async fn ledger(&self, prepared: &Prepared) -> Vec<LedgerEntry> {
        ledger::read(&self.connection, &ledger_name(&prepared.app))
            .await
            .unwrap()
    }

    /// Starts the simulated Argo CD and Flux controllers; `ready` says whether Flux
    /// reconciles succeed.
    pub fn controllers(&self, ready: bool) -> Controllers {
        let operations = Arc::new(Mutex::new(Vec::new()));
        let connection = self.connection.clone();
        let catalog = self.catalog.clone();
        let captured = operations.clone();
        let task = tokio::spawn(async move {
            loop {
                // A failed round (a fault injected meanwhile) is tried again.
                let _ = flux_round(&connection, &catalog, ready).await;
                let _ = argo_round(&connection, &catalog, &captured).await;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        Controllers { operations, task }
    }
}

/// The simulated controllers, stopped when dropped.
pub struct Controllers {
    /// The `operation` of each Application, as the API server stored it, before
    /// the simulated Argo CD removed it: `(name, operation)`.
    operations: Arc<Mutex<Vec<(String, Value)>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Controllers {
    /// The operations received, each without its `Request` info entry (checked).
    pub fn operations(&self) -> Vec<(String, Value)> {
        self.operations
            .lock()
            .unwrap()
            .iter()
            .map(|(name, operation)| (name.clone(), requestless(operation)))
            .collect()
    }
}

/// `operation` without the `Request` entry of its `info`, which must be the last
/// one and name a time (it is the request's own, unknown to the test).
pub fn requestless(operation: &Value) -> Value {
    let mut operation = operation.clone();
    let info = operation["info"].as_array_mut().expect("info");
    let request = info.pop().expect("a Request entry");
    assert_eq!(request["name"], "Request", "{request}");
    let at = request["value"].as_str().expect("a time");
    assert!(at.parse::<jiff::Timestamp>().is_ok(), "{at}");
    operation
}

impl Drop for Controllers {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const CONTROLLER: &str = "simulated-controller";

/// Now, in seconds, as the API server's `metav1.Time` keeps it.
fn now() -> String {
    Timestamp::from_second(Timestamp::now().as_second())
        .unwrap()
        .to_string()
}

async fn patch(
    connection: &Connection,
    catalog: &Catalog,
    object: &Value,
    body: &Value,
) -> Result<(), ClusterError> {
    let kind = object["kind"].as_str().unwrap_or_default();
    let group = ResourceKey::group_of(object["apiVersion"].as_str().unwrap_or_default());
    let served = catalog.get(group, kind).unwrap();
    cluster::merge_patch(
        connection,
        served,
        object
            .pointer("/metadata/namespace")
            .and_then(Value::as_str),
        object["metadata"]["name"].as_str().unwrap(),
        body,
        CONTROLLER,
    )
    .await
    .map(|_| ())
}

async fn all(
    connection: &Connection,
    catalog: &Catalog,
    kind: &str,
) -> Result<Vec<Value>, ClusterError> {
    let served = catalog.get(group_of(kind), kind).unwrap();
    cluster::list(connection, served, None, None).await
}

/// The reconcile request a Flux controller has not handled yet; `None` for a
/// suspended object (Flux ignores those).
fn requested(object: &Value) -> Option<String> {
    if object.pointer("/spec/suspend") == Some(&json!(true)) {
        return None;
    }
    let asked = object
        .pointer("/metadata/annotations")?
        .get(REQUESTED_AT)?
        .as_str()?;
    let handled = object
        .pointer("/status/lastHandledReconcileAt")
        .and_then(Value::as_str);
    (handled != Some(asked)).then(|| asked.to_owned())
}

fn ready(ok: bool, reason: &str, message: &str) -> Value {
    json!([{
        "type": "Ready",
        "status": if ok { "True" } else { "False" },
        "reason": reason,
        "message": message,
        "lastTransitionTime": now(),
    }])
}

/// What Flux's source controller fetches for a GitRepository on a `file://`
/// repository that follows a branch (and nothing else): `<branch>@sha1:<its tip
/// there>`, or why it could not; `None` for any other source (no Git to read).
async fn fetched(source: &Value) -> Option<Result<String, String>> {
    let url = source.pointer("/spec/url")?.as_str()?;
    let dir = url.strip_prefix("file://")?.to_owned();
    let reference = source.pointer("/spec/ref")?.as_object()?;
    let branch = reference.get("branch")?.as_str()?.to_owned();
    if reference.len() != 1 {
        return None;
    }
    let revision = tokio::task::spawn_blocking(move || {
        let output = Command::new("git")
            .args(["--git-dir", &dir, "rev-parse", "--verify", "--quiet"])
            .arg(format!("refs/heads/{branch}^{{commit}}"))
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "failed to checkout and determine revision: no branch {branch} in {dir}"
            ));
        }
        let tip = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        Ok(format!("{branch}@sha1:{tip}"))
    })
    .await;
    Some(revision.unwrap_or_else(|e| Err(e.to_string())))
}

/// One round of Flux's source, kustomize and helm controllers: each reconcile
/// request answered in `status.lastHandledReconcileAt` (the CRDs have no status
/// subresource: status is written with the object), sources first. A
/// GitRepository gets the artifact of what it follows: a `file://` branch's tip
/// as `git` reads it there, else its pinned commit or `HEAD`; a Kustomization
/// applies its source's artifact.
async fn flux_round(
    connection: &Connection,
    catalog: &Catalog,
    ok: bool,
) -> Result<(), ClusterError> {
    for source in all(connection, catalog, "GitRepository").await? {
        let Some(token) = requested(&source) else {
            continue;
        };
        let status = match fetched(&source).await {
            Some(Err(failure)) => json!({"status": {
                "lastHandledReconcileAt": token,
                "conditions": ready(false, "GitOperationFailed", &failure),
            }}),
            fetched => {
                let revision = fetched.and_then(Result::ok).unwrap_or_else(|| {
                    let branch = source
                        .pointer("/spec/ref/branch")
                        .and_then(Value::as_str)
                        .unwrap_or("main");
                    let commit = source
                        .pointer("/spec/ref/commit")
                        .and_then(Value::as_str)
                        .unwrap_or(HEAD);
                    format!("{branch}@sha1:{commit}")
                });
                json!({"status": {
                    "lastHandledReconcileAt": token,
                    "artifact": {"revision": revision},
                    "conditions": ready(true, "Succeeded", &format!("stored artifact for revision '{revision}'")),
                }})
            }
        };
        patch(connection, catalog, &source, &status).await?;
    }
    for source in all(connection, catalog, "HelmRepository").await? {
        if let Some(token) = requested(&source) {
            let status = json!({"status": {
                "lastHandledReconcileAt": token,
                "conditions": ready(true, "Succeeded", "stored artifact"),
            }});
            patch(connection, catalog, &source, &status).await?;
        }
    }
    for app in all(connection, catalog, "Kustomization").await? {
        let Some(token) = requested(&app) else {
            continue;
        };
        let namespace = app["metadata"]["namespace"].as_str().unwrap();
        let source = app.pointer("/spec/sourceRef/name").and_then(Value::as_str);
        let served = catalog.get(SOURCE, "GitRepository").unwrap();
        let revision = match source {
            Some(name) => cluster::get(connection, served, Some(namespace), name)
                .await?
                .and_then(|s| {
                    s.pointer("/status/artifact/revision")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .unwrap_or_default(),
            None => String::new(),
        };
        let status = if ok {
            json!({"status": {
                "lastHandledReconcileAt": token,
                "lastAttemptedRevision": revision,
                "lastAppliedRevision": revision,
                "conditions": ready(true, "ReconciliationSucceeded", &format!("Applied revision: {revision}")),
            }})
        } else {
            json!({"status": {
                "lastHandledReconcileAt": token,
                "lastAttemptedRevision": revision,
                "conditions": ready(false, "BuildFailed", "kustomize build failed: accumulating resources"),
            }})
        };
        patch(connection, catalog, &app, &status).await?;
    }
    for app in all(connection, catalog, "HelmRelease").await? {
        if let Some(token) = requested(&app) {
            let status = json!({"status": {
                "lastHandledReconcileAt": token,
                "conditions": ready(ok, "UpgradeSucceeded", "Helm upgrade succeeded"),
            }});
            patch(connection, catalog, &app, &status).await?;
        }
    }
    Ok(())
}

/// One round of Argo CD's application controller: a requested `operation` is
/// run at once, successfully, and removed, as Argo CD does.
async fn argo_round(
    connection: &Connection,
    catalog: &Catalog,
    captured: &Mutex<Vec<(String, Value)>>,
) -> Result<(), ClusterError> {
    for app in all(connection, catalog, "Application").await? {
        let Some(operation) = app.get("operation").filter(|o| o.is_object()) else {
            continue;
        };
        let name = app["metadata"]["name"].as_str().unwrap().to_owned();
        captured.lock().unwrap().push((name, operation.clone()));
        let revision = operation
            .pointer("/sync/revision")
            .or_else(|| app.pointer("/status/sync/revision"))
            .cloned()
            .unwrap_or(Value::Null);
        let at = now();
        let body = json!({
            "operation": null,
            "status": {"operationState": {
                "operation": operation,
                "phase": "Succeeded",
                "message": SUCCEEDED,
                "startedAt": at,
                "finishedAt": at,
                "syncResult": {"revision": revision},
            }},
        });
        patch(connection, catalog, &app, &body).await?;
    }
    Ok(())
}

/// The token the plan waits for (what Flux must write in lastHandledReconcileAt).
pub fn token(prepared: &Prepared) -> String {
    prepared
        .plan
        .steps
        .iter()
        .find_map(|step| match step {
            Step::AwaitReconcile { token, .. } | Step::AwaitCommit { token, .. } => {
                Some(token.clone())
            }
            _ => None,
        })
        .expect("the plan waits for a reconcile")
}

pub fn annotation<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    object.pointer("/metadata/annotations")?.get(name)
}

pub fn operations(entries: &[LedgerEntry]) -> Vec<(Operation, Outcome)> {
    entries
        .iter()
        .map(|e| (e.operation, e.outcome.clone()))
        .collect()
}
