//! How each flavour of program writes a log record: Go's `slog` text handler,
//! Spring Boot's console pattern, Python's `logging` with a common format. The
//! record's own timestamp is the line's time to the millisecond, as a real
//! program's clock and the runtime's capture of its output would agree.

use jiff::tz::Offset;
use jiff::{SignedDuration, Timestamp};

use super::LogLine;
use super::app::{App, Flavour};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

/// The part of the program a record comes from: its Java logger and thread, its
/// Python logger name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Main,
    Config,
    Database,
    Http,
    /// A request handler; the number picks the worker thread.
    Request(u8),
    Worker,
    /// Spring's own startup code (`SpringApplication`).
    Framework,
}

/// One HTTP request as the access log records it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: &'static str,
    pub path: String,
    pub status: u16,
    pub millis: i64,
    pub id: String,
    pub worker: u8,
}

/// Collects the lines of one container instance, in order.
pub struct Writer<'a> {
    pub app: &'a App,
    started: Timestamp,
    pub lines: Vec<LogLine>,
}

impl<'a> Writer<'a> {
    pub fn new(app: &'a App, started: Timestamp) -> Self {
        Self {
            app,
            started,
            lines: Vec::new(),
        }
    }

    /// A line written verbatim (stack trace lines, a runtime's own output) `at`
    /// microseconds after the start.
    pub fn raw(&mut self, at: i64, text: impl Into<String>) {
        if let Ok(time) = self.started.checked_add(SignedDuration::from_micros(at)) {
            self.lines.push(LogLine {
                time,
                text: text.into(),
            });
        }
    }

    /// A log record with `key=value` fields after the message.
    pub fn log(
        &mut self,
        at: i64,
        level: Level,
        source: Source,
        message: &str,
        fields: &[(&str, &str)],
    ) {
        let Ok(time) = self.started.checked_add(SignedDuration::from_micros(at)) else {
            return;
        };
        let text = match self.app.flavour {
            Flavour::Go => {
                let mut text = format!(
                    "time={} level={} msg={}",
                    iso_millis(time),
                    go_level(level),
                    logfmt(message)
                );
                for (key, value) in fields {
                    text.push_str(&format!(" {key}={}", logfmt(value)));
                }
                text
            }
            Flavour::Java => format!(
                "{} {:>5} 1 --- [{}] [{:>15}] {:<40} : {message}{}",
                iso_millis(time),
                java_level(level),
                self.app.name,
                java_thread(source),
                abbreviate(&java_logger(self.app, source), 39),
                suffix(fields),
            ),
            Flavour::Python => format!(
                "{} {} [{}] {message}{}",
                python_time(time),
                python_level(level),
                python_logger(self.app, source),
                suffix(fields),
            ),
        };
        self.lines.push(LogLine { time, text });
    }

    /// An access-log record.
    pub fn access(&mut self, at: i64, request: &Request) {
        let status = request.status.to_string();
        let millis = request.millis.to_string();
        let level = if request.status >= 500 {
            Level::Error
        } else {
            Level::Info
        };
        match self.app.flavour {
            Flavour::Go => self.log(
                at,
                level,
                Source::Request(request.worker),
                "request",
                &[
                    ("method", request.method),
                    ("path", &request.path),
                    ("status", &status),
                    ("duration_ms", &millis),
                    ("request_id", &request.id),
                ],
            ),
            Flavour::Java | Flavour::Python => {
                let key = if self.app.flavour == Flavour::Java {
                    "requestId"
                } else {
                    "request_id"
                };
                let message = format!("{} {} {status} {millis}ms", request.method, request.path);
                self.log(
                    at,
                    level,
                    Source::Request(request.worker),
                    &message,
                    &[(key, &request.id)],
                );
            }
        }
    }
}

/// ` key=value` pairs for the formats whose messages are free text.
fn suffix(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(key, value)| format!(" {key}={}", logfmt(value)))
        .collect()
}

/// slog's quoting: bare unless empty or holding spaces, quotes, `=` or controls.
fn logfmt(value: &str) -> String {
    let plain = !value.is_empty()
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '=' || c.is_control());
    if plain {
        return value.to_owned();
    }
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

fn go_level(level: Level) -> &'static str {
    match level {
        Level::Info => "INFO",
        Level::Warn => "WARN",
        Level::Error => "ERROR",
    }
}

fn java_level(level: Level) -> &'static str {
    go_level(level)
}

fn python_level(level: Level) -> &'static str {
    match level {
        Level::Warn => "WARNING",
        other => go_level(other),
    }
}

fn java_thread(source: Source) -> String {
    match source {
        // `%15.15t` keeps the last fifteen characters of `http-nio-8080-exec-N`.
        Source::Request(worker) => {
            let name = format!("http-nio-8080-exec-{worker}");
            name[name.len().saturating_sub(15)..].to_owned()
        }
        Source::Worker => "scheduling-1".to_owned(),
        _ => "main".to_owned(),
    }
}

fn java_logger(app: &App, source: Source) -> String {
    let base = format!("com.{}.{}", app.org.replace(['-', '.'], "_"), app.package());
    match source {
        Source::Main => format!("{base}.{}", app.main_class()),
        Source::Config => format!("{base}.config.AppProperties"),
        Source::Database => "com.zaxxer.hikari.HikariDataSource".to_owned(),
        Source::Http => "org.springframework.boot.web.embedded.tomcat.TomcatWebServer".to_owned(),
        Source::Request(_) => format!("{base}.web.RequestLoggingFilter"),
        Source::Worker => format!("{base}.jobs.BatchRunner"),
        Source::Framework => "org.springframework.boot.SpringApplication".to_owned(),
    }
}

fn python_logger(app: &App, source: Source) -> String {
    let package = app.package();
    match source {
        Source::Main | Source::Framework => format!("{package}.main"),
        Source::Config => format!("{package}.settings"),
        Source::Database => format!("{package}.db"),
        Source::Http => "uvicorn.error".to_owned(),
        Source::Request(_) => format!("{package}.access"),
        Source::Worker => format!("{package}.worker"),
    }
}

/// Logback's `%logger{N}`: shorten package segments to their first letter, left
/// to right, until the name fits; the class name itself is never shortened.
pub fn abbreviate(logger: &str, target: usize) -> String {
    let mut segments: Vec<String> = logger.split('.').map(str::to_owned).collect();
    let length = |segments: &[String]| {
        segments.iter().map(String::len).sum::<usize>() + segments.len().saturating_sub(1)
    };
    let packages = segments.len().saturating_sub(1);
    for index in 0..packages {
        if length(&segments) <= target {
            break;
        }
        if let Some(first) = segments[index].chars().next() {
            segments[index] = first.to_string();
        }
    }
    segments.join(".")
}

/// `2026-11-23T10:00:00.012Z`: slog's and Spring Boot's timestamps.
pub fn iso_millis(time: Timestamp) -> String {
    let t = Offset::UTC.to_datetime(time);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.subsec_nanosecond() / 1_000_000
    )
}

/// `2026-11-23 10:00:00,012`: Python's `asctime`.
fn python_time(time: Timestamp) -> String {
    let t = Offset::UTC.to_datetime(time);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02},{:03}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.subsec_nanosecond() / 1_000_000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loggers_abbreviate_as_logback_does() {
        assert_eq!(
            abbreviate("com.acme.orders.OrdersApplication", 39),
            "com.acme.orders.OrdersApplication"
        );
        assert_eq!(
            abbreviate(
                "org.springframework.boot.web.embedded.tomcat.TomcatWebServer",
                39
            ),
            "o.s.b.w.embedded.tomcat.TomcatWebServer"
        );
        assert_eq!(
            abbreviate("a.VeryLongClassNameThatCannotBeShortenedAnyFurther", 10),
            "a.VeryLongClassNameThatCannotBeShortenedAnyFurther"
        );
    }

    #[test]
    fn logfmt_quotes_only_when_needed() {
        assert_eq!(logfmt("plain"), "plain");
        assert_eq!(logfmt("two words"), "\"two words\"");
        assert_eq!(logfmt(""), "\"\"");
        assert_eq!(logfmt("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
    }

    #[test]
    fn timestamps_carry_milliseconds() {
        let time: Timestamp = "2026-11-23T10:00:03.012345Z".parse().unwrap();
        assert_eq!(iso_millis(time), "2026-11-23T10:00:03.012Z");
        assert_eq!(python_time(time), "2026-11-23 10:00:03,012");
    }
}
