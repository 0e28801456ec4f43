//! The events screen: Kubernetes events about the app's objects, newest first,
//! warnings in the error colour.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Cell, Row, Table, TableState};

use super::Theme;
use crate::tui::model::Model;

pub fn render(model: &Model, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let events = &model.events;
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} events ", events.rows.len()));
    let state = (
        events.error.as_ref(),
        events.pending.loading,
        events.rows.is_empty(),
    );
    if super::notice(frame, area, block.clone(), state, theme) {
        return;
    }
    let rows = events.rows.iter().map(|event| {
        let style = if event.warning {
            theme.error()
        } else {
            Default::default()
        };
        Row::new(vec![
            Cell::from(Span::styled(event.age.clone(), theme.dim())),
            Cell::from(Span::styled(event.kind.clone(), style)),
            Cell::from(event.reason.clone()),
            Cell::from(event.object.clone()),
            Cell::from(event.message.clone()),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(5),
            Constraint::Length(8),
            Constraint::Length(18),
            Constraint::Length(28),
            Constraint::Fill(1),
        ],
    )
    .header(Row::new(["AGE", "TYPE", "REASON", "OBJECT", "MESSAGE"]).style(theme.dim()))
    .row_highlight_style(theme.selected(true))
    .block(block);
    let mut state = TableState::default().with_selected(Some(events.selected));
    frame.render_stateful_widget(table, area, &mut state);
}
