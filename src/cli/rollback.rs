//! `driftdeck rollback APP --to REV --reason TEXT [--mode revert|pin]` and
//! `driftdeck unpin APP`: a preview of what changes (live ↔ the manifests at REV,
//! Secret values masked), confirmation, then the rollback, recorded in the ledger.
//! `--read-only` refuses both (exit 3).

use clap::{Args, ValueEnum};

use super::{CliResult, GlobalArgs, Outcome, UsageError, boxed};
use crate::config;
use crate::diff::DiffMode;
use crate::engine::rollback::{self, Reverted, RollbackMode};
use crate::engine::sync::{self, SyncOptions};
use crate::engine::{drift, target};
use crate::model::{SyncStatus, text};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Commit the app's path restored to REV on the tracked branch, then sync.
    #[default]
    Revert,
    /// Apply REV's manifests and pin the app there until `driftdeck unpin`.
    Pin,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The app, as named in the configuration.
    pub app: String,
    /// The commit (or branch, tag) whose manifests the app goes back to.
    #[arg(long, value_name = "REV")]
    pub to: String,
    #[arg(long, value_enum, default_value_t)]
    pub mode: Mode,
    /// Why: goes into the commit message and the ledger.
    #[arg(long)]
    pub reason: String,
    /// Also delete objects this app applied that REV does not have.
    #[arg(long)]
    pub prune: bool,
    /// After applying, wait until every object is healthy.
    #[arg(long)]
    pub wait: bool,
    /// How long --wait waits, in seconds.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub timeout: u64,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct UnpinArgs {
    pub app: String,
    /// Why the pin is lifted (recorded in the ledger).
    #[arg(long)]
    pub reason: Option<String>,
}

pub fn run(global: &GlobalArgs, args: RollbackArgs) -> CliResult {
    if super::act::refuse_read_only(global.read_only, "rollback", None) {
        return Ok(Outcome::ReadOnly);
    }
    if args.reason.trim().is_empty() {
        return Err(boxed(rollback::RollbackError::NoReason));
    }
    let mode = match args.mode {
        Mode::Revert => RollbackMode::Revert,
        Mode::Pin => RollbackMode::Pin,
    };
    let options = SyncOptions {
        prune: args.prune,
        ..SyncOptions::default()
    };
    let config = config::load(global.config.as_deref()).map_err(boxed)?;
    let prepared = rollback::prepare(&config, &args.app, &args.to, mode)?;
    let target = &prepared.desired;
    for warning in &target.warnings {
        eprintln!("warning: {}", text::one_line(warning));
    }
    super::act::runtime()?.block_on(async {
        let cluster = target::observe(
            target,
            global.kubeconfig.as_deref(),
            global.context.as_deref(),
        )
        .await
        .map_err(boxed)?;
        super::act::warn_unread(&cluster.live.problems);
        if mode == RollbackMode::Revert {
            rollback::ensure_not_pinned(&cluster.connection, &target.app.name)
                .await
                .map_err(boxed)?;
        }
        // The preview: what the cluster would become, object by object.
        let drift = drift::drift(target, &cluster, DiffMode::ServerSide).await;
        let plan = sync::plan(
            &target.app.name,
            &target.manifests,
            &cluster.live,
            &options,
            &drift.synced(),
        );
        super::say(format_args!(
            "roll back {} to {}{} by {}",
            target.app.name.as_str(),
            prepared.to.short(),
            if prepared.to.as_str().starts_with(&args.to) {
                String::new()
            } else {
                format!(" ({})", text::one_line(&args.to))
            },
            match &prepared.branch {
                Some((branch, tip)) => format!(
                    "a commit on {} (now {}) restoring {}, then a sync",
                    text::one_line(branch),
                    tip.short(),
                    text::one_line(&target.app.path)
                ),
                None => "applying its manifests and pinning the app".to_owned(),
            }
        ));
        for resource in drift
            .resources
            .iter()
            .filter(|r| r.status != SyncStatus::Synced)
        {
            super::say(format_args!(
                "{:<10} {}",
                resource.status.as_str(),
                text::one_line(&resource.key.to_string())
            ));
            for line in resource.unified.lines() {
                super::say(format_args!("    {line}"));
            }
        }
        let title = format!(
            "roll back {} to {}",
            target.app.name.as_str(),
            prepared.to.short()
        );
        super::sync::print_plan(&title, target, &cluster.connection, &plan, &options);
        if !super::act::confirm("roll back", args.yes)? {
            super::say(format_args!("not rolled back"));
            return Ok(Outcome::Ok);
        }
        let done =
            rollback::rollback(&config, &prepared, &cluster, &args.reason, &options).await?;
        match &done.reverted {
            Some(Reverted::Committed {
                commit,
                branch,
                pushed,
                kept,
            }) => {
                let pushed = if *pushed { " and pushed" } else { "" };
                super::say(format_args!(
                    "committed {} on {}{pushed}",
                    commit.short(),
                    text::one_line(branch)
                ));
                for file in kept {
                    eprintln!(
                        "warning: {} changed on disk while committing: left as it was (it now shows as a local change)",
                        text::one_line(file)
                    );
                }
            }
            Some(Reverted::AlreadyThere { tip }) => super::say(format_args!(
                "nothing to commit: the tip {} already has that content",
                tip.short()
            )),
            None => {}
        }
        super::sync::print_report(&done.recorded.report);
        if let Some(error) = &done.recorded.ledger_error {
            eprintln!(
                "warning: the ledger could not be written: {}",
                text::one_line(&error.to_string())
            );
        }
        if !done.recorded.report.succeeded() {
            let hint = match mode {
                RollbackMode::Revert => "fix the cause, then `driftdeck sync APP` applies the revert commit",
                RollbackMode::Pin => "fix the cause and run the pin again (not a sync: that would apply Git's tip)",
            };
            return Err(boxed(UsageError {
                message: "the rollback did not apply every resource (see above)".into(),
                hint: Some(hint.into()),
            }));
        }
        if mode == RollbackMode::Pin {
            super::say(format_args!(
                "{} is pinned to {}: sync leaves it alone until `driftdeck unpin {}`",
                target.app.name.as_str(),
                prepared.to.short(),
                target.app.name.as_str()
            ));
        }
        if args.wait {
            super::sync::wait_healthy(target, &cluster, args.timeout).await?;
        }
        Ok(Outcome::Ok)
    })
}

pub fn unpin(global: &GlobalArgs, args: UnpinArgs) -> CliResult {
    if super::act::refuse_read_only(global.read_only, "unpin", None) {
        return Ok(Outcome::ReadOnly);
    }
    let config = config::load(global.config.as_deref()).map_err(boxed)?;
    let app = config.app(&args.app).map_err(boxed)?.clone();
    super::act::runtime()?.block_on(async {
        let connection = target::connect(
            &app,
            global.kubeconfig.as_deref(),
            global.context.as_deref(),
        )
        .await
        .map_err(boxed)?;
        match rollback::unpin(&connection, &app.name, args.reason)
            .await
            .map_err(boxed)?
        {
            Some(pin) => super::say(format_args!(
                "unpinned {} (was pinned to {}); sync applies Git's tip again",
                app.name.as_str(),
                pin.revision.get(..7).unwrap_or(&pin.revision)
            )),
            None => super::say(format_args!("{} is not pinned", app.name.as_str())),
        }
        Ok(Outcome::Ok)
    })
}
