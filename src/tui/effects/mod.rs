//! The effects `update` asks for, carried out on the engine: each runs on its own
//! task (Git and rendering on the blocking pool), never on the task that draws, and
//! answers with one message.

mod actions;
mod activity;
mod external;
mod git_reads;

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

use super::model::{EventRow, Managed, ResourceRow};
use super::update::{DiffRead, LogsRead, LogsWanted, ObservedApp};
use crate::cluster::workloads::{self, LogRequest};
use crate::config::Config;
use crate::diff::{DiffMode, ResourceDiff};
use crate::engine::clusters::Clusters;
use crate::engine::drift::{self, Drift};
use crate::engine::support::{self, AppObjects, AppPod};
use crate::engine::target::{self, Cluster, Desired};
use crate::engine::{external_support, observe, status};
use crate::health;
use crate::model::{AppName, text};

pub use actions::{plan, run};
pub use activity::activity;
pub use external::discover;
pub use external::{
    assess as assess_engine, diff as engine_diff, history as engine_history, plan as plan_engine,
};
pub use git_reads::{history, repos};

/// How long an app may take to be observed.
const APP_TIMEOUT: Duration = Duration::from_secs(30);
/// The most commits the history pane holds.
const HISTORY_LIMIT: usize = 300;
/// The field manager of changes made from the cockpit.
const MANAGER: &str = "driftdeck";

/// What every effect needs: the configuration and the clusters.
#[derive(Clone)]
pub struct Engine {
    pub config: Config,
    /// `--context`: every app's context, instead of its own.
    pub context: Option<String>,
    pub clusters: Clusters,
}

type Failure = String;

use crate::error::one_line;

/// Renders on the blocking pool: Git reads and external renderers never hold up
/// the async workers.
async fn render(engine: &Engine, app: &str, revision: Option<String>) -> Result<Desired, Failure> {
    let config = engine.config.clone();
    let app = app.to_owned();
    tokio::task::spawn_blocking(move || {
        target::desired(&config, &app, revision.as_deref()).map_err(|e| one_line(&*e))
    })
    .await
    .map_err(|e| e.to_string())?
}

async fn observe_one(engine: &Engine, app: &str) -> Result<(Desired, Cluster), Failure> {
    let desired = render(engine, app, None).await?;
    let cluster = target::observe_in(&engine.clusters, &desired, engine.context.as_deref())
        .await
        .map_err(|e| one_line(&e))?;
    Ok((desired, cluster))
}

/// The objects a support action works on: a driftdeck app's, from its observation;
/// an Argo CD or Flux app's, from what its engine says it manages.
async fn app_objects(
    engine: &Engine,
    app: &AppName,
    managed: Option<&Managed>,
) -> Result<AppObjects, Failure> {
    match managed {
        Some(managed) => {
            let session = engine
                .clusters
                .session(managed.context.as_deref())
                .await
                .map_err(|e| one_line(&e))?;
            external_support::app_objects(&session, &managed.app)
                .await
                .map_err(|e| one_line(&e))
        }
        None => {
            let (_, cluster) = observe_one(engine, app.as_str()).await?;
            Ok(AppObjects::of(&cluster))
        }
    }
}

/// Every app rendered and observed, with its resources.
pub async fn observe_all(engine: &Engine, hard: bool) -> Vec<ObservedApp> {
    if hard {
        for app in &engine.config.apps {
            let context = engine
                .context
                .as_deref()
                .or(app.destination.context.as_deref());
            engine.clusters.forget(context);
        }
    }
    let names: Vec<String> = engine
        .config
        .apps
        .iter()
        .map(|a| a.name.to_string())
        .collect();
    let rendered = {
        let config = engine.config.clone();
        tokio::task::spawn_blocking(move || {
            names
                .iter()
                .map(|name| target::desired(&config, name, None).map_err(|e| one_line(&*e)))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default()
    };
    let mut results = Vec::new();
    let mut desired = Vec::new();
    for (app, rendered) in engine.config.apps.iter().zip(rendered) {
        match rendered {
            Ok(d) => desired.push(d),
            Err(error) => results.push(ObservedApp {
                name: app.name.clone(),
                desired: Err(error.clone()),
                status: Err(error),
                resources: Vec::new(),
            }),
        }
    }
    let seen = observe::observe_all(
        &engine.clusters,
        desired,
        engine.context.as_deref(),
        DiffMode::ServerSide,
        APP_TIMEOUT,
    )
    .await;
    for (name, seen) in seen {
        results.push(match seen {
            Ok(seen) => ObservedApp {
                name,
                desired: Ok(seen.desired.commit.short().to_owned()),
                status: match &seen.ledger {
                    Ok(entries) => Ok(status::status(
                        &seen.desired,
                        &seen.cluster,
                        &seen.drift,
                        entries,
                    )),
                    Err(error) => Err(format!(
                        "the ledger: {}",
                        text::one_line(&error.to_string())
                    )),
                },
                resources: resource_rows(&seen.cluster, &seen.drift),
            },
            Err(error) => ObservedApp {
                name,
                desired: Ok(String::new()),
                status: Err(text::one_line(&error.to_string()).into_owned()),
                resources: Vec::new(),
            },
        });
    }
    results
}

/// The app's resources as the app screen lists them: every object of the drift
/// (desired ones and extras), with its live health.
pub fn resource_rows(cluster: &Cluster, drift: &Drift) -> Vec<ResourceRow> {
    drift
        .resources
        .iter()
        .map(|resource| resource_row(resource, cluster.live.objects.get(&resource.key)))
        .collect()
}

fn resource_row(resource: &ResourceDiff, live: Option<&Value>) -> ResourceRow {
    let health = live.map_or_else(health::missing, health::assess);
    let key = &resource.key;
    ResourceRow {
        key: text::one_line(&key.to_string()).into_owned(),
        kind: key.kind.clone(),
        namespace: text::one_line(&key.namespace).into_owned(),
        name: text::one_line(&key.name).into_owned(),
        sync: resource.status,
        health: health.status,
        message: text::one_line(&health.message).into_owned(),
        replicas: live
            .and_then(|l| l.pointer("/spec/replicas"))
            .and_then(Value::as_i64),
        unified: text::multi_line(&resource.unified).into_owned(),
        live: text::multi_line(&resource.live_text).into_owned(),
        desired: text::multi_line(&resource.desired_text).into_owned(),
    }
}

/// Live ↔ the app's manifests at `against`: what a rollback there would change.
pub async fn diff_against(
    engine: &Engine,
    app: &AppName,
    against: &str,
) -> Result<DiffRead, Failure> {
    let desired = render(engine, app.as_str(), Some(against.to_owned())).await?;
    let cluster = target::observe_in(&engine.clusters, &desired, engine.context.as_deref())
        .await
        .map_err(|e| one_line(&e))?;
    let drift = drift::drift(&desired, &cluster, DiffMode::ServerSide).await;
    Ok(DiffRead {
        resources: resource_rows(&cluster, &drift),
        notes: desired.warnings.clone(),
    })
}

/// New log lines as they come (a `follow` stream).
pub type LogStream = futures_util::stream::BoxStream<'static, Result<String, std::io::Error>>;

/// A log line as the screen may show it: tabs as spaces, escape sequences and other
/// control characters made visible.
pub fn clean_log_line(line: &str) -> String {
    text::one_line(&line.replace('\t', "    ")).into_owned()
}

/// The chosen pod's log read to its end now (the tail asked for).
pub async fn logs(
    engine: &Engine,
    app: &AppName,
    wanted: &LogsWanted,
    managed: Option<&Managed>,
) -> Result<LogsRead, Failure> {
    let (mut read, stream) = open_logs(engine, app, wanted, managed).await?;
    if let Some(mut lines) = stream {
        while let Some(line) = lines.next().await {
            let line = line.map_err(|e| e.to_string())?;
            read.lines.push(clean_log_line(&line));
        }
    }
    Ok(read)
}

/// The app's pods and the chosen one's log as a stream: the tail, then (with
/// `wanted.follow`) every new line until the container stops. No pod: no stream.
pub async fn open_logs(
    engine: &Engine,
    app: &AppName,
    wanted: &LogsWanted,
    managed: Option<&Managed>,
) -> Result<(LogsRead, Option<LogStream>), Failure> {
    let objects = app_objects(engine, app, managed).await?;
    let pods = support::pods(&objects).await.map_err(|e| one_line(&e))?;
    let chosen = wanted
        .pod
        .as_ref()
        .and_then(|p| pods.iter().find(|pod| pod.id() == *p))
        .or_else(|| pods.first())
        .cloned();
    let read = LogsRead {
        pod: chosen.as_ref().map(AppPod::id),
        pods,
        lines: Vec::new(),
    };
    let Some(pod) = chosen else {
        return Ok((read, None));
    };
    let request = LogRequest {
        container: wanted
            .container
            .clone()
            .filter(|c| pod.containers.contains(c)),
        previous: wanted.previous,
        tail: Some(wanted.tail),
        follow: wanted.follow,
        timestamps: wanted.timestamps,
    };
    let lines = workloads::log_lines(&objects.connection, &pod.namespace, &pod.name, &request)
        .await
        .map_err(|e| one_line(&e))?;
    Ok((read, Some(lines.boxed())))
}

pub async fn events(
    engine: &Engine,
    app: &AppName,
    managed: Option<&Managed>,
) -> Result<Vec<EventRow>, Failure> {
    let objects = app_objects(engine, app, managed).await?;
    let now = jiff::Timestamp::now();
    let found = support::events(&objects).await.map_err(|e| one_line(&e))?;
    Ok(found
        .iter()
        .map(|event| {
            let object = &event.involved_object;
            EventRow {
                age: support::last_seen(event)
                    .map(|t| text::age(now, t))
                    .unwrap_or_default(),
                kind: text::one_line(event.type_.as_deref().unwrap_or_default()).into_owned(),
                object: text::one_line(&format!(
                    "{}/{}",
                    object.kind.as_deref().unwrap_or_default().to_lowercase(),
                    object.name.as_deref().unwrap_or_default()
                ))
                .into_owned(),
                reason: text::one_line(event.reason.as_deref().unwrap_or_default()).into_owned(),
                message: text::one_line(event.message.as_deref().unwrap_or_default()).into_owned(),
                warning: event.type_.as_deref() == Some("Warning"),
            }
        })
        .collect())
}

/// The app's connection, from its context's shared session.
async fn connection(
    engine: &Engine,
    spec: &crate::model::AppSpec,
) -> Result<crate::cluster::Connection, crate::cluster::ClusterError> {
    let context = engine
        .context
        .as_deref()
        .or(spec.destination.context.as_deref());
    Ok(engine.clusters.session(context).await?.connection)
}
