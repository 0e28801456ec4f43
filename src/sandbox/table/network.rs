//! Printers for the service-network kinds: Service (TYPE, CLUSTER-IP, EXTERNAL-IP,
//! PORT(S)), Endpoints (the first three `ip:port` pairs) and Ingress (CLASS,
//! HOSTS, ADDRESS, PORTS).

use serde_json::Value;

use super::format::{join_strings, labels, load_balancer, none_if_empty};
use super::view::{View, field};
use super::{AGE, Column, NAME, Printer};

pub const SERVICE: Printer = Printer {
    columns: &[
        NAME,
        Column::new(
            "Type",
            "string",
            "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.",
        ),
        Column::new(
            "Cluster-IP",
            "string",
            "clusterIP is the IP address of the service and is usually assigned randomly.",
        ),
        Column::new(
            "External-IP",
            "string",
            "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.",
        ),
        Column::new(
            "Port(s)",
            "string",
            "The list of ports that are exposed by this service.",
        ),
        AGE,
        Column::wide(
            "Selector",
            "string",
            "Route service traffic to pods with label keys and values matching this selector.",
        ),
    ],
    row: |svc| {
        let type_ = match svc.str("/spec/type") {
            "" => "ClusterIP",
            type_ => type_,
        };
        let cluster_ip = svc
            .list("/spec/clusterIPs")
            .first()
            .and_then(Value::as_str)
            .unwrap_or_else(|| svc.str("/spec/clusterIP"));
        let cluster_ip = none_if_empty(cluster_ip.to_owned());
        vec![
            svc.name(),
            type_.into(),
            cluster_ip.into(),
            external_ip(svc, type_).into(),
            none_if_empty(ports(svc.list("/spec/ports"))).into(),
            svc.age(),
            labels(svc.at("/spec/selector")).into(),
        ]
        .into()
    },
};

/// `getServiceExternalIP`.
fn external_ip(svc: &View, type_: &str) -> String {
    let external = join_strings(svc.list("/spec/externalIPs"), ",");
    match type_ {
        "ClusterIP" | "NodePort" => none_if_empty(external),
        "LoadBalancer" => {
            let balancer = load_balancer(svc.at("/status/loadBalancer"));
            match (balancer.is_empty(), external.is_empty()) {
                (_, false) if !balancer.is_empty() => format!("{balancer},{external}"),
                (_, false) => external,
                (false, true) => balancer,
                (true, true) => "<pending>".to_owned(),
            }
        }
        "ExternalName" => svc.str("/spec/externalName").to_owned(),
        _ => "<unknown>".to_owned(),
    }
}

/// `makePortString`: `80/TCP`, or `80:30080/TCP` with a node port.
fn ports(ports: &[Value]) -> String {
    ports
        .iter()
        .map(|port| {
            let number = port.get("port").and_then(Value::as_i64).unwrap_or(0);
            let protocol = match field(port, "protocol") {
                "" => "TCP",
                protocol => protocol,
            };
            match port.get("nodePort").and_then(Value::as_i64).unwrap_or(0) {
                0 => format!("{number}/{protocol}"),
                node => format!("{number}:{node}/{protocol}"),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

pub const ENDPOINTS: Printer = Printer {
    columns: &[
        NAME,
        Column::new(
            "Endpoints",
            "string",
            "Endpoints is the list of endpoints in the service.",
        ),
        AGE,
    ],
    row: |ep| vec![ep.name(), endpoints(ep.list("/subsets")).into(), ep.age()].into(),
};

/// `formatEndpoints`: at most three `ip:port` pairs, then `+ N more...`.
fn endpoints(subsets: &[Value]) -> String {
    const MAX: usize = 3;
    if subsets.is_empty() {
        return "<none>".to_owned();
    }
    let mut shown: Vec<String> = Vec::new();
    let mut count = 0;
    for subset in subsets {
        let addresses: Vec<&str> = subset
            .get("addresses")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(|address| field(address, "ip")).collect())
            .unwrap_or_default();
        let ports = subset
            .get("ports")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if ports.is_empty() {
            // A headless service without ports lists bare addresses.
            count += addresses.len();
            shown.extend(addresses.iter().map(|ip| (*ip).to_owned()));
            continue;
        }
        for port in ports {
            let number = port.get("port").and_then(Value::as_i64).unwrap_or(0);
            count += addresses.len();
            shown.extend(addresses.iter().map(|ip| host_port(ip, number)));
        }
    }
    if count > MAX {
        shown.truncate(MAX);
        return format!("{} + {} more...", shown.join(","), count - MAX);
    }
    none_if_empty(shown.join(","))
}

/// Go's `net.JoinHostPort`: IPv6 addresses in brackets.
fn host_port(ip: &str, port: i64) -> String {
    if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    }
}

pub const INGRESS: Printer = Printer {
    columns: &[
        NAME,
        Column::new(
            "Class",
            "string",
            "The name of the IngressClass resource that should be used for this Ingress.",
        ),
        Column::new(
            "Hosts",
            "string",
            "Hosts that incoming requests are matched against before the ingress rule",
        ),
        Column::new(
            "Address",
            "string",
            "Address is a list containing ingress points for the load-balancer",
        ),
        Column::new("Ports", "string", "Ports of TLS configurations that open"),
        AGE,
    ],
    row: |ing| {
        let class = ing
            .at("/spec/ingressClassName")
            .and_then(Value::as_str)
            .unwrap_or("<none>");
        let ports = if ing.list("/spec/tls").is_empty() {
            "80"
        } else {
            "80, 443"
        };
        vec![
            ing.name(),
            class.into(),
            hosts(ing.list("/spec/rules")).into(),
            load_balancer(ing.at("/status/loadBalancer")).into(),
            ports.into(),
            ing.age(),
        ]
        .into()
    },
};

/// `formatHosts`: the first three hosts the rules name, `*` when none does; once
/// three are listed, any further rule counts as "more", named or not.
fn hosts(rules: &[Value]) -> String {
    const MAX: usize = 3;
    let mut hosts: Vec<&str> = Vec::new();
    let mut more = false;
    for rule in rules {
        more |= hosts.len() == MAX;
        let host = field(rule, "host");
        if !more && !host.is_empty() {
            hosts.push(host);
        }
    }
    if hosts.is_empty() {
        return "*".to_owned();
    }
    let text = hosts.join(",");
    if more {
        format!("{text} + {} more...", rules.len().saturating_sub(MAX))
    } else {
        text
    }
}
