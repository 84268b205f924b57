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
class Opening:
    """What was disbursed on each task before its quarters were tracked (entered once: the
    recipe's ``[opening]`` table names a CSV of task id and amount in đồng, and the date the
    amounts run to). Quarters whose data cut-off ends after that date add to it; earlier ones
    are already in it."""

    amounts: dict[str, int]  # task or Phụ lục 5 row id (as written) -> đồng
    as_of: dt.date
    file: Path

    @property
    def as_of_vi(self) -> str:
        return self.as_of.strftime("%d/%m/%Y")

    def counts(self, quarter: Quarter) -> bool:
        """Whether a quarter's disbursement adds to the opening balance (it is not already in it)."""
        return quarter.cutoff_end > self.as_of


def load_opening(path: Path, as_of: Any) -> Opening:
    """The opening balance CSV: columns ``ma`` (PL3.A.I.1, or the Phụ lục 5 row PL5.A.I.1) and
    ``da_giai_ngan`` (đồng, a whole number; 1.500.000.000 and 1 500 000 000 are read too)."""
    import csv

    try:
        day = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
    except ValueError:
        raise CampaignError(f"[opening] as_of {as_of!r} phải là ngày dạng NNNN-TT-NN (ngày số liệu đầu kỳ tính đến)") from None
    if not path.is_file():
        raise CampaignError(f"Không tìm thấy tệp số đã giải ngân đầu kỳ: {path}")
    amounts: dict[str, int] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or not {"ma", "da_giai_ngan"} <= set(reader.fieldnames):
            raise CampaignError(f"{path}: cần hai cột ma, da_giai_ngan (đồng); có: {', '.join(reader.fieldnames or [])}")
        for line, row in enumerate(reader, start=2):
            code, text = (row.get("ma") or "").strip(), (row.get("da_giai_ngan") or "").strip()
            if not code and not text:
                continue
            digits = text.replace(".", "").replace(" ", "").replace("\u00a0", "")
            if not code or not digits.isdigit():
                raise CampaignError(f"{path}, dòng {line}: cần mã nhiệm vụ và số tiền bằng đồng (số nguyên), gặp {code!r}, {text!r}")
            if code.upper() in amounts:
                raise CampaignError(f"{path}, dòng {line}: {code} đã có ở dòng trước")
            amounts[code.upper()] = int(digits)
    return Opening(amounts, day, path)


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
    opening: Opening | None = None  # disbursement before the quarters tracked ([opening])

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
        opening=_opening(raw, path),
    )


def _opening(raw: dict[str, Any], path: Path) -> Opening | None:
    table = raw.get("opening")
    if table is None:
        return None
    if not isinstance(table, dict) or "file" not in table or "as_of" not in table:
        raise CampaignError(f"{path}: bảng [opening] cần file (tệp CSV ma, da_giai_ngan) và as_of (ngày số liệu tính đến, NNNN-TT-NN)")
    return load_opening(path.parent / str(table["file"]), table["as_of"])


def _day(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"ngày nghỉ {value!r} phải có dạng NNNN-TT-NN") from None
