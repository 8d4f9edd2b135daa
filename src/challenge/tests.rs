//! Tests of challenges: both forms, both caches, and the rules.

use super::encode::encoded_len;
use super::interned::{ENCODED, ENCODED_PER_THREAD};
use super::*;
use proptest::prelude::*;

#[test]
fn parameters_past_the_inline_ones_keep_their_order() {
    let mut challenge = Challenge::new("DPoP");
    for index in 0..7 {
        challenge = challenge.with_param(format!("p{index}"), format!("v{index}"));
    }
    let challenge = challenge.with_realm("r").with_param("p3", "again");
    let challenge = challenge.with_param("p5", "bad\u{1}");
    assert_eq!(
        challenge.to_header_value().unwrap(),
        r#"DPoP realm="r", p0="v0", p1="v1", p2="v2", p3="again", p4="v4", p6="v6""#
    );
}

#[test]
fn a_refused_value_leaves_the_inline_parameters_in_order() {
    let challenge = Challenge::bearer("r")
        .with_scope("a")
        .with_description("d")
        .with_scope("bad\"scope");
    assert_eq!(
        challenge.to_header_value().unwrap(),
        r#"Bearer realm="r", error_description="d""#
    );
}

#[test]
fn a_static_challenge_is_encoded_once_and_an_owned_one_every_time() {
    let first = Challenge::bearer("cached").to_header_value().unwrap();
    let again = Challenge::bearer("cached").to_header_value().unwrap();
    assert_eq!(first, again);
    // The same text, not `'static`: encoded again, to the same bytes.
    let owned = Challenge::bearer(String::from("cached"))
        .to_header_value()
        .unwrap();
    assert_eq!(owned, first);
    // More static challenges than a thread keeps: all still encoded right.
    let realms: Vec<&'static str> = (0..ENCODED_PER_THREAD + 8)
        .map(|index| &*Box::leak(format!("realm{index}").into_boxed_str()))
        .collect();
    for _ in 0..2 {
        for realm in &realms {
            let value = Challenge::bearer(*realm).to_header_value().unwrap();
            assert_eq!(value, format!("Bearer realm=\"{realm}\"").as_str());
        }
    }
}

/// The direct builds (`bearer`, `basic`, `Unauthorized::invalid_token`'s challenge) are
/// the step-by-step ones, for every mix of valid and refused realm and description.
#[test]
fn a_challenge_built_directly_is_the_one_built_step_by_step() {
    let realms = [
        "example",
        "",
        "tab\there \"quoted\"",
        "line\nbreak",
        "caf\u{e9}",
    ];
    let descriptions = ["the token expired", "", "quote \"", "back\\slash", "\u{1}"];
    let errors = [
        BearerError::InvalidRequest,
        BearerError::InvalidToken,
        BearerError::InsufficientScope,
    ];
    for realm in realms {
        for description in descriptions {
            // A `'static` description is encoded once per thread; an owned one every time.
            let given = [
                Cow::Borrowed(description),
                Cow::Owned(description.to_owned()),
            ];
            for (error, description) in errors.into_iter().zip(given.iter().cycle()) {
                let direct = KnownParts::bearer_error(error, description.clone())
                    .build()
                    .with_realm(realm);
                let stepwise = Challenge::new("Bearer")
                    .with_realm(realm)
                    .with_error(error)
                    .with_description(description.to_string());
                assert_eq!(direct, stepwise, "{realm:?} {description:?} {error}");
                assert_eq!(direct.validate(), stepwise.validate());
                assert_eq!(direct.to_header_value(), stepwise.to_header_value());
            }
        }
        for (direct, scheme) in [
            (Challenge::bearer(realm), "Bearer"),
            (Challenge::basic(realm), "Basic"),
        ] {
            let stepwise = Challenge::new(scheme).with_realm(realm);
            assert_eq!(direct, stepwise, "{scheme} {realm:?}");
            assert_eq!(direct.validate(), stepwise.validate());
            assert_eq!(direct.to_header_value(), stepwise.to_header_value());
        }
    }
}

/// Empties this thread's cache of encoded challenges, so that the next ones are encoded
/// afresh.
fn forget_encoded() {
    ENCODED.with(|cache| cache.borrow_mut().clear());
}

/// One step of building a challenge, applied alike to a [`Challenge`] and to the general
/// form alone.
#[derive(Debug, Clone)]
enum Step {
    Realm(Cow<'static, str>),
    Error(BearerError),
    Param(&'static str, Cow<'static, str>),
    Token68(Cow<'static, str>),
}

/// A text, `'static` or owned: an owned one is never taken from the per-thread cache.
fn text() -> impl Strategy<Value = Cow<'static, str>> {
    let texts = prop::sample::select(vec![
        "example",
        "",
        "UTF-8",
        "utf-8",
        "read write",
        "invalid_token",
        "insufficient_scope",
        "quote \"",
        "back\\slash",
        "line\nbreak",
        "caf\u{e9}",
        "YII=",
    ]);
    (texts, any::<bool>()).prop_map(|(text, owned)| {
        if owned {
            Cow::Owned(text.to_owned())
        } else {
            Cow::Borrowed(text)
        }
    })
}

fn step() -> impl Strategy<Value = Step> {
    let names = prop::sample::select(vec![
        "realm",
        "REALM",
        "error",
        "error_description",
        "Error_Description",
        "scope",
        "error_uri",
        "charset",
        "custom",
        "not a token",
    ]);
    let errors = prop::sample::select(vec![
        BearerError::InvalidRequest,
        BearerError::InvalidToken,
        BearerError::InsufficientScope,
    ]);
    prop_oneof![
        text().prop_map(Step::Realm),
        errors.prop_map(Step::Error),
        (names, text()).prop_map(|(name, value)| Step::Param(name, value)),
        text().prop_map(Step::Token68),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4_000))]

    /// Whatever the steps, the compact form and the general one hold the same challenge:
    /// equal, with the same parameters, checks and bytes.
    #[test]
    fn the_compact_form_is_the_general_one(
        scheme in prop::sample::select(vec!["Bearer", "bearer", "Basic", "DPoP"]),
        direct in prop::option::of((
            text(),
            prop::option::of((
                prop::sample::select(vec![
                    BearerError::InvalidRequest,
                    BearerError::InvalidToken,
                    BearerError::InsufficientScope,
                ]),
                text(),
            )),
        )),
        steps in prop::collection::vec(step(), 0..6),
        cached in any::<bool>(),
    ) {
        if !cached {
            forget_encoded();
        }
        let (mut challenge, mut built) = match direct {
            Some((realm, error)) if scheme == "Bearer" || scheme == "Basic" => {
                let kind = Scheme::of(scheme);
                let error = error.filter(|_| kind == Scheme::Bearer);
                let scheme = if kind == Scheme::Bearer { BEARER } else { BASIC };
                (
                    Challenge::known(scheme, kind, Some(realm.clone()), error.clone()),
                    Built::known(scheme, kind, Some(realm), error),
                )
            }
            _ => (Challenge::new(scheme), Built::new(Cow::Borrowed(scheme))),
        };
        for step in steps {
            match step {
                Step::Realm(realm) => {
                    challenge = challenge.with_realm(realm.clone());
                    built.set_realm(realm);
                }
                Step::Error(error) => {
                    challenge = challenge.with_error(error);
                    built.set_error(error);
                }
                Step::Param(name, value) => {
                    challenge = challenge.with_param(name, value.clone());
                    built.set_param(Cow::Borrowed(name), value);
                }
                Step::Token68(token68) => {
                    challenge = challenge.with_token68(token68.clone());
                    built.set_token68(token68);
                }
            }
        }
        prop_assert_eq!(&*challenge.view(), &built);
        prop_assert_eq!(challenge.scheme(), &*built.scheme);
        prop_assert_eq!(challenge.bearer_error(), built.bearer_error);
        for name in ["realm", "error", "error_description", "scope", "charset", "custom"] {
            prop_assert_eq!(challenge.param(name), built.param(name));
        }
        prop_assert_eq!(challenge.validate(), built.validate());
        prop_assert_eq!(challenge.is_usable(), built.is_usable());
        for status in [http::StatusCode::BAD_REQUEST, http::StatusCode::UNAUTHORIZED] {
            let fits = built.bearer_error.map_or(true, |error| error.status() == status);
            prop_assert_eq!(challenge.fits(status), fits);
        }
        // Encoded afresh and taken from the cache, the same bytes.
        let encoded = built.encode();
        for _ in 0..2 {
            prop_assert_eq!(challenge.to_header_value(), built.to_header_value());
            if challenge.is_usable() {
                prop_assert_eq!(challenge.usable_header_value(), built.usable_header_value());
                prop_assert_eq!(challenge.usable_header_value(), encoded.clone().ok());
            }
        }
    }
}

/// The constructors the crate's refusals use keep the compact form.
#[test]
fn the_crates_challenges_are_compact() {
    let challenges = [
        Challenge::bearer("example"),
        Challenge::basic("example").with_utf8_charset(),
        KnownParts::bearer_error(
            BearerError::InvalidToken,
            Cow::Owned(String::from("the token expired")),
        )
        .build(),
        KnownParts::basic().build(),
        Challenge::new("Bearer")
            .with_error(BearerError::InsufficientScope)
            .with_scope("reports:export")
            .with_realm("example"),
    ];
    for challenge in challenges {
        assert!(matches!(challenge.0, Repr::Known(_)), "{challenge:?}");
    }
    // The general form keeps its unusable parts in a `Vec` (a problem stays until a valid
    // value of the same part replaces it), which made it smaller than when it kept one in
    // line: the compact form is under a third of its size.
    assert!(std::mem::size_of::<Known>() * 3 <= std::mem::size_of::<Built>());
    // The general form is boxed: a challenge is the size of the compact one.
    assert_eq!(
        std::mem::size_of::<Challenge>(),
        std::mem::size_of::<Known>()
    );
}

/// `is_usable` answers what `check_usable` would, without building its error.
#[test]
fn usable_is_what_the_check_says() {
    let challenges = [
        Challenge::new("Bearer"),
        Challenge::bearer("r"),
        Challenge::bearer("bad\n"),
        Challenge::bearer("bad\n").with_scope("read"),
        Challenge::basic("r"),
        Challenge::new("Basic"),
        Challenge::new("basic").with_param("charset", "UTF-8"),
        Challenge::new("Negotiate"),
        Challenge::new("Negotiate").with_token68("YII="),
        Challenge::new("Negotiate")
            .with_token68("YII=")
            .with_param("a", "b"),
        Challenge::new("Negotiate").with_token68("not token68!"),
        Challenge::bearer("r").with_token68("abc"),
        Challenge::new("bad scheme"),
    ];
    for challenge in challenges {
        let check = match &challenge.0 {
            Repr::Known(known) => known.check_usable(),
            Repr::Built(built) => built.check_usable(),
        };
        assert_eq!(challenge.is_usable(), check.is_ok(), "{challenge:?}");
    }
}

#[test]
fn setting_a_parameter_twice_keeps_one() {
    let challenge = Challenge::bearer("a").with_realm("b");
    assert_eq!(challenge.view().params.as_slice().len(), 1);
    assert_eq!(challenge.param("realm"), Some("b"));
}

#[test]
fn an_invalid_optional_value_replaces_nothing_and_is_reported() {
    let challenge = Challenge::bearer("a")
        .with_scope("read")
        .with_scope("bad\"scope");
    assert_eq!(challenge.param("scope"), None);
    assert!(matches!(
        challenge.validate(),
        Err(InvalidChallenge::ParamValue { .. })
    ));
    assert!(challenge.is_usable());
}

#[test]
fn an_invalid_realm_makes_the_challenge_unusable() {
    let challenge = Challenge::bearer("line\r\nbreak");
    assert!(!challenge.is_usable());
    assert!(challenge.to_header_value().is_err());
}

#[test]
fn encoded_length_is_exact() {
    let challenge = Challenge::basic(r#"a "quoted" \ realm"#).with_utf8_charset();
    let value = challenge.to_header_value().unwrap();
    let built = challenge.view();
    let length = encoded_len(&built.scheme, None, built.param_pairs());
    assert_eq!(value.len(), length);
}

/// A challenge of `'static` text is interned when first built, and found when built again;
/// one with owned text is not.
#[test]
fn a_challenge_of_static_text_is_found_when_built_again() {
    let parts =
        || KnownParts::bearer_error(BearerError::InvalidToken, Cow::Borrowed("found again"));
    assert!(InternedChallenge::find(&parts()).is_none());
    let first = InternedChallenge::intern(parts()).ok().unwrap();
    let again = InternedChallenge::find(&parts()).unwrap();
    assert_eq!(first.slot(), again.slot());
    let owned = || {
        KnownParts::bearer_error(
            BearerError::InvalidToken,
            Cow::Owned(String::from("found again")),
        )
    };
    assert!(InternedChallenge::intern(owned()).is_err());
    assert!(InternedChallenge::find(&owned()).is_none());
}
