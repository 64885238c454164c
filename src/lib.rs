//! ecs-diagnose: why an Amazon ECS task stopped, and what to do about it.
//!
//! Data flows one way: input adapters ([`input`]) turn what the user has into [`model::Evidence`];
//! the [`engine`] matches it against the [`catalog`] of known errors and produces a
//! [`report::Diagnosis`]; [`render`] writes it as text, JSON or markdown.

pub mod archive;
pub mod arn;
pub mod catalog;
pub mod cli;
pub mod context;
pub mod engine;
#[cfg(feature = "aws")]
pub mod fetch;
pub mod group;
pub mod image;
pub mod input;
pub mod mask;
pub mod model;
pub mod normalize;
#[cfg(feature = "probe")]
pub mod probe;
pub mod redact;
pub mod render;
pub mod report;
pub mod time;
