//! The engine form: toggles plan again, Enter runs with the reason, a rollback
//! wants one; read-only and keys that do not apply say why.

use super::*;
use crate::tui::update::external::toggles;

#[test]
fn the_form_plans_again_on_each_toggle_and_runs_with_the_reason() {
    let mut model = engine_model();
    select(&mut model, GUESTBOOK);
    update(&mut model, key('s'));
    // ctrl-o needs a resource selected on the app screen: nothing to toggle here.
    assert!(update(&mut model, ctrl('o')).is_empty());
    assert_eq!(
        form(&model).action,
        on(GUESTBOOK, Ask::Sync(SyncAsk::default()), None)
    );
    assert_eq!(form(&model).reason.lines(), [""]);

    let pruned = SyncAsk {
        prune: true,
        ..SyncAsk::default()
    };
    let action = on(GUESTBOOK, Ask::Sync(pruned), None);
    assert_eq!(
        update(&mut model, ctrl('p')),
        vec![Effect::Plan {
            generation: 2,
            action
        }]
    );
    // The first plan, late, is dropped.
    let stale = engine_planned(&model, 1, Ok(vec!["stale".into()]));
    update(&mut model, stale);
    assert!(form(&model).plan.is_empty() && form(&model).pending.loading);

    let both = SyncAsk {
        prune: true,
        dry_run: true,
        resources: Vec::new(),
    };
    let action = on(GUESTBOOK, Ask::Sync(both.clone()), None);
    assert_eq!(action.title(), "sync argocd/guestbook (prune, dry run)");
    assert_eq!(
        update(&mut model, ctrl('d')),
        vec![Effect::Plan {
            generation: 3,
            action
        }]
    );
    // Nothing runs while the plan is computed.
    assert!(update(&mut model, special(KeyCode::Enter)).is_empty());
    let plan = vec!["patch argoproj.io/Application/argocd/guestbook: operation.sync".to_owned()];
    let older = engine_planned(&model, 2, Ok(vec!["older".into()]));
    update(&mut model, older);
    let newest = engine_planned(&model, 3, Ok(plan.clone()));
    update(&mut model, newest);
    assert_eq!(form(&model).plan, plan);

    // Letters, `q` and `s` included, go to the reason.
    let reason = "quick fix for drift, see OPS-4411";
    assert!(typed(&mut model, reason).is_empty());
    assert!(!model.quit);
    assert_eq!(form(&model).reason.lines(), [reason]);
    let effects = update(&mut model, special(KeyCode::Enter));
    let action = on(GUESTBOOK, Ask::Sync(both), Some(reason));
    assert_eq!(effects, vec![Effect::Run { id: 1, action }]);
    assert!(model.modal.is_none());
    let running = "sync argocd/guestbook (prune, dry run)…".to_owned();
    assert_eq!(model.status, Some((running, false)));
    assert_eq!(model.running.len(), 1);
}

#[test]
fn ctrl_o_syncs_the_resource_selected_on_the_app_screen_alone() {
    let mut model = engine_model();
    select(&mut model, GUESTBOOK);
    update(&mut model, special(KeyCode::Enter));
    update(&mut model, key('j'));
    let deployment = ResourceKey::new("apps", "Deployment", "guestbook", "guestbook-ui");
    update(&mut model, key('s'));
    assert_eq!(form(&model).selected, Some(deployment.clone()));
    let only = SyncAsk {
        resources: vec![deployment],
        ..SyncAsk::default()
    };
    let action = on(GUESTBOOK, Ask::Sync(only), None);
    assert_eq!(action.title(), "sync argocd/guestbook (1 resource(s) only)");
    assert_eq!(
        update(&mut model, ctrl('o')),
        vec![Effect::Plan {
            generation: 2,
            action
        }]
    );
    let action = on(GUESTBOOK, Ask::Sync(SyncAsk::default()), None);
    assert_eq!(
        update(&mut model, ctrl('o')),
        vec![Effect::Plan {
            generation: 3,
            action
        }]
    );
}

#[test]
fn an_engine_rollback_needs_a_plan_and_a_reason() {
    let mut model = engine_model();
    select(&mut model, GUESTBOOK);
    model.history.commits = sample::history(4);
    update(&mut model, special(KeyCode::Tab));
    update(&mut model, key('j'));
    update(&mut model, key('j'));
    let to = sample::commit_id(3).as_str().to_owned();
    let action = on(GUESTBOOK, Ask::Rollback { to: to.clone() }, None);
    assert_eq!(
        update(&mut model, key('R')),
        vec![Effect::Plan {
            generation: 1,
            action
        }]
    );
    assert!(form(&model).reason_required);

    // The plan failed: Enter runs nothing, with a reason or without.
    let refused = "forbidden: cannot patch applications.argoproj.io guestbook";
    let failed = engine_planned(&model, 1, Err(refused.into()));
    update(&mut model, failed);
    assert!(update(&mut model, special(KeyCode::Enter)).is_empty());
    assert_eq!(form(&model).error.as_deref(), Some(refused));
    typed(&mut model, "back to the last good image");
    assert!(update(&mut model, special(KeyCode::Enter)).is_empty());
    assert!(model.running.is_empty());
    update(&mut model, special(KeyCode::Esc));

    // Planned: Enter without a reason is refused, and says so.
    update(&mut model, key('R'));
    let plan = engine_planned(&model, 1, Ok(vec![format!("sync to {to}")]));
    update(&mut model, plan);
    assert!(update(&mut model, special(KeyCode::Enter)).is_empty());
    let asked = "type a reason first: the ledger keeps it";
    assert_eq!(form(&model).error.as_deref(), Some(asked));
    let reason = "checkout 500s since 14:02";
    typed(&mut model, reason);
    assert_eq!(form(&model).error, None);
    let action = on(GUESTBOOK, Ask::Rollback { to }, Some(reason));
    let effects = update(&mut model, special(KeyCode::Enter));
    assert_eq!(effects, vec![Effect::Run { id: 1, action }]);
    assert_eq!(
        model.running[0].title,
        "roll back argocd/guestbook to 0000003"
    );
}

#[test]
fn read_only_refuses_every_engine_action_and_names_it() {
    let mut model = engine_model();
    model.read_only = true;
    let refused = |model: &mut Model, c: char, title: &str| {
        assert!(update(model, key(c)).is_empty(), "{c}");
        assert!(model.modal.is_none(), "{c}");
        let said = format!("read-only: {title} refused (driftdeck was started with --read-only)");
        assert_eq!(model.status, Some((said, true)));
    };
    select(&mut model, GUESTBOOK);
    refused(&mut model, 's', "sync argocd/guestbook");
    refused(&mut model, 'S', "sync argocd/guestbook (prune)");
    refused(&mut model, 'F', "refresh argocd/guestbook");
    refused(
        &mut model,
        'X',
        "terminate the operation of argocd/guestbook",
    );
    refused(&mut model, 'p', "turn auto-sync of argocd/guestbook off");
    model.history.commits = sample::history(4);
    update(&mut model, special(KeyCode::Tab));
    update(&mut model, key('j'));
    update(&mut model, key('j'));
    refused(&mut model, 'R', "roll back argocd/guestbook to 0000003");
    update(&mut model, special(KeyCode::Tab));
    select(&mut model, APPS);
    refused(&mut model, 's', "reconcile flux-system/apps");
    refused(
        &mut model,
        'S',
        "reconcile flux-system/apps with its source",
    );
    refused(&mut model, 'p', "suspend flux-system/apps");
    select(&mut model, PODINFO);
    refused(&mut model, 's', "resume and reconcile flux-system/podinfo");
    refused(&mut model, 'p', "resume flux-system/podinfo");
}

#[test]
fn engine_keys_on_native_rows_say_why_not() {
    let mut model = engine_model();
    select(&mut model, "app-000");
    for c in ['F', 'X'] {
        assert!(update(&mut model, key(c)).is_empty(), "{c}");
        assert!(model.modal.is_none());
        let said = "F and X act on Argo CD and Flux apps: select one (engine argocd or flux)";
        assert_eq!(model.status, Some((said.to_owned(), true)));
    }
}

/// The rollback form of the selected app on the third commit of a sample history;
/// the commit's id.
fn rollback_form(model: &mut Model, row: &str) -> String {
    select(model, row);
    model.history.commits = sample::history(4);
    update(model, special(KeyCode::Tab));
    update(model, key('j'));
    update(model, key('j'));
    let to = sample::commit_id(3).as_str().to_owned();
    let action = on(row, Ask::Rollback { to: to.clone() }, None);
    assert_eq!(
        update(model, key('R')),
        vec![Effect::Plan {
            generation: 1,
            action
        }]
    );
    assert!(form(model).reason_required);
    to
}

#[test]
fn ctrl_g_turns_a_kustomization_rollback_into_a_revert_commit_and_back() {
    let mut model = engine_model();
    let to = rollback_form(&mut model, APPS);
    let by_commit = |on: bool| {
        let state = if on { "yes" } else { "no" };
        vec![(
            "ctrl-g",
            "by a Git commit (pushed), not a pin",
            state.to_owned(),
        )]
    };
    assert_eq!(toggles(form(&model)), by_commit(false));
    let pin = on(APPS, Ask::Rollback { to: to.clone() }, None);
    let revert = on(
        APPS,
        Ask::Revert {
            to: to.clone(),
            tip: None,
        },
        None,
    );

    assert_eq!(
        update(&mut model, ctrl('g')),
        vec![Effect::Plan {
            generation: 2,
            action: revert.clone()
        }]
    );
    assert_eq!(form(&model).action, revert);
    assert_eq!(
        revert.title(),
        "roll back flux-system/apps to 0000003 by a Git commit"
    );
    assert_eq!(toggles(form(&model)), by_commit(true));
    assert!(form(&model).reason_required);
    // The pin's plan, late, is dropped.
    let stale = engine_planned(&model, 1, Ok(vec!["pin spec.ref.commit".into()]));
    update(&mut model, stale);
    assert!(form(&model).plan.is_empty() && form(&model).pending.loading);

    // Back to the pin, and again to the commit: each a new plan.
    assert_eq!(
        update(&mut model, ctrl('g')),
        vec![Effect::Plan {
            generation: 3,
            action: pin
        }]
    );
    assert_eq!(toggles(form(&model)), by_commit(false));
    assert_eq!(
        update(&mut model, ctrl('g')),
        vec![Effect::Plan {
            generation: 4,
            action: revert
        }]
    );
    let plan = vec!["commit on main of https://git.example.com/platform/fleet.git".to_owned()];
    let planned = engine_planned(&model, 4, Ok(plan.clone()));
    update(&mut model, planned);
    assert_eq!(form(&model).plan, plan);

    // A revert wants a reason too: it goes into the commit.
    assert!(update(&mut model, special(KeyCode::Enter)).is_empty());
    let asked = "type a reason first: the ledger keeps it";
    assert_eq!(form(&model).error.as_deref(), Some(asked));
    let reason = "apps 2.3 breaks checkout";
    typed(&mut model, reason);
    let action = on(APPS, Ask::Revert { to, tip: None }, Some(reason));
    let effects = update(&mut model, special(KeyCode::Enter));
    assert_eq!(effects, vec![Effect::Run { id: 1, action }]);
    assert_eq!(
        model.running[0].title,
        "roll back flux-system/apps to 0000003 by a Git commit"
    );
}

#[test]
fn ctrl_g_is_nothing_on_an_argo_cd_rollback_or_a_flux_reconcile() {
    let mut model = engine_model();
    let to = rollback_form(&mut model, GUESTBOOK);
    assert!(toggles(form(&model)).is_empty());
    assert!(update(&mut model, ctrl('g')).is_empty());
    let pin = on(GUESTBOOK, Ask::Rollback { to }, None);
    assert_eq!(form(&model).action, pin);
    assert_eq!(form(&model).reason.lines(), [""]);
    assert!(
        form(&model).pending.loading,
        "the first plan is still awaited"
    );
    update(&mut model, special(KeyCode::Esc));
    update(&mut model, special(KeyCode::Tab));

    select(&mut model, APPS);
    update(&mut model, key('s'));
    assert_eq!(
        toggles(form(&model)),
        vec![("ctrl-s", "source first", "no".to_owned())]
    );
    assert!(update(&mut model, ctrl('g')).is_empty());
    let reconcile = Ask::Reconcile {
        with_source: false,
        resume: false,
    };
    assert_eq!(form(&model).action, on(APPS, reconcile, None));
}

#[test]
fn a_revert_runs_on_the_branch_tip_its_plan_showed() {
    let mut model = engine_model();
    let to = rollback_form(&mut model, APPS);
    update(&mut model, ctrl('g'));
    let tip = "f".repeat(40);
    let planned = Ask::Revert {
        to: to.clone(),
        tip: Some(tip.clone()),
    };
    let lines = vec![format!("commit on main of fleet (now {})", &tip[..7])];
    // A late answer for another plan changes nothing.
    update(
        &mut model,
        Msg::EnginePlanned {
            generation: 1,
            result: Ok(EnginePlan {
                title: "stale".into(),
                lines: vec!["stale".into()],
                ask: planned.clone(),
            }),
        },
    );
    assert!(form(&model).plan.is_empty());
    update(
        &mut model,
        Msg::EnginePlanned {
            generation: 2,
            result: Ok(EnginePlan {
                title: "roll back flux-system/apps by a Git commit".into(),
                lines: lines.clone(),
                ask: planned.clone(),
            }),
        },
    );
    assert_eq!(form(&model).plan, lines);
    typed(&mut model, "apps 2.3 breaks checkout");
    let effects = update(&mut model, special(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::Run {
            id: 1,
            action: on(APPS, planned, Some("apps 2.3 breaks checkout")),
        }]
    );
}

/// A HelmRelease of a chart from a Helm repository, live at 6.6.2, with 6.6.1,
/// 6.6.2 again and 6.5.0 before.
fn redis() -> ExternalApp {
    let snapshot = |chart: &str, version: i64, status: &str| {
        json!({"chartName": "redis", "chartVersion": chart, "version": version,
               "status": status, "name": "redis", "namespace": "apps"})
    };
    let release = json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "redis", "namespace": "apps", "generation": 2},
        "spec": {"interval": "10m", "chart": {"spec": {"chart": "redis", "version": "*",
            "sourceRef": {"kind": "HelmRepository", "name": "bitnami"}}}},
        "status": {"observedGeneration": 2, "lastAttemptedRevision": "6.6.2", "history": [
            snapshot("6.6.2", 4, "deployed"),
            snapshot("6.6.1", 3, "superseded"),
            snapshot("6.6.2", 2, "superseded"),
            snapshot("6.5.0", 1, "superseded"),
        ]}
    });
    flux::from_helm_release(&release, None).unwrap()
}

#[test]
fn ctrl_v_steps_a_helm_release_rollback_through_its_earlier_chart_versions() {
    let mut model = sample::model(2, 0);
    let generation = discovering(&init(&mut model)).unwrap();
    let app = redis();
    let row = crate::tui::model::EngineApp::row_name(&app, "ctx");
    assert!(update(&mut model, answer(generation, vec![app.clone()], &[])).is_empty());
    select(&mut model, row.as_str());
    let rollback = |to: &str| Action::Engine {
        app: row.clone(),
        context: None,
        key: app.key(),
        ask: Ask::Rollback { to: to.into() },
        reason: None,
    };
    // R takes the newest earlier version; each version is offered once.
    assert_eq!(
        update(&mut model, key('R')),
        vec![Effect::Plan {
            generation: 1,
            action: rollback("6.6.1")
        }]
    );
    assert_eq!(form(&model).versions, ["6.6.1", "6.5.0"]);
    let chosen = |state: &str| vec![("ctrl-v", "chart version", state.to_owned())];
    assert_eq!(toggles(form(&model)), chosen("6.6.1 (1 of 2 earlier)"));
    assert_eq!(
        update(&mut model, ctrl('v')),
        vec![Effect::Plan {
            generation: 2,
            action: rollback("6.5.0")
        }]
    );
    assert_eq!(toggles(form(&model)), chosen("6.5.0 (2 of 2 earlier)"));
    // Round again to the newest.
    assert_eq!(
        update(&mut model, ctrl('v')),
        vec![Effect::Plan {
            generation: 3,
            action: rollback("6.6.1")
        }]
    );
    // Not on a Kustomization's rollback.
    update(&mut model, special(KeyCode::Esc));
    let mut model = engine_model();
    rollback_form(&mut model, APPS);
    assert!(form(&model).versions.is_empty());
    assert!(update(&mut model, ctrl('v')).is_empty());
}
