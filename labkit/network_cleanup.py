"""How to undo what the networking labs create (EC2/VPC, Route 53, ACM, EFS), for ``labkit.cleanup``: a VPC is
emptied (instances, NAT gateways, endpoints, flow logs, peerings, interfaces, gateways, subnets, route tables,
ACLs, security groups) and deleted, an instance terminated and waited for, a hosted zone emptied, and so on.
"""

from __future__ import annotations

from typing import Any

from labkit.undo_steps import Undo, poll_until, quietly, wait_quietly


def _by_vpc(vpc_id: str) -> list[dict[str, Any]]:
    return [{"Name": "vpc-id", "Values": [vpc_id]}]


def _in_vpc(describe: Any, key: str, vpc_id: str) -> list[dict[str, Any]]:
    """What ``describe`` lists under ``key`` for the VPC, each item's VpcId checked as well: an emulator that
    ignores a filter, shared by parallel tests, would otherwise hand over other tests' resources."""
    return [item for item in describe(Filters=_by_vpc(vpc_id))[key] if item.get("VpcId") == vpc_id]


def _attached_to(gateway: dict[str, Any], vpc_id: str) -> bool:
    """Whether an internet gateway (either kind) is attached to the VPC, as its description says."""
    return any(a.get("VpcId") == vpc_id for a in gateway.get("Attachments", []))


def _peerings_of(ec2: Any, vpc_id: str) -> list[str]:
    """The peerings with ``vpc_id`` on either side, each checked as well (moto, so LocalStack too, ignores these
    filters and lists every peering, other tests' included)."""
    ids: list[str] = []
    for side, info in (
        ("requester-vpc-info.vpc-id", "RequesterVpcInfo"),
        ("accepter-vpc-info.vpc-id", "AccepterVpcInfo"),
    ):
        found = ec2.describe_vpc_peering_connections(Filters=[{"Name": side, "Values": [vpc_id]}])
        ids += [p["VpcPeeringConnectionId"] for p in found["VpcPeeringConnections"] if p[info]["VpcId"] == vpc_id]
    return ids


def _terminate(ec2: Any, instance_ids: list[str]) -> None:
    if instance_ids:
        quietly(ec2.terminate_instances, InstanceIds=instance_ids)
        wait_quietly(ec2, "instance_terminated", InstanceIds=instance_ids)


def disassociate_route_tables(ec2: Any, vpc_id: str) -> None:
    """Drop the VPC's explicit subnet associations (LocalStack keeps them after the subnet is deleted, and then
    refuses to delete the table and the VPC; AWS drops them with the subnet)."""
    for table in _in_vpc(ec2.describe_route_tables, "RouteTables", vpc_id):
        for association in table.get("Associations", []):
            if not association.get("Main") and association.get("SubnetId"):
                ec2.disassociate_route_table(AssociationId=association["RouteTableAssociationId"])


def _wait_for_endpoints_gone(ec2: Any, vpc_id: str) -> None:
    def gone() -> bool:
        left = _in_vpc(ec2.describe_vpc_endpoints, "VpcEndpoints", vpc_id)
        return all(e["State"].lower() in ("deleted", "deleting") and not e.get("NetworkInterfaceIds") for e in left)

    poll_until(gone, ec2, aws_minutes=5)  # AWS gives no waiter for endpoint deletion


def _delete_peering(ec2: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    """A rejected or failed peering cannot be deleted on AWS: it expires by itself, as if gone."""
    pcx = response["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    found = ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])["VpcPeeringConnections"]
    if found and found[0]["Status"]["Code"] not in ("rejected", "failed", "deleted", "expired"):
        ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)


def empty_and_delete_vpc(ec2: Any, vpc_id: str) -> None:
    """Delete everything inside a VPC, then the VPC (AWS refuses to delete a VPC that still holds anything)."""
    reservations = ec2.describe_instances(Filters=_by_vpc(vpc_id))["Reservations"]
    running = [i["InstanceId"] for r in reservations for i in r["Instances"]
               if i.get("VpcId") == vpc_id and i["State"]["Name"] != "terminated"]  # fmt: skip
    _terminate(ec2, running)
    nats = [n["NatGatewayId"] for n in _in_vpc(ec2.describe_nat_gateways, "NatGateways", vpc_id)
            if n["State"] not in ("deleted", "deleting")]  # fmt: skip
    for nat in nats:
        quietly(ec2.delete_nat_gateway, NatGatewayId=nat)
    if nats:
        wait_quietly(ec2, "nat_gateway_deleted", NatGatewayIds=nats)
    endpoints = [e["VpcEndpointId"] for e in _in_vpc(ec2.describe_vpc_endpoints, "VpcEndpoints", vpc_id)]
    if endpoints:
        quietly(ec2.delete_vpc_endpoints, VpcEndpointIds=endpoints)
        _wait_for_endpoints_gone(ec2, vpc_id)  # their network interfaces go away in the background
    flow_logs = [f for f in ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
                 if f.get("ResourceId") == vpc_id]  # fmt: skip
    if flow_logs:
        quietly(ec2.delete_flow_logs, FlowLogIds=[f["FlowLogId"] for f in flow_logs])
    for pcx in _peerings_of(ec2, vpc_id):
        quietly(ec2.delete_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    for eni in _in_vpc(ec2.describe_network_interfaces, "NetworkInterfaces", vpc_id):
        attachment = eni.get("Attachment") or {}
        if attachment.get("AttachmentId") and attachment.get("DeviceIndex", 0) != 0:
            quietly(ec2.detach_network_interface, AttachmentId=attachment["AttachmentId"], Force=True)
        quietly(ec2.delete_network_interface, NetworkInterfaceId=eni["NetworkInterfaceId"])
    gateways = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])
    for igw in gateways["InternetGateways"]:
        if not _attached_to(igw, vpc_id):
            continue
        gateway = igw["InternetGatewayId"]
        quietly(ec2.detach_internet_gateway, InternetGatewayId=gateway, VpcId=vpc_id)
        quietly(ec2.delete_internet_gateway, InternetGatewayId=gateway)
    for eigw in ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"]:
        if _attached_to(eigw, vpc_id):
            gateway = eigw["EgressOnlyInternetGatewayId"]
            quietly(ec2.delete_egress_only_internet_gateway, EgressOnlyInternetGatewayId=gateway)
    disassociate_route_tables(ec2, vpc_id)  # LocalStack keeps associations of deleted subnets, then refuses
    for subnet in _in_vpc(ec2.describe_subnets, "Subnets", vpc_id):
        quietly(ec2.delete_subnet, SubnetId=subnet["SubnetId"])
    for table in _in_vpc(ec2.describe_route_tables, "RouteTables", vpc_id):
        if not any(a.get("Main") for a in table.get("Associations", [])):
            quietly(ec2.delete_route_table, RouteTableId=table["RouteTableId"])
    for acl in _in_vpc(ec2.describe_network_acls, "NetworkAcls", vpc_id):
        if not acl.get("IsDefault"):
            quietly(ec2.delete_network_acl, NetworkAclId=acl["NetworkAclId"])
    groups = [g for g in _in_vpc(ec2.describe_security_groups, "SecurityGroups", vpc_id)
              if g["GroupName"] != "default"]  # fmt: skip
    for group in groups:  # rules naming other groups first: a group still named by a rule cannot be deleted
        if group.get("IpPermissions"):
            quietly(ec2.revoke_security_group_ingress, GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
    for group in groups:
        quietly(ec2.delete_security_group, GroupId=group["GroupId"])
    ec2.delete_vpc(VpcId=vpc_id)


def _release_address(ec2: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    allocation = response["AllocationId"]
    address = ec2.describe_addresses(AllocationIds=[allocation])["Addresses"]
    if address and address[0].get("AssociationId"):
        quietly(ec2.disassociate_address, AssociationId=address[0]["AssociationId"])
    ec2.release_address(AllocationId=allocation)


def _delete_volume(ec2: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    volume = response["VolumeId"]
    for attachment in ec2.describe_volumes(VolumeIds=[volume])["Volumes"][0].get("Attachments", []):
        quietly(ec2.detach_volume, VolumeId=volume, InstanceId=attachment["InstanceId"], Force=True)
        wait_quietly(ec2, "volume_available", VolumeIds=[volume])
    ec2.delete_volume(VolumeId=volume)


def _delete_nat_gateway(ec2: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    nat = response["NatGateway"]["NatGatewayId"]
    ec2.delete_nat_gateway(NatGatewayId=nat)
    wait_quietly(ec2, "nat_gateway_deleted", NatGatewayIds=[nat])


def _delete_internet_gateway(ec2: Any, _: dict[str, Any], response: dict[str, Any]) -> None:
    gateway = response["InternetGateway"]["InternetGatewayId"]
    for attachment in ec2.describe_internet_gateways(InternetGatewayIds=[gateway])["InternetGateways"][0].get(
        "Attachments", []
    ):
        quietly(ec2.detach_internet_gateway, InternetGatewayId=gateway, VpcId=attachment["VpcId"])
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
        quietly(efs.delete_mount_target, MountTargetId=target["MountTargetId"])
    if targets:  # AWS deletes mount targets in the background
        poll_until(lambda: not efs.describe_mount_targets(FileSystemId=file_system)["MountTargets"], efs, 5)
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
    ("ec2", "CreateVpcPeeringConnection"): _delete_peering,
    ("ec2", "CreateVpcEndpoint"): lambda c, p, r: c.delete_vpc_endpoints(
        VpcEndpointIds=[r["VpcEndpoint"]["VpcEndpointId"]]
    ),
    ("ec2", "CreateVpcEndpointServiceConfiguration"): lambda c, p, r: c.delete_vpc_endpoint_service_configurations(
        ServiceIds=[r["ServiceConfiguration"]["ServiceId"]]
    ),
    ("ec2", "CreateFlowLogs"): lambda c, p, r: (
        c.delete_flow_logs(FlowLogIds=r["FlowLogIds"]) if r["FlowLogIds"] else None
    ),
    ("ec2", "CreatePlacementGroup"): lambda c, p, r: c.delete_placement_group(GroupName=p["GroupName"]),
    ("ec2", "CreateKeyPair"): lambda c, p, r: c.delete_key_pair(KeyName=p["KeyName"]),
    ("route53", "CreateHostedZone"): _delete_hosted_zone,
    ("route53", "CreateHealthCheck"): lambda c, p, r: c.delete_health_check(HealthCheckId=r["HealthCheck"]["Id"]),
    ("acm", "RequestCertificate"): lambda c, p, r: c.delete_certificate(CertificateArn=r["CertificateArn"]),
    ("acm", "ImportCertificate"): lambda c, p, r: c.delete_certificate(CertificateArn=r["CertificateArn"]),
    ("efs", "CreateFileSystem"): _delete_file_system,
}

#: Created inside a VPC, and deleted with it by :func:`empty_and_delete_vpc` (the labs make their own VPCs).
PARTS_OF_A_VPC = frozenset(
    {
        "CreateSubnet",
        "CreateRouteTable",
        "CreateRoute",
        "CreateNetworkAcl",
        "CreateNetworkAclEntry",
        "CreateSecurityGroup",
        "CreateNetworkInterface",
        "CreateEgressOnlyInternetGateway",
        "CreateTags",
    }
)
