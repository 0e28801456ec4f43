//! Connecting to a cluster as kubectl does: the kubeconfig from `--kubeconfig`, else
//! `KUBECONFIG` (several files merged), else `~/.kube/config`; the context from
//! `--context` (or an app's `destination.context`), else the current one.

use std::path::Path;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

use super::error::ClusterError;

/// A client for one context, with what the user should see about it.
#[derive(Clone)]
pub struct Connection {
    pub context: String,
    /// The context's default namespace (`default` when it names none).
    pub namespace: String,
    /// The API server's URL.
    pub server: String,
    /// The kubeconfig user the context uses (for the ledger's "who").
    pub user: String,
    pub client: Client,
}

/// Reads the kubeconfig: `path`, else the environment and home as kubectl does.
pub fn load_kubeconfig(path: Option<&Path>) -> Result<Kubeconfig, ClusterError> {
    match path {
        Some(path) => Kubeconfig::read_from(path).map_err(|e| ClusterError::InvalidKubeconfig {
            path: Some(path.to_owned()),
            message: e.to_string(),
        }),
        None => Kubeconfig::read().map_err(|e| {
            let message = e.to_string();
            if message.contains("find the path") {
                ClusterError::NoKubeconfig {
                    looked_at: "KUBECONFIG and ~/.kube/config".into(),
                }
            } else {
                ClusterError::InvalidKubeconfig {
                    path: None,
                    message,
                }
            }
        }),
    }
}

/// The contexts a kubeconfig names, in file order.
pub fn context_names(kubeconfig: &Kubeconfig) -> Vec<String> {
    kubeconfig.contexts.iter().map(|c| c.name.clone()).collect()
}

/// A client for `context` (or the current context) of the kubeconfig at `path` (or
/// the default one). Nothing is sent to the cluster yet.
pub async fn connect(
    path: Option<&Path>,
    context: Option<&str>,
) -> Result<Connection, ClusterError> {
    let kubeconfig = load_kubeconfig(path)?;
    let available = context_names(&kubeconfig);
    let name = match context {
        Some(name) => name.to_owned(),
        None => kubeconfig
            .current_context
            .clone()
            .ok_or(ClusterError::NoContext)?,
    };
    if !available.contains(&name) {
        return Err(ClusterError::UnknownContext {
            context: name,
            available,
        });
    }
    let entry = kubeconfig
        .contexts
        .iter()
        .find(|c| c.name == name)
        .and_then(|c| c.context.as_ref());
    let namespace = entry
        .and_then(|c| c.namespace.clone())
        .unwrap_or_else(|| "default".to_owned());
    let user = entry.and_then(|c| c.user.clone()).unwrap_or_default();
    let options = KubeConfigOptions {
        context: Some(name.clone()),
        ..KubeConfigOptions::default()
    };
    let config = Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| ClusterError::InvalidKubeconfig {
            path: path.map(Path::to_owned),
            message: e.to_string(),
        })?;
    let server = config.cluster_url.to_string();
    let client = Client::try_from(config).map_err(|e| ClusterError::from_kube(&name, e))?;
    Ok(Connection {
        context: name,
        namespace,
        server,
        user,
        client,
    })
}
