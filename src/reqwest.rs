//! reqwest 0.13: read a server's refusal by the crate's rules, and retry only as they allow.
//!
//! - [`ResponseExt::guidance`] reads a response into a [`Guidance`]: what to do next, the
//!   parsed error body (read up to [`MAX_BODY_LEN`], so a 50 MB body is refused after its
//!   first 64 KiB, or before any byte when its `Content-Length` says so), and the parsed
//!   `WWW-Authenticate` challenges.
//! - [`RetryPolicy`] sends a request and decides each answer: re-authenticate once on a 401
//!   through your refresher, stop at once on a 403 or a 404, wait as `Retry-After` says on a
//!   429 or a 503 (up to a cap), back off with jitter on a retryable 5xx, and resend a
//!   non-idempotent request only when told to. Each decision is a [`Step`] of the
//!   [`Outcome`], and goes to [`RetryPolicy::on_step`] as it is made, before any wait; nothing
//!   sleeps longer than the cap.
//!
//! The policy sleeps with `tokio::time`, so it runs inside a tokio runtime with its timer
//! enabled, as reqwest itself needs (`#[tokio::main]` enables it).
//!
//! ```no_run
//! use denied::client::Advice;
//! use denied::reqwest::{ResponseExt, RetryPolicy};
//! use reqwest::header::HeaderValue;
//!
//! # async fn run() -> Result<(), reqwest::Error> {
//! let client = reqwest::Client::new();
//! let request = client.get("http://127.0.0.1:3000/me").bearer_auth("expired").build()?;
//! let outcome = RetryPolicy::new()
//!     .send_reauthenticating(&client, request, |_url, _challenges| async {
//!         // Refresh the token here; `None` when there is no new one.
//!         Some(HeaderValue::from_static("Bearer good"))
//!     })
//!     .await?;
//! for step in outcome.steps() {
//!     println!("{} -> {:?}", step.status(), step.decision());
//! }
//! let guidance = outcome.into_response().guidance().await;
//! if guidance.advice() == Advice::Stop {
//!     println!("refused for good: {}", guidance.message().unwrap_or("no reason given"));
//! }
//! # Ok(())
//! # }
//! ```

use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::time::Duration;

use ::reqwest::header::{HeaderValue, AUTHORIZATION};
use ::reqwest::{Client, Request, Response, StatusCode};

use crate::body::{BodyError, MAX_BODY_LEN};
use crate::client::{is_error, Advice, Guidance, ReadChallenge};

mod sealed {
    pub trait Sealed {}
    impl Sealed for ::reqwest::Response {}
}

/// Reading a [`reqwest::Response`] by the crate's rules.
pub trait ResponseExt: sealed::Sealed + Sized {
    /// What to do with this response. An error's body is read (up to [`MAX_BODY_LEN`]) and
    /// parsed; a success's body is left unread and dropped: use
    /// [`or_guidance`](Self::or_guidance) to keep it.
    ///
    /// ```no_run
    /// use denied::client::Advice;
    /// use denied::reqwest::ResponseExt;
    ///
    /// # async fn run() -> Result<(), reqwest::Error> {
    /// let response = reqwest::get("http://127.0.0.1:3000/admin/reports").await?;
    /// let guidance = response.guidance().await;
    /// if guidance.advice() == Advice::Reauthenticate {
    ///     let bearer = guidance.challenges().iter().find(|c| c.is_bearer());
    ///     println!("sign in to {:?}", bearer.and_then(|c| c.realm()));
    /// }
    /// # Ok(())
    /// # }
    /// ```
    fn guidance(self) -> impl Future<Output = Guidance> + Send;

    /// The response itself when its status is not an error (below 400), else its
    /// [`Guidance`]: `reqwest`'s `error_for_status`, with the server's reasons kept.
    ///
    /// ```no_run
    /// use denied::reqwest::ResponseExt;
    ///
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let me = reqwest::get("http://127.0.0.1:3000/me").await?.or_guidance().await?;
    /// println!("{}", me.text().await?);
    /// # Ok(())
    /// # }
    /// ```
    fn or_guidance(self) -> impl Future<Output = Result<Response, Guidance>> + Send;
}

impl ResponseExt for Response {
    async fn guidance(mut self) -> Guidance {
        let status = self.status();
        if !is_error(status) {
            return Guidance::read(status, self.headers(), None);
        }
        match read_bounded(&mut self, MAX_BODY_LEN).await {
            Ok(body) => Guidance::read(status, self.headers(), Some(&body)),
            Err(problem) => Guidance::unreadable(status, self.headers(), problem),
        }
    }

    async fn or_guidance(self) -> Result<Response, Guidance> {
        if is_error(self.status()) {
            Err(self.guidance().await)
        } else {
            Ok(self)
        }
    }
}

/// The body, unless it is longer than `limit`: refused before reading when its
/// `Content-Length` says so, else as soon as the bytes read pass the limit.
async fn read_bounded(response: &mut Response, limit: usize) -> Result<Vec<u8>, BodyError> {
    if let Some(announced) = response.content_length() {
        if announced > limit as u64 {
            return Err(BodyError::TooLong(
                usize::try_from(announced).unwrap_or(usize::MAX),
            ));
        }
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let length = body.len().saturating_add(chunk.len());
                if length > limit {
                    return Err(BodyError::TooLong(length));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(error) => return Err(BodyError::Incomplete(Box::new(error))),
        }
    }
}

/// When to send a request again, by the crate's client rules.
///
/// | answer | decision |
/// |---|---|
/// | below 400 | [`Return`](Decision::Return) |
/// | 401 | [`Reauthenticate`](Decision::Reauthenticate) once, with the refresher's credentials |
/// | 403, 404, 410, and other 4xx the request itself causes | [`Final`](Decision::Final) at once |
/// | 429 or 503 (or 413) with `Retry-After` | [`Wait`](Decision::Wait) that long, when within [`max_wait`](Self::max_wait) |
/// | 500, 502, 504 and the other retryable 5xx; 429 or 503 without `Retry-After`; 408, 421, 425 | [`BackOff`](Decision::BackOff) with full jitter |
/// | 501, 505, 510 (the request is unsupported), 511 (a network login) | [`Final`](Decision::Final) |
///
/// A retry that the policy does not allow ends in [`GiveUp`](Decision::GiveUp) with the
/// reason: more than [`max_retries`](Self::max_retries) waits, a `Retry-After` beyond the cap,
/// a method that is not idempotent (RFC 9110 §9.2.2) without
/// [`retry_non_idempotent`](Self::retry_non_idempotent), a body that cannot be sent twice (a
/// stream), no new credentials, a second 401, or a 401 from another origin than the
/// request's, where a redirect led. A 401 is answered before the server acts on
/// the request, and so are a 408, a 421 and a 425 (RFC 9110 §15.5.9, §15.5.20, RFC 8470 §5.2):
/// those resend any method; a 429, a 503 or another 5xx may come after the server acted, so
/// only an idempotent method is resent after them, unless told otherwise.
///
/// ```
/// use std::time::Duration;
///
/// let policy = denied::reqwest::RetryPolicy::new()
///     .max_retries(2)
///     .max_wait(Duration::from_secs(10))
///     .backoff(Duration::from_millis(100));
/// # let _ = policy;
/// ```
#[derive(Clone)]
pub struct RetryPolicy {
    max_retries: u32,
    max_wait: Duration,
    backoff: Duration,
    retry_non_idempotent: bool,
    on_step: Option<StepObserver>,
}

type StepObserver = Arc<dyn Fn(&Step) + Send + Sync>;

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            max_wait: Duration::from_secs(60),
            backoff: Duration::from_millis(200),
            retry_non_idempotent: false,
            on_step: None,
        }
    }
}

impl std::fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_retries", &self.max_retries)
            .field("max_wait", &self.max_wait)
            .field("backoff", &self.backoff)
            .field("retry_non_idempotent", &self.retry_non_idempotent)
            .field("on_step", &self.on_step.is_some())
            .finish()
    }
}

impl RetryPolicy {
    /// Three retries, waits of at most 60 s, back-off from 200 ms, idempotent methods only.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many times a request is sent again after waiting (re-authenticating is not
    /// counted: it happens once).
    #[must_use]
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The longest wait: a `Retry-After` beyond it gives up instead of sleeping, and a
    /// back-off never exceeds it.
    #[must_use]
    pub fn max_wait(mut self, cap: Duration) -> Self {
        self.max_wait = cap;
        self
    }

    /// The first back-off's upper bound; it doubles with each retry, and each wait is drawn
    /// at random below it (full jitter).
    #[must_use]
    pub fn backoff(mut self, base: Duration) -> Self {
        self.backoff = base;
        self
    }

    /// Whether a request whose method is not idempotent (`POST`, `PATCH`, ...) may be sent
    /// again after a 429, a 503 or a 5xx. Off by default: the server may have acted on it.
    #[must_use]
    pub fn retry_non_idempotent(mut self, on: bool) -> Self {
        self.retry_non_idempotent = on;
        self
    }

    /// Calls `observe` with each step as soon as it is decided, before any wait: to log it,
    /// or to see the steps of a run that ends in a transport error.
    ///
    /// ```
    /// let policy = denied::reqwest::RetryPolicy::new().on_step(|step| {
    ///     eprintln!("{} -> {:?}", step.status(), step.decision());
    /// });
    /// # let _ = policy;
    /// ```
    #[must_use]
    pub fn on_step(mut self, observe: impl Fn(&Step) + Send + Sync + 'static) -> Self {
        self.on_step = Some(Arc::new(observe));
        self
    }

    /// Sends `request` with `client` until the policy stops, without re-authenticating: a 401
    /// ends in [`GiveUp::NoNewCredentials`].
    ///
    /// # Errors
    ///
    /// reqwest could not send the request or read a response's head.
    pub async fn send(
        &self,
        client: &Client,
        request: Request,
    ) -> Result<Outcome, ::reqwest::Error> {
        self.send_reauthenticating(client, request, |_, _| std::future::ready(None))
            .await
    }

    /// Sends `request` with `client` until the policy stops. On a 401, `refresh` gets the URL
    /// that answered and the response's challenges, and gives the new `Authorization` value
    /// (or `None`); the request is sent once more with it. Only a 401 from the origin the
    /// request was sent to (scheme, host and port) is re-authenticated: one from another
    /// origin, where a redirect led, ends in [`GiveUp::OtherOrigin`], and its challenges
    /// never reach `refresh`.
    ///
    /// # Errors
    ///
    /// reqwest could not send the request or read a response's head.
    pub async fn send_reauthenticating<F, Fut>(
        &self,
        client: &Client,
        request: Request,
        mut refresh: F,
    ) -> Result<Outcome, ::reqwest::Error>
    where
        F: FnMut(::reqwest::Url, Vec<ReadChallenge>) -> Fut,
        Fut: Future<Output = Option<HeaderValue>>,
    {
        let idempotent = request.method().is_idempotent();
        let mut request = request;
        let mut steps = Vec::new();
        let mut retries = 0;
        let mut reauthenticated = false;
        loop {
            let spare = request.try_clone();
            let origin = request.url().origin();
            let response = client.execute(request).await?;
            let status = response.status();
            let advice = Advice::from_parts(status, response.headers());
            let mut decision = match advice {
                Advice::Proceed | Advice::Redirect(_) => Decision::Return,
                // The credentials belong to the origin the request was sent to.
                Advice::Reauthenticate if response.url().origin() != origin => {
                    Decision::GiveUp(GiveUp::OtherOrigin)
                }
                Advice::Reauthenticate if reauthenticated => {
                    Decision::GiveUp(GiveUp::StillUnauthorized)
                }
                Advice::Reauthenticate => Decision::Reauthenticate,
                Advice::RetryAfter(delay) if delay > self.max_wait => {
                    Decision::GiveUp(GiveUp::WaitTooLong(delay))
                }
                Advice::RetryAfter(delay) => Decision::Wait(delay),
                Advice::Retry | Advice::RetryLater => Decision::BackOff(self.backoff_for(retries)),
                other => Decision::Final(other),
            };
            if matches!(decision, Decision::Wait(_) | Decision::BackOff(_)) {
                // 408, 421 and 425 come before the server acts on the request.
                let not_acted_on = advice == Advice::Retry;
                if retries >= self.max_retries {
                    decision = Decision::GiveUp(GiveUp::RetriesExhausted);
                } else if !idempotent && !self.retry_non_idempotent && !not_acted_on {
                    decision = Decision::GiveUp(GiveUp::NotIdempotent);
                }
            }
            let mut next = None;
            if decision.sends_again() {
                match spare {
                    None => decision = Decision::GiveUp(GiveUp::BodyNotReplayable),
                    Some(mut spare) => {
                        if decision == Decision::Reauthenticate {
                            let challenges = ReadChallenge::all_in(response.headers());
                            match refresh(response.url().clone(), challenges).await {
                                Some(credentials) => {
                                    spare.headers_mut().insert(AUTHORIZATION, credentials);
                                    reauthenticated = true;
                                }
                                None => decision = Decision::GiveUp(GiveUp::NoNewCredentials),
                            }
                        }
                        next = Some(spare);
                    }
                }
            }
            let step = Step { status, decision };
            if let Some(observe) = &self.on_step {
                observe(&step);
            }
            steps.push(step);
            match (decision, next) {
                (Decision::Wait(delay) | Decision::BackOff(delay), Some(spare)) => {
                    retries += 1;
                    tokio::time::sleep(delay).await;
                    request = spare;
                }
                (Decision::Reauthenticate, Some(spare)) => request = spare,
                _ => return Ok(Outcome { response, steps }),
            }
        }
    }

    /// A wait drawn at random below `backoff * 2^retries`, and never above the cap.
    fn backoff_for(&self, retries: u32) -> Duration {
        let ceiling = self
            .backoff
            .saturating_mul(2_u32.saturating_pow(retries))
            .min(self.max_wait);
        // A fraction of what fits in a `Duration` fits; the fallback only guards the rounding.
        Duration::try_from_secs_f64(ceiling.as_secs_f64() * random_fraction())
            .map_or(ceiling, |wait| wait.min(ceiling))
    }
}

/// A number in `[0, 1)`, from the standard library's per-instance random hash keys: enough to
/// spread retries, and no dependency.
fn random_fraction() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u8(0);
    // The top 53 bits, as a fraction of 2^53: exact in an f64.
    (hasher.finish() >> 11) as f64 / (1_u64 << 53) as f64
}

/// What the policy did with one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Not an error: the response is the answer.
    Return,
    /// An error that sending again does not change (403, 404, a request to fix): the
    /// response is the final answer, and the advice says which kind (`Final(Stop)` for a 403,
    /// `Final(NotFound)`, `Final(FixRequest)`).
    Final(Advice),
    /// A 401: sent once more with the refresher's credentials.
    Reauthenticate,
    /// Sent again after the server's `Retry-After`.
    Wait(Duration),
    /// Sent again after a back-off drawn with jitter.
    BackOff(Duration),
    /// Sending again could help, but the policy does not: the response is the answer.
    GiveUp(GiveUp),
}

impl Decision {
    fn sends_again(self) -> bool {
        matches!(
            self,
            Self::Reauthenticate | Self::Wait(_) | Self::BackOff(_)
        )
    }
}

/// Why the policy did not send a request again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GiveUp {
    /// A 401, and the refresher had no new credentials (or there is no refresher).
    NoNewCredentials,
    /// A 401 again, with the refreshed credentials.
    StillUnauthorized,
    /// A 401 from another origin than the request was sent to, where a redirect led: the
    /// request's credentials are not that origin's to refresh.
    OtherOrigin,
    /// `Retry-After` asks for a longer wait than the cap.
    WaitTooLong(Duration),
    /// The retries allowed are spent.
    RetriesExhausted,
    /// The method is not idempotent, and the policy does not resend those.
    NotIdempotent,
    /// The request's body is a stream, which cannot be sent twice.
    BodyNotReplayable,
}

/// One answer of the server and what the policy did with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    status: StatusCode,
    decision: Decision,
}

impl Step {
    /// The answer's status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What the policy did.
    #[must_use]
    pub fn decision(&self) -> Decision {
        self.decision
    }
}

/// The last response of [`RetryPolicy::send`] and the steps that led to it.
#[derive(Debug)]
pub struct Outcome {
    response: Response,
    steps: Vec<Step>,
}

impl Outcome {
    /// The last response, its body unread.
    #[must_use]
    pub fn response(&self) -> &Response {
        &self.response
    }

    /// The last response.
    #[must_use]
    pub fn into_response(self) -> Response {
        self.response
    }

    /// Every answer, in order, and what the policy did with it; the last one's decision is
    /// never to send again.
    #[must_use]
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// How many times the request was sent.
    #[must_use]
    pub fn attempts(&self) -> usize {
        self.steps.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_is_spread_below_its_doubling_bound_and_the_cap() {
        let policy = RetryPolicy::new()
            .backoff(Duration::from_secs(1))
            .max_wait(Duration::from_secs(5));
        for retries in 0..6 {
            let ceiling = Duration::from_secs(1 << retries).min(Duration::from_secs(5));
            let draws: Vec<Duration> = (0..200).map(|_| policy.backoff_for(retries)).collect();
            assert!(draws.iter().all(|draw| *draw < ceiling), "{draws:?}");
            let mut distinct = draws.clone();
            distinct.sort();
            distinct.dedup();
            assert!(distinct.len() > 150, "not spread: {distinct:?}");
            // Both halves of the range are used.
            assert!(draws.iter().any(|draw| *draw < ceiling / 2));
            assert!(draws.iter().any(|draw| *draw > ceiling / 2));
        }
        // Whatever the count and the cap, the arithmetic saturates instead of panicking.
        assert!(policy.backoff_for(u32::MAX) < Duration::from_secs(5));
        let unbounded = RetryPolicy::new()
            .backoff(Duration::MAX)
            .max_wait(Duration::MAX);
        assert!(unbounded.backoff_for(u32::MAX) <= Duration::MAX);
    }
}
