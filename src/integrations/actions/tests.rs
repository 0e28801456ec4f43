use jiff::Timestamp;
use serde_json::{Value, json};

use super::*;
use crate::integrations::{argocd, flux};

const USER: &str = "kubernetes-admin";
const REASON: &str = "INC-42: bad config";
/// `request().at` as Flux's annotation carries it.
const TOKEN: &str = "2024-05-07T12:00:00Z";
const REV: &str = "53e28ff20cc530b9ada2173fbbd64d48338583ba";
const OLD: &str = "e2b4f4b5d4c1b8b5bfa7bd8d7cd7d0c44f8a3b11";
const ARTIFACT: &str = "main@sha1:4f2a9c1e7b3d5a6c8e0f1b2d3c4e5f6a7b8c9d0e";
const GOOD: &str = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";

fn request() -> Request {
    Request {
        user: USER.into(),
        reason: Some(REASON.into()),
        at: TOKEN.parse().unwrap(),
    }
}

fn at() -> Timestamp {
    TOKEN.parse().unwrap()
}

/// Applies the plan's patches of `target` to `object`, as the API server would
/// (RFC 7386 merge patches).
fn apply(object: &mut Value, plan: &Plan, target: &ResourceKey) {
    for step in &plan.steps {
        if let Step::Patch {
            target: t, body, ..
        } = step
            && t == target
        {
            json_patch::merge(object, body);
        }
    }
}

fn patch(target: &ResourceKey, body: Value, what: &str) -> Step {
    Step::Patch {
        target: target.clone(),
        body,
        what: what.into(),
    }
}

fn await_reconcile(target: &ResourceKey) -> Step {
    Step::AwaitReconcile {
        target: target.clone(),
        token: TOKEN.into(),
    }
}

// Argo CD

fn application(sync_policy: Value, status: Value) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "guestbook", "namespace": "argocd", "generation": 7},
        "spec": {
            "project": "default",
            "source": {
                "repoURL": "https://github.com/argoproj/argocd-example-apps.git",
                "path": "guestbook",
                "targetRevision": "HEAD"
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
            "syncPolicy": sync_policy
        },
        "status": status
    })
}

fn auto_sync(prune: bool, self_heal: bool) -> Value {
    json!({"automated": {"prune": prune, "selfHeal": self_heal},
        "syncOptions": ["CreateNamespace=true"]})
}

fn manual() -> Value {
    json!({"syncOptions": ["CreateNamespace=true"]})
}

fn synced() -> Value {
    json!({
        "sync": {"status": "Synced", "revision": REV},
        "health": {"status": "Healthy"},
        "operationState": {
            "operation": {"sync": {"revision": REV}, "initiatedBy": {"automated": true}},
            "phase": "Succeeded",
            "message": "successfully synced (all tasks run)",
            "startedAt": "2024-05-07T10:10:00Z",
            "finishedAt": "2024-05-07T10:10:05Z",
            "syncResult": {"revision": REV}
        },
        "history": [{"id": 0, "revision": OLD, "deployedAt": "2024-05-06T09:00:05Z"},
            {"id": 1, "revision": REV, "deployedAt": "2024-05-07T10:10:05Z"}]
    })
}

fn running() -> Value {
    json!({
        "sync": {"status": "OutOfSync", "revision": REV},
        "health": {"status": "Progressing"},
        "operationState": {
            "operation": {"sync": {"revision": REV}, "initiatedBy": {"username": "bob"}},
            "phase": "Running",
            "message": "one or more tasks are running",
            "startedAt": "2024-05-07T11:59:00Z"
        }
    })
}

fn argo_key() -> ResourceKey {
    ResourceKey::new("argoproj.io", "Application", "argocd", "guestbook")
}

fn argo_plan(value: &Value, ask: &Ask, request: &Request) -> Result<Plan, String> {
    let app = argocd::from_application(value).unwrap();
    let objects = Objects {
        app: value,
        source: None,
    };
    plan(&app, &objects, ask, request)
}

fn sync_operation(info: Value, sync: Value) -> Value {
    json!({"operation": {
        "initiatedBy": {"username": USER, "automated": false},
        "info": info,
        "sync": sync
    }})
}

fn info_with_reason() -> Value {
    json!([
        {"name": "Reason", "value": REASON},
        {"name": "Via", "value": "driftdeck"},
        {"name": "Request", "value": TOKEN}
    ])
}

#[test]
fn argo_sync_sets_the_operation_and_waits_for_it() {
    let ask = Ask::Sync(SyncAsk {
        prune: true,
        ..SyncAsk::default()
    });
    let plan = argo_plan(
        &application(auto_sync(true, true), synced()),
        &ask,
        &request(),
    )
    .unwrap();
    assert_eq!(
        plan,
        Plan {
            title: "sync argocd/guestbook".into(),
            steps: vec![
                patch(
                    &argo_key(),
                    sync_operation(
                        info_with_reason(),
                        json!({"prune": true, "syncStrategy": {"hook": {}}})
                    ),
                    "set operation: sync, prune"
                ),
                Step::AwaitOperation {
                    target: argo_key(),
                    since: at()
                },
            ],
            warnings: vec![],
            ledger: Operation::Sync,
            revision: REV.into(),
            restored: None,
        }
    );
}

#[test]
fn argo_dry_run_of_selected_resources_names_them() {
    let ask = Ask::Sync(SyncAsk {
        prune: false,
        dry_run: true,
        resources: vec![
            ResourceKey::new("apps", "Deployment", "guestbook", "guestbook-ui"),
            ResourceKey::new("", "Namespace", "", "guestbook"),
        ],
    });
    let no_reason = Request {
        reason: None,
        ..request()
    };
    let plan = argo_plan(&application(manual(), synced()), &ask, &no_reason).unwrap();
    assert_eq!(
        plan,
        Plan {
            title: "sync argocd/guestbook (dry run)".into(),
            steps: vec![
                patch(
                    &argo_key(),
                    sync_operation(
                        json!([
                            {"name": "Via", "value": "driftdeck"},
                            {"name": "Request", "value": TOKEN}
                        ]),
                        json!({
                            "prune": false,
                            "dryRun": true,
                            "resources": [
                                {"group": "apps", "kind": "Deployment", "name": "guestbook-ui",
                                    "namespace": "guestbook"},
                                {"group": "", "kind": "Namespace", "name": "guestbook"}
                            ],
                            "syncStrategy": {"hook": {}}
                        })
                    ),
                    "set operation: sync, dry run, 2 resource(s) only"
                ),
                Step::AwaitOperation {
                    target: argo_key(),
                    since: at()
                },
            ],
            warnings: vec![],
            ledger: Operation::DryRun,
            revision: REV.into(),
            restored: None,
        }
    );
}

#[test]
fn argo_sync_and_rollback_are_refused_while_an_operation_is_active() {
    let sync = Ask::Sync(SyncAsk::default());
    let rollback = Ask::Rollback { to: OLD.into() };
    let value = application(auto_sync(true, true), running());
    let refusal =
        "argocd/guestbook has an operation running (53e28ff): wait for it or terminate it";
    assert_eq!(argo_plan(&value, &sync, &request()), Err(refusal.into()));
    assert_eq!(
        argo_plan(&value, &rollback, &request()),
        Err(refusal.into())
    );

    // An operation written but not yet picked up by the controller.
    let mut value = application(manual(), synced());
    value["operation"] = json!({"sync": {"revision": OLD}, "initiatedBy": {"username": "bob"}});
    assert_eq!(
        argo_plan(&value, &sync, &request()),
        Err(
            "argocd/guestbook has an operation requested (e2b4f4b): wait for it or terminate it"
                .into()
        )
    );
}

#[test]
fn argo_refresh_normal_and_hard_annotate_the_app() {
    let value = application(auto_sync(true, true), synced());
    for (hard, mode, title) in [
        (false, "normal", "refresh argocd/guestbook"),
        (true, "hard", "hard refresh argocd/guestbook"),
    ] {
        let plan = argo_plan(&value, &Ask::Refresh { hard }, &request()).unwrap();
        assert_eq!(
            plan,
            Plan {
                title: title.into(),
                steps: vec![patch(
                    &argo_key(),
                    json!({"metadata": {"annotations": {"argocd.argoproj.io/refresh": mode}}}),
                    &format!("annotate argocd.argoproj.io/refresh={mode}")
                )],
                warnings: vec![],
                ledger: Operation::Refresh,
                revision: REV.into(),
                restored: None,
            }
        );
    }
}

#[test]
fn argo_auto_sync_off_keeps_the_policy_and_on_restores_it() {
    let mut value = application(auto_sync(true, false), synced());
    let off = argo_plan(&value, &Ask::AutoSync { enable: false }, &request()).unwrap();
    assert_eq!(
        off,
        Plan {
            title: "turn auto-sync of argocd/guestbook off".into(),
            steps: vec![patch(
                &argo_key(),
                json!({
                    "metadata": {"annotations": {AUTO_SYNC_WAS: r#"{"prune":true,"selfHeal":false}"#}},
                    "spec": {"syncPolicy": {"automated": null}}
                }),
                "remove spec.syncPolicy.automated (kept in driftdeck.dev/auto-sync-was)"
            )],
            warnings: vec![],
            ledger: Operation::Suspend,
            revision: REV.into(),
            restored: None,
        }
    );
    apply(&mut value, &off, &argo_key());
    assert_eq!(value["spec"]["syncPolicy"], manual());
    assert_eq!(
        argo_plan(&value, &Ask::AutoSync { enable: false }, &request()),
        Err("auto-sync of argocd/guestbook is already off".into())
    );

    let on = argo_plan(&value, &Ask::AutoSync { enable: true }, &request()).unwrap();
    assert_eq!(
        on,
        Plan {
            title: "turn auto-sync of argocd/guestbook on".into(),
            steps: vec![patch(
                &argo_key(),
                json!({
                    "metadata": {"annotations": {AUTO_SYNC_WAS: null}},
                    "spec": {"syncPolicy": {"automated": {"prune": true, "selfHeal": false}}}
                }),
                "set spec.syncPolicy.automated (prune: true, self-heal: false)"
            )],
            warnings: vec![],
            ledger: Operation::Resume,
            revision: REV.into(),
            restored: None,
        }
    );
    apply(&mut value, &on, &argo_key());
    assert_eq!(value, {
        let mut original = application(auto_sync(true, false), synced());
        original["metadata"]["annotations"] = json!({});
        original
    });
    assert_eq!(
        argo_plan(&value, &Ask::AutoSync { enable: true }, &request()),
        Err("auto-sync of argocd/guestbook is already on".into())
    );
}

#[test]
fn argo_auto_sync_on_without_a_kept_policy_neither_prunes_nor_heals() {
    let value = application(manual(), synced());
    let on = argo_plan(&value, &Ask::AutoSync { enable: true }, &request()).unwrap();
    assert_eq!(
        on.steps,
        vec![patch(
            &argo_key(),
            json!({
                "metadata": {"annotations": {AUTO_SYNC_WAS: null}},
                "spec": {"syncPolicy": {"automated": {"prune": false, "selfHeal": false}}}
            }),
            "set spec.syncPolicy.automated (prune: false, self-heal: false)"
        )]
    );
}

#[test]
fn argo_auto_sync_on_lifts_a_disabled_policy_and_keeps_its_flags() {
    // Argo CD 3.1+: `enabled: false` turns auto-sync off with the policy kept.
    let policy = json!({"automated": {"enabled": false, "prune": true, "selfHeal": true}});
    let mut value = application(policy, synced());
    let on = argo_plan(&value, &Ask::AutoSync { enable: true }, &request()).unwrap();
    assert_eq!(
        on.steps,
        vec![patch(
            &argo_key(),
            json!({
                "metadata": {"annotations": {AUTO_SYNC_WAS: null}},
                "spec": {"syncPolicy": {"automated": {"prune": true, "selfHeal": true, "enabled": true}}}
            }),
            "set spec.syncPolicy.automated (prune: true, self-heal: true)"
        )]
    );
    apply(&mut value, &on, &argo_key());
    let app = argocd::from_application(&value).unwrap();
    assert_eq!(
        app.automation,
        Automation::ArgoCd(crate::model::SyncPolicy {
            automated: true,
            prune: true,
            self_heal: true,
        })
    );
}

#[test]
fn argo_terminate_sets_the_phase_of_a_running_operation() {
    let plan = argo_plan(
        &application(manual(), running()),
        &Ask::Terminate,
        &request(),
    )
    .unwrap();
    assert_eq!(
        plan,
        Plan {
            title: "terminate the operation of argocd/guestbook".into(),
            steps: vec![patch(
                &argo_key(),
                json!({"status": {"operationState": {"phase": "Terminating"}}}),
                "set status.operationState.phase=Terminating"
            )],
            warnings: vec![],
            ledger: Operation::Terminate,
            revision: REV.into(),
            restored: None,
        }
    );

    let refusal = Err("argocd/guestbook has no running operation to terminate".to_owned());
    let finished = application(manual(), synced());
    assert_eq!(argo_plan(&finished, &Ask::Terminate, &request()), refusal);
    let mut requested = application(manual(), synced());
    requested["operation"] = json!({"sync": {"revision": OLD}});
    assert_eq!(argo_plan(&requested, &Ask::Terminate, &request()), refusal);
}

fn rollback_operation() -> Step {
    patch(
        &argo_key(),
        sync_operation(
            info_with_reason(),
            json!({"revision": OLD, "prune": false, "syncStrategy": {"hook": {}}}),
        ),
        "set operation: sync to revision e2b4f4b",
    )
}

#[test]
fn argo_rollback_turns_auto_sync_off_first() {
    let value = application(auto_sync(true, true), synced());
    let plan = argo_plan(&value, &Ask::Rollback { to: OLD.into() }, &request()).unwrap();
    assert_eq!(
        plan,
        Plan {
            title: "roll back argocd/guestbook to e2b4f4b".into(),
            steps: vec![
                patch(
                    &argo_key(),
                    json!({
                        "metadata": {"annotations": {AUTO_SYNC_WAS: r#"{"prune":true,"selfHeal":true}"#}},
                        "spec": {"syncPolicy": {"automated": null}}
                    }),
                    "remove spec.syncPolicy.automated (kept in driftdeck.dev/auto-sync-was)"
                ),
                rollback_operation(),
                Step::AwaitOperation {
                    target: argo_key(),
                    since: at()
                },
            ],
            warnings: vec![
                "auto-sync of argocd/guestbook is turned off first (Argo CD would sync Git's \
                 revision back); turn it on again with p once Git is fixed"
                    .into()
            ],
            ledger: Operation::Rollback,
            revision: OLD.into(),
            restored: Some(OLD.into()),
        }
    );
    assert_eq!(plan.patched(), vec![&argo_key()]);
}

#[test]
fn argo_rollback_without_auto_sync_only_syncs_the_revision() {
    let value = application(manual(), synced());
    let plan = argo_plan(&value, &Ask::Rollback { to: OLD.into() }, &request()).unwrap();
    assert_eq!(
        plan,
        Plan {
            title: "roll back argocd/guestbook to e2b4f4b".into(),
            steps: vec![
                rollback_operation(),
                Step::AwaitOperation {
                    target: argo_key(),
                    since: at()
                },
            ],
            warnings: vec![],
            ledger: Operation::Rollback,
            revision: OLD.into(),
            restored: Some(OLD.into()),
        }
    );
}

// Flux

fn kustomization(suspend: bool, source_kind: &str, source_name: &str) -> Value {
    json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "apps", "namespace": "flux-system", "generation": 3},
        "spec": {
            "interval": "10m",
            "path": "./apps/production",
            "prune": true,
            "suspend": suspend,
            "sourceRef": {"kind": source_kind, "name": source_name}
        },
        "status": {
            "observedGeneration": 3,
            "lastAppliedRevision": ARTIFACT,
            "lastAttemptedRevision": ARTIFACT,
            "lastHandledReconcileAt": "2024-05-07T10:00:00Z",
            "conditions": [{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded",
                "message": format!("Applied revision: {ARTIFACT}"),
                "lastTransitionTime": "2024-05-07T10:10:00Z", "observedGeneration": 3}]
        }
    })
}

fn git_repository(reference: Value) -> Value {
    json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": "fleet", "namespace": "flux-system", "generation": 1},
        "spec": {"interval": "1m", "url": "https://git.example.com/platform/fleet.git",
            "ref": reference},
        "status": {
            "observedGeneration": 1,
            "artifact": {"revision": ARTIFACT, "digest": "sha256:9f86d081884c7d659a2feaa0c55ad015"},
            "conditions": [{"type": "Ready", "status": "True", "reason": "Succeeded",
                "message": format!("stored artifact for revision '{ARTIFACT}'"),
                "lastTransitionTime": "2024-05-07T10:09:00Z"}]
        }
    })
}

fn ks_key() -> ResourceKey {
    ResourceKey::new(
        "kustomize.toolkit.fluxcd.io",
        "Kustomization",
        "flux-system",
        "apps",
    )
}

fn git_key() -> ResourceKey {
    ResourceKey::new(
        "source.toolkit.fluxcd.io",
        "GitRepository",
        "flux-system",
        "fleet",
    )
}

fn ks_plan(app: &Value, source: &Value, ask: &Ask) -> Result<Plan, String> {
    let mapped = flux::from_kustomization(app, Some(source)).unwrap();
    let objects = Objects {
        app,
        source: Some(source),
    };
    plan(&mapped, &objects, ask, &request())
}

fn request_reconcile(target: &ResourceKey) -> Step {
    patch(
        target,
        json!({"metadata": {"annotations": {REQUESTED_AT: TOKEN}}}),
        &format!("annotate reconcile.fluxcd.io/requestedAt={TOKEN}"),
    )
}

fn flux_plan(title: &str, steps: Vec<Step>, warnings: &[&str], ledger: Operation) -> Plan {
    Plan {
        title: title.into(),
        steps,
        warnings: warnings.iter().map(|w| (*w).to_owned()).collect(),
        ledger,
        revision: ARTIFACT.into(),
        restored: None,
    }
}

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
        Err("flux-system/apps is pinned by an earlier rollback: unpin it first (u)".into())
    );

    let unpin = ks_plan(&app, &git, &Ask::Unpin).unwrap();
    assert_eq!(
        unpin,
        flux_plan(
            "unpin and resume flux-system/apps",
            vec![
                patch(
                    &git_key(),
                    json!({
                        "metadata": {"annotations": {PINNED_FROM: null, REQUESTED_AT: TOKEN}},
                        "spec": {"ref": {"branch": "main", "commit": null}}
                    }),
                    r#"restore spec.ref to {"branch":"main"}, reconcile"#
                ),
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

fn helm_release() -> Value {
    json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "podinfo", "namespace": "apps", "generation": 2},
        "spec": {
            "interval": "5m",
            "chart": {"spec": {"chart": "podinfo", "version": "6.6.x",
                "sourceRef": {"kind": "HelmRepository", "name": "podinfo", "namespace": "flux-system"}}}
        },
        "status": {
            "observedGeneration": 2,
            "lastAttemptedRevision": "6.6.2",
            "conditions": [{"type": "Ready", "status": "True", "reason": "UpgradeSucceeded",
                "message": "Helm upgrade succeeded", "lastTransitionTime": "2024-05-07T11:00:00Z"}],
            "history": [
                {"name": "podinfo", "namespace": "apps", "version": 3, "status": "deployed",
                    "chartName": "podinfo", "chartVersion": "6.6.2"},
                {"name": "podinfo", "namespace": "apps", "version": 2, "status": "superseded",
                    "chartName": "podinfo", "chartVersion": "6.6.1"}
            ]
        }
    })
}

fn helm_repository() -> Value {
    json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository",
        "metadata": {"name": "podinfo", "namespace": "flux-system"},
        "spec": {"url": "https://stefanprodan.github.io/podinfo", "interval": "1h"},
        "status": {"artifact": {"revision": "sha256:8f6f0b2a"}}})
}

fn hr_key() -> ResourceKey {
    ResourceKey::new("helm.toolkit.fluxcd.io", "HelmRelease", "apps", "podinfo")
}

fn hr_plan(app: &Value, ask: &Ask) -> Result<Plan, String> {
    let source = helm_repository();
    let mapped = flux::from_helm_release(app, Some(&source)).unwrap();
    let objects = Objects {
        app,
        source: Some(&source),
    };
    plan(&mapped, &objects, ask, &request())
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
        Err("apps/podinfo is pinned by an earlier rollback: unpin it first (u)".into())
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
fn asks_of_the_other_engine_are_refused() {
    let argo = application(auto_sync(true, true), synced());
    let git = git_repository(json!({"branch": "main"}));
    let ks = kustomization(false, "GitRepository", "fleet");
    let reconcile = Ask::Reconcile {
        with_source: false,
        resume: false,
    };
    for (ask, refusal) in [
        (reconcile, "Argo CD apps cannot be reconciled (sync them)"),
        (
            Ask::Suspend(true),
            "Argo CD apps cannot be suspended (turn auto-sync off)",
        ),
        (
            Ask::Unpin,
            "Argo CD apps cannot be unpinned (they are never pinned)",
        ),
    ] {
        assert_eq!(argo_plan(&argo, &ask, &request()), Err(refusal.into()));
    }
    for (ask, refusal) in [
        (Ask::Terminate, "Flux apps cannot terminate an operation"),
        (
            Ask::Sync(SyncAsk::default()),
            "Flux apps cannot be synced with an operation (reconcile them)",
        ),
        (
            Ask::Refresh { hard: true },
            "Flux apps cannot be refreshed (reconcile them)",
        ),
        (
            Ask::AutoSync { enable: false },
            "Flux apps cannot turn auto-sync on or off (suspend or resume them)",
        ),
    ] {
        assert_eq!(ks_plan(&ks, &git, &ask), Err(refusal.into()));
    }
}

#[test]
fn commit_of_reads_flux_revisions_and_bare_commits() {
    let hex = "4f2a9c1e7b3d5a6c8e0f1b2d3c4e5f6a7b8c9d0e";
    assert_eq!(commit_of(ARTIFACT), Some(hex));
    assert_eq!(commit_of(&format!("sha1:{hex}")), Some(hex));
    assert_eq!(commit_of(hex), Some(hex));
    assert_eq!(commit_of("sha1:4f2a9c1"), Some("4f2a9c1"));
    assert_eq!(commit_of("v1.2.3"), None);
    assert_eq!(commit_of("main@sha1:4f2a9c"), None);
    assert_eq!(commit_of("main"), None);
}

#[test]
fn patched_lists_each_object_once_in_order() {
    let step = |target: &ResourceKey| patch(target, json!({}), "");
    let plan = Plan {
        title: String::new(),
        steps: vec![
            step(&ks_key()),
            await_reconcile(&git_key()),
            step(&git_key()),
            step(&ks_key()),
            step(&hr_key()),
        ],
        warnings: vec![],
        ledger: Operation::Sync,
        revision: String::new(),
        restored: None,
    };
    assert_eq!(plan.patched(), vec![&ks_key(), &git_key(), &hr_key()]);
}

#[test]
fn argo_rollback_of_a_multi_source_app_is_refused() {
    let mut value = application(manual(), synced());
    value["spec"]["sources"] = json!([
        {"repoURL": "https://git.example.com/a.git", "path": "a"},
        {"repoURL": "https://git.example.com/b.git", "path": "b"}
    ]);
    assert_eq!(
        argo_plan(&value, &Ask::Rollback { to: OLD.into() }, &request()),
        Err(
            "argocd/guestbook has several sources: driftdeck rolls back single-source \
             Applications only (one revision per source is not sent yet)"
                .into()
        )
    );
}
