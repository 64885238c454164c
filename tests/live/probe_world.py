"""Worlds for the `--probe` tests: moto's server, in-process, with the AWS resources of the three
seed scenarios and their look-alikes, each in its own VPC, and one stopped ECS task per world.

moto serves EC2, Route 53, IAM, Secrets Manager, SSM, CloudWatch Logs, S3, ECR images and ECS.
It does not serve ECR DescribePullThroughCacheRules or IAM SimulatePrincipalPolicy: a small WSGI
layer in front of it answers those with recorded responses (the shapes AWS documents). The
same layer injects faults on request (access denied, throttling, a slow answer) and counts the
calls by operation.

Usage: python probe_world.py [--bench N]
Prints `READY <port> <json>` (the worlds: name -> task id, or the bench clusters), then serves
until stdin closes. Control, on the same port:
    POST /_probe/fault {"op": "DescribeSubnets", "kind": "denied"|"throttled"|"slow"|null}
    GET  /_probe/calls -> {"DescribeSubnets": 3, ...};  POST /_probe/calls/reset
"""

import argparse
import io
import json
import sys
import threading
import time
from datetime import datetime, timezone
from urllib.parse import parse_qs

import boto3
from moto.backends import get_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

ACCOUNT = "123456789012"
REGION = "us-east-1"
HOST = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"

SEED_1 = ('CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref '
          'public.ecr.aws/nginx/nginx:latest: failed to do request: Head '
          '"https://public.ecr.aws/v2/nginx/nginx/manifests/latest": dial tcp 99.83.145.10:443: i/o timeout')
SEED_2 = ('CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref '
          f'{HOST}/repo:latest: failed to do request: Head "https://{HOST}/v2/repo/manifests/latest": dial tcp: '
          f'lookup {HOST} on 10.0.0.2:53: no such host')
SEED_3 = (f'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref '
          f'{HOST}/ecr-public/nginx/nginx:stable: {HOST}/ecr-public/nginx/nginx:stable: not found')
SEED_3_HUB = (f'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref '
              f'{HOST}/docker-hub/library/nginx:stable: {HOST}/docker-hub/library/nginx:stable: not found')
ENDPOINT_TIMEOUT = (f'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref '
                    f'{HOST}/web:1.4.2: failed to do request: Head "https://{HOST}/v2/web/manifests/1.4.2": '
                    'dial tcp 10.0.12.34:443: i/o timeout')
SECRET_MISSING = ("ResourceNotFoundException: The task can't retrieve the secret with ARN '{arn}' from AWS "
                  "Secrets Manager. Check whether the secret exists in the specified Region")
SECRET_DENIED = ('ResourceInitializationError: unable to pull secrets or registry auth: execution resource '
                 'retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): '
                 'failed to fetch secret {arn} from secrets manager: operation error Secrets Manager: '
                 'GetSecretValue, https response error StatusCode: 400, RequestID: 3f0e1d2c, api error '
                 f'AccessDeniedException: User: arn:aws:sts::{ACCOUNT}:assumed-role/exec-denied/5b1e is not '
                 'authorized to perform: secretsmanager:GetSecretValue on resource: {arn} because no '
                 'identity-based policy allows the secretsmanager:GetSecretValue action')
PARAMETER_MISSING = ('ResourceInitializationError: unable to pull secrets or registry auth: execution resource '
                     'retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 '
                     'time(s): invalid ssm parameters: {name}')
LOG_GROUP_MISSING = ('ResourceInitializationError: failed to validate logger args: create stream has been retried '
                     '1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified '
                     'log group does not exist. : exit status 1')
ENV_FILE_DENIED = ('ResourceInitializationError: failed to download env files: file download command: non empty '
                   'error stream: service call has been retried 5 time(s): AccessDenied: Access Denied')
IMAGE_MISSING = ('CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref '
                 f'{HOST}/{{repo}}: {HOST}/{{repo}}: not found')

ROLE_DENIED = f"arn:aws:iam::{ACCOUNT}:role/exec-denied"
ROLE_ALLOWED = f"arn:aws:iam::{ACCOUNT}:role/exec-allowed"
# What SimulatePrincipalPolicy answers: the denied role may not import into the cache or read
# secrets; everything else is allowed.
DENIED_ACTIONS = {"ecr:BatchImportUpstreamImage", "ecr:CreateRepository", "secretsmanager:GetSecretValue"}
# DescribePullThroughCacheRules, by region.
CACHE_RULES = {REGION: [{"ecrRepositoryPrefix": "ecr-public", "upstreamRegistryUrl": "public.ecr.aws",
                         "registryId": ACCOUNT, "createdAt": 1767225600.0}]}

STATE = {"fault": {}, "calls": {}}
LOCK = threading.Lock()


# ---- The layer in front of moto ----

def operation(environ, body):
    """The API operation a request calls, across the protocols the SDK uses."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.split(".")[-1]
    path = environ.get("PATH_INFO", "")
    if path.startswith("/2013-04-01/"):
        if path.startswith("/2013-04-01/hostedzonesbyvpc"):
            return "ListHostedZonesByVPC"
        if path.endswith("/rrset") or path.endswith("/rrset/"):
            return "ListResourceRecordSets" if environ["REQUEST_METHOD"] == "GET" else "ChangeResourceRecordSets"
        return "Route53"
    if environ["REQUEST_METHOD"] == "HEAD":
        return "HeadObject"
    if body:
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
        if action:
            return action[0]
    return environ["REQUEST_METHOD"] + " " + path


def protocol(environ, op):
    if environ.get("HTTP_X_AMZ_TARGET"):
        return "json"
    if environ.get("PATH_INFO", "").startswith("/2013-04-01/"):
        return "rest-xml"
    if op == "HeadObject":
        return "s3"
    auth = environ.get("HTTP_AUTHORIZATION", "")
    return "ec2" if "/ec2/" in auth else "query"


def error(environ, op, code, message, status):
    kind = protocol(environ, op)
    if kind == "json":
        return status, "application/x-amz-json-1.1", json.dumps({"__type": code, "message": message})
    if kind == "ec2":
        return status, "text/xml", (f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
                                    "</Error></Errors><RequestID>probe-world</RequestID></Response>")
    if kind == "s3":
        return status, "application/xml", ""
    return status, "text/xml", (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
                                f"<Message>{message}</Message></Error><RequestId>probe-world</RequestId></ErrorResponse>")


def fault_reply(environ, op, kind):
    kind_protocol = protocol(environ, op)
    if kind == "denied":
        code = {"ec2": "UnauthorizedOperation", "json": "AccessDeniedException"}.get(kind_protocol, "AccessDenied")
        return error(environ, op, code, f"not authorized to perform {op}", 403)
    if kind == "throttled":
        code = {"ec2": "RequestLimitExceeded", "json": "ThrottlingException"}.get(kind_protocol, "Throttling")
        return error(environ, op, code, "Rate exceeded", 400 if kind_protocol != "ec2" else 503)
    return None


def region_of(environ):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    try:
        return auth.split("Credential=")[1].split("/")[2]
    except IndexError:
        return REGION


def recorded(environ, op, body):
    """Responses for the calls moto does not serve."""
    if op == "DescribePullThroughCacheRules":
        rules = CACHE_RULES.get(region_of(environ), [])
        return 200, "application/x-amz-json-1.1", json.dumps({"pullThroughCacheRules": rules})
    if op == "SimulatePrincipalPolicy":
        form = parse_qs(body.decode())
        role = form.get("PolicySourceArn", [""])[0]
        actions = [v[0] for k, v in sorted(form.items()) if k.startswith("ActionNames.member.")]
        resource = form.get("ResourceArns.member.1", ["*"])[0]
        members = ""
        for action in actions:
            denied = role == ROLE_DENIED and action in DENIED_ACTIONS
            members += (f"<member><EvalActionName>{action}</EvalActionName><EvalResourceName>{resource}"
                        f"</EvalResourceName><EvalDecision>{'implicitDeny' if denied else 'allowed'}</EvalDecision>"
                        "<MatchedStatements/><MissingContextValues/></member>")
        return 200, "text/xml", ('<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
                                 f"<SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults>"
                                 f"{members}</EvaluationResults></SimulatePrincipalPolicyResult><ResponseMetadata>"
                                 "<RequestId>probe-world</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>")
    return None


class Layer:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_probe/"):
            return self.control(environ, start_response, path)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        op = operation(environ, body)
        with LOCK:
            STATE["calls"][op] = STATE["calls"].get(op, 0) + 1
            kind = STATE["fault"].get(op)
        reply = None
        if kind == "slow":
            time.sleep(4)  # longer than the tests' --timeout 1s; bounded, so the server stops
        elif kind:
            reply = fault_reply(environ, op, kind)
        if reply is None:
            reply = recorded(environ, op, body)
        if reply is None:
            return self.app(environ, start_response)
        status, content_type, text = reply
        data = text.encode()
        start_response(f"{status} X", [("Content-Type", content_type), ("Content-Length", str(len(data))),
                                       ("x-amzn-RequestId", "probe-world")])
        return [data]

    def control(self, environ, start_response, path):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
        with LOCK:
            if path == "/_probe/fault":
                if body.get("kind"):
                    STATE["fault"][body["op"]] = body["kind"]
                else:
                    STATE["fault"].pop(body["op"], None)
            elif path == "/_probe/calls/reset":
                STATE["calls"] = {}
            out = json.dumps(STATE["calls"]).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(out)))])
        return [out]


# ---- The worlds ----

class World:
    def __init__(self, port):
        kw = dict(region_name=REGION, endpoint_url=f"http://127.0.0.1:{port}",
                  aws_access_key_id="testing", aws_secret_access_key="testing")
        self.ec2 = boto3.client("ec2", **kw)
        self.r53 = boto3.client("route53", **kw)
        self.ecs = boto3.client("ecs", **kw)
        self.sm = boto3.client("secretsmanager", **kw)
        self.ssm = boto3.client("ssm", **kw)
        self.logs = boto3.client("logs", **kw)
        self.s3 = boto3.client("s3", **kw)
        self.ecr = boto3.client("ecr", **kw)
        self.iam = boto3.client("iam", **kw)
        self.backend = get_backend("ecs")[ACCOUNT][REGION]
        self.cidr = 0
        self.ecs.create_cluster(clusterName="probe")
        for role in ("exec-denied", "exec-allowed"):
            self.iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                        "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]}))

    def vpc(self, dns=True, nat=False, endpoints=(), endpoint_admits=True, subnets=1):
        """A VPC with private subnets sharing one route table, and a task security group."""
        self.cidr += 1
        vpc = self.ec2.create_vpc(CidrBlock=f"10.{self.cidr}.0.0/16")["Vpc"]["VpcId"]
        self.ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": dns})
        self.ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": dns})
        subnet_ids = [self.ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{self.cidr}.{i + 1}.0/24")["Subnet"]["SubnetId"]
                      for i in range(subnets)]
        table = self.ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        for s in subnet_ids:
            self.ec2.associate_route_table(RouteTableId=table, SubnetId=s)
        if nat:
            igw = self.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
            self.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
            public = self.ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{self.cidr}.200.0/24")["Subnet"]["SubnetId"]
            eip = self.ec2.allocate_address(Domain="vpc")["AllocationId"]
            nat_id = self.ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
            self.ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)
        task_sg = self.ec2.create_security_group(GroupName=f"task-{self.cidr}", Description="task", VpcId=vpc)["GroupId"]
        endpoint_sg = self.ec2.create_security_group(GroupName=f"endpoints-{self.cidr}", Description="endpoints",
                                                     VpcId=vpc)["GroupId"]
        if endpoint_admits:
            self.ec2.authorize_security_group_ingress(GroupId=endpoint_sg, IpPermissions=[{
                "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": task_sg}]}])
        made = {}
        for service in endpoints:
            if service == "s3":
                made[service] = self.ec2.create_vpc_endpoint(
                    VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.s3", VpcEndpointType="Gateway",
                    RouteTableIds=[table])["VpcEndpoint"]["VpcEndpointId"]
            else:
                made[service] = self.ec2.create_vpc_endpoint(
                    VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.{service}", VpcEndpointType="Interface",
                    SubnetIds=subnet_ids[:1], SecurityGroupIds=[endpoint_sg], PrivateDnsEnabled=True)["VpcEndpoint"]["VpcEndpointId"]
        return {"vpc": vpc, "subnets": subnet_ids, "table": table, "task_sg": task_sg, "endpoint_sg": endpoint_sg,
                "endpoints": made}

    def zone(self, vpc, records=()):
        """A private hosted zone for the dkr name with an apex alias, associated with `vpc`."""
        zone = self.r53.create_hosted_zone(
            Name=f"dkr.ecr.{REGION}.amazonaws.com", CallerReference=f"zone-{vpc}",
            HostedZoneConfig={"PrivateZone": True}, VPC={"VPCRegion": REGION, "VPCId": vpc})["HostedZone"]["Id"]
        changes = [{"Action": "CREATE", "ResourceRecordSet": {
            "Name": name, "Type": "A", "AliasTarget": {
                "HostedZoneId": "Z7HUB", "DNSName": f"vpce-0hub.dkr.ecr.{REGION}.vpce.amazonaws.com",
                "EvaluateTargetHealth": False}}} for name in (f"dkr.ecr.{REGION}.amazonaws.com", *records)]
        self.r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": changes})
        return zone.split("/")[-1]

    def task(self, family, reason, image, net, group=None, eni=True, role=None, secrets=(), log_group=None,
             env_files=(), service=None, cluster="probe", count=1, subnet_index=None):
        """Stopped tasks of a new task definition; the ENI attachment is set as ECS leaves it."""
        definition = {"name": family, "image": image, "memory": 512, "essential": True,
                      "secrets": [{"name": f"S{i}", "valueFrom": v} for i, v in enumerate(secrets)],
                      "environmentFiles": [{"value": v, "type": "s3"} for v in env_files]}
        if log_group:
            definition["logConfiguration"] = {"logDriver": "awslogs", "options": {
                "awslogs-group": log_group, "awslogs-region": REGION, "awslogs-stream-prefix": family}}
        kwargs = {"executionRoleArn": role} if role else {}
        self.ecs.register_task_definition(family=family, containerDefinitions=[definition], **kwargs)
        if service:
            self.ecs.create_service(cluster=cluster, serviceName=service, taskDefinition=family, desiredCount=0,
                                    networkConfiguration={"awsvpcConfiguration": {
                                        "subnets": net["subnets"], "securityGroups": [net["task_sg"]],
                                        "assignPublicIp": "DISABLED"}})
        group = group or (f"service:{service}" if service else f"family:{family}")
        ids = []
        remaining = count
        n = 0
        while remaining > 0:
            batch = min(remaining, 10)
            remaining -= batch
            tasks = self.ecs.run_task(cluster=cluster, taskDefinition=family, count=batch, launchType="FARGATE",
                                      group=group, startedBy="ecs-svc/1" if service else "probe")["tasks"]
            for t in tasks:
                arn = t["taskArn"]
                self.ecs.stop_task(cluster=cluster, task=arn, reason=reason)
                subnet = net["subnets"][(subnet_index if subnet_index is not None else n) % len(net["subnets"])]
                n += 1
                if eni:
                    eni_id = self.ec2.create_network_interface(SubnetId=subnet, Groups=[net["task_sg"]])[
                        "NetworkInterface"]["NetworkInterfaceId"]
                else:
                    eni_id = "eni-0gone%08x" % n  # deleted with the task, as usual
                stored = self.backend.tasks[cluster][arn]
                stored.stop_code = "TaskFailedToStart"
                stored.stopped_at = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
                stored.attachments = [{"id": "att", "type": "ElasticNetworkInterface", "status": "DELETED",
                                       "details": [{"name": "subnetId", "value": subnet},
                                                   {"name": "networkInterfaceId", "value": eni_id},
                                                   {"name": "privateIPv4Address", "value": "10.0.1.10"}]}]
                ids.append(arn.rsplit("/", 1)[-1])
        return ids[0] if count == 1 else ids


def seed(world):
    w = world
    out = {}
    ecr_endpoints = ("ecr.api", "ecr.dkr", "s3", "logs")
    # Seed 1: private subnets, VPC endpoints only; the look-alike has a NAT gateway.
    net = w.vpc(endpoints=ecr_endpoints)
    out["seed1"] = w.task("seed1", SEED_1, "public.ecr.aws/nginx/nginx:latest", net, service="web", eni=False)
    net = w.vpc(endpoints=ecr_endpoints, nat=True)
    out["seed1_nat"] = w.task("seed1-nat", SEED_1, "public.ecr.aws/nginx/nginx:latest", net, service="web-nat",
                              eni=False)
    # Seed 2: a shared zone with only the apex record; look-alikes: VPC DNS off, record present.
    net = w.vpc(endpoints=ecr_endpoints)
    out["seed2_zone"] = w.zone(net["vpc"])
    out["seed2"] = w.task("seed2", SEED_2, f"{HOST}/repo:latest", net)
    net = w.vpc(dns=False, endpoints=ecr_endpoints)
    w.zone(net["vpc"])
    out["seed2_dns_off"] = w.task("seed2-dns-off", SEED_2, f"{HOST}/repo:latest", net)
    out["seed2_dns_off_vpc"] = net["vpc"]
    net = w.vpc(endpoints=ecr_endpoints)
    w.zone(net["vpc"], records=[HOST])
    out["seed2_record"] = w.task("seed2-record", SEED_2, f"{HOST}/repo:latest", net)
    # Seed 3: the cache rule exists, the execution role may not import; look-alikes: role
    # allowed, and an image under a prefix no rule has.
    net = w.vpc(endpoints=ecr_endpoints)
    out["seed3"] = w.task("seed3", SEED_3, f"{HOST}/ecr-public/nginx/nginx:stable", net, role=ROLE_DENIED)
    out["seed3_allowed"] = w.task("seed3-allowed", SEED_3, f"{HOST}/ecr-public/nginx/nginx:stable", net,
                                  role=ROLE_ALLOWED)
    out["seed3_no_rule"] = w.task("seed3-no-rule", SEED_3_HUB, f"{HOST}/docker-hub/library/nginx:stable", net,
                                  role=ROLE_ALLOWED)
    # An i/o timeout to the ECR endpoint's private address: its security group is closed; the
    # look-alike's admits the task (its ENI is gone, so the service's configuration says).
    net = w.vpc(endpoints=ecr_endpoints, endpoint_admits=False)
    out["endpoint_closed"] = w.task("endpoint-closed", ENDPOINT_TIMEOUT, f"{HOST}/web:1.4.2", net)
    out["endpoint_closed_sg"] = net["endpoint_sg"]
    out["endpoint_closed_vpce"] = net["endpoints"]["ecr.api"]
    net = w.vpc(endpoints=ecr_endpoints)
    out["endpoint_open"] = w.task("endpoint-open", ENDPOINT_TIMEOUT, f"{HOST}/web:1.4.2", net, service="api",
                                  eni=False)
    # Referenced resources: missing, and present.
    net = w.vpc(endpoints=ecr_endpoints)
    gone = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/gone-AbCdEf"
    real = w.sm.create_secret(Name="prod/db", SecretString="not read by the probes")["ARN"]
    out["secret_missing"] = w.task("secret-missing", SECRET_MISSING.format(arn=gone), f"{HOST}/web:1", net,
                                   role=ROLE_ALLOWED, secrets=[gone])
    out["secret_present"] = w.task("secret-present", SECRET_MISSING.format(arn=real), f"{HOST}/web:1", net,
                                   role=ROLE_ALLOWED, secrets=[real])
    out["secret_denied"] = w.task("secret-denied", SECRET_DENIED.format(arn=real), f"{HOST}/web:1", net,
                                  role=ROLE_DENIED, secrets=[real])
    w.ssm.put_parameter(Name="/app/present", Value="not read", Type="SecureString")
    out["parameter_missing"] = w.task("parameter-missing", PARAMETER_MISSING.format(name="/app/gone"),
                                      f"{HOST}/web:1", net, role=ROLE_ALLOWED, secrets=["/app/gone"])
    out["parameter_present"] = w.task("parameter-present", PARAMETER_MISSING.format(name="/app/present"),
                                      f"{HOST}/web:1", net, role=ROLE_ALLOWED, secrets=["/app/present"])
    w.logs.create_log_group(logGroupName="/ecs/present")
    out["log_group_missing"] = w.task("log-missing", LOG_GROUP_MISSING, f"{HOST}/web:1", net, role=ROLE_ALLOWED,
                                      log_group="/ecs/gone")
    out["log_group_present"] = w.task("log-present", LOG_GROUP_MISSING, f"{HOST}/web:1", net, role=ROLE_ALLOWED,
                                      log_group="/ecs/present")
    w.s3.create_bucket(Bucket="config-bucket")
    w.s3.put_object(Bucket="config-bucket", Key="present.env", Body=b"A=1\n")
    out["env_file_missing"] = w.task("env-missing", ENV_FILE_DENIED, f"{HOST}/web:1", net, role=ROLE_ALLOWED,
                                     env_files=["arn:aws:s3:::config-bucket/gone.env"])
    out["env_file_present"] = w.task("env-present", ENV_FILE_DENIED, f"{HOST}/web:1", net, role=ROLE_ALLOWED,
                                     env_files=["arn:aws:s3:::config-bucket/present.env"])
    w.ecr.create_repository(repositoryName="shop")
    w.ecr.put_image(repositoryName="shop", imageTag="1.0", imageManifest=json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1,
                   "digest": "sha256:" + "a" * 64}, "layers": []}))
    out["image_missing"] = w.task("image-missing", IMAGE_MISSING.format(repo="shop:2.0"), f"{HOST}/shop:2.0", net,
                                  role=ROLE_ALLOWED)
    out["image_present"] = w.task("image-present", IMAGE_MISSING.format(repo="shop:1.0"), f"{HOST}/shop:1.0", net,
                                  role=ROLE_ALLOWED)
    return out


def seed_bench(world, n):
    """Two clusters of seed-1 and seed-3 tasks of two services spread over three subnets of one
    VPC: `bench` with `n` tasks and `small` with 40, for comparing probe call counts."""
    w = world
    net = w.vpc(endpoints=("ecr.api", "ecr.dkr", "s3"), subnets=3)
    out = {}
    for cluster, count in (("bench", n), ("small", 40)):
        w.ecs.create_cluster(clusterName=cluster)
        half = count // 2
        w.task(f"{cluster}-web", SEED_1, "public.ecr.aws/nginx/nginx:latest", net, service=f"{cluster}-web",
               eni=False, cluster=cluster, count=half)
        w.task(f"{cluster}-cache", SEED_3, f"{HOST}/ecr-public/nginx/nginx:stable", net,
               service=f"{cluster}-cache", eni=False, cluster=cluster, count=count - half, role=ROLE_DENIED)
        out[cluster] = count
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", type=int, default=0)
    args = parser.parse_args()
    server = make_server("127.0.0.1", 0, Layer(DomainDispatcherApplication(create_backend_app)), True,
                         request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_port
    world = World(port)
    seeded = seed_bench(world, args.bench) if args.bench else seed(world)
    with LOCK:
        STATE["calls"] = {}
    sys.stdout.write(f"READY {port} {json.dumps(seeded)}\n")
    sys.stdout.flush()
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
