"""How each answer cell of a returned quarterly workbook is read: statuses from the closed list
(a status typed by hand matched without diacritics and said), numbers typed as text, a percent
typed as a percentage ("70%", stored 0.7 in a percent-formatted cell: 70), percent
out of range, dates typed as text (day first, as written in Vietnam), funds against allocation;
and the rows left blank. Pure reading: nothing here knows files, ledgers or runs."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import vn
from ..coerce import number_from_text
from ..intake import styles, xlsx
from ..intake.layout import formula_input
from ..issues import ERROR, Issue, issue
from . import answers as an
from . import names as tn
from .roles import Duties
from .summary import UnitAnswers
from .tasks import Task


def _plain(text: str) -> str:
    """Lower case without diacritics, spaces squeezed: how a status typed by hand is matched."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


_PLAIN_STATUSES = {_plain(s): s for s in an.STATUSES}
_DATE_DMY = re.compile(r"^\s*(?:ngày\s*)?(\d{1,2})\s*(?:[/.\-]|\s+tháng\s+)\s*(\d{1,2})\s*(?:[/.\-]|\s+năm\s+)\s*(\d{4})\s*$", re.IGNORECASE)
_DATE_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def _status(text: str) -> tuple[str | None, str]:
    """(the status, or None) and, for a text not in the list, the status it probably means."""
    clean = " ".join(unicodedata.normalize("NFC", text).split())
    for status in an.STATUSES:
        if clean.casefold() == status.casefold():  # as the workbook's check: text compares ignoring case
            return status, ""
    plain = _plain(clean)
    if plain in _PLAIN_STATUSES:
        return None, _PLAIN_STATUSES[plain]
    meant = [s for p, s in _PLAIN_STATUSES.items() if p in plain]
    return None, max(meant, key=len) if meant else ""


def _date_from_text(text: str) -> dt.date | None:
    """A date typed as text, day first as written in Vietnam (10/09/2021, 10-9-2021,
    ngày 10 tháng 9 năm 2021) or ISO (2021-09-10); None when it is no date."""
    match = _DATE_DMY.match(unicodedata.normalize("NFC", text))
    try:
        if match:
            return dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        match = _DATE_ISO.match(text)
        if match:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return None


def _fixed(value: float) -> str:
    return vn.fixed(value, 2, trim=True)


def read_field(spec: an.FieldSpec, cell: xlsx.Cell, percent: bool, deadline: dt.date, out: list[Issue], where: dict[str, str],
               date1904: bool = False, typed_percent: bool = False) -> Any:
    """One answer cell's value for the consolidation (None when it cannot be used), with an
    issue in ``out`` for anything the unit must fix or the officer should know.
    ``typed_percent``: the number was typed as a percentage (``as_typed``), and is said so."""
    value = cell.value
    if cell.kind == "e":
        out.append(issue("input-error-value", value=value, **where))
        return None
    if spec.type == "text":
        if isinstance(value, float):
            return _fixed(value)
        return unicodedata.normalize("NFC", str(value)).strip()
    if spec.type == "status":
        if not isinstance(value, str):
            out.append(issue("tk-status-unknown", value=_fixed(value) if isinstance(value, float) else value, **where))
            return None
        status, meant = _status(value)
        if status is None:
            out.append(issue("tk-status-unknown", value=value.strip(), read=f"có lẽ là '{meant}'" if meant else "", **where))
        return status
    if spec.type == "date":
        if isinstance(value, float) and (serial_day := xlsx.serial_date(value, date1904)) is not None:  # in the workbook's date system
            day = serial_day
        elif isinstance(value, str):
            day = _date_from_text(value)  # type: ignore[assignment]
            if day is None:
                out.append(issue("tk-date-unreadable", value=value.strip(), **where))
                return None
            out.append(issue("tk-date-text", value=value.strip(), read=day.strftime("%d/%m/%Y"), **where))
        else:
            out.append(issue("tk-date-unreadable", value=value, **where))
            return None
        if not an.FIRST_DAY <= day <= deadline:
            out.append(issue("tk-date-range", value=day.strftime("%d/%m/%Y"), read=deadline.strftime("%d/%m/%Y"), **where))
        return day
    # numbers: percent, amount, value
    if isinstance(value, str):
        number = number_from_text(value.strip().rstrip("%").strip())
        if number is None:
            out.append(issue("tk-not-number", value=value, **where))
        else:
            out.append(issue("tk-number-text", value=value, read=_fixed(number), **where))
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        out.append(issue("tk-not-number", value=value, **where))
        return None
    if value < 0:
        out.append(issue("tk-negative", value=_fixed(value), **where))
        return None
    shown = _fixed(value) + ("%" if typed_percent else "")
    if spec.type == "percent" and value > 100:
        out.append(issue("tk-percent-range", value=shown, **where))
        return None
    if spec.type == "value" and percent and value > 100:
        out.append(issue("tk-value-range", value=shown, **where))
        return None
    if spec.type == "amount":
        return int(round(value))
    return float(value)


def as_typed(cell: xlsx.Cell, percent_styles: Callable[[], frozenset[int]]) -> xlsx.Cell | None:
    """A percent cell's number as the unit typed it: a number in a cell with a percent format
    (a typed "70%" is stored as 0.7) is 70, as the workbook's check column reads it
    (``answers.percent_of``); None when the cell is no such number."""
    if cell.kind != "n" or not cell.style or isinstance(cell.value, bool) or not isinstance(cell.value, float):
        return None
    if cell.style not in percent_styles():
        return None
    return xlsx.Cell(round(cell.value * 100, 9), "n", cell.formula, cell.style)  # 0.07 * 100 is 7.000000000000001


def rows_of(duty: Duties) -> list[tuple[Task, str, str]]:
    """(task, role, tag) of every row of the unit's workbook."""
    rows = [(t, an.INDICATOR, tn.LEAD_TAG) for t in duty.indicators] + [(t, an.LEAD, tn.LEAD_TAG) for t in duty.tasks]
    return rows + [(t, an.COOPERATE, tn.COOPERATE_TAG) for t in duty.cooperate]


@dataclass
class Answers:
    """What a quarterly workbook's answer cells hold, as the consolidation reads them."""

    answers: UnitAnswers
    issues: list[Issue]
    figures: int  # answer cells holding a usable value: 0 means the file is no report
    rows: int  # rows with an answer
    expected: int  # rows the unit's workbook holds


def read_answers(raw: xlsx.RawWorkbook, destinations: Mapping[str, tuple[str, str]], duty: Duties, deadline: dt.date,
                 where: dict[str, str]) -> Answers:
    """Every answer row of the unit's workbook, each cell read as ``read_field`` says."""
    issues: list[Issue] = []
    figures = 0
    lead: dict[str, an.TaskAnswer] = {}
    cooperate: dict[str, an.TaskAnswer] = {}
    blank: list[str] = []
    rows = rows_of(duty)
    found_styles: list[frozenset[int]] = []

    def percent_styles() -> frozenset[int]:  # the styles part is read once, and only if a percent cell holds a number
        if not found_styles:
            found_styles.append(styles.of_workbook(raw))
        return found_styles[0]

    for task, role, tag in rows:
        percent = task.target is not None and task.target.unit == "%"
        typed: dict[str, Any] = {}
        clean: dict[str, Any] = {}
        row_issues: list[Issue] = []
        first = ("", "")
        for spec in an.FIELDS[role]:
            place = destinations.get(tn.cell_name(tag, task.id, spec.key))
            if place is None:
                continue  # the cell is gone: reported with the layout
            first = first if first[0] else place
            found = raw.cells.get(place[0], {}).get(place[1])
            if found is None or found.value is None or (isinstance(found.value, str) and not found.value.strip()):
                typed[spec.key] = None
                continue
            at = dict(sheet=place[0], cell=place[1], criterion=task.id, **where)
            if found.formula:
                value, kind, _ = formula_input(found, row_issues, at)
                found = xlsx.Cell(value, kind, "", found.style)
            typed_percent = None
            if spec.type == "percent" or (spec.type == "value" and percent):
                typed_percent = as_typed(found, percent_styles)
                found = typed_percent or found
            typed[spec.key] = found.value
            value = read_field(spec, found, percent, deadline, row_issues, at, raw.date1904, typed_percent is not None)
            if value is not None and value != "":
                clean[spec.key] = value
        if all(v is None for v in typed.values()):
            blank.append(task.id)
            continue
        if clean.get("disbursed") is not None and clean.get("allocated") is not None and clean["disbursed"] > clean["allocated"]:
            place = destinations[tn.cell_name(tag, task.id, "disbursed")]
            row_issues.append(issue("tk-disbursed-over", sheet=place[0], cell=place[1], criterion=task.id, value=vn.whole(clean["disbursed"]),
                                    read=vn.whole(clean["allocated"]), **where))
        if not any(i.severity == ERROR for i in row_issues):  # a cell error already says what the row check would
            seen = {**typed, **{k: v for k, v in clean.items() if isinstance(v, dt.date)}}  # a date typed as text was read: not asked again
            verdict = (an.check_cooperate(seen) if role == an.COOPERATE else
                       an.check_indicator(seen, percent) if role == an.INDICATOR else an.check_lead(seen))
            if verdict != an.OK:
                row_issues.append(issue("tk-row-incomplete", sheet=first[0], cell=first[1], criterion=task.id, value=verdict, **where))
        issues += row_issues
        figures += len(clean)
        if clean:
            (cooperate if role == an.COOPERATE else lead)[task.id] = an.TaskAnswer(**clean)
    if blank:
        shown = ", ".join(blank[:3]) + (", …" if len(blank) > 3 else "")  # the full list is in the workbook's sheet of answers
        issues.append(issue("tk-rows-blank", value=f"{len(blank)}/{len(rows)} dòng ({shown})", **where))
    return Answers(UnitAnswers(lead, cooperate), issues, figures, len(lead) + len(cooperate), len(rows))


