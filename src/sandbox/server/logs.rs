//! `pods/log`: the synthetic output of a container instance (the current one, or the
//! previous after a restart) with `container`, `tailLines`, `sinceSeconds`,
//! `sinceTime`, `timestamps`, `limitBytes` and `follow`, answering the errors a
//! kubelet would (container still creating, no previous instance, ambiguous name).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::StatusCode;
use jiff::Timestamp;
use serde_json::Value;
use tokio::sync::mpsc;

use super::super::logs::{self, LogLine, LogSource};
use super::super::status::{ApiError, ApiResult};
use super::super::workload;
use super::Context;
use super::body::{self, HttpResponse};
use super::route::Query;

/// How often a follow stream looks for new lines.
const FOLLOW_EVERY: Duration = Duration::from_millis(400);

/// One container instance whose output is asked for.
struct Instance {
    pod: String,
    container: String,
    image: String,
    started: Timestamp,
    /// When it stopped; `None` while it runs.
    finished: Option<Timestamp>,
    restarts: u32,
    pod_object: Value,
}

struct Options {
    tail: Option<usize>,
    since: Option<Timestamp>,
    timestamps: bool,
    limit_bytes: Option<usize>,
    follow: bool,
}

pub fn serve(
    context: &Arc<Context>,
    namespace: &str,
    name: &str,
    query: &Query,
) -> ApiResult<HttpResponse> {
    let pods = context.api.kind_type("", "Pod")?;
    let pod = context.api.get(&pods, namespace, name)?;
    let previous = query.flag("previous");
    let instance = instance(&pod, query.get("container"), previous)?;
    let options = options(query)?;
    let now = Timestamp::now();
    let until = instance.finished.unwrap_or(now);
    let all = lines_of(&instance, until);
    let first = select(&all, &options);
    let text = format_lines(&first, options.timestamps, options.limit_bytes);
    if !options.follow || instance.finished.is_some() {
        return Ok(body::text(StatusCode::OK, text));
    }
    let (sender, receiver) = mpsc::channel::<Bytes>(64);
    let _ = sender.try_send(Bytes::from(text));
    let context = context.clone();
    let namespace = namespace.to_owned();
    let name = name.to_owned();
    let container = instance.container.clone();
    tokio::spawn(async move {
        // Only the window since the last line sent is generated on each poll.
        let mut sent_until = all.last().map_or(instance.started, |line| line.time);
        loop {
            tokio::select! {
                _ = tokio::time::sleep(FOLLOW_EVERY) => {}
                _ = sender.closed() => return,
            }
            // The stream ends when the pod is gone or the instance has stopped.
            let Ok(pod) = context.api.get(&pods, &namespace, &name) else {
                return;
            };
            let Ok(current) = instance_of(&pod, &container, false) else {
                return;
            };
            if current.started != instance.started {
                return;
            }
            let until = current.finished.unwrap_or_else(Timestamp::now);
            let from = sent_until + jiff::SignedDuration::from_nanos(1);
            let lines = lines_between(&instance, from, until);
            if let Some(last) = lines.last() {
                sent_until = last.time;
                let text = format_lines(&lines, options.timestamps, None);
                if sender.send(Bytes::from(text)).await.is_err() {
                    return;
                }
            }
            if current.finished.is_some() {
                return;
            }
        }
    });
    Ok(body::stream("text/plain; charset=utf-8", receiver))
}

fn source(instance: &Instance) -> LogSource<'_> {
    LogSource {
        pod: &instance.pod,
        container: &instance.container,
        image: &instance.image,
        started: instance.started,
        behaviour: workload::behaviour(&instance.pod_object, &instance.image, instance.restarts),
    }
}

fn lines_of(instance: &Instance, until: Timestamp) -> Vec<LogLine> {
    logs::lines(&source(instance), until)
}

fn lines_between(instance: &Instance, from: Timestamp, until: Timestamp) -> Vec<LogLine> {
    logs::lines_between(&source(instance), from, until)
}

fn options(query: &Query) -> ApiResult<Options> {
    let number = |name: &str| query.number(name).map_err(ApiError::bad_request);
    let since = match (number("sinceSeconds")?, query.get("sinceTime")) {
        (Some(seconds), _) => Some(
            Timestamp::now()
                .checked_sub(jiff::SignedDuration::from_secs(seconds.max(0)))
                .map_err(|_| {
                    ApiError::bad_request(format!("sinceSeconds: invalid value {seconds}"))
                })?,
        ),
        (None, Some(time)) => Some(time.parse::<Timestamp>().map_err(|e| {
            ApiError::bad_request(format!("sinceTime: invalid time {time:?}: {e}"))
        })?),
        (None, None) => None,
    };
    Ok(Options {
        tail: number("tailLines")?.and_then(|n| usize::try_from(n).ok()),
        since,
        timestamps: query.flag("timestamps"),
        limit_bytes: number("limitBytes")?.and_then(|n| usize::try_from(n).ok()),
        follow: query.flag("follow"),
    })
}

fn select<'a>(lines: &'a [LogLine], options: &Options) -> Vec<LogLine> {
    let recent: Vec<&'a LogLine> = lines
        .iter()
        .filter(|l| options.since.is_none_or(|since| l.time >= since))
        .collect();
    let skip = options
        .tail
        .map_or(0, |tail| recent.len().saturating_sub(tail));
    recent.into_iter().skip(skip).cloned().collect()
}

fn format_lines(lines: &[LogLine], timestamps: bool, limit_bytes: Option<usize>) -> String {
    let mut text = String::new();
    for line in lines {
        if timestamps {
            text.push_str(&line.time.strftime("%Y-%m-%dT%H:%M:%S.%fZ").to_string());
            text.push(' ');
        }
        text.push_str(&line.text);
        text.push('\n');
    }
    if let Some(limit) = limit_bytes
        && text.len() > limit
    {
        let mut cut = limit;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

fn instance(pod: &Value, container: Option<&str>, previous: bool) -> ApiResult<Instance> {
    let pod_name = pod
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let names: Vec<&str> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c.get("name").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let container = match (container, names.as_slice()) {
        (Some(name), _) if names.contains(&name) => name,
        (Some(name), _) => {
            return Err(ApiError::bad_request(format!(
                "container {name} is not valid for pod {pod_name}"
            )));
        }
        (None, [only]) => only,
        (None, _) => {
            return Err(ApiError::bad_request(format!(
                "a container name must be specified for pod {pod_name}, choose one of: [{}]",
                names.join(" ")
            )));
        }
    };
    instance_of(pod, container, previous)
}

fn instance_of(pod: &Value, container: &str, previous: bool) -> ApiResult<Instance> {
    let pod_name = pod
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let image = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .and_then(|cs| {
            cs.iter()
                .find(|c| c.get("name").and_then(Value::as_str) == Some(container))
        })
        .and_then(|c| c.get("image").and_then(Value::as_str))
        .unwrap_or_default()
        .to_owned();
    let status = pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .and_then(|ss| {
            ss.iter()
                .find(|s| s.get("name").and_then(Value::as_str) == Some(container))
        });
    let waiting = || {
        let reason = status
            .and_then(|s| s.pointer("/state/waiting/reason"))
            .and_then(Value::as_str)
            .unwrap_or("ContainerCreating");
        ApiError::bad_request(format!(
            "container {container:?} in pod {pod_name:?} is waiting to start: {reason}"
        ))
    };
    let status = status.ok_or_else(waiting)?;
    let restarts = status
        .get("restartCount")
        .and_then(Value::as_u64)
        .and_then(|r| u32::try_from(r).ok())
        .unwrap_or(0);
    let time = |state: &Value, field: &str| {
        state
            .get(field)
            .and_then(Value::as_str)
            .and_then(|t| t.parse::<Timestamp>().ok())
    };
    let last = status.pointer("/lastState/terminated");
    let (state, restarts) = if previous {
        let last = last.ok_or_else(|| {
            ApiError::bad_request(format!(
                "previous terminated container {container:?} in pod {pod_name:?} not found"
            ))
        })?;
        (last, restarts.saturating_sub(1))
    } else if let Some(running) = status.pointer("/state/running") {
        (running, restarts)
    } else if let Some(terminated) = status.pointer("/state/terminated") {
        (terminated, restarts)
    } else if let Some(last) = last {
        // Waiting to restart (CrashLoopBackOff): the kubelet shows the last run.
        (last, restarts.saturating_sub(1))
    } else {
        return Err(waiting());
    };
    let started = time(state, "startedAt").ok_or_else(waiting)?;
    Ok(Instance {
        pod: pod_name.to_owned(),
        container: container.to_owned(),
        image,
        started,
        finished: time(state, "finishedAt"),
        restarts,
        pod_object: pod.clone(),
    })
}
