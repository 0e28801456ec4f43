//! Orchestration: what driftdeck exists for. The live state of an app (by its
//! tracking label and its desired keys), and, as the engine issue goes on, status,
//! sync, rollback and the ledger. It speaks `model` words to the front ends and uses
//! `cluster/`, `git/` and `render/` for IO.

pub mod automation;
mod bounded;
pub mod clusters;
pub mod deploys;
pub mod drift;
pub mod external;
pub mod external_actions;
pub mod external_diff;
pub mod external_revert;
pub mod external_source;
pub mod external_support;
mod external_waits;
pub mod ledger;
pub mod live;
pub mod observe;
pub mod operation;
pub mod rollback;
pub mod status;
pub mod support;
pub mod sync;
pub mod target;
pub mod tracking;
pub mod wait;
pub mod watch;
pub mod waves;
