//! What can go wrong between driftdeck and a cluster, classified the way an operator
//! acts on it: a kubeconfig problem, a cluster that cannot be reached, credentials
//! refused (401), permissions missing (403), something absent (404), a timeout, or
//! any other API error. Each carries the context it happened in, so one broken
//! context is reported beside the others, not instead of them.

use std::path::PathBuf;

use crate::error::{Classified, ErrorKind};

#[derive(Clone, Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("no kubeconfig found (looked at {looked_at})")]
    NoKubeconfig { looked_at: String },
    #[error("kubeconfig {}: {message}", path.as_ref().map_or("(from KUBECONFIG)".to_owned(), |p| p.display().to_string()))]
    InvalidKubeconfig {
        path: Option<PathBuf>,
        message: String,
    },
    #[error("context {context:?} is not in the kubeconfig (it has: {})", if available.is_empty() { "none".to_owned() } else { available.join(", ") })]
    UnknownContext {
        context: String,
        available: Vec<String>,
    },
    #[error("the kubeconfig names no current context")]
    NoContext,
    #[error("context {context}: cannot reach the cluster: {message}")]
    Unreachable { context: String, message: String },
    #[error("context {context}: the cluster refused the credentials (401 Unauthorized): {message}")]
    Unauthorized { context: String, message: String },
    #[error("context {context}: forbidden (403): {message}")]
    Forbidden { context: String, message: String },
    #[error("context {context}: not found (404): {message}")]
    NotFound { context: String, message: String },
    /// Another field manager owns fields the apply would change (server-side apply).
    #[error("context {context}: conflict: {message}")]
    Conflict { context: String, message: String },
    #[error("context {context}: timed out: {message}")]
    Timeout { context: String, message: String },
    #[error("context {context}: the API server answered {code} {reason}: {message}")]
    Api {
        context: String,
        code: u16,
        reason: String,
        message: String,
    },
}

impl ClusterError {
    /// Classifies a kube-rs error that happened in `context`.
    pub fn from_kube(context: &str, error: kube::Error) -> Self {
        let context = context.to_owned();
        match error {
            kube::Error::Api(status) => {
                let message = status.message.clone();
                match status.code {
                    401 => Self::Unauthorized { context, message },
                    403 => Self::Forbidden { context, message },
                    404 => Self::NotFound { context, message },
                    409 => Self::Conflict { context, message },
                    408 | 504 => Self::Timeout { context, message },
                    code => Self::Api {
                        context,
                        code,
                        reason: status.reason.clone(),
                        message,
                    },
                }
            }
            kube::Error::Auth(auth) => Self::Unauthorized {
                context,
                message: chain(&auth),
            },
            other => {
                let message = chain(&other);
                let lower = message.to_lowercase();
                if lower.contains("timed out")
                    || lower.contains("elapsed")
                    || lower.contains("deadline")
                {
                    Self::Timeout { context, message }
                } else {
                    Self::Unreachable { context, message }
                }
            }
        }
    }

    /// The context the error belongs to, when it belongs to one.
    pub fn context(&self) -> Option<&str> {
        match self {
            Self::Unreachable { context, .. }
            | Self::Unauthorized { context, .. }
            | Self::Forbidden { context, .. }
            | Self::NotFound { context, .. }
            | Self::Conflict { context, .. }
            | Self::Timeout { context, .. }
            | Self::Api { context, .. } => Some(context),
            Self::UnknownContext { context, .. } => Some(context),
            _ => None,
        }
    }
}

/// An error and its causes on one line (kube's errors keep the useful part in the
/// innermost cause: "connection refused", "certificate unknown").
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

impl Classified for ClusterError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::NoKubeconfig { .. }
            | Self::InvalidKubeconfig { .. }
            | Self::UnknownContext { .. }
            | Self::NoContext => ErrorKind::Config,
            Self::NotFound { .. } => ErrorKind::NotFound,
            _ => ErrorKind::Cluster,
        }
    }

    fn hint(&self) -> Option<String> {
        let hint = match self {
            Self::NoKubeconfig { .. } => {
                "set KUBECONFIG or pass --kubeconfig; `driftdeck sandbox` starts a local cluster to try things"
            }
            Self::InvalidKubeconfig { .. } => "check the file with `kubectl config view`",
            Self::UnknownContext { .. } => {
                "pick one with --context (see `kubectl config get-contexts`)"
            }
            Self::NoContext => "pass --context, or set one with `kubectl config use-context`",
            Self::Unreachable { .. } => {
                "check the server address, your network or VPN, and that the cluster is up (`kubectl cluster-info`)"
            }
            Self::Unauthorized { .. } => {
                "your credentials were refused or have expired: log in again (exec plugins: rerun their login)"
            }
            Self::Forbidden { .. } => {
                "your user lacks this permission: ask for it, or check with `kubectl auth can-i`"
            }
            Self::NotFound { .. } => "the resource or its kind does not exist in this cluster",
            Self::Conflict { .. } => {
                "another manager owns these fields: sync with --force-conflicts to take them, or change the manifest"
            }
            Self::Timeout { .. } => {
                "the cluster is slow or unreachable; try again, or check `kubectl get --raw /readyz`"
            }
            Self::Api { .. } => return None,
        };
        Some(hint.to_owned())
    }
}
