"""The pytest plugin: ``--backend``, the ``diverges`` and ``needs`` markers, the guard, and client fixtures."""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from labkit import collector, evidence, report
from labkit.backends import BACKENDS, CAPABILITIES, PROVIDED_BY, Backend, BackendError, make_backend
from labkit.catalog import CatalogError, Lab, load_lab
from labkit.cleanup import ResourceTracker
from labkit.clients import SharedClients
from labkit.evidence import EVIDENCE_PROPERTY
from labkit.guard import Guard
from labkit.naming import unique_name as _unique_name

BACKEND_VARIABLE = "LABS_BACKEND"
backend_key = pytest.StashKey[Backend]()
guard_key = pytest.StashKey[Guard]()
collector_key = pytest.StashKey[collector.Tuning]()

MARKERS = {
    "diverges": (
        "diverges(backend, reason, *, evidence, raises=None): the assertion is AWS's and this backend (a name or "
        "a tuple of names) falls short; strict xfail on that backend only, so a fixed emulator fails loudly. "
        "evidence: how we know what AWS does (labkit.evidence)."
    ),
    "uses": (
        "uses(*services): this test calls these AWS services (boto3 names) beyond its lab's; skip, with the "
        "reason, where the backend does not serve one (lab-wide services go in lab.toml)."
    ),
    "needs": (
        "needs(*capabilities): skip, with the reason, on a backend that lacks one of: " + ", ".join(CAPABILITIES) + "."
    ),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("labs", "AWS labs")
    group.addoption(
        "--backend",
        dest="labs_backend",
        default=None,
        metavar="NAME",
        help=f"where AWS calls go: {', '.join(BACKENDS)} (default: ${BACKEND_VARIABLE} or moto)",
    )


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto``: one worker more than the cores this process may use (unless ``PYTEST_XDIST_AUTO_NUM_WORKERS``
    says otherwise). Labs wait now and then (a visibility timeout, a long poll, a Lambda timeout, an AWS CLI
    process) and the extra worker runs meanwhile: the README's command on 2 cores took 162 s with 2, 136 s with 3."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    return len(os.sched_getaffinity(0)) + 1 if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1) + 1


def backend_name(config: pytest.Config) -> str:
    """The backend asked for: --backend, else $LABS_BACKEND, else moto."""
    return str(config.getoption("labs_backend") or os.environ.get(BACKEND_VARIABLE) or "moto")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # First to configure, so last to clean up: the collector stays tuned through pytest's own two closing collections
    # (for unraisable exceptions). At the end of a serial run they took 2.3 s, and 1.7 s with what tune() froze
    # still frozen (most of what is alive by then was made during the tests, and is walked either way).
    config.add_cleanup(functools.partial(_restore_collector, config))
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    try:
        backend = make_backend(backend_name(config))
    except BackendError as exc:
        raise pytest.UsageError(str(exc)) from None
    guard = Guard(backend)
    guard.install()
    config.stash[backend_key] = backend
    config.stash[guard_key] = guard
    if config.getoption("capture") == "no":
        report.start_line = functools.partial(_end_progress_line, config)


def _end_progress_line(config: pytest.Config) -> None:
    """End pytest's line of progress dots (``-s``), so what a lab prints starts on a line of its own."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    reporter.ensure_newline()  # and pytest repeats the file name before the next dots
    if reporter._tw.width_of_current_line:  # -q writes dots with no file name, which ensure_newline ignores
        reporter._tw.line()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Tune the garbage collector once the tests are collected (see :mod:`labkit.collector`)."""
    if collector_key not in session.config.stash:
        session.config.stash[collector_key] = collector.tune()


def _restore_collector(config: pytest.Config) -> None:
    if collector_key in config.stash:
        config.stash[collector_key].restore()
        del config.stash[collector_key]


def pytest_unconfigure(config: pytest.Config) -> None:
    report.start_line = report.no_op
    if guard_key in config.stash:
        config.stash[guard_key].uninstall()
    if backend_key in config.stash:
        config.stash[backend_key].stop()


def pytest_report_header(config: pytest.Config) -> str:
    backend = config.stash[backend_key]
    return f"labs backend: {backend.name} ({backend.description})"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Check an external backend once, up front, so a missing LocalStack fails in seconds, not per test."""
    backend = session.config.stash[backend_key]
    if backend.name == "localstack":
        try:
            backend.start()
        except BackendError as exc:
            raise pytest.UsageError(str(exc)) from None


@dataclass(frozen=True)
class Divergence:
    """One ``diverges`` mark, checked: the backends that fall short, why, and how we know what AWS does."""

    backends: frozenset[str]
    reason: str
    evidence: str | None
    raises: Any = None


def divergence(mark: pytest.Mark, nodeid: str) -> Divergence:
    """The mark's content, or a UsageError naming what is wrong with it."""
    if len(mark.args) != 2 or not isinstance(mark.args[1], str) or not mark.args[1].strip():
        raise pytest.UsageError(f"{nodeid}: use @pytest.mark.diverges(backend, reason, evidence=...)")
    names = frozenset({mark.args[0]} if isinstance(mark.args[0], str) else mark.args[0])
    unknown = names - set(BACKENDS)
    if unknown:
        raise pytest.UsageError(f"{nodeid}: diverges names unknown backend(s) {sorted(unknown)}")
    extra = set(mark.kwargs) - {"evidence", "raises"}
    if extra:
        raise pytest.UsageError(f"{nodeid}: diverges takes evidence= and raises=, not {sorted(extra)}")
    evidence_given = mark.kwargs.get("evidence")
    if evidence_given is not None and (why := evidence.problem(evidence_given)):
        raise pytest.UsageError(f"{nodeid}: {why}")
    return Divergence(names, mark.args[1], evidence_given, mark.kwargs.get("raises"))


@functools.cache
def _lab(folder: Path) -> Lab | None:
    """The lab in ``folder`` (None when it has no valid lab.toml: the catalog tests report that)."""
    try:
        return load_lab(folder)
    except CatalogError:
        return None


def _lab_skip(backend: Backend, item: pytest.Item) -> str | None:
    """Why a lab's test cannot run on this backend: a service it uses, or a capability its lab.toml needs."""
    lab = _lab(item.path.parent)
    if lab is None:
        return None
    for service in lab.services:
        why = backend.lacks_service(service)
        if why:
            return f"this lab uses {service}: {why}"
    for capability in lab.needs:
        why = backend.lacks(capability)
        if why:
            return f"this lab needs {capability}: {why}{_where_it_runs(capability, item)}"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Turn ``diverges`` into a strict xfail and ``needs`` into a skip, for the selected backend only; skip
    labs whose lab.toml names a service the backend cannot serve."""
    backend = config.stash[backend_key]
    for item in items:
        why_not = _lab_skip(backend, item)
        if why_not:
            item.add_marker(pytest.mark.skip(reason=why_not))
        for mark in item.iter_markers("diverges"):
            found = divergence(mark, item.nodeid)
            if backend.name in found.backends:
                reason = f"{backend.name} diverges: {found.reason}"
                item.add_marker(pytest.mark.xfail(strict=True, raises=found.raises, reason=reason))
                if found.evidence:
                    item.user_properties.append((EVIDENCE_PROPERTY, found.evidence))
                if not config.option.runxfail and isinstance(item, pytest.Function):
                    _summarise_expected_failures(item, found.raises)
        for mark in item.iter_markers("uses"):
            for service in mark.args:
                why = backend.lacks_service(service)
                if why:
                    item.add_marker(pytest.mark.skip(reason=f"this test uses {service}: {why}"))
        for mark in item.iter_markers("needs"):
            for capability in mark.args:
                if capability not in CAPABILITIES:
                    raise pytest.UsageError(
                        f"{item.nodeid}: unknown capability {capability!r}; known: {', '.join(CAPABILITIES)}"
                    )
                why = backend.lacks(capability)
                if why:
                    item.add_marker(
                        pytest.mark.skip(reason=f"needs {capability}: {why}{_where_it_runs(capability, item)}")
                    )


def _summarise_expected_failures(item: pytest.Function, raises: Any) -> None:
    """An expected divergence is reported by its reason, never by its traceback: give pytest the exception's one
    line instead of a traceback it would build and throw away (through botocore's frames: ~60 ms a test, seconds
    for a folder). That holds for a fixture that fails in setup too (pytest formats those with ``_repr_failure_py``,
    not ``repr_failure``: 20 labs on moto, 1.6 s). Any other exception still gets the full traceback (it fails the
    test); ``--runxfail`` turns this off."""

    def summarised(full: Callable[..., Any]) -> Callable[..., Any]:
        def represent(excinfo: pytest.ExceptionInfo[BaseException], *args: Any, **kwargs: Any) -> Any:
            if raises is None or excinfo.errisinstance(raises):
                return excinfo.exconly()
            return full(excinfo, *args, **kwargs)

        return represent

    item.repr_failure = summarised(item.repr_failure)  # type: ignore[method-assign]
    item._repr_failure_py = summarised(item._repr_failure_py)  # type: ignore[method-assign]


def _where_it_runs(capability: str, item: pytest.Item) -> str:
    """``; run it with: pytest labs/x/y --backend ministack``: the command that runs a test skipped here."""
    other = PROVIDED_BY.get(capability)
    if other is None:
        return ""
    return f"; run it with: pytest {item.nodeid.split('::', 1)[0]} --backend {other}"


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """One line on what xfails and skips mean here, instead of a page of reasons (``-rx`` / ``-rs`` list them)."""
    shown = config.getoption("reportchars", "") or ""
    xfailed = len(terminalreporter.stats.get("xfailed", []))
    skipped = len(terminalreporter.stats.get("skipped", []))
    backend = config.stash[backend_key].name
    if xfailed and not {"x", "a", "A"} & set(shown):
        terminalreporter.write_line(
            f"labs: {xfailed} xfailed = divergences: each test asserts what AWS does and {backend} falls short of it "
            "(reasons: -rx; with their evidence: labs run <lab>, docs/parity.md)"
        )
    if skipped and not {"s", "a", "A"} & set(shown):
        terminalreporter.write_line(
            f"labs: {skipped} skipped = what {backend} cannot run; -rs says why and which backend runs it"
        )


# --- fixtures -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def backend(pytestconfig: pytest.Config) -> Iterator[Backend]:
    """The selected backend, started once per session (per xdist worker)."""
    selected = pytestconfig.stash[backend_key]
    try:
        selected.start()
    except BackendError as exc:
        pytest.exit(str(exc), returncode=pytest.ExitCode.USAGE_ERROR)
    pytestconfig.stash[guard_key].refresh()
    yield selected
    selected.stop()


@pytest.fixture
def resource_tracker(backend: Backend) -> Iterator[ResourceTracker]:
    """What this test created; undone at teardown on backends that keep state between tests (real AWS)."""
    tracker = ResourceTracker()
    yield tracker
    failures = tracker.undo_all()
    if failures:
        warnings.warn(f"cleanup left resources behind: {failures}", stacklevel=1)
    if tracker.untracked:
        warnings.warn(f"created, and not cleaned up by the harness: {tracker.untracked}", stacklevel=1)


@pytest.fixture(autouse=True)
def _labs_clean_state(backend: Backend) -> Iterator[None]:
    """Every test starts from a clean emulator state."""
    with backend.test_scope():
        yield


@pytest.fixture
def aws_region(backend: Backend) -> str:
    """The region every client of this test uses."""
    return backend.region


def _client_config(backend: Backend, service: str, config: Config | None) -> Config:
    options: dict[str, Any] = {
        "retries": {"mode": "standard", "max_attempts": 2},
        "connect_timeout": 5,
        "read_timeout": 60,
    }
    if backend.endpoint_url and service == "s3":
        options["s3"] = {"addressing_style": "path"}  # a bucket name cannot be a subdomain of 127.0.0.1
    base = Config(**options)
    return base.merge(config) if config else base


ClientFactory = Callable[..., Any]


@pytest.fixture(scope="session")
def _boto3_session(backend: Backend) -> boto3.Session:
    """One boto3 session for the whole run: its loaded service models make each new client cheap (a fresh
    session per test cost ~0.1-0.5 s a client). Clients stay per test; state lives in the emulator, not here."""
    return boto3.Session(region_name=backend.region)


@pytest.fixture(scope="session")
def _shared_clients() -> SharedClients:
    """The run's clients on backends that keep no per-test client state (see :mod:`labkit.clients`)."""
    return SharedClients()


def _factory(
    session: boto3.Session, backend: Backend, tracker: ResourceTracker, kind: str, clients: SharedClients
) -> Callable[..., Any]:
    def build(service: str, config: Config | None, kwargs: dict[str, Any]) -> Any:
        arguments = {**backend.client_kwargs(service), **kwargs}
        arguments["config"] = _client_config(backend, service, config)
        made = getattr(session, kind)(service, **arguments)
        if backend.track_resources:
            tracker.watch(made if kind == "client" else made.meta.client)
        return made

    def make(service: str, *, config: Config | None = None, **kwargs: Any) -> Any:
        if config is not None or kwargs:
            return build(service, config, kwargs)
        return clients.get((kind, service), lambda: build(service, None, {}))

    return make


def _handing_out(
    kind: str, session: boto3.Session, backend: Backend, tracker: ResourceTracker, shared: SharedClients
) -> Iterator[ClientFactory]:
    """A test's factory of clients (or resources): the run's on moto and moto-server, the test's own where the
    resource tracker watches each client (state kept between tests: what a test creates is undone through its
    clients); a client whose handlers the test changed is dropped when it ends."""
    clients = SharedClients() if backend.track_resources else shared
    yield _factory(session, backend, tracker, kind, clients)
    clients.drop_changed()


@pytest.fixture
def aws_client(
    _boto3_session: boto3.Session, backend: Backend, resource_tracker: ResourceTracker, _shared_clients: SharedClients
) -> Iterator[ClientFactory]:
    """``aws_client("dynamodb")``: a boto3 client for the selected backend (the same one on each call)."""
    yield from _handing_out("client", _boto3_session, backend, resource_tracker, _shared_clients)


@pytest.fixture
def aws_resource(
    _boto3_session: boto3.Session, backend: Backend, resource_tracker: ResourceTracker, _shared_clients: SharedClients
) -> Iterator[ClientFactory]:
    """``aws_resource("dynamodb")``: a boto3 resource for the selected backend."""
    yield from _handing_out("resource", _boto3_session, backend, resource_tracker, _shared_clients)


@pytest.fixture
def moto_config(backend: Backend) -> Iterator[Callable[[dict[str, Any]], None]]:
    """``moto_config({"stepfunctions": {"execute_state_machine": True}})``: moto's settings for this test
    only (both moto backends); on LocalStack and AWS it changes nothing, they behave as they do."""
    with ExitStack() as stack:
        yield lambda config: stack.enter_context(backend.moto_config(config))


@pytest.fixture
def unique_name() -> Callable[..., str]:
    """``unique_name("books")`` -> ``labs-books-1a2b3c4d``: valid for tables, buckets, queues, streams."""
    return _unique_name


@pytest.fixture
def aws_account_id(aws_client: ClientFactory) -> str:
    """The account the backend reports (moto's is 123456789012)."""
    return str(aws_client("sts").get_caller_identity()["Account"])
