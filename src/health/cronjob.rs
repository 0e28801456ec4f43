//! CronJob health: Argo CD's bundled `batch/CronJob` Lua check. A CronJob is as
//! healthy as its last scheduled run: `lastSuccessfulTime` older than
//! `lastScheduleTime` with nothing running means that run failed.

use serde_json::Value;

use super::{ReadError, flag, items, text};
use crate::model::Health;

pub(super) fn assess(object: &Value) -> Result<Health, ReadError> {
    if flag(object, &["spec", "suspend"])? {
        return Ok(Health::suspended("CronJob is suspended"));
    }
    let last_schedule = text(object, &["status", "lastScheduleTime"])?;
    let last_success = text(object, &["status", "lastSuccessfulTime"])?;
    let running = !items(object, &["status", "active"])?.is_empty();

    if last_schedule.is_empty() {
        return Ok(Health::healthy("CronJob has not been scheduled yet"));
    }
    if last_success.is_empty() {
        return Ok(if running {
            Health::progressing(format!(
                "The job is running its first execution (scheduled at {last_schedule})"
            ))
        } else {
            Health::degraded(format!(
                "CronJob has not completed its last execution successfully (last scheduled at {last_schedule}, never succeeded)"
            ))
        });
    }
    // Kubernetes writes these as RFC 3339 in UTC with second precision
    // ("2024-05-01T10:00:00Z"), so comparing the strings compares the instants,
    // as Argo's Lua does; no date parsing needed in a pure module.
    if last_schedule > last_success {
        return Ok(if running {
            Health::progressing(format!(
                "The job scheduled at {last_schedule} is running (last success at {last_success})"
            ))
        } else {
            Health::degraded(format!(
                "CronJob has not completed its last execution successfully (last scheduled at {last_schedule}, last success at {last_success})"
            ))
        });
    }
    Ok(Health::healthy(format!(
        "CronJob has completed its last execution successfully (at {last_success})"
    )))
}
