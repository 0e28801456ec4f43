//! `driftdeck sandbox` as a user runs it: flags, the printed kubeconfig, faults from
//! flags, and the state file written at exit.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn the_command_serves_until_interrupted_and_saves_its_state() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    let state = dir.path().join("state.json");
    let mut sandbox = Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .args(["sandbox", "--port", "0", "--forbid", "secrets"])
        .arg("--kubeconfig-out")
        .arg(&kubeconfig)
        .arg("--state")
        .arg(&state)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(sandbox.stdout.take().unwrap());
    let mut printed = String::new();
    while !printed.contains("press Ctrl-C") {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "the sandbox exited early: {printed}"
        );
        printed.push_str(&line);
    }
    assert!(
        printed.contains("listening on https://127.0.0.1:"),
        "{printed}"
    );
    assert!(
        printed.contains(&kubeconfig.display().to_string()),
        "{printed}"
    );
    let kubectl = |args: &[&str]| {
        Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .arg("--cache-dir")
            .arg(dir.path().join("cache"))
            .args(args)
            .env_remove("KUBECONFIG")
            .output()
            .unwrap()
    };
    let forbidden = kubectl(&["get", "secrets"]);
    assert!(!forbidden.status.success());
    let message = String::from_utf8_lossy(&forbidden.stderr);
    assert!(
        message.contains("Forbidden") || message.contains("forbidden"),
        "{message}"
    );
    let config_map = dir.path().join("cm.yaml");
    std::fs::write(
        &config_map,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: survivor}\ndata: {a: b}\n",
    )
    .unwrap();
    assert!(
        kubectl(&["apply", "-f", config_map.to_str().unwrap()])
            .status
            .success()
    );
    let pid = sandbox.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = sandbox.wait().unwrap();
    assert!(status.success(), "exit after SIGTERM: {status:?}");
    let saved = std::fs::read_to_string(&state).unwrap();
    assert!(
        saved.contains("\"survivor\""),
        "the state file holds the ConfigMap"
    );
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .args(["sandbox", "--port", &port])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
    assert!(stderr.contains("hint:"), "{stderr}");
}
