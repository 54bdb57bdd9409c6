"""Tests of labkit itself: most run a small pytest session of their own with ``pytester``."""

import boto3
import pytest

from labkit.backends import FAKE_CREDENTIALS, MotoServerBackend

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _labs_clean_state():
    """labkit's own tests set up backends themselves: no moto mock wrapped around them (it would nest)."""
    yield


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """Nested sessions load no hypothesis plugin, as ours do not: loaded in-process, it leaves hypothesis believing
    it is still starting up, and the Newick lab's property test, later in the same worker, warns of slow code."""
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:hypothesispytest")
    return pytester


@pytest.fixture(scope="module")
def moto_server():
    """A moto server for one test module: the stand-in for AWS where a test needs real HTTP or its own state."""
    server = MotoServerBackend()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server_client(moto_server):
    """``server_client("sqs")``: a client of the module's moto server, reset for this test, with the labs' fake
    credentials. (An in-process mock of a test's own would nest in the one the labs' session keeps, paused between
    tests, and in some orders nothing would answer.)"""
    moto_server.reset()
    session = boto3.Session(
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    return lambda service: session.client(service, endpoint_url=moto_server.endpoint_url)
