//! What a container image does in the sandbox, chosen by its name so that demos and
//! tests can pick a failure: a tag containing `crash` crash-loops (its logs end in a
//! stack trace), an image from a registry the sandbox does not know (or a tag
//! containing `missing`) never pulls, everything else runs.

use serde_json::Value;

use super::logs::Behaviour;

/// The registries whose images "exist".
const KNOWN_REGISTRIES: &[&str] = &[
    "docker.io",
    "registry.k8s.io",
    "ghcr.io",
    "quay.io",
    "gcr.io",
    "public.ecr.aws",
    "mcr.microsoft.com",
    "registry.gitlab.com",
    "localhost",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Runs,
    Crashes,
    PullFails,
}

pub fn image_fate(image: &str) -> Fate {
    let (name, tag) = split_image(image);
    let registry = name
        .split_once('/')
        .map(|(first, _)| first)
        .filter(|first| first.contains('.') || first.contains(':') || *first == "localhost");
    let registry_known = registry.is_none_or(|r| {
        let host = r.split(':').next().unwrap_or(r);
        KNOWN_REGISTRIES.contains(&host)
    });
    if !registry_known || tag.contains("missing") {
        Fate::PullFails
    } else if tag.contains("crash") {
        Fate::Crashes
    } else {
        Fate::Runs
    }
}

/// `registry/name:tag@digest` → (`registry/name`, `tag`); no tag → `latest`.
fn split_image(image: &str) -> (&str, &str) {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    match without_digest[last_slash..].rfind(':') {
        Some(i) => (
            &without_digest[..last_slash + i],
            &without_digest[last_slash + i + 1..],
        ),
        None => (without_digest, "latest"),
    }
}

/// How a pod's container behaves for its logs: Job pods complete, crashing images
/// crash on every restart, the rest serve.
pub fn behaviour(pod: &Value, image: &str, restarts: u32) -> Behaviour {
    let owned_by_job = pod
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| {
            refs.iter()
                .any(|r| r.get("kind").and_then(Value::as_str) == Some("Job"))
        });
    match image_fate(image) {
        Fate::Crashes => Behaviour::Crashing { restart: restarts },
        _ if owned_by_job => Behaviour::Completing,
        _ => Behaviour::Serving,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fates_follow_image_names() {
        assert_eq!(image_fate("nginx:1.27"), Fate::Runs);
        assert_eq!(image_fate("ghcr.io/acme/api:2.1.0"), Fate::Runs);
        assert_eq!(image_fate("ghcr.io/acme/api:2.2.0-crash"), Fate::Crashes);
        assert_eq!(
            image_fate("registry.example.invalid/api:1"),
            Fate::PullFails
        );
        assert_eq!(image_fate("nginx:missing"), Fate::PullFails);
        assert_eq!(image_fate("localhost:5000/api"), Fate::Runs);
        assert_eq!(split_image("a/b:1@sha256:x"), ("a/b", "1"));
        assert_eq!(
            split_image("localhost:5000/api"),
            ("localhost:5000/api", "latest")
        );
    }
}
