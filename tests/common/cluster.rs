//! A sandbox per test and a real `kubectl` pointed at it, with its own cache
//! directory so tests never share discovery caches.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use driftdeck::sandbox::{Sandbox, SandboxOptions};
use tempfile::TempDir;

pub struct Cluster {
    pub sandbox: Sandbox,
    cache: TempDir,
}

impl Cluster {
    pub fn start() -> Self {
        Self::start_with(SandboxOptions::default())
    }

    pub fn start_with(options: SandboxOptions) -> Self {
        Self {
            sandbox: Sandbox::start_with(options).expect("sandbox starts"),
            cache: tempfile::tempdir().unwrap(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("kubectl");
        command
            .arg("--kubeconfig")
            .arg(self.sandbox.kubeconfig())
            .arg("--cache-dir")
            .arg(self.cache.path())
            .args(args)
            .env_remove("KUBECONFIG")
            .stdin(Stdio::null());
        command
    }

    /// Runs kubectl and returns its output, whatever the exit code.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .output()
            .expect("kubectl is on PATH (scripts/test.sh installs one)")
    }

    /// Runs kubectl, asserting success, and returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "kubectl {}: exit {:?}\nstdout: {}\nstderr: {}",
            args.join(" "),
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs kubectl with stdin from `input`.
    pub fn ok_with_input(&self, args: &[&str], input: &str) -> String {
        use std::io::Write;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "kubectl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs a long-lived kubectl (`get -w`, `logs -f`) for `duration`, then kills it
    /// and returns what it printed.
    pub fn bounded(&self, args: &[&str], duration: Duration) -> String {
        let mut child = self
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(duration);
        let _ = child.kill();
        let output = child.wait_with_output().unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Polls `check` until it returns true or `timeout` passes.
    pub fn eventually(&self, timeout: Duration, what: &str, mut check: impl FnMut(&Self) -> bool) {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if check(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("timed out after {timeout:?} waiting for {what}");
    }
}

/// Writes `files` (name, content) into a fresh directory.
pub fn manifests(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    dir
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

pub const WEB_APP: &str = r#"
apiVersion: v1
kind: Namespace
metadata:
  name: web
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: web
  labels: {app: web}
data:
  LOG_LEVEL: info
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
        env:
        - name: MODE
          value: blue
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: web
  labels: {app: web}
spec:
  selector: {app: web}
  ports:
  - port: 80
"#;

/// A `Manifest` from a JSON object, as the renderer would make it.
pub fn manifest(object: serde_json::Value) -> driftdeck::model::Manifest {
    use driftdeck::model::{Manifest, ResourceKey, SourceRef};
    let api_version = object["apiVersion"].as_str().unwrap().to_owned();
    let key = ResourceKey::new(
        ResourceKey::group_of(&api_version),
        object["kind"].as_str().unwrap(),
        object["metadata"]["namespace"].as_str().unwrap_or_default(),
        object["metadata"]["name"].as_str().unwrap(),
    );
    Manifest {
        key,
        api_version,
        object,
        source: SourceRef {
            file: "test.yaml".into(),
            document: 0,
            line: 1,
            item: None,
        },
    }
}
