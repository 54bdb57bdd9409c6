"""The ``labs`` command: list, read, run and follow the labs, serve an emulator, and check the machine.

labs list [service]          every lab: title, sources, services
labs show <lab>              a lab's README, rendered
labs run <service-or-lab>    its tests, then what they demonstrated on this backend
labs serve                   moto server (or LocalStack) in the foreground, for the By hand steps
labs doctor                  versions, backends, Docker, Python 3.12+ for host LocalStack
labs index [--write]         labs/README.md and docs/coverage.md, checked or regenerated
labs parity [--run] [--write] every lab's status on every backend, from the test runs (docs/parity.md)
"""

from __future__ import annotations

import importlib
import os
import signal
import threading
from enum import StrEnum
from pathlib import Path
from types import FrameType, ModuleType
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from labkit import coverage
from labkit import parity as parity_page
from labkit.backends import LOCALSTACK_HOW_TO_START, BackendError, LocalStackBackend, MotoServerBackend
from labkit.catalog import CatalogError, Lab, find_lab, select, survey
from labkit.cli.byhand import by_hand_environment, export_lines
from labkit.cli.doctor import run_checks
from labkit.cli.runner import Outcome, run_pytest

app = typer.Typer(
    help="Run, read and follow the AWS labs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class BackendName(StrEnum):
    """Where ``labs run`` sends the AWS calls."""

    moto = "moto"
    moto_server = "moto-server"
    localstack = "localstack"
    aws = "aws"


class ServeBackend(StrEnum):
    """What ``labs serve`` starts."""

    moto_server = "moto-server"
    localstack = "localstack"


DEFAULT_MOTO_PORT = 5000
DEFAULT_LOCALSTACK_PORT = 4566


def _console() -> Console:
    return Console(highlight=False)


def _fail(message: str, code: int = 1) -> typer.Exit:
    Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(code)


def _labs() -> list[Lab]:
    """Every lab that loads; a warning (on stderr) for each that does not."""
    labs, errors = survey()
    for error in errors:
        Console(stderr=True, highlight=False).print(f"[yellow]skipped a lab:[/] {escape(str(error))}")
    return labs


def _short(file: str) -> str:
    return file.split("_", 1)[0]


@app.command("list")
def list_labs(
    service: Annotated[str | None, typer.Argument(help="only the labs of this service (e.g. dynamodb)")] = None,
) -> None:
    """Every lab with its title, the notes it comes from and the services it uses."""
    labs = _labs()
    if service:
        chosen = [lab for lab in labs if service in (lab.service, *lab.services)]
        if not chosen:
            known = sorted({lab.service for lab in labs} | {s for lab in labs for s in lab.services})
            raise typer.BadParameter(f"no lab uses {service!r}; services: {', '.join(known)}", param_hint="SERVICE")
        labs = chosen
    table = Table(title=f"{len(labs)} labs", show_lines=False)
    table.add_column("lab", style="bold", no_wrap=True)
    table.add_column("title")
    table.add_column("from the notes")
    table.add_column("services")
    for lab in labs:
        sources = "\n".join(f"{_short(s.file)}: {s.section}" for s in lab.sources)
        table.add_row(lab.name, escape(lab.title), escape(sources), ", ".join(lab.services))
    _console().print(table)


def _find(name: str) -> Lab:
    try:
        return find_lab(name, _labs())
    except CatalogError as exc:
        raise typer.BadParameter(str(exc), param_hint="LAB") from None


@app.command()
def show(lab: Annotated[str, typer.Argument(help="dynamodb/query_vs_scan, or a unique suffix: query_vs_scan")]) -> None:
    """A lab's README, rendered in the terminal."""
    found = _find(lab)
    console = _console()
    console.print(f"[dim]{found.readme.relative_to(coverage.ROOT)}[/]")
    console.print(Markdown(found.readme.read_text(encoding="utf-8")))


_HEADINGS = {
    "passed": ("✓", "green", "shown"),
    "xfailed": ("≠", "yellow", "diverges here (the test asserts AWS's behaviour; this backend falls short)"),
    "xpassed": ("!", "red", "diverges mark no longer true: the emulator now behaves like AWS, remove the mark"),
    "skipped": ("-", "cyan", "skipped"),
    "failed": ("✗", "red", "failed"),
}


def summary(outcomes: list[Outcome], backend: str) -> Tree:
    """What the run demonstrated: per lab, the claims shown, the divergences with reasons, skips, failures."""
    tree = Tree(f"[bold]What the labs demonstrated on {escape(backend)}[/]")
    for lab in sorted({o.lab for o in outcomes}):
        node = tree.add(f"[bold]{escape(lab)}[/]")
        mine = sorted((o for o in outcomes if o.lab == lab), key=lambda o: o.nodeid)
        for outcome, (mark, style, heading) in _HEADINGS.items():
            found = [o for o in mine if o.outcome == outcome]
            if not found:
                continue
            group = node.add(f"[{style}]{len(found)} {heading}[/]")
            for o in found:
                leaf = group.add(f"[{style}]{mark}[/] {escape(o.claim)}")
                if o.reason and outcome != "passed":
                    leaf.add(f"[dim]{escape(o.reason)}[/]")
                if o.evidence:
                    leaf.add(f"[dim]evidence: {escape(o.evidence)}[/]")
    if not outcomes:
        tree.add("[red]no test ran[/]")
    return tree


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def run(
    ctx: typer.Context,
    target: Annotated[
        str, typer.Argument(help="a service (dynamodb) or a lab (dynamodb/query_vs_scan, query_vs_scan)")
    ],
    backend: Annotated[
        BackendName | None, typer.Option(help="where AWS calls go (default: $LABS_BACKEND or moto)")
    ] = None,
) -> None:
    """Run a service's or a lab's tests, then summarise what they demonstrated. Extra arguments go to pytest."""
    try:
        labs = select(target, _labs())
    except CatalogError as exc:
        raise typer.BadParameter(str(exc), param_hint="TARGET") from None
    name = backend.value if backend else os.environ.get("LABS_BACKEND") or "moto"
    console = _console()
    for lab in labs:
        if name not in lab.backends:
            console.print(f"[yellow]note:[/] {lab.name} lists backends {', '.join(lab.backends)}, not {name}")
    code, outcomes = run_pytest(labs, name, ctx.args, lambda line: console.out(line, highlight=False))
    console.print()
    console.print(summary(outcomes, name))
    raise typer.Exit(code)


def _wait_for_interrupt() -> None:
    """Block until Ctrl-C (SIGINT) or SIGTERM."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


def _print_environment(endpoint: str, region: str, what: str) -> None:
    typer.echo(f"{what} is listening on {endpoint}. In another terminal, for a README's By hand steps:")
    typer.echo("")
    for line in export_lines(by_hand_environment(endpoint, region)):
        typer.echo(line)
    typer.echo("")


def _host_launcher() -> ModuleType | None:
    """labkit.localstack_host (LocalStack without Docker), when this checkout has it."""
    try:
        module = importlib.import_module("labkit.localstack_host")
    except ImportError:
        return None
    return module if hasattr(module, "start") and hasattr(module, "stop") else None


@app.command()
def serve(
    backend: Annotated[ServeBackend, typer.Option(help="the emulator to start")] = ServeBackend.moto_server,
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help=f"default {DEFAULT_MOTO_PORT} (LocalStack {DEFAULT_LOCALSTACK_PORT})"),
    ] = None,
) -> None:
    """Start an emulator in the foreground and print the environment for the By hand steps; Ctrl-C stops it."""
    if backend is ServeBackend.moto_server:
        server = MotoServerBackend(port=port or DEFAULT_MOTO_PORT)
        try:
            server.start()
        except BackendError as exc:
            raise _fail(f"{exc}\nIs another server on that port? Try --port.") from None
        try:
            _print_environment(str(server.endpoint_url), server.region, "moto server")
            typer.echo("Ctrl-C stops it.")
            _wait_for_interrupt()
        finally:
            server.stop()
        typer.echo("moto server stopped.")
        return
    _serve_localstack(port or DEFAULT_LOCALSTACK_PORT)


def _serve_localstack(port: int) -> None:
    endpoint = f"http://127.0.0.1:{port}"
    probe = LocalStackBackend(endpoint_url=endpoint, check_timeout=1.0)
    try:
        probe.health()
    except BackendError:
        pass
    else:
        _print_environment(endpoint, probe.region, "LocalStack (already running, not started by labs serve)")
        return
    host = _host_launcher()
    if host is None:
        raise _fail(f"LocalStack is not answering at {endpoint}.\n{LOCALSTACK_HOW_TO_START}")
    typer.echo(f"Starting LocalStack on the host at {endpoint} (the first start installs it) ...")
    try:
        host.start(port)
    except Exception as exc:  # noqa: BLE001 - the launcher's error says what to do
        raise _fail(f"{exc}\n{LOCALSTACK_HOW_TO_START}") from None
    try:
        _print_environment(endpoint, probe.region, "LocalStack")
        typer.echo("Ctrl-C stops it.")
        _wait_for_interrupt()
    finally:
        host.stop(port)
    typer.echo("LocalStack stopped.")


@app.command()
def doctor() -> None:
    """Python and package versions, which backends work here, Docker, and Python 3.12+ for host LocalStack."""
    checks = run_checks()
    table = Table(title="labs doctor")
    table.add_column("check", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("found")
    table.add_column("if not")
    marks = {True: "[green]ok[/]", False: "[red]missing[/]", None: "[yellow]absent[/]"}
    for check in checks:
        table.add_row(
            check.name, marks[check.ok], escape(check.detail), escape(check.fix if check.ok is not True else "")
        )
    _console().print(table)
    if any(check.ok is False for check in checks):
        raise typer.Exit(1)


@app.command()
def index(
    write: Annotated[bool, typer.Option("--write", help="regenerate the pages instead of checking them")] = False,
) -> None:
    """Check (or --write) the generated labs/README.md and docs/coverage.md."""
    labs = _labs()
    try:
        sections = coverage.load_sections()
    except CatalogError as exc:
        raise _fail(str(exc)) from None
    pages = coverage.generate(labs, sections)
    console = _console()
    if write:
        written = coverage.write(pages)
        for path in written:
            console.print(f"wrote {path.relative_to(coverage.ROOT)}")
        if not written:
            console.print("labs/README.md and docs/coverage.md are up to date")
    gaps = coverage.missing(sections, labs)
    for section in gaps:
        console.print(f"[yellow]no lab yet:[/] {section.file}, {escape(section.section)}")
    stale = [] if write else coverage.stale(pages)
    for path in stale:
        console.print(f"[red]out of date:[/] {path.relative_to(coverage.ROOT)} (run: {coverage.REGENERATE})")
    if stale:
        raise typer.Exit(1)
    if not write:
        console.print("labs/README.md and docs/coverage.md are up to date")


@app.command()
def parity(
    outcomes: Annotated[
        Path, typer.Option("--outcomes", help="folder of <backend>.json outcome files from test runs")
    ] = Path(".parity"),
    run_first: Annotated[
        bool, typer.Option("--run", help="first run the labs on moto, moto-server and (if it answers) LocalStack")
    ] = False,
    write: Annotated[bool, typer.Option("--write", help="write docs/parity.md instead of checking it")] = False,
) -> None:
    """Every lab's status on every backend (pass, diverges, skipped), from the test runs themselves."""
    if run_first:
        backends = ["moto", "moto-server"]
        try:
            LocalStackBackend(check_timeout=1.0).health()
            backends.append("localstack")
        except BackendError:
            _console().print("[yellow]LocalStack is not answering: its column is left out[/]")
        for backend in backends:
            _console().print(f"running the labs on {backend} ...")
            parity_page.run_backend(backend, outcomes)
    try:
        found = parity_page.load(outcomes)
    except FileNotFoundError as exc:
        raise _fail(f"{exc}; run with --run, or point --outcomes at a folder of test-run outcomes") from None
    page = parity_page.render(parity_page.build(found), found)
    target = parity_page.PARITY_PAGE
    if write:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
        _console().print(f"wrote {target.relative_to(coverage.ROOT)}")
        return
    _console().print(Markdown(page))
    current = target.read_text(encoding="utf-8") if target.is_file() else ""
    if current != page:
        raise _fail(f"{target.relative_to(coverage.ROOT)} is out of date (run: {parity_page.REGENERATE})")


def main() -> None:
    """Entry point of the ``labs`` console script."""
    app()
