//! The one list of which frameworks share which part of the adapters' core: every set of
//! features is written here once, and code names the set (`with_framework! { http: ... }`).

/// Compiles `$item`s for a set of framework features, each set written once:
///
/// | arm | the items compile with | because |
/// |---|---|---|
/// | (none) | any framework | they serve every layer |
/// | `not:` | no framework | the stand-ins used without a layer |
/// | `unused_without:` | always, unused without a framework | read by the renderer too |
/// | `http:` | every HTTP framework (all but gRPC's tonic) | HTTP bodies and responses |
/// | `http_1:` | frameworks whose requests are `http` 1's (all but actix-web and rocket) | they keep header values without a copy |
/// | `unused_without_http_1:` | always, unused without an `http` 1 framework | |
/// | `request_head:` | the `http` 1 ones whose layer reads the request's head itself (not warp) | |
/// | `tower_middleware:` | axum and tower | they share one tower middleware |
/// | `rewrites_bodies:` | the layers that read a foreign error body (axum, poem, salvo, tower, warp) | |
/// | `unused_without_rewrites_bodies:` | always, unused without one of those | |
/// | `shapes_on_the_way_out:` | poem, salvo and warp | they shape a response after the app made it |
/// | `checks_json_head:` | the JSON readers that check the head first (poem, rocket, salvo, tower) | |
/// | `limits_json_bodies:` | the JSON readers with a size limit (poem, rocket, salvo, tower, warp) | |
/// | `catches_panics:` | every framework but rocket, which catches panics itself | |
/// | `renders_refusals_in_place:` | axum, warp, actix-web, poem | they render a refusal without moving it |
macro_rules! with_framework {
    (not: $($item:item)*) => { with_framework!(@any_framework when_not $($item)*); };
    (unused_without: $($item:item)*) => { with_framework!(@any_framework unused_unless $($item)*); };
    (http: $($item:item)*) => {
        with_framework!(@when [any(
            feature = "axum",
            feature = "actix-web",
            feature = "poem",
            feature = "rocket",
            feature = "salvo",
            feature = "tower",
            feature = "warp"
        )] $($item)*);
    };
    (http_1: $($item:item)*) => { with_framework!(@http_1 when $($item)*); };
    (request_head: $($item:item)*) => {
        with_framework!(@when [any(
            feature = "axum",
            feature = "poem",
            feature = "salvo",
            feature = "tonic",
            feature = "tower"
        )] $($item)*);
    };
    (unused_without_http_1: $($item:item)*) => {
        with_framework!(@http_1 unused_unless $($item)*);
    };
    (tower_middleware: $($item:item)*) => {
        with_framework!(@when [any(feature = "axum", feature = "tower")] $($item)*);
    };
    (rewrites_bodies: $($item:item)*) => { with_framework!(@rewrites_bodies when $($item)*); };
    (unused_without_rewrites_bodies: $($item:item)*) => {
        with_framework!(@rewrites_bodies unused_unless $($item)*);
    };
    (shapes_on_the_way_out: $($item:item)*) => {
        with_framework!(@when [any(feature = "poem", feature = "salvo", feature = "warp")] $($item)*);
    };
    (checks_json_head: $($item:item)*) => {
        with_framework!(@when [any(
            feature = "poem",
            feature = "rocket",
            feature = "salvo",
            feature = "tower"
        )] $($item)*);
    };
    (limits_json_bodies: $($item:item)*) => {
        with_framework!(@when [any(
            feature = "poem",
            feature = "rocket",
            feature = "salvo",
            feature = "tower",
            feature = "warp"
        )] $($item)*);
    };
    (catches_panics: $($item:item)*) => {
        with_framework!(@when [any(
            feature = "axum",
            feature = "actix-web",
            feature = "poem",
            feature = "salvo",
            feature = "tonic",
            feature = "tower",
            feature = "warp"
        )] $($item)*);
    };
    (renders_refusals_in_place: $($item:item)*) => {
        with_framework!(@when [any(
            feature = "axum",
            feature = "warp",
            feature = "actix-web",
            feature = "poem"
        )] $($item)*);
    };
    // The lists that two arms share, then what to do with a list.
    (@any_framework $how:ident $($item:item)*) => {
        with_framework!(@$how [any(
            feature = "axum",
            feature = "actix-web",
            feature = "poem",
            feature = "rocket",
            feature = "salvo",
            feature = "tonic",
            feature = "tower",
            feature = "warp"
        )] $($item)*);
    };
    (@rewrites_bodies $how:ident $($item:item)*) => {
        with_framework!(@$how [any(
            feature = "axum",
            feature = "poem",
            feature = "salvo",
            feature = "tower",
            feature = "warp"
        )] $($item)*);
    };
    (@http_1 $how:ident $($item:item)*) => {
        with_framework!(@$how [any(
            feature = "axum",
            feature = "poem",
            feature = "salvo",
            feature = "tonic",
            feature = "tower",
            feature = "warp"
        )] $($item)*);
    };
    (@when [$features:meta] $($item:item)*) => {$(
        #[cfg($features)]
        $item
    )*};
    (@when_not [$features:meta] $($item:item)*) => {$(
        #[cfg(not($features))]
        $item
    )*};
    (@unused_unless [$features:meta] $($item:item)*) => {$(
        #[cfg_attr(not($features), allow(dead_code))]
        $item
    )*};
    ($($item:item)*) => { with_framework!(@any_framework when $($item)*); };
}

/// The two constructors of every framework's layer (its middleware, fairing or hoop), written
/// once: `new()` with the process-wide settings, `with_config(config)` with the app's own. Each
/// framework names what it builds and gives its own two examples. (warp's filters are functions:
/// only warp has none.)
#[allow(unused_macros)] // warp's layer is a function, and the core has none.
macro_rules! settings_constructors {
    ($layer:ident, $what:literal, new: $new:literal, with_config: $with_config:literal $(,)?) => {
        impl $layer {
            #[doc = concat!(
                                                "The ", $what, ", with the process-wide settings ",
                                                "([`Config::install`](crate::Config::install))."
                                            )]
            ///
            #[doc = concat!("```\n", $new, "\n```")]
            #[must_use]
            pub const fn new() -> Self {
                Self {
                    app: $crate::context::AppSettings::process_wide(),
                }
            }

            #[doc = concat!("The ", $what, ", with settings of the app's own.")]
            ///
            #[doc = concat!("```\n", $with_config, "\n```")]
            ///
            /// # Errors
            ///
            /// The settings are not valid (see [`ConfigError`](crate::ConfigError)).
            pub fn with_config(
                config: $crate::config::Config,
            ) -> Result<Self, $crate::config::ConfigError> {
                Ok(Self {
                    app: $crate::context::AppSettings::own(config)?,
                })
            }
        }
    };
}

/// The tower side of a framework's layer (axum, tonic, tower), written once: the `Layer` impl of
/// `ErrorLayer`, and the `ErrorService` it builds with `new`, `get_ref` and `into_inner`. Each
/// framework names its module, what the service wraps, and gives its own example of `new`.
#[allow(unused_macros)] // only the frameworks built on tower use it.
macro_rules! tower_error_service {
    ($module:literal, wraps: $wraps:literal, new: $new:literal $(,)?) => {
        impl<S> tower_layer::Layer<S> for ErrorLayer {
            type Service = ErrorService<S>;

            fn layer(&self, inner: S) -> Self::Service {
                ErrorService {
                    inner,
                    app: self.app.clone(),
                }
            }
        }

        #[doc = concat!("The service [`ErrorLayer`] wraps around ", $wraps, ".")]
        #[derive(Debug, Clone)]
        pub struct ErrorService<S> {
            inner: S,
            app: $crate::context::AppSettings,
        }

        impl<S> ErrorService<S> {
            /// Wraps `inner` with the process-wide settings: see [`ErrorLayer`].
            ///
            #[doc = concat!("```\n", $new, "\n```")]
            pub const fn new(inner: S) -> Self {
                Self {
                    inner,
                    app: $crate::context::AppSettings::process_wide(),
                }
            }

            /// The wrapped service.
            ///
            #[doc = concat!(
                                "```\nlet service = denied::", $module, "::ErrorService::new(7);\n",
                                "assert_eq!(*service.get_ref(), 7);\n```"
                            )]
            pub const fn get_ref(&self) -> &S {
                &self.inner
            }

            /// The wrapped service, unwrapped.
            ///
            #[doc = concat!(
                                "```\nlet service = denied::", $module, "::ErrorService::new(7);\n",
                                "assert_eq!(service.into_inner(), 7);\n```"
                            )]
            pub fn into_inner(self) -> S {
                self.inner
            }
        }
    };
}
