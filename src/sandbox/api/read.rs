//! Reads: get one object, list a collection with label and field selectors and
//! `limit`/`continue` paging.

use std::sync::Arc;

use serde_json::Value;

use super::super::registry::ResourceType;
use super::super::selector::{FieldSelector, LabelSelector};
use super::super::status::{ApiError, ApiResult, Reason};
use super::super::store::{ObjectId, resource_id};
use super::Api;

/// What a list asks for.
#[derive(Clone, Debug, Default)]
pub struct ListOptions {
    pub namespace: Option<String>,
    pub labels: LabelSelector,
    pub fields: FieldSelector,
    pub limit: Option<usize>,
    pub continue_token: Option<String>,
}

/// One page of a list.
#[derive(Debug)]
pub struct ListResult {
    pub items: Vec<Arc<Value>>,
    pub resource_version: u64,
    pub continue_token: Option<String>,
    pub remaining: Option<usize>,
}

impl Api {
    pub fn get(&self, rtype: &ResourceType, namespace: &str, name: &str) -> ApiResult<Arc<Value>> {
        let id: ObjectId = (scoped(rtype, namespace), name.to_owned());
        self.store
            .lock()
            .get(&resource_id(rtype), &id)
            .ok_or_else(|| ApiError::not_found(&rtype.group, &rtype.plural, name))
    }

    pub fn list(&self, rtype: &ResourceType, options: &ListOptions) -> ApiResult<ListResult> {
        let namespace = options.namespace.as_deref().filter(|_| rtype.namespaced);
        let token = options
            .continue_token
            .as_deref()
            .map(decode_continue)
            .transpose()?;
        let state = self.store.lock();
        let resource = resource_id(rtype);
        let candidates = match &token {
            Some((_, after)) => state.list_after(&resource, namespace, after),
            None => state.list(&resource, namespace),
        };
        // Every page reports the first page's version, so a watch started after
        // the last page replays whatever changed while paging.
        let resource_version = token
            .as_ref()
            .map_or(state.resource_version(), |(rv, _)| *rv);
        drop(state);
        let mut matching: Vec<Arc<Value>> = candidates
            .into_iter()
            .filter(|o| options.labels.matches(o) && options.fields.matches(o))
            .collect();
        let mut continue_token = None;
        let mut remaining = None;
        if let Some(limit) = options.limit.filter(|l| *l > 0)
            && matching.len() > limit
        {
            remaining = Some(matching.len() - limit);
            matching.truncate(limit);
            continue_token = matching
                .last()
                .map(|last| encode_continue(resource_version, last));
        }
        Ok(ListResult {
            items: matching,
            resource_version,
            continue_token,
            remaining,
        })
    }
}

/// The namespace part of a stored id: empty for cluster-scoped types whatever the
/// URL said.
pub fn scoped(rtype: &ResourceType, namespace: &str) -> String {
    if rtype.namespaced {
        namespace.to_owned()
    } else {
        String::new()
    }
}

/// Continue tokens are opaque to clients: the list's resource version and the last
/// key of the page, hex-encoded.
fn encode_continue(resource_version: u64, last: &Value) -> String {
    let namespace = last
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let name = last
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    format!("{resource_version}/{namespace}/{name}")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn decode_continue(token: &str) -> ApiResult<(u64, ObjectId)> {
    let invalid = || {
        ApiError::new(
            Reason::BadRequest,
            "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
        )
    };
    if !token.len().is_multiple_of(2) {
        return Err(invalid());
    }
    let bytes: Option<Vec<u8>> = (0..token.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(token.get(i..i + 2)?, 16).ok())
        .collect();
    let text = String::from_utf8(bytes.ok_or_else(invalid)?).map_err(|_| invalid())?;
    let mut parts = text.splitn(3, '/');
    let (Some(rv), Some(namespace), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    let rv = rv.parse::<u64>().map_err(|_| invalid())?;
    Ok((rv, (namespace.to_owned(), name.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn continue_tokens_round_trip() {
        let token = encode_continue(7, &json!({"metadata": {"namespace": "a", "name": "b"}}));
        assert_eq!(
            decode_continue(&token).unwrap(),
            (7, ("a".into(), "b".into()))
        );
        assert!(decode_continue("zz").is_err());
    }
}
