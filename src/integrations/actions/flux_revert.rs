//! Flux rollback by a commit in Git: the Kustomization's path restored as it was at
//! an earlier commit, committed on the branch its GitRepository follows and pushed;
//! then the source and the app reconciled until the app has applied that commit.
//! Nothing is pinned or suspended: Git says what runs, as before the rollback.

use serde_json::Value;

use super::flux::refuse_if_pinned;
use super::{
    GitRevert, Objects, Plan, Request, Step, commit_of, is_suspended, request_reconcile, source_key,
};
use crate::integrations::{AppKind, ExternalApp};
use crate::model::ledger::Operation;

/// Plans the revert rollback of a Flux Kustomization to commit `to`.
pub(super) fn revert(
    app: &ExternalApp,
    objects: &Objects<'_>,
    to: &str,
    request: &Request,
) -> Result<Plan, String> {
    let name = format!("{}/{}", app.namespace, app.name);
    if app.kind != AppKind::Kustomization {
        return Err(format!(
            "{name} is a HelmRelease: its values live in the cluster object, not in Git; \
             roll back the Kustomization that holds it, or roll back by pinning"
        ));
    }
    refuse_if_pinned(objects, &name)?;
    if is_suspended(app) {
        return Err(format!(
            "{name} is suspended: Flux would not apply the commit; resume it first"
        ));
    }
    let commit = commit_of(to)
        .filter(|c| c.len() == 40)
        .ok_or_else(|| format!("{to} is not a full commit id"))?;
    let source = source_key(app)?;
    if source.kind != "GitRepository" {
        return Err(format!(
            "{name} comes from {source}: a revert commit needs a GitRepository"
        ));
    }
    let object = objects
        .source
        .ok_or_else(|| format!("the source {source} could not be read"))?;
    if object.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
        // The commit would reach every other follower of the branch, not this one.
        return Err(format!(
            "{source} is suspended: the commit would not be applied here; resume it first"
        ));
    }
    let branch = followed_branch(object, &source.to_string())?;
    let url = text_at(object, "/spec/url")
        .ok_or_else(|| format!("{source} names no spec.url"))?
        .to_owned();
    if object.pointer("/spec/verify").is_some_and(|v| !v.is_null()) {
        return Err(format!(
            "{source} verifies commit signatures (spec.verify): driftdeck's commit is not \
             signed and Flux would refuse it; roll back by pinning instead"
        ));
    }
    let path = text_at(objects.app, "/spec/path").unwrap_or_default();
    if path.trim_matches(['.', '/']).is_empty() {
        return Err(format!(
            "{name} applies the whole repository (spec.path {path:?}): a revert commit \
             would roll back every app in it; roll back by pinning instead"
        ));
    }
    let token = request.at.to_string();
    let key = app.key();
    let short = &commit[..7];
    Ok(Plan {
        title: format!("roll back {name} to {short} by a Git commit"),
        steps: vec![
            Step::Commit(GitRevert {
                url,
                branch: branch.clone(),
                path: path.to_owned(),
                to: commit.to_owned(),
            }),
            request_reconcile(&source, &token),
            Step::AwaitCommit {
                target: source,
                token: token.clone(),
                commit: None,
            },
            request_reconcile(&key, &token),
            Step::AwaitCommit {
                target: key,
                token,
                commit: None,
            },
        ],
        warnings: vec![
            format!(
                "the commit goes to {branch}: every cluster and app that follows {branch} \
                 gets it too"
            ),
            format!("only {path} is restored: kustomize bases outside it stay as they are"),
        ],
        ledger: Operation::Rollback,
        revision: commit.to_owned(),
        restored: Some(commit.to_owned()),
    })
}

/// The branch a GitRepository follows, or why a commit on it would not be what
/// Flux applies (a commit, tag, semver range or ref name wins over the branch).
fn followed_branch(source: &Value, name: &str) -> Result<String, String> {
    let reference = source.pointer("/spec/ref");
    for (field, words) in [
        ("commit", "a commit"),
        ("name", "a ref name"),
        ("semver", "a semver range"),
        ("tag", "a tag"),
    ] {
        if let Some(value) = reference.and_then(|r| r.get(field)).and_then(Value::as_str) {
            return Err(format!(
                "{name} follows {words} ({value}), not a branch: a commit on a branch \
                 would not be applied"
            ));
        }
    }
    reference
        .and_then(|r| r.get("branch"))
        .and_then(Value::as_str)
        .filter(|b| !b.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| format!("{name} names no branch in spec.ref"))
}

fn text_at<'a>(object: &'a Value, pointer: &str) -> Option<&'a str> {
    object.pointer(pointer).and_then(Value::as_str)
}
