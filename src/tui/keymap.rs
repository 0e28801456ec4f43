//! The one keymap table: each command, the keys that run it, and the words the
//! footer and the help screen show for it. Dispatch, footer and help read this
//! table only, so they cannot disagree.

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
    Sync,
    SyncPrune,
    Rollback,
    Unpin,
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
        Some("activity"),
        "activity: every app's ledger and deploy figures",
    ),
    bind(
        Command::Sync,
        &[key('s')],
        &[Overview, App, Diff],
        Some("sync"),
        "sync the app to Git (plan first, then asks)",
    ),
    bind(
        Command::SyncPrune,
        &[key('S')],
        &[Overview, App, Diff],
        None,
        "sync and prune what Git no longer has",
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
        "unpin a pinned app",
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
        "command: :apps :logs :events :diff :sync :q",
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

impl Binding {
    pub fn works_on(&self, screen: Screen) -> bool {
        self.on.is_empty() || self.on.contains(&screen)
    }
}

/// The command `event` runs on `screen`, if any.
pub fn command_for(event: &KeyEvent, screen: Screen) -> Option<Command> {
    // Alt-keys are not ours (and an Esc typed just before a key arrives as one).
    if event.modifiers.contains(KeyModifiers::ALT) {
        return None;
    }
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    BINDINGS
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
pub fn hints(screen: Screen) -> Vec<(String, &'static str)> {
    BINDINGS
        .iter()
        .filter(|b| b.works_on(screen))
        .filter_map(|b| Some((label(b.keys.first()?), b.hint?)))
        .collect()
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
        ] {
            let mut seen = Vec::new();
            for binding in BINDINGS.iter().filter(|b| b.works_on(screen)) {
                assert!(!binding.keys.is_empty(), "{:?}", binding.command);
                for key in binding.keys {
                    assert!(!seen.contains(key), "{key:?} bound twice on {screen:?}");
                    seen.push(*key);
                }
            }
        }
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(command_for(&ctrl_c, Screen::App), Some(Command::Quit));
        let c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(command_for(&c, Screen::Overview), None);
        assert_eq!(command_for(&c, Screen::Logs), Some(Command::NextContainer));
        let plus = KeyEvent::new(KeyCode::Char('+'), KeyModifiers::NONE);
        assert_eq!(command_for(&plus, Screen::App), Some(Command::ScaleUp));
        assert_eq!(command_for(&plus, Screen::Logs), Some(Command::MoreLines));
    }

    #[test]
    fn the_footer_shows_what_the_screen_can_do() {
        let overview: Vec<_> = hints(Screen::Overview)
            .into_iter()
            .map(|(_, h)| h)
            .collect();
        assert!(overview.contains(&"sync") && overview.contains(&"rollback"));
        assert!(!overview.contains(&"follow"));
        let logs: Vec<_> = hints(Screen::Logs).into_iter().map(|(_, h)| h).collect();
        assert!(logs.contains(&"follow") && !logs.contains(&"sync"));
    }
}
