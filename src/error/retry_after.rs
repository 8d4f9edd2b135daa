//! `Retry-After` (RFC 9110 §10.2.3): a delay or a date, and how each is written.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::HeaderValue;

/// When a client may come back, sent as `Retry-After` (RFC 9110 §10.2.3).
///
/// ```
/// use std::time::Duration;
/// use denied::{HttpError, RetryAfter};
///
/// let error = HttpError::too_many_requests().with_retry_after(Duration::from_millis(1500));
/// assert_eq!(error.retry_after(), Some(RetryAfter::Delay(2)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryAfter {
    /// Whole seconds to wait; `0` is valid and is sent as `0`.
    Delay(u64),
    /// A point in time, sent as an IMF-fixdate.
    Date(SystemTime),
}

impl RetryAfter {
    /// The longest delay the crate sends as delay-seconds or advises a client to wait: 2^31
    /// seconds, about 68 years. (A date is sent as it is given, up to the year 9999.)
    ///
    /// RFC 9111 §1.2.2 has recipients of a larger delta-seconds use 2^31 instead, so a longer
    /// delay would mean no more to a client, and a client that adds it to a clock could
    /// overflow.
    pub const MAX_DELAY: Duration = Duration::from_secs(1 << 31);

    /// The first moment an IMF-fixdate cannot write: the year 10000.
    const DATE_LIMIT: Duration = Duration::from_secs(253_402_300_800);

    /// The header value; `None` only for a date outside the years 1970 to 9999, which
    /// IMF-fixdate cannot write, so that a wrong value is never sent in its place.
    pub(super) fn header_value(self) -> Option<HeaderValue> {
        match self {
            Self::Delay(seconds) => Some(delay_seconds(seconds)),
            Self::Date(when) => {
                let since_epoch = when.duration_since(SystemTime::UNIX_EPOCH).ok()?;
                if since_epoch >= Self::DATE_LIMIT {
                    return None;
                }
                HeaderValue::from_maybe_shared(Bytes::from(httpdate::fmt_http_date(when))).ok()
            }
        }
    }
}

impl RetryAfter {
    /// A delay over [`MAX_DELAY`](Self::MAX_DELAY) as that; a date as it is.
    pub(super) fn capped(self) -> Self {
        match self {
            Self::Delay(seconds) => Self::Delay(seconds.min(Self::MAX_DELAY.as_secs())),
            date => date,
        }
    }
}

impl From<Duration> for RetryAfter {
    /// Whole seconds, rounded up so that the client never comes back early; a delay over
    /// [`RetryAfter::MAX_DELAY`] (68 years) is that.
    ///
    /// ```
    /// use std::time::Duration;
    /// use denied::RetryAfter;
    ///
    /// assert_eq!(RetryAfter::from(Duration::from_millis(1)), RetryAfter::Delay(1));
    /// assert_eq!(RetryAfter::from(Duration::MAX), RetryAfter::Delay(1 << 31));
    /// ```
    fn from(delay: Duration) -> Self {
        let delay = delay.min(Self::MAX_DELAY);
        Self::Delay(delay.as_secs() + u64::from(delay.subsec_nanos() > 0))
    }
}

impl From<SystemTime> for RetryAfter {
    fn from(when: SystemTime) -> Self {
        Self::Date(when)
    }
}

/// How many delays, from 0 seconds, are sent as a slice of static text.
const STATIC_DELAYS: usize = 1000;

/// Every delay below [`STATIC_DELAYS`] written with three digits, one after another: `000`,
/// `001`, … `999`.
static THREE_DIGIT_DELAYS: [u8; 3 * STATIC_DELAYS] = {
    let mut digits = [0; 3 * STATIC_DELAYS];
    let mut index = 0;
    while index < digits.len() {
        let delay = index / 3;
        let place = [100, 10, 1][index % 3];
        digits[index] = b'0' + (delay / place % 10) as u8;
        index += 1;
    }
    digits
};

/// `seconds` as delay-seconds. Below [`STATIC_DELAYS`] it is a slice of static text, so that
/// a 429 or 503 sent under load allocates nothing for its `Retry-After`; above, one
/// allocation of its exact size (`HeaderValue::from(u64)` takes two).
fn delay_seconds(seconds: u64) -> HeaderValue {
    let digits = usize::try_from(seconds)
        .ok()
        .and_then(static_digits)
        .map_or_else(|| written_digits(seconds), Bytes::from_static);
    HeaderValue::from_maybe_shared(digits).unwrap_or_else(|_| HeaderValue::from(seconds))
}

/// The digits of `delay` in [`THREE_DIGIT_DELAYS`], if it is below [`STATIC_DELAYS`].
fn static_digits(delay: usize) -> Option<&'static [u8]> {
    if delay >= STATIC_DELAYS {
        return None;
    }
    let leading_zeros = match delay {
        0..=9 => 2,
        10..=99 => 1,
        _ => 0,
    };
    THREE_DIGIT_DELAYS.get(3 * delay + leading_zeros..3 * delay + 3)
}

/// The digits of `seconds`, in one allocation of their size.
fn written_digits(seconds: u64) -> Bytes {
    use std::io::Write as _;
    const U64_MAX_DIGITS: usize = 20;
    let mut buffer = [0; U64_MAX_DIGITS];
    let mut unwritten = &mut buffer[..];
    let _ = write!(unwritten, "{seconds}");
    let written = U64_MAX_DIGITS - unwritten.len();
    Bytes::copy_from_slice(buffer.get(..written).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Delay-seconds as a client reads them: a number in decimal digits, `0` as `0`, with no
    /// leading zero, below the static ones' limit and above it.
    #[test]
    fn every_delay_is_sent_as_its_decimal_digits() {
        let delays = (0..=1_100).chain([9_999, 86_400, 1 << 31, u64::MAX]);
        for seconds in delays {
            let value = delay_seconds(seconds);
            let text = value.to_str().unwrap();
            assert!(text.bytes().all(|byte| byte.is_ascii_digit()), "{text:?}");
            assert!(text == "0" || !text.starts_with('0'), "{text:?}");
            assert_eq!(text.parse::<u64>().unwrap(), seconds);
        }
    }
}
