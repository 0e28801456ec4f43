//! A serving program: the start-up, then an endless access log, a request every
//! one to three seconds with the odd 404, 500 or slow request, and now and then a
//! background INFO/WARN line.
//!
//! Traffic is cut into one-minute slots, each drawn from its own seed, so a slot's
//! lines never depend on how far the log has been generated: the lines up to any
//! time are the same whatever later time a follower asks for.

use super::app::App;
use super::render::{Level, Request, Source, Writer};
use super::rng::Rng;
use super::{MILLI, SECOND, startup};

/// The length of one traffic slot.
const SLOT: i64 = 60 * SECOND;

/// Writes the start-up and the traffic slots that overlap `from..=until`
/// (microseconds after the start); the caller trims lines outside the window.
pub fn write(w: &mut Writer, seed: u64, from: i64, until: i64) {
    let mut rng = Rng::fork(seed, 1);
    let at = startup::begin(w, &mut rng, 0);
    let ready = startup::serve(w, &mut rng, at);
    let slot_of = |micros: i64| micros.saturating_sub(ready).max(0) / SLOT;
    // A slot's lines may run a few hundred microseconds past its end (a slow
    // request's warning), so the slot before the window is written too.
    for slot in (slot_of(from) - 1).max(0)..=slot_of(until) {
        let start = ready + slot * SLOT;
        traffic(w, seed, slot, start, start + SLOT);
    }
}

/// One slot's lines, strictly inside `start..end`.
fn traffic(w: &mut Writer, seed: u64, slot: i64, start: i64, end: i64) {
    let mut rng = Rng::fork(seed, 1000 + slot.unsigned_abs());
    let mut at = start;
    loop {
        at += rng.range(SECOND, 3 * SECOND) + rng.range(0, MILLI);
        if at >= end {
            return;
        }
        if rng.chance(30) {
            background(w, &mut rng, at);
        } else {
            request(w, &mut rng, at);
        }
    }
}

/// The routes of a website and of an API; repeats weight the draw.
const SITE_ROUTES: [(&str, &str); 10] = [
    ("GET", "/"),
    ("GET", "/"),
    ("GET", "/index.html"),
    ("GET", "/static/js/main.{build}.js"),
    ("GET", "/static/css/main.{build}.css"),
    ("GET", "/favicon.ico"),
    ("GET", "/robots.txt"),
    ("GET", "/healthz"),
    ("GET", "/healthz"),
    ("GET", "/healthz"),
];

const API_ROUTES: [(&str, &str); 14] = [
    ("GET", "/api/v1/{resource}"),
    ("GET", "/api/v1/{resource}"),
    ("GET", "/api/v1/{resource}?page={page}"),
    ("GET", "/api/v1/{resource}/{id}"),
    ("GET", "/api/v1/{resource}/{id}"),
    ("GET", "/api/v1/{resource}/{id}"),
    ("POST", "/api/v1/{resource}"),
    ("POST", "/api/v1/{resource}"),
    ("PUT", "/api/v1/{resource}/{id}"),
    ("DELETE", "/api/v1/{resource}/{id}"),
    ("GET", "/healthz"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
];

/// Why a request failed with a 500, for an API and for a website.
const API_FAILURES: [&str; 4] = [
    "context deadline exceeded",
    "upstream connect error: connection reset by peer",
    "database query timed out after 5s",
    "unexpected EOF",
];

const SITE_FAILURES: [&str; 2] = [
    "upstream connect error: connection reset by peer",
    "context deadline exceeded",
];

fn request(w: &mut Writer, rng: &mut Rng, at: i64) {
    let app = w.app;
    let (method, template) = if app.website {
        *rng.pick(&SITE_ROUTES)
    } else {
        *rng.pick(&API_ROUTES)
    };
    let path = fill(template, app, rng);
    let probe = matches!(template, "/healthz" | "/readyz" | "/metrics");
    let draw = rng.range(0, 1000);
    let status = match (probe, draw, method) {
        (true, _, _) => 200,
        (false, 0..15, _) => 500,
        (false, 15..70, "POST" | "PUT") => 400,
        (false, 15..70, _) => 404,
        (false, _, "POST") => 201,
        (false, _, "DELETE") => 204,
        (false, _, _) => 200,
    };
    let slow = !probe && rng.chance(40);
    let millis = match (probe, slow) {
        (true, _) => rng.range(0, 3),
        (false, true) => rng.range(800, 2600),
        (false, false) => rng.range(2, 20) + rng.range(0, 45),
    };
    let request = Request {
        method,
        id: rng.hex(16),
        path,
        status,
        millis,
        worker: u8::try_from(rng.range(1, 11)).unwrap_or(1),
    };
    if status == 500 {
        let failure = if app.website {
            *rng.pick(&SITE_FAILURES)
        } else {
            *rng.pick(&API_FAILURES)
        };
        w.log(
            at - MILLI,
            Level::Error,
            Source::Request(request.worker),
            "request failed",
            &[("request_id", &request.id), ("error", failure)],
        );
    }
    w.access(at, &request);
    if slow {
        let millis = millis.to_string();
        w.log(
            at + 200,
            Level::Warn,
            Source::Request(request.worker),
            "slow request",
            &[
                ("path", &request.path),
                ("duration_ms", &millis),
                ("threshold_ms", "500"),
            ],
        );
    }
}

/// A route template with its placeholders drawn.
fn fill(template: &str, app: &App, rng: &mut Rng) -> String {
    let build = format!("{:08x}", app.build & 0xffff_ffff);
    template
        .replace("{resource}", &app.resource)
        .replace("{build}", &build)
        .replace("{id}", &rng.range(1, 100_000).to_string())
        .replace("{page}", &rng.range(2, 12).to_string())
}

fn background(w: &mut Writer, rng: &mut Rng, at: i64) {
    let app = w.app;
    match rng.range(0, 4) {
        0 => {
            let entries = rng.range(100, 5000).to_string();
            let message = format!("{} cache refreshed", app.resource);
            w.log(
                at,
                Level::Info,
                Source::Worker,
                &message,
                &[("entries", &entries)],
            );
        }
        1 => {
            let open = rng.range(2, 10);
            let idle = rng.range(0, open).to_string();
            let open = open.to_string();
            w.log(
                at,
                Level::Info,
                Source::Database,
                "connection pool stats",
                &[("open", &open), ("idle", &idle)],
            );
        }
        2 => {
            let delay = rng.range(100, 900).to_string();
            w.log(
                at,
                Level::Warn,
                Source::Worker,
                "retrying upstream call",
                &[
                    ("attempt", "2"),
                    ("delay_ms", &delay),
                    ("upstream", "auth:8080"),
                ],
            );
        }
        _ => {
            let millis = rng.range(300, 1500).to_string();
            let table = app.resource.clone();
            w.log(
                at,
                Level::Warn,
                Source::Database,
                "slow query",
                &[("table", &table), ("duration_ms", &millis)],
            );
        }
    }
}
