//! Mutating actions: each names what it touches and where, shows its plan (sync,
//! rollback preview) and waits for a yes; read-only mode refuses them all with a
//! visible message. Confirmed actions run in the background and report back in the
//! status line.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use super::{Effect, load_history, observe, on_history, run, say, support};
use crate::tui::keymap::Command;
use crate::tui::model::{Action, Confirm, Modal, Model, Pending, RollbackForm, Screen, Seen};

pub fn on_action_command(model: &mut Model, command: Command) -> Vec<Effect> {
    let Some(row) = model.selected_app() else {
        return Vec::new();
    };
    let app = row.name.clone();
    let action = match command {
        Command::Sync | Command::SyncPrune => Action::Sync {
            app,
            prune: command == Command::SyncPrune,
            force: false,
        },
        Command::Unpin => Action::Unpin { app },
        Command::Automation => match automation_action(model) {
            Ok(action) => action,
            Err(message) => {
                say(model, message, true);
                return Vec::new();
            }
        },
        Command::Rollback => {
            let to = if model.screen() == Screen::Diff {
                model.diff.against.clone()
            } else if on_history(model) {
                model
                    .selected_commit()
                    .map(|c| c.commit.id.as_str().to_owned())
            } else {
                None
            };
            let Some(to) = to else {
                say(
                    model,
                    "pick the commit to roll back to in the history pane (Tab), then R",
                    true,
                );
                return Vec::new();
            };
            Action::Rollback {
                app,
                to,
                pin: false,
                reason: String::new(),
            }
        }
        Command::Restart | Command::ScaleUp | Command::ScaleDown => {
            match support::workload_action(model, command) {
                Ok(action) => action,
                Err(message) => {
                    say(model, message, true);
                    return Vec::new();
                }
            }
        }
        Command::DeletePod => match support::delete_pod_action(model) {
            Ok(action) => action,
            Err(message) => {
                say(model, message, true);
                return Vec::new();
            }
        },
        _ => return Vec::new(),
    };
    if model.read_only {
        say(
            model,
            format!(
                "read-only: {} refused (driftdeck was started with --read-only)",
                action.title()
            ),
            true,
        );
        return Vec::new();
    }
    ask(model, action)
}

/// `p`: suspend a running automation, resume a suspended one.
fn automation_action(model: &Model) -> Result<Action, String> {
    let row = model.selected_app().ok_or("no app")?;
    if !row.automation.automated {
        return Err(format!(
            "{} has no automation to suspend: sync.automated is off in driftdeck.yaml",
            row.name
        ));
    }
    let Seen::Status(status) = &row.seen else {
        return Err(format!("{}'s state is not known yet", row.name));
    };
    Ok(Action::Automation {
        app: row.name.clone(),
        suspend: status.suspended.is_none(),
    })
}

/// Opens the confirmation (or the rollback form) for `action`, asking for its plan
/// where it has one.
fn ask(model: &mut Model, action: Action) -> Vec<Effect> {
    let row = model.selected_app();
    let place = row.map_or_else(String::new, |r| {
        format!("context {}, namespace {}", r.context, r.namespace)
    });
    match action {
        Action::Rollback { app, to, .. } => {
            let subject = model
                .history
                .commits
                .iter()
                .find(|c| c.commit.id.as_str() == to)
                .map(|c| c.commit.subject.clone())
                .unwrap_or_default();
            let mut reason = TextArea::default();
            reason.set_placeholder_text("why (goes into the commit message and the ledger)");
            let mut form = RollbackForm {
                app: app.clone(),
                to: to.clone(),
                subject,
                pin: false,
                reason,
                preview: Vec::new(),
                pending: Pending::default(),
                error: None,
            };
            let generation = form.pending.start();
            model.modal = Some(Modal::Rollback(Box::new(form)));
            vec![Effect::Plan {
                generation,
                action: Action::Rollback {
                    app,
                    to,
                    pin: false,
                    reason: String::new(),
                },
            }]
        }
        Action::Sync { .. } => {
            let mut confirm = Confirm {
                action: action.clone(),
                plan: Vec::new(),
                pending: Pending::default(),
                error: None,
            };
            let generation = confirm.pending.start();
            model.modal = Some(Modal::Confirm(Box::new(confirm)));
            vec![Effect::Plan { generation, action }]
        }
        Action::Scale { .. } | Action::DeletePod { .. } | Action::Restart { .. } => {
            let plan = super::support::confirmation(model, &action).unwrap_or_default();
            confirm_now(model, action, plan)
        }
        Action::Automation { ref app, suspend } => {
            let words = model
                .selected_app()
                .map(|row| row.automation.words())
                .unwrap_or_default();
            let plan = if suspend {
                vec![
                    place,
                    format!(
                        "automation of {app} ({words}) stops until resumed: Git changes wait for a manual sync"
                    ),
                    "recorded in the app's ledger: every driftdeck cockpit sees it".into(),
                ]
            } else {
                vec![
                    place,
                    format!(
                        "automation of {app} ({words}) resumes: the next observation syncs it if it is behind Git{}",
                        if words.contains("self-heal") {
                            " or drifted"
                        } else {
                            ""
                        }
                    ),
                    "recorded in the app's ledger".into(),
                ]
            };
            confirm_now(model, action, plan)
        }
        Action::Engine { .. } => super::external::open_form(model, action, None, Vec::new()),
        // Automation's own syncs are never asked about.
        Action::AutoSync { .. } => run(model, action),
        Action::Unpin { .. } => {
            let plan = vec![
                place,
                "the app follows Git again: the next sync applies Git's tip".into(),
            ];
            confirm_now(model, action, plan)
        }
    }
}

fn confirm_now(model: &mut Model, action: Action, plan: Vec<String>) -> Vec<Effect> {
    model.modal = Some(Modal::Confirm(Box::new(Confirm {
        action,
        plan,
        pending: Pending::default(),
        error: None,
    })));
    Vec::new()
}

pub fn on_planned(model: &mut Model, generation: u64, result: Result<Vec<String>, String>) {
    let (pending, plan, error) = match &mut model.modal {
        Some(Modal::Confirm(c)) => (&mut c.pending, &mut c.plan, &mut c.error),
        Some(Modal::Rollback(f)) => (&mut f.pending, &mut f.preview, &mut f.error),
        // An engine form's plan comes as `Msg::EnginePlanned`.
        _ => return,
    };
    if pending.answers(generation) {
        match result {
            Ok(lines) => *plan = lines,
            Err(message) => *error = Some(message),
        }
    }
}

pub fn on_confirm_key(model: &mut Model, confirm: Box<Confirm>, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Char('y') | KeyCode::Enter
            if !confirm.pending.loading && confirm.error.is_none() =>
        {
            run(model, confirm.action)
        }
        KeyCode::Char('n') | KeyCode::Char('q') | KeyCode::Esc => {
            say(
                model,
                format!("{}: cancelled", confirm.action.title()),
                false,
            );
            Vec::new()
        }
        KeyCode::Char('f') => {
            let mut confirm = confirm;
            if let Action::Sync { force, .. } = &mut confirm.action {
                *force = !*force;
            }
            model.modal = Some(Modal::Confirm(confirm));
            Vec::new()
        }
        _ => {
            model.modal = Some(Modal::Confirm(confirm));
            Vec::new()
        }
    }
}

pub fn on_rollback_key(
    model: &mut Model,
    mut form: Box<RollbackForm>,
    key: KeyEvent,
) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => {
            say(
                model,
                format!("roll back {} to {}: cancelled", form.app, short(&form.to)),
                false,
            );
            Vec::new()
        }
        KeyCode::Tab => {
            form.pin = !form.pin;
            form.preview.clear();
            form.error = None;
            let generation = form.pending.start();
            let action = Action::Rollback {
                app: form.app.clone(),
                to: form.to.clone(),
                pin: form.pin,
                reason: String::new(),
            };
            model.modal = Some(Modal::Rollback(form));
            vec![Effect::Plan { generation, action }]
        }
        KeyCode::Enter => {
            let reason = form.reason.lines().join("\n").trim().to_owned();
            if reason.is_empty() {
                form.error =
                    Some("type a reason first: it goes into the commit and the ledger".into());
                model.modal = Some(Modal::Rollback(form));
                return Vec::new();
            }
            if form.pending.loading {
                model.modal = Some(Modal::Rollback(form));
                return Vec::new();
            }
            run(
                model,
                Action::Rollback {
                    app: form.app.clone(),
                    to: form.to.clone(),
                    pin: form.pin,
                    reason,
                },
            )
        }
        _ => {
            type_reason(&mut form.reason, &mut form.error, key);
            model.modal = Some(Modal::Rollback(form));
            Vec::new()
        }
    }
}

/// A key typed into a form's reason; the "type a reason" complaint goes with it.
pub(super) fn type_reason(
    reason: &mut TextArea<'static>,
    error: &mut Option<String>,
    key: KeyEvent,
) {
    reason.input(key);
    if error
        .as_deref()
        .is_some_and(|e| e.starts_with("type a reason"))
    {
        *error = None;
    }
}

/// An action finished: the result lands in the status line, the apps are read again
/// and the history reloaded (a rollback adds a commit).
pub fn on_done(model: &mut Model, id: u64, result: Result<String, String>) -> Vec<Effect> {
    let Some(index) = model.running.iter().position(|r| r.id == id) else {
        return Vec::new();
    };
    let running = model.running.remove(index);
    match result {
        Ok(done) if running.automated => {
            super::say_news(model, &format!("app:{}", running.app), done);
        }
        Ok(done) => super::say_outcome(model, done, false),
        // A failure is never routine: said at once and kept, as a person's outcome
        // (news that waited is older than it).
        Err(error) => super::say_outcome(model, format!("{} failed: {error}", running.title), true),
    }
    let mut effects = vec![observe(model, false)];
    // An Argo CD or Flux app may have changed: read them again now.
    effects.push(super::external::discover(model));
    effects.extend(load_history(model));
    if model.screen() == Screen::App {
        // An engine app's workload scaled or restarted: read its objects again.
        effects.extend(super::external::assess(model));
    }
    effects
}

fn short(revision: &str) -> &str {
    revision.get(..7).unwrap_or(revision)
}
