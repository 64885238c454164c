//! `--probe` against moto worlds built like the seed scenarios and their look-alikes: each
//! verdict asserted through the real binary, naming the exact resource. Calls moto does not
//! serve answer with recorded responses; faults (access denied on each call, throttling, a
//! timeout) leave the rest of the report intact. Run through scripts/test.sh.
#![cfg(feature = "probe")]

mod common;

use std::sync::OnceLock;

use common::probe_world::ProbeWorld;
use serde_json::Value;

/// One world for the read-only verdict tests (seeding takes seconds; the tests only read).
fn world() -> &'static ProbeWorld {
    static WORLD: OnceLock<ProbeWorld> = OnceLock::new();
    WORLD.get_or_init(|| ProbeWorld::start(None))
}

const ACCOUNT: &str = "123456789012";
const HOST: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

/// The finding of `pattern` and its probe section.
fn finding<'a>(report: &'a Value, pattern: &str) -> &'a Value {
    report["diagnoses"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["pattern"] == pattern)
        .unwrap_or_else(|| panic!("no finding {pattern}: {report}"))
}

/// The probe result `name` of the finding of `pattern`: (verdict, summary, whole result).
fn probe<'a>(report: &'a Value, pattern: &str, name: &str) -> (&'a str, &'a str, &'a Value) {
    let f = finding(report, pattern);
    let result = f["probe"]["results"]
        .as_array()
        .unwrap_or_else(|| panic!("{pattern} was not probed: {f}"))
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no probe {name} on {pattern}: {f}"));
    (
        result["verdict"].as_str().unwrap(),
        result["summary"].as_str().unwrap(),
        result,
    )
}

fn primary(report: &Value) -> &str {
    report["diagnoses"][0]["findings"][0]["pattern"]
        .as_str()
        .unwrap()
}

#[test]
fn seed_1_is_confirmed_and_a_nat_gateway_rules_it_out() {
    let w = world();
    let (report, code) = w.probe_task("seed1", &[]);
    assert_eq!(code, 0, "{report}");
    let pattern = "ecr-public-unreachable-via-vpc-endpoints";
    assert_eq!(primary(&report), pattern);
    let (verdict, summary, result) = probe(&report, pattern, "ecr-public");
    assert_eq!(verdict, "confirmed", "{result}");
    assert!(
        summary.contains("route table rtb-") && summary.contains("has no 0.0.0.0/0 route"),
        "{summary}"
    );
    // The cache rule that already exists (recorded response) names its prefix in the fix.
    let fix = result["fix"].as_str().unwrap();
    assert!(
        fix.contains("prefix `ecr-public`")
            && fix.contains(&format!("{HOST}/ecr-public/nginx/nginx:latest")),
        "{fix}"
    );
    // The ENI is gone: the security groups came from the service.
    let facts = result["facts"].to_string();
    assert!(
        facts.contains("service web's network configuration"),
        "{facts}"
    );
    assert!(
        result["calls"]
            .to_string()
            .contains("ecr:DescribePullThroughCacheRules")
    );
    // Confirmed: the next findings are not probed.
    assert!(report["diagnoses"][0]["findings"][1]["probe"].is_null());

    let (report, _) = w.probe_task("seed1_nat", &[]);
    let (verdict, summary, _) = probe(&report, pattern, "ecr-public");
    assert_eq!(verdict, "ruled-out");
    assert!(summary.contains("NAT gateway nat-"), "{summary}");
    // Ruled out, so the next candidate was checked too: the network path to the internet.
    let (verdict, summary, _) = probe(&report, "pull-registry-network-timeout", "network-path");
    assert_eq!(verdict, "ruled-out", "{summary}");
}

#[test]
fn seed_2_is_confirmed_with_the_record_to_add_and_its_look_alikes_are_ruled_out() {
    let w = world();
    let pattern = "ecr-dkr-name-shadowed-by-private-zone";
    let (report, _) = w.probe_task("seed2", &[]);
    let (verdict, summary, result) = probe(&report, pattern, "dkr-dns");
    assert_eq!(verdict, "confirmed", "{result}");
    let zone = w.id("seed2_zone");
    assert!(
        summary.contains(&zone) && summary.contains(&format!("has no record for {HOST}")),
        "{summary}"
    );
    let fix = result["fix"].as_str().unwrap();
    assert!(
        fix.contains(&format!("\"Name\":\"{HOST}\""))
            && fix.contains("vpce-0hub.dkr.ecr.us-east-1.vpce.amazonaws.com")
            && fix.contains("Z7HUB"),
        "{fix}"
    );

    let (report, _) = w.probe_task("seed2_dns_off", &[]);
    let (verdict, summary, _) = probe(&report, pattern, "dkr-dns");
    assert_eq!(verdict, "ruled-out");
    let vpc = w.id("seed2_dns_off_vpc");
    assert!(
        summary.contains(&format!(
            "{vpc} has enableDnsSupport and enableDnsHostnames off"
        )),
        "{summary}"
    );

    let (report, _) = w.probe_task("seed2_record", &[]);
    let (verdict, summary, _) = probe(&report, pattern, "dkr-dns");
    assert_eq!(verdict, "ruled-out");
    assert!(summary.contains(&format!("record `{HOST}`")), "{summary}");
}

#[test]
fn seed_3_names_the_role_and_actions_and_its_look_alikes_are_told_apart() {
    let w = world();
    let pattern = "ecr-pull-through-cache-not-found";
    let (report, _) = w.probe_task("seed3", &[]);
    let (verdict, summary, result) = probe(&report, pattern, "cache-iam");
    assert_eq!(verdict, "confirmed", "{result}");
    assert!(
        summary.contains(&format!("arn:aws:iam::{ACCOUNT}:role/exec-denied"))
            && summary.contains("ecr:BatchImportUpstreamImage, ecr:CreateRepository")
            && summary.contains("repository/ecr-public/nginx/nginx"),
        "{summary}"
    );
    assert!(
        result["calls"]
            .to_string()
            .contains("iam:SimulatePrincipalPolicy")
    );

    let (report, _) = w.probe_task("seed3_allowed", &[]);
    let (verdict, summary, _) = probe(&report, pattern, "cache-iam");
    assert_eq!(verdict, "ruled-out");
    assert!(
        summary.contains("role/exec-allowed is allowed"),
        "{summary}"
    );

    let (report, _) = w.probe_task("seed3_no_rule", &[]);
    let (verdict, summary, _) = probe(&report, pattern, "cache-iam");
    assert_eq!(verdict, "confirmed");
    assert!(
        summary.contains("no pull-through cache rule in us-east-1 has the prefix `docker-hub`"),
        "{summary}"
    );
}

#[test]
fn a_closed_endpoint_security_group_is_named_and_an_open_one_rules_it_out() {
    let w = world();
    let pattern = "ecr-registry-timeout-private-ip";
    let (report, _) = w.probe_task("endpoint_closed", &[]);
    let (verdict, summary, result) = probe(&report, pattern, "network-path");
    assert_eq!(verdict, "confirmed", "{result}");
    assert!(
        summary.contains(&format!(
            "endpoint {} (ecr.api) has security group(s) {} that admit no TCP 443",
            w.id("endpoint_closed_vpce"),
            w.id("endpoint_closed_sg")
        )),
        "{summary}"
    );
    assert!(result["facts"].to_string().contains("from ENI eni-"));

    let (report, _) = w.probe_task("endpoint_open", &[]);
    let (verdict, summary, _) = probe(&report, pattern, "network-path");
    assert_eq!(verdict, "ruled-out");
    assert!(
        summary.contains("ecr.dkr through endpoint vpce-")
            && summary.contains("s3 through gateway endpoint"),
        "{summary}"
    );
}

#[test]
fn referenced_resources_and_the_execution_role() {
    let w = world();
    for (world_name, pattern, name, verdict, needle) in [
        (
            "secret_missing",
            "secretsmanager-secret-not-found",
            "secret",
            "confirmed",
            "secret:prod/gone-AbCdEf (container secret-missing) does not exist",
        ),
        (
            "secret_present",
            "secretsmanager-secret-not-found",
            "secret",
            "ruled-out",
            "exists",
        ),
        (
            "secret_denied",
            "secretsmanager-access-denied",
            "secret-iam",
            "confirmed",
            "role/exec-denied is not allowed secretsmanager:GetSecretValue on arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db",
        ),
        (
            "parameter_missing",
            "ssm-parameter-not-found",
            "parameter",
            "confirmed",
            "/app/gone (container parameter-missing) does not exist",
        ),
        (
            "parameter_present",
            "ssm-parameter-not-found",
            "parameter",
            "ruled-out",
            "/app/present",
        ),
        (
            "log_group_missing",
            "awslogs-log-group-missing",
            "log-group",
            "confirmed",
            "/ecs/gone (container log-missing) does not exist",
        ),
        (
            "log_group_present",
            "awslogs-log-group-missing",
            "log-group",
            "ruled-out",
            "/ecs/present",
        ),
        (
            "env_file_missing",
            "env-file-access-denied",
            "env-file",
            "confirmed",
            "config-bucket/gone.env (container env-missing) does not exist",
        ),
        (
            "env_file_present",
            "env-file-access-denied",
            "env-file",
            "ruled-out",
            "config-bucket/present.env",
        ),
        (
            "image_missing",
            "pull-image-not-found",
            "image",
            "confirmed",
            "shop:2.0 (container image-missing) does not exist",
        ),
        (
            "image_present",
            "pull-image-not-found",
            "image",
            "ruled-out",
            "shop:1.0",
        ),
    ] {
        let (report, _) = w.probe_task(world_name, &[]);
        let (got, summary, result) = probe(&report, pattern, name);
        assert_eq!(got, verdict, "{world_name}: {result}");
        assert!(summary.contains(needle), "{world_name}: {summary}");
    }
    // Values are never read: no GetSecretValue or GetParameter(s) reached the server.
    let calls = w.calls();
    for op in [
        "GetSecretValue",
        "GetParameter",
        "GetParameters",
        "GetObject",
    ] {
        assert!(calls.get(op).is_none(), "{op} was called: {calls}");
    }
}

#[test]
fn probe_results_in_text_markdown_and_redacted_output() {
    let w = world();
    let id = w.id("seed3");
    let base = [
        "task",
        "--cluster",
        "probe",
        id.as_str(),
        "--probe",
        "--region",
        "us-east-1",
    ];
    let text = w.run(&[&base[..], &["--color", "never"]].concat());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("Probe CONFIRMED"), "{text}");
    assert!(
        text.contains(
            "cache-iam CONFIRMED — execution role arn:aws:iam::123456789012:role/exec-denied"
        ),
        "{text}"
    );
    assert!(
        text.contains("calls: ecr:DescribePullThroughCacheRules us-east-1"),
        "{text}"
    );

    let md = w.run(&[&base[..], &["-o", "markdown"]].concat());
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.contains("**Probe: confirmed.**"), "{md}");
    assert!(md.contains("- `cache-iam` **confirmed**"), "{md}");

    let redacted = w.run(&[&["--redact"][..], &base[..], &["-o", "json"]].concat());
    let redacted = String::from_utf8(redacted.stdout).unwrap();
    assert!(redacted.contains("\"verdict\":\"confirmed\""), "{redacted}");
    assert!(!redacted.contains(ACCOUNT), "{redacted}");
    assert!(!redacted.contains("exec-denied"), "{redacted}");
}

#[test]
fn probe_output_validates_against_the_published_schema() {
    let w = world();
    let mut docs = Vec::new();
    for name in [
        "seed1",
        "seed2",
        "seed3_allowed",
        "endpoint_closed",
        "secret_missing",
    ] {
        let (report, _) = w.probe_task(name, &[]);
        docs.push(report.to_string());
    }
    let cluster = w.run(&[
        "cluster",
        "probe",
        "--probe",
        "--region",
        "us-east-1",
        "-o",
        "json",
    ]);
    let cluster: Value = serde_json::from_slice(&cluster.stdout).unwrap();
    assert!(
        cluster["scan"]["api_calls"]["ec2:DescribeSubnets"]
            .as_u64()
            .unwrap()
            >= 1
    );
    docs.push(cluster.to_string());
    common::validate_json(&docs);
}

/// Every call a probe makes, denied in turn: that probe says "could not check" and names the
/// action; the diagnosis and the other probes survive.
#[test]
fn denied_throttled_and_slow_calls_leave_the_rest_of_the_report() {
    let w = ProbeWorld::start(None);
    let cases = [
        (
            "DescribeSubnets",
            "seed1",
            "ecr-public-unreachable-via-vpc-endpoints",
            "ecr-public",
            "ec2:DescribeSubnets",
        ),
        (
            "DescribeRouteTables",
            "seed1",
            "ecr-public-unreachable-via-vpc-endpoints",
            "ecr-public",
            "ec2:DescribeRouteTables",
        ),
        (
            "DescribeVpcEndpoints",
            "endpoint_closed",
            "ecr-registry-timeout-private-ip",
            "network-path",
            "ec2:DescribeVpcEndpoints",
        ),
        (
            "DescribeNetworkInterfaces",
            "endpoint_closed",
            "ecr-registry-timeout-private-ip",
            "network-path",
            "ec2:DescribeNetworkInterfaces",
        ),
        (
            "DescribeSecurityGroups",
            "endpoint_closed",
            "ecr-registry-timeout-private-ip",
            "network-path",
            "ec2:DescribeSecurityGroups",
        ),
        (
            "DescribeServices",
            "endpoint_open",
            "ecr-registry-timeout-private-ip",
            "network-path",
            "ecs:DescribeServices",
        ),
        (
            "DescribeVpcAttribute",
            "seed2",
            "ecr-dkr-name-shadowed-by-private-zone",
            "dkr-dns",
            "ec2:DescribeVpcAttribute",
        ),
        (
            "ListHostedZonesByVPC",
            "seed2",
            "ecr-dkr-name-shadowed-by-private-zone",
            "dkr-dns",
            "route53:ListHostedZonesByVPC",
        ),
        (
            "ListResourceRecordSets",
            "seed2",
            "ecr-dkr-name-shadowed-by-private-zone",
            "dkr-dns",
            "route53:ListResourceRecordSets",
        ),
        (
            "DescribePullThroughCacheRules",
            "seed3",
            "ecr-pull-through-cache-not-found",
            "cache-iam",
            "ecr:DescribePullThroughCacheRules",
        ),
        (
            "SimulatePrincipalPolicy",
            "seed3",
            "ecr-pull-through-cache-not-found",
            "cache-iam",
            "iam:SimulatePrincipalPolicy",
        ),
        (
            "DescribeTaskDefinition",
            "seed3",
            "ecr-pull-through-cache-not-found",
            "cache-iam",
            "ecs:DescribeTaskDefinition",
        ),
        (
            "DescribeSecret",
            "secret_missing",
            "secretsmanager-secret-not-found",
            "secret",
            "secretsmanager:DescribeSecret",
        ),
        (
            "DescribeParameters",
            "parameter_missing",
            "ssm-parameter-not-found",
            "parameter",
            "ssm:DescribeParameters",
        ),
        (
            "DescribeLogGroups",
            "log_group_missing",
            "awslogs-log-group-missing",
            "log-group",
            "logs:DescribeLogGroups",
        ),
        (
            "HeadObject",
            "env_file_missing",
            "env-file-access-denied",
            "env-file",
            "s3:GetObject",
        ),
        (
            "DescribeImages",
            "image_missing",
            "pull-image-not-found",
            "image",
            "ecr:DescribeImages",
        ),
    ];
    for (op, world_name, pattern, name, action) in cases {
        w.fault(op, Some("denied"));
        let (report, code) = w.probe_task(world_name, &[]);
        w.fault(op, None);
        assert!(code == 0 || code == 1, "{op}: exit {code}: {report}");
        let (verdict, summary, result) = probe(&report, pattern, name);
        assert_eq!(verdict, "could-not-check", "{op}: {result}");
        assert!(
            summary.contains(&format!("access denied to {action}")),
            "{op}: {summary}"
        );
        assert_eq!(result["missing_permissions"][0], action, "{op}: {result}");
        // The diagnosis itself is whole.
        assert!(finding(&report, pattern)["fix"].as_str().unwrap().len() > 20);
    }

    // Throttled after the SDK's retries.
    w.fault("DescribeRouteTables", Some("throttled"));
    let (report, code) = w.probe_task("seed1", &[]);
    w.fault("DescribeRouteTables", None);
    assert_eq!(code, 0);
    let (verdict, summary, _) = probe(
        &report,
        "ecr-public-unreachable-via-vpc-endpoints",
        "ecr-public",
    );
    assert_eq!(verdict, "could-not-check");
    assert!(
        summary.contains("ec2:DescribeRouteTables was throttled after retries"),
        "{summary}"
    );

    // No answer within --timeout.
    w.fault("ListHostedZonesByVPC", Some("slow"));
    let started = std::time::Instant::now();
    let (report, code) = w.probe_task("seed2", &["--timeout", "1s"]);
    w.fault("ListHostedZonesByVPC", None);
    assert_eq!(code, 0);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let (verdict, summary, _) = probe(&report, "ecr-dkr-name-shadowed-by-private-zone", "dkr-dns");
    assert_eq!(verdict, "could-not-check");
    assert!(
        summary.contains("route53:ListHostedZonesByVPC did not answer within --timeout"),
        "{summary}"
    );
}

/// Probe calls depend on the distinct subnets, VPCs, services, task definitions and roles,
/// not on the number of tasks: 1,000 tasks cost what 40 do.
#[test]
fn a_cluster_scan_probes_each_subnet_and_role_once() {
    let w = ProbeWorld::start(Some(1000));
    let probe_calls = |cluster: &str| -> (std::collections::BTreeMap<String, u64>, Value) {
        w.reset_calls();
        let out = w.run(&[
            "cluster",
            cluster,
            "--probe",
            "--region",
            "us-east-1",
            "-o",
            "json",
        ]);
        let report: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        let calls = report["scan"]["api_calls"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.contains(':'))
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect();
        (calls, report)
    };
    let (big, report) = probe_calls("bench");
    assert_eq!(report["summary"]["tasks"], 1000);
    let (small, _) = probe_calls("small");
    assert_eq!(
        big.values().sum::<u64>(),
        small.values().sum::<u64>(),
        "{big:?} vs {small:?}"
    );
    // Three subnets in one VPC, two services, two task definitions, one role.
    assert_eq!(big["ec2:DescribeSubnets"], 3, "{big:?}");
    assert_eq!(big["ec2:DescribeRouteTables"], 1);
    assert_eq!(big["ecr:DescribePullThroughCacheRules"], 1);
    assert_eq!(big["iam:SimulatePrincipalPolicy"], 1);
    assert!(big.values().sum::<u64>() <= 30, "{big:?}");
    // Every task got its verdict, and the grouped text counts them per cause.
    for d in report["diagnoses"].as_array().unwrap() {
        assert_eq!(d["findings"][0]["probe"]["verdict"], "confirmed", "{d}");
    }
    let text = w.run(&[
        "cluster",
        "small",
        "--probe",
        "--region",
        "us-east-1",
        "--color",
        "never",
    ]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("probe: 20 confirmed, 0 ruled out, 0 could not check"),
        "{text}"
    );
}

/// `explain --probe` probes the tasks its input names (ECS fills in what the input lacks) and
/// says so when the input names none.
#[test]
fn explain_probes_the_tasks_its_input_names() {
    let w = world();
    let arn = format!(
        "arn:aws:ecs:us-east-1:{ACCOUNT}:task/probe/{}",
        w.id("seed3")
    );
    let input = serde_json::json!({"tasks": [{
        "taskArn": arn,
        "stoppedReason": format!("CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {HOST}/ecr-public/nginx/nginx:stable: {HOST}/ecr-public/nginx/nginx:stable: not found"),
        "lastStatus": "STOPPED"
    }]})
    .to_string();
    let path = std::env::temp_dir().join(format!("probe-explain-{}.json", std::process::id()));
    std::fs::write(&path, input).unwrap();
    let out = w.run(&[
        "explain",
        "--file",
        path.to_str().unwrap(),
        "--probe",
        "-o",
        "json",
    ]);
    std::fs::remove_file(&path).unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (verdict, summary, result) =
        probe(&report, "ecr-pull-through-cache-not-found", "cache-iam");
    assert_eq!(verdict, "confirmed", "{result}");
    assert!(summary.contains("role/exec-denied"), "{summary}");
    assert!(
        result["calls"]
            .to_string()
            .contains("ecs:DescribeTaskDefinition")
    );

    let pasted = w.run(&["explain", "--probe", common::SEED_1]);
    assert_eq!(pasted.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&pasted.stderr).contains("names no task ARN"),
        "{}",
        String::from_utf8_lossy(&pasted.stderr)
    );
}
