//! URL paths and query strings of the Kubernetes REST API, parsed into typed
//! requests. Nothing here knows which resources exist; the handlers look them up.

use std::collections::HashMap;

/// What a path addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Version,
    Health,
    /// `/api`: the core group's versions.
    CoreVersions,
    /// `/apis`: every named group.
    Groups,
    /// `/apis/{group}`.
    Group(String),
    /// `/api/v1`, `/apis/{group}/{version}`: the resources of a group version.
    Resources {
        group: String,
        version: String,
    },
    /// Anything under a group version that names a resource.
    Object(ObjectPath),
    /// `/openapi/v3[/{group version path}]`.
    OpenApi(String),
    Unknown,
}

/// `/apis/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectPath {
    pub group: String,
    pub version: String,
    pub namespace: Option<String>,
    pub plural: String,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

pub fn parse(path: &str) -> Route {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["version"] => Route::Version,
        ["healthz" | "readyz" | "livez", ..] => Route::Health,
        ["openapi", "v3", rest @ ..] => Route::OpenApi(rest.join("/")),
        ["api"] => Route::CoreVersions,
        ["api", version, rest @ ..] => under_version("", version, rest),
        ["apis"] => Route::Groups,
        ["apis", group] => Route::Group((*group).to_owned()),
        ["apis", group, version, rest @ ..] => under_version(group, version, rest),
        _ => Route::Unknown,
    }
}

fn under_version(group: &str, version: &str, rest: &[&str]) -> Route {
    let object = |namespace: Option<&str>, plural: &str, tail: &[&str]| {
        if tail.len() > 2 {
            return Route::Unknown;
        }
        Route::Object(ObjectPath {
            group: group.to_owned(),
            version: version.to_owned(),
            namespace: namespace.map(str::to_owned),
            plural: plural.to_owned(),
            name: tail.first().map(|s| (*s).to_owned()),
            subresource: tail.get(1).map(|s| (*s).to_owned()),
        })
    };
    match rest {
        [] => Route::Resources {
            group: group.to_owned(),
            version: version.to_owned(),
        },
        ["namespaces", namespace, plural, tail @ ..]
            if !matches!(*plural, "status" | "finalize") =>
        {
            object(Some(namespace), plural, tail)
        }
        [plural, tail @ ..] => object(None, plural, tail),
    }
}

/// The query string, decoded.
#[derive(Clone, Debug, Default)]
pub struct Query {
    params: HashMap<String, String>,
}

impl Query {
    pub fn parse(query: Option<&str>) -> Self {
        let params = query
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        Self { params }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some("true" | "1"))
    }

    pub fn number(&self, name: &str) -> Result<Option<i64>, String> {
        self.get(name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| format!("{name}: invalid number {v:?}"))
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(path: &str) -> ObjectPath {
        match parse(path) {
            Route::Object(o) => o,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn paths_parse_into_routes() {
        assert_eq!(parse("/version"), Route::Version);
        assert_eq!(parse("/api"), Route::CoreVersions);
        assert_eq!(
            parse("/api/v1"),
            Route::Resources {
                group: String::new(),
                version: "v1".into()
            }
        );
        assert_eq!(parse("/apis/apps"), Route::Group("apps".into()));
        let pods = object("/api/v1/namespaces/web/pods/p1/log");
        assert_eq!(pods.namespace.as_deref(), Some("web"));
        assert_eq!(pods.plural, "pods");
        assert_eq!(pods.name.as_deref(), Some("p1"));
        assert_eq!(pods.subresource.as_deref(), Some("log"));
        let ns = object("/api/v1/namespaces/web");
        assert_eq!(
            (ns.plural.as_str(), ns.name.as_deref()),
            ("namespaces", Some("web"))
        );
        let ns_status = object("/api/v1/namespaces/web/status");
        assert_eq!(ns_status.subresource.as_deref(), Some("status"));
        assert_eq!(ns_status.namespace, None);
        let all = object("/apis/apps/v1/deployments");
        assert_eq!((all.group.as_str(), all.namespace.clone()), ("apps", None));
        assert_eq!(
            parse("/apis/apps/v1/namespaces/a/deployments/b/c/d"),
            Route::Unknown
        );
    }

    #[test]
    fn queries_are_decoded() {
        let query = Query::parse(Some(
            "labelSelector=app%3Dweb%2Ctier+in+(a)&watch=1&limit=5",
        ));
        assert_eq!(query.get("labelSelector"), Some("app=web,tier in (a)"));
        assert!(query.flag("watch"));
        assert_eq!(query.number("limit").unwrap(), Some(5));
        assert!(Query::parse(Some("limit=x")).number("limit").is_err());
    }
}
