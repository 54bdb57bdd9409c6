"""Networking labs (EC2, VPC, Route 53, EFS, ACM): availability zones, instances that are waited for, and the
undo of what a test created on a backend that keeps state between tests (host LocalStack, real AWS).

``labkit/cleanup.py`` has no undo for these services yet, so :class:`Tidy` watches the lab's clients the same
way (after every successful call) and undoes, newest first, what it knows: an instance is terminated and
waited for, a VPC is emptied (instances, NAT gateways, endpoints, interfaces, gateways, subnets, route
tables, ACLs, security groups) and deleted, a hosted zone loses its records and is deleted, and so on.
:data:`UNDO` has the shape of ``cleanup.UNDO``, so it can move there as it is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError, WaiterError

from labkit.backends import Backend

log = logging.getLogger(__name__)

Undo = Callable[[Any, dict[str, Any], dict[str, Any]], None]

#: Waiter settings: a 1 s poll (an emulator that reports a transition does so on the second look), 5 min on AWS.
FAST_WAIT = {"Delay": 1, "MaxAttempts": 300}
AMAZON_LINUX = [{"Name": "name", "Values": ["al2023-ami-2023*-x86_64"]}]


def zones(ec2: Any, count: int = 2) -> list[str]:
    """The first ``count`` availability zones of the client's region (names vary between accounts on AWS)."""
    found = ec2.describe_availability_zones(Filters=[{"Name": "state", "Values": ["available"]}])
    names = sorted(
        z["ZoneName"]
        for z in found["AvailabilityZones"]
        if z.get("ZoneType", "availability-zone") == "availability-zone"
    )
    if len(names) < count:
        raise RuntimeError(f"the region has {len(names)} availability zones, the lab needs {count}")
    return names[:count]


def amazon_linux_image(ec2: Any) -> str:
    """The newest Amazon Linux 2023 x86_64 image id the region offers."""
    images = ec2.describe_images(Owners=["amazon"], Filters=AMAZON_LINUX)["Images"]
    return str(max(images, key=lambda i: i.get("CreationDate", ""))["ImageId"])


def create_vpc(ec2: Any, cidr: str = "10.0.0.0/16", **extra: Any) -> dict[str, Any]:
    """A VPC, waited for until ``available`` (AWS answers CreateVpc with ``pending``)."""
    vpc_id = ec2.create_vpc(CidrBlock=cidr, **extra)["Vpc"]["VpcId"]
    ec2.get_waiter("vpc_available").wait(VpcIds=[vpc_id], WaiterConfig=FAST_WAIT)
    return dict(ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0])


def create_subnet(ec2: Any, vpc_id: str, cidr: str, zone: str, **extra: Any) -> dict[str, Any]:
    """A subnet in ``zone``, waited for until ``available``."""
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone, **extra)["Subnet"]["SubnetId"]
    ec2.get_waiter("subnet_available").wait(SubnetIds=[subnet_id], WaiterConfig=FAST_WAIT)
    return dict(ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0])


def launch(ec2: Any, subnet_id: str, **extra: Any) -> dict[str, Any]:
    """One t3.micro Amazon Linux instance in the subnet, waited for until ``running`` (it starts ``pending``)."""
    extra.setdefault("ImageId", amazon_linux_image(ec2))
    extra.setdefault("InstanceType", "t3.micro")
    instance_id = ec2.run_instances(MinCount=1, MaxCount=1, SubnetId=subnet_id, **extra)["Instances"][0]["InstanceId"]
    ec2.get_waiter("instance_running").wait(InstanceIds=[instance_id], WaiterConfig=FAST_WAIT)
    return describe_instance(ec2, instance_id)


def describe_instance(ec2: Any, instance_id: str) -> dict[str, Any]:
    """The instance as DescribeInstances shows it."""
    return dict(ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0])


# --- undo -------------------------------------------------------------------------------------------------------


def _quietly(call: Callable[..., Any], **kwargs: Any) -> None:
    """Run one clean-up call; a resource already gone (or an emulator's refusal) never stops the rest."""
    try:
        call(**kwargs)
    except (ClientError, WaiterError) as exc:
        log.info("clean-up step skipped: %s", exc)


def _by_vpc(vpc_id: str) -> list[dict[str, Any]]:
    return [{"Name": "vpc-id", "Values": [vpc_id]}]


def _terminate(ec2: Any, instance_ids: list[str]) -> None:
    if instance_ids:
        _quietly(ec2.terminate_instances, InstanceIds=instance_ids)
        _quietly(ec2.get_waiter("instance_terminated").wait, InstanceIds=instance_ids, WaiterConfig=FAST_WAIT)


def empty_and_delete_vpc(ec2: Any, vpc_id: str) -> None:
    """Delete everything inside a VPC, then the VPC (AWS refuses to delete a VPC that still holds anything)."""
    reservations = ec2.describe_instances(Filters=_by_vpc(vpc_id))["Reservations"]
    running = [i["InstanceId"] for r in reservations for i in r["Instances"] if i["State"]["Name"] != "terminated"]
    _terminate(ec2, running)
    nats = [n["NatGatewayId"] for n in ec2.describe_nat_gateways(Filters=_by_vpc(vpc_id))["NatGateways"]
            if n["State"] not in ("deleted", "deleting")]  # fmt: skip
    for nat in nats:
        _quietly(ec2.delete_nat_gateway, NatGatewayId=nat)
    if nats:
        _quietly(ec2.get_waiter("nat_gateway_deleted").wait, NatGatewayIds=nats, WaiterConfig=FAST_WAIT)
    endpoints = [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints(Filters=_by_vpc(vpc_id))["VpcEndpoints"]]
    if endpoints:
        _quietly(ec2.delete_vpc_endpoints, VpcEndpointIds=endpoints)
    flow_logs = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
    if flow_logs:
        _quietly(ec2.delete_flow_logs, FlowLogIds=[f["FlowLogId"] for f in flow_logs])
    for side in ("requester-vpc-info.vpc-id", "accepter-vpc-info.vpc-id"):
        peerings = ec2.describe_vpc_peering_connections(Filters=[{"Name": side, "Values": [vpc_id]}])
        for peering in peerings["VpcPeeringConnections"]:
            pcx = peering["VpcPeeringConnectionId"]
            _quietly(ec2.delete_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    for eni in ec2.describe_network_interfaces(Filters=_by_vpc(vpc_id))["NetworkInterfaces"]:
        attachment = eni.get("Attachment") or {}
        if attachment.get("AttachmentId") and attachment.get("DeviceIndex", 0) != 0:
            _quietly(ec2.detach_network_interface, AttachmentId=attachment["AttachmentId"], Force=True)
        _quietly(ec2.delete_network_interface, NetworkInterfaceId=eni["NetworkInterfaceId"])
    gateways = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])
    for igw in gateways["InternetGateways"]:
        gateway = igw["InternetGatewayId"]
        _quietly(ec2.detach_internet_gateway, InternetGatewayId=gateway, VpcId=vpc_id)
        _quietly(ec2.delete_internet_gateway, InternetGatewayId=gateway)
    for eigw in ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"]:
        if any(a.get("VpcId") == vpc_id for a in eigw.get("Attachments", [])):
            gateway = eigw["EgressOnlyInternetGatewayId"]
            _quietly(ec2.delete_egress_only_internet_gateway, EgressOnlyInternetGatewayId=gateway)
    for subnet in ec2.describe_subnets(Filters=_by_vpc(vpc_id))["Subnets"]:
        _quietly(ec2.delete_subnet, SubnetId=subnet["SubnetId"])
    for table in ec2.describe_route_tables(Filters=_by_vpc(vpc_id))["RouteTables"]:
        if not any(a.get("Main") for a in table.get("Associations", [])):
            _quietly(ec2.delete_route_table, RouteTableId=table["RouteTableId"])
    for acl in ec2.describe_network_acls(Filters=_by_vpc(vpc_id))["NetworkAcls"]:
        if not acl.get("IsDefault"):
            _quietly(ec2.delete_network_acl, NetworkAclId=acl["NetworkAclId"])
    groups = [g for g in ec2.describe_security_groups(Filters=_by_vpc(vpc_id))["SecurityGroups"]
              if g["GroupName"] != "default"]  # fmt: skip
    for group in groups:  # rules naming other groups first: a group still named by a rule cannot be deleted
        if group.get("IpPermissions"):
            _quietly(ec2.revoke_security_group_ingress, GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
    for group in groups:
        _quietly(ec2.delete_security_group, GroupId=group["GroupId"])
    ec2.delete_vpc(VpcId=vpc_id)


def _release_address(ec2: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    allocation = response["AllocationId"]
    address = ec2.describe_addresses(AllocationIds=[allocation])["Addresses"]
    if address and address[0].get("AssociationId"):
        _quietly(ec2.disassociate_address, AssociationId=address[0]["AssociationId"])
    ec2.release_address(AllocationId=allocation)


def _delete_volume(ec2: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    volume = response["VolumeId"]
    for attachment in ec2.describe_volumes(VolumeIds=[volume])["Volumes"][0].get("Attachments", []):
        _quietly(ec2.detach_volume, VolumeId=volume, InstanceId=attachment["InstanceId"], Force=True)
        _quietly(ec2.get_waiter("volume_available").wait, VolumeIds=[volume], WaiterConfig=FAST_WAIT)
    ec2.delete_volume(VolumeId=volume)


def _delete_nat_gateway(ec2: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    nat = response["NatGateway"]["NatGatewayId"]
    ec2.delete_nat_gateway(NatGatewayId=nat)
    _quietly(ec2.get_waiter("nat_gateway_deleted").wait, NatGatewayIds=[nat], WaiterConfig=FAST_WAIT)


def _delete_internet_gateway(ec2: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    gateway = response["InternetGateway"]["InternetGatewayId"]
    for attachment in ec2.describe_internet_gateways(InternetGatewayIds=[gateway])["InternetGateways"][0].get(
        "Attachments", []
    ):
        _quietly(ec2.detach_internet_gateway, InternetGatewayId=gateway, VpcId=attachment["VpcId"])
    ec2.delete_internet_gateway(InternetGatewayId=gateway)


def _delete_hosted_zone(route53: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    zone = response["HostedZone"]["Id"]
    records = route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    zone_name = response["HostedZone"]["Name"].rstrip(".") + "."
    doomed = [r for r in records if not (r["Type"] in ("NS", "SOA") and r["Name"] == zone_name)]
    if doomed:
        changes = [{"Action": "DELETE", "ResourceRecordSet": r} for r in doomed]
        route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": changes})
    route53.delete_hosted_zone(Id=zone)


def _delete_file_system(efs: Any, params: dict[str, Any], response: dict[str, Any]) -> None:
    file_system = response["FileSystemId"]
    targets = efs.describe_mount_targets(FileSystemId=file_system)["MountTargets"]
    for target in targets:
        _quietly(efs.delete_mount_target, MountTargetId=target["MountTargetId"])
    deadline = time.monotonic() + 300
    while targets and time.monotonic() < deadline:  # AWS deletes mount targets in the background
        targets = efs.describe_mount_targets(FileSystemId=file_system)["MountTargets"]
        if targets:
            time.sleep(5)
    efs.delete_file_system(FileSystemId=file_system)


#: (service, operation) -> how to undo it, given the client, the call's parameters and its response; the
#: shape of ``labkit.cleanup.UNDO``.
UNDO: dict[tuple[str, str], Undo] = {
    ("ec2", "CreateVpc"): lambda c, p, r: empty_and_delete_vpc(c, r["Vpc"]["VpcId"]),
    ("ec2", "RunInstances"): lambda c, p, r: _terminate(c, [i["InstanceId"] for i in r["Instances"]]),
    ("ec2", "AllocateAddress"): _release_address,
    ("ec2", "CreateVolume"): _delete_volume,
    ("ec2", "CreateSnapshot"): lambda c, p, r: c.delete_snapshot(SnapshotId=r["SnapshotId"]),
    ("ec2", "CreateNatGateway"): _delete_nat_gateway,
    ("ec2", "CreateInternetGateway"): _delete_internet_gateway,
    ("ec2", "CreateVpcPeeringConnection"): lambda c, p, r: c.delete_vpc_peering_connection(
        VpcPeeringConnectionId=r["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ),
    ("ec2", "CreateVpcEndpoint"): lambda c, p, r: c.delete_vpc_endpoints(
        VpcEndpointIds=[r["VpcEndpoint"]["VpcEndpointId"]]
    ),
    ("ec2", "CreateVpcEndpointServiceConfiguration"): lambda c, p, r: c.delete_vpc_endpoint_service_configurations(
        ServiceIds=[r["ServiceConfiguration"]["ServiceId"]]
    ),
    ("ec2", "CreateFlowLogs"): lambda c, p, r: (
        c.delete_flow_logs(FlowLogIds=r["FlowLogIds"]) if r["FlowLogIds"] else None
    ),
    ("ec2", "CreateKeyPair"): lambda c, p, r: c.delete_key_pair(KeyName=p["KeyName"]),
    ("route53", "CreateHostedZone"): _delete_hosted_zone,
    ("route53", "CreateHealthCheck"): lambda c, p, r: c.delete_health_check(HealthCheckId=r["HealthCheck"]["Id"]),
    ("acm", "RequestCertificate"): lambda c, p, r: c.delete_certificate(CertificateArn=r["CertificateArn"]),
    ("acm", "ImportCertificate"): lambda c, p, r: c.delete_certificate(CertificateArn=r["CertificateArn"]),
    ("efs", "CreateFileSystem"): _delete_file_system,
}


@dataclass
class Tidy:
    """What a test created through the watched clients, undone newest first when the test ends."""

    steps: list[tuple[str, Callable[[], None]]] = field(default_factory=list)
    watched: set[int] = field(default_factory=set)

    def watch(self, client: Any) -> Any:
        """Record the undo of every successful call of ``client`` that :data:`UNDO` knows; returns the client."""
        if id(client) in self.watched:
            return client
        self.watched.add(id(client))
        service = client.meta.service_model.service_name
        client.meta.events.register("before-parameter-build.*.*", _keep_params)
        client.meta.events.register("after-call.*.*", self._recorder(client, service))
        return client

    def _recorder(self, client: Any, service: str) -> Callable[..., None]:
        def record(http_response: Any, parsed: dict[str, Any], model: Any, **kwargs: Any) -> None:
            undo = UNDO.get((service, model.name))
            if undo is None or not 200 <= http_response.status_code < 300:
                return
            params = kwargs.get("context", {}).get("labs_network_params", {})
            self.steps.append((f"{service}.{model.name}", lambda: undo(client, params, parsed)))

        return record

    def undo_all(self) -> list[str]:
        """Undo newest first; a line for each step that failed (a failure never stops the rest)."""
        failures = []
        while self.steps:
            what, step = self.steps.pop()
            try:
                step()
            except (ClientError, WaiterError) as exc:
                code = exc.response["Error"]["Code"] if isinstance(exc, ClientError) else "waiter"
                if any(gone in code for gone in ("NotFound", "NoSuch", "NonExistent", "InvalidAllocationID")):
                    continue  # the test deleted it itself
                failures.append(f"{what}: {code}")
                log.warning("clean-up of %s failed: %s", what, exc)
        return failures


def _keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context["labs_network_params"] = dict(params)


@contextmanager
def tidy(enabled: bool) -> Iterator[Tidy]:
    """A :class:`Tidy` that undoes at exit when ``enabled`` (a backend that is not reset between tests)."""
    tracker = Tidy()
    try:
        yield tracker
    finally:
        if enabled:
            failures = tracker.undo_all()
            if failures:
                log.warning("clean-up left resources behind: %s", failures)


# --- fixtures (imported by the networking labs' conftest.py files) ----------------------------------------------


@pytest.fixture
def tidy_up(backend: Backend) -> Iterator[Tidy]:
    """This test's :class:`Tidy`: undoes what it created on backends that are not reset between tests."""
    with tidy(backend.track_resources) as tracker:
        yield tracker


@pytest.fixture
def watched_client(aws_client: Callable[..., Any], tidy_up: Tidy) -> Callable[..., Any]:
    """``watched_client("acm", region_name="eu-west-1")``: ``aws_client``, with what it creates undone after."""
    return lambda service, **kwargs: tidy_up.watch(aws_client(service, **kwargs))


@pytest.fixture
def ec2(watched_client: Callable[..., Any]) -> Any:
    """An EC2 client whose VPCs, instances, addresses, volumes and snapshots are deleted after the test."""
    return watched_client("ec2")
