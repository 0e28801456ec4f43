//! Drift of 100 apps × 50 resources against the sandbox, and `kubectl diff
//! --server-side` over the same objects, in the same run.
//!
//! Setup: a Git repository with 100 apps (each its own namespace, 25 ConfigMaps,
//! 10 Secrets, 10 Services, 5 Deployments), synced by the engine; then drift made by
//! hand in 10 apps (a Deployment scaled, a ConfigMap edited). The sandbox runs
//! without controllers, so both tools see the same, still objects.
//!
//! - driftdeck: for every app, render from Git, read live state, server-side dry
//!   run of each object and diff — what `driftdeck apps` and the TUI do
//!   (`engine::observe`): one connection, discovery and set of watches for the
//!   context, apps observed 8 at a time on the runtime's workers;
//! - kubectl: `kubectl diff --server-side --force-conflicts --field-manager
//!   driftdeck -R -f DIR` over the very objects driftdeck applies (with the tracking
//!   label and annotation), in one invocation — kubectl's fastest way.
//!
//! Both must find the same objects drifted. Goal (issue 4): driftdeck at most a third
//! of kubectl's time. Run: `cargo bench --bench drift`.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use driftdeck::config;
use driftdeck::diff::DiffMode;
use driftdeck::engine::clusters::Clusters;
use driftdeck::engine::sync::{self, SyncOptions};
use driftdeck::engine::{observe, target, tracking};
use driftdeck::model::SyncStatus;
use driftdeck::sandbox::{Sandbox, SandboxOptions};

const APPS: usize = 100;
const CONFIG_MAPS: usize = 25;
const SECRETS: usize = 10;
const SERVICES: usize = 10;
const DEPLOYMENTS: usize = 5;
const DRIFTED_APPS: usize = 10;

fn main() {
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("drift bench: skipped (run `cargo bench --bench drift`)");
        return;
    }
    let sandbox = Sandbox::start_with(SandboxOptions {
        no_controllers: true,
        ..SandboxOptions::default()
    })
    .expect("sandbox starts");
    let repo = tempfile::tempdir().expect("temp dir");
    write_repo(repo.path());
    let config = config::load(Some(&repo.path().join("driftdeck.yaml"))).expect("config");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let kubeconfig = sandbox.kubeconfig().to_path_buf();
    let kubectl_dir = tempfile::tempdir().expect("temp dir");

    let started = Instant::now();
    runtime.block_on(sync_all(&config, &kubeconfig, kubectl_dir.path()));
    println!(
        "setup: {} apps × {} resources synced in {:.1}s",
        APPS,
        per_app(),
        started.elapsed().as_secs_f64()
    );
    make_drift(&kubeconfig);

    let started = Instant::now();
    let drifted = runtime.block_on(drift_all(&config, &kubeconfig));
    let ours = started.elapsed();
    println!(
        "driftdeck: {} objects drifted, {:.2}s ({:.0} objects/s)",
        drifted,
        ours.as_secs_f64(),
        (APPS * per_app()) as f64 / ours.as_secs_f64()
    );

    if std::env::var_os("DRIFT_BENCH_ONLY_DRIFTDECK").is_some() {
        return; // for profiling driftdeck alone
    }
    let (kubectl_drifted, theirs) = kubectl_diff(&kubeconfig, kubectl_dir.path());
    println!(
        "kubectl diff --server-side: {} objects drifted, {:.2}s ({:.0} objects/s)",
        kubectl_drifted,
        theirs.as_secs_f64(),
        (APPS * per_app()) as f64 / theirs.as_secs_f64()
    );
    println!(
        "driftdeck / kubectl = {:.3} (goal ≤ 0.333)",
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
    assert_eq!(drifted, kubectl_drifted, "both tools find the same drift");
}

fn per_app() -> usize {
    CONFIG_MAPS + SECRETS + SERVICES + DEPLOYMENTS
}

fn app_name(n: usize) -> String {
    format!("app-{n:03}")
}

fn write_repo(root: &Path) {
    let mut config = String::from("repos:\n  - name: gitops\n    path: .\napps:\n");
    for n in 0..APPS {
        let app = app_name(n);
        config.push_str(&format!(
            "  - name: {app}\n    repo: gitops\n    path: apps/{app}\n    destination:\n      namespace: {app}\n"
        ));
        let dir = root.join("apps").join(&app);
        std::fs::create_dir_all(&dir).expect("app dir");
        let mut docs = Vec::new();
        for i in 0..CONFIG_MAPS {
            docs.push(format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-{i}\ndata:\n  LEVEL: info\n  REGION: eu-west-{i}\n  FEATURES: search,checkout,reviews\n"
            ));
        }
        for i in 0..SECRETS {
            docs.push(format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: credentials-{i}\nstringData:\n  password: not-a-real-password-{i}\n"
            ));
        }
        for i in 0..SERVICES {
            docs.push(format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{i}\nspec:\n  selector:\n    app: web-{i}\n  ports:\n  - port: 80\n    targetPort: 8080\n"
            ));
        }
        for i in 0..DEPLOYMENTS {
            docs.push(format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{i}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web-{i}\n  template:\n    metadata:\n      labels:\n        app: web-{i}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n        ports:\n        - containerPort: 8080\n        resources:\n          requests:\n            cpu: 100m\n            memory: 128Mi\n"
            ));
        }
        docs.push(format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {app}\n"
        ));
        std::fs::write(dir.join("all.yaml"), docs.join("---\n")).expect("manifests");
    }
    std::fs::write(root.join("driftdeck.yaml"), config).expect("config");
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(args)
            .current_dir(root)
            .env("GIT_AUTHOR_NAME", "Bench")
            .env("GIT_AUTHOR_EMAIL", "bench@example.com")
            .env("GIT_COMMITTER_NAME", "Bench")
            .env("GIT_COMMITTER_EMAIL", "bench@example.com")
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "100 apps"]);
}

/// Syncs every app with the engine, and writes the objects it applied (tracking
/// label and annotation included) for kubectl, one folder per app.
async fn sync_all(config: &config::Config, kubeconfig: &Path, kubectl_dir: &Path) {
    let clusters = Clusters::new(Some(kubeconfig));
    for n in 0..APPS {
        let desired = target::desired(config, &app_name(n), None).expect("renders");
        let cluster = target::observe_in(&clusters, &desired, None)
            .await
            .expect("observes");
        let options = SyncOptions::default();
        let plan = sync::plan(
            &desired.app.name,
            &desired.manifests,
            &cluster.live,
            &options,
            &Default::default(),
        );
        let report = sync::execute(
            &cluster.connection,
            &cluster.catalog,
            &desired.app.name,
            &desired.manifests,
            &cluster.live,
            &plan,
            &options,
        )
        .await;
        assert!(report.succeeded(), "app {n} synced");
        let dir = kubectl_dir.join(app_name(n));
        std::fs::create_dir_all(&dir).expect("kubectl dir");
        for (i, manifest) in desired.manifests.iter().enumerate() {
            // Namespaces are left out: kubectl would diff them once per app folder.
            if manifest.key.kind == "Namespace" {
                continue;
            }
            let object = tracking::tracked(manifest, &desired.app.name);
            std::fs::write(
                dir.join(format!("{i:03}.json")),
                serde_json::to_vec(&object).expect("json"),
            )
            .expect("kubectl manifest");
        }
    }
}

fn kubectl(kubeconfig: &Path, args: &[&str]) -> std::process::Output {
    Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .env_remove("KUBECONFIG")
        .output()
        .expect("kubectl on PATH")
}

fn make_drift(kubeconfig: &Path) {
    for n in 0..DRIFTED_APPS {
        let app = app_name(n * (APPS / DRIFTED_APPS));
        for args in [
            vec!["scale", "-n", &app, "deployment/web-0", "--replicas=5"],
            vec![
                "patch",
                "-n",
                &app,
                "configmap",
                "settings-0",
                "--type",
                "merge",
                "-p",
                r#"{"data":{"LEVEL":"debug"}}"#,
            ],
        ] {
            let output = kubectl(kubeconfig, &args);
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}

/// Every app's drift, as `driftdeck apps` computes it (engine::observe); returns
/// how many objects are not in sync (Namespaces aside, as for kubectl).
async fn drift_all(config: &config::Config, kubeconfig: &Path) -> usize {
    let clusters = Clusters::new(Some(kubeconfig));
    let apps = (0..APPS)
        .map(|n| target::desired(config, &app_name(n), None).expect("renders"))
        .collect();
    let seen = observe::observe_all(
        &clusters,
        apps,
        None,
        DiffMode::ServerSide,
        Duration::from_secs(120),
    )
    .await;
    seen.into_iter()
        .map(|(name, seen)| {
            let seen = seen.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(seen.drift.fallbacks.is_empty(), "every dry run answered");
            seen.drift
                .resources
                .iter()
                .filter(|r| r.status != SyncStatus::Synced && r.key.kind != "Namespace")
                .count()
        })
        .sum()
}

/// Runs kubectl diff over every app's objects; returns the objects it reports
/// (one `diff -u -N` header each) and its time.
fn kubectl_diff(kubeconfig: &Path, dir: &Path) -> (usize, Duration) {
    let dir = dir.to_str().expect("utf-8 path");
    // Discovery cached first, as a user's kubectl would have it.
    kubectl(kubeconfig, &["api-resources", "-o", "name"]);
    let started = Instant::now();
    let output = kubectl(
        kubeconfig,
        &[
            "diff",
            "--server-side",
            "--force-conflicts",
            "--field-manager",
            "driftdeck",
            "-R",
            "-f",
            dir,
        ],
    );
    let elapsed = started.elapsed();
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "kubectl diff failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let drifted = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| line.starts_with("diff -u -N"))
        .count();
    (drifted, elapsed)
}
