//! Mutating actions: plans, confirmations, reasons, read-only.

use super::*;

#[test]
fn sync_asks_with_its_plan_then_runs_and_reports() {
    let mut model = sample::model(2, 0);
    let effects = update(&mut model, key('s'));
    let Some(Effect::Plan {
        generation,
        action: Action::Sync { prune: false, .. },
    }) = effects.first()
    else {
        panic!("{effects:?}");
    };
    // No yes while the plan is computed.
    assert!(update(&mut model, key('y')).is_empty());
    update(
        &mut model,
        Msg::Planned {
            generation: *generation,
            result: Ok(vec!["  update  apps/Deployment/shop/web".into()]),
        },
    );
    // `f` twice: back to keeping other managers' fields.
    update(&mut model, key('f'));
    let Some(Modal::Confirm(confirm)) = &model.modal else {
        panic!("the confirmation stays")
    };
    assert!(matches!(confirm.action, Action::Sync { force: true, .. }));
    update(&mut model, key('f'));
    let effects = update(&mut model, key('y'));
    let Some(Effect::Run {
        id,
        action: Action::Sync { force: false, .. },
    }) = effects.first()
    else {
        panic!("{effects:?}");
    };
    assert!(model.modal.is_none());
    assert_eq!(model.running.len(), 1);
    let effects = update(
        &mut model,
        Msg::Done {
            id: *id,
            result: Ok("synced app-000 to 1111111: 1 applied, 0 pruned".into()),
        },
    );
    assert!(model.running.is_empty());
    assert_eq!(
        model.status,
        Some((
            "synced app-000 to 1111111: 1 applied, 0 pruned".into(),
            false
        ))
    );
    assert!(matches!(effects[0], Effect::Observe { .. }));
}

#[test]
fn a_failed_plan_cannot_be_confirmed() {
    let mut model = sample::model(1, 0);
    let effects = update(&mut model, key('S'));
    let Some(Effect::Plan { generation, .. }) = effects.first() else {
        panic!("{effects:?}");
    };
    update(
        &mut model,
        Msg::Planned {
            generation: *generation,
            result: Err("forbidden: cannot patch deployments".into()),
        },
    );
    assert!(update(&mut model, key('y')).is_empty());
    update(&mut model, special(KeyCode::Esc));
    assert!(model.modal.is_none());
}

#[test]
fn read_only_refuses_every_action_with_a_message() {
    let mut model = sample::model(2, 4);
    model.read_only = true;
    for c in ['s', 'S', 'u'] {
        assert!(update(&mut model, key(c)).is_empty());
        let (message, failed) = model.status.clone().unwrap();
        assert!(message.starts_with("read-only:") && failed, "{message}");
    }
    update(&mut model, special(KeyCode::Tab));
    assert!(update(&mut model, key('R')).is_empty());
    update(&mut model, special(KeyCode::Tab));
    update(&mut model, special(KeyCode::Enter));
    update(&mut model, key('j'));
    for c in ['x', '+', '-'] {
        assert!(update(&mut model, key(c)).is_empty());
        assert!(model.status.as_ref().unwrap().0.starts_with("read-only:"));
    }
    assert!(model.modal.is_none());
}

#[test]
fn rollback_needs_a_reason_and_sends_it_with_the_mode() {
    let mut model = sample::model(1, 4);
    update(&mut model, special(KeyCode::Tab));
    update(&mut model, key('j'));
    update(&mut model, key('j'));
    let effects = update(&mut model, key('R'));
    let Some(Effect::Plan {
        generation,
        action: Action::Rollback { to, pin: false, .. },
    }) = effects.first()
    else {
        panic!("{effects:?}");
    };
    assert_eq!(to, sample::commit_id(3).as_str());
    update(
        &mut model,
        Msg::Planned {
            generation: *generation,
            result: Ok(vec!["OutOfSync  apps/Deployment/shop/web".into()]),
        },
    );
    // Enter without a reason: refused, the form stays.
    assert!(update(&mut model, special(KeyCode::Enter)).is_empty());
    assert!(matches!(&model.modal, Some(Modal::Rollback(f)) if f.error.is_some()));
    // Tab switches to pin and asks for that preview.
    let effects = update(&mut model, special(KeyCode::Tab));
    assert!(matches!(
        effects.first(),
        Some(Effect::Plan {
            action: Action::Rollback { pin: true, .. },
            ..
        })
    ));
    let Some(Effect::Plan { generation, .. }) = effects.first() else {
        unreachable!()
    };
    update(
        &mut model,
        Msg::Planned {
            generation: *generation,
            result: Ok(Vec::new()),
        },
    );
    // Keys go to the text area, `q` and `s` included.
    typed(&mut model, "crash loop since 1.5");
    assert!(!model.quit);
    let effects = update(&mut model, special(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::Run {
            id: 1,
            action: Action::Rollback {
                app: AppName::new("app-000"),
                to: sample::commit_id(3).as_str().to_owned(),
                pin: true,
                reason: "crash loop since 1.5".into(),
            }
        }]
    );
}

#[test]
fn rollback_outside_the_history_says_where_to_pick_the_commit() {
    let mut model = sample::model(1, 4);
    assert!(update(&mut model, key('R')).is_empty());
    assert!(model.status.as_ref().unwrap().0.contains("history pane"));
}

#[test]
fn scale_and_restart_act_on_the_selected_workload() {
    let mut model = sample::model(1, 0);
    update(&mut model, special(KeyCode::Enter));
    // The ConfigMap is selected: not a workload.
    update(&mut model, key('x'));
    assert!(model.status.as_ref().unwrap().1);
    update(&mut model, key('j'));
    update(&mut model, key('+'));
    let Some(Modal::Confirm(confirm)) = &model.modal else {
        panic!("{:?}", model.modal);
    };
    assert_eq!(
        confirm.action,
        Action::Scale {
            app: AppName::new("app-000"),
            workload: "Deployment/web".into(),
            replicas: 4,
            managed: None,
        }
    );
    assert!(confirm.plan[0].contains("context prod-eu, namespace shop"));
    update(&mut model, key('n'));
    assert!(model.modal.is_none());
    update(&mut model, key('x'));
    let effects = update(&mut model, special(KeyCode::Enter));
    assert!(matches!(
        effects.first(),
        Some(Effect::Run {
            action: Action::Restart { .. },
            ..
        })
    ));
}
