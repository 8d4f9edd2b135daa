//! Building and reading an error, or a credential extractor's refusal, before
//! `Config::install` does not fix the settings: only a render does.
//! Its own test binary, since the settings are process-wide.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use denied::{BearerToken, Catalog, Config, ConfigError, Forbidden, HttpError};
use http::StatusCode;

#[test]
fn install_works_after_errors_were_built_and_read() {
    let error: HttpError = Forbidden::new().into();
    assert_eq!(error.message(), None);
    // A refusal for missing credentials reads no settings: it is sent in the realm of the
    // settings that render it.
    let no_credentials = BearerToken::from_headers(&http::HeaderMap::new()).unwrap_err();
    assert_eq!(no_credentials.challenges()[0].param("realm"), None);
    assert_eq!(error.status(), 403);
    let _ = format!("{error} {error:?}");

    // A realm no challenge can carry is refused, and nothing is installed.
    let refused = Config::new().realm("line\r\nbreak").install().unwrap_err();
    assert!(matches!(refused, ConfigError::Realm(_)), "{refused:?}");
    assert!(format!("{refused:?}").contains(&refused.to_string()));

    Config::new()
        .base_language("de", Catalog::new().message(StatusCode::FORBIDDEN, "Nein"))
        .realm("installed")
        .install()
        .expect("nothing was rendered yet");
    let body: serde_json::Value = serde_json::from_slice(error.render().body()).unwrap();
    assert_eq!(body["message"], "Nein");
    assert_eq!(
        no_credentials.render().headers()["www-authenticate"],
        r#"Bearer realm="installed""#
    );
}
