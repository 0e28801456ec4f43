//! `driftdeck sync` as a user runs it, against an in-process sandbox and a
//! temporary repository: the plan, dry run exit codes, confirmation, read-only,
//! the ledger entry.

mod common;

use std::process::{Command, Output, Stdio};

use common::TempRepo;
use driftdeck::sandbox::Sandbox;

const APP: &str = "apiVersion: v1
kind: Secret
metadata:
  name: shop-secret
stringData:
  password: hunter2-in-git
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-config
data:
  MODE: live
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 1
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
      - name: shop
        image: nginx:1.27
";

const CONFIG: &str = "repos:
  - name: gitops
    path: .
apps:
  - name: shop
    repo: gitops
    path: apps/shop
    destination:
      namespace: default
";

fn driftdeck(repo: &TempRepo, sandbox: &Sandbox, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .args(args)
        .arg("--kubeconfig")
        .arg(sandbox.kubeconfig())
        .current_dir(repo.path())
        .env_remove("KUBECONFIG")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn sync_plans_asks_applies_and_records() {
    let mut repo = TempRepo::new();
    repo.write("apps/shop/app.yaml", APP);
    repo.write("driftdeck.yaml", CONFIG);
    repo.commit("shop");
    let sandbox = Sandbox::start().unwrap();

    let dry = driftdeck(&repo, &sandbox, &["sync", "shop", "--dry-run"]);
    assert_eq!(dry.status.code(), Some(1), "{}", stdout(&dry));
    assert!(
        stdout(&dry).contains("create  apps/Deployment/default/shop"),
        "{}",
        stdout(&dry)
    );
    assert!(stdout(&dry).contains("on context driftdeck-sandbox (namespace default)"));

    let read_only = driftdeck(&repo, &sandbox, &["--read-only", "sync", "shop"]);
    assert_eq!(read_only.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&read_only.stderr).contains("read-only"));

    let unconfirmed = driftdeck(&repo, &sandbox, &["sync", "shop"]);
    assert_eq!(
        unconfirmed.status.code(),
        Some(2),
        "no terminal, no --yes: refused"
    );
    assert!(String::from_utf8_lossy(&unconfirmed.stderr).contains("--yes"));

    let synced = driftdeck(&repo, &sandbox, &["sync", "shop", "--yes"]);
    assert!(
        synced.status.success(),
        "{}{}",
        stdout(&synced),
        String::from_utf8_lossy(&synced.stderr)
    );
    assert!(stdout(&synced).contains("applied        apps/Deployment/default/shop"));

    // Right after a sync the app is in sync: defaulted fields are not drift.
    let in_sync = driftdeck(&repo, &sandbox, &["diff", "shop"]);
    assert_eq!(in_sync.status.code(), Some(0), "{}", stdout(&in_sync));
    let again = driftdeck(&repo, &sandbox, &["sync", "shop", "--dry-run"]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    assert!(stdout(&again).contains("3 unchanged"), "{}", stdout(&again));

    // Drift by hand: replicas, a ConfigMap value, a Secret value.
    let kubectl_ok = |args: &[&str]| {
        let output = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(sandbox.kubeconfig())
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    kubectl_ok(&["scale", "deploy/shop", "--replicas=4"]);
    kubectl_ok(&[
        "patch",
        "configmap",
        "shop-config",
        "--type",
        "merge",
        "-p",
        r#"{"data":{"MODE":"maintenance"}}"#,
    ]);
    kubectl_ok(&[
        "patch",
        "secret",
        "shop-secret",
        "--type",
        "merge",
        "-p",
        r#"{"stringData":{"password":"changed-by-hand"}}"#,
    ]);
    let drifted = driftdeck(&repo, &sandbox, &["diff", "shop"]);
    assert_eq!(drifted.status.code(), Some(1));
    let text = stdout(&drifted);
    assert!(
        text.contains("OutOfSync  apps/Deployment/default/shop") && text.contains("+  replicas: 1"),
        "{text}"
    );
    assert!(text.contains("-  MODE: maintenance"), "{text}");
    assert!(
        text.contains("OutOfSync  core/Secret/default/shop-secret"),
        "{text}"
    );
    let json = driftdeck(&repo, &sandbox, &["diff", "shop", "-o", "json"]);
    let client = driftdeck(&repo, &sandbox, &["diff", "shop", "--diff-mode", "client"]);
    for output in [&drifted, &json, &client] {
        let all = format!(
            "{}{}",
            stdout(output),
            String::from_utf8_lossy(&output.stderr)
        );
        for secret in [
            "hunter2-in-git",
            "changed-by-hand",
            "aHVudGVyMi1pbi1naXQ=",
            "Y2hhbmdlZC1ieS1oYW5k",
        ] {
            assert!(!all.contains(secret), "a Secret value leaked: {all}");
        }
    }
    let diffs: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let deployment = diffs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"]["kind"] == "Deployment")
        .unwrap();
    assert!(
        deployment["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["pointer"] == "/spec/replicas")
    );
    // Re-syncing meets the hand edits' field managers: reported as conflicts that
    // name them; --force-conflicts takes the fields back.
    let conflicted = driftdeck(&repo, &sandbox, &["sync", "shop", "--yes"]);
    assert_eq!(conflicted.status.code(), Some(2));
    assert!(
        stdout(&conflicted).contains("conflict with \"kubectl\" using apps/v1: .spec.replicas"),
        "{}",
        stdout(&conflicted)
    );
    let resynced = driftdeck(
        &repo,
        &sandbox,
        &["sync", "shop", "--yes", "--force-conflicts"],
    );
    assert!(resynced.status.success(), "{}", stdout(&resynced));
    assert_eq!(
        driftdeck(&repo, &sandbox, &["diff", "shop"]).status.code(),
        Some(0)
    );

    let kubectl = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(sandbox.kubeconfig())
        .args([
            "get",
            "configmap",
            "driftdeck-ledger-shop",
            "-n",
            "driftdeck-system",
            "-o",
            "jsonpath={.data.entries}",
        ])
        .output()
        .unwrap();
    let ledger = String::from_utf8_lossy(&kubectl.stdout);
    assert!(
        ledger.contains("\"operation\":\"sync\"") && ledger.contains("\"state\":\"succeeded\""),
        "{ledger}"
    );
    let labels = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(sandbox.kubeconfig())
        .args([
            "get",
            "deploy",
            "shop",
            "-o",
            "jsonpath={.metadata.labels.driftdeck\\.dev/app}",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&labels.stdout), "shop");

    // Support actions on the synced app.
    let mut logs = driftdeck(&repo, &sandbox, &["logs", "shop", "--tail", "1"]);
    for _ in 0..20 {
        if logs.status.success() && !stdout(&logs).trim().is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
        logs = driftdeck(&repo, &sandbox, &["logs", "shop", "--tail", "1"]);
    }
    assert!(
        logs.status.success(),
        "{}",
        String::from_utf8_lossy(&logs.stderr)
    );
    // One line per pod (several pods are prefixed with their names).
    let lines: Vec<String> = stdout(&logs).lines().map(str::to_owned).collect();
    let pods: std::collections::BTreeSet<&str> = lines
        .iter()
        .map(|l| l.split(' ').next().unwrap_or_default())
        .collect();
    assert!(
        !lines.is_empty() && (lines.len() == 1 || pods.len() == lines.len()),
        "{lines:?}"
    );
    let events = driftdeck(&repo, &sandbox, &["events", "shop"]);
    assert!(
        stdout(&events).contains("ScalingReplicaSet"),
        "{}",
        stdout(&events)
    );
    let scaled = driftdeck(
        &repo,
        &sandbox,
        &["scale", "shop", "deployment/shop", "2", "--yes"],
    );
    assert!(
        scaled.status.success(),
        "{}",
        String::from_utf8_lossy(&scaled.stderr)
    );
    let replicas = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(sandbox.kubeconfig())
        .args(["get", "deploy", "shop", "-o", "jsonpath={.spec.replicas}"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&replicas.stdout), "2");
    let drifted = driftdeck(&repo, &sandbox, &["diff", "shop"]);
    assert_eq!(drifted.status.code(), Some(1), "a scale by hand is drift");
    let refused = driftdeck(
        &repo,
        &sandbox,
        &["restart", "shop", "deployment/shop", "--yes", "--read-only"],
    );
    assert_eq!(refused.status.code(), Some(3));
    let restarted = driftdeck(
        &repo,
        &sandbox,
        &["restart", "shop", "deployment/shop", "--yes"],
    );
    assert!(
        stdout(&restarted).contains("restarted apps/Deployment/default/shop"),
        "{}",
        stdout(&restarted)
    );
    let unknown = driftdeck(
        &repo,
        &sandbox,
        &["scale", "shop", "deployment/nope", "1", "--yes"],
    );
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn a_service_deleted_by_hand_is_missing_and_a_sync_brings_it_back() {
    let mut repo = TempRepo::new();
    repo.write(
        "apps/shop/app.yaml",
        "apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  selector: {app: shop}
  ports:
  - port: 80
    targetPort: 8080
",
    );
    repo.write("driftdeck.yaml", CONFIG);
    repo.commit("shop service");
    let sandbox = Sandbox::start().unwrap();
    let synced = driftdeck(&repo, &sandbox, &["sync", "shop", "--yes"]);
    assert!(synced.status.success(), "{}", stdout(&synced));
    let deleted = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(sandbox.kubeconfig())
        .args(["delete", "service", "shop"])
        .env_remove("KUBECONFIG")
        .output()
        .unwrap();
    assert!(
        deleted.status.success(),
        "{}",
        String::from_utf8_lossy(&deleted.stderr)
    );

    let diff = driftdeck(&repo, &sandbox, &["diff", "shop"]);
    assert_eq!(diff.status.code(), Some(1), "{}", stdout(&diff));
    assert!(
        stdout(&diff).contains("Missing    core/Service/default/shop"),
        "{}",
        stdout(&diff)
    );
    let json = driftdeck(&repo, &sandbox, &["diff", "shop", "-o", "json"]);
    let diffs: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(diffs[0]["status"], "Missing");
    let apps = driftdeck(&repo, &sandbox, &["apps", "-o", "json"]);
    let apps: serde_json::Value = serde_json::from_slice(&apps.stdout).unwrap();
    assert_eq!(apps[0]["live"]["missing"], 1, "{apps}");

    let resynced = driftdeck(&repo, &sandbox, &["sync", "shop", "--yes"]);
    assert!(
        stdout(&resynced).contains("applied        core/Service/default/shop"),
        "{}",
        stdout(&resynced)
    );
    let diff = driftdeck(&repo, &sandbox, &["diff", "shop"]);
    assert_eq!(diff.status.code(), Some(0), "{}", stdout(&diff));
}

#[test]
fn sync_wait_reports_each_object_healthy_or_fails_after_the_timeout() {
    let deployment = |image: &str| {
        format!(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 1
  selector:
    matchLabels: {{app: shop}}
  template:
    metadata:
      labels: {{app: shop}}
    spec:
      containers:
      - name: shop
        image: {image}
"
        )
    };
    let mut repo = TempRepo::new();
    repo.write("apps/shop/app.yaml", &deployment("nginx:1.27"));
    repo.write("driftdeck.yaml", CONFIG);
    repo.commit("shop");
    let sandbox = Sandbox::start().unwrap();
    let healthy = driftdeck(
        &repo,
        &sandbox,
        &["sync", "shop", "--yes", "--wait", "--timeout", "60"],
    );
    assert!(healthy.status.success(), "{}", stdout(&healthy));
    assert!(
        stdout(&healthy).contains("Healthy      apps/Deployment/default/shop"),
        "{}",
        stdout(&healthy)
    );

    // A release whose image cannot be pulled never becomes available: --wait says
    // so and fails.
    repo.write("apps/shop/app.yaml", &deployment("nginx:1.28-missing"));
    repo.commit("shop with a missing image");
    let degraded = driftdeck(
        &repo,
        &sandbox,
        &["sync", "shop", "--yes", "--wait", "--timeout", "5"],
    );
    assert_eq!(degraded.status.code(), Some(2), "{}", stdout(&degraded));
    let text = stdout(&degraded);
    assert!(
        !text.contains("Healthy      apps/Deployment/default/shop"),
        "{text}"
    );
    assert!(
        String::from_utf8_lossy(&degraded.stderr)
            .contains("not every object was healthy within 5s"),
        "{}",
        String::from_utf8_lossy(&degraded.stderr)
    );
}
