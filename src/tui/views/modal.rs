//! What sits over a screen: the confirmation of an action with its plan, the
//! rollback form (preview, mode, reason), and the prompt line for `:` and `/`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::{Theme, short};
use crate::model::text;
use crate::tui::model::{Action, Confirm, Prompt, RollbackForm};

/// A rectangle `width` × `height` (at most the area's) in the middle of `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [_, middle, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(height.min(area.height)),
        Constraint::Fill(1),
    ])
    .areas(area);
    let [_, centre, _] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(width.min(area.width)),
        Constraint::Fill(1),
    ])
    .areas(middle);
    centre
}

fn plan_lines<'a>(
    plan: &'a [String],
    loading: bool,
    error: Option<&'a String>,
    theme: &Theme,
) -> Vec<Line<'a>> {
    if let Some(error) = error {
        return vec![Line::styled(
            text::one_line(error).into_owned(),
            theme.error(),
        )];
    }
    if loading {
        return vec![Line::styled(
            "planning (a server-side dry run)…",
            theme.dim(),
        )];
    }
    plan.iter()
        .map(|line| {
            let style = match line.trim_start().split(' ').next() {
                Some("create") => theme.added(),
                Some("prune" | "delete") => theme.removed(),
                Some("update") => theme.marker(),
                _ if line.starts_with("    +") => theme.added(),
                _ if line.starts_with("    -") => theme.removed(),
                _ => Default::default(),
            };
            Line::styled(line.as_str(), style)
        })
        .collect()
}

pub fn confirm(confirm: &Confirm, theme: &Theme, frame: &mut Frame<'_>) {
    let lines = plan_lines(
        &confirm.plan,
        confirm.pending.loading,
        confirm.error.as_ref(),
        theme,
    );
    // The keys have a row of their own at the bottom: a long plan never hides them.
    let mut keys = if confirm.pending.loading || confirm.error.is_some() {
        vec![Span::styled("Esc", theme.marker()), Span::raw(" cancel")]
    } else {
        vec![
            Span::styled("y", theme.marker()),
            Span::raw("/Enter go  "),
            Span::styled("n", theme.marker()),
            Span::raw("/Esc cancel"),
        ]
    };
    if let Action::Sync { force, .. } = confirm.action {
        keys.push(Span::raw("  "));
        keys.push(Span::styled("f", theme.marker()));
        keys.push(Span::raw(if force {
            " take back fields others own: yes"
        } else {
            " take back fields others own: no"
        }));
    }
    let area = frame.area();
    let width = 90.min(area.width);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    // Wrapped rows, with one to spare for word wrapping.
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner).max(1))
        .sum::<usize>()
        + 1;
    let height = (rows as u16 + 3).min(area.height.saturating_sub(2));
    let rect = centered(area, 90, height);
    frame.render_widget(Clear, rect);
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {}? ", text::one_line(&confirm.action.title())),
        theme.title(true),
    ));
    let [plan, footer] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(block.inner(rect));
    frame.render_widget(block, rect);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), plan);
    frame.render_widget(Paragraph::new(Line::from(keys)), footer);
}

pub fn rollback(form: &RollbackForm, theme: &Theme, frame: &mut Frame<'_>) {
    let area = centered(frame.area(), 100, frame.area().height.saturating_sub(2));
    frame.render_widget(Clear, area);
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(
            " roll back {} to {} {} ",
            form.app,
            short(&form.to),
            text::one_line(&form.subject)
        ),
        theme.title(true),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [mode, preview, label, reason, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(4),
        Constraint::Length(1),
    ])
    .areas(inner);
    let pick = |on: bool, name: &'static str| {
        if on {
            Span::styled(format!("[{name}]"), theme.selected(true))
        } else {
            Span::raw(format!(" {name} "))
        }
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::raw("mode: "),
            pick(!form.pin, "revert"),
            Span::raw(" "),
            pick(form.pin, "pin"),
            Span::styled(
                if form.pin {
                    "  apply the commit's manifests and pin the app there"
                } else {
                    "  a new Git commit restoring the path, then a sync"
                },
                theme.dim(),
            ),
        ])),
        mode,
    );
    let lines = plan_lines(&form.preview, form.pending.loading, None, theme);
    frame.render_widget(Paragraph::new(lines), preview);
    let label_line = match &form.error {
        Some(error) => Line::styled(text::one_line(error).into_owned(), theme.error()),
        None => Line::styled("reason (required):", theme.dim()),
    };
    frame.render_widget(Paragraph::new(label_line), label);
    let mut textarea = form.reason.clone();
    textarea.set_block(Block::default().borders(Borders::ALL));
    frame.render_widget(&textarea, reason);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("Enter", theme.marker()),
            Span::raw(" roll back  "),
            Span::styled("Tab", theme.marker()),
            Span::raw(" revert/pin  "),
            Span::styled("Esc", theme.marker()),
            Span::raw(" cancel"),
        ])),
        keys,
    );
}

/// The prompt line, over the status line: `:command` or `/filter`.
pub fn prompt(prompt: Prompt, typed: &str, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let lead = match prompt {
        Prompt::Command => ":",
        Prompt::Filter | Prompt::Search => "/",
    };
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(lead, theme.marker()),
            Span::raw(text::one_line(typed).into_owned()),
            Span::styled("█", theme.dim()),
        ])),
        area,
    );
}
