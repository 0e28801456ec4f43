//! `driftdeck sync APP`: shows the plan (what is created, updated, pruned, kept, and
//! where), asks unless `--yes`, applies, records the operation in the ledger and
//! reports exactly what happened. `--dry-run` shows the plan only (exit 1 when it
//! would change something). `--read-only` refuses (exit 3).

use clap::Args;

use super::{CliResult, GlobalArgs, Outcome, UsageError, boxed};
use crate::config;
use crate::engine::operation::{self, Record};
use crate::engine::sync::{self, SyncOptions, SyncPlan, SyncReport};
use crate::engine::{rollback, target};
use crate::model::{ResourceKey, text};

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The app, as named in the configuration.
    pub app: String,
    /// A branch, tag or commit (default: the tip of the repo's branch).
    #[arg(long)]
    pub revision: Option<String>,
    /// Delete objects this app applied earlier that Git no longer has.
    #[arg(long)]
    pub prune: bool,
    /// With --prune, delete tracked Namespaces too (and everything in them).
    #[arg(long)]
    pub prune_namespaces: bool,
    /// Show the plan only; exit 1 if the sync would change something.
    #[arg(long)]
    pub dry_run: bool,
    /// Only these resources, as GROUP/KIND/NAMESPACE/NAME (`core` for the core group,
    /// `-` for no namespace); repeatable.
    #[arg(long = "resource", value_name = "GROUP/KIND/NAMESPACE/NAME")]
    pub resources: Vec<String>,
    /// Take fields that other field managers own.
    #[arg(long)]
    pub force_conflicts: bool,
    /// After applying, wait until every object is healthy (or the timeout passes).
    #[arg(long)]
    pub wait: bool,
    /// How long --wait waits, in seconds.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub timeout: u64,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

fn parse_resource(text: &str) -> Result<ResourceKey, UsageError> {
    let parts: Vec<&str> = text.split('/').collect();
    let [group, kind, namespace, name] = parts.as_slice() else {
        return Err(UsageError {
            message: format!("--resource {text:?} is not GROUP/KIND/NAMESPACE/NAME"),
            hint: Some("for example apps/Deployment/web/api or core/ConfigMap/web/settings".into()),
        });
    };
    let group = if *group == "core" { "" } else { group };
    let namespace = if *namespace == "-" { "" } else { namespace };
    Ok(ResourceKey::new(group, *kind, namespace, *name))
}

pub fn run(global: &GlobalArgs, args: SyncArgs) -> CliResult {
    if !args.dry_run
        && super::act::refuse_read_only(
            global.read_only,
            "sync",
            Some("use --dry-run to see the plan"),
        )
    {
        return Ok(Outcome::ReadOnly);
    }
    let only = args
        .resources
        .iter()
        .map(|r| parse_resource(r))
        .collect::<Result<Vec<_>, _>>()
        .map_err(boxed)?;
    let options = SyncOptions {
        prune: args.prune,
        prune_namespaces: args.prune_namespaces,
        only,
        force_conflicts: args.force_conflicts,
    };
    let config = config::load(global.config.as_deref()).map_err(boxed)?;
    let desired = target::desired(&config, &args.app, args.revision.as_deref())?;
    for warning in &desired.warnings {
        eprintln!("warning: {}", text::one_line(warning));
    }
    let runtime = super::act::runtime()?;
    runtime.block_on(async {
        let cluster = target::observe(
            &desired,
            global.kubeconfig.as_deref(),
            global.context.as_deref(),
        )
        .await
        .map_err(boxed)?;
        if !args.dry_run {
            rollback::ensure_not_pinned(&cluster.connection, &desired.app.name)
                .await
                .map_err(boxed)?;
        }
        super::act::warn_unread(&cluster.live.problems);
        // Objects that already match Git (by a server-side dry run) are not applied.
        let plan = sync::plan_against(&desired, &cluster, &options).await;
        let title = format!(
            "sync {} to {}",
            desired.app.name.as_str(),
            desired.commit.short()
        );
        print_plan(&title, &desired, &cluster.connection, &plan, &options);
        let changes = !plan.create.is_empty()
            || !plan.update.is_empty()
            || (options.prune && !plan.prune.is_empty());
        if args.dry_run {
            return Ok(if changes {
                Outcome::Differences
            } else {
                Outcome::Ok
            });
        }
        if !changes {
            super::say(format_args!("nothing to sync"));
            if args.wait {
                wait_healthy(&desired, &cluster, args.timeout).await?;
            }
            return Ok(Outcome::Ok);
        }
        if !super::act::confirm("sync", args.yes)? {
            super::say(format_args!("not synced"));
            return Ok(Outcome::Ok);
        }
        let recorded =
            operation::apply_recorded(&desired, &cluster, &plan, &options, Record::sync()).await;
        let report = recorded.report;
        print_report(&report);
        if let Some(error) = recorded.ledger_error {
            eprintln!(
                "warning: the ledger could not be written: {}",
                text::one_line(&error.to_string())
            );
        }
        if report.succeeded() && args.wait {
            wait_healthy(&desired, &cluster, args.timeout).await?;
        }
        if report.succeeded() {
            Ok(Outcome::Ok)
        } else {
            Err(boxed(SyncFailed {
                failed: report.failed.len(),
                not_attempted: report.not_attempted.len(),
            }))
        }
    })
}

#[derive(Debug, thiserror::Error)]
#[error("sync incomplete: {failed} failed, {not_attempted} not attempted (see above)")]
struct SyncFailed {
    failed: usize,
    not_attempted: usize,
}

impl crate::error::Classified for SyncFailed {
    fn kind(&self) -> crate::error::ErrorKind {
        crate::error::ErrorKind::Cluster
    }

    fn hint(&self) -> Option<String> {
        Some("fix the cause and run the sync again: applying is idempotent".into())
    }
}

/// Waits for every desired object to be healthy, printing where each ended.
pub(super) async fn wait_healthy(
    desired: &target::Desired,
    cluster: &target::Cluster,
    seconds: u64,
) -> Result<(), Box<dyn crate::error::Classified>> {
    let waited =
        crate::engine::wait::healthy(desired, cluster, std::time::Duration::from_secs(seconds))
            .await;
    for (key, health) in &waited.resources {
        super::say(format_args!(
            "{:<12} {}  {}",
            health.status.label(),
            text::one_line(&key.to_string()),
            text::one_line(&health.message)
        ));
    }
    if waited.healthy {
        Ok(())
    } else {
        Err(boxed(NotHealthy { seconds }))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("applied, but not every object was healthy within {seconds}s (see above)")]
struct NotHealthy {
    seconds: u64,
}

impl crate::error::Classified for NotHealthy {
    fn kind(&self) -> crate::error::ErrorKind {
        crate::error::ErrorKind::Cluster
    }

    fn hint(&self) -> Option<String> {
        Some("look at `driftdeck events APP` and `driftdeck logs APP`".into())
    }
}

/// Prints the plan under `title` (`sync shop to 8ca12a2`), naming context and
/// namespace.
pub(super) fn print_plan(
    title: &str,
    desired: &target::Desired,
    connection: &crate::cluster::Connection,
    plan: &SyncPlan,
    options: &SyncOptions,
) {
    super::say(format_args!(
        "{title} on context {} (namespace {})",
        text::one_line(&connection.context),
        desired.app.destination.namespace
    ));
    for line in sync::describe(plan, options) {
        super::say(format_args!("{line}"));
    }
}

pub(super) fn print_report(report: &SyncReport) {
    for key in &report.applied {
        super::say(format_args!(
            "applied        {}",
            text::one_line(&key.to_string())
        ));
    }
    for key in &report.pruned {
        super::say(format_args!(
            "pruned         {}",
            text::one_line(&key.to_string())
        ));
    }
    for (key, error) in &report.failed {
        super::say(format_args!(
            "failed         {}: {}",
            text::one_line(&key.to_string()),
            text::one_line(&error.to_string())
        ));
    }
    for key in &report.not_attempted {
        super::say(format_args!(
            "not attempted  {}",
            text::one_line(&key.to_string())
        ));
    }
}
