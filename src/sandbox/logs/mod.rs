//! Synthetic container output for `kubectl logs`: what a container printed from
//! its start up to a given time, made up but believable (a banner naming the image
//! and version, configuration, then an access log; or a crash ending in a stack
//! trace; or a batch job's progress and "done").
//!
//! Output is a pure function of the pod, container, image and start time, hashed
//! with a fixed hash (never `RandomState`), so every process and every call agrees.
//! It is also stable as time passes: the lines up to time `t` are the same for any
//! later `until`, which is what lets a `follow` stream send only the new ones.
//! The pod controller asks [`crash_after`] and [`completes_after`] when a container
//! exits, and the logs end exactly there. This module knows nothing of pods or the
//! store; `server/logs.rs` picks the instance and `workload` the behaviour.

mod app;
mod completing;
mod crashing;
mod render;
mod rng;
mod serving;
mod startup;
mod traces;

use jiff::{SignedDuration, Timestamp};

use app::App;
use render::Writer;

/// Microseconds, the unit of time offsets inside this module.
const MILLI: i64 = 1_000;
const SECOND: i64 = 1_000_000;

/// One container instance whose output is wanted.
#[derive(Clone, Copy, Debug)]
pub struct LogSource<'a> {
    pub pod: &'a str,
    pub container: &'a str,
    pub image: &'a str,
    /// When this instance started; a restart is a new instance with new output.
    pub started: Timestamp,
    pub behaviour: Behaviour,
}

/// What the program in the container does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Starts and serves requests until stopped.
    Serving,
    /// Starts, fails and exits after [`crash_after`]; `restart` is the container's
    /// restart count, which the program notices as leftovers of its last run.
    Crashing { restart: u32 },
    /// Works through a batch and exits 0 after [`completes_after`].
    Completing,
}

/// One line of output and when it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub time: Timestamp,
    /// The line without its newline; never holds control characters other than
    /// tabs (stack frames), so it cannot drive a terminal.
    pub text: String,
}

/// Everything the instance printed from its start up to and including `until`,
/// oldest first. A crashing or completing instance prints nothing after its exit.
pub fn lines(source: &LogSource, until: Timestamp) -> Vec<LogLine> {
    lines_between(source, source.started, until)
}

/// The lines printed from `from` up to `until`, both included: exactly the lines of
/// [`lines`] in that window, without formatting the hours before it. Times strictly
/// increase, so a follower can ask for the lines after the last one it sent (`from`
/// = that time plus a nanosecond) and a day-old pod costs no more than a new one.
pub fn lines_between(source: &LogSource, from: Timestamp, until: Timestamp) -> Vec<LogLine> {
    let Some(limit) = micros_since(source.started, until) else {
        return Vec::new();
    };
    let start = micros_since(source.started, from).unwrap_or(0);
    let app = App::new(source.image, source.container);
    let seed = seed(source);
    let mut writer = Writer::new(&app, source.started);
    match source.behaviour {
        Behaviour::Serving => serving::write(&mut writer, seed, start, limit),
        Behaviour::Crashing { restart } => {
            let exit = on_whole_second(source.started, crashing::exit_at(seed));
            crashing::write(&mut writer, seed, restart, exit);
        }
        Behaviour::Completing => {
            let exit = on_whole_second(source.started, completing::exit_at(seed));
            completing::write(&mut writer, seed, exit);
        }
    }
    let mut lines = writer.lines;
    lines.retain(|line| from <= line.time && line.time <= until);
    lines
}

/// How long after its start a `Crashing` instance exits: two to six seconds, ending
/// on a whole second (see [`on_whole_second`]).
pub fn crash_after(source: &LogSource) -> SignedDuration {
    let exit = crashing::exit_at(seed(source));
    SignedDuration::from_micros(on_whole_second(source.started, exit))
}

/// How long after its start a `Completing` instance exits: five to ten seconds,
/// ending on a whole second.
pub fn completes_after(source: &LogSource) -> SignedDuration {
    let exit = completing::exit_at(seed(source));
    SignedDuration::from_micros(on_whole_second(source.started, exit))
}

/// Moves an exit `micros` after `started` forward (by under a second) so that it
/// falls on a whole second. Container times are kept to the second
/// (`finishedAt: 2026-11-23T10:00:04Z`), and the last lines (the stack trace) come
/// just before the exit: an exit between seconds would be recorded before them, and
/// `kubectl logs --previous` would cut the trace off.
fn on_whole_second(started: Timestamp, micros: i64) -> i64 {
    let fraction = started
        .as_microsecond()
        .saturating_add(micros)
        .rem_euclid(SECOND);
    if fraction == 0 {
        micros
    } else {
        micros + (SECOND - fraction)
    }
}

/// The instance's seed. The behaviour is left out: it follows from the image.
fn seed(source: &LogSource) -> u64 {
    let started = source.started.as_nanosecond().to_le_bytes();
    rng::hash(&[
        source.pod.as_bytes(),
        source.container.as_bytes(),
        source.image.as_bytes(),
        &started,
    ])
}

/// Microseconds from `start` to `until`; `None` before the start.
fn micros_since(start: Timestamp, until: Timestamp) -> Option<i64> {
    let micros = until.duration_since(start).as_micros();
    if micros < 0 {
        return None;
    }
    Some(i64::try_from(micros).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests;
