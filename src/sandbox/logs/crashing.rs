//! A crashing program: the usual start, a few lines of the step that fails, then
//! an ERROR record and a stack trace as its last output, two to six seconds after
//! the start. The failing step and the trace belong to the build (see `app`), so
//! every restart dies the same way; timings and ids change per instance.

use super::app::Cause;
use super::render::{Level, Source, Writer};
use super::rng::Rng;
use super::{MILLI, SECOND, startup, traces};

/// The time between two lines of a stack trace.
const TRACE_STEP: i64 = 20;

/// About when the instance exits, in microseconds after its start; the caller
/// moves it onto the next whole second, so the exit lands two to six seconds in.
pub fn exit_at(seed: u64) -> i64 {
    Rng::fork(seed, 2).range(2 * SECOND, 5 * SECOND)
}

/// Writes the whole output, which ends just before `exit` (microseconds after the
/// start, at least [`exit_at`]).
pub fn write(w: &mut Writer, seed: u64, restart: u32, exit: i64) {
    let mut rng = Rng::fork(seed, 3);
    let mut at = startup::begin(w, &mut rng, 0);
    if restart > 0 {
        // The previous instance died without cleaning up after itself.
        at += rng.range(MILLI, 5 * MILLI);
        let lock = format!("/tmp/{}.lock", w.app.name);
        let restart = restart.to_string();
        w.log(
            at,
            Level::Warn,
            Source::Main,
            "removing stale lock file left by a previous run",
            &[("path", &lock), ("restarts", &restart)],
        );
    }
    // The failure itself comes a little before the exit; the lines leading up to it
    // are spread over the time left.
    let fail = exit - rng.range(2 * MILLI, 8 * MILLI);
    let app = w.app;
    match app.cause {
        Cause::DatabaseDown => {
            let host = startup::database(app);
            at += rng.range(20 * MILLI, 200 * MILLI);
            w.log(
                at,
                Level::Info,
                Source::Database,
                "connecting to database",
                &[("host", &host)],
            );
            let mut delay = 250 * MILLI;
            let mut attempt = 1;
            while at + delay < fail - 100 * MILLI {
                at += delay;
                let (attempt_text, delay_text) =
                    (attempt.to_string(), format!("{}ms", delay / MILLI));
                let reason = traces::refused(app);
                w.log(
                    at,
                    Level::Warn,
                    Source::Database,
                    "database not ready, retrying",
                    &[
                        ("attempt", &attempt_text),
                        ("backoff", &delay_text),
                        ("error", &reason),
                    ],
                );
                attempt += 1;
                delay *= 2;
            }
        }
        Cause::MissingSetting => {
            at += rng.range(10 * MILLI, 100 * MILLI);
            w.log(
                at,
                Level::Info,
                Source::Config,
                "loading secrets",
                &[("path", "/var/run/secrets/app")],
            );
            at += rng.range(5 * MILLI, 50 * MILLI);
            let clients = format!("initialising {}", traces::setting(app).1);
            w.log(at, Level::Info, Source::Main, &clients, &[]);
        }
        Cause::NilConfig => {
            at += rng.range(10 * MILLI, 80 * MILLI);
            let flags = format!("/etc/{}/flags.yaml", app.name);
            w.log(
                at,
                Level::Info,
                Source::Config,
                "feature flags not found, continuing without",
                &[("path", &flags)],
            );
            at += rng
                .range(200 * MILLI, 900 * MILLI)
                .min((fail - at).max(0) / 2);
            w.log(
                at,
                Level::Info,
                Source::Worker,
                "warming cache",
                &[("resource", &app.resource)],
            );
        }
    }
    let (error, trace) = traces::crash(app);
    let error_fields: Vec<(&str, &str)> =
        error.fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    w.log(
        fail,
        Level::Error,
        error.source,
        &error.message,
        &error_fields,
    );
    // A trace is written at once: its lines land microseconds apart, well before
    // the exit (a trace of up to a hundred lines fits in the two milliseconds).
    let mut at = fail;
    for line in trace {
        at = (at + TRACE_STEP).min(exit);
        w.raw(at, line);
    }
}

#[cfg(test)]
mod tests {
    use super::super::app::App;
    use super::*;

    #[test]
    fn exits_between_two_and_five_seconds_before_rounding() {
        for seed in 0..500 {
            let exit = exit_at(seed);
            assert!((2 * SECOND..5 * SECOND).contains(&exit), "{exit}");
        }
    }

    #[test]
    fn every_cause_and_flavour_ends_in_its_trace() {
        for i in 0..40 {
            let app = App::new(&format!("ghcr.io/acme/app{i}:1.0.{i}"), "main");
            let started: jiff::Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
            let mut w = Writer::new(&app, started);
            write(&mut w, i, 0, exit_at(i));
            let (_, trace) = traces::crash(&app);
            let texts: Vec<&str> = w.lines.iter().map(|l| l.text.as_str()).collect();
            assert!(
                texts.ends_with(&trace.iter().map(String::as_str).collect::<Vec<_>>()),
                "{app:?}"
            );
        }
    }
}
