"""One unit's answer about one task in a quarter, the fields a workbook asks for per role, and
the row checks: each check in Python and its Excel formula side by side, word for word.

Roles: a lead row (documents, programmes, projects, duties) asks for status, percent done,
output, evidence, funds allocated and disbursed in the period (đồng), difficulties and
proposals; an indicator row asks for the measured value, its source and date; a cooperation
row asks for the status of the unit's part and what it contributed. The check functions read
raw cell values the way Excel does (a blank is None or spaces, a pasted "50" is text, text
compares case-insensitively), so the check column of a workbook and the Python check agree. A
percent cell holds what the unit meant: a number in a cell with a percent format (a typed "70%",
stored as 0.7) is 70, in the formula (``percent_of``) and in the intake, which gives the Python
checks that 70."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from ..errors import HueDxError

NOT_STARTED, IN_PROGRESS, DONE, LATE, STOPPED = "chưa triển khai", "đang triển khai", "hoàn thành", "chậm tiến độ", "dừng"
STATUSES = (NOT_STARTED, IN_PROGRESS, DONE, LATE, STOPPED)
OK = "đủ"
INDICATOR, LEAD, COOPERATE = "indicator", "lead", "cooperate"


class AnswerError(HueDxError, ValueError):
    """An answer that cannot be read; the message names the unit, task and field."""


@dataclass(frozen=True)
class FieldSpec:
    """A field of a row: ``key`` is the TaskAnswer attribute and the defined name's suffix."""

    key: str
    label: str
    type: str  # status | percent | text | amount | value | date
    carried: bool = True  # pre-filled from the previous quarter; funds of the period are not


LEAD_FIELDS = (
    FieldSpec("status", "Trạng thái", "status"),
    FieldSpec("percent", "% hoàn thành (0–100)", "percent"),
    FieldSpec("output", "Kết quả, sản phẩm", "text"),
    FieldSpec("evidence", "Tài liệu kiểm chứng (số, ngày, trích yếu hoặc đường dẫn)", "text"),
    FieldSpec("allocated", "Kinh phí được giao trong kỳ (đồng)", "amount", carried=False),
    FieldSpec("disbursed", "Kinh phí đã giải ngân trong kỳ (đồng)", "amount", carried=False),
    FieldSpec("difficulties", "Khó khăn, vướng mắc", "text"),
    FieldSpec("proposals", "Đề xuất, kiến nghị", "text"),
)
INDICATOR_FIELDS = (
    FieldSpec("value", "Giá trị đạt được", "value"),
    FieldSpec("source", "Nguồn số liệu", "text"),
    FieldSpec("measured_on", "Ngày của số liệu", "date"),
    FieldSpec("difficulties", "Khó khăn, vướng mắc", "text"),
    FieldSpec("proposals", "Đề xuất, kiến nghị", "text"),
)
COOPERATE_FIELDS = (
    FieldSpec("status", "Trạng thái phần việc của đơn vị", "status"),
    FieldSpec("contribution", "Nội dung phối hợp đã thực hiện trong kỳ", "text"),
)
FIELDS = {LEAD: LEAD_FIELDS, INDICATOR: INDICATOR_FIELDS, COOPERATE: COOPERATE_FIELDS}


@dataclass(frozen=True)
class TaskAnswer:
    """A unit's answer about one task for one quarter. Which fields apply depends on the role
    (FIELDS); the others stay empty. Amounts are in đồng; percent and value are numbers."""

    status: str | None = None
    percent: float | None = None
    output: str = ""
    evidence: str = ""
    allocated: int | None = None
    disbursed: int | None = None
    difficulties: str = ""
    proposals: str = ""
    value: float | None = None
    source: str = ""
    measured_on: dt.date | None = None
    contribution: str = ""

    def carried(self) -> TaskAnswer:
        """What next quarter's workbook is pre-filled with: everything but the period's funds."""
        return replace(self, allocated=None, disbursed=None)

    def cells(self, role: str) -> dict[str, Any]:
        """The values a workbook of that role shows, by field key (None for blank)."""
        out: dict[str, Any] = {}
        for spec in FIELDS[role]:
            value = getattr(self, spec.key)
            out[spec.key] = None if value == "" else value
        return out

    def problems(self) -> list[str]:
        """What is wrong with the values themselves (not with how they fit together)."""
        out = []
        if self.status is not None and self.status not in STATUSES:
            out.append(f"trạng thái {self.status!r} không thuộc danh sách ({', '.join(STATUSES)})")
        if self.percent is not None and not 0 <= self.percent <= 100:
            out.append(f"% hoàn thành {self.percent:g} phải từ 0 đến 100")
        for key in ("allocated", "disbursed"):
            amount = getattr(self, key)
            if amount is not None and amount < 0:
                out.append(f"{key}: số tiền không được âm")
        return out

    def as_dict(self) -> dict[str, Any]:
        """Locale-free JSON: dates ISO, empty fields left out."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if value is None or value == "":
                continue
            out[key] = value.isoformat() if isinstance(value, dt.date) else value
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], where: str = "") -> TaskAnswer:
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise AnswerError(f"{where}: trường không có: {', '.join(sorted(unknown))} (có: {', '.join(sorted(known))})")
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if value is None:
                continue
            if key == "measured_on":
                try:
                    values[key] = dt.date.fromisoformat(str(value))
                except ValueError:
                    raise AnswerError(f"{where}: measured_on phải là ngày dạng NNNN-TT-NN, gặp {value!r}") from None
            elif key in ("percent", "value"):
                values[key] = _number(value, f"{where}: {key}")
            elif key in ("allocated", "disbursed"):
                number = _number(value, f"{where}: {key}")
                if number != int(number):
                    raise AnswerError(f"{where}: {key} là số tiền bằng đồng, phải là số nguyên, gặp {value!r}")
                values[key] = int(number)
            else:
                values[key] = unicodedata.normalize("NFC", str(value)).strip()
        answer = cls(**values)
        issues = answer.problems()
        if issues:
            raise AnswerError(f"{where}: " + "; ".join(issues))
        return answer


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AnswerError(f"{where} phải là số, gặp {value!r}")
    return float(value)


# ------------------------------------------------------------------- previous answers (JSON)


def dump_previous(path: Path, tasks_id: str, period: str, answers: Mapping[str, Mapping[str, TaskAnswer]]) -> None:
    """Write a quarter's answers: {"tasks", "period", "units": {unit: {task id: answer}}};
    whole or not at all, like every output (next quarter's generation reads it)."""
    from ..files import write_atomic

    payload = {"tasks": tasks_id, "period": period,
               "units": {unit: {task: a.as_dict() for task, a in rows.items()} for unit, rows in answers.items()}}
    write_atomic(path, (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def load_previous(path: Path) -> tuple[str, str, dict[str, dict[str, TaskAnswer]]]:
    """(tasks id, period, answers by unit and task id) from a file written by dump_previous."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AnswerError(f"{path}: không đọc được tệp số liệu quý trước: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("units"), dict):
        raise AnswerError(f"{path}: cần một đối tượng JSON có 'tasks', 'period' và 'units'")
    answers = {str(unit): {str(task): TaskAnswer.from_dict(a, f"{path}: {unit}, {task}") for task, a in rows.items()}
               for unit, rows in raw["units"].items()}
    return str(raw.get("tasks", "")), str(raw.get("period", "")), answers


# -------------------------------------------------------------------------- row checks
# Each check reads raw cell values exactly as its Excel formula does; tests compare the two
# through LibreOffice. Only Excel 2007 functions (IF, AND, OR, NOT, TRIM, ISNUMBER).


def _blank(value: Any) -> bool:
    """TRIM(x)="" in Excel: an empty cell or spaces only."""
    return value is None or (isinstance(value, str) and value.strip(" ") == "")


def _is(value: Any, text: str) -> bool:
    """x="text" in Excel: text equal ignoring case; a number never equals text."""
    return isinstance(value, str) and value.casefold() == text.casefold()


def _number_cell(value: Any) -> bool:
    """ISNUMBER(x): a number, or a date (Excel stores dates as numbers)."""
    return isinstance(value, (int, float, dt.date)) and not isinstance(value, bool)


EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's serial day 0 (dates in validation formulas are serials)
FIRST_DAY = dt.date(2020, 1, 1)  # no measurement of this plan predates 2020: the workbook's validation and the intake
_EPOCH = dt.datetime.combine(EXCEL_EPOCH, dt.time())


def _as_number(value: Any) -> float:
    """How Excel compares a blank, a number or a date: blank is 0, a date its serial number."""
    if value is None:
        return 0.0
    if isinstance(value, dt.datetime):
        return (value - _EPOCH).total_seconds() / 86400
    if isinstance(value, dt.date):
        return float((value - _EPOCH.date()).days)
    return float(value)


def _in_list(value: Any) -> bool:
    return any(_is(value, s) for s in STATUSES)


def _q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _excel_in_list(cell: str) -> str:
    return "OR(" + ",".join(f"{cell}={_q(s)}" for s in STATUSES) + ")"


def percent_of(cell: str) -> str:
    """The value of a percent cell as the intake reads it: a number in a cell with a percent
    number format (what Excel, LibreOffice and WPS make of a typed "70%": 0.7 shown as 70%) is
    that many percent, 70; any other value as it is. CELL("format") gives "P0", "P2"… for a
    percent format (Excel 2007, LibreOffice, Gnumeric, WPS)."""
    return f'IF(AND(ISNUMBER({cell}),LEFT(CELL("format",{cell}),1)="P"),{cell}*100,{cell})'


def _nest(branches: list[tuple[str, str]], last: str) -> str:
    """IF(c1,m1,IF(c2,m2,…,last)) from (condition, message) pairs."""
    formula = _q(last)
    for condition, message in reversed(branches):
        formula = f"IF({condition},{_q(message)},{formula})"
    return "=" + formula


MSG_NO_STATUS = "chưa chọn trạng thái"
MSG_BAD_STATUS = "trạng thái không thuộc danh sách"
# Said as a clerk sees the cell: 70 and 70% are the same answer (``percent_of``), text is not a number.
MSG_PERCENT_TEXT = "% hoàn thành phải là số (gõ 70 hoặc 70%), không phải chữ"
MSG_PERCENT_RANGE = "% hoàn thành phải từ 0% đến 100%"
MSG_DONE_100 = "hoàn thành thì % hoàn thành phải là 100%"
MSG_VALUE_RANGE = "giá trị phải từ 0% đến 100%"


def check_lead(v: Mapping[str, Any]) -> str:
    """The lead row's check: the first problem, or "đủ"."""
    s, p = v.get("status"), v.get("percent")
    if _blank(s):
        return MSG_NO_STATUS
    if not _in_list(s):
        return MSG_BAD_STATUS
    if not _blank(p) and not _number_cell(p):
        return MSG_PERCENT_TEXT
    if _number_cell(p) and not 0 <= _as_number(p) <= 100:
        return MSG_PERCENT_RANGE
    if _is(s, DONE) and _as_number(p) != 100:
        return MSG_DONE_100
    if _is(s, NOT_STARTED) and _number_cell(p) and _as_number(p) > 0:
        return "chưa triển khai thì % hoàn thành phải là 0"
    if (_is(s, IN_PROGRESS) or _is(s, LATE)) and _blank(p):
        return "nhập % hoàn thành"
    for key, label in (("allocated", "kinh phí được giao"), ("disbursed", "kinh phí đã giải ngân")):
        amount = v.get(key)
        if not _blank(amount) and (not _number_cell(amount) or _as_number(amount) < 0):
            return f"{label} phải là số không âm"
    if (_is(s, LATE) or _is(s, STOPPED)) and _blank(v.get("difficulties")):
        return "ghi khó khăn, vướng mắc"
    if _is(s, DONE) and _blank(v.get("output")):
        return "ghi kết quả, sản phẩm"
    return OK


def lead_formula(c: Mapping[str, str]) -> str:
    """check_lead as an Excel formula over the row's cells (keys of LEAD_FIELDS)."""
    s, p = c["status"], c["percent"]
    v = percent_of(p)
    branches = [
        (f'TRIM({s})=""', MSG_NO_STATUS),
        (f"NOT({_excel_in_list(s)})", MSG_BAD_STATUS),
        (f'AND(TRIM({p})<>"",NOT(ISNUMBER({p})))', MSG_PERCENT_TEXT),
        (f"AND(ISNUMBER({p}),OR({v}<0,{v}>100))", MSG_PERCENT_RANGE),
        (f"AND({s}={_q(DONE)},{v}<>100)", MSG_DONE_100),
        (f"AND({s}={_q(NOT_STARTED)},ISNUMBER({p}),{v}>0)", "chưa triển khai thì % hoàn thành phải là 0"),
        (f'AND(OR({s}={_q(IN_PROGRESS)},{s}={_q(LATE)}),TRIM({p})="")', "nhập % hoàn thành"),
    ]
    for key, label in (("allocated", "kinh phí được giao"), ("disbursed", "kinh phí đã giải ngân")):
        a = c[key]
        # ISNUMBER first: Excel's OR evaluates every argument, and a text compared with 0 is no error
        branches.append((f'AND(TRIM({a})<>"",OR(NOT(ISNUMBER({a})),{a}<0))', f"{label} phải là số không âm"))
    branches += [
        (f'AND(OR({s}={_q(LATE)},{s}={_q(STOPPED)}),TRIM({c["difficulties"]})="")', "ghi khó khăn, vướng mắc"),
        (f'AND({s}={_q(DONE)},TRIM({c["output"]})="")', "ghi kết quả, sản phẩm"),
    ]
    return _nest(branches, OK)


def check_indicator(v: Mapping[str, Any], percent: bool = True) -> str:
    """The indicator row's check; ``percent``: the target is a share, so the value is 0–100."""
    value, day = v.get("value"), v.get("measured_on")
    if _blank(value):
        return "chưa nhập giá trị đạt được"
    if not _number_cell(value):
        return "giá trị phải là số"
    if percent and not 0 <= _as_number(value) <= 100:
        return MSG_VALUE_RANGE
    if not percent and _as_number(value) < 0:
        return "giá trị không được âm"
    if _blank(v.get("source")):
        return "ghi nguồn số liệu"
    if _blank(day):
        return "ghi ngày của số liệu"
    if not _number_cell(day):
        return "ngày của số liệu phải là ngày (ngày/tháng/năm)"
    return OK


def indicator_formula(c: Mapping[str, str], percent: bool = True) -> str:
    value, day = c["value"], c["measured_on"]
    shown = percent_of(value)
    branches = [
        (f'TRIM({value})=""', "chưa nhập giá trị đạt được"),
        (f"NOT(ISNUMBER({value}))", "giá trị phải là số"),
        ((f"OR({shown}<0,{shown}>100)", MSG_VALUE_RANGE) if percent else (f"{value}<0", "giá trị không được âm")),
        (f'TRIM({c["source"]})=""', "ghi nguồn số liệu"),
        (f'TRIM({day})=""', "ghi ngày của số liệu"),
        (f"NOT(ISNUMBER({day}))", "ngày của số liệu phải là ngày (ngày/tháng/năm)"),
    ]
    return _nest(branches, OK)


def check_cooperate(v: Mapping[str, Any]) -> str:
    s = v.get("status")
    if _blank(s):
        return MSG_NO_STATUS
    if not _in_list(s):
        return MSG_BAD_STATUS
    if not _is(s, NOT_STARTED) and _blank(v.get("contribution")):
        return "ghi nội dung phối hợp đã thực hiện"
    return OK


def cooperate_formula(c: Mapping[str, str]) -> str:
    s = c["status"]
    branches = [
        (f'TRIM({s})=""', MSG_NO_STATUS),
        (f"NOT({_excel_in_list(s)})", MSG_BAD_STATUS),
        (f'AND({s}<>{_q(NOT_STARTED)},TRIM({c["contribution"]})="")', "ghi nội dung phối hợp đã thực hiện"),
    ]
    return _nest(branches, OK)
