//! Everything an operation on one app starts from: the desired manifests at a
//! revision (rendered from Git) and a connection to the app's cluster (the
//! `--context` given, else the app's destination context, else the current one),
//! with the cluster's served kinds and the app's live objects.

use std::path::Path;
use std::sync::Arc;

use super::clusters::{Clusters, Session};
use super::live::{self, LiveState};
use super::watch::Watched;
use crate::cluster::{self, Catalog, ClusterError, Connection};
use crate::config::Config;
use crate::error::{Classified, boxed};
use crate::git;
use crate::model::{AppSpec, CommitId, Manifest};
use crate::render::Renderer;

/// An app's desired state at a revision.
pub struct Desired {
    pub app: AppSpec,
    pub commit: CommitId,
    pub manifests: Vec<Manifest>,
    pub warnings: Vec<String>,
}

/// Renders `app_name` at `revision` (default: the tip of its repo's branch).
pub fn desired(
    config: &Config,
    app_name: &str,
    revision: Option<&str>,
) -> Result<Desired, Box<dyn Classified>> {
    let app = config.app(app_name).map_err(boxed)?;
    let spec = config.repo_of(app).map_err(boxed)?;
    let repo = git::open_source(spec).map_err(boxed)?;
    let commit = repo
        .resolve(revision.unwrap_or(&repo.desired_ref(spec)))
        .map_err(boxed)?;
    let rendered = Renderer::default()
        .render(app, &repo, &commit)
        .map_err(boxed)?;
    Ok(Desired {
        app: app.clone(),
        commit,
        manifests: rendered.manifests.clone(),
        warnings: rendered.warnings.clone(),
    })
}

/// An app's cluster, as seen now.
pub struct Cluster {
    pub connection: Connection,
    pub catalog: Catalog,
    /// The context's tracked objects, kept current (for reading live state again).
    pub watched: Arc<Watched>,
    pub live: LiveState,
}

impl Cluster {
    /// The context this cluster was observed through, to read it again.
    pub fn session(&self) -> Session {
        Session {
            connection: self.connection.clone(),
            catalog: self.catalog.clone(),
            watched: self.watched.clone(),
        }
    }
}

/// Connects to the app's cluster and reads its live objects.
pub async fn observe(
    desired: &Desired,
    kubeconfig: Option<&Path>,
    context: Option<&str>,
) -> Result<Cluster, ClusterError> {
    observe_in(&Clusters::new(kubeconfig), desired, context).await
}

/// [`observe`] with the connections and discovery of `clusters`, shared between
/// apps.
pub async fn observe_in(
    clusters: &Clusters,
    desired: &Desired,
    context: Option<&str>,
) -> Result<Cluster, ClusterError> {
    let context = context.or(desired.app.destination.context.as_deref());
    let session = clusters.session(context).await?;
    let live = live::fetch(&session, &desired.app.name, &desired.manifests).await;
    let Session {
        connection,
        catalog,
        watched,
    } = session;
    Ok(Cluster {
        connection,
        catalog,
        watched,
        live,
    })
}

/// Connects to the app's cluster: `context` when given, else the app's destination
/// context, else the kubeconfig's current one.
pub async fn connect(
    app: &AppSpec,
    kubeconfig: Option<&Path>,
    context: Option<&str>,
) -> Result<Connection, ClusterError> {
    let context = context.or(app.destination.context.as_deref());
    cluster::connect(kubeconfig, context).await
}
