//! The Argo CD plans, patch by patch.

use super::*;

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
            "argocd/guestbook has an operation requested (e2b4f4b): wait for it or cancel it"
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
fn argo_auto_sync_off_and_on_restores_every_flag_of_the_policy() {
    let policy = json!({"automated": {"prune": false, "selfHeal": true, "allowEmpty": true}});
    let mut value = application(policy.clone(), synced());
    let off = argo_plan(&value, &Ask::AutoSync { enable: false }, &request()).unwrap();
    apply(&mut value, &off, &argo_key());
    assert_eq!(value["spec"]["syncPolicy"], json!({}));
    let on = argo_plan(&value, &Ask::AutoSync { enable: true }, &request()).unwrap();
    let Step::Patch { what, .. } = &on.steps[0] else {
        panic!("{on:?}")
    };
    assert_eq!(
        what,
        "set spec.syncPolicy.automated (prune: false, self-heal: true, allow empty)"
    );
    apply(&mut value, &on, &argo_key());
    assert_eq!(value["spec"]["syncPolicy"], policy);
    assert_eq!(value["metadata"]["annotations"], json!({}));
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

    // Requested, not started: the request is withdrawn.
    let mut requested = application(manual(), synced());
    requested["operation"] = json!({"sync": {"revision": OLD}});
    let plan = argo_plan(&requested, &Ask::Terminate, &request()).unwrap();
    assert_eq!(
        plan.title,
        "cancel the requested operation of argocd/guestbook"
    );
    assert_eq!(
        plan.steps,
        vec![patch(
            &argo_key(),
            json!({"operation": null}),
            "remove the operation not started yet (operation: null)"
        )]
    );
    let mut cancelled = requested.clone();
    apply(&mut cancelled, &plan, &argo_key());
    assert_eq!(cancelled, application(manual(), synced()));
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

#[test]
fn argo_policy_changes_warn_when_an_owner_puts_the_application_back() {
    let off = Ask::AutoSync { enable: false };
    let plain = application(auto_sync(true, true), synced());
    assert!(
        argo_plan(&plain, &off, &request())
            .unwrap()
            .warnings
            .is_empty()
    );

    let mut generated = plain.clone();
    generated["metadata"]["ownerReferences"] = json!([{"apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet", "name": "guestbooks", "uid": "1", "controller": true}]);
    assert_eq!(
        argo_plan(&generated, &off, &request()).unwrap().warnings,
        [
            "it is generated by the ApplicationSet guestbooks: the ApplicationSet may put its \
          sync policy back (unless it ignores that field or its policy is create-only)"
        ]
    );

    let mut child = plain.clone();
    child["metadata"]["annotations"] =
        json!({"argocd.argoproj.io/tracking-id": "apps:argoproj.io/Application:argocd/guestbook"});
    let rollback = argo_plan(&child, &Ask::Rollback { to: OLD.into() }, &request()).unwrap();
    assert_eq!(
        rollback.warnings.last().unwrap(),
        "it is managed by the Argo CD app apps: with self-heal, that app puts its sync policy \
         back as Git has it"
    );
}
