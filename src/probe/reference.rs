//! `secret`, `parameter`, `log-group`, `env-file`, `image` and their `-iam` twins: the
//! resources the task definition references exist, and the execution role may read them
//! (simulated with `iam:SimulatePrincipalPolicy`; values are never read).

use super::facts::{Decision, Fact, Presence, TaskDefinition};
use super::{Outcome, Verdict};
use crate::catalog::spec::ProbeName;
use crate::image::ImageRef;

/// More references than this per kind are not checked (a task definition rarely has them).
const MAX_REFERENCES: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Secret,
    Parameter,
    LogGroup,
    EnvFile,
    Image,
}

impl Kind {
    /// The kind a probe checks, and whether it is the permission twin.
    pub fn of_probe(probe: ProbeName) -> Option<(Kind, bool)> {
        Some(match probe {
            ProbeName::Secret => (Kind::Secret, false),
            ProbeName::SecretIam => (Kind::Secret, true),
            ProbeName::Parameter => (Kind::Parameter, false),
            ProbeName::ParameterIam => (Kind::Parameter, true),
            ProbeName::LogGroup => (Kind::LogGroup, false),
            ProbeName::LogGroupIam => (Kind::LogGroup, true),
            ProbeName::EnvFile => (Kind::EnvFile, false),
            ProbeName::EnvFileIam => (Kind::EnvFile, true),
            ProbeName::Image => (Kind::Image, false),
            ProbeName::ImageIam => (Kind::Image, true),
            _ => return None,
        })
    }

    pub fn noun(self) -> &'static str {
        match self {
            Kind::Secret => "Secrets Manager secret",
            Kind::Parameter => "SSM parameter",
            Kind::LogGroup => "log group",
            Kind::EnvFile => "S3 environment file",
            Kind::Image => "ECR image",
        }
    }

    /// What the execution role needs on each reference.
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            Kind::Secret => &["secretsmanager:GetSecretValue"],
            Kind::Parameter => &["ssm:GetParameters"],
            Kind::LogGroup => &["logs:CreateLogStream", "logs:PutLogEvents"],
            Kind::EnvFile => &["s3:GetObject"],
            Kind::Image => &[
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
                "ecr:GetAuthorizationToken",
            ],
        }
    }
}

/// One resource the task definition references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub kind: Kind,
    pub container: String,
    /// As the API to check it takes it: a secret ARN, a parameter name, a log group name,
    /// `bucket/key`, or an image.
    pub name: String,
    /// The resource's ARN, for the simulation.
    pub arn: String,
    /// The region it lives in.
    pub region: String,
}

/// The references of `kind` in the task definition (`region`/`account`: the task's).
pub fn references(td: &TaskDefinition, kind: Kind, region: &str, account: &str) -> Vec<Reference> {
    let mut out: Vec<Reference> = Vec::new();
    for c in &td.containers {
        let mut add = |name: String, arn: String, region: String| {
            if !out.iter().any(|r| r.arn == arn) {
                out.push(Reference {
                    kind,
                    container: c.name.clone(),
                    name,
                    arn,
                    region,
                });
            }
        };
        match kind {
            Kind::Secret => {
                for value in c.secrets.iter().chain(&c.registry_credentials) {
                    if value.starts_with("arn:aws") && value.contains(":secretsmanager:") {
                        // `arn:aws:secretsmanager:r:a:secret:name-AbCdEf[:json-key:stage:version]`
                        let arn: String = value.split(':').take(7).collect::<Vec<_>>().join(":");
                        let region = arn.split(':').nth(3).unwrap_or(region).to_string();
                        add(arn.clone(), arn, region);
                    }
                }
            }
            Kind::Parameter => {
                for value in &c.secrets {
                    if value.contains(":secretsmanager:") {
                        continue;
                    }
                    let (name, param_region) = match value.split_once(":parameter") {
                        Some((head, tail)) if value.starts_with("arn:") => {
                            let path = tail.trim_start_matches('/');
                            let name = if path.contains('/') {
                                format!("/{path}")
                            } else {
                                path.to_string()
                            };
                            (name, head.split(':').nth(3).unwrap_or(region).to_string())
                        }
                        _ => (value.clone(), region.to_string()),
                    };
                    let arn = format!(
                        "arn:aws:ssm:{param_region}:{account}:parameter/{}",
                        name.trim_start_matches('/')
                    );
                    add(name, arn, param_region);
                }
            }
            Kind::LogGroup => {
                if let Some((group, group_region)) = &c.log_group {
                    let group_region = group_region.clone().unwrap_or_else(|| region.to_string());
                    let arn = format!("arn:aws:logs:{group_region}:{account}:log-group:{group}:*");
                    add(group.clone(), arn, group_region);
                }
            }
            Kind::EnvFile => {
                for value in &c.env_files {
                    if let Some(path) = value.strip_prefix("arn:aws:s3:::") {
                        add(path.to_string(), value.clone(), region.to_string());
                    }
                }
            }
            Kind::Image => {
                if let Some(image) = c.image.as_deref()
                    && let Some(parsed) = ImageRef::parse(image)
                    && let Some(ecr) = parsed.ecr()
                {
                    let arn = format!(
                        "arn:aws:ecr:{}:{}:repository/{}",
                        ecr.region, ecr.account, parsed.repository
                    );
                    add(image.to_string(), arn, ecr.region.to_string());
                }
            }
        }
    }
    out.truncate(MAX_REFERENCES);
    out
}

fn referenced(refs: &[Reference]) -> String {
    refs.iter()
        .map(|r| format!("{} (container {})", r.name, r.container))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether each referenced resource exists.
pub fn exists_verdict(
    kind: Kind,
    td: &Fact<TaskDefinition>,
    presence: &[(Reference, Fact<Presence>)],
) -> Outcome {
    let mut out = Outcome::new(Verdict::CouldNotCheck, String::new());
    let td = match td {
        Ok(td) => td,
        Err(e) => return out.unavailable("the task definition", e),
    };
    if presence.is_empty() {
        let note = if kind == Kind::Image {
            " (an image outside ECR private registries cannot be checked with AWS APIs)"
        } else {
            ""
        };
        return out.decide(
            Verdict::RuledOut,
            format!(
                "task definition {} references no {}{note}",
                td.arn,
                kind.noun()
            ),
        );
    }
    let mut missing = Vec::new();
    let mut unknown = None;
    for (r, p) in presence {
        match p {
            Ok(Presence::Exists) => out.facts.push(format!("{} {} exists", kind.noun(), r.name)),
            Ok(Presence::Missing) => missing.push(r.clone()),
            Err(e) => {
                out.facts
                    .push(format!("{} {} not checked: {e}", kind.noun(), r.name));
                if let Some(a) = e.missing_permission()
                    && !out.missing_permissions.iter().any(|m| m == a)
                {
                    out.missing_permissions.push(a.to_string());
                }
                unknown.get_or_insert_with(|| (r.clone(), e.clone()));
            }
        }
    }
    if !missing.is_empty() {
        out.missing_permissions.clear();
        return out.decide(
            Verdict::Confirmed,
            format!(
                "the {} {} does not exist",
                kind.noun(),
                referenced(&missing)
            ),
        );
    }
    if let Some((r, e)) = unknown {
        out.summary = format!("could not check {} {}: {e}", kind.noun(), r.name);
        return out;
    }
    let all: Vec<Reference> = presence.iter().map(|(r, _)| r.clone()).collect();
    out.decide(
        Verdict::RuledOut,
        format!(
            "every {} the task definition references exists: {}",
            kind.noun(),
            referenced(&all)
        ),
    )
}

/// Whether the execution role may read each referenced resource.
pub fn access_verdict(
    kind: Kind,
    td: &Fact<TaskDefinition>,
    decisions: &[(Reference, Fact<Vec<Decision>>)],
) -> Outcome {
    let mut out = Outcome::new(Verdict::CouldNotCheck, String::new());
    let td = match td {
        Ok(td) => td,
        Err(e) => return out.unavailable("the task definition", e),
    };
    let Some(role) = &td.execution_role else {
        return out.decide(
            Verdict::Confirmed,
            format!(
                "task definition {} has no execution role, and ECS needs one to read a {}",
                td.arn,
                kind.noun()
            ),
        );
    };
    if decisions.is_empty() {
        return out.decide(
            Verdict::RuledOut,
            format!("task definition {} references no {}", td.arn, kind.noun()),
        );
    }
    out.facts.push(
        "simulated against the role's identity policies; resource policies and KMS key policies are not included".to_string(),
    );
    let mut denied = Vec::new();
    for (r, d) in decisions {
        match d {
            Ok(list) => {
                for d in list {
                    out.facts.push(format!(
                        "{role}: {} on {} → {}",
                        d.action, d.resource, d.decision
                    ));
                    if !d.allowed {
                        denied.push(format!("{} on {}", d.action, r.arn));
                    }
                }
            }
            Err(e) => return out.unavailable(&format!("what role {role} may do on {}", r.arn), e),
        }
    }
    if !denied.is_empty() {
        return out.decide(
            Verdict::Confirmed,
            format!("execution role {role} is not allowed {}", denied.join(", ")),
        );
    }
    out.decide(
        Verdict::RuledOut,
        format!(
            "execution role {role} is allowed {} on every referenced {}",
            kind.actions().join(", "),
            kind.noun()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::super::facts::{ContainerDefinition, Unavailable};
    use super::*;

    fn td(role: Option<&str>) -> TaskDefinition {
        TaskDefinition {
            arn: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3".into(),
            execution_role: role.map(str::to_string),
            containers: vec![ContainerDefinition {
                name: "web".into(),
                image: Some("123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.0".into()),
                secrets: vec![
                    "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::"
                        .into(),
                    "/app/api-key".into(),
                    "arn:aws:ssm:us-east-1:123456789012:parameter/flat".into(),
                ],
                registry_credentials: None,
                log_group: Some(("/ecs/web".into(), None)),
                env_files: vec!["arn:aws:s3:::config-bucket/web.env".into()],
            }],
        }
    }

    #[test]
    fn references_are_read_from_the_task_definition() {
        let td = td(None);
        let secrets = references(&td, Kind::Secret, "us-east-1", "123456789012");
        assert_eq!(
            secrets[0].name,
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
        );
        let params = references(&td, Kind::Parameter, "us-east-1", "123456789012");
        assert_eq!(params[0].name, "/app/api-key");
        assert_eq!(
            params[0].arn,
            "arn:aws:ssm:us-east-1:123456789012:parameter/app/api-key"
        );
        assert_eq!(params[1].name, "flat");
        let logs = references(&td, Kind::LogGroup, "us-east-1", "123456789012");
        assert_eq!(
            logs[0].arn,
            "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web:*"
        );
        assert_eq!(
            references(&td, Kind::EnvFile, "us-east-1", "1")[0].name,
            "config-bucket/web.env"
        );
        assert_eq!(
            references(&td, Kind::Image, "us-east-1", "1")[0].arn,
            "arn:aws:ecr:us-east-1:123456789012:repository/web"
        );
    }

    #[test]
    fn a_missing_resource_is_confirmed_an_existing_one_rules_it_out() {
        let t = td(None);
        let refs = references(&t, Kind::Parameter, "us-east-1", "123456789012");
        let missing = vec![
            (refs[0].clone(), Ok(Presence::Missing)),
            (refs[1].clone(), Ok(Presence::Exists)),
        ];
        let o = exists_verdict(Kind::Parameter, &Ok(t.clone()), &missing);
        assert_eq!(o.verdict, Verdict::Confirmed);
        assert!(
            o.summary
                .contains("/app/api-key (container web) does not exist"),
            "{}",
            o.summary
        );
        let present = vec![(refs[0].clone(), Ok(Presence::Exists))];
        assert_eq!(
            exists_verdict(Kind::Parameter, &Ok(t.clone()), &present).verdict,
            Verdict::RuledOut
        );
        let denied = vec![(
            refs[0].clone(),
            Err(Unavailable::Denied {
                action: "ssm:DescribeParameters".into(),
            }),
        )];
        let o = exists_verdict(Kind::Parameter, &Ok(t), &denied);
        assert_eq!(o.verdict, Verdict::CouldNotCheck);
        assert_eq!(o.missing_permissions, ["ssm:DescribeParameters"]);
    }

    #[test]
    fn the_role_is_simulated_per_reference() {
        let t = td(Some("arn:aws:iam::123456789012:role/exec"));
        let refs = references(&t, Kind::Secret, "us-east-1", "123456789012");
        let decision = |allowed: bool| Decision {
            action: "secretsmanager:GetSecretValue".into(),
            resource: refs[0].arn.clone(),
            allowed,
            decision: if allowed { "allowed" } else { "implicitDeny" }.into(),
        };
        let o = access_verdict(
            Kind::Secret,
            &Ok(t.clone()),
            &[(refs[0].clone(), Ok(vec![decision(false)]))],
        );
        assert_eq!(o.verdict, Verdict::Confirmed);
        assert!(
            o.summary.contains(
                "role/exec is not allowed secretsmanager:GetSecretValue on arn:aws:secretsmanager"
            ),
            "{}",
            o.summary
        );
        let o = access_verdict(
            Kind::Secret,
            &Ok(t),
            &[(refs[0].clone(), Ok(vec![decision(true)]))],
        );
        assert_eq!(o.verdict, Verdict::RuledOut);
        let o = access_verdict(Kind::Secret, &Ok(td(None)), &[]);
        assert_eq!(o.verdict, Verdict::Confirmed);
        assert!(o.summary.contains("no execution role"));
    }
}
