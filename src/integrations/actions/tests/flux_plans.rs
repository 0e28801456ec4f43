//! The Flux plans, patch by patch.

use super::*;

#[test]
fn flux_reconcile_requests_and_waits_with_the_request_time_as_token() {
    assert_eq!(request().at.to_string(), TOKEN);
    let git = git_repository(json!({"branch": "main"}));
    let ask = Ask::Reconcile {
        with_source: false,
        resume: false,
    };
    assert_eq!(
        ks_plan(&kustomization(false, "GitRepository", "fleet"), &git, &ask).unwrap(),
        flux_plan(
            "reconcile flux-system/apps",
            vec![request_reconcile(&ks_key()), await_reconcile(&ks_key())],
            &[],
            Operation::Sync
        )
    );
}

#[test]
fn flux_reconcile_with_source_reconciles_the_source_first() {
    let git = git_repository(json!({"branch": "main"}));
    let ask = Ask::Reconcile {
        with_source: true,
        resume: false,
    };
    let plan = ks_plan(&kustomization(false, "GitRepository", "fleet"), &git, &ask).unwrap();
    assert_eq!(
        plan,
        flux_plan(
            "reconcile flux-system/apps with its source",
            vec![
                request_reconcile(&git_key()),
                await_reconcile(&git_key()),
                request_reconcile(&ks_key()),
                await_reconcile(&ks_key()),
            ],
            &[],
            Operation::Sync
        )
    );
    assert_eq!(plan.patched(), vec![&git_key(), &ks_key()]);
}

#[test]
fn flux_reconcile_of_a_suspended_app_warns_or_resumes_it() {
    let git = git_repository(json!({"branch": "main"}));
    let suspended = kustomization(true, "GitRepository", "fleet");
    let ask = |resume| Ask::Reconcile {
        with_source: false,
        resume,
    };
    assert_eq!(
        ks_plan(&suspended, &git, &ask(false)).unwrap(),
        flux_plan(
            "reconcile flux-system/apps",
            vec![request_reconcile(&ks_key())],
            &[
                "flux-system/apps is suspended: Flux ignores the request until it is resumed \
               (resume it and reconcile instead)"
            ],
            Operation::Sync
        )
    );
    assert_eq!(
        ks_plan(&suspended, &git, &ask(true)).unwrap(),
        flux_plan(
            "resume and reconcile flux-system/apps",
            vec![
                patch(
                    &ks_key(),
                    json!({
                        "metadata": {"annotations": {REQUESTED_AT: TOKEN}},
                        "spec": {"suspend": false}
                    }),
                    &format!(
                        "annotate reconcile.fluxcd.io/requestedAt={TOKEN}, set spec.suspend=false"
                    )
                ),
                await_reconcile(&ks_key()),
            ],
            &["flux-system/apps is suspended: it is resumed first"],
            Operation::Sync
        )
    );
}

#[test]
fn flux_suspend_and_resume() {
    let git = git_repository(json!({"branch": "main"}));
    let running = kustomization(false, "GitRepository", "fleet");
    let suspended = kustomization(true, "GitRepository", "fleet");
    assert_eq!(
        ks_plan(&running, &git, &Ask::Suspend(true)).unwrap(),
        flux_plan(
            "suspend flux-system/apps",
            vec![patch(
                &ks_key(),
                json!({"spec": {"suspend": true}}),
                "set spec.suspend=true"
            )],
            &[],
            Operation::Suspend
        )
    );
    assert_eq!(
        ks_plan(&suspended, &git, &Ask::Suspend(false)).unwrap(),
        flux_plan(
            "resume flux-system/apps",
            vec![
                patch(
                    &ks_key(),
                    json!({
                        "metadata": {"annotations": {REQUESTED_AT: TOKEN}},
                        "spec": {"suspend": false}
                    }),
                    &format!(
                        "set spec.suspend=false, annotate reconcile.fluxcd.io/requestedAt={TOKEN}"
                    )
                ),
                await_reconcile(&ks_key()),
            ],
            &[],
            Operation::Resume
        )
    );
    assert_eq!(
        ks_plan(&suspended, &git, &Ask::Suspend(true)),
        Err("flux-system/apps is already suspended".into())
    );
    assert_eq!(
        ks_plan(&running, &git, &Ask::Suspend(false)),
        Err("flux-system/apps is already running".into())
    );
}

#[test]
fn flux_rollback_pins_the_git_source_and_unpin_restores_it() {
    let mut git = git_repository(json!({"branch": "main"}));
    let mut app = kustomization(false, "GitRepository", "fleet");
    let to = format!("main@sha1:{GOOD}");
    let rollback = ks_plan(&app, &git, &Ask::Rollback { to: to.clone() }).unwrap();
    assert_eq!(
        rollback,
        Plan {
            title: "roll back flux-system/apps to 1a2b3c4".into(),
            steps: vec![
                patch(
                    &git_key(),
                    json!({
                        "metadata": {"annotations": {
                            PINNED_FROM: r#"{"branch":"main"}"#,
                            PINNED_BY: "Kustomization/flux-system/apps",
                            REQUESTED_AT: TOKEN
                        }},
                        "spec": {"ref": {"commit": GOOD}}
                    }),
                    "pin spec.ref.commit=1a2b3c4 (the old ref kept in driftdeck.dev/pinned-from), \
                     reconcile"
                ),
                await_reconcile(&git_key()),
                request_reconcile(&ks_key()),
                await_reconcile(&ks_key()),
                patch(
                    &ks_key(),
                    json!({"spec": {"suspend": true}}),
                    "set spec.suspend=true (the rollback holds until unpinned)"
                ),
            ],
            warnings: vec![
                "every app built from source.toolkit.fluxcd.io/GitRepository/flux-system/fleet \
                 goes back to 1a2b3c4 too while it is pinned"
                    .into()
            ],
            ledger: Operation::Rollback,
            revision: GOOD.into(),
            restored: Some(GOOD.into()),
        }
    );
    assert_eq!(rollback.patched(), vec![&git_key(), &ks_key()]);

    apply(&mut git, &rollback, &git_key());
    apply(&mut app, &rollback, &ks_key());
    assert_eq!(
        git["spec"]["ref"],
        json!({"branch": "main", "commit": GOOD})
    );
    assert_eq!(
        ks_plan(&app, &git, &Ask::Rollback { to }),
        Err("flux-system/apps is pinned by an earlier rollback: unpin it first".into())
    );

    // Another app built from the same source cannot unpin it: the rolled-back app
    // would stay suspended.
    let mut other = kustomization(false, "GitRepository", "fleet");
    other["metadata"]["name"] = json!("infra");
    assert_eq!(
        ks_plan(&other, &git, &Ask::Unpin),
        Err(
            "GitRepository flux-system/fleet was pinned by the rollback of \
             Kustomization/flux-system/apps: unpin it from that app, which resumes \
             it too"
                .into()
        )
    );
    // The source says who pinned it, for discovery to show.
    let mapped = flux::from_kustomization(&other, Some(&git)).unwrap();
    assert_eq!(
        mapped.source.unwrap().pinned_by.as_deref(),
        Some("Kustomization/flux-system/apps")
    );
    // Once that app is gone, any app built from the source unpins it, and is
    // reconciled (it was never suspended by the rollback).
    let infra = ResourceKey::new(
        "kustomize.toolkit.fluxcd.io",
        "Kustomization",
        "flux-system",
        "infra",
    );
    let orphan = ks_plan_with(&other, &git, &Ask::Unpin, true).unwrap();
    assert_eq!(
        orphan,
        flux_plan(
            "unpin GitRepository flux-system/fleet (pinned by the rollback of \
             Kustomization/flux-system/apps, which no longer builds from it)",
            vec![
                restore_main(),
                await_reconcile(&git_key()),
                request_reconcile(&infra),
                await_reconcile(&infra),
            ],
            &[
                r#"every app built from GitRepository flux-system/fleet follows {"branch":"main"} again"#
            ],
            Operation::Unpin
        )
    );
    // A suspended sibling is not asked to reconcile (Flux would not answer).
    let mut suspended = other.clone();
    suspended["spec"]["suspend"] = json!(true);
    let orphan = ks_plan_with(&suspended, &git, &Ask::Unpin, true).unwrap();
    assert_eq!(orphan.steps.len(), 2, "{:#?}", orphan.steps);
    assert_eq!(
        orphan.warnings[1],
        "flux-system/infra is suspended: it is not reconciled now, and takes the ref when \
         resumed"
    );

    let unpin = ks_plan(&app, &git, &Ask::Unpin).unwrap();
    assert_eq!(
        unpin,
        flux_plan(
            "unpin and resume flux-system/apps",
            vec![
                restore_main(),
                await_reconcile(&git_key()),
                patch(
                    &ks_key(),
                    json!({
                        "metadata": {"annotations": {REQUESTED_AT: TOKEN}},
                        "spec": {"suspend": false}
                    }),
                    &format!(
                        "set spec.suspend=false, annotate reconcile.fluxcd.io/requestedAt={TOKEN}"
                    )
                ),
                await_reconcile(&ks_key()),
            ],
            &[],
            Operation::Unpin
        )
    );
    apply(&mut git, &unpin, &git_key());
    apply(&mut app, &unpin, &ks_key());
    let mut original = git_repository(json!({"branch": "main"}));
    original["metadata"]["annotations"] = json!({REQUESTED_AT: TOKEN});
    assert_eq!(git, original);
    assert_eq!(app["spec"]["suspend"], json!(false));
}

#[test]
fn flux_unpin_of_a_source_without_ref_nulls_the_commit() {
    let mut git = git_repository(Value::Null);
    git["spec"].as_object_mut().unwrap().remove("ref");
    let app = kustomization(false, "GitRepository", "fleet");
    let rollback = ks_plan(
        &app,
        &git,
        &Ask::Rollback {
            to: GOOD.to_owned(),
        },
    )
    .unwrap();
    apply(&mut git, &rollback, &git_key());
    assert_eq!(
        git["metadata"]["annotations"][PINNED_FROM],
        json!("{}"),
        "no ref: the default branch"
    );
    let unpin = ks_plan(&app, &git, &Ask::Unpin).unwrap();
    let Step::Patch { body, .. } = &unpin.steps[0] else {
        panic!("{:?}", unpin.steps[0]);
    };
    assert_eq!(body["spec"], json!({"ref": {"commit": null}}));
    apply(&mut git, &unpin, &git_key());
    assert_eq!(git["spec"]["ref"], json!({}));
}

#[test]
fn flux_rollback_refuses_what_it_cannot_pin() {
    let git = git_repository(json!({"branch": "main"}));
    let app = kustomization(false, "GitRepository", "fleet");
    for to in ["1a2b3c4", "main@sha1:1a2b3c4", "v1.2.3"] {
        assert_eq!(
            ks_plan(&app, &git, &Ask::Rollback { to: to.into() }),
            Err(format!(
                "{to} is not a full commit id: Flux pins commits by their full id"
            ))
        );
    }
    let suspended = kustomization(true, "GitRepository", "fleet");
    assert_eq!(
        ks_plan(&suspended, &git, &Ask::Rollback { to: GOOD.into() }),
        Err(
            "flux-system/apps is suspended: Flux would not apply the rollback; resume it first"
                .into()
        )
    );

    let oci_app = kustomization(false, "OCIRepository", "manifests");
    let oci = json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
        "metadata": {"name": "manifests", "namespace": "flux-system"},
        "spec": {"url": "oci://ghcr.io/org/manifests", "ref": {"tag": "latest"}},
        "status": {"artifact": {"revision": "latest@sha256:3b2c1d"}}});
    assert_eq!(
        ks_plan(&oci_app, &oci, &Ask::Rollback { to: GOOD.into() }),
        Err(
            "flux-system/apps comes from source.toolkit.fluxcd.io/OCIRepository/flux-system/manifests: \
             driftdeck rolls back Flux apps from a GitRepository (pinning a commit) or a \
             HelmRelease chart from a Helm repository (pinning a version)"
                .into()
        )
    );
    assert_eq!(
        ks_plan(&app, &git, &Ask::Unpin),
        Err("flux-system/apps is not pinned by driftdeck".into())
    );
}

#[test]
fn flux_rollback_of_a_helm_release_pins_the_chart_version() {
    let mut app = helm_release();
    let rollback = hr_plan(&app, &Ask::Rollback { to: "6.6.1".into() }).unwrap();
    assert_eq!(
        rollback,
        Plan {
            title: "roll back apps/podinfo to chart 6.6.1".into(),
            steps: vec![
                patch(
                    &hr_key(),
                    json!({
                        "metadata": {"annotations": {
                            PINNED_FROM: r#"{"version":"6.6.x"}"#,
                            REQUESTED_AT: TOKEN
                        }},
                        "spec": {"chart": {"spec": {"version": "6.6.1"}}}
                    }),
                    "pin spec.chart.spec.version=6.6.1 (was 6.6.x, kept in \
                     driftdeck.dev/pinned-from), reconcile"
                ),
                await_reconcile(&hr_key()),
            ],
            warnings: vec![],
            ledger: Operation::Rollback,
            revision: "6.6.1".into(),
            restored: Some("6.6.1".into()),
        }
    );
    apply(&mut app, &rollback, &hr_key());
    assert_eq!(
        hr_plan(&app, &Ask::Rollback { to: "6.6.0".into() }),
        Err("apps/podinfo is pinned by an earlier rollback: unpin it first".into())
    );

    let unpin = hr_plan(&app, &Ask::Unpin).unwrap();
    assert_eq!(
        unpin,
        Plan {
            title: "unpin apps/podinfo".into(),
            steps: vec![
                patch(
                    &hr_key(),
                    json!({
                        "metadata": {"annotations": {PINNED_FROM: null, REQUESTED_AT: TOKEN}},
                        "spec": {"chart": {"spec": {"version": "6.6.x"}}}
                    }),
                    r#"restore spec.chart.spec.version="6.6.x", reconcile"#
                ),
                await_reconcile(&hr_key()),
            ],
            warnings: vec![],
            ledger: Operation::Unpin,
            revision: "6.6.2".into(),
            restored: None,
        }
    );
    apply(&mut app, &unpin, &hr_key());
    let mut original = helm_release();
    original["metadata"]["annotations"] = json!({REQUESTED_AT: TOKEN});
    assert_eq!(app, original);
    assert_eq!(
        hr_plan(&app, &Ask::Unpin),
        Err("apps/podinfo is not pinned by driftdeck".into())
    );
}

#[test]
fn source_first_skips_an_oci_helm_repository_which_flux_does_not_reconcile() {
    let mut oci = helm_repository();
    oci["spec"] =
        json!({"type": "oci", "url": "oci://ghcr.io/stefanprodan/charts", "interval": "1h"});
    let release = helm_release();
    let mapped = flux::from_helm_release(&release, Some(&oci)).unwrap();
    let objects = Objects {
        app: &release,
        source: Some(&oci),
        pinner_gone: false,
    };
    let ask = Ask::Reconcile {
        with_source: true,
        resume: false,
    };
    let plan = plan(&mapped, &objects, &ask, &request()).unwrap();
    assert_eq!(
        plan.steps,
        vec![request_reconcile(&hr_key()), await_reconcile(&hr_key())]
    );
    assert_eq!(
        plan.warnings,
        [
            "HelmRepository flux-system/podinfo is an OCI repository, which Flux does not \
          reconcile (the chart is pulled for the HelmRelease): only the app is reconciled"
        ]
    );

    // An HTTP Helm repository is reconciled first, as a Git one.
    let plan = hr_plan(&release, &ask).unwrap();
    assert_eq!(plan.patched().len(), 2);
    assert!(plan.warnings.is_empty());
}

#[test]
fn flux_rollback_of_a_helm_release_from_git_waits_for_its_chart_built_from_the_commit() {
    let mut release = helm_release();
    release["spec"]["chart"]["spec"] = json!({"chart": "./charts/podinfo",
        "sourceRef": {"kind": "GitRepository", "name": "fleet", "namespace": "flux-system"}});
    release["status"]["helmChart"] = json!("flux-system/apps-podinfo");
    let git = git_repository(json!({"branch": "main"}));
    let mapped = flux::from_helm_release(&release, Some(&git)).unwrap();
    let objects = Objects {
        app: &release,
        source: Some(&git),
        pinner_gone: false,
    };
    let to = format!("main@sha1:{GOOD}");
    let plan = plan(&mapped, &objects, &Ask::Rollback { to }, &request()).unwrap();
    let chart = ResourceKey::new(
        "source.toolkit.fluxcd.io",
        "HelmChart",
        "flux-system",
        "apps-podinfo",
    );
    assert_eq!(
        plan.steps[1..],
        [
            await_reconcile(&git_key()),
            request_reconcile(&chart),
            Step::AwaitCommit {
                target: chart.clone(),
                token: TOKEN.into(),
                commit: Some(GOOD.into()),
            },
            request_reconcile(&hr_key()),
            await_reconcile(&hr_key()),
            patch(
                &hr_key(),
                json!({"spec": {"suspend": true}}),
                "set spec.suspend=true (the rollback holds until unpinned)"
            ),
        ]
    );
    assert_eq!(plan.patched(), vec![&git_key(), &chart, &hr_key()]);
}

/// The unpin's patch of the pinned `fleet`: its `main` ref back, the pin's
/// annotations gone.
fn restore_main() -> Step {
    patch(
        &git_key(),
        json!({
            "metadata": {"annotations": {
                PINNED_FROM: null,
                PINNED_BY: null,
                REQUESTED_AT: TOKEN
            }},
            "spec": {"ref": {"branch": "main", "commit": null}}
        }),
        r#"restore spec.ref to {"branch":"main"}, reconcile"#,
    )
}
