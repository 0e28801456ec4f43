//! The kubeconfig a sandbox writes so that `kubectl --kubeconfig` and kube-rs reach
//! it: one cluster, one user with a random bearer token, one context.

use std::io::Write;
use std::path::Path;

/// The context (and cluster and user) name in the sandbox's kubeconfig.
pub const CONTEXT_NAME: &str = "driftdeck-sandbox";

/// A random 32-byte token, hex-encoded.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: the clock still gives a per-run token on loopback.
        bytes[..16].copy_from_slice(&jiff::Timestamp::now().as_nanosecond().to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn render(url: &str, token: &str, ca_pem: &str) -> String {
    use base64::Engine;
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: {CONTEXT_NAME}
  cluster:
    server: {url}
    certificate-authority-data: {ca}
users:
- name: {CONTEXT_NAME}
  user:
    token: {token}
contexts:
- name: {CONTEXT_NAME}
  context:
    cluster: {CONTEXT_NAME}
    user: {CONTEXT_NAME}
    namespace: default
current-context: {CONTEXT_NAME}
"
    )
}

/// Writes the kubeconfig readable by its owner only (it holds the token).
pub fn write(path: &Path, url: &str, token: &str, ca_pem: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(render(url, token, ca_pem).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubeconfig_names_the_context_and_token() {
        let text = render("https://127.0.0.1:1234", "abc", "PEM");
        let docs = crate::yaml::documents(&text).unwrap();
        let config = &docs[0].value;
        assert_eq!(config["current-context"], CONTEXT_NAME);
        assert_eq!(config["users"][0]["user"]["token"], "abc");
        assert_eq!(
            config["clusters"][0]["cluster"]["server"],
            "https://127.0.0.1:1234"
        );
        assert_eq!(
            config["clusters"][0]["cluster"]["certificate-authority-data"],
            "UEVN"
        );
        assert_eq!(new_token().len(), 64);
    }
}
