//! Watches: a stream of `{"type", "object"}` lines from a resource version (or from
//! the current state, sent as ADDED first), filtered by namespace and selectors
//! (an object that stops matching is sent as DELETED, as the API server does), with
//! bookmarks, `sendInitialEvents`, `timeoutSeconds`, `410 Expired` for compacted
//! versions, and the fault that cuts streams.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::super::faults::FaultConfig;
use super::super::registry::ResourceType;
use super::super::selector::{FieldSelector, LabelSelector};
use super::super::status::{ApiError, ApiResult, Reason};
use super::super::store::{Change, ChangeKind, resource_id};
use super::Context;
use super::body::{self, HttpResponse};
use super::resources::{Shape, shape, table_of};
use super::route::Query;

/// Bookmarks are sent this often when asked for (a real server sends them about
/// once a minute; sooner keeps clients' resume points fresh in tests).
const BOOKMARK_EVERY: Duration = Duration::from_secs(1);

/// What one watch sends.
struct Filter {
    rtype: Arc<ResourceType>,
    namespace: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
    shape: Shape,
}

impl Filter {
    fn matches(&self, object: &Value) -> bool {
        let namespace_ok = self.namespace.as_deref().is_none_or(|ns| {
            object
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                == Some(ns)
        });
        namespace_ok && self.labels.matches(object) && self.fields.matches(object)
    }

    /// The event type to send for a change, if any.
    /// The event to send for a change, if any, as its type and line. An object that
    /// stops matching is sent as DELETED with its previous state and the new
    /// resource version, as the API server does.
    fn event(&self, change: &Change) -> Option<Bytes> {
        let now = self.matches(&change.object);
        let before = change.previous.as_deref().map(|p| self.matches(p));
        match (change.kind, before, now) {
            (ChangeKind::Added, _, true) => Some(self.line("ADDED", &change.object)),
            (ChangeKind::Deleted, _, true) => Some(self.line("DELETED", &change.object)),
            (ChangeKind::Modified, Some(true), true) => Some(self.line("MODIFIED", &change.object)),
            (ChangeKind::Modified, Some(false) | None, true) => {
                Some(self.line("ADDED", &change.object))
            }
            (ChangeKind::Modified, Some(true), false) => {
                let mut previous = change.previous.as_deref().cloned().unwrap_or_default();
                if let Some(meta) = previous.get_mut("metadata").and_then(Value::as_object_mut) {
                    meta.insert(
                        "resourceVersion".into(),
                        change.resource_version.to_string().into(),
                    );
                }
                Some(self.line("DELETED", &previous))
            }
            _ => None,
        }
    }

    fn line(&self, event: &str, object: &Value) -> Bytes {
        let object = match self.shape {
            Shape::Table(include) => table_of(&self.rtype, &[object], include),
            Shape::Metadata => json!({
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": object.get("metadata").cloned().unwrap_or(json!({})),
            }),
            Shape::Object => object.clone(),
        };
        let mut line =
            serde_json::to_vec(&json!({"type": event, "object": object})).unwrap_or_default();
        line.push(b'\n');
        Bytes::from(line)
    }

    fn bookmark(&self, resource_version: u64, initial_events_end: bool) -> Bytes {
        let mut metadata = json!({"resourceVersion": resource_version.to_string()});
        if initial_events_end {
            metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let object = json!({
            "kind": self.rtype.kind,
            "apiVersion": self.rtype.api_version(),
            "metadata": metadata,
        });
        let mut line =
            serde_json::to_vec(&json!({"type": "BOOKMARK", "object": object})).unwrap_or_default();
        line.push(b'\n');
        Bytes::from(line)
    }
}

pub fn serve(
    context: &Arc<Context>,
    rtype: Arc<ResourceType>,
    namespace: Option<String>,
    query: &Query,
    accept: &str,
    faults: &FaultConfig,
) -> ApiResult<HttpResponse> {
    let labels = LabelSelector::parse(query.get("labelSelector").unwrap_or_default())
        .map_err(ApiError::bad_request)?;
    let fields = FieldSelector::parse(query.get("fieldSelector").unwrap_or_default())
        .map_err(ApiError::bad_request)?;
    let bookmarks = query.flag("allowWatchBookmarks");
    let send_initial = query.flag("sendInitialEvents");
    let timeout = query
        .number("timeoutSeconds")
        .map_err(ApiError::bad_request)?
        .and_then(|t| u64::try_from(t).ok())
        .map_or(Duration::from_secs(1800), Duration::from_secs);
    let lifetime = faults
        .drop_watches_after
        .map_or(timeout, |drop_after| drop_after.min(timeout));
    let from = match query.get("resourceVersion") {
        None | Some("0") => None,
        Some(rv) => Some(rv.parse::<u64>().map_err(|_| {
            ApiError::bad_request(format!("resourceVersion: Invalid value: {rv:?}"))
        })?),
    };
    let filter = Filter {
        namespace: namespace.filter(|_| rtype.namespaced),
        shape: shape(accept, query),
        rtype,
        labels,
        fields,
    };
    let resource = resource_id(&filter.rtype);
    let state = context.api.store().lock();
    let current = state.resource_version();
    let initial_state = from.is_none() || send_initial;
    let initial = if initial_state {
        state.list(&resource, filter.namespace.as_deref())
    } else {
        Vec::new()
    };
    let resumed = state.watch_from(
        &resource,
        if initial_state {
            current
        } else {
            from.unwrap_or(current)
        },
    );
    drop(state);
    let (sender, receiver) = mpsc::channel::<Bytes>(256);
    let Some((backlog, changes)) = resumed else {
        let expired = ApiError::new(
            Reason::Expired,
            format!(
                "too old resource version: {} ({current})",
                from.unwrap_or_default()
            ),
        );
        let mut status = expired.to_status();
        status["code"] = 410.into();
        let mut line =
            serde_json::to_vec(&json!({"type": "ERROR", "object": status})).unwrap_or_default();
        line.push(b'\n');
        let _ = sender.try_send(Bytes::from(line));
        return Ok(body::stream("application/json", receiver));
    };
    tokio::spawn(async move {
        let deadline = tokio::time::Instant::now() + lifetime;
        let last_seen = backlog
            .last()
            .map_or(current, |c| c.resource_version.max(current));
        stream(
            filter,
            initial,
            send_initial,
            bookmarks,
            backlog,
            changes,
            sender,
            deadline,
            last_seen,
        )
        .await;
    });
    Ok(body::stream("application/json", receiver))
}

#[allow(clippy::too_many_arguments)]
async fn stream(
    filter: Filter,
    initial: Vec<Arc<Value>>,
    send_initial: bool,
    bookmarks: bool,
    backlog: Vec<Arc<Change>>,
    mut changes: broadcast::Receiver<Arc<Change>>,
    sender: mpsc::Sender<Bytes>,
    deadline: tokio::time::Instant,
    mut last_seen: u64,
) {
    for object in initial.iter().filter(|o| filter.matches(o)) {
        if sender.send(filter.line("ADDED", object)).await.is_err() {
            return;
        }
    }
    if send_initial && sender.send(filter.bookmark(last_seen, true)).await.is_err() {
        return;
    }
    let resource = resource_id(&filter.rtype);
    for change in backlog {
        if let Some(line) = filter.event(&change)
            && sender.send(line).await.is_err()
        {
            return;
        }
    }
    let mut ticker = tokio::time::interval(BOOKMARK_EVERY);
    ticker.tick().await;
    loop {
        tokio::select! {
            received = changes.recv() => match received {
                Ok(change) => {
                    if change.resource_version <= last_seen {
                        continue;
                    }
                    // Any change moves the resume point, so bookmarks stay fresh.
                    last_seen = change.resource_version;
                    if change.resource != resource {
                        continue;
                    }
                    if let Some(line) = filter.event(&change)
                        && sender.send(line).await.is_err()
                    {
                        return;
                    }
                }
                // A watcher too slow to keep up is cut off, as the API server does;
                // the client resumes from its last resource version.
                Err(broadcast::error::RecvError::Lagged(_) | broadcast::error::RecvError::Closed) => return,
            },
            _ = ticker.tick(), if bookmarks => {
                if sender.send(filter.bookmark(last_seen, false)).await.is_err() {
                    return;
                }
            }
            _ = tokio::time::sleep_until(deadline) => return,
            _ = sender.closed() => return,
        }
    }
}
