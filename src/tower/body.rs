//! [`ResponseBody`]: a service's own body, or the crate's bytes.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

pin_project! {
    /// The body of [`ErrorService`](super::ErrorService)'s responses: the service's own, passed
    /// through untouched, or the bytes the crate rendered. hyper sends either.
    ///
    /// ```
    /// use http_body::Body;
    ///
    /// let body = denied::tower::ResponseBody::<http_body_util::Empty<bytes::Bytes>>::rendered(
    ///     bytes::Bytes::from_static(b"{}"),
    /// );
    /// assert_eq!(body.size_hint().exact(), Some(2));
    /// ```
    pub struct ResponseBody<B> {
        #[pin]
        kind: Kind<B>,
    }
}

pin_project! {
    #[project = KindProjection]
    enum Kind<B> {
        App { #[pin] body: B },
        Rendered { bytes: Option<Bytes> },
    }
}

impl<B> ResponseBody<B> {
    /// The service's own body.
    ///
    /// ```
    /// let body = denied::tower::ResponseBody::app(http_body_util::Full::new(bytes::Bytes::new()));
    /// # let _ = body;
    /// ```
    pub fn app(body: B) -> Self {
        Self {
            kind: Kind::App { body },
        }
    }

    /// Bytes the crate rendered.
    ///
    /// ```
    /// let body = denied::tower::ResponseBody::<String>::rendered(bytes::Bytes::from_static(b"{}"));
    /// # let _ = body;
    /// ```
    pub fn rendered(bytes: Bytes) -> Self {
        Self {
            kind: Kind::Rendered { bytes: Some(bytes) },
        }
    }
}

impl<B> std::fmt::Debug for ResponseBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.kind {
            Kind::App { .. } => "the service's",
            Kind::Rendered { .. } => "the crate's",
        };
        f.debug_tuple("ResponseBody").field(&kind).finish()
    }
}

impl<B> Body for ResponseBody<B>
where
    B: Body<Data = Bytes>,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.project().kind.project() {
            KindProjection::App { body } => body.poll_frame(cx),
            KindProjection::Rendered { bytes } => Poll::Ready(
                bytes
                    .take()
                    .filter(|bytes| !bytes.is_empty())
                    .map(|bytes| Ok(Frame::data(bytes))),
            ),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::App { body } => body.is_end_stream(),
            Kind::Rendered { bytes } => bytes.as_ref().map_or(true, Bytes::is_empty),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::App { body } => body.size_hint(),
            Kind::Rendered { bytes } => {
                let length = bytes.as_ref().map_or(0, Bytes::len);
                SizeHint::with_exact(u64::try_from(length).unwrap_or(u64::MAX))
            }
        }
    }
}
