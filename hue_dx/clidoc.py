"""The command-line reference, docs/cli.md, generated from the ``--help`` of every command and
subcommand (so it says what the commands say, in their words): ``python -m hue_dx.clidoc >
docs/cli.md``. A test fails when the page and the commands drift apart.

Help is laid out at a fixed width (a terminal's own would change the page); the exit codes,
which every ``--help`` ends with, are stated once at the top.
"""

from __future__ import annotations

import argparse
import functools
import sys

from . import cli
from .argparse_vi import Formatter
from .commandline import EXIT_CODES

WIDTH = 100


def _help(parser: argparse.ArgumentParser) -> str:
    saved = parser.formatter_class, parser.epilog
    parser.formatter_class, parser.epilog = functools.partial(Formatter, width=WIDTH), None
    try:
        return parser.format_help().rstrip()
    finally:
        parser.formatter_class, parser.epilog = saved


def markdown() -> str:
    """The page: every command's help, depth first, in the order ``hue-dx --help`` lists them."""
    lines = ["# Tham chiếu dòng lệnh `hue-dx`", "",
             "Trang này sinh ra từ `--help` của từng lệnh (`python -m hue_dx.clidoc > docs/cli.md`); đừng sửa tay.", "",
             "```text", EXIT_CODES, "```", ""]
    for parser in cli.parsers(cli.build_parser()):
        lines += [f"## `{parser.prog}`", "", "```text", _help(parser), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    sys.stdout.write(markdown())
