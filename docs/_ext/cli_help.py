"""Sphinx extension: the command-line reference, rendered from the argparse parsers.

Directive ``cli-help`` (MyST: ```` ```{cli-help} ```` ... ```` ``` ````) walks the parser that
``scalinglaws.cli.build_parser()`` builds, recursively through every sub-command, and renders
each command's ``--help`` text under a heading with a stable anchor ``cli-<command>-<sub>``.
The page is therefore always the help of the installed version: nothing is copied by hand.
"""
from __future__ import annotations

import argparse
import os
from typing import Iterator, List, Tuple

from docutils import nodes
from sphinx.util.docutils import SphinxDirective


def walk(parser: argparse.ArgumentParser, words: Tuple[str, ...] = ()) -> Iterator[Tuple[Tuple[str, ...], argparse.ArgumentParser]]:
    yield words, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                # aliases map to the same parser object: list each parser once
                if sub.prog.split()[-1] != name:
                    continue
                yield from walk(sub, words + (name,))


def help_text(parser: argparse.ArgumentParser) -> str:
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"         # stable wrapping, whatever the terminal
    try:
        return parser.format_help()
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


class CliHelp(SphinxDirective):
    has_content = False
    required_arguments = 0
    optional_arguments = 0

    def run(self) -> List[nodes.Node]:
        from scalinglaws.cli import build_parser

        out: List[nodes.Node] = []
        for words, parser in walk(build_parser()):
            name = " ".join(("scalinglaws",) + words)
            anchor = nodes.make_id("cli-" + "-".join(words) if words else "cli-scalinglaws")
            section = nodes.section(ids=[anchor])
            section += nodes.title(text=name)
            block = nodes.literal_block(text=help_text(parser).rstrip() + "\n")
            block["language"] = "text"
            section += block
            out.append(section)
        return out


def setup(app):  # noqa: ANN001
    app.add_directive("cli-help", CliHelp)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
