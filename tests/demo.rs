//! `driftdeck demo`: the sample repository (history, authors, every render kind, a
//! clean checkout) and the cluster state it seeds, checked through the engine: one
//! app in sync and healthy, one behind Git, one changed by hand, one crash-looping,
//! one with objects missing.

use std::process::Command;
use std::time::Duration;

use driftdeck::demo;
use driftdeck::diff::DiffMode;
use driftdeck::engine::clusters::Clusters;
use driftdeck::engine::{observe, status, target};
use driftdeck::model::{HealthStatus, SyncStatus};
use driftdeck::sandbox::{Sandbox, SandboxOptions};

fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_repository_tells_a_story_and_misses_nothing_without_helm() {
    let dir = tempfile::tempdir().unwrap();
    let prepared = demo::prepare(dir.path(), jiff::Timestamp::now(), |_| true).unwrap();
    assert_eq!(prepared.config.apps.len(), 6);
    assert!(prepared.notices.is_empty());
    let log = git(&prepared.repo, &["log", "--format=%an|%s"]);
    assert!(log.lines().count() >= 30, "{log}");
    let authors: std::collections::BTreeSet<&str> =
        log.lines().filter_map(|l| l.split('|').next()).collect();
    assert!(authors.len() >= 4, "{authors:?}");
    assert_eq!(
        git(&prepared.repo, &["status", "--porcelain"]),
        "",
        "a clean checkout"
    );
    assert_eq!(
        git(&prepared.repo, &["config", "user.name"]).trim(),
        "Demo Operator"
    );
    let span = git(&prepared.repo, &["log", "--format=%at"]);
    let times: Vec<i64> = span.lines().filter_map(|t| t.parse().ok()).collect();
    assert!(
        times[0] - times[times.len() - 1] > 4 * 7 * 86_400,
        "weeks of history"
    );

    let without_helm = tempfile::tempdir().unwrap();
    let prepared =
        demo::prepare(without_helm.path(), jiff::Timestamp::now(), |r| r != "helm").unwrap();
    assert_eq!(prepared.config.apps.len(), 5);
    assert!(
        prepared
            .config
            .apps
            .iter()
            .all(|a| a.name.as_str() != "cache")
    );
    assert_eq!(prepared.notices.len(), 1);
    assert!(
        prepared.notices[0].contains("helm is not installed"),
        "{:?}",
        prepared.notices
    );
}

#[test]
fn the_cluster_shows_every_case() {
    let dir = tempfile::tempdir().unwrap();
    let prepared =
        demo::prepare(dir.path(), jiff::Timestamp::now(), demo::renderer_available).unwrap();
    let sandbox = Sandbox::start_with(SandboxOptions::default()).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let clusters = Clusters::new(Some(sandbox.kubeconfig()));
    runtime.block_on(demo::play(&prepared, &clusters)).unwrap();
    let head = prepared.commits.last().unwrap().to_string();
    let statuses = || {
        let apps = prepared
            .config
            .apps
            .iter()
            .map(|app| target::desired(&prepared.config, app.name.as_str(), None).unwrap())
            .collect();
        runtime
            .block_on(observe::observe_all(
                &clusters,
                apps,
                None,
                DiffMode::ServerSide,
                Duration::from_secs(30),
            ))
            .into_iter()
            .map(|(name, seen)| {
                let seen = seen.unwrap();
                let entries = seen.ledger.unwrap();
                let status = status::status(&seen.desired, &seen.cluster, &seen.drift, &entries);
                (name.to_string(), status)
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    // Pods become ready a second or two after a sync, and payments crash-loops
    // after the bad commit: Degraded once its rollout deadline (15 s) passes. The
    // cluster settles into the story's state; every case is read from one look.
    let mut apps = statuses();
    for _ in 0..60 {
        let payments = &apps["payments"];
        assert_ne!(payments.health, HealthStatus::Healthy, "{payments:?}");
        if apps["web"].health == HealthStatus::Healthy && payments.health == HealthStatus::Degraded
        {
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
        apps = statuses();
    }
    let web = &apps["web"];
    assert_eq!(
        (web.sync, web.health),
        (SyncStatus::Synced, HealthStatus::Healthy),
        "{web:?}"
    );
    assert_eq!(web.live_revision.as_deref(), Some(head.as_str()));
    let api = &apps["api"];
    assert_eq!(api.sync, SyncStatus::OutOfSync, "{api:?}");
    assert_ne!(
        api.live_revision.as_deref(),
        Some(head.as_str()),
        "behind Git"
    );
    let orders = &apps["orders"];
    assert_eq!(
        orders.out_of_sync, 2,
        "scaled and edited by hand: {orders:?}"
    );
    let search = &apps["search"];
    assert_eq!(search.missing, 2, "{search:?}");
    assert_eq!(search.health, HealthStatus::Missing);
    if let Some(cache) = apps.get("cache") {
        assert_eq!(cache.sync, SyncStatus::Synced, "{cache:?}");
    }
    let payments = &apps["payments"];
    assert_eq!(
        (payments.sync, payments.health),
        (SyncStatus::Synced, HealthStatus::Degraded),
        "{payments:?}"
    );
}

#[test]
fn the_demo_command_sets_up_prints_the_way_in_and_saves_the_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .args(["demo", "--no-wait", "--dir"])
        .arg(dir.path())
        .env_remove("KUBECONFIG")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("driftdeck rollback payments --to "), "{text}");
    assert!(
        text.contains(&format!(
            "The kubeconfig: {}",
            dir.path().join("kubeconfig").display()
        )),
        "{text}"
    );
    assert!(dir.path().join("sandbox-state.json").is_file());
    assert!(dir.path().join("shop-gitops/driftdeck.yaml").is_file());
    let again = Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .args(["demo", "--no-wait", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        again.status.code(),
        Some(2),
        "an existing demo is not overwritten"
    );
}
