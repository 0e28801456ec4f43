//! `update` driven by message sequences, as the runtime would send them.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::model::SyncStatus;
use crate::tui::model::{Modal, Prompt};
use crate::tui::sample;

mod automation;
mod external;

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
            result: Ok(sample::app(1).resources),
        },
    );
    assert_eq!(model.diff.resources.len(), 2);
}

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
            replicas: 4
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
        Effect::LoadActivity { generation } => Some(*generation),
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
                pods: vec![("web-1".into(), vec!["web".into(), "sidecar".into()])],
                pod: Some("web-1".into()),
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

fn at(seconds: i64) -> Msg {
    Msg::Tick(jiff::Timestamp::from_second(sample::now().as_second() + seconds).unwrap())
}

fn repos_read(effects: &[Effect]) -> Option<(u64, bool)> {
    effects.iter().find_map(|e| match e {
        Effect::ReadRepos { generation, fetch } => Some((*generation, *fetch)),
        _ => None,
    })
}

#[test]
fn sources_are_polled_and_a_moved_branch_re_observes() {
    let mut model = sample::model(2, 3);
    // The first tick reads (and fetches) the sources; none again while it is out.
    let (generation, fetch) = repos_read(&update(&mut model, at(0))).unwrap();
    assert!(fetch);
    assert!(repos_read(&update(&mut model, at(6))).is_none());
    let rows = sample::repos();
    update(
        &mut model,
        Msg::Repos {
            generation,
            fetched: true,
            rows: rows.clone(),
        },
    );
    assert!(model.status.is_none(), "the first read is no news");
    // Read again after five seconds; fetched again only after a minute.
    assert!(repos_read(&update(&mut model, at(9))).is_none());
    let (generation, fetch) = repos_read(&update(&mut model, at(11))).unwrap();
    assert!(!fetch);
    // The same heads: nothing to do.
    let effects = update(
        &mut model,
        Msg::Repos {
            generation,
            fetched: false,
            rows: rows.clone(),
        },
    );
    assert!(effects.is_empty());
    // A new commit on shop-gitops: every app observed again, and said.
    let (generation, _) = repos_read(&update(&mut model, at(16))).unwrap();
    let mut moved = rows.clone();
    if let Ok(head) = &mut moved[0].head {
        head.id = sample::commit_id(99);
        head.subject = "web: \u{1b}[2Jscale to 4".into();
    }
    let effects = update(
        &mut model,
        Msg::Repos {
            generation,
            fetched: false,
            rows: moved,
        },
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Observe { hard: false, .. })),
        "{effects:?}"
    );
    let (message, failed) = model.status.clone().unwrap();
    assert!(
        message.starts_with("new in Git — shop-gitops: 0000063"),
        "{message}"
    );
    assert!(!failed);
    // A stale answer is dropped.
    let stale = Msg::Repos {
        generation: generation - 1,
        fetched: false,
        rows: Vec::new(),
    };
    update(&mut model, stale);
    assert_eq!(model.repos.rows.len(), 3);
    // A minute after the last fetch came in (at 6 s), the read fetches.
    let (_, fetch) = repos_read(&update(&mut model, at(70))).unwrap();
    assert!(fetch);
}

#[test]
fn hard_refresh_fetches_the_sources_and_repos_opens_by_command() {
    let mut model = sample::model(2, 3);
    let ctrl_r = Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL));
    let effects = update(&mut model, ctrl_r);
    assert_eq!(repos_read(&effects).map(|r| r.1), Some(true), "{effects:?}");
    update(&mut model, key(':'));
    typed(&mut model, "repos");
    update(&mut model, special(KeyCode::Enter));
    assert_eq!(model.screen(), Screen::Repos);
    update(&mut model, special(KeyCode::Esc));
    assert_eq!(model.screen(), Screen::Overview);
}

#[test]
fn a_branch_moving_during_an_observation_observes_again_once_it_is_in() {
    let mut model = sample::model(2, 3);
    let (generation, _) = repos_read(&update(&mut model, at(0))).unwrap();
    let rows = sample::repos();
    update(
        &mut model,
        Msg::Repos {
            generation,
            fetched: true,
            rows: rows.clone(),
        },
    );
    let observing = model.observation.start();
    let (generation, _) = repos_read(&update(&mut model, at(5))).unwrap();
    let mut moved = rows;
    if let Ok(head) = &mut moved[0].head {
        head.id = sample::commit_id(98);
    }
    let effects = update(
        &mut model,
        Msg::Repos {
            generation,
            fetched: false,
            rows: moved,
        },
    );
    assert!(
        effects.is_empty(),
        "the observation out is not restarted: {effects:?}"
    );
    let effects = update(
        &mut model,
        Msg::Observed {
            generation: observing,
            apps: Vec::new(),
        },
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Observe { hard: false, .. })),
        "{effects:?}"
    );
}
