//! The waits of the Argo CD and Flux actions: polling the engine's object until its
//! controller has answered the request, and saying where it stood when it did not.

use jiff::Timestamp;
use serde_json::Value;

use super::external_actions::{Waits, fetch};
use crate::cluster::{Catalog, Connection};
use crate::integrations::actions::{self, commit_of};
use crate::model::ResourceKey;

/// Why a step of an action did not end as wanted: it failed, or the engine did
/// not answer in time (what was sent stands, and may still take effect).
#[derive(Debug)]
pub(super) enum Stopped {
    Failed(String),
    TimedOut(String),
}

impl Stopped {
    pub fn message(&self) -> &str {
        match self {
            Self::Failed(message) | Self::TimedOut(message) => message,
        }
    }
}

impl From<String> for Stopped {
    fn from(message: String) -> Self {
        Self::Failed(message)
    }
}

impl From<&str> for Stopped {
    fn from(message: &str) -> Self {
        Self::Failed(message.to_owned())
    }
}

/// Polls `target` until `check` says it is done (`Ok`), or the wait times out: then
/// the object as last read is the `Err`, to say where it stood.
async fn poll<T>(
    connection: &Connection,
    catalog: &Catalog,
    target: &ResourceKey,
    waits: Waits,
    check: impl Fn(&Value) -> Option<T>,
) -> Result<Result<T, Value>, String> {
    let deadline = tokio::time::Instant::now() + waits.timeout;
    loop {
        let object = fetch(connection, catalog, target)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(done) = check(&object) {
            return Ok(Ok(done));
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(Err(object));
        }
        tokio::time::sleep(waits.every).await;
    }
}

/// Waits until a Flux object has handled the reconcile request `token`, then reads
/// its `Ready` condition; with `commit`, its revision (a source's artifact, an
/// app's last applied) must be that commit.
pub(super) async fn await_reconcile(
    connection: &Connection,
    catalog: &Catalog,
    target: &ResourceKey,
    (token, commit): (&str, Option<&str>),
    waits: Waits,
) -> Result<String, Stopped> {
    let handled = poll(connection, catalog, target, waits, |object| {
        let handled = object.pointer("/status/lastHandledReconcileAt")?.as_str()?;
        let done = match commit {
            None => handled == token,
            // A webhook Receiver may ask again after a push, and Flux records only
            // the last request: a later one handled, with the commit, is as good.
            Some(commit) => {
                let has = revision_of(object).as_deref().and_then(commit_of) == Some(commit);
                let failed = ready_of(object).0.as_deref() == Some("False");
                not_before(handled, token) && (has || failed)
            }
        };
        done.then(|| (ready_of(object), revision_of(object)))
    })
    .await?;
    let ((ready, message), revision) = match handled {
        Ok(handled) => handled,
        Err(last) => {
            let handled = last
                .pointer("/status/lastHandledReconcileAt")
                .and_then(Value::as_str)
                .map_or("never".to_owned(), |at| {
                    format!("last at {}", crate::model::text::one_line(at))
                });
            let (ready, message) = ready_of(&last);
            let ready = ready.map_or(String::new(), |ready| format!("; Ready {ready} {message}"));
            return Err(Stopped::TimedOut(format!(
                "{} {}/{} did not handle the request within {}s (handled {handled}{}): is \
                 its Flux controller running?",
                target.kind,
                target.namespace,
                target.name,
                waits.timeout.as_secs(),
                ready.trim_end()
            )));
        }
    };
    match ready.as_deref() {
        Some("False") => {
            Err(format!("{} {} not ready: {message}", target.kind, target.name).into())
        }
        _ if commit.is_some_and(|c| revision.as_deref().and_then(commit_of) != Some(c)) => {
            Err(format!(
                "{} {} handled the request but has {}, not the new commit",
                target.kind,
                target.name,
                revision.as_deref().unwrap_or("no revision")
            )
            .into())
        }
        _ => Ok(
            format!("{} {} reconciled {message}", target.kind, target.name)
                .trim_end()
                .to_owned(),
        ),
    }
}

/// Whether the request `handled` was made at `token` or later (both RFC 3339, as
/// Flux copies the request annotation); text that is not a time only equals.
fn not_before(handled: &str, token: &str) -> bool {
    match (handled.parse::<Timestamp>(), token.parse::<Timestamp>()) {
        (Ok(handled), Ok(token)) => handled >= token,
        _ => handled == token,
    }
}

/// A Flux object's revision: a HelmChart's source revision (its artifact's is the
/// chart version), a source's artifact, an app's last applied.
fn revision_of(object: &Value) -> Option<String> {
    [
        "/status/observedSourceArtifactRevision",
        "/status/artifact/revision",
        "/status/lastAppliedRevision",
    ]
    .iter()
    .find_map(|pointer| object.pointer(pointer)?.as_str())
    .map(str::to_owned)
}

/// The `Ready` condition's status and `reason: message`.
fn ready_of(object: &Value) -> (Option<String>, String) {
    let ready = object
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|c| {
            c.iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("Ready"))
        });
    let text = |key: &str| {
        ready
            .and_then(|r| r.get(key))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let text = |key: &str| crate::model::text::one_line(&text(key)).into_owned();
    let message = match (text("reason"), text("message")) {
        (reason, message) if reason.is_empty() => message,
        (reason, message) if message.is_empty() => format!("({reason})"),
        (reason, message) => format!("({reason}: {message})"),
    };
    (ready.map(|_| text("status")), message)
}

pub(super) async fn await_operation(
    connection: &Connection,
    catalog: &Catalog,
    target: &ResourceKey,
    since: Timestamp,
    waits: Waits,
) -> Result<(String, Option<String>), Stopped> {
    // Argo CD copies the operation into its state: ours carries the request's
    // token in its info (an automated sync started meanwhile does not).
    let token = since.to_string();
    let finished = poll(connection, catalog, target, waits, |object| {
        let state = object.pointer("/status/operationState")?;
        if !carries_request(state, &token) {
            return None;
        }
        let phase = state.get("phase")?.as_str()?;
        let message = state
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let revision = state
            .pointer("/syncResult/revision")
            .and_then(Value::as_str)
            .map(str::to_owned);
        matches!(phase, "Succeeded" | "Failed" | "Error")
            .then(|| (phase.to_owned(), message.to_owned(), revision))
    })
    .await?;
    match finished {
        Ok((phase, message, revision)) if phase == "Succeeded" => Ok((
            format!("operation succeeded {message}")
                .trim_end()
                .to_owned(),
            revision,
        )),
        Ok((phase, message, _)) => Err(format!("operation {phase}: {message}").into()),
        Err(last) => Err(Stopped::TimedOut(format!(
            "Argo CD did not finish the operation within {}s ({}): is its application \
             controller running?",
            waits.timeout.as_secs(),
            operation_stand(&last, &token)
        ))),
    }
}

/// Whether an `operationState` is of the operation that carries request `token`.
fn carries_request(state: &Value, token: &str) -> bool {
    state
        .pointer("/operation/info")
        .and_then(Value::as_array)
        .is_some_and(|info| {
            info.iter().any(|i| {
                i.get("name").and_then(Value::as_str) == Some(actions::REQUEST)
                    && i.get("value").and_then(Value::as_str) == Some(token)
            })
        })
}

/// Where an Argo CD operation stood when the wait gave up.
fn operation_stand(object: &Value, token: &str) -> String {
    let state = object.pointer("/status/operationState");
    if !state.is_some_and(|state| carries_request(state, token)) {
        return if object.get("operation").is_some_and(|o| !o.is_null()) {
            "still requested, not started: terminating cancels the request".into()
        } else {
            "not started, and no longer requested".into()
        };
    }
    let text = |key: &str| {
        state
            .and_then(|s| s.get(key))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    format!(
        "still {} {}; it may finish later",
        text("phase"),
        text("message")
    )
    .replace("  ", " ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{not_before, revision_of};

    #[test]
    fn a_helm_charts_revision_is_the_source_revision_it_was_built_from() {
        let commit = "main@sha1:1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
        let chart = json!({"status": {"observedSourceArtifactRevision": commit,
            "artifact": {"revision": "6.5.0+1a2b3c4d5e6f"}}});
        assert_eq!(revision_of(&chart).as_deref(), Some(commit));
        let source = json!({"status": {"artifact": {"revision": commit}}});
        assert_eq!(revision_of(&source).as_deref(), Some(commit));
        let app = json!({"status": {"lastAppliedRevision": commit}});
        assert_eq!(revision_of(&app).as_deref(), Some(commit));
    }

    #[test]
    fn a_request_handled_later_counts_for_an_earlier_one() {
        let token = "2026-11-24T10:00:00.000000001Z";
        assert!(not_before(token, token));
        assert!(not_before("2026-11-24T10:00:05Z", token));
        assert!(!not_before("2026-11-24T09:59:59Z", token));
        // Not times (an annotation written by hand): only the same text counts.
        assert!(not_before("now", "now"));
        assert!(!not_before("later", "now"));
    }
}
