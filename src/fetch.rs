//! The live source of evidence: stopped tasks read through the ECS API (`ListTasks` with
//! `desiredStatus=STOPPED`, then `DescribeTasks` in batches of 100 with bounded concurrency).
//! It is just another input adapter: it yields [`Evidence`] for the same engine and renderers.
//!
//! Only `cluster` and `task` reach this module; the offline path never starts a runtime or
//! touches the SDK.

mod convert;
mod error;
mod limits;

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::DesiredStatus;
use tokio::task::JoinSet;

pub use error::FetchError;

use crate::model::Evidence;

/// `DescribeTasks` takes at most 100 tasks per call.
pub const DESCRIBE_BATCH: usize = 100;

/// How to reach the ECS API.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// Upper bound on one API operation, retries included, and on the whole scan (see
    /// [`Deadline`]). The SDK's own default waits forever on a server that accepts the
    /// connection and never answers.
    pub timeout: Duration,
}

/// Which stopped tasks to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskFilter {
    All,
    Service(String),
    Family(String),
    /// ECS requires `startedBy` to be the only filter.
    StartedBy(String),
}

/// A connected client, with the region it talks to.
#[derive(Debug, Clone)]
pub struct Ecs {
    client: Client,
    pub region: String,
    /// API calls made so far, by operation (for reports and benchmarks).
    pub calls: Arc<CallCounts>,
    /// The resolved configuration (credentials, region, endpoint, timeouts), for other clients.
    pub config: aws_config::SdkConfig,
}

/// Counts of API calls (each attempt the SDK retries counts once, as the operation).
#[derive(Debug, Default)]
pub struct CallCounts {
    pub list_tasks: AtomicUsize,
    pub describe_tasks: AtomicUsize,
}

/// The tasks `describe` fetched, and what it could not.
#[derive(Debug, Default)]
pub struct Described {
    pub tasks: Vec<Evidence>,
    /// `failures[]` of DescribeTasks: (ARN, reason).
    pub failures: Vec<(String, String)>,
    /// Batches that failed after retries: their ARNs and why.
    pub missing: Vec<(Vec<String>, FetchError)>,
}

/// Something to tell the user while a long scan runs (stderr, terminals only).
pub trait Progress: Send + Sync {
    fn listed(&self, tasks: usize);
    fn described(&self, done: usize, total: usize);
}

/// Progress that says nothing.
pub struct Quiet;

impl Progress for Quiet {
    fn listed(&self, _: usize) {}
    fn described(&self, _: usize, _: usize) {}
}

impl Ecs {
    /// Builds a client from the standard credential chain and region resolution, with
    /// `--profile`, `--region` and `--endpoint-url` applied (the SDK also reads
    /// `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_ECS`).
    pub async fn connect(options: &AwsOptions) -> Result<Ecs, FetchError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(3).min(options.timeout))
                    .operation_timeout(options.timeout)
                    .build(),
            )
            .retry_config(RetryConfig::standard().with_max_attempts(3));
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &options.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let config = loader.load().await;
        // Without a region the SDK fails only at the first call, with a vaguer message.
        let region = config
            .region()
            .map(|r| r.to_string())
            .ok_or(FetchError::NoRegion)?;
        let conf = aws_sdk_ecs::config::Builder::from(&config)
            .interceptor(limits::CapResponseBody)
            .build();
        Ok(Ecs {
            client: Client::from_conf(conf),
            region,
            calls: Arc::new(CallCounts::default()),
            config,
        })
    }

    /// Lists stopped task ARNs, following every page (up to `limit` tasks).
    pub async fn list_stopped(
        &self,
        cluster: &str,
        filter: &TaskFilter,
        limit: Option<usize>,
        deadline: Deadline,
        progress: &dyn Progress,
    ) -> Result<Vec<String>, FetchError> {
        let mut arns = Vec::new();
        let mut next_token: Option<String> = None;
        // A server that hands out a token it gave before would keep us listing forever.
        let mut tokens = std::collections::HashSet::new();
        loop {
            let mut request = self
                .client
                .list_tasks()
                .cluster(cluster)
                .desired_status(DesiredStatus::Stopped)
                .max_results(100)
                .set_next_token(next_token.take());
            request = match filter {
                TaskFilter::All => request,
                TaskFilter::Service(name) => request.service_name(name),
                TaskFilter::Family(name) => request.family(name),
                TaskFilter::StartedBy(name) => request.started_by(name),
            };
            self.calls.list_tasks.fetch_add(1, Ordering::Relaxed);
            let page = tokio::time::timeout_at(deadline.0, request.send())
                .await
                .map_err(|_| deadline.passed("ListTasks"))?
                .map_err(|e| FetchError::from_sdk("ListTasks", cluster, &self.region, e))?;
            arns.extend(page.task_arns().iter().cloned());
            progress.listed(arns.len());
            if let Some(limit) = limit
                && arns.len() >= limit
            {
                arns.truncate(limit);
                break;
            }
            match page.next_token() {
                Some(token) if !token.is_empty() => {
                    if !tokens.insert(token.to_string()) {
                        return Err(FetchError::RepeatedToken {
                            operation: "ListTasks",
                            pages: tokens.len() + 1,
                        });
                    }
                    next_token = Some(token.to_string());
                }
                _ => break,
            }
        }
        Ok(arns)
    }

    /// Describes `arns` in batches of 100, at most `concurrency` calls in flight. A batch that
    /// fails after the SDK's retries does not stop the others: its ARNs are reported missing.
    pub async fn describe(
        &self,
        cluster: &str,
        arns: &[String],
        concurrency: usize,
        deadline: Deadline,
        progress: &dyn Progress,
    ) -> Described {
        let mut batches: VecDeque<Vec<String>> = arns
            .chunks(DESCRIBE_BATCH)
            .map(<[String]>::to_vec)
            .collect();
        let total = batches.len();
        let mut done = 0;
        let mut described = Described::default();
        let mut in_flight = JoinSet::new();
        // Batches in flight, to report them missing if the deadline passes.
        let mut pending: Vec<Vec<String>> = Vec::new();
        loop {
            while in_flight.len() < concurrency.max(1)
                && let Some(batch) = batches.pop_front()
            {
                let request = self
                    .client
                    .describe_tasks()
                    .cluster(cluster)
                    .set_tasks(Some(batch.clone()));
                self.calls.describe_tasks.fetch_add(1, Ordering::Relaxed);
                pending.push(batch.clone());
                in_flight.spawn(async move { (batch, request.send().await) });
            }
            let joined = match tokio::time::timeout_at(deadline.0, in_flight.join_next()).await {
                Ok(Some(joined)) => joined,
                Ok(None) => break,
                Err(_) => {
                    // Out of time: what was fetched is reported, the rest named as missing.
                    in_flight.abort_all();
                    let unfinished: Vec<String> = pending
                        .drain(..)
                        .chain(batches.drain(..))
                        .flatten()
                        .collect();
                    described
                        .missing
                        .push((unfinished, deadline.passed("DescribeTasks")));
                    break;
                }
            };
            if let Ok((batch, _)) = &joined {
                pending.retain(|b| b != batch);
            }
            done += 1;
            progress.described(done, total);
            let (batch, result) = match joined {
                Ok(pair) => pair,
                // A panicked or cancelled request task; nothing to salvage but the count.
                Err(e) => {
                    described.missing.push((
                        Vec::new(),
                        FetchError::Other {
                            operation: "DescribeTasks",
                            detail: e.to_string(),
                        },
                    ));
                    continue;
                }
            };
            match result {
                Ok(output) => {
                    described
                        .tasks
                        .extend(output.tasks().iter().map(convert::evidence));
                    described.failures.extend(output.failures().iter().map(|f| {
                        let arn = f.arn().unwrap_or("<no arn>").to_string();
                        let reason = match (f.reason(), f.detail()) {
                            (Some(r), Some(d)) => format!("{r} ({d})"),
                            (Some(r), None) => r.to_string(),
                            _ => "unknown".to_string(),
                        };
                        (arn, reason)
                    }));
                }
                Err(e) => described.missing.push((
                    batch,
                    FetchError::from_sdk("DescribeTasks", cluster, &self.region, e),
                )),
            }
        }
        described
    }
}

/// When a scan must be done by: `--timeout` bounds the whole run, not only each call.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(tokio::time::Instant);

impl Deadline {
    /// `limit` from now.
    pub fn after(limit: Duration) -> Deadline {
        Deadline(tokio::time::Instant::now() + limit)
    }

    fn passed(self, operation: &'static str) -> FetchError {
        FetchError::Deadline { operation }
    }
}

/// Task ARNs or ids as DescribeTasks takes them (both work; ids need the cluster).
pub fn task_references(ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|id| id.trim().to_string())
        .filter(|id| !id.is_empty())
        .collect()
}
