//! The contract of synthetic logs: deterministic, stable as `until` grows, ending
//! at the exits the pod controller is told about, plausible, and safe to print.

use pretty_assertions::assert_eq;

use super::app::{App, Cause, Flavour};
use super::*;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

const START: &str = "2026-11-23T10:00:00.250Z";

fn source<'a>(image: &'a str, behaviour: Behaviour) -> LogSource<'a> {
    LogSource {
        pod: "orders-7c9d8b6f5-x2x4z",
        container: "main",
        image,
        started: at(START),
        behaviour,
    }
}

fn after(seconds: i64) -> Timestamp {
    at(START) + SignedDuration::from_secs(seconds)
}

/// Sample images; `the_sample_images_cover_every_flavour_and_cause` checks that
/// they reach every flavour and cause, so a change to the hash cannot quietly
/// shrink what the other tests cover.
fn images() -> Vec<String> {
    (0..60)
        .map(|i| format!("ghcr.io/acme/orders-{i}:2.{i}.0"))
        .collect()
}

fn texts(lines: &[LogLine]) -> Vec<&str> {
    lines.iter().map(|l| l.text.as_str()).collect()
}

#[test]
fn the_sample_images_cover_every_flavour_and_cause() {
    let apps: Vec<App> = images().iter().map(|i| App::new(i, "main")).collect();
    for flavour in [Flavour::Go, Flavour::Java, Flavour::Python] {
        for cause in [Cause::DatabaseDown, Cause::MissingSetting, Cause::NilConfig] {
            assert!(
                apps.iter()
                    .any(|a| a.flavour == flavour && a.cause == cause),
                "{flavour:?} {cause:?}"
            );
        }
    }
}

#[test]
fn output_is_a_function_of_pod_container_image_and_start() {
    for behaviour in [
        Behaviour::Serving,
        Behaviour::Crashing { restart: 2 },
        Behaviour::Completing,
    ] {
        let a = source("ghcr.io/acme/orders:2.1.0", behaviour);
        assert_eq!(lines(&a, after(600)), lines(&a, after(600)));
        let restarted = LogSource {
            started: after(30),
            ..a
        };
        assert_ne!(
            lines(&a, after(600)),
            lines(&restarted, after(630)),
            "a new instance prints new output"
        );
        let other_pod = LogSource {
            pod: "orders-7c9d8b6f5-abcde",
            ..a
        };
        assert_ne!(lines(&a, after(600)), lines(&other_pod, after(600)));
    }
}

#[test]
fn lines_already_printed_never_change_as_until_grows() {
    for image in images().iter().take(12) {
        for behaviour in [
            Behaviour::Serving,
            Behaviour::Crashing { restart: 0 },
            Behaviour::Completing,
        ] {
            let source = source(image, behaviour);
            let full = lines(&source, after(400));
            // Steps that are not multiples of anything inside (start-up, slots).
            let mut until = at(START) - SignedDuration::from_millis(500);
            while until < after(400) {
                let partial = lines(&source, until);
                let expected: Vec<LogLine> =
                    full.iter().filter(|l| l.time <= until).cloned().collect();
                assert_eq!(partial, expected, "{image} {behaviour:?} until {until}");
                until += SignedDuration::from_millis(2_345);
            }
        }
    }
}

#[test]
fn a_window_holds_exactly_the_lines_of_the_whole_log_in_it() {
    for image in images().iter().take(6) {
        for behaviour in [
            Behaviour::Serving,
            Behaviour::Crashing { restart: 0 },
            Behaviour::Completing,
        ] {
            let source = source(image, behaviour);
            let full = lines(&source, after(700));
            let windows = [
                (-5, 0),
                (0, 1),
                (1, 4),
                (59, 61),
                (62, 185),
                (300, 600),
                (600, 700),
            ];
            for (from, until) in windows {
                let (from, until) = (after(from), after(until));
                let expected: Vec<LogLine> = full
                    .iter()
                    .filter(|l| from <= l.time && l.time <= until)
                    .cloned()
                    .collect();
                assert_eq!(
                    lines_between(&source, from, until),
                    expected,
                    "{image} {from}..{until}"
                );
            }
            // A follower's cursor: everything after the last line sent.
            let last = full[full.len() / 2].time;
            let rest = lines_between(&source, last + SignedDuration::from_nanos(1), after(700));
            assert_eq!(rest, full[full.len() / 2 + 1..]);
        }
    }
}

#[test]
fn times_never_go_backwards_and_stay_within_until() {
    for image in images() {
        for behaviour in [
            Behaviour::Serving,
            Behaviour::Crashing { restart: 1 },
            Behaviour::Completing,
        ] {
            let until = after(300);
            let lines = lines(&source(&image, behaviour), until);
            assert!(!lines.is_empty());
            assert!(lines.first().is_some_and(|l| l.time >= at(START)));
            for pair in lines.windows(2) {
                assert!(
                    pair[0].time < pair[1].time,
                    "{image} {behaviour:?}: {pair:?}"
                );
            }
            assert!(lines.iter().all(|l| l.time <= until));
        }
    }
}

#[test]
fn nothing_before_the_start() {
    let source = source("nginx:1.27", Behaviour::Serving);
    assert_eq!(lines(&source, at(START) - SignedDuration::from_secs(1)), []);
    assert_eq!(lines(&source, at(START)), []);
}

/// An access-log line in any flavour.
fn is_access(text: &str) -> bool {
    text.contains("msg=request ")
        || text.contains("ms request_id=")
        || text.contains("ms requestId=")
}

#[test]
fn serving_starts_with_a_banner_then_logs_requests_every_few_seconds() {
    for image in images() {
        let source = source(&image, Behaviour::Serving);
        let lines = lines(&source, after(3600));
        let app = App::new(&image, "main");
        let text = texts(&lines);
        assert!(
            text.iter().take(12).any(|l| l.contains(&app.version)),
            "{image}: {text:?}"
        );
        assert!(text.iter().take(12).any(|l| l.contains(&image)), "{image}");
        let ready = text
            .iter()
            .position(|l| l.contains("listening on :8080"))
            .unwrap();
        assert!(ready < 25);
        assert!(lines[ready].time < after(6), "ready within seconds");

        let requests: Vec<&LogLine> = lines[ready + 1..]
            .iter()
            .filter(|l| is_access(&l.text))
            .collect();
        // About one request every two seconds over the hour.
        assert!(
            (1200..2300).contains(&requests.len()),
            "{image}: {}",
            requests.len()
        );
        for pair in requests.windows(2) {
            let gap = pair[1].time.duration_since(pair[0].time);
            assert!(gap > SignedDuration::from_millis(900), "{gap:?}");
            assert!(gap < SignedDuration::from_secs(13), "{gap:?}");
        }
        let count = |needle: &str| text.iter().filter(|l| l.contains(needle)).count();
        assert!(
            count(" 404 ") + count("status=404") > 0,
            "{image}: some 404s"
        );
        assert!(
            count(" 500 ") + count("status=500") > 0,
            "{image}: some 500s"
        );
        assert!(count("WARN") > 0, "{image}: some warnings");
    }
}

#[test]
fn crashing_ends_in_a_stack_trace_at_the_announced_exit() {
    for image in images() {
        for restart in [0, 3] {
            let source = source(&image, Behaviour::Crashing { restart });
            let exit = at(START) + crash_after(&source);
            assert!(crash_after(&source) >= SignedDuration::from_secs(2));
            assert!(crash_after(&source) < SignedDuration::from_secs(6));
            let lines = lines(&source, after(3600));
            assert_eq!(lines, super::lines(&source, exit), "nothing after the exit");
            let text = texts(&lines);
            let error = text.iter().rposition(|l| l.contains("ERROR")).unwrap();
            let trace = &text[error + 1..];
            assert!(trace.len() >= 4, "{image}: {trace:?}");
            let looks_like_a_trace = trace[0].starts_with("panic: ")
                || trace[0].starts_with("Traceback (most recent call last):")
                || trace.iter().any(|l| l.starts_with("\tat "));
            assert!(looks_like_a_trace, "{image}: {trace:?}");
            assert!(lines[error].time < exit);
            assert!(lines.last().is_some_and(|l| l.time <= exit));
            assert_eq!(
                restart > 0,
                text.iter().any(|l| l.contains("stale lock file"))
            );
        }
    }
}

#[test]
fn a_restart_crashes_the_same_way() {
    let first = source(
        "ghcr.io/acme/orders:2.2.0-crash",
        Behaviour::Crashing { restart: 0 },
    );
    let second = LogSource {
        started: after(40),
        behaviour: Behaviour::Crashing { restart: 1 },
        ..first
    };
    let tail = |s: &LogSource| {
        let lines = lines(s, after(3600));
        let text: Vec<String> = lines.iter().map(|l| l.text.clone()).collect();
        let error = text.iter().rposition(|l| l.contains("ERROR")).unwrap();
        text[error + 1..].to_vec()
    };
    assert_eq!(tail(&first), tail(&second));
}

#[test]
fn completing_reports_progress_and_is_done_at_the_announced_exit() {
    for image in images() {
        let source = source(&image, Behaviour::Completing);
        let exit = at(START) + completes_after(&source);
        assert!(completes_after(&source) >= SignedDuration::from_secs(5));
        assert!(completes_after(&source) < SignedDuration::from_secs(10));
        let lines = lines(&source, after(3600));
        assert_eq!(lines, super::lines(&source, exit));
        let last = lines.last().unwrap();
        assert!(last.text.contains("done"), "{}", last.text);
        assert!(last.time <= exit && last.time > exit - SignedDuration::from_millis(10));
        let progress = lines.iter().filter(|l| l.text.contains("batch")).count();
        assert!(progress >= 4, "{image}: {progress}");
    }
}

#[test]
fn nothing_printed_can_drive_a_terminal() {
    let evil = "ghcr.io/acme/\u{1b}]0;pwned\u{7}orders:1.0\u{1b}[2J\r\n";
    for behaviour in [
        Behaviour::Serving,
        Behaviour::Crashing { restart: 1 },
        Behaviour::Completing,
    ] {
        let source = LogSource {
            pod: "p\u{1b}[31m",
            container: "c\n\u{9b}",
            image: evil,
            started: at(START),
            behaviour,
        };
        let mut all = lines(&source, after(120));
        for image in images().iter().take(20) {
            all.extend(lines(&super::tests::source(image, behaviour), after(120)));
        }
        for line in all {
            assert!(
                !line.text.chars().any(|c| c.is_control() && c != '\t'),
                "{:?}",
                line.text
            );
        }
    }
}

#[test]
fn a_day_old_pod_is_cheap_to_follow() {
    let source = source("ghcr.io/acme/orders:2.1.0", Behaviour::Serving);
    let whole = lines(&source, after(86_400));
    assert!(whole.len() > 30_000);
    // A follower's poll formats the start-up and two slots, not a day of traffic.
    let started = std::time::Instant::now();
    let recent = lines_between(&source, after(86_399), after(86_400));
    assert!(
        started.elapsed() < std::time::Duration::from_millis(200),
        "{:?}",
        started.elapsed()
    );
    let expected: Vec<LogLine> = whole
        .into_iter()
        .filter(|l| l.time >= after(86_399))
        .collect();
    assert_eq!(recent, expected);
}

#[test]
fn output_is_pinned_across_releases() {
    // A change here changes every demo's logs and the timing of every crash loop:
    // it should be a deliberate one.
    let source = source("ghcr.io/acme/orders-2:2.2.0", Behaviour::Serving);
    assert_eq!(crash_after(&source), SignedDuration::from_micros(2_750_000));
    assert_eq!(
        completes_after(&source),
        SignedDuration::from_micros(7_750_000)
    );
    let lines = lines(&source, after(4));
    let pinned: Vec<(String, &str)> = lines
        .iter()
        .map(|l| (l.time.to_string(), l.text.as_str()))
        .collect();
    assert_eq!(
        pinned,
        [
            (
                "2026-11-23T10:00:00.267848Z".to_owned(),
                r#"time=2026-11-23T10:00:00.267Z level=INFO msg="starting orders-2" version=2.2.0 image=ghcr.io/acme/orders-2:2.2.0 go=go1.23.4"#
            ),
            (
                "2026-11-23T10:00:00.279066Z".to_owned(),
                r#"time=2026-11-23T10:00:00.279Z level=INFO msg="configuration loaded" env=production log_level=info source=env"#
            ),
            (
                "2026-11-23T10:00:00.50335Z".to_owned(),
                r#"time=2026-11-23T10:00:00.503Z level=INFO msg="connected to database" host=orders-db:5432 pool_size=10"#
            ),
            (
                "2026-11-23T10:00:00.508074Z".to_owned(),
                r#"time=2026-11-23T10:00:00.508Z level=INFO msg="metrics enabled" addr=:9090 path=/metrics"#
            ),
            (
                "2026-11-23T10:00:00.512785Z".to_owned(),
                r#"time=2026-11-23T10:00:00.512Z level=INFO msg="listening on :8080""#
            ),
            (
                "2026-11-23T10:00:02.257198Z".to_owned(),
                "time=2026-11-23T10:00:02.257Z level=INFO msg=request method=GET path=/readyz status=200 duration_ms=2 request_id=fcf55ce6950da007"
            ),
            (
                "2026-11-23T10:00:03.528563Z".to_owned(),
                "time=2026-11-23T10:00:03.528Z level=INFO msg=request method=GET path=/healthz status=200 duration_ms=0 request_id=d0f827e80fdf0631"
            ),
        ]
    );
}

#[test]
fn exits_fall_on_whole_seconds_so_second_precision_status_keeps_the_last_lines() {
    // The kubelet records startedAt/finishedAt to the second: whatever the start,
    // the exit time truncated to the second must still include the trace or "done".
    for started in ["2026-11-23T10:00:00Z", START, "2026-11-23T10:00:00.999999Z"] {
        for image in images().iter().take(20) {
            let mut crash = source(image, Behaviour::Crashing { restart: 0 });
            crash.started = at(started);
            let mut job = source(image, Behaviour::Completing);
            job.started = at(started);
            for (source, after) in [(crash, crash_after(&crash)), (job, completes_after(&job))] {
                let exit = source.started + after;
                assert_eq!(exit.subsec_nanosecond(), 0, "{exit}");
                let recorded = Timestamp::from_second(exit.as_second()).unwrap();
                assert_eq!(
                    lines(&source, recorded),
                    lines(&source, exit + SignedDuration::from_secs(60))
                );
            }
            assert!((2_000..7_000).contains(&crash_after(&crash).as_millis()));
            assert!((5_000..10_000).contains(&completes_after(&job).as_millis()));
        }
    }
}
