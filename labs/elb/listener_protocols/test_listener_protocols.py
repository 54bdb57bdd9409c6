"""Which protocols each load balancer listens on: an Application Load Balancer speaks HTTP and HTTPS (layer 7), a
Network Load Balancer TCP, TLS, UDP and TCP_UDP (layer 4). Every protocol is tried on each, and the answers are
compared as a table. A secure listener (HTTPS, TLS) needs a certificate: a self-signed one imported into ACM."""

from __future__ import annotations

import pytest

from labkit.load_balancing import create_load_balancer, imported_certificate, outcome
from labkit.report import show_table

LISTENER = "botocore:elbv2/2015-12-01#CreateListenerInput"
HTTPS_DOC = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/create-https-listener.html"
PROTOCOLS = ["HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP"]
SECURE = ("HTTPS", "TLS")
#: One port per protocol, so no listener is refused for a port another one holds.
PORTS = {"HTTP": 80, "HTTPS": 443, "TCP": 8080, "TLS": 8443, "UDP": 5300, "TCP_UDP": 5353}
ANSWER = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200", "ContentType": "text/plain",
                                                              "MessageBody": "hello"}}]  # fmt: skip


@pytest.fixture
def certificate(aws_client, unique_name):
    """The ARN of a self-signed certificate imported into ACM (deleted after the test where state is kept)."""
    return imported_certificate(aws_client("acm"), f"{unique_name('site')}.example.com")


@pytest.fixture
def nlb(elbv2, net, unique_name, backend):
    """A Network Load Balancer in the network's two public subnets, waited for until ``active``."""
    return create_load_balancer(elbv2, unique_name("nlb")[:32], net["subnets"], backend, Type="network")["active"]


@pytest.fixture
def forward_to(elbv2, net, unique_name):
    """``forward_to("UDP")``: a forward action to a new target group of that protocol (an NLB listener forwards to a
    target group; it has no fixed-response action)."""

    def make(protocol):
        group = elbv2.create_target_group(Name=unique_name("tg")[:32], Protocol=protocol, Port=80,
                                          VpcId=net["vpc"], TargetType="instance")["TargetGroups"][0]  # fmt: skip
        return [{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}]

    return make


def try_listeners(elbv2, balancer, actions, certificate):
    """Try a listener of every protocol on the load balancer: protocol -> ``allowed`` or ``refused``."""
    found = {}
    for protocol in PROTOCOLS:
        secure = {"Certificates": [{"CertificateArn": certificate}]} if protocol in SECURE else {}
        found[protocol] = outcome(elbv2.create_listener, LoadBalancerArn=balancer["LoadBalancerArn"], Protocol=protocol,
                                  Port=PORTS[protocol], DefaultActions=actions[protocol], **secure)  # fmt: skip
    show_table(f"listeners on the {balancer['Type']} load balancer", ["protocol", "CreateListener"], found.items())
    return found


@pytest.mark.diverges(
    "ministack", "accepts TCP, TLS, UDP and TCP_UDP listeners on an Application Load Balancer; AWS takes HTTP and "
    "HTTPS only", evidence=LISTENER,
)  # fmt: skip
def test_an_application_load_balancer_listens_on_http_and_https_only(elbv2, alb, certificate):
    found = try_listeners(elbv2, alb, dict.fromkeys(PROTOCOLS, ANSWER), certificate)

    assert found == {"HTTP": "allowed", "HTTPS": "allowed", "TCP": "refused", "TLS": "refused", "UDP": "refused",
                     "TCP_UDP": "refused"}  # fmt: skip


@pytest.mark.diverges(
    "ministack", "accepts HTTP and HTTPS listeners on a Network Load Balancer; AWS takes TCP, TLS, UDP and TCP_UDP",
    evidence=LISTENER,
)  # fmt: skip
def test_a_network_load_balancer_listens_on_tcp_tls_udp_and_tcp_udp(elbv2, nlb, forward_to, certificate):
    tcp = forward_to("TCP")  # a TLS listener may forward to a TCP target group; HTTP and HTTPS get it too
    actions = {"HTTP": tcp, "HTTPS": tcp, "TCP": tcp, "TLS": tcp, "UDP": forward_to("UDP"),
               "TCP_UDP": forward_to("TCP_UDP")}  # fmt: skip

    found = try_listeners(elbv2, nlb, actions, certificate)

    assert found == {"HTTP": "refused", "HTTPS": "refused", "TCP": "allowed", "TLS": "allowed", "UDP": "allowed",
                     "TCP_UDP": "allowed"}  # fmt: skip


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "creates an HTTPS listener without a certificate; AWS refuses a secure listener without one",
    evidence=f"{LISTENER} ; {HTTPS_DOC}",
)
def test_an_https_listener_without_a_certificate_is_refused(elbv2, alb):
    found = outcome(elbv2.create_listener, LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTPS", Port=443,
                    DefaultActions=ANSWER)  # fmt: skip

    assert found == "refused"


@pytest.mark.diverges(
    ("moto", "moto-server", "ministack"),
    "creates a TLS listener without a certificate; AWS refuses a secure listener without one",
    evidence=LISTENER,
)
def test_a_tls_listener_without_a_certificate_is_refused(elbv2, nlb, forward_to):
    found = outcome(elbv2.create_listener, LoadBalancerArn=nlb["LoadBalancerArn"], Protocol="TLS", Port=8443,
                    DefaultActions=forward_to("TCP"))  # fmt: skip

    assert found == "refused"


def test_an_https_listener_keeps_its_certificate(elbv2, alb, certificate):
    created = elbv2.create_listener(LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTPS", Port=443,
                                    Certificates=[{"CertificateArn": certificate}], DefaultActions=ANSWER)  # fmt: skip

    listener = elbv2.describe_listeners(ListenerArns=[created["Listeners"][0]["ListenerArn"]])["Listeners"][0]
    assert (listener["Protocol"], listener["Port"]) == ("HTTPS", 443)
    assert [c["CertificateArn"] for c in listener["Certificates"]] == [certificate]
