//! Argo CD and Flux apps in the cockpit: discovery's answers become rows of the
//! apps table (engine `argocd` or `flux`), and the action keys on such a row become
//! its engine's actions, each planned, shown and confirmed in the engine form.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::{Effect, load_history, on_history, run, say};
use crate::engine::external::Discovered;
use crate::integrations::actions::{Ask, SyncAsk};
use crate::integrations::{Automation, Engine, ExternalApp};
use crate::tui::keymap::Command;
use crate::tui::model::{
    Action, AppRow, EngineApp, EngineForm, EnginePlan, Modal, Model, Pending, Screen, Seen, Stale,
};

/// What one context answered.
#[derive(Debug)]
pub struct Found {
    /// The context asked (`None`: the current one).
    pub own_context: Option<String>,
    /// Its name as the kubeconfig says it, or why it could not be reached.
    pub result: Result<(String, Discovered), String>,
}

/// Seconds between two discoveries.
pub const DISCOVER_EVERY: i64 = 10;

/// On an engine app's screen: asks for the live health of the resources whose
/// health the engine does not report (Flux reports none), and for the workloads'
/// replicas (what `+`/`-` start from).
pub fn assess(model: &mut Model) -> Option<Effect> {
    let engine_app = model.selected_app()?.engine_app()?.clone();
    let keys: Vec<_> = engine_app
        .app
        .resources
        .iter()
        .filter(|r| r.health.is_none() || crate::engine::support::is_workload(&r.key))
        // A Secret is never read (its values would come with it); it has no
        // health to assess anyway.
        .filter(|r| !r.hook && !crate::diff::is_secret(&r.key))
        .map(|r| r.key.clone())
        .collect();
    if keys.is_empty() {
        return None;
    }
    Some(Effect::AssessEngineResources {
        generation: model.app_view.assessing.start(),
        context: engine_app.own_context,
        keys,
    })
}

/// Asks for the Argo CD and Flux apps of every context the cockpit uses.
pub fn discover(model: &mut Model) -> Effect {
    Effect::Discover {
        generation: model.discovery.pending.start(),
        contexts: contexts(model),
    }
}

/// On a tick: discover again when it is time and none is out.
pub fn poll(model: &mut Model) -> Option<Effect> {
    let now = model.now?;
    let due = model
        .discovery
        .at
        .is_none_or(|at| now.as_second() - at.as_second() >= DISCOVER_EVERY);
    (due && !model.discovery.pending.loading).then(|| discover(model))
}

/// The contexts searched: the one chosen with `:ctx`/`--context`, else the
/// kubeconfig's current one and every context a configured app names.
fn contexts(model: &Model) -> Vec<Option<String>> {
    if let Some(chosen) = &model.kube.chosen {
        return vec![Some(chosen.clone())];
    }
    let mut contexts = vec![None];
    for row in &model.apps {
        if row.engine_app().is_none()
            && let Some(own) = &row.own_context
            && Some(own) != model.kube.current.as_ref()
            && !contexts.contains(&Some(own.clone()))
        {
            contexts.push(Some(own.clone()));
        }
    }
    contexts
}

/// Discovery answered: the engine rows are replaced (the selection kept on the
/// same app), except those of a context that could not be searched this time,
/// which stay as last seen; what could not be read is said.
pub fn on_discovered(model: &mut Model, generation: u64, found: Vec<Found>) -> Vec<Effect> {
    if !model.discovery.pending.answers(generation) {
        return Vec::new();
    }
    let searched_before = model.discovery.at;
    model.discovery.at = model.now;
    let selected = model.selected_app().map(|row| row.name.clone());
    // What the history pane's markers come from, to read it again when it moved.
    let deploys_of = |model: &Model| {
        model
            .selected_app()
            .and_then(AppRow::engine_app)
            .map(|e| (e.app.live_revision.clone(), e.app.history.clone()))
    };
    let deploys_before = deploys_of(model);
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let mut unsearched = Vec::new();
    for context in found {
        match context.result {
            Ok((name, discovered)) => {
                problems.extend(
                    discovered
                        .problems
                        .iter()
                        .map(|problem| format!("{name}: {problem}")),
                );
                rows.extend(
                    discovered
                        .apps
                        .into_iter()
                        .map(|app| row(app, &name, context.own_context.clone())),
                );
            }
            Err(error) => {
                unsearched.push((context.own_context, error.clone()));
                problems.push(error);
            }
        }
    }
    // Engine rows of a context searched now go (the answer replaces them); those of
    // one that could not be searched stay, marked: since when, and why.
    model.apps.retain_mut(|row| {
        let Seen::Engine(app) = &mut row.seen else {
            return true;
        };
        let Some((_, error)) = unsearched
            .iter()
            .find(|(context, _)| *context == app.own_context)
        else {
            return false;
        };
        let seen_at = app
            .stale
            .as_ref()
            .map_or(searched_before, |stale| stale.seen_at);
        app.stale = Some(Stale {
            seen_at,
            error: error.clone(),
        });
        true
    });
    model.apps.extend(rows);
    // Said once each: a problem already said is not repeated, a new one is said
    // even when an older one comes first.
    let new_problem = problems
        .iter()
        .find(|p| !model.discovery.problems.contains(p));
    if let Some(new) = new_problem {
        let more = match problems.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        say(model, format!("Argo CD/Flux discovery: {new}{more}"), true);
    }
    model.discovery.problems = problems;
    let index = selected.and_then(|name| model.apps.iter().position(|row| row.name == name));
    match index {
        Some(index) => {
            model.selected = index;
            let mut effects = Vec::new();
            // The engine deployed since: the history pane's markers are read again.
            if deploys_of(model) != deploys_before {
                effects.extend(load_history(model));
            }
            // The open app screen's live health and replicas, read again too.
            if model.screen() == Screen::App {
                effects.extend(assess(model));
            }
            effects
        }
        None => {
            model.selected = model.selected.min(model.apps.len().saturating_sub(1));
            load_history(model).into_iter().collect()
        }
    }
}

fn row(app: ExternalApp, context: &str, own_context: Option<String>) -> AppRow {
    let source = app.source.clone().unwrap_or_default();
    AppRow {
        name: EngineApp::row_name(&app, context),
        repo: source.url.unwrap_or_default(),
        path: source.path.or(source.chart).unwrap_or_default(),
        namespace: app.namespace.clone(),
        context: context.to_owned(),
        own_context: own_context.clone(),
        // Native automation never acts on an engine's app.
        automation: Default::default(),
        desired: Ok(app.target_revision.clone().unwrap_or_else(|| "-".into())),
        resources: Vec::new(),
        seen: Seen::Engine(Box::new(EngineApp {
            app,
            context: context.to_owned(),
            own_context,
            stale: None,
        })),
    }
}

/// An action key on an Argo CD or Flux row: its engine's action, in the form.
pub fn on_command(model: &mut Model, command: Command) -> Vec<Effect> {
    let Some(engine_app) = model.selected_app().and_then(AppRow::engine_app).cloned() else {
        return Vec::new();
    };
    let app = &engine_app.app;
    let argo = app.engine() == Engine::ArgoCd;
    let versions = earlier_charts(app);
    let suspended = matches!(
        app.automation,
        Automation::Flux {
            suspended: true,
            ..
        }
    );
    let ask = match command {
        Command::Sync | Command::SyncPrune if argo => Ask::Sync(SyncAsk {
            prune: command == Command::SyncPrune,
            ..SyncAsk::default()
        }),
        Command::Sync | Command::SyncPrune => Ask::Reconcile {
            with_source: command == Command::SyncPrune,
            resume: suspended,
        },
        Command::EngineRefresh if argo => Ask::Refresh { hard: false },
        Command::EngineRefresh => Ask::Reconcile {
            with_source: true,
            resume: suspended,
        },
        Command::Terminate => Ask::Terminate,
        Command::Automation => match &app.automation {
            Automation::ArgoCd(policy) => Ask::AutoSync {
                enable: !policy.automated,
            },
            Automation::Flux { suspended, .. } => Ask::Suspend(!suspended),
        },
        Command::Unpin => Ask::Unpin,
        Command::Rollback => match rollback_target(model).or_else(|| versions.first().cloned()) {
            Some(to) => Ask::Rollback { to },
            None => {
                say(
                    model,
                    if chart_release(app) {
                        "no earlier chart version in the HelmRelease's history to roll back to"
                    } else {
                        "pick the commit to roll back to in the history pane (Tab), then R"
                    },
                    true,
                );
                return Vec::new();
            }
        },
        _ => return Vec::new(),
    };
    let row_name = model.selected_app().map(|r| r.name.clone());
    let Some(row_name) = row_name else {
        return Vec::new();
    };
    let action = Action::Engine {
        app: row_name,
        context: engine_app.own_context.clone(),
        key: app.key(),
        ask,
        reason: None,
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
    let selected = selected_resource(model, &engine_app);
    open_form(model, action, selected, versions)
}

/// The commit picked in the history pane, or the one the diff screen compares.
fn rollback_target(model: &Model) -> Option<String> {
    if model.screen() == Screen::Diff {
        return model.diff.against.clone();
    }
    on_history(model)
        .then(|| model.selected_commit())
        .flatten()
        .map(|c| c.commit.id.as_str().to_owned())
}

/// A HelmRelease whose chart comes from a Helm repository: no Git history to
/// pick from; its rollback goes to a chart version of its own history.
fn chart_release(app: &ExternalApp) -> bool {
    app.kind == crate::integrations::AppKind::HelmRelease
        && app.source.as_ref().is_some_and(|s| s.chart.is_some())
}

/// The chart versions of a HelmRelease's history other than the live one, newest
/// first, each once: what its rollback may go to.
fn earlier_charts(app: &ExternalApp) -> Vec<String> {
    if !chart_release(app) {
        return Vec::new();
    }
    let live = app.live_revision.as_deref();
    let mut versions: Vec<String> = Vec::new();
    for revision in app
        .history
        .iter()
        .map(|deployed| deployed.revision.as_str())
    {
        if !revision.is_empty() && Some(revision) != live && !versions.iter().any(|v| v == revision)
        {
            versions.push(revision.to_owned());
        }
    }
    versions
}

/// The app screen's selected resource (Argo CD syncs it alone with `ctrl-o`).
fn selected_resource(model: &Model, app: &EngineApp) -> Option<crate::model::ResourceKey> {
    (model.screen() == Screen::App)
        .then(|| app.app.resources.get(model.app_view.selected))
        .flatten()
        .map(|r| r.key.clone())
}

pub(super) fn open_form(
    model: &mut Model,
    action: Action,
    selected: Option<crate::model::ResourceKey>,
    versions: Vec<String>,
) -> Vec<Effect> {
    let reason_required = matches!(
        action,
        Action::Engine {
            ask: Ask::Rollback { .. } | Ask::Revert { .. },
            ..
        }
    );
    let mut reason = TextArea::default();
    reason.set_placeholder_text(if reason_required {
        "why (required: the ledger, Argo CD's operation info or the commit keep it)"
    } else {
        "why (optional: the ledger and Argo CD's operation info keep it)"
    });
    let mut form = EngineForm {
        action: action.clone(),
        selected,
        reason,
        reason_required,
        versions,
        plan: Vec::new(),
        planned_title: None,
        pending: Pending::default(),
        error: None,
    };
    let generation = form.pending.start();
    model.modal = Some(Modal::Engine(Box::new(form)));
    vec![Effect::Plan { generation, action }]
}

/// The engine form's plan came: its lines, and the ask as planned replaces the
/// form's (a revert then runs only on the branch's tip it showed).
pub fn on_planned(model: &mut Model, generation: u64, result: Result<EnginePlan, String>) {
    let Some(Modal::Engine(form)) = &mut model.modal else {
        return;
    };
    if !form.pending.answers(generation) {
        return;
    }
    match result {
        Ok(planned) => {
            form.plan = planned.lines;
            form.planned_title = Some(planned.title);
            if let Action::Engine { ask, .. } = &mut form.action {
                *ask = planned.ask;
            }
        }
        Err(message) => form.error = Some(message),
    }
}

/// Keys in the engine form: ctrl keys toggle options (and plan again), Enter runs,
/// Esc cancels, the rest types the reason.
pub fn on_form_key(model: &mut Model, mut form: Box<EngineForm>, key: KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => {
            say(model, format!("{}: cancelled", form.action.title()), false);
            Vec::new()
        }
        KeyCode::Enter => {
            // A failed plan first: the reason's message must not replace its error
            // (typing would then clear it and let the action run unplanned).
            if form.pending.loading || form.error.is_some() && form.plan.is_empty() {
                model.modal = Some(Modal::Engine(form));
                return Vec::new();
            }
            let reason = form.reason.lines().join("\n").trim().to_owned();
            if form.reason_required && reason.is_empty() {
                form.error = Some("type a reason first: the ledger keeps it".into());
                model.modal = Some(Modal::Engine(form));
                return Vec::new();
            }
            let mut action = form.action.clone();
            if let Action::Engine { reason: slot, .. } = &mut action {
                *slot = (!reason.is_empty()).then_some(reason);
            }
            run(model, action)
        }
        KeyCode::Char(c) if ctrl && toggle(&mut form, c) => {
            form.plan.clear();
            form.error = None;
            let generation = form.pending.start();
            let action = form.action.clone();
            model.modal = Some(Modal::Engine(form));
            vec![Effect::Plan { generation, action }]
        }
        _ => {
            super::actions::type_reason(&mut form.reason, &mut form.error, key);
            model.modal = Some(Modal::Engine(form));
            Vec::new()
        }
    }
}

/// The form's options, by ctrl key: `p` prune, `d` dry run, `o` only the selected
/// resource (Argo CD sync); `f` hard (Argo CD refresh); `s` the source first (Flux
/// reconcile); `g` by a Git commit rather than a pin (Flux Kustomization rollback);
/// `v` the next earlier chart version (HelmRelease rollback). Whether `c` changed
/// anything.
fn toggle(form: &mut EngineForm, c: char) -> bool {
    let Action::Engine { ask, key, .. } = &mut form.action else {
        return false;
    };
    if c == 'g' && key.kind == "Kustomization" {
        let flipped = match ask {
            Ask::Rollback { to } => Ask::Revert {
                to: to.clone(),
                tip: None,
            },
            Ask::Revert { to, .. } => Ask::Rollback { to: to.clone() },
            _ => return false,
        };
        *ask = flipped;
        return true;
    }
    match (ask, c) {
        (Ask::Sync(sync), 'p') => sync.prune = !sync.prune,
        (Ask::Sync(sync), 'd') => sync.dry_run = !sync.dry_run,
        (Ask::Sync(sync), 'o') => match (&form.selected, sync.resources.is_empty()) {
            (Some(key), true) => sync.resources = vec![key.clone()],
            (_, false) => sync.resources.clear(),
            (None, true) => return false,
        },
        (Ask::Refresh { hard }, 'f') => *hard = !*hard,
        (Ask::Reconcile { with_source, .. }, 's') => *with_source = !*with_source,
        (Ask::Rollback { to }, 'v') if form.versions.len() > 1 => {
            let at = form.versions.iter().position(|v| v == to);
            let next = at.map_or(0, |at| (at + 1) % form.versions.len());
            *to = form.versions[next].clone();
        }
        _ => return false,
    }
    true
}

/// The options the form offers for `ask`: key, name and state (`yes`, `no`, or
/// the value chosen), for the view.
pub fn toggles(form: &EngineForm) -> Vec<(&'static str, &'static str, String)> {
    let Action::Engine { ask, key, .. } = &form.action else {
        return Vec::new();
    };
    let yes = |on: bool| if on { "yes" } else { "no" }.to_owned();
    match ask {
        Ask::Sync(sync) => {
            let mut toggles = vec![
                ("ctrl-p", "prune", yes(sync.prune)),
                ("ctrl-d", "dry run", yes(sync.dry_run)),
            ];
            if form.selected.is_some() {
                toggles.push((
                    "ctrl-o",
                    "selected resource only",
                    yes(!sync.resources.is_empty()),
                ));
            }
            toggles
        }
        Ask::Refresh { hard } => vec![("ctrl-f", "hard", yes(*hard))],
        Ask::Reconcile { with_source, .. } => {
            vec![("ctrl-s", "source first", yes(*with_source))]
        }
        Ask::Rollback { to } if form.versions.len() > 1 => {
            let state = match form.versions.iter().position(|v| v == to) {
                Some(at) => format!("{to} ({} of {} earlier)", at + 1, form.versions.len()),
                None => to.clone(),
            };
            vec![("ctrl-v", "chart version", state)]
        }
        Ask::Rollback { .. } | Ask::Revert { .. } if key.kind == "Kustomization" => vec![(
            "ctrl-g",
            "by a Git commit (pushed), not a pin",
            yes(matches!(ask, Ask::Revert { .. })),
        )],
        _ => Vec::new(),
    }
}
