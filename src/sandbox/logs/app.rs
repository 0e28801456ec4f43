//! Who is logging: an application profile read off the image reference (name,
//! version, organisation) plus the traits drawn from its hash (language and so log
//! format, the routes it serves, the bug it crashes on). Everything here depends on
//! the image and container only, so every restart of the same container shows the
//! same program: the same banner, the same crash, the same stack trace.

use super::rng::{Rng, hash};

/// The language the program is written in, which decides its log format and the
/// shape of its stack traces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// Go with `log/slog`'s text handler; panics print goroutine traces.
    Go,
    /// Spring Boot's console pattern; exceptions print `at ...` frames.
    Java,
    /// Python's `logging`; exceptions print a Traceback.
    Python,
}

/// The bug a crashing build dies of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The database refuses connections.
    DatabaseDown,
    /// A required setting is missing.
    MissingSetting,
    /// A nil / null / None dereference while loading configuration.
    NilConfig,
}

#[derive(Clone, Debug)]
pub struct App {
    /// The program's short name: the image's last path segment (`orders`).
    pub name: String,
    /// The organisation: the image path segment before the name, else `example`.
    pub org: String,
    /// The tag (`2.1.0`), `latest` when there is none.
    pub version: String,
    /// The image reference as given.
    pub image: String,
    pub flavour: Flavour,
    pub cause: Cause,
    /// What the routes are about (`/api/v1/<resource>`).
    pub resource: String,
    /// Whether it serves a web front end (static files) rather than an API.
    pub website: bool,
    /// A seed for details that belong to the build (line numbers in traces).
    pub build: u64,
}

impl App {
    pub fn new(image: &str, container: &str) -> Self {
        let image = clean(image);
        let without_digest = image.split('@').next().unwrap_or_default();
        let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
        let (repository, version) = match without_digest[last_slash..].rfind(':') {
            Some(i) => (
                &without_digest[..last_slash + i],
                &without_digest[last_slash + i + 1..],
            ),
            None => (without_digest, "latest"),
        };
        let mut segments = repository.rsplit('/');
        let name = identifier(segments.next().unwrap_or_default(), container);
        let org = segments
            .next()
            .filter(|s| !s.contains('.') && !s.contains(':') && *s != "library")
            .map_or_else(|| "example".to_owned(), |s| identifier(s, "example"));
        let build = hash(&[
            repository.as_bytes(),
            version.as_bytes(),
            container.as_bytes(),
        ]);
        let mut traits = Rng::fork(build, 1);
        let flavour = *traits.pick(&[Flavour::Go, Flavour::Java, Flavour::Python]);
        let cause = *traits.pick(&[Cause::DatabaseDown, Cause::MissingSetting, Cause::NilConfig]);
        let website = [
            "web", "www", "site", "frontend", "ui", "nginx", "httpd", "static",
        ]
        .iter()
        .any(|word| name.split(['-', '_', '.']).any(|part| part == *word));
        let generic = [
            "api", "app", "backend", "server", "service", "svc", "hello", "demo",
        ];
        let resource = match name
            .split(['-', '_', '.'])
            .find(|part| !generic.contains(part))
        {
            Some(part) if !part.is_empty() => part.to_owned(),
            _ => "items".to_owned(),
        };
        Self {
            name,
            org,
            version: if version.is_empty() {
                "latest".to_owned()
            } else {
                clean(version)
            },
            image,
            flavour,
            cause,
            resource,
            website,
            build,
        }
    }

    /// The Java main class, `OrdersApplication`.
    pub fn main_class(&self) -> String {
        let mut class: String = self
            .name
            .split(['-', '_', '.'])
            .map(|part| {
                let mut chars = part.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_ascii_uppercase().to_string() + chars.as_str()
                })
            })
            .collect();
        if class.starts_with(|c: char| c.is_ascii_digit()) || class.is_empty() {
            class.insert(0, 'X');
        }
        class + "Application"
    }

    /// The Java/Python package, `com.acme.orders` or `orders`.
    pub fn package(&self) -> String {
        self.name.replace(['-', '.'], "_")
    }

    /// A number for the build, stable across restarts: `salt` picks which.
    pub fn build_number(&self, salt: u64, low: i64, high: i64) -> i64 {
        Rng::fork(self.build, salt).range(low, high)
    }
}

/// Text from the pod spec made safe to print: control characters (escape
/// sequences, newlines) become `?`, so no log line can drive a terminal or split
/// in two.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// A lower-case identifier (`a-z0-9-_.`) from an image segment, or `fallback`.
fn identifier(text: &str, fallback: &str) -> String {
    let id: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect::<String>()
        .to_ascii_lowercase();
    if id.is_empty() {
        let fallback = clean(fallback);
        if fallback.is_empty() {
            "app".to_owned()
        } else {
            fallback
        }
    } else {
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_name_org_and_version_from_the_image() {
        let app = App::new("ghcr.io/acme/orders-api:2.1.0", "main");
        assert_eq!(
            (app.name.as_str(), app.org.as_str(), app.version.as_str()),
            ("orders-api", "acme", "2.1.0")
        );
        assert_eq!(app.resource, "orders");
        assert_eq!(app.main_class(), "OrdersApiApplication");
        assert!(!app.website);

        let app = App::new("nginx", "web");
        assert_eq!(
            (app.name.as_str(), app.org.as_str(), app.version.as_str()),
            ("nginx", "example", "latest")
        );
        assert!(app.website);

        let app = App::new("localhost:5000/team/api:1@sha256:abc", "c");
        assert_eq!(
            (
                app.name.as_str(),
                app.org.as_str(),
                app.version.as_str(),
                app.resource.as_str()
            ),
            ("api", "team", "1", "items")
        );
        let app = App::new("docker.io/library/redis:7", "c");
        assert_eq!(app.org, "example");
    }

    #[test]
    fn control_characters_never_survive() {
        let app = App::new("evil\u{1b}[31m/x\n:1\u{7}", "c\u{1b}");
        assert!(!app.image.chars().any(char::is_control));
        assert!(!app.version.chars().any(char::is_control));
        assert!(!app.name.chars().any(char::is_control));
        assert_eq!(App::new("", "").name, "app");
    }

    #[test]
    fn traits_depend_on_the_build_only() {
        let a = App::new("ghcr.io/acme/orders:2.1.0", "main");
        let b = App::new("ghcr.io/acme/orders:2.1.0", "main");
        assert_eq!((a.flavour, a.cause, a.build), (b.flavour, b.cause, b.build));
        let flavours: std::collections::HashSet<_> = (0..30)
            .map(|i| {
                format!(
                    "{:?}",
                    App::new(&format!("ghcr.io/acme/app{i}:1"), "main").flavour
                )
            })
            .collect();
        assert_eq!(flavours.len(), 3, "every flavour is reachable");
    }
}
