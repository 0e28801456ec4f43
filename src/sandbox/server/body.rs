//! Request bodies in (JSON or YAML, size-capped) and responses out (JSON objects,
//! `Status` errors, streams).

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::Frame;
use hyper::{Response, StatusCode};
use serde_json::Value;
use tokio::sync::mpsc;

use super::super::status::{ApiError, ApiResult, Reason};

pub type Body = BoxBody<Bytes, Infallible>;
pub type HttpResponse = Response<Body>;

/// The API server's request size limit (etcd's object limit is about the same).
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

pub fn json(status: StatusCode, value: &Value) -> HttpResponse {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    bytes_response(status, "application/json", Bytes::from(bytes))
}

pub fn text(status: StatusCode, body: impl Into<Bytes>) -> HttpResponse {
    bytes_response(status, "text/plain; charset=utf-8", body.into())
}

fn bytes_response(status: StatusCode, content_type: &str, bytes: Bytes) -> HttpResponse {
    let mut response = Response::new(Full::new(bytes).boxed());
    *response.status_mut() = status;
    if let Ok(value) = content_type.parse() {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

pub fn error(error: &ApiError) -> HttpResponse {
    let status =
        StatusCode::from_u16(error.reason.code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json(status, &error.to_status())
}

/// A streamed response fed by a channel; the stream ends when the sender is dropped.
pub fn stream(content_type: &str, receiver: mpsc::Receiver<Bytes>) -> HttpResponse {
    let frames = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver
            .recv()
            .await
            .map(|bytes| (Ok::<_, Infallible>(Frame::data(bytes)), receiver))
    });
    let mut response = Response::new(BodyExt::boxed(StreamBody::new(frames)));
    if let Ok(value) = content_type.parse() {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

/// Reads the whole body, refusing more than [`MAX_BODY_BYTES`].
pub async fn read(body: hyper::body::Incoming) -> ApiResult<Bytes> {
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => Err(ApiError::new(
            Reason::RequestEntityTooLarge,
            "the request body is too large: limit is 3 MiB",
        )),
        Err(error) => Err(ApiError::bad_request(format!(
            "reading the request body: {error}"
        ))),
    }
}

/// Decodes a body as JSON, or YAML where the content type allows it.
pub fn decode(bytes: &[u8], content_type: &str) -> ApiResult<Value> {
    if bytes.is_empty() {
        return Err(ApiError::bad_request("the request body is empty"));
    }
    if content_type.contains("protobuf") || content_type.contains("cbor") {
        return Err(ApiError::new(
            Reason::UnsupportedMediaType,
            format!(
                "the sandbox accepts JSON and YAML bodies only, not {content_type}; kubectl's typed generators (kubectl create deployment, create configmap, run, expose) send protobuf: use `kubectl create ... --dry-run=client -o yaml | kubectl apply -f -`"
            ),
        ));
    }
    match serde_json::from_slice(bytes) {
        Ok(value) => Ok(value),
        Err(json_error) if content_type.contains("yaml") => {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| ApiError::bad_request("the YAML body is not UTF-8"))?;
            let documents = crate::yaml::documents(text)
                .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?;
            match documents.as_slice() {
                [one] => Ok(one.value.clone()),
                _ => Err(ApiError::bad_request(format!(
                    "expected one YAML document, found {} (JSON error: {json_error})",
                    documents.len()
                ))),
            }
        }
        Err(json_error) => Err(ApiError::bad_request(format!(
            "error decoding the request body as JSON: {json_error}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_decode_as_json_or_yaml() {
        assert_eq!(decode(br#"{"a":1}"#, "application/json").unwrap()["a"], 1);
        let yaml = decode(b"a: 1\nb: [x]\n", "application/apply-patch+yaml").unwrap();
        assert_eq!(yaml["b"][0], "x");
        assert!(decode(b"a: 1", "application/json").is_err());
        assert!(decode(b"", "application/json").is_err());
    }
}
