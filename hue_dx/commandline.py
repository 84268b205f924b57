"""What every command of the command line shares, in a module of its own so that the command
groups (``hue_dx.cli``, ``hue_dx.tracking.cli``) import it and not each other: the exit codes
and the argument types that refuse a bad value in Vietnamese. Pure standard library."""

from __future__ import annotations

import argparse

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2



def exit_codes(review: str) -> str:
    """The exit-code contract of every command, stated once; ``review`` names what code 1 asks
    to look at, in the words of the command group."""
    return ("Mã thoát (mọi lệnh):\n"
            "  0  xong, không có gì cần xem lại;\n"
            f"  1  xong, nhưng có việc cần xem lại: {review}, văn bản còn là dự thảo (cảnh báo không tính);\n"
            "  2  không chạy được: sai lệnh hoặc tùy chọn, đầu vào không có, không đọc được hoặc trống.")


#: every --help shows it, docs/install.md quotes it
EXIT_CODES = exit_codes("tệp có lỗi, tiêu chí thiếu số liệu hoặc sai, đơn vị chưa gửi sổ")
#: the same contract in the words of quarterly reports (``hue-dx tasks …``)
TRACKING_EXIT_CODES = exit_codes("tệp có lỗi, đơn vị chưa gửi báo cáo, chủ trì và phối hợp báo cáo khác nhau, nhiệm vụ quá hạn")


def year(text: str) -> int:
    """An argparse type: a year of four digits, refused in Vietnamese otherwise."""
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(f"cần một năm gồm bốn chữ số (ví dụ 2021), gặp {text!r}")
    return int(text)


def seconds(text: str) -> float:
    """An argparse type: a number of seconds ≥ 0 (a comma or a dot as decimal mark), refused in Vietnamese otherwise."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"cần một số giây (ví dụ 2 hoặc 0,5), gặp {text!r}") from None
    if not 0 <= value <= 3600:  # nan and inf too
        raise argparse.ArgumentTypeError(f"cần một số giây từ 0 đến 3600, gặp {text!r}")
    return value


def positive_int(text: str) -> int:
    """An argparse type: a whole number ≥ 1, refused in Vietnamese otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"cần một số nguyên dương, gặp {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"cần một số nguyên từ 1 trở lên, gặp {value}")
    return value


def document_date(text: str):
    """An argparse type: the date a document bears (its "…, ngày … tháng … năm …" line), written
    dd/mm/yyyy as in Vietnam or yyyy-mm-dd; refused in Vietnamese otherwise."""
    import datetime as dt
    import re

    raw = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", raw):
            year_, month, day = (int(x) for x in raw.split("-"))
            return dt.date(year_, month, day)
        found = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", raw)
        if found:
            return dt.date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày không có thật: {text!r}") from None
    raise argparse.ArgumentTypeError(f"cần một ngày dạng ngày/tháng/năm (25/09/2022) hoặc 2022-09-25, gặp {text!r}")


DATE_HELP = "ngày ghi trên văn bản, dạng ngày/tháng/năm (25/09/2022) hoặc 2022-09-25 (mặc định: hôm nay)"
