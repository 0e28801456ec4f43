//! Writes: create, update (PUT), the four patch formats, and delete with
//! finalizers, graceful pod deletion and propagation to owned objects. Each takes
//! the store's lock once, so a read-check-write is atomic.

use std::sync::Arc;

use serde_json::Value;

use super::super::patch::{managed, strategic};
use super::super::registry::ResourceType;
use super::super::status::{ApiError, ApiResult, Cause, Reason};
use super::super::store::{ObjectId, ResourceId, State, resource_id};
use super::prepare::{Target, check_precondition, prepare, require_object, unchanged};
use super::read::scoped;
use super::{Api, PatchKind, Subresource, WriteOptions, meta};

/// The longest grace period honoured (longer ones are cut to it).
const MAX_GRACE_SECONDS: i64 = 86_400;

/// Namespaces the API server refuses to delete.
const PROTECTED_NAMESPACES: [&str; 3] = ["default", "kube-system", "kube-public"];

/// `propagationPolicy` of a delete.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Propagation {
    #[default]
    Background,
    Foreground,
    Orphan,
}

impl Propagation {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "Background" => Some(Self::Background),
            "Foreground" => Some(Self::Foreground),
            "Orphan" => Some(Self::Orphan),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct DeleteOptions {
    pub dry_run: bool,
    pub propagation: Propagation,
    /// `gracePeriodSeconds`; pods with a non-zero grace period terminate first.
    pub grace_period: Option<i64>,
    pub precondition_uid: Option<String>,
    pub precondition_resource_version: Option<String>,
}

/// What a delete did: the object is gone, or it is terminating (finalizers or a
/// pod's grace period) and returned as it now is.
#[derive(Debug)]
pub enum Deleted {
    Gone(Arc<Value>),
    Terminating(Arc<Value>),
}

impl Api {
    pub fn create(
        &self,
        rtype: &ResourceType,
        namespace: &str,
        body: Value,
        options: &WriteOptions,
    ) -> ApiResult<Arc<Value>> {
        require_object(&body)?;
        let mut state = self.store.lock();
        let target = Target {
            namespace,
            name: None,
        };
        let new = prepare(&mut state, rtype, &target, None, body, Subresource::Main)?;
        let id = (scoped(rtype, namespace), meta::name(&new).to_owned());
        if state.get(&resource_id(rtype), &id).is_some() {
            return Err(ApiError::already_exists(&rtype.group, &rtype.plural, &id.1));
        }
        let new = managed::record_update(
            &rtype.group,
            &rtype.kind,
            &rtype.api_version(),
            None,
            &new,
            &options.manager,
            None,
            &meta::now(),
        );
        commit(&mut state, rtype, new, options.dry_run)
    }

    pub fn update(
        &self,
        rtype: &ResourceType,
        namespace: &str,
        name: &str,
        body: Value,
        subresource: Subresource,
        options: &WriteOptions,
    ) -> ApiResult<Arc<Value>> {
        require_object(&body)?;
        let mut state = self.store.lock();
        let old = stored(&state, rtype, namespace, name)?;
        check_precondition(rtype, &old, &body)?;
        let target = Target {
            namespace,
            name: Some(name),
        };
        let new = prepare(&mut state, rtype, &target, Some(&old), body, subresource)?;
        self.finish_update(&mut state, rtype, &old, new, subresource, options)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn patch(
        &self,
        rtype: &ResourceType,
        namespace: &str,
        name: &str,
        kind: PatchKind,
        patch: Value,
        subresource: Subresource,
        options: &WriteOptions,
    ) -> ApiResult<Arc<Value>> {
        if let PatchKind::Apply { force } = kind {
            return self.apply(rtype, namespace, name, patch, force, subresource, options);
        }
        let mut state = self.store.lock();
        let old = stored(&state, rtype, namespace, name)?;
        let patched = patch_document(rtype, &old, kind, &patch)?;
        check_precondition(rtype, &old, &patched)?;
        let target = Target {
            namespace,
            name: Some(name),
        };
        let new = prepare(&mut state, rtype, &target, Some(&old), patched, subresource)?;
        self.finish_update(&mut state, rtype, &old, new, subresource, options)
    }

    /// Server-side apply: creates when absent, merges and tracks ownership otherwise.
    #[allow(clippy::too_many_arguments)]
    fn apply(
        &self,
        rtype: &ResourceType,
        namespace: &str,
        name: &str,
        mut config: Value,
        force: bool,
        subresource: Subresource,
        options: &WriteOptions,
    ) -> ApiResult<Arc<Value>> {
        require_object(&config)?;
        if rtype.subresources.status
            && subresource == Subresource::Main
            && let Some(map) = config.as_object_mut()
        {
            map.remove("status");
        }
        let mut state = self.store.lock();
        let old = state
            .get(
                &resource_id(rtype),
                &(scoped(rtype, namespace), name.to_owned()),
            )
            .map(|o| (*o).clone());
        let api_version = rtype.api_version();
        let merged = managed::apply(
            &rtype.group,
            &rtype.kind,
            &api_version,
            old.as_ref(),
            &config,
            &options.manager,
            force,
            &meta::now(),
        )
        .map_err(|error| apply_error(rtype, name, error))?;
        let target = Target {
            namespace,
            name: Some(name),
        };
        match old {
            None if subresource == Subresource::Status => {
                Err(ApiError::not_found(&rtype.group, &rtype.plural, name))
            }
            None => {
                let new = prepare(&mut state, rtype, &target, None, merged, Subresource::Main)?;
                commit(&mut state, rtype, new, options.dry_run)
            }
            Some(old) => {
                let mut new = prepare(&mut state, rtype, &target, Some(&old), merged, subresource)?;
                if subresource == Subresource::Status {
                    // The status write kept the stored metadata; the new ownership
                    // still has to be recorded.
                    let managed = managed::apply(
                        &rtype.group,
                        &rtype.kind,
                        &api_version,
                        Some(&old),
                        &config,
                        &options.manager,
                        force,
                        &meta::now(),
                    )
                    .map_err(|error| apply_error(rtype, name, error))?;
                    if let Some(fields) = managed.pointer("/metadata/managedFields") {
                        meta::metadata_mut(&mut new).insert("managedFields".into(), fields.clone());
                    }
                }
                // Ownership is part of an apply: a change of managers alone is stored.
                if same_ignoring_version(&old, &new) {
                    return Ok(Arc::new(old));
                }
                finish(&mut state, rtype, new, options.dry_run)
            }
        }
    }

    fn finish_update(
        &self,
        state: &mut State,
        rtype: &ResourceType,
        old: &Value,
        new: Value,
        subresource: Subresource,
        options: &WriteOptions,
    ) -> ApiResult<Arc<Value>> {
        if unchanged(old, &new) {
            return Ok(Arc::new(old.clone()));
        }
        let new = managed::record_update(
            &rtype.group,
            &rtype.kind,
            &rtype.api_version(),
            Some(old),
            &new,
            &options.manager,
            subresource.managed_name(),
            &meta::now(),
        );
        finish(state, rtype, new, options.dry_run)
    }

    pub fn delete(
        &self,
        rtype: &ResourceType,
        namespace: &str,
        name: &str,
        options: &DeleteOptions,
    ) -> ApiResult<Deleted> {
        if rtype.group.is_empty()
            && rtype.kind == "Namespace"
            && PROTECTED_NAMESPACES.contains(&name)
        {
            return Err(ApiError::new(
                Reason::Forbidden,
                format!("namespaces {name:?} is forbidden: this namespace may not be deleted"),
            )
            .on("", "namespaces", name));
        }
        let mut state = self.store.lock();
        let old = stored(&state, rtype, namespace, name)?;
        if let Some(uid) = &options.precondition_uid
            && uid != meta::uid(&old)
        {
            return Err(ApiError::new(
                Reason::Conflict,
                format!(
                    "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                    meta::uid(&old)
                ),
            ));
        }
        if let Some(rv) = &options.precondition_resource_version
            && Some(rv.as_str()) != meta::str_field(&old, "/metadata/resourceVersion")
        {
            return Err(ApiError::modified(&rtype.group, &rtype.plural, name));
        }
        let has_finalizers = old
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|f| !f.is_empty());
        let graceful_pod =
            rtype.group.is_empty() && rtype.kind == "Pod" && options.grace_period != Some(0);
        // Namespaces terminate: their contents go first (the namespace controller).
        let is_namespace = rtype.group.is_empty() && rtype.kind == "Namespace";
        if has_finalizers || graceful_pod || is_namespace {
            if old.pointer("/metadata/deletionTimestamp").is_some() {
                return Ok(Deleted::Terminating(Arc::new(old)));
            }
            let mut terminating = old.clone();
            let grace = options
                .grace_period
                .unwrap_or(if graceful_pod { 30 } else { 0 })
                .clamp(0, MAX_GRACE_SECONDS);
            let at = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(grace);
            let metadata = meta::metadata_mut(&mut terminating);
            metadata.insert("deletionTimestamp".into(), meta::timestamp(at).into());
            metadata.insert("deletionGracePeriodSeconds".into(), grace.into());
            if is_namespace {
                terminating["status"] = serde_json::json!({"phase": "Terminating"});
            }
            let stored = if options.dry_run {
                Arc::new(terminating)
            } else {
                state.put(&resource_id(rtype), terminating)
            };
            return Ok(Deleted::Terminating(stored));
        }
        if options.dry_run {
            return Ok(Deleted::Gone(Arc::new(old)));
        }
        let id = (scoped(rtype, namespace), name.to_owned());
        remove_cascade(&mut state, rtype, &id, options.propagation)
            .map(Deleted::Gone)
            .ok_or_else(|| ApiError::not_found(&rtype.group, &rtype.plural, name))
    }
}

fn same_ignoring_version(old: &Value, new: &Value) -> bool {
    let strip = |object: &Value| {
        let mut copy = object.clone();
        if let Some(meta) = copy.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("resourceVersion");
        }
        copy
    };
    strip(old) == strip(new)
}

fn stored(state: &State, rtype: &ResourceType, namespace: &str, name: &str) -> ApiResult<Value> {
    state
        .get(
            &resource_id(rtype),
            &(scoped(rtype, namespace), name.to_owned()),
        )
        .map(|o| (*o).clone())
        .ok_or_else(|| ApiError::not_found(&rtype.group, &rtype.plural, name))
}

fn patch_document(
    rtype: &ResourceType,
    old: &Value,
    kind: PatchKind,
    patch: &Value,
) -> ApiResult<Value> {
    let mut document = old.clone();
    match kind {
        PatchKind::Merge => {
            require_object(patch)?;
            json_patch::merge(&mut document, patch);
        }
        PatchKind::Json => {
            let operations: json_patch::Patch = serde_json::from_value(patch.clone())
                .map_err(|e| ApiError::bad_request(format!("invalid JSON patch: {e}")))?;
            json_patch::patch(&mut document, &operations).map_err(|e| {
                ApiError::new(
                    Reason::Invalid,
                    format!("the JSON patch could not be applied: {e}"),
                )
                .on(&rtype.group, &rtype.plural, meta::name(old))
            })?;
        }
        PatchKind::Strategic => {
            if !rtype.strategic {
                return Err(ApiError::new(
                    Reason::UnsupportedMediaType,
                    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
                ));
            }
            require_object(patch)?;
            document = strategic::strategic_merge(&rtype.group, &rtype.kind, old, patch)
                .map_err(|e| ApiError::bad_request(e.to_string()))?;
        }
        PatchKind::Apply { .. } => {
            return Err(ApiError::internal("apply patches are handled by apply"));
        }
    }
    Ok(document)
}

fn apply_error(rtype: &ResourceType, name: &str, error: managed::ApplyError) -> ApiError {
    let message = error.to_string();
    match error {
        managed::ApplyError::Conflict(conflicts) => {
            let causes = conflicts
                .iter()
                .map(|c| Cause {
                    reason: "FieldManagerConflict".into(),
                    message: format!("conflict with {}", c.manager_description()),
                    field: c.field.clone(),
                })
                .collect();
            ApiError::new(Reason::Conflict, message)
                .on(&rtype.group, &rtype.plural, name)
                .with_causes(causes)
        }
        _ => ApiError::bad_request(message).on(&rtype.group, &rtype.plural, name),
    }
}

/// Stores a new or changed object; an object whose deletion was waiting on
/// finalizers goes once the last one is removed.
fn finish(
    state: &mut State,
    rtype: &ResourceType,
    new: Value,
    dry_run: bool,
) -> ApiResult<Arc<Value>> {
    let terminating = new.pointer("/metadata/deletionTimestamp").is_some();
    let finalized = new
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_none_or(|f| f.is_empty());
    let is_pod = rtype.group.is_empty() && rtype.kind == "Pod";
    if terminating && finalized && !is_pod && !dry_run {
        let id = (
            meta::namespace(&new).to_owned(),
            meta::name(&new).to_owned(),
        );
        return remove_cascade(state, rtype, &id, Propagation::Background)
            .ok_or_else(|| ApiError::not_found(&rtype.group, &rtype.plural, &id.1));
    }
    commit(state, rtype, new, dry_run)
}

fn commit(
    state: &mut State,
    rtype: &ResourceType,
    new: Value,
    dry_run: bool,
) -> ApiResult<Arc<Value>> {
    if dry_run {
        return Ok(Arc::new(new));
    }
    if rtype.group == "apiextensions.k8s.io" && rtype.kind == "CustomResourceDefinition" {
        state
            .registry
            .register_crd(&new)
            .map_err(ApiError::bad_request)?;
    }
    Ok(state.put(&resource_id(rtype), new))
}

/// Removes an object and, unless orphaning, everything it owns; a namespace takes its
/// contents, a CRD its custom objects.
impl Api {
    /// Removes a terminating namespace and everything in it, as the namespace
    /// controller does once its contents are gone.
    pub fn finalize_namespace(&self, name: &str) {
        let mut state = self.store.lock();
        if let Some(rtype) = state.registry.by_kind("", "Namespace") {
            remove_cascade(
                &mut state,
                &rtype,
                &(String::new(), name.to_owned()),
                Propagation::Background,
            );
        }
    }
}

pub fn remove_cascade(
    state: &mut State,
    rtype: &ResourceType,
    id: &ObjectId,
    propagation: Propagation,
) -> Option<Arc<Value>> {
    let removed = state.remove(&resource_id(rtype), id)?;
    match (rtype.group.as_str(), rtype.kind.as_str()) {
        ("", "Namespace") => {
            for resource in state.resources() {
                for object in state.list(&resource, Some(&id.1)) {
                    state.remove(&resource, &(id.1.clone(), meta::name(&object).to_owned()));
                }
            }
        }
        ("apiextensions.k8s.io", "CustomResourceDefinition") => {
            state.registry.unregister_crd(&removed);
            let group = meta::str_field(&removed, "/spec/group").unwrap_or_default();
            let plural = meta::str_field(&removed, "/spec/names/plural").unwrap_or_default();
            let resource: ResourceId = (group.to_owned(), plural.to_owned());
            for object in state.list(&resource, None) {
                let object_id = (
                    meta::namespace(&object).to_owned(),
                    meta::name(&object).to_owned(),
                );
                state.remove(&resource, &object_id);
            }
        }
        _ => {}
    }
    let uid = meta::uid(&removed).to_owned();
    if !uid.is_empty() {
        release_dependents(state, &uid, propagation);
    }
    Some(removed)
}

/// Objects whose owner references name `uid`: deleted (background/foreground) or
/// left with the reference removed (orphan), as the garbage collector would.
fn release_dependents(state: &mut State, uid: &str, propagation: Propagation) {
    for resource in state.resources() {
        let dependents: Vec<Arc<Value>> = state
            .list(&resource, None)
            .into_iter()
            .filter(|o| meta::owner_uids(o).contains(&uid))
            .collect();
        for dependent in dependents {
            let id = (
                meta::namespace(&dependent).to_owned(),
                meta::name(&dependent).to_owned(),
            );
            if propagation == Propagation::Orphan {
                let mut orphan = (*dependent).clone();
                if let Some(refs) = orphan
                    .pointer_mut("/metadata/ownerReferences")
                    .and_then(Value::as_array_mut)
                {
                    refs.retain(|r| r.get("uid").and_then(Value::as_str) != Some(uid));
                }
                state.put(&resource, orphan);
            } else if let Some(removed) = state.remove(&resource, &id) {
                let dependent_uid = meta::uid(&removed).to_owned();
                if !dependent_uid.is_empty() {
                    release_dependents(state, &dependent_uid, propagation);
                }
            }
        }
    }
}
