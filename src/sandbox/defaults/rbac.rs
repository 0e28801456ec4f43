//! `rbac.authorization.k8s.io/v1` defaults: the API groups of role references and
//! subjects (`SetDefaults_RoleBinding`, `SetDefaults_ClusterRoleBinding`,
//! `SetDefaults_Subject`). Roles and ClusterRoles have none.

use super::fields::{Object, default_zero, each, existing, text};

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// For RoleBinding and ClusterRoleBinding alike.
pub(super) fn default_binding(binding: &mut Object) {
    if let Some(role_ref) = existing(binding, "roleRef") {
        default_zero(role_ref, "apiGroup", RBAC_GROUP);
    }
    for subject in each(binding, "subjects") {
        // ServiceAccount subjects are core-group, whose name is "": nothing to add.
        if matches!(text(subject, "kind"), "User" | "Group") {
            default_zero(subject, "apiGroup", RBAC_GROUP);
        }
    }
}
