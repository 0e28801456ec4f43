//! The sandbox under load: 10,000 ConfigMaps in 10 namespaces, then get and list
//! throughput from concurrent clients over TLS, and the fan-out of changes to 50
//! watchers. The clients are kube-rs on the same machine (they share its cores).
//!
//! Figures (issue goal: at least 2,000 get/list requests per second on 2 cores):
//! - load: 10,000 creates, 16 concurrent clients;
//! - get: `GET …/configmaps/NAME` from 16 clients for `SECONDS`;
//! - list (page): `GET …/configmaps?limit=50` (one reflector page);
//! - list (namespace): a whole namespace (1,000 objects) per request;
//! - watch fan-out: 50 watchers on every namespace while 1,000 updates are made;
//!   the time until every watcher has received every update.
//!
//! Run: `cargo bench --bench sandbox`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use driftdeck::sandbox::{CONTEXT_NAME, Sandbox, SandboxOptions};
use futures_util::StreamExt;
use kube::Client;
use kube::config::{KubeConfigOptions, Kubeconfig};

const NAMESPACES: usize = 10;
const PER_NAMESPACE: usize = 1_000;
const CLIENTS: usize = 16;
const SECONDS: u64 = 5;
const WATCHERS: usize = 50;
const UPDATES: usize = 1_000;

fn main() {
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("sandbox bench: skipped (run `cargo bench --bench sandbox`)");
        return;
    }
    let sandbox = Sandbox::start_with(SandboxOptions {
        no_controllers: true,
        ..SandboxOptions::default()
    })
    .expect("sandbox starts");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(&sandbox));
}

async fn client(sandbox: &Sandbox) -> Client {
    let kubeconfig = Kubeconfig::read_from(sandbox.kubeconfig()).expect("kubeconfig");
    let options = KubeConfigOptions {
        context: Some(CONTEXT_NAME.into()),
        ..KubeConfigOptions::default()
    };
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .expect("config");
    Client::try_from(config).expect("client")
}

fn request(method: &str, uri: &str, body: Vec<u8>, content_type: &str) -> http::Request<Vec<u8>> {
    http::Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", content_type)
        .body(body)
        .expect("request")
}

async fn run(sandbox: &Sandbox) {
    let client = client(sandbox).await;
    let started = Instant::now();
    for n in 0..NAMESPACES {
        let body = format!(r#"{{"metadata":{{"name":"bench-{n}"}}}}"#).into_bytes();
        client
            .request_text(request(
                "POST",
                "/api/v1/namespaces",
                body,
                "application/json",
            ))
            .await
            .expect("namespace");
    }
    let next = Arc::new(AtomicU64::new(0));
    let total = (NAMESPACES * PER_NAMESPACE) as u64;
    let loaders: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let client = client.clone();
            let next = next.clone();
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        return;
                    }
                    let (ns, name) = (i as usize % NAMESPACES, i as usize / NAMESPACES);
                    let body = format!(
                        r#"{{"metadata":{{"name":"cm-{name}","labels":{{"shard":"{}"}}}},"data":{{"key":"value-{i}","other":"{}"}}}}"#,
                        name % 7,
                        "x".repeat(200)
                    )
                    .into_bytes();
                    client
                        .request_text(request(
                            "POST",
                            &format!("/api/v1/namespaces/bench-{ns}/configmaps"),
                            body,
                            "application/json",
                        ))
                        .await
                        .expect("create");
                }
            })
        })
        .collect();
    for loader in loaders {
        loader.await.expect("loader");
    }
    let load = started.elapsed();
    println!(
        "load: {total} creates in {:.2}s = {:.0}/s",
        load.as_secs_f64(),
        total as f64 / load.as_secs_f64()
    );

    let get = throughput(&client, |i| {
        format!(
            "/api/v1/namespaces/bench-{}/configmaps/cm-{}",
            i % NAMESPACES as u64,
            (i * 7919) % PER_NAMESPACE as u64
        )
    })
    .await;
    println!("get: {get:.0} requests/s ({CLIENTS} clients, {SECONDS}s)");
    let page = throughput(&client, |i| {
        format!(
            "/api/v1/namespaces/bench-{}/configmaps?limit=50",
            i % NAMESPACES as u64
        )
    })
    .await;
    println!("list (page of 50): {page:.0} requests/s");
    let whole = throughput(&client, |i| {
        format!(
            "/api/v1/namespaces/bench-{}/configmaps",
            i % NAMESPACES as u64
        )
    })
    .await;
    println!("list (namespace of {PER_NAMESPACE}): {whole:.0} requests/s");

    fan_out(&client).await;
}

/// Requests per second from `CLIENTS` concurrent clients over `SECONDS`.
async fn throughput(client: &Client, uri: impl Fn(u64) -> String + Send + Sync + 'static) -> f64 {
    let uri = Arc::new(uri);
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(SECONDS);
    let workers: Vec<_> = (0..CLIENTS as u64)
        .map(|worker| {
            let client = client.clone();
            let uri = uri.clone();
            let done = done.clone();
            tokio::spawn(async move {
                let mut i = worker;
                while Instant::now() < deadline {
                    client
                        .request_text(request("GET", &uri(i), Vec::new(), "application/json"))
                        .await
                        .expect("get");
                    done.fetch_add(1, Ordering::Relaxed);
                    i += CLIENTS as u64;
                }
            })
        })
        .collect();
    let start = Instant::now();
    for worker in workers {
        worker.await.expect("worker");
    }
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// 50 watchers on all ConfigMaps; 1,000 updates; time until all have them all.
async fn fan_out(client: &Client) {
    let received = Arc::new(AtomicU64::new(0));
    let rv = {
        let text = client
            .request_text(request(
                "GET",
                "/api/v1/configmaps?limit=1",
                Vec::new(),
                "application/json",
            ))
            .await
            .expect("list");
        let list: serde_json::Value = serde_json::from_str(&text).expect("json");
        list["metadata"]["resourceVersion"]
            .as_str()
            .unwrap_or("0")
            .to_owned()
    };
    let mut watchers = Vec::new();
    for _ in 0..WATCHERS {
        let client = client.clone();
        let received = received.clone();
        let uri = format!("/api/v1/configmaps?watch=true&resourceVersion={rv}");
        watchers.push(tokio::spawn(async move {
            let stream = client
                .request_stream(request("GET", &uri, Vec::new(), "application/json"))
                .await
                .expect("watch");
            let mut lines = tokio_util_lines(stream);
            let mut mine = 0;
            while let Some(line) = lines.next().await {
                if line.contains("\"MODIFIED\"") {
                    mine += 1;
                    received.fetch_add(1, Ordering::Relaxed);
                    if mine == UPDATES {
                        return;
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let start = Instant::now();
    for i in 0..UPDATES {
        let patch = format!(r#"{{"data":{{"key":"updated-{i}"}}}}"#).into_bytes();
        client
            .request_text(request(
                "PATCH",
                &format!(
                    "/api/v1/namespaces/bench-{}/configmaps/cm-{}",
                    i % NAMESPACES,
                    i / NAMESPACES
                ),
                patch,
                "application/merge-patch+json",
            ))
            .await
            .expect("patch");
    }
    let writes = start.elapsed();
    for watcher in watchers {
        let _ = tokio::time::timeout(Duration::from_secs(60), watcher).await;
    }
    let all = start.elapsed();
    let delivered = received.load(Ordering::Relaxed);
    println!(
        "watch fan-out: {UPDATES} updates in {:.2}s; {delivered} of {} events delivered to {WATCHERS} watchers in {:.2}s = {:.0} events/s",
        writes.as_secs_f64(),
        UPDATES * WATCHERS,
        all.as_secs_f64(),
        delivered as f64 / all.as_secs_f64()
    );
}

/// Splits a byte stream into lines.
fn tokio_util_lines(
    stream: impl futures_util::AsyncBufRead + Unpin + Send + 'static,
) -> impl futures_util::Stream<Item = String> + Unpin {
    use futures_util::AsyncBufReadExt;
    Box::pin(stream.lines().filter_map(|line| async move { line.ok() }))
}
