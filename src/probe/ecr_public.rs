//! `ecr-public` (seed 1): the image is on ECR Public, which no VPC endpoint serves, and the
//! task's subnet has no internet path. Existing pull-through cache rules for `public.ecr.aws`
//! are listed so the fix names the user's own prefix.

use super::facts::{CacheRule, Fact, RouteTable, Subnet, TaskSecurity};
use super::network_path::InternetPath;
use super::{Outcome, Verdict};
use crate::image::ImageRef;

#[derive(Debug, Clone)]
pub struct EcrPublicFacts {
    /// The image as the task definition or the message names it.
    pub image: Option<String>,
    pub subnet: Fact<Subnet>,
    pub route_table: Fact<RouteTable>,
    pub task: Fact<TaskSecurity>,
    pub cache_rules: Fact<Vec<CacheRule>>,
    /// The task's account and region, for the rewritten image.
    pub account: Option<String>,
    pub region: String,
}

pub fn verdict(facts: &EcrPublicFacts) -> Outcome {
    let mut out = Outcome::new(Verdict::CouldNotCheck, String::new());
    let image = facts.image.as_deref().and_then(ImageRef::parse);
    let Some(image) = image.filter(|i| i.registry == "public.ecr.aws") else {
        return out.decide(
            Verdict::RuledOut,
            format!(
                "the image {} is not on ECR Public",
                facts.image.as_deref().unwrap_or("(unknown)")
            ),
        );
    };
    out.facts.push(format!("image {image} is on ECR Public"));
    super::network_path::describe_parts(
        &facts.subnet,
        &facts.route_table,
        &facts.task,
        &mut out.facts,
    );
    // The rule is advice for the fix, so a failure to list rules does not decide the verdict.
    match &facts.cache_rules {
        Ok(rules) => {
            let public: Vec<&CacheRule> = rules
                .iter()
                .filter(|r| r.upstream_url == "public.ecr.aws")
                .collect();
            match public.first() {
                Some(rule) => {
                    let account = facts.account.as_deref().unwrap_or("<account>");
                    out.fix = Some(format!(
                        "A pull-through cache rule for public.ecr.aws already exists with the prefix `{}`: change the image to `{account}.dkr.ecr.{}.amazonaws.com/{}/{}{}` (and allow the execution role ecr:BatchImportUpstreamImage and ecr:CreateRepository on `{}/*`).",
                        rule.prefix,
                        facts.region,
                        rule.prefix,
                        image.repository,
                        image.reference_suffix(),
                        rule.prefix
                    ));
                    out.facts.push(format!(
                        "pull-through cache rule `{}` → public.ecr.aws exists",
                        rule.prefix
                    ));
                }
                None => out.facts.push(format!(
                    "no pull-through cache rule for public.ecr.aws ({} rule(s) for other upstreams)",
                    rules.len()
                )),
            }
        }
        Err(e) => out.facts.push(format!("cache rules not listed: {e}")),
    }
    let subnet = match &facts.subnet {
        Ok(s) => s,
        Err(e) => return out.unavailable("the task's subnet", e),
    };
    let table = match &facts.route_table {
        Ok(t) => t,
        Err(e) => return out.unavailable(&format!("the route table of {}", subnet.id), e),
    };
    let public_ip = facts.task.as_ref().ok().and_then(|t| t.public_ip);
    if let Err(e) = &facts.task
        && let Some(action) = e.missing_permission()
    {
        out.facts
            .push(format!("the task's public IP is unknown: {e}"));
        out.missing_permissions.push(action.to_string());
    }
    let path = InternetPath::of(table, public_ip);
    let route = path.describe(&table.id);
    match path.works() {
        Some(false) => out.decide(
            Verdict::Confirmed,
            format!(
                "subnet {}'s {route}; public.ecr.aws is only reached over the internet and VPC endpoints do not serve it",
                subnet.id
            ),
        ),
        Some(true) => out.decide(
            Verdict::RuledOut,
            format!(
                "subnet {} has an internet path ({route}), so public.ecr.aws is reachable; the timeout has another cause (network ACLs, a firewall, or a transient ECR Public problem)",
                subnet.id
            ),
        ),
        None => out.decide(Verdict::CouldNotCheck, route),
    }
}

#[cfg(test)]
mod tests {
    use super::super::facts::{Route, RouteTarget, Unavailable};
    use super::*;

    fn facts(default: Option<RouteTarget>, rules: Vec<CacheRule>) -> EcrPublicFacts {
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
        EcrPublicFacts {
            image: Some("public.ecr.aws/nginx/nginx:latest".into()),
            subnet: Ok(Subnet {
                id: "subnet-1".into(),
                vpc_id: "vpc-1".into(),
                cidr: None,
            }),
            route_table: Ok(RouteTable {
                id: "rtb-1".into(),
                main: true,
                subnets: vec![],
                routes,
            }),
            task: Ok(TaskSecurity {
                groups: vec!["sg-1".into()],
                public_ip: Some(false),
                source: "ENI".into(),
            }),
            cache_rules: Ok(rules),
            account: Some("123456789012".into()),
            region: "us-east-1".into(),
        }
    }

    #[test]
    fn no_default_route_confirms_and_an_existing_rule_names_its_prefix() {
        let o = verdict(&facts(
            None,
            vec![CacheRule {
                prefix: "public-mirror".into(),
                upstream_url: "public.ecr.aws".into(),
                credential_arn: None,
            }],
        ));
        assert_eq!(o.verdict, Verdict::Confirmed);
        assert!(
            o.summary
                .contains("route table rtb-1 has no 0.0.0.0/0 route"),
            "{}",
            o.summary
        );
        assert!(o.fix.unwrap().contains(
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/public-mirror/nginx/nginx:latest"
        ));
    }

    #[test]
    fn a_nat_gateway_rules_it_out() {
        let o = verdict(&facts(Some(RouteTarget::Nat("nat-9".into())), vec![]));
        assert_eq!(o.verdict, Verdict::RuledOut);
        assert!(o.summary.contains("NAT gateway nat-9"), "{}", o.summary);
        assert!(o.fix.is_none());
    }

    #[test]
    fn unreadable_routes_could_not_be_checked() {
        let mut f = facts(None, vec![]);
        f.route_table = Err(Unavailable::TimedOut {
            action: "ec2:DescribeRouteTables".into(),
        });
        f.cache_rules = Err(Unavailable::Denied {
            action: "ecr:DescribePullThroughCacheRules".into(),
        });
        let o = verdict(&f);
        assert_eq!(o.verdict, Verdict::CouldNotCheck);
        assert!(
            o.summary.contains("did not answer within --timeout"),
            "{}",
            o.summary
        );
        assert!(
            o.facts
                .iter()
                .any(|f| f.contains("access denied to ecr:DescribePullThroughCacheRules"))
        );
    }
}
