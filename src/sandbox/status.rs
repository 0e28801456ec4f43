//! API errors as Kubernetes reports them: a `Status` object with a code, a reason
//! and details, so that kubectl and kube-rs show and classify them exactly as they
//! would a real cluster's.

use serde_json::{Value, json};

/// The reasons (`metav1.StatusReason`) the sandbox uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    AlreadyExists,
    Conflict,
    Invalid,
    MethodNotAllowed,
    UnsupportedMediaType,
    RequestEntityTooLarge,
    InternalError,
    Expired,
}

impl Reason {
    pub fn code(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::AlreadyExists | Self::Conflict => 409,
            Self::Expired => 410,
            Self::RequestEntityTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::Invalid => 422,
            Self::InternalError => 500,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::BadRequest => "BadRequest",
            Self::Unauthorized => "Unauthorized",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "NotFound",
            Self::AlreadyExists => "AlreadyExists",
            Self::Conflict => "Conflict",
            Self::Expired => "Expired",
            Self::Invalid => "Invalid",
            Self::MethodNotAllowed => "MethodNotAllowed",
            Self::UnsupportedMediaType => "UnsupportedMediaType",
            Self::RequestEntityTooLarge => "RequestEntityTooLarge",
            Self::InternalError => "InternalError",
        }
    }
}

/// One entry of `details.causes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cause {
    pub reason: String,
    pub message: String,
    pub field: String,
}

/// A failed API call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub reason: Reason,
    pub message: String,
    /// Boxed: errors travel through every `Result` of the request path.
    details: Box<Details>,
}

/// `details` of a `Status`: the group, the resource (plural), the name, the causes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Details {
    group: String,
    resource: String,
    name: String,
    causes: Vec<Cause>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(reason: Reason, message: impl Into<String>) -> Self {
        Self {
            reason,
            message: message.into(),
            details: Box::default(),
        }
    }

    /// Attaches the resource the error is about (for `details`).
    pub fn on(mut self, group: &str, resource: &str, name: &str) -> Self {
        self.details.group = group.into();
        self.details.resource = resource.into();
        self.details.name = name.into();
        self
    }

    pub fn with_causes(mut self, causes: Vec<Cause>) -> Self {
        self.details.causes = causes;
        self
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(Reason::BadRequest, message)
    }

    /// `deployments.apps "web" not found`.
    pub fn not_found(group: &str, resource: &str, name: &str) -> Self {
        Self::new(
            Reason::NotFound,
            format!("{} {name:?} not found", qualified(group, resource)),
        )
        .on(group, resource, name)
    }

    pub fn already_exists(group: &str, resource: &str, name: &str) -> Self {
        Self::new(
            Reason::AlreadyExists,
            format!("{} {name:?} already exists", qualified(group, resource)),
        )
        .on(group, resource, name)
    }

    /// The optimistic-concurrency failure kubectl knows how to explain.
    pub fn modified(group: &str, resource: &str, name: &str) -> Self {
        Self::new(
            Reason::Conflict,
            format!(
                "Operation cannot be fulfilled on {} {name:?}: the object has been modified; please apply your changes to the latest version and try again",
                qualified(group, resource)
            ),
        )
        .on(group, resource, name)
    }

    /// A validation failure: `Deployment.apps "web" is invalid: spec.selector: Required value`.
    pub fn invalid(group: &str, kind: &str, name: &str, field: &str, message: &str) -> Self {
        let kind_q = if group.is_empty() {
            kind.to_owned()
        } else {
            format!("{kind}.{group}")
        };
        Self::new(
            Reason::Invalid,
            format!("{kind_q} {name:?} is invalid: {field}: {message}"),
        )
        .on(group, kind, name)
        .with_causes(vec![Cause {
            reason: "FieldValueInvalid".into(),
            message: message.into(),
            field: field.into(),
        }])
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            Reason::InternalError,
            format!("Internal error occurred: {}", message.into()),
        )
    }

    /// The `Status` object sent to the client.
    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason.name(),
            "code": self.reason.code(),
        });
        let given = &self.details;
        let mut details = serde_json::Map::new();
        if !given.name.is_empty() {
            details.insert("name".into(), given.name.clone().into());
        }
        if !given.group.is_empty() {
            details.insert("group".into(), given.group.clone().into());
        }
        if !given.resource.is_empty() {
            details.insert("kind".into(), given.resource.clone().into());
        }
        if !given.causes.is_empty() {
            let causes = given
                .causes
                .iter()
                .map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field}))
                .collect();
            details.insert("causes".into(), Value::Array(causes));
        }
        if !details.is_empty() {
            status["details"] = Value::Object(details);
        }
        status
    }
}

fn qualified(group: &str, resource: &str) -> String {
    if group.is_empty() {
        resource.to_owned()
    } else {
        format!("{resource}.{group}")
    }
}

/// The `Status` of a successful delete.
pub fn success(group: &str, resource: &str, name: &str, uid: &str) -> Value {
    json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {"name": name, "group": group, "kind": resource, "uid": uid},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_reads_like_the_apiserver() {
        let status = ApiError::not_found("apps", "deployments", "web").to_status();
        assert_eq!(status["message"], "deployments.apps \"web\" not found");
        assert_eq!(status["code"], 404);
        assert_eq!(status["reason"], "NotFound");
        assert_eq!(status["details"]["kind"], "deployments");
    }
}
