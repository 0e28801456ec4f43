//! One connection and one discovery per kubeconfig context, shared by every app on
//! that context: a hundred apps on one cluster cost one kubeconfig load and one
//! discovery, and a broken context fails once, for all its apps, without holding up
//! the others. A hard refresh forgets a context so the next use discovers again
//! (a CRD installed meanwhile, say).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::OnceCell;

use super::watch::Watched;
use crate::cluster::{self, Catalog, ClusterError, Connection};

/// A context's client, the kinds it serves, and its tracked objects (watched).
#[derive(Clone)]
pub struct Session {
    pub connection: Connection,
    pub catalog: Catalog,
    pub watched: Arc<Watched>,
}

/// How long a context's discovery may take before the context counts as timed out.
const DISCOVERY_TIMEOUT: Duration = Duration::from_secs(15);

type Slot = Arc<OnceCell<Result<Session, ClusterError>>>;

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
    /// remembered (and returned to each) until [`Clusters::forget`].
    pub async fn session(&self, context: Option<&str>) -> Result<Session, ClusterError> {
        let slot = {
            let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
            sessions
                .entry(context.map(str::to_owned))
                .or_default()
                .clone()
        };
        slot.get_or_init(|| async {
            let connection = cluster::connect(self.kubeconfig.as_deref(), context).await?;
            // Bounded here, inside the shared discovery, so a cluster that never
            // answers fails once for all its apps instead of once per app.
            let catalog = tokio::time::timeout(DISCOVERY_TIMEOUT, cluster::discover(&connection))
                .await
                .map_err(|_| ClusterError::Timeout {
                    context: connection.context.clone(),
                    message: format!(
                        "discovery did not finish within {}s",
                        DISCOVERY_TIMEOUT.as_secs()
                    ),
                })??;
            Ok(Session {
                watched: Arc::new(Watched::new(connection.clone())),
                connection,
                catalog,
            })
        })
        .await
        .clone()
    }

    /// Drops what is known of `context`: the next use connects and discovers again.
    pub fn forget(&self, context: Option<&str>) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions.remove(&context.map(str::to_owned));
    }
}
