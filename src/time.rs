//! Timestamps: the ECS API gives epoch seconds, events and the AWS CLI give RFC 3339 text.
//! Only UTC arithmetic is needed, so this is a few lines of civil-date math, not a crate.

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_epoch(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Parses RFC 3339 / ISO 8601 text (`2024-05-01T10:00:00Z`, `2024-05-01 10:00:00.123+09:00`,
/// `2024-05-01T10:00:00.000000+00:00`) into epoch seconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = std::str::from_utf8(b.get(range)?).ok()?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
    {
        return None;
    }
    let mut seconds = days_from_civil(year, month, day) * 86_400;
    if b.len() == 10 {
        return Some(seconds);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) || b.get(13) != Some(&b':') {
        return None;
    }
    let (hour, minute) = (num(11..13)?, num(14..16)?);
    let mut at = 16;
    let mut second = 0;
    if b.get(16) == Some(&b':') {
        second = num(17..19)?;
        at = 19;
    }
    if b.get(at) == Some(&b'.') {
        at += 1;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
    }
    seconds += hour * 3600 + minute * 60 + second;
    match b.get(at) {
        None | Some(b'Z' | b'z') => Some(seconds),
        Some(sign @ (b'+' | b'-')) => {
            let oh = num(at + 1..at + 3)?;
            let om_at = if b.get(at + 3) == Some(&b':') {
                at + 4
            } else {
                at + 3
            };
            let om = num(om_at..om_at + 2).unwrap_or(0);
            let offset = oh * 3600 + om * 60;
            Some(if *sign == b'+' {
                seconds - offset
            } else {
                seconds + offset
            })
        }
        _ => None,
    }
}

/// Parses a duration such as `90`, `90s`, `15m`, `1h`, `2d` or `1h30m`.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration".to_string());
    }
    if let Ok(secs) = text.parse::<u64>() {
        return Ok(std::time::Duration::from_secs(secs));
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => {
                return Err(format!(
                    "`{text}` is not a duration (use e.g. 90s, 15m, 2h, 7d)"
                ));
            }
        };
        let n: u64 = number
            .parse()
            .map_err(|_| format!("`{text}` is not a duration (use e.g. 90s, 15m, 2h, 7d)"))?;
        total = total.saturating_add(n.saturating_mul(unit));
        number.clear();
    }
    if !number.is_empty() {
        return Err(format!("`{text}` ends without a unit (s, m, h, d or w)"));
    }
    Ok(std::time::Duration::from_secs(total))
}

/// The current time in epoch seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    // Howard Hinnant's algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for secs in [0, 951_782_400, 1_700_000_000, 1_767_323_045] {
            assert_eq!(parse_rfc3339(&format_epoch(secs)), Some(secs));
        }
        assert_eq!(format_epoch(1_767_323_045), "2026-01-02T03:04:05Z");
    }

    #[test]
    fn durations() {
        use std::time::Duration;
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("1h30").is_err());
    }

    #[test]
    fn offsets_and_fractions() {
        assert_eq!(
            parse_rfc3339("2026-01-02T12:04:05.123+09:00"),
            Some(1_767_323_045)
        );
        assert_eq!(
            parse_rfc3339("2026-01-02 03:04:05.000000+00:00"),
            Some(1_767_323_045)
        );
        assert_eq!(parse_rfc3339("2026-01-02"), Some(1_767_312_000));
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(parse_rfc3339("2026-13-02"), None);
    }
}
