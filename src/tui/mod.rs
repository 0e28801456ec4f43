//! The cockpit: the interactive terminal UI, in The Elm Architecture with effects.
//! `model` is plain data, `update` turns messages into model changes and effects,
//! `views` draw the model, `runtime` owns the terminal and carries effects out on
//! the engine, `keymap` is the one table of keys.
//!
//! `effects` carries the effects out on the engine, each on its own task.
//!
//! Screens: the overview (apps; the selected app's Git history with deploy markers;
//! its drift summary), the app (resources and the selected one's diff), the
//! whole-app diff (live ↔ Git or ↔ a commit), logs and events. Actions: sync (with
//! prune), rollback (revert or pin, with a reason), unpin, restart, scale, delete a
//! pod — each planned, placed and confirmed. Not yet: the activity and repos
//! screens, suspend/resume, key rebinding, mouse clicks.

mod effects;
pub mod keymap;
pub mod model;
mod runtime;
pub mod sample;
mod terminal;
pub mod update;
pub mod views;

pub use runtime::{Inputs, run};
