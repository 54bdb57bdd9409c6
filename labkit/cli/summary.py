"""What ``labs run`` prints after pytest: per lab, the claims shown, the divergences with their reasons and
evidence, the skips and failures; each claim is its test's name as a sentence, in AWS's spelling, in the order
the test file (and so the README) tells them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.markup import escape
from rich.tree import Tree

from labkit.cli.runner import Outcome

#: Words a test name must write in lower case, as AWS and the notes spell them.
_WORDS = """
ACL ACLs ACM ALB API APIs ARN ARNs ASG AWS AZ AZs BPA CIDR CLI CNAME CORS CSV DAX DLQ DLQs DMS DNS DynamoDB EBS
EC2 ECR ECS EFS ELB ENI ENIs ESM EventBridge FIFO GSI GSIs HTTP HTTPS IAM ID IDs IMDS IMDSv2 IPv4 IPv6 ISO JSON JWT
JWTs KMS KiB LSI LSIs MD5 MFA MiB GiB KB MB GB NACL NACLs NAT NLB OAC PartiQL PITR RCU RCUs RDS REST SAM SAML SCP
SCPs SDK SES SNS SQL SQS SSE SSM STS SigV2 SigV4 TLS TTL UTC URL URLs VPC VPCs WCU WCUs XML CloudFormation
CloudFront CloudTrail CloudWatch Kinesis Firehose Lambda Cognito Athena Glue S3 Newick Aurora Polly Organizations
"""
SPELLING = {word.lower(): word for word in _WORDS.split()}


def claim(nodeid: str) -> str:
    """``...::test_sqs_dlq_gets_it_after_1_mib[moto]`` -> ``SQS DLQ gets it after 1 MiB (moto).``"""
    name = nodeid.rsplit("::", 1)[-1]
    name, _, params = name.partition("[")
    words = [word for word in re.sub(r"^test_?", "", name).split("_") if word]
    spelled: list[str] = []
    for word in words:
        if spelled and spelled[-1] == "dot":  # ..._dot_fifo -> .fifo
            spelled[-1] = "." + word
        else:
            spelled.append(SPELLING.get(word.lower(), word))
    sentence = " ".join(spelled)
    sentence = sentence[:1].upper() + sentence[1:]
    if params:
        sentence += f" ({params.rstrip(']')})"
    return sentence + "."


_HEADINGS = {
    "passed": ("✓", "green", "shown"),
    "xfailed": ("≠", "yellow", "diverges here (the test asserts AWS's behaviour; this backend falls short)"),
    "xpassed": ("!", "red", "diverges mark no longer true: the emulator now behaves like AWS, remove the mark"),
    "skipped": ("-", "cyan", "skipped"),
    "failed": ("✗", "red", "failed"),
}


def summary(outcomes: Sequence[Outcome], backend: str) -> Tree:
    """What the run demonstrated: per lab, the claims shown, the divergences with reasons, skips, failures."""
    tree = Tree(f"[bold]What the labs demonstrated on {escape(backend)}[/]")
    for lab in sorted({o.lab for o in outcomes}):
        node = tree.add(f"[bold]{escape(lab)}[/]")
        mine = sorted((o for o in outcomes if o.lab == lab), key=lambda o: (o.nodeid.split("::")[0], o.line))
        for outcome, (mark, style, heading) in _HEADINGS.items():
            found = [o for o in mine if o.outcome == outcome]
            if not found:
                continue
            group = node.add(f"[{style}]{len(found)} {heading}[/]")
            for o in found:
                leaf = group.add(f"[{style}]{mark}[/] {escape(claim(o.nodeid))}")
                if o.reason and outcome != "passed":
                    leaf.add(f"[dim]{escape(o.reason)}[/]")
                if o.evidence:
                    leaf.add(f"[dim]evidence: {escape(o.evidence)}[/]")
    if not outcomes:
        tree.add("[red]no test ran[/]")
    return tree
