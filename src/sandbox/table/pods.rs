//! The pod printer (`printPod`): READY counts, the STATUS reason kubectl users read
//! first (CrashLoopBackOff, ImagePullBackOff, Init:0/1, Completed, Terminating...),
//! RESTARTS with the age of the last one, and the wide IP/NODE columns. The order
//! of the checks is the real printer's, so that a pod shows the same word here as
//! on a cluster.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::format::none_if_empty;
use super::view::{View, field, parse_time};
use super::{AGE, Column, NAME, Printer, Row};

pub const PRINTER: Printer = Printer {
    columns: &[
        NAME,
        Column::new(
            "Ready",
            "string",
            "The aggregate readiness state of this pod for accepting traffic.",
        ),
        Column::new(
            "Status",
            "string",
            "The aggregate status of the containers in this pod.",
        ),
        Column::new(
            "Restarts",
            "string",
            "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
        ),
        AGE,
        Column::wide(
            "IP",
            "string",
            "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
        ),
        Column::wide(
            "Node",
            "string",
            "NodeName indicates in which node this pod is scheduled.",
        ),
        Column::wide(
            "Nominated Node",
            "string",
            "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.",
        ),
        Column::wide(
            "Readiness Gates",
            "string",
            "If specified, all readiness gates will be evaluated for pod readiness.",
        ),
    ],
    row,
};

/// The tally over a group of container statuses.
#[derive(Default)]
struct Tally {
    restarts: i64,
    last_restart: Option<Timestamp>,
}

impl Tally {
    fn add(&mut self, status: &Value) {
        self.restarts += status
            .get("restartCount")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if let Some(finished) = parse_time(status.pointer("/lastState/terminated/finishedAt")) {
            self.last_restart = Some(
                self.last_restart
                    .map_or(finished, |last| last.max(finished)),
            );
        }
    }
}

fn row(pod: &View) -> Row {
    let phase = pod.str("/status/phase");
    let mut reason = match pod.str("/status/reason") {
        "" => phase.to_owned(),
        reason => reason.to_owned(),
    };
    let conditions = pod.list("/status/conditions");
    if conditions
        .iter()
        .any(|c| field(c, "type") == "PodScheduled" && field(c, "reason") == "SchedulingGated")
    {
        reason = "SchedulingGated".to_owned();
    }

    let init_specs = pod.list("/spec/initContainers");
    let sidecar = |name: &str| {
        init_specs
            .iter()
            .any(|c| field(c, "name") == name && field(c, "restartPolicy") == "Always")
    };
    let total = pod.list("/spec/containers").len()
        + init_specs
            .iter()
            .filter(|c| field(c, "restartPolicy") == "Always")
            .count();
    let mut ready = 0;

    // Restarts count every init container while the pod initialises, and only the
    // sidecars (restartable init containers) once it has.
    let mut all_init = Tally::default();
    let mut sidecars = Tally::default();
    let mut initializing = false;
    for (index, status) in pod.list("/status/initContainerStatuses").iter().enumerate() {
        let name = field(status, "name");
        all_init.add(status);
        if sidecar(name) {
            sidecars.add(status);
        }
        let terminated = status.pointer("/state/terminated");
        let exit_code = terminated
            .and_then(|t| t.get("exitCode"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let waiting_reason = status
            .pointer("/state/waiting/reason")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if terminated.is_some() && exit_code == 0 {
            continue;
        }
        if sidecar(name) && status.get("started").and_then(Value::as_bool) == Some(true) {
            if status.get("ready").and_then(Value::as_bool) == Some(true) {
                ready += 1;
            }
            continue;
        }
        reason = if let Some(terminated) = terminated {
            match field(terminated, "reason") {
                "" => match terminated
                    .get("signal")
                    .and_then(Value::as_i64)
                    .unwrap_or(0)
                {
                    0 => format!("Init:ExitCode:{exit_code}"),
                    signal => format!("Init:Signal:{signal}"),
                },
                why => format!("Init:{why}"),
            }
        } else if !waiting_reason.is_empty() && waiting_reason != "PodInitializing" {
            format!("Init:{waiting_reason}")
        } else {
            format!("Init:{index}/{}", init_specs.len())
        };
        initializing = true;
        break;
    }

    let initialized = conditions
        .iter()
        .any(|c| field(c, "type") == "Initialized" && field(c, "status") == "True");
    let mut tally = all_init;
    if !initializing || initialized {
        tally = sidecars;
        let mut has_running = false;
        // The real printer walks the statuses backwards, so the first container's
        // reason wins.
        for status in pod.list("/status/containerStatuses").iter().rev() {
            tally.add(status);
            let waiting = status
                .pointer("/state/waiting/reason")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let terminated = status.pointer("/state/terminated");
            if !waiting.is_empty() {
                reason = waiting.to_owned();
            } else if let Some(terminated) = terminated {
                reason = match field(terminated, "reason") {
                    "" => match terminated
                        .get("signal")
                        .and_then(Value::as_i64)
                        .unwrap_or(0)
                    {
                        0 => format!(
                            "ExitCode:{}",
                            terminated
                                .get("exitCode")
                                .and_then(Value::as_i64)
                                .unwrap_or(0)
                        ),
                        signal => format!("Signal:{signal}"),
                    },
                    why => why.to_owned(),
                };
            } else if status.get("ready").and_then(Value::as_bool) == Some(true)
                && status.pointer("/state/running").is_some()
            {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = conditions
                .iter()
                .any(|c| field(c, "type") == "Ready" && field(c, "status") == "True");
            reason = if pod_ready { "Running" } else { "NotReady" }.to_owned();
        }
    }

    if pod
        .at("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null())
    {
        if pod.str("/status/reason") == "NodeLost" {
            reason = "Unknown".to_owned();
        } else if phase != "Succeeded" && phase != "Failed" {
            reason = "Terminating".to_owned();
        }
    }

    let restarts = match tally.last_restart {
        Some(last) if tally.restarts != 0 => {
            format!("{} ({} ago)", tally.restarts, pod.age_of(last))
        }
        _ => tally.restarts.to_string(),
    };

    let cells = vec![
        pod.name(),
        format!("{ready}/{total}").into(),
        reason.into(),
        restarts.into(),
        pod.age(),
        ip(pod).into(),
        none_if_empty(pod.str("/spec/nodeName").to_owned()).into(),
        none_if_empty(pod.str("/status/nominatedNodeName").to_owned()).into(),
        readiness_gates(pod, conditions).into(),
    ];
    Row {
        cells,
        conditions: row_conditions(phase),
    }
}

fn ip(pod: &View) -> String {
    let first = pod
        .list("/status/podIPs")
        .first()
        .map(|ip| field(ip, "ip"))
        .filter(|ip| !ip.is_empty())
        .unwrap_or_else(|| pod.str("/status/podIP"));
    none_if_empty(first.to_owned())
}

fn readiness_gates(pod: &View, conditions: &[Value]) -> String {
    let gates = pod.list("/spec/readinessGates");
    if gates.is_empty() {
        return "<none>".to_owned();
    }
    let met = gates
        .iter()
        .filter(|gate| {
            conditions
                .iter()
                .find(|c| field(c, "type") == field(gate, "conditionType"))
                .is_some_and(|c| field(c, "status") == "True")
        })
        .count();
    format!("{met}/{}", gates.len())
}

/// The row conditions the server marks finished pods with.
fn row_conditions(phase: &str) -> Vec<Value> {
    let (reason, message) = match phase {
        "Succeeded" => ("Succeeded", "The pod has completed successfully."),
        "Failed" => ("Failed", "The pod failed."),
        _ => return Vec::new(),
    };
    vec![json!({"type": "Completed", "status": "True", "reason": reason, "message": message})]
}
