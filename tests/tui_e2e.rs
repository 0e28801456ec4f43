//! End to end, as a person would: `driftdeck demo` in tmux, navigate, open an app and
//! a diff, sync an app, roll the degraded app back with a reason (then check the new
//! Git commit and the cluster with `git` and `kubectl`), open logs and quit.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    session: String,
}

impl Tmux {
    fn start(command: &str) -> Self {
        // Tests run at once in one process: each its own session.
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let session = format!("driftdeck-e2e-{}-{n}", std::process::id());
        let status = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                "160",
                "-y",
                "45",
                command,
            ])
            .env_remove("KUBECONFIG")
            .env_remove("TMUX")
            .status()
            .expect("tmux runs (scripts/install-tools.sh does not provide it: the image has it)");
        assert!(status.success());
        Self { session }
    }

    /// `driftdeck demo` in `dir`; the shell says how it exited and stays a while.
    fn demo(dir: &Path) -> Self {
        Self::start(&format!(
            "{} demo --dir {}; echo driftdeck-exited-$?; sleep 60",
            env!("CARGO_BIN_EXE_driftdeck"),
            dir.display()
        ))
    }

    fn screen(&self) -> String {
        let output = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Sends keys one at a time, with a pause (an Esc followed at once by a key
    /// reads as Alt-key, as in any terminal).
    fn keys(&self, keys: &[&str]) {
        for key in keys {
            Command::new("tmux")
                .args(["send-keys", "-t", &self.session, key])
                .status()
                .unwrap();
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    fn type_text(&self, text: &str) {
        Command::new("tmux")
            .args(["send-keys", "-t", &self.session, "-l", text])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(300));
    }

    /// Waits until every one of `texts` is on the screen; fails with the screen.
    fn wait_for(&self, texts: &[&str], seconds: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            let screen = self.screen();
            if texts.iter().all(|t| screen.contains(t)) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited {seconds}s for {texts:?}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

fn kubectl(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(dir.join("kubeconfig"))
        .args(args)
        .output()
        .expect("kubectl");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Selects the app at `row` (0-based) of the apps table.
fn select_app(tmux: &Tmux, row: usize) {
    tmux.keys(&["g"]);
    for _ in 0..row {
        tmux.keys(&["j"]);
    }
}

#[test]
fn a_person_syncs_rolls_back_and_reads_logs_in_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let tmux = Tmux::demo(dir);
    // The overview, and payments degraded by its bad commit. (The demo's text
    // before the cockpit opens names "driftdeck apps", payments and "Degraded"
    // too: the history pane is the cockpit's own.)
    let screen = tmux.wait_for(&["history: web", "payments", "Degraded"], 90);
    assert!(screen.contains("history: web"), "{screen}");
    assert!(screen.contains("HEAD live"), "{screen}");

    // api is behind Git: open it, then its whole diff.
    select_app(&tmux, 1);
    tmux.wait_for(&["history: api"], 10);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["app api", "Deployment   api", "OutOfSync"], 10);
    tmux.keys(&["Escape", "d"]);
    tmux.wait_for(
        &[
            "diff api live ↔ Git",
            "resources differ",
            "+        image: ghcr.io/driftdeck-demo/api:3.8.1",
        ],
        10,
    );
    tmux.keys(&["Escape"]);

    // Sync it: the plan, a yes, the result.
    tmux.keys(&["s"]);
    tmux.wait_for(
        &["sync api?", "to update", "on context driftdeck-sandbox"],
        30,
    );
    tmux.keys(&["y"]);
    tmux.wait_for(&["synced api to"], 60);
    let image = kubectl(
        dir,
        &[
            "get",
            "deployment",
            "api",
            "-n",
            "api",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ],
    );
    assert!(image.ends_with(":3.8.1"), "{image}");

    // web's automation (auto-sync, self-heal) undoes a hand change by itself.
    kubectl(
        dir,
        &["scale", "deployment", "web", "-n", "web", "--replicas=5"],
    );
    tmux.wait_for(&["auto-synced web to", "self-heal"], 30);
    let replicas = kubectl(
        dir,
        &[
            "get",
            "deployment",
            "web",
            "-n",
            "web",
            "-o",
            "jsonpath={.spec.replicas}",
        ],
    );
    assert_ne!(replicas.trim(), "5", "self-heal put Git's replicas back");

    // Roll payments back to the commit before the bad one, with a reason.
    select_app(&tmux, 4);
    tmux.wait_for(&["history: payments"], 10);
    tmux.keys(&["Tab", "j", "R"]);
    tmux.wait_for(
        &[
            "roll back payments to",
            "reason (required)",
            "payments:1.4.1",
        ],
        30,
    );
    tmux.type_text("1.5.0 crash-loops: REDIS_URL is not set");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["rolled back payments to", "reverted"], 60);
    let repo = dir.join("shop-gitops");
    let message = Command::new("git")
        .args(["-C"])
        .arg(&repo)
        .args(["log", "-1", "--format=%an%n%B"])
        .output()
        .unwrap();
    let message = String::from_utf8_lossy(&message.stdout);
    assert!(message.contains("Roll back payments to"), "{message}");
    assert!(
        message.contains("1.5.0 crash-loops: REDIS_URL is not set"),
        "{message}"
    );
    let image = kubectl(
        dir,
        &[
            "get",
            "deployment",
            "payments",
            "-n",
            "payments",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ],
    );
    assert!(image.ends_with(":1.4.1"), "{image}");
    let ledger = kubectl(
        dir,
        &["get", "configmap", "-n", "driftdeck-system", "-o", "yaml"],
    );
    assert!(
        ledger.contains("REDIS_URL is not set"),
        "the reason is in the ledger"
    );

    // A commit made outside the cockpit shows in the history pane by itself (local
    // repositories are read every 5 s).
    std::fs::write(
        repo.join("apps/payments/RUNBOOK.md"),
        "1.5.0 needs REDIS_URL before it can roll out again.\n",
    )
    .unwrap();
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args([
                "-c",
                "user.name=On Call",
                "-c",
                "user.email=oncall@example.com",
            ])
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    git(&["add", "apps/payments/RUNBOOK.md"]);
    git(&[
        "commit",
        "-q",
        "-m",
        "payments: runbook for the REDIS_URL crash",
    ]);
    tmux.wait_for(
        &["new in Git", "payments: runbook for the REDIS_URL crash"],
        20,
    );

    // Logs of payments, then quit: the demo says where to keep playing.
    tmux.keys(&["Tab", "l"]);
    tmux.wait_for(
        &["logs payments", "pod payments-", "container payments"],
        30,
    );
    tmux.keys(&["q"]);
    let screen = tmux.wait_for(&["driftdeck-exited-0"], 30);
    assert!(
        screen.contains(&dir.join("kubeconfig").display().to_string()),
        "{screen}"
    );
}

/// An Argo CD Application as its controller would leave it, managing the demo's
/// `orders` Deployment and Service (the sandbox runs no Argo CD).
const STOREFRONT: &str = r#"apiVersion: v1
kind: Namespace
metadata: {name: argocd}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: storefront, namespace: argocd}
spec:
  project: default
  source: {repoURL: "https://git.example.com/shop.git", path: apps/orders, targetRevision: main}
  destination: {server: "https://kubernetes.default.svc", namespace: orders}
  syncPolicy: {automated: {prune: true, selfHeal: true}}
status:
  sync: {status: Synced, revision: "1f3d2c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5"}
  health: {status: Healthy}
  resources:
  - {version: v1, kind: Service, namespace: orders, name: orders, status: Synced, health: {status: Healthy}}
  - {group: apps, version: v1, kind: Deployment, namespace: orders, name: orders, status: Synced, health: {status: Healthy}}
"#;

fn kubectl_apply(dir: &Path, manifests: &str) -> bool {
    use std::io::Write;
    let mut child = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(dir.join("kubeconfig"))
        .args(["apply", "-f", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("kubectl");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(manifests.as_bytes())
        .unwrap();
    child.wait().unwrap().success()
}

#[test]
fn a_person_scales_an_argo_cd_apps_workload_and_finds_its_ledger_on_the_activity_screen() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let tmux = Tmux::demo(dir);
    // The cockpit (the demo's text before it names both words too).
    tmux.wait_for(&["history: web", "orders"], 90);
    let crds = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gitops/crds.yaml"),
    )
    .unwrap();
    assert!(kubectl_apply(dir, &crds));
    // The Application's kind is served once the CRD is established.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !kubectl_apply(dir, STOREFRONT) {
        assert!(
            Instant::now() < deadline,
            "the Application CRD is not served"
        );
        std::thread::sleep(Duration::from_millis(250));
    }

    // Found by the next discovery; its app screen lists what Argo CD manages.
    tmux.wait_for(&["argocd:store"], 30);
    tmux.keys(&["G", "Enter"]);
    tmux.wait_for(
        &["Application argocd/storefront", "Deployment     orders"],
        10,
    );
    tmux.keys(&["j"]);
    // `+` once the Deployment's replicas are read (at once, as a rule).
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        tmux.keys(&["+"]);
        if tmux
            .screen()
            .contains("scale orders/Deployment/orders of argocd:storefront to 6?")
        {
            break;
        }
        assert!(Instant::now() < deadline, "{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(500));
    }
    tmux.wait_for(
        &[
            "managed by Application argocd/storefront",
            "replicas 5 → 6",
            "Argo CD self-heals this app",
            "protected by Kubernetes RBAC only",
        ],
        10,
    );
    tmux.keys(&["y"]);
    tmux.wait_for(
        &["scaled orders/Deployment/orders of argocd:storefront to 6"],
        30,
    );
    let replicas = kubectl(
        dir,
        &[
            "get",
            "deployment",
            "orders",
            "-n",
            "orders",
            "-o",
            "jsonpath={.spec.replicas}",
        ],
    );
    assert_eq!(replicas.trim(), "6");

    // Its pods' logs.
    tmux.keys(&["l"]);
    tmux.wait_for(
        &["logs argocd:storefront", "pod orders-", "container orders"],
        30,
    );
    tmux.keys(&["Escape"]);

    // A refresh asked from the cockpit is in the app's ledger, on the activity
    // screen beside the demo's own apps.
    tmux.keys(&["F"]);
    tmux.wait_for(&["refresh argocd/storefront"], 20);
    tmux.keys(&["Enter"]);
    // Done when the status line says it without the ellipsis of a running action.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !tmux
        .screen()
        .lines()
        .any(|line| line.trim_end() == "refresh argocd/storefront")
    {
        assert!(Instant::now() < deadline, "{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(250));
    }
    tmux.type_text(":activity");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["argocd:storefront", "payments"], 30);
    tmux.keys(&["G"]);
    let screen = tmux.wait_for(&["ledger of argocd:storefront"], 10);
    assert!(
        screen
            .lines()
            .any(|line| line.contains("refresh  1f3d2c4 ok")),
        "the ledger's entry: {screen}"
    );
}
