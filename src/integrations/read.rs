//! Reading engine objects for the mappings, with one rule everywhere: a field that
//! is absent, null or the empty string reads as absent (the zero value of the Go
//! types behind these APIs, and what a fresh object without `status` looks like),
//! and a field present with the wrong type is a [`Fault`] naming its path, so a
//! malformed object is reported instead of half shown.
//!
//! `health/` has readers of the same spirit, private to it; these add the paths
//! (`status.conditions[2].status`) an error message needs. Also here: checking an
//! object is the kind a mapping expects ([`identify`]) and dropping passwords from
//! repository URLs ([`without_password`]).

use jiff::Timestamp;
use serde_json::Value;

use super::{AppKind, MappingError};
use crate::model::ResourceKey;

/// What is wrong with one field; [`Fault::about`] names the object it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Fault {
    Missing {
        path: String,
    },
    Malformed {
        path: String,
        expected: &'static str,
    },
}

impl Fault {
    pub fn about(self, object: &str) -> MappingError {
        let object = object.to_owned();
        match self {
            Self::Missing { path } => MappingError::Missing { object, path },
            Self::Malformed { path, expected } => MappingError::Malformed {
                object,
                path,
                expected,
            },
        }
    }
}

/// A JSON value and the path it was read from.
#[derive(Clone, Debug)]
pub(super) struct Node<'a> {
    pub value: &'a Value,
    path: String,
}

impl<'a> Node<'a> {
    /// The object itself: paths read `status.sync.status`.
    pub fn root(value: &'a Value) -> Self {
        Self::named(value, "")
    }

    /// A second object read for the same app (a Flux source): paths read
    /// `source.status.artifact.revision`.
    pub fn named(value: &'a Value, name: &str) -> Self {
        Self {
            value,
            path: name.to_owned(),
        }
    }

    fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub fn malformed(&self, expected: &'static str) -> Fault {
        Fault::Malformed {
            path: if self.path.is_empty() {
                "the object".to_owned()
            } else {
                self.path.clone()
            },
            expected,
        }
    }

    /// A fault for the field `key` of this node, which holds something other
    /// than `expected` (for checks beyond the JSON type, such as a string's format).
    pub fn malformed_at(&self, key: &str, expected: &'static str) -> Fault {
        Fault::Malformed {
            path: self.child_path(key),
            expected,
        }
    }

    /// The node at `keys` below this one; `None` when any step is absent or null.
    pub fn at(&self, keys: &[&str]) -> Result<Option<Node<'a>>, Fault> {
        let mut current = self.clone();
        for key in keys {
            let value: &'a Value = current.value;
            let Value::Object(map) = value else {
                return Err(current.malformed("an object"));
            };
            match map.get(*key) {
                None | Some(Value::Null) => return Ok(None),
                Some(next) => {
                    current = Node {
                        value: next,
                        path: current.child_path(key),
                    }
                }
            }
        }
        Ok(Some(current))
    }

    pub fn text(&self, keys: &[&str]) -> Result<Option<&'a str>, Fault> {
        match self.at(keys)? {
            None => Ok(None),
            Some(node) => match node.value.as_str() {
                Some("") => Ok(None),
                Some(text) => Ok(Some(text)),
                None => Err(node.malformed("a string")),
            },
        }
    }

    pub fn string(&self, keys: &[&str]) -> Result<Option<String>, Fault> {
        Ok(self.text(keys)?.map(str::to_owned))
    }

    /// A string the schema requires; its absence is a [`Fault::Missing`].
    pub fn required(&self, keys: &[&str]) -> Result<&'a str, Fault> {
        self.text(keys)?.ok_or_else(|| Fault::Missing {
            path: self.child_path(&keys.join(".")),
        })
    }

    pub fn boolean(&self, keys: &[&str]) -> Result<Option<bool>, Fault> {
        match self.at(keys)? {
            None => Ok(None),
            Some(node) => node
                .value
                .as_bool()
                .map(Some)
                .ok_or_else(|| node.malformed("a boolean")),
        }
    }

    /// A boolean that is `false` when absent.
    pub fn flag(&self, keys: &[&str]) -> Result<bool, Fault> {
        Ok(self.boolean(keys)?.unwrap_or(false))
    }

    pub fn int(&self, keys: &[&str]) -> Result<Option<i64>, Fault> {
        match self.at(keys)? {
            None => Ok(None),
            Some(node) => node
                .value
                .as_i64()
                .map(Some)
                .ok_or_else(|| node.malformed("an integer")),
        }
    }

    /// A Kubernetes timestamp (RFC 3339, `2024-05-07T10:10:00Z`).
    pub fn time(&self, keys: &[&str]) -> Result<Option<Timestamp>, Fault> {
        let Some(node) = self.at(keys)? else {
            return Ok(None);
        };
        match node.text(&[])? {
            None => Ok(None),
            Some(text) => text
                .parse::<Timestamp>()
                .map(Some)
                .map_err(|_| node.malformed("an RFC 3339 time")),
        }
    }

    /// The entries of a list, each with its index in its path; `[]` when absent.
    pub fn items(&self, keys: &[&str]) -> Result<Vec<Node<'a>>, Fault> {
        let Some(node) = self.at(keys)? else {
            return Ok(Vec::new());
        };
        let Some(list) = node.value.as_array() else {
            return Err(node.malformed("a list"));
        };
        Ok(list
            .iter()
            .enumerate()
            .map(|(index, value)| Node {
                value,
                path: format!("{}[{index}]", node.path),
            })
            .collect())
    }
}

/// Who an engine object is, once its kind is checked.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Identity {
    pub namespace: String,
    pub name: String,
    /// `Application argocd/guestbook`: how errors name the object.
    pub label: String,
}

/// Checks the object's kind and reads its namespace and name.
pub(super) fn identify(value: &Value, kind: AppKind) -> Result<Identity, MappingError> {
    let root = Node::root(value);
    let wrong = |found: String| MappingError::WrongKind {
        expected: kind,
        found,
    };
    if !value.is_object() {
        return Err(wrong(format!("a JSON {}", json_type(value))));
    }
    let unnamed = format!("{} (no name)", kind.label());
    let api_version = root.text(&["apiVersion"]).map_err(|f| f.about(&unnamed))?;
    let found_kind = root.text(&["kind"]).map_err(|f| f.about(&unnamed))?;
    let group_differs = api_version.is_some_and(|v| ResourceKey::group_of(v) != kind.group());
    if group_differs || found_kind.is_some_and(|k| k != kind.label()) {
        return Err(wrong(format!(
            "{} {}",
            api_version.unwrap_or("(no apiVersion)"),
            found_kind.unwrap_or("(no kind)")
        )));
    }
    let name = root
        .required(&["metadata", "name"])
        .map_err(|f| f.about(&unnamed))?;
    let named = format!("{} {name}", kind.label());
    let namespace = root
        .required(&["metadata", "namespace"])
        .map_err(|f| f.about(&named))?;
    Ok(Identity {
        namespace: namespace.to_owned(),
        name: name.to_owned(),
        label: format!("{} {namespace}/{name}", kind.label()),
    })
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

/// A URL without the password of its user info (`https://user:token@host/repo` →
/// `https://user@host/repo`): repository URLs sometimes carry tokens, and nothing
/// read here may put a credential on screen or in JSON output. A lone user part is
/// often a token itself (`https://ghp_…@github.com/…`): it is dropped, except for
/// `ssh://`, where it is the login (`ssh://git@host`). URLs without a scheme
/// (`git@github.com:org/repo`) have no password and are kept as they are.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((user_info, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    match user_info.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}@{host}{tail}"),
        None if scheme.eq_ignore_ascii_case("ssh") => url.to_owned(),
        None => format!("{scheme}://{host}{tail}"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn absent_null_and_empty_read_as_absent() {
        let object = json!({"status": {"sync": null, "revision": ""}});
        let root = Node::root(&object);
        assert_eq!(root.text(&["status", "sync", "status"]), Ok(None));
        assert_eq!(root.text(&["status", "revision"]), Ok(None));
        assert_eq!(root.flag(&["spec", "suspend"]), Ok(false));
        assert_eq!(root.int(&["status", "observedGeneration"]), Ok(None));
        assert_eq!(root.time(&["status", "reconciledAt"]), Ok(None));
        assert!(root.items(&["status", "conditions"]).unwrap().is_empty());
    }

    #[test]
    fn wrong_types_name_their_path() {
        let object = json!({
            "spec": {"suspend": "yes"},
            "status": {"conditions": [{"type": 3}], "history": {}, "at": "yesterday"}
        });
        let root = Node::root(&object);
        assert_eq!(
            root.flag(&["spec", "suspend"]),
            Err(Fault::Malformed {
                path: "spec.suspend".into(),
                expected: "a boolean"
            })
        );
        let conditions = root.items(&["status", "conditions"]).unwrap();
        assert_eq!(
            conditions[0].text(&["type"]),
            Err(Fault::Malformed {
                path: "status.conditions[0].type".into(),
                expected: "a string"
            })
        );
        assert_eq!(
            root.items(&["status", "history"]).unwrap_err(),
            Fault::Malformed {
                path: "status.history".into(),
                expected: "a list"
            }
        );
        assert_eq!(
            root.time(&["status", "at"]).unwrap_err(),
            Fault::Malformed {
                path: "status.at".into(),
                expected: "an RFC 3339 time"
            }
        );
        assert_eq!(
            Node::named(&json!("text"), "source")
                .at(&["spec"])
                .unwrap_err(),
            Fault::Malformed {
                path: "source".into(),
                expected: "an object"
            }
        );
    }

    #[test]
    fn required_fields_report_the_full_path() {
        let object = json!({"metadata": {}});
        assert_eq!(
            Node::root(&object).required(&["metadata", "name"]),
            Err(Fault::Missing {
                path: "metadata.name".into()
            })
        );
    }

    #[test]
    fn times_parse_kubernetes_timestamps() {
        let object = json!({"at": "2024-05-07T10:10:00Z"});
        let at = Node::root(&object).time(&["at"]).unwrap().unwrap();
        assert_eq!(at.as_second(), 1_715_076_600);
    }

    #[test]
    fn passwords_are_dropped_from_urls() {
        assert_eq!(
            without_password("https://bot:ghp_secret@github.com/org/repo.git"),
            "https://bot@github.com/org/repo.git"
        );
        assert_eq!(
            without_password("https://github.com/org/repo.git"),
            "https://github.com/org/repo.git"
        );
        assert_eq!(
            without_password("https://ghp_token123@github.com/org/repo.git"),
            "https://github.com/org/repo.git"
        );
        assert_eq!(
            without_password("ssh://git:hunter2@example.com/repo"),
            "ssh://git@example.com/repo"
        );
        assert_eq!(
            without_password("ssh://git@github.com/org/repo"),
            "ssh://git@github.com/org/repo"
        );
        assert_eq!(
            without_password("git@github.com:org/repo.git"),
            "git@github.com:org/repo.git"
        );
        assert_eq!(
            without_password("oci://ghcr.io/org/charts?x=a@b"),
            "oci://ghcr.io/org/charts?x=a@b"
        );
    }

    #[test]
    fn identify_checks_kind_name_and_namespace() {
        let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "prod"}});
        assert_eq!(
            identify(&deployment, AppKind::Application)
                .unwrap_err()
                .to_string(),
            "expected Application (argoproj.io), got apps/v1 Deployment"
        );
        let unnamed = json!({"kind": "Kustomization", "metadata": {"namespace": "flux-system"}});
        assert_eq!(
            identify(&unnamed, AppKind::Kustomization).unwrap_err(),
            MappingError::Missing {
                object: "Kustomization (no name)".into(),
                path: "metadata.name".into()
            }
        );
        let no_namespace = json!({"metadata": {"name": "podinfo"}});
        assert_eq!(
            identify(&no_namespace, AppKind::HelmRelease)
                .unwrap_err()
                .to_string(),
            "HelmRelease podinfo: metadata.namespace is missing"
        );
        assert_eq!(
            identify(&json!([]), AppKind::HelmRelease).unwrap_err(),
            MappingError::WrongKind {
                expected: AppKind::HelmRelease,
                found: "a JSON list".into()
            }
        );
        let app = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": "guestbook", "namespace": "argocd"}});
        assert_eq!(
            identify(&app, AppKind::Application).unwrap(),
            Identity {
                namespace: "argocd".into(),
                name: "guestbook".into(),
                label: "Application argocd/guestbook".into(),
            }
        );
    }
}
