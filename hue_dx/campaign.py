"""A campaign: which criteria set, which period, the deadline, who issues it, where files go
back, and the roster of units. A small TOML recipe beside a roster CSV (in `generator/`,
shipped inside the package as ``hue_dx.data.generator``).
"""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import CatalogError

DEFAULT_RECIPE = "campaign-2020.toml"


class CampaignError(ValueError):
    """The recipe or roster is malformed; the message says which file and line."""


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str
    group: str


@dataclass(frozen=True)
class Campaign:
    catalog: str
    period: str
    deadline: dt.date
    issuer: dict[str, str]
    contact: dict[str, str]
    units: tuple[Unit, ...]
    path: Path
    report: dict[str, str] = field(default_factory=dict)  # heading and signer of the province's report
    appraisal: dict = field(default_factory=dict)  # who appraises what: default, by_pillar, by_criterion

    def unit(self, code: str) -> Unit:
        for u in self.units:
            if u.code.casefold() == code.strip().casefold():
                return u
        raise KeyError(f"không có đơn vị {code!r} trong danh sách {self.path.name} (có: {', '.join(u.code for u in self.units)})")

    @property
    def deadline_vi(self) -> str:
        return self.deadline.strftime("%d/%m/%Y")


def default_recipe(name: str = DEFAULT_RECIPE) -> Path:
    """The shipped generator/<name> (campaign-2020.toml): the same from any folder (another campaign: --recipe)."""
    from .data import shipped

    return shipped("generator", name)


def _nfc(text: object) -> str:
    return unicodedata.normalize("NFC", str(text)).strip()


def load(path: str | Path | None = None) -> Campaign:
    path = Path(path) if path else default_recipe()
    if not path.is_file():
        raise CampaignError(f"Không tìm thấy tệp đợt đánh giá: {path}")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CampaignError(f"{path}: không đọc được TOML: {exc}") from exc
    for key in ("catalog", "period", "deadline", "roster"):
        if key not in raw:
            raise CampaignError(f"{path}: thiếu '{key}'")
    deadline = raw["deadline"]
    if isinstance(deadline, str):
        try:
            deadline = dt.date.fromisoformat(deadline)
        except ValueError as exc:
            raise CampaignError(f"{path}: deadline phải có dạng NNNN-TT-NN, gặp {raw['deadline']!r}") from exc
    roster = path.parent / raw["roster"]
    return Campaign(
        catalog=str(raw["catalog"]),
        period=str(raw["period"]),
        deadline=deadline,
        issuer={k: _nfc(v) for k, v in raw.get("issuer", {}).items()},
        contact={k: _nfc(v) for k, v in raw.get("contact", {}).items()},
        units=load_roster(roster),
        path=path,
        report={k: _nfc(v) for k, v in raw.get("report", {}).items()},
        appraisal=raw.get("appraisal", {}),
    )


def load_roster(path: Path) -> tuple[Unit, ...]:
    if not path.is_file():
        raise CampaignError(f"Không tìm thấy danh sách đơn vị: {path}")
    units: list[Unit] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = {"code", "name", "level", "group"} - set(reader.fieldnames or [])
        if missing:
            raise CampaignError(f"{path}: thiếu cột {', '.join(sorted(missing))}")
        for line, row in enumerate(reader, start=2):
            code = _nfc(row["code"])
            if not code or not code.replace("_", "").replace("-", "").isalnum() or not code.isascii():
                raise CampaignError(f"{path}, dòng {line}: mã đơn vị {code!r} chỉ được gồm chữ cái không dấu, chữ số, '-' và '_'")
            if code.casefold() in seen:
                raise CampaignError(f"{path}, dòng {line}: mã đơn vị {code} bị trùng")
            seen.add(code.casefold())
            units.append(Unit(code, _nfc(row["name"]), _nfc(row["level"]), _nfc(row["group"])))
    return tuple(units)


def check_levels(campaign: Campaign, levels: dict[str, str]) -> None:
    for u in campaign.units:
        if u.level not in levels:
            raise CatalogError(f"{campaign.path.name}: đơn vị {u.code} có cấp {u.level!r} không có trong bộ tiêu chí (có: {', '.join(levels)})")
