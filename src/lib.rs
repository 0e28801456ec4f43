//! driftdeck: a terminal cockpit for GitOps.
//!
//! The layers (see docs/ARCHITECTURE.md): `model`, `yaml` and `error` are pure;
//! `config`, `git` and `render` are the adapters that do IO; `cli` is the front end.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod cli;
pub mod cluster;
pub mod config;
pub mod demo;
pub mod diff;
pub mod engine;
pub mod error;
pub mod git;
pub mod health;
pub mod integrations;
pub mod model;
pub mod render;
pub mod sandbox;
pub mod tui;
pub mod yaml;
