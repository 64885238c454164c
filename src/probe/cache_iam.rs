//! `cache-iam` (seed 3): an image under a pull-through cache prefix reports "not found" when the
//! rule for the prefix is missing, when the execution role may not create the cached repository
//! and import the upstream image (`ecr:CreateRepository`, `ecr:BatchImportUpstreamImage`, plus
//! `ecr:GetAuthorizationToken`), or when the rule's upstream credential secret is gone.

use super::facts::{CacheRule, Decision, Fact, Presence};
use super::{Outcome, Verdict};
use crate::image::ImageRef;

/// What the execution role must be allowed on the cached repository.
pub const ACTIONS: [&str; 3] = [
    "ecr:BatchImportUpstreamImage",
    "ecr:CreateRepository",
    "ecr:GetAuthorizationToken",
];

#[derive(Debug, Clone)]
pub struct CacheIamFacts {
    pub image: Option<String>,
    pub rules: Fact<Vec<CacheRule>>,
    /// The task definition's execution role; `Ok(None)` when it has none.
    pub role: Fact<Option<String>>,
    /// The role simulated for [`ACTIONS`] on the repository (read when the rule exists).
    pub decisions: Option<Fact<Vec<Decision>>>,
    /// The rule's upstream credential secret, when it names one.
    pub credential: Option<Fact<Presence>>,
}

/// The cached repository an ECR image lives in, and its registry: (account, region, repository).
pub fn cached_repository(image: &str) -> Option<(String, String, String)> {
    let image = ImageRef::parse(image)?;
    let ecr = image.ecr()?;
    Some((
        ecr.account.to_string(),
        ecr.region.to_string(),
        image.repository.clone(),
    ))
}

/// The rule whose prefix the repository sits under.
pub fn rule_for<'r>(repository: &str, rules: &'r [CacheRule]) -> Option<&'r CacheRule> {
    rules
        .iter()
        .filter(|r| repository.starts_with(&format!("{}/", r.prefix)))
        .max_by_key(|r| r.prefix.len())
}

pub fn repository_arn(account: &str, region: &str, repository: &str) -> String {
    format!("arn:aws:ecr:{region}:{account}:repository/{repository}")
}

pub fn verdict(facts: &CacheIamFacts) -> Outcome {
    let mut out = Outcome::new(Verdict::CouldNotCheck, String::new());
    let Some((account, region, repository)) = facts.image.as_deref().and_then(cached_repository)
    else {
        return out.decide(
            Verdict::RuledOut,
            format!(
                "the image {} is not in an ECR private registry, so no pull-through cache is involved",
                facts.image.as_deref().unwrap_or("(unknown)")
            ),
        );
    };
    let prefix = repository.split('/').next().unwrap_or_default().to_string();
    let rules = match &facts.rules {
        Ok(r) => r,
        Err(e) => return out.unavailable(&format!("the pull-through cache rules of {region}"), e),
    };
    out.facts.push(format!(
        "pull-through cache rules in {region}: {}",
        if rules.is_empty() {
            "none".to_string()
        } else {
            rules
                .iter()
                .map(|r| format!("{} → {}", r.prefix, r.upstream_url))
                .collect::<Vec<_>>()
                .join(", ")
        }
    ));
    let Some(rule) = rule_for(&repository, rules) else {
        out.fix = Some(format!(
            "Create the rule: aws ecr create-pull-through-cache-rule --ecr-repository-prefix {prefix} --upstream-registry-url <upstream> --region {region}"
        ));
        return out.decide(
            Verdict::Confirmed,
            format!(
                "no pull-through cache rule in {region} has the prefix `{prefix}`, so ECR treats {repository} as an ordinary repository that does not exist"
            ),
        );
    };
    if let Some(credential) = &facts.credential {
        let arn = rule.credential_arn.as_deref().unwrap_or("(none)");
        match credential {
            Ok(Presence::Missing) => {
                return out.decide(
                    Verdict::Confirmed,
                    format!(
                        "rule `{}` → {} needs the upstream credential secret {arn}, which does not exist",
                        rule.prefix, rule.upstream_url
                    ),
                );
            }
            Ok(Presence::Exists) => out.facts.push(format!("credential secret {arn} exists")),
            Err(e) => out
                .facts
                .push(format!("credential secret {arn} not checked: {e}")),
        }
    }
    let role = match &facts.role {
        Ok(Some(role)) => role,
        Ok(None) => {
            return out.decide(
                Verdict::Confirmed,
                "the task definition has no execution role, so nothing may import the upstream image".into(),
            );
        }
        Err(e) => return out.unavailable("the task definition's execution role", e),
    };
    let arn = repository_arn(&account, &region, &repository);
    let decisions = match &facts.decisions {
        Some(Ok(d)) => d,
        Some(Err(e)) => {
            return out.unavailable(&format!("what role {role} may do on {arn}"), e);
        }
        None => return out.decide(Verdict::CouldNotCheck, "the role was not simulated".into()),
    };
    let denied: Vec<&Decision> = decisions.iter().filter(|d| !d.allowed).collect();
    for d in decisions {
        out.facts.push(format!(
            "{role}: {} on {} → {}",
            d.action, d.resource, d.decision
        ));
    }
    if denied.is_empty() {
        return out.decide(
            Verdict::RuledOut,
            format!(
                "rule `{}` → {} exists and role {role} is allowed {} on {arn}; check that the upstream image and tag exist",
                rule.prefix,
                rule.upstream_url,
                ACTIONS.join(", ")
            ),
        );
    }
    let actions: Vec<&str> = denied.iter().map(|d| d.action.as_str()).collect();
    out.fix = Some(format!(
        "aws iam put-role-policy --role-name {} --policy-name ecr-pull-through-cache --policy-document '{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":[\"ecr:BatchImportUpstreamImage\",\"ecr:CreateRepository\"],\"Resource\":\"arn:aws:ecr:{region}:{account}:repository/{}/*\"}}]}}'",
        role.rsplit('/').next().unwrap_or(role),
        rule.prefix
    ));
    out.decide(
        Verdict::Confirmed,
        format!(
            "execution role {role} is not allowed {} on {arn} ({}), so the first pull cannot create the cached repository and import the image",
            actions.join(", "),
            denied
                .iter()
                .map(|d| d.decision.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::super::facts::Unavailable;
    use super::*;

    const IMAGE: &str =
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-public/nginx/nginx:stable";
    const ROLE: &str = "arn:aws:iam::123456789012:role/web-execution";

    fn rule() -> CacheRule {
        CacheRule {
            prefix: "ecr-public".into(),
            upstream_url: "public.ecr.aws".into(),
            credential_arn: None,
        }
    }

    fn decisions(allowed: bool) -> Vec<Decision> {
        ACTIONS
            .iter()
            .map(|a| Decision {
                action: a.to_string(),
                resource: "arn:aws:ecr:us-east-1:123456789012:repository/ecr-public/nginx/nginx"
                    .into(),
                allowed: allowed || *a == "ecr:GetAuthorizationToken",
                decision: if allowed || *a == "ecr:GetAuthorizationToken" {
                    "allowed".into()
                } else {
                    "implicitDeny".into()
                },
            })
            .collect()
    }

    fn facts(rules: Vec<CacheRule>, allowed: bool) -> CacheIamFacts {
        CacheIamFacts {
            image: Some(IMAGE.into()),
            rules: Ok(rules),
            role: Ok(Some(ROLE.into())),
            decisions: Some(Ok(decisions(allowed))),
            credential: None,
        }
    }

    #[test]
    fn a_role_without_import_permissions_is_confirmed_naming_role_and_actions() {
        let o = verdict(&facts(vec![rule()], false));
        assert_eq!(o.verdict, Verdict::Confirmed);
        assert!(
            o.summary.contains(ROLE)
                && o.summary
                    .contains("ecr:BatchImportUpstreamImage, ecr:CreateRepository")
                && o.summary.contains("repository/ecr-public/nginx/nginx"),
            "{}",
            o.summary
        );
        assert!(o.fix.unwrap().contains("--role-name web-execution"));
    }

    #[test]
    fn an_allowed_role_rules_it_out_and_a_missing_rule_is_the_cause() {
        assert_eq!(
            verdict(&facts(vec![rule()], true)).verdict,
            Verdict::RuledOut
        );
        let o = verdict(&facts(vec![], true));
        assert_eq!(o.verdict, Verdict::Confirmed);
        assert!(o.summary.contains("prefix `ecr-public`"), "{}", o.summary);
    }

    #[test]
    fn a_missing_credential_secret_is_confirmed() {
        let mut f = facts(
            vec![CacheRule {
                credential_arn: Some(
                    "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/hub"
                        .into(),
                ),
                ..rule()
            }],
            true,
        );
        f.credential = Some(Ok(Presence::Missing));
        let o = verdict(&f);
        assert_eq!(o.verdict, Verdict::Confirmed);
        assert!(
            o.summary.contains("ecr-pullthroughcache/hub"),
            "{}",
            o.summary
        );
    }

    #[test]
    fn simulation_denied_is_could_not_check() {
        let mut f = facts(vec![rule()], true);
        f.decisions = Some(Err(Unavailable::Denied {
            action: "iam:SimulatePrincipalPolicy".into(),
        }));
        let o = verdict(&f);
        assert_eq!(o.verdict, Verdict::CouldNotCheck);
        assert_eq!(o.missing_permissions, ["iam:SimulatePrincipalPolicy"]);
    }
}
