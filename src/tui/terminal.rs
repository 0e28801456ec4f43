//! The terminal, owned by one task: raw mode and the alternate screen on entry,
//! restored on exit, on error and on a panic of the UI thread. Panics elsewhere (a
//! sandbox controller, which catches its own) must not restore the terminal under
//! the running UI or print over it, so they are kept off the screen.

use std::io::{Stdout, stdout};
use std::sync::Once;
use std::thread::ThreadId;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Takes over the terminal.
pub fn enter() -> std::io::Result<Term> {
    install_panic_hook(std::thread::current().id());
    enable_raw_mode()?;
    if let Err(error) = execute!(stdout(), EnterAlternateScreen, EnableMouseCapture) {
        restore();
        return Err(error);
    }
    Terminal::new(CrosstermBackend::new(stdout()))
}

/// Gives the terminal back; safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

fn install_panic_hook(ui: ThreadId) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().id() == ui {
                restore();
                previous(info);
            }
        }));
    });
}
