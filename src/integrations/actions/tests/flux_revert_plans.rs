//! The Flux rollback by a revert commit: the commit, then the source and the app
//! reconciled until each has it; and every app, source and ask it refuses.

use super::*;

const FLEET_URL: &str = "https://git.example.com/platform/fleet.git";
const FLEET: &str = "source.toolkit.fluxcd.io/GitRepository/flux-system/fleet";

fn revert(to: &str) -> Ask {
    Ask::Revert {
        to: to.into(),
        tip: None,
    }
}

fn await_commit(target: &ResourceKey) -> Step {
    Step::AwaitCommit {
        target: target.clone(),
        token: TOKEN.into(),
        commit: None,
    }
}

/// `apps` from `fleet` with `spec.path` set to `path` (removed for `None`).
fn kustomization_at(path: Option<&str>) -> Value {
    let mut app = kustomization(false, "GitRepository", "fleet");
    let spec = app["spec"].as_object_mut().unwrap();
    match path {
        Some(path) => spec.insert("path".into(), json!(path)),
        None => spec.remove("path"),
    };
    app
}

#[test]
fn a_revert_commits_then_waits_for_the_source_and_the_app_to_have_the_commit() {
    let git = git_repository(json!({"branch": "main"}));
    let app = kustomization(false, "GitRepository", "fleet");
    let expected = Plan {
        title: "roll back flux-system/apps to 1a2b3c4 by a Git commit".into(),
        steps: vec![
            Step::Commit(GitRevert {
                url: FLEET_URL.into(),
                branch: "main".into(),
                path: "./apps/production".into(),
                to: GOOD.into(),
            }),
            request_reconcile(&git_key()),
            await_commit(&git_key()),
            request_reconcile(&ks_key()),
            await_commit(&ks_key()),
        ],
        warnings: vec![
            "the commit goes to main: every cluster and app that follows main gets it too".into(),
            "only ./apps/production is restored: kustomize bases outside it stay as they are"
                .into(),
        ],
        ledger: Operation::Rollback,
        revision: GOOD.into(),
        restored: Some(GOOD.into()),
    };
    let plan = ks_plan(&app, &git, &revert(GOOD)).unwrap();
    assert_eq!(plan, expected);
    // Nothing pinned, nothing suspended: only reconcile requests are patched.
    assert_eq!(plan.patched(), vec![&git_key(), &ks_key()]);
    // A revision as the history shows it (the artifact's) names the same commit.
    let artifact = format!("main@sha1:{GOOD}");
    assert_eq!(ks_plan(&app, &git, &revert(&artifact)), Ok(expected));
}

#[test]
fn a_revert_follows_the_branch_the_source_names() {
    let git = git_repository(json!({"branch": "release/1.x"}));
    let app = kustomization_at(Some("/clusters/prod/"));
    let plan = ks_plan(&app, &git, &revert(GOOD)).unwrap();
    assert_eq!(
        plan.steps[0],
        Step::Commit(GitRevert {
            url: FLEET_URL.into(),
            branch: "release/1.x".into(),
            path: "/clusters/prod/".into(),
            to: GOOD.into(),
        })
    );
    assert_eq!(
        plan.warnings[0],
        "the commit goes to release/1.x: every cluster and app that follows release/1.x gets \
         it too"
    );
}

#[test]
fn a_revert_refuses_helm_releases_pins_and_suspended_apps() {
    assert_eq!(
        hr_plan(&helm_release(), &revert(GOOD)),
        Err(
            "apps/podinfo is a HelmRelease: its values live in the cluster object, not in Git; \
             roll back the Kustomization that holds it, or roll back by pinning"
                .into()
        )
    );

    // Pinned by a rollback (which also suspends): the pin is what is said.
    let mut git = git_repository(json!({"branch": "main"}));
    let mut app = kustomization(false, "GitRepository", "fleet");
    let pin = ks_plan(&app, &git, &Ask::Rollback { to: GOOD.into() }).unwrap();
    apply(&mut git, &pin, &git_key());
    apply(&mut app, &pin, &ks_key());
    let pinned = "flux-system/apps is pinned by an earlier rollback: unpin it first";
    assert_eq!(ks_plan(&app, &git, &revert(GOOD)), Err(pinned.into()));
    // The source's pin alone is enough.
    let running = kustomization(false, "GitRepository", "fleet");
    assert_eq!(ks_plan(&running, &git, &revert(GOOD)), Err(pinned.into()));

    let git = git_repository(json!({"branch": "main"}));
    assert_eq!(
        ks_plan(
            &kustomization(true, "GitRepository", "fleet"),
            &git,
            &revert(GOOD)
        ),
        Err(
            "flux-system/apps is suspended: Flux would not apply the commit; resume it first"
                .into()
        )
    );
}

#[test]
fn a_revert_needs_a_full_commit_id() {
    let git = git_repository(json!({"branch": "main"}));
    let app = kustomization(false, "GitRepository", "fleet");
    for to in ["1a2b3c4", "main@sha1:1a2b3c4", "v1.2.3", ""] {
        assert_eq!(
            ks_plan(&app, &git, &revert(to)),
            Err(format!("{to} is not a full commit id")),
            "{to:?}"
        );
    }
}

#[test]
fn a_revert_needs_a_git_repository_that_follows_a_branch() {
    let oci_app = kustomization(false, "OCIRepository", "manifests");
    let oci = json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
        "metadata": {"name": "manifests", "namespace": "flux-system"},
        "spec": {"url": "oci://ghcr.io/org/manifests", "ref": {"tag": "latest"}},
        "status": {"artifact": {"revision": "latest@sha256:3b2c1d"}}});
    assert_eq!(
        ks_plan(&oci_app, &oci, &revert(GOOD)),
        Err(
            "flux-system/apps comes from source.toolkit.fluxcd.io/OCIRepository/flux-system/manifests: \
             a revert commit needs a GitRepository"
                .into()
        )
    );

    let app = kustomization(false, "GitRepository", "fleet");
    // A suspended source would not fetch the commit here, but every other follower
    // of the branch would.
    let mut suspended = git_repository(json!({"branch": "main"}));
    suspended["spec"]["suspend"] = json!(true);
    assert_eq!(
        ks_plan(&app, &suspended, &revert(GOOD)),
        Err(format!(
            "{FLEET} is suspended: the commit would not be applied here; resume it first"
        ))
    );

    // What Flux checks out wins over the branch, when both are set.
    for (reference, words, value) in [
        (json!({"branch": "main", "commit": GOOD}), "a commit", GOOD),
        (json!({"tag": "v1.2.3"}), "a tag", "v1.2.3"),
        (json!({"semver": ">=1.0.0"}), "a semver range", ">=1.0.0"),
        (
            json!({"name": "refs/pull/42/head"}),
            "a ref name",
            "refs/pull/42/head",
        ),
    ] {
        assert_eq!(
            ks_plan(&app, &git_repository(reference.clone()), &revert(GOOD)),
            Err(format!(
                "{FLEET} follows {words} ({value}), not a branch: a commit on a branch would \
                 not be applied"
            )),
            "{reference}"
        );
    }

    let no_branch = Err(format!("{FLEET} names no branch in spec.ref"));
    for reference in [json!({}), json!({"branch": ""})] {
        let git = git_repository(reference.clone());
        assert_eq!(ks_plan(&app, &git, &revert(GOOD)), no_branch, "{reference}");
    }
    let mut git = git_repository(Value::Null);
    git["spec"].as_object_mut().unwrap().remove("ref");
    assert_eq!(ks_plan(&app, &git, &revert(GOOD)), no_branch);
}

#[test]
fn a_revert_refuses_a_source_that_verifies_signatures() {
    let app = kustomization(false, "GitRepository", "fleet");
    let mut git = git_repository(json!({"branch": "main"}));
    git["spec"]["verify"] = json!({"mode": "HEAD", "secretRef": {"name": "pgp-public-keys"}});
    assert_eq!(
        ks_plan(&app, &git, &revert(GOOD)),
        Err(format!(
            "{FLEET} verifies commit signatures (spec.verify): driftdeck's commit is not signed \
             and Flux would refuse it; roll back by pinning instead"
        ))
    );
    // `verify: null` is no verification.
    git["spec"]["verify"] = Value::Null;
    assert!(ks_plan(&app, &git, &revert(GOOD)).is_ok());
}

#[test]
fn a_revert_refuses_an_app_that_applies_the_whole_repository() {
    let git = git_repository(json!({"branch": "main"}));
    for path in [Some("./"), Some("."), Some("/"), Some(""), None] {
        let shown = path.unwrap_or_default();
        assert_eq!(
            ks_plan(&kustomization_at(path), &git, &revert(GOOD)),
            Err(format!(
                "flux-system/apps applies the whole repository (spec.path {shown:?}): a revert \
                 commit would roll back every app in it; roll back by pinning instead"
            )),
            "{path:?}"
        );
    }
}

#[test]
fn argo_cd_apps_are_not_rolled_back_by_a_revert_commit_here() {
    let argo = application(auto_sync(true, true), synced());
    assert_eq!(
        argo_plan(&argo, &revert(OLD), &request()),
        Err("Argo CD apps cannot be rolled back by a Git commit here (roll back instead)".into())
    );
}
