//! The one keymap table: each command, the keys that run it, and the words the
//! footer and the help screen show for it. Dispatch, footer and help read this
//! table only (as a [`Keymap`], with the user's rebindings applied), so they cannot
//! disagree.

mod user;

pub use user::{Rebound, rebind};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::model::Screen;

/// What a key asks for. What it does can depend on the screen (`/` filters the
/// apps on the overview and searches the logs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Open,
    Back,
    SwitchPane,
    Diff,
    Logs,
    Events,
    Activity,
    Automation,
    Sync,
    SyncPrune,
    Rollback,
    Unpin,
    EngineRefresh,
    Terminate,
    Refresh,
    HardRefresh,
    SideBySide,
    Restart,
    ScaleUp,
    ScaleDown,
    Follow,
    Previous,
    Wrap,
    Timestamps,
    NextPod,
    NextContainer,
    MoreLines,
    FewerLines,
    DeletePod,
    Filter,
    CommandMode,
    Help,
    Quit,
}

impl Command {
    /// Every command, in the table's words (for rebinding).
    pub const ALL: &[Command] = &[
        Command::Up,
        Command::Down,
        Command::Top,
        Command::Bottom,
        Command::PageUp,
        Command::PageDown,
        Command::Open,
        Command::Back,
        Command::SwitchPane,
        Command::Diff,
        Command::Logs,
        Command::Events,
        Command::Activity,
        Command::Automation,
        Command::Sync,
        Command::SyncPrune,
        Command::Rollback,
        Command::Unpin,
        Command::EngineRefresh,
        Command::Terminate,
        Command::Refresh,
        Command::HardRefresh,
        Command::SideBySide,
        Command::Restart,
        Command::ScaleUp,
        Command::ScaleDown,
        Command::Follow,
        Command::Previous,
        Command::Wrap,
        Command::Timestamps,
        Command::NextPod,
        Command::NextContainer,
        Command::MoreLines,
        Command::FewerLines,
        Command::DeletePod,
        Command::Filter,
        Command::CommandMode,
        Command::Help,
        Command::Quit,
    ];

    /// The name the user config knows the command by.
    pub fn name(self) -> &'static str {
        match self {
            Command::Up => "up",
            Command::Down => "down",
            Command::Top => "top",
            Command::Bottom => "bottom",
            Command::PageUp => "page-up",
            Command::PageDown => "page-down",
            Command::Open => "open",
            Command::Back => "back",
            Command::SwitchPane => "switch-pane",
            Command::Diff => "diff",
            Command::Logs => "logs",
            Command::Events => "events",
            Command::Activity => "activity",
            Command::Automation => "automation",
            Command::Sync => "sync",
            Command::SyncPrune => "sync-prune",
            Command::Rollback => "rollback",
            Command::Unpin => "unpin",
            Command::EngineRefresh => "engine-refresh",
            Command::Terminate => "terminate",
            Command::Refresh => "refresh",
            Command::HardRefresh => "hard-refresh",
            Command::SideBySide => "side-by-side",
            Command::Restart => "restart",
            Command::ScaleUp => "scale-up",
            Command::ScaleDown => "scale-down",
            Command::Follow => "follow",
            Command::Previous => "previous",
            Command::Wrap => "wrap",
            Command::Timestamps => "timestamps",
            Command::NextPod => "next-pod",
            Command::NextContainer => "next-container",
            Command::MoreLines => "more-lines",
            Command::FewerLines => "fewer-lines",
            Command::DeletePod => "delete-pod",
            Command::Filter => "filter",
            Command::CommandMode => "command-mode",
            Command::Help => "help",
            Command::Quit => "quit",
        }
    }
}

/// A key as the table writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn key(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn special(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

/// One row of the table.
pub struct Binding {
    pub command: Command,
    pub keys: &'static [Key],
    /// The screens it works on; empty: every screen.
    pub on: &'static [Screen],
    /// Short, for the footer; `None` keeps it out of the footer.
    pub hint: Option<&'static str>,
    /// For the help screen.
    pub help: &'static str,
}

use Screen::{Activity, App, Diff, Events, Logs, Overview, Repos};

const fn bind(
    command: Command,
    keys: &'static [Key],
    on: &'static [Screen],
    hint: Option<&'static str>,
    help: &'static str,
) -> Binding {
    Binding {
        command,
        keys,
        on,
        hint,
        help,
    }
}

pub const BINDINGS: &[Binding] = &[
    bind(
        Command::Up,
        &[key('k'), special(KeyCode::Up)],
        &[],
        None,
        "move up",
    ),
    bind(
        Command::Down,
        &[key('j'), special(KeyCode::Down)],
        &[],
        None,
        "move down",
    ),
    bind(
        Command::Top,
        &[key('g'), special(KeyCode::Home)],
        &[],
        None,
        "first row",
    ),
    bind(
        Command::Bottom,
        &[key('G'), special(KeyCode::End)],
        &[],
        None,
        "last row",
    ),
    bind(
        Command::PageUp,
        &[special(KeyCode::PageUp)],
        &[],
        None,
        "page up",
    ),
    bind(
        Command::PageDown,
        &[special(KeyCode::PageDown)],
        &[],
        None,
        "page down",
    ),
    bind(
        Command::Open,
        &[special(KeyCode::Enter)],
        &[Overview],
        Some("open"),
        "open the app (on a commit: its diff with live)",
    ),
    bind(
        Command::Back,
        &[special(KeyCode::Esc)],
        &[],
        Some("back"),
        "back, close, cancel",
    ),
    bind(
        Command::SwitchPane,
        &[special(KeyCode::Tab)],
        &[Overview],
        Some("pane"),
        "switch between the apps and the history pane",
    ),
    bind(
        Command::Diff,
        &[key('d')],
        &[Overview, App],
        Some("diff"),
        "whole-app diff, live ↔ Git (on a commit: live ↔ that commit)",
    ),
    bind(
        Command::Logs,
        &[key('l')],
        &[Overview, App],
        Some("logs"),
        "the app's pod logs",
    ),
    bind(
        Command::Events,
        &[key('e')],
        &[Overview, App],
        Some("events"),
        "the app's events",
    ),
    bind(
        Command::Activity,
        &[key('a')],
        &[Overview, App],
        None,
        "activity: every app's ledger and deploy figures",
    ),
    bind(
        Command::Automation,
        &[key('p')],
        &[Overview, App],
        None,
        "suspend/resume automation (Argo CD: auto-sync off/on; Flux: suspend)",
    ),
    bind(
        Command::Sync,
        &[key('s')],
        &[Overview, App, Diff],
        Some("sync"),
        "sync (Argo CD: a sync operation; Flux: reconcile); plan, then asks",
    ),
    bind(
        Command::SyncPrune,
        &[key('S')],
        &[Overview, App, Diff],
        None,
        "sync and prune what Git no longer has (Flux: reconcile the source too)",
    ),
    bind(
        Command::Rollback,
        &[key('R')],
        &[Overview, Diff],
        Some("rollback"),
        "roll back to the selected commit (preview, reason, confirm)",
    ),
    bind(
        Command::Unpin,
        &[key('u')],
        &[Overview, App],
        None,
        "unpin a pinned app (Flux: undo a rollback's pin and resume)",
    ),
    bind(
        Command::EngineRefresh,
        &[key('F')],
        &[Overview, App],
        None,
        "Argo CD: refresh (ctrl-f in the form: hard); Flux: reconcile with its source",
    ),
    bind(
        Command::Terminate,
        &[key('X')],
        &[Overview, App],
        None,
        "Argo CD: terminate the running operation",
    ),
    bind(
        Command::Refresh,
        &[key('r')],
        &[Overview, App, Diff, Events, Repos, Activity],
        Some("refresh"),
        "read again (live state, drift, ledger)",
    ),
    bind(
        Command::HardRefresh,
        &[ctrl('r')],
        &[Overview, App, Diff, Events, Repos],
        None,
        "fetch remote repositories, render and read again",
    ),
    bind(
        Command::SideBySide,
        &[key('t')],
        &[App, Diff],
        Some("side by side"),
        "unified or side-by-side diff",
    ),
    bind(
        Command::Restart,
        &[key('x')],
        &[App],
        Some("restart"),
        "restart the selected workload (rollout restart)",
    ),
    bind(
        Command::ScaleUp,
        &[key('+')],
        &[App],
        Some("scale"),
        "one replica more",
    ),
    bind(
        Command::ScaleDown,
        &[key('-')],
        &[App],
        None,
        "one replica fewer",
    ),
    bind(
        Command::Follow,
        &[key('f')],
        &[Logs],
        Some("follow"),
        "follow new lines",
    ),
    bind(
        Command::Previous,
        &[key('p')],
        &[Logs],
        Some("previous"),
        "the previous container instance (after a crash)",
    ),
    bind(
        Command::Wrap,
        &[key('w')],
        &[Logs],
        Some("wrap"),
        "wrap long lines",
    ),
    bind(
        Command::Timestamps,
        &[key('t')],
        &[Logs],
        None,
        "show timestamps",
    ),
    bind(
        Command::NextPod,
        &[key('o')],
        &[Logs],
        Some("pod"),
        "next pod",
    ),
    bind(
        Command::NextContainer,
        &[key('c')],
        &[Logs],
        Some("container"),
        "next container",
    ),
    bind(
        Command::MoreLines,
        &[key('+')],
        &[Logs],
        None,
        "read more lines (tail ×2)",
    ),
    bind(
        Command::FewerLines,
        &[key('-')],
        &[Logs],
        None,
        "read fewer lines (tail ÷2)",
    ),
    bind(
        Command::DeletePod,
        &[ctrl('d')],
        &[Logs],
        None,
        "delete the pod shown",
    ),
    bind(
        Command::Filter,
        &[key('/')],
        &[Overview, Logs],
        Some("filter"),
        "filter apps (fuzzy); in logs: search",
    ),
    bind(
        Command::CommandMode,
        &[key(':')],
        &[],
        None,
        "command: :apps :repos :activity :ctx [NAME] :app NAME :diff :logs :events :sync :q",
    ),
    bind(
        Command::Help,
        &[key('?')],
        &[],
        Some("help"),
        "show or hide this help",
    ),
    bind(
        Command::Quit,
        &[key('q'), ctrl('c')],
        &[],
        Some("quit"),
        "quit",
    ),
];

/// One command's keys as they are in effect: the table's, or the user's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bound {
    pub command: Command,
    pub keys: Vec<Key>,
    pub on: &'static [Screen],
    pub hint: Option<&'static str>,
    pub help: &'static str,
}

impl Bound {
    pub fn works_on(&self, screen: Screen) -> bool {
        self.on.is_empty() || self.on.contains(&screen)
    }
}

/// The keymap in effect: the table, with the user's rebindings applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Bound>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self {
            bindings: BINDINGS
                .iter()
                .map(|b| Bound {
                    command: b.command,
                    keys: b.keys.to_vec(),
                    on: b.on,
                    hint: b.hint,
                    help: b.help,
                })
                .collect(),
        }
    }
}

impl Keymap {
    pub fn bindings(&self) -> &[Bound] {
        &self.bindings
    }

    /// The command `event` runs on `screen`, if any.
    pub fn command_for(&self, event: &KeyEvent, screen: Screen) -> Option<Command> {
        // Alt-keys are not ours (and an Esc typed just before a key arrives as one).
        if event.modifiers.contains(KeyModifiers::ALT) {
            return None;
        }
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        self.bindings
            .iter()
            .filter(|binding| binding.works_on(screen))
            .find(|binding| {
                binding
                    .keys
                    .iter()
                    .any(|k| k.code == event.code && k.ctrl == ctrl)
            })
            .map(|binding| binding.command)
    }

    /// The footer of `screen`: its hinted commands with their first key.
    pub fn hints(&self, screen: Screen) -> Vec<(String, &'static str)> {
        self.bindings
            .iter()
            .filter(|b| b.works_on(screen))
            .filter_map(|b| Some((label(b.keys.first()?), b.hint?)))
            .collect()
    }

    /// The first key of `command`, as people write it.
    pub fn key_of(&self, command: Command) -> String {
        self.bindings
            .iter()
            .find(|b| b.command == command)
            .and_then(|b| b.keys.first())
            .map(label)
            .unwrap_or_default()
    }

    /// Pairs of commands that share a key on a screen where both work: the first in
    /// the table would win, the second could never be reached by that key.
    pub fn clashes(&self) -> Vec<String> {
        let mut found = Vec::new();
        for (i, first) in self.bindings.iter().enumerate() {
            for second in &self.bindings[i + 1..] {
                let overlap = first.on.is_empty()
                    || second.on.is_empty()
                    || first.on.iter().any(|s| second.on.contains(s));
                for key in first.keys.iter().filter(|k| second.keys.contains(k)) {
                    if overlap {
                        found.push(format!(
                            "{} runs both {} and {} (only {} is reached)",
                            label(key),
                            first.command.name(),
                            second.command.name(),
                            first.command.name()
                        ));
                    }
                }
            }
        }
        found
    }
}

/// How a key is written for people: `j`, `↑`, `Tab`, `ctrl-c`.
pub fn label(key: &Key) -> String {
    let name = match key.code {
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::Backspace => "Backspace".into(),
        KeyCode::Delete => "Del".into(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    if key.ctrl {
        format!("ctrl-{name}")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_runs_one_command_per_screen_and_every_command_has_a_key() {
        for screen in [
            Screen::Overview,
            Screen::App,
            Screen::Diff,
            Screen::Logs,
            Screen::Events,
            Screen::Repos,
            Screen::Activity,
        ] {
            let mut seen = Vec::new();
            let keymap = Keymap::default();
            for binding in keymap.bindings().iter().filter(|b| b.works_on(screen)) {
                assert!(!binding.keys.is_empty(), "{:?}", binding.command);
                for key in &binding.keys {
                    assert!(!seen.contains(key), "{key:?} bound twice on {screen:?}");
                    seen.push(*key);
                }
            }
        }
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            Keymap::default().command_for(&ctrl_c, Screen::App),
            Some(Command::Quit)
        );
        let c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(Keymap::default().command_for(&c, Screen::Overview), None);
        assert_eq!(
            Keymap::default().command_for(&c, Screen::Logs),
            Some(Command::NextContainer)
        );
        let plus = KeyEvent::new(KeyCode::Char('+'), KeyModifiers::NONE);
        assert_eq!(
            Keymap::default().command_for(&plus, Screen::App),
            Some(Command::ScaleUp)
        );
        assert_eq!(
            Keymap::default().command_for(&plus, Screen::Logs),
            Some(Command::MoreLines)
        );
    }

    #[test]
    fn the_table_names_every_command_once_and_has_no_clashes() {
        assert!(Keymap::default().clashes().is_empty());
        for command in Command::ALL {
            let rows = BINDINGS.iter().filter(|b| b.command == *command).count();
            assert_eq!(rows, 1, "{command:?}");
        }
        assert_eq!(Command::ALL.len(), BINDINGS.len());
    }

    #[test]
    fn the_footer_shows_what_the_screen_can_do() {
        let overview: Vec<_> = Keymap::default()
            .hints(Screen::Overview)
            .into_iter()
            .map(|(_, h)| h)
            .collect();
        assert!(overview.contains(&"sync") && overview.contains(&"rollback"));
        assert!(!overview.contains(&"follow"));
        let logs: Vec<_> = Keymap::default()
            .hints(Screen::Logs)
            .into_iter()
            .map(|(_, h)| h)
            .collect();
        assert!(logs.contains(&"follow") && !logs.contains(&"sync"));
    }
}
