//! The Argo CD side of the plans: the `operation` a sync or rollback writes, the
//! auto-sync policy turned off (and remembered) and on again, and the refusal while
//! an operation is under way.

use serde_json::{Map, Value, json};

use super::{AUTO_SYNC_WAS, REQUEST, Request, Step, SyncAsk, short};
use crate::integrations::{ExternalApp, OperationPhase};
use crate::model::ResourceKey;

pub(super) fn refuse_if_operating(app: &ExternalApp) -> Result<(), String> {
    match &app.operation {
        Some(op) if op.phase.is_active() => Err(format!(
            "{}/{} has an operation {} ({}): wait for it or {} it (X)",
            app.namespace,
            app.name,
            match op.phase {
                OperationPhase::Requested => "requested",
                OperationPhase::Terminating => "terminating",
                _ => "running",
            },
            op.revision.as_deref().map(short).unwrap_or("no revision"),
            if op.phase == OperationPhase::Requested {
                "cancel"
            } else {
                "terminate"
            }
        )),
        _ => Ok(()),
    }
}

/// Argo CD's `operation` for a sync (to `revision`, else what the app targets).
pub(super) fn operation(request: &Request, sync: &SyncAsk, revision: Option<&String>) -> Value {
    let mut body = Map::new();
    if let Some(revision) = revision {
        body.insert("revision".into(), json!(revision));
    }
    body.insert("prune".into(), json!(sync.prune));
    if sync.dry_run {
        body.insert("dryRun".into(), json!(true));
    }
    if !sync.resources.is_empty() {
        let resources: Vec<Value> = sync
            .resources
            .iter()
            .map(|key| {
                let mut resource = json!({"group": key.group, "kind": key.kind, "name": key.name});
                if !key.namespace.is_empty() {
                    resource["namespace"] = json!(key.namespace);
                }
                resource
            })
            .collect();
        body.insert("resources".into(), Value::Array(resources));
    }
    body.insert("syncStrategy".into(), json!({"hook": {}}));
    // `Request` names this very operation, so that the wait finds it in
    // `status.operationState.operation` whatever the clocks say.
    let mut info = vec![
        json!({"name": "Via", "value": "driftdeck"}),
        json!({"name": REQUEST, "value": request.at.to_string()}),
    ];
    if let Some(reason) = &request.reason {
        info.insert(0, json!({"name": "Reason", "value": reason}));
    }
    json!({"operation": {
        "initiatedBy": {"username": request.user, "automated": false},
        "info": info,
        "sync": body,
    }})
}

pub(super) fn sync_words(sync: &SyncAsk) -> String {
    let mut words = vec!["set operation: sync".to_owned()];
    if sync.prune {
        words.push("prune".into());
    }
    if sync.dry_run {
        words.push("dry run".into());
    }
    if !sync.resources.is_empty() {
        words.push(format!("{} resource(s) only", sync.resources.len()));
    }
    words.join(", ")
}

pub(super) fn auto_sync_off(key: &ResourceKey, prune: bool, self_heal: bool) -> Step {
    let was = json!({"prune": prune, "selfHeal": self_heal}).to_string();
    Step::Patch {
        target: key.clone(),
        body: json!({
            "metadata": {"annotations": {AUTO_SYNC_WAS: was}},
            "spec": {"syncPolicy": {"automated": null}}
        }),
        what: format!("remove spec.syncPolicy.automated (kept in {AUTO_SYNC_WAS})"),
    }
}

/// The prune and self-heal driftdeck kept when it turned auto-sync off; without
/// that annotation, `current` (what a disabled `automated` still says).
pub(super) fn remembered_policy(app: &Value, current: (bool, bool)) -> (bool, bool) {
    let was = app
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(AUTO_SYNC_WAS))
        .and_then(Value::as_str)
        .and_then(|text| serde_json::from_str::<Value>(text).ok());
    if was.is_none() {
        return current;
    }
    let flag = |key: &str| {
        was.as_ref()
            .and_then(|w| w.get(key))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    (flag("prune"), flag("selfHeal"))
}
