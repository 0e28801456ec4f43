//! The repos screen: every Git source — name, branch, the commit it points at (age,
//! author, subject), how many apps it feeds, where it is — read every few seconds,
//! remote ones fetched every minute and on `ctrl-r`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Cell, Row, Table, TableState};

use super::{Theme, window};
use crate::model::text;
use crate::tui::model::Model;

pub fn render(model: &Model, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let repos = &model.repos;
    let ago = |at: Option<jiff::Timestamp>| match (at, model.now) {
        (Some(at), Some(now)) => format!("{} ago", text::age(now, at)),
        _ => "never".to_owned(),
    };
    let mut title = format!(" {} repos  read {} ", repos.rows.len(), ago(repos.read_at));
    if repos.rows.iter().any(|r| r.remote) {
        title.push_str(&format!(" fetched {} ", ago(repos.fetched_at)));
    }
    let block = Block::default().borders(Borders::ALL).title(title);
    let state = (None, repos.pending.loading, repos.rows.is_empty());
    if super::notice(frame, area, block.clone(), state, theme) {
        return;
    }
    let wide = area.width >= 120;
    let shown = window(
        repos.rows.len(),
        repos.selected,
        usize::from(area.height.saturating_sub(3)),
    );
    let rows = repos.rows[shown.clone()].iter().map(|repo| {
        let mut cells = vec![
            Cell::from(text::one_line(&repo.name).into_owned()),
            Cell::from(text::one_line(&repo.branch).into_owned()),
        ];
        match &repo.head {
            Ok(head) => {
                cells.push(Cell::from(head.id.short().to_owned()));
                cells.push(Cell::from(Span::styled(
                    model
                        .now
                        .map(|now| text::age(now, head.author_time))
                        .unwrap_or_default(),
                    theme.dim(),
                )));
                cells.push(Cell::from(repo.apps.to_string()));
                let mut subject = text::one_line(&head.subject).into_owned();
                if wide {
                    subject = format!("{}  {}", text::one_line(&head.author_name), subject);
                }
                cells.push(Cell::from(subject));
            }
            Err(error) => {
                cells.push(Cell::from(Span::styled("-", theme.error())));
                cells.push(Cell::from(""));
                cells.push(Cell::from(repo.apps.to_string()));
                cells.push(Cell::from(Span::styled(
                    text::one_line(error).into_owned(),
                    theme.error(),
                )));
            }
        }
        if wide {
            cells.push(Cell::from(Span::styled(
                text::one_line(&repo.location).into_owned(),
                theme.dim(),
            )));
        }
        Row::new(cells)
    });
    let mut widths = vec![
        Constraint::Length(14),
        Constraint::Length(10),
        Constraint::Length(8),
        Constraint::Length(5),
        Constraint::Length(5),
        Constraint::Fill(2),
    ];
    let mut header = vec!["REPO", "BRANCH", "HEAD", "AGE", "APPS", "LAST COMMIT"];
    if wide {
        widths.push(Constraint::Fill(1));
        header.push("LOCATION");
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.dim()))
        .row_highlight_style(theme.selected(true))
        .block(block);
    let mut state =
        TableState::default().with_selected(Some(repos.selected.saturating_sub(shown.start)));
    frame.render_stateful_widget(table, area, &mut state);
}
