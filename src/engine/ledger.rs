//! The ledger in the cluster: a ConfigMap per app, `driftdeck-ledger-<app>` in the
//! namespace `driftdeck-system` (both created when absent), holding the last
//! [`MAX_ENTRIES`] entries as JSON. Every write is a read-modify-write guarded by the
//! ConfigMap's resourceVersion and retried on conflict, so two operators writing
//! at once never lose each other's entries.

use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, PostParams};
use serde_json::json;

use crate::cluster::{ClusterError, Connection};
use crate::model::AppName;
use crate::model::ledger::LedgerEntry;

pub const NAMESPACE: &str = "driftdeck-system";
/// How many entries a ledger keeps (oldest dropped first).
pub const MAX_ENTRIES: usize = 100;
const KEY: &str = "entries";
/// Attempts at a read-modify-write before giving up on a busy ledger.
const ATTEMPTS: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error("the ledger of {app} is unreadable: {message}")]
    Corrupt { app: String, message: String },
    #[error("the ledger of {app} kept changing under us ({ATTEMPTS} attempts)")]
    Busy { app: String },
    #[error("no ledger entry {id} for {app}")]
    NoEntry { app: String, id: String },
}

impl crate::error::Classified for LedgerError {
    fn kind(&self) -> crate::error::ErrorKind {
        match self {
            Self::Cluster(error) => error.kind(),
            _ => crate::error::ErrorKind::Cluster,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            Self::Cluster(error) => error.hint(),
            Self::Corrupt { .. } => Some(format!(
                "inspect it with `kubectl get configmap -n {NAMESPACE} -o yaml`"
            )),
            _ => None,
        }
    }
}

pub fn config_map_name(app: &AppName) -> String {
    format!("driftdeck-ledger-{}", app.as_str())
}

fn api(connection: &Connection) -> Api<ConfigMap> {
    Api::namespaced(connection.client.clone(), NAMESPACE)
}

fn entries_of(app: &AppName, config_map: &ConfigMap) -> Result<Vec<LedgerEntry>, LedgerError> {
    let Some(text) = config_map.data.as_ref().and_then(|d| d.get(KEY)) else {
        return Ok(Vec::new());
    };
    serde_json::from_str(text).map_err(|e| LedgerError::Corrupt {
        app: app.as_str().into(),
        message: e.to_string(),
    })
}

/// The entries of an app, oldest first (empty when it has no ledger yet).
pub async fn read(connection: &Connection, app: &AppName) -> Result<Vec<LedgerEntry>, LedgerError> {
    let found = api(connection)
        .get_opt(&config_map_name(app))
        .await
        .map_err(|e| ClusterError::from_kube(&connection.context, e))?;
    match found {
        Some(config_map) => entries_of(app, &config_map),
        None => Ok(Vec::new()),
    }
}

/// Adds an entry.
pub async fn append(
    connection: &Connection,
    app: &AppName,
    entry: LedgerEntry,
) -> Result<(), LedgerError> {
    modify(connection, app, |entries| {
        entries.push(entry.clone());
        Ok(())
    })
    .await
}

/// Replaces the entry with `entry.id` (to record how an operation ended).
pub async fn update(
    connection: &Connection,
    app: &AppName,
    entry: LedgerEntry,
) -> Result<(), LedgerError> {
    modify(connection, app, |entries| {
        let slot = entries
            .iter_mut()
            .find(|e| e.id == entry.id)
            .ok_or_else(|| LedgerError::NoEntry {
                app: app.as_str().into(),
                id: entry.id.clone(),
            })?;
        *slot = entry.clone();
        Ok(())
    })
    .await
}

async fn modify(
    connection: &Connection,
    app: &AppName,
    change: impl Fn(&mut Vec<LedgerEntry>) -> Result<(), LedgerError>,
) -> Result<(), LedgerError> {
    let api = api(connection);
    let name = config_map_name(app);
    let cluster = |e| ClusterError::from_kube(&connection.context, e);
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            backoff(attempt).await;
        }
        let current = api.get_opt(&name).await.map_err(cluster)?;
        let mut entries = match &current {
            Some(config_map) => entries_of(app, config_map)?,
            None => Vec::new(),
        };
        change(&mut entries)?;
        let excess = entries.len().saturating_sub(MAX_ENTRIES);
        entries.drain(..excess);
        let text = serde_json::to_string(&entries).map_err(|e| LedgerError::Corrupt {
            app: app.as_str().into(),
            message: e.to_string(),
        })?;
        let written = match current {
            Some(mut config_map) => {
                // The resourceVersion read above makes this a compare-and-swap.
                config_map
                    .data
                    .get_or_insert_default()
                    .insert(KEY.into(), text);
                api.replace(&name, &PostParams::default(), &config_map)
                    .await
            }
            None => {
                ensure_namespace(connection).await?;
                let config_map: ConfigMap = serde_json::from_value(json!({
                    "metadata": {
                        "name": name,
                        "labels": {"app.kubernetes.io/managed-by": "driftdeck", "driftdeck.dev/app": app.as_str()},
                    },
                    "data": {KEY: text},
                }))
                .map_err(|e| LedgerError::Corrupt { app: app.as_str().into(), message: e.to_string() })?;
                api.create(&PostParams::default(), &config_map).await
            }
        };
        match written {
            Ok(_) => return Ok(()),
            // Someone else wrote (or created) it first: read again and redo.
            Err(kube::Error::Api(status)) if status.code == 409 => continue,
            Err(error) => return Err(cluster(error).into()),
        }
    }
    Err(LedgerError::Busy {
        app: app.as_str().into(),
    })
}

/// A short random pause that grows with the attempt, so writers that collided do
/// not collide again in lockstep.
async fn backoff(attempt: usize) {
    let mut byte = [0u8; 1];
    let _ = getrandom::fill(&mut byte);
    let millis = (attempt as u64).min(8) * 5 + u64::from(byte[0] % 20);
    tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
}

async fn ensure_namespace(connection: &Connection) -> Result<(), LedgerError> {
    let namespaces: Api<Namespace> = Api::all(connection.client.clone());
    let namespace: Namespace = serde_json::from_value(json!({"metadata": {"name": NAMESPACE}}))
        .map_err(|e| LedgerError::Corrupt {
            app: String::new(),
            message: e.to_string(),
        })?;
    match namespaces.create(&PostParams::default(), &namespace).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
        Err(error) => Err(ClusterError::from_kube(&connection.context, error).into()),
    }
}
