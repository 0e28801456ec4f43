//! Actions on Argo CD and Flux apps (`engine::external_actions`) against the
//! sandbox: the minimal CRDs and objects of tests/fixtures/gitops, the patches read
//! back from the API server, and the engines' controllers simulated by a task of
//! the test (the sandbox runs neither Argo CD nor Flux) where an action waits for
//! one.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::cluster::Cluster;
use driftdeck::cluster::{self, ApplyMode, Catalog, ClusterError, Connection};
use driftdeck::engine::external;
use driftdeck::engine::external_actions::{
    self, ActionError, Executed, Prepared, Waits, ledger_name,
};
use driftdeck::engine::ledger;
use driftdeck::integrations::actions::{Ask, Step, SyncAsk};
use driftdeck::model::ResourceKey;
use driftdeck::model::ledger::{LedgerEntry, Operation, Outcome};
use driftdeck::sandbox::{CONTEXT_NAME, FaultConfig, SandboxOptions};
use jiff::Timestamp;
use serde_json::{Value, json};

const CRDS: &str = include_str!("fixtures/gitops/crds.yaml");
const OBJECTS: &str = include_str!("fixtures/gitops/objects.yaml");

const ARGO: &str = "argoproj.io";
const KUSTOMIZE: &str = "kustomize.toolkit.fluxcd.io";
const HELM: &str = "helm.toolkit.fluxcd.io";
const SOURCE: &str = "source.toolkit.fluxcd.io";

const WAITS: Waits = Waits {
    timeout: Duration::from_secs(5),
    every: Duration::from_millis(50),
};
/// For the waits no controller answers.
const SHORT: Waits = Waits {
    timeout: Duration::from_secs(1),
    every: Duration::from_millis(50),
};

const REQUESTED_AT: &str = "reconcile.fluxcd.io/requestedAt";
const AUTO_SYNC_WAS: &str = "driftdeck.dev/auto-sync-was";
const PINNED_FROM: &str = "driftdeck.dev/pinned-from";
/// The commit `platform`'s branch main is at (its artifact in the fixture).
const HEAD: &str = "3333333333333333333333333333333333333333";
/// What `infra` last applied, in the fixture.
const PREVIOUS: &str = "4444444444444444444444444444444444444444";
/// What `shop` last deployed, in the fixture.
const SHOP_DEPLOYED: &str = "1f3d2c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5";
const SHOP_TARGET: &str = "2b7e151628aed2a6abf7158809cf4f3c762e7160";
const SUCCEEDED: &str = "successfully synced (all tasks run)";

fn group_of(kind: &str) -> &'static str {
    match kind {
        "Application" => ARGO,
        "Kustomization" => KUSTOMIZE,
        "HelmRelease" => HELM,
        _ => SOURCE,
    }
}

fn key(kind: &str, namespace: &str, name: &str) -> ResourceKey {
    ResourceKey::new(group_of(kind), kind, namespace, name)
}

/// A sandbox with the Argo CD and Flux CRDs and the fixture objects, and a
/// connection to it.
struct Gitops {
    cluster: Cluster,
    connection: Connection,
    catalog: Catalog,
}

impl Gitops {
    async fn start() -> Self {
        let cluster = Cluster::start_with(SandboxOptions {
            no_controllers: true,
            ..SandboxOptions::default()
        });
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
    async fn create(&self, object: Value) {
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
    async fn read(&self, kind: &str, namespace: &str, name: &str) -> Value {
        let served = self.catalog.get(group_of(kind), kind).unwrap();
        cluster::get(&self.connection, served, Some(namespace), name)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{kind} {namespace}/{name} exists"))
    }

    async fn prepare(
        &self,
        kind: &str,
        namespace: &str,
        name: &str,
        ask: Ask,
        reason: Option<&str>,
    ) -> Result<Prepared, ActionError> {
        external_actions::prepare(
            &self.connection,
            &self.catalog,
            &key(kind, namespace, name),
            &ask,
            reason.map(str::to_owned),
            &[],
        )
        .await
    }

    async fn execute(&self, prepared: &Prepared, waits: Waits) -> Executed {
        external_actions::execute(&self.connection, &self.catalog, prepared, waits).await
    }

    /// Prepares and executes, asserting both went through; the action's summary.
    async fn act(
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

    async fn ledger(&self, prepared: &Prepared) -> Vec<LedgerEntry> {
        ledger::read(&self.connection, &ledger_name(&prepared.app))
            .await
            .unwrap()
    }

    /// Starts the simulated Argo CD and Flux controllers; `ready` says whether Flux
    /// reconciles succeed.
    fn controllers(&self, ready: bool) -> Controllers {
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
struct Controllers {
    /// The `operation` of each Application, as the API server stored it, before
    /// the simulated Argo CD removed it: `(name, operation)`.
    operations: Arc<Mutex<Vec<(String, Value)>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Controllers {
    /// The operations received, each without its `Request` info entry (checked).
    fn operations(&self) -> Vec<(String, Value)> {
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
fn requestless(operation: &Value) -> Value {
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

/// One round of Flux's source, kustomize and helm controllers: each reconcile
/// request answered in `status.lastHandledReconcileAt` (the CRDs have no status
/// subresource: status is written with the object), sources first.
async fn flux_round(
    connection: &Connection,
    catalog: &Catalog,
    ok: bool,
) -> Result<(), ClusterError> {
    for source in all(connection, catalog, "GitRepository").await? {
        let Some(token) = requested(&source) else {
            continue;
        };
        let branch = source
            .pointer("/spec/ref/branch")
            .and_then(Value::as_str)
            .unwrap_or("main");
        let commit = source
            .pointer("/spec/ref/commit")
            .and_then(Value::as_str)
            .unwrap_or(HEAD);
        let revision = format!("{branch}@sha1:{commit}");
        let status = json!({"status": {
            "lastHandledReconcileAt": token,
            "artifact": {"revision": revision},
            "conditions": ready(true, "Succeeded", &format!("stored artifact for revision '{revision}'")),
        }});
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
fn token(prepared: &Prepared) -> String {
    prepared
        .plan
        .steps
        .iter()
        .find_map(|step| match step {
            Step::AwaitReconcile { token, .. } => Some(token.clone()),
            _ => None,
        })
        .expect("the plan waits for a reconcile")
}

fn annotation<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    object.pointer("/metadata/annotations")?.get(name)
}

fn operations(entries: &[LedgerEntry]) -> Vec<(Operation, Outcome)> {
    entries
        .iter()
        .map(|e| (e.operation, e.outcome.clone()))
        .collect()
}

fn shop_application(name: &str, sync_policy: Value) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {
            "project": "default",
            "source": {"repoURL": "https://git.example.com/shop.git", "path": "apps/shop", "targetRevision": "main"},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "shop"},
            "syncPolicy": sync_policy,
        },
        "status": {
            "sync": {"status": "OutOfSync", "revision": SHOP_TARGET},
            "health": {"status": "Healthy"},
        },
    })
}

// Argo CD

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_argo_cd_sync_writes_the_operation_argo_cd_runs() {
    let gitops = Gitops::start().await;
    assert_eq!(gitops.connection.user, CONTEXT_NAME);
    let controllers = gitops.controllers(true);
    let ask = Ask::Sync(SyncAsk {
        prune: true,
        ..SyncAsk::default()
    });
    let prepared = gitops
        .prepare("Application", "argocd", "shop", ask, Some("INC-42: hotfix"))
        .await
        .unwrap();
    assert_eq!(
        prepared.lines()[2..],
        [
            "patch Application argocd/shop: set operation: sync, prune",
            "wait until Argo CD has run the operation",
        ]
    );
    let executed = gitops.execute(&prepared, WAITS).await;
    assert!(executed.ledger_error.is_none(), "{executed:?}");
    assert_eq!(
        executed.result,
        Ok(format!("sync argocd/shop: operation succeeded {SUCCEEDED}"))
    );

    // What the API server received, as Argo CD's controller reads it.
    assert_eq!(
        controllers.operations(),
        [(
            "shop".to_owned(),
            json!({
                "initiatedBy": {"username": CONTEXT_NAME, "automated": false},
                "info": [
                    {"name": "Reason", "value": "INC-42: hotfix"},
                    {"name": "Via", "value": "driftdeck"},
                ],
                "sync": {"prune": true, "syncStrategy": {"hook": {}}},
            })
        )]
    );
    let shop = gitops.read("Application", "argocd", "shop").await;
    assert_eq!(shop.get("operation"), None, "{shop:#}");
    assert_eq!(shop["status"]["operationState"]["phase"], "Succeeded");
    // A sync leaves the sync policy alone.
    assert_eq!(
        shop["spec"]["syncPolicy"],
        json!({"automated": {"prune": true, "selfHeal": true}})
    );

    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [(Operation::Sync, Outcome::Succeeded)]
    );
    let entry = &entries[0];
    assert_eq!(entry.reason.as_deref(), Some("INC-42: hotfix"));
    assert_eq!(entry.who.kube_user, CONTEXT_NAME);
    assert_eq!(entry.revision, SHOP_TARGET);
    assert_eq!(entry.resources, ["argoproj.io/Application/argocd/shop"]);
    assert!(entry.finished.is_some_and(|f| f >= entry.started));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_argo_cd_the_operation_stays_as_written_and_the_wait_times_out() {
    let gitops = Gitops::start().await;
    let manual = json!({"syncOptions": ["CreateNamespace=true"]});
    gitops.create(shop_application("dry", manual.clone())).await;
    gitops.create(shop_application("some", manual)).await;
    let timed_out = "Argo CD did not finish the operation within 1s (still requested, not \
                     started: X cancels the request): is its application controller running?";

    // A dry run, without a reason.
    let ask = Ask::Sync(SyncAsk {
        dry_run: true,
        ..SyncAsk::default()
    });
    let prepared = gitops
        .prepare("Application", "argocd", "dry", ask.clone(), None)
        .await
        .unwrap();
    assert_eq!(prepared.plan.title, "sync argocd/dry (dry run)");
    let started = Instant::now();
    let executed = gitops.execute(&prepared, SHORT).await;
    assert!(
        started.elapsed() >= SHORT.timeout,
        "{:?}",
        started.elapsed()
    );
    assert_eq!(executed.result, Err(timed_out.to_owned()));
    assert!(executed.ledger_error.is_none(), "{executed:?}");
    let dry = gitops.read("Application", "argocd", "dry").await;
    assert_eq!(
        requestless(&dry["operation"]),
        json!({
            "initiatedBy": {"username": CONTEXT_NAME, "automated": false},
            "info": [{"name": "Via", "value": "driftdeck"}],
            "sync": {"prune": false, "dryRun": true, "syncStrategy": {"hook": {}}},
        })
    );
    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [(
            Operation::DryRun,
            Outcome::Failed {
                message: timed_out.to_owned()
            }
        )]
    );
    assert_eq!(entries[0].reason, None);
    // The operation is still requested: another one is refused.
    let refused = gitops
        .prepare("Application", "argocd", "dry", ask, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ActionError::Refused(m)
            if m == "argocd/dry has an operation requested (no revision): wait for it or cancel it (X)"),
        "{refused:?}"
    );
    // X withdraws it: nothing of it is left, the ledger says so.
    let cancel = gitops
        .prepare("Application", "argocd", "dry", Ask::Terminate, None)
        .await
        .unwrap();
    assert_eq!(
        cancel.plan.title,
        "cancel the requested operation of argocd/dry"
    );
    let executed = gitops.execute(&cancel, SHORT).await;
    assert_eq!(
        executed.result,
        Ok("cancel the requested operation of argocd/dry".to_owned())
    );
    let dry = gitops.read("Application", "argocd", "dry").await;
    assert_eq!(dry.get("operation"), None, "{dry}");
    assert_eq!(
        operations(&gitops.ledger(&cancel).await),
        [
            (
                Operation::DryRun,
                Outcome::Failed {
                    message: timed_out.to_owned()
                }
            ),
            (Operation::Terminate, Outcome::Succeeded)
        ]
    );

    // Selected resources, pruned.
    let ask = Ask::Sync(SyncAsk {
        prune: true,
        dry_run: false,
        resources: vec![
            ResourceKey::new("apps", "Deployment", "shop", "web"),
            ResourceKey::new("", "ConfigMap", "shop", "web-config"),
            ResourceKey::new("", "Namespace", "", "shop"),
        ],
    });
    let prepared = gitops
        .prepare(
            "Application",
            "argocd",
            "some",
            ask,
            Some("only the web tier"),
        )
        .await
        .unwrap();
    assert_eq!(
        prepared.lines()[2],
        "patch Application argocd/some: set operation: sync, prune, 3 resource(s) only"
    );
    let executed = gitops.execute(&prepared, SHORT).await;
    assert_eq!(executed.result, Err(timed_out.to_owned()));
    let some = gitops.read("Application", "argocd", "some").await;
    assert_eq!(
        requestless(&some["operation"]),
        json!({
            "initiatedBy": {"username": CONTEXT_NAME, "automated": false},
            "info": [
                {"name": "Reason", "value": "only the web tier"},
                {"name": "Via", "value": "driftdeck"},
            ],
            "sync": {
                "prune": true,
                "resources": [
                    {"group": "apps", "kind": "Deployment", "name": "web", "namespace": "shop"},
                    {"group": "", "kind": "ConfigMap", "name": "web-config", "namespace": "shop"},
                    {"group": "", "kind": "Namespace", "name": "shop"},
                ],
                "syncStrategy": {"hook": {}},
            },
        })
    );
    let entries = gitops.ledger(&prepared).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].operation, Operation::Sync);
    assert_eq!(entries[0].reason.as_deref(), Some("only the web tier"));
    assert!(matches!(entries[0].outcome, Outcome::Failed { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_and_hard_refresh_annotate_the_application() {
    let gitops = Gitops::start().await;
    let (prepared, summary) = gitops
        .act(
            "Application",
            "argocd",
            "shop",
            Ask::Refresh { hard: false },
            None,
        )
        .await;
    assert_eq!(summary, "refresh argocd/shop");
    let shop = gitops.read("Application", "argocd", "shop").await;
    assert_eq!(
        annotation(&shop, "argocd.argoproj.io/refresh"),
        Some(&json!("normal"))
    );

    let (_, summary) = gitops
        .act(
            "Application",
            "argocd",
            "shop",
            Ask::Refresh { hard: true },
            Some("cache looks stale"),
        )
        .await;
    assert_eq!(summary, "hard refresh argocd/shop");
    let shop = gitops.read("Application", "argocd", "shop").await;
    assert_eq!(
        annotation(&shop, "argocd.argoproj.io/refresh"),
        Some(&json!("hard"))
    );
    // Nothing else moved.
    assert_eq!(shop.get("operation"), None);
    assert_eq!(
        shop["spec"]["syncPolicy"],
        json!({"automated": {"prune": true, "selfHeal": true}})
    );

    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [
            (Operation::Refresh, Outcome::Succeeded),
            (Operation::Refresh, Outcome::Succeeded),
        ]
    );
    assert_eq!(entries[1].reason.as_deref(), Some("cache looks stale"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_sync_off_then_on_restores_prune_and_self_heal() {
    let gitops = Gitops::start().await;
    gitops
        .create(shop_application(
            "tuned",
            json!({"automated": {"prune": false, "selfHeal": true}, "syncOptions": ["PruneLast=true"]}),
        ))
        .await;

    let (prepared, summary) = gitops
        .act(
            "Application",
            "argocd",
            "tuned",
            Ask::AutoSync { enable: false },
            Some("freeze"),
        )
        .await;
    assert_eq!(summary, "turn auto-sync of argocd/tuned off");
    let tuned = gitops.read("Application", "argocd", "tuned").await;
    assert_eq!(
        tuned["spec"]["syncPolicy"],
        json!({"syncOptions": ["PruneLast=true"]})
    );
    assert_eq!(
        annotation(&tuned, AUTO_SYNC_WAS),
        Some(&json!(r#"{"prune":false,"selfHeal":true}"#))
    );
    let refused = gitops
        .prepare(
            "Application",
            "argocd",
            "tuned",
            Ask::AutoSync { enable: false },
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ActionError::Refused(m) if m == "auto-sync of argocd/tuned is already off"),
        "{refused:?}"
    );

    let (_, summary) = gitops
        .act(
            "Application",
            "argocd",
            "tuned",
            Ask::AutoSync { enable: true },
            None,
        )
        .await;
    assert_eq!(summary, "turn auto-sync of argocd/tuned on");
    let tuned = gitops.read("Application", "argocd", "tuned").await;
    assert_eq!(
        tuned["spec"]["syncPolicy"],
        json!({"automated": {"prune": false, "selfHeal": true}, "syncOptions": ["PruneLast=true"]})
    );
    assert_eq!(annotation(&tuned, AUTO_SYNC_WAS), None, "{tuned:#}");
    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [
            (Operation::Suspend, Outcome::Succeeded),
            (Operation::Resume, Outcome::Succeeded),
        ]
    );
    assert_eq!(entries[0].reason.as_deref(), Some("freeze"));

    // Argo CD 3.1+ keeps a disabled policy with `enabled: false`: turned on, it says
    // `enabled: true` (a merge patch would keep the false).
    gitops
        .create(shop_application(
            "disabled",
            json!({"automated": {"enabled": false, "prune": true, "selfHeal": true}}),
        ))
        .await;
    gitops
        .act(
            "Application",
            "argocd",
            "disabled",
            Ask::AutoSync { enable: true },
            None,
        )
        .await;
    let disabled = gitops.read("Application", "argocd", "disabled").await;
    assert_eq!(
        disabled["spec"]["syncPolicy"],
        json!({"automated": {"enabled": true, "prune": true, "selfHeal": true}})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminate_stops_a_running_operation_and_is_refused_without_one() {
    let gitops = Gitops::start().await;
    let operation = json!({
        "initiatedBy": {"username": "alice"},
        "sync": {"revision": SHOP_TARGET, "syncStrategy": {"hook": {}}},
    });
    let mut busy = shop_application("busy", json!({}));
    busy["operation"] = operation.clone();
    busy["status"]["operationState"] = json!({
        "operation": operation,
        "phase": "Running",
        "message": "waiting for healthy state of apps/Deployment/web",
        "startedAt": "2026-11-23T09:00:00Z",
    });
    gitops.create(busy).await;

    // A sync while it runs is refused.
    let refused = gitops
        .prepare(
            "Application",
            "argocd",
            "busy",
            Ask::Sync(SyncAsk::default()),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ActionError::Refused(m)
            if m == "argocd/busy has an operation running (2b7e151): wait for it or terminate it (X)"),
        "{refused:?}"
    );

    let (prepared, summary) = gitops
        .act(
            "Application",
            "argocd",
            "busy",
            Ask::Terminate,
            Some("stuck"),
        )
        .await;
    assert_eq!(summary, "terminate the operation of argocd/busy");
    let busy = gitops.read("Application", "argocd", "busy").await;
    let state = &busy["status"]["operationState"];
    assert_eq!(state["phase"], "Terminating");
    // The rest of the state is Argo CD's and stays.
    assert_eq!(state["startedAt"], "2026-11-23T09:00:00Z");
    assert_eq!(
        state["message"],
        "waiting for healthy state of apps/Deployment/web"
    );
    assert_eq!(state["operation"]["sync"]["revision"], SHOP_TARGET);
    assert_eq!(
        operations(&gitops.ledger(&prepared).await),
        [(Operation::Terminate, Outcome::Succeeded)]
    );

    let refused = gitops
        .prepare("Application", "argocd", "shop", Ask::Terminate, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ActionError::Refused(m) if m == "argocd/shop has no running operation to terminate"),
        "{refused:?}"
    );
    // Nothing was recorded for the refusal.
    let shop = gitops
        .prepare(
            "Application",
            "argocd",
            "shop",
            Ask::Refresh { hard: false },
            None,
        )
        .await
        .unwrap();
    assert!(gitops.ledger(&shop).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_argo_cd_rollback_turns_auto_sync_off_then_syncs_the_commit() {
    let gitops = Gitops::start().await;
    let controllers = gitops.controllers(true);
    let prepared = gitops
        .prepare(
            "Application",
            "argocd",
            "shop",
            Ask::Rollback {
                to: SHOP_DEPLOYED.into(),
            },
            Some("INC-7: 2b7e151 breaks checkout"),
        )
        .await
        .unwrap();
    assert_eq!(prepared.plan.title, "roll back argocd/shop to 1f3d2c4");
    assert_eq!(
        prepared.plan.warnings,
        [
            "auto-sync of argocd/shop is turned off first (Argo CD would sync Git's revision \
          back); turn it on again with p once Git is fixed"
        ]
    );
    let executed = gitops.execute(&prepared, WAITS).await;
    assert!(executed.ledger_error.is_none(), "{executed:?}");
    assert_eq!(
        executed.result,
        Ok(format!(
            "roll back argocd/shop to 1f3d2c4: operation succeeded {SUCCEEDED}"
        ))
    );

    let shop = gitops.read("Application", "argocd", "shop").await;
    assert_eq!(shop["spec"]["syncPolicy"], json!({}), "{shop:#}");
    assert_eq!(
        annotation(&shop, AUTO_SYNC_WAS),
        Some(&json!(r#"{"prune":true,"selfHeal":true}"#))
    );
    assert_eq!(
        controllers.operations(),
        [(
            "shop".to_owned(),
            json!({
                "initiatedBy": {"username": CONTEXT_NAME, "automated": false},
                "info": [
                    {"name": "Reason", "value": "INC-7: 2b7e151 breaks checkout"},
                    {"name": "Via", "value": "driftdeck"},
                ],
                "sync": {"revision": SHOP_DEPLOYED, "prune": false, "syncStrategy": {"hook": {}}},
            })
        )]
    );
    assert_eq!(
        shop["status"]["operationState"]["syncResult"]["revision"],
        SHOP_DEPLOYED
    );

    // Git fixed: auto-sync on again, as it was.
    gitops
        .act(
            "Application",
            "argocd",
            "shop",
            Ask::AutoSync { enable: true },
            None,
        )
        .await;
    let shop = gitops.read("Application", "argocd", "shop").await;
    assert_eq!(
        shop["spec"]["syncPolicy"],
        json!({"automated": {"prune": true, "selfHeal": true}})
    );
    assert_eq!(annotation(&shop, AUTO_SYNC_WAS), None);

    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [
            (Operation::Rollback, Outcome::Succeeded),
            (Operation::Resume, Outcome::Succeeded),
        ]
    );
    assert_eq!(entries[0].revision, SHOP_DEPLOYED);
    assert_eq!(entries[0].restored.as_deref(), Some(SHOP_DEPLOYED));
    assert_eq!(
        entries[0].reason.as_deref(),
        Some("INC-7: 2b7e151 breaks checkout")
    );
}

// Flux

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flux_reconcile_waits_until_the_controller_handled_it() {
    let gitops = Gitops::start().await;
    let _controllers = gitops.controllers(true);
    let ask = Ask::Reconcile {
        with_source: false,
        resume: false,
    };
    let (prepared, summary) = gitops
        .act("Kustomization", "flux-system", "infra", ask, Some("check"))
        .await;
    assert_eq!(
        summary,
        format!(
            "reconcile flux-system/infra: Kustomization infra reconciled \
             (ReconciliationSucceeded: Applied revision: main@sha1:{HEAD})"
        )
    );
    let first = token(&prepared);
    let infra = gitops.read("Kustomization", "flux-system", "infra").await;
    assert_eq!(annotation(&infra, REQUESTED_AT), Some(&json!(first)));
    assert_eq!(infra["status"]["lastHandledReconcileAt"], first);
    let platform = gitops
        .read("GitRepository", "flux-system", "platform")
        .await;
    assert_eq!(annotation(&platform, REQUESTED_AT), None, "alone");

    // With its source: the GitRepository is asked (and waited for) first.
    let ask = Ask::Reconcile {
        with_source: true,
        resume: false,
    };
    let (prepared, summary) = gitops
        .act("Kustomization", "flux-system", "infra", ask, None)
        .await;
    assert_eq!(
        summary,
        format!(
            "reconcile flux-system/infra with its source: Kustomization infra reconciled \
             (ReconciliationSucceeded: Applied revision: main@sha1:{HEAD})"
        )
    );
    let second = token(&prepared);
    assert_ne!(first, second);
    let platform = gitops
        .read("GitRepository", "flux-system", "platform")
        .await;
    assert_eq!(annotation(&platform, REQUESTED_AT), Some(&json!(second)));
    assert_eq!(platform["status"]["lastHandledReconcileAt"], second);
    let infra = gitops.read("Kustomization", "flux-system", "infra").await;
    assert_eq!(infra["status"]["lastHandledReconcileAt"], second);
    assert_eq!(
        prepared.plan.patched(),
        [
            &key("GitRepository", "flux-system", "platform"),
            &key("Kustomization", "flux-system", "infra"),
        ]
    );

    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [
            (Operation::Sync, Outcome::Succeeded),
            (Operation::Sync, Outcome::Succeeded),
        ]
    );
    assert_eq!(entries[0].reason.as_deref(), Some("check"));
    assert_eq!(
        entries[1].resources,
        [
            "source.toolkit.fluxcd.io/GitRepository/flux-system/platform",
            "kustomize.toolkit.fluxcd.io/Kustomization/flux-system/infra",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flux_waits_report_a_missing_controller_and_a_failed_reconcile() {
    let gitops = Gitops::start().await;
    let ask = Ask::Reconcile {
        with_source: false,
        resume: false,
    };
    let prepared = gitops
        .prepare("Kustomization", "flux-system", "infra", ask.clone(), None)
        .await
        .unwrap();
    let executed = gitops.execute(&prepared, SHORT).await;
    // Where it stood is said: never handled a request, and its Ready condition.
    let missing = "Kustomization flux-system/infra did not handle the request within 1s \
                   (handled never; Ready False (HealthCheckFailed: timeout waiting for: \
                   [Deployment/infra/ingress status: 'InProgress'])): is its Flux controller \
                   running?";
    assert_eq!(executed.result, Err(missing.to_owned()));

    let _controllers = gitops.controllers(false);
    let prepared = gitops
        .prepare("Kustomization", "flux-system", "infra", ask, None)
        .await
        .unwrap();
    let executed = gitops.execute(&prepared, WAITS).await;
    let failed = "Kustomization infra not ready: (BuildFailed: kustomize build failed: \
                  accumulating resources)";
    assert_eq!(executed.result, Err(failed.to_owned()));
    assert_eq!(
        operations(&gitops.ledger(&prepared).await),
        [
            (
                Operation::Sync,
                Outcome::Failed {
                    message: missing.to_owned()
                }
            ),
            (
                Operation::Sync,
                Outcome::Failed {
                    message: failed.to_owned()
                }
            ),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspended_flux_app_is_not_waited_for_unless_resumed() {
    let gitops = Gitops::start().await;
    let _controllers = gitops.controllers(true);
    let prepared = gitops
        .prepare(
            "HelmRelease",
            "flux-system",
            "redis",
            Ask::Reconcile {
                with_source: false,
                resume: false,
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        prepared.plan.warnings,
        [
            "flux-system/redis is suspended: Flux ignores the request until it is resumed \
          (resume it and reconcile instead)"
        ]
    );
    assert!(
        prepared
            .lines()
            .contains(&format!("warning: {}", prepared.plan.warnings[0]))
    );
    assert!(
        prepared
            .plan
            .steps
            .iter()
            .all(|s| matches!(s, Step::Patch { .. })),
        "{:?}",
        prepared.plan.steps
    );
    let started = Instant::now();
    let executed = gitops.execute(&prepared, WAITS).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        executed.result,
        Ok("reconcile flux-system/redis".to_owned())
    );
    let redis = gitops.read("HelmRelease", "flux-system", "redis").await;
    assert!(annotation(&redis, REQUESTED_AT).is_some());
    assert_eq!(redis["spec"]["suspend"], true);
    // The (simulated) controller ignored it, as Flux does.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let redis = gitops.read("HelmRelease", "flux-system", "redis").await;
    assert_eq!(redis["status"].get("lastHandledReconcileAt"), None);

    let (prepared, summary) = gitops
        .act(
            "HelmRelease",
            "flux-system",
            "redis",
            Ask::Reconcile {
                with_source: false,
                resume: true,
            },
            None,
        )
        .await;
    assert_eq!(
        prepared.plan.warnings,
        ["flux-system/redis is suspended: it is resumed first"]
    );
    assert_eq!(
        summary,
        "resume and reconcile flux-system/redis: HelmRelease redis reconciled \
         (UpgradeSucceeded: Helm upgrade succeeded)"
    );
    let redis = gitops.read("HelmRelease", "flux-system", "redis").await;
    assert_eq!(redis["spec"]["suspend"], false);
    assert_eq!(redis["status"]["lastHandledReconcileAt"], token(&prepared));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspend_and_resume_set_spec_suspend() {
    let gitops = Gitops::start().await;
    let _controllers = gitops.controllers(true);
    let (prepared, summary) = gitops
        .act(
            "Kustomization",
            "flux-system",
            "infra",
            Ask::Suspend(true),
            Some("maintenance window"),
        )
        .await;
    assert_eq!(summary, "suspend flux-system/infra");
    let infra = gitops.read("Kustomization", "flux-system", "infra").await;
    assert_eq!(infra["spec"]["suspend"], true);
    let refused = gitops
        .prepare(
            "Kustomization",
            "flux-system",
            "infra",
            Ask::Suspend(true),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ActionError::Refused(m) if m == "flux-system/infra is already suspended"),
        "{refused:?}"
    );

    let (resumed, summary) = gitops
        .act(
            "Kustomization",
            "flux-system",
            "infra",
            Ask::Suspend(false),
            None,
        )
        .await;
    assert_eq!(
        summary,
        format!(
            "resume flux-system/infra: Kustomization infra reconciled \
             (ReconciliationSucceeded: Applied revision: main@sha1:{HEAD})"
        )
    );
    let infra = gitops.read("Kustomization", "flux-system", "infra").await;
    assert_eq!(infra["spec"]["suspend"], false);
    assert_eq!(infra["status"]["lastHandledReconcileAt"], token(&resumed));

    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [
            (Operation::Suspend, Outcome::Succeeded),
            (Operation::Resume, Outcome::Succeeded),
        ]
    );
    assert_eq!(entries[0].reason.as_deref(), Some("maintenance window"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flux_rollback_pins_the_source_and_unpin_puts_it_back() {
    let gitops = Gitops::start().await;
    let _controllers = gitops.controllers(true);
    // Reconciled once: infra applied what main is at.
    gitops
        .act(
            "Kustomization",
            "flux-system",
            "infra",
            Ask::Reconcile {
                with_source: true,
                resume: false,
            },
            None,
        )
        .await;

    let prepared = gitops
        .prepare(
            "Kustomization",
            "flux-system",
            "infra",
            Ask::Rollback {
                to: format!("main@sha1:{PREVIOUS}"),
            },
            Some("INC-9: ingress broken"),
        )
        .await
        .unwrap();
    assert_eq!(
        prepared.plan.title,
        "roll back flux-system/infra to 4444444"
    );
    assert_eq!(
        prepared.plan.warnings,
        [
            "every app built from source.toolkit.fluxcd.io/GitRepository/flux-system/platform \
             goes back to 4444444 too while it is pinned"
        ]
    );
    let executed = gitops.execute(&prepared, WAITS).await;
    assert!(executed.ledger_error.is_none(), "{executed:?}");
    assert_eq!(
        executed.result,
        Ok(format!(
            "roll back flux-system/infra to 4444444: Kustomization infra reconciled \
             (ReconciliationSucceeded: Applied revision: main@sha1:{PREVIOUS})"
        ))
    );
    let platform = gitops
        .read("GitRepository", "flux-system", "platform")
        .await;
    assert_eq!(
        platform["spec"]["ref"],
        json!({"branch": "main", "commit": PREVIOUS})
    );
    assert_eq!(
        annotation(&platform, PINNED_FROM),
        Some(&json!(r#"{"branch":"main"}"#))
    );
    assert_eq!(
        platform["status"]["artifact"]["revision"],
        format!("main@sha1:{PREVIOUS}")
    );
    let infra = gitops.read("Kustomization", "flux-system", "infra").await;
    assert_eq!(
        infra["status"]["lastAppliedRevision"],
        format!("main@sha1:{PREVIOUS}")
    );
    assert_eq!(infra["spec"]["suspend"], true, "the rollback holds");

    // A second rollback over the pin is refused.
    let refused = gitops
        .prepare(
            "Kustomization",
            "flux-system",
            "infra",
            Ask::Rollback { to: HEAD.into() },
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ActionError::Refused(m)
            if m == "flux-system/infra is pinned by an earlier rollback: unpin it first (u)"),
        "{refused:?}"
    );

    let (_, summary) = gitops
        .act(
            "Kustomization",
            "flux-system",
            "infra",
            Ask::Unpin,
            Some("INC-9 fixed in Git"),
        )
        .await;
    assert_eq!(
        summary,
        format!(
            "unpin and resume flux-system/infra: Kustomization infra reconciled \
             (ReconciliationSucceeded: Applied revision: main@sha1:{HEAD})"
        )
    );
    let platform = gitops
        .read("GitRepository", "flux-system", "platform")
        .await;
    assert_eq!(platform["spec"]["ref"], json!({"branch": "main"}));
    assert_eq!(annotation(&platform, PINNED_FROM), None, "{platform:#}");
    assert_eq!(
        platform["status"]["artifact"]["revision"],
        format!("main@sha1:{HEAD}")
    );
    let infra = gitops.read("Kustomization", "flux-system", "infra").await;
    assert_eq!(infra["spec"]["suspend"], false);
    assert_eq!(
        infra["status"]["lastAppliedRevision"],
        format!("main@sha1:{HEAD}")
    );

    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [
            (Operation::Sync, Outcome::Succeeded),
            (Operation::Rollback, Outcome::Succeeded),
            (Operation::Unpin, Outcome::Succeeded),
        ]
    );
    let rollback = &entries[1];
    assert_eq!(rollback.revision, PREVIOUS);
    assert_eq!(rollback.restored.as_deref(), Some(PREVIOUS));
    assert_eq!(rollback.reason.as_deref(), Some("INC-9: ingress broken"));
    assert_eq!(
        rollback.resources,
        [
            "source.toolkit.fluxcd.io/GitRepository/flux-system/platform",
            "kustomize.toolkit.fluxcd.io/Kustomization/flux-system/infra",
        ]
    );
    assert_eq!(entries[2].reason.as_deref(), Some("INC-9 fixed in Git"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helm_release_rollback_pins_the_chart_version() {
    let gitops = Gitops::start().await;
    let _controllers = gitops.controllers(true);
    gitops
        .create(json!({
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": {"name": "cache", "namespace": "flux-system"},
            "spec": {
                "interval": "5m",
                "chart": {"spec": {"chart": "redis", "version": "19.x",
                                   "sourceRef": {"kind": "HelmRepository", "name": "bitnami"}}},
            },
        }))
        .await;

    let (prepared, summary) = gitops
        .act(
            "HelmRelease",
            "flux-system",
            "cache",
            Ask::Rollback {
                to: "19.5.0".into(),
            },
            Some("19.6 leaks memory"),
        )
        .await;
    assert_eq!(
        summary,
        "roll back flux-system/cache to chart 19.5.0: HelmRelease cache reconciled \
         (UpgradeSucceeded: Helm upgrade succeeded)"
    );
    let cache = gitops.read("HelmRelease", "flux-system", "cache").await;
    assert_eq!(cache["spec"]["chart"]["spec"]["version"], "19.5.0");
    assert_eq!(
        annotation(&cache, PINNED_FROM),
        Some(&json!(r#"{"version":"19.x"}"#))
    );
    assert_eq!(cache["status"]["lastHandledReconcileAt"], token(&prepared));

    gitops
        .act("HelmRelease", "flux-system", "cache", Ask::Unpin, None)
        .await;
    let cache = gitops.read("HelmRelease", "flux-system", "cache").await;
    assert_eq!(
        cache["spec"]["chart"]["spec"],
        json!({"chart": "redis", "version": "19.x",
               "sourceRef": {"kind": "HelmRepository", "name": "bitnami"}})
    );
    assert_eq!(annotation(&cache, PINNED_FROM), None);

    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [
            (Operation::Rollback, Outcome::Succeeded),
            (Operation::Unpin, Outcome::Succeeded),
        ]
    );
    assert_eq!(entries[0].revision, "19.5.0");
    assert_eq!(entries[0].reason.as_deref(), Some("19.6 leaks memory"));
}

// Forbidden

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_forbidden_to_list_is_a_problem_and_the_rest_is_listed() {
    let gitops = Gitops::start().await;
    gitops.cluster.sandbox.set_faults(FaultConfig {
        forbidden: vec!["applications.argoproj.io".into()],
        ..FaultConfig::default()
    });
    let found = external::discover(&gitops.connection, &gitops.catalog).await;
    assert_eq!(found.problems.len(), 1, "{:?}", found.problems);
    let problem = &found.problems[0];
    assert!(
        problem.contains("forbidden") && problem.contains("Application.argoproj.io"),
        "{problem}"
    );
    let names: Vec<(&str, &str)> = found
        .apps
        .iter()
        .map(|a| (a.kind.label(), a.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [("Kustomization", "infra"), ("HelmRelease", "redis")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forbidden_patch_fails_the_action_and_its_ledger_entry() {
    let gitops = Gitops::start().await;
    let prepared = gitops
        .prepare(
            "Kustomization",
            "flux-system",
            "infra",
            Ask::Suspend(true),
            Some("freeze"),
        )
        .await
        .unwrap();
    // The sandbox forbids a resource for every verb; forbidden after the read, it
    // is the patch that is refused.
    gitops.cluster.sandbox.set_faults(FaultConfig {
        forbidden: vec!["kustomizations.kustomize.toolkit.fluxcd.io/flux-system".into()],
        ..FaultConfig::default()
    });
    let executed = gitops.execute(&prepared, WAITS).await;
    assert!(executed.ledger_error.is_none(), "{executed:?}");
    let message = executed.result.unwrap_err();
    assert!(
        message.starts_with("patch of Kustomization/infra: ")
            && message.contains("forbidden (403)")
            && message.contains("cannot patch"),
        "{message}"
    );
    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [(Operation::Suspend, Outcome::Failed { message })]
    );
    assert_eq!(entries[0].reason.as_deref(), Some("freeze"));

    gitops.cluster.sandbox.set_faults(FaultConfig::default());
    let infra = gitops.read("Kustomization", "flux-system", "infra").await;
    assert_eq!(infra["spec"].get("suspend"), None, "unchanged: {infra:#}");
}
