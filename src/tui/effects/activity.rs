//! The activity screen's reads: every app's ledger from its cluster, and the commit
//! time of each revision the ledgers name, from the app's Git source (as it is, not
//! fetched). The figures are computed from these by the view.

use std::collections::HashMap;

use futures_util::future::join_all;

use super::{Engine, connection, one_line};
use crate::engine::ledger;
use crate::git;
use crate::model::AppName;
use crate::tui::model::AppLedger;

/// Every configured app's ledger, in the configuration's order; an app whose
/// ledger cannot be read says why and keeps the others.
pub async fn activity(engine: &Engine) -> Vec<AppLedger> {
    let reads = engine.config.apps.iter().map(|spec| async move {
        let entries = match connection(engine, spec).await {
            Ok(connection) => ledger::read(&connection, &spec.name)
                .await
                .map_err(|e| one_line(&e)),
            Err(e) => Err(one_line(&e)),
        };
        (spec.name.clone(), entries)
    });
    let read: Vec<_> = join_all(reads).await;
    let config = engine.config.clone();
    let timed = tokio::task::spawn_blocking(move || {
        read.into_iter()
            .map(|(app, entries)| {
                let commit_times = match &entries {
                    Ok(entries) => commit_times(&config, &app, entries),
                    Err(_) => HashMap::new(),
                };
                AppLedger {
                    app,
                    entries,
                    commit_times,
                }
            })
            .collect()
    });
    timed.await.unwrap_or_default()
}

/// The commit (author) time of every revision in `entries` that the app's source
/// knows; a revision it does not know (or a source that cannot be opened) is left
/// out, and the figures say how many were.
fn commit_times(
    config: &crate::config::Config,
    app: &AppName,
    entries: &[crate::model::ledger::LedgerEntry],
) -> HashMap<String, jiff::Timestamp> {
    let repo = config
        .app(app.as_str())
        .and_then(|spec| config.repo_of(spec))
        .ok()
        .and_then(|spec| git::open_source_fetching(spec, false).ok());
    let Some(repo) = repo else {
        return HashMap::new();
    };
    let mut times = HashMap::new();
    for entry in entries {
        if times.contains_key(&entry.revision) {
            continue;
        }
        let id = crate::model::CommitId::new(entry.revision.clone());
        if let Ok(info) = repo.commit_info(&id) {
            times.insert(entry.revision.clone(), info.author_time);
        }
    }
    times
}
