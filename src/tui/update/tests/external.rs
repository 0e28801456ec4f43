//! Argo CD and Flux apps in the cockpit: discovery's answers as rows, and the
//! action keys on them as engine actions through the engine form.

use serde_json::json;

use super::*;
use crate::engine::external::Discovered;
use crate::integrations::actions::{Ask, SyncAsk};
use crate::integrations::{ExternalApp, argocd, flux};
use crate::model::ResourceKey;
use crate::tui::model::{AppRow, EngineForm, EnginePlan, Stale};
use crate::tui::update::external::{DISCOVER_EVERY, Found, discover};

mod form;
mod support;

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
    model.selected = model
        .apps
        .iter()
        .position(|r| r.name.as_str() == name)
        .unwrap();
}

fn form(model: &Model) -> &EngineForm {
    match &model.modal {
        Some(Modal::Engine(form)) => form,
        other => panic!("{other:?}"),
    }
}

/// The engine form's plan answered, for the ask the form holds.
fn engine_planned(model: &Model, generation: u64, result: Result<Vec<String>, String>) -> Msg {
    let Action::Engine { ask, .. } = &form(model).action else {
        panic!("not an engine action")
    };
    Msg::EnginePlanned {
        generation,
        result: result.map(|lines| EnginePlan {
            title: format!("planned: {}", form(model).action.title()),
            lines,
            ask: ask.clone(),
        }),
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
    let [
        Effect::Plan {
            generation: 1,
            action,
        },
    ] = effects.as_slice()
    else {
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
    assert_eq!(
        (guestbook.path.as_str(), guestbook.namespace.as_str()),
        ("guestbook", "argocd")
    );
    assert_eq!(
        (guestbook.context.as_str(), guestbook.own_context.as_deref()),
        ("ctx", None)
    );
    assert_eq!(guestbook.desired, Ok(REV.to_owned()));
    assert_eq!(
        model.apps[3].repo,
        "https://git.example.com/platform/fleet.git"
    );
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

    // The selected app deployed since: its history pane is read again, markers
    // and all.
    let generation = next_discovery(&mut model);
    let mut deployed = application("guestbook", true);
    deployed.live_revision = Some(NEW.to_owned());
    let effects = update(
        &mut model,
        answer(
            generation,
            vec![
                application("billing", false),
                deployed.clone(),
                kustomization("apps", false),
            ],
            &[],
        ),
    );
    assert_eq!(
        effects,
        vec![Effect::LoadEngineHistory {
            generation: model.history.pending.generation,
            app: AppName::new(GUESTBOOK),
            context: None,
            engine_app: Box::new(deployed),
        }]
    );

    // A stale answer is dropped.
    let generation = next_discovery(&mut model);
    assert!(update(&mut model, answer(generation - 1, Vec::new(), &[])).is_empty());
    assert_eq!(model.apps.len(), 5);
    assert!(model.discovery.pending.loading);

    // The selected app is gone: the selection stays in range, its history loads.
    let effects = update(
        &mut model,
        answer(generation, vec![kustomization("apps", false)], &[]),
    );
    assert_eq!(model.selected, 2);
    assert_eq!(
        effects,
        vec![Effect::LoadEngineHistory {
            generation: model.history.pending.generation,
            app: AppName::new(APPS),
            context: None,
            engine_app: Box::new(kustomization("apps", false)),
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
    assert_eq!(model.discovery.problems, std::slice::from_ref(&problem));
    assert_eq!(rows(&model)[2], row(APPS, "flux:apps"));

    // Esc clears the line; the same problem again is not said again.
    update(&mut model, special(KeyCode::Esc));
    let generation = next_discovery(&mut model);
    update(&mut model, answer(generation, apps(), &[FORBIDDEN]));
    assert_eq!(model.status, None);
    assert_eq!(model.discovery.problems, std::slice::from_ref(&problem));

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

    // The context of flux:apps does not answer this round: its row stays as last
    // seen, marked with when that was and why; a second silent round keeps when.
    let last_seen = model.discovery.at;
    let stale = |model: &Model| model.apps[2].engine_app().unwrap().stale.clone();
    assert_eq!(stale(&model), None);
    for round in 1..=2 {
        let generation = next_discovery(&mut model);
        model.now =
            Some(jiff::Timestamp::from_second(sample::now().as_second() + round * 10).unwrap());
        let found = vec![Found {
            own_context: None,
            result: Err(format!("ctx: no answer within 20s ({round})")),
        }];
        update(&mut model, Msg::Discovered { generation, found });
        assert_eq!(rows(&model)[2], row(APPS, "flux:apps"));
        assert_eq!(
            stale(&model),
            Some(Stale {
                seen_at: last_seen,
                error: format!("ctx: no answer within 20s ({round})"),
            })
        );
    }
    // The next answer replaces it.
    let generation = next_discovery(&mut model);
    update(&mut model, answer(generation, Vec::new(), &[]));
    assert_eq!(model.apps.len(), 2);

    // All read: nothing kept.
    let generation = next_discovery(&mut model);
    update(&mut model, answer(generation, apps(), &[]));
    assert!(model.discovery.problems.is_empty());
}

#[test]
fn ticks_discover_every_few_seconds_but_not_while_one_is_out() {
    let mut model = sample::model(2, 0);
    let later =
        |seconds| jiff::Timestamp::from_second(sample::now().as_second() + seconds).unwrap();
    let effects = update(&mut model, Msg::Tick(later(0)));
    let generation = discovering(&effects).unwrap();
    let contexts = vec![None, Some("prod-eu".into())];
    assert!(effects.contains(&Effect::Discover {
        generation,
        contexts
    }));
    assert_eq!(
        discovering(&update(&mut model, Msg::Tick(later(DISCOVER_EVERY + 1)))),
        None
    );
    update(&mut model, answer(generation, Vec::new(), &[]));
    assert_eq!(model.discovery.at, Some(later(DISCOVER_EVERY + 1)));
    let tick = |model: &mut Model, s| discovering(&update(model, Msg::Tick(later(s))));
    assert_eq!(tick(&mut model, 2 * DISCOVER_EVERY), None);
    assert_eq!(
        tick(&mut model, 2 * DISCOVER_EVERY + 1),
        Some(generation + 1)
    );
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
    update(
        &mut model,
        answer(generation, vec![application("guestbook", false)], &[]),
    );
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
fn refresh_on_an_engine_apps_diff_renders_and_compares_again() {
    let mut model = engine_model();
    select(&mut model, APPS);
    let load = |effects: &[Effect]| {
        effects.iter().find_map(|e| match e {
            Effect::LoadEngineDiff {
                generation,
                against,
                ..
            } => Some((*generation, against.clone())),
            _ => None,
        })
    };
    let (first, against) = load(&update(&mut model, key('d'))).expect("d loads the diff");
    assert_eq!(against, None);
    let (again, against) = load(&update(&mut model, key('r'))).expect("r loads it again");
    assert_eq!(against, None);
    assert!(again > first);
}

#[test]
fn the_activity_screen_reads_the_engine_apps_ledgers_too() {
    let mut model = engine_model();
    let effects = keys::open_activity(&mut model);
    let [Effect::LoadActivity { engine_apps, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let asked: Vec<(&str, String, Option<&str>)> = engine_apps
        .iter()
        .map(|(row, managed)| (row.as_str(), managed.label(), managed.context.as_deref()))
        .collect();
    assert_eq!(
        asked,
        [
            (GUESTBOOK, "argocd:guestbook".to_owned(), None),
            (APPS, "flux:apps".to_owned(), None),
            (PODINFO, "flux:podinfo".to_owned(), None),
        ]
    );
}
