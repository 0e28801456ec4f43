//! What the cockpit reads from Git: every source's branch tip (the repos screen and
//! polling) and an app's path history joined with its ledger (the history pane).

use super::{Engine, Failure, HISTORY_LIMIT, connection, one_line};
use crate::engine::{deploys, ledger};
use crate::git;
use crate::model::{AppName, RepoSource};
use crate::tui::model::RepoRow;

/// Every configured Git source's branch tip, read off the render task; remote ones
/// fetched first when `fetch` is set. A source that cannot be read says why in its
/// row and keeps the others readable.
pub async fn repos(engine: &Engine, fetch: bool) -> Vec<RepoRow> {
    let config = engine.config.clone();
    let read = tokio::task::spawn_blocking(move || {
        config
            .repos
            .iter()
            .map(|spec| {
                let head = git::open_source_fetching(spec, fetch)
                    .and_then(|repo| {
                        let tip = repo.resolve(&repo.desired_ref(spec))?;
                        repo.commit_info(&tip)
                    })
                    .map_err(|e| one_line(&e));
                let (location, remote) = match &spec.source {
                    RepoSource::Path(path) => (path.display().to_string(), false),
                    RepoSource::Url(url) => (git::redact_url(url), true),
                };
                RepoRow {
                    name: spec.name.to_string(),
                    location,
                    branch: spec.branch.clone().unwrap_or_else(|| "HEAD".into()),
                    head,
                    apps: config.apps.iter().filter(|a| a.repo == spec.name).count(),
                    remote,
                }
            })
            .collect()
    });
    read.await.unwrap_or_default()
}

/// The app's path history joined with its ledger.
pub async fn history(engine: &Engine, app: &AppName) -> Result<Vec<deploys::Marked>, Failure> {
    let config = engine.config.clone();
    let spec = config.app(app.as_str()).map_err(|e| one_line(&e))?.clone();
    let entries = match connection(engine, &spec).await {
        Ok(connection) => ledger::read(&connection, &spec.name)
            .await
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    tokio::task::spawn_blocking(move || {
        let repo_spec = config.repo_of(&spec).map_err(|e| one_line(&e))?;
        let repo = git::open_source(repo_spec).map_err(|e| one_line(&e))?;
        let tip = repo
            .resolve(&repo.desired_ref(repo_spec))
            .map_err(|e| one_line(&e))?;
        let commits = repo
            .history(&tip, &spec.path, Some(HISTORY_LIMIT))
            .map_err(|e| one_line(&e))?;
        Ok(deploys::mark(
            &commits,
            &deploys::place(&repo, &spec.path, &entries),
        ))
    })
    .await
    .map_err(|e| e.to_string())?
}
