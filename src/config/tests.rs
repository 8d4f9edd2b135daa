//! Tests of the settings: what they check, the bodies they keep, the sentences they give.

use super::settings::{KeptBody, BUILT_IN_MESSAGES};
use http::HeaderValue;

use super::*;

/// The process-wide settings, whose bodies and language tags are `'static`, prerender the
/// same bytes as any settings.
#[test]
fn the_process_settings_prerender_the_same_bytes() {
    let languages = |settings: &Settings| -> Vec<(HeaderValue, Vec<Vec<u8>>)> {
        std::iter::once(&settings.base)
            .chain(&settings.catalogs)
            .map(|language| {
                let bodies = language
                    .tables
                    .iter()
                    .flat_map(|(_, table)| &table.prerendered)
                    .map(|prerendered| prerendered.default_body.as_bytes().to_vec())
                    .collect();
                (language.content_language.clone(), bodies)
            })
            .collect()
    };
    let process = languages(&Settings::new(german_config()).for_the_process());
    assert_eq!(languages(&Settings::new(german_config())), process);
    assert_eq!(process.len(), 2);
}

/// Every body the process-wide settings keep is `'static`, the default bodies and those of
/// own messages, so that a response makes its body in place and counts no reference;
/// every body an app's own settings keep is shared.
#[test]
fn the_process_settings_keep_static_bodies_and_an_app_shares_its_own() {
    let kept_bodies = |settings: &Settings| -> Vec<bool> {
        std::iter::once(&settings.base)
            .chain(&settings.catalogs)
            .flat_map(|language| &language.tables)
            .flat_map(|(_, table)| &table.prerendered)
            .map(|prerendered| matches!(prerendered.default_body, KeptBody::Static(_)))
            .collect()
    };
    let process_settings = Settings::new(german_config()).for_the_process();
    let app_settings = Settings::new(german_config());
    let process_bodies = kept_bodies(&process_settings);
    let app_bodies = kept_bodies(&app_settings);
    assert!(!process_bodies.is_empty());
    assert_eq!(process_bodies.len(), app_bodies.len());
    assert!(process_bodies.iter().all(|&is_static| is_static));
    assert!(app_bodies.iter().all(|&is_static| !is_static));

    for (settings, kept_static) in [(&process_settings, true), (&app_settings, false)] {
        let prerendered = settings
            .base()
            .prerendered(BodyFormat::Json, StatusCode::FORBIDDEN)
            .expect("a 403 is prerendered");
        let kept = settings
            .kept_own_message_body(prerendered, "Only the owner may archive it")
            .expect("room for one body");
        assert_eq!(matches!(kept, KeptBody::Static(_)), kept_static);
        let body: serde_json::Value =
            serde_json::from_slice(&kept.to_bytes()).expect("a JSON body");
        assert_eq!(
            body,
            serde_json::json!({
                "error": "Forbidden",
                "message": "Only the owner may archive it",
                "status": 403,
            })
        );
    }
}

fn german_config() -> Config {
    Config::new().negotiate(true).language(
        "de",
        Catalog::new().message(StatusCode::FORBIDDEN, "Verboten"),
    )
}

#[test]
fn every_built_in_status_is_prerendered_in_order() {
    let settings = Settings::new(Config::new());
    let [(BodyFormat::Json, table)] = &settings.base().tables[..] else {
        panic!("one table, for the app's format");
    };
    assert_eq!(table.prerendered.len(), BUILT_IN_MESSAGES.len());
    assert!(table
        .prerendered
        .windows(2)
        .all(|pair| pair[0].status < pair[1].status));
}

#[test]
fn an_english_base_catalog_replaces_the_built_in_sentences_it_names() {
    let settings = Settings::new(Config::new().base_language(
        "en-GB",
        Catalog::new().message(StatusCode::FORBIDDEN, "You are not authorised"),
    ));
    let forbidden = settings.language_for(0, StatusCode::FORBIDDEN);
    assert_eq!(
        forbidden.sentence(StatusCode::FORBIDDEN),
        "You are not authorised"
    );
    assert_eq!(forbidden.content_language, "en-GB");
    let not_found = settings.language_for(0, StatusCode::NOT_FOUND);
    assert_eq!(
        not_found.sentence(StatusCode::NOT_FOUND),
        "The requested resource was not found"
    );
    assert_eq!(not_found.content_language, "en-GB");
    assert!(settings.names_language());
    assert!(!settings.offers_languages());
}

/// A sentence set app-wide is sent with its language: a base language that is not English
/// answers the statuses its catalog names, and the crate's English, named as English, the
/// others.
#[test]
fn a_base_language_names_the_language_of_every_sentence() {
    let settings = Settings::new(
        Config::new().base_language(
            "de",
            Catalog::new()
                .message(StatusCode::FORBIDDEN, "Zugriff verweigert")
                .phrase(StatusCode::FORBIDDEN, "Verboten"),
        ),
    );
    let forbidden = settings.language_for(0, StatusCode::FORBIDDEN);
    assert_eq!(forbidden.content_language, "de");
    assert_eq!(
        forbidden.sentence(StatusCode::FORBIDDEN),
        "Zugriff verweigert"
    );
    assert_eq!(forbidden.phrase(StatusCode::FORBIDDEN), "Verboten");
    let not_found = settings.language_for(0, StatusCode::NOT_FOUND);
    assert_eq!(not_found.content_language, "en");
    assert_eq!(
        not_found.sentence(StatusCode::NOT_FOUND),
        "The requested resource was not found"
    );
    assert_eq!(not_found.phrase(StatusCode::NOT_FOUND), "Not Found");
    assert_eq!(settings.sent_language_tags(), ["de", "en"]);
    // Without a base language, the crate's English is sent unnamed.
    assert!(!Settings::new(Config::new()).names_language());
}

#[test]
fn a_catalog_covers_its_own_statuses_and_falls_back_to_the_base() {
    let settings = Config::new()
        .negotiate(true)
        .language(
            "de",
            Catalog::new()
                .message(StatusCode::FORBIDDEN, "Nein")
                .phrase(StatusCode::FORBIDDEN, "Verboten"),
        )
        .build()
        .unwrap();
    let german = settings.language_for(1, StatusCode::FORBIDDEN);
    assert_eq!(german.content_language, "de");
    assert_eq!(german.sentence(StatusCode::FORBIDDEN), "Nein");
    assert_eq!(german.phrase(StatusCode::FORBIDDEN), "Verboten");
    assert!(german
        .prerendered(BodyFormat::Problem, StatusCode::FORBIDDEN)
        .is_some());
    let fallback = settings.language_for(1, StatusCode::NOT_FOUND);
    assert_eq!(fallback.content_language, "en");
    assert_eq!(
        settings
            .language_for(7, StatusCode::FORBIDDEN)
            .content_language,
        "en"
    );
}

#[test]
fn language_tags_are_checked() {
    for tag in ["", "*", "de_DE", "toolongtag", "1de", "de-", "d\u{e9}"] {
        let refused = Config::new().language(tag, Catalog::new()).build().err();
        assert_eq!(
            refused,
            Some(ConfigError::LanguageTag(tag.to_owned())),
            "{tag}"
        );
    }
    assert!(Config::new()
        .base_language("x y", Catalog::new())
        .build()
        .is_err());
    let twice = Config::new().language("EN", Catalog::new()).build().err();
    assert_eq!(twice, Some(ConfigError::LanguageTwice("EN".to_owned())));
    // A second catalog for a tag, in any case, replaces the first.
    let replaced = Config::new()
        .language("de", Catalog::new().message(StatusCode::FORBIDDEN, "Erste"))
        .language(
            "DE",
            Catalog::new().message(StatusCode::FORBIDDEN, "Zweite"),
        )
        .build()
        .unwrap();
    assert_eq!(
        replaced
            .language_for(1, StatusCode::FORBIDDEN)
            .sentence(StatusCode::FORBIDDEN),
        "Zweite"
    );
    let base = Config::new()
        .problem_type_base("https://x.example/ p")
        .build()
        .err();
    assert!(matches!(base, Some(ConfigError::ProblemTypeBase(_))));
    assert!(Config::new()
        .language("de-CH-1901", Catalog::new())
        .build()
        .is_ok());
}

#[test]
fn body_format_names_parse() {
    assert_eq!("json".parse(), Ok(BodyFormat::Json));
    assert_eq!("problem".parse(), Ok(BodyFormat::Problem));
    assert!("xml".parse::<BodyFormat>().is_err());
}
