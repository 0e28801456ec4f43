//! Defaults inside one container: pull policy, termination message, ports, probes,
//! lifecycle hooks, env field references and resource quantities.
//!
//! These are the `SetDefaults_Container`, `SetDefaults_ContainerPort`,
//! `SetDefaults_Probe`, `SetDefaults_HTTPGetAction`, `SetDefaults_ObjectFieldSelector`
//! and `SetDefaults_ResourceList` rules, which apply alike to containers, init
//! containers and ephemeral containers, in Pods and in every pod template. The one
//! Pod-only rule (requests copied from limits) is a separate function because
//! templates must not get it.

use serde_json::Value;

use super::fields::{Object, child, default_zero, each, existing, is_zero, text};
use super::image::pull_policy;
use super::quantity::{canonicalize, canonicalize_list};

const PROBES: [&str; 3] = ["livenessProbe", "readinessProbe", "startupProbe"];
const HOOKS: [&str; 2] = ["postStart", "preStop"];

pub(super) fn default_container(container: &mut Object) {
    if is_zero(container.get("imagePullPolicy")) {
        let policy = pull_policy(text(container, "image"));
        container.insert("imagePullPolicy".to_owned(), policy.into());
    }
    default_zero(container, "terminationMessagePath", "/dev/termination-log");
    default_zero(container, "terminationMessagePolicy", "File");
    // `resources` is a struct embedded by value, so `resources: {}` always shows.
    if let Some(resources) = child(container, "resources") {
        for list in ["limits", "requests"] {
            if let Some(list) = existing(resources, list) {
                canonicalize_list(list);
            }
        }
    }
    for port in each(container, "ports") {
        default_zero(port, "protocol", "TCP");
    }
    for probe in PROBES {
        if let Some(probe) = existing(container, probe) {
            default_probe(probe);
        }
    }
    if let Some(lifecycle) = existing(container, "lifecycle") {
        for hook in HOOKS {
            if let Some(handler) = existing(lifecycle, hook) {
                default_http_get(handler);
            }
        }
    }
    for env in each(container, "env") {
        if let Some(source) = existing(env, "valueFrom") {
            default_field_sources(source);
        }
    }
}

/// `fieldRef.apiVersion` and `resourceFieldRef.divisor`, shared by env vars and
/// downward API volume items.
pub(super) fn default_field_sources(source: &mut Object) {
    if let Some(field) = existing(source, "fieldRef") {
        default_zero(field, "apiVersion", "v1");
    }
    if let Some(resource) = existing(source, "resourceFieldRef") {
        // A Quantity embedded by value: its zero serialises as "0".
        match resource.get_mut("divisor") {
            None | Some(Value::Null) => {
                resource.insert("divisor".to_owned(), "0".into());
            }
            Some(divisor) => canonicalize(divisor),
        }
    }
}

/// Pods only (`SetDefaults_Pod`): a resource with a limit but no request gets the
/// limit as its request. Templates keep what was written.
pub(super) fn copy_limits_to_requests(container: &mut Object) {
    let Some(resources) = existing(container, "resources") else {
        return;
    };
    let Some(limits) = resources.get("limits").and_then(Value::as_object).cloned() else {
        return;
    };
    if limits.is_empty() {
        return;
    }
    let Some(requests) = child(resources, "requests") else {
        return;
    };
    for (name, limit) in limits {
        requests.entry(name).or_insert(limit);
    }
}

fn default_probe(probe: &mut Object) {
    // Plain int32 fields: an explicit 0 is replaced as well.
    default_zero(probe, "timeoutSeconds", 1);
    default_zero(probe, "periodSeconds", 10);
    default_zero(probe, "successThreshold", 1);
    default_zero(probe, "failureThreshold", 3);
    default_http_get(probe);
}

fn default_http_get(handler: &mut Object) {
    if let Some(http_get) = existing(handler, "httpGet") {
        default_zero(http_get, "scheme", "HTTP");
    }
}
