//! The start screen: a header (contexts, counts, clock, read-only), the apps table
//! and, beside it, the Git history of the selected app's path with deploy markers;
//! under them the selected app's drift summary, then the status line and the key
//! hints (from the keymap).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};

use super::{Hit, Theme, short, window};
use crate::engine::deploys::Marked;
use crate::model::text;
use crate::tui::model::{Model, Pane, Seen};

/// Where the overview's parts are in its `area`: apps, history, drift summary.
fn layout(area: Rect) -> [Rect; 3] {
    let [body, summary] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(2)]).areas(area);
    let [apps, history] = Layout::horizontal(if is_wide(body) {
        [Constraint::Percentage(55), Constraint::Percentage(45)]
    } else {
        [Constraint::Percentage(56), Constraint::Percentage(44)]
    })
    .areas(body);
    [apps, history, summary]
}

fn is_wide(area: Rect) -> bool {
    area.width >= 120
}

/// Lines of app rows in the apps pane (borders and header off).
fn app_lines(apps: Rect) -> usize {
    usize::from(apps.height.saturating_sub(3))
}

/// Lines of commits in the history pane (borders off).
fn commit_lines(history: Rect) -> usize {
    usize::from(history.height.saturating_sub(2))
}

/// What a click at (`column`, `row`) in the overview's `area` lands on.
pub fn hit(model: &Model, area: Rect, column: u16, row: u16) -> Option<Hit> {
    let [apps, history, _] = layout(area);
    let at = ratatui::layout::Position::new(column, row);
    if apps.contains(at) {
        let line = usize::from(row.checked_sub(apps.y + 2)?);
        let visible = model.visible();
        let selected = visible
            .iter()
            .position(|&i| i == model.selected)
            .unwrap_or(0);
        let shown = window(visible.len(), selected, app_lines(apps));
        let index = shown.start + line;
        return (index < shown.end).then(|| Hit::App(visible[index]));
    }
    if history.contains(at) {
        let line = usize::from(row.checked_sub(history.y + 1)?);
        let commits = model.history.commits.len();
        let shown = window(commits, model.history.selected, commit_lines(history));
        let index = shown.start + line;
        return (index < shown.end).then_some(Hit::Commit(index));
    }
    None
}

pub fn render(model: &Model, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let [apps, history, summary] = layout(area);
    let wide = is_wide(apps.union(history));
    render_apps(model, theme, frame, apps, wide);
    render_history(model, theme, frame, history);
    frame.render_widget(Paragraph::new(summary_lines(model, theme)), summary);
}

fn render_apps(model: &Model, theme: &Theme, frame: &mut Frame<'_>, area: Rect, wide: bool) {
    let focused = model.focus == Pane::Apps;
    let mut header = vec!["APP", "SYNC", "HEALTH", "LIVE"];
    if wide {
        header.extend(["DESIRED", "LAST SYNC", "REPO/PATH"]);
    }
    let visible = model.visible();
    // Only the rows that fit are built: a table of thousands costs a frame nothing.
    let selected = visible.iter().position(|&i| i == model.selected);
    let shown = window(visible.len(), selected.unwrap_or(0), app_lines(area));
    let rows = visible[shown.clone()].iter().map(|&index| {
        let row = &model.apps[index];
        let (sync, health, live) = match &row.seen {
            Seen::Loading => (
                Cell::from(Span::styled("…", theme.dim())),
                Cell::from(""),
                Cell::from(""),
            ),
            Seen::Error(error) => (
                Cell::from(Span::styled("Unknown", theme.error())),
                Cell::from(Span::styled(
                    text::one_line(error).into_owned(),
                    theme.error(),
                )),
                Cell::from(""),
            ),
            Seen::Engine(engine_app) => {
                let [sync, health, live] = super::engine::status_cells(engine_app, theme);
                (sync, health, live)
            }
            Seen::Status(status) => (
                Cell::from(Span::styled(
                    if wide {
                        sync_text(status)
                    } else {
                        status.sync.as_str().to_owned()
                    },
                    theme.sync(status.sync),
                )),
                Cell::from(Span::styled(
                    status.health.label().to_owned(),
                    theme.health(status.health),
                )),
                Cell::from(match (&status.pinned, &status.live_revision) {
                    (Some(pin), _) => format!("{} pin", short(pin)),
                    (None, Some(live)) => short(live).to_owned(),
                    (None, None) => "-".into(),
                }),
            ),
        };
        let mut cells = vec![
            Cell::from(text::one_line(&row.label()).into_owned()),
            sync,
            health,
            live,
        ];
        if wide {
            cells.push(Cell::from(match &row.desired {
                Ok(revision) if row.engine_app().is_some() => {
                    text::one_line(&super::engine::short_revision(revision)).into_owned()
                }
                Ok(revision) => text::one_line(revision).into_owned(),
                Err(error) => text::one_line(error).into_owned(),
            }));
            cells.push(Cell::from(match &row.seen {
                Seen::Status(status) => status
                    .last_operation
                    .as_ref()
                    .zip(model.now)
                    .map(|(op, now)| text::age(now, op.finished.unwrap_or(op.started)))
                    .unwrap_or_else(|| "-".into()),
                Seen::Engine(engine_app) => super::engine::last_sync(model, &engine_app.app),
                _ => String::new(),
            }));
            cells.push(Cell::from(format!(
                "{}/{}",
                text::one_line(&row.repo),
                text::one_line(&row.path)
            )));
        }
        Row::new(cells)
    });
    let widths: Vec<Constraint> = if wide {
        vec![
            Constraint::Length(12),
            Constraint::Length(15),
            Constraint::Length(12),
            Constraint::Length(11),
            Constraint::Length(8),
            Constraint::Length(10),
            Constraint::Fill(1),
        ]
    } else {
        vec![
            Constraint::Length(10),
            Constraint::Fill(1),
            Constraint::Length(11),
            Constraint::Length(8),
        ]
    };
    let title = if model.filter.is_empty() {
        " apps ".to_owned()
    } else {
        format!(
            " apps /{} ({} of {}) ",
            text::one_line(&model.filter),
            visible.len(),
            model.apps.len()
        )
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.dim()))
        .row_highlight_style(theme.selected(focused))
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(title, theme.title(focused))),
        );
    let mut state =
        TableState::default().with_selected(selected.map(|s| s.saturating_sub(shown.start)));
    frame.render_stateful_widget(table, area, &mut state);
}

fn render_history(model: &Model, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let focused = model.focus == Pane::History;
    let app = model
        .history
        .app
        .as_ref()
        .map(|a| {
            let label = model
                .apps
                .iter()
                .find(|row| &row.name == a)
                .map_or_else(|| a.to_string(), |row| row.label());
            text::one_line(&label).into_owned()
        })
        .unwrap_or_default();
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" history: {app} "),
        theme.title(focused),
    ));
    if let Some(error) = &model.history.error {
        let message = Paragraph::new(Line::styled(
            text::one_line(error).into_owned(),
            theme.error(),
        ))
        .block(block);
        frame.render_widget(message, area);
        return;
    }
    if model.history.pending.loading && model.history.commits.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled("loading…", theme.dim())).block(block),
            area,
        );
        return;
    }
    // The author when there is room for it.
    let authors = area.width >= 72;
    let shown = window(
        model.history.commits.len(),
        model.history.selected,
        commit_lines(area),
    );
    let rows = model.history.commits[shown.clone()].iter().map(|commit| {
        let mut cells = vec![
            Cell::from(commit.commit.id.short().to_owned()),
            Cell::from(Span::styled(age(model, commit), theme.dim())),
            Cell::from(Span::styled(markers(commit), theme.marker())),
        ];
        if authors {
            cells.push(Cell::from(Span::styled(
                text::one_line(&commit.commit.author_name).into_owned(),
                theme.dim(),
            )));
        }
        cells.push(Cell::from(
            text::one_line(&commit.commit.subject).into_owned(),
        ));
        Row::new(cells)
    });
    let mut widths = vec![
        Constraint::Length(7),
        Constraint::Length(4),
        Constraint::Length(13),
    ];
    if authors {
        widths.push(Constraint::Length(12));
    }
    widths.push(Constraint::Fill(1));
    let table = Table::new(rows, widths)
        .row_highlight_style(theme.selected(focused))
        .block(block);
    let mut state = TableState::default()
        .with_selected(Some(model.history.selected.saturating_sub(shown.start)));
    frame.render_stateful_widget(table, area, &mut state);
}

/// `HEAD live`, `pending`, `reverted`… in thirteen columns.
fn markers(commit: &Marked) -> String {
    let mut parts = Vec::new();
    if commit.head {
        parts.push("HEAD");
    }
    if commit.live {
        parts.push("live");
    } else if commit.rolled_back.is_some() {
        parts.push("reverted");
    } else if commit.pending {
        parts.push("pending");
    } else if commit.deploys.iter().any(|d| d.succeeded) {
        parts.push("deployed");
    }
    parts.join(" ")
}

fn age(model: &Model, commit: &Marked) -> String {
    model
        .now
        .map(|now| text::age(now, commit.commit.author_time))
        .unwrap_or_default()
}

fn summary_lines(model: &Model, theme: &Theme) -> Vec<Line<'static>> {
    let Some(row) = model.selected_app() else {
        return vec![Line::styled("no apps configured", theme.dim())];
    };
    if let Some(engine_app) = row.engine_app() {
        return super::engine::summary(model, engine_app, theme);
    }
    let place = format!(
        "{} → namespace {}  ({})",
        text::one_line(row.name.as_str()),
        text::one_line(&row.namespace),
        text::one_line(&row.repo)
    );
    let detail = match &row.seen {
        Seen::Loading | Seen::Engine(_) => Line::styled("reading…", theme.dim()),
        Seen::Error(error) => Line::styled(text::one_line(error).into_owned(), theme.error()),
        Seen::Status(status) => {
            let last = status
                .last_operation
                .as_ref()
                .map(|op| format!("  last: {} {}", op.operation.name(), op.outcome.label()))
                .unwrap_or_default();
            Line::from(format!(
                "drift: {} changed, {} missing, {} extra{last}",
                status.out_of_sync, status.missing, status.extra
            ))
        }
    };
    let mut first = vec![Span::raw(place)];
    if let Some((words, style)) = automation_text(model, row, theme) {
        first.push(Span::raw("  "));
        first.push(Span::styled(words, style));
    }
    vec![Line::from(first), detail]
}

/// What automation does for the app, when it has any.
/// What automation does for the app, in a few words (the whole story is in the
/// confirmation `p` opens), when it has any.
fn automation_text(
    model: &Model,
    row: &crate::tui::model::AppRow,
    theme: &Theme,
) -> Option<(String, ratatui::style::Style)> {
    use crate::engine::automation::{Decision, Held, decide};
    if !row.automation.automated {
        return None;
    }
    let held = |why: &str| Some((format!("auto-sync held: {why}"), theme.error()));
    if model.read_only {
        return Some(("auto-sync off (read-only)".into(), theme.dim()));
    }
    if model.kube.sends_away(row.own_context.as_deref()) {
        return held("other context (:ctx)");
    }
    let on = (row.automation.words(), theme.dim());
    let Seen::Status(status) = &row.seen else {
        return Some(on);
    };
    match decide(row.automation, status) {
        Decision::Hold(Held::Suspended { .. }) => {
            Some(("auto-sync suspended (p resumes)".into(), theme.marker()))
        }
        Decision::Hold(Held::Pinned { .. }) => held("pinned"),
        Decision::Hold(Held::Failed { .. }) => held("last sync failed"),
        Decision::Hold(Held::Off) => None,
        Decision::InSync | Decision::Sync(_) => Some(on),
    }
}

fn sync_text(status: &crate::engine::status::AppStatus) -> String {
    let count = status.out_of_sync + status.missing + status.extra;
    if count == 0 {
        status.sync.as_str().to_owned()
    } else {
        format!("{} ({count})", status.sync.as_str())
    }
}
