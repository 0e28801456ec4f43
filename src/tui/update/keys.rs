//! Keys and commands: a modal takes keys first (the help, a confirmation, the
//! rollback form with its text area, a prompt line); otherwise the keymap turns the
//! key into a command for the current screen.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{
    Effect, actions, close_modal, load_activity, load_events, load_history, load_logs,
    modal_is_help, observe, on_history, read_repos, say,
};
use crate::tui::keymap::Command;
use crate::tui::model::{
    AppRow, AppView, DiffView, EventsView, LogsView, Managed, Modal, Model, Pane, Prompt, Screen,
};

/// How many rows PageUp/PageDown move.
const PAGE: usize = 10;
/// How many log lines are read at first.
pub const DEFAULT_TAIL: i64 = 500;

pub fn on_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl_c {
        return quit(model);
    }
    match model.modal.take() {
        None => match model.keymap.command_for(&key, model.screen()) {
            Some(command) => on_command(model, command),
            None => Vec::new(),
        },
        Some(Modal::Help) => {
            match model.keymap.command_for(&key, model.screen()) {
                Some(Command::Help | Command::Back) => {}
                Some(Command::Quit) => return quit(model),
                _ => model.modal = Some(Modal::Help),
            }
            Vec::new()
        }
        Some(Modal::Confirm(confirm)) => actions::on_confirm_key(model, confirm, key),
        Some(Modal::Rollback(form)) => actions::on_rollback_key(model, form, key),
        Some(Modal::Engine(form)) => super::external::on_form_key(model, form, key),
        Some(Modal::Input { prompt, text }) => on_prompt_key(model, prompt, text, key),
    }
}

pub(super) fn quit(model: &mut Model) -> Vec<Effect> {
    model.quit = true;
    vec![Effect::Quit]
}

pub fn on_command(model: &mut Model, command: Command) -> Vec<Effect> {
    if modal_is_help(model) {
        if matches!(command, Command::Help | Command::Back) {
            close_modal(model);
        }
        return Vec::new();
    }
    match command {
        Command::Quit => quit(model),
        Command::Help => {
            model.modal = Some(Modal::Help);
            Vec::new()
        }
        Command::Back => back(model),
        Command::SwitchPane => {
            model.focus = match model.focus {
                Pane::Apps => Pane::History,
                Pane::History => Pane::Apps,
            };
            Vec::new()
        }
        Command::Refresh | Command::HardRefresh => refresh(model, command == Command::HardRefresh),
        Command::Up
        | Command::Down
        | Command::Top
        | Command::Bottom
        | Command::PageUp
        | Command::PageDown => navigate(model, command),
        Command::Open => {
            if on_history(model) {
                open_diff(model)
            } else {
                open_app(model)
            }
        }
        Command::Diff => open_diff(model),
        Command::Logs => open_logs(model),
        Command::Events => open_events(model),
        Command::Activity => open_activity(model),
        Command::SideBySide => {
            model.app_view.side_by_side = !model.app_view.side_by_side;
            Vec::new()
        }
        Command::Follow => {
            // On: the tail read again and kept open for new lines. Off: the runtime
            // closes the stream; the lines stay.
            model.logs.follow = !model.logs.follow;
            model.logs.scroll = 0;
            if model.logs.follow {
                load_logs(model).into_iter().collect()
            } else {
                Vec::new()
            }
        }
        Command::Previous => {
            model.logs.previous = !model.logs.previous;
            load_logs(model).into_iter().collect()
        }
        Command::Wrap => {
            model.logs.wrap = !model.logs.wrap;
            Vec::new()
        }
        Command::Timestamps => {
            model.logs.timestamps = !model.logs.timestamps;
            load_logs(model).into_iter().collect()
        }
        Command::NextPod => {
            if !model.logs.pods.is_empty() {
                model.logs.pod = (model.logs.pod + 1) % model.logs.pods.len();
                model.logs.container = 0;
                model.logs.lines.clear();
            }
            load_logs(model).into_iter().collect()
        }
        Command::NextContainer => {
            let count = model
                .logs
                .pods
                .get(model.logs.pod)
                .map_or(0, |p| p.containers.len());
            if count > 0 {
                model.logs.container = (model.logs.container + 1) % count;
                model.logs.lines.clear();
            }
            load_logs(model).into_iter().collect()
        }
        Command::MoreLines | Command::FewerLines => {
            model.logs.tail = if command == Command::MoreLines {
                (model.logs.tail * 2).min(100_000)
            } else {
                (model.logs.tail / 2).max(10)
            };
            say(
                model,
                format!("reading the last {} lines", model.logs.tail),
                false,
            );
            load_logs(model).into_iter().collect()
        }
        Command::Filter => {
            let (prompt, text) = if model.screen() == Screen::Logs {
                (
                    Prompt::Search,
                    model.logs.search.clone().unwrap_or_default(),
                )
            } else {
                (Prompt::Filter, model.filter.clone())
            };
            model.modal = Some(Modal::Input { prompt, text });
            Vec::new()
        }
        Command::CommandMode => {
            model.modal = Some(Modal::Input {
                prompt: Prompt::Command,
                text: String::new(),
            });
            Vec::new()
        }
        Command::Sync
        | Command::SyncPrune
        | Command::Rollback
        | Command::Unpin
        | Command::Restart
        | Command::ScaleUp
        | Command::ScaleDown
        | Command::DeletePod
        | Command::Automation
        | Command::EngineRefresh
        | Command::Terminate => {
            let on_engine_app = model
                .selected_app()
                .is_some_and(|row| row.engine_app().is_some());
            let on_workload = matches!(
                command,
                Command::Restart | Command::ScaleUp | Command::ScaleDown | Command::DeletePod
            );
            if on_engine_app && !on_workload {
                super::external::on_command(model, command)
            } else if matches!(command, Command::EngineRefresh | Command::Terminate) {
                say(
                    model,
                    "F and X act on Argo CD and Flux apps: select one (engine argocd or flux)",
                    true,
                );
                Vec::new()
            } else {
                actions::on_action_command(model, command)
            }
        }
    }
}

fn back(model: &mut Model) -> Vec<Effect> {
    model.status = None;
    if model.screens.pop().is_none() && !model.filter.is_empty() {
        model.filter.clear();
        return keep_selection_visible(model);
    }
    Vec::new()
}

fn refresh(model: &mut Model, hard: bool) -> Vec<Effect> {
    say(
        model,
        if hard {
            "hard refresh: new sessions (discovery, watches), repositories fetched…"
        } else {
            "refreshing…"
        },
        false,
    );
    let mut effects = vec![observe(model, hard), super::external::discover(model)];
    if hard || model.screen() == Screen::Repos {
        effects.push(read_repos(model, hard));
    }
    match model.screen() {
        Screen::Events => effects.extend(load_events(model)),
        Screen::App => effects.extend(super::external::assess(model)),
        Screen::Activity => effects.push(load_activity(model)),
        Screen::Diff => effects.extend(load_diff(model)),
        _ => {}
    }
    effects
}

fn navigate(model: &mut Model, command: Command) -> Vec<Effect> {
    match model.screen() {
        Screen::Overview => match model.focus {
            Pane::Apps => {
                let visible = model.visible();
                let at = visible
                    .iter()
                    .position(|&i| i == model.selected)
                    .unwrap_or(0);
                let Some(&next) = visible.get(moved(at, visible.len(), command)) else {
                    return Vec::new();
                };
                if next == model.selected {
                    return Vec::new();
                }
                model.selected = next;
                model.app_view = AppView::default();
                load_history(model).into_iter().collect()
            }
            Pane::History => {
                model.history.selected =
                    moved(model.history.selected, model.history.commits.len(), command);
                Vec::new()
            }
        },
        Screen::App => {
            let count = model.selected_app().map_or(0, AppRow::resource_count);
            match command {
                Command::PageUp => {
                    model.app_view.scroll = model.app_view.scroll.saturating_sub(PAGE as u16)
                }
                Command::PageDown => {
                    model.app_view.scroll = model.app_view.scroll.saturating_add(PAGE as u16)
                }
                _ => {
                    model.app_view.selected = moved(model.app_view.selected, count, command);
                    model.app_view.scroll = 0;
                }
            }
            Vec::new()
        }
        Screen::Diff => {
            model.diff.scroll =
                scrolled(model.diff.scroll as usize, command, usize::from(u16::MAX)) as u16;
            Vec::new()
        }
        Screen::Logs => {
            // Up reads older lines: the scroll counts from the bottom.
            let most = model.logs.lines.len();
            let up = match command {
                Command::Up => Command::Down,
                Command::Down => Command::Up,
                Command::PageUp => Command::PageDown,
                Command::PageDown => Command::PageUp,
                Command::Top => Command::Bottom,
                Command::Bottom => Command::Top,
                other => other,
            };
            // A followed log stays open: scrolled up, the lines in view stay put
            // while new ones arrive below.
            model.logs.scroll = scrolled(model.logs.scroll, up, most);
            Vec::new()
        }
        Screen::Events => {
            model.events.selected = moved(model.events.selected, model.events.rows.len(), command);
            Vec::new()
        }
        Screen::Repos => {
            model.repos.selected = moved(model.repos.selected, model.repos.rows.len(), command);
            Vec::new()
        }
        Screen::Activity => {
            // Up and down pick the app; a page scrolls its ledger.
            let activity = &mut model.activity;
            match command {
                Command::PageUp => activity.scroll = activity.scroll.saturating_sub(PAGE),
                Command::PageDown => {
                    // At most two lines an entry: no scrolling into emptiness.
                    let entries = activity
                        .ledgers
                        .get(activity.selected)
                        .and_then(|l| l.entries.as_ref().ok())
                        .map_or(0, Vec::len);
                    activity.scroll = (activity.scroll + PAGE).min(2 * entries);
                }
                _ => {
                    let count = activity.ledgers.len();
                    activity.selected = moved(activity.selected, count, command);
                    activity.scroll = 0;
                }
            }
            Vec::new()
        }
    }
}

fn moved(at: usize, len: usize, command: Command) -> usize {
    let last = len.saturating_sub(1);
    match command {
        Command::Up => at.saturating_sub(1),
        Command::Down => (at + 1).min(last),
        Command::Top => 0,
        Command::Bottom => last,
        Command::PageUp => at.saturating_sub(PAGE),
        Command::PageDown => (at + PAGE).min(last),
        _ => at,
    }
}

/// A scroll offset moved by `command`, from 0 to `most`.
fn scrolled(at: usize, command: Command, most: usize) -> usize {
    match command {
        Command::Up => at.saturating_sub(1),
        Command::Down => (at + 1).min(most),
        Command::Top => 0,
        Command::Bottom => most,
        Command::PageUp => at.saturating_sub(PAGE),
        Command::PageDown => (at + PAGE).min(most),
        _ => at,
    }
}

fn push(model: &mut Model, screen: Screen) {
    if model.screen() != screen {
        model.screens.push(screen);
    }
}

pub(super) fn open_app(model: &mut Model) -> Vec<Effect> {
    if model.selected_app().is_some() {
        model.app_view = AppView {
            assessing: std::mem::take(&mut model.app_view.assessing),
            ..AppView::default()
        };
        push(model, Screen::App);
    }
    super::external::assess(model).into_iter().collect()
}

/// The whole-app diff: live ↔ Git, or live ↔ the commit selected in the history.
pub(super) fn open_diff(model: &mut Model) -> Vec<Effect> {
    let Some(app) = model.selected_app().map(|a| a.name.clone()) else {
        return Vec::new();
    };
    let against = if on_history(model) {
        match model.selected_commit() {
            Some(commit) => Some(commit.commit.id.as_str().to_owned()),
            None => return Vec::new(),
        }
    } else {
        None
    };
    model.diff = DiffView {
        app: Some(app),
        against,
        pending: std::mem::take(&mut model.diff.pending),
        ..DiffView::default()
    };
    push(model, Screen::Diff);
    load_diff(model).into_iter().collect()
}

fn load_diff(model: &mut Model) -> Option<Effect> {
    let app = model.diff.app.clone()?;
    let engine_app = model
        .apps
        .iter()
        .find(|row| row.name == app)
        .and_then(|row| row.engine_app())
        .cloned();
    if let Some(engine_app) = engine_app {
        return Some(Effect::LoadEngineDiff {
            generation: model.diff.pending.start(),
            app,
            context: engine_app.own_context,
            engine_app: Box::new(engine_app.app),
            against: model.diff.against.clone(),
        });
    }
    let against = model.diff.against.clone()?;
    Some(Effect::LoadDiff {
        generation: model.diff.pending.start(),
        app,
        against,
    })
}

pub(super) fn open_logs(model: &mut Model) -> Vec<Effect> {
    let Some(app) = model.selected_app().map(|a| a.name.clone()) else {
        return Vec::new();
    };
    let managed = managed(model);
    if model.logs.app.as_ref() == Some(&app) {
        // The same app: its pod, container and options stay; its engine's view of
        // it is the latest.
        model.logs.managed = managed;
    } else {
        model.logs = LogsView {
            app: Some(app),
            managed,
            tail: DEFAULT_TAIL,
            follow: true,
            pending: std::mem::take(&mut model.logs.pending),
            ..LogsView::default()
        };
    }
    push(model, Screen::Logs);
    load_logs(model).into_iter().collect()
}

/// The selected app's engine side, when it is an Argo CD or Flux app.
pub(super) fn managed(model: &Model) -> Option<Managed> {
    model
        .selected_app()
        .and_then(|row| row.engine_app())
        .map(Managed::of)
}

/// The activity screen, every ledger read again.
pub(super) fn open_activity(model: &mut Model) -> Vec<Effect> {
    push(model, Screen::Activity);
    vec![load_activity(model)]
}

/// The repos screen, on what polling read last, read again now.
pub(super) fn open_repos(model: &mut Model) -> Vec<Effect> {
    push(model, Screen::Repos);
    if model.repos.pending.loading {
        return Vec::new();
    }
    vec![read_repos(model, false)]
}

pub(super) fn open_events(model: &mut Model) -> Vec<Effect> {
    let Some(app) = model.selected_app().map(|a| a.name.clone()) else {
        return Vec::new();
    };
    model.events = EventsView {
        app: Some(app),
        managed: managed(model),
        pending: std::mem::take(&mut model.events.pending),
        ..EventsView::default()
    };
    push(model, Screen::Events);
    load_events(model).into_iter().collect()
}

/// After the filter changed: the selection moves to the first app shown, if the
/// selected one is hidden.
fn keep_selection_visible(model: &mut Model) -> Vec<Effect> {
    let visible = model.visible();
    match visible.first() {
        Some(&first) if !visible.contains(&model.selected) => {
            model.selected = first;
            model.app_view = AppView::default();
            load_history(model).into_iter().collect()
        }
        _ => Vec::new(),
    }
}

fn on_prompt_key(
    model: &mut Model,
    prompt: Prompt,
    mut text: String,
    key: KeyEvent,
) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => {
            if prompt == Prompt::Filter {
                model.filter.clear();
                return keep_selection_visible(model);
            }
            Vec::new()
        }
        KeyCode::Enter => match prompt {
            Prompt::Command => super::command_line::run(model, text.trim()),
            Prompt::Filter => Vec::new(),
            Prompt::Search => {
                let found = model
                    .logs
                    .lines
                    .iter()
                    .filter(|l| !text.is_empty() && l.to_lowercase().contains(&text.to_lowercase()))
                    .count();
                model.logs.search = (!text.is_empty()).then(|| text.clone());
                if !text.is_empty() {
                    say(model, format!("{found} lines match {text:?}"), found == 0);
                }
                Vec::new()
            }
        },
        code => {
            match code {
                KeyCode::Backspace => {
                    text.pop();
                }
                KeyCode::Char(c) if !c.is_control() => text.push(c),
                _ => {}
            }
            let effects = if prompt == Prompt::Filter {
                model.filter = text.clone();
                keep_selection_visible(model)
            } else {
                Vec::new()
            };
            model.modal = Some(Modal::Input { prompt, text });
            effects
        }
    }
}
