//! The rules every write goes through before it is stored, whatever the verb:
//! identity and immutable metadata, the status/main split, defaulting, validation,
//! `generation`, and the per-kind admission the API server does (Service cluster
//! IPs, CRD acceptance, namespace existence).

use serde_json::{Value, json};

use super::super::defaults;
use super::super::registry::{ResourceType, types_of_crd};
use super::super::status::{ApiError, ApiResult, Reason};
use super::super::store::State;
use super::Subresource;
use super::meta;

/// Where a write is addressed: the namespace and name from the URL.
pub struct Target<'a> {
    pub namespace: &'a str,
    pub name: Option<&'a str>,
}

/// Applies the write rules to `new`, given the stored `old` (None on create).
pub fn prepare(
    state: &mut State,
    rtype: &ResourceType,
    target: &Target<'_>,
    old: Option<&Value>,
    mut new: Value,
    subresource: Subresource,
) -> ApiResult<Value> {
    if !new.is_object() {
        return Err(ApiError::bad_request(
            "the object must be a JSON or YAML map",
        ));
    }
    check_shapes(rtype, &new)?;
    check_type(rtype, &new)?;
    new["apiVersion"] = rtype.api_version().into();
    new["kind"] = rtype.kind.clone().into();
    if subresource == Subresource::Status {
        // Only status moves; everything else stays as stored.
        let Some(old) = old else {
            return Err(ApiError::not_found(
                &rtype.group,
                &rtype.plural,
                target.name.unwrap_or_default(),
            ));
        };
        let mut updated = old.clone();
        updated["status"] = new.get("status").cloned().unwrap_or(json!({}));
        copy_resource_version(&new, &mut updated);
        return Ok(updated);
    }
    identity(rtype, target, old, &mut new)?;
    if rtype.subresources.status {
        match old.and_then(|o| o.get("status")) {
            Some(status) => new["status"] = status.clone(),
            None => {
                if let Some(map) = new.as_object_mut() {
                    map.remove("status");
                }
            }
        }
    }
    defaults::apply_defaults(&rtype.group, &rtype.kind, &mut new);
    validate(rtype, &new)?;
    admit(state, rtype, old, &mut new)?;
    if tracks_generation(rtype) {
        let generation = old
            .and_then(|o| o.pointer("/metadata/generation"))
            .and_then(Value::as_i64);
        let generation = match generation {
            None => 1,
            Some(g) if old.is_some_and(|o| spec_of(o) != spec_of(&new)) => g + 1,
            Some(g) => g,
        };
        meta::metadata_mut(&mut new).insert("generation".into(), generation.into());
    } else {
        meta::metadata_mut(&mut new).remove("generation");
    }
    Ok(new)
}

/// The fields every object's code relies on being maps (or lists) are refused with
/// 422 otherwise, as the API server's decoding would refuse them.
fn check_shapes(rtype: &ResourceType, object: &Value) -> ApiResult<()> {
    let name = meta::name(object);
    let must_be = |pointer: &str, is_map: bool| {
        object
            .pointer(pointer)
            .is_none_or(|v| v.is_null() || if is_map { v.is_object() } else { v.is_array() })
    };
    for (pointer, is_map) in [
        ("/metadata", true),
        ("/metadata/labels", true),
        ("/metadata/annotations", true),
        ("/metadata/finalizers", false),
        ("/metadata/ownerReferences", false),
        ("/spec", true),
        ("/status", true),
        ("/spec/template", true),
        ("/spec/template/metadata", true),
        ("/spec/template/spec", true),
        ("/spec/jobTemplate", true),
        ("/spec/jobTemplate/metadata", true),
        ("/spec/jobTemplate/spec", true),
        ("/spec/selector", true),
    ] {
        if !must_be(pointer, is_map) {
            let field = pointer.trim_start_matches('/').replace('/', ".");
            let expected = if is_map { "an object" } else { "a list" };
            return Err(ApiError::invalid(
                &rtype.group,
                &rtype.kind,
                name,
                &field,
                &format!("Invalid value: must be {expected}"),
            ));
        }
    }
    if !rtype.strategic {
        // Custom resources have their own schemas; the sandbox does not read them.
        return Ok(());
    }
    for (pointer, field) in [
        ("/spec/replicas", "spec.replicas"),
        ("/spec/parallelism", "spec.parallelism"),
        ("/spec/completions", "spec.completions"),
        ("/spec/minReplicas", "spec.minReplicas"),
        ("/spec/maxReplicas", "spec.maxReplicas"),
        ("/spec/backoffLimit", "spec.backoffLimit"),
    ] {
        if let Some(value) = object.pointer(pointer).filter(|v| !v.is_null()) {
            let ok = value
                .as_i64()
                .is_some_and(|n| (0..=i64::from(i32::MAX)).contains(&n));
            if !ok {
                return Err(ApiError::invalid(
                    &rtype.group,
                    &rtype.kind,
                    name,
                    field,
                    &format!("Invalid value: {value}: must be an integer between 0 and 2147483647"),
                ));
            }
        }
    }
    Ok(())
}

/// Whether the API server keeps `metadata.generation` for a type: the kinds whose
/// strategies track spec changes (workloads, Ingress, HPA, CRDs) and every custom
/// resource; not ConfigMaps, Secrets, Services, Pods (in 1.32) and the like.
fn tracks_generation(rtype: &ResourceType) -> bool {
    !rtype.strategic
        || matches!(
            rtype.group.as_str(),
            "apps"
                | "batch"
                | "networking.k8s.io"
                | "autoscaling"
                | "apiextensions.k8s.io"
                | "policy"
        )
}

/// A body whose apiVersion/kind name another type is refused, as the API server
/// does; absent ones are filled in.
fn check_type(rtype: &ResourceType, object: &Value) -> ApiResult<()> {
    let api_version = object.get("apiVersion").and_then(Value::as_str);
    let kind = object.get("kind").and_then(Value::as_str);
    let version_ok = api_version.is_none_or(|v| {
        let group = crate::model::ResourceKey::group_of(v);
        group == rtype.group
    });
    let kind_ok = kind.is_none_or(|k| k == rtype.kind);
    if version_ok && kind_ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "the API version in the data ({}) does not match the expected API version ({}), or the kind ({}) is not {}",
            api_version.unwrap_or_default(),
            rtype.api_version(),
            kind.unwrap_or_default(),
            rtype.kind
        )))
    }
}

/// Name, namespace, uid and creation time: given on create, immutable afterwards.
fn identity(
    rtype: &ResourceType,
    target: &Target<'_>,
    old: Option<&Value>,
    new: &mut Value,
) -> ApiResult<()> {
    let body_namespace = meta::namespace(new).to_owned();
    let body_name = meta::name(new).to_owned();
    let metadata = meta::metadata_mut(new);
    if rtype.namespaced {
        if !body_namespace.is_empty() && body_namespace != target.namespace {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        metadata.insert("namespace".into(), target.namespace.into());
    } else {
        metadata.remove("namespace");
    }
    match target.name {
        Some(url_name) if !body_name.is_empty() && body_name != url_name => {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({url_name})"
            )));
        }
        Some(url_name) => {
            metadata.insert("name".into(), url_name.into());
        }
        None if body_name.is_empty() => {
            let Some(prefix) = metadata.get("generateName").and_then(Value::as_str) else {
                return Err(ApiError::invalid(
                    &rtype.group,
                    &rtype.kind,
                    "",
                    "metadata.name",
                    "Required value: name or generateName is required",
                ));
            };
            let generated = format!("{prefix}{}", meta::random_suffix(5));
            metadata.insert("name".into(), generated.into());
        }
        None => {}
    }
    match old {
        Some(old) => {
            for field in [
                "uid",
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
            ] {
                match old.pointer(&format!("/metadata/{field}")) {
                    Some(value) => metadata.insert(field.into(), value.clone()),
                    None => metadata.remove(field),
                };
            }
        }
        None => {
            metadata.insert("uid".into(), meta::new_uid().into());
            metadata.insert("creationTimestamp".into(), meta::now().into());
            metadata.remove("deletionTimestamp");
            metadata.remove("resourceVersion");
        }
    }
    let name = meta::name(new).to_owned();
    if !meta::valid_name(&name) && rtype.kind != "Event" {
        return Err(ApiError::invalid(
            &rtype.group,
            &rtype.kind,
            &name,
            "metadata.name",
            &format!(
                "Invalid value: {name:?}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
            ),
        ));
    }
    Ok(())
}

fn copy_resource_version(from: &Value, to: &mut Value) {
    if let Some(rv) = from.pointer("/metadata/resourceVersion") {
        meta::metadata_mut(to).insert("resourceVersion".into(), rv.clone());
    } else {
        meta::metadata_mut(to).remove("resourceVersion");
    }
}

/// Everything but metadata and status: what a `generation` bump tracks.
fn spec_of(object: &Value) -> Value {
    let mut copy = object.clone();
    if let Some(map) = copy.as_object_mut() {
        map.remove("metadata");
        map.remove("status");
    }
    copy
}

/// The validation users meet most with hand-written manifests.
fn validate(rtype: &ResourceType, object: &Value) -> ApiResult<()> {
    let name = meta::name(object);
    let invalid = |field: &str, message: &str| {
        Err(ApiError::invalid(
            &rtype.group,
            &rtype.kind,
            name,
            field,
            message,
        ))
    };
    let template = match (rtype.group.as_str(), rtype.kind.as_str()) {
        ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet") => {
            let Some(selector) = object.pointer("/spec/selector") else {
                return invalid("spec.selector", "Required value");
            };
            let labels = object.pointer("/spec/template/metadata/labels");
            let template = json!({"metadata": {"labels": labels.cloned().unwrap_or(json!({}))}});
            let matches = super::super::selector::LabelSelector::from_spec(selector)
                .map(|s| !s.is_empty() && s.matches(&template));
            if matches != Ok(true) {
                return invalid(
                    "spec.template.metadata.labels",
                    "Invalid value: `selector` does not match template `labels`",
                );
            }
            object.pointer("/spec/template/spec")
        }
        ("batch", "Job") => object.pointer("/spec/template/spec"),
        ("batch", "CronJob") => {
            match object.pointer("/spec/schedule").and_then(Value::as_str) {
                None => return invalid("spec.schedule", "Required value"),
                Some(schedule) if super::super::controllers::parse_schedule(schedule).is_none() => {
                    return invalid(
                        "spec.schedule",
                        &format!("Invalid value: {schedule:?}: not a valid cron schedule"),
                    );
                }
                Some(_) => {}
            }
            object.pointer("/spec/jobTemplate/spec/template/spec")
        }
        ("", "Pod") => object.get("spec"),
        _ => return Ok(()),
    };
    let containers = template
        .and_then(|t| t.get("containers"))
        .and_then(Value::as_array);
    let Some(containers) = containers.filter(|c| !c.is_empty()) else {
        return invalid("spec.template.spec.containers", "Required value");
    };
    for (i, container) in containers.iter().enumerate() {
        if container.get("name").and_then(Value::as_str).is_none() {
            return invalid(
                &format!("spec.template.spec.containers[{i}].name"),
                "Required value",
            );
        }
        if container.get("image").and_then(Value::as_str).is_none() {
            return invalid(
                &format!("spec.template.spec.containers[{i}].image"),
                "Required value",
            );
        }
    }
    Ok(())
}

/// Per-kind admission: what the API server adds or checks beyond defaulting.
fn admit(
    state: &mut State,
    rtype: &ResourceType,
    old: Option<&Value>,
    object: &mut Value,
) -> ApiResult<()> {
    if rtype.namespaced {
        let namespace = meta::namespace(object).to_owned();
        let namespaces = (String::new(), "namespaces".to_owned());
        if old.is_none() {
            match state.get(&namespaces, &(String::new(), namespace.clone())) {
                None => return Err(ApiError::not_found("", "namespaces", &namespace)),
                Some(ns) if ns.pointer("/metadata/deletionTimestamp").is_some() => {
                    return Err(ApiError::new(
                        Reason::Forbidden,
                        format!(
                            "{} {:?} is forbidden: unable to create new content in namespace {namespace} because it is being terminated",
                            rtype.qualified_plural(),
                            meta::name(object)
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    match (rtype.group.as_str(), rtype.kind.as_str()) {
        ("", "Service") => allocate_service(state, old, object),
        ("apiextensions.k8s.io", "CustomResourceDefinition") => accept_crd(rtype, object),
        ("", "Pod") if old.is_none() => {
            object["status"] = json!({"phase": "Pending", "qosClass": "BestEffort"});
            Ok(())
        }
        ("", "Namespace") if old.is_none() => {
            object["status"] = json!({"phase": "Active"});
            Ok(())
        }
        _ => Ok(()),
    }
}

fn allocate_service(state: &mut State, old: Option<&Value>, service: &mut Value) -> ApiResult<()> {
    let needs_ip = defaults::needs_cluster_ip(service);
    let Some(spec) = service.get_mut("spec").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    // Allocated values survive updates that leave them out, as on a real cluster.
    if let Some(old) = old {
        for field in ["clusterIP", "clusterIPs"] {
            let given = spec.get(field).is_some_and(|v| {
                v.as_str().is_some_and(|s| !s.is_empty())
                    || v.as_array().is_some_and(|a| !a.is_empty())
            });
            if !given && let Some(value) = old.pointer(&format!("/spec/{field}")) {
                spec.insert(field.into(), value.clone());
            }
        }
    }
    let has_ip = spec
        .get("clusterIP")
        .and_then(Value::as_str)
        .is_some_and(|ip| !ip.is_empty());
    if needs_ip && !has_ip {
        let ip = state.allocate_cluster_ip();
        spec.insert("clusterIP".into(), ip.clone().into());
        spec.insert("clusterIPs".into(), json!([ip]));
    }
    let service_type = spec
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("ClusterIP")
        .to_owned();
    if matches!(service_type.as_str(), "NodePort" | "LoadBalancer")
        && let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut)
    {
        let base = 30000 + state.resource_version() % 2000;
        for (i, port) in ports.iter_mut().enumerate() {
            if let Some(port) = port.as_object_mut()
                && !port.contains_key("nodePort")
            {
                port.insert("nodePort".into(), (base + i as u64).into());
            }
        }
    }
    Ok(())
}

fn accept_crd(rtype: &ResourceType, crd: &mut Value) -> ApiResult<()> {
    let name = meta::name(crd).to_owned();
    if let Err(message) = types_of_crd(crd) {
        let (field, message) = message.split_once(": ").unwrap_or(("spec", &message));
        return Err(ApiError::invalid(
            &rtype.group,
            &rtype.kind,
            &name,
            field,
            message,
        ));
    }
    let storage = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .and_then(|versions| {
            versions
                .iter()
                .find(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
                .or(versions.first())
        })
        .and_then(|v| v.get("name").cloned())
        .unwrap_or(Value::Null);
    let names = crd.pointer("/spec/names").cloned().unwrap_or(json!({}));
    let now = meta::now();
    let condition = |kind: &str, reason: &str, message: &str| json!({"type": kind, "status": "True", "lastTransitionTime": now, "reason": reason, "message": message});
    crd["status"] = json!({
        "acceptedNames": names,
        "conditions": [
            condition("NamesAccepted", "NoConflicts", "no conflicts found"),
            condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
        ],
        "storedVersions": [storage],
    });
    Ok(())
}

/// Whether a write would change nothing a client can see (for `generation` and for
/// skipping no-op updates of resourceVersion the way the API server does).
pub fn unchanged(old: &Value, new: &Value) -> bool {
    let strip = |object: &Value| {
        let mut copy = object.clone();
        if let Some(meta) = copy.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("resourceVersion");
            meta.remove("managedFields");
        }
        copy
    };
    strip(old) == strip(new)
}

/// A 409 when the body names a resourceVersion that is not the stored one.
pub fn check_precondition(rtype: &ResourceType, stored: &Value, body: &Value) -> ApiResult<()> {
    let wanted = body
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .filter(|rv| !rv.is_empty());
    let stored_rv = stored
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str);
    match wanted {
        Some(rv) if Some(rv) != stored_rv => Err(ApiError::modified(
            &rtype.group,
            &rtype.plural,
            meta::name(stored),
        )),
        _ => Ok(()),
    }
}

/// A 422 for bodies that are not objects, used before any other check.
pub fn require_object(value: &Value) -> ApiResult<()> {
    if value.is_object() {
        Ok(())
    } else {
        Err(ApiError::new(
            Reason::BadRequest,
            "the request body must be a JSON or YAML object",
        ))
    }
}
