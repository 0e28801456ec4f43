//! The Flux side of the plans that need more than an annotation: rollback by
//! pinning (a GitRepository's commit, a HelmRelease's chart version) and the unpin
//! that undoes it.

use serde_json::{Value, json};

use super::{
    Objects, PINNED_BY, PINNED_FROM, Plan, REQUESTED_AT, Request, Step, commit_of, is_suspended,
    request_reconcile, source_key,
};
use crate::integrations::{AppKind, ExternalApp};
use crate::model::ledger::Operation;

/// Flux rollback. A Git source: pin it (`spec.ref.commit`, the old ref kept in an
/// annotation), reconcile the source and the app, then suspend the app so that the
/// rollback holds until it is unpinned. A HelmRelease from a Helm repository: pin its
/// chart version.
pub(super) fn rollback(
    app: &ExternalApp,
    objects: &Objects<'_>,
    to: &str,
    request: &Request,
) -> Result<Plan, String> {
    let name = format!("{}/{}", app.namespace, app.name);
    let token = request.at.to_string();
    let key = app.key();
    refuse_if_pinned(objects, &name)?;
    if is_suspended(app) {
        // Flux ignores a suspended app's reconcile request: the wait would time out.
        return Err(format!(
            "{name} is suspended: Flux would not apply the rollback; resume it first"
        ));
    }
    let source = source_key(app);
    let git_source = source.as_ref().ok().filter(|s| s.kind == "GitRepository");
    if let Some(source) = git_source {
        let commit = commit_of(to).filter(|c| c.len() == 40).ok_or_else(|| {
            format!("{to} is not a full commit id: Flux pins commits by their full id")
        })?;
        let object = objects
            .source
            .ok_or_else(|| format!("the source {source} could not be read"))?;
        let was = object
            .pointer("/spec/ref")
            .cloned()
            .unwrap_or_else(|| json!({}));
        let mut steps = vec![
            Step::Patch {
                target: source.clone(),
                body: json!({
                    "metadata": {"annotations": {
                        PINNED_FROM: was.to_string(),
                        PINNED_BY: app.qualified(),
                        REQUESTED_AT: token
                    }},
                    "spec": {"ref": {"commit": commit}}
                }),
                what: format!(
                    "pin spec.ref.commit={} (the old ref kept in {PINNED_FROM}), reconcile",
                    &commit[..7]
                ),
            },
            Step::AwaitReconcile {
                target: source.clone(),
                token: token.clone(),
            },
        ];
        // A HelmRelease's chart from Git is packaged into the HelmChart Flux made:
        // the release must not reconcile before the chart is built from the commit.
        let chart = (app.kind == AppKind::HelmRelease)
            .then(|| crate::integrations::flux::generated_chart(objects.app))
            .flatten();
        if let Some(chart) = chart {
            steps.push(request_reconcile(&chart, &token));
            steps.push(Step::AwaitCommit {
                target: chart,
                token: token.clone(),
                commit: Some(commit.to_owned()),
            });
        }
        steps.extend([
            request_reconcile(&key, &token),
            Step::AwaitReconcile {
                target: key.clone(),
                token,
            },
            Step::Patch {
                target: key,
                body: json!({"spec": {"suspend": true}}),
                what: "set spec.suspend=true (the rollback holds until unpinned)".into(),
            },
        ]);
        return Ok(Plan {
            title: format!("roll back {name} to {}", &commit[..7]),
            steps,
            warnings: vec![format!(
                "every app built from {} goes back to {} too while it is pinned",
                source,
                &commit[..7]
            )],
            ledger: Operation::Rollback,
            revision: commit.to_owned(),
            restored: Some(commit.to_owned()),
        });
    }
    if app.kind == AppKind::HelmRelease
        && let Some(was) = objects.app.pointer("/spec/chart/spec/version")
    {
        let was = was.as_str().unwrap_or("*").to_owned();
        return Ok(Plan {
            title: format!("roll back {name} to chart {to}"),
            steps: vec![
                Step::Patch {
                    target: key.clone(),
                    body: json!({
                        "metadata": {"annotations": {
                            PINNED_FROM: json!({"version": was}).to_string(),
                            REQUESTED_AT: token,
                        }},
                        "spec": {"chart": {"spec": {"version": to}}}
                    }),
                    what: format!(
                        "pin spec.chart.spec.version={to} (was {was}, kept in {PINNED_FROM}), reconcile"
                    ),
                },
                Step::AwaitReconcile { target: key, token },
            ],
            warnings: Vec::new(),
            ledger: Operation::Rollback,
            revision: to.to_owned(),
            restored: Some(to.to_owned()),
        });
    }
    Err(match source {
        Ok(source) => format!(
            "{name} comes from {source}: driftdeck rolls back Flux apps from a GitRepository \
             (pinning a commit) or a HelmRelease chart from a Helm repository (pinning a version)"
        ),
        Err(error) => error,
    })
}

/// A rollback of an app (or source) pinned by an earlier one is refused: unpin first.
pub(super) fn refuse_if_pinned(objects: &Objects<'_>, name: &str) -> Result<(), String> {
    if already_pinned(objects) {
        return Err(format!(
            "{name} is pinned by an earlier rollback: unpin it first"
        ));
    }
    Ok(())
}

fn already_pinned(objects: &Objects<'_>) -> bool {
    [Some(objects.app), objects.source]
        .into_iter()
        .flatten()
        .any(|object| {
            object
                .pointer("/metadata/annotations")
                .and_then(|a| a.get(PINNED_FROM))
                .is_some()
        })
}

/// Undoes [`rollback`]: the old ref (or chart version) back, the annotation
/// gone, the app resumed and reconciled.
pub(super) fn unpin(
    app: &ExternalApp,
    objects: &Objects<'_>,
    request: &Request,
) -> Result<Plan, String> {
    let name = format!("{}/{}", app.namespace, app.name);
    let token = request.at.to_string();
    let key = app.key();
    let pinned_from = |object: &Value| -> Option<Value> {
        let text = object
            .pointer("/metadata/annotations")?
            .get(PINNED_FROM)?
            .as_str()?;
        serde_json::from_str(text).ok()
    };
    let base = |title: String, steps: Vec<Step>| Plan {
        title,
        steps,
        warnings: Vec::new(),
        ledger: Operation::Unpin,
        revision: app.target_revision.clone().unwrap_or_default(),
        restored: None,
    };
    if let (Some(source), Ok(source_key)) = (objects.source, source_key(app))
        && let Some(was) = pinned_from(source)
    {
        // Another app's rollback: unpinned from there, which resumes that app too.
        let by = source
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(PINNED_BY))
            .and_then(Value::as_str);
        let orphaned = by.is_some_and(|by| by != app.qualified()) && objects.pinner_gone;
        if let Some(by) = by.filter(|by| *by != app.qualified() && !orphaned) {
            return Err(format!(
                "{} {}/{} was pinned by the rollback of {}: unpin it from that app, \
                 which resumes it too",
                source_key.kind,
                source_key.namespace,
                source_key.name,
                crate::model::text::one_line(by)
            ));
        }
        // A merge patch merges objects: every key of today's ref that the old one
        // lacks (the pinned commit) is set to null.
        let mut reference = was.as_object().cloned().unwrap_or_default();
        if let Some(now) = source.pointer("/spec/ref").and_then(Value::as_object) {
            for key in now.keys() {
                reference.entry(key.clone()).or_insert(Value::Null);
            }
        }
        let mut steps = vec![
            Step::Patch {
                target: source_key.clone(),
                body: json!({
                    "metadata": {"annotations": {
                        PINNED_FROM: null,
                        PINNED_BY: null,
                        REQUESTED_AT: token
                    }},
                    "spec": {"ref": reference}
                }),
                what: format!("restore spec.ref to {was}, reconcile"),
            },
            Step::AwaitReconcile {
                target: source_key.clone(),
                token: token.clone(),
            },
        ];
        if orphaned {
            // The app that was rolled back (and suspended) is gone; this one was
            // never suspended by it: it is only reconciled with the source's ref.
            let by = crate::model::text::one_line(by.unwrap_or_default()).into_owned();
            let suspended = is_suspended(app);
            if !suspended {
                steps.extend([
                    request_reconcile(&key, &token),
                    Step::AwaitReconcile { target: key, token },
                ]);
            }
            let mut plan = base(
                format!(
                    "unpin {} {}/{} (pinned by the rollback of {by}, which no longer builds \
                     from it)",
                    source_key.kind, source_key.namespace, source_key.name
                ),
                steps,
            );
            plan.warnings.push(format!(
                "every app built from {} {}/{} follows {was} again",
                source_key.kind, source_key.namespace, source_key.name
            ));
            if suspended {
                plan.warnings.push(format!(
                    "{name} is suspended: it is not reconciled now, and takes the ref when \
                     resumed"
                ));
            }
            return Ok(plan);
        }
        steps.extend([
            Step::Patch {
                target: key.clone(),
                body: json!({
                    "metadata": {"annotations": {REQUESTED_AT: token}},
                    "spec": {"suspend": false}
                }),
                what: format!("set spec.suspend=false, annotate {REQUESTED_AT}={token}"),
            },
            Step::AwaitReconcile { target: key, token },
        ]);
        return Ok(base(format!("unpin and resume {name}"), steps));
    }
    if let Some(was) = pinned_from(objects.app) {
        let version = was.get("version").cloned().unwrap_or(Value::Null);
        let steps = vec![
            Step::Patch {
                target: key.clone(),
                body: json!({
                    "metadata": {"annotations": {PINNED_FROM: null, REQUESTED_AT: token}},
                    "spec": {"chart": {"spec": {"version": version}}}
                }),
                what: format!("restore spec.chart.spec.version={version}, reconcile"),
            },
            Step::AwaitReconcile { target: key, token },
        ];
        return Ok(base(format!("unpin {name}"), steps));
    }
    Err(format!("{name} is not pinned by driftdeck"))
}
