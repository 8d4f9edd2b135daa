//! Property tests: whatever the crate is given, nothing panics, bodies stay valid JSON that
//! gives the text back, challenges either parse by RFC 9110 / RFC 6750 with the value unchanged
//! or leave the value out, and every adapter sends the same bytes with nothing hidden in them.
//!
//! Each property runs `PROPTEST_CASES` cases, 2,000 by default (`cargo test --all-features`:
//! about 4 s for this file in a debug build). `.ci/run` also runs the heavy pass,
//! `PROPTEST_CASES=500000 cargo test --release --all-features --test properties` (with overflow
//! checks on): about 45 s of tests after a 5-minute release build on the 2-core CI machine.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::{Duration, SystemTime};

use denied::client::{Guidance, ReadChallenge};
use denied::{BearerError, Challenge, ErrorStatus, Forbidden, HttpError, Unauthorized};
use http::{Method, StatusCode};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use support::{check_bearer, check_body, parse_challenges, reply_of, Format, Reply};

/// `PROPTEST_CASES` from the environment, or 2,000.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(2_000);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

/// Any string, with the characters that break headers and JSON well represented.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,40}",
        "[\"\\\\\r\n\t\u{0}\u{7f}a-z ,=;:]{0,30}",
    ]
}

fn single_challenge(challenge: &Challenge) -> Option<support::ParsedChallenge> {
    let value = challenge.to_header_value().ok()?;
    let text = value.to_str().expect("a sent challenge is visible ASCII");
    let mut parsed = parse_challenges(text).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(parsed.len(), 1);
    let parsed = parsed.remove(0);
    check_bearer(&parsed).unwrap_or_else(|error| panic!("{error}"));
    Some(parsed)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_message_gives_valid_json_that_carries_it_exactly(message in hostile_text()) {
        let reply = reply_of(Forbidden::new().with_message(message.clone()).render());
        prop_assert_eq!(reply.status, 403);
        prop_assert_eq!(check_body(&reply, Format::Json), message);
    }

    #[test]
    fn any_realm_is_carried_unchanged_or_refused(realm in hostile_text()) {
        for challenge in [Challenge::bearer(realm.clone()), Challenge::basic(realm.clone())] {
            match single_challenge(&challenge) {
                Some(parsed) => {
                    prop_assert_eq!(parsed.params.get("realm"), Some(&(realm.clone(), true)));
                    prop_assert!(challenge.validate().is_ok());
                }
                None => prop_assert!(challenge.validate().is_err()),
            }
        }
        let reply = reply_of(Unauthorized::bearer().with_realm(realm).render());
        prop_assert!(reply.status == 401 || reply.status == 500);
        for line in reply.headers_named("www-authenticate") {
            prop_assert!(parse_challenges(line).is_ok());
        }
    }

    #[test]
    fn any_scope_is_carried_unchanged_or_left_out(scope in hostile_text()) {
        let challenge = Challenge::bearer("api")
            .with_error(BearerError::InsufficientScope)
            .with_scope(scope.clone());
        let parsed = single_challenge(&challenge).expect("the realm is valid");
        match parsed.param("scope") {
            Some(sent) => prop_assert_eq!(sent, scope.as_str()),
            None => prop_assert!(challenge.validate().is_err()),
        }
        let reply = reply_of(Forbidden::missing_scope(scope.clone()).with_realm("api").render());
        prop_assert_eq!(reply.status, 403);
        let body = reply.json();
        prop_assert_eq!(body["scope"].as_str(), Some(scope.as_str()));
    }

    #[test]
    fn any_description_is_carried_unchanged_or_left_out(description in hostile_text()) {
        let challenge = Challenge::bearer("api")
            .with_error(BearerError::InvalidToken)
            .with_description(description.clone());
        let parsed = single_challenge(&challenge).expect("the realm is valid");
        match parsed.param("error_description") {
            Some(sent) => prop_assert_eq!(sent, description.as_str()),
            None => prop_assert!(challenge.validate().is_err()),
        }
    }

    #[test]
    fn any_custom_parameter_is_carried_unchanged_or_left_out(
        name in hostile_text(),
        value in hostile_text(),
    ) {
        let challenge = Challenge::new("Custom").with_param(name.clone(), value.clone());
        if let Some(parsed) = single_challenge(&challenge) {
            match parsed.param(&name.to_ascii_lowercase()) {
                Some(sent) => prop_assert_eq!(sent, value.as_str()),
                None => prop_assert!(challenge.validate().is_err()),
            }
        }
    }

    #[test]
    fn any_www_authenticate_text_reads_as_challenges_or_a_clear_error(
        value in prop_oneof![
            hostile_text(),
            "[A-Za-z ,=\"\\\\]{0,40}",
            prop::collection::vec(challenge_recipe(), 1..4).prop_map(|recipes| {
                recipes.iter().filter_map(|recipe| recipe.build().to_header_value().ok())
                    .map(|value| value.to_str().unwrap().to_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        ]
    ) {
        match ReadChallenge::parse(&value) {
            Ok(challenges) => {
                prop_assert!(!challenges.is_empty());
                // What was read writes back to a value that reads the same.
                let again: Vec<String> = challenges.iter().map(ToString::to_string).collect();
                prop_assert_eq!(ReadChallenge::parse(&again.join(", ")).unwrap(), challenges);
            }
            Err(error) => prop_assert!(error.at() <= value.len()),
        }
    }

    #[test]
    fn every_challenge_the_crate_sends_is_read_back_exactly(
        recipes in prop::collection::vec(
            (
                prop::sample::select(vec!["Bearer", "Basic", "DPoP"]),
                "[ -~]{0,20}",
                prop::collection::vec(challenge_step(), 0..5),
            ),
            1..4,
        )
    ) {
        // Recipes that start usable, so that most cases send something; the steps may still
        // spoil one, and those are left out as a server would leave them.
        let sent: Vec<Challenge> = recipes
            .into_iter()
            .map(|(scheme, realm, steps)| {
                ChallengeRecipe { scheme: scheme.to_owned(), steps }
                    .build_from(Challenge::new(scheme).with_realm(realm))
            })
            .filter(|challenge| challenge.to_header_value().is_ok())
            .collect();
        if sent.is_empty() {
            return Ok(());
        }
        let line = sent
            .iter()
            .map(|challenge| challenge.to_header_value().unwrap().to_str().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join(", ");
        let read = ReadChallenge::parse(&line).unwrap_or_else(|error| panic!("{line}: {error}"));
        prop_assert_eq!(read.len(), sent.len(), "{}", line);
        for (read, sent) in read.iter().zip(&sent) {
            prop_assert_eq!(read.scheme(), sent.scheme());
            prop_assert_eq!(read.bearer_error(), sent.bearer_error());
            for (name, value) in read.params() {
                prop_assert_eq!(Some(value), sent.param(name), "{} in {}", name, line);
            }
            for name in ["realm", "error", "error_description", "scope", "charset"] {
                prop_assert_eq!(read.param(name), sent.param(name), "{} in {}", name, line);
            }
        }
    }

    #[test]
    fn any_bytes_as_a_body_give_guidance_or_a_clear_error(
        status in 100u16..600,
        body in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let status = http::StatusCode::from_u16(status).unwrap();
        let guidance = Guidance::read(status, &http::HeaderMap::new(), Some(&body));
        if status.as_u16() < 400 {
            // Not an error: its body is not read as one.
            prop_assert!(guidance.body().is_none() && guidance.body_error().is_none());
        } else if guidance.body().is_none() && !body.is_empty() {
            prop_assert!(guidance.body_error().is_some());
        }
    }

    #[test]
    fn any_status_with_any_text_renders_without_panicking(
        status in 0u16..1000,
        text in hostile_text(),
    ) {
        if let Ok(status) = http::StatusCode::from_u16(status) {
            // A status the general constructor refuses is answered as the 500 an app sends.
            let error = ErrorStatus::try_from(status).map_or_else(|_| HttpError::internal(), HttpError::new);
            let reply = reply_of(error.with_message(text).render());
            prop_assert!((400..600).contains(&reply.status));
            let body = reply.json();
            prop_assert_eq!(body["status"].as_u64(), Some(u64::from(reply.status)));
            prop_assert!(body["error"].is_string() && body["message"].is_string());
        }
    }
}

/// Marks text that is hidden (notes, sources): it must never reach a client.
const HIDDEN: &str = "hunter2-hidden";
/// Marks an error's own message: it reaches the client exactly when `message()` says so.
const OWN_MESSAGE: &str = "own-message-7f3a";

/// One step of building a challenge.
#[derive(Debug, Clone)]
enum ChallengeStep {
    Realm(String),
    Error(BearerError),
    Description(String),
    Scope(String),
    Charset,
    Param(String, String),
    Token68(String),
}

#[derive(Debug, Clone)]
struct ChallengeRecipe {
    scheme: String,
    steps: Vec<ChallengeStep>,
}

impl ChallengeRecipe {
    fn build(&self) -> Challenge {
        self.build_from(Challenge::new(self.scheme.clone()))
    }

    fn build_from(&self, start: Challenge) -> Challenge {
        self.steps
            .iter()
            .fold(start, |challenge, step| match step.clone() {
                ChallengeStep::Realm(realm) => challenge.with_realm(realm),
                ChallengeStep::Error(error) => challenge.with_error(error),
                ChallengeStep::Description(text) => challenge.with_description(text),
                ChallengeStep::Scope(scope) => challenge.with_scope(scope),
                ChallengeStep::Charset => challenge.with_utf8_charset(),
                ChallengeStep::Param(name, value) => challenge.with_param(name, value),
                ChallengeStep::Token68(token68) => challenge.with_token68(token68),
            })
    }
}

/// How the error starts.
#[derive(Debug, Clone)]
enum Base {
    Status(u16),
    Forbidden,
    MissingRole(String),
    MissingScope(String, Option<String>),
    Unauthorized(Vec<ChallengeRecipe>),
    MethodNotAllowed(Vec<String>),
}

/// What is added to it.
#[derive(Debug, Clone)]
enum Step {
    Message(String),
    ExposedMessage(String),
    Note(String),
    Source(String),
    RetryAfter(Duration),
    RetryAfterDate(Option<SystemTime>),
    Member(String, String),
}

#[derive(Debug, Clone)]
struct Recipe {
    base: Base,
    steps: Vec<Step>,
    conceal: bool,
}

fn own(text: &str) -> String {
    format!("{text}{OWN_MESSAGE}")
}

fn hidden(text: &str) -> String {
    format!("{text}{HIDDEN}")
}

impl Recipe {
    fn forbidden(&self) -> Option<Forbidden> {
        match &self.base {
            Base::Forbidden => Some(Forbidden::new()),
            Base::MissingRole(role) => Some(Forbidden::missing_role(role.clone())),
            Base::MissingScope(scope, None) => Some(Forbidden::missing_scope(scope.clone())),
            Base::MissingScope(scope, Some(realm)) => {
                Some(Forbidden::missing_scope(scope.clone()).with_realm(realm.clone()))
            }
            Base::Status(_) | Base::Unauthorized(_) | Base::MethodNotAllowed(_) => None,
        }
    }

    fn build(&self) -> HttpError {
        if let (true, Some(forbidden)) = (self.conceal, self.forbidden()) {
            // A concealed refusal carries no header of its own, so `Retry-After` is skipped.
            let forbidden = self
                .steps
                .iter()
                .fold(forbidden, |refusal, step| match step {
                    Step::Message(text) | Step::ExposedMessage(text) => {
                        refusal.with_message(own(text))
                    }
                    Step::Note(text) => refusal.with_note(hidden(text)),
                    Step::Source(text) => refusal.with_source(std::io::Error::other(hidden(text))),
                    Step::RetryAfter(_) | Step::RetryAfterDate(_) => refusal,
                    Step::Member(name, value) => refusal.with_member(name.clone(), hidden(value)),
                });
            return forbidden.conceal();
        }
        let error = match &self.base {
            Base::Status(code) => ErrorStatus::try_from(StatusCode::from_u16(*code).unwrap())
                .map_or_else(|_| HttpError::internal(), HttpError::new),
            Base::Unauthorized(challenges) => {
                let mut built = challenges.iter().map(ChallengeRecipe::build);
                let first = built.next().unwrap_or_else(|| Challenge::bearer("api"));
                built
                    .fold(Unauthorized::new(first), Unauthorized::with_challenge)
                    .into_http_error()
            }
            Base::MethodNotAllowed(methods) => HttpError::method_not_allowed(
                methods
                    .iter()
                    .filter_map(|method| method.parse::<Method>().ok()),
            ),
            Base::Forbidden | Base::MissingRole(_) | Base::MissingScope(..) => {
                self.forbidden().unwrap().into_http_error()
            }
        };
        self.steps.iter().fold(error, |error, step| match step {
            Step::Message(text) => error.with_message(own(text)),
            Step::ExposedMessage(text) => error.with_exposed_message(own(text)),
            Step::Note(text) => error.with_note(hidden(text)),
            Step::Source(text) => error.with_source(std::io::Error::other(hidden(text))),
            Step::RetryAfter(delay) => error.with_retry_after(*delay),
            Step::RetryAfterDate(Some(when)) => error.with_retry_after(*when),
            Step::RetryAfterDate(None) => error,
            Step::Member(name, value) => error.with_member(name.clone(), value.clone()),
        })
    }
}

/// What a client must receive, worked out from the recipe alone, without asking the crate.
struct Expected {
    /// `None` where the recipe's challenges decide it (not modelled here).
    status: Option<u16>,
    /// `None`: not modelled; `Some(None)`: no `Retry-After`; `Some(Some(value))`: exactly it,
    /// `IMF` standing for any IMF-fixdate.
    retry_after: Option<Option<String>>,
    /// The exact `Allow`, for a 405 built with its methods.
    allow: Option<String>,
    /// Extension members that must be in the body, with their values.
    members: Vec<(String, String)>,
}

/// A realm RFC 9110 can carry in a quoted-string, as the crate limits it: tab, space and
/// visible ASCII.
fn carries(text: &str) -> bool {
    text.bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
}

impl Recipe {
    fn expected(&self) -> Expected {
        let concealed = self.conceal && self.forbidden().is_some();
        let status = match &self.base {
            _ if concealed => Some(404),
            Base::Status(code)
                if (400..600).contains(code) && ![401, 405, 407, 426].contains(code) =>
            {
                Some(*code)
            }
            Base::Status(_) => Some(500),
            Base::Forbidden | Base::MissingRole(_) => Some(403),
            Base::MissingScope(_, Some(realm)) if !carries(realm) => Some(500),
            Base::MissingScope(..) => Some(403),
            Base::MethodNotAllowed(_) => Some(405),
            Base::Unauthorized(_) => None,
        };
        // A refusal answered as a plain 500 because its challenge cannot be sent carries none
        // of its own headers; a concealed one carries none either.
        let plain = concealed
            || matches!(&self.base, Base::MissingScope(_, Some(realm)) if !carries(realm));
        let retry_after = match (&self.base, plain) {
            (Base::Unauthorized(_), _) => None,
            (_, true) => Some(None),
            (_, false) => Some(self.steps.iter().fold(None, |sent, step| match step {
                Step::RetryAfter(delay) => {
                    let seconds = delay
                        .as_secs()
                        .saturating_add(u64::from(delay.subsec_nanos() > 0));
                    Some(seconds.min(1 << 31).to_string())
                }
                Step::RetryAfterDate(Some(when)) => {
                    let since_epoch = when.duration_since(SystemTime::UNIX_EPOCH);
                    match since_epoch {
                        // 253,402,300,800 s after 1970 is the year 10000.
                        Ok(since) if since.as_secs() < 253_402_300_800 => Some("IMF".to_owned()),
                        _ => None,
                    }
                }
                _ => sent,
            })),
        };
        let allow = match &self.base {
            Base::MethodNotAllowed(methods) => {
                let mut listed: Vec<&str> = Vec::new();
                for method in methods {
                    let is_token = !method.is_empty()
                        && method
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
                    if is_token && !listed.contains(&method.as_str()) {
                        listed.push(method);
                    }
                }
                Some(listed.join(","))
            }
            _ => None,
        };
        let valid_name = |name: &str| {
            name.len() >= 3
                && name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && ![
                    "type", "title", "status", "detail", "instance", "error", "message", "reason",
                    "role", "scope",
                ]
                .contains(&name)
        };
        // Members of a concealed refusal stay hidden; a plain 500 carries none either, and
        // an Unauthorized base may become one.
        let mut members: Vec<(String, String)> = Vec::new();
        if !plain && !matches!(self.base, Base::Unauthorized(_)) {
            for step in &self.steps {
                if let Step::Member(name, value) = step {
                    if valid_name(name) {
                        members.retain(|(known, _)| known != name);
                        members.push((name.clone(), value.clone()));
                    }
                }
            }
        }
        Expected {
            status,
            retry_after,
            allow,
            members,
        }
    }
}

fn scheme() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Bearer".to_owned()),
        Just("bearer".to_owned()),
        Just("Basic".to_owned()),
        Just("BASIC".to_owned()),
        Just("Negotiate".to_owned()),
        Just("DPoP".to_owned()),
        hostile_text(),
    ]
}

fn param_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "realm",
            "Realm",
            "error",
            "ERROR",
            "error_description",
            "error_uri",
            "scope",
            "Scope",
            "charset",
            "algs",
        ])
        .prop_map(str::to_owned),
        hostile_text(),
    ]
}

fn bearer_error() -> impl Strategy<Value = BearerError> {
    prop::sample::select(vec![
        BearerError::InvalidRequest,
        BearerError::InvalidToken,
        BearerError::InsufficientScope,
    ])
}

fn challenge_step() -> impl Strategy<Value = ChallengeStep> {
    prop_oneof![
        hostile_text().prop_map(ChallengeStep::Realm),
        bearer_error().prop_map(ChallengeStep::Error),
        hostile_text().prop_map(ChallengeStep::Description),
        hostile_text().prop_map(ChallengeStep::Scope),
        Just(ChallengeStep::Charset),
        (param_name(), hostile_text()).prop_map(|(name, value)| ChallengeStep::Param(name, value)),
        prop_oneof!["[A-Za-z0-9._~+/-]{1,12}=*", hostile_text()].prop_map(ChallengeStep::Token68),
    ]
}

fn challenge_recipe() -> impl Strategy<Value = ChallengeRecipe> {
    (scheme(), prop::collection::vec(challenge_step(), 0..5))
        .prop_map(|(scheme, steps)| ChallengeRecipe { scheme, steps })
}

/// Any `SystemTime` the platform can hold, the edges of IMF-fixdate well represented.
fn any_time() -> impl Strategy<Value = Option<SystemTime>> {
    let from_seconds = |seconds: i64, nanos: u32| {
        let offset = Duration::new(seconds.unsigned_abs(), nanos);
        if seconds >= 0 {
            SystemTime::UNIX_EPOCH.checked_add(offset)
        } else {
            SystemTime::UNIX_EPOCH.checked_sub(offset)
        }
    };
    prop_oneof![
        (any::<i64>(), 0u32..1_000_000_000),
        (
            prop::sample::select(vec![
                -1i64,
                0,
                253_402_300_799,
                253_402_300_800,
                i64::MAX,
                i64::MIN + 1
            ]),
            0u32..1_000_000_000
        ),
    ]
    .prop_map(move |(seconds, nanos)| from_seconds(seconds, nanos))
}

fn any_duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        (0u64..100_000, 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        Just(Duration::MAX),
        Just(Duration::ZERO),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        hostile_text().prop_map(Step::Message),
        hostile_text().prop_map(Step::ExposedMessage),
        hostile_text().prop_map(Step::Note),
        hostile_text().prop_map(Step::Source),
        any_duration().prop_map(Step::RetryAfter),
        any_time().prop_map(Step::RetryAfterDate),
        (
            prop_oneof!["[a-z][a-z0-9_]{2,12}", hostile_text()],
            hostile_text()
        )
            .prop_map(|(name, value)| Step::Member(name, value)),
    ]
}

fn base() -> impl Strategy<Value = Base> {
    prop_oneof![
        (100u16..1000).prop_map(Base::Status),
        Just(Base::Forbidden),
        hostile_text().prop_map(Base::MissingRole),
        (hostile_text(), prop::option::of(hostile_text()))
            .prop_map(|(scope, realm)| Base::MissingScope(scope, realm)),
        prop::collection::vec(challenge_recipe(), 0..4).prop_map(Base::Unauthorized),
        prop::collection::vec(
            prop_oneof![
                prop::sample::select(vec!["GET", "HEAD", "POST", "PURGE"]).prop_map(str::to_owned),
                hostile_text()
            ],
            0..4
        )
        .prop_map(Base::MethodNotAllowed),
    ]
}

fn recipe() -> impl Strategy<Value = Recipe> {
    (base(), prop::collection::vec(step(), 0..5), any::<bool>()).prop_map(
        |(base, steps, conceal)| Recipe {
            base,
            steps,
            conceal,
        },
    )
}

/// Checks one rendered response against the error it came from, as a client reads it.
fn check_against(
    error: &HttpError,
    reply: &Reply,
    expected: &Expected,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(reply.status, error.status().as_u16());
    match expected.status {
        Some(status) => prop_assert_eq!(reply.status, status),
        None => prop_assert!([400, 401, 403, 500].contains(&reply.status)),
    }
    match &expected.retry_after {
        None => {}
        Some(None) => prop_assert_eq!(reply.header("retry-after"), None),
        Some(Some(imf)) if imf == "IMF" => {
            let sent = reply.header("retry-after");
            prop_assert!(
                sent.is_some_and(support::is_imf_fixdate),
                "Retry-After {:?}",
                sent
            );
        }
        Some(Some(seconds)) => prop_assert_eq!(reply.header("retry-after"), Some(seconds.as_str())),
    }
    if let Some(allow) = &expected.allow {
        prop_assert_eq!(reply.header("allow"), Some(allow.as_str()));
    }
    if matches!(reply.status, 400 | 401 | 403)
        && error
            .challenges()
            .iter()
            .any(|c| c.bearer_error().is_some())
    {
        prop_assert!(
            reply.headers_named("www-authenticate").count() > 0,
            "an RFC 6750 refusal without its challenge: {:?}",
            reply
        );
    }
    let raw: Vec<u8> = reply
        .headers
        .iter()
        .flat_map(|(name, value)| [name.as_bytes(), value.as_bytes()].concat())
        .chain(reply.body.iter().copied())
        .collect();
    let raw = String::from_utf8_lossy(&raw);
    prop_assert!(!raw.contains(HIDDEN), "hidden text sent: {:?}", reply);

    let message = check_body(reply, Format::Json);
    // The last value set for each valid extension member name is in the body.
    let body = reply.json();
    for (name, value) in &expected.members {
        let sent = body.get(name).and_then(serde_json::Value::as_str);
        prop_assert_eq!(sent, Some(value.as_str()), "{:?}", reply);
    }
    let defaults = denied::Config::new();
    prop_assert_eq!(message.as_str(), defaults.sentence_for(error));
    prop_assert_eq!(
        raw.contains(OWN_MESSAGE),
        error.message().is_some_and(|own| own.contains(OWN_MESSAGE))
    );
    let guidance = Guidance::read(
        StatusCode::from_u16(reply.status).unwrap(),
        &header_map(reply),
        Some(&reply.body),
    );
    prop_assert_eq!(guidance.message(), Some(message.as_str()));

    let challenges = support::challenges_of(reply);
    if reply.status == 401 {
        prop_assert!(
            !challenges.is_empty(),
            "a 401 without a challenge: {:?}",
            reply
        );
    }
    for challenge in &challenges {
        if challenge.scheme.eq_ignore_ascii_case("bearer") {
            let fits = match challenge.param("error") {
                None => true,
                Some(code) => {
                    BearerError::from_code(code).map(BearerError::status) == error.status().into()
                }
            };
            prop_assert!(fits, "a Bearer error code on the wrong status: {:?}", reply);
        }
        if challenge.scheme.eq_ignore_ascii_case("basic") {
            prop_assert!(
                challenge.param("realm").is_some(),
                "Basic without realm: {:?}",
                reply
            );
        }
    }
    if reply.status == 405 {
        let allow = reply.header("allow");
        prop_assert!(allow.is_some(), "a 405 without Allow");
        for method in allow
            .unwrap_or_default()
            .split(',')
            .filter(|m| !m.is_empty())
        {
            let is_token = method
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            prop_assert!(is_token, "Allow lists {:?}", method);
        }
    }
    if let Some(retry_after) = reply.header("retry-after") {
        let delay_seconds =
            !retry_after.is_empty() && retry_after.bytes().all(|b| b.is_ascii_digit());
        prop_assert!(
            delay_seconds || support::is_imf_fixdate(retry_after),
            "Retry-After {:?}",
            retry_after
        );
        if delay_seconds {
            prop_assert!(retry_after.parse::<u64>().unwrap() <= 1 << 31);
        }
    }
    if error.concealed().is_some() {
        reply.assert_same_as(&reply_of(HttpError::not_found().render()), "concealed 404");
    }
    Ok(())
}

fn header_map(reply: &Reply) -> http::HeaderMap {
    reply
        .headers
        .iter()
        .map(|(name, value)| {
            (
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_str(value).unwrap(),
            )
        })
        .collect()
}

/// What each framework sends for `error`, read back as a client would.
#[cfg_attr(
    not(any(feature = "axum", feature = "actix-web", feature = "warp")),
    allow(unused_variables, unused_mut)
)]
fn through_adapters(build: impl Fn() -> HttpError) -> Vec<(&'static str, Reply)> {
    let mut replies = Vec::new();
    #[cfg(feature = "axum")]
    {
        let response = axum::response::IntoResponse::into_response(build());
        let (parts, body) = response.into_parts();
        let bytes = block_on(axum::body::to_bytes(body, usize::MAX)).unwrap();
        replies.push(("axum", reply_of(http::Response::from_parts(parts, bytes))));
    }
    #[cfg(feature = "actix-web")]
    {
        use actix_web::body::MessageBody;
        let response = actix_web::ResponseError::error_response(&build());
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8(value.as_bytes().to_vec()).unwrap(),
                )
            })
            .collect();
        let body = response.into_body().try_into_bytes().unwrap().to_vec();
        replies.push((
            "actix-web",
            Reply {
                status,
                headers,
                body,
            },
        ));
    }
    #[cfg(feature = "warp")]
    {
        let response = warp::Reply::into_response(build());
        let (parts, body) = response.into_parts();
        let bytes = block_on(axum::body::to_bytes(
            axum::body::Body::new(body),
            usize::MAX,
        ))
        .unwrap();
        replies.push(("warp", reply_of(http::Response::from_parts(parts, bytes))));
    }
    replies
}

#[cfg(any(feature = "axum", feature = "warp"))]
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    thread_local! {
        static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
    }
    RUNTIME.with(|runtime| runtime.block_on(future))
}

proptest! {
    #![proptest_config(config())]

    /// Every generated error: render() and every adapter agree byte for byte, the status is
    /// `status()`, the body message is `message()`, every header parses, and nothing hidden
    /// is sent.
    #[test]
    fn any_error_renders_correctly_and_the_same_through_every_adapter(recipe in recipe()) {
        let error = recipe.build();
        let reply = reply_of(error.render());
        check_against(&error, &reply, &recipe.expected())?;
        for (framework, through) in through_adapters(|| recipe.build()) {
            prop_assert_eq!(through.status, reply.status, "{}", framework);
            prop_assert_eq!(through.comparable_headers(), reply.comparable_headers(), "{}", framework);
            prop_assert_eq!(&through.body, &reply.body, "{}", framework);
        }
        let debug = format!("{error:?}");
        prop_assert!(!debug.contains(HIDDEN), "Debug shows hidden text: {}", debug);
        if !error.message().is_some_and(|own| own.contains(OWN_MESSAGE)) {
            prop_assert!(!debug.contains(OWN_MESSAGE), "Debug shows a withheld message: {}", debug);
        }
        if error.concealed().is_some() {
            prop_assert_eq!(debug, format!("{:?}", HttpError::not_found()));
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// Basic credentials decode exactly what the `base64` crate's standard engine (RFC 4648
    /// §4, canonical: padding where it belongs, no stray bits before it) decodes, and refuse,
    /// with a 400, everything it refuses.
    #[test]
    fn basic_credentials_decode_as_the_base64_crate_does(
        encoded in "[A-Za-z0-9+/=]{0,12}",
        canonical in proptest::collection::vec(any::<u8>(), 0..9),
        credentials in "[ -9;-~\u{e9}]{0,6}:[ -~\u{e9}]{0,6}",
    ) {
        use base64::Engine as _;
        let engine = base64::engine::general_purpose::STANDARD;
        // Random text, random bytes, and credentials as a client sends them, so that the
        // decoded branch is taken too.
        let canonical = engine.encode(&canonical);
        let credentials = engine.encode(credentials.as_bytes());
        for encoded in [encoded, canonical, credentials] {
            let mut headers = http::HeaderMap::new();
            headers.insert(
                http::header::AUTHORIZATION,
                format!("Basic {encoded}").parse().unwrap(),
            );
            let read = denied::BasicCredentials::from_headers(&headers);
            let expected = base64::engine::general_purpose::STANDARD
                .decode(&encoded)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .filter(|text| !text.chars().any(char::is_control))
                .and_then(|text| {
                    let (user_id, password) = text.split_once(':')?;
                    Some((user_id.to_owned(), password.to_owned()))
                });
            match (read, expected) {
                (Ok(read), Some((user_id, password))) => {
                    prop_assert_eq!(read.user_id(), user_id);
                    prop_assert_eq!(read.password(), password);
                }
                (Err(refusal), None) => prop_assert_eq!(refusal.status(), 400, "{}", encoded),
                (read, expected) => {
                    prop_assert!(false, "{encoded:?}: read {read:?}, the base64 crate {expected:?}");
                }
            }
        }
    }
}
