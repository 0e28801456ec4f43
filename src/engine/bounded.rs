//! Running independent futures together, at most so many at a time, with results in
//! their original order (dry runs of an app's objects, reads of its kinds).
//!
//! Built from `join_all` and a semaphore rather than `buffered` streams: a stream
//! holding a closure over borrowed data makes the enclosing future fail rustc's
//! `Send` check when it is spawned (rust-lang/rust#102211).

use std::future::Future;

use tokio::sync::Semaphore;

/// Awaits every future, at most `limit` at once; the results in input order.
pub async fn bounded<T>(futures: Vec<impl Future<Output = T>>, limit: usize) -> Vec<T> {
    let permits = Semaphore::new(limit.max(1));
    let permits = &permits;
    let gated: Vec<_> = futures
        .into_iter()
        .map(|future| async move {
            // The semaphore is never closed, so acquiring cannot fail.
            let _permit = permits.acquire().await.ok();
            future.await
        })
        .collect();
    futures_util::future::join_all(gated).await
}
