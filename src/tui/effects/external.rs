//! The Argo CD and Flux side of the cockpit's effects: discovery in every context
//! searched, and the engine actions' plans and runs (`engine::external_actions`).

use std::time::Duration;

use super::{Engine, Failure, one_line};
use crate::engine::external::{self, Discovered};
use crate::engine::external_actions::{self, Waits};
use crate::integrations::actions::Ask;
use crate::model::ResourceKey;
use crate::model::text;
use crate::tui::update::external::Found;

/// How long one context's discovery may take.
const DISCOVER_TIMEOUT: Duration = Duration::from_secs(20);

/// The Argo CD and Flux apps of each context, each context on its own (one that
/// cannot be reached says so and holds up no other).
pub async fn discover(engine: &Engine, contexts: Vec<Option<String>>) -> Vec<Found> {
    let asks = contexts.into_iter().map(|context| async move {
        let result = tokio::time::timeout(DISCOVER_TIMEOUT, discover_one(engine, &context))
            .await
            .unwrap_or_else(|_| {
                Err(format!(
                    "{}: no answer within {}s",
                    context.as_deref().unwrap_or("current context"),
                    DISCOVER_TIMEOUT.as_secs()
                ))
            });
        Found {
            own_context: context,
            result,
        }
    });
    futures_util::future::join_all(asks).await
}

async fn discover_one(
    engine: &Engine,
    context: &Option<String>,
) -> Result<(String, Discovered), Failure> {
    let session = engine
        .clusters
        .session(context.as_deref())
        .await
        .map_err(|e| {
            format!(
                "{}: {}",
                context.as_deref().unwrap_or("current context"),
                one_line(&e)
            )
        })?;
    // The engines' groups are discovered every time: CRDs installed after the
    // session began are seen without a hard refresh.
    let catalog = crate::cluster::discover_groups(&session.connection, &external::GROUPS)
        .await
        .map_err(|e| format!("{}: {}", session.connection.context, one_line(&e)))?;
    let found = external::discover(&session.connection, &catalog).await;
    Ok((session.connection.context.clone(), found))
}

/// A context's connection and the Argo CD and Flux kinds it serves now.
async fn engines_of(
    engine: &Engine,
    context: Option<&str>,
) -> Result<(crate::cluster::Connection, crate::cluster::Catalog), Failure> {
    let session = engine
        .clusters
        .session(context)
        .await
        .map_err(|e| one_line(&e))?;
    let catalog = crate::cluster::discover_groups(&session.connection, &external::GROUPS)
        .await
        .map_err(|e| one_line(&e))?;
    Ok((session.connection, catalog))
}

/// The confirmation's lines of an engine action, from objects read just now.
pub async fn plan(
    engine: &Engine,
    context: Option<&str>,
    key: &ResourceKey,
    ask: &Ask,
) -> Result<Vec<String>, Failure> {
    let (connection, catalog) = engines_of(engine, context).await?;
    let prepared = external_actions::prepare(&connection, &catalog, key, ask, None)
        .await
        .map_err(|e| one_line(&e))?;
    Ok(prepared
        .lines()
        .iter()
        .map(|line| text::one_line(line).into_owned())
        .collect())
}

/// Runs a confirmed engine action: planned again on fresh objects, patched,
/// waited for, recorded in the ledger.
pub async fn run(
    engine: &Engine,
    context: Option<&str>,
    key: &ResourceKey,
    ask: &Ask,
    reason: Option<String>,
) -> Result<String, Failure> {
    let (connection, catalog) = engines_of(engine, context).await?;
    let prepared = external_actions::prepare(&connection, &catalog, key, ask, reason)
        .await
        .map_err(|e| one_line(&e))?;
    let done = external_actions::execute(&connection, &catalog, &prepared, Waits::default()).await;
    match (done.result, done.ledger_error) {
        (Ok(summary), None) => Ok(text::one_line(&summary).into_owned()),
        (Ok(summary), Some(error)) => Err(format!(
            "{summary}, but the ledger could not be written: {}",
            one_line(&error)
        )),
        (Err(failure), _) => Err(text::one_line(&failure).into_owned()),
    }
}
