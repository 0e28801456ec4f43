//! Many apps observed at once, as `apps` and the cockpit show them: for each app its
//! live state, drift and ledger, computed on the runtime's worker threads (one task
//! per app, a bounded number at a time), sharing one session — connection,
//! discovery, watches — per context. An app whose cluster fails or does not answer
//! in time gets its own error; the others are not held up.

use std::time::Duration;

use futures_util::StreamExt;

use super::clusters::Clusters;
use super::drift::{self, Drift};
use super::ledger::{self, LedgerError};
use super::target::{self, Cluster, Desired};
use crate::cluster::ClusterError;
use crate::diff::DiffMode;
use crate::model::AppName;
use crate::model::ledger::LedgerEntry;

/// How many apps are observed at once.
const CONCURRENT_APPS: usize = 8;

/// One app, seen.
pub struct Observation {
    pub desired: Desired,
    pub cluster: Cluster,
    pub drift: Drift,
    pub ledger: Result<Vec<LedgerEntry>, LedgerError>,
}

/// Why an app could not be seen.
#[derive(Debug, thiserror::Error)]
pub enum ObserveError {
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error("the cluster did not answer within {}s", .0.as_secs())]
    TimedOut(Duration),
    #[error("observing the app failed: {0}")]
    Crashed(String),
}

/// Observes every app in `apps` (rendered already) on its cluster: `context` when
/// given, else each app's destination context. Results come back in `apps`' order,
/// each with its app's name.
pub async fn observe_all(
    clusters: &Clusters,
    apps: Vec<Desired>,
    context: Option<&str>,
    mode: DiffMode,
    timeout: Duration,
) -> Vec<(AppName, Result<Observation, ObserveError>)> {
    let mut results = futures_util::stream::iter(apps.into_iter().enumerate())
        .map(|(index, desired)| {
            let name = desired.app.name.clone();
            let clusters = clusters.clone();
            let context = context.map(str::to_owned);
            let task = tokio::spawn(async move {
                tokio::time::timeout(
                    timeout,
                    observe_one(&clusters, desired, context.as_deref(), mode),
                )
                .await
                .unwrap_or(Err(ObserveError::TimedOut(timeout)))
            });
            async move {
                // Dropping the whole observation (a front end moving on) stops its
                // tasks too.
                let mut task = AbortOnDrop(task);
                let seen = (&mut task.0)
                    .await
                    .unwrap_or_else(|e| Err(ObserveError::Crashed(e.to_string())));
                (index, name, seen)
            }
        })
        .buffer_unordered(CONCURRENT_APPS)
        .collect::<Vec<_>>()
        .await;
    results.sort_by_key(|(index, _, _)| *index);
    results
        .into_iter()
        .map(|(_, name, seen)| (name, seen))
        .collect()
}

async fn observe_one(
    clusters: &Clusters,
    desired: Desired,
    context: Option<&str>,
    mode: DiffMode,
) -> Result<Observation, ObserveError> {
    let cluster = target::observe_in(clusters, &desired, context).await?;
    let drift = drift::drift(&desired, &cluster, mode).await;
    let ledger = ledger::read(&cluster.connection, &desired.app.name).await;
    Ok(Observation {
        desired,
        cluster,
        drift,
        ledger,
    })
}

struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}
