//! The frame every screen shares: header, status line, footer.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use crate::model::{HealthStatus, SyncStatus, text};
use crate::tui::keymap::Command;
use crate::tui::model::{Model, Screen, Seen};

fn title(model: &Model) -> String {
    let app = || {
        model
            .selected_app()
            .map(|a| text::one_line(&a.label()).into_owned())
            .unwrap_or_default()
    };
    match model.screen() {
        Screen::Overview => "apps".into(),
        Screen::App => format!("app {}", app()),
        Screen::Diff => match &model.diff.against {
            Some(commit) => format!("diff {} live ↔ {}", app(), super::short(commit)),
            None => format!("diff {} live ↔ Git", app()),
        },
        Screen::Logs => format!("logs {}", app()),
        Screen::Events => format!("events {}", app()),
        Screen::Repos => "repos".into(),
        Screen::Activity => "activity".into(),
    }
}

pub fn header(model: &Model, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let (mut synced, mut drifted, mut degraded, mut unknown) = (0, 0, 0, 0);
    for row in &model.apps {
        match &row.seen {
            Seen::Status(status) => {
                match status.sync {
                    SyncStatus::Synced => synced += 1,
                    _ => drifted += 1,
                }
                if status.health == HealthStatus::Degraded {
                    degraded += 1;
                }
            }
            Seen::Engine(engine_app) => {
                match engine_app.app.sync {
                    Some(SyncStatus::Synced) => synced += 1,
                    Some(_) => drifted += 1,
                    None => unknown += 1,
                }
                if engine_app.app.health.status == HealthStatus::Degraded {
                    degraded += 1;
                }
            }
            Seen::Error(_) => unknown += 1,
            Seen::Loading => {}
        }
    }
    let mut spans = vec![
        Span::styled("driftdeck ", theme.marker()),
        Span::styled(title(model), theme.title(true)),
        Span::raw(format!("  {}  ", text::one_line(&model.contexts))),
        Span::styled(format!("{synced} synced"), theme.sync(SyncStatus::Synced)),
        Span::raw(" "),
        Span::styled(
            format!("{drifted} out of sync"),
            theme.sync(SyncStatus::OutOfSync),
        ),
        Span::raw(" "),
        Span::styled(
            format!("{degraded} degraded"),
            theme.health(HealthStatus::Degraded),
        ),
    ];
    if unknown > 0 {
        spans.push(Span::styled(format!(" {unknown} unknown"), theme.error()));
    }
    if model.read_only {
        spans.push(Span::styled("  READ-ONLY", theme.error()));
    }
    if let Some(now) = model.now {
        spans.push(Span::styled(
            format!("  {}", now.strftime("%H:%M:%S")),
            theme.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn status(model: &Model, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let mut spans = Vec::new();
    for running in &model.running {
        let seconds = model.now.map_or(0, |now| {
            (now.as_second() - running.since.as_second()).max(0)
        });
        spans.push(Span::styled(
            format!("⟳ {} ({seconds}s)  ", text::one_line(&running.title)),
            theme.marker(),
        ));
    }
    match &model.status {
        Some((message, failed)) => spans.push(Span::styled(
            text::one_line(message).into_owned(),
            if *failed {
                theme.error()
            } else {
                Default::default()
            },
        )),
        None if model.observation.loading => {
            spans.push(Span::styled("reading the clusters…", theme.dim()));
        }
        None => {}
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn footer(model: &Model, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    // Help first: on a narrow screen the rest may not fit, help always does.
    let keymap = &model.keymap;
    let mut spans = vec![
        Span::styled(keymap.key_of(Command::Help), theme.marker()),
        Span::raw(" help  "),
        Span::styled(
            format!(
                "{}/{}",
                keymap.key_of(Command::Down),
                keymap.key_of(Command::Up)
            ),
            theme.marker(),
        ),
        Span::raw(" move  "),
    ];
    for (key, hint) in keymap
        .hints(model.screen())
        .into_iter()
        .filter(|(_, h)| *h != "help")
    {
        spans.push(Span::styled(key, theme.marker()));
        spans.push(Span::raw(format!(" {hint}  ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
