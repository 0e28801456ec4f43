//! Printers for the pod controllers: Deployment, ReplicaSet, StatefulSet,
//! DaemonSet, Job and CronJob. Replica counts the API server defaults (`replicas:
//! 1`) read as their defaults, so an object stored without them prints as it would
//! on a cluster.

use serde_json::Value;

use super::format::{containers, label_selector, labels, selector};
use super::view::{View, field};
use super::{AGE, Column, NAME, Printer, Row};

const CONTAINERS: Column = Column::wide(
    "Containers",
    "string",
    "Names of each container in the template.",
);
const IMAGES: Column = Column::wide(
    "Images",
    "string",
    "Images referenced by each container in the template.",
);
const SELECTOR: Column = Column::wide(
    "Selector",
    "string",
    "A label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this controller.",
);

pub const DEPLOYMENT: Printer = Printer {
    columns: &[
        NAME,
        Column::new("Ready", "string", "Number of the pod with ready state"),
        Column::new(
            "Up-to-date",
            "string",
            "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
        ),
        Column::new(
            "Available",
            "string",
            "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
        ),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
    ],
    row: |d| {
        let (names, images) = containers(d.at("/spec/template/spec"));
        vec![
            d.name(),
            format!(
                "{}/{}",
                d.int("/status/readyReplicas"),
                d.int_or("/spec/replicas", 1)
            )
            .into(),
            d.int("/status/updatedReplicas").into(),
            d.int("/status/availableReplicas").into(),
            d.age(),
            names,
            images,
            selector(d.at("/spec/selector")).into(),
        ]
        .into()
    },
};

pub const REPLICA_SET: Printer = Printer {
    columns: &[
        NAME,
        Column::new(
            "Desired",
            "integer",
            "Replicas is the number of desired replicas.",
        ),
        Column::new(
            "Current",
            "integer",
            "Replicas is the most recently observed number of replicas.",
        ),
        Column::new(
            "Ready",
            "integer",
            "The number of ready replicas for this replica set.",
        ),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
    ],
    row: |rs| {
        let (names, images) = containers(rs.at("/spec/template/spec"));
        vec![
            rs.name(),
            rs.int_or("/spec/replicas", 1).into(),
            rs.int("/status/replicas").into(),
            rs.int("/status/readyReplicas").into(),
            rs.age(),
            names,
            images,
            label_selector(rs.at("/spec/selector")).into(),
        ]
        .into()
    },
};

pub const STATEFUL_SET: Printer = Printer {
    columns: &[
        NAME,
        Column::new("Ready", "string", "Number of the pod with ready state"),
        AGE,
        CONTAINERS,
        IMAGES,
    ],
    row: |s| {
        let (names, images) = containers(s.at("/spec/template/spec"));
        vec![
            s.name(),
            format!(
                "{}/{}",
                s.int("/status/readyReplicas"),
                s.int_or("/spec/replicas", 1)
            )
            .into(),
            s.age(),
            names,
            images,
        ]
        .into()
    },
};

pub const DAEMON_SET: Printer = Printer {
    columns: &[
        NAME,
        Column::new(
            "Desired",
            "integer",
            "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).",
        ),
        Column::new(
            "Current",
            "integer",
            "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.",
        ),
        Column::new(
            "Ready",
            "integer",
            "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.",
        ),
        Column::new(
            "Up-to-date",
            "integer",
            "The total number of nodes that are running updated daemon pod",
        ),
        Column::new(
            "Available",
            "integer",
            "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)",
        ),
        Column::new(
            "Node Selector",
            "string",
            "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node.",
        ),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
    ],
    row: |ds| {
        let (names, images) = containers(ds.at("/spec/template/spec"));
        vec![
            ds.name(),
            ds.int("/status/desiredNumberScheduled").into(),
            ds.int("/status/currentNumberScheduled").into(),
            ds.int("/status/numberReady").into(),
            ds.int("/status/updatedNumberScheduled").into(),
            ds.int("/status/numberAvailable").into(),
            labels(ds.at("/spec/template/spec/nodeSelector")).into(),
            ds.age(),
            names,
            images,
            label_selector(ds.at("/spec/selector")).into(),
        ]
        .into()
    },
};

pub const JOB: Printer = Printer {
    columns: &[
        NAME,
        Column::new("Status", "string", "Status of the job."),
        Column::new(
            "Completions",
            "string",
            "The number of pods which reached phase Succeeded.",
        ),
        Column::new("Duration", "string", "Time required to complete the job."),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
    ],
    row: job_row,
};

fn job_row(job: &View) -> Row {
    let succeeded = job.int("/status/succeeded");
    let completions = match job.at("/spec/completions").and_then(Value::as_i64) {
        Some(completions) => format!("{succeeded}/{completions}"),
        None => match job.int("/spec/parallelism") {
            parallelism if parallelism > 1 => format!("{succeeded}/1 of {parallelism}"),
            _ => format!("{succeeded}/1"),
        },
    };
    let duration = match (
        job.time("/status/startTime"),
        job.time("/status/completionTime"),
    ) {
        (None, _) => String::new(),
        (Some(start), None) => job.age_of(start),
        (Some(start), Some(end)) => super::human_duration(end.duration_since(start)),
    };
    let (names, images) = containers(job.at("/spec/template/spec"));
    vec![
        job.name(),
        job_status(job).into(),
        completions.into(),
        duration.into(),
        job.age(),
        names,
        images,
        label_selector(job.at("/spec/selector")).into(),
    ]
    .into()
}

/// The STATUS word, in the real printer's order of precedence.
fn job_status(job: &View) -> &'static str {
    let conditions = job.list("/status/conditions");
    let holds = |kind: &str| {
        conditions
            .iter()
            .any(|c| field(c, "type") == kind && field(c, "status") == "True")
    };
    if holds("Complete") {
        "Complete"
    } else if holds("Failed") {
        "Failed"
    } else if job
        .at("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null())
    {
        "Terminating"
    } else if holds("Suspended") {
        "Suspended"
    } else if holds("FailureTarget") {
        "FailureTarget"
    } else if holds("SuccessCriteriaMet") {
        "SuccessCriteriaMet"
    } else {
        "Running"
    }
}

pub const CRON_JOB: Printer = Printer {
    columns: &[
        NAME,
        Column::new(
            "Schedule",
            "string",
            "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.",
        ),
        Column::new(
            "Timezone",
            "string",
            "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.",
        ),
        Column::new(
            "Suspend",
            "boolean",
            "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.",
        ),
        Column::new(
            "Active",
            "integer",
            "A list of pointers to currently running jobs.",
        ),
        Column::new(
            "Last Schedule",
            "string",
            "Information when was the last time the job was successfully scheduled.",
        ),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
    ],
    row: |cj| {
        let last = match cj.time("/status/lastScheduleTime") {
            Some(time) => cj.age_of(time),
            None => "<none>".to_owned(),
        };
        let time_zone = cj
            .at("/spec/timeZone")
            .and_then(Value::as_str)
            .unwrap_or("<none>");
        // The API server defaults `suspend` to false, so an absent field prints
        // False rather than the printer's `<unset>`.
        let suspend = match cj.at("/spec/suspend").and_then(Value::as_bool) {
            Some(true) => "True",
            _ => "False",
        };
        let (names, images) = containers(cj.at("/spec/jobTemplate/spec/template/spec"));
        vec![
            cj.name(),
            cj.str("/spec/schedule").into(),
            time_zone.into(),
            suspend.into(),
            cj.len("/status/active").into(),
            last.into(),
            cj.age(),
            names,
            images,
            label_selector(cj.at("/spec/jobTemplate/spec/selector")).into(),
        ]
        .into()
    },
};
