//! The user's rebindings (`keys.yaml` in the user config dir): each command's name
//! with the keys that replace its defaults.
//!
//! ```yaml
//! sync: ctrl-s
//! rollback: [R, ctrl-b]
//! ```
//!
//! Pure: text in, a keymap and a list of problems out. An unknown command, an
//! unreadable key, a command left without a key or two commands sharing a key on
//! one screen are reported; whatever is sound still applies.

use crossterm::event::KeyCode;
use serde_json::Value;

use super::{Command, Key, Keymap};

/// The keymap with the user's rebindings, and what was wrong with them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rebound {
    pub keymap: Keymap,
    pub problems: Vec<String>,
}

/// Applies the rebindings in `text` (YAML) to the default keymap.
pub fn rebind(text: &str) -> Rebound {
    let mut keymap = Keymap::default();
    let mut problems = Vec::new();
    let documents = match crate::yaml::documents(text) {
        Ok(documents) => documents,
        Err(error) => {
            return Rebound {
                keymap,
                problems: vec![format!("not YAML: {error}")],
            };
        }
    };
    let Some(document) = documents.first() else {
        return Rebound { keymap, problems };
    };
    let Value::Object(entries) = &document.value else {
        problems.push("expected a mapping of `command: key` or `command: [key, …]`".into());
        return Rebound { keymap, problems };
    };
    for (name, value) in entries {
        let Some(command) = Command::ALL.iter().find(|c| c.name() == name) else {
            let known: Vec<&str> = Command::ALL.iter().map(|c| c.name()).collect();
            problems.push(format!(
                "unknown command {name:?} (known: {})",
                known.join(", ")
            ));
            continue;
        };
        let written: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        let mut keys = Vec::new();
        for item in written {
            // `7` is a number to YAML and a key to us.
            let text = match item {
                Value::Number(number) => Some(number.to_string()),
                other => other.as_str().map(str::to_owned),
            };
            match text.as_deref().and_then(parse_key) {
                Some(key) => keys.push(key),
                None => problems.push(format!(
                    "{name}: unknown key {} (a character, ctrl-x, or one of {})",
                    item,
                    NAMED.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                )),
            }
        }
        if keys.is_empty() {
            problems.push(format!("{name}: no key left, its defaults stay"));
            continue;
        }
        if let Some(binding) = keymap.bindings.iter_mut().find(|b| b.command == *command) {
            binding.keys = keys;
        }
    }
    problems.extend(keymap.clashes());
    Rebound { keymap, problems }
}

/// Keys with names, as the config writes them.
const NAMED: &[(&str, KeyCode)] = &[
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pgup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
    ("tab", KeyCode::Tab),
    ("esc", KeyCode::Esc),
    ("enter", KeyCode::Enter),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("space", KeyCode::Char(' ')),
];

/// `s`, `S`, `+`, `ctrl-s`, `enter`, `f5`, `ctrl-up`.
fn parse_key(written: &str) -> Option<Key> {
    let (ctrl, rest) = match written
        .strip_prefix("ctrl-")
        .or_else(|| written.strip_prefix("ctrl+"))
    {
        Some(rest) => (true, rest),
        None => (false, written),
    };
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) if !crate::model::text::is_unsafe(c) => KeyCode::Char(c),
        _ => {
            let lower = rest.to_ascii_lowercase();
            match NAMED.iter().find(|(name, _)| *name == lower) {
                Some((_, code)) => *code,
                None => KeyCode::F(
                    lower
                        .strip_prefix('f')?
                        .parse()
                        .ok()
                        .filter(|n| (1..=12).contains(n))?,
                ),
            }
        }
    };
    Some(Key { code, ctrl })
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyEvent, KeyModifiers};

    use super::*;
    use crate::tui::model::Screen;

    fn press(keymap: &Keymap, code: KeyCode, modifiers: KeyModifiers) -> Option<Command> {
        keymap.command_for(&KeyEvent::new(code, modifiers), Screen::Overview)
    }

    #[test]
    fn rebinding_replaces_a_commands_keys_everywhere_it_is_read() {
        let rebound = rebind("sync: ctrl-s\nrollback: [B, ctrl-b]\nhelp: f1\n");
        assert_eq!(rebound.problems, Vec::<String>::new());
        let keymap = &rebound.keymap;
        let ctrl = KeyModifiers::CONTROL;
        let none = KeyModifiers::NONE;
        assert_eq!(press(keymap, KeyCode::Char('s'), ctrl), Some(Command::Sync));
        assert_eq!(press(keymap, KeyCode::Char('s'), none), None);
        assert_eq!(
            press(keymap, KeyCode::Char('B'), none),
            Some(Command::Rollback)
        );
        assert_eq!(
            press(keymap, KeyCode::Char('b'), ctrl),
            Some(Command::Rollback)
        );
        assert_eq!(press(keymap, KeyCode::Char('R'), none), None);
        assert_eq!(press(keymap, KeyCode::F(1), none), Some(Command::Help));
        // Footer and help read the same keymap.
        let hints = keymap.hints(Screen::Overview);
        assert!(hints.contains(&("ctrl-s".to_owned(), "sync")), "{hints:?}");
        assert_eq!(keymap.key_of(Command::Help), "F1");
    }

    #[test]
    fn unknown_names_bad_keys_and_clashes_are_reported_and_the_rest_applies() {
        let rebound =
            rebind("synk: s\nsync: [ctrl-s, hyper-x]\nlogs: []\ndiff: j\nquit: {a: b}\ntop: 7\n");
        let problems = rebound.problems.join("\n");
        assert!(
            problems.contains("unknown command \"synk\" (known: up, down"),
            "{problems}"
        );
        assert!(
            problems.contains("sync: unknown key \"hyper-x\""),
            "{problems}"
        );
        assert!(
            problems.contains("quit: unknown key {\"a\":\"b\"}"),
            "{problems}"
        );
        assert!(problems.contains("quit: no key left"), "{problems}");
        assert!(problems.contains("logs: no key left"), "{problems}");
        assert!(
            problems.contains("j runs both down and diff (only down is reached)"),
            "{problems}"
        );
        assert_eq!(rebound.problems.len(), 6, "{problems}");
        let keymap = &rebound.keymap;
        let ctrl = KeyModifiers::CONTROL;
        assert_eq!(press(keymap, KeyCode::Char('s'), ctrl), Some(Command::Sync));
        let none = KeyModifiers::NONE;
        assert_eq!(press(keymap, KeyCode::Char('l'), none), Some(Command::Logs));
        assert_eq!(press(keymap, KeyCode::Char('7'), none), Some(Command::Top));
    }

    #[test]
    fn a_file_that_is_not_a_mapping_changes_nothing() {
        for text in ["- sync\n", "sync: [\n", "just words\n"] {
            let rebound = rebind(text);
            assert_eq!(rebound.keymap, Keymap::default(), "{text}");
            assert_eq!(rebound.problems.len(), 1, "{text}: {:?}", rebound.problems);
        }
        assert_eq!(rebind(""), Rebound::default());
    }
}
