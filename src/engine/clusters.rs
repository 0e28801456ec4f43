//! One connection and one discovery per kubeconfig context, shared by every app on
//! that context: a hundred apps on one cluster cost one kubeconfig load and one
//! discovery, and a broken context fails once, for all its apps, without holding up
//! the others. A hard refresh forgets a context so the next use discovers again
//! (a CRD installed meanwhile, say).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};

use super::watch::Watched;
use crate::cluster::{self, Catalog, ClusterError, Connection};

/// A context's client, the kinds it serves, and its tracked objects (watched).
#[derive(Clone)]
pub struct Session {
    pub connection: Connection,
    pub catalog: Catalog,
    pub watched: Arc<Watched>,
}

/// How long connecting to a context and its discovery may take before the context
/// counts as timed out (shorter than the per-app timeouts of the front ends, so
/// this error, not theirs, is what users see).
const SESSION_TIMEOUT: Duration = Duration::from_secs(10);

/// A context's session being made, or made: one shared future, so a caller that
/// gives up (its own timeout) does not restart the work for the others.
type Slot = Shared<BoxFuture<'static, Result<Session, ClusterError>>>;

/// The sessions of one kubeconfig, by context name (`None`: the current context).
#[derive(Clone, Default)]
pub struct Clusters {
    kubeconfig: Option<PathBuf>,
    sessions: Arc<Mutex<HashMap<Option<String>, Slot>>>,
}

impl Clusters {
    /// Sessions from `kubeconfig` (default: `KUBECONFIG`, then `~/.kube/config`).
    pub fn new(kubeconfig: Option<&Path>) -> Self {
        Self {
            kubeconfig: kubeconfig.map(Path::to_path_buf),
            sessions: Arc::default(),
        }
    }

    /// The session of `context`, connecting and discovering on first use. Concurrent
    /// callers for the same context wait for the one discovery; its failure is
    /// remembered (and returned to each) until [`Clusters::forget`]. The work runs
    /// on whichever caller polls it, so it survives callers that give up.
    pub async fn session(&self, context: Option<&str>) -> Result<Session, ClusterError> {
        let slot = {
            let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
            sessions
                .entry(context.map(str::to_owned))
                .or_insert_with(|| {
                    connect_and_discover(self.kubeconfig.clone(), context.map(str::to_owned))
                        .boxed()
                        .shared()
                })
                .clone()
        };
        slot.await
    }

    /// Drops what is known of `context`: the next use connects and discovers again.
    pub fn forget(&self, context: Option<&str>) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions.remove(&context.map(str::to_owned));
    }
}

/// Connects and discovers, bounded by [`SESSION_TIMEOUT`].
async fn connect_and_discover(
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
) -> Result<Session, ClusterError> {
    let timed_out = |context: &str| ClusterError::Timeout {
        context: context.to_owned(),
        message: format!(
            "no connection and discovery within {}s",
            SESSION_TIMEOUT.as_secs()
        ),
    };
    let shown = context.clone().unwrap_or_else(|| "(current)".into());
    let connection = tokio::time::timeout(
        SESSION_TIMEOUT,
        cluster::connect(kubeconfig.as_deref(), context.as_deref()),
    )
    .await
    .map_err(|_| timed_out(&shown))??;
    let catalog = tokio::time::timeout(SESSION_TIMEOUT, cluster::discover(&connection))
        .await
        .map_err(|_| timed_out(&connection.context))??;
    Ok(Session {
        watched: Arc::new(Watched::new(connection.clone())),
        connection,
        catalog,
    })
}
