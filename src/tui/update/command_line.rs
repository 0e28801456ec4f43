//! The `:` command line: screens by name, an app by name, and the context every
//! app is sent to (`:ctx`).

use super::keys::{
    on_command, open_activity, open_app, open_diff, open_events, open_logs, open_repos, quit,
};
use super::{Effect, load_history, observe, say};
use crate::tui::keymap::Command;
use crate::tui::model::{Model, Seen};

/// The `:` commands that take no argument.
const COMMANDS: &[&str] = &[
    "apps", "repos", "activity", "diff", "logs", "events", "sync", "help", "q",
];

/// The commands that take one.
const WITH_ARGUMENT: &[&str] = &["app NAME", "ctx NAME"];

pub fn run(model: &mut Model, line: &str) -> Vec<Effect> {
    let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
    let rest = rest.trim();
    if !rest.is_empty() && !matches!(word, "app" | "ctx") {
        say(model, format!(":{word} takes no argument"), true);
        return Vec::new();
    }
    match word {
        "" => Vec::new(),
        "q" | "quit" => quit(model),
        "apps" | "overview" => {
            model.screens.clear();
            Vec::new()
        }
        "app" => open_app_named(model, rest),
        "ctx" | "context" if rest.is_empty() => {
            list_contexts(model);
            Vec::new()
        }
        "ctx" | "context" => use_context(model, rest),
        "diff" => open_diff(model),
        "logs" => open_logs(model),
        "events" => open_events(model),
        "repos" => open_repos(model),
        "activity" => open_activity(model),
        "sync" => on_command(model, Command::Sync),
        "help" => on_command(model, Command::Help),
        other => {
            let known: Vec<String> = COMMANDS
                .iter()
                .chain(WITH_ARGUMENT)
                .map(|c| format!(":{c}"))
                .collect();
            say(
                model,
                format!("unknown command :{other} (known: {})", known.join(" ")),
                true,
            );
            Vec::new()
        }
    }
}

fn open_app_named(model: &mut Model, name: &str) -> Vec<Effect> {
    let Some(index) = model.apps.iter().position(|a| a.name.as_str() == name) else {
        say(model, format!("no app named {name:?}"), true);
        return Vec::new();
    };
    model.screens.clear();
    model.filter.clear();
    model.selected = index;
    let mut effects: Vec<Effect> = load_history(model).into_iter().collect();
    effects.extend(open_app(model));
    effects
}

/// `:ctx`: the kubeconfig's contexts, the current one marked.
fn list_contexts(model: &mut Model) {
    if model.kube.known.is_empty() {
        say(model, "the kubeconfig names no context", true);
        return;
    }
    let names: Vec<String> = model
        .kube
        .known
        .iter()
        .map(|name| {
            let mark = if model.kube.current.as_deref() == Some(name) {
                "*"
            } else {
                ""
            };
            format!("{mark}{name}")
        })
        .collect();
    let chosen = match &model.kube.chosen {
        Some(name) => format!("every app on {name}"),
        None => "each app on its own".into(),
    };
    say(
        model,
        format!(
            "contexts: {} ({chosen}; :ctx NAME sends every app to NAME, :ctx - back to their own)",
            names.join(" ")
        ),
        false,
    );
}

/// `:ctx NAME` sends every app to context NAME (as `--context` does); `:ctx -`
/// sends each back to its own. Every app is then read again on new sessions.
fn use_context(model: &mut Model, name: &str) -> Vec<Effect> {
    let chosen = if name == "-" {
        None
    } else if model.kube.known.iter().any(|known| known == name) {
        Some(name.to_owned())
    } else {
        let known = if model.kube.known.is_empty() {
            "the kubeconfig names none".to_owned()
        } else {
            format!("known: {}", model.kube.known.join(", "))
        };
        say(
            model,
            format!("no context {name:?} in the kubeconfig ({known})"),
            true,
        );
        return Vec::new();
    };
    model.kube.chosen = chosen.clone();
    // Argo CD and Flux apps belong to the contexts they were found in: discovery
    // finds those of the new ones.
    model.apps.retain(|row| row.engine_app().is_none());
    model.selected = model.selected.min(model.apps.len().saturating_sub(1));
    model.name_contexts();
    for app in &mut model.apps {
        app.seen = Seen::Loading;
        app.resources.clear();
    }
    // What the other screens show belongs to the clusters left behind.
    model.screens.clear();
    say(
        model,
        match &chosen {
            Some(name) => format!("every app on context {name}: reading them…"),
            None => "each app on its own context: reading them…".to_owned(),
        },
        false,
    );
    let mut effects = vec![
        Effect::UseContext(chosen),
        observe(model, true),
        super::external::discover(model),
    ];
    effects.extend(load_history(model));
    effects
}
