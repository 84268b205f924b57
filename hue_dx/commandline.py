"""What every command of the command line shares, in a module of its own so that the command
groups (``hue_dx.cli``, ``hue_dx.tracking.cli``) import it and not each other: the exit codes
and the argument types that refuse a bad value in Vietnamese. Pure standard library."""

from __future__ import annotations

import argparse

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

#: the exit-code contract of every command, stated once: every --help shows it, docs/install.md quotes it
EXIT_CODES = """Mã thoát (mọi lệnh):
  0  xong, không có gì cần xem lại;
  1  xong, nhưng có việc cần xem lại: tệp có lỗi, tiêu chí thiếu số liệu hoặc sai, đơn vị chưa gửi sổ, văn bản còn là dự thảo (cảnh báo không tính);
  2  không chạy được: sai lệnh hoặc tùy chọn, đầu vào không có, không đọc được hoặc trống."""


def year(text: str) -> int:
    """An argparse type: a year of four digits, refused in Vietnamese otherwise."""
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(f"cần một năm gồm bốn chữ số (ví dụ 2021), gặp {text!r}")
    return int(text)


def positive_int(text: str) -> int:
    """An argparse type: a whole number ≥ 1, refused in Vietnamese otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"cần một số nguyên dương, gặp {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"cần một số nguyên từ 1 trở lên, gặp {value}")
    return value
