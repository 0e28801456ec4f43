//! Fault injection, so tests can prove driftdeck copes with a slow, flaky or
//! locked-down cluster: added latency, a rate of 500 errors, 403 for chosen
//! resources, and watch connections that drop. Settable at start (flags) and at run
//! time (from Rust, through the sandbox handle).

use std::sync::{Mutex, RwLock};
use std::time::Duration;

/// What to inject. The default injects nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultConfig {
    /// Added to every request before it is handled.
    pub latency: Duration,
    /// The share of requests (0.0–1.0) answered with a 500 `InternalError`.
    /// Watches and discovery are spared so that clients can still start.
    pub error_rate: f64,
    /// Resources answered with 403 Forbidden: `deployments.apps`, `pods`,
    /// `deployments.apps/web` to forbid one namespace only, or `pods/` to forbid
    /// requests across all namespaces only (namespaced RBAC).
    pub forbidden: Vec<String>,
    /// Resources whose writes are answered with 500 InternalError, same forms as
    /// `forbidden` (reads and watches still work: a store that fails to write).
    pub failing_writes: Vec<String>,
    /// Watch streams are cut after this long (clients must re-watch).
    pub drop_watches_after: Option<Duration>,
}

impl FaultConfig {
    /// Whether a request for `qualified` (`deployments.apps`) in `namespace` is
    /// forbidden.
    pub fn forbids(&self, qualified: &str, namespace: Option<&str>) -> bool {
        matches_any(&self.forbidden, qualified, namespace)
    }

    /// Whether a write to `qualified` in `namespace` fails with a 500.
    pub fn fails_writes(&self, qualified: &str, namespace: Option<&str>) -> bool {
        matches_any(&self.failing_writes, qualified, namespace)
    }
}

/// `pods` matches every request for pods; `pods/NS` those in namespace NS; `pods/`
/// those across all namespaces (a user whose RBAC is namespaced).
fn matches_any(rules: &[String], qualified: &str, namespace: Option<&str>) -> bool {
    rules.iter().any(|rule| match rule.split_once('/') {
        Some((resource, "")) => resource == qualified && namespace.is_none(),
        Some((resource, ns)) => resource == qualified && namespace == Some(ns),
        None => rule == qualified,
    })
}

/// The live fault settings with a deterministic random source for the error rate.
pub struct Faults {
    config: RwLock<FaultConfig>,
    random: Mutex<u64>,
}

impl Faults {
    pub fn new(config: FaultConfig) -> Self {
        Self {
            config: RwLock::new(config),
            random: Mutex::new(0x5eed_d71f_7dec_0001),
        }
    }

    pub fn get(&self) -> FaultConfig {
        self.config
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub fn set(&self, config: FaultConfig) {
        *self
            .config
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = config;
    }

    /// Draws whether this request fails, at the configured rate.
    pub fn roll_error(&self, rate: f64) -> bool {
        if rate <= 0.0 {
            return false;
        }
        let mut state = self
            .random
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let draw = splitmix64(&mut state);
        (draw >> 11) as f64 / (1u64 << 53) as f64 <= rate
    }
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_rules_match_resources_and_namespaces() {
        let config = FaultConfig {
            forbidden: vec!["deployments.apps".into(), "secrets/prod".into()],
            ..FaultConfig::default()
        };
        assert!(config.forbids("deployments.apps", Some("any")));
        assert!(config.forbids("secrets", Some("prod")));
        assert!(!config.forbids("secrets", Some("dev")));
        assert!(!config.forbids("pods", None));
        let cluster_wide = FaultConfig {
            forbidden: vec!["configmaps/".into()],
            ..FaultConfig::default()
        };
        assert!(cluster_wide.forbids("configmaps", None));
        assert!(!cluster_wide.forbids("configmaps", Some("default")));
    }

    #[test]
    fn the_error_rate_is_honoured_roughly() {
        let faults = Faults::new(FaultConfig::default());
        let failures = (0..10_000).filter(|_| faults.roll_error(0.2)).count();
        assert!((1_700..2_300).contains(&failures), "{failures}");
        assert!(!(0..100).any(|_| faults.roll_error(0.0)));
    }
}
