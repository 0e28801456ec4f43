//! The activity screen's reads: every app's ledger from its cluster, and the commit
//! time of each revision the ledgers name, from the app's Git source (as it is, not
//! fetched). The configured apps come first, then the Argo CD and Flux apps found,
//! whose ledgers driftdeck's actions on them write (`argocd.NS.NAME`, …) in the
//! context each was found in. The figures are computed from these by the view.

use std::collections::HashMap;

use futures_util::future::join_all;

use super::{Engine, connection, one_line};

use crate::engine::external_actions::ledger_name;
use crate::engine::external_source::engine_source;
use crate::engine::ledger;
use crate::git;
use crate::integrations::actions::commit_of;
use crate::model::ledger::LedgerEntry;
use crate::model::{AppName, RepoSpec};
use crate::tui::model::{AppLedger, Managed};

/// Every app's ledger: the configured apps' in the configuration's order, then
/// `engine_apps`' (by row) in the order given; an app whose ledger cannot be read
/// says why and keeps the others.
pub async fn activity(engine: &Engine, engine_apps: Vec<(AppName, Managed)>) -> Vec<AppLedger> {
    let native = engine.config.apps.iter().map(|spec| async move {
        let entries = match connection(engine, spec).await {
            Ok(connection) => ledger::read(&connection, &spec.name)
                .await
                .map_err(|e| one_line(&e)),
            Err(e) => Err(one_line(&e)),
        };
        let source = engine.config.repo_of(spec).ok().cloned();
        let label = spec.name.to_string();
        (
            spec.name.clone(),
            label,
            entries,
            Source::Configured(source),
        )
    });
    let managed = engine_apps.into_iter().map(|(row, managed)| async move {
        let entries = match engine.clusters.session(managed.context.as_deref()).await {
            Ok(session) => ledger::read(&session.connection, &ledger_name(&managed.app))
                .await
                .map_err(|e| one_line(&e)),
            Err(e) => Err(one_line(&e)),
        };
        // Its Git source, as the history pane finds it (a chart from a Helm
        // repository has none): looked for below, off the async workers.
        let url = managed
            .app
            .source
            .as_ref()
            .filter(|s| s.path.is_some() || s.chart.is_none())
            .and_then(|s| s.url.clone());
        (row, managed.label(), entries, Source::Engine(url))
    });
    let mut read: Vec<_> = join_all(native).await;
    read.extend(join_all(managed).await);
    let repos = engine.config.repos.clone();
    let timed = tokio::task::spawn_blocking(move || {
        read.into_iter()
            .map(|(app, label, entries, source)| {
                let source = match source {
                    Source::Configured(spec) => spec,
                    Source::Engine(url) => {
                        url.and_then(|url| engine_source(&repos, &url, None).ok())
                    }
                };
                let commit_times = match (&entries, &source) {
                    (Ok(entries), Some(source)) => commit_times(source, entries),
                    _ => HashMap::new(),
                };
                AppLedger {
                    app,
                    label,
                    entries,
                    commit_times,
                }
            })
            .collect()
    });
    timed.await.unwrap_or_default()
}

/// Where an app's commits are looked up.
enum Source {
    /// A configured app's repository.
    Configured(Option<RepoSpec>),
    /// An engine app's source URL, read only when driftdeck may
    /// (`external_source::engine_source`).
    Engine(Option<String>),
}

/// The commit (author) time of every revision in `entries` that the app's source
/// knows (a Flux artifact revision, `main@sha1:…`, by its commit); a revision it
/// does not know (a chart version, say) or a source that cannot be opened is left
/// out, and the figures say how many were.
fn commit_times(source: &RepoSpec, entries: &[LedgerEntry]) -> HashMap<String, jiff::Timestamp> {
    let Ok(repo) = git::open_source_fetching(source, false) else {
        return HashMap::new();
    };
    let mut times = HashMap::new();
    for entry in entries {
        if times.contains_key(&entry.revision) {
            continue;
        }
        let Some(commit) = commit_of(&entry.revision) else {
            continue;
        };
        let id = crate::model::CommitId::new(commit.to_owned());
        if let Ok(info) = repo.commit_info(&id) {
            times.insert(entry.revision.clone(), info.author_time);
        }
    }
    times
}
