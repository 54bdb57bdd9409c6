"""``labs show``: a lab's README in the terminal, with its code blocks whole and its commands as a reader types them.

Prose goes through rich's Markdown renderer; code blocks do not: rich would wrap them at the terminal width,
and a copied ``export`` line or quoted string would break. A By hand block (```` ```console ````) is written
for byexample, which CI runs: ``$ `` starts a command, ``> `` continues it, ``<...>`` matches any output and
``<BLANKLINE>`` an empty line. On screen the command is shown as typed (no prompt, no continuation marks),
the expected output dimmed, ``<...>`` as ``...``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt
from rich.console import Console
from rich.markdown import Markdown
from rich.text import Text


@dataclass(frozen=True)
class Block:
    """A run of README lines: prose (Markdown) or code (printed verbatim); ``info`` is a fence's language."""

    text: str
    code: bool = False
    info: str = ""


def blocks(readme: str) -> Iterator[Block]:
    """The README split into prose and code blocks, in order (fenced and indented code alike)."""
    lines = readme.splitlines()
    position = 0
    for token in MarkdownIt().parse(readme):
        if token.type not in ("fence", "code_block") or token.map is None or token.level != 0:
            continue
        start, end = token.map
        if start > position:
            yield Block("\n".join(lines[position:start]))
        yield Block(token.content.rstrip("\n"), code=True, info=token.info.strip())
        position = end
    if position < len(lines):
        yield Block("\n".join(lines[position:]))


def console_lines(block: str) -> Iterator[tuple[str, str]]:
    """A console block as (kind, line): ``command`` lines as typed, ``output`` lines as printed."""
    for line in block.splitlines():
        if line.startswith("$ ") or line.startswith("> "):
            yield "command", line[2:]
        elif line.strip() == "<BLANKLINE>":
            yield "output", ""
        else:
            yield "output", line.replace("<...>", "...")


def render(readme: str, console: Console) -> None:
    """Print the README: prose rendered, code verbatim (never wrapped or cropped by rich)."""
    for block in blocks(readme):
        if not block.code:
            if block.text.strip():
                console.print(Markdown(block.text))
            continue
        if block.info == "console":
            text = Text()
            for kind, line in console_lines(block.text):
                text.append(line + "\n", style="bold" if kind == "command" else "dim")
        else:
            text = Text(block.text + "\n", style="bold")
        console.print(text, soft_wrap=True, crop=False, overflow="ignore", no_wrap=True)
