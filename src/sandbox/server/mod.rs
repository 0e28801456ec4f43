//! The HTTP front of the sandbox: accepts connections on loopback (HTTP/1.1 and h2c),
//! checks the bearer token, injects configured faults, parses the path and hands
//! over to the discovery, resource, watch and log handlers.

mod body;
mod discovery;
mod logs;
mod openapi;
mod resources;
mod route;
mod watch;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use hyper::{Method, Request, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::watch as signal;

use super::api::Api;
use super::faults::Faults;
use super::status::{ApiError, Reason};
pub use body::HttpResponse;
use route::{Query, Route};

/// What every request handler can reach.
pub struct Context {
    pub api: Api,
    pub token: String,
    pub faults: Arc<Faults>,
    pub address: SocketAddr,
}

/// Serves until `shutdown` turns true.
pub async fn serve(
    listener: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    context: Arc<Context>,
    mut shutdown: signal::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => break,
        };
        let Ok((stream, _)) = accepted else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let context = context.clone();
        let acceptor = acceptor.clone();
        let mut connection_shutdown = shutdown.clone();
        tokio::spawn(async move {
            // A client that fails the handshake (wrong CA, plain HTTP) just goes.
            let Ok(stream) = acceptor.accept(stream).await else {
                return;
            };
            let service = hyper::service::service_fn(move |request| {
                let context = context.clone();
                async move { Ok::<_, Infallible>(handle(context, request).await) }
            });
            let builder = auto::Builder::new(TokioExecutor::new());
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = connection_shutdown.changed() => {}
            }
        });
    }
}

async fn handle(context: Arc<Context>, request: Request<hyper::body::Incoming>) -> HttpResponse {
    if !authorised(&context, &request) {
        return body::error(&ApiError::new(Reason::Unauthorized, "Unauthorized"));
    }
    let faults = context.faults.get();
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    let route = route::parse(request.uri().path());
    let query = Query::parse(request.uri().query());
    let is_watch = query.flag("watch");
    let is_discovery = !matches!(route, Route::Object(_));
    if !is_watch && !is_discovery && context.faults.roll_error(faults.error_rate) {
        return body::error(&ApiError::internal("injected fault: error rate"));
    }
    match route {
        Route::Version => body::json(StatusCode::OK, &discovery::version()),
        Route::Health => body::text(StatusCode::OK, "ok"),
        Route::CoreVersions => body::json(
            StatusCode::OK,
            &discovery::core_versions(&context.address.to_string()),
        ),
        Route::Groups => {
            let registry = context.api.store().lock().registry.clone();
            body::json(StatusCode::OK, &discovery::groups(&registry))
        }
        Route::Group(name) => {
            let registry = context.api.store().lock().registry.clone();
            match discovery::group(&registry, &name) {
                Some(group) => body::json(StatusCode::OK, &group),
                None => not_found(),
            }
        }
        Route::Resources { group, version } => {
            let registry = context.api.store().lock().registry.clone();
            match discovery::resources(&registry, &group, &version) {
                Some(list) => body::json(StatusCode::OK, &list),
                None => not_found(),
            }
        }
        Route::Object(path) => {
            match resources::handle(&context, &faults, path, query, request).await {
                Ok(response) => response,
                Err(error) => body::error(&error),
            }
        }
        Route::OpenApi(path) => {
            let registry = context.api.store().lock().registry.clone();
            let document = match path.as_str() {
                "" => Some(openapi::root(&registry)),
                gv => openapi::group_version(&registry, gv),
            };
            match document {
                Some(document) => body::json(StatusCode::OK, &document),
                None => not_found(),
            }
        }
        Route::Unknown => not_found(),
    }
}

fn not_found() -> HttpResponse {
    body::error(&ApiError::new(
        Reason::NotFound,
        "the server could not find the requested resource",
    ))
}

fn authorised(context: &Context, request: &Request<hyper::body::Incoming>) -> bool {
    let expected = format!("Bearer {}", context.token);
    request
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| constant_time_eq(v.as_bytes(), expected.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The field manager of a write: `fieldManager`, else the user agent's product
/// name (`kubectl/v1.32.0 (linux/amd64)` → `kubectl`), as the API server derives it.
fn field_manager(query: &Query, request: &Request<hyper::body::Incoming>) -> String {
    if let Some(manager) = query.get("fieldManager") {
        return manager.to_owned();
    }
    request
        .headers()
        .get(hyper::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .and_then(|agent| agent.split('/').next())
        .filter(|m| !m.is_empty())
        .unwrap_or("unknown")
        .to_owned()
}

fn method_not_allowed(method: &Method) -> ApiError {
    ApiError::new(
        Reason::MethodNotAllowed,
        format!("the server does not allow this method on the requested resource ({method})"),
    )
}
