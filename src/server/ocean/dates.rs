//! The two date formats of the Ocean API, parsed as strictly as Java's formatters do.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

/// The format of every date of the bodies and of `entityStart`/`entityEnd`.
pub const ISO_PATTERN: &str = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";

/// The format of `affectation-entite/add`'s `startDate`/`endDate`.
pub const AFFECTATION_PATTERN: &str = "dd/MM/yyyy HH:mm:ss Z";

/// Whether `s` has the layout of `shape`, where `d` stands for one ASCII digit.
fn has_shape(s: &str, shape: &str) -> bool {
    s.len() == shape.len()
        && s.bytes().zip(shape.bytes()).all(|(c, p)| match p {
            b'd' => c.is_ascii_digit(),
            _ => c == p,
        })
}

/// The number written at `s[from..to]`, which `has_shape` has checked to be digits.
fn num(s: &str, from: usize, to: usize) -> u32 {
    s[from..to].parse().unwrap_or(u32::MAX)
}

/// An offset of `±HH:MM` or `±HHMM` (from its sign, hours and minutes).
fn offset(sign: u8, hours: u32, minutes: u32) -> Option<FixedOffset> {
    if hours > 18 || minutes > 59 {
        return None;
    }
    let secs = (hours * 3600 + minutes * 60) as i32;
    match sign {
        b'+' => FixedOffset::east_opt(secs),
        b'-' => FixedOffset::west_opt(secs),
        _ => None,
    }
}

fn at(
    offset: FixedOffset,
    (y, mo, d): (u32, u32, u32),
    (h, mi, s, ms): (u32, u32, u32, u32),
) -> Option<DateTime<FixedOffset>> {
    let naive = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, mo, d)?
        // chrono reads a millisecond count past 999 as a leap second; the layout caps it at 999.
        .and_hms_milli_opt(h, mi, s, ms)?;
    offset.from_local_datetime(&naive).single()
}

/// `2025-11-27T15:30:15.353Z` or `2025-11-27T15:30:15.353+01:00`: exactly three fraction digits,
/// the zone as `Z` or `±HH:MM`, a real calendar date.
pub fn parse_iso(s: &str) -> Option<DateTime<FixedOffset>> {
    if !s.is_ascii() || s.len() < 24 {
        return None;
    }
    let (main, zone) = s.split_at(23);
    if !has_shape(main, "dddd-dd-ddTdd:dd:dd.ddd") {
        return None;
    }
    let offset = match zone {
        "Z" => FixedOffset::east_opt(0)?,
        z if has_shape(&z[1..], "dd:dd") => offset(z.as_bytes()[0], num(z, 1, 3), num(z, 4, 6))?,
        _ => return None,
    };
    at(
        offset,
        (num(main, 0, 4), num(main, 5, 7), num(main, 8, 10)),
        (
            num(main, 11, 13),
            num(main, 14, 16),
            num(main, 17, 19),
            num(main, 20, 23),
        ),
    )
}

/// `27/11/2025 08:00:00 +0100`: the zone as `±HHMM`.
pub fn parse_affectation(s: &str) -> Option<DateTime<FixedOffset>> {
    if !s.is_ascii()
        || !has_shape(s, "dd/dd/dddd dd:dd:dd +dddd") && !has_shape(s, "dd/dd/dddd dd:dd:dd -dddd")
    {
        return None;
    }
    let offset = offset(s.as_bytes()[20], num(s, 21, 23), num(s, 23, 25))?;
    at(
        offset,
        (num(s, 6, 10), num(s, 3, 5), num(s, 0, 2)),
        (num(s, 11, 13), num(s, 14, 16), num(s, 17, 19), 0),
    )
}

/// A date as [`ISO_PATTERN`] writes it (`Z` for UTC, as Java's `XXX` does).
pub fn format_iso(d: &DateTime<FixedOffset>) -> String {
    if d.offset().local_minus_utc() == 0 {
        d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    } else {
        d.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
    }
}

/// Now, in [`ISO_PATTERN`].
pub fn now_iso() -> String {
    format_iso(&Utc::now().fixed_offset())
}

#[cfg(test)]
mod tests {
    use super::{format_iso, parse_affectation, parse_iso};

    #[test]
    fn iso_accepts_the_documented_form() {
        let d = parse_iso("2025-11-27T15:30:15.353Z").unwrap();
        assert_eq!(d.timestamp_millis() % 1000, 353);
        assert_eq!(format_iso(&d), "2025-11-27T15:30:15.353Z");
        let d = parse_iso("2024-02-29T23:59:59.000+01:00").unwrap();
        assert_eq!(d.offset().local_minus_utc(), 3600);
        assert_eq!(format_iso(&d), "2024-02-29T23:59:59.000+01:00");
        let d = parse_iso("2025-01-01T00:00:00.000-05:30").unwrap();
        assert_eq!(d.offset().local_minus_utc(), -(5 * 3600 + 30 * 60));
    }

    #[test]
    fn iso_rejects_everything_else() {
        for bad in [
            "",
            "2025-11-27",
            "2025-11-27T15:30:15Z",      // no millis
            "2025-11-27T15:30:15.35Z",   // two fraction digits
            "2025-11-27T15:30:15.3531Z", // four
            "2025-11-27T15:30:15.353",   // no zone
            "2025-11-27T15:30:15.353+0100",
            "2025-11-27T15:30:15.353+01",
            "2025-11-27T15:30:15.353z",
            "2025-11-27 15:30:15.353Z",
            "2025-13-01T00:00:00.000Z",
            "2025-02-30T00:00:00.000Z",
            "2023-02-29T00:00:00.000Z",
            "2025-11-27T24:00:00.000Z",
            "2025-11-27T23:60:00.000Z",
            "2025-11-27T23:59:60.000Z",
            "2025-11-27T15:30:15.353+19:00",
            "2025-11-27T15:30:15.353+01:60",
            "25-11-27T15:30:15.353Z",
            "2025-11-27T15:30:15.353Z ",
            "２025-11-27T15:30:15.353Z",
            "2025-11-27T15:30:15.353é",
        ] {
            assert!(parse_iso(bad).is_none(), "{bad:?} accepted");
        }
    }

    #[test]
    fn affectation_accepts_the_documented_form() {
        let d = parse_affectation("27/11/2025 08:00:00 +0100").unwrap();
        assert_eq!(format_iso(&d), "2025-11-27T08:00:00.000+01:00");
        let d = parse_affectation("01/03/2024 23:15:09 -0000").unwrap();
        assert_eq!(format_iso(&d), "2024-03-01T23:15:09.000Z");
    }

    #[test]
    fn affectation_rejects_everything_else() {
        for bad in [
            "",
            "27/11/2025 08:00:00",
            "27/11/2025 08:00:00  0100", // a raw `+` read as a space
            "27/11/2025 08:00:00 +01:00",
            "27/11/2025 08:00:00 Z",
            "27/11/2025 08:00 +0100",
            "2025-11-27T08:00:00.000Z",
            "30/02/2025 08:00:00 +0100",
            "27/13/2025 08:00:00 +0100",
            "27/11/25 08:00:00 +0100",
            "7/11/2025 08:00:00 +0100",
            "27/11/2025 25:00:00 +0100",
            "27/11/2025 08:00:00 +1900",
        ] {
            assert!(parse_affectation(bad).is_none(), "{bad:?} accepted");
        }
    }
}
