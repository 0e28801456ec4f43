//! Patch formats the API server applies itself: strategic merge patches and
//! server-side apply with managed fields (field sets, the apply merge, ownership).

mod fieldset;
pub mod managed;
mod merge;
pub mod strategic;
mod structured;
