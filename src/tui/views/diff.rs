//! The whole-app diff: every resource that differs, live ↔ what Git wants now, or
//! live ↔ a commit picked in the history ("what a rollback there would change").

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use super::Theme;
use super::diff_text::{side_by_side, side_lines, unified_lines};
use crate::model::{SyncStatus, text};
use crate::tui::model::{Model, ResourceRow};

pub fn render(model: &Model, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let view = &model.diff;
    let engine = model
        .selected_app()
        .is_some_and(|row| row.engine_app().is_some());
    let against = match (&view.against, engine) {
        (Some(commit), _) => format!("{} (as of {})", "live ↔ commit", super::short(commit)),
        (None, true) => "live ↔ the engine's target, rendered by driftdeck".into(),
        (None, false) => "live ↔ Git".into(),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {against} "));
    // An engine's app has no observed drift: its diff is always loaded.
    let loaded = view.against.is_some() || engine;
    let resources: &[ResourceRow] = if loaded {
        &view.resources
    } else {
        model.selected_app().map_or(&[], |a| &a.resources)
    };
    let mut lines: Vec<Line<'static>> = Vec::new();
    if let Some(error) = &view.error {
        lines.push(Line::styled(
            text::one_line(error).into_owned(),
            theme.error(),
        ));
    } else if loaded && view.pending.loading && resources.is_empty() {
        lines.push(Line::styled("rendering and comparing…", theme.dim()));
    } else {
        let changed: Vec<&ResourceRow> = resources
            .iter()
            .filter(|r| r.sync != SyncStatus::Synced)
            .collect();
        lines.push(Line::styled(
            format!(
                "{} of {} resources differ{}",
                changed.len(),
                resources.len(),
                if view.against.is_some() {
                    "  (R rolls back to this commit)"
                } else {
                    "  (s syncs)"
                }
            ),
            theme.dim(),
        ));
        if loaded {
            // A note is prose: wrapped to the pane (diff lines are not).
            let width = usize::from(area.width.saturating_sub(2)).max(20);
            for note in &view.notes {
                let note = format!("note: {}", text::one_line(note));
                for part in wrapped(&note, width) {
                    lines.push(Line::styled(part, theme.error()));
                }
            }
        }
        for resource in changed {
            lines.push(Line::default());
            lines.push(Line::styled(
                format!("{:<10} {}", resource.sync.as_str(), resource.key),
                theme.sync(resource.sync),
            ));
            if model.app_view.side_by_side {
                lines.extend(side_lines(
                    &side_by_side(&resource.live, &resource.desired),
                    area.width.saturating_sub(2),
                    theme,
                ));
            } else {
                lines.extend(unified_lines(&resource.unified, theme));
            }
        }
    }
    frame.render_widget(
        Paragraph::new(lines).block(block).scroll((view.scroll, 0)),
        area,
    );
}

/// `text` in lines of at most `width` characters, broken between words (a word
/// longer than a line is cut); continuation lines indented by two.
fn wrapped(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            lines.push(std::mem::replace(&mut line, "  ".to_owned()));
        } else if len > 0 && !line.trim().is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_note_wraps_between_words() {
        assert_eq!(
            super::wrapped("note: the build may differ from Argo CD's", 20),
            ["note: the build may", "  differ from Argo", "  CD's"]
        );
        assert_eq!(super::wrapped("short", 20), ["short"]);
    }
}
