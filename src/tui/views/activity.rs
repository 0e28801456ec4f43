//! The activity screen: per app, the deployment figures of the last 30 days
//! (deploys, per week, lead time commit → live, change failure rate, time to
//! restore) over the selected app's ledger, newest first — every sync, rollback
//! and pin with who, why and how it ended.

use jiff::SignedDuration;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

use super::{Theme, short, window};
use crate::model::activity::{Activity, activity};
use crate::model::ledger::{LedgerEntry, Outcome};
use crate::model::text;
use crate::tui::model::{AppLedger, Model};

/// The window the figures cover.
pub const WINDOW_DAYS: i64 = 30;

pub fn render(model: &Model, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let view = &model.activity;
    let read = match (view.read_at, model.now) {
        (Some(at), Some(now)) => format!(" read {} ago ", text::age(now, at)),
        _ => String::new(),
    };
    let title = format!(" activity, last {WINDOW_DAYS} days {read}");
    let block = Block::default().borders(Borders::ALL).title(title);
    let state = (None, view.pending.loading, view.ledgers.is_empty());
    if super::notice(frame, area, block.clone(), state, theme) {
        return;
    }
    // The figures take what they need, up to half; the ledger the rest.
    let wanted = u16::try_from(view.ledgers.len() + 3).unwrap_or(u16::MAX);
    let [figures, ledger] = Layout::vertical([
        Constraint::Length(wanted.min(area.height / 2).max(4)),
        Constraint::Fill(1),
    ])
    .areas(area);
    render_figures(model, theme, frame, figures, block);
    if let Some(selected) = view.ledgers.get(view.selected) {
        render_ledger(model, selected, theme, frame, ledger);
    }
}

fn render_figures(model: &Model, theme: &Theme, frame: &mut Frame<'_>, area: Rect, block: Block) {
    let view = &model.activity;
    let shown = window(
        view.ledgers.len(),
        view.selected,
        usize::from(area.height.saturating_sub(3)),
    );
    let rows = view.ledgers[shown.clone()].iter().map(|ledger| {
        let name = Cell::from(text::one_line(&ledger.label).into_owned());
        match figures_of(model, ledger) {
            Ok(figures) => {
                let mut cells = figure_cells(name, &figures, theme);
                cells.push(last_cell(model, ledger, theme));
                Row::new(cells)
            }
            Err(error) => {
                let mut cells = vec![name];
                cells.extend((0..5).map(|_| Cell::from(Span::styled("?", theme.dim()))));
                cells.push(Cell::from(Span::styled(
                    text::one_line(error).into_owned(),
                    theme.error(),
                )));
                Row::new(cells)
            }
        }
    });
    let longest = view.ledgers.iter().map(|l| l.label.chars().count());
    let name_width = longest.max().unwrap_or(0).clamp(8, 32) as u16;
    let widths = [
        Constraint::Length(name_width),
        Constraint::Length(7),
        Constraint::Length(6),
        Constraint::Length(9),
        Constraint::Length(9),
        Constraint::Length(9),
        Constraint::Fill(1),
    ];
    let header = [
        "APP",
        "DEPLOYS",
        "/WEEK",
        "LEAD TIME",
        "FAILED",
        "RESTORE",
        "LAST",
    ];
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.dim()))
        .row_highlight_style(theme.selected(true))
        .block(block);
    let mut state =
        TableState::default().with_selected(Some(view.selected.saturating_sub(shown.start)));
    frame.render_stateful_widget(table, area, &mut state);
}

/// The app's figures now, or why its ledger could not be read.
fn figures_of<'a>(model: &Model, ledger: &'a AppLedger) -> Result<Activity, &'a String> {
    let entries = ledger.entries.as_ref()?;
    let now = model.now.unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    Ok(activity(
        entries,
        |revision| ledger.commit_times.get(revision).copied(),
        now,
        SignedDuration::from_hours(WINDOW_DAYS * 24),
    ))
}

/// The app's latest operation: what, how it ended, how long ago.
fn last_cell<'a>(model: &Model, ledger: &AppLedger, theme: &Theme) -> Cell<'a> {
    let Some(last) = ledger.entries.as_ref().ok().and_then(|e| e.last()) else {
        return Cell::from(Span::styled("never deployed", theme.dim()));
    };
    let (result, style) = outcome(&last.outcome, theme);
    let ago = model
        .now
        .map(|now| {
            format!(
                " {} ago",
                text::age(now, last.finished.unwrap_or(last.started))
            )
        })
        .unwrap_or_default();
    Cell::from(Span::styled(
        format!(
            "{} {} {result}{ago}",
            last.operation.name(),
            text::one_line(short(&last.revision))
        ),
        style,
    ))
}

fn outcome(outcome: &Outcome, theme: &Theme) -> (&'static str, ratatui::style::Style) {
    match outcome {
        Outcome::Running => ("running", theme.dim()),
        Outcome::Succeeded => ("ok", Default::default()),
        Outcome::Failed { .. } => ("failed", theme.error()),
        Outcome::TimedOut { .. } => ("timed out", theme.error()),
    }
}

fn figure_cells<'a>(name: Cell<'a>, figures: &Activity, theme: &Theme) -> Vec<Cell<'a>> {
    let none = || Cell::from(Span::styled("-", theme.dim()));
    let duration =
        |d: Option<SignedDuration>| d.map_or_else(none, |d| Cell::from(text::duration(d)));
    let failed = match figures.change_failure_rate {
        Some(rate) => {
            let cell = format!(
                "{:.0}% {}/{}",
                rate * 100.0,
                figures.failures,
                figures.attempts
            );
            let style = if figures.failures > 0 {
                theme.error()
            } else {
                Default::default()
            };
            Cell::from(Span::styled(cell, style))
        }
        None => none(),
    };
    let restore = if figures.unrestored > 0 {
        Cell::from(Span::styled("not yet", theme.error()))
    } else {
        duration(figures.time_to_restore)
    };
    vec![
        name,
        Cell::from(figures.deploys.to_string()),
        Cell::from(format!("{:.1}", figures.deploys_per_week)),
        duration(figures.lead_time),
        failed,
        restore,
    ]
}

/// The selected app's ledger, newest first: one line per entry, and below it,
/// wrapped in full, what it restored, why, and how it failed. PgUp/PgDn scroll.
fn render_ledger(
    model: &Model,
    ledger: &AppLedger,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    let block = Block::default().borders(Borders::ALL).title(format!(
        " ledger of {} (PgUp/PgDn) ",
        text::one_line(&ledger.label)
    ));
    let (entries, error) = match &ledger.entries {
        Ok(entries) => (entries.as_slice(), None),
        Err(error) => (&[][..], Some(error)),
    };
    let state = (error, false, entries.is_empty());
    if super::notice(frame, area, block.clone(), state, theme) {
        return;
    }
    let mut lines = vec![Line::styled(
        format!(
            "{:<5} {:<8} {:<7} {:<7} WHO  (below: restored, why, error)",
            "WHEN", "WHAT", "COMMIT", "RESULT"
        ),
        theme.dim(),
    )];
    for entry in entries.iter().rev() {
        lines.extend(entry_lines(model, entry, theme));
    }
    let scroll = u16::try_from(model.activity.scroll).unwrap_or(u16::MAX);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(block),
        area,
    );
}

/// An entry's line, then what it says (restored commit, reason, failure), indented.
fn entry_lines<'a>(model: &Model, entry: &LedgerEntry, theme: &Theme) -> Vec<Line<'a>> {
    let when = model
        .now
        .map(|now| text::age(now, entry.finished.unwrap_or(entry.started)))
        .unwrap_or_default();
    let (result, style) = outcome(&entry.outcome, theme);
    let who = if entry.who.local_user.is_empty() {
        &entry.who.kube_user
    } else {
        &entry.who.local_user
    };
    let mut why = Vec::new();
    if let Some(restored) = &entry.restored {
        why.push(Span::styled(
            format!("restores {}", text::one_line(short(restored))),
            theme.dim(),
        ));
    }
    if let Some(reason) = &entry.reason {
        why.push(Span::raw(text::one_line(reason).into_owned()));
    }
    if let Some(message) = entry.outcome.message() {
        why.push(Span::styled(
            text::one_line(message).into_owned(),
            theme.error(),
        ));
    }
    let first = Line::from(vec![
        Span::styled(format!("{when:<5} "), theme.dim()),
        Span::raw(format!(
            "{:<8} {:<7} ",
            entry.operation.name(),
            text::one_line(short(&entry.revision))
        )),
        Span::styled(format!("{result:<7} "), style),
        Span::raw(format!("{:<16}", text::one_line(who))),
    ]);
    if why.is_empty() {
        return vec![first];
    }
    let mut second = vec![Span::raw("      ")];
    for (i, part) in why.into_iter().enumerate() {
        if i > 0 {
            second.push(Span::raw("  "));
        }
        second.push(part);
    }
    vec![first, Line::from(second)]
}
