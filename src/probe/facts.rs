//! What the probes read from AWS, as plain data. The fetching module fills these in; the verdict
//! modules read nothing else, so every verdict is a pure function tested without AWS.

use std::fmt;

/// Why a fact could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// The caller is not allowed this IAM action.
    Denied { action: String },
    /// Still throttled after the SDK's retries.
    Throttled { action: String },
    /// No answer within `--timeout`.
    TimedOut { action: String },
    /// Any other failure of the call.
    Failed { action: String, detail: String },
    /// Nothing to ask: the task does not say (no subnet on a task that is gone, no role...).
    Unknown(String),
}

impl Unavailable {
    /// The IAM action to grant, when a permission is what is missing.
    pub fn missing_permission(&self) -> Option<&str> {
        match self {
            Unavailable::Denied { action } => Some(action),
            _ => None,
        }
    }
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unavailable::Denied { action } => write!(f, "access denied to {action}"),
            Unavailable::Throttled { action } => {
                write!(f, "{action} was throttled after retries")
            }
            Unavailable::TimedOut { action } => {
                write!(f, "{action} did not answer within --timeout")
            }
            Unavailable::Failed { action, detail } => write!(f, "{action} failed: {detail}"),
            Unavailable::Unknown(what) => f.write_str(what),
        }
    }
}

/// A fact, or why it could not be read.
pub type Fact<T> = Result<T, Unavailable>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    pub id: String,
    pub vpc_id: String,
    pub cidr: Option<String>,
}

/// Where a route sends traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteTarget {
    Local,
    Nat(String),
    InternetGateway(String),
    /// A transit gateway, peering connection, virtual private gateway, instance or ENI: the
    /// path goes on somewhere these probes do not follow.
    Other(String),
    /// The route's target is gone.
    Blackhole(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// A CIDR block or prefix list id.
    pub destination: String,
    pub target: RouteTarget,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTable {
    pub id: String,
    /// The VPC's main table (used by subnets with no explicit association).
    pub main: bool,
    pub subnets: Vec<String>,
    pub routes: Vec<Route>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointKind {
    Interface,
    Gateway,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub id: String,
    /// `com.amazonaws.<region>.ecr.dkr`.
    pub service: String,
    pub kind: EndpointKind,
    /// `available`, `pendingAcceptance`, `failed`, ...
    pub state: String,
    pub private_dns: bool,
    pub security_groups: Vec<String>,
    pub route_tables: Vec<String>,
    /// The policy document when it is not the default full-access one.
    pub custom_policy: Option<String>,
    /// The endpoint's regional DNS name and its hosted zone id (an alias target).
    pub dns: Option<(String, Option<String>)>,
}

impl Endpoint {
    /// Whether it serves `service` (`ecr.dkr`, `s3`, ...) in any region.
    pub fn serves(&self, service: &str) -> bool {
        self.service
            .strip_prefix("com.amazonaws.")
            .and_then(|rest| rest.split_once('.'))
            .is_some_and(|(_, name)| name == service)
    }
}

/// One ingress or egress rule of a security group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    /// `-1` (all), `tcp`, `udp`, `icmp`, or a protocol number.
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub cidrs: Vec<String>,
    pub groups: Vec<String>,
    pub prefix_lists: Vec<String>,
}

impl Permission {
    /// Whether the rule covers TCP `port`.
    pub fn covers_tcp(&self, port: i32) -> bool {
        match self.protocol.as_str() {
            "-1" | "all" => true,
            "tcp" | "6" => match (self.from_port, self.to_port) {
                (Some(from), Some(to)) => from == -1 || (from <= port && port <= to),
                _ => true,
            },
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityGroup {
    pub id: String,
    pub ingress: Vec<Permission>,
    pub egress: Vec<Permission>,
}

/// The task's security groups and public IP, and where they were read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSecurity {
    pub groups: Vec<String>,
    /// `None` when nothing says (a standalone task whose ENI is gone).
    pub public_ip: Option<bool>,
    /// "ENI eni-1 (task 5d1c...)" or "service web's network configuration".
    pub source: String,
}

/// The VPC attributes private DNS needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VpcDns {
    pub support: bool,
    pub hostnames: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedZone {
    /// Without the `/hostedzone/` prefix.
    pub id: String,
    /// Without the trailing dot.
    pub name: String,
    pub owner_account: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Without the trailing dot; `\052` written as `*`.
    pub name: String,
    pub kind: String,
    /// For an alias record: the target's DNS name and hosted zone id.
    pub alias: Option<(String, String)>,
}

/// An ECR pull-through cache rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheRule {
    pub prefix: String,
    pub upstream_url: String,
    pub credential_arn: Option<String>,
}

/// One action simulated for a role on a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub action: String,
    pub resource: String,
    pub allowed: bool,
    /// `allowed`, `implicitDeny`, `explicitDeny`.
    pub decision: String,
}

/// Whether a referenced resource exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Exists,
    Missing,
}

/// What the task definition says (DescribeTaskDefinition).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskDefinition {
    pub arn: String,
    pub execution_role: Option<String>,
    pub containers: Vec<ContainerDefinition>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerDefinition {
    pub name: String,
    pub image: Option<String>,
    /// `valueFrom` of each secret: a Secrets Manager ARN or an SSM parameter name or ARN.
    pub secrets: Vec<String>,
    /// The private registry credentials secret.
    pub registry_credentials: Option<String>,
    /// `awslogs-group` and `awslogs-region`, for the awslogs driver.
    pub log_group: Option<(String, Option<String>)>,
    /// S3 ARNs of environment files.
    pub env_files: Vec<String>,
}

/// Text for a list of ids: "sg-1, sg-2", or "none".
pub fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}
