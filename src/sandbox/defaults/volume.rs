//! Defaults inside one pod volume.
//!
//! `SetDefaults_Volume` turns a volume with no source into an `emptyDir`; the
//! secret, configMap, downwardAPI and projected sources get file mode 0644 (420),
//! projected service-account tokens one hour, `hostPath` an explicit empty `type`,
//! and a generic ephemeral volume's claim template the claim defaults from
//! `storage`. The legacy in-tree plugins (rbd, iscsi, azureDisk, scaleIO) are left
//! out: they are removed or deprecated and nobody diffs them in Git.

use serde_json::Value;

use super::container::default_field_sources;
use super::fields::{Object, child, default_unset, each, embedded_metadata, existing};
use super::quantity::canonicalize;
use super::storage::default_claim_spec;

/// 0644, the mode the API server gives projected files when none is written.
const DEFAULT_MODE: u32 = 0o644;
/// One hour, `ServiceAccountTokenProjection.expirationSeconds`' default.
const TOKEN_SECONDS: u32 = 3600;

pub(super) fn default_volume(volume: &mut Object) {
    let has_source = volume
        .iter()
        .any(|(key, value)| key != "name" && !value.is_null());
    if !has_source {
        volume.insert("emptyDir".to_owned(), Value::Object(Object::new()));
    }
    for source in ["secret", "configMap", "downwardAPI", "projected"] {
        if let Some(source) = existing(volume, source) {
            default_unset(source, "defaultMode", DEFAULT_MODE);
        }
    }
    if let Some(downward) = existing(volume, "downwardAPI") {
        default_downward_items(downward);
    }
    if let Some(projected) = existing(volume, "projected") {
        for source in each(projected, "sources") {
            if let Some(token) = existing(source, "serviceAccountToken") {
                default_unset(token, "expirationSeconds", TOKEN_SECONDS);
            }
            if let Some(downward) = existing(source, "downwardAPI") {
                default_downward_items(downward);
            }
        }
    }
    if let Some(host_path) = existing(volume, "hostPath") {
        default_unset(host_path, "type", "");
    }
    if let Some(size) = existing(volume, "emptyDir").and_then(|e| e.get_mut("sizeLimit")) {
        canonicalize(size);
    }
    if let Some(template) =
        existing(volume, "ephemeral").and_then(|e| existing(e, "volumeClaimTemplate"))
    {
        embedded_metadata(template);
        if let Some(spec) = child(template, "spec") {
            default_claim_spec(spec);
        }
    }
}

fn default_downward_items(downward: &mut Object) {
    for item in each(downward, "items") {
        default_field_sources(item);
    }
}
