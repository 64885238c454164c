//! `network-path`: can the task's subnet reach the service its message names? The route table
//! (explicit association or the VPC's main table), its default route (NAT gateway, internet
//! gateway with a public IP, or none), and the VPC's endpoints for the service, with their
//! private DNS setting and whether their security groups admit TCP 443 from the task. Network
//! ACLs and DNS resolution are not checked (the verdict says so).

use super::facts::{
    Endpoint, EndpointKind, Fact, Permission, RouteTable, RouteTarget, SecurityGroup, Subnet,
    TaskSecurity, list,
};
use super::{Outcome, Verdict};

/// What the task was trying to reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A host on the internet (ECR Public, Docker Hub, another registry).
    Internet(String),
    /// AWS services, by endpoint name (`ecr.api`, `ecr.dkr`, `s3`, `secretsmanager`, ...).
    Aws(Vec<&'static str>),
}

impl Target {
    /// The target a failure message (with its captures and image) names.
    pub fn of_message(text: &str, image: Option<&str>) -> Target {
        let lower = text.to_ascii_lowercase();
        let mut services: Vec<&'static str> = Vec::new();
        fn add(services: &mut Vec<&'static str>, names: &[&'static str]) {
            for n in names {
                if !services.contains(n) {
                    services.push(n);
                }
            }
        }
        for host in hosts(&lower) {
            if host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn") {
                if host.contains(".dkr.ecr.") {
                    // A pull needs an auth token (ecr.api), the manifest (ecr.dkr) and the
                    // layers, which ECR serves from S3.
                    add(&mut services, &["ecr.api", "ecr.dkr", "s3"]);
                } else if host.starts_with("api.ecr.") || host.starts_with("ecr.") {
                    add(&mut services, &["ecr.api"]);
                } else if host.starts_with("secretsmanager.") {
                    add(&mut services, &["secretsmanager"]);
                } else if host.starts_with("ssm.") {
                    add(&mut services, &["ssm"]);
                } else if host.starts_with("logs.") {
                    add(&mut services, &["logs"]);
                } else if host.starts_with("kms.") {
                    add(&mut services, &["kms"]);
                } else if host.starts_with("sts.") {
                    add(&mut services, &["sts"]);
                } else if host.contains("s3") {
                    add(&mut services, &["s3"]);
                }
            }
        }
        // Without an AWS host, words decide, unless the message names another host (ECR
        // Public, Docker Hub), which is then the target.
        let other_host = hosts(&lower)
            .into_iter()
            .any(|h| !h.ends_with(".amazonaws.com") && !h.ends_with(".amazonaws.com.cn"));
        if services.is_empty() && !other_host {
            if lower.contains("secretsmanager") || lower.contains("secrets manager") {
                add(&mut services, &["secretsmanager"]);
            }
            if lower.contains("ssm") || lower.contains("parameter store") {
                add(&mut services, &["ssm"]);
            }
            if lower.contains("awslogs")
                || lower.contains("log stream")
                || lower.contains("cloudwatch")
            {
                add(&mut services, &["logs"]);
            }
            if lower.contains("registry auth") || lower.contains("ecr") {
                add(&mut services, &["ecr.api", "ecr.dkr", "s3"]);
            }
            if lower.contains("s3") && services.is_empty() {
                add(&mut services, &["s3"]);
            }
        }
        if !services.is_empty() {
            return Target::Aws(services);
        }
        let host = image
            .and_then(crate::image::ImageRef::parse)
            .map(|i| i.registry)
            .or_else(|| hosts(&lower).into_iter().next())
            .unwrap_or_else(|| "the registry".to_string());
        Target::Internet(host)
    }
}

/// Host names in `text` (lower-case): the part after `https://`, `lookup ` or a ref.
fn hosts(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '(' | ')' | ','))
    {
        let word = word.strip_prefix("https://").unwrap_or(word);
        let host = word.split(['/', ':']).next().unwrap_or_default();
        if host.contains('.')
            && host.chars().any(|c| c.is_ascii_alphabetic())
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            && !host.ends_with('.')
            && !out.iter().any(|h| h == host)
        {
            out.push(host.to_string());
        }
    }
    out
}

/// How the subnet reaches the internet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InternetPath {
    Nat(String),
    Gateway(String),
    /// An internet gateway route, but the task had no public IP.
    GatewayWithoutPublicIp(String),
    /// An internet gateway route; whether the task had a public IP is unknown.
    GatewayPublicIpUnknown(String),
    /// The default route goes somewhere these probes do not follow (transit gateway, ...).
    Elsewhere(String),
    Blackhole(String),
    None,
}

impl InternetPath {
    pub fn of(table: &RouteTable, public_ip: Option<bool>) -> InternetPath {
        let default = table.routes.iter().find(|r| r.destination == "0.0.0.0/0");
        match default.map(|r| &r.target) {
            None | Some(RouteTarget::Local) => InternetPath::None,
            Some(RouteTarget::Nat(id)) => InternetPath::Nat(id.clone()),
            Some(RouteTarget::InternetGateway(id)) => match public_ip {
                Some(true) => InternetPath::Gateway(id.clone()),
                Some(false) => InternetPath::GatewayWithoutPublicIp(id.clone()),
                None => InternetPath::GatewayPublicIpUnknown(id.clone()),
            },
            Some(RouteTarget::Other(id)) => InternetPath::Elsewhere(id.clone()),
            Some(RouteTarget::Blackhole(id)) => InternetPath::Blackhole(id.clone()),
        }
    }

    pub fn works(&self) -> Option<bool> {
        match self {
            InternetPath::Nat(_) | InternetPath::Gateway(_) => Some(true),
            InternetPath::GatewayWithoutPublicIp(_)
            | InternetPath::Blackhole(_)
            | InternetPath::None => Some(false),
            InternetPath::GatewayPublicIpUnknown(_) | InternetPath::Elsewhere(_) => None,
        }
    }

    /// In words, naming the route table and the target.
    pub fn describe(&self, table: &str) -> String {
        match self {
            InternetPath::Nat(id) => {
                format!("route table {table} sends 0.0.0.0/0 to NAT gateway {id}")
            }
            InternetPath::Gateway(id) => format!(
                "route table {table} sends 0.0.0.0/0 to internet gateway {id} and the task had a public IP"
            ),
            InternetPath::GatewayWithoutPublicIp(id) => format!(
                "route table {table} sends 0.0.0.0/0 to internet gateway {id}, but the task had no public IP"
            ),
            InternetPath::GatewayPublicIpUnknown(id) => format!(
                "route table {table} sends 0.0.0.0/0 to internet gateway {id}; whether the task had a public IP is not known (its network interface is gone)"
            ),
            InternetPath::Elsewhere(id) => format!(
                "route table {table} sends 0.0.0.0/0 to {id}, beyond which these probes do not look"
            ),
            InternetPath::Blackhole(id) => format!(
                "route table {table} sends 0.0.0.0/0 to {id}, which no longer exists (blackhole)"
            ),
            InternetPath::None => format!(
                "route table {table} has no 0.0.0.0/0 route (no NAT gateway, no internet gateway)"
            ),
        }
    }
}

/// Everything `network-path` reads.
#[derive(Debug, Clone)]
pub struct NetworkFacts {
    pub subnet: Fact<Subnet>,
    pub route_table: Fact<RouteTable>,
    pub endpoints: Fact<Vec<Endpoint>>,
    pub task: Fact<TaskSecurity>,
    /// The task's and the endpoints' security groups.
    pub groups: Fact<Vec<SecurityGroup>>,
    pub private_ip: Option<String>,
}

/// Facts every network verdict states.
pub fn describe_facts(facts: &NetworkFacts, out: &mut Vec<String>) {
    describe_parts(&facts.subnet, &facts.route_table, &facts.task, out);
}

/// The subnet, its route table and the task's security groups, as facts.
pub fn describe_parts(
    subnet: &Fact<Subnet>,
    route_table: &Fact<RouteTable>,
    task: &Fact<TaskSecurity>,
    out: &mut Vec<String>,
) {
    if let Ok(s) = subnet {
        out.push(format!(
            "subnet {} in {}{}",
            s.id,
            s.vpc_id,
            s.cidr
                .as_deref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default()
        ));
    }
    if let Ok(t) = route_table {
        let routes: Vec<String> = t
            .routes
            .iter()
            .map(|r| {
                let to = match &r.target {
                    RouteTarget::Local => "local".to_string(),
                    RouteTarget::Nat(id)
                    | RouteTarget::InternetGateway(id)
                    | RouteTarget::Other(id) => id.clone(),
                    RouteTarget::Blackhole(id) => format!("{id} (blackhole)"),
                };
                format!("{} → {to}", r.destination)
            })
            .collect();
        out.push(format!(
            "route table {} ({}): {}",
            t.id,
            if t.main {
                "the VPC's main table"
            } else {
                "associated with the subnet"
            },
            if routes.is_empty() {
                "no routes".to_string()
            } else {
                routes.join("; ")
            }
        ));
    }
    if let Ok(t) = task {
        let ip = match t.public_ip {
            Some(true) => "a public IP",
            Some(false) => "no public IP",
            None => "public IP unknown",
        };
        out.push(format!(
            "task security groups {} and {ip} (from {})",
            list(&t.groups),
            t.source
        ));
    }
}

/// Whether `groups` (by id, among `all`) admit TCP 443 from the task.
fn admits(
    all: &[SecurityGroup],
    groups: &[String],
    task: &TaskSecurity,
    task_address: Option<&str>,
) -> bool {
    all.iter()
        .filter(|g| groups.contains(&g.id))
        .flat_map(|g| &g.ingress)
        .filter(|p| p.covers_tcp(443))
        .any(|p| {
            p.groups.iter().any(|g| task.groups.contains(g))
                || p.cidrs.iter().any(|c| match task_address {
                    Some(address) => cidr_contains(c, address),
                    None => c == "0.0.0.0/0",
                })
        })
}

/// Whether the task's security groups let TCP 443 out to `to_groups` (an endpoint's) or, with
/// `internet`, anywhere. A CIDR rule towards an endpoint is taken as allowing it.
fn egress_allows(all: &[SecurityGroup], task: &TaskSecurity, to_groups: &[String]) -> bool {
    all.iter()
        .filter(|g| task.groups.contains(&g.id))
        .flat_map(|g| &g.egress)
        .filter(|p: &&Permission| p.covers_tcp(443))
        .any(|p| {
            p.cidrs.iter().any(|c| c.ends_with("/0"))
                || !p.prefix_lists.is_empty()
                || p.groups.iter().any(|g| to_groups.contains(g))
                || (!to_groups.is_empty() && !p.cidrs.is_empty())
        })
}

/// Whether the IPv4 `cidr` contains `address` (an address or a CIDR's base address).
pub fn cidr_contains(cidr: &str, address: &str) -> bool {
    fn parse(ip: &str) -> Option<u32> {
        let ip: std::net::Ipv4Addr = ip.parse().ok()?;
        Some(u32::from(ip))
    }
    let Some((base, bits)) = cidr.split_once('/') else {
        return false;
    };
    let address = address.split('/').next().unwrap_or(address);
    let (Some(base), Some(address), Ok(bits)) = (parse(base), parse(address), bits.parse::<u32>())
    else {
        return false;
    };
    if bits > 32 {
        return false;
    }
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    base & mask == address & mask
}

/// One service's path, decided.
enum Leg {
    Open(String),
    Broken(String),
    Unknown(Outcome),
}

pub fn verdict(facts: &NetworkFacts, target: &Target) -> Outcome {
    let mut out = Outcome::new(Verdict::CouldNotCheck, String::new());
    describe_facts(facts, &mut out.facts);
    let subnet = match &facts.subnet {
        Ok(s) => s,
        Err(e) => return out.unavailable("the task's subnet", e),
    };
    let table = match &facts.route_table {
        Ok(t) => t,
        Err(e) => return out.unavailable(&format!("the route table of {}", subnet.id), e),
    };
    let public_ip = facts.task.as_ref().ok().and_then(|t| t.public_ip);
    let internet = InternetPath::of(table, public_ip);
    out.facts
        .push("network ACLs and DNS resolution were not checked".to_string());
    let services = match target {
        Target::Internet(host) => {
            return match internet.works() {
                Some(true) => out.decide(
                    Verdict::RuledOut,
                    format!(
                        "{} reaches the internet: {}, so {host} is reachable from it; the timeout has another cause",
                        subnet.id,
                        internet.describe(&table.id)
                    ),
                ),
                Some(false) => out.decide(
                    Verdict::Confirmed,
                    format!(
                        "{host} is only reached over the internet, and subnet {}'s {}",
                        subnet.id,
                        internet.describe(&table.id)
                    ),
                ),
                None => out.decide(Verdict::CouldNotCheck, internet.describe(&table.id)),
            };
        }
        Target::Aws(services) => services,
    };
    let endpoints = match &facts.endpoints {
        Ok(e) => e,
        Err(e) => return out.unavailable(&format!("the VPC endpoints of {}", subnet.vpc_id), e),
    };
    for e in endpoints {
        out.facts.push(format!(
            "endpoint {} {} ({}{}, security groups {}){}",
            e.id,
            e.service,
            match e.kind {
                EndpointKind::Interface => "interface",
                EndpointKind::Gateway => "gateway",
                EndpointKind::Other => "other",
            },
            match (e.kind, e.private_dns) {
                (EndpointKind::Interface, true) => ", private DNS on",
                (EndpointKind::Interface, false) => ", private DNS off",
                _ => "",
            },
            list(&e.security_groups),
            if e.custom_policy.is_some() {
                "; it has a custom endpoint policy (not evaluated here)"
            } else {
                ""
            }
        ));
    }
    let legs: Vec<(&str, Leg)> = services
        .iter()
        .map(|service| {
            (
                *service,
                leg(facts, subnet, table, &internet, endpoints, service),
            )
        })
        .collect();
    let broken: Vec<String> = legs
        .iter()
        .filter_map(|(_, l)| match l {
            Leg::Broken(why) => Some(why.clone()),
            _ => None,
        })
        .collect();
    if !broken.is_empty() {
        return out.decide(Verdict::Confirmed, broken.join("; "));
    }
    if let Some((_, Leg::Unknown(unknown))) =
        legs.iter().find(|(_, l)| matches!(l, Leg::Unknown(_)))
    {
        let mut unknown = unknown.clone();
        unknown.facts = std::mem::take(&mut out.facts);
        return unknown;
    }
    let open: Vec<String> = legs
        .iter()
        .filter_map(|(_, l)| match l {
            Leg::Open(how) => Some(how.clone()),
            _ => None,
        })
        .collect();
    out.decide(
        Verdict::RuledOut,
        format!(
            "subnet {} has a path to every service the task needed: {}",
            subnet.id,
            open.join("; ")
        ),
    )
}

fn leg(
    facts: &NetworkFacts,
    subnet: &Subnet,
    table: &RouteTable,
    internet: &InternetPath,
    endpoints: &[Endpoint],
    service: &str,
) -> Leg {
    let unknown = |what: &str, e: &super::facts::Unavailable| {
        Leg::Unknown(Outcome::new(Verdict::CouldNotCheck, String::new()).unavailable(what, e))
    };
    if service == "s3"
        && let Some(gateway) = endpoints.iter().find(|e| {
            e.serves("s3") && e.kind == EndpointKind::Gateway && e.route_tables.contains(&table.id)
        })
    {
        return Leg::Open(format!(
            "s3 through gateway endpoint {} in {}",
            gateway.id, table.id
        ));
    }
    let interface = endpoints
        .iter()
        .find(|e| e.serves(service) && e.kind == EndpointKind::Interface);
    match interface {
        Some(e) if e.private_dns => {
            if e.state != "available" {
                return Leg::Broken(format!(
                    "endpoint {} for {service} is {}, not available",
                    e.id, e.state
                ));
            }
            let task = match &facts.task {
                Ok(t) => t,
                Err(err) => return unknown("the task's security groups", err),
            };
            let groups = match &facts.groups {
                Ok(g) => g,
                Err(err) => return unknown("the security group rules", err),
            };
            let address = facts.private_ip.as_deref().or(subnet.cidr.as_deref());
            if !admits(groups, &e.security_groups, task, address) {
                return Leg::Broken(format!(
                    "endpoint {} ({service}) has security group(s) {} that admit no TCP 443 from the task's security group(s) {}{}",
                    e.id,
                    list(&e.security_groups),
                    list(&task.groups),
                    facts
                        .private_ip
                        .as_deref()
                        .map(|ip| format!(" or its address {ip}"))
                        .unwrap_or_default()
                ));
            }
            if !egress_allows(groups, task, &e.security_groups) {
                return Leg::Broken(format!(
                    "the task's security group(s) {} allow no outbound TCP 443 to endpoint {} ({service})",
                    list(&task.groups),
                    e.id
                ));
            }
            Leg::Open(format!("{service} through endpoint {}", e.id))
        }
        other => {
            let why_internet = match other {
                Some(e) => format!(
                    "endpoint {} ({service}) has private DNS off, so the service's public name is used",
                    e.id
                ),
                None => format!(
                    "{} has no com.amazonaws.<region>.{service} endpoint",
                    subnet.vpc_id
                ),
            };
            match internet.works() {
                Some(true) => {
                    if let (Ok(task), Ok(groups)) = (&facts.task, &facts.groups)
                        && !egress_allows(groups, task, &[])
                    {
                        return Leg::Broken(format!(
                            "the task's security group(s) {} allow no outbound TCP 443",
                            list(&task.groups)
                        ));
                    }
                    Leg::Open(format!(
                        "{service} over the internet ({})",
                        internet.describe(&table.id)
                    ))
                }
                Some(false) => Leg::Broken(format!(
                    "no path to {service}: {why_internet}, and {}",
                    internet.describe(&table.id)
                )),
                None => Leg::Unknown(Outcome::new(
                    Verdict::CouldNotCheck,
                    format!("{why_internet}, and {}", internet.describe(&table.id)),
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::facts::{Route, Unavailable};
    use super::*;

    fn table(default: Option<RouteTarget>) -> RouteTable {
        let mut routes = vec![Route {
            destination: "10.0.0.0/16".into(),
            target: RouteTarget::Local,
        }];
        if let Some(t) = default {
            routes.push(Route {
                destination: "0.0.0.0/0".into(),
                target: t,
            });
        }
        RouteTable {
            id: "rtb-1".into(),
            main: false,
            subnets: vec!["subnet-1".into()],
            routes,
        }
    }

    fn endpoint(id: &str, service: &str, kind: EndpointKind, sg: &str) -> Endpoint {
        Endpoint {
            id: id.into(),
            service: format!("com.amazonaws.us-east-1.{service}"),
            kind,
            state: "available".into(),
            private_dns: kind == EndpointKind::Interface,
            security_groups: if sg.is_empty() {
                vec![]
            } else {
                vec![sg.into()]
            },
            route_tables: if kind == EndpointKind::Gateway {
                vec!["rtb-1".into()]
            } else {
                vec![]
            },
            custom_policy: None,
            dns: None,
        }
    }

    fn sg(id: &str, ingress_from: Option<&str>) -> SecurityGroup {
        let all_out = Permission {
            protocol: "-1".into(),
            from_port: None,
            to_port: None,
            cidrs: vec!["0.0.0.0/0".into()],
            groups: vec![],
            prefix_lists: vec![],
        };
        SecurityGroup {
            id: id.into(),
            ingress: ingress_from
                .map(|from| Permission {
                    protocol: "tcp".into(),
                    from_port: Some(443),
                    to_port: Some(443),
                    cidrs: vec![],
                    groups: vec![from.into()],
                    prefix_lists: vec![],
                })
                .into_iter()
                .collect(),
            egress: vec![all_out],
        }
    }

    fn world(default: Option<RouteTarget>, endpoint_admits: bool) -> NetworkFacts {
        NetworkFacts {
            subnet: Ok(Subnet {
                id: "subnet-1".into(),
                vpc_id: "vpc-1".into(),
                cidr: Some("10.0.1.0/24".into()),
            }),
            route_table: Ok(table(default)),
            endpoints: Ok(vec![
                endpoint("vpce-api", "ecr.api", EndpointKind::Interface, "sg-ep"),
                endpoint("vpce-dkr", "ecr.dkr", EndpointKind::Interface, "sg-ep"),
                endpoint("vpce-s3", "s3", EndpointKind::Gateway, ""),
            ]),
            task: Ok(TaskSecurity {
                groups: vec!["sg-task".into()],
                public_ip: Some(false),
                source: "ENI eni-1".into(),
            }),
            groups: Ok(vec![
                sg("sg-task", None),
                sg("sg-ep", endpoint_admits.then_some("sg-task")),
            ]),
            private_ip: Some("10.0.1.10".into()),
        }
    }

    fn ecr() -> Target {
        Target::Aws(vec!["ecr.api", "ecr.dkr", "s3"])
    }

    #[test]
    fn targets_come_from_the_message() {
        assert_eq!(
            Target::of_message(
                "dial tcp: lookup 123456789012.dkr.ecr.us-east-1.amazonaws.com on 10.0.0.2:53",
                None
            ),
            ecr()
        );
        assert_eq!(
            Target::of_message(
                "Post \"https://api.ecr.us-east-1.amazonaws.com/\": dial tcp 10.0.0.5:443: i/o timeout",
                None
            ),
            Target::Aws(vec!["ecr.api"])
        );
        assert_eq!(
            Target::of_message(
                "retrieve secret from asm: ... https://secretsmanager.eu-west-1.amazonaws.com/ i/o timeout",
                None
            ),
            Target::Aws(vec!["secretsmanager"])
        );
        assert_eq!(
            Target::of_message(
                "failed to resolve ref public.ecr.aws/nginx/nginx:latest: i/o timeout",
                Some("public.ecr.aws/nginx/nginx:latest")
            ),
            Target::Internet("public.ecr.aws".into())
        );
    }

    #[test]
    fn endpoints_that_admit_the_task_rule_out_the_network() {
        let o = verdict(&world(None, true), &ecr());
        assert_eq!(o.verdict, Verdict::RuledOut, "{o:?}");
        assert!(o.summary.contains("vpce-dkr"), "{}", o.summary);
        assert!(o.summary.contains("gateway endpoint vpce-s3 in rtb-1"));
    }

    #[test]
    fn a_closed_endpoint_security_group_is_named() {
        let o = verdict(&world(None, false), &ecr());
        assert_eq!(o.verdict, Verdict::Confirmed);
        assert!(
            o.summary
                .contains("endpoint vpce-api (ecr.api) has security group(s) sg-ep that admit no TCP 443 from the task's security group(s) sg-task"),
            "{}",
            o.summary
        );
    }

    #[test]
    fn no_endpoint_and_no_default_route_is_confirmed() {
        let mut facts = world(None, true);
        facts.endpoints = Ok(vec![]);
        let o = verdict(&facts, &Target::Aws(vec!["secretsmanager"]));
        assert_eq!(o.verdict, Verdict::Confirmed);
        assert!(
            o.summary
                .contains("vpc-1 has no com.amazonaws.<region>.secretsmanager endpoint")
                && o.summary
                    .contains("route table rtb-1 has no 0.0.0.0/0 route"),
            "{}",
            o.summary
        );
        // A NAT gateway gives the same subnet a path.
        facts.route_table = Ok(table(Some(RouteTarget::Nat("nat-1".into()))));
        let o = verdict(&facts, &Target::Aws(vec!["secretsmanager"]));
        assert_eq!(o.verdict, Verdict::RuledOut);
        assert!(o.summary.contains("NAT gateway nat-1"), "{}", o.summary);
    }

    #[test]
    fn an_internet_gateway_needs_a_public_ip() {
        let mut facts = world(Some(RouteTarget::InternetGateway("igw-1".into())), true);
        let target = Target::Internet("registry-1.docker.io".into());
        let o = verdict(&facts, &target);
        assert_eq!(o.verdict, Verdict::Confirmed);
        assert!(o.summary.contains("no public IP"), "{}", o.summary);
        facts.task.as_mut().unwrap().public_ip = Some(true);
        assert_eq!(verdict(&facts, &target).verdict, Verdict::RuledOut);
        facts.task.as_mut().unwrap().public_ip = None;
        assert_eq!(verdict(&facts, &target).verdict, Verdict::CouldNotCheck);
    }

    #[test]
    fn a_denied_call_is_could_not_check_with_the_action() {
        let mut facts = world(None, true);
        facts.route_table = Err(Unavailable::Denied {
            action: "ec2:DescribeRouteTables".into(),
        });
        let o = verdict(&facts, &ecr());
        assert_eq!(o.verdict, Verdict::CouldNotCheck);
        assert_eq!(o.missing_permissions, ["ec2:DescribeRouteTables"]);
        assert!(
            o.summary.contains("route table of subnet-1"),
            "{}",
            o.summary
        );
    }

    #[test]
    fn private_dns_off_sends_the_task_to_the_internet() {
        let mut facts = world(None, true);
        if let Ok(endpoints) = &mut facts.endpoints {
            endpoints[1].private_dns = false;
        }
        let o = verdict(&facts, &ecr());
        assert_eq!(o.verdict, Verdict::Confirmed);
        assert!(
            o.summary
                .contains("endpoint vpce-dkr (ecr.dkr) has private DNS off"),
            "{}",
            o.summary
        );
    }

    #[test]
    fn cidrs() {
        assert!(cidr_contains("10.0.0.0/16", "10.0.1.10"));
        assert!(!cidr_contains("10.1.0.0/16", "10.0.1.10"));
        assert!(cidr_contains("0.0.0.0/0", "192.168.1.1"));
        assert!(cidr_contains("10.0.0.0/8", "10.0.1.0/24"));
        assert!(!cidr_contains("garbage", "10.0.0.1"));
    }
}
