//! `driftdeck rollback` and `unpin` as a user runs them, against an in-process
//! sandbox and temporary repositories: revert (a commit with the reason, the working
//! tree kept in step, then a sync), pin (sync refuses until unpin), read-only, and a
//! remote whose push is rejected (nothing left half-done).

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::TempRepo;
use common::cluster::Cluster;

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

fn app(mode: &str, image: &str) -> String {
    format!(
        "apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-config
data:
  MODE: {mode}
---
apiVersion: apps/v1
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
}

fn driftdeck(dir: &Path, cluster: &Cluster, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .args(args)
        .arg("--kubeconfig")
        .arg(cluster.sandbox.kubeconfig())
        .current_dir(dir)
        .env_remove("KUBECONFIG")
        .env("DRIFTDECK_CACHE_DIR", dir.join(".cache"))
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn all(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn ok(output: Output) -> String {
    assert!(output.status.success(), "{}", all(&output));
    all(&output)
}

fn mode(cluster: &Cluster) -> String {
    cluster.ok(&[
        "get",
        "configmap",
        "shop-config",
        "-o",
        "jsonpath={.data.MODE}",
    ])
}

/// A repository with three releases of the shop; returns (repo, [v1, v2, v3]).
fn releases() -> (TempRepo, Vec<String>) {
    let mut repo = TempRepo::new();
    repo.git(&["config", "user.name", "Rita Rollback"]);
    repo.git(&["config", "user.email", "rita@example.com"]);
    repo.write("driftdeck.yaml", CONFIG);
    let mut commits = Vec::new();
    for (version, image) in [
        ("v1", "nginx:1.25"),
        ("v2", "nginx:1.26"),
        ("v3", "nginx:1.27"),
    ] {
        repo.write("apps/shop/app.yaml", &app(version, image));
        commits.push(repo.commit(&format!("shop {version}")));
    }
    (repo, commits)
}

#[test]
fn revert_commits_the_old_path_with_the_reason_and_syncs() {
    let (repo, commits) = releases();
    let cluster = Cluster::start();
    ok(driftdeck(repo.path(), &cluster, &["sync", "shop", "--yes"]));
    assert_eq!(mode(&cluster), "v3");
    let v1 = &commits[0];

    let read_only = driftdeck(
        repo.path(),
        &cluster,
        &[
            "--read-only",
            "rollback",
            "shop",
            "--to",
            v1,
            "--reason",
            "x",
        ],
    );
    assert_eq!(read_only.status.code(), Some(3), "{}", all(&read_only));
    let no_reason = driftdeck(
        repo.path(),
        &cluster,
        &["rollback", "shop", "--to", v1, "--reason", " ", "--yes"],
    );
    assert_eq!(no_reason.status.code(), Some(2));
    assert!(
        all(&no_reason).contains("needs a reason"),
        "{}",
        all(&no_reason)
    );
    // Without a terminal and without --yes: the preview, then a refusal.
    let unconfirmed = driftdeck(
        repo.path(),
        &cluster,
        &[
            "rollback",
            "shop",
            "--to",
            v1,
            "--reason",
            "v3 breaks checkout",
        ],
    );
    assert_eq!(unconfirmed.status.code(), Some(2));
    let preview = all(&unconfirmed);
    assert!(
        preview.contains("OutOfSync  core/ConfigMap/default/shop-config"),
        "{preview}"
    );
    assert!(
        preview.contains("-  MODE: v3") && preview.contains("+  MODE: v1"),
        "{preview}"
    );
    assert!(preview.contains("image: nginx:1.25"), "{preview}");
    assert!(preview.contains("--yes"), "{preview}");
    assert_eq!(repo.head(), commits[2], "nothing committed");
    assert_eq!(mode(&cluster), "v3", "nothing applied");

    let done = ok(driftdeck(
        repo.path(),
        &cluster,
        &[
            "rollback",
            "shop",
            "--to",
            v1,
            "--reason",
            "v3 breaks checkout (INC-42)",
            "--yes",
        ],
    ));
    assert!(done.contains("committed"), "{done}");
    assert!(
        done.contains("applied        core/ConfigMap/default/shop-config"),
        "{done}"
    );
    assert_eq!(mode(&cluster), "v1");
    let head = repo.head();
    assert_ne!(head, commits[2], "a new commit on main");
    let message = repo.git(&["log", "-1", "--format=%an <%ae>%n%B", "main"]);
    assert!(
        message.starts_with("Rita Rollback <rita@example.com>\nRoll back shop to "),
        "{message}"
    );
    assert!(message.contains("v3 breaks checkout (INC-42)"), "{message}");
    assert_eq!(
        repo.git(&["diff", "--stat", v1, "HEAD", "--", "apps/shop"]),
        "",
        "the path has v1's content"
    );
    // The checked-out branch's files and index follow the commit.
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert!(
        std::fs::read_to_string(repo.path().join("apps/shop/app.yaml"))
            .unwrap()
            .contains("MODE: v1")
    );
    // Git's tip is what runs: no drift.
    let diff = driftdeck(repo.path(), &cluster, &["diff", "shop"]);
    assert_eq!(diff.status.code(), Some(0), "{}", all(&diff));
    // The ledger has the rollback, who, why, what it restored.
    let ledger = cluster.ok(&[
        "get",
        "configmap",
        "driftdeck-ledger-shop",
        "-n",
        "driftdeck-system",
        "-o",
        "json",
    ]);
    assert!(
        ledger.contains("\\\"operation\\\":\\\"rollback\\\""),
        "{ledger}"
    );
    assert!(
        ledger.contains(&format!("\\\"restored\\\":\\\"{v1}\\\"")),
        "{ledger}"
    );
    assert!(
        ledger.contains(&format!("\\\"revision\\\":\\\"{head}\\\"")),
        "{ledger}"
    );
    assert!(ledger.contains("INC-42"), "{ledger}");

    // The history joins Git and the ledger: the revert is Git's tip and live; v3
    // (deployed) and v2 were rolled back to v1.
    let table = ok(driftdeck(repo.path(), &cluster, &["history", "shop"]));
    let line = |commit: &str| {
        table
            .lines()
            .find(|l| l.starts_with(&commit[..7]))
            .unwrap_or_else(|| panic!("{commit} in {table}"))
            .to_owned()
    };
    assert!(line(&head).contains("HEAD, live"), "{table}");
    assert!(line(&commits[2]).contains("rolled back"), "{table}");
    let json = driftdeck(repo.path(), &cluster, &["history", "shop", "-o", "json"]);
    let history: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(history[0]["id"], head.as_str());
    assert_eq!(history[0]["live"], true);
    assert_eq!(history[0]["deploys"][0]["operation"], "rollback");
    assert_eq!(history[1]["id"], commits[2].as_str());
    assert_eq!(history[1]["deploys"][0]["operation"], "sync");
    assert_eq!(history[1]["rolledBack"]["to"], v1.as_str());
    assert_eq!(
        history[1]["rolledBack"]["reason"],
        "v3 breaks checkout (INC-42)"
    );
    assert_eq!(history[2]["rolledBack"]["to"], v1.as_str());
    assert!(history[3].get("rolledBack").is_none());
    assert_eq!(history[3]["live"], false);
}

#[test]
fn pin_holds_the_app_until_unpin_and_sync_refuses_meanwhile() {
    let (repo, commits) = releases();
    let cluster = Cluster::start();
    ok(driftdeck(repo.path(), &cluster, &["sync", "shop", "--yes"]));
    let v2 = &commits[1];

    let pinned = ok(driftdeck(
        repo.path(),
        &cluster,
        &[
            "rollback", "shop", "--to", v2, "--mode", "pin", "--reason", "hotfix", "--yes",
        ],
    ));
    assert!(pinned.contains("is pinned to"), "{pinned}");
    assert_eq!(mode(&cluster), "v2");
    assert_eq!(repo.head(), commits[2], "a pin commits nothing");
    let json = driftdeck(repo.path(), &cluster, &["history", "shop", "-o", "json"]);
    let history: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(history[0]["head"], true);
    assert_eq!(history[0]["pending"], true, "v3 is Git's tip, not running");
    assert_eq!(history[0]["rolledBack"]["operation"], "pin");
    assert_eq!(history[1]["live"], true, "v2 runs, pinned");

    let refused = driftdeck(repo.path(), &cluster, &["sync", "shop", "--yes"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        all(&refused).contains("shop is pinned to") && all(&refused).contains("hotfix"),
        "{}",
        all(&refused)
    );
    assert!(
        all(&refused).contains("driftdeck unpin shop"),
        "{}",
        all(&refused)
    );
    let revert = driftdeck(
        repo.path(),
        &cluster,
        &["rollback", "shop", "--to", v2, "--reason", "x", "--yes"],
    );
    assert_eq!(
        revert.status.code(),
        Some(2),
        "a revert waits for the unpin too"
    );
    assert_eq!(mode(&cluster), "v2");
    let apps = driftdeck(repo.path(), &cluster, &["apps", "-o", "json"]);
    let apps: serde_json::Value = serde_json::from_slice(&apps.stdout).unwrap();
    assert_eq!(
        apps.pointer("/0/live/pinned").and_then(|p| p.as_str()),
        Some(v2.as_str()),
        "{apps}"
    );

    let read_only = driftdeck(repo.path(), &cluster, &["--read-only", "unpin", "shop"]);
    assert_eq!(read_only.status.code(), Some(3));
    let unpinned = ok(driftdeck(
        repo.path(),
        &cluster,
        &["unpin", "shop", "--reason", "fix is out"],
    ));
    assert!(unpinned.contains("unpinned shop"), "{unpinned}");
    let again = ok(driftdeck(repo.path(), &cluster, &["unpin", "shop"]));
    assert!(again.contains("shop is not pinned"), "{again}");
    ok(driftdeck(repo.path(), &cluster, &["sync", "shop", "--yes"]));
    assert_eq!(mode(&cluster), "v3");
}

#[test]
fn a_rejected_push_leaves_the_remote_the_clone_and_the_cluster_untouched() {
    let (source, commits) = releases();
    let remote = tempfile::tempdir().unwrap();
    let bare = remote.path().join("gitops.git");
    source.git(&["clone", "-q", "--bare", ".", bare.to_str().unwrap()]);
    let work = tempfile::tempdir().unwrap();
    let url = format!("file://{}", bare.display());
    std::fs::write(
        work.path().join("driftdeck.yaml"),
        CONFIG.replace("path: .", &format!("url: {url}\n    branch: main")),
    )
    .unwrap();
    let cluster = Cluster::start();
    let identity = |command: &mut Command| {
        command
            .env("GIT_COMMITTER_NAME", "Rita Rollback")
            .env("GIT_COMMITTER_EMAIL", "rita@example.com")
            .env("GIT_AUTHOR_NAME", "Rita Rollback")
            .env("GIT_AUTHOR_EMAIL", "rita@example.com");
    };
    let run = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_driftdeck"));
        command
            .args(args)
            .arg("--kubeconfig")
            .arg(cluster.sandbox.kubeconfig())
            .current_dir(work.path())
            .env_remove("KUBECONFIG")
            .env("DRIFTDECK_CACHE_DIR", work.path().join("cache"))
            .stdin(Stdio::null());
        identity(&mut command);
        command.output().unwrap()
    };
    ok(run(&["sync", "shop", "--yes"]));
    let remote_tip = || {
        let output = Command::new("git")
            .args(["--git-dir", bare.to_str().unwrap(), "rev-parse", "main"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };

    // The remote refuses every push (a protected branch).
    let hook = bare.join("hooks/pre-receive");
    std::fs::write(&hook, "#!/bin/sh\necho 'main is protected' >&2\nexit 1\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let rejected = run(&[
        "rollback",
        "shop",
        "--to",
        &commits[0],
        "--reason",
        "bad",
        "--yes",
    ]);
    assert_eq!(rejected.status.code(), Some(2), "{}", all(&rejected));
    assert!(all(&rejected).contains("rejected"), "{}", all(&rejected));
    assert_eq!(remote_tip(), commits[2], "the remote did not move");
    assert_eq!(mode(&cluster), "v3", "nothing applied");
    let clones: Vec<_> = std::fs::read_dir(work.path().join("cache/repos"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    let clone_tip = Command::new("git")
        .args([
            "--git-dir",
            clones[0].to_str().unwrap(),
            "rev-parse",
            "main",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&clone_tip.stdout).trim(),
        commits[2],
        "the clone was put back to the remote's tip"
    );

    // Once the remote accepts, the revert is pushed and applied.
    std::fs::remove_file(&hook).unwrap();
    let done = ok(run(&[
        "rollback",
        "shop",
        "--to",
        &commits[0],
        "--reason",
        "bad",
        "--yes",
    ]));
    assert!(done.contains("committed"), "{done}");
    assert_ne!(remote_tip(), commits[2], "the revert reached the remote");
    assert_eq!(mode(&cluster), "v1");
}

#[test]
fn a_revert_previews_exactly_what_it_applies_when_the_app_renders_from_outside_its_path() {
    let mut repo = TempRepo::new();
    repo.git(&["config", "user.name", "Rita Rollback"]);
    repo.git(&["config", "user.email", "rita@example.com"]);
    repo.write("driftdeck.yaml", CONFIG);
    repo.write(
        "apps/shop/kustomization.yaml",
        "resources:\n- ../../base\n- deploy.yaml\n",
    );
    let deployment = |image: &str| {
        let whole = app("unused", image);
        whole.split("---\n").nth(1).unwrap().to_owned()
    };
    let config_map = |mode: &str| app(mode, "x").split("---\n").next().unwrap().to_owned();
    repo.write("base/kustomization.yaml", "resources:\n- cm.yaml\n");
    repo.write("base/cm.yaml", &config_map("base-a"));
    repo.write("apps/shop/deploy.yaml", &deployment("nginx:1.25"));
    let first = repo.commit("shop with base a");
    repo.write("base/cm.yaml", &config_map("base-b"));
    repo.write("apps/shop/deploy.yaml", &deployment("nginx:1.26"));
    repo.commit("shop 1.26, base b");
    let cluster = Cluster::start();
    ok(driftdeck(repo.path(), &cluster, &["sync", "shop", "--yes"]));

    // Only apps/shop goes back: the base stays at b, and the preview says so.
    let done = ok(driftdeck(
        repo.path(),
        &cluster,
        &[
            "rollback",
            "shop",
            "--to",
            &first,
            "--reason",
            "1.26 leaks",
            "--yes",
        ],
    ));
    assert!(
        done.contains("OutOfSync  apps/Deployment/default/shop"),
        "{done}"
    );
    assert!(
        !done.contains("OutOfSync  core/ConfigMap/default/shop-config"),
        "the base is not part of the revert: {done}"
    );
    assert_eq!(mode(&cluster), "base-b");
    let image = cluster.ok(&[
        "get",
        "deployment",
        "shop",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
    ]);
    assert_eq!(image, "nginx:1.25");
    let diff = driftdeck(repo.path(), &cluster, &["diff", "shop"]);
    assert_eq!(diff.status.code(), Some(0), "{}", all(&diff));
}
