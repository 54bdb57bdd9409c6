"""Security groups: allow-only and stateful. Network ACLs: numbered allow/deny entries, lowest first, stateless.

The emulators store the rules and return them; they carry no packets. What the rules *do* to a packet is
worked out by ``firewall_rules`` from the rules exactly as the API returns them.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from firewall_rules import (
    LAST_RULE,
    Packet,
    nacl_decision,
    request_and_reply_through_nacl,
    request_and_reply_through_sg,
)

from labkit.report import show_table

CLIENT = "198.51.100.7"  # somewhere on the internet
BLOCKED_NETWORK, BLOCKED_CLIENT = "203.0.113.0/24", "203.0.113.9"
HTTPS_FROM_ANYWHERE = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


@pytest.fixture
def ec2(aws_client):
    return aws_client("ec2")


@pytest.fixture
def vpc_id(ec2):
    return ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


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
    """(rule number, action, egress) of each entry, in evaluation order per direction."""
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

    assert group["IpPermissions"] == []  # all inbound traffic blocked
    assert len(group["IpPermissionsEgress"]) == 1
    outbound = group["IpPermissionsEgress"][0]
    assert outbound["IpProtocol"] == "-1"  # every protocol, every port
    assert outbound["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]  # to anywhere
    assert request_and_reply_through_sg(group, CLIENT, 80) is False


def test_a_security_group_can_be_the_source_of_another_groups_rule(ec2, make_group):
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


def test_security_group_rules_are_allow_only_while_nacl_entries_carry_an_action(ec2, make_group, vpc_id):
    group = make_group("web")
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[HTTPS_FROM_ANYWHERE])
    acl = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkAcls"][0]

    sg_rule = describe_group(ec2, group)["IpPermissions"][0]
    assert "RuleAction" not in sg_rule and "RuleNumber" not in sg_rule  # nothing to order, nothing to deny
    assert {e["RuleAction"] for e in acl["Entries"]} == {"allow", "deny"}
    assert all(isinstance(e["RuleNumber"], int) for e in acl["Entries"])


def test_security_group_is_stateful_so_the_reply_needs_no_outbound_rule(ec2, make_group):
    group_id = make_group("web")
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[HTTPS_FROM_ANYWHERE])
    ec2.revoke_security_group_egress(
        GroupId=group_id, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )

    group = describe_group(ec2, group_id)
    assert group["IpPermissionsEgress"] == []  # no outbound rule left at all ...
    assert request_and_reply_through_sg(group, CLIENT, 443) is True  # ... and the HTTPS reply still goes out


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "deletes a security group that another group's rule still names; AWS refuses with DependencyViolation",
)
def test_a_group_named_by_another_groups_rule_cannot_be_deleted(ec2, make_group):
    web, db = make_group("web"), make_group("db")
    ec2.authorize_security_group_ingress(
        GroupId=db,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": web}]}],
    )

    with pytest.raises(ClientError) as raised:
        ec2.delete_security_group(GroupId=web)

    assert raised.value.response["Error"]["Code"] == "DependencyViolation"


# --- network ACLs ----------------------------------------------------------------------------------------------


def test_default_nacl_allows_everything_with_rule_100_before_the_star_deny(ec2, vpc_id):
    acl = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkAcls"]

    assert len(acl) == 1 and acl[0]["IsDefault"] is True
    entries = acl[0]["Entries"]
    assert shape(entries) == [
        (False, 100, "allow"), (False, LAST_RULE, "deny"),
        (True, 100, "allow"), (True, LAST_RULE, "deny"),
    ]  # fmt: skip
    assert request_and_reply_through_nacl(entries, CLIENT, 22) == (("allow", 100), ("allow", 100))


@pytest.mark.diverges(
    ("moto", "moto-server"),
    "a new custom network ACL has no entries at all; AWS shows the * deny rule (32767) in each direction",
)
def test_new_custom_nacl_denies_everything_with_the_star_rule_32767(ec2, vpc_id):
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]

    assert shape(entries_of(ec2, acl_id)) == [(False, LAST_RULE, "deny"), (True, LAST_RULE, "deny")]


def test_nacl_entries_are_evaluated_lowest_number_first(ec2, vpc_id):
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    add_entry(ec2, acl_id, 100, "allow", egress=False, ports=(443, 443))  # HTTPS from anywhere ...
    add_entry(ec2, acl_id, 90, "deny", egress=False, cidr=BLOCKED_NETWORK, ports=(443, 443))  # ... but not them

    entries = entries_of(ec2, acl_id)
    decisions = {
        "HTTPS from a client": nacl_decision(entries, Packet(CLIENT, 443), egress=False),
        "HTTPS from the blocked network": nacl_decision(entries, Packet(BLOCKED_CLIENT, 443), egress=False),
        "SSH from a client": nacl_decision(entries, Packet(CLIENT, 22), egress=False),
    }
    show_table(
        "inbound decisions of a custom NACL",
        ["packet", "action", "decided by rule"],
        [[k, *v] for k, v in decisions.items()],
    )

    assert decisions == {
        "HTTPS from a client": ("allow", 100),
        "HTTPS from the blocked network": ("deny", 90),  # 90 is read before 100, though 100 also matches
        "SSH from a client": ("deny", LAST_RULE),  # nothing matched: the * rule
    }


def test_nacl_is_stateless_so_the_reply_needs_an_outbound_ephemeral_port_rule(ec2, vpc_id):
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    add_entry(ec2, acl_id, 100, "allow", egress=False, ports=(443, 443))

    before = request_and_reply_through_nacl(entries_of(ec2, acl_id), CLIENT, 443)
    add_entry(ec2, acl_id, 100, "allow", egress=True, ports=(1024, 65535))
    after = request_and_reply_through_nacl(entries_of(ec2, acl_id), CLIENT, 443)
    show_table(
        "HTTPS through a custom NACL: request in, reply out to port 49152",
        ["outbound entries", "request (in)", "reply (out)"],
        [["none", *before], ["100 allow 1024-65535", *after]],
    )

    assert before == (("allow", 100), ("deny", LAST_RULE))  # the request gets in, the reply is dropped
    assert after == (("allow", 100), ("allow", 100))


def test_nacl_rule_numbers_and_egress_flags_round_trip(ec2, vpc_id):
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    add_entry(ec2, acl_id, 100, "allow", egress=False, ports=(443, 443))
    add_entry(ec2, acl_id, 100, "allow", egress=True, ports=(1024, 65535))  # same number, other direction: fine
    add_entry(ec2, acl_id, 200, "deny", egress=False, cidr=BLOCKED_NETWORK, protocol="-1")

    stored = {(e["RuleNumber"], e["Egress"]): e for e in entries_of(ec2, acl_id) if e["RuleNumber"] != LAST_RULE}
    assert sorted(stored) == [(100, False), (100, True), (200, False)]
    assert stored[(100, False)]["PortRange"] == {"From": 443, "To": 443}
    assert stored[(100, True)]["PortRange"] == {"From": 1024, "To": 65535}
    assert (stored[(200, False)]["RuleAction"], stored[(200, False)]["CidrBlock"]) == ("deny", BLOCKED_NETWORK)


def test_a_rule_number_is_used_once_per_direction(ec2, vpc_id):
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    add_entry(ec2, acl_id, 100, "allow", egress=False, ports=(443, 443))

    with pytest.raises(ClientError) as raised:
        add_entry(ec2, acl_id, 100, "allow", egress=False, ports=(80, 80))

    assert raised.value.response["Error"]["Code"] == "NetworkAclEntryAlreadyExists"
