//! A Flux rollback by a revert commit (`Ask::Revert`), end to end: a bare Git
//! remote made with the `git` CLI (served as `file://`), the sandbox as a Flux
//! cluster whose simulated source controller fetches that remote, and driftdeck's
//! clone of it in a cache of this test binary. Its own process: it sets the cache
//! directory and the Git identity in the environment before anything runs.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;

use common::TempRepo;
use common::gitops::{
    Gitops, PINNED_FROM, REQUESTED_AT, SHORT, WAITS, annotation, operations, token,
};
use driftdeck::engine::external_actions::{ActionError, Prepared};
use driftdeck::integrations::actions::Ask;
use driftdeck::model::ledger::{Operation, Outcome};
use driftdeck::model::{RepoName, RepoSource, RepoSpec};
use serde_json::{Value, json};
use tempfile::TempDir;

const WEB: (&str, &str, &str) = ("Kustomization", "flux-system", "web");
const REASON: &str = "INC-7: web 1.27 drops sessions";
const AUTHOR: &str = "Rita Rollback <rita@example.com>";

/// The environment every test of this binary shares, set once, before the first
/// test does anything (each calls this first): driftdeck's clones in a cache of
/// this binary; the commit's author from `GIT_*` variables only.
fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("integrations_revert-cache");
        let _ = std::fs::remove_dir_all(&cache);
        std::fs::create_dir_all(&cache).unwrap();
        // SAFETY: every test calls this before anything else, and `Once` holds the
        // others back until it is done: no thread reads the environment meanwhile.
        unsafe {
            std::env::set_var("DRIFTDECK_CACHE_DIR", &cache);
            std::env::set_var("GIT_CONFIG_GLOBAL", "/dev/null");
            std::env::set_var("GIT_CONFIG_NOSYSTEM", "1");
            std::env::set_var("GIT_AUTHOR_NAME", "Rita Rollback");
            std::env::set_var("GIT_AUTHOR_EMAIL", "rita@example.com");
            std::env::set_var("GIT_COMMITTER_NAME", "Rita Rollback");
            std::env::set_var("GIT_COMMITTER_EMAIL", "rita@example.com");
        }
    });
}

fn deployment(image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: shop}}\n\
         spec:\n  template:\n    spec:\n      containers:\n      - {{name: web, image: {image}}}\n"
    )
}

/// A bare remote (`git init --bare`) and a working clone that pushes to it:
/// `commits[0]` web 1.25 and db 16, `[1]` web 1.26 with a ConfigMap, `[2]` web
/// 1.27, `[3]` db 17 only (main's tip).
struct Remote {
    work: TempRepo,
    _dir: TempDir,
    bare: PathBuf,
    commits: Vec<String>,
}

impl Remote {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let bare = dir.path().join("fleet.git");
        let init = Command::new("git")
            .args(["init", "-q", "--bare", "-b", "main"])
            .arg(&bare)
            .output()
            .unwrap();
        assert!(init.status.success(), "{init:?}");
        let mut work = TempRepo::new();
        work.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
        let kustomization = |resources: &[&str]| {
            let listed: String = resources.iter().map(|r| format!("- {r}\n")).collect();
            format!("resources:\n{listed}")
        };
        let mut commits = Vec::new();
        work.write("apps/web/deployment.yaml", &deployment("nginx:1.25"));
        work.write(
            "apps/web/kustomization.yaml",
            &kustomization(&["deployment.yaml"]),
        );
        work.write("apps/db/image.txt", "postgres:16\n");
        commits.push(work.commit("web 1.25, db 16"));
        work.write("apps/web/deployment.yaml", &deployment("nginx:1.26"));
        work.write("apps/web/config.yaml", "apiVersion: v1\nkind: ConfigMap\n");
        work.write(
            "apps/web/kustomization.yaml",
            &kustomization(&["deployment.yaml", "config.yaml"]),
        );
        commits.push(work.commit("web 1.26 with a config"));
        work.write("apps/web/deployment.yaml", &deployment("nginx:1.27"));
        commits.push(work.commit("web 1.27"));
        work.write("apps/db/image.txt", "postgres:17\n");
        commits.push(work.commit("db 17"));
        work.git(&["push", "-q", "origin", "main"]);
        Self {
            work,
            _dir: dir,
            bare,
            commits,
        }
    }

    fn url(&self) -> String {
        format!("file://{}", self.bare.display())
    }

    /// driftdeck's configuration of this remote (any branch).
    fn repos(&self) -> Vec<RepoSpec> {
        vec![RepoSpec {
            name: RepoName::new("fleet"),
            source: RepoSource::Url(self.url()),
            branch: None,
        }]
    }

    /// `git` in the bare remote; its output, trimmed.
    fn git(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .arg("--git-dir")
            .arg(&self.bare)
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "git {args:?}: {output:?}");
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    }

    fn main(&self) -> String {
        self.git(&["rev-parse", "main"])
    }
}

/// The GitRepository `fleet` (on the remote's main) and the Kustomization `web`
/// (`./apps/web` of it), both as Flux left them: main's tip applied.
async fn fleet(gitops: &Gitops, remote: &Remote) {
    let revision = format!("main@sha1:{}", remote.main());
    let ready = |message: String| {
        json!([{"type": "Ready", "status": "True", "reason": "Succeeded", "message": message,
            "lastTransitionTime": "2026-11-23T09:00:00Z"}])
    };
    gitops
        .create(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "GitRepository",
            "metadata": {"name": "fleet", "namespace": "flux-system"},
            "spec": {"url": remote.url(), "ref": {"branch": "main"}, "interval": "1m"},
            "status": {
                "artifact": {"revision": revision},
                "conditions": ready(format!("stored artifact for revision '{revision}'")),
            },
        }))
        .await;
    gitops
        .create(json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": "web", "namespace": "flux-system"},
            "spec": {"interval": "10m", "path": "./apps/web", "prune": true,
                     "sourceRef": {"kind": "GitRepository", "name": "fleet"}},
            "status": {
                "lastAppliedRevision": revision,
                "lastAttemptedRevision": revision,
                "conditions": ready(format!("Applied revision: {revision}")),
            },
        }))
        .await;
}

/// A sandbox with `fleet` and `web` on a new remote.
async fn start() -> (Gitops, Remote) {
    setup();
    let remote = Remote::new();
    let gitops = Gitops::start().await;
    fleet(&gitops, &remote).await;
    (gitops, remote)
}

async fn revert(gitops: &Gitops, repos: &[RepoSpec], to: &str) -> Result<Prepared, ActionError> {
    let ask = Ask::Revert {
        to: to.to_owned(),
        tip: None,
    };
    gitops.prepare_with(repos, WEB, ask, Some(REASON)).await
}

fn refusal(result: Result<Prepared, ActionError>) -> String {
    match result {
        Err(ActionError::Refused(message)) => message,
        other => panic!("not refused: {other:?}"),
    }
}

fn short(commit: &str) -> &str {
    &commit[..7]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revert_commit_restores_the_path_is_pushed_and_applied_by_flux() {
    let (gitops, remote) = start().await;
    let _controllers = gitops.controllers(true);
    let old = remote.main();
    // Back to web 1.25: its ConfigMap did not exist then.
    let to = remote.commits[0].clone();

    let prepared = revert(&gitops, &remote.repos(), &to).await.unwrap();
    let url = remote.url();
    let lines = prepared.lines();
    assert_eq!(
        lines[1],
        "protected by your rights on the Git remote (the push) and Kubernetes RBAC (the \
         patches below)"
    );
    let commit = format!(
        "commit on main of fleet at {url} (now {}): apps/web restored as it was at {}, the reason in \
         the message, author from your Git config; push it (fast-forward only: refused if main \
         moved)",
        short(&old),
        short(&to)
    );
    assert!(lines.contains(&commit), "{lines:#?}");
    assert!(
        lines.contains(
            &"wait until Kustomization/web has handled the request and has the new commit"
                .to_owned()
        ),
        "{lines:#?}"
    );
    // Planning wrote nothing.
    assert_eq!(remote.main(), old);

    let executed = gitops.execute(&prepared, WAITS).await;
    assert!(executed.ledger_error.is_none(), "{executed:?}");
    let new = remote.main();
    assert_eq!(
        executed.result,
        Ok(format!(
            "roll back flux-system/web to {} by a Git commit: {} pushed: Kustomization web \
             reconciled (ReconciliationSucceeded: Applied revision: main@sha1:{new})",
            short(&to),
            short(&new)
        ))
    );

    // Git: one commit on the old tip, apps/web as it was, the rest as it is.
    assert_eq!(
        remote.git(&["rev-list", "--count", &format!("{old}..{new}")]),
        "1"
    );
    assert_eq!(remote.git(&["rev-parse", &format!("{new}^")]), old);
    assert_eq!(remote.git(&["diff", &to, &new, "--", "apps/web"]), "");
    assert_eq!(
        remote.git(&["diff", "--name-status", &old, &new]),
        "D\tapps/web/config.yaml\nM\tapps/web/deployment.yaml\nM\tapps/web/kustomization.yaml"
    );
    let message = remote.git(&["log", "-1", "--format=%B", &new]);
    assert!(
        message.starts_with(&format!("Roll back flux-system/web to {}", short(&to))),
        "{message}"
    );
    assert!(message.contains(REASON), "{message}");
    assert_eq!(
        remote.git(&["log", "-1", "--format=%an <%ae>", &new]),
        AUTHOR
    );

    // Flux: nothing pinned or suspended; the source and the app have the commit.
    let source = gitops.read("GitRepository", "flux-system", "fleet").await;
    assert_eq!(source["spec"]["ref"], json!({"branch": "main"}));
    assert_eq!(annotation(&source, PINNED_FROM), None);
    assert_eq!(
        source["status"]["artifact"]["revision"],
        format!("main@sha1:{new}")
    );
    let web = gitops.read("Kustomization", "flux-system", "web").await;
    assert_eq!(web["spec"].get("suspend"), None, "{web:#}");
    assert_eq!(annotation(&web, PINNED_FROM), None);
    assert_eq!(web["status"]["lastHandledReconcileAt"], token(&prepared));
    assert_eq!(
        web["status"]["lastAppliedRevision"],
        format!("main@sha1:{new}")
    );

    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [(Operation::Rollback, Outcome::Succeeded)]
    );
    let entry = &entries[0];
    assert_eq!(entry.revision, new);
    assert_eq!(entry.restored.as_deref(), Some(to.as_str()));
    assert_eq!(entry.reason.as_deref(), Some(REASON));
    assert_eq!(
        entry.resources,
        [
            "source.toolkit.fluxcd.io/GitRepository/flux-system/fleet",
            "kustomize.toolkit.fluxcd.io/Kustomization/flux-system/web",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_that_is_not_configured_or_on_another_branch_is_not_written() {
    let (gitops, remote) = start().await;
    let old = remote.main();
    let unconfigured = refusal(revert(&gitops, &[], &remote.commits[1]).await);
    assert!(
        unconfigured.starts_with(&format!("{} is not a configured source: ", remote.url())),
        "{unconfigured}"
    );

    let mut on_release = remote.repos();
    on_release[0].branch = Some("release".into());
    assert_eq!(
        refusal(revert(&gitops, &on_release, &remote.commits[1]).await),
        "the configured source fleet follows release, the GitRepository main: not written"
    );

    // The cockpit runs the plan it showed: the tip it was made on travels with it,
    // and a branch that moved since is refused.
    let prepared = revert(&gitops, &remote.repos(), &remote.commits[1])
        .await
        .unwrap();
    let asked = Ask::Revert {
        to: remote.commits[1].clone(),
        tip: None,
    };
    assert_eq!(
        prepared.planned_ask(&asked),
        Ask::Revert {
            to: remote.commits[1].clone(),
            tip: Some(old.clone()),
        }
    );
    let stale = Ask::Revert {
        to: remote.commits[1].clone(),
        tip: Some(remote.commits[2].clone()),
    };
    let moved = gitops
        .prepare_with(&remote.repos(), WEB, stale, Some(REASON))
        .await;
    assert_eq!(
        refusal(moved),
        format!(
            "main moved since the plan was shown (it was {}, it is {} now): look at the plan \
             again",
            short(&remote.commits[2]),
            short(&old)
        )
    );

    assert_eq!(remote.main(), old);
    let source = gitops.read("GitRepository", "flux-system", "fleet").await;
    assert_eq!(annotation(&source, REQUESTED_AT), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_branch_moved_since_the_plan_is_not_written_over() {
    let (gitops, mut remote) = start().await;
    let _controllers = gitops.controllers(true);
    let old = remote.main();
    let prepared = revert(&gitops, &remote.repos(), &remote.commits[1])
        .await
        .unwrap();

    // Someone else pushes to main meanwhile.
    remote
        .work
        .write("apps/web/deployment.yaml", &deployment("nginx:1.28"));
    let theirs = remote.work.commit("web 1.28");
    remote.work.git(&["push", "-q", "origin", "main"]);

    let executed = gitops.execute(&prepared, WAITS).await;
    assert!(executed.ledger_error.is_none(), "{executed:?}");
    let failure = executed.result.unwrap_err();
    assert_eq!(
        failure,
        format!(
            "git: branch 'main' moved: expected it at {}, it is at {}; nothing was changed \
             (hint: someone pushed meanwhile: refresh and try again)",
            short(&old),
            short(&theirs)
        )
    );
    assert_eq!(remote.main(), theirs);
    // Nothing asked of Flux.
    let source = gitops.read("GitRepository", "flux-system", "fleet").await;
    assert_eq!(annotation(&source, REQUESTED_AT), None);
    let web = gitops.read("Kustomization", "flux-system", "web").await;
    assert_eq!(annotation(&web, REQUESTED_AT), None);

    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [(Operation::Rollback, Outcome::Failed { message: failure })]
    );
    assert_eq!(
        entries[0].revision, remote.commits[1],
        "nothing was written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_flux_the_pushed_commit_is_said_and_recorded() {
    let (gitops, remote) = start().await;
    let old = remote.main();
    let prepared = revert(&gitops, &remote.repos(), &remote.commits[1])
        .await
        .unwrap();
    let executed = gitops.execute(&prepared, SHORT).await;
    assert!(executed.ledger_error.is_none(), "{executed:?}");
    let new = remote.main();
    assert_eq!(remote.git(&["rev-parse", &format!("{new}^")]), old);
    let failure = executed.result.unwrap_err();
    assert!(
        failure.starts_with(&format!(
            "the revert commit {} is pushed, but ",
            short(&new)
        )),
        "{failure}"
    );
    assert!(
        failure.contains("GitRepository flux-system/fleet did not handle the request within 1s"),
        "{failure}"
    );
    // The source was asked; the app was not (the wait stopped before).
    let source = gitops.read("GitRepository", "flux-system", "fleet").await;
    assert_eq!(
        annotation(&source, REQUESTED_AT),
        Some(&Value::String(token(&prepared)))
    );
    let web = gitops.read("Kustomization", "flux-system", "web").await;
    assert_eq!(annotation(&web, REQUESTED_AT), None);

    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [(Operation::Rollback, Outcome::TimedOut { message: failure })]
    );
    assert_eq!(entries[0].revision, new);
    assert_eq!(
        entries[0].restored.as_deref(),
        Some(remote.commits[1].as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_already_as_it_was_is_nothing_to_commit() {
    let (gitops, remote) = start().await;
    let old = remote.main();
    // Main's tip changed only apps/db since web 1.27; and the tip itself.
    for to in [&remote.commits[2], &old] {
        assert_eq!(
            refusal(revert(&gitops, &remote.repos(), to).await),
            format!(
                "main already has apps/web as it was at {}: nothing to commit (reconcile \
                 instead: s)",
                short(to)
            )
        );
    }
    assert_eq!(remote.main(), old);
    let web = gitops.read("Kustomization", "flux-system", "web").await;
    assert_eq!(annotation(&web, REQUESTED_AT), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_checkout_is_left_as_it_is_and_told_to_pull() {
    let (gitops, remote) = start().await;
    let _controllers = gitops.controllers(true);
    // The configured source is the person's checkout, whose origin is the remote.
    let checkout = remote.work.path().to_owned();
    let repos = vec![RepoSpec {
        name: RepoName::new("fleet"),
        source: RepoSource::Path(checkout.clone()),
        branch: None,
    }];
    let before = remote.work.head();
    let to = remote.commits[1].clone();
    let prepared = revert(&gitops, &repos, &to).await.unwrap();
    let executed = gitops.execute(&prepared, WAITS).await;
    let new = remote.main();
    let summary = executed.result.unwrap();
    assert!(
        summary.ends_with(&format!(
            "(pull in {} to have it there)",
            checkout.display()
        )),
        "{summary}"
    );
    assert_eq!(remote.git(&["rev-parse", &format!("{new}^")]), before);
    // The commit was made in driftdeck's clone: the checkout did not move.
    assert_eq!(remote.work.head(), before);
    assert_eq!(remote.work.git(&["status", "--porcelain"]).trim(), "");
}
