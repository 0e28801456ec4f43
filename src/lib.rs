//! driftdeck: a terminal cockpit for GitOps.
//!
//! The layers (see docs/ARCHITECTURE.md): `model`, `yaml` and `error` are pure;
//! `config`, `git` and `render` are the adapters that do IO; `cli` is the front end.

pub mod cli;
pub mod config;
pub mod error;
pub mod git;
pub mod model;
pub mod render;
pub mod yaml;
