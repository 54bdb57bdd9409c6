"""How AWS applies security-group and network-ACL rules to a packet, as the VPC documentation describes it.

The emulators store rules; they never carry packets. This module takes the rules exactly as
``describe_security_groups`` and ``describe_network_acls`` return them and answers "would this packet
pass?", so the lab can show what the stored rules *mean*:

- a security group only allows; a packet passes if any rule matches; it is stateful, so the reply to
  an allowed request always goes back out, whatever the outbound rules say;
- a network ACL has numbered allow *and* deny entries per direction; the lowest-numbered entry that
  matches decides; nothing matching means deny (the ``*`` rule, shown as 32767); it is stateless, so
  the reply needs its own outbound entry (the client's ephemeral port, 1024-65535).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from ipaddress import ip_address, ip_network
from typing import Any

ALL_PROTOCOLS = "-1"
TCP = "6"
LAST_RULE = 32767  # the "*" rule: what happens when no numbered entry matches


@dataclass(frozen=True)
class Packet:
    """One TCP/UDP packet seen from the subnet or instance: the far end's address and the destination port."""

    remote_ip: str
    port: int
    protocol: str = TCP  # IANA number as a string, as network ACLs store it


def _protocol_matches(rule_protocol: str, packet: Packet) -> bool:
    names = {"tcp": "6", "udp": "17", "icmp": "1"}
    return rule_protocol == ALL_PROTOCOLS or names.get(rule_protocol, rule_protocol) == packet.protocol


def _in_cidr(address: str, cidr: str) -> bool:
    return ip_address(address) in ip_network(cidr)


def nacl_decision(entries: Iterable[Mapping[str, Any]], packet: Packet, *, egress: bool) -> tuple[str, int]:
    """``("allow" | "deny", rule number)`` for the packet: the lowest-numbered matching entry in that
    direction wins; with no match the answer is the ``*`` rule's deny (reported as 32767)."""
    for entry in sorted((e for e in entries if e["Egress"] == egress), key=lambda e: e["RuleNumber"]):
        ports = entry.get("PortRange")
        if not _protocol_matches(entry["Protocol"], packet):
            continue
        if ports and not ports["From"] <= packet.port <= ports["To"]:
            continue
        if _in_cidr(packet.remote_ip, entry["CidrBlock"]):
            return entry["RuleAction"], entry["RuleNumber"]
    return "deny", LAST_RULE


def sg_allows(permissions: Sequence[Mapping[str, Any]], packet: Packet, *, sender_groups: Iterable[str] = ()) -> bool:
    """True if any rule of a security group (``IpPermissions`` or ``IpPermissionsEgress``) matches: by CIDR,
    or because the far end belongs to a group the rule names (``UserIdGroupPairs``)."""
    groups = set(sender_groups)
    for rule in permissions:
        if not _protocol_matches(rule["IpProtocol"], packet):
            continue
        if rule["IpProtocol"] != ALL_PROTOCOLS and not rule["FromPort"] <= packet.port <= rule["ToPort"]:
            continue
        if any(_in_cidr(packet.remote_ip, r["CidrIp"]) for r in rule.get("IpRanges", [])):
            return True
        if any(pair["GroupId"] in groups for pair in rule.get("UserIdGroupPairs", [])):
            return True
    return False


def request_and_reply_through_sg(group: Mapping[str, Any], client_ip: str, port: int) -> bool:
    """A client's request to ``port`` and the reply: stateful, so only the inbound request is checked."""
    return sg_allows(group["IpPermissions"], Packet(client_ip, port))


def request_and_reply_through_nacl(
    entries: Iterable[Mapping[str, Any]], client_ip: str, port: int, ephemeral_port: int = 49152
) -> tuple[tuple[str, int], tuple[str, int]]:
    """Both legs through a subnet's network ACL: the request inbound to ``port``, and the reply outbound to
    the client's ephemeral port. Stateless: each leg is decided on its own."""
    rules = list(entries)
    inbound = nacl_decision(rules, Packet(client_ip, port), egress=False)
    outbound = nacl_decision(rules, Packet(client_ip, ephemeral_port), egress=True)
    return inbound, outbound
