//! The help screen, generated from the keymap table: the keys that work on the
//! current screen (moving keys on one line).

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::Theme;
use super::modal::centered;
use crate::tui::keymap::{self, Command};
use crate::tui::model::Model;

const MOVING: &[Command] = &[
    Command::Up,
    Command::Down,
    Command::Top,
    Command::Bottom,
    Command::PageUp,
    Command::PageDown,
];

pub fn render(model: &Model, theme: &Theme, frame: &mut Frame<'_>) {
    let screen = model.screen();
    let here = model
        .keymap
        .bindings()
        .iter()
        .filter(|b| b.works_on(screen));
    let moving: Vec<String> = here
        .clone()
        .filter(|b| MOVING.contains(&b.command))
        .flat_map(|b| b.keys.iter().map(keymap::label))
        .collect();
    // What was wrong with the user's rebindings stays in view here.
    let mut lines: Vec<Line> = model
        .keymap_problems
        .iter()
        .map(|p| {
            Line::styled(
                format!("keys.yaml: {}", crate::model::text::one_line(p)),
                theme.error(),
            )
        })
        .collect();
    lines.push(Line::from(vec![
        Span::styled(format!("{:<13} ", moving.join(" ")), theme.marker()),
        Span::raw("move: up, down, first, last, page"),
    ]));
    for binding in here.filter(|b| !MOVING.contains(&b.command)) {
        let keys: Vec<String> = binding.keys.iter().map(keymap::label).collect();
        lines.push(Line::from(vec![
            Span::styled(format!("{:<13} ", keys.join(" ")), theme.marker()),
            Span::raw(binding.help),
        ]));
    }
    let area = centered(frame.area(), 76, lines.len() as u16 + 2);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" keys on this screen (? or Esc closes) "),
        ),
        area,
    );
}
