//! Fetching the probes' facts through the AWS clients: read-only calls only, each bounded by
//! `--timeout` (the shared SDK configuration's operation timeout), each answer kept for the
//! run so every task that asks the same question (same subnet, VPC, role, task definition)
//! shares it. A cluster of 1,000 tasks in 3 subnets costs 3 subnet look-ups, not 1,000.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex};

use aws_config::{Region, SdkConfig};
use aws_sdk_ecs::config::http::HttpResponse;
use aws_sdk_ecs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use tokio::sync::OnceCell;

use super::cache_iam::{self, CacheIamFacts};
use super::dkr_dns::{self, DkrDnsFacts};
use super::ecr_public::{self, EcrPublicFacts};
use super::facts::*;
use super::network_path::{self, NetworkFacts, Target};
use super::reference::{self, Kind, Reference};
use super::{Outcome, Plan, ProbeTask, Request};
use crate::catalog::spec::ProbeName;
use crate::model::TaskNetwork;
use crate::report::{ProbeSection, Verdict};

/// Pages read at most from a paginated list (endpoints, records, cache rules).
const MAX_PAGES: usize = 10;

/// A fact with the calls that produced it (`ec2:DescribeSubnets subnet-1`).
type Traced<T> = (Fact<T>, Vec<String>);

/// Answers kept for the run, one cell per question, so concurrent askers wait for one call.
struct Memo<T> {
    cells: Mutex<HashMap<String, Arc<OnceCell<Traced<T>>>>>,
}

impl<T: Clone> Memo<T> {
    fn new() -> Memo<T> {
        Memo {
            cells: Mutex::new(HashMap::new()),
        }
    }

    async fn get<F, Fut>(&self, key: String, init: F) -> Traced<T>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Traced<T>>,
    {
        let cell = self
            .cells
            .lock()
            .expect("memo lock")
            .entry(key)
            .or_default()
            .clone();
        cell.get_or_init(init).await.clone()
    }
}

/// One region's clients.
struct Clients {
    ecs: aws_sdk_ecs::Client,
    ec2: aws_sdk_ec2::Client,
    route53: aws_sdk_route53::Client,
    iam: aws_sdk_iam::Client,
    ecr: aws_sdk_ecr::Client,
    secrets: aws_sdk_secretsmanager::Client,
    ssm: aws_sdk_ssm::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    s3: aws_sdk_s3::Client,
}

/// Fetches and remembers facts for a run's probes.
pub struct Fetcher {
    config: SdkConfig,
    /// An endpoint override (a local test server): S3 then needs path-style addressing.
    custom_endpoint: bool,
    clients: Mutex<HashMap<String, Arc<Clients>>>,
    calls: Mutex<BTreeMap<&'static str, usize>>,
    tasks: Memo<(Option<TaskNetwork>, Option<String>)>,
    task_definitions: Memo<TaskDefinition>,
    subnets: Memo<Subnet>,
    route_tables: Memo<Vec<RouteTable>>,
    endpoints: Memo<Vec<Endpoint>>,
    security: Memo<TaskSecurity>,
    groups: Memo<Vec<SecurityGroup>>,
    vpc_dns: Memo<VpcDns>,
    zones: Memo<Vec<HostedZone>>,
    records: Memo<Vec<Record>>,
    cache_rules: Memo<Vec<CacheRule>>,
    simulations: Memo<Vec<Decision>>,
    presence: Memo<Presence>,
}

impl Fetcher {
    pub fn new(config: SdkConfig, custom_endpoint: bool) -> Fetcher {
        Fetcher {
            config,
            custom_endpoint,
            clients: Mutex::new(HashMap::new()),
            calls: Mutex::new(BTreeMap::new()),
            tasks: Memo::new(),
            task_definitions: Memo::new(),
            subnets: Memo::new(),
            route_tables: Memo::new(),
            endpoints: Memo::new(),
            security: Memo::new(),
            groups: Memo::new(),
            vpc_dns: Memo::new(),
            zones: Memo::new(),
            records: Memo::new(),
            cache_rules: Memo::new(),
            simulations: Memo::new(),
            presence: Memo::new(),
        }
    }

    /// API calls made so far, by IAM action.
    pub fn calls(&self) -> BTreeMap<&'static str, usize> {
        self.calls.lock().expect("calls lock").clone()
    }

    fn count(&self, action: &'static str) {
        *self
            .calls
            .lock()
            .expect("calls lock")
            .entry(action)
            .or_default() += 1;
    }

    fn clients(&self, region: &str) -> Arc<Clients> {
        let mut clients = self.clients.lock().expect("clients lock");
        clients
            .entry(region.to_string())
            .or_insert_with(|| {
                let region = Region::new(region.to_string());
                let c = &self.config;
                Arc::new(Clients {
                    ecs: aws_sdk_ecs::Client::from_conf(
                        aws_sdk_ecs::config::Builder::from(c)
                            .region(region.clone())
                            .build(),
                    ),
                    ec2: aws_sdk_ec2::Client::from_conf(
                        aws_sdk_ec2::config::Builder::from(c)
                            .region(region.clone())
                            .build(),
                    ),
                    route53: aws_sdk_route53::Client::from_conf(
                        aws_sdk_route53::config::Builder::from(c)
                            .region(region.clone())
                            .build(),
                    ),
                    iam: aws_sdk_iam::Client::from_conf(
                        aws_sdk_iam::config::Builder::from(c)
                            .region(region.clone())
                            .build(),
                    ),
                    ecr: aws_sdk_ecr::Client::from_conf(
                        aws_sdk_ecr::config::Builder::from(c)
                            .region(region.clone())
                            .build(),
                    ),
                    secrets: aws_sdk_secretsmanager::Client::from_conf(
                        aws_sdk_secretsmanager::config::Builder::from(c)
                            .region(region.clone())
                            .build(),
                    ),
                    ssm: aws_sdk_ssm::Client::from_conf(
                        aws_sdk_ssm::config::Builder::from(c)
                            .region(region.clone())
                            .build(),
                    ),
                    logs: aws_sdk_cloudwatchlogs::Client::from_conf(
                        aws_sdk_cloudwatchlogs::config::Builder::from(c)
                            .region(region.clone())
                            .build(),
                    ),
                    s3: aws_sdk_s3::Client::from_conf(
                        aws_sdk_s3::config::Builder::from(c)
                            .region(region)
                            .force_path_style(self.custom_endpoint)
                            .build(),
                    ),
                })
            })
            .clone()
    }

    /// Runs a task's probes: each finding in rank order, until one is confirmed.
    pub async fn run(&self, plan: Plan) -> Vec<(usize, ProbeSection)> {
        let task = self.complete(plan.task).await;
        let mut sections = Vec::new();
        for request in &plan.requests {
            let mut results = Vec::new();
            for &probe in &request.probes {
                let (outcome, calls) = self.probe(probe, &task, request).await;
                results.push(outcome.into_result(probe, calls));
            }
            let section = ProbeSection::new(results);
            let confirmed = section.verdict == Verdict::Confirmed;
            sections.push((request.index, section));
            if confirmed {
                break;
            }
        }
        sections
    }

    /// Fills in what the evidence lacks (an event or pasted JSON without attachments) from
    /// DescribeTasks, while ECS still has the task.
    async fn complete(&self, mut task: ProbeTask) -> ProbeTask {
        if task.network.is_some() && task.task_definition_arn.is_some() {
            return task;
        }
        let (fact, _) = self.task(&task).await;
        if let Ok((network, td)) = fact {
            task.network = task.network.or(network);
            task.task_definition_arn = task.task_definition_arn.or(td);
        }
        task
    }

    async fn probe(
        &self,
        probe: ProbeName,
        task: &ProbeTask,
        request: &Request,
    ) -> (Outcome, Vec<String>) {
        match probe {
            ProbeName::NetworkPath => {
                let target = Target::of_message(&request.text, request.image.as_deref());
                let (facts, calls) = self.network(task, true).await;
                (network_path::verdict(&facts, &target), calls)
            }
            ProbeName::EcrPublic => {
                let ((net, mut calls), (rules, rule_calls)) =
                    tokio::join!(self.network(task, false), self.cache_rules(&task.region));
                calls.extend(rule_calls);
                let facts = EcrPublicFacts {
                    image: request.image.clone(),
                    subnet: net.subnet,
                    route_table: net.route_table,
                    task: net.task,
                    cache_rules: rules,
                    account: task.account.clone(),
                    region: task.region.clone(),
                };
                (ecr_public::verdict(&facts), calls)
            }
            ProbeName::DkrDns => self.dkr_dns(task, request).await,
            ProbeName::CacheIam => self.cache_iam(task, request).await,
            other => match reference::Kind::of_probe(other) {
                Some((kind, iam)) => self.reference(task, kind, iam).await,
                None => (
                    Outcome::new(
                        Verdict::CouldNotCheck,
                        format!("no probe named {}", other.as_str()),
                    ),
                    Vec::new(),
                ),
            },
        }
    }

    /// The task's subnet, route table, endpoints and security groups (`groups`: also read
    /// the security group rules).
    async fn network(&self, task: &ProbeTask, groups: bool) -> (NetworkFacts, Vec<String>) {
        let mut calls = Vec::new();
        let region = &task.region;
        let network = task.network.clone().unwrap_or_default();
        let unknown_subnet = || {
            Unavailable::Unknown(
                "the task names no subnet (it is not an awsvpc task, or ECS no longer has it)"
                    .to_string(),
            )
        };
        let subnet = match &network.subnet_id {
            Some(id) => {
                let (s, c) = self.subnet(region, id).await;
                calls.extend(c);
                s
            }
            None => Err(unknown_subnet()),
        };
        let (route_table, endpoints, security) = match &subnet {
            Ok(s) => {
                let ((tables, c1), (endpoints, c2), (security, c3)) = tokio::join!(
                    self.route_tables(region, &s.vpc_id),
                    self.endpoints(region, &s.vpc_id),
                    self.security(task, &s.id)
                );
                calls.extend(c1.into_iter().chain(c2).chain(c3));
                let table = tables.and_then(|t| {
                    route_table_for(&s.id, &t).cloned().ok_or_else(|| {
                        Unavailable::Unknown(format!("{} has no route table", s.vpc_id))
                    })
                });
                (table, endpoints, security)
            }
            Err(e) => (Err(e.clone()), Err(e.clone()), Err(e.clone())),
        };
        let groups = if groups {
            match (&security, &endpoints) {
                (Ok(sec), Ok(eps)) => {
                    let mut ids: Vec<String> = sec.groups.clone();
                    ids.extend(eps.iter().flat_map(|e| e.security_groups.iter().cloned()));
                    ids.sort();
                    ids.dedup();
                    let (g, c) = self.security_groups(region, ids).await;
                    calls.extend(c);
                    g
                }
                (Err(e), _) | (_, Err(e)) => Err(e.clone()),
            }
        } else {
            Err(Unavailable::Unknown("not needed".into()))
        };
        (
            NetworkFacts {
                subnet,
                route_table,
                endpoints,
                task: security,
                groups,
                private_ip: network.private_ip,
            },
            calls,
        )
    }

    async fn dkr_dns(&self, task: &ProbeTask, request: &Request) -> (Outcome, Vec<String>) {
        let mut calls = Vec::new();
        let host = request.host.clone().unwrap_or_default();
        let region = &task.region;
        let subnet = match task.network.as_ref().and_then(|n| n.subnet_id.clone()) {
            Some(id) => {
                let (s, c) = self.subnet(region, &id).await;
                calls.extend(c);
                s
            }
            None => Err(Unavailable::Unknown("the task names no subnet".into())),
        };
        let vpc = subnet.map(|s| s.vpc_id);
        let (dns, zones, endpoints) = match &vpc {
            Ok(vpc) => {
                let ((dns, c1), (zones, c2), (endpoints, c3)) = tokio::join!(
                    self.vpc_dns(region, vpc),
                    self.zones(region, vpc),
                    self.endpoints(region, vpc)
                );
                calls.extend(c1.into_iter().chain(c2).chain(c3));
                (dns, zones, endpoints.ok())
            }
            Err(e) => (Err(e.clone()), Err(e.clone()), None),
        };
        let answering = zones
            .as_ref()
            .ok()
            .and_then(|z| dkr_dns::answering_zone(&host, z).cloned());
        let records = match (&dns, answering) {
            (Ok(d), Some(zone)) if d.support && d.hostnames => {
                let (r, c) = self.records(region, &zone.id).await;
                calls.extend(c);
                Some(r)
            }
            _ => None,
        };
        let endpoint_dns = endpoints
            .iter()
            .flatten()
            .find(|e| e.serves("ecr.dkr"))
            .and_then(|e| e.dns.clone());
        let facts = DkrDnsFacts {
            host,
            task_account: task.account.clone(),
            vpc,
            dns,
            zones,
            records,
            endpoint_dns,
        };
        (dkr_dns::verdict(&facts), calls)
    }

    async fn cache_iam(&self, task: &ProbeTask, request: &Request) -> (Outcome, Vec<String>) {
        let mut calls = Vec::new();
        let target = request
            .image
            .as_deref()
            .and_then(cache_iam::cached_repository);
        let registry_region = target
            .as_ref()
            .map(|(_, r, _)| r.clone())
            .unwrap_or_else(|| task.region.clone());
        let ((rules, c1), (td, c2)) = tokio::join!(
            self.cache_rules(&registry_region),
            self.task_definition(task)
        );
        calls.extend(c1.into_iter().chain(c2));
        let role = td.map(|td| td.execution_role);
        let rule = match (&rules, &target) {
            (Ok(rules), Some((_, _, repository))) => {
                cache_iam::rule_for(repository, rules).cloned()
            }
            _ => None,
        };
        let mut decisions = None;
        let mut credential = None;
        if let (Some(rule), Some((account, region, repository))) = (&rule, &target) {
            if let Ok(Some(role)) = &role {
                let arn = cache_iam::repository_arn(account, region, repository);
                let (d, c) = self.simulate(region, role, &arn, &cache_iam::ACTIONS).await;
                calls.extend(c);
                decisions = Some(d);
            }
            if let Some(secret) = &rule.credential_arn {
                let r = Reference {
                    kind: Kind::Secret,
                    container: String::new(),
                    name: secret.clone(),
                    arn: secret.clone(),
                    region: region.clone(),
                };
                let (p, c) = self.presence(&r).await;
                calls.extend(c);
                credential = Some(p);
            }
        }
        let facts = CacheIamFacts {
            image: request.image.clone(),
            rules,
            role,
            decisions,
            credential,
        };
        (cache_iam::verdict(&facts), calls)
    }

    async fn reference(&self, task: &ProbeTask, kind: Kind, iam: bool) -> (Outcome, Vec<String>) {
        let (td, mut calls) = self.task_definition(task).await;
        let account = task.account.as_deref().unwrap_or("<account>");
        let refs = td
            .as_ref()
            .map(|td| reference::references(td, kind, &task.region, account))
            .unwrap_or_default();
        if iam {
            let role = td.as_ref().ok().and_then(|t| t.execution_role.clone());
            let mut decisions = Vec::new();
            if let Some(role) = role {
                for r in &refs {
                    let (d, c) = self
                        .simulate(&task.region, &role, &r.arn, kind.actions())
                        .await;
                    calls.extend(c);
                    decisions.push((r.clone(), d));
                }
            }
            (reference::access_verdict(kind, &td, &decisions), calls)
        } else {
            let mut presence = Vec::new();
            for r in &refs {
                let (p, c) = self.presence(r).await;
                calls.extend(c);
                presence.push((r.clone(), p));
            }
            (reference::exists_verdict(kind, &td, &presence), calls)
        }
    }

    // ---- One function per question, each remembered for the run. ----

    async fn task(&self, task: &ProbeTask) -> Traced<(Option<TaskNetwork>, Option<String>)> {
        let clients = self.clients(&task.region);
        let cluster = task.cluster.clone().unwrap_or_else(|| "default".into());
        let arn = task.task_arn.clone();
        self.tasks
            .get(arn.clone(), || async move {
                self.count("ecs:DescribeTasks");
                let call = vec![format!("ecs:DescribeTasks {arn}")];
                let result = clients
                    .ecs
                    .describe_tasks()
                    .cluster(&cluster)
                    .tasks(&arn)
                    .send()
                    .await;
                let fact = match result {
                    Ok(out) => match out.tasks().first() {
                        Some(t) => Ok((
                            t.attachments()
                                .iter()
                                .filter(|a| a.r#type() == Some("ElasticNetworkInterface"))
                                .find_map(|a| {
                                    TaskNetwork::from_details(
                                        a.details()
                                            .iter()
                                            .filter_map(|d| Some((d.name()?, d.value()?))),
                                    )
                                }),
                            t.task_definition_arn().map(str::to_string),
                        )),
                        None => Err(Unavailable::Unknown(format!(
                            "ECS no longer has task {arn} (stopped tasks are kept about an hour)"
                        ))),
                    },
                    Err(e) => Err(classify("ecs:DescribeTasks", &e)),
                };
                (fact, call)
            })
            .await
    }

    async fn task_definition(&self, task: &ProbeTask) -> Traced<TaskDefinition> {
        let Some(arn) = task.task_definition_arn.clone() else {
            return (
                Err(Unavailable::Unknown(
                    "the task names no task definition".into(),
                )),
                Vec::new(),
            );
        };
        let clients = self.clients(&task.region);
        self.task_definitions
            .get(arn.clone(), || async move {
                self.count("ecs:DescribeTaskDefinition");
                let call = vec![format!("ecs:DescribeTaskDefinition {arn}")];
                let result = clients
                    .ecs
                    .describe_task_definition()
                    .task_definition(&arn)
                    .send()
                    .await;
                let fact = match result {
                    Ok(out) => match out.task_definition() {
                        Some(td) => Ok(convert_task_definition(td, &arn)),
                        None => Err(Unavailable::Unknown(format!("no task definition {arn}"))),
                    },
                    Err(e) => Err(classify("ecs:DescribeTaskDefinition", &e)),
                };
                (fact, call)
            })
            .await
    }

    async fn subnet(&self, region: &str, id: &str) -> Traced<Subnet> {
        let clients = self.clients(region);
        let id = id.to_string();
        self.subnets
            .get(format!("{region}/{id}"), || async move {
                self.count("ec2:DescribeSubnets");
                let call = vec![format!("ec2:DescribeSubnets {id}")];
                let result = clients.ec2.describe_subnets().subnet_ids(&id).send().await;
                let fact = match result {
                    Ok(out) => out
                        .subnets()
                        .first()
                        .map(|s| Subnet {
                            id: id.clone(),
                            vpc_id: s.vpc_id().unwrap_or_default().to_string(),
                            cidr: s.cidr_block().map(str::to_string),
                        })
                        .ok_or_else(|| {
                            Unavailable::Unknown(format!("subnet {id} no longer exists"))
                        }),
                    Err(e) => Err(classify("ec2:DescribeSubnets", &e)),
                };
                (fact, call)
            })
            .await
    }

    async fn route_tables(&self, region: &str, vpc: &str) -> Traced<Vec<RouteTable>> {
        let clients = self.clients(region);
        let vpc = vpc.to_string();
        self.route_tables
            .get(format!("{region}/{vpc}"), || async move {
                self.count("ec2:DescribeRouteTables");
                let call = vec![format!("ec2:DescribeRouteTables {vpc}")];
                let result = clients
                    .ec2
                    .describe_route_tables()
                    .filters(filter("vpc-id", &vpc))
                    .send()
                    .await;
                let fact = match result {
                    Ok(out) => Ok(out.route_tables().iter().map(convert_route_table).collect()),
                    Err(e) => Err(classify("ec2:DescribeRouteTables", &e)),
                };
                (fact, call)
            })
            .await
    }

    async fn endpoints(&self, region: &str, vpc: &str) -> Traced<Vec<Endpoint>> {
        let clients = self.clients(region);
        let vpc = vpc.to_string();
        self.endpoints
            .get(format!("{region}/{vpc}"), || async move {
                let mut calls = Vec::new();
                let mut endpoints = Vec::new();
                let mut token: Option<String> = None;
                for _ in 0..MAX_PAGES {
                    self.count("ec2:DescribeVpcEndpoints");
                    calls.push(format!("ec2:DescribeVpcEndpoints {vpc}"));
                    let result = clients
                        .ec2
                        .describe_vpc_endpoints()
                        .filters(filter("vpc-id", &vpc))
                        .set_next_token(token.take())
                        .send()
                        .await;
                    match result {
                        Ok(out) => {
                            endpoints.extend(out.vpc_endpoints().iter().map(convert_endpoint));
                            match out.next_token() {
                                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                                _ => break,
                            }
                        }
                        Err(e) => return (Err(classify("ec2:DescribeVpcEndpoints", &e)), calls),
                    }
                }
                (Ok(endpoints), calls)
            })
            .await
    }

    /// The task's security groups: from its ENI while that exists, else from its service's
    /// network configuration. Tasks of one group (service or family) and task definition in
    /// one subnet share one answer, read for the first of them that asks.
    async fn security(&self, task: &ProbeTask, subnet: &str) -> Traced<TaskSecurity> {
        let key = format!(
            "{}/{}/{}/{}",
            task.region,
            subnet,
            task.group.as_deref().unwrap_or(&task.task_arn),
            task.task_definition_arn.as_deref().unwrap_or_default()
        );
        let clients = self.clients(&task.region);
        let eni = task.network.as_ref().and_then(|n| n.eni_id.clone());
        let task_id = task.id().to_string();
        let cluster = task.cluster.clone();
        let service = task.service.clone();
        self.security
            .get(key, || async move {
                let mut calls = Vec::new();
                if let Some(eni) = &eni {
                    self.count("ec2:DescribeNetworkInterfaces");
                    calls.push(format!("ec2:DescribeNetworkInterfaces {eni}"));
                    let result = clients
                        .ec2
                        .describe_network_interfaces()
                        .filters(filter("network-interface-id", eni))
                        .send()
                        .await;
                    match result {
                        Ok(out) => {
                            if let Some(i) = out.network_interfaces().first() {
                                return (
                                    Ok(TaskSecurity {
                                        groups: i
                                            .groups()
                                            .iter()
                                            .filter_map(|g| g.group_id().map(str::to_string))
                                            .collect(),
                                        public_ip: Some(
                                            i.association().and_then(|a| a.public_ip()).is_some(),
                                        ),
                                        source: format!("ENI {eni} of task {task_id}"),
                                    }),
                                    calls,
                                );
                            }
                        }
                        Err(e) if service.is_none() => {
                            return (Err(classify("ec2:DescribeNetworkInterfaces", &e)), calls);
                        }
                        // The service's configuration may still answer.
                        Err(_) => {}
                    }
                }
                let Some(service) = service else {
                    return (
                        Err(Unavailable::Unknown(format!(
                            "task {task_id}'s network interface is gone and it belongs to no service"
                        ))),
                        calls,
                    );
                };
                self.count("ecs:DescribeServices");
                calls.push(format!("ecs:DescribeServices {service}"));
                let result = clients
                    .ecs
                    .describe_services()
                    .cluster(cluster.unwrap_or_else(|| "default".into()))
                    .services(&service)
                    .send()
                    .await;
                let fact = match result {
                    Ok(out) => out
                        .services()
                        .first()
                        .and_then(|s| s.network_configuration())
                        .and_then(|n| n.awsvpc_configuration())
                        .map(|c| TaskSecurity {
                            groups: c.security_groups().to_vec(),
                            public_ip: Some(
                                c.assign_public_ip().map(|a| a.as_str()) == Some("ENABLED"),
                            ),
                            source: format!("service {service}'s network configuration; the task's ENI is gone"),
                        })
                        .ok_or_else(|| {
                            Unavailable::Unknown(format!(
                                "service {service} has no awsvpc network configuration"
                            ))
                        }),
                    Err(e) => Err(classify("ecs:DescribeServices", &e)),
                };
                (fact, calls)
            })
            .await
    }

    async fn security_groups(&self, region: &str, ids: Vec<String>) -> Traced<Vec<SecurityGroup>> {
        if ids.is_empty() {
            return (Ok(Vec::new()), Vec::new());
        }
        let clients = self.clients(region);
        self.groups
            .get(format!("{region}/{}", ids.join(",")), || async move {
                self.count("ec2:DescribeSecurityGroups");
                let call = vec![format!("ec2:DescribeSecurityGroups {}", ids.join(" "))];
                let result = clients
                    .ec2
                    .describe_security_groups()
                    .set_group_ids(Some(ids))
                    .send()
                    .await;
                let fact = match result {
                    Ok(out) => Ok(out
                        .security_groups()
                        .iter()
                        .map(|g| SecurityGroup {
                            id: g.group_id().unwrap_or_default().to_string(),
                            ingress: g.ip_permissions().iter().map(convert_permission).collect(),
                            egress: g
                                .ip_permissions_egress()
                                .iter()
                                .map(convert_permission)
                                .collect(),
                        })
                        .collect()),
                    Err(e) => Err(classify("ec2:DescribeSecurityGroups", &e)),
                };
                (fact, call)
            })
            .await
    }

    async fn vpc_dns(&self, region: &str, vpc: &str) -> Traced<VpcDns> {
        use aws_sdk_ec2::types::VpcAttributeName;
        let clients = self.clients(region);
        let vpc = vpc.to_string();
        self.vpc_dns
            .get(format!("{region}/{vpc}"), || async move {
                self.count("ec2:DescribeVpcAttribute");
                self.count("ec2:DescribeVpcAttribute");
                let calls = vec![
                    format!("ec2:DescribeVpcAttribute {vpc} enableDnsSupport"),
                    format!("ec2:DescribeVpcAttribute {vpc} enableDnsHostnames"),
                ];
                let (support, hostnames) = tokio::join!(
                    clients
                        .ec2
                        .describe_vpc_attribute()
                        .vpc_id(&vpc)
                        .attribute(VpcAttributeName::EnableDnsSupport)
                        .send(),
                    clients
                        .ec2
                        .describe_vpc_attribute()
                        .vpc_id(&vpc)
                        .attribute(VpcAttributeName::EnableDnsHostnames)
                        .send()
                );
                let fact = match (support, hostnames) {
                    (Ok(s), Ok(h)) => Ok(VpcDns {
                        support: s
                            .enable_dns_support()
                            .and_then(|v| v.value())
                            .unwrap_or(false),
                        hostnames: h
                            .enable_dns_hostnames()
                            .and_then(|v| v.value())
                            .unwrap_or(false),
                    }),
                    (Err(e), _) | (_, Err(e)) => Err(classify("ec2:DescribeVpcAttribute", &e)),
                };
                (fact, calls)
            })
            .await
    }

    async fn zones(&self, region: &str, vpc: &str) -> Traced<Vec<HostedZone>> {
        let clients = self.clients(region);
        let vpc = vpc.to_string();
        let region = region.to_string();
        self.zones
            .get(format!("{region}/{vpc}"), || async move {
                self.count("route53:ListHostedZonesByVPC");
                let call = vec![format!("route53:ListHostedZonesByVPC {vpc}")];
                let result = clients
                    .route53
                    .list_hosted_zones_by_vpc()
                    .vpc_id(&vpc)
                    .vpc_region(aws_sdk_route53::types::VpcRegion::from(region.as_str()))
                    .send()
                    .await;
                let fact = match result {
                    Ok(out) => Ok(out
                        .hosted_zone_summaries()
                        .iter()
                        .map(|z| HostedZone {
                            id: z
                                .hosted_zone_id()
                                .trim_start_matches("/hostedzone/")
                                .to_string(),
                            name: z.name().trim_end_matches('.').to_ascii_lowercase(),
                            owner_account: z
                                .owner()
                                .and_then(|o| o.owning_account())
                                .map(str::to_string),
                        })
                        .collect()),
                    Err(e) => Err(classify("route53:ListHostedZonesByVPC", &e)),
                };
                (fact, call)
            })
            .await
    }

    async fn records(&self, region: &str, zone: &str) -> Traced<Vec<Record>> {
        let clients = self.clients(region);
        let zone = zone.to_string();
        self.records
            .get(zone.clone(), || async move {
                let mut calls = Vec::new();
                let mut records = Vec::new();
                let mut start: Option<(String, aws_sdk_route53::types::RrType)> = None;
                for _ in 0..MAX_PAGES {
                    self.count("route53:ListResourceRecordSets");
                    calls.push(format!("route53:ListResourceRecordSets {zone}"));
                    let mut request = clients
                        .route53
                        .list_resource_record_sets()
                        .hosted_zone_id(&zone);
                    if let Some((name, kind)) = start.take() {
                        request = request.start_record_name(name).start_record_type(kind);
                    }
                    match request.send().await {
                        Ok(out) => {
                            records.extend(out.resource_record_sets().iter().map(|r| {
                                Record {
                                    name: r
                                        .name()
                                        .replace("\\052", "*")
                                        .trim_end_matches('.')
                                        .to_ascii_lowercase(),
                                    kind: r.r#type().as_str().to_string(),
                                    alias: r.alias_target().map(|a| {
                                        (a.dns_name().to_string(), a.hosted_zone_id().to_string())
                                    }),
                                }
                            }));
                            match (
                                out.is_truncated(),
                                out.next_record_name(),
                                out.next_record_type(),
                            ) {
                                (true, Some(name), Some(kind)) => {
                                    start = Some((name.to_string(), kind.clone()))
                                }
                                _ => break,
                            }
                        }
                        Err(e) => {
                            return (Err(classify("route53:ListResourceRecordSets", &e)), calls);
                        }
                    }
                }
                (Ok(records), calls)
            })
            .await
    }

    async fn cache_rules(&self, region: &str) -> Traced<Vec<CacheRule>> {
        let clients = self.clients(region);
        let region = region.to_string();
        self.cache_rules
            .get(region.clone(), || async move {
                let mut calls = Vec::new();
                let mut rules = Vec::new();
                let mut token: Option<String> = None;
                for _ in 0..MAX_PAGES {
                    self.count("ecr:DescribePullThroughCacheRules");
                    calls.push(format!("ecr:DescribePullThroughCacheRules {region}"));
                    let result = clients
                        .ecr
                        .describe_pull_through_cache_rules()
                        .set_next_token(token.take())
                        .send()
                        .await;
                    match result {
                        Ok(out) => {
                            rules.extend(out.pull_through_cache_rules().iter().map(|r| {
                                CacheRule {
                                    prefix: r
                                        .ecr_repository_prefix()
                                        .unwrap_or_default()
                                        .to_string(),
                                    upstream_url: r
                                        .upstream_registry_url()
                                        .unwrap_or_default()
                                        .to_string(),
                                    credential_arn: r.credential_arn().map(str::to_string),
                                }
                            }));
                            match out.next_token() {
                                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                                _ => break,
                            }
                        }
                        Err(e) => {
                            return (
                                Err(classify("ecr:DescribePullThroughCacheRules", &e)),
                                calls,
                            );
                        }
                    }
                }
                (Ok(rules), calls)
            })
            .await
    }

    async fn simulate(
        &self,
        region: &str,
        role: &str,
        resource: &str,
        actions: &[&str],
    ) -> Traced<Vec<Decision>> {
        let clients = self.clients(region);
        let role = role.to_string();
        let resource = resource.to_string();
        let actions: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
        self.simulations
            .get(
                format!("{role}|{resource}|{}", actions.join(",")),
                || async move {
                    self.count("iam:SimulatePrincipalPolicy");
                    let call = vec![format!("iam:SimulatePrincipalPolicy {role} on {resource}")];
                    let result = clients
                        .iam
                        .simulate_principal_policy()
                        .policy_source_arn(&role)
                        .set_action_names(Some(actions))
                        .resource_arns(&resource)
                        .send()
                        .await;
                    let fact = match result {
                        Ok(out) => Ok(out
                            .evaluation_results()
                            .iter()
                            .map(|r| {
                                let decision = r.eval_decision().as_str().to_string();
                                Decision {
                                    action: r.eval_action_name().to_string(),
                                    resource: r
                                        .eval_resource_name()
                                        .unwrap_or(&resource)
                                        .to_string(),
                                    allowed: decision == "allowed",
                                    decision,
                                }
                            })
                            .collect()),
                        Err(e) => Err(classify("iam:SimulatePrincipalPolicy", &e)),
                    };
                    (fact, call)
                },
            )
            .await
    }

    async fn presence(&self, r: &Reference) -> Traced<Presence> {
        let clients = self.clients(&r.region);
        let r = r.clone();
        self.presence
            .get(format!("{:?}|{}", r.kind, r.arn), || async move {
                let (action, result): (&'static str, Result<Presence, Unavailable>) = match r.kind {
                    Kind::Secret => {
                        let action = "secretsmanager:DescribeSecret";
                        self.count(action);
                        let out = clients
                            .secrets
                            .describe_secret()
                            .secret_id(&r.name)
                            .send()
                            .await;
                        (action, present(action, out, &["ResourceNotFoundException"]))
                    }
                    Kind::Parameter => {
                        let action = "ssm:DescribeParameters";
                        self.count(action);
                        let name_filter = aws_sdk_ssm::types::ParameterStringFilter::builder()
                            .key("Name")
                            .option("Equals")
                            .values(&r.name)
                            .build();
                        let out = match name_filter {
                            Ok(f) => {
                                clients
                                    .ssm
                                    .describe_parameters()
                                    .parameter_filters(f)
                                    .send()
                                    .await
                            }
                            Err(e) => {
                                return (
                                    Err(Unavailable::Failed {
                                        action: action.into(),
                                        detail: e.to_string(),
                                    }),
                                    vec![format!("{action} {}", r.name)],
                                );
                            }
                        };
                        let result = match out {
                            Ok(o) if o.parameters().is_empty() => Ok(Presence::Missing),
                            Ok(_) => Ok(Presence::Exists),
                            Err(e) => Err(classify(action, &e)),
                        };
                        (action, result)
                    }
                    Kind::LogGroup => {
                        let action = "logs:DescribeLogGroups";
                        self.count(action);
                        let out = clients
                            .logs
                            .describe_log_groups()
                            .log_group_name_prefix(&r.name)
                            .send()
                            .await;
                        let result = match out {
                            Ok(o)
                                if o.log_groups()
                                    .iter()
                                    .any(|g| g.log_group_name() == Some(r.name.as_str())) =>
                            {
                                Ok(Presence::Exists)
                            }
                            Ok(_) => Ok(Presence::Missing),
                            Err(e) => Err(classify(action, &e)),
                        };
                        (action, result)
                    }
                    Kind::EnvFile => {
                        // HeadObject is authorised by s3:GetObject; it never reads the body.
                        let action = "s3:GetObject";
                        self.count("s3:HeadObject");
                        let (bucket, key) = r.name.split_once('/').unwrap_or((&r.name, ""));
                        let out = clients
                            .s3
                            .head_object()
                            .bucket(bucket)
                            .key(key)
                            .send()
                            .await;
                        let result = match out {
                            Ok(_) => Ok(Presence::Exists),
                            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {
                                Ok(Presence::Missing)
                            }
                            Err(e) => Err(classify(action, &e)),
                        };
                        (action, result)
                    }
                    Kind::Image => {
                        let action = "ecr:DescribeImages";
                        self.count(action);
                        let image = crate::image::ImageRef::parse(&r.name);
                        let (registry, repository, id) = match &image {
                            Some(i) => {
                                let id = aws_sdk_ecr::types::ImageIdentifier::builder();
                                let id = match (&i.digest, &i.tag) {
                                    (Some(d), _) => id.image_digest(d),
                                    (None, t) => id.image_tag(t.as_deref().unwrap_or("latest")),
                                };
                                (
                                    i.ecr().map(|e| e.account.to_string()),
                                    i.repository.clone(),
                                    id.build(),
                                )
                            }
                            None => (
                                None,
                                r.name.clone(),
                                aws_sdk_ecr::types::ImageIdentifier::builder().build(),
                            ),
                        };
                        let out = clients
                            .ecr
                            .describe_images()
                            .set_registry_id(registry)
                            .repository_name(repository)
                            .image_ids(id)
                            .send()
                            .await;
                        (
                            action,
                            present(
                                action,
                                out,
                                &["ImageNotFoundException", "RepositoryNotFoundException"],
                            ),
                        )
                    }
                };
                (result, vec![format!("{action} {}", r.name)])
            })
            .await
    }
}

/// The table a subnet uses: its explicit association, else the VPC's main table.
pub fn route_table_for<'t>(subnet: &str, tables: &'t [RouteTable]) -> Option<&'t RouteTable> {
    tables
        .iter()
        .find(|t| t.subnets.iter().any(|s| s == subnet))
        .or_else(|| tables.iter().find(|t| t.main))
}

fn filter(name: &str, value: &str) -> aws_sdk_ec2::types::Filter {
    aws_sdk_ec2::types::Filter::builder()
        .name(name)
        .values(value)
        .build()
}

/// Exists when the call succeeds, missing on one of `missing` error codes.
fn present<T, E>(
    action: &str,
    out: Result<T, SdkError<E, HttpResponse>>,
    missing: &[&str],
) -> Fact<Presence>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match out {
        Ok(_) => Ok(Presence::Exists),
        Err(SdkError::ServiceError(s)) if s.err().code().is_some_and(|c| missing.contains(&c)) => {
            Ok(Presence::Missing)
        }
        Err(e) => Err(classify(action, &e)),
    }
}

/// Classifies a failed call: denied, throttled, timed out, or failed.
fn classify<E>(action: &str, error: &SdkError<E, HttpResponse>) -> Unavailable
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let action = action.to_string();
    match error {
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or_default();
            let status = service.raw().status().as_u16();
            if matches!(
                code,
                "AccessDenied"
                    | "AccessDeniedException"
                    | "UnauthorizedOperation"
                    | "UnauthorizedAccess"
                    | "AuthorizationError"
            ) || status == 403
            {
                Unavailable::Denied { action }
            } else if matches!(
                code,
                "Throttling"
                    | "ThrottlingException"
                    | "ThrottledException"
                    | "TooManyRequestsException"
                    | "RequestLimitExceeded"
                    | "SlowDown"
            ) || status == 429
            {
                Unavailable::Throttled { action }
            } else {
                let message = service.err().message().unwrap_or_default();
                Unavailable::Failed {
                    action,
                    detail: if code.is_empty() {
                        format!("HTTP {status}")
                    } else {
                        format!("{code}: {message}")
                            .trim_end_matches([':', ' '])
                            .to_string()
                    },
                }
            }
        }
        SdkError::TimeoutError(_) => Unavailable::TimedOut { action },
        SdkError::DispatchFailure(d) if d.is_timeout() => Unavailable::TimedOut { action },
        other => Unavailable::Failed {
            action,
            detail: DisplayErrorContext(other)
                .to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .to_string(),
        },
    }
}

fn convert_task_definition(td: &aws_sdk_ecs::types::TaskDefinition, arn: &str) -> TaskDefinition {
    TaskDefinition {
        arn: td.task_definition_arn().unwrap_or(arn).to_string(),
        execution_role: td.execution_role_arn().map(str::to_string),
        containers: td
            .container_definitions()
            .iter()
            .map(|c| ContainerDefinition {
                name: c.name().unwrap_or_default().to_string(),
                image: c.image().map(str::to_string),
                secrets: c
                    .secrets()
                    .iter()
                    .map(|s| s.value_from().to_string())
                    .collect(),
                registry_credentials: c
                    .repository_credentials()
                    .map(|r| r.credentials_parameter().to_string()),
                log_group: c
                    .log_configuration()
                    .filter(|l| l.log_driver().as_str() == "awslogs")
                    .and_then(|l| l.options())
                    .and_then(|o| {
                        Some((
                            o.get("awslogs-group")?.clone(),
                            o.get("awslogs-region").cloned(),
                        ))
                    }),
                env_files: c
                    .environment_files()
                    .iter()
                    .map(|f| f.value().to_string())
                    .collect(),
            })
            .collect(),
    }
}

fn convert_route_table(t: &aws_sdk_ec2::types::RouteTable) -> RouteTable {
    RouteTable {
        id: t.route_table_id().unwrap_or_default().to_string(),
        main: t.associations().iter().any(|a| a.main() == Some(true)),
        subnets: t
            .associations()
            .iter()
            .filter_map(|a| a.subnet_id().map(str::to_string))
            .collect(),
        routes: t
            .routes()
            .iter()
            .map(|r| {
                let destination = r
                    .destination_cidr_block()
                    .or(r.destination_prefix_list_id())
                    .or(r.destination_ipv6_cidr_block())
                    .unwrap_or_default()
                    .to_string();
                let id = r
                    .nat_gateway_id()
                    .or(r.gateway_id())
                    .or(r.transit_gateway_id())
                    .or(r.vpc_peering_connection_id())
                    .or(r.network_interface_id())
                    .or(r.instance_id())
                    .or(r.egress_only_internet_gateway_id())
                    .unwrap_or("unknown")
                    .to_string();
                let target = if r.state().map(|s| s.as_str()) == Some("blackhole") {
                    RouteTarget::Blackhole(id)
                } else if id == "local" {
                    RouteTarget::Local
                } else if r.nat_gateway_id().is_some() {
                    RouteTarget::Nat(id)
                } else if id.starts_with("igw-") {
                    RouteTarget::InternetGateway(id)
                } else {
                    RouteTarget::Other(id)
                };
                Route {
                    destination,
                    target,
                }
            })
            .collect(),
    }
}

fn convert_endpoint(e: &aws_sdk_ec2::types::VpcEndpoint) -> Endpoint {
    use aws_sdk_ec2::types::VpcEndpointType;
    Endpoint {
        id: e.vpc_endpoint_id().unwrap_or_default().to_string(),
        service: e.service_name().unwrap_or_default().to_string(),
        kind: match e.vpc_endpoint_type() {
            Some(VpcEndpointType::Interface) => EndpointKind::Interface,
            Some(VpcEndpointType::Gateway) => EndpointKind::Gateway,
            _ => EndpointKind::Other,
        },
        state: e
            .state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_else(|| "unknown".into()),
        private_dns: e.private_dns_enabled().unwrap_or(false),
        security_groups: e
            .groups()
            .iter()
            .filter_map(|g| g.group_id().map(str::to_string))
            .collect(),
        route_tables: e.route_table_ids().to_vec(),
        custom_policy: e
            .policy_document()
            .filter(|p| !is_default_policy(p))
            .map(str::to_string),
        dns: e.dns_entries().first().and_then(|d| {
            Some((
                d.dns_name()?.to_string(),
                d.hosted_zone_id().map(str::to_string),
            ))
        }),
    }
}

/// The full-access policy every endpoint gets unless one is set.
fn is_default_policy(policy: &str) -> bool {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(policy) else {
        return false;
    };
    let statements = match &doc["Statement"] {
        serde_json::Value::Array(s) => s.clone(),
        s @ serde_json::Value::Object(_) => vec![s.clone()],
        _ => return false,
    };
    let star = |v: &serde_json::Value| {
        v == "*"
            || v.get("AWS").is_some_and(|a| a == "*")
            || v.as_array().is_some_and(|a| a.len() == 1 && a[0] == "*")
    };
    statements.len() == 1
        && statements[0]["Effect"] == "Allow"
        && star(&statements[0]["Action"])
        && star(&statements[0]["Principal"])
        && star(&statements[0]["Resource"])
}

fn convert_permission(p: &aws_sdk_ec2::types::IpPermission) -> Permission {
    Permission {
        protocol: p.ip_protocol().unwrap_or("-1").to_string(),
        from_port: p.from_port(),
        to_port: p.to_port(),
        cidrs: p
            .ip_ranges()
            .iter()
            .filter_map(|r| r.cidr_ip().map(str::to_string))
            .collect(),
        groups: p
            .user_id_group_pairs()
            .iter()
            .filter_map(|g| g.group_id().map(str::to_string))
            .collect(),
        prefix_lists: p
            .prefix_list_ids()
            .iter()
            .filter_map(|l| l.prefix_list_id().map(str::to_string))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_endpoint_policy_is_recognised() {
        assert!(is_default_policy(
            r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#
        ));
        assert!(!is_default_policy(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*","Resource":"*"}]}"#
        ));
    }

    #[test]
    fn a_subnet_without_an_association_uses_the_main_table() {
        let t = |id: &str, main: bool, subnets: &[&str]| RouteTable {
            id: id.into(),
            main,
            subnets: subnets.iter().map(|s| s.to_string()).collect(),
            routes: vec![],
        };
        let tables = vec![t("rtb-main", true, &[]), t("rtb-a", false, &["subnet-a"])];
        assert_eq!(route_table_for("subnet-a", &tables).unwrap().id, "rtb-a");
        assert_eq!(route_table_for("subnet-b", &tables).unwrap().id, "rtb-main");
    }
}
