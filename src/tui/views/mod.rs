//! Views: pure functions from the model to what the terminal shows. They never
//! change the model or read the clock (the model carries it).
//!
//! Every screen has the same frame: a header line (where, what, counts, clock,
//! read-only), the screen's body, a status line (results and errors land there) and
//! the footer of key hints from the keymap. A modal (help, confirmation, rollback
//! form, prompt) is drawn over it.

mod activity;
mod app;
mod chrome;
mod diff;
mod diff_text;
mod engine;
mod events;
mod help;
mod logs;
mod modal;
mod overview;
mod repos;
mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use super::model::{Modal, Model, Screen};
pub use diff_text::{SideRow, side_by_side};
pub use theme::Theme;

fn frame_layout(area: ratatui::layout::Rect) -> [ratatui::layout::Rect; 4] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

pub fn view(model: &Model, theme: &Theme, frame: &mut Frame<'_>) {
    let [header, body, status, footer] = frame_layout(frame.area());
    chrome::header(model, theme, frame, header);
    match model.screen() {
        Screen::Overview => overview::render(model, theme, frame, body),
        Screen::App => app::render(model, theme, frame, body),
        Screen::Diff => diff::render(model, theme, frame, body),
        Screen::Logs => logs::render(model, theme, frame, body),
        Screen::Events => events::render(model, theme, frame, body),
        Screen::Repos => repos::render(model, theme, frame, body),
        Screen::Activity => activity::render(model, theme, frame, body),
    }
    chrome::status(model, theme, frame, status);
    chrome::footer(model, theme, frame, footer);
    match &model.modal {
        None => {}
        Some(Modal::Help) => help::render(model, theme, frame),
        Some(Modal::Confirm(confirm)) => modal::confirm(confirm, theme, frame),
        Some(Modal::Rollback(form)) => modal::rollback(form, theme, frame),
        Some(Modal::Engine(form)) => engine::form(form, theme, frame),
        Some(Modal::Input { prompt, text }) => modal::prompt(*prompt, text, theme, frame, status),
    }
}

/// What a mouse click lands on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hit {
    /// An app row (index into `Model::apps`).
    App(usize),
    /// A commit of the history pane (index into its commits).
    Commit(usize),
}

/// What a click at (`column`, `row`) of a `width`×`height` screen lands on, by the
/// same layout the views draw with.
pub fn hit(model: &Model, width: u16, height: u16, column: u16, row: u16) -> Option<Hit> {
    if model.modal.is_some() {
        return None;
    }
    let [_, body, _, _] = frame_layout(ratatui::layout::Rect::new(0, 0, width, height));
    match model.screen() {
        Screen::Overview => overview::hit(model, body, column, row),
        _ => None,
    }
}

/// The rows of a list of `len` that `lines` lines show with `selected` in view,
/// scrolled as a table scrolls from the top: the selected row last once it is
/// below the first screenful.
fn window(len: usize, selected: usize, lines: usize) -> std::ops::Range<usize> {
    let start = (selected + 1).saturating_sub(lines).min(len);
    start..(start + lines).min(len)
}

/// Draws `block` with an error, a loading note or an empty note instead of content;
/// returns whether it did (nothing else to draw then).
fn notice(
    frame: &mut Frame<'_>,
    area: ratatui::layout::Rect,
    block: ratatui::widgets::Block<'_>,
    (error, loading, empty): (Option<&String>, bool, bool),
    theme: &Theme,
) -> bool {
    use ratatui::text::Line;
    use ratatui::widgets::Paragraph;
    let line = match error {
        Some(error) => Line::styled(
            crate::model::text::one_line(error).into_owned(),
            theme.error(),
        ),
        None if empty && loading => Line::styled("reading…", theme.dim()),
        None if empty => Line::styled("nothing here", theme.dim()),
        None => return false,
    };
    frame.render_widget(Paragraph::new(line).block(block), area);
    true
}

/// The first seven characters of a revision.
fn short(revision: &str) -> &str {
    revision.get(..7).unwrap_or(revision)
}
