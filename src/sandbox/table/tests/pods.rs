//! The pod printer: the STATUS word, READY and RESTARTS counts, wide columns.

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use super::{ago, cells, headers, meta, print, row};

fn running(name: &str, restarts: i64) -> Value {
    json!({"name": name, "ready": true, "restartCount": restarts, "started": true,
        "state": {"running": {"startedAt": ago(100)}}})
}

fn waiting(name: &str, reason: &str, restarts: i64) -> Value {
    json!({"name": name, "ready": false, "restartCount": restarts,
        "state": {"waiting": {"reason": reason}}})
}

fn pod(phase: &str, containers: usize, statuses: Value) -> Value {
    let specs: Vec<Value> = (0..containers)
        .map(|i| json!({"name": format!("c{i}"), "image": "nginx:1.27"}))
        .collect();
    json!({"metadata": meta("web", 300), "spec": {"containers": specs},
        "status": {"phase": phase, "containerStatuses": statuses}})
}

fn terminated(name: &str, terminated: Value) -> Value {
    json!({"name": name, "ready": false, "restartCount": 0, "state": {"terminated": terminated}})
}

#[test]
fn pod_status_words_follow_the_real_printer() {
    let mut crashed = waiting("c0", "CrashLoopBackOff", 3);
    crashed["lastState"] = json!({"terminated": {"exitCode": 2, "reason": "Error",
        "startedAt": ago(20), "finishedAt": ago(12)}});
    let mut terminating = pod("Running", 1, json!([running("c0", 0)]));
    terminating["metadata"]["deletionTimestamp"] = ago(1).into();
    let mut finished_deleting = pod("Succeeded", 1, json!([]));
    finished_deleting["metadata"]["deletionTimestamp"] = ago(1).into();
    let mut lost = pod("Running", 1, json!([running("c0", 0)]));
    lost["metadata"]["deletionTimestamp"] = ago(1).into();
    lost["status"]["reason"] = "NodeLost".into();
    let mut gated = pod("Pending", 1, json!([]));
    gated["status"]["conditions"] =
        json!([{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]);
    let mut evicted = pod("Failed", 1, json!([]));
    evicted["status"]["reason"] = "Evicted".into();
    let completed = json!({"exitCode": 0, "reason": "Completed"});
    let cases = [
        (
            "running",
            pod("Running", 2, json!([running("c0", 0), running("c1", 0)])),
            "2/2",
            "Running",
            "0",
        ),
        (
            "half ready",
            pod(
                "Running",
                2,
                json!([running("c0", 0), waiting("c1", "", 0)]),
            ),
            "1/2",
            "Running",
            "0",
        ),
        (
            "crash loop",
            pod("Running", 1, json!([crashed])),
            "0/1",
            "CrashLoopBackOff",
            "3 (12s ago)",
        ),
        (
            "pull",
            pod("Pending", 1, json!([waiting("c0", "ImagePullBackOff", 0)])),
            "0/1",
            "ImagePullBackOff",
            "0",
        ),
        (
            "creating",
            pod("Pending", 1, json!([waiting("c0", "ContainerCreating", 0)])),
            "0/1",
            "ContainerCreating",
            "0",
        ),
        (
            "unscheduled",
            pod("Pending", 1, json!([])),
            "0/1",
            "Pending",
            "0",
        ),
        ("terminating", terminating, "1/1", "Terminating", "0"),
        (
            "deleted after finishing",
            finished_deleting,
            "0/1",
            "Succeeded",
            "0",
        ),
        ("node lost", lost, "1/1", "Unknown", "0"),
        ("gated", gated, "0/1", "SchedulingGated", "0"),
        ("evicted", evicted, "0/1", "Evicted", "0"),
        (
            "completed",
            pod("Succeeded", 1, json!([terminated("c0", completed.clone())])),
            "0/1",
            "Completed",
            "0",
        ),
        (
            "exit code without reason",
            pod(
                "Failed",
                1,
                json!([terminated("c0", json!({"exitCode": 137}))]),
            ),
            "0/1",
            "ExitCode:137",
            "0",
        ),
        (
            "signal without reason",
            pod(
                "Failed",
                1,
                json!([terminated("c0", json!({"exitCode": 0, "signal": 9}))]),
            ),
            "0/1",
            "Signal:9",
            "0",
        ),
        (
            // One container finished, another still serves: not "Completed".
            "completed beside running",
            pod(
                "Running",
                2,
                json!([running("c0", 0), terminated("c1", completed)]),
            ),
            "1/2",
            "NotReady",
            "0",
        ),
    ];
    for (what, object, ready, status, restarts) in cases {
        let cells = row("", "Pod", object);
        assert_eq!(
            (&cells[1], &cells[2], &cells[3], &cells[4]),
            (
                &json!(ready),
                &json!(status),
                &json!(restarts),
                &json!("5m")
            ),
            "{what}"
        );
    }
}

#[test]
fn init_containers_and_sidecars() {
    let init_specs = json!([
        {"name": "migrate", "image": "migrate:1"},
        {"name": "proxy", "image": "envoy:1", "restartPolicy": "Always"},
    ]);
    let with_init = |statuses: Value| {
        let mut object = pod("Pending", 1, json!([waiting("c0", "PodInitializing", 0)]));
        object["spec"]["initContainers"] = init_specs.clone();
        object["status"]["initContainerStatuses"] = statuses;
        row("", "Pod", object)
    };
    let mut failing = waiting("migrate", "CrashLoopBackOff", 4);
    failing["lastState"] = json!({"terminated": {"exitCode": 1, "finishedAt": ago(30)}});
    let cells = with_init(json!([failing]));
    assert_eq!(
        (&cells[1], &cells[2], &cells[3]),
        (
            &json!("0/2"),
            &json!("Init:CrashLoopBackOff"),
            &json!("4 (30s ago)")
        )
    );

    let cells =
        with_init(json!([{"name": "migrate", "restartCount": 0, "state": {"running": {}}}]));
    assert_eq!(cells[2], "Init:0/2");

    let cells = with_init(json!([terminated("migrate", json!({"exitCode": 3}))]));
    assert_eq!(cells[2], "Init:ExitCode:3");
    let cells = with_init(json!([terminated(
        "migrate",
        json!({"exitCode": 1, "reason": "Error"})
    )]));
    assert_eq!(cells[2], "Init:Error");
    let cells = with_init(json!([terminated(
        "migrate",
        json!({"exitCode": 0, "signal": 15})
    )]));
    // Exit code 0 counts as done, whatever the signal; then the app container's
    // waiting reason shows.
    assert_eq!(cells[2], "PodInitializing");
    let cells = with_init(json!([terminated(
        "migrate",
        json!({"exitCode": 143, "signal": 15})
    )]));
    assert_eq!(cells[2], "Init:Signal:15");

    // Once initialised, a started sidecar counts towards READY and its restarts stay.
    let mut object = pod("Running", 1, json!([running("c0", 0)]));
    object["spec"]["initContainers"] = init_specs;
    object["status"]["initContainerStatuses"] = json!([
        {"name": "migrate", "restartCount": 2, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
        {"name": "proxy", "restartCount": 1, "started": true, "ready": true, "state": {"running": {}},
         "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(400)}}},
    ]);
    object["status"]["conditions"] = json!([{"type": "Initialized", "status": "True"}]);
    let cells = row("", "Pod", object);
    assert_eq!(
        (&cells[1], &cells[2], &cells[3]),
        (&json!("2/2"), &json!("Running"), &json!("1 (6m40s ago)"))
    );
}

#[test]
fn pod_wide_columns_and_row_conditions() {
    let mut object = pod("Succeeded", 1, json!([]));
    object["spec"]["nodeName"] = "sandbox-node-1".into();
    object["spec"]["readinessGates"] =
        json!([{"conditionType": "example.com/lb"}, {"conditionType": "x/y"}]);
    object["status"]["podIPs"] = json!([{"ip": "10.244.0.7"}, {"ip": "fd00::7"}]);
    object["status"]["conditions"] = json!([{"type": "example.com/lb", "status": "True"}]);
    let table = print("", "Pod", &[object]);
    assert_eq!(
        headers(&table, true),
        [
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "IP",
            "NODE",
            "NOMINATED NODE",
            "READINESS GATES"
        ]
    );
    assert_eq!(
        cells(&table)[0],
        json!([
            "web",
            "0/1",
            "Succeeded",
            "0",
            "5m",
            "10.244.0.7",
            "sandbox-node-1",
            "<none>",
            "1/2"
        ])
    );
    assert_eq!(
        table["rows"][0]["conditions"],
        json!([{"type": "Completed", "status": "True", "reason": "Succeeded",
            "message": "The pod has completed successfully."}])
    );

    let mut single_ip = pod("Running", 1, json!([]));
    single_ip["status"]["podIP"] = "10.244.0.8".into();
    assert_eq!(row("", "Pod", single_ip)[5], "10.244.0.8");
    let bare = row("", "Pod", pod("Pending", 1, json!([])));
    assert_eq!(
        bare.as_array().unwrap()[5..],
        [
            json!("<none>"),
            json!("<none>"),
            json!("<none>"),
            json!("<none>")
        ]
    );
    assert_eq!(
        print("", "Pod", &[pod("Failed", 1, json!([]))])["rows"][0]["conditions"][0]["reason"],
        "Failed"
    );
}
