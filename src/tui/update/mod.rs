//! The Elm architecture's `update`: a message changes the model and may ask for
//! effects, which the runtime carries out and answers with more messages. Answers
//! carry the generation of their request; stale ones are dropped.

mod actions;
mod automation;
mod command_line;
pub mod external;
mod keys;
mod status_line;
mod support;

use crossterm::event::KeyEvent;
use jiff::Timestamp;

use super::keymap::Command;
use super::model::{
    Action, AppLedger, Assessed, EnginePlan, EventRow, Managed, Modal, Model, Pane, RepoRow,
    ResourceRow, Running, Screen, Seen,
};
use crate::engine::deploys::Marked;
use crate::engine::status::AppStatus;
use crate::engine::support::AppPod;
use crate::model::AppName;
use status_line::{outcome_kept, say, say_news, say_outcome, show_kept_news};

/// Everything that can happen.
#[derive(Debug)]
pub enum Msg {
    /// A key pressed (the update decides: a text field, a modal, or the keymap).
    Key(KeyEvent),
    /// A command, as a key of the keymap or the mouse wheel runs it.
    Command(Command),
    /// New lines of a followed log (after its [`Msg::Logs`]); `end` says why the
    /// stream stopped, when it did.
    LogLines {
        generation: u64,
        lines: Vec<String>,
        end: Option<String>,
    },
    /// Every app observed (answer to [`Effect::Observe`]).
    Observed {
        generation: u64,
        apps: Vec<ObservedApp>,
    },
    /// An app's history (answer to [`Effect::LoadHistory`]).
    History {
        generation: u64,
        app: AppName,
        result: Result<Vec<Marked>, String>,
    },
    /// Live ↔ a commit (answer to [`Effect::LoadDiff`]).
    Diff {
        generation: u64,
        result: Result<DiffRead, String>,
    },
    Logs {
        generation: u64,
        result: Result<LogsRead, String>,
    },
    Events {
        generation: u64,
        result: Result<Vec<EventRow>, String>,
    },
    /// An action's plan or preview (answer to [`Effect::Plan`]).
    Planned {
        generation: u64,
        result: Result<Vec<String>, String>,
    },
    /// An engine action's plan and the ask as planned (answer to [`Effect::Plan`]
    /// of an [`Action::Engine`]).
    EnginePlanned {
        generation: u64,
        result: Result<EnginePlan, String>,
    },
    /// An action finished (answer to [`Effect::Run`]): what it did, or why not.
    Done {
        id: u64,
        result: Result<String, String>,
    },
    /// Every app's ledger read (answer to [`Effect::LoadActivity`]).
    Activity {
        generation: u64,
        ledgers: Vec<AppLedger>,
    },
    /// The Git sources read (answer to [`Effect::ReadRepos`]).
    Repos {
        generation: u64,
        fetched: bool,
        rows: Vec<RepoRow>,
    },
    /// Live health of an engine app's resources (answer to
    /// [`Effect::AssessEngineResources`]).
    Assessed {
        generation: u64,
        health: Vec<(crate::model::ResourceKey, Option<Assessed>)>,
    },
    /// The Argo CD and Flux apps of every context searched (answer to
    /// [`Effect::Discover`]).
    Discovered {
        generation: u64,
        found: Vec<external::Found>,
    },
    /// A left click at (`column`, `row`) of a `width`×`height` screen.
    Click {
        column: u16,
        row: u16,
        width: u16,
        height: u16,
    },
    /// Something changed in a watched cluster.
    ClusterChanged,
    Tick(Timestamp),
}

/// One app, as an observation found it.
#[derive(Debug)]
pub struct ObservedApp {
    pub name: AppName,
    /// Git's revision (short), or why the app could not be rendered.
    pub desired: Result<String, String>,
    pub status: Result<AppStatus, String>,
    pub resources: Vec<ResourceRow>,
}

/// A diff read: the resources compared, and notes on the comparison.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiffRead {
    pub resources: Vec<ResourceRow>,
    /// What the comparison leaves out, or the renderer warned about.
    pub notes: Vec<String>,
}

/// The lines read for the logs screen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogsRead {
    pub pods: Vec<AppPod>,
    /// The pod the lines are from ([`AppPod::id`]).
    pub pod: Option<String>,
    pub lines: Vec<String>,
}

/// Which log lines to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogsWanted {
    /// Keep the stream open for new lines (never for a previous container).
    pub follow: bool,
    /// `namespace/name`; `None`: the first pod.
    pub pod: Option<String>,
    pub container: Option<String>,
    pub previous: bool,
    pub tail: i64,
    pub timestamps: bool,
}

/// What the runtime should do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Observe every app; `hard` also forgets sessions (fresh discovery and
    /// watches) first.
    Observe {
        generation: u64,
        hard: bool,
    },
    LoadHistory {
        generation: u64,
        app: AppName,
    },
    /// An Argo CD or Flux app's path history, answered by [`Msg::History`].
    LoadEngineHistory {
        generation: u64,
        app: AppName,
        context: Option<String>,
        engine_app: Box<crate::integrations::ExternalApp>,
    },
    /// driftdeck's own diff of an Argo CD or Flux app: live ↔ its source at
    /// `against`, else at the revision the engine targets.
    LoadEngineDiff {
        generation: u64,
        app: AppName,
        context: Option<String>,
        engine_app: Box<crate::integrations::ExternalApp>,
        against: Option<String>,
    },
    /// The app's diff live ↔ the manifests at `against`.
    LoadDiff {
        generation: u64,
        app: AppName,
        against: String,
    },
    LoadLogs {
        generation: u64,
        app: AppName,
        wanted: LogsWanted,
        managed: Option<Managed>,
    },
    LoadEvents {
        generation: u64,
        app: AppName,
        managed: Option<Managed>,
    },
    /// Read every app's ledger and the commit times of its revisions: the
    /// configured apps' and those of the Argo CD and Flux apps found (by row).
    LoadActivity {
        generation: u64,
        engine_apps: Vec<(AppName, Managed)>,
    },
    /// Read every Git source's branch tip; `fetch` remote ones first.
    ReadRepos {
        generation: u64,
        fetch: bool,
    },
    /// Compute what `action` would do, for the confirmation.
    Plan {
        generation: u64,
        action: Action,
    },
    /// Carry `action` out (confirmed).
    Run {
        id: u64,
        action: Action,
    },
    /// Read the live objects of an engine app's resources and assess their health.
    AssessEngineResources {
        generation: u64,
        context: Option<String>,
        keys: Vec<crate::model::ResourceKey>,
    },
    /// Find the Argo CD and Flux apps of these contexts (`None`: the current one).
    Discover {
        generation: u64,
        contexts: Vec<Option<String>>,
    },
    /// Send every app to this context (`None`: each to its own) from now on; the
    /// sessions and watches of the old ones are dropped.
    UseContext(Option<String>),
    Quit,
}

/// The effects to start with: observe every app, load the first app's history.
pub fn init(model: &mut Model) -> Vec<Effect> {
    let mut effects = vec![observe(model, false), external::discover(model)];
    effects.extend(load_history(model));
    effects
}

pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => keys::on_key(model, key),
        Msg::Command(command) => keys::on_command(model, command),
        Msg::Observed { generation, apps } => on_observed(model, generation, apps),
        Msg::Discovered { generation, found } => external::on_discovered(model, generation, found),
        Msg::Assessed { generation, health } => {
            if model.app_view.assessing.answers(generation) {
                model.app_view.assessed = health.into_iter().collect();
            }
            Vec::new()
        }
        Msg::History {
            generation,
            app,
            result,
        } => {
            if model.history.app.as_ref() != Some(&app)
                || !model.history.pending.answers(generation)
            {
                return Vec::new();
            }
            match result {
                Ok(commits) => {
                    model.history.selected =
                        model.history.selected.min(commits.len().saturating_sub(1));
                    model.history.commits = commits;
                    model.history.error = None;
                }
                Err(error) => {
                    model.history.commits.clear();
                    model.history.error = Some(error);
                }
            }
            Vec::new()
        }
        Msg::Diff { generation, result } => {
            if model.diff.pending.answers(generation) {
                match result {
                    Ok(read) => {
                        model.diff.resources = read.resources;
                        model.diff.notes = read.notes;
                        model.diff.error = None;
                    }
                    Err(error) => model.diff.error = Some(error),
                }
            }
            Vec::new()
        }
        Msg::Logs { generation, result } => {
            if model.logs.pending.answers(generation) {
                match result {
                    Ok(read) => {
                        model.logs.pods = read.pods;
                        if let Some(pod) = read.pod {
                            model.logs.pod = model
                                .logs
                                .pods
                                .iter()
                                .position(|p| p.id() == pod)
                                .unwrap_or(0);
                        }
                        model.logs.lines = read.lines;
                        model.logs.error = None;
                    }
                    Err(error) => model.logs.error = Some(error),
                }
            }
            Vec::new()
        }
        Msg::LogLines {
            generation,
            lines,
            end,
        } => {
            on_log_lines(model, generation, lines, end);
            Vec::new()
        }
        Msg::Events { generation, result } => {
            if model.events.pending.answers(generation) {
                match result {
                    Ok(rows) => {
                        model.events.selected =
                            model.events.selected.min(rows.len().saturating_sub(1));
                        model.events.rows = rows;
                        model.events.error = None;
                    }
                    Err(error) => model.events.error = Some(error),
                }
            }
            Vec::new()
        }
        Msg::Planned { generation, result } => {
            actions::on_planned(model, generation, result);
            Vec::new()
        }
        Msg::EnginePlanned { generation, result } => {
            external::on_planned(model, generation, result);
            Vec::new()
        }
        Msg::Done { id, result } => actions::on_done(model, id, result),
        Msg::Activity {
            generation,
            ledgers,
        } => {
            if model.activity.pending.answers(generation) {
                model.activity.selected =
                    model.activity.selected.min(ledgers.len().saturating_sub(1));
                model.activity.ledgers = ledgers;
                model.activity.read_at = model.now;
            }
            Vec::new()
        }
        Msg::Repos {
            generation,
            fetched,
            rows,
        } => on_repos(model, generation, fetched, rows),
        Msg::Click {
            column,
            row,
            width,
            height,
        } => on_click(model, super::views::hit(model, width, height, column, row)),
        Msg::ClusterChanged => {
            if model.observation.loading {
                Vec::new()
            } else {
                vec![observe(model, false)]
            }
        }
        Msg::Tick(now) => {
            model.now = Some(now);
            show_kept_news(model);
            poll_repos(model)
                .into_iter()
                .chain(external::poll(model))
                .collect()
        }
    }
}

fn on_observed(model: &mut Model, generation: u64, apps: Vec<ObservedApp>) -> Vec<Effect> {
    if !model.observation.answers(generation) {
        return Vec::new();
    }
    model.observed_at = model.now;
    for app in apps {
        if let Some(row) = model.apps.iter_mut().find(|r| r.name == app.name) {
            row.desired = app.desired;
            row.seen = match app.status {
                Ok(status) => Seen::Status(Box::new(status)),
                Err(error) => Seen::Error(error),
            };
            row.resources = app.resources;
        }
    }
    if let Some(row) = model.selected_app() {
        model.app_view.selected = model
            .app_view
            .selected
            .min(row.resource_count().saturating_sub(1));
    }
    let mut effects = automation::automate(model);
    if std::mem::take(&mut model.repos.reobserve) {
        effects.push(observe(model, false));
        return effects;
    }
    // Deploy markers follow the ledger: reload the history shown.
    effects.extend(load_history(model));
    effects
}

/// How often the sources are read (a local branch moving shows within this), and
/// how often remote ones are fetched.
const REPOS_EVERY: i64 = 5;
const FETCH_EVERY: i64 = 60;

/// On a tick: read the sources again when it is time (and none is out).
fn poll_repos(model: &mut Model) -> Option<Effect> {
    let now = model.now?;
    let since =
        |at: Option<jiff::Timestamp>| at.map_or(i64::MAX, |at| now.as_second() - at.as_second());
    if model.repos.pending.loading || since(model.repos.read_at) < REPOS_EVERY {
        return None;
    }
    Some(read_repos(
        model,
        since(model.repos.fetched_at) >= FETCH_EVERY,
    ))
}

fn read_repos(model: &mut Model, fetch: bool) -> Effect {
    Effect::ReadRepos {
        generation: model.repos.pending.start(),
        fetch,
    }
}

/// The sources read: a branch that moved since the last read (a new commit, a
/// fetch that brought some) re-renders every app and reloads the history shown.
fn on_repos(model: &mut Model, generation: u64, fetched: bool, rows: Vec<RepoRow>) -> Vec<Effect> {
    if !model.repos.pending.answers(generation) {
        return Vec::new();
    }
    model.repos.read_at = model.now;
    if fetched {
        model.repos.fetched_at = model.now;
    }
    let moved: Vec<(String, String)> = rows
        .iter()
        .filter_map(|row| {
            let old = model.repos.rows.iter().find(|old| old.name == row.name)?;
            match (&old.head, &row.head) {
                (Ok(before), Ok(now)) if before.id != now.id => Some((
                    row.name.clone(),
                    format!("{} {}", now.id.short(), now.subject),
                )),
                _ => None,
            }
        })
        .collect();
    model.repos.selected = model.repos.selected.min(rows.len().saturating_sub(1));
    model.repos.rows = rows;
    if moved.is_empty() {
        return Vec::new();
    }
    let news: Vec<String> = moved
        .iter()
        .map(|(repo, commit)| format!("{repo}: {commit}"))
        .collect();
    say_news(model, "git", format!("new in Git — {}", news.join("; ")));
    if model.observation.loading {
        // The observation out may have rendered the old commit: once it is in.
        model.repos.reobserve = true;
        return Vec::new();
    }
    vec![observe(model, false)]
}

/// A click selects what it lands on (and gives its pane the keyboard).
fn on_click(model: &mut Model, hit: Option<super::views::Hit>) -> Vec<Effect> {
    use super::views::Hit;
    match hit {
        Some(Hit::App(index)) => {
            model.focus = Pane::Apps;
            if model.selected == index {
                return Vec::new();
            }
            model.selected = index;
            model.app_view = Default::default();
            load_history(model).into_iter().collect()
        }
        Some(Hit::Commit(index)) => {
            model.focus = Pane::History;
            model.history.selected = index;
            Vec::new()
        }
        None => Vec::new(),
    }
}

fn observe(model: &mut Model, hard: bool) -> Effect {
    Effect::Observe {
        generation: model.observation.start(),
        hard,
    }
}

fn load_history(model: &mut Model) -> Option<Effect> {
    let row = model.selected_app()?;
    let app = row.name.clone();
    let engine_app = row.engine_app().cloned();
    if model.history.app.as_ref() != Some(&app) {
        // A new app: its history replaces the old one.
        model.history.commits.clear();
        model.history.selected = 0;
        model.history.error = None;
    }
    model.history.app = Some(app.clone());
    let generation = model.history.pending.start();
    Some(match engine_app {
        Some(engine_app) => Effect::LoadEngineHistory {
            generation,
            app,
            context: engine_app.own_context,
            engine_app: Box::new(engine_app.app),
        },
        None => Effect::LoadHistory { generation, app },
    })
}

fn load_activity(model: &mut Model) -> Effect {
    let engine_apps = model
        .apps
        .iter()
        .filter_map(|row| Some((row.name.clone(), Managed::of(row.engine_app()?))))
        .collect();
    Effect::LoadActivity {
        generation: model.activity.pending.start(),
        engine_apps,
    }
}

/// The most log lines kept; older ones are dropped as new ones stream in.
const MAX_LOG_LINES: usize = 20_000;

/// New lines of a followed log. A reader scrolled up keeps reading the same lines.
fn on_log_lines(model: &mut Model, generation: u64, lines: Vec<String>, end: Option<String>) {
    let logs = &mut model.logs;
    if generation != logs.pending.generation {
        return;
    }
    if logs.scroll > 0 {
        logs.scroll += lines.len();
    }
    logs.lines.extend(lines);
    let over = logs.lines.len().saturating_sub(MAX_LOG_LINES);
    logs.lines.drain(..over);
    logs.scroll = logs.scroll.min(logs.lines.len());
    if let Some(end) = end {
        logs.follow = false;
        say(model, end, false);
    }
}

fn load_logs(model: &mut Model) -> Option<Effect> {
    let app = model.logs.app.clone()?;
    let wanted = LogsWanted {
        pod: model.logs.selected_pod().map(AppPod::id),
        container: model.logs.container_name().map(str::to_owned),
        previous: model.logs.previous,
        tail: model.logs.tail,
        timestamps: model.logs.timestamps,
        follow: model.logs.follow && !model.logs.previous,
    };
    Some(Effect::LoadLogs {
        generation: model.logs.pending.start(),
        app,
        wanted,
        managed: model.logs.managed.clone(),
    })
}

fn load_events(model: &mut Model) -> Option<Effect> {
    let app = model.events.app.clone()?;
    Some(Effect::LoadEvents {
        generation: model.events.pending.start(),
        app,
        managed: model.events.managed.clone(),
    })
}

/// Starts `action` (confirmed): it runs in the background, shown as running.
fn run(model: &mut Model, action: Action) -> Vec<Effect> {
    model.next_action += 1;
    let id = model.next_action;
    let title = action.title();
    let automated = matches!(action, Action::AutoSync { .. });
    model.running.push(Running {
        id,
        app: action.app().clone(),
        title: title.clone(),
        since: model.now.unwrap_or_default(),
        automated,
    });
    if automated {
        // That it starts is not news worth keeping: that it ended is.
        if !outcome_kept(model) {
            say(model, format!("{title}…"), false);
        }
    } else {
        say(model, format!("{title}…"), false);
        // A person acting again is past the news that waited.
        model.kept = Default::default();
    }
    vec![Effect::Run { id, action }]
}

/// The pane the user acts on, when it matters (history commits vs apps).
fn on_history(model: &Model) -> bool {
    model.screen() == Screen::Overview && model.focus == Pane::History
}

fn close_modal(model: &mut Model) {
    model.modal = None;
}

fn modal_is_help(model: &Model) -> bool {
    matches!(model.modal, Some(Modal::Help))
}

#[cfg(test)]
mod tests;
