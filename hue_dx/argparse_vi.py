"""argparse speaking Vietnamese: its own words (usage, section titles, errors) translated, help kept in paragraphs.

argparse looks every one of its phrases up through ``gettext`` (``argparse._`` and
``argparse.ngettext``, bound at its import). ``Parser`` swaps in a lookup in ``MESSAGES`` only
while it parses or formats, then puts gettext back, so no other parser in the process changes.
The message ids are the same in Python 3.11, 3.12 and 3.13 (3.13 adds a few, listed here too);
a test reads the running Python's argparse source and fails if one is missing, so a new Python
cannot bring English back unnoticed. An id not in the table falls back to English, never fails.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import textwrap
from collections.abc import Iterator
from typing import Any, NoReturn

#: argparse's English message ids → Vietnamese; placeholders unchanged
MESSAGES: dict[str, str] = {
    "usage: ": "Cách dùng: ",
    "positional arguments": "tham số",
    "options": "tùy chọn",
    "subcommands": "lệnh",
    "%(heading)s:": "%(heading)s:",
    " (default: %(default)s)": " (mặc định: %(default)s)",
    "show this help message and exit": "in hướng dẫn này rồi thoát",
    "show program's version number and exit": "in số phiên bản rồi thoát",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s: cảnh báo: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "unrecognized arguments: %s": "không hiểu tham số: %s",
    "expected one argument": "cần một giá trị",
    "expected at most one argument": "nhận nhiều nhất một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "expected %s argument": "cần %s giá trị",
    "expected %s arguments": "cần %s giá trị",
    "invalid choice: %(value)r (choose from %(choices)s)": "giá trị %(value)r không hợp lệ (chọn một trong: %(choices)s)",
    # the type's Python name (int, float) would be English to the reader: each option of ours
    # has a type that says in Vietnamese what it needs; this is only the fallback
    "invalid %(type)s value: %(value)r": "giá trị không hợp lệ: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn %(option)s không rõ: có thể là %(matches)s",
    "not allowed with argument %s": "không dùng cùng được với %s",
    "ignored explicit argument %r": "tùy chọn này không nhận giá trị (gặp %r)",
    "unexpected option string: %s": "không chờ tùy chọn %s ở đây",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "không có lệnh %(parser_name)r (có: %(choices)s)",
    "command '%(parser_name)s' is deprecated": "lệnh '%(parser_name)s' sắp bị bỏ",
    "option '%(option)s' is deprecated": "tùy chọn '%(option)s' sắp bị bỏ",
    "argument '%(argument_name)s' is deprecated": "tham số '%(argument_name)s' sắp bị bỏ",
    "can't open '%(filename)s': %(error)s": "không mở được '%(filename)s': %(error)s",
    'argument "-" with mode %r': 'tham số "-" với chế độ %r',
    # mistakes in building a parser (programmers only), translated so that none is left
    ".__call__() not defined": ".__call__() chưa được định nghĩa",
    "%r is not callable": "%r không gọi được",
    "'required' is an invalid argument for positionals": "tham số vị trí không nhận 'required'",
    "dest= is required for options like %r": "cần dest= cho tùy chọn như %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r":
        "tùy chọn %(option)r không hợp lệ: phải bắt đầu bằng ký tự %(prefix_chars)r",
    "invalid conflict_resolution value: %r": "giá trị conflict_resolution không hợp lệ: %r",
    "conflicting option string: %s": "tùy chọn bị trùng: %s",
    "conflicting option strings: %s": "các tùy chọn bị trùng: %s",
    "conflicting subparser: %s": "lệnh con bị trùng: %s",
    "conflicting subparser alias: %s": "tên khác của lệnh con bị trùng: %s",
    "cannot have multiple subparser arguments": "không được có nhiều nhóm lệnh con",
    "cannot merge actions - two groups are named %r": "không gộp được: hai nhóm cùng tên %r",
    "mutually exclusive arguments must be optional": "các tham số loại trừ nhau phải là tùy chọn",
}


def _gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


@contextlib.contextmanager
def vietnamese() -> Iterator[None]:
    """argparse's words in Vietnamese for the duration (re-entrant: restores what it found)."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _gettext, _ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class Formatter(argparse.HelpFormatter):
    """Help text wrapped paragraph by paragraph: a line break in a description or epilog is kept."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        lines = []
        for line in text.splitlines():
            hanging = indent + " " * (len(line) - len(line.lstrip()) + (3 if line.startswith(" ") else 0))  # "  1  …" list items
            lines.append(textwrap.fill(line, width, initial_indent=indent, subsequent_indent=hanging) if line.strip() else "")
        return "\n".join(lines)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose every word is Vietnamese; sub-commands are made of the same class."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", Formatter)
        add_help = kwargs.pop("add_help", True)
        kwargs["add_help"] = False  # argparse's own -h would carry its English help text
        with vietnamese():  # section titles are fixed when the parser is built
            super().__init__(*args, **kwargs)
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=MESSAGES["show this help message and exit"])

    # every public entry that can reach one of argparse's phrases runs inside vietnamese()

    def parse_args(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        with vietnamese():
            return super().parse_args(*args, **kwargs)

    def parse_known_args(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        with vietnamese():
            return super().parse_known_args(*args, **kwargs)

    def parse_intermixed_args(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        with vietnamese():
            return super().parse_intermixed_args(*args, **kwargs)

    def parse_known_intermixed_args(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        with vietnamese():
            return super().parse_known_intermixed_args(*args, **kwargs)

    def format_usage(self) -> str:
        with vietnamese():
            return super().format_usage()

    def format_help(self) -> str:
        with vietnamese():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        """One Vietnamese line on stderr with the usage above it, and exit 2 (could not run)."""
        with vietnamese():
            self.print_usage(sys.stderr)
            self.exit(2, f"{self.prog}: lỗi: {message}\n(xem: {self.prog} --help)\n")
