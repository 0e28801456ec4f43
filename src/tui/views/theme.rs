//! Colours, in the 16 ANSI colours every terminal has, or none at all (`NO_COLOR`):
//! nothing a view shows depends on colour alone (statuses are words).

use ratatui::style::{Color, Modifier, Style};

use crate::model::{HealthStatus, SyncStatus};

#[derive(Clone, Copy, Debug)]
pub struct Theme {
    pub colour: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set (to anything but the empty string).
    pub fn from_env() -> Self {
        Self {
            colour: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn fg(&self, colour: Color) -> Style {
        if self.colour {
            Style::default().fg(colour)
        } else {
            Style::default()
        }
    }

    pub fn sync(&self, sync: SyncStatus) -> Style {
        match sync {
            SyncStatus::Synced => self.fg(Color::Green),
            _ => self.fg(Color::Yellow),
        }
    }

    pub fn health(&self, health: HealthStatus) -> Style {
        match health {
            HealthStatus::Healthy => self.fg(Color::Green),
            HealthStatus::Progressing => self.fg(Color::Cyan),
            HealthStatus::Suspended => self.fg(Color::Blue),
            HealthStatus::Degraded => self.fg(Color::Red),
            HealthStatus::Missing => self.fg(Color::Yellow),
            HealthStatus::Unknown => self.fg(Color::Magenta),
        }
    }

    /// A line a sync would add (desired side); bold without colour.
    pub fn added(&self) -> Style {
        if self.colour {
            self.fg(Color::Green)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        }
    }

    /// A line a sync would remove (live side); dim without colour.
    pub fn removed(&self) -> Style {
        if self.colour {
            self.fg(Color::Red)
        } else {
            Style::default().add_modifier(Modifier::DIM)
        }
    }

    /// A search match in the logs.
    pub fn found(&self) -> Style {
        let style = Style::default().add_modifier(Modifier::REVERSED);
        if self.colour {
            style.fg(Color::Yellow)
        } else {
            style
        }
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red)
    }

    pub fn dim(&self) -> Style {
        if self.colour {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default()
        }
    }

    pub fn marker(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The selected row: reversed, which reads without colour too.
    pub fn selected(&self, focused: bool) -> Style {
        let style = Style::default().add_modifier(Modifier::REVERSED);
        if focused {
            style.add_modifier(Modifier::BOLD)
        } else {
            style
        }
    }

    pub fn title(&self, focused: bool) -> Style {
        if focused {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        }
    }
}
