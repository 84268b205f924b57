"""Quarterly reporting periods: data cut-off and submission deadline, after the national rules
for periodic reports of state administrative bodies (Nghị định 09/2019/NĐ-CP ngày 24/01/2019).

Data cut-off (thời gian chốt số liệu), Điều 12 of Nghị định 09/2019/NĐ-CP:

- khoản 2, quarterly reports: from the 15th of the month before the period to the 14th of the
  quarter's last month. Q1 of 2021 runs from 15/12/2020 to 14/03/2021, Q3 from 15/06/2021 to
  14/09/2021;
- khoản 4, annual reports: from 15/12 of the previous year to 14/12 of the report's year, which
  is where the fourth quarter ends: the year's last quarterly report doubles as the annual one.

Deadline (thời hạn gửi báo cáo): Điều 13 leaves it to the body that sets the reporting regime
(the province, for its departments and districts), and Điều 8 khoản 5 requires at least one
working day between the end of the cut-off and the deadline. A ``DeadlineRule`` says how a
campaign computes it: a number of calendar days or working days after the cut-off ends, or a
fixed day of the month in which it ends; the fourth quarter may have its own rule.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import HueDxError

LEGAL_BASIS = "Điều 12 Nghị định số 09/2019/NĐ-CP ngày 24/01/2019 của Chính phủ quy định về chế độ báo cáo của cơ quan hành chính nhà nước"
DEADLINE_BASIS = "Điều 13 và khoản 5 Điều 8 Nghị định số 09/2019/NĐ-CP"
CUTOFF_START_DAY, CUTOFF_END_DAY = 15, 14
ROMAN = ("I", "II", "III", "IV")

_ID = re.compile(r"^\s*(\d{4})\s*[-/ ]?\s*[Qq]\s*([1-4])\s*$")
_ID_REVERSED = re.compile(r"^\s*[Qq]\s*([1-4])\s*[-/ ]\s*(\d{4})\s*$")
_VI = re.compile(r"^\s*quý\s+(I{1,3}|IV|[1-4])\s*(?:năm|/|-)?\s*(\d{4})\s*$", re.IGNORECASE)


class PeriodError(HueDxError, ValueError):
    """A period or a deadline rule that cannot be read; the message says what is expected."""


def _vn(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True, order=True)
class Quarter:
    """A quarter of a year, as a reporting period ("2021-Q3", "quý III năm 2021")."""

    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise PeriodError(f"quý phải từ 1 đến 4, gặp {self.quarter}")
        if not 1900 < self.year < 10000:
            raise PeriodError(f"năm {self.year} không hợp lệ")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """'2021-Q3', '2021Q3', 'Q3/2021', 'quý III năm 2021', 'quý 3/2021'."""
        text = unicodedata.normalize("NFC", text)
        match = _ID.match(text)
        if match:
            return cls(int(match.group(1)), int(match.group(2)))
        match = _ID_REVERSED.match(text)
        if match:
            return cls(int(match.group(2)), int(match.group(1)))
        match = _VI.match(text.strip())
        if match:
            number = match.group(1).upper()
            quarter = ROMAN.index(number) + 1 if number in ROMAN else int(number)
            return cls(int(match.group(2)), quarter)
        raise PeriodError(f"không đọc được kỳ báo cáo {text!r}: viết 2021-Q3 hoặc 'quý III năm 2021'")

    @property
    def id(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    def __str__(self) -> str:
        return self.id

    @property
    def roman(self) -> str:
        return ROMAN[self.quarter - 1]

    @property
    def vi(self) -> str:
        """'quý III năm 2021'."""
        return f"quý {self.roman} năm {self.year}"

    @property
    def title_vi(self) -> str:
        """How a report names its period: the fourth quarter is also the year's report."""
        return f"quý IV và năm {self.year}" if self.is_annual else self.vi

    @property
    def is_annual(self) -> bool:
        """The last quarter's report doubles as the annual report (same cut-off end, 14/12)."""
        return self.quarter == 4

    @property
    def first_month(self) -> int:
        return 3 * self.quarter - 2

    @property
    def last_month(self) -> int:
        return 3 * self.quarter

    @property
    def cutoff_start(self) -> dt.date:
        """The 15th of the month before the quarter (15/12 of the previous year for Q1)."""
        if self.quarter == 1:
            return dt.date(self.year - 1, 12, CUTOFF_START_DAY)
        return dt.date(self.year, self.first_month - 1, CUTOFF_START_DAY)

    @property
    def cutoff_end(self) -> dt.date:
        """The 14th of the quarter's last month."""
        return dt.date(self.year, self.last_month, CUTOFF_END_DAY)

    @property
    def annual_cutoff_start(self) -> dt.date:
        """Start of the year's cut-off (Điều 12 khoản 4): 15/12 of the previous year."""
        return dt.date(self.year - 1, 12, CUTOFF_START_DAY)

    @property
    def days(self) -> int:
        """Days in the cut-off window, both ends included."""
        return (self.cutoff_end - self.cutoff_start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.cutoff_start <= day <= self.cutoff_end

    @property
    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)

    @property
    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)

    @property
    def cutoff_vi(self) -> str:
        return f"từ ngày {_vn(self.cutoff_start)} đến ngày {_vn(self.cutoff_end)}"


def of_date(day: dt.date) -> Quarter:
    """The quarter whose cut-off window holds a day: 15/12/2020 already belongs to 2021-Q1."""
    if day.month == 12 and day.day >= CUTOFF_START_DAY:
        return Quarter(day.year + 1, 1)
    quarter = (day.month - 1) // 3 + 1
    if day.month == 3 * quarter and day.day >= CUTOFF_START_DAY:
        quarter += 1
    return Quarter(day.year, quarter)


def quarters(year: int) -> tuple[Quarter, ...]:
    return tuple(Quarter(year, q) for q in range(1, 5))


# --------------------------------------------------------------------------------- deadlines


def is_working_day(day: dt.date, holidays: frozenset[dt.date] = frozenset()) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(day: dt.date, count: int, holidays: frozenset[dt.date] = frozenset()) -> dt.date:
    """The ``count``-th working day after ``day`` (Saturday, Sunday and holidays skipped)."""
    current = day
    left = count
    while left > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current, holidays):
            left -= 1
    return current


def next_working_day(day: dt.date, holidays: frozenset[dt.date] = frozenset()) -> dt.date:
    """The day itself when it is a working day, else the first working day after it."""
    while not is_working_day(day, holidays):
        day += dt.timedelta(days=1)
    return day


DAYS, WORKING_DAYS, DAY_OF_MONTH = "days", "working_days", "day_of_month"
RULE_KINDS = {DAYS: "ngày sau khi chốt số liệu", WORKING_DAYS: "ngày làm việc sau khi chốt số liệu",
              DAY_OF_MONTH: "ngày cố định trong tháng"}


@dataclass(frozen=True)
class DeadlineRule:
    """How a campaign computes the deadline from the period's cut-off end.

    ``days``: that many calendar days after the cut-off ends (moved to the next working day if
    it falls on a day off and ``roll`` is set); ``working_days``: that many working days after;
    ``day_of_month``: that day of the month in which the cut-off ends, ``month_offset`` months
    later (0: the quarter's last month), moved like ``days``. Holidays are skipped as days off.
    """

    kind: str
    value: int
    month_offset: int = 0
    roll: bool = True
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.kind not in RULE_KINDS:
            raise PeriodError(f"cách tính hạn {self.kind!r} không có (có: {', '.join(RULE_KINDS)})")
        if self.value < 0 or (self.kind == DAY_OF_MONTH and not 1 <= self.value <= 28):
            # day 28 at most: every month has it, so a rule never falls off the month's end
            raise PeriodError(f"{RULE_KINDS[self.kind]}: giá trị {self.value} không hợp lệ (ngày trong tháng từ 1 đến 28)")

    def deadline(self, quarter: Quarter) -> dt.date:
        end = quarter.cutoff_end
        if self.kind == WORKING_DAYS:
            day = add_working_days(end, self.value, self.holidays)
        elif self.kind == DAYS:
            day = end + dt.timedelta(days=self.value)
        else:
            months = end.year * 12 + end.month - 1 + self.month_offset
            day = dt.date(months // 12, months % 12 + 1, self.value)
        if self.roll and self.kind != WORKING_DAYS:
            day = next_working_day(day, self.holidays)
        minimum = add_working_days(end, 1, self.holidays)
        if day < minimum:
            raise PeriodError(f"hạn gửi {_vn(day)} của {quarter.vi} sớm hơn một ngày làm việc sau khi chốt số liệu ({_vn(end)}); "
                              f"{DEADLINE_BASIS} yêu cầu ít nhất một ngày làm việc: sửa cách tính hạn của đợt báo cáo")
        return day

    def describe(self) -> str:
        if self.kind == DAY_OF_MONTH:
            month = "tháng cuối quý" if self.month_offset == 0 else f"{self.month_offset} tháng sau tháng cuối quý"
            text = f"ngày {self.value} của {month}"
        else:
            text = f"{self.value} {RULE_KINDS[self.kind]}"
        return text + (", gặp ngày nghỉ thì lùi sang ngày làm việc kế tiếp" if self.roll and self.kind != WORKING_DAYS else "")

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], holidays: Iterable[dt.date] = ()) -> DeadlineRule:
        """From a recipe table: {days = 5} | {working_days = 3} | {day_of_month = 18, month_offset = 0},
        with optional roll = true/false."""
        kinds = [k for k in RULE_KINDS if k in raw]
        if len(kinds) != 1:
            raise PeriodError(f"cách tính hạn cần đúng một trong {', '.join(RULE_KINDS)}; gặp {', '.join(sorted(raw)) or 'không có'}")
        value = raw[kinds[0]]
        if not isinstance(value, int) or isinstance(value, bool):
            raise PeriodError(f"{kinds[0]} phải là số nguyên, gặp {value!r}")
        return cls(kinds[0], value, int(raw.get("month_offset", 0)), bool(raw.get("roll", True)), frozenset(holidays))


@dataclass(frozen=True)
class Schedule:
    """A campaign's deadline rules: one for the quarters, optionally another for the fourth
    quarter (which is also the annual report)."""

    quarterly: DeadlineRule
    annual: DeadlineRule | None = None

    def rule(self, quarter: Quarter) -> DeadlineRule:
        return self.annual if quarter.is_annual and self.annual else self.quarterly

    def deadline(self, quarter: Quarter) -> dt.date:
        return self.rule(quarter).deadline(quarter)

    def period(self, quarter: Quarter) -> Period:
        return Period(quarter, self.deadline(quarter))


@dataclass(frozen=True)
class Period:
    """A quarter with its deadline: what a workbook and a report print."""

    quarter: Quarter
    deadline: dt.date

    @property
    def id(self) -> str:
        return self.quarter.id

    @property
    def deadline_vi(self) -> str:
        return _vn(self.deadline)

    def as_dict(self) -> dict[str, Any]:
        """Locale-free, for manifests and JSON."""
        q = self.quarter
        return {"period": q.id, "year": q.year, "quarter": q.quarter, "annual": q.is_annual,
                "cutoff_start": q.cutoff_start.isoformat(), "cutoff_end": q.cutoff_end.isoformat(),
                "deadline": self.deadline.isoformat()}
