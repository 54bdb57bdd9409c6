"""The four places a lab can run: in-process moto, moto server, LocalStack and (on purpose only) real AWS."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import requests

if TYPE_CHECKING:
    from labkit.moto_thread_server import MotoThreadServer

DEFAULT_REGION = "us-east-1"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
AWS_CONFIRMATION_VARIABLE = "LABS_AWS_I_ACCEPT_REAL_CHARGES"
LOCALSTACK_DOCKER_VARIABLE = "LABS_LOCALSTACK_DOCKER"
LOCALSTACK_HOST_DEFAULT = "127.0.0.1:4566"
LOCALSTACK_HOW_TO_START = """\
Start LocalStack, then run the labs again:
  with Docker:     docker compose up -d localstack
  without Docker:  see "LocalStack on the host" in README.md (Python 3.12+, localstack-core)
Or pick another backend: --backend moto (default, no Docker), moto-server or ministack."""

#: Capabilities a lab can ask for with ``@pytest.mark.needs(...)``, and what each one means.
CAPABILITIES: dict[str, str] = {
    "http-endpoint": "a real HTTP endpoint that other processes (curl, urllib, the AWS CLI) can reach",
    "docker": "a Docker engine behind the emulator (LocalStack runs Lambda and DynamoDB Local in containers)",
    "dynamodb": "a DynamoDB service (host-mode LocalStack lacks it: it needs Java 21 and DynamoDB Local)",
    "lambda-execution": "running Lambda code through the Lambda API (MiniStack; LocalStack needs Docker for it)",
    "localstack-internals": "LocalStack's own /_aws/... endpoints",
    "real-aws": "a real AWS account",
}


#: The emulator that provides a capability without Docker or an account: where a test that needs it runs.
PROVIDED_BY = {"lambda-execution": "ministack", "http-endpoint": "moto-server", "dynamodb": "moto"}

#: Services that only backends with a capability serve (host-mode LocalStack has no DynamoDB).
SERVICE_CAPABILITIES = {"dynamodb": "dynamodb", "dynamodbstreams": "dynamodb"}


class BackendError(Exception):
    """A backend cannot be used as asked; the message says why and what to do."""


@dataclass
class Backend:
    """Where AWS calls go, and how each test gets a clean slate there."""

    name: ClassVar[str]
    description: ClassVar[str]
    missing: ClassVar[dict[str, str]] = {}
    region: str = DEFAULT_REGION
    endpoint_url: str | None = None
    capabilities: frozenset[str] = frozenset()
    track_resources: bool = False  # undo what each test creates (backends that are never reset)
    #: A resource's status moves on when it is described, not as time passes (moto's state manager counts
    #: describe calls: "immediate", or "manual" after N of them): a wait for a status is bounded by looks here.
    status_moves_on_look: ClassVar[bool] = False
    #: A queue's content changes within the call that changes it: SNS, EventBridge and S3 put a message into a
    #: subscribed queue before the publishing call answers, and a send, delete or purge is whole when it answers
    #: (moto; AWS and the other emulators deliver in the background, over many servers): nothing arrives later.
    delivers_in_the_call: ClassVar[bool] = False

    @property
    def is_emulator(self) -> bool:
        return True

    def start(self) -> None:
        """Make the backend ready for a test session (start a server, check it answers)."""

    def stop(self) -> None:
        """Release whatever ``start`` acquired."""

    @contextmanager
    def test_scope(self) -> Iterator[None]:
        """Run one test against a clean state."""
        yield

    @contextmanager
    def moto_config(self, config: Mapping[str, Mapping[str, Any]]) -> Iterator[None]:
        """moto's own settings (e.g. ``{"stepfunctions": {"execute_state_machine": True}}``) while inside;
        nothing to do on backends that behave like AWS already."""
        yield

    def client_kwargs(self, service: str) -> dict[str, Any]:
        """Keyword arguments for ``boto3.Session.client`` so that ``service`` reaches this backend."""
        kwargs: dict[str, Any] = {"region_name": self.region}
        if self.endpoint_url:
            kwargs["endpoint_url"] = self.endpoint_url
        return kwargs

    #: The fake credentials an emulator is given (real AWS: none, the user's own are used).
    credentials: ClassVar[dict[str, str]] = FAKE_CREDENTIALS

    def environment(self) -> dict[str, str]:
        """Environment lines that point an SDK or the AWS CLI in another process at this backend."""
        env = dict(self.credentials) if self.is_emulator else {}
        env["AWS_DEFAULT_REGION"] = self.region
        if self.endpoint_url:
            env["AWS_ENDPOINT_URL"] = self.endpoint_url
        return env

    def allowed_hosts(self) -> set[tuple[str, int]]:
        """(host, port) pairs a request may go to; empty means nothing may leave the process."""
        if not self.endpoint_url:
            return set()
        parts = urlsplit(self.endpoint_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return {(parts.hostname or "", port)}

    def lacks(self, capability: str) -> str | None:
        """Why this backend cannot provide ``capability``, or None when it can."""
        if capability in self.capabilities:
            return None
        return self.missing.get(capability, f"the {self.name} backend has no {CAPABILITIES[capability]}")

    #: AWS services (boto3 names) this backend does not serve at all, and why; a lab using one skips here.
    unserved: ClassVar[dict[str, str]] = {}

    def lacks_service(self, service: str) -> str | None:
        """Why this backend cannot serve ``service`` (a boto3 service name), or None when it can."""
        if service in SERVICE_CAPABILITIES:
            return self.lacks(SERVICE_CAPABILITIES[service])
        return self.unserved.get(service)


@dataclass
class MotoBackend(Backend):
    """moto patched into botocore in this process: the fastest, with a clean state for every test.

    One ``mock_aws`` serves the whole session: each test starts by resetting every service's state, and between
    tests the mock is paused, so code that runs outside a lab test never meets it. (A fresh ``mock_aws`` per test
    re-registers ~1,300 URL patterns with ``responses``: ~25 ms a test, more than everything else together.)
    """

    name: ClassVar[str] = "moto"
    description: ClassVar[str] = "moto in-process (mock_aws); no server, no Docker"
    missing: ClassVar[dict[str, str]] = {
        "http-endpoint": "in-process moto has no HTTP endpoint",
        "docker": "in-process moto runs without Docker",
        "lambda-execution": "moto cannot run Lambda code without Docker",
    }
    capabilities: frozenset[str] = frozenset({"dynamodb"})
    status_moves_on_look: ClassVar[bool] = True
    delivers_in_the_call: ClassVar[bool] = True
    config: Mapping[str, Any] | None = None
    _mock: Any = None

    def start(self) -> None:
        # moto adds its in-process stubber to botocore's built-in handlers on import: it must happen before
        # the run's boto3 session is made, or that session's clients would never be answered in process.
        import moto.core.models  # noqa: F401

        _lighten_moto(self.region)

    def stop(self) -> None:
        if self._mock is not None:
            self._resume()
            self._mock.stop()
            self._mock = None

    @contextmanager
    def test_scope(self) -> Iterator[None]:
        from moto import mock_aws
        from moto.core.base_backend import BackendDict
        from moto.core.model_instances import reset_model_data

        if self._mock is None:
            self._mock = mock_aws(config=dict(self.config) if self.config else None)  # type: ignore[arg-type]
            self._mock.start()
        # Always reset here: mock_aws.start() resets only when no other mock_aws is active, and moto's state is
        # global to the process, so a run nested in another (pytester) would otherwise see the outer run's state.
        BackendDict.reset()
        reset_model_data()
        self._resume()
        try:
            yield
        finally:
            self._pause()

    @staticmethod
    def _resume() -> None:
        """Answer AWS calls in process again (botocore's stubber and the ``requests`` mock)."""
        from moto.core.models import botocore_stubber, responses_mock

        botocore_stubber.enabled = True
        responses_mock.start()

    @staticmethod
    def _pause() -> None:
        """Stop answering in process, keeping the registered URL patterns for the next test."""
        from moto.core.models import botocore_stubber, responses_mock

        botocore_stubber.enabled = False
        responses_mock.stop(allow_assert=False)

    def moto_config(self, config: Mapping[str, Mapping[str, Any]]) -> Any:
        return _patched_moto_config(config)

    def client_kwargs(self, service: str) -> dict[str, Any]:
        kwargs = super().client_kwargs(service)
        if service == "dynamodbstreams":
            # botocore sends Streams calls to an account-specific host that moto does not route in-process.
            kwargs["endpoint_url"] = f"https://streams.dynamodb.{self.region}.amazonaws.com"
        return kwargs


def _lighten_moto(region: str) -> None:
    """Spare moto work no lab sees: most EC2 images, unused KMS key pairs, IAM partitions, Cognito key imports."""
    from labkit import moto_lean
    from labkit.moto_images import use_fewer_images

    use_fewer_images(region)
    moto_lean.apply()


@contextmanager
def _patched_moto_config(config: Mapping[str, Mapping[str, Any]]) -> Iterator[None]:
    """Update moto's settings section by section, and put them back after. Both moto backends run moto in
    this process (moto server as a thread), so this one dictionary steers both."""
    from moto.core.config import default_user_config

    settings: dict[str, Any] = default_user_config  # type: ignore[assignment]
    unknown = set(config) - set(settings)
    if unknown:
        raise BackendError(f"moto has no settings section(s) {sorted(unknown)}; known: {sorted(settings)}")
    saved = {section: dict(settings[section]) for section in config}
    for section, values in config.items():
        settings[section] = {**settings[section], **values}
    try:
        yield
    finally:
        settings.update(saved)


@dataclass
class MotoServerBackend(Backend):
    """One moto server per test session (per xdist worker) on a free loopback port, reset between tests."""

    name: ClassVar[str] = "moto-server"
    description: ClassVar[str] = "moto server on a free local port: a real HTTP endpoint"
    missing: ClassVar[dict[str, str]] = {
        "docker": "moto server here runs without Docker",
        "lambda-execution": "moto cannot run Lambda code without Docker",
    }
    capabilities: frozenset[str] = frozenset({"http-endpoint", "dynamodb"})
    status_moves_on_look: ClassVar[bool] = True
    delivers_in_the_call: ClassVar[bool] = True
    port: int = 0
    log_requests: bool = False  # a line on stderr for each request (``labs serve``), not in test runs
    _server: MotoThreadServer | None = None

    def start(self) -> None:
        if self._server is None:
            from labkit.moto_thread_server import MotoThreadServer

            _lighten_moto(self.region)
            self._server = MotoThreadServer(self.port, log_requests=self.log_requests)
            self.endpoint_url = self._server.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    @contextmanager
    def test_scope(self) -> Iterator[None]:
        self.reset()
        yield

    def moto_config(self, config: Mapping[str, Mapping[str, Any]]) -> Any:
        return _patched_moto_config(config)

    def reset(self) -> None:
        """Clear every service's state on the server: what its ``/moto-api/reset`` does, done directly, since
        the server is a thread of this process (an HTTP reset cost 2.5 ms a test)."""
        assert self.endpoint_url, "start() the moto server first"
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()


#: Services whose API LocalStack's community edition refuses ("not included in your current license plan").
LOCALSTACK_LICENSED_SERVICES = (
    "athena", "autoscaling", "cloudfront", "cloudtrail", "codebuild", "codecommit", "codedeploy", "codepipeline",
    "cognito-identity", "cognito-idp", "dax", "dms", "ecr", "ecs", "efs", "elasticache", "elasticbeanstalk",
    "elbv2", "emr", "glue", "organizations", "polly", "ram", "rds", "service-quotas", "xray",
)  # fmt: skip


@dataclass
class LocalStackBackend(Backend):
    """A LocalStack that is already running (Docker or host mode); checked once, shared by every test."""

    name: ClassVar[str] = "localstack"
    description: ClassVar[str] = "LocalStack at http://127.0.0.1:4566 (docker compose, or host mode)"
    missing: ClassVar[dict[str, str]] = {
        "docker": f"this LocalStack runs without Docker (set {LOCALSTACK_DOCKER_VARIABLE}=1 if it has Docker)",
        "dynamodb": "host-mode LocalStack has no DynamoDB: it needs Java 21 and DynamoDB Local",
        "lambda-execution": "host-mode LocalStack cannot run Lambda code: it needs Docker",
    }
    # LocalStack checks presigned-URL signatures against the secret key "test" only.
    credentials: ClassVar[dict[str, str]] = {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_SESSION_TOKEN": "test",
    }
    capabilities: frozenset[str] = frozenset({"http-endpoint", "localstack-internals"})
    unserved: ClassVar[dict[str, str]] = {
        service: f"LocalStack's community edition answers InternalFailure for {service}: 'not included in your "
        "current license plan' (probed with localstack-core 2026.3.0)"
        for service in LOCALSTACK_LICENSED_SERVICES
    }
    track_resources: bool = True  # never reset between tests: what a test creates is deleted after it
    check_timeout: float = 2.0

    def __post_init__(self) -> None:
        from localstack_client.config import parse_localstack_host

        if not self.endpoint_url:
            # LOCALSTACK_HOST, parsed as localstack-client does; not AWS_ENDPOINT_URL, which may point at another
            # emulator (a `labs serve` moto server, or the moto-server backend of an enclosing run).
            host, port = parse_localstack_host(os.environ.get("LOCALSTACK_HOST", LOCALSTACK_HOST_DEFAULT))
            scheme = "https" if os.environ.get("USE_SSL") in ("1", "true") else "http"
            self.endpoint_url = f"{scheme}://{host}:{port}"
        if os.environ.get(LOCALSTACK_DOCKER_VARIABLE) == "1":
            # The docker-compose LocalStack has the Docker socket and DynamoDB Local.
            self.capabilities |= {"docker", "dynamodb", "lambda-execution"}

    def health(self) -> dict[str, Any]:
        """LocalStack's own health report; raises BackendError, with how to start it, when it is not there."""
        url = f"{self.endpoint_url}/_localstack/health"
        try:
            response = requests.get(url, timeout=self.check_timeout)
            response.raise_for_status()
            report: dict[str, Any] = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise BackendError(
                f"LocalStack is not answering at {self.endpoint_url} ({type(exc).__name__}).\n{LOCALSTACK_HOW_TO_START}"
            ) from None
        return report

    def start(self) -> None:
        self.health()

    def allowed_hosts(self) -> set[tuple[str, int]]:
        hosts = super().allowed_hosts()
        port = next(iter(hosts))[1]
        # LocalStack names some resources (SQS queue URLs, S3 virtual hosts) under these loopback names.
        return hosts | {("localhost", port), ("127.0.0.1", port), ("localhost.localstack.cloud", port)}


MINISTACK_ENDPOINT_VARIABLE = "MINISTACK_ENDPOINT"
MINISTACK_VERSION = "1.5.33"
#: Services MiniStack does not implement (probed: a bare 400, or a JSON "Unsupported service" botocore cannot parse).
MINISTACK_MISSING_SERVICES = (
    "codecommit", "codedeploy", "codepipeline", "dax", "dms", "elasticbeanstalk", "polly", "ram", "redshift",
    "route53resolver", "service-quotas", "xray",
)  # fmt: skip


@dataclass
class MiniStackBackend(Backend):
    """MiniStack, started by the harness on a free loopback port once per session (per xdist worker) and reset
    between tests; or, with ``$MINISTACK_ENDPOINT``, one already running (docker compose, ``labs serve``)."""

    name: ClassVar[str] = "ministack"
    description: ClassVar[str] = "MiniStack on a local port: runs Lambda code and DynamoDB, no Docker"
    missing: ClassVar[dict[str, str]] = {
        "docker": "MiniStack here runs Lambda functions as local processes, without Docker",
        "localstack-internals": "MiniStack has no LocalStack /_aws/... endpoints",
    }
    capabilities: frozenset[str] = frozenset({"http-endpoint", "dynamodb", "lambda-execution"})
    unserved: ClassVar[dict[str, str]] = {
        service: f"MiniStack {MINISTACK_VERSION} does not implement {service}" for service in MINISTACK_MISSING_SERVICES
    }
    port: int = 0
    start_timeout: float = 30.0
    _started_port: int | None = None
    _process: Any = None

    def __post_init__(self) -> None:
        if not self.endpoint_url and os.environ.get(MINISTACK_ENDPOINT_VARIABLE):
            self.endpoint_url = os.environ[MINISTACK_ENDPOINT_VARIABLE].rstrip("/")

    def start(self) -> None:
        if self.endpoint_url:  # one that runs already, or this backend's own once started
            self._check_health()
            return
        from labkit import ministack_host
        from labkit.host_server import HostServerError, free_port

        port = self.port or free_port()
        try:
            self._process = ministack_host.SERVER.start(port, timeout=self.start_timeout)
        except HostServerError as exc:
            raise BackendError(f"MiniStack could not start: {exc}") from None
        self._started_port = port
        self.endpoint_url = ministack_host.SERVER.url(port)

    def _check_health(self) -> None:
        try:
            requests.get(f"{self.endpoint_url}/_ministack/health", timeout=2).raise_for_status()
        except requests.RequestException as exc:
            raise BackendError(
                f"MiniStack is not answering at {self.endpoint_url} ({type(exc).__name__}). Start it "
                f"(python -m labkit.ministack_host start), or unset {MINISTACK_ENDPOINT_VARIABLE} to let the labs "
                "start one of their own."
            ) from None

    def stop(self) -> None:
        if self._started_port is not None:
            from labkit import ministack_host

            ministack_host.SERVER.stop(self._started_port)
            if self._process is not None:
                self._process.wait(timeout=10)
            ministack_host.discard(self._started_port)
            self._started_port = self._process = self.endpoint_url = None

    @contextmanager
    def test_scope(self) -> Iterator[None]:
        self.reset()
        yield

    def reset(self) -> None:
        """Clear every service's state (MiniStack's own reset endpoint)."""
        assert self.endpoint_url, "start() MiniStack first"
        requests.post(f"{self.endpoint_url}/_ministack/reset", timeout=30).raise_for_status()

    def allowed_hosts(self) -> set[tuple[str, int]]:
        hosts = super().allowed_hosts()
        if not hosts:
            return hosts
        port = next(iter(hosts))[1]
        # MiniStack names queue URLs and S3 virtual hosts under these loopback names.
        return hosts | {("localhost", port), ("127.0.0.1", port)}


@dataclass
class AwsBackend(Backend):
    """A real AWS account. Costs money; refused unless confirmed twice."""

    name: ClassVar[str] = "aws"
    description: ClassVar[str] = f"real AWS (needs {AWS_CONFIRMATION_VARIABLE}=yes as well); costs money"
    capabilities: frozenset[str] = frozenset(set(CAPABILITIES) - {"localstack-internals"})
    track_resources: bool = True

    def __post_init__(self) -> None:
        if os.environ.get(AWS_CONFIRMATION_VARIABLE, "").lower() != "yes":
            raise BackendError(
                "The aws backend sends every lab to a real AWS account, which creates real resources "
                f"and can cost real money.\nTo do that on purpose, also set {AWS_CONFIRMATION_VARIABLE}=yes. "
                "Otherwise use --backend moto (default), moto-server or localstack."
            )
        self.region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION

    @property
    def is_emulator(self) -> bool:
        return False


BACKENDS: dict[str, type[Backend]] = {
    cls.name: cls for cls in (MotoBackend, MotoServerBackend, MiniStackBackend, LocalStackBackend, AwsBackend)
}


def make_backend(name: str, **options: Any) -> Backend:
    """The backend called ``name``, or a BackendError listing the names there are."""
    try:
        cls = BACKENDS[name]
    except KeyError:
        choices = ", ".join(BACKENDS)
        raise BackendError(f"unknown backend {name!r}: choose one of {choices}") from None
    return cls(**options)
