//! Amazon Resource Names: just enough parsing to read account, region and names out of them.

/// The parts of an ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Parses `text` as one ARN; `None` if it is not one.
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        // Most texts asked are ARNs; finding the five colons in one pass is what matters.
        if !text.starts_with("arn:") {
            return None;
        }
        let mut colons = memchr::memchr_iter(b':', text.as_bytes());
        let mut next = || colons.next();
        let (c0, c1, c2, c3, c4) = (next()?, next()?, next()?, next()?, next()?);
        let partition = &text[c0 + 1..c1];
        let service = &text[c1 + 1..c2];
        if !partition.starts_with("aws") || service.is_empty() {
            return None;
        }
        Some(Arn {
            partition,
            service,
            region: &text[c2 + 1..c3],
            account: &text[c3 + 1..c4],
            resource: &text[c4 + 1..],
        })
    }

    /// The account id when it is the usual 12 digits.
    pub fn account_id(&self) -> Option<&'a str> {
        is_account_id(self.account).then_some(self.account)
    }

    /// The region when the ARN has one (IAM and STS ARNs do not).
    pub fn region_name(&self) -> Option<&'a str> {
        is_region(self.region).then_some(self.region)
    }
}

/// Whether `text` is a 12-digit AWS account id.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `text` looks like a region name (`us-east-1`, `us-gov-west-1`, `cn-north-1`).
pub fn is_region(text: &str) -> bool {
    let lower_word = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    let Some((first, rest)) = text.split_once('-') else {
        return false;
    };
    let Some((middle, number)) = rest.rsplit_once('-') else {
        return false;
    };
    first.len() == 2
        && lower_word(first)
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && middle.split('-').all(lower_word)
}

/// The cluster name from a cluster ARN, a task ARN of the long format, or a bare name.
pub fn cluster_name(arn_or_name: &str) -> &str {
    match Arn::parse(arn_or_name) {
        Some(arn) => {
            let resource = arn.resource;
            if let Some(name) = resource.strip_prefix("cluster/") {
                name
            } else if let Some(rest) = resource.strip_prefix("task/") {
                // Long task ARN format: task/<cluster>/<id>.
                rest.split_once('/').map_or(rest, |(cluster, _)| cluster)
            } else {
                resource
            }
        }
        None => arn_or_name,
    }
}

/// Every ARN-looking token in `text`, in order.
pub fn find_arns(text: &str) -> impl Iterator<Item = Arn<'_>> {
    text.match_indices("arn:aws").filter_map(move |(at, _)| {
        let tail = &text[at..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ')' | '('))
            .unwrap_or(tail.len());
        Arn::parse(&tail[..end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_task_arn() {
        let arn = Arn::parse("arn:aws:ecs:ap-northeast-1:123456789012:task/prod/0123abcd").unwrap();
        assert_eq!(arn.service, "ecs");
        assert_eq!(arn.region_name(), Some("ap-northeast-1"));
        assert_eq!(arn.account_id(), Some("123456789012"));
        assert_eq!(arn.resource, "task/prod/0123abcd");
    }

    #[test]
    fn parts_split_at_the_first_five_colons() {
        let arn = Arn::parse("arn:aws:ssm:us-east-1:123456789012:parameter/a:b").unwrap();
        assert_eq!(
            (
                arn.partition,
                arn.service,
                arn.region,
                arn.account,
                arn.resource
            ),
            ("aws", "ssm", "us-east-1", "123456789012", "parameter/a:b")
        );
        assert_eq!(
            Arn::parse("arn:aws:s3:::bucket").unwrap().resource,
            "bucket"
        );
        for not_one in [
            "arn",
            "arn:",
            "arn:aws:ecs:r:a",
            "arn::ecs:r:a:x",
            "arn:aws::r:a:x",
            "urn:aws:ecs:r:a:x",
        ] {
            assert_eq!(Arn::parse(not_one), None, "{not_one}");
        }
    }

    #[test]
    fn sts_arn_has_no_region() {
        let arn = Arn::parse("arn:aws:sts::123456789012:assumed-role/exec/abc").unwrap();
        assert_eq!(arn.region_name(), None);
        assert_eq!(arn.account_id(), Some("123456789012"));
    }

    #[test]
    fn regions() {
        assert!(is_region("us-east-1"));
        assert!(is_region("us-gov-west-1"));
        assert!(is_region("cn-northwest-1"));
        assert!(!is_region("us-east"));
        assert!(!is_region("useast-1"));
        assert!(!is_region(""));
        for odd in [
            "us-1",
            "us--1",
            "us-east-",
            "us-East-1",
            "us-east-1a",
            "-east-1",
            "use-east-1",
        ] {
            assert!(!is_region(odd), "{odd}");
        }
    }

    #[test]
    fn cluster_names() {
        assert_eq!(
            cluster_name("arn:aws:ecs:us-east-1:123456789012:cluster/prod"),
            "prod"
        );
        assert_eq!(
            cluster_name("arn:aws:ecs:us-east-1:123456789012:task/prod/abc"),
            "prod"
        );
        assert_eq!(cluster_name("prod"), "prod");
    }

    #[test]
    fn finds_arns_in_text() {
        let text = "User: arn:aws:sts::111122223333:assumed-role/r/s is not authorized on resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbC because";
        let found: Vec<_> = find_arns(text).map(|a| a.service).collect();
        assert_eq!(found, ["sts", "secretsmanager"]);
    }
}
