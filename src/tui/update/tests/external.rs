//! Argo CD and Flux apps in the cockpit: discovery's answers as rows, and the
//! action keys on them as engine actions through the engine form.

use serde_json::json;

use super::*;
use crate::engine::external::Discovered;
use crate::integrations::actions::{Ask, SyncAsk};
use crate::integrations::{ExternalApp, argocd, flux};
use crate::model::ResourceKey;
use crate::tui::model::EngineForm;
use crate::tui::update::external::{DISCOVER_EVERY, Found, discover};

const REV: &str = "53e28ff20cc530b9ada2173fbbd64d48338583ba";
const NEW: &str = "main@sha1:4f2a9c1e7b3d5a6c8e0f1b2d3c4e5f6a7b8c9d0e";
const GUESTBOOK: &str = "argocd.argocd.guestbook@ctx";
const APPS: &str = "flux-ks.flux-system.apps@ctx";
const PODINFO: &str = "flux-ks.flux-system.podinfo@ctx";
const FORBIDDEN: &str = "cluster: cannot list Application.argoproj.io: context ctx: forbidden \
    (403): applications.argoproj.io is forbidden: User \"maya\" cannot list resource \
    \"applications\" in API group \"argoproj.io\" at the cluster scope (hint: your user lacks \
    this permission: ask for it, or check with `kubectl auth can-i`)";

/// An Argo CD `Application` from the example apps, out of sync, with a Service and
/// a Deployment.
fn application(name: &str, automated: bool) -> ExternalApp {
    let policy = if automated {
        json!({"automated": {"prune": true, "selfHeal": true}, "syncOptions": ["CreateNamespace=true"]})
    } else {
        json!({"syncOptions": ["CreateNamespace=true"]})
    };
    let ui = format!("{name}-ui");
    argocd::from_application(&json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd", "generation": 7},
        "spec": {
            "project": "default",
            "source": {"repoURL": "https://github.com/argoproj/argocd-example-apps.git",
                "path": name, "targetRevision": "HEAD"},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": name},
            "syncPolicy": policy
        },
        "status": {
            "sync": {"status": "OutOfSync", "revision": REV},
            "health": {"status": "Healthy"},
            "resources": [
                {"version": "v1", "kind": "Service", "namespace": name, "name": ui,
                    "status": "Synced", "health": {"status": "Healthy"}},
                {"group": "apps", "version": "v1", "kind": "Deployment", "namespace": name,
                    "name": ui, "status": "OutOfSync", "health": {"status": "Healthy"}}
            ]
        }
    }))
    .unwrap()
}

/// A Flux `Kustomization` reconciled from the `fleet` GitRepository.
fn kustomization(name: &str, suspended: bool) -> ExternalApp {
    let kustomization = json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": "flux-system", "generation": 3},
        "spec": {"interval": "10m", "path": format!("./{name}/production"), "prune": true,
            "suspend": suspended, "sourceRef": {"kind": "GitRepository", "name": "fleet"}},
        "status": {"observedGeneration": 3, "lastAppliedRevision": NEW,
            "lastAttemptedRevision": NEW,
            "conditions": [{"type": "Ready", "status": "True",
                "reason": "ReconciliationSucceeded", "message": format!("Applied revision: {NEW}"),
                "lastTransitionTime": "2024-05-07T10:10:00Z", "observedGeneration": 3}]}
    });
    let fleet = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": "fleet", "namespace": "flux-system", "generation": 1},
        "spec": {"interval": "1m", "url": "https://git.example.com/platform/fleet.git",
            "ref": {"branch": "main"}},
        "status": {"observedGeneration": 1, "artifact": {"revision": NEW,
            "digest": "sha256:9f86d081884c7d659a2feaa0c55ad015",
            "lastUpdateTime": "2024-05-07T10:09:00Z"}}
    });
    flux::from_kustomization(&kustomization, Some(&fleet)).unwrap()
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn discovering(effects: &[Effect]) -> Option<u64> {
    effects.iter().find_map(|e| match e {
        Effect::Discover { generation, .. } => Some(*generation),
        _ => None,
    })
}

fn next_discovery(model: &mut Model) -> u64 {
    discovering(&[discover(model)]).unwrap()
}

/// Context `ctx` (the current one) answers with `apps` and `problems`.
fn answer(generation: u64, apps: Vec<ExternalApp>, problems: &[&str]) -> Msg {
    let problems = problems.iter().map(|p| p.to_string()).collect();
    Msg::Discovered {
        generation,
        found: vec![Found {
            own_context: None,
            result: Ok(("ctx".into(), Discovered { apps, problems })),
        }],
    }
}

fn rows(model: &Model) -> Vec<(String, String)> {
    let row = |r: &AppRow| (r.name.to_string(), r.label());
    model.apps.iter().map(row).collect()
}

fn row(name: &str, label: &str) -> (String, String) {
    (name.into(), label.into())
}

/// Two native apps, then Argo CD's guestbook (auto-sync on), Flux's apps and
/// Flux's podinfo (suspended).
fn engine_model() -> Model {
    let mut model = sample::model(2, 0);
    let generation = discovering(&init(&mut model)).unwrap();
    let apps = vec![
        application("guestbook", true),
        kustomization("apps", false),
        kustomization("podinfo", true),
    ];
    assert!(update(&mut model, answer(generation, apps, &[])).is_empty());
    model
}

fn select(model: &mut Model, name: &str) {
    model.selected = model.apps.iter().position(|r| r.name == *name).unwrap();
}

fn form(model: &Model) -> &EngineForm {
    match &model.modal {
        Some(Modal::Engine(form)) => form,
        other => panic!("{other:?}"),
    }
}

fn on(row: &str, ask: Ask, reason: Option<&str>) -> Action {
    let (kind, namespace, name) = match row {
        GUESTBOOK => ("Application", "argocd", "guestbook"),
        APPS => ("Kustomization", "flux-system", "apps"),
        _ => ("Kustomization", "flux-system", "podinfo"),
    };
    let group = if kind == "Application" {
        "argoproj.io"
    } else {
        "kustomize.toolkit.fluxcd.io"
    };
    Action::Engine {
        app: AppName::new(row),
        context: None,
        key: ResourceKey::new(group, kind, namespace, name),
        ask,
        reason: reason.map(str::to_owned),
    }
}

/// What the key `c` asks of the selected row: the form opens on it and its plan
/// is asked for; Esc cancels.
fn ask_of(model: &mut Model, c: char) -> Ask {
    let effects = update(model, key(c));
    let [Effect::Plan { generation: 1, action }] = effects.as_slice() else {
        panic!("{c}: {effects:?}");
    };
    let Action::Engine { ask, .. } = action.clone() else {
        panic!("{action:?}");
    };
    let row = model.selected_app().unwrap().name.to_string();
    assert_eq!(*action, on(&row, ask.clone(), None));
    let form = form(model);
    assert_eq!(form.action, *action);
    assert!(form.pending.loading && form.plan.is_empty() && !form.reason_required);
    update(model, special(KeyCode::Esc));
    assert!(model.modal.is_none());
    let cancelled = format!("{}: cancelled", action.title());
    assert_eq!(model.status, Some((cancelled, false)));
    ask
}

#[test]
fn discovery_adds_engine_rows_after_the_native_apps_and_keeps_the_selection() {
    let mut model = engine_model();
    assert_eq!(
        rows(&model),
        [
            row("app-000", "app-000"),
            row("app-001", "app-001"),
            row(GUESTBOOK, "argocd:guestbook"),
            row(APPS, "flux:apps"),
            row(PODINFO, "flux:podinfo"),
        ]
    );
    let guestbook = &model.apps[2];
    assert_eq!(
        guestbook.repo,
        "https://github.com/argoproj/argocd-example-apps.git"
    );
    assert_eq!((guestbook.path.as_str(), guestbook.namespace.as_str()), ("guestbook", "argocd"));
    assert_eq!((guestbook.context.as_str(), guestbook.own_context.as_deref()), ("ctx", None));
    assert_eq!(guestbook.desired, Ok(REV.to_owned()));
    assert_eq!(model.apps[3].repo, "https://git.example.com/platform/fleet.git");
    assert_eq!(model.apps[3].path, "./apps/production");
    assert_eq!(model.apps[3].desired, Ok(NEW.to_owned()));
    assert_eq!(model.discovery.at, Some(sample::now()));
    assert!(!model.discovery.pending.loading && model.discovery.problems.is_empty());
    assert_eq!(model.status, None);

    // A second answer replaces the rows; guestbook, selected, moved down one.
    select(&mut model, GUESTBOOK);
    let generation = next_discovery(&mut model);
    let apps = vec![
        application("billing", false),
        application("guestbook", true),
        kustomization("apps", false),
    ];
    assert!(update(&mut model, answer(generation, apps, &[])).is_empty());
    assert_eq!(
        rows(&model),
        [
            row("app-000", "app-000"),
            row("app-001", "app-001"),
            row("argocd.argocd.billing@ctx", "argocd:billing"),
            row(GUESTBOOK, "argocd:guestbook"),
            row(APPS, "flux:apps"),
        ]
    );
    assert_eq!(model.selected, 3);

    // A stale answer is dropped.
    let generation = next_discovery(&mut model);
    assert!(update(&mut model, answer(generation - 1, Vec::new(), &[])).is_empty());
    assert_eq!(model.apps.len(), 5);
    assert!(model.discovery.pending.loading);

    // The selected app is gone: the selection stays in range, its history loads.
    let effects = update(&mut model, answer(generation, vec![kustomization("apps", false)], &[]));
    assert_eq!(model.selected, 2);
    assert_eq!(
        effects,
        vec![Effect::LoadHistory {
            generation: model.history.pending.generation,
            app: AppName::new(APPS),
        }]
    );
}

#[test]
fn what_discovery_cannot_read_is_said_once_and_kept() {
    let mut model = sample::model(2, 0);
    let generation = discovering(&init(&mut model)).unwrap();
    let apps = || vec![kustomization("apps", false)];
    update(&mut model, answer(generation, apps(), &[FORBIDDEN]));
    let problem = format!("ctx: {FORBIDDEN}");
    let said = format!("Argo CD/Flux discovery: {problem}");
    assert_eq!(model.status, Some((said, true)));
    assert_eq!(model.discovery.problems, [problem.clone()]);
    assert_eq!(rows(&model)[2], row(APPS, "flux:apps"));

    // Esc clears the line; the same problem again is not said again.
    update(&mut model, special(KeyCode::Esc));
    let generation = next_discovery(&mut model);
    update(&mut model, answer(generation, apps(), &[FORBIDDEN]));
    assert_eq!(model.status, None);
    assert_eq!(model.discovery.problems, [problem.clone()]);

    // A context that does not answer is a problem too, said though the first is
    // old news.
    let generation = next_discovery(&mut model);
    let Msg::Discovered { mut found, .. } = answer(generation, apps(), &[FORBIDDEN]) else {
        unreachable!()
    };
    let unreachable = "prod-eu: no answer within 20s";
    found.push(Found {
        own_context: Some("prod-eu".into()),
        result: Err(unreachable.into()),
    });
    update(&mut model, Msg::Discovered { generation, found });
    let said = format!("Argo CD/Flux discovery: {unreachable} (and 1 more)");
    assert_eq!(model.status, Some((said, true)));
    assert_eq!(model.discovery.problems, [problem, unreachable.to_owned()]);

    // All read: nothing kept.
    let generation = next_discovery(&mut model);
    update(&mut model, answer(generation, apps(), &[]));
    assert!(model.discovery.problems.is_empty());
}

#[test]
fn ticks_discover_every_few_seconds_but_not_while_one_is_out() {
    let mut model = sample::model(2, 0);
    let later = |seconds| {
        jiff::Timestamp::from_second(sample::now().as_second() + seconds).unwrap()
    };
    let effects = update(&mut model, Msg::Tick(later(0)));
    let generation = discovering(&effects).unwrap();
    let contexts = vec![None, Some("prod-eu".into())];
    assert!(effects.contains(&Effect::Discover { generation, contexts }));
    assert_eq!(discovering(&update(&mut model, Msg::Tick(later(DISCOVER_EVERY + 1)))), None);
    update(&mut model, answer(generation, Vec::new(), &[]));
    assert_eq!(model.discovery.at, Some(later(DISCOVER_EVERY + 1)));
    let tick = |model: &mut Model, s| discovering(&update(model, Msg::Tick(later(s))));
    assert_eq!(tick(&mut model, 2 * DISCOVER_EVERY), None);
    assert_eq!(tick(&mut model, 2 * DISCOVER_EVERY + 1), Some(generation + 1));
}

#[test]
fn action_keys_on_an_argo_cd_row_ask_its_engine() {
    let mut model = engine_model();
    select(&mut model, GUESTBOOK);
    let pruned = SyncAsk {
        prune: true,
        ..SyncAsk::default()
    };
    assert_eq!(ask_of(&mut model, 's'), Ask::Sync(SyncAsk::default()));
    assert_eq!(ask_of(&mut model, 'S'), Ask::Sync(pruned));
    assert_eq!(ask_of(&mut model, 'F'), Ask::Refresh { hard: false });
    assert_eq!(ask_of(&mut model, 'X'), Ask::Terminate);
    assert_eq!(ask_of(&mut model, 'p'), Ask::AutoSync { enable: false });
    assert_eq!(ask_of(&mut model, 'u'), Ask::Unpin);
    // A manual app: `p` turns auto-sync on.
    let generation = next_discovery(&mut model);
    update(&mut model, answer(generation, vec![application("guestbook", false)], &[]));
    assert_eq!(ask_of(&mut model, 'p'), Ask::AutoSync { enable: true });
}

#[test]
fn action_keys_on_a_flux_row_reconcile_and_suspend() {
    let mut model = engine_model();
    let reconcile = |with_source, resume| Ask::Reconcile {
        with_source,
        resume,
    };
    select(&mut model, APPS);
    assert_eq!(ask_of(&mut model, 's'), reconcile(false, false));
    assert_eq!(ask_of(&mut model, 'S'), reconcile(true, false));
    assert_eq!(ask_of(&mut model, 'F'), reconcile(true, false));
    assert_eq!(ask_of(&mut model, 'p'), Ask::Suspend(true));
    // Suspended: reconciling resumes first; `p` resumes.
    select(&mut model, PODINFO);
    assert_eq!(ask_of(&mut model, 's'), reconcile(false, true));
    assert_eq!(ask_of(&mut model, 'S'), reconcile(true, true));
    assert_eq!(ask_of(&mut model, 'p'), Ask::Suspend(false));
}

#[test]
fn the_form_plans_again_on_each_toggle_and_runs_with_the_reason() {
    let mut model = engine_model();
    select(&mut model, GUESTBOOK);
    update(&mut model, key('s'));
    // ctrl-o needs a resource selected on the app screen: nothing to toggle here.
    assert!(update(&mut model, ctrl('o')).is_empty());
    assert_eq!(form(&model).action, on(GUESTBOOK, Ask::Sync(SyncAsk::default()), None));
    assert_eq!(form(&model).reason.lines(), [""]);

    let pruned = SyncAsk {
        prune: true,
        ..SyncAsk::default()
    };
    let action = on(GUESTBOOK, Ask::Sync(pruned), None);
    assert_eq!(update(&mut model, ctrl('p')), vec![Effect::Plan { generation: 2, action }]);
    // The first plan, late, is dropped.
    let stale = Msg::Planned {
        generation: 1,
        result: Ok(vec!["stale".into()]),
    };
    update(&mut model, stale);
    assert!(form(&model).plan.is_empty() && form(&model).pending.loading);

    let both = SyncAsk {
        prune: true,
        dry_run: true,
        resources: Vec::new(),
    };
    let action = on(GUESTBOOK, Ask::Sync(both.clone()), None);
    assert_eq!(action.title(), "sync argocd/guestbook (prune, dry run)");
    assert_eq!(update(&mut model, ctrl('d')), vec![Effect::Plan { generation: 3, action }]);
    // Nothing runs while the plan is computed.
    assert!(update(&mut model, special(KeyCode::Enter)).is_empty());
    let plan = vec!["patch argoproj.io/Application/argocd/guestbook: operation.sync".to_owned()];
    update(&mut model, Msg::Planned { generation: 2, result: Ok(vec!["older".into()]) });
    update(&mut model, Msg::Planned { generation: 3, result: Ok(plan.clone()) });
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
    assert_eq!(update(&mut model, ctrl('o')), vec![Effect::Plan { generation: 2, action }]);
    let action = on(GUESTBOOK, Ask::Sync(SyncAsk::default()), None);
    assert_eq!(update(&mut model, ctrl('o')), vec![Effect::Plan { generation: 3, action }]);
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
    assert_eq!(update(&mut model, key('R')), vec![Effect::Plan { generation: 1, action }]);
    assert!(form(&model).reason_required);

    // The plan failed: Enter runs nothing, with a reason or without.
    let refused = "forbidden: cannot patch applications.argoproj.io guestbook";
    let failed = Msg::Planned { generation: 1, result: Err(refused.into()) };
    update(&mut model, failed);
    assert!(update(&mut model, special(KeyCode::Enter)).is_empty());
    assert_eq!(form(&model).error.as_deref(), Some(refused));
    typed(&mut model, "back to the last good image");
    assert!(update(&mut model, special(KeyCode::Enter)).is_empty());
    assert!(model.running.is_empty());
    update(&mut model, special(KeyCode::Esc));

    // Planned: Enter without a reason is refused, and says so.
    update(&mut model, key('R'));
    let plan = Msg::Planned { generation: 1, result: Ok(vec![format!("sync to {to}")]) };
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
    assert_eq!(model.running[0].title, "roll back argocd/guestbook to 0000003");
}

#[test]
fn read_only_refuses_every_engine_action_and_names_it() {
    let mut model = engine_model();
    model.read_only = true;
    let mut refused = |model: &mut Model, c: char, title: &str| {
        assert!(update(model, key(c)).is_empty(), "{c}");
        assert!(model.modal.is_none(), "{c}");
        let said = format!("read-only: {title} refused (driftdeck was started with --read-only)");
        assert_eq!(model.status, Some((said, true)));
    };
    select(&mut model, GUESTBOOK);
    refused(&mut model, 's', "sync argocd/guestbook");
    refused(&mut model, 'S', "sync argocd/guestbook (prune)");
    refused(&mut model, 'F', "refresh argocd/guestbook");
    refused(&mut model, 'X', "terminate the operation of argocd/guestbook");
    refused(&mut model, 'p', "turn auto-sync of argocd/guestbook off");
    model.history.commits = sample::history(4);
    update(&mut model, special(KeyCode::Tab));
    update(&mut model, key('j'));
    update(&mut model, key('j'));
    refused(&mut model, 'R', "roll back argocd/guestbook to 0000003");
    update(&mut model, special(KeyCode::Tab));
    select(&mut model, APPS);
    refused(&mut model, 's', "reconcile flux-system/apps");
    refused(&mut model, 'S', "reconcile flux-system/apps with its source");
    refused(&mut model, 'p', "suspend flux-system/apps");
    select(&mut model, PODINFO);
    refused(&mut model, 's', "resume and reconcile flux-system/podinfo");
    refused(&mut model, 'p', "resume flux-system/podinfo");
}

#[test]
fn workload_keys_on_engine_rows_and_engine_keys_on_native_rows_say_why_not() {
    let mut model = engine_model();
    let not_offered = |model: &mut Model, c: char, name: &str, engine: &str| {
        assert!(update(model, key(c)).is_empty(), "{c}");
        assert!(model.modal.is_none(), "{c}");
        let said = format!(
            "{name} is managed by {engine}: restart, scale and delete from its resources are \
             not offered for it yet"
        );
        assert_eq!(model.status, Some((said, true)));
    };
    select(&mut model, GUESTBOOK);
    update(&mut model, special(KeyCode::Enter));
    assert_eq!(model.screen(), Screen::App);
    for c in ['x', '+', '-'] {
        not_offered(&mut model, c, "guestbook", "Argo CD");
    }
    update(&mut model, special(KeyCode::Esc));
    select(&mut model, APPS);
    update(&mut model, special(KeyCode::Enter));
    not_offered(&mut model, 'x', "apps", "Flux");
    update(&mut model, special(KeyCode::Esc));

    select(&mut model, "app-000");
    for c in ['F', 'X'] {
        assert!(update(&mut model, key(c)).is_empty(), "{c}");
        assert!(model.modal.is_none());
        let said = "F and X act on Argo CD and Flux apps: select one (engine argocd or flux)";
        assert_eq!(model.status, Some((said.to_owned(), true)));
    }
}
