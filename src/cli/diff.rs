//! `driftdeck diff APP`: how the cluster differs from Git, resource by resource:
//! status, then a unified diff of what differs (Secret values masked). Exit 0 when
//! in sync, 1 when something drifted, 2 on error.

use clap::{Args, ValueEnum};

use super::{CliResult, GlobalArgs, Outcome, boxed};
use crate::config;
use crate::diff::DiffMode;
use crate::engine::{drift, target};
use crate::model::{SyncStatus, text};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    #[default]
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// A server-side-apply dry run of each object, compared with live.
    #[default]
    Server,
    /// Only the fields the manifests set, compared with live (no dry run).
    Client,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    pub app: String,
    /// A branch, tag or commit to compare with (default: the tip of the repo's branch).
    #[arg(long)]
    pub revision: Option<String>,
    #[arg(short, long, value_enum, default_value_t)]
    pub output: DiffFormat,
    #[arg(long, value_enum, default_value_t)]
    pub diff_mode: Mode,
}

pub fn run(global: &GlobalArgs, args: DiffArgs) -> CliResult {
    let config = config::load(global.config.as_deref()).map_err(boxed)?;
    let desired = target::desired(&config, &args.app, args.revision.as_deref())?;
    let mode = match args.diff_mode {
        Mode::Server => DiffMode::ServerSide,
        Mode::Client => DiffMode::ClientSide,
    };
    let runtime = super::act::runtime()?;
    let drift = runtime.block_on(async {
        let cluster = target::observe(
            &desired,
            global.kubeconfig.as_deref(),
            global.context.as_deref(),
        )
        .await
        .map_err(boxed)?;
        super::act::warn_unread(&cluster.live.problems);
        Ok::<_, Box<dyn crate::error::Classified>>(drift::drift(&desired, &cluster, mode).await)
    })?;
    for (key, error) in &drift.fallbacks {
        eprintln!(
            "warning: {key}: compared client-side (the dry run failed: {})",
            text::one_line(&error.to_string())
        );
    }
    match args.output {
        DiffFormat::Json => {
            let mut json = serde_json::to_string_pretty(&drift.resources).unwrap_or_default();
            json.push('\n');
            super::output::write(&text::json_safe(&json)).map_err(boxed)?;
        }
        DiffFormat::Text => {
            for resource in &drift.resources {
                super::say(format_args!(
                    "{:<10} {}",
                    resource.status.as_str(),
                    text::one_line(&resource.key.to_string())
                ));
                if resource.status != SyncStatus::Synced {
                    // The texts were neutralised when the diff was made.
                    for line in resource.unified.lines() {
                        super::say(format_args!("    {line}"));
                    }
                }
            }
        }
    }
    Ok(if drift.in_sync() {
        Outcome::Ok
    } else {
        Outcome::Differences
    })
}
