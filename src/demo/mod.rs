//! `driftdeck demo`: a sample GitOps repository with a believable history and a
//! sandbox cluster brought into a state that shows every case — an app in sync and
//! healthy, one behind Git, one changed by hand, one crash-looping after a bad
//! commit (a rollback fixes it), one with objects missing; and every app's ledger
//! holds weeks of deploys before today's, so the activity screen has figures.
//! Everything runs in-process; nothing else needs to be installed (apps whose
//! renderer — helm, kustomize — is absent are left out, with a notice).

pub mod manifests;
mod past;
mod seed;
pub mod story;

use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::engine::clusters::Clusters;
use crate::error::{Classified, boxed};
use crate::git;
use crate::model::CommitId;
use crate::render::Tool;

pub use seed::seed;

/// The demo's repository, written.
pub struct Prepared {
    pub repo: PathBuf,
    pub config: Config,
    pub commits: Vec<CommitId>,
    pub story: story::Story,
    /// The clock the story was told against: its commits and past deploys are
    /// older.
    pub now: jiff::Timestamp,
    /// Why some apps were left out.
    pub notices: Vec<String>,
}

/// Whether the renderer a render kind needs is installed.
pub fn renderer_available(render: &str) -> bool {
    match render {
        "helm" => Tool::find("helm", "DRIFTDECK_HELM").is_some(),
        "kustomize" => {
            Tool::find("kustomize", "DRIFTDECK_KUSTOMIZE").is_some()
                || Tool::find("kubectl", "DRIFTDECK_KUBECTL").is_some()
        }
        _ => true,
    }
}

/// Writes the sample repository into `dir/shop-gitops` (which must not exist).
pub fn prepare(
    dir: &Path,
    now: jiff::Timestamp,
    available: impl Fn(&str) -> bool,
) -> Result<Prepared, Box<dyn Classified>> {
    let notices = story::APPS
        .iter()
        .filter(|(_, render, _)| !available(render))
        .map(|(name, render, _)| {
            let tool = if *render == "helm" {
                "helm"
            } else {
                "kustomize (or kubectl)"
            };
            format!("the {name} app ({render}) is left out: {tool} is not installed")
        })
        .collect();
    let story = story::story(now, &available);
    let repo = dir.join("shop-gitops");
    // Rollbacks commit in this repository: it carries its own identity, so a
    // machine without a Git setup can do them too.
    let operator = git::Identity {
        name: "Demo Operator".into(),
        email: "operator@example.com".into(),
        time: None,
    };
    let commits =
        git::create_repository(&repo, "main", &story.commits, Some(&operator)).map_err(boxed)?;
    let config = config::load(Some(&repo.join("driftdeck.yaml"))).map_err(boxed)?;
    Ok(Prepared {
        repo,
        config,
        commits,
        story,
        now,
        notices,
    })
}

/// Plays the story on the cluster of `clusters`' current context: its past deploys
/// into the ledgers, then today's deploys.
pub async fn play(prepared: &Prepared, clusters: &Clusters) -> Result<(), Box<dyn Classified>> {
    let past = past::past_deploys(&prepared.story, prepared.now);
    seed(
        &prepared.config,
        clusters,
        &prepared.commits,
        &past,
        &prepared.story.deploys,
    )
    .await
}
