//! Every screen drawn from the sample model at 80×24 and 160×45, compared with
//! snapshots (`cargo insta review` after a deliberate change). The sample's clock is
//! fixed; commit ids and ages are filtered all the same, so a change of sample
//! data shows as a change of layout only.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use driftdeck::engine::support::AppPod;
use driftdeck::tui::model::Model;
use driftdeck::tui::sample;
use driftdeck::tui::update::{DiffRead, Effect, LogsRead, Msg, update};
use driftdeck::tui::views::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 45)];

fn draw(model: &Model, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| views::view(model, &Theme { colour: false }, frame))
        .unwrap();
    terminal.backend().to_string()
}

fn snapshot(name: &str, model: &Model) {
    for (width, height) in SIZES {
        let screen = draw(model, width, height);
        insta::with_settings!({
            filters => vec![
                (r"\b[0-9a-f]{7}\b", "[sha]"),
                (r"\b\d+[smhd]\b", "[age]"),
            ],
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(format!("{name}_{width}x{height}"), screen);
        });
    }
}

fn press(model: &mut Model, keys: &[KeyCode]) {
    for code in keys {
        update(model, Msg::Key(KeyEvent::new(*code, KeyModifiers::NONE)));
    }
}

fn model() -> Model {
    sample::model(6, 12)
}

#[test]
fn overview() {
    snapshot("overview", &model());
}

#[test]
fn overview_filtered() {
    let mut model = model();
    press(&mut model, &[KeyCode::Char('/'), KeyCode::Char('4')]);
    snapshot("overview_filtered", &model);
}

#[test]
fn app_unified_and_side_by_side() {
    let mut model = model();
    press(
        &mut model,
        &[KeyCode::Char('j'), KeyCode::Enter, KeyCode::Char('j')],
    );
    snapshot("app_unified", &model);
    press(&mut model, &[KeyCode::Char('t')]);
    snapshot("app_side_by_side", &model);
}

#[test]
fn diff_against_a_commit() {
    let mut model = model();
    press(
        &mut model,
        &[
            KeyCode::Tab,
            KeyCode::Char('j'),
            KeyCode::Char('j'),
            KeyCode::Enter,
        ],
    );
    let generation = model.diff.pending.generation;
    update(
        &mut model,
        Msg::Diff {
            generation,
            result: Ok(DiffRead {
                resources: sample::app(1).resources,
                notes: Vec::new(),
            }),
        },
    );
    snapshot("diff_commit", &model);
}

#[test]
fn logs_with_a_search() {
    let mut model = model();
    press(&mut model, &[KeyCode::Char('l')]);
    let generation = model.logs.pending.generation;
    let lines = (0..40)
        .map(|n| {
            if n % 7 == 0 {
                format!("2026-11-23T11:{n:02}:00Z ERROR payment {n} failed: timeout")
            } else {
                format!("2026-11-23T11:{n:02}:00Z INFO payment {n} accepted")
            }
        })
        .collect();
    update(
        &mut model,
        Msg::Logs {
            generation,
            result: Ok(LogsRead {
                pods: ["web-7d9f-abcde", "web-7d9f-fghij"]
                    .map(|name| AppPod {
                        namespace: "shop".into(),
                        name: name.into(),
                        containers: vec!["web".into()],
                    })
                    .into(),
                pod: Some("shop/web-7d9f-abcde".into()),
                lines,
            }),
        },
    );
    model.logs.search = Some("error".into());
    snapshot("logs", &model);
}

#[test]
fn repos() {
    let mut model = model();
    update(&mut model, Msg::Tick(sample::now()));
    press(&mut model, &[KeyCode::Char(':')]);
    for c in "repos".chars() {
        press(&mut model, &[KeyCode::Char(c)]);
    }
    press(&mut model, &[KeyCode::Enter]);
    let generation = model.repos.pending.generation;
    update(
        &mut model,
        Msg::Repos {
            generation,
            fetched: true,
            rows: sample::repos(),
        },
    );
    snapshot("repos", &model);
}

#[test]
fn activity() {
    let mut model = model();
    update(&mut model, Msg::Tick(sample::now()));
    press(&mut model, &[KeyCode::Char('a')]);
    let generation = model.activity.pending.generation;
    update(
        &mut model,
        Msg::Activity {
            generation,
            ledgers: sample::ledgers(),
        },
    );
    snapshot("activity", &model);
}

#[test]
fn events() {
    let mut model = model();
    press(&mut model, &[KeyCode::Char('e')]);
    let generation = model.events.pending.generation;
    update(
        &mut model,
        Msg::Events {
            generation,
            result: Ok(sample::events()),
        },
    );
    snapshot("events", &model);
}

#[test]
fn help() {
    let mut model = model();
    press(&mut model, &[KeyCode::Char('?')]);
    snapshot("help", &model);
}

#[test]
fn sync_confirmation() {
    let mut model = model();
    press(&mut model, &[KeyCode::Char('j'), KeyCode::Char('s')]);
    let Some(driftdeck::tui::model::Modal::Confirm(confirm)) = &model.modal else {
        panic!("no confirmation");
    };
    let generation = confirm.pending.generation;
    update(
        &mut model,
        Msg::Planned {
            generation,
            result: Ok(vec![
                "to 1111111 on context prod-eu, namespace shop".into(),
                "  update  apps/Deployment/shop/web".into(),
                "0 to create, 1 to update, 1 unchanged, 0 no longer in Git (use --prune to delete)"
                    .into(),
            ]),
        },
    );
    snapshot("sync_confirm", &model);
}

#[test]
fn rollback_form() {
    let mut model = model();
    press(
        &mut model,
        &[
            KeyCode::Tab,
            KeyCode::Char('j'),
            KeyCode::Char('j'),
            KeyCode::Char('R'),
        ],
    );
    let Some(driftdeck::tui::model::Modal::Rollback(form)) = &model.modal else {
        panic!("no form");
    };
    let generation = form.pending.generation;
    update(
        &mut model,
        Msg::Planned {
            generation,
            result: Ok(vec![
                "a commit on main (now 1111111) restoring apps/app-000 as of 3333333, then a sync"
                    .into(),
                "on context prod-eu, namespace shop".into(),
                "OutOfSync  apps/Deployment/shop/web".into(),
                "    -  replicas: 3".into(),
                "    +  replicas: 2".into(),
            ]),
        },
    );
    for c in "crash loop since 1.5".chars() {
        update(
            &mut model,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
    snapshot("rollback_form", &model);
}

#[test]
fn read_only_and_an_error_in_the_status_line() {
    let mut model = model();
    model.read_only = true;
    press(&mut model, &[KeyCode::Char('s')]);
    snapshot("read_only_refusal", &model);
}

/// The sample model with the sample Argo CD and Flux apps discovered, the Argo CD
/// app selected.
fn with_engine_apps() -> Model {
    use driftdeck::engine::external::Discovered;
    use driftdeck::tui::update::external::{Found, discover};
    let mut model = model();
    let Effect::Discover { generation, .. } = discover(&mut model) else {
        unreachable!()
    };
    update(
        &mut model,
        Msg::Discovered {
            generation,
            found: vec![Found {
                own_context: None,
                result: Ok((
                    "prod-eu".into(),
                    Discovered {
                        apps: sample::engine_apps(),
                        problems: Vec::new(),
                    },
                )),
            }],
        },
    );
    press(&mut model, &[KeyCode::Char('G'), KeyCode::Char('k')]);
    model
}

#[test]
fn engine_apps_in_the_table() {
    let model = with_engine_apps();
    assert_eq!(model.apps.len(), 8);
    assert_eq!(
        model.selected_app().map(|a| a.label()),
        Some("argocd:shop".into())
    );
    snapshot("engine_apps", &model);
}

#[test]
fn engine_apps_whose_context_is_out_of_reach() {
    use driftdeck::tui::update::external::{Found, discover};
    let mut model = with_engine_apps();
    let Effect::Discover { generation, .. } = discover(&mut model) else {
        unreachable!()
    };
    update(
        &mut model,
        Msg::Discovered {
            generation,
            found: vec![Found {
                own_context: None,
                result: Err("prod-eu: no answer within 20s".into()),
            }],
        },
    );
    snapshot("engine_apps_stale", &model);
}

#[test]
fn engine_app_screen() {
    let mut model = with_engine_apps();
    press(&mut model, &[KeyCode::Enter]);
    snapshot("engine_app", &model);
}

/// A Flux app whose source a driftdeck rollback pinned says so under the table
/// and on its app screen: by itself (`u` unpins), by an app still there (unpin
/// there), or by an app gone from the context (`u` unpins from here).
#[test]
fn a_pinned_source_says_who_pinned_it_and_where_to_unpin() {
    use driftdeck::tui::model::Seen;
    let pin = |model: &mut Model, by: &str| {
        for row in &mut model.apps {
            if let Seen::Engine(engine_app) = &mut row.seen
                && engine_app.app.name == "infra"
                && let Some(source) = &mut engine_app.app.source
            {
                source.pinned_by = Some(by.to_owned());
            }
        }
    };
    let mut model = with_engine_apps();
    let at = model
        .apps
        .iter()
        .position(|row| row.label() == "flux:infra")
        .unwrap();
    model.selected = at;
    pin(&mut model, "Kustomization/flux-system/infra");
    let screen = draw(&model, 160, 45);
    assert!(
        screen.contains(
            "GitRepository platform pinned by this app's rollback: u unpins and resumes it"
        ),
        "{screen}"
    );
    // (Only Flux apps pin; any app found in the context counts as there.)
    pin(&mut model, "Application/argocd/shop");
    let screen = draw(&model, 160, 45);
    assert!(
        screen.contains("pinned by the rollback of Application/argocd/shop: unpin it from there"),
        "{screen}"
    );
    pin(&mut model, "Kustomization/flux-system/shop");
    let screen = draw(&model, 160, 45);
    assert!(
        screen.contains(
            "pinned by the rollback of Kustomization/flux-system/shop, which is not among the apps found: u unpins it if it is gone"
        ),
        "{screen}"
    );
    press(&mut model, &[KeyCode::Enter]);
    let screen = draw(&model, 160, 45);
    assert!(
        screen.contains("pinned     GitRepository platform pinned by the rollback of"),
        "{screen}"
    );
}

#[test]
fn engine_action_form() {
    let mut model = with_engine_apps();
    press(&mut model, &[KeyCode::Char('j'), KeyCode::Char('s')]);
    let Some(driftdeck::tui::model::Modal::Engine(form)) = &model.modal else {
        panic!("no engine form");
    };
    let generation = form.pending.generation;
    let title = form.action.title();
    let driftdeck::tui::model::Action::Engine { ask, .. } = form.action.clone() else {
        panic!("not an engine action");
    };
    update(
        &mut model,
        Msg::EnginePlanned {
            generation,
            result: Ok(driftdeck::tui::model::EnginePlan { title, ask, lines: vec![
                "context prod-eu · namespace flux-system · Kustomization infra".into(),
                "protected by Kubernetes RBAC only (patch on the objects below); Argo CD's own RBAC is not consulted on this path".into(),
                "warning: flux-system/infra is suspended: it is resumed first".into(),
                "patch Kustomization flux-system/infra: annotate reconcile.fluxcd.io/requestedAt=2026-11-23T12:00:00Z, set spec.suspend=false".into(),
                "wait until Kustomization/infra has handled the request".into(),
            ]}),
        },
    );
    snapshot("engine_action_form", &model);
}

#[test]
fn engine_diff_with_notes() {
    let mut model = with_engine_apps();
    let effects = driftdeck::tui::update::update(&mut model, key_msg('d'));
    let Some(Effect::LoadEngineDiff { generation, .. }) = effects
        .iter()
        .find(|e| matches!(e, Effect::LoadEngineDiff { .. }))
    else {
        panic!("no engine diff asked: {effects:?}");
    };
    update(
        &mut model,
        Msg::Diff {
            generation: *generation,
            result: Ok(DiffRead {
                resources: sample::app(1).resources,
                notes: vec![
                    "spec.source.kustomize.version not applied: the build may differ from Argo CD's".into(),
                ],
            }),
        },
    );
    snapshot("engine_diff_notes", &model);
}

fn key_msg(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}
