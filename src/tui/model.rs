//! What the cockpit shows, as plain data: no clients, no channels. `update` changes
//! it; views read it.

use std::collections::HashMap;

use jiff::Timestamp;
use ratatui_textarea::TextArea;

use super::keymap::Keymap;
use crate::engine::deploys::Marked;
use crate::engine::status::AppStatus;
use crate::engine::support::AppPod;
use crate::integrations::ExternalApp;
use crate::model::ledger::LedgerEntry;
use crate::model::{AppName, CommitInfo, HealthStatus, SyncPolicy, SyncStatus};

mod action;
pub use action::{Action, EnginePlan, Managed, shown};

/// Which pane of the overview has the keyboard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pane {
    #[default]
    Apps,
    History,
}

/// The screens, as a stack: Esc goes back to the one below.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Screen {
    #[default]
    Overview,
    /// The selected app's resources and the selected resource's diff.
    App,
    /// The whole app's diff, live ↔ desired or live ↔ a commit.
    Diff,
    Logs,
    Events,
    /// The Git sources: where, which branch, HEAD, last fetch, errors.
    Repos,
    /// Every app's ledger, with its deployment figures.
    Activity,
}

/// What is known of an app's cluster side.
#[derive(Clone, Debug, Default)]
pub enum Seen {
    #[default]
    Loading,
    Status(Box<AppStatus>),
    /// Why it could not be seen (one line, classified by the engine).
    Error(String),
    /// An Argo CD or Flux app, as its engine reports it.
    Engine(Box<EngineApp>),
}

/// An Argo CD or Flux app found in a context (see `engine::external`).
#[derive(Clone, Debug)]
pub struct EngineApp {
    pub app: ExternalApp,
    /// The kubeconfig context it was found in, by name.
    pub context: String,
    /// `None`: the kubeconfig's current context.
    pub own_context: Option<String>,
    /// Set while its context cannot be searched: the row is as last seen then,
    /// and why it is not current.
    pub stale: Option<Stale>,
}

/// Why an engine app's row is not current.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stale {
    /// When its context was last searched with success (`None`: not known).
    pub seen_at: Option<jiff::Timestamp>,
    /// Why its context could not be searched since (one line).
    pub error: String,
}

impl EngineApp {
    /// The row key of an app: its ledger name and its context (the same app name
    /// may exist in two clusters).
    pub fn row_name(app: &ExternalApp, context: &str) -> AppName {
        AppName::new(format!(
            "{}@{context}",
            crate::engine::external_actions::ledger_name(app)
        ))
    }

    /// `argocd:shop`, `flux:infra`: the apps table's words for it.
    pub fn label(&self) -> String {
        self.app.label()
    }
}

/// What driftdeck read from one of an engine app's live objects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessed {
    pub health: crate::model::Health,
    /// `spec.replicas`, where it has one.
    pub replicas: Option<i64>,
}

/// One resource of an app, as the last observation found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceRow {
    /// `group/Kind/namespace/name`, as the engine writes keys.
    pub key: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub sync: SyncStatus,
    pub health: HealthStatus,
    pub message: String,
    /// `spec.replicas` of a live workload that has it.
    pub replicas: Option<i64>,
    /// Unified diff (desired vs live); Secret values already redacted.
    pub unified: String,
    /// Both sides as YAML, for side by side (redacted the same way).
    pub live: String,
    pub desired: String,
}

/// One row of the apps table.
#[derive(Clone, Debug)]
pub struct AppRow {
    pub name: AppName,
    pub repo: String,
    pub path: String,
    pub namespace: String,
    /// The context the app runs in, by name (see [`KubeContexts::of`]).
    pub context: String,
    /// The app's own destination context, when the configuration names one.
    pub own_context: Option<String>,
    /// What the configuration lets automation do (auto-sync, self-heal, prune).
    pub automation: SyncPolicy,
    /// Git's revision for the app (short), or why it could not be rendered.
    pub desired: Result<String, String>,
    pub seen: Seen,
    pub resources: Vec<ResourceRow>,
}

impl AppRow {
    /// The Argo CD or Flux app this row shows, if it is one.
    pub fn engine_app(&self) -> Option<&EngineApp> {
        match &self.seen {
            Seen::Engine(app) => Some(app),
            _ => None,
        }
    }

    /// How many resources its app screen lists (an engine app's: those its engine
    /// manages).
    pub fn resource_count(&self) -> usize {
        match self.engine_app() {
            Some(engine_app) => engine_app.app.resources.len(),
            None => self.resources.len(),
        }
    }

    /// The name the apps table shows.
    pub fn label(&self) -> String {
        self.engine_app()
            .map_or_else(|| self.name.to_string(), EngineApp::label)
    }
}

/// Something awaited: the generation of the request whose answer counts (older
/// answers are dropped), and whether it is still out.
#[derive(Clone, Debug, Default)]
pub struct Pending {
    pub generation: u64,
    pub loading: bool,
}

impl Pending {
    /// A new request: returns its generation.
    pub fn start(&mut self) -> u64 {
        self.generation += 1;
        self.loading = true;
        self.generation
    }

    /// Whether an answer tagged `generation` is the one awaited (and marks it in).
    pub fn answers(&mut self, generation: u64) -> bool {
        let current = generation == self.generation;
        if current {
            self.loading = false;
        }
        current
    }
}

/// The history pane: the selected app's path history with deploy markers.
#[derive(Clone, Debug, Default)]
pub struct History {
    pub app: Option<AppName>,
    pub commits: Vec<Marked>,
    pub selected: usize,
    pub pending: Pending,
    pub error: Option<String>,
}

/// The app screen's own state.
#[derive(Clone, Debug, Default)]
pub struct AppView {
    pub selected: usize,
    pub side_by_side: bool,
    pub scroll: u16,
    /// An engine app's resources whose health the engine does not give (Flux), and
    /// its workloads (for their replicas), read from their live objects by
    /// driftdeck (`None`: not in the cluster).
    pub assessed: HashMap<crate::model::ResourceKey, Option<Assessed>>,
    pub assessing: Pending,
}

/// The whole-app diff screen.
#[derive(Clone, Debug, Default)]
pub struct DiffView {
    pub app: Option<AppName>,
    /// The commit compared with live (short), or `None` for what Git wants now.
    pub against: Option<String>,
    pub resources: Vec<ResourceRow>,
    /// What the comparison leaves out, or the renderer warned about.
    pub notes: Vec<String>,
    pub error: Option<String>,
    pub pending: Pending,
    pub scroll: u16,
}

/// The logs screen: the app's pods and containers, the lines read (each made one
/// line, escape sequences neutralised), and how they are shown.
#[derive(Clone, Debug, Default)]
pub struct LogsView {
    pub app: Option<AppName>,
    /// Set when the app is an Argo CD or Flux app.
    pub managed: Option<Managed>,
    /// `pod` → its containers.
    pub pods: Vec<AppPod>,
    pub pod: usize,
    pub container: usize,
    pub previous: bool,
    pub follow: bool,
    pub wrap: bool,
    pub timestamps: bool,
    pub tail: i64,
    pub lines: Vec<String>,
    pub search: Option<String>,
    pub error: Option<String>,
    pub pending: Pending,
    /// Lines from the bottom (0 = the newest at the bottom).
    pub scroll: usize,
}

impl LogsView {
    pub fn selected_pod(&self) -> Option<&AppPod> {
        self.pods.get(self.pod)
    }

    pub fn pod_name(&self) -> Option<&str> {
        self.selected_pod().map(|p| p.name.as_str())
    }

    pub fn container_name(&self) -> Option<&str> {
        self.pods
            .get(self.pod)
            .and_then(|p| p.containers.get(self.container))
            .map(String::as_str)
    }
}

/// One Kubernetes event of the app's namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    pub age: String,
    pub kind: String,
    pub object: String,
    pub reason: String,
    pub message: String,
    pub warning: bool,
}

#[derive(Clone, Debug, Default)]
pub struct EventsView {
    pub app: Option<AppName>,
    /// Set when the app is an Argo CD or Flux app.
    pub managed: Option<Managed>,
    pub rows: Vec<EventRow>,
    pub error: Option<String>,
    pub pending: Pending,
    pub selected: usize,
}

/// One Git source, as the last read found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoRow {
    pub name: String,
    /// The local path, or the URL with any credentials redacted.
    pub location: String,
    /// The branch followed (`HEAD` when the config names none).
    pub branch: String,
    /// The commit the branch points at, or why it could not be read.
    pub head: Result<CommitInfo, String>,
    /// How many configured apps come from it.
    pub apps: usize,
    pub remote: bool,
}

/// The repos screen, and what repository polling knows.
#[derive(Clone, Debug, Default)]
pub struct ReposView {
    pub rows: Vec<RepoRow>,
    pub pending: Pending,
    pub selected: usize,
    /// When the sources were last read, and remote ones last fetched.
    pub read_at: Option<Timestamp>,
    pub fetched_at: Option<Timestamp>,
    /// A branch moved while an observation was out: observe again once it is in.
    pub reobserve: bool,
}

/// Automated syncs of one app in a row that left it still due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AutoSynced {
    pub at: Timestamp,
    pub attempts: u32,
}

/// One app's ledger as read from its cluster, with the commit time of every
/// revision it names that Git knows.
#[derive(Clone, Debug)]
pub struct AppLedger {
    pub app: AppName,
    /// The name the apps table shows (`web`, `argocd:shop`).
    pub label: String,
    /// Oldest first, as the ledger keeps them; or why it could not be read.
    pub entries: Result<Vec<LedgerEntry>, String>,
    pub commit_times: HashMap<String, Timestamp>,
}

/// The activity screen: every app's ledger and figures.
#[derive(Clone, Debug, Default)]
pub struct ActivityView {
    /// The configured apps in the configuration's order, then the Argo CD and Flux
    /// apps in the apps table's.
    pub ledgers: Vec<AppLedger>,
    pub pending: Pending,
    pub selected: usize,
    pub read_at: Option<Timestamp>,
    /// Lines the selected app's ledger is scrolled by.
    pub scroll: usize,
}

/// A planned action waiting for a yes.
#[derive(Clone, Debug)]
pub struct Confirm {
    pub action: Action,
    /// The plan: where, what changes. Empty while it is computed.
    pub plan: Vec<String>,
    pub pending: Pending,
    pub error: Option<String>,
}

/// The rollback form: the commit, the preview, the mode and the reason.
#[derive(Clone, Debug)]
pub struct RollbackForm {
    pub app: AppName,
    pub to: String,
    pub subject: String,
    pub pin: bool,
    pub reason: TextArea<'static>,
    pub preview: Vec<String>,
    pub pending: Pending,
    pub error: Option<String>,
}

/// An Argo CD or Flux action's form: its plan, its options (toggled with ctrl
/// keys, so that letters go to the reason) and the reason.
#[derive(Clone, Debug)]
pub struct EngineForm {
    /// Always an [`Action::Engine`].
    pub action: Action,
    /// The app screen's selected resource, which `ctrl-o` syncs alone (Argo CD).
    pub selected: Option<crate::model::ResourceKey>,
    pub reason: TextArea<'static>,
    /// A rollback wants one.
    pub reason_required: bool,
    /// A HelmRelease's rollback: the chart versions of its history other than the
    /// live one, newest first, which `ctrl-v` steps through.
    pub versions: Vec<String>,
    pub plan: Vec<String>,
    /// The plan's own title, once planned (the form's until then).
    pub planned_title: Option<String>,
    pub pending: Pending,
    pub error: Option<String>,
}

/// A line of text the user types: `:` commands and the `/` filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prompt {
    Command,
    Filter,
    Search,
}

/// What sits over the screen and takes the keys first.
#[derive(Clone, Debug)]
pub enum Modal {
    Help,
    Confirm(Box<Confirm>),
    Rollback(Box<RollbackForm>),
    Engine(Box<EngineForm>),
    Input { prompt: Prompt, text: String },
}

/// An action under way: shown in the header until its answer comes.
#[derive(Clone, Debug)]
pub struct Running {
    pub id: u64,
    pub app: AppName,
    pub title: String,
    pub since: Timestamp,
    /// Started by native automation, not by a person.
    pub automated: bool,
}

/// Routine news (automated syncs starting and succeeding, Git moving) does not push
/// the outcome of a person's action off the status line at once: it waits `until`,
/// in `news` (oldest first; newer news of the same subject replaces older).
#[derive(Clone, Debug, Default)]
pub struct KeptOutcome {
    pub until: Option<Timestamp>,
    /// `(subject, message)`: an app's name for its automated syncs, "git" for Git
    /// moving.
    pub news: Vec<(String, String)>,
}

#[derive(Clone, Debug, Default)]
pub struct Model {
    pub apps: Vec<AppRow>,
    /// Index into `apps` of the selected app (among those the filter shows).
    pub selected: usize,
    /// The `/` filter on app names (fuzzy: its letters in order).
    pub filter: String,
    pub focus: Pane,
    pub screens: Vec<Screen>,
    pub history: History,
    pub app_view: AppView,
    pub diff: DiffView,
    pub logs: LogsView,
    pub events: EventsView,
    pub repos: ReposView,
    pub activity: ActivityView,
    pub modal: Option<Modal>,
    pub running: Vec<Running>,
    pub next_action: u64,
    /// Automation's syncs of each app still due: when the last started and how
    /// many in a row (see `engine::automation::pause_after`).
    pub auto_synced: HashMap<AppName, AutoSynced>,
    /// The observation whose answer is awaited; older answers are dropped.
    pub observation: Pending,
    /// The context(s) the apps run in, for the header.
    pub contexts: String,
    /// The kubeconfig's contexts, and the one chosen for every app.
    pub kube: KubeContexts,
    /// The keys in effect (the table with the user's rebindings), and what was
    /// wrong with the rebindings.
    pub keymap: Keymap,
    pub keymap_problems: Vec<String>,
    pub read_only: bool,
    pub quit: bool,
    /// The clock, set by ticks (views never read the wall clock).
    pub now: Option<Timestamp>,
    /// A message for the status line, and whether it reports a failure.
    pub status: Option<(String, bool)>,
    /// The outcome of a person's action, kept in the status line for a while
    /// against routine news.
    pub kept: KeptOutcome,
    /// When the last observation came in.
    pub observed_at: Option<Timestamp>,
    /// The Argo CD and Flux apps' discovery.
    pub discovery: Discovery,
}

/// The search for Argo CD and Flux apps in every context the cockpit uses.
#[derive(Clone, Debug, Default)]
pub struct Discovery {
    pub pending: Pending,
    /// When the last answer came in.
    pub at: Option<Timestamp>,
    /// What could not be read, per context (a refused list, an unreachable
    /// cluster), one line each.
    pub problems: Vec<String>,
}

/// The kubeconfig's contexts and the one every app is sent to, if chosen.
#[derive(Clone, Debug, Default)]
pub struct KubeContexts {
    /// Every context the kubeconfig names.
    pub known: Vec<String>,
    /// The kubeconfig's current context.
    pub current: Option<String>,
    /// `--context` or `:ctx NAME`: every app's context instead of its own.
    pub chosen: Option<String>,
}

impl KubeContexts {
    /// Whether an app whose own context is `own` is sent to another one by
    /// `:ctx` or `--context`.
    pub fn sends_away(&self, own: Option<&str>) -> bool {
        self.chosen
            .as_deref()
            .is_some_and(|chosen| own.unwrap_or(self.current.as_deref().unwrap_or("")) != chosen)
    }

    /// The context an app whose own destination context is `own` runs in, by name.
    pub fn of(&self, own: Option<&str>) -> String {
        self.chosen
            .as_deref()
            .or(own)
            .or(self.current.as_deref())
            .unwrap_or("(current)")
            .to_owned()
    }
}

impl Model {
    /// Names each app's context, and the header's list, after the chosen context
    /// changed.
    pub fn name_contexts(&mut self) {
        for app in &mut self.apps {
            app.context = self.kube.of(app.own_context.as_deref());
        }
        let names: std::collections::BTreeSet<&str> =
            self.apps.iter().map(|a| a.context.as_str()).collect();
        self.contexts = names.into_iter().collect::<Vec<_>>().join(", ");
    }

    pub fn screen(&self) -> Screen {
        self.screens.last().copied().unwrap_or_default()
    }

    /// The apps the filter lets through, as indices into `apps`.
    pub fn visible(&self) -> Vec<usize> {
        (0..self.apps.len())
            .filter(|&i| fuzzy(&self.filter, self.apps[i].name.as_str()))
            .collect()
    }

    pub fn selected_app(&self) -> Option<&AppRow> {
        self.apps.get(self.selected)
    }

    pub fn selected_resource(&self) -> Option<&ResourceRow> {
        self.selected_app()?.resources.get(self.app_view.selected)
    }

    pub fn selected_commit(&self) -> Option<&Marked> {
        self.history.commits.get(self.history.selected)
    }
}

/// Whether `needle`'s letters appear in `hay` in order, ignoring case (`pmt`
/// matches `payments`).
pub fn fuzzy(needle: &str, hay: &str) -> bool {
    let mut hay = hay.chars().flat_map(char::to_lowercase);
    needle
        .chars()
        .flat_map(char::to_lowercase)
        .all(|c| hay.any(|h| h == c))
}
