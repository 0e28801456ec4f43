//! Drift: how a live object differs from what Git asks for. Normalises away what
//! the server writes, removes the app's ignored fields, masks Secret values, then
//! compares and renders the result as a change list, two YAML texts and a unified
//! diff.
//!
//! Pure: objects in, a `ResourceDiff` out. Fetching live objects and running the
//! server-side dry run belong to `cluster/` and `engine/`; drawing belongs to the
//! TUI. Nothing here may print or return a Secret value (see `secret`).

mod compare;
mod ignore;
mod normalize;
mod pointer;
pub(crate) use pointer::escape as pointer_segment;
pub(crate) use secret::is_secret;
mod quantity;
mod render;
mod secret;
#[cfg(test)]
mod tests;

use serde::Serialize;
use serde_json::Value;

use crate::model::{IgnoreDifference, ResourceKey, SyncStatus};

use compare::{Comparison, Scope};
pub use normalize::normalize;

/// How the desired state of an object is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DiffMode {
    /// Compare live with the result of a server-side-apply dry run of the
    /// manifest: defaulting, admission and other managers' fields are already
    /// accounted for, so every remaining difference is one an apply would make.
    /// Without a dry-run result (`predicted: None`) this falls back to
    /// `ClientSide`.
    ServerSide,
    /// Compare live with the manifest itself, looking only at the fields the
    /// manifest sets; for when no dry run is possible (no cluster access, a
    /// read-only user, an offline preview).
    ClientSide,
}

/// One object to compare.
#[derive(Clone, Copy, Debug)]
pub struct DiffInput<'a> {
    pub key: &'a ResourceKey,
    /// The manifest from Git; `None` for a tracked live object Git no longer has.
    pub desired: Option<&'a Value>,
    /// The object in the cluster; `None` when it does not exist.
    pub live: Option<&'a Value>,
    /// What live would become if `desired` were applied (a server-side-apply
    /// dry run); used in `ServerSide` mode only.
    pub predicted: Option<&'a Value>,
    /// The app's rules; those whose selector matches `key` apply.
    pub ignore: &'a [IgnoreDifference],
}

/// How one object differs, ready to show.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceDiff {
    pub key: ResourceKey,
    pub status: SyncStatus,
    /// Sorted by pointer (list indices numerically).
    pub changes: Vec<FieldChange>,
    /// Live as compared, as YAML: normalised, without ignored fields, Secret values
    /// masked; in client-side mode only the fields the manifest sets. Empty when
    /// there is no live object.
    pub live_text: String,
    /// The desired side as YAML: the dry-run result in server-side mode, the
    /// normalised manifest in client-side mode. Empty when Git has no object.
    pub desired_text: String,
    /// `live_text` → `desired_text` as a unified diff (headers `live` and
    /// `desired`, 3 lines of context); empty when they are equal.
    pub unified: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ChangeKind {
    /// Desired has it, live does not.
    Added,
    /// Live has it, desired does not (or sets it to `null`).
    Removed,
    /// Both have it, with different values.
    Changed,
}

/// One difference at one place. For Secrets the values are masks.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    /// RFC 6901 pointer; into the desired side, except for `Removed` (into live).
    /// `""` is the whole object (Missing and Extra objects).
    pub pointer: String,
    pub change: ChangeKind,
    pub live: Option<Value>,
    pub desired: Option<Value>,
}

/// Compares one object. Missing when there is no live object, Extra when Git has
/// none, else Synced or OutOfSync by whether any change remains. (Neither side at
/// all is Synced: there is nothing to do.)
pub fn diff(input: &DiffInput<'_>, mode: DiffMode) -> ResourceDiff {
    // Git's object decides Missing and Extra; the dry-run result, when there is
    // one, stands in for it in the comparison.
    let (desired_side, scope) = match (mode, input.predicted) {
        (DiffMode::ServerSide, Some(predicted)) => (input.desired.map(|_| predicted), Scope::Whole),
        _ => (input.desired, Scope::Manifest),
    };
    let ignored = ignore::pointers_for(input.ignore, input.key);
    let is_secret = secret::is_secret(input.key);
    let prepare = |object: &Value| {
        let mut object = normalize(object);
        if is_secret {
            secret::fold_string_data(&mut object);
        }
        ignore::strip(&mut object, &ignored);
        object
    };
    let desired = desired_side.map(prepare);
    let live = input.live.map(prepare);
    match (desired, live) {
        (Some(mut desired), Some(mut live)) => {
            if is_secret {
                secret::mask_pair(&mut live, &mut desired);
            }
            let Comparison {
                live_view,
                mut changes,
            } = compare::compare(input.key, &desired, &live, scope);
            changes.sort_by(|a, b| pointer::order(&a.pointer, &b.pointer));
            let status = if changes.is_empty() {
                SyncStatus::Synced
            } else {
                SyncStatus::OutOfSync
            };
            finish(input.key, status, changes, Some(&live_view), Some(&desired))
        }
        (Some(mut desired), None) => {
            if is_secret {
                secret::mask_alone(&mut desired);
            }
            let whole = FieldChange {
                pointer: String::new(),
                change: ChangeKind::Added,
                live: None,
                desired: Some(desired.clone()),
            };
            finish(
                input.key,
                SyncStatus::Missing,
                vec![whole],
                None,
                Some(&desired),
            )
        }
        (None, Some(mut live)) => {
            if is_secret {
                secret::mask_alone(&mut live);
            }
            let whole = FieldChange {
                pointer: String::new(),
                change: ChangeKind::Removed,
                live: Some(live.clone()),
                desired: None,
            };
            finish(input.key, SyncStatus::Extra, vec![whole], Some(&live), None)
        }
        (None, None) => finish(input.key, SyncStatus::Synced, Vec::new(), None, None),
    }
}

fn finish(
    key: &ResourceKey,
    status: SyncStatus,
    changes: Vec<FieldChange>,
    live: Option<&Value>,
    desired: Option<&Value>,
) -> ResourceDiff {
    // In sync, both sides are equivalent (up to quantity spelling and key order):
    // one text serves for both, and there is no diff to compute.
    if status == SyncStatus::Synced
        && let Some(desired) = desired
    {
        let text = render::text(desired);
        return ResourceDiff {
            key: key.clone(),
            status,
            changes,
            live_text: text.clone(),
            desired_text: text,
            unified: String::new(),
        };
    }
    let live_text = live.map(render::text).unwrap_or_default();
    let desired_text = desired.map(render::text).unwrap_or_default();
    let unified = render::unified(&live_text, &desired_text);
    ResourceDiff {
        key: key.clone(),
        status,
        changes,
        live_text,
        desired_text,
        unified,
    }
}
