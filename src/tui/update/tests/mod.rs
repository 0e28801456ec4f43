//! `update` driven by message sequences, as the runtime would send them.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::engine::support::AppPod;
use crate::model::SyncStatus;
use crate::tui::model::{Modal, Prompt};
use crate::tui::sample;

mod actions;
mod automation;
mod external;
mod sources;

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn special(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn typed(model: &mut Model, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(model, key(c))).collect()
}

fn history_generation(effects: &[Effect]) -> Option<u64> {
    effects.iter().find_map(|e| match e {
        Effect::LoadHistory { generation, .. } => Some(*generation),
        _ => None,
    })
}

#[test]
fn init_observes_everything_and_loads_the_first_history() {
    let mut model = sample::model(3, 0);
    let effects = init(&mut model);
    assert_eq!(
        effects,
        vec![
            Effect::Observe {
                generation: 1,
                hard: false
            },
            Effect::Discover {
                generation: 1,
                contexts: vec![None, Some("prod-eu".into())],
            },
            Effect::LoadHistory {
                generation: 1,
                app: AppName::new("app-000")
            },
        ]
    );
    assert!(model.observation.loading);
}

#[test]
fn moving_to_another_app_drops_the_answer_for_the_old_one() {
    let mut model = sample::model(3, 0);
    let first = history_generation(&init(&mut model)).unwrap();
    let second = history_generation(&update(&mut model, key('j'))).unwrap();
    assert_ne!(first, second);
    // The answer for app-000 arrives late: dropped.
    update(
        &mut model,
        Msg::History {
            generation: first,
            app: AppName::new("app-000"),
            result: Ok(sample::history(4)),
        },
    );
    assert!(model.history.commits.is_empty());
    assert!(model.history.pending.loading);
    update(
        &mut model,
        Msg::History {
            generation: second,
            app: AppName::new("app-001"),
            result: Ok(sample::history(5)),
        },
    );
    assert_eq!(model.history.commits.len(), 5);
    assert!(!model.history.pending.loading);
}

#[test]
fn a_stale_observation_is_dropped_and_a_change_during_one_waits() {
    let mut model = sample::model(2, 0);
    init(&mut model);
    let effects = update(&mut model, key('r'));
    assert!(matches!(
        effects[0],
        Effect::Observe {
            generation: 2,
            hard: false
        }
    ));
    // While an observation is out, a cluster change asks for nothing more.
    assert!(update(&mut model, Msg::ClusterChanged).is_empty());
    let stale = ObservedApp {
        name: AppName::new("app-000"),
        desired: Ok("abc".into()),
        status: Err("old".into()),
        resources: Vec::new(),
    };
    update(
        &mut model,
        Msg::Observed {
            generation: 1,
            apps: vec![stale],
        },
    );
    assert!(
        matches!(model.apps[0].seen, Seen::Status(_)),
        "stale answer dropped"
    );
    let fresh = ObservedApp {
        name: AppName::new("app-000"),
        desired: Ok("abc".into()),
        status: Err("unreachable: connection refused".into()),
        resources: Vec::new(),
    };
    let effects = update(
        &mut model,
        Msg::Observed {
            generation: 2,
            apps: vec![fresh],
        },
    );
    assert!(matches!(&model.apps[0].seen, Seen::Error(e) if e.contains("refused")));
    assert!(
        history_generation(&effects).is_some(),
        "markers follow the ledger"
    );
    assert!(!update(&mut model, Msg::ClusterChanged).is_empty());
}

#[test]
fn enter_opens_the_app_and_escape_comes_back() {
    let mut model = sample::model(2, 3);
    update(&mut model, special(KeyCode::Enter));
    assert_eq!(model.screen(), Screen::App);
    update(&mut model, key('j'));
    assert_eq!(model.app_view.selected, 1);
    assert_eq!(model.selected_resource().unwrap().kind, "Deployment");
    update(&mut model, key('t'));
    assert!(model.app_view.side_by_side);
    update(&mut model, special(KeyCode::Esc));
    assert_eq!(model.screen(), Screen::Overview);
}

#[test]
fn a_commit_in_the_history_opens_its_diff_and_a_stale_diff_is_dropped() {
    let mut model = sample::model(2, 4);
    update(&mut model, special(KeyCode::Tab));
    update(&mut model, key('j'));
    let effects = update(&mut model, special(KeyCode::Enter));
    let Effect::LoadDiff {
        generation,
        against,
        ..
    } = &effects[0]
    else {
        panic!("{effects:?}");
    };
    assert_eq!(against, sample::commit_id(2).as_str());
    assert_eq!(model.screen(), Screen::Diff);
    update(
        &mut model,
        Msg::Diff {
            generation: generation - 1,
            result: Err("old".into()),
        },
    );
    assert!(model.diff.error.is_none());
    update(
        &mut model,
        Msg::Diff {
            generation: *generation,
            result: Ok(DiffRead {
                resources: sample::app(1).resources,
                notes: vec!["spec.patches not applied".into()],
            }),
        },
    );
    assert_eq!(model.diff.resources.len(), 2);
    assert_eq!(model.diff.notes, ["spec.patches not applied"]);
}

#[test]
fn the_filter_narrows_the_apps_and_escape_clears_it() {
    let mut model = sample::model(12, 0);
    update(&mut model, key('/'));
    typed(&mut model, "a11");
    assert_eq!(model.filter, "a11");
    assert_eq!(model.visible(), vec![11]);
    assert_eq!(model.selected, 11, "the selection follows the filter");
    update(&mut model, special(KeyCode::Enter));
    assert!(model.modal.is_none());
    update(&mut model, special(KeyCode::Esc));
    assert!(model.filter.is_empty());
    assert_eq!(model.visible().len(), 12);
}

fn command(model: &mut Model, line: &str) -> Vec<Effect> {
    update(model, key(':'));
    typed(model, line);
    update(model, special(KeyCode::Enter))
}

#[test]
fn ctx_sends_every_app_to_a_known_context_and_back() {
    let mut model = sample::model(3, 0);
    model.kube = crate::tui::model::KubeContexts {
        known: vec!["prod-eu".into(), "staging".into()],
        current: Some("staging".into()),
        chosen: None,
    };
    model.apps[2].own_context = None;
    model.name_contexts();
    assert_eq!(model.contexts, "prod-eu, staging");

    // Listed, the current one marked.
    assert!(command(&mut model, "ctx").is_empty());
    let (message, failed) = model.status.clone().unwrap();
    assert!(!failed && message.contains("prod-eu *staging"), "{message}");

    // An unknown name changes nothing and says which exist.
    assert!(command(&mut model, "ctx nowhere").is_empty());
    let (message, failed) = model.status.clone().unwrap();
    assert!(
        failed && message.contains("known: prod-eu, staging"),
        "{message}"
    );
    assert_eq!(model.kube.chosen, None);

    update(&mut model, special(KeyCode::Enter));
    assert_eq!(model.screen(), Screen::App);
    let effects = command(&mut model, "ctx staging");
    assert_eq!(effects[0], Effect::UseContext(Some("staging".into())));
    assert!(matches!(effects[1], Effect::Observe { hard: true, .. }));
    assert!(history_generation(&effects).is_some());
    assert_eq!(model.screen(), Screen::Overview);
    assert!(model.apps.iter().all(|a| a.context == "staging"));
    assert!(model.apps.iter().all(|a| matches!(a.seen, Seen::Loading)));
    assert_eq!(model.contexts, "staging");

    let effects = command(&mut model, "ctx -");
    assert_eq!(effects[0], Effect::UseContext(None));
    assert_eq!(model.apps[0].context, "prod-eu");
    assert_eq!(model.apps[2].context, "staging");
}

fn activity_generation(effects: &[Effect]) -> Option<u64> {
    effects.iter().find_map(|e| match e {
        Effect::LoadActivity { generation, .. } => Some(*generation),
        _ => None,
    })
}

#[test]
fn activity_reads_every_ledger_and_keeps_only_the_latest_answer() {
    let mut model = sample::model(4, 0);
    let first = activity_generation(&update(&mut model, key('a'))).unwrap();
    assert_eq!(model.screen(), Screen::Activity);
    assert!(model.activity.pending.loading);
    // `r` reads again; the first answer, late, is dropped.
    let second = activity_generation(&update(&mut model, key('r'))).unwrap();
    assert_ne!(first, second);
    let stale = sample::ledgers()[..1].to_vec();
    update(
        &mut model,
        Msg::Activity {
            generation: first,
            ledgers: stale,
        },
    );
    assert!(model.activity.ledgers.is_empty());
    update(&mut model, Msg::Tick(sample::now()));
    update(
        &mut model,
        Msg::Activity {
            generation: second,
            ledgers: sample::ledgers(),
        },
    );
    assert_eq!(model.activity.ledgers.len(), 4);
    assert_eq!(model.activity.read_at, Some(sample::now()));
    update(&mut model, key('G'));
    assert_eq!(model.activity.selected, 3);
    // Back, and again by command.
    update(&mut model, special(KeyCode::Esc));
    assert_eq!(model.screen(), Screen::Overview);
    assert!(activity_generation(&command(&mut model, "activity")).is_some());
    assert_eq!(model.screen(), Screen::Activity);
}

#[test]
fn command_mode_runs_known_commands_and_names_unknown_ones() {
    let mut model = sample::model(3, 0);
    update(&mut model, key(':'));
    typed(&mut model, "app app-002");
    update(&mut model, special(KeyCode::Enter));
    assert_eq!(model.screen(), Screen::App);
    assert_eq!(model.selected_app().unwrap().name.as_str(), "app-002");
    update(&mut model, key(':'));
    typed(&mut model, "nonsense");
    update(&mut model, special(KeyCode::Enter));
    let (message, failed) = model.status.clone().unwrap();
    assert!(failed && message.contains(":apps"), "{message}");
    update(&mut model, key(':'));
    typed(&mut model, "q");
    assert_eq!(
        update(&mut model, special(KeyCode::Enter)),
        vec![Effect::Quit]
    );
}

#[test]
fn logs_stream_while_following_and_search_counts_matches() {
    let mut model = sample::model(1, 0);
    let effects = update(&mut model, key('l'));
    let Some(Effect::LoadLogs {
        generation, wanted, ..
    }) = effects.first()
    else {
        panic!("{effects:?}");
    };
    assert_eq!(wanted.tail, keys::DEFAULT_TAIL);
    assert!(wanted.follow, "logs open following: a stream, not re-reads");
    let generation = *generation;
    // Ticks read nothing again: new lines come on the stream.
    let effects = update(&mut model, Msg::Tick(sample::now()));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::LoadLogs { .. })),
        "{effects:?}"
    );
    update(
        &mut model,
        Msg::Logs {
            generation,
            result: Ok(LogsRead {
                pods: vec![AppPod {
                    namespace: "shop".into(),
                    name: "web-1".into(),
                    containers: vec!["web".into(), "sidecar".into()],
                }],
                pod: Some("shop/web-1".into()),
                lines: vec!["ok".into()],
            }),
        },
    );
    let more = |lines: &[&str], end: Option<&str>| Msg::LogLines {
        generation,
        lines: lines.iter().map(|l| l.to_string()).collect(),
        end: end.map(str::to_owned),
    };
    update(&mut model, more(&["ERROR boom"], None));
    update(&mut model, more(&["error again"], None));
    assert_eq!(model.logs.lines, ["ok", "ERROR boom", "error again"]);
    // A reader scrolled up keeps the same lines in view as more arrive, and the
    // stream stays open.
    update(&mut model, key('k'));
    assert_eq!(model.logs.scroll, 1);
    update(&mut model, more(&["later"], None));
    assert_eq!(model.logs.scroll, 2);
    assert!(model.logs.follow);
    update(&mut model, key('G'));
    assert_eq!(model.logs.scroll, 0);
    // Lines of an older stream are dropped.
    update(
        &mut model,
        Msg::LogLines {
            generation: generation - 1,
            lines: vec!["stale".into()],
            end: None,
        },
    );
    assert_eq!(model.logs.lines.len(), 4);
    // The stream ends: following stops and says why; f starts it again.
    update(
        &mut model,
        more(&[], Some("the log ended: the container stopped")),
    );
    assert!(!model.logs.follow);
    assert!(
        model
            .status
            .clone()
            .unwrap()
            .0
            .contains("container stopped")
    );
    let effects = update(&mut model, key('f'));
    assert!(matches!(
        effects.first(),
        Some(Effect::LoadLogs { wanted, .. }) if wanted.follow
    ));
    // Off again: nothing to read (the runtime closes the stream).
    assert!(update(&mut model, key('f')).is_empty());
    update(&mut model, key('f'));
    model.logs.lines = vec!["ok".into(), "ERROR boom".into(), "error again".into()];
    let effects = update(&mut model, key('c'));
    let Some(Effect::LoadLogs { wanted, .. }) = effects.first() else {
        panic!("{effects:?}");
    };
    assert_eq!(wanted.container.as_deref(), Some("sidecar"));
    update(&mut model, key('/'));
    assert!(matches!(
        model.modal,
        Some(Modal::Input {
            prompt: Prompt::Search,
            ..
        })
    ));
    // The lines of the old container were cleared; give them back.
    model.logs.lines = vec!["ok".into(), "ERROR boom".into(), "error again".into()];
    typed(&mut model, "error");
    update(&mut model, special(KeyCode::Enter));
    assert_eq!(model.logs.search.as_deref(), Some("error"));
    assert_eq!(model.status.as_ref().unwrap().0, "2 lines match \"error\"");
}

#[test]
fn help_takes_the_keys_until_closed_and_ctrl_c_always_quits() {
    let mut model = sample::model(2, 0);
    update(&mut model, key('?'));
    assert!(update(&mut model, key('s')).is_empty());
    assert!(matches!(model.modal, Some(Modal::Help)));
    update(&mut model, special(KeyCode::Esc));
    assert!(model.modal.is_none());
    update(&mut model, key('s'));
    let ctrl_c = Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(update(&mut model, ctrl_c), vec![Effect::Quit]);
}

fn click(column: u16, row: u16, (width, height): (u16, u16)) -> Msg {
    Msg::Click {
        column,
        row,
        width,
        height,
    }
}

#[test]
fn a_click_selects_the_app_or_commit_under_it_at_any_scroll() {
    let mut model = sample::model(40, 30);
    // 80×24: header line, then the apps pane's border and column header; app rows
    // from line 3. The history pane starts at column 45.
    let effects = update(&mut model, click(3, 5, (80, 24)));
    assert_eq!(model.selected, 2);
    assert_eq!(model.focus, Pane::Apps);
    assert!(history_generation(&effects).is_some(), "{effects:?}");
    // The new app's history is in.
    model.history.commits = sample::history(30);
    update(&mut model, click(50, 4, (80, 24)));
    assert_eq!((model.focus, model.history.selected), (Pane::History, 2));
    // Scrolled down: the apps table shows 16 apps, 21..=36, app 36 last; the
    // click agrees with what is drawn.
    model.focus = Pane::Apps;
    model.selected = 36;
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    let theme = crate::tui::views::Theme { colour: false };
    terminal
        .draw(|frame| crate::tui::views::view(&model, &theme, frame))
        .unwrap();
    let line: String = (0..12)
        .map(|x| terminal.backend().buffer()[(x, 3)].symbol().to_owned())
        .collect();
    assert_eq!(line, "│app-021    ");
    update(&mut model, click(3, 3, (80, 24)));
    assert_eq!(model.selected, 21);
    // Borders, the column header and empty lines select nothing.
    let before = model.selected;
    assert!(update(&mut model, click(0, 1, (80, 24))).is_empty());
    assert!(update(&mut model, click(3, 2, (80, 24))).is_empty());
    // The bottom border (line 19 at 80×24) is not the next app, off screen.
    assert!(update(&mut model, click(3, 19, (80, 24))).is_empty());
    assert_eq!(model.selected, before);
    // Wider screens lay out differently; the same rule holds.
    update(&mut model, click(3, 3, (160, 45)));
    assert_eq!(model.selected, 0);
}
