//! The logs screen: which pod and container (and previous instance, tail size,
//! follow), then the lines, newest at the bottom, search matches highlighted. The
//! lines were neutralised when read: no escape sequence reaches the terminal.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::Theme;
use crate::model::text;
use crate::tui::model::Model;

pub fn render(model: &Model, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let logs = &model.logs;
    let [choice, body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    let pods = if logs.pods.is_empty() {
        "no pods".to_owned()
    } else {
        format!(
            "pod {} ({} of {})  container {}",
            logs.pod_name()
                .map(|p| text::one_line(p).into_owned())
                .unwrap_or_default(),
            logs.pod + 1,
            logs.pods.len(),
            logs.container_name()
                .map(|c| text::one_line(c).into_owned())
                .unwrap_or_else(|| "-".into())
        )
    };
    let flags: Vec<&str> = [
        (logs.follow, "following"),
        (logs.previous, "previous instance"),
        (logs.wrap, "wrap"),
        (logs.timestamps, "timestamps"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, name)| *name)
    .collect();
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::raw(pods),
            Span::styled(
                format!("  tail {}  {}", logs.tail, flags.join(", ")),
                theme.dim(),
            ),
        ])),
        choice,
    );
    let block = Block::default().borders(Borders::ALL);
    let state = (
        logs.error.as_ref(),
        logs.pending.loading,
        logs.lines.is_empty(),
    );
    if super::notice(frame, body, block.clone(), state, theme) {
        return;
    }
    // The newest lines at the bottom; `scroll` lines up from there.
    let height = usize::from(body.height.saturating_sub(2));
    let end = logs.lines.len().saturating_sub(logs.scroll);
    let start = end.saturating_sub(height);
    let lines: Vec<Line<'_>> = logs.lines[start..end]
        .iter()
        .map(|line| highlighted(line, logs.search.as_deref(), theme))
        .collect();
    let mut paragraph = Paragraph::new(lines).block(block);
    if logs.wrap {
        paragraph = paragraph.wrap(Wrap { trim: false });
    }
    frame.render_widget(paragraph, body);
}

/// `line` with every case-insensitive match of `search` highlighted.
fn highlighted<'a>(line: &'a str, search: Option<&str>, theme: &Theme) -> Line<'a> {
    let Some(search) = search.filter(|s| !s.is_empty()) else {
        return Line::from(line);
    };
    let lower = line.to_lowercase();
    let needle = search.to_lowercase();
    // Lower-casing can change byte lengths; highlight only when it did not.
    if lower.len() != line.len() {
        return Line::from(line);
    }
    let mut spans = Vec::new();
    let mut at = 0;
    while let Some(found) = lower[at..].find(&needle) {
        let start = at + found;
        let end = start + needle.len();
        spans.push(Span::raw(&line[at..start]));
        spans.push(Span::styled(&line[start..end], theme.found()));
        at = end;
    }
    spans.push(Span::raw(&line[at..]));
    Line::from(spans)
}
