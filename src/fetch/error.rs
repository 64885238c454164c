//! What can go wrong talking to the ECS API, each with what to do about it.

use std::fmt;

use aws_sdk_ecs::config::http::HttpResponse;
use aws_sdk_ecs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// A failed API operation, classified for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    NoRegion,
    NoCredentials {
        detail: String,
    },
    ClusterNotFound {
        cluster: String,
        region: String,
    },
    AccessDenied {
        operation: &'static str,
        message: String,
    },
    /// Still throttled after the SDK's retries with backoff.
    Throttled {
        operation: &'static str,
    },
    Server {
        operation: &'static str,
        message: String,
    },
    InvalidRequest {
        operation: &'static str,
        message: String,
    },
    Timeout {
        operation: &'static str,
        detail: String,
    },
    Connect {
        operation: &'static str,
        detail: String,
    },
    /// A response that could not be read (not what ECS sends, or larger than the cap).
    BadResponse {
        operation: &'static str,
        detail: String,
    },
    /// The whole scan ran past `--timeout`.
    Deadline {
        operation: &'static str,
    },
    /// The server gave a page token it had given before.
    RepeatedToken {
        operation: &'static str,
        pages: usize,
    },
    Other {
        operation: &'static str,
        detail: String,
    },
}

impl FetchError {
    /// Classifies an SDK error.
    pub fn from_sdk<E>(
        operation: &'static str,
        cluster: &str,
        region: &str,
        error: SdkError<E, HttpResponse>,
    ) -> FetchError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let context = DisplayErrorContext(&error).to_string();
        match &error {
            SdkError::ServiceError(service) => {
                let err = service.err();
                let status = service.raw().status().as_u16();
                let code = err.code().unwrap_or_default();
                let message = err.message().unwrap_or_default().to_string();
                match code {
                    "ClusterNotFoundException" => FetchError::ClusterNotFound {
                        cluster: cluster.to_string(),
                        region: region.to_string(),
                    },
                    "AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation" => {
                        FetchError::AccessDenied { operation, message }
                    }
                    "ThrottlingException"
                    | "Throttling"
                    | "TooManyRequestsException"
                    | "RequestLimitExceeded" => FetchError::Throttled { operation },
                    "UnrecognizedClientException"
                    | "InvalidSignatureException"
                    | "ExpiredTokenException"
                    | "InvalidClientTokenId" => FetchError::NoCredentials {
                        detail: format!("{code}: {message}"),
                    },
                    "ServerException" => FetchError::Server { operation, message },
                    "InvalidParameterException"
                    | "ClientException"
                    | "ServiceNotFoundException" => {
                        FetchError::InvalidRequest { operation, message }
                    }
                    _ if (500..600).contains(&status) => FetchError::Server {
                        operation,
                        message: format!("HTTP {status}: {code} {message}")
                            .trim()
                            .to_string(),
                    },
                    "" => FetchError::BadResponse {
                        operation,
                        detail: format!("HTTP {status} with no AWS error code"),
                    },
                    _ => FetchError::Other {
                        operation,
                        detail: format!("{code}: {message}"),
                    },
                }
            }
            // The SDK's own description holds the raw response (headers, body): say what
            // went wrong in a sentence instead.
            SdkError::ResponseError(_) if context.contains(super::limits::TOO_LARGE) => {
                FetchError::BadResponse {
                    operation,
                    detail: format!(
                        "the answer is larger than {} MiB",
                        super::limits::MAX_RESPONSE_BYTES >> 20
                    ),
                }
            }
            SdkError::ResponseError(_) => FetchError::BadResponse {
                operation,
                detail: "the answer is not what the ECS API sends (cut off, or not its JSON)"
                    .to_string(),
            },
            SdkError::TimeoutError(_) => FetchError::Timeout {
                operation,
                detail: context,
            },
            SdkError::DispatchFailure(dispatch) => {
                if context.contains("no credentials") || context.contains("credential provider") {
                    FetchError::NoCredentials { detail: context }
                } else if context.contains("Missing Region")
                    || context.contains("missing signing region")
                {
                    FetchError::NoRegion
                } else if dispatch.is_timeout() {
                    FetchError::Timeout {
                        operation,
                        detail: context,
                    }
                } else if dispatch.is_io() {
                    FetchError::Connect {
                        operation,
                        detail: context,
                    }
                } else {
                    FetchError::Other {
                        operation,
                        detail: context,
                    }
                }
            }
            _ => FetchError::Other {
                operation,
                detail: context,
            },
        }
    }

    /// Whether trying again later may work (the batch's tasks are then reported as missing,
    /// not the whole scan as failed).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            FetchError::Throttled { .. }
                | FetchError::Server { .. }
                | FetchError::Timeout { .. }
                | FetchError::Deadline { .. }
        )
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::NoRegion => write!(
                f,
                "no AWS region is configured\n  help: pass --region, set AWS_REGION, or give the profile a region"
            ),
            FetchError::NoCredentials { detail } => write!(
                f,
                "no usable AWS credentials ({})\n  help: pass --profile, run `aws configure` or `aws sso login`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
                first_line(detail)
            ),
            FetchError::ClusterNotFound { cluster, region } => write!(
                f,
                "cluster `{cluster}` does not exist in {region} for these credentials\n  help: list the clusters with `aws ecs list-clusters --region {region}`; pass --region or --profile if it lives elsewhere"
            ),
            FetchError::AccessDenied { operation, message } => write!(
                f,
                "access denied calling ecs:{operation}: {message}\n  help: the caller needs ecs:ListTasks and ecs:DescribeTasks, e.g. a policy statement {{\"Effect\":\"Allow\",\"Action\":[\"ecs:ListTasks\",\"ecs:DescribeTasks\"],\"Resource\":\"*\"}}"
            ),
            FetchError::Throttled { operation } => write!(
                f,
                "ECS throttled {operation} and the retries with backoff did not get through\n  help: run it again in a minute, or narrow the scan with --service, --family or --limit"
            ),
            FetchError::Server { operation, message } => write!(
                f,
                "the ECS API failed {operation} with a server error ({message}) after retries\n  help: run it again; if it persists, check the AWS Health Dashboard"
            ),
            FetchError::InvalidRequest { operation, message } => {
                write!(f, "ECS rejected {operation}: {message}")
            }
            FetchError::Timeout { operation, .. } => write!(
                f,
                "no answer from the ECS API for {operation} within the time limit\n  help: check the network path to the endpoint, or raise --timeout"
            ),
            FetchError::Connect { operation, detail } => write!(
                f,
                "cannot connect to the ECS API for {operation}: {}\n  help: check the network, proxy settings and --endpoint-url",
                connect_reason(detail)
            ),
            FetchError::BadResponse { operation, detail } => write!(
                f,
                "the ECS API's answer to {operation} could not be read: {detail}\n  help: check --endpoint-url, and any proxy between here and the endpoint"
            ),
            FetchError::Deadline { operation } => write!(
                f,
                "the scan did not finish within the time limit: no answer from the ECS API for {operation} before --timeout ran out\n  help: raise --timeout, or narrow the scan with --service, --family or --limit"
            ),
            FetchError::RepeatedToken { operation, pages } => write!(
                f,
                "the ECS API sent the same page token twice while listing with {operation} (after {pages} pages); stopped so the listing cannot loop forever\n  help: check --endpoint-url, and any proxy between here and the endpoint"
            ),
            FetchError::Other { operation, detail } => {
                write!(f, "{operation} failed: {}", first_line(detail))
            }
        }
    }
}

impl std::error::Error for FetchError {}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// The useful tail of a connection error ("Connection refused (os error 111)").
fn connect_reason(detail: &str) -> String {
    for needle in [
        "Connection refused",
        "dns error",
        "Network is unreachable",
        "No route to host",
        "tls",
        "certificate",
    ] {
        if let Some(at) = detail.find(needle) {
            let tail = &detail[at..];
            return tail.split([')', '\n']).next().unwrap_or(tail).to_string()
                + if tail.contains(')') { ")" } else { "" };
        }
    }
    first_line(detail).to_string()
}
