//! The pull policy the API server infers from a container image reference.
//!
//! `SetDefaults_Container` parses the image with the Docker reference grammar
//! (`ParseNormalizedNamed`) and picks `Always` only when the tag is `latest` or the
//! reference has neither tag nor digest; anything it cannot parse gets
//! `IfNotPresent`. Only that decision lives here: nothing else in the sandbox needs
//! to understand image names, so this is not a general reference parser.

/// `Always` or `IfNotPresent`, as Kubernetes 1.32 defaults `imagePullPolicy`.
pub(super) fn pull_policy(image: &str) -> &'static str {
    match parse(image) {
        Some(reference) if reference.floats() => "Always",
        _ => "IfNotPresent",
    }
}

/// The parts of `name[:tag][@digest]` the policy depends on.
struct Reference<'a> {
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

impl Reference<'_> {
    /// Whether the image can change under the same reference.
    fn floats(&self) -> bool {
        match (self.tag, self.digest) {
            (Some(tag), _) => tag == "latest",
            (None, digest) => digest.is_none(),
        }
    }
}

const NAME_MAX: usize = 255;
const TAG_MAX: usize = 128;

fn parse(image: &str) -> Option<Reference<'_>> {
    if is_identifier(image) {
        return None;
    }
    let (name_and_tag, digest) = match image.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (image, None),
    };
    if digest.is_some_and(|d| !valid_digest(d)) {
        return None;
    }
    // A ':' before the last '/' belongs to a registry port, not a tag.
    let last_part = name_and_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_and_tag[last_part..].rfind(':') {
        Some(i) => (
            &name_and_tag[..last_part + i],
            Some(&name_and_tag[last_part + i + 1..]),
        ),
        None => (name_and_tag, None),
    };
    if tag.is_some_and(|t| !valid_tag(t)) || !valid_name(name) {
        return None;
    }
    Some(Reference { tag, digest })
}

/// Docker refuses a bare 64-hex string as a name: it is an image ID.
fn is_identifier(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn valid_name(name: &str) -> bool {
    if name.is_empty() || name.len() > NAME_MAX {
        return false;
    }
    // The first part is a registry if it looks like a host or has upper case.
    let (domain, path) = match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.to_lowercase() != first =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    };
    domain.is_none_or(valid_domain)
        && !is_identifier(path)
        && path.split('/').all(valid_path_component)
}

/// `host[:port]`, host being dotted DNS labels or a bracketed IPv6 address.
fn valid_domain(domain: &str) -> bool {
    let (host, port) = match domain.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && !host.ends_with(':') => (host, Some(port)),
        _ => (domain, None),
    };
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(ipv6) => !ipv6.is_empty() && ipv6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':'),
        None => host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }),
    };
    host_ok && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `[a-z0-9]+` runs joined by `.`, `_`, `__` or any number of `-`.
fn valid_path_component(component: &str) -> bool {
    let alphanumeric = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = component.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if !alphanumeric(first) || !alphanumeric(last) {
        return false;
    }
    component
        .split(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        .filter(|separator| !separator.is_empty())
        .all(|separator| {
            matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-')
        })
}

/// `[\w][\w.-]{0,127}`.
fn valid_tag(tag: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut bytes = tag.bytes();
    tag.len() <= TAG_MAX
        && bytes.next().is_some_and(word)
        && bytes.all(|b| word(b) || b == b'.' || b == b'-')
}

/// A digest of an algorithm Docker knows, with its exact lower-case hex length.
fn valid_digest(digest: &str) -> bool {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    let length = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return false,
    };
    hex.len() == length
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::pull_policy;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn floating_references_are_always_pulled() {
        for image in [
            "nginx",
            "nginx:latest",
            "library/nginx",
            "docker.io/library/nginx",
            "localhost:5000/team/app",
            "registry.example.com:5000/team/app:latest",
            "gcr.io/my-project/my_app__x",
            "a-b--c/d.e",
            "Registry.Example.com/app",
            &format!("nginx:latest@{DIGEST}"),
        ] {
            assert_eq!(pull_policy(image), "Always", "{image}");
        }
    }

    #[test]
    fn pinned_and_unparseable_references_are_pulled_if_not_present() {
        for image in [
            "nginx:1.27",
            "localhost:5000/team/app:v2",
            "localhost:5000",
            &format!("nginx@{DIGEST}"),
            &format!("nginx:1.27@{DIGEST}"),
            "nginx@sha256:short",
            "nginx@md5:0123456789abcdef0123456789abcdef",
            "",
            "Nginx",
            "nginx:",
            "nginx:-bad",
            "team//app",
            "team/app-",
            "team/-app",
            "a...b",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(pull_policy(image), "IfNotPresent", "{image:?}");
        }
    }
}
