//! `dkr-dns` (seed 2): a private hosted zone associated with the task's VPC answers for the
//! registry's name (typically a shared `dkr.ecr.<region>.amazonaws.com` zone for a centralised
//! endpoint) and has no record for `<account>.dkr.ecr.<region>.amazonaws.com`. Ruled out when
//! VPC DNS is off (then the zone is not used at all), when no zone answers for the name, or
//! when the zone has the record.

use super::facts::{Fact, HostedZone, Record, VpcDns};
use super::{Outcome, Verdict};

#[derive(Debug, Clone)]
pub struct DkrDnsFacts {
    /// The name that did not resolve.
    pub host: String,
    pub task_account: Option<String>,
    pub vpc: Fact<String>,
    pub dns: Fact<VpcDns>,
    pub zones: Fact<Vec<HostedZone>>,
    /// Records of the answering zone at and around `host` (read only when a zone answers).
    pub records: Option<Fact<Vec<Record>>>,
    /// The VPC's own `ecr.dkr` endpoint, as an alias target when the zone's apex has none.
    pub endpoint_dns: Option<(String, Option<String>)>,
}

/// The zone that answers for `host`: the longest zone name equal to it or a parent of it.
pub fn answering_zone<'z>(host: &str, zones: &'z [HostedZone]) -> Option<&'z HostedZone> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    zones
        .iter()
        .filter(|z| {
            let name = z.name.trim_end_matches('.').to_ascii_lowercase();
            host == name || host.ends_with(&format!(".{name}"))
        })
        .max_by_key(|z| z.name.len())
}

pub fn verdict(facts: &DkrDnsFacts) -> Outcome {
    let mut out = Outcome::new(Verdict::CouldNotCheck, String::new());
    let host = facts.host.trim_end_matches('.').to_ascii_lowercase();
    let vpc = match &facts.vpc {
        Ok(v) => v,
        Err(e) => return out.unavailable("the task's VPC", e),
    };
    match &facts.dns {
        Ok(dns) => {
            out.facts.push(format!(
                "{vpc}: enableDnsSupport {}, enableDnsHostnames {}",
                dns.support, dns.hostnames
            ));
            let off: Vec<&str> = [
                ("enableDnsSupport", dns.support),
                ("enableDnsHostnames", dns.hostnames),
            ]
            .into_iter()
            .filter(|(_, on)| !on)
            .map(|(name, _)| name)
            .collect();
            if !off.is_empty() {
                // Private hosted zones are only used when both attributes are on.
                return out.decide(
                    Verdict::RuledOut,
                    format!(
                        "{vpc} has {} off, so no private hosted zone answers in it: turn it on (aws ec2 modify-vpc-attribute --vpc-id {vpc} --{} '{{\"Value\":true}}'), not a missing record",
                        off.join(" and "),
                        if off[0] == "enableDnsSupport" {
                            "enable-dns-support"
                        } else {
                            "enable-dns-hostnames"
                        }
                    ),
                );
            }
        }
        Err(e) => return out.unavailable(&format!("the DNS attributes of {vpc}"), e),
    }
    let zones = match &facts.zones {
        Ok(z) => z,
        Err(e) => {
            return out.unavailable(
                &format!("the private hosted zones associated with {vpc}"),
                e,
            );
        }
    };
    out.facts.push(format!(
        "private hosted zones associated with {vpc}: {}",
        if zones.is_empty() {
            "none".to_string()
        } else {
            zones
                .iter()
                .map(|z| format!("{} {}", z.id, z.name))
                .collect::<Vec<_>>()
                .join(", ")
        }
    ));
    let Some(zone) = answering_zone(&host, zones) else {
        return out.decide(
            Verdict::RuledOut,
            format!(
                "no private hosted zone associated with {vpc} answers for {host}; look at Route 53 Resolver rules and the VPC's DHCP options instead"
            ),
        );
    };
    let foreign = zone
        .owner_account
        .as_deref()
        .filter(|owner| Some(*owner) != facts.task_account.as_deref());
    let owner = zone
        .owner_account
        .as_deref()
        .map(|o| format!(" (owned by account {o})"))
        .unwrap_or_default();
    let records = match &facts.records {
        Some(Ok(r)) => r,
        Some(Err(e)) if foreign.is_some() => {
            // Another account's zone cannot be read from here; the resolver's "no such host"
            // for a name under it already says the record is missing.
            out.facts
                .push(format!("its records cannot be read from this account: {e}"));
            out.fix = Some(record_fix(&host, zone, None, facts.endpoint_dns.as_ref()));
            return out.decide(
                Verdict::Confirmed,
                format!(
                    "private hosted zone {} `{}`{owner} is associated with {vpc} and answers for {host}; the resolver's \"no such host\" means it has no record for it",
                    zone.id, zone.name
                ),
            );
        }
        Some(Err(e)) => return out.unavailable(&format!("the records of zone {}", zone.id), e),
        None => {
            return out.decide(
                Verdict::CouldNotCheck,
                "the zone's records were not read".into(),
            );
        }
    };
    let parent = host.split_once('.').map(|(_, p)| p).unwrap_or_default();
    let matching = records
        .iter()
        .find(|r| r.name == host || r.name == format!("*.{parent}"));
    if let Some(record) = matching {
        return out.decide(
            Verdict::RuledOut,
            format!(
                "zone {} `{}`{owner} has a {} record `{}`{}, so {host} resolves; the failure has another cause (a Route 53 Resolver rule, DNS Firewall, or a stale cache)",
                zone.id,
                zone.name,
                record.kind,
                record.name,
                record
                    .alias
                    .as_ref()
                    .map(|(target, _)| format!(" (alias to {target})"))
                    .unwrap_or_default()
            ),
        );
    }
    let apex = records
        .iter()
        .find(|r| r.name == zone.name.trim_end_matches('.') && r.alias.is_some());
    out.fix = Some(record_fix(
        &host,
        zone,
        apex.and_then(|r| r.alias.as_ref()),
        facts.endpoint_dns.as_ref(),
    ));
    out.decide(
        Verdict::Confirmed,
        format!(
            "private hosted zone {} `{}`{owner} is associated with {vpc} and has no record for {host}{}",
            zone.id,
            zone.name,
            if apex.is_some() {
                " (only the zone apex has one)"
            } else {
                ""
            }
        ),
    )
}

/// The record to add, with the alias target: the apex record's, else the VPC's own endpoint.
fn record_fix(
    host: &str,
    zone: &HostedZone,
    apex: Option<&(String, String)>,
    endpoint: Option<&(String, Option<String>)>,
) -> String {
    let target = apex
        .map(|(name, zone_id)| (name.clone(), Some(zone_id.clone())))
        .or_else(|| endpoint.cloned());
    let (dns, zone_id) = match target {
        Some((dns, zone_id)) => (
            dns.trim_end_matches('.').to_string(),
            zone_id.unwrap_or_else(|| "<endpoint-hosted-zone-id>".to_string()),
        ),
        None => (
            "<ecr.dkr endpoint DNS name>".to_string(),
            "<endpoint-hosted-zone-id>".to_string(),
        ),
    };
    format!(
        "In zone {} `{}`{}, create an alias A record `{host}` targeting `{dns}` (hosted zone {zone_id}): aws route53 change-resource-record-sets --hosted-zone-id {} --change-batch '{{\"Changes\":[{{\"Action\":\"CREATE\",\"ResourceRecordSet\":{{\"Name\":\"{host}\",\"Type\":\"A\",\"AliasTarget\":{{\"HostedZoneId\":\"{zone_id}\",\"DNSName\":\"{dns}\",\"EvaluateTargetHealth\":false}}}}}}]}}'",
        zone.id,
        zone.name,
        zone.owner_account
            .as_deref()
            .map(|o| format!(" (in account {o})"))
            .unwrap_or_default(),
        zone.id
    )
}

#[cfg(test)]
mod tests {
    use super::super::facts::Unavailable;
    use super::*;

    const HOST: &str = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com";

    fn zone(owner: &str) -> HostedZone {
        HostedZone {
            id: "Z0HUB".into(),
            name: "dkr.ecr.ap-northeast-1.amazonaws.com".into(),
            owner_account: Some(owner.into()),
        }
    }

    fn apex() -> Record {
        Record {
            name: "dkr.ecr.ap-northeast-1.amazonaws.com".into(),
            kind: "A".into(),
            alias: Some((
                "vpce-0abc-xyz.dkr.ecr.ap-northeast-1.vpce.amazonaws.com.".into(),
                "Z2E726K9Y6RL4W".into(),
            )),
        }
    }

    fn facts(records: Vec<Record>) -> DkrDnsFacts {
        DkrDnsFacts {
            host: HOST.into(),
            task_account: Some("123456789012".into()),
            vpc: Ok("vpc-1".into()),
            dns: Ok(VpcDns {
                support: true,
                hostnames: true,
            }),
            zones: Ok(vec![zone("123456789012")]),
            records: Some(Ok(records)),
            endpoint_dns: None,
        }
    }

    #[test]
    fn an_apex_only_zone_is_confirmed_with_the_record_to_add() {
        let o = verdict(&facts(vec![apex()]));
        assert_eq!(o.verdict, Verdict::Confirmed);
        assert!(
            o.summary.contains("Z0HUB") && o.summary.contains(HOST),
            "{}",
            o.summary
        );
        let fix = o.fix.unwrap();
        assert!(fix.contains(&format!("\"Name\":\"{HOST}\"")), "{fix}");
        assert!(
            fix.contains("vpce-0abc-xyz.dkr.ecr.ap-northeast-1.vpce.amazonaws.com\""),
            "{fix}"
        );
        assert!(fix.contains("Z2E726K9Y6RL4W"), "{fix}");
    }

    #[test]
    fn a_present_record_or_wildcard_rules_it_out() {
        let mut record = apex();
        record.name = HOST.into();
        let o = verdict(&facts(vec![apex(), record]));
        assert_eq!(o.verdict, Verdict::RuledOut);
        let mut wildcard = apex();
        wildcard.name = "*.dkr.ecr.ap-northeast-1.amazonaws.com".into();
        assert_eq!(verdict(&facts(vec![wildcard])).verdict, Verdict::RuledOut);
    }

    #[test]
    fn dns_off_or_no_zone_rules_it_out() {
        let mut f = facts(vec![]);
        f.dns = Ok(VpcDns {
            support: false,
            hostnames: true,
        });
        let o = verdict(&f);
        assert_eq!(o.verdict, Verdict::RuledOut);
        assert!(
            o.summary.contains("vpc-1 has enableDnsSupport off"),
            "{}",
            o.summary
        );
        let mut f = facts(vec![]);
        f.zones = Ok(vec![HostedZone {
            id: "Z9".into(),
            name: "internal.example.com".into(),
            owner_account: None,
        }]);
        assert_eq!(verdict(&f).verdict, Verdict::RuledOut);
    }

    #[test]
    fn another_accounts_zone_is_confirmed_without_reading_it() {
        let mut f = facts(vec![]);
        f.zones = Ok(vec![zone("999988887777")]);
        f.records = Some(Err(Unavailable::Denied {
            action: "route53:ListResourceRecordSets".into(),
        }));
        f.endpoint_dns = Some((
            "vpce-local.dkr.ecr.ap-northeast-1.vpce.amazonaws.com".into(),
            Some("ZLOCAL".into()),
        ));
        let o = verdict(&f);
        assert_eq!(o.verdict, Verdict::Confirmed);
        assert!(
            o.summary.contains("owned by account 999988887777"),
            "{}",
            o.summary
        );
        assert!(o.fix.unwrap().contains("ZLOCAL"));
    }

    #[test]
    fn the_longest_parent_zone_answers() {
        let zones = vec![
            HostedZone {
                id: "A".into(),
                name: "amazonaws.com".into(),
                owner_account: None,
            },
            zone("1"),
        ];
        assert_eq!(answering_zone(HOST, &zones).unwrap().id, "Z0HUB");
        assert!(answering_zone("example.org", &zones).is_none());
    }
}
