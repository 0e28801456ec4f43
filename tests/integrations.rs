//! Argo CD and Flux apps discovered in the sandbox, through the Kubernetes API
//! only: minimal CRDs of our own (tests/fixtures/gitops/crds.yaml) and objects with
//! the status their controllers would write.

mod common;

use std::process::{Command, Output};

use common::cluster::Cluster;
use common::gitops::install;
use serde_json::Value;

/// `driftdeck ARGS` on the sandbox's kubeconfig.
fn driftdeck(cluster: &Cluster, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .arg("--kubeconfig")
        .arg(cluster.sandbox.kubeconfig())
        .args(args)
        .env_remove("KUBECONFIG")
        .env_remove("DRIFTDECK_READ_ONLY")
        .output()
        .expect("driftdeck runs")
}

fn discover(cluster: &Cluster) -> (Vec<Value>, String) {
    let output = driftdeck(cluster, &["discover", "-o", "json"]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    let apps: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    (apps.as_array().expect("a list").clone(), stderr)
}

#[test]
fn a_cluster_without_argo_cd_or_flux_has_no_apps_and_no_error() {
    let cluster = Cluster::start();
    let (apps, stderr) = discover(&cluster);
    assert!(apps.is_empty(), "{apps:?}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn argo_cd_and_flux_apps_are_read_into_one_model() {
    let cluster = Cluster::start();
    install(&cluster);

    let (apps, stderr) = discover(&cluster);
    assert!(stderr.is_empty(), "{stderr}");
    let names: Vec<&str> = apps.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["shop", "infra", "redis"], "{apps:#?}");

    let shop = &apps[0];
    assert_eq!(shop["kind"], "Application");
    assert_eq!(shop["sync"], "OutOfSync");
    assert_eq!(shop["health"]["status"], "Degraded");
    assert_eq!(
        shop["health"]["message"],
        "Deployment web: 0/3 replicas ready"
    );
    assert_eq!(shop["source"]["url"], "https://git.example.com/shop.git");
    assert_eq!(shop["source"]["path"], "apps/shop");
    assert_eq!(shop["resources"].as_array().unwrap().len(), 1);
    assert_eq!(
        shop["targetRevision"],
        "2b7e151628aed2a6abf7158809cf4f3c762e7160"
    );
    assert_eq!(
        shop["liveRevision"],
        "1f3d2c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5"
    );
    assert_eq!(shop["history"].as_array().unwrap().len(), 1);

    // The Kustomization applied 4444… while its source offers 3333…: out of sync,
    // and its Ready=False says why.
    let infra = &apps[1];
    assert_eq!(infra["kind"], "Kustomization");
    assert_eq!(infra["sync"], "OutOfSync", "{infra:#}");
    assert_eq!(infra["health"]["status"], "Degraded", "{infra:#}");
    assert_eq!(
        infra["liveRevision"],
        "main@sha1:4444444444444444444444444444444444444444"
    );
    assert_eq!(
        infra["targetRevision"],
        "main@sha1:3333333333333333333333333333333333333333"
    );
    assert!(
        infra["health"]["message"]
            .as_str()
            .unwrap()
            .contains("timeout waiting for"),
        "{infra:#}"
    );
    assert_eq!(
        infra["source"]["url"],
        "https://git.example.com/platform.git"
    );
    assert_eq!(infra["resources"].as_array().unwrap().len(), 2);

    let redis = &apps[2];
    assert_eq!(redis["kind"], "HelmRelease");
    assert_eq!(redis["automation"]["flux"]["suspended"], true, "{redis:#}");
    assert_eq!(redis["health"]["status"], "Suspended", "{redis:#}");
    assert_eq!(redis["liveRevision"], "19.6.1", "{redis:#}");
    // Its HelmRepository is found: the URL comes from it.
    assert_eq!(
        redis["source"]["url"], "https://charts.example.com/bitnami",
        "{redis:#}"
    );

    // The table names the engines.
    let table = driftdeck(&cluster, &["discover"]);
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.starts_with("CONTEXT  "), "{table}");
    assert!(
        table.contains("argocd") && table.contains("flux"),
        "{table}"
    );
    assert!(table.contains("suspended"), "{table}");
    assert!(
        table.contains("main@sha1:4444444 "),
        "revisions cut: {table}"
    );
}

/// `driftdeck engine ARGS` on the sandbox: exit code, stdout, stderr.
fn engine(cluster: &Cluster, args: &[&str]) -> (Option<i32>, String, String) {
    let output = driftdeck(cluster, &[&["engine"], args].concat());
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn object(cluster: &Cluster, kind: &str, namespace: &str, name: &str) -> Value {
    let json = cluster.ok(&["get", kind, name, "-n", namespace, "-o", "json"]);
    serde_json::from_str(&json).unwrap()
}

#[test]
fn engine_actions_run_from_the_command_line() {
    let cluster = Cluster::start();
    install(&cluster);
    let shop = || object(&cluster, "applications.argoproj.io", "argocd", "shop");

    // The plan is printed, then done.
    let (code, out, err) = engine(
        &cluster,
        &["refresh", "Application/argocd/shop", "--hard", "--yes"],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.starts_with("hard refresh argocd/shop\n"), "{out}");
    assert!(
        out.contains("  protected by Kubernetes RBAC only (patch on the objects below); Argo CD's own RBAC (projects, roles) is not consulted on this path\n"),
        "{out}"
    );
    assert!(
        out.contains("  patch Application argocd/shop: annotate argocd.argoproj.io/refresh=hard\n"),
        "{out}"
    );
    assert_eq!(
        shop()["metadata"]["annotations"]["argocd.argoproj.io/refresh"],
        "hard"
    );

    // Read-only refuses before anything is read or sent.
    let (code, _, err) = engine(
        &cluster,
        &["--read-only", "sync", "app/argocd/shop", "--yes"],
    );
    assert_eq!(code, Some(3), "{err}");
    assert_eq!(shop().get("operation"), None);

    // Without a terminal and without --yes, nothing is sent.
    let (code, _, err) = engine(&cluster, &["sync", "app/argocd/shop"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("without confirmation: stdin is not a terminal"),
        "{err}"
    );
    assert_eq!(shop().get("operation"), None);

    // No Argo CD here: the operation is written, the wait gives up and says so.
    let (code, out, err) = engine(
        &cluster,
        &[
            "sync",
            "app/argocd/shop",
            "--dry-run",
            "--reason",
            "INC-7",
            "--yes",
            "--timeout",
            "1",
        ],
    );
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("Argo CD did not finish the operation within 1s (still requested, not started: X cancels the request)"),
        "{err}"
    );
    let operation = &shop()["operation"];
    assert_eq!(operation["sync"]["dryRun"], true, "{operation}");
    assert_eq!(
        operation["info"][0],
        serde_json::json!({"name": "Reason", "value": "INC-7"})
    );

    // terminate cancels the request.
    let (code, out, err) = engine(&cluster, &["terminate", "app/argocd/shop", "--yes"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.ends_with("cancel the requested operation of argocd/shop\n"),
        "{out}"
    );
    assert_eq!(shop().get("operation"), None);

    // An ask of the other engine is refused with the right word.
    let (code, _, err) = engine(&cluster, &["reconcile", "Application/argocd/shop", "--yes"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("Argo CD apps cannot be reconciled (sync them)"),
        "{err}"
    );

    // Flux: suspend is a patch and nothing to wait for.
    let (code, out, err) = engine(
        &cluster,
        &[
            "suspend",
            "ks/flux-system/infra",
            "--yes",
            "--reason",
            "freeze",
        ],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    let infra = object(&cluster, "kustomizations", "flux-system", "infra");
    assert_eq!(infra["spec"]["suspend"], true);
    let ledger = cluster.ok(&[
        "get",
        "configmap",
        "driftdeck-ledger-flux-ks.flux-system.infra",
        "-n",
        "driftdeck-system",
        "-o",
        "jsonpath={.data.entries}",
    ]);
    assert!(
        ledger.contains("\"operation\":\"suspend\"") && ledger.contains("freeze"),
        "{ledger}"
    );

    // A rollback needs a reason; a name that is not KIND/NAMESPACE/NAME is a usage error.
    let (code, _, err) = engine(
        &cluster,
        &[
            "rollback",
            "ks/flux-system/infra",
            "--to",
            "abc",
            "--reason",
            " ",
            "--yes",
        ],
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("a rollback needs a reason"), "{err}");
    let (code, _, err) = engine(&cluster, &["sync", "argocd/shop", "--yes"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("argocd/shop is not KIND/NAMESPACE/NAME"),
        "{err}"
    );
}

#[test]
fn discover_searches_every_configured_context_and_names_each() {
    let cluster = Cluster::start();
    install(&cluster);
    // A configured app names a context the kubeconfig does not have.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("driftdeck.yaml");
    std::fs::write(
        &config,
        "repos:\n  - name: shop\n    url: https://git.example.com/shop.git\napps:\n  - name: web\n    repo: shop\n    path: apps/web\n    destination:\n      context: prod-gone\n      namespace: web\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let output = driftdeck(&cluster, &["--config", config, "discover", "-o", "json"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // The unreachable one is said; the reachable one is listed, each app with its
    // context.
    assert!(
        stderr.starts_with("driftdeck: prod-gone: ") && stderr.lines().count() == 1,
        "{stderr}"
    );
    let apps: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(apps.len(), 3, "{apps:#?}");
    let current = cluster.ok(&["config", "current-context"]);
    assert!(
        apps.iter().all(|app| app["context"] == current.trim()),
        "{apps:#?}"
    );

    // Only that context, asked for: it is an error (exit 2).
    let output = driftdeck(&cluster, &["--context", "prod-gone", "discover"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("prod-gone"),
        "{output:?}"
    );
}
