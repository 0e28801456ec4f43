//! The small controllers: a `default` ServiceAccount per namespace, node status,
//! Endpoints for Services with selectors, PVC binding, HPA status (and its replica
//! bounds), and load-balancer addresses for Ingresses and LoadBalancer Services.

use std::sync::Arc;

use serde_json::{Value, json};

use super::super::api::meta;
use super::super::seed::{self, NODES};
use super::super::selector::LabelSelector;
use super::context::{Ctl, int_at, is_terminating, pod_ready};

const MANAGER: &str = "kube-controller-manager";
/// The address the sandbox's pretend load balancer hands out.
const LOAD_BALANCER_IP: &str = "172.18.0.100";

/// How long a deleted namespace shows as Terminating before it and its contents go.
const NAMESPACE_TERMINATION: jiff::SignedDuration = jiff::SignedDuration::from_secs(1);

pub fn namespaces(ctl: &Ctl) {
    let accounts = ctl.list("", "ServiceAccount");
    for namespace in ctl.list("", "Namespace") {
        let name = meta::name(&namespace);
        if let Some(since) = super::context::time_at(&namespace, "/metadata/deletionTimestamp") {
            if ctl.since(since) >= NAMESPACE_TERMINATION {
                ctl.api.finalize_namespace(name);
            }
            continue;
        }
        let has_default = accounts
            .iter()
            .any(|a| meta::namespace(a) == name && meta::name(a) == "default");
        if !has_default && !is_terminating(&namespace) {
            ctl.create(
                "",
                "ServiceAccount",
                json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": name}}),
                MANAGER,
            );
        }
    }
}

pub fn nodes(ctl: &Ctl) {
    for node in ctl.list("", "Node") {
        if node.pointer("/status/nodeInfo").is_none() {
            let index = NODES
                .iter()
                .position(|n| *n == meta::name(&node))
                .unwrap_or(0);
            ctl.set_status(&node, seed::node_status(index, &ctl.now_text()), "kubelet");
        }
    }
}

pub fn endpoints(ctl: &Ctl) {
    let pods = ctl.list("", "Pod");
    let services = ctl.list("", "Service");
    // Endpoints this controller made go with their Service.
    for endpoints in ctl.list("", "Endpoints") {
        let orphaned = !services.iter().any(|s| {
            meta::namespace(s) == meta::namespace(&endpoints)
                && meta::name(s) == meta::name(&endpoints)
        });
        let ours = endpoints
            .pointer("/metadata/managedFields")
            .and_then(Value::as_array)
            .is_some_and(|m| {
                m.iter().any(|e| {
                    e.get("manager").and_then(Value::as_str) == Some("endpoint-controller")
                })
            });
        if orphaned && ours {
            ctl.delete(&endpoints);
        }
    }
    for service in services {
        let Some(selector) = service.pointer("/spec/selector").and_then(Value::as_object) else {
            continue;
        };
        let selector =
            LabelSelector::from_spec(&json!({"matchLabels": selector})).unwrap_or_default();
        if selector.is_empty() {
            continue;
        }
        let namespace = meta::namespace(&service);
        let members: Vec<&Arc<Value>> = pods
            .iter()
            .filter(|p| {
                meta::namespace(p) == namespace && selector.matches(p) && !is_terminating(p)
            })
            .filter(|p| p.pointer("/status/podIP").is_some())
            .collect();
        let address = |pod: &Value| {
            json!({
                "ip": pod.pointer("/status/podIP").cloned().unwrap_or(Value::Null),
                "nodeName": pod.pointer("/spec/nodeName").cloned().unwrap_or(Value::Null),
                "targetRef": {"kind": "Pod", "namespace": namespace, "name": meta::name(pod), "uid": meta::uid(pod)},
            })
        };
        let ready: Vec<Value> = members
            .iter()
            .filter(|p| pod_ready(p))
            .map(|p| address(p))
            .collect();
        let not_ready: Vec<Value> = members
            .iter()
            .filter(|p| !pod_ready(p))
            .map(|p| address(p))
            .collect();
        let ports: Vec<Value> = service
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .map(|ports| {
                ports
                    .iter()
                    .map(|p| {
                        let mut port = json!({
                            "port": p.get("targetPort").filter(|t| t.is_number()).or(p.get("port")).cloned().unwrap_or(Value::Null),
                            "protocol": p.get("protocol").cloned().unwrap_or(json!("TCP")),
                        });
                        if let Some(name) = p.get("name") {
                            port["name"] = name.clone();
                        }
                        port
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut subset = json!({"ports": ports});
        if !ready.is_empty() {
            subset["addresses"] = Value::Array(ready);
        }
        if !not_ready.is_empty() {
            subset["notReadyAddresses"] = Value::Array(not_ready);
        }
        let subsets = if members.is_empty() {
            json!([])
        } else {
            json!([subset])
        };
        let name = meta::name(&service);
        match ctl.get("", "Endpoints", namespace, name) {
            Some(existing) if existing.get("subsets") == Some(&subsets) => {}
            Some(existing) => {
                let mut updated = (*existing).clone();
                updated["subsets"] = subsets;
                ctl.update(updated, "endpoint-controller");
            }
            None => {
                let labels = service
                    .pointer("/metadata/labels")
                    .cloned()
                    .unwrap_or(json!({}));
                ctl.create(
                    "",
                    "Endpoints",
                    json!({"apiVersion": "v1", "kind": "Endpoints",
                           "metadata": {"name": name, "namespace": namespace, "labels": labels},
                           "subsets": subsets}),
                    "endpoint-controller",
                );
            }
        }
    }
}

pub fn volume_claims(ctl: &Ctl) {
    for claim in ctl.list("", "PersistentVolumeClaim") {
        if meta::str_field(&claim, "/status/phase") == Some("Bound") {
            continue;
        }
        let mut bound = (*claim).clone();
        let volume = format!("pvc-{}", meta::uid(&claim));
        bound["spec"]["volumeName"] = volume.into();
        bound["spec"]["storageClassName"] = claim
            .pointer("/spec/storageClassName")
            .cloned()
            .unwrap_or(json!("standard"));
        bound["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] = "yes".into();
        bound["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] = "yes".into();
        let Some(bound) = ctl.update(bound, "kube-controller-manager") else {
            continue;
        };
        let storage = claim
            .pointer("/spec/resources/requests/storage")
            .cloned()
            .unwrap_or(json!("1Gi"));
        let modes = claim
            .pointer("/spec/accessModes")
            .cloned()
            .unwrap_or(json!(["ReadWriteOnce"]));
        ctl.set_status(
            &bound,
            json!({"phase": "Bound", "accessModes": modes, "capacity": {"storage": storage}}),
            MANAGER,
        );
    }
}

pub fn autoscalers(ctl: &Ctl) {
    for hpa in ctl.list("autoscaling", "HorizontalPodAutoscaler") {
        let Some(kind) = hpa
            .pointer("/spec/scaleTargetRef/kind")
            .and_then(Value::as_str)
        else {
            continue;
        };
        let Some(name) = hpa
            .pointer("/spec/scaleTargetRef/name")
            .and_then(Value::as_str)
        else {
            continue;
        };
        let group = hpa
            .pointer("/spec/scaleTargetRef/apiVersion")
            .and_then(Value::as_str)
            .map(|v| crate::model::ResourceKey::group_of(v).to_owned())
            .unwrap_or_else(|| "apps".into());
        let now = ctl.now_text();
        let Some(target) = ctl.get(&group, kind, meta::namespace(&hpa), name) else {
            let since = hpa
                .pointer("/status/conditions/0/lastTransitionTime")
                .filter(|_| {
                    hpa.pointer("/status/conditions/0/reason")
                        .and_then(Value::as_str)
                        == Some("FailedGetScale")
                })
                .cloned()
                .unwrap_or_else(|| now.clone().into());
            let status = json!({"currentReplicas": 0, "desiredReplicas": 0, "conditions": [
                {"type": "AbleToScale", "status": "False", "reason": "FailedGetScale", "lastTransitionTime": since,
                 "message": format!("the HPA controller was unable to get the target's current scale: {} {name:?} not found", kind.to_lowercase())}]});
            ctl.set_status(&hpa, status, MANAGER);
            continue;
        };
        let current = int_at(&target, "/spec/replicas").unwrap_or(1);
        let min = int_at(&hpa, "/spec/minReplicas").unwrap_or(1);
        let max = int_at(&hpa, "/spec/maxReplicas").unwrap_or(current);
        let desired = current.clamp(min, max.max(min));
        if desired != current {
            let mut scaled = (*target).clone();
            scaled["spec"]["replicas"] = desired.into();
            if ctl.update(scaled, "horizontal-pod-autoscaler").is_some() {
                ctl.event(&hpa, false, "SuccessfulRescale", &format!("New size: {desired}; reason: Current number of replicas below Spec.MinReplicas"), "horizontal-pod-autoscaler");
            }
        }
        let keep = |kind: &str| {
            hpa.pointer("/status/conditions")
                .and_then(Value::as_array)
                .and_then(|cs| {
                    cs.iter()
                        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
                })
                .and_then(|c| c.get("lastTransitionTime").cloned())
                .unwrap_or_else(|| now.clone().into())
        };
        let status = json!({
            "currentReplicas": current,
            "desiredReplicas": desired,
            "currentMetrics": [],
            "conditions": [
                {"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale", "lastTransitionTime": keep("AbleToScale"),
                 "message": "recommended size matches current size"},
                {"type": "ScalingActive", "status": "True", "reason": "ValidMetricFound", "lastTransitionTime": keep("ScalingActive"),
                 "message": "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)"},
            ],
        });
        ctl.set_status(&hpa, status, MANAGER);
    }
}

pub fn load_balancers(ctl: &Ctl) {
    let address = json!({"loadBalancer": {"ingress": [{"ip": LOAD_BALANCER_IP}]}});
    for ingress in ctl.list("networking.k8s.io", "Ingress") {
        ctl.set_status(&ingress, address.clone(), "ingress-controller");
    }
    for service in ctl.list("", "Service") {
        let wanted = if meta::str_field(&service, "/spec/type") == Some("LoadBalancer") {
            address.clone()
        } else {
            json!({"loadBalancer": {}})
        };
        ctl.set_status(&service, wanted, "service-controller");
    }
}
