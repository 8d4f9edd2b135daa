//! `denied::actix_web::ErrorHandling` and the actix-web extractors, driven with
//! `actix_web::test`: what escapes a handler reaches the client in the crate's shape.
#![cfg(feature = "actix-web")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use actix_web::body::MessageBody;
use actix_web::{test, web, App, HttpResponse};
use denied::actix_web::ErrorHandling;
use denied::{BasicCredentials, Forbidden, HttpError};
use support::{actix_reply as read, challenges_of, check_body, reply_of, Format};

#[allow(clippy::panic)]
async fn panics() -> HttpResponse {
    panic!("connection to db-primary refused (password=hunter2)")
}

#[derive(serde::Deserialize)]
struct Order {
    #[allow(dead_code)]
    item: String,
}

macro_rules! app {
    () => {
        test::init_service(
            App::new()
                .route("/ok", web::get().to(|| async { "fine" }))
                .route(
                    "/refused",
                    web::get().to(|| async { Forbidden::missing_role("admin") }),
                )
                .route(
                    "/plain",
                    web::get().to(|| async {
                        HttpResponse::BadGateway()
                            .insert_header(("x-upstream", "billing"))
                            .body("upstream billing-7 said: password=hunter2")
                    }),
                )
                .route(
                    "/json-401",
                    web::get().to(|| async {
                        HttpResponse::Unauthorized().json(serde_json::json!({"oops": true}))
                    }),
                )
                .route(
                    "/actix-json",
                    web::post().to(|_: web::Json<Order>| async { "stored" }),
                )
                .route(
                    "/basic",
                    web::get().to(|credentials: BasicCredentials| async move {
                        credentials.user_id().to_owned()
                    }),
                )
                .route("/panic", web::get().to(panics))
                .route(
                    "/trickle",
                    web::get().to(|| async {
                        HttpResponse::BadGateway().streaming(support::Trickle::<actix_web::Error>::default())
                    }),
                )
                .service(web::resource("/resource").route(web::get().to(|| async { "fine" })))
                .wrap(ErrorHandling::new()),
        )
        .await
    };
}

#[actix_web::test]
async fn a_success_and_the_crates_refusals_pass_untouched() {
    let app = app!();
    let ok = read(test::call_service(&app, test::TestRequest::get().uri("/ok").to_request()).await);
    assert_eq!((ok.status, ok.body.as_slice()), (200, &b"fine"[..]));
    let refused =
        read(test::call_service(&app, test::TestRequest::get().uri("/refused").to_request()).await);
    refused.assert_same_as(
        &reply_of(Forbidden::missing_role("admin").render()),
        "refused",
    );
}

#[actix_web::test]
async fn a_plain_text_error_is_rendered_again_keeping_its_other_headers() {
    let app = app!();
    let request = test::TestRequest::get().uri("/plain").to_request();
    let reply = read(test::call_service(&app, request).await);
    support::assert_rewritten_upstream_error(&reply);
}

#[actix_web::test]
async fn a_json_401_without_a_challenge_gets_the_apps() {
    let app = app!();
    let request = test::TestRequest::get().uri("/json-401").to_request();
    let reply = read(test::call_service(&app, request).await);
    assert_eq!(reply.status, 401);
    assert_eq!(challenges_of(&reply)[0].param("realm"), Some("api"));
}

#[actix_web::test]
async fn actix_webs_own_extractor_errors_get_the_crates_shape() {
    let app = app!();
    let request = test::TestRequest::post()
        .uri("/actix-json")
        .insert_header(("content-type", "application/json"))
        .set_payload(r#"{"secret": hunter2"#)
        .to_request();
    let reply = read(test::call_service(&app, request).await);
    assert_eq!(reply.status, 400);
    assert_eq!(check_body(&reply, Format::Json), "The request is invalid");
    assert!(!String::from_utf8_lossy(&reply.body).contains("hunter2"));
    let unknown = test::TestRequest::get().uri("/nowhere").to_request();
    let reply = read(test::call_service(&app, unknown).await);
    assert_eq!(reply.status, 404);
    assert_eq!(
        check_body(&reply, Format::Json),
        "The requested resource was not found"
    );
}

#[actix_web::test]
async fn basic_credentials_are_read_or_challenged() {
    let app = app!();
    let request = test::TestRequest::get()
        .uri("/basic")
        .insert_header(("authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="))
        .to_request();
    let reply = read(test::call_service(&app, request).await);
    assert_eq!(
        (reply.status, reply.body.as_slice()),
        (200, &b"Aladdin"[..])
    );
    let request = test::TestRequest::get().uri("/basic").to_request();
    let reply = read(test::call_service(&app, request).await);
    assert_eq!(reply.status, 401);
    let challenge = &challenges_of(&reply)[0];
    assert_eq!(challenge.scheme, "Basic");
    assert_eq!(challenge.param("charset"), Some("UTF-8"));
    let request = test::TestRequest::get()
        .uri("/basic")
        .insert_header(("authorization", "Basic not*base64"))
        .to_request();
    let reply = read(test::call_service(&app, request).await);
    assert_eq!(reply.status, 400);
}

#[actix_web::test]
async fn a_panic_is_the_generic_500_and_the_app_keeps_serving() {
    let app = app!();
    let request = test::TestRequest::get().uri("/panic").to_request();
    let error = test::try_call_service(&app, request)
        .await
        .expect_err("a panic answers as an error");
    let response = error.error_response();
    let status = response.status().as_u16();
    let body = response.into_body().try_into_bytes().unwrap();
    assert_eq!(status, 500);
    let expected = HttpError::internal().render();
    assert_eq!(body, expected.body());
    let ok = test::call_service(&app, test::TestRequest::get().uri("/ok").to_request()).await;
    assert_eq!(ok.status(), 200);
}

#[actix_web::test]
async fn a_resources_own_405_gets_the_crates_shape_with_its_allow() {
    let app = app!();
    let request = test::TestRequest::delete().uri("/resource").to_request();
    let reply = read(test::call_service(&app, request).await);
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("GET"));
    assert_eq!(
        check_body(&reply, Format::Json),
        "This method is not allowed for this resource"
    );
}

/// A foreign error body that trickles does not hold back the response.
#[actix_web::test]
async fn a_foreign_body_that_stalls_does_not_hold_back_the_response() {
    let app = app!();
    let request = test::TestRequest::get().uri("/trickle").to_request();
    // A liveness bound, not a measurement: a middleware that waits on the body never answers.
    let response = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        test::call_service(&app, request),
    )
    .await
    .expect("the response goes out without waiting on the body");
    let reply = read(response);
    assert_eq!(reply.status, 502);
    check_body(&reply, Format::Json);
}
