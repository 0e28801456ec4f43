//! The app screen: its resources (kind, namespace, name, sync, health, message)
//! and, beside them (under them when narrow), the selected resource's diff, unified
//! or side by side. Secrets arrive redacted: keys only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};

use super::Theme;
use super::diff_text::{side_by_side, side_lines, unified_lines};
use crate::model::{SyncStatus, text};
use crate::tui::model::{Model, ResourceRow, Seen};

pub fn render(model: &Model, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let Some(row) = model.selected_app() else {
        return;
    };
    if let Some(engine_app) = row.engine_app() {
        super::engine::render_app(model, engine_app, theme, frame, area);
        return;
    }
    let wide = area.width >= 140;
    let [list, detail] = if wide {
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area)
    } else {
        Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(area)
    };
    let title = format!(
        " {} → {} / {} ",
        text::one_line(row.name.as_str()),
        text::one_line(&row.context),
        text::one_line(&row.namespace)
    );
    let block = Block::default().borders(Borders::ALL).title(title);
    if row.resources.is_empty() {
        let message = match &row.seen {
            Seen::Loading => Line::styled("reading…", theme.dim()),
            Seen::Error(error) => Line::styled(text::one_line(error).into_owned(), theme.error()),
            Seen::Status(_) | Seen::Engine(_) => Line::styled("no resources", theme.dim()),
        };
        frame.render_widget(Paragraph::new(message).block(block), area);
        return;
    }
    let rows = row.resources.iter().map(|resource| {
        Row::new(vec![
            Cell::from(resource.kind.clone()),
            Cell::from(resource.namespace.clone()),
            Cell::from(resource.name.clone()),
            Cell::from(Span::styled(
                resource.sync.as_str(),
                theme.sync(resource.sync),
            )),
            Cell::from(Span::styled(
                resource.health.label(),
                theme.health(resource.health),
            )),
            Cell::from(Span::styled(resource.message.clone(), theme.dim())),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(12),
            Constraint::Length(10),
            Constraint::Length(16),
            Constraint::Length(10),
            Constraint::Length(11),
            Constraint::Fill(1),
        ],
    )
    .header(Row::new(["KIND", "NAMESPACE", "NAME", "SYNC", "HEALTH", "MESSAGE"]).style(theme.dim()))
    .row_highlight_style(theme.selected(true))
    .block(block);
    let mut state = TableState::default().with_selected(Some(model.app_view.selected));
    frame.render_stateful_widget(table, list, &mut state);
    if let Some(resource) = model.selected_resource() {
        render_resource_diff(
            resource,
            model.app_view.side_by_side,
            model.app_view.scroll,
            theme,
            frame,
            detail,
        );
    }
}

/// One resource's diff, desired vs live.
pub fn render_resource_diff(
    resource: &ResourceRow,
    side: bool,
    scroll: u16,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    let title = format!(
        " {} {} {} ",
        resource.key,
        if side {
            "live │ desired"
        } else {
            "live → desired"
        },
        match resource.sync {
            SyncStatus::Synced => "(in sync)",
            SyncStatus::OutOfSync => "(changed)",
            SyncStatus::Missing => "(missing: not in the cluster)",
            SyncStatus::Extra => "(extra: not in Git)",
        }
    );
    let block = Block::default().borders(Borders::ALL).title(title);
    let lines = if side {
        side_lines(
            &side_by_side(&resource.live, &resource.desired),
            area.width.saturating_sub(2),
            theme,
        )
    } else if resource.unified.is_empty() {
        // In sync: the object as it is.
        resource
            .desired
            .lines()
            .map(|l| Line::from(l.to_owned()))
            .collect()
    } else {
        unified_lines(&resource.unified, theme)
    };
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), area);
}
