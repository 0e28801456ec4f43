//! kubectl's ages: apimachinery's `duration.HumanDuration`, which keeps about two
//! significant figures ("2m3s", "15m", "3h4m", "2d3h", "45d", "3y12d"). Written by
//! hand because the exact breakpoints are the point: a general-purpose formatter
//! would print ages that differ from a real cluster's.

use jiff::SignedDuration;

/// `HumanDuration`: a duration as kubectl prints ages and durations.
///
/// Up to two seconds in the past (clock skew between machines) reads as "0s"; more
/// than that is `<invalid>`. Whole units are truncated, never rounded.
pub fn human_duration(d: SignedDuration) -> String {
    // Go's `int(d.Seconds())` truncates toward zero, as `as_secs` does.
    let seconds = d.as_secs();
    if seconds < -1 {
        return "<invalid>".to_owned();
    }
    if seconds < 0 {
        return "0s".to_owned();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        return with_remainder(minutes, "m", seconds % 60, "s");
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        return with_remainder(hours, "h", minutes % 60, "m");
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    let days = hours / 24;
    if hours < 24 * 8 {
        return with_remainder(days, "d", hours % 24, "h");
    }
    if hours < 24 * 365 * 2 {
        return format!("{days}d");
    }
    let years = days / 365;
    if hours < 24 * 365 * 8 {
        return with_remainder(years, "y", days % 365, "d");
    }
    format!("{years}y")
}

/// "2m3s", or "2m" when the smaller unit is zero.
fn with_remainder(big: i64, big_unit: &str, small: i64, small_unit: &str) -> String {
    if small == 0 {
        format!("{big}{big_unit}")
    } else {
        format!("{big}{big_unit}{small}{small_unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    const YEAR: i64 = 365 * DAY;

    #[test]
    fn matches_apimachinery_breakpoints() {
        // Each boundary of each unit, from both sides.
        let cases: &[(i64, &str)] = &[
            (0, "0s"),
            (1, "1s"),
            (59, "59s"),
            (60, "60s"),
            (119, "119s"),
            (2 * MINUTE, "2m"),
            (2 * MINUTE + 3, "2m3s"),
            (9 * MINUTE + 59, "9m59s"),
            (10 * MINUTE, "10m"),
            (10 * MINUTE + 59, "10m"),
            (15 * MINUTE + 30, "15m"),
            (3 * HOUR - 1, "179m"),
            (3 * HOUR, "3h"),
            (3 * HOUR + 4 * MINUTE + 59, "3h4m"),
            (8 * HOUR - 1, "7h59m"),
            (8 * HOUR, "8h"),
            (47 * HOUR + 59 * MINUTE, "47h"),
            (48 * HOUR, "2d"),
            (2 * DAY + 3 * HOUR + 30 * MINUTE, "2d3h"),
            (8 * DAY - 1, "7d23h"),
            (8 * DAY, "8d"),
            (45 * DAY + 23 * HOUR, "45d"),
            (2 * YEAR - 1, "729d"),
            (2 * YEAR, "2y"),
            (3 * YEAR + 12 * DAY + 5 * HOUR, "3y12d"),
            (8 * YEAR - 1, "7y364d"),
            (8 * YEAR, "8y"),
            (20 * YEAR + 100 * DAY, "20y"),
            // apimachinery's TestHumanDuration.
            (70, "70s"),
            (190, "3m10s"),
            (70 * MINUTE, "70m"),
            (47 * HOUR, "47h"),
            (49 * HOUR, "2d1h"),
            (8 * DAY + 2 * HOUR, "8d"),
            (367 * DAY, "367d"),
            (2 * YEAR + 25 * HOUR, "2y1d"),
            (8 * YEAR + 2 * HOUR, "8y"),
        ];
        for &(seconds, want) in cases {
            let got = human_duration(SignedDuration::from_secs(seconds));
            assert_eq!(got, want, "{seconds}s");
        }
    }

    #[test]
    fn sub_second_parts_are_truncated() {
        assert_eq!(human_duration(SignedDuration::from_millis(999)), "0s");
        assert_eq!(human_duration(SignedDuration::from_millis(119_999)), "119s");
    }

    #[test]
    fn small_clock_skew_is_now_and_larger_is_invalid() {
        assert_eq!(human_duration(SignedDuration::from_millis(-500)), "0s");
        assert_eq!(human_duration(SignedDuration::from_millis(-1_999)), "0s");
        assert_eq!(human_duration(SignedDuration::from_secs(-2)), "<invalid>");
        assert_eq!(
            human_duration(SignedDuration::from_secs(-3600)),
            "<invalid>"
        );
    }
}
