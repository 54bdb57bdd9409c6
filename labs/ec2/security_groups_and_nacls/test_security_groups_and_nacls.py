"""Security groups hold allow rules only; network ACLs hold numbered allow and deny entries per direction, with
the "*" rule (32767) at the end. Every assertion here is something the EC2 API itself reports.

No emulator carries packets, so "stateful" and "stateless" (what a reply packet needs) are AWS's documented
behaviour, explained in the README and not asserted: a lab that computed those verdicts itself would only be
checking its own model.
"""

from __future__ import annotations

import pytest

from labkit.errors import error_code
from labkit.network import create_vpc

STAR_RULE = 32767  # the "*" entry: denies what no numbered entry matched; it cannot be changed or deleted
BLOCKED_NETWORK = "203.0.113.0/24"
HTTPS_FROM_ANYWHERE = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
EC2_ERRORS = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html"
NACL_STAR_RULE = (
    "https://docs.aws.amazon.com/ja_jp/vpc/latest/userguide/default-network-acl.html ; "
    "https://docs.aws.amazon.com/cdk/api/v1/dotnet/api/Amazon.CDK.AWS.EC2.NetworkAcl.html"
)


@pytest.fixture
def vpc_id(ec2, backend):
    return create_vpc(ec2, "10.0.0.0/16", backend=backend)["VpcId"]


@pytest.fixture
def make_group(ec2, vpc_id, unique_name):
    def make(prefix: str) -> str:
        return ec2.create_security_group(GroupName=unique_name(prefix), Description=prefix, VpcId=vpc_id)["GroupId"]

    return make


def describe_group(ec2, group_id):
    return ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]


def entries_of(ec2, acl_id):
    return ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0]["Entries"]


def shape(entries):
    """(egress, rule number, action) of each entry, in the order AWS evaluates them per direction."""
    return sorted((e["Egress"], e["RuleNumber"], e["RuleAction"]) for e in entries)


def add_entry(ec2, acl_id, number, action, *, egress, cidr="0.0.0.0/0", ports=None, protocol="6"):
    extra = {"PortRange": {"From": ports[0], "To": ports[1]}} if ports else {}
    ec2.create_network_acl_entry(
        NetworkAclId=acl_id, RuleNumber=number, Protocol=protocol, RuleAction=action, Egress=egress,
        CidrBlock=cidr, **extra,
    )  # fmt: skip


# --- security groups -------------------------------------------------------------------------------------------


def test_new_security_group_has_no_inbound_rules_and_one_allow_all_outbound_rule(ec2, make_group):
    group = describe_group(ec2, make_group("web"))

    assert group["IpPermissions"] == []  # nothing may come in
    assert len(group["IpPermissionsEgress"]) == 1
    outbound = group["IpPermissionsEgress"][0]
    assert outbound["IpProtocol"] == "-1"  # every protocol, every port
    assert outbound["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]  # to anywhere


def test_a_rule_can_name_another_security_group_as_its_source(ec2, make_group):
    web, db = make_group("web"), make_group("db")
    ec2.authorize_security_group_ingress(
        GroupId=db,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": web}]}],
    )

    rule = describe_group(ec2, db)["IpPermissions"][0]
    assert (rule["FromPort"], rule["ToPort"]) == (5432, 5432)
    assert [pair["GroupId"] for pair in rule["UserIdGroupPairs"]] == [web]
    assert rule["IpRanges"] == []  # no address at all: membership of the web group is the source
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [db]}])["SecurityGroupRules"]
    inbound = [r for r in rules if not r["IsEgress"]]
    assert [r["ReferencedGroupInfo"]["GroupId"] for r in inbound] == [web]


def test_security_group_rules_carry_no_action_while_nacl_entries_carry_allow_or_deny(ec2, make_group, vpc_id):
    group = make_group("web")
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[HTTPS_FROM_ANYWHERE])
    acl = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkAcls"][0]

    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
    assert len(rules) == 2  # the HTTPS rule in, the default allow-all out
    assert not [r for r in rules if "RuleAction" in r or "RuleNumber" in r]  # nothing to order, nothing to deny
    assert {e["RuleAction"] for e in acl["Entries"]} == {"allow", "deny"}
    assert all(isinstance(e["RuleNumber"], int) for e in acl["Entries"])


def test_every_outbound_rule_can_be_revoked_leaving_a_group_with_none(ec2, make_group):
    """On AWS the HTTPS reply would still leave such a group (security groups are stateful); no emulator carries
    the packet, so that part is the README's, not an assertion."""
    group_id = make_group("web")
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[HTTPS_FROM_ANYWHERE])

    ec2.revoke_security_group_egress(
        GroupId=group_id, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )

    group = describe_group(ec2, group_id)
    assert group["IpPermissionsEgress"] == []
    assert [p["FromPort"] for p in group["IpPermissions"]] == [443]


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "deletes a security group that another group's rule still names; AWS refuses with DependencyViolation",
    evidence=EC2_ERRORS,
)
def test_a_group_named_by_another_groups_rule_cannot_be_deleted(ec2, make_group):
    web, db = make_group("web"), make_group("db")
    ec2.authorize_security_group_ingress(
        GroupId=db,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": web}]}],
    )

    assert error_code(ec2.delete_security_group, GroupId=web) == "DependencyViolation"


# --- network ACLs ----------------------------------------------------------------------------------------------


def test_default_nacl_allows_all_with_rule_100_before_the_star_rule_32767(ec2, vpc_id):
    acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkAcls"]

    assert len(acls) == 1 and acls[0]["IsDefault"] is True
    assert shape(acls[0]["Entries"]) == [
        (False, 100, "allow"), (False, STAR_RULE, "deny"),
        (True, 100, "allow"), (True, STAR_RULE, "deny"),
    ]  # fmt: skip
    assert {e["CidrBlock"] for e in acls[0]["Entries"]} == {"0.0.0.0/0"}


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack", "localstack"),
    "a new custom network ACL has no entries at all; AWS shows the * deny rule (32767) in each direction",
    evidence=NACL_STAR_RULE,
)
def test_new_custom_nacl_holds_only_the_star_deny_rule_32767_in_each_direction(ec2, vpc_id):
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]

    assert shape(entries_of(ec2, acl_id)) == [(False, STAR_RULE, "deny"), (True, STAR_RULE, "deny")]


@pytest.mark.diverges(
    "ministack",
    "drops the PortRange of a NACL entry; AWS stores and lists it",
    evidence="https://docs.aws.amazon.com/cdk/api/v1/dotnet/api/Amazon.CDK.AWS.EC2.NetworkAcl.html",
)
def test_nacl_entries_are_stored_with_their_numbers_directions_ports_and_actions(ec2, vpc_id):
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    add_entry(ec2, acl_id, 100, "allow", egress=False, ports=(443, 443))  # HTTPS from anywhere ...
    add_entry(ec2, acl_id, 90, "deny", egress=False, cidr=BLOCKED_NETWORK, ports=(443, 443))  # ... read first
    add_entry(ec2, acl_id, 100, "allow", egress=True, ports=(1024, 65535))  # the replies' ephemeral ports

    stored = {(e["RuleNumber"], e["Egress"]): e for e in entries_of(ec2, acl_id) if e["RuleNumber"] != STAR_RULE}
    assert sorted(stored) == [(90, False), (100, False), (100, True)]  # 100 once per direction
    assert (stored[(90, False)]["RuleAction"], stored[(90, False)]["CidrBlock"]) == ("deny", BLOCKED_NETWORK)
    assert stored[(100, False)]["PortRange"] == {"From": 443, "To": 443}
    assert stored[(100, True)]["PortRange"] == {"From": 1024, "To": 65535}


@pytest.mark.diverges(
    "ministack", "accepts a second inbound entry numbered 100; AWS: NetworkAclEntryAlreadyExists", evidence=EC2_ERRORS
)
def test_a_rule_number_is_used_once_per_direction(ec2, vpc_id):
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    add_entry(ec2, acl_id, 100, "allow", egress=False, ports=(443, 443))

    code = error_code(add_entry, ec2, acl_id, 100, "allow", egress=False, ports=(80, 80))

    assert code == "NetworkAclEntryAlreadyExists"
