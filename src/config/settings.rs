//! The settings as the renderer reads them: checked once, each language's sentences, and every
//! default body rendered in advance.

use std::borrow::Cow;
use std::sync::OnceLock;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};

use super::{Catalog, Config};
use crate::body::{self, BodyFormat};
use crate::challenge::{self, InternedChallenge, INTERNED_CHALLENGE_SLOTS};
use crate::intern::InternTable;
use crate::report::ReportHook;

/// A checked [`Config`], with every default body rendered in advance, so that the common
/// refusals copy no bytes at all.
pub(crate) struct Settings {
    pub(crate) format: BodyFormat,
    pub(crate) report: Option<ReportHook>,
    pub(crate) realm: Cow<'static, str>,
    pub(crate) problem_type_base: Option<Cow<'static, str>>,
    pub(crate) reason_details: bool,
    /// Read by the framework layers that rewrite bodies; a build without one has no reader.
    #[allow(dead_code)]
    pub(crate) foreign_json: super::ForeignJson,
    pub(crate) request_id_header: Option<HeaderName>,
    pub(crate) instance_from_path: bool,
    pub(crate) negotiate: bool,
    pub(super) base: Language,
    /// The crate's English, for the statuses a base language that is not English leaves out.
    pub(super) english: Option<Language>,
    pub(super) catalogs: Vec<Language>,
    /// Whether responses name their language: the app named its base language or has others.
    pub(super) names_language: bool,
    /// The base language's tag, then the catalogs', in order.
    pub(crate) language_tags: Vec<Cow<'static, str>>,
    /// The header values of the process's interned challenges that take the app's realm, by
    /// slot, each encoded with [`realm`](Self::realm) once.
    pub(super) challenges_in_realm: Box<[OnceLock<HeaderValue>]>,
    /// Bodies with an own message of `'static` text, rendered once each.
    pub(super) own_message_bodies: InternTable<OwnMessageKey, KeptBody, OWN_MESSAGE_BODY_SLOTS>,
    /// Whether these are the process-wide settings, which live as long as the process.
    pub(super) lives_for_the_process: bool,
}

/// How many bodies with an own message of `'static` text the settings keep: an app has a
/// handful of such messages.
const OWN_MESSAGE_BODY_SLOTS: usize = 64;

/// Which body with its own message a key names: the template it fills (a status's, in a
/// language and a format, of these settings) and where its `'static` message lies. While the
/// settings live, equal keys are equal bodies: a template does not move, and `'static` text
/// never changes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct OwnMessageKey {
    pub(super) template: usize,
    pub(super) message: (usize, usize),
}

/// One language's sentences, and its default bodies in each format a request may get.
pub(crate) struct Language {
    pub(crate) content_language: HeaderValue,
    /// Its catalog's own sentences.
    pub(super) messages: Vec<(StatusCode, Cow<'static, str>)>,
    pub(super) phrases: Vec<(StatusCode, Cow<'static, str>)>,
    /// Whether the crate's English sentences fill in where its catalog has none: an English
    /// base language.
    pub(super) covers_all: bool,
    pub(super) tables: Vec<(BodyFormat, Table)>,
}

/// Default bodies by status.
pub(super) struct Table {
    /// Never changed once built: a kept own-message body is keyed by where its template lies.
    pub(super) prerendered: Box<[Prerendered]>,
    /// For each error status, its place in `prerendered`.
    pub(super) index: [Option<u8>; ERROR_STATUS_COUNT],
}

const FIRST_ERROR_STATUS: usize = 400;

const ERROR_STATUS_COUNT: usize = 200;

/// A status's default body, and the template for bodies with their own message.
pub(crate) struct Prerendered {
    pub(super) status: StatusCode,
    pub(crate) default_body: KeptBody,
    pub(crate) template: body::Template,
}

/// A body rendered once and sent by many responses: a response takes a reference to it, not
/// a copy.
pub(crate) enum KeptBody {
    /// Bytes leaked for the life of the process: only the process-wide settings keep these,
    /// so that a response counts no reference, which every thread of a server would
    /// otherwise update on every refusal.
    Static(&'static [u8]),
    /// Bytes shared by an app's own settings, freed with them.
    Shared(Bytes),
}

impl KeptBody {
    /// The body of one response, in the framework's body type that `make_body` makes.
    ///
    /// A `'static` body is made where `make_body` takes it, rather than cloned through
    /// `Bytes`'s vtable: such a clone is written to the stack in narrow stores and then
    /// copied with wider loads, which the CPU cannot forward from its store buffer. See
    /// "Bodies made in place" in BENCHMARKS.md.
    #[inline(always)]
    pub(crate) fn for_response<B>(&self, make_body: impl FnOnce(Bytes) -> B) -> B {
        match self {
            Self::Static(body) => make_body(Bytes::from_static(body)),
            Self::Shared(body) => make_body(body.clone()),
        }
    }

    /// The body of one response, as bytes.
    pub(crate) fn to_bytes(&self) -> Bytes {
        self.for_response(std::convert::identity)
    }

    /// The body's bytes, to render another body from.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Static(body) => body,
            Self::Shared(body) => body,
        }
    }

    /// A copy of the body, leaked to live as long as the process: for settings that do.
    pub(super) fn leaked(&self) -> Self {
        match self {
            Self::Static(body) => Self::Static(body),
            Self::Shared(body) => Self::Static(Box::leak(Box::from(&body[..]))),
        }
    }
}

impl Language {
    pub(super) fn new(
        tag: &str,
        messages: Vec<(StatusCode, Cow<'static, str>)>,
        phrases: Vec<(StatusCode, Cow<'static, str>)>,
        covers_all: bool,
        formats: &[BodyFormat],
    ) -> Self {
        let mut language = Self {
            // Checked in `Config::build`: a language tag is letters, digits and `-`.
            content_language: HeaderValue::from_str(tag).unwrap_or(HeaderValue::from_static("und")),
            messages,
            phrases,
            covers_all,
            tables: Vec::new(),
        };
        let mut statuses: Vec<StatusCode> = language
            .messages
            .iter()
            .map(|(status, _)| *status)
            .chain(
                BUILT_IN_MESSAGES
                    .iter()
                    .map(|(status, _)| *status)
                    .filter(|_| covers_all),
            )
            .filter(|status| status.is_client_error() || status.is_server_error())
            .collect();
        statuses.sort_unstable();
        statuses.dedup();
        language.tables = formats
            .iter()
            .map(|&format| (format, Table::new(&language, format, &statuses)))
            .collect();
        language
    }

    /// Whether this language has the sentence of `status`.
    pub(crate) fn covers(&self, status: StatusCode) -> bool {
        self.covers_all || self.messages.iter().any(|(known, _)| *known == status)
    }

    /// The sentence a status gets when the error has no message of its own.
    pub(crate) fn sentence(&self, status: StatusCode) -> &str {
        match self.messages.iter().find(|(known, _)| *known == status) {
            Some((_, message)) => message,
            None => built_in_message(status),
        }
    }

    /// The `error` member or problem `title` of a status.
    pub(crate) fn phrase(&self, status: StatusCode) -> &str {
        match self.phrases.iter().find(|(known, _)| *known == status) {
            Some((_, phrase)) => phrase,
            None => body::reason_phrase(status),
        }
    }

    /// What was rendered in advance for a status in `format`, if it was.
    #[inline]
    pub(crate) fn prerendered(
        &self,
        format: BodyFormat,
        status: StatusCode,
    ) -> Option<&Prerendered> {
        let (_, table) = self.tables.iter().find(|(known, _)| *known == format)?;
        let slot = usize::from(status.as_u16()).checked_sub(FIRST_ERROR_STATUS)?;
        let index = *table.index.get(slot)?;
        table.prerendered.get(usize::from(index?))
    }
}

impl Table {
    pub(super) fn new(language: &Language, format: BodyFormat, statuses: &[StatusCode]) -> Self {
        let prerendered: Box<[Prerendered]> = statuses
            .iter()
            .map(|&status| {
                let phrase = language.phrase(status);
                let message = language.sentence(status);
                Prerendered {
                    status,
                    default_body: KeptBody::Shared(Bytes::from(body::render_plain(
                        format, status, phrase, message,
                    ))),
                    template: body::Template::new(format, status, phrase),
                }
            })
            .collect();
        let mut index = [None; ERROR_STATUS_COUNT];
        for (place, prerendered) in prerendered.iter().enumerate() {
            let slot = usize::from(prerendered.status.as_u16()) - FIRST_ERROR_STATUS;
            if let (Some(entry), Ok(place)) = (index.get_mut(slot), u8::try_from(place)) {
                *entry = Some(place);
            }
        }
        Self { prerendered, index }
    }
}

impl Settings {
    pub(super) fn new(config: Config) -> Self {
        let formats: &[BodyFormat] = if config.negotiate {
            &[BodyFormat::Json, BodyFormat::Problem]
        } else {
            std::slice::from_ref(&config.format)
        };
        let names_language = config.base_language.is_some() || !config.languages.is_empty();
        let (base_tag, base_catalog) = config
            .base_language
            .unwrap_or((Cow::Borrowed("en"), Catalog::new()));
        let base_is_english = is_english(&base_tag);
        let base = Language::new(
            &base_tag,
            base_catalog.messages,
            base_catalog.phrases,
            base_is_english,
            formats,
        );
        let english =
            (!base_is_english).then(|| Language::new("en", Vec::new(), Vec::new(), true, formats));
        let mut catalogs = Vec::with_capacity(config.languages.len());
        let mut language_tags = vec![base_tag];
        for (tag, catalog) in config.languages {
            catalogs.push(Language::new(
                &tag,
                catalog.messages,
                catalog.phrases,
                false,
                formats,
            ));
            language_tags.push(tag);
        }
        Self {
            format: config.format,
            report: config.report,
            realm: config.realm,
            problem_type_base: config.problem_type_base,
            reason_details: config.reason_details,
            foreign_json: config.foreign_json,
            request_id_header: config.request_id_header,
            instance_from_path: config.instance_from_path,
            negotiate: config.negotiate,
            base,
            english,
            catalogs,
            names_language,
            language_tags,
            challenges_in_realm: (0..INTERNED_CHALLENGE_SLOTS)
                .map(|_| OnceLock::new())
                .collect(),
            own_message_bodies: InternTable::new(),
            lives_for_the_process: false,
        }
    }

    /// The settings with every default body and language tag `'static`, for the process-wide
    /// settings, which live as long as the process: cloning a `'static` value touches no
    /// reference count, which every thread of a server would otherwise update on every refusal.
    /// The own-message bodies they keep from then on are `'static` too. Called once, before
    /// the settings render anything.
    pub(crate) fn for_the_process(mut self) -> Self {
        self.lives_for_the_process = true;
        if let Cow::Owned(realm) = &self.realm {
            self.realm = Cow::Borrowed(Box::leak(realm.clone().into_boxed_str()));
        }
        let languages = std::iter::once(&mut self.base)
            .chain(self.english.as_mut())
            .chain(self.catalogs.iter_mut());
        for language in languages {
            let tag: &'static [u8] = Box::leak(Box::from(language.content_language.as_bytes()));
            if let Ok(tag) = HeaderValue::from_maybe_shared(Bytes::from_static(tag)) {
                language.content_language = tag;
            }
            for (_, table) in &mut language.tables {
                for prerendered in &mut table.prerendered {
                    prerendered.default_body = prerendered.default_body.leaked();
                }
            }
        }
        self
    }

    /// The body `prerendered`'s template makes of `message`, a `'static` text, with no member
    /// of the request: rendered once and kept, while there is room, and then shared by every
    /// response that sends it. For the process-wide settings it is `'static`, as their
    /// default bodies are, so that a response counts no reference.
    #[inline]
    pub(crate) fn kept_own_message_body(
        &self,
        prerendered: &Prerendered,
        message: &'static str,
    ) -> Option<&KeptBody> {
        let key = OwnMessageKey {
            template: std::ptr::from_ref(prerendered) as usize,
            message: (message.as_ptr() as usize, message.len()),
        };
        match self.own_message_bodies.find(&key) {
            Some((_, body)) => Some(body),
            None => self.keep_own_message_body(key, prerendered, message),
        }
    }

    /// How many bodies with their own message the settings keep, and whether each is kept
    /// once.
    #[cfg(test)]
    pub(crate) fn own_message_bodies_kept(&self) -> (usize, bool) {
        self.own_message_bodies.count_and_distinct()
    }

    #[inline(never)]
    pub(super) fn keep_own_message_body(
        &self,
        key: OwnMessageKey,
        prerendered: &Prerendered,
        message: &'static str,
    ) -> Option<&KeptBody> {
        let kept = self.own_message_bodies.intern_missing(key, || {
            let body = prerendered
                .template
                .render(message, &body::RequestMembers::default());
            Some(if self.lives_for_the_process {
                KeptBody::Static(body.leak())
            } else {
                KeptBody::Shared(Bytes::from(body))
            })
        });
        kept.map(|(_, body)| body)
    }

    /// The header value of an interned challenge in these settings: its own, or, for one that
    /// takes the app's realm, encoded with [`realm`](Self::realm) once and kept.
    #[inline]
    pub(crate) fn interned_challenge_value(
        &self,
        interned: InternedChallenge,
    ) -> Option<HeaderValue> {
        if !interned.takes_app_realm() {
            return interned.own_header_value();
        }
        let slot = self.challenges_in_realm.get(interned.slot())?;
        match slot.get() {
            Some(value) => Some(value.clone()),
            None => self.encode_in_realm(interned, slot),
        }
    }

    #[inline(never)]
    fn encode_in_realm(
        &self,
        interned: InternedChallenge,
        slot: &OnceLock<HeaderValue>,
    ) -> Option<HeaderValue> {
        let value = interned.challenge()?.header_value_in(&self.realm)?;
        let value = if self.lives_for_the_process {
            challenge::leaked(&value)?
        } else {
            value
        };
        Some(slot.get_or_init(|| value).clone())
    }

    /// The base language.
    pub(crate) fn base(&self) -> &Language {
        &self.base
    }

    /// The language a response of `status` is in, for a request that prefers the one at
    /// `preferred` in `language_tags`: that one when it has the status's sentence, or else the
    /// base language when it has it, or else the crate's English.
    pub(crate) fn language_for(&self, preferred: usize, status: StatusCode) -> &Language {
        let catalog = preferred
            .checked_sub(1)
            .and_then(|index| self.catalogs.get(index));
        if let Some(language) = catalog.filter(|language| language.covers(status)) {
            return language;
        }
        match &self.english {
            Some(english) if !self.base.covers(status) => english,
            _ => &self.base,
        }
    }

    /// Whether responses name their language in `Content-Language`.
    pub(crate) fn names_language(&self) -> bool {
        self.names_language
    }

    /// Every tag a response may name in `Content-Language`.
    #[cfg(any(feature = "utoipa", test))]
    pub(crate) fn sent_language_tags(&self) -> Vec<&str> {
        let english = self
            .english
            .as_ref()
            .filter(|_| {
                !self
                    .language_tags
                    .iter()
                    .any(|tag| tag.eq_ignore_ascii_case("en"))
            })
            .map(|_| "en");
        self.language_tags
            .iter()
            .map(|tag| &**tag)
            .chain(english)
            .collect()
    }

    /// Whether a request may choose among the app's languages: it has more than one, so
    /// responses vary by `Accept-Language`.
    pub(crate) fn offers_languages(&self) -> bool {
        !self.catalogs.is_empty()
    }
}

/// Whether a language tag names English (`en`, `en-GB`): the crate's own sentences are in it.
fn is_english(tag: &str) -> bool {
    let primary = tag.split('-').next().unwrap_or(tag);
    primary.eq_ignore_ascii_case("en")
}

/// The crate's sentence for every status it names; any other status gets a generic one.
pub(super) const BUILT_IN_MESSAGES: &[(StatusCode, &str)] = &[
    (StatusCode::BAD_REQUEST, "The request is invalid"),
    (
        StatusCode::UNAUTHORIZED,
        "Authentication is required to access this resource",
    ),
    (
        StatusCode::PAYMENT_REQUIRED,
        "Payment is required to access this resource",
    ),
    (
        StatusCode::FORBIDDEN,
        "You do not have permission to access this resource",
    ),
    (
        StatusCode::NOT_FOUND,
        "The requested resource was not found",
    ),
    (
        StatusCode::METHOD_NOT_ALLOWED,
        "This method is not allowed for this resource",
    ),
    (
        StatusCode::NOT_ACCEPTABLE,
        "The resource has no representation the client accepts",
    ),
    (
        StatusCode::PROXY_AUTHENTICATION_REQUIRED,
        "Authentication with the proxy is required",
    ),
    (
        StatusCode::REQUEST_TIMEOUT,
        "The server timed out waiting for the request",
    ),
    (
        StatusCode::CONFLICT,
        "The request conflicts with the current state of the resource",
    ),
    (
        StatusCode::GONE,
        "The requested resource is no longer available",
    ),
    (
        StatusCode::LENGTH_REQUIRED,
        "The request must state the length of its body",
    ),
    (
        StatusCode::PRECONDITION_FAILED,
        "A precondition of the request was not met",
    ),
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        "The request body is too large",
    ),
    (StatusCode::URI_TOO_LONG, "The request URI is too long"),
    (
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "The media type of the request body is not supported",
    ),
    (
        StatusCode::RANGE_NOT_SATISFIABLE,
        "The requested range cannot be served from this resource",
    ),
    (
        StatusCode::EXPECTATION_FAILED,
        "The expectation of the request cannot be met",
    ),
    (
        StatusCode::MISDIRECTED_REQUEST,
        "The request was sent to a server that cannot answer it",
    ),
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        "The request is well-formed but cannot be processed",
    ),
    (StatusCode::LOCKED, "The resource is locked"),
    (
        StatusCode::FAILED_DEPENDENCY,
        "The request failed because a request it depends on failed",
    ),
    (
        StatusCode::TOO_EARLY,
        "The server will not process a request that might be replayed",
    ),
    (
        StatusCode::UPGRADE_REQUIRED,
        "The server requires another protocol for this request",
    ),
    (
        StatusCode::PRECONDITION_REQUIRED,
        "The request must be conditional",
    ),
    (
        StatusCode::TOO_MANY_REQUESTS,
        "Too many requests; try again later",
    ),
    (
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "The request header fields are too large",
    ),
    (
        StatusCode::UNAVAILABLE_FOR_LEGAL_REASONS,
        "The requested resource is unavailable for legal reasons",
    ),
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "An internal error occurred",
    ),
    (
        StatusCode::NOT_IMPLEMENTED,
        "The server does not support this request",
    ),
    (
        StatusCode::BAD_GATEWAY,
        "The server received an invalid response from an upstream server",
    ),
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "The service is temporarily unavailable; try again later",
    ),
    (
        StatusCode::GATEWAY_TIMEOUT,
        "The server did not receive a timely response from an upstream server",
    ),
    (
        StatusCode::HTTP_VERSION_NOT_SUPPORTED,
        "The HTTP version of the request is not supported",
    ),
    (
        StatusCode::VARIANT_ALSO_NEGOTIATES,
        "The server cannot choose a representation of this resource",
    ),
    (
        StatusCode::INSUFFICIENT_STORAGE,
        "The server cannot store what the request needs",
    ),
    (
        StatusCode::LOOP_DETECTED,
        "The server found a loop while processing the request",
    ),
    (
        StatusCode::NOT_EXTENDED,
        "The request lacks an extension the server requires",
    ),
    (
        StatusCode::NETWORK_AUTHENTICATION_REQUIRED,
        "The network requires authentication before access",
    ),
];

pub(super) fn built_in_message(status: StatusCode) -> &'static str {
    match BUILT_IN_MESSAGES.iter().find(|(known, _)| *known == status) {
        Some((_, message)) => message,
        None if status.is_server_error() => "The server could not complete the request",
        None => "The request could not be completed",
    }
}
