//! The support actions an on-call operator reaches for: `logs`, `events`, `restart`
//! and `scale`, each on an app's own workloads. Everything read from the cluster is
//! neutralised before it reaches the terminal; `restart` and `scale` show what they
//! will touch and where, ask (unless `--yes`), and refuse under `--read-only`.

use std::io::Write;

use clap::Args;
use futures_util::StreamExt;

use super::{CliResult, GlobalArgs, Outcome, UsageError, boxed};
use crate::cluster::workloads::{self, LogRequest};
use crate::config;
use crate::engine::support::{self, AppObjects};
use crate::engine::target::{self, Cluster, Desired};
use crate::error::Classified;
use crate::model::{ResourceKey, text};

const MANAGER: &str = "driftdeck";

#[derive(Debug, Args)]
pub struct LogsArgs {
    pub app: String,
    /// One pod (default: every pod of the app's workloads).
    #[arg(long)]
    pub pod: Option<String>,
    #[arg(long, short = 'c')]
    pub container: Option<String>,
    /// The previous instance of a restarted container.
    #[arg(long, short = 'p')]
    pub previous: bool,
    /// Only the last N lines.
    #[arg(long)]
    pub tail: Option<i64>,
    /// Keep streaming new lines (one pod).
    #[arg(long, short = 'f')]
    pub follow: bool,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    pub app: String,
}

#[derive(Debug, Args)]
pub struct RestartArgs {
    pub app: String,
    /// The workload, as KIND/NAME (`deployment/web`), or NAMESPACE/KIND/NAME.
    pub workload: String,
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct ScaleArgs {
    pub app: String,
    /// The workload, as KIND/NAME (`deployment/web`), or NAMESPACE/KIND/NAME.
    pub workload: String,
    pub replicas: i32,
    #[arg(long, short = 'y')]
    pub yes: bool,
}

fn desired(global: &GlobalArgs, app: &str) -> Result<Desired, Box<dyn Classified>> {
    let config = config::load(global.config.as_deref()).map_err(boxed)?;
    target::desired(&config, app, None)
}

async fn observe(global: &GlobalArgs, desired: &Desired) -> Result<Cluster, Box<dyn Classified>> {
    target::observe(
        desired,
        global.kubeconfig.as_deref(),
        global.context.as_deref(),
    )
    .await
    .map_err(boxed)
}

pub fn logs(global: &GlobalArgs, args: LogsArgs) -> CliResult {
    let desired = desired(global, &args.app)?;
    super::act::runtime()?.block_on(async {
        let cluster = observe(global, &desired).await?;
        let objects = AppObjects::of(&cluster);
        let mut names: Vec<(String, String)> = support::pods(&objects)
            .await
            .map_err(boxed)?
            .into_iter()
            .map(|pod| (pod.namespace, pod.name))
            .filter(|(_, name)| args.pod.as_ref().is_none_or(|wanted| wanted == name))
            .collect();
        if names.is_empty() {
            return Err(boxed(UsageError {
                message: match &args.pod {
                    Some(pod) => format!("pod {pod:?} is not one of {}'s", args.app),
                    None => format!("{} has no pods", args.app),
                },
                hint: None,
            }));
        }
        if args.follow && names.len() > 1 {
            names.truncate(1);
            eprintln!("following {} (pick another with --pod)", names[0].1);
        }
        let request = LogRequest {
            container: args.container.clone(),
            previous: args.previous,
            tail: args.tail,
            follow: args.follow,
            timestamps: false,
        };
        let prefix = names.len() > 1;
        let mut stdout = std::io::stdout().lock();
        for (namespace, pod) in &names {
            let mut lines = workloads::log_lines(&cluster.connection, namespace, pod, &request)
                .await
                .map_err(boxed)?;
            while let Some(line) = lines.next().await {
                let Ok(line) = line else { break };
                let line = text::one_line(&line);
                let written = if prefix {
                    writeln!(stdout, "[{pod}] {line}")
                } else {
                    writeln!(stdout, "{line}")
                };
                if written.is_err() {
                    return Ok(Outcome::Ok);
                }
            }
        }
        Ok(Outcome::Ok)
    })
}

pub fn events(global: &GlobalArgs, args: EventsArgs) -> CliResult {
    let desired = desired(global, &args.app)?;
    super::act::runtime()?.block_on(async {
        let cluster = observe(global, &desired).await?;
        let objects = AppObjects::of(&cluster);
        super::say(format_args!(
            "{:<8} {:<8} {:<20} {:<40} MESSAGE",
            "LAST", "TYPE", "REASON", "OBJECT"
        ));
        let now = jiff::Timestamp::now();
        for event in support::events(&objects).await.map_err(boxed)? {
            let object = &event.involved_object;
            super::say(format_args!(
                "{:<8} {:<8} {:<20} {:<40} {}",
                support::last_seen(&event)
                    .map(|t| text::age(now, t))
                    .unwrap_or_default(),
                text::one_line(event.type_.as_deref().unwrap_or_default()),
                text::one_line(event.reason.as_deref().unwrap_or_default()),
                text::one_line(&format!(
                    "{}/{}",
                    object.kind.as_deref().unwrap_or_default().to_lowercase(),
                    object.name.as_deref().unwrap_or_default()
                )),
                text::one_line(event.message.as_deref().unwrap_or_default()),
            ));
        }
        Ok(Outcome::Ok)
    })
}

/// Finds `KIND/NAME` among the app's workloads.
fn find_workload<'a>(
    objects: &'a AppObjects,
    wanted: &str,
) -> Result<&'a ResourceKey, Box<dyn Classified>> {
    support::find_workload(objects, wanted).map_err(boxed)
}

fn confirm(action: &str, yes: bool) -> Result<bool, Box<dyn Classified>> {
    super::say(format_args!("{action}"));
    super::act::confirm("act", yes)
}

fn refuse_read_only(global: &GlobalArgs, command: &str) -> bool {
    super::act::refuse_read_only(global.read_only, command, None)
}

pub fn restart(global: &GlobalArgs, args: RestartArgs) -> CliResult {
    if refuse_read_only(global, "restart") {
        return Ok(Outcome::ReadOnly);
    }
    let desired = desired(global, &args.app)?;
    super::act::runtime()?.block_on(async {
        let cluster = observe(global, &desired).await?;
        let objects = AppObjects::of(&cluster);
        let key = find_workload(&objects, &args.workload)?;
        let action = format!(
            "restart {key} on context {} (namespace {})",
            text::one_line(&cluster.connection.context),
            key.namespace
        );
        if !confirm(&action, args.yes)? {
            return Ok(Outcome::Ok);
        }
        let served = cluster.catalog.get(&key.group, &key.kind).ok_or_else(|| {
            boxed(UsageError {
                message: format!("the cluster does not serve {}", key.kind),
                hint: None,
            })
        })?;
        workloads::restart(
            &cluster.connection,
            served,
            &key.namespace,
            &key.name,
            MANAGER,
        )
        .await
        .map_err(boxed)?;
        super::say(format_args!("restarted {key}"));
        Ok(Outcome::Ok)
    })
}

pub fn scale(global: &GlobalArgs, args: ScaleArgs) -> CliResult {
    if refuse_read_only(global, "scale") {
        return Ok(Outcome::ReadOnly);
    }
    if args.replicas < 0 {
        return Err(boxed(UsageError {
            message: format!("cannot scale to {} replicas", args.replicas),
            hint: None,
        }));
    }
    let desired = desired(global, &args.app)?;
    super::act::runtime()?.block_on(async {
        let cluster = observe(global, &desired).await?;
        let objects = AppObjects::of(&cluster);
        let key = find_workload(&objects, &args.workload)?;
        let action = format!(
            "scale {key} to {} on context {} (namespace {}); Git still says otherwise, so the app will show as drifted",
            args.replicas,
            text::one_line(&cluster.connection.context),
            key.namespace
        );
        if !confirm(&action, args.yes)? {
            return Ok(Outcome::Ok);
        }
        let served = cluster.catalog.get(&key.group, &key.kind).ok_or_else(|| {
            boxed(UsageError { message: format!("the cluster does not serve {}", key.kind), hint: None })
        })?;
        workloads::scale(&cluster.connection, served, &key.namespace, &key.name, args.replicas, MANAGER)
            .await
            .map_err(boxed)?;
        super::say(format_args!("scaled {key} to {}", args.replicas));
        Ok(Outcome::Ok)
    })
}
