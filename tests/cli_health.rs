//! `driftdeck health -f`: every object in a file assessed, as a table or JSON.

use std::process::Command;

#[test]
fn health_of_a_file_as_table_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("objects.yaml");
    let crash = std::fs::read_to_string("tests/fixtures/health/pod-crashloopbackoff.yaml").unwrap();
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: web}\n";
    std::fs::write(&file, format!("{cm}---\n{crash}")).unwrap();
    let table = Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .args(["health", "-f"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(table.status.success());
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("core/ConfigMap/web/settings") && text.contains("Healthy"),
        "{text}"
    );
    assert!(
        text.contains("CrashLoopBackOff") && text.contains("overall: Degraded"),
        "{text}"
    );
    let json = Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .args(["health", "-o", "json", "-f"])
        .arg(&file)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["overall"], "Degraded");
    assert_eq!(report["resources"].as_array().unwrap().len(), 2);
    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, "kind: [unclosed").unwrap();
    let error = Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .args(["health", "-f"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(error.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&error.stderr).contains("broken.yaml"));
}
