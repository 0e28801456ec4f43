//! The verbs on resources: GET (object, list, table, status, scale, log), POST,
//! PUT, PATCH and DELETE (one or a collection), translated from HTTP to the API
//! layer and back, with 403s for resources the fault settings forbid.

use std::sync::Arc;

use hyper::{Method, Request, StatusCode};
use serde_json::{Value, json};

use super::super::api::{
    DeleteOptions, Deleted, ListOptions, PatchKind, Propagation, ScaleRequest, Subresource,
    WriteOptions,
};
use super::super::faults::FaultConfig;
use super::super::registry::ResourceType;
use super::super::selector::{FieldSelector, LabelSelector};
use super::super::status::{self, ApiError, ApiResult, Reason};
use super::super::table::{self, IncludeObject};
use super::body::{self, HttpResponse};
use super::route::{ObjectPath, Query};
use super::{Context, field_manager, logs, method_not_allowed, watch};

pub async fn handle(
    context: &Arc<Context>,
    faults: &FaultConfig,
    path: ObjectPath,
    query: Query,
    request: Request<hyper::body::Incoming>,
) -> ApiResult<HttpResponse> {
    let rtype = context
        .api
        .resource_type(&path.group, &path.version, &path.plural)?;
    if path.namespace.is_some() && !rtype.namespaced {
        return Err(ApiError::new(
            Reason::NotFound,
            "the server could not find the requested resource",
        ));
    }
    let method = request.method().clone();
    let is_watch = query.flag("watch");
    let verb = verb(&method, path.name.is_some(), is_watch);
    if faults.forbids(&rtype.qualified_plural(), path.namespace.as_deref()) {
        return Err(forbidden(&rtype, verb, path.namespace.as_deref()));
    }
    if method != Method::GET
        && faults.fails_writes(&rtype.qualified_plural(), path.namespace.as_deref())
    {
        return Err(ApiError::internal("injected fault: writes fail"));
    }
    let namespace = path.namespace.clone().unwrap_or_default();
    let accept = header(&request, hyper::header::ACCEPT);
    let content_type = header(&request, hyper::header::CONTENT_TYPE);
    let options = WriteOptions {
        dry_run: dry_run(&query)?,
        manager: field_manager(&query, &request),
    };
    let api = &context.api;
    let name = path.name.as_deref();
    let sub = path.subresource.as_deref();
    match (&method, name, sub) {
        (&Method::GET, None, None) if is_watch => {
            watch::serve(context, rtype, path.namespace, &query, &accept, faults)
        }
        (&Method::GET, None, None) => {
            let list = api.list(&rtype, &list_options(&path, &query)?)?;
            Ok(body::json(
                StatusCode::OK,
                &render_list(&rtype, &list, &accept, &query),
            ))
        }
        (&Method::GET, Some(name), None) => {
            let object = api.get(&rtype, &namespace, name)?;
            Ok(body::json(
                StatusCode::OK,
                &render_object(&rtype, &object, &accept, &query),
            ))
        }
        (&Method::GET, Some(name), Some("status")) if rtype.subresources.status => {
            let object = api.get(&rtype, &namespace, name)?;
            Ok(body::json(
                StatusCode::OK,
                &render_object(&rtype, &object, &accept, &query),
            ))
        }
        (&Method::GET, Some(name), Some("scale")) => Ok(body::json(
            StatusCode::OK,
            &api.get_scale(&rtype, &namespace, name)?,
        )),
        (&Method::GET, Some(name), Some("log")) if rtype.subresources.log => {
            logs::serve(context, &namespace, name, &query)
        }
        (&Method::POST, None, None) => {
            let value = body::decode(&body::read(request.into_body()).await?, &content_type)?;
            let created = api.create(&rtype, &namespace, value, &options)?;
            Ok(body::json(StatusCode::CREATED, &created))
        }
        (&Method::PUT, Some(name), Some("scale")) => {
            let value = body::decode(&body::read(request.into_body()).await?, &content_type)?;
            let scale = api.update_scale(
                &rtype,
                &namespace,
                name,
                ScaleRequest::Replace(value),
                &options,
            )?;
            Ok(body::json(StatusCode::OK, &scale))
        }
        (&Method::PUT, Some(name), sub) => {
            let subresource = subresource(&rtype, sub)?;
            let value = body::decode(&body::read(request.into_body()).await?, &content_type)?;
            let updated = api.update(&rtype, &namespace, name, value, subresource, &options)?;
            Ok(body::json(StatusCode::OK, &updated))
        }
        (&Method::PATCH, Some(name), sub) => {
            let force = query.flag("force");
            let kind = PatchKind::from_content_type(&content_type, force).ok_or_else(|| {
                ApiError::new(
                    Reason::UnsupportedMediaType,
                    format!("the body of the request was in an unknown format ({content_type}) - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"),
                )
            })?;
            if matches!(kind, PatchKind::Apply { .. }) && query.get("fieldManager").is_none() {
                return Err(ApiError::bad_request(
                    "PATCH, application/apply-patch+yaml: fieldManager is required for apply requests",
                ));
            }
            let value = body::decode(&body::read(request.into_body()).await?, &content_type)?;
            if sub == Some("scale") {
                let scale = api.update_scale(
                    &rtype,
                    &namespace,
                    name,
                    ScaleRequest::Patch(kind, value),
                    &options,
                )?;
                return Ok(body::json(StatusCode::OK, &scale));
            }
            let subresource = subresource(&rtype, sub)?;
            let existed = api.get(&rtype, &namespace, name).is_ok();
            let patched =
                api.patch(&rtype, &namespace, name, kind, value, subresource, &options)?;
            let code = if existed {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            Ok(body::json(code, &patched))
        }
        (&Method::DELETE, Some(name), None) => {
            let bytes = body::read(request.into_body()).await?;
            let delete = delete_options(&query, &bytes, options.dry_run)?;
            match api.delete(&rtype, &namespace, name, &delete)? {
                Deleted::Gone(object) => Ok(body::json(
                    StatusCode::OK,
                    &status::success(
                        &rtype.group,
                        &rtype.plural,
                        name,
                        object
                            .pointer("/metadata/uid")
                            .and_then(Value::as_str)
                            .unwrap_or_default(),
                    ),
                )),
                Deleted::Terminating(object) => Ok(body::json(StatusCode::OK, &object)),
            }
        }
        (&Method::DELETE, None, None) => {
            let bytes = body::read(request.into_body()).await?;
            let delete = delete_options(&query, &bytes, options.dry_run)?;
            let list = api.list(&rtype, &list_options(&path, &query)?)?;
            let mut items = Vec::new();
            for object in &list.items {
                let object_namespace = object
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let object_name = object
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                match api.delete(&rtype, object_namespace, object_name, &delete) {
                    Ok(Deleted::Gone(o) | Deleted::Terminating(o)) => items.push((*o).clone()),
                    Err(error) if error.reason == Reason::NotFound => {}
                    Err(error) => return Err(error),
                }
            }
            Ok(body::json(
                StatusCode::OK,
                &json!({"kind": format!("{}List", rtype.kind), "apiVersion": rtype.api_version(), "metadata": {}, "items": items}),
            ))
        }
        _ => Err(method_not_allowed(&method)),
    }
}

fn header(request: &Request<hyper::body::Incoming>, name: hyper::header::HeaderName) -> String {
    request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn verb(method: &Method, named: bool, watch: bool) -> &'static str {
    match (method, named) {
        (&Method::GET, _) if watch => "watch",
        (&Method::GET, true) => "get",
        (&Method::GET, false) => "list",
        (&Method::POST, _) => "create",
        (&Method::PUT, _) => "update",
        (&Method::PATCH, _) => "patch",
        (&Method::DELETE, true) => "delete",
        (&Method::DELETE, false) => "deletecollection",
        _ => "unknown",
    }
}

fn forbidden(rtype: &ResourceType, verb: &str, namespace: Option<&str>) -> ApiError {
    let scope = match namespace {
        Some(ns) => format!("in the namespace {ns:?}"),
        None => "at the cluster scope".into(),
    };
    ApiError::new(
        Reason::Forbidden,
        format!(
            "{} is forbidden: User \"driftdeck-sandbox\" cannot {verb} resource {:?} in API group {:?} {scope}",
            rtype.qualified_plural(),
            rtype.plural,
            rtype.group
        ),
    )
    .on(&rtype.group, &rtype.plural, "")
}

fn dry_run(query: &Query) -> ApiResult<bool> {
    match query.get("dryRun") {
        None => Ok(false),
        Some("All") => Ok(true),
        Some(other) => Err(ApiError::bad_request(format!(
            "dryRun: Unsupported value: {other:?}: supported values: \"All\""
        ))),
    }
}

fn subresource(rtype: &ResourceType, name: Option<&str>) -> ApiResult<Subresource> {
    Subresource::parse(name)
        .filter(|s| *s == Subresource::Main || rtype.subresources.status)
        .ok_or_else(|| {
            ApiError::new(
                Reason::NotFound,
                format!(
                    "the server could not find the requested resource ({})",
                    name.unwrap_or_default()
                ),
            )
        })
}

fn list_options(path: &ObjectPath, query: &Query) -> ApiResult<ListOptions> {
    let labels = LabelSelector::parse(query.get("labelSelector").unwrap_or_default())
        .map_err(ApiError::bad_request)?;
    let fields = FieldSelector::parse(query.get("fieldSelector").unwrap_or_default())
        .map_err(ApiError::bad_request)?;
    let limit = query
        .number("limit")
        .map_err(ApiError::bad_request)?
        .and_then(|l| usize::try_from(l).ok());
    Ok(ListOptions {
        namespace: path.namespace.clone(),
        labels,
        fields,
        limit,
        continue_token: query.get("continue").map(str::to_owned),
    })
}

fn delete_options(query: &Query, bytes: &[u8], dry_run: bool) -> ApiResult<DeleteOptions> {
    let body: Value = if bytes.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(bytes)
            .map_err(|e| ApiError::bad_request(format!("invalid DeleteOptions: {e}")))?
    };
    let propagation = query
        .get("propagationPolicy")
        .or_else(|| body.get("propagationPolicy").and_then(Value::as_str))
        .map(|p| {
            Propagation::parse(p).ok_or_else(|| {
                ApiError::bad_request(format!("propagationPolicy: Unsupported value: {p:?}"))
            })
        })
        .transpose()?
        .unwrap_or_default();
    let grace_period = match query
        .number("gracePeriodSeconds")
        .map_err(ApiError::bad_request)?
    {
        Some(g) => Some(g),
        None => body.get("gracePeriodSeconds").and_then(Value::as_i64),
    };
    let body_dry_run = body
        .get("dryRun")
        .and_then(Value::as_array)
        .is_some_and(|d| d.iter().any(|v| v == "All"));
    Ok(DeleteOptions {
        dry_run: dry_run || body_dry_run,
        propagation,
        grace_period,
        precondition_uid: body
            .pointer("/preconditions/uid")
            .and_then(Value::as_str)
            .map(str::to_owned),
        precondition_resource_version: body
            .pointer("/preconditions/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

/// How the client wants objects: as they are, as a Table (kubectl get), or as
/// metadata only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Object,
    Table(IncludeObject),
    Metadata,
}

pub fn shape(accept: &str, query: &Query) -> Shape {
    // The first acceptable media type wins, as in the API server's negotiation.
    let first = accept.split(',').next().unwrap_or_default();
    if first.contains("as=Table") {
        let include = match query.get("includeObject") {
            Some("None") => IncludeObject::None,
            Some("Object") => IncludeObject::Object,
            _ => IncludeObject::Metadata,
        };
        Shape::Table(include)
    } else if first.contains("as=PartialObjectMetadata") {
        Shape::Metadata
    } else {
        Shape::Object
    }
}

fn partial_metadata(object: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": object.get("metadata").cloned().unwrap_or(json!({})),
    })
}

pub fn render_object(rtype: &ResourceType, object: &Value, accept: &str, query: &Query) -> Value {
    match shape(accept, query) {
        Shape::Object => object.clone(),
        Shape::Metadata => partial_metadata(object),
        Shape::Table(include) => table_of(rtype, &[object], include),
    }
}

pub fn table_of(rtype: &ResourceType, objects: &[&Value], include: IncludeObject) -> Value {
    table::table(
        &rtype.group,
        &rtype.kind,
        objects,
        jiff::Timestamp::now(),
        &rtype.printer_columns,
        include,
    )
}

fn render_list(
    rtype: &ResourceType,
    list: &super::super::api::ListResult,
    accept: &str,
    query: &Query,
) -> Value {
    let mut metadata = json!({"resourceVersion": list.resource_version.to_string()});
    if let Some(token) = &list.continue_token {
        metadata["continue"] = token.clone().into();
    }
    if let Some(remaining) = list.remaining {
        metadata["remainingItemCount"] = remaining.into();
    }
    match shape(accept, query) {
        Shape::Table(include) => {
            let objects: Vec<&Value> = list.items.iter().map(|o| &**o).collect();
            let mut table = table_of(rtype, &objects, include);
            table["metadata"] = metadata;
            table
        }
        Shape::Metadata => json!({
            "kind": "PartialObjectMetadataList",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": metadata,
            "items": list.items.iter().map(|o| partial_metadata(o)).collect::<Vec<_>>(),
        }),
        Shape::Object => json!({
            "kind": format!("{}List", rtype.kind),
            "apiVersion": rtype.api_version(),
            "metadata": metadata,
            "items": list.items.iter().map(|o| &**o).collect::<Vec<_>>(),
        }),
    }
}
