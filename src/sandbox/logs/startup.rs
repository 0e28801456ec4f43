//! What every instance prints first, whatever it goes on to do: the runtime's
//! banner, the program's "starting <name> <version>" line naming the image, and
//! its configuration. Serving, crashing and completing programs all begin here,
//! so a crash-looping pod's logs start like a healthy one's.

use super::app::{App, Flavour};
use super::render::{Level, Source, Writer};
use super::rng::Rng;
use super::{MILLI, SECOND};

const SPRING_BANNER: [&str; 10] = [
    "",
    "  .   ____          _            __ _ _",
    " /\\\\ / ___'_ __ _ _(_)_ __  __ _ \\ \\ \\ \\",
    "( ( )\\___ | '_ | '_| | '_ \\/ _` | \\ \\ \\ \\",
    " \\\\/  ___)| |_)| | | | | || (_| |  ) ) ) )",
    "  '  |____| .__|_| |_|_| |_\\__, | / / / /",
    " =========|_|==============|___/=/_/_/_/",
    "",
    " :: Spring Boot ::                (v3.3.5)",
    "",
];

/// The runtime version a build was made with, the same for every restart.
fn runtime(app: &App) -> String {
    match app.flavour {
        Flavour::Go => format!(
            "go1.{}.{}",
            app.build_number(10, 22, 24),
            app.build_number(11, 0, 9)
        ),
        Flavour::Java => format!("21.0.{}", app.build_number(10, 3, 6)),
        Flavour::Python => format!("3.12.{}", app.build_number(10, 3, 8)),
    }
}

/// The database the program uses, `orders-db:5432`.
pub fn database(app: &App) -> String {
    format!("{}-db:5432", app.resource)
}

/// Writes the banner and configuration lines from about `at`; returns the time
/// after the last of them.
pub fn begin(w: &mut Writer, rng: &mut Rng, at: i64) -> i64 {
    let app = w.app;
    let mut at = at + rng.range(3 * MILLI, 40 * MILLI);
    let version = app.version.clone();
    let image = app.image.clone();
    match app.flavour {
        Flavour::Go => {
            let go = runtime(app);
            w.log(
                at,
                Level::Info,
                Source::Main,
                &format!("starting {}", app.name),
                &[("version", &version), ("image", &image), ("go", &go)],
            );
            at += rng.range(MILLI, 15 * MILLI);
            w.log(
                at,
                Level::Info,
                Source::Config,
                "configuration loaded",
                &[
                    ("env", "production"),
                    ("log_level", "info"),
                    ("source", "env"),
                ],
            );
        }
        Flavour::Java => {
            // The JVM takes a moment before Spring prints anything.
            at += rng.range(400 * MILLI, 900 * MILLI);
            for line in SPRING_BANNER {
                w.raw(at, line);
                at += rng.range(10, 60);
            }
            at += rng.range(30 * MILLI, 120 * MILLI);
            let message = format!(
                "Starting {} v{version} using Java {} with PID 1 (/app/app.jar started by app in /app)",
                app.main_class(),
                runtime(app)
            );
            w.log(
                at,
                Level::Info,
                Source::Main,
                &message,
                &[("image", &image)],
            );
            at += rng.range(2 * MILLI, 10 * MILLI);
            w.log(
                at,
                Level::Info,
                Source::Main,
                "The following 1 profile is active: \"production\"",
                &[],
            );
        }
        Flavour::Python => {
            let python = runtime(app);
            w.log(
                at,
                Level::Info,
                Source::Main,
                &format!("starting {} {version}", app.name),
                &[("image", &image), ("python", &python)],
            );
            at += rng.range(5 * MILLI, 30 * MILLI);
            w.log(
                at,
                Level::Info,
                Source::Config,
                "settings loaded",
                &[("env", "production"), ("log_level", "INFO")],
            );
        }
    }
    at + rng.range(5 * MILLI, 60 * MILLI)
}

/// The lines of a successful start, from the database through "listening on
/// :8080"; returns the time the program is ready.
pub fn serve(w: &mut Writer, rng: &mut Rng, at: i64) -> i64 {
    let app = w.app;
    let mut at = at;
    let database = database(app);
    match app.flavour {
        Flavour::Go => {
            if app.website {
                let files = rng.range(40, 400).to_string();
                w.log(
                    at,
                    Level::Info,
                    Source::Http,
                    "serving static files",
                    &[("dir", "/srv/www"), ("files", &files)],
                );
            } else {
                at += rng.range(20 * MILLI, 300 * MILLI);
                w.log(
                    at,
                    Level::Info,
                    Source::Database,
                    "connected to database",
                    &[("host", &database), ("pool_size", "10")],
                );
            }
            at += rng.range(MILLI, 10 * MILLI);
            w.log(
                at,
                Level::Info,
                Source::Http,
                "metrics enabled",
                &[("addr", ":9090"), ("path", "/metrics")],
            );
            at += rng.range(MILLI, 5 * MILLI);
            w.log(at, Level::Info, Source::Http, "listening on :8080", &[]);
        }
        Flavour::Java => {
            at += rng.range(300 * MILLI, 700 * MILLI);
            w.log(
                at,
                Level::Info,
                Source::Http,
                "Tomcat initialized with port 8080 (http)",
                &[],
            );
            if !app.website {
                at += rng.range(200 * MILLI, 600 * MILLI);
                w.log(
                    at,
                    Level::Info,
                    Source::Database,
                    "HikariPool-1 - Starting...",
                    &[],
                );
                at += rng.range(50 * MILLI, 300 * MILLI);
                let connection = format!(
                    "HikariPool-1 - Added connection org.postgresql.jdbc.PgConnection@{}",
                    rng.hex(8)
                );
                w.log(at, Level::Info, Source::Database, &connection, &[]);
                at += rng.range(MILLI, 5 * MILLI);
                w.log(
                    at,
                    Level::Info,
                    Source::Database,
                    "HikariPool-1 - Start completed.",
                    &[],
                );
            }
            at += rng.range(400 * MILLI, 1200 * MILLI);
            w.log(
                at,
                Level::Info,
                Source::Http,
                "Tomcat started on port 8080 (http) with context path '/'",
                &[],
            );
            at += rng.range(5 * MILLI, 30 * MILLI);
            let seconds = at as f64 / SECOND as f64;
            let started = format!(
                "Started {} in {:.3} seconds (process running for {:.3})",
                app.main_class(),
                seconds * 0.85,
                seconds
            );
            w.log(at, Level::Info, Source::Main, &started, &[]);
            at += rng.range(MILLI, 5 * MILLI);
            w.log(at, Level::Info, Source::Main, "listening on :8080", &[]);
        }
        Flavour::Python => {
            if !app.website {
                at += rng.range(30 * MILLI, 250 * MILLI);
                w.log(
                    at,
                    Level::Info,
                    Source::Database,
                    "connected to postgresql",
                    &[("host", &database), ("pool_size", "5")],
                );
            }
            at += rng.range(10 * MILLI, 40 * MILLI);
            w.log(
                at,
                Level::Info,
                Source::Http,
                "Started server process [1]",
                &[],
            );
            at += rng.range(MILLI, 3 * MILLI);
            w.log(
                at,
                Level::Info,
                Source::Http,
                "Waiting for application startup.",
                &[],
            );
            at += rng.range(5 * MILLI, 80 * MILLI);
            w.log(
                at,
                Level::Info,
                Source::Http,
                "Application startup complete.",
                &[],
            );
            at += rng.range(MILLI, 3 * MILLI);
            w.log(at, Level::Info, Source::Main, "listening on :8080", &[]);
        }
    }
    at
}
