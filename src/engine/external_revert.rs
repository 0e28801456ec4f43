//! The Git half of a Flux rollback by a revert commit: the repository is found
//! among the configured sources (driftdeck writes only to those), the commit is
//! previewed when the action is planned and written and pushed when it runs, in
//! driftdeck's own clone of the remote (never in a person's checkout: their
//! branches and unpushed commits are not touched).

use super::external_source::{configured, repo_path};
use super::rollback::{self, Reverted};
use crate::error::one_line;
use crate::git::{self, GitRepo};
use crate::integrations::actions::GitRevert;
use crate::model::{CommitId, RepoSource, RepoSpec, text};

/// A revert commit ready to be written: where, and on which tip.
#[derive(Clone, Debug)]
pub struct Located {
    /// driftdeck's clone of the remote, on the branch.
    pub spec: RepoSpec,
    /// The remote, as shown (no password).
    pub shown: String,
    pub branch: String,
    /// Inside the repository, `/`-separated.
    pub path: String,
    pub to: CommitId,
    /// The branch's tip when planned: the commit is refused if it moved.
    pub tip: CommitId,
    /// The configured source is this local checkout: it has the commit only once
    /// someone pulls there.
    pub checkout: Option<std::path::PathBuf>,
}

/// Finds the repository of `revert` among `repos` and previews the commit
/// (blocking: it fetches).
pub fn locate(repos: &[RepoSpec], revert: &GitRevert) -> Result<Located, String> {
    let source = configured(repos, &revert.url).ok_or_else(|| {
        format!(
            "{} is not a configured source: driftdeck writes only to repositories of its \
             config (add it under repos, with credentials that may push), or roll back \
             by pinning instead",
            text::one_line(&git::redact_url(&revert.url))
        )
    })?;
    if let Some(branch) = source.branch.as_deref()
        && branch != revert.branch
    {
        return Err(format!(
            "the configured source {} follows {branch}, the GitRepository {}: not written",
            source.name, revert.branch
        ));
    }
    let (remote, checkout) = match &source.source {
        RepoSource::Url(url) => (url.clone(), None),
        RepoSource::Path(path) => (
            GitRepo::open(path)
                .ok()
                .and_then(|repo| repo.remote_url("origin"))
                .ok_or_else(|| format!("the checkout {} has no origin", path.display()))?,
            Some(path.clone()),
        ),
    };
    // Where the push goes, as the configuration names it.
    let shown = format!(
        "{} at {}",
        source.name,
        text::one_line(&git::redact_url(&remote))
    );
    let path = repo_path(&revert.path)?;
    if path.is_empty() {
        return Err("the path is the whole repository: not written".into());
    }
    let spec = RepoSpec {
        name: source.name.clone(),
        source: RepoSource::Url(remote),
        branch: Some(revert.branch.clone()),
    };
    let repo = git::open_source(&spec).map_err(|e| one_line(&e))?;
    let to = repo.resolve(&revert.to).map_err(|e| {
        format!(
            "{} is not in {}: {}",
            revert.to.get(..7).unwrap_or(&revert.to),
            text::one_line(&shown),
            one_line(&e)
        )
    })?;
    let preview = repo
        .preview_restore(&revert.branch, &path, &to)
        .map_err(|e| one_line(&e))?;
    if preview.commit.is_none() {
        return Err(format!(
            "{} already has {path} as it was at {}: nothing to commit (reconcile instead: s)",
            revert.branch,
            to.short()
        ));
    }
    Ok(Located {
        spec,
        shown,
        branch: revert.branch.clone(),
        path,
        to,
        tip: preview.tip,
        checkout,
    })
}

/// Writes the commit (`app` and `reason` make its message) and pushes it; the new
/// commit, or why nothing was pushed (blocking).
pub fn write(located: &Located, app: &str, reason: &str) -> Result<CommitId, String> {
    let message = rollback::revert_message(app, &located.to, &rollback::clean_reason(reason));
    let written = rollback::commit_and_push(
        &located.spec,
        &located.path,
        &located.to,
        (&located.branch, &located.tip),
        &message,
    )
    .map_err(|e| one_line(e.as_ref()))?;
    match written {
        Reverted::Committed { commit, .. } => Ok(commit),
        Reverted::AlreadyThere { .. } => Err(format!(
            "{} already has {} as it was at {}: nothing committed",
            located.branch,
            located.path,
            located.to.short()
        )),
    }
}
