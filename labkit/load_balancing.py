"""Load balancer labs (ELB architecture, listener protocols): a load balancer of any type waited for until
``active``, its attributes as a dict, the outcome of a call as a word for a table, and a self-signed certificate
imported into ACM for HTTPS and TLS listeners.

The waits come from :mod:`labkit.eventually` (short on an emulator, minutes on AWS); what a test creates with the
clients of ``labkit.compute.tracked_client`` is undone after it where state is kept.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from labkit.backends import Backend
from labkit.errors import error_code
from labkit.eventually import waiter_config


def create_load_balancer(elbv2: Any, name: str, subnets: list[str], backend: Backend, **extra: Any) -> dict[str, Any]:
    """A load balancer (``Type`` and ``Scheme`` in ``extra``: an internet-facing ALB unless told otherwise),
    waited for until ``active``; returns CreateLoadBalancer's answer (its first ``State``) under ``"created"``
    and DescribeLoadBalancers' answer after the wait under ``"active"``."""
    created = elbv2.create_load_balancer(Name=name, Subnets=subnets, **extra)["LoadBalancers"][0]
    arn = created["LoadBalancerArn"]
    elbv2.get_waiter("load_balancer_available").wait(LoadBalancerArns=[arn], WaiterConfig=waiter_config(backend))
    active = elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]
    return {"created": dict(created), "active": dict(active)}


def attributes(elbv2: Any, load_balancer_arn: str) -> dict[str, str]:
    """The load balancer's attributes, key -> value, as DescribeLoadBalancerAttributes lists them."""
    found = elbv2.describe_load_balancer_attributes(LoadBalancerArn=load_balancer_arn)["Attributes"]
    return {a["Key"]: a["Value"] for a in found}


def target_group_attributes(elbv2: Any, target_group_arn: str) -> dict[str, str]:
    """The target group's attributes, key -> value."""
    found = elbv2.describe_target_group_attributes(TargetGroupArn=target_group_arn)["Attributes"]
    return {a["Key"]: a["Value"] for a in found}


def outcome(call: Callable[..., Any], **kwargs: Any) -> str:
    """``"allowed"`` when the call succeeds, ``"refused"`` when the service answers it with an error (the code is
    not documented for every refusal, so a table of outcomes compares words, not codes)."""
    return "allowed" if error_code(call, **kwargs) == "allowed" else "refused"


def self_signed_certificate(common_name: str, days: int = 30) -> tuple[bytes, bytes]:
    """A self-signed certificate for ``common_name`` valid ``days`` days, and its unencrypted private key, both PEM
    (what ACM's ImportCertificate takes: material you own, no validation needed)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(common_name)]), critical=False)
    )
    certificate = builder.sign(key, hashes.SHA256())
    private_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM), private_key


def imported_certificate(acm: Any, common_name: str) -> str:
    """The ARN of a self-signed certificate for ``common_name`` imported into ACM (``ISSUED`` at once: a listener
    takes it, unlike a requested certificate still waiting for validation)."""
    certificate, private_key = self_signed_certificate(common_name)
    return str(acm.import_certificate(Certificate=certificate, PrivateKey=private_key)["CertificateArn"])
