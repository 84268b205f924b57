"""A quarterly tracking campaign: which tasks file, which roster, how the deadline is computed,
the holidays, who issues the workbooks and where they go back (generator/tracking-hue-222.toml).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..campaign import Campaign, CampaignError, Unit, default_recipe, load_roster, section
from ..errors import NotFound
from .periods import DeadlineRule, Period, PeriodError, Quarter, Schedule

DEFAULT_RECIPE = "tracking-hue-222.toml"


@dataclass(frozen=True)
class Recipe:
    tasks: str
    units: tuple[Unit, ...]
    schedule: Schedule
    holidays: frozenset[dt.date]
    issuer: dict[str, str]
    contact: dict[str, str]
    path: Path
    report: dict = field(default_factory=dict)  # the quarterly report to UBND tỉnh: addressee, recipients

    def campaign(self, quarter: Quarter) -> Campaign:
        """The campaign of one quarter as the assessment's documents see one (who writes, to whom,
        the units' headings: ``Campaign.sender``, ``Campaign.body``)."""
        return Campaign(self.tasks, quarter.id, self.period(quarter).deadline, self.issuer, self.contact, self.units, self.path, self.report)

    def unit(self, code: str) -> Unit:
        for u in self.units:
            if u.code.casefold() == code.strip().casefold():
                return u
        raise NotFound(f"không có đơn vị {code!r} trong danh sách (có: {', '.join(u.code for u in self.units)})")

    def period(self, quarter: Quarter) -> Period:
        return self.schedule.period(quarter)


def load(path: str | Path | None = None) -> Recipe:
    path = Path(path) if path else default_recipe(DEFAULT_RECIPE)
    if not path.is_file():
        raise CampaignError(f"Không tìm thấy tệp đợt báo cáo: {path}")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise CampaignError(f"{path}: không phải văn bản UTF-8 (byte lạ ở vị trí {exc.start}); lưu lại tệp dạng UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise CampaignError(f"{path}: không đọc được TOML: {exc}") from exc
    for key in ("tasks", "roster", "deadline"):
        if key not in raw:
            raise CampaignError(f"{path}: thiếu '{key}'")
    try:
        holidays = frozenset(_day(d) for d in raw.get("holidays", []))
        quarterly = DeadlineRule.from_mapping(raw["deadline"], holidays)
        annual = DeadlineRule.from_mapping(raw["deadline_annual"], holidays) if "deadline_annual" in raw else None
    except (PeriodError, ValueError) as exc:
        raise CampaignError(f"{path}: {exc}") from exc
    return Recipe(
        tasks=str(raw["tasks"]),
        units=load_roster(path.parent / raw["roster"]),
        schedule=Schedule(quarterly, annual),
        holidays=holidays,
        issuer=section(raw, "issuer"),
        contact=section(raw, "contact"),
        path=path,
        report=section(raw, "report"),
    )


def _day(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"ngày nghỉ {value!r} phải có dạng NNNN-TT-NN") from None
