//! The Event printer (`kubectl get events`): LAST SEEN, TYPE, REASON, OBJECT
//! (`pod/web-1`), MESSAGE, and wide SUBOBJECT, SOURCE, FIRST SEEN, COUNT, NAME.
//! Events from `events.k8s.io/v1` name their fields differently (`regarding`,
//! `note`, `deprecated*`); the server converts both to one internal type before
//! printing, so both print alike here.

use super::view::View;
use super::{Column, NAME, Printer, Row};

const COLUMNS: &[Column] = &[
    Column::new(
        "Last Seen",
        "string",
        "The time at which the most recent occurrence of this event was recorded.",
    ),
    Column::new(
        "Type",
        "string",
        "Type of this event (Normal, Warning), new types could be added in the future",
    ),
    Column::new(
        "Reason",
        "string",
        "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    Column::new("Object", "string", "The object that this event is about."),
    Column::wide(
        "Subobject",
        "string",
        "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].",
    ),
    Column::wide(
        "Source",
        "string",
        "The component reporting this event. Should be a short machine understandable string.",
    ),
    Column::new(
        "Message",
        "string",
        "A human-readable description of the status of this operation.",
    ),
    Column::wide(
        "First Seen",
        "string",
        "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
    ),
    Column::wide(
        "Count",
        "string",
        "The number of times this event has occurred.",
    ),
    Column {
        priority: 1,
        ..NAME
    },
];

/// Where one API version keeps each field the printer reads.
struct Fields {
    involved: &'static str,
    message: &'static str,
    source: &'static str,
    first: &'static str,
    last: &'static str,
    count: &'static str,
    /// The reporter, when the (deprecated) source is empty: core/v1 calls it
    /// `reportingComponent`, events.k8s.io `reportingController`.
    reporter: &'static str,
}

pub const CORE: Printer = Printer {
    columns: COLUMNS,
    row: |event| {
        row(
            event,
            &Fields {
                involved: "/involvedObject",
                message: "/message",
                source: "/source",
                first: "/firstTimestamp",
                last: "/lastTimestamp",
                count: "/count",
                reporter: "/reportingComponent",
            },
        )
    },
};

pub const EVENTS_API: Printer = Printer {
    columns: COLUMNS,
    row: |event| {
        row(
            event,
            &Fields {
                involved: "/regarding",
                message: "/note",
                source: "/deprecatedSource",
                first: "/deprecatedFirstTimestamp",
                last: "/deprecatedLastTimestamp",
                count: "/deprecatedCount",
                reporter: "/reportingController",
            },
        )
    },
};

fn row(event: &View, fields: &Fields) -> Row {
    let first = match event.time(fields.first) {
        Some(time) => event.age_of(time),
        None => event.since("/eventTime"),
    };
    let mut last = match event.time(fields.last) {
        Some(time) => event.age_of(time),
        None => first.clone(),
    };
    let mut count = event.int(fields.count);
    if event.at("/series").is_some_and(|s| !s.is_null()) {
        last = event.since("/series/lastObservedTime");
        count = event.int("/series/count");
    } else if count == 0 {
        // Singleton events of the newer API carry no count.
        count = 1;
    }
    let involved = |name: &str| event.str(&format!("{}/{name}", fields.involved));
    let kind = involved("kind").to_lowercase();
    let object = match involved("name") {
        "" => kind,
        name => format!("{kind}/{name}"),
    };
    let component = match event.str(&format!("{}/component", fields.source)) {
        "" => event.str(fields.reporter).to_owned(),
        component => component.to_owned(),
    };
    let host = match event.str(&format!("{}/host", fields.source)) {
        "" => event.str("/reportingInstance"),
        host => host,
    };
    let source = if host.is_empty() {
        component
    } else {
        format!("{component}, {host}")
    };
    vec![
        last.into(),
        event.str("/type").into(),
        event.str("/reason").into(),
        object.into(),
        involved("fieldPath").into(),
        source.into(),
        event.str(fields.message).trim().into(),
        first.into(),
        count.into(),
        event.name(),
    ]
    .into()
}
