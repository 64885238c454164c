//! Bounds on what the ECS API can make us hold: a response body is read up to a cap, not
//! buffered whole (an endless 200 response would otherwise grow until the process aborts).

use std::pin::Pin;
use std::task::{Context, Poll};

use aws_sdk_ecs::config::interceptors::BeforeDeserializationInterceptorContextMut;
use aws_sdk_ecs::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_ecs::error::BoxError;
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;
use http_body::{Body, Frame};

/// Largest response body read. A page of `DescribeTasks` (100 tasks) is a few hundred KB.
pub const MAX_RESPONSE_BYTES: u64 = 64 << 20;

/// What the error of a body past the cap says; [`super::FetchError`] recognises it.
pub const TOO_LARGE: &str = "response body larger than the limit";

/// Replaces each response's body with one that fails past [`MAX_RESPONSE_BYTES`].
#[derive(Debug)]
pub struct CapResponseBody;

impl Intercept for CapResponseBody {
    fn name(&self) -> &'static str {
        "CapResponseBody"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response_mut();
        let body = response.take_body();
        *response.body_mut() = SdkBody::from_body_1_x(Capped {
            inner: body,
            left: MAX_RESPONSE_BYTES,
        });
        Ok(())
    }
}

/// A body that ends in an error once more than `left` bytes came through.
struct Capped {
    inner: SdkBody,
    left: u64,
}

impl Body for Capped {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            let len = data.len() as u64;
            if len > self.left {
                self.left = 0;
                return Poll::Ready(Some(Err(format!(
                    "{TOO_LARGE} ({MAX_RESPONSE_BYTES} bytes)"
                )
                .into())));
            }
            self.left -= len;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }
}
