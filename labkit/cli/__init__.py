"""The ``labs`` command: list, read, run and follow the labs, serve an emulator, and check the machine.

labs list [service]          every lab: title, the notes it comes from, services
labs show <lab>              a lab's README in the terminal, code blocks whole
labs run <service-or-lab>    its tests, then what they demonstrated on this backend
labs serve                   an emulator in the foreground (moto server, MiniStack or LocalStack), for By hand
labs doctor                  versions, backends, Docker, Python 3.12+ for host LocalStack
labs index [--write]         labs/README.md and docs/coverage.md, checked or regenerated
labs parity [--run] [--write] every lab's status on every backend, from the test runs (docs/parity.md)
"""

from __future__ import annotations

import difflib
import os
import signal
import threading
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table

from labkit import coverage, localstack_host
from labkit import parity as parity_page
from labkit.backends import (
    LOCALSTACK_HOW_TO_START,
    PROVIDED_BY,
    Backend,
    BackendError,
    LocalStackBackend,
    MiniStackBackend,
    MotoServerBackend,
    make_backend,
)
from labkit.catalog import NOTES, CatalogError, Lab, find_lab, note_name, select, survey
from labkit.cli.byhand import by_hand_environment, export_lines
from labkit.cli.doctor import run_checks
from labkit.cli.readme import render as render_readme
from labkit.cli.runner import Outcome, run_pytest
from labkit.cli.summary import summary
from labkit.host_server import HostServerError, free_port, port_is_taken

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
    ministack = "ministack"
    localstack = "localstack"
    aws = "aws"


class ServeBackend(StrEnum):
    """What ``labs serve`` starts."""

    moto_server = "moto-server"
    ministack = "ministack"
    localstack = "localstack"


DEFAULT_PORTS = {ServeBackend.moto_server: 5000, ServeBackend.ministack: 4567, ServeBackend.localstack: 4566}


def _console() -> Console:
    return Console(highlight=False)


def _fail(message: str, code: int = 1) -> typer.Exit:
    Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


def _labs() -> list[Lab]:
    """Every lab that loads; a warning (on stderr) for each that does not."""
    labs, errors = survey()
    for error in errors:
        Console(stderr=True, highlight=False).print(f"[yellow]skipped a lab:[/] {escape(str(error))}")
    return labs


def _short(file: str) -> str:
    return file.split("_", 1)[0]


def _sources(lab: Lab) -> str:
    """``000 Today I Learned: [DB] PartiQL``, one line per source."""
    return "\n".join(f"{_short(s.file)} {NOTES[s.file].title}: {s.section}" for s in lab.sources)


def _unknown(what: str, name: str, known: list[str]) -> str:
    """``no lab uses 'dynamo'; did you mean: dynamodb?`` (close or containing names; else every name)."""
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    close += [k for k in known if name and name in k and k not in close]
    hint = f"did you mean: {', '.join(close[:5])}?" if close else f"known: {', '.join(known)}"
    return f"no lab {what} {name!r}; {hint}"


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
            raise typer.BadParameter(_unknown("uses", service, known), param_hint="SERVICE")
        labs = chosen
    table = Table(title=f"{len(labs)} labs", show_lines=False)
    table.add_column("lab", style="bold", no_wrap=True)
    table.add_column("title")
    table.add_column("from the notes")
    table.add_column("services")
    for lab in labs:
        table.add_row(lab.name, escape(lab.title), escape(_sources(lab)), ", ".join(lab.services))
    console = _console()
    console.print(table)
    console.print("The notes: " + "; ".join(f"{_short(n.file)} {escape(n.title)}" for n in NOTES.values()))


def _find(name: str) -> Lab:
    try:
        return find_lab(name, _labs())
    except CatalogError as exc:
        raise typer.BadParameter(str(exc), param_hint="LAB") from None


@app.command()
def show(
    lab: Annotated[str | None, typer.Argument(help="dynamodb/query_vs_scan, or a unique suffix: query_vs_scan")] = None,
) -> None:
    """A lab's README in the terminal: code blocks whole, commands as you would type them."""
    if lab is None:
        raise typer.BadParameter("which lab? `labs list` shows every lab", param_hint="LAB")
    found = _find(lab)
    console = _console()
    console.print(f"[dim]{found.readme.relative_to(coverage.ROOT)}[/]")
    for source in found.sources:
        subject = NOTES[source.file].subject
        console.print(f"[dim]from {escape(note_name(source.file))}: {escape(subject)}[/]", soft_wrap=True)
    render_readme(found.readme.read_text(encoding="utf-8"), console)


def _backend_for(lab: Lab, chosen: str) -> tuple[str, str | None]:
    """The backend a lab runs on: the chosen one, or the emulator with what the lab needs and the chosen lacks."""
    backend = make_backend(chosen)
    for capability in lab.needs:
        other = PROVIDED_BY.get(capability)
        if backend.lacks(capability) and other and other != chosen:
            return other, capability
    return chosen, None


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
    """Run a service's or a lab's tests, then summarise what they demonstrated. Extra arguments go to pytest.

    A lab that needs what the backend lacks (running Lambda code, on moto) runs on the emulator that has it.
    """
    name = backend.value if backend else os.environ.get("LABS_BACKEND") or "moto"
    try:
        make_backend(name)  # an unknown or unconfirmed backend is refused before anything else
    except BackendError as exc:
        raise typer.BadParameter(str(exc), param_hint="--backend") from None
    try:
        labs = select(target, _labs())
    except CatalogError as exc:
        raise typer.BadParameter(str(exc), param_hint="TARGET") from None
    console = _console()
    groups: dict[str, list[Lab]] = {}
    for lab in labs:
        where, capability = _backend_for(lab, name)
        if capability:
            console.print(f"[yellow]note:[/] {lab.name} needs {capability}, which {name} lacks: running it on {where}")
        groups.setdefault(where, []).append(lab)
    worst, everything = 0, list[Outcome]()
    for where, chosen in groups.items():
        code, outcomes = run_pytest(chosen, where, ctx.args, lambda line: console.out(line, highlight=False))
        worst, everything = max(worst, code), everything + outcomes
        console.print()
        console.print(summary(outcomes, where))
    raise typer.Exit(worst)


def _wait_for_interrupt() -> None:
    """Block until Ctrl-C (SIGINT) or SIGTERM.

    Both are handled here, not left to Python's default: a shell starts a background job (``labs serve &``) with
    SIGINT ignored, and Python then installs no KeyboardInterrupt for it, so ``kill -INT`` would not stop it.
    """

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _print_environment(endpoint: str, region: str, what: str) -> None:
    typer.echo(f"{what} is listening on {endpoint}. In another terminal, for a README's By hand steps:")
    typer.echo("")
    for line in export_lines(by_hand_environment(endpoint, region)):
        typer.echo(line)
    typer.echo("")


@app.command()
def serve(
    backend: Annotated[ServeBackend, typer.Option(help="the emulator to start")] = ServeBackend.moto_server,
    port: Annotated[
        int | None,
        typer.Option(min=0, max=65535, help="default: moto-server 5000, ministack 4567, localstack 4566; 0: any free"),
    ] = None,
) -> None:
    """Start an emulator in the foreground and print the environment for the By hand steps; Ctrl-C stops it."""
    chosen = DEFAULT_PORTS[backend] if port is None else port or free_port()
    if backend is ServeBackend.localstack:
        _serve_localstack(chosen)
        return
    if port_is_taken(chosen):
        raise _fail(f"127.0.0.1:{chosen} is already in use: pick another port with --port, or --port 0 for a free one")
    if backend is ServeBackend.moto_server:
        server: Backend = MotoServerBackend(port=chosen, log_requests=True)
        what = "moto server"
    else:
        server, what = MiniStackBackend(port=chosen), "MiniStack"
        typer.echo(f"Starting MiniStack on 127.0.0.1:{chosen} (the first start installs it) ...")
    try:
        server.start()
    except BackendError as exc:
        raise _fail(str(exc)) from None
    try:
        _print_environment(str(server.endpoint_url), server.region, what)
        typer.echo("Ctrl-C stops it.")
        _wait_for_interrupt()
    finally:
        server.stop()
    typer.echo(f"{what} stopped.")


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
    typer.echo(f"Starting LocalStack on the host at {endpoint} (the first start installs it) ...")
    try:
        localstack_host.start(port)
    except HostServerError as exc:
        raise _fail(f"{exc}\n{LOCALSTACK_HOW_TO_START}") from None
    try:
        _print_environment(endpoint, probe.region, "LocalStack")
        typer.echo("Ctrl-C stops it.")
        _wait_for_interrupt()
    finally:
        localstack_host.stop(port)
    typer.echo("LocalStack stopped.")


@app.command()
def doctor() -> None:
    """Python and package versions, which backends work here, Docker, and Python 3.12+ for host LocalStack."""
    console = _console()
    marks = {True: "[green]ok     [/]", False: "[red]missing[/]", None: "[yellow]absent [/]"}
    console.print("[bold]labs doctor[/]")
    checks = run_checks()
    for check in checks:
        console.print(f"{marks[check.ok]} [bold]{escape(check.name)}[/]: {escape(check.detail)}", soft_wrap=True)
        if check.ok is not True and check.fix:
            console.print(f"        [dim]if needed: {escape(check.fix)}[/]", soft_wrap=True)
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
        console.print(f"[yellow]not marked yet:[/] {section.file}, {escape(section.section)}")
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
        bool,
        typer.Option("--run", help="first run the labs on moto, moto-server, ministack and (if it answers) LocalStack"),
    ] = False,
    write: Annotated[bool, typer.Option("--write", help="write the page instead of checking it")] = False,
    page: Annotated[Path | None, typer.Option("--page", help="the page (default docs/parity.md)")] = None,
) -> None:
    """Every lab's status on every backend (pass, diverges, skipped), from the test runs themselves."""
    if run_first:
        backends = ["moto", "moto-server", "ministack"]
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
    text = parity_page.render(parity_page.build(found), found)
    page = page or parity_page.PARITY_PAGE
    if write:
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(text, encoding="utf-8")
        _console().print(f"wrote {page}")
        return
    _console().print(Markdown(text))
    current = page.read_text(encoding="utf-8") if page.is_file() else ""
    if current != text:
        raise _fail(f"{page} is out of date (run: {parity_page.REGENERATE})")


def main() -> None:
    """Entry point of the ``labs`` console script."""
    app()
