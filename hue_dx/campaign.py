"""A campaign: which criteria set, which period, the deadline, who issues it, where files go
back, and the roster of units. A small TOML recipe beside a roster CSV (in `generator/`,
shipped inside the package as ``hue_dx.data.generator``).

Campaigns in series: a recipe may name its own archive (``archive``) and the campaign before it
(``[previous] recipe``, and that campaign's archive when not its recipe's own); the roster then
says what each unit was the year before (its ``previous`` column, ``lineage``), checked against
the previous roster when the recipe is loaded.
"""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import lineage as lineage_mod
from .addresses import AddressError, addresses
from .catalog import CatalogError
from .documents import Body, Signer, full_name
from .errors import HueDxError, NotFound
from .lineage import Lineage

DEFAULT_RECIPE = "campaign-2020.toml"
DEFAULT_ARCHIVE = Path("out") / "luu-tru"  # where a campaign's files are archived when its recipe names no archive
OPTIONAL_COLUMNS = ("official_name", "parent", "place", "abbreviation", "signer_authority", "signer_title", "signer_name",
                    lineage_mod.COLUMN)
SERIES_DEPTH = 30  # campaigns followed back through [previous]: more is a loop in the recipes


class CampaignError(HueDxError, ValueError):
    """The recipe or roster is malformed; the message says which file and line."""


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str
    group: str
    # For the heading and signature of the documents it issues (optional roster columns):
    official_name: str = ""  # its name written in full, as in its founding decision ("" = name, "UBND" spelt out)
    parent: str = ""  # the body directly above it, printed over its name ("" = none, as for a district)
    place: str = ""  # địa danh of its date line ("" = the campaign issuer's)
    abbreviation: str = ""  # in document symbols: BC-STTTT ("" = its code)
    signer_authority: str = ""  # TM. ỦY BAN NHÂN DÂN
    signer_title: str = ""  # GIÁM ĐỐC, CHỦ TỊCH
    signer_name: str = ""
    email: tuple[str, ...] = ()  # where its messages go (roster column email: several separated by ";")
    previous: str = ""  # what it was the year before, as the roster's column says it (``lineage``)
    line: int = field(default=0, compare=False)  # its line in the roster file, for messages

    @property
    def heading_name(self) -> str:
        from .documents import full_name

        return self.official_name or full_name(self.name)


@dataclass(frozen=True)
class Campaign:
    catalog: str
    period: str
    deadline: dt.date
    issuer: dict[str, str]
    contact: dict[str, str]
    units: tuple[Unit, ...]
    path: Path
    report: dict = field(default_factory=dict)  # heading, signer and recipients of the province's report
    appraisal: dict = field(default_factory=dict)  # who appraises what: default, by_pillar, by_criterion
    publish: dict = field(default_factory=dict)  # the results site and open data: publisher, licence (hue-dx publish)
    archive: Path = DEFAULT_ARCHIVE  # its own archive and ledger (the recipe's ``archive``; relative to the working folder)
    previous: Campaign | None = field(default=None, repr=False)  # the campaign before it ([previous] recipe)
    previous_archive: Path | None = None  # where the previous campaign's files are ([previous] archive, else its own)
    lineage: dict[str, Lineage] = field(default_factory=dict)  # unit code -> what it was in the previous campaign
    removed: tuple[str, ...] = ()  # codes of the previous roster that no unit of this one comes from
    roster: Path | None = None  # the roster file

    def find(self, name: str) -> Unit | None:
        """The roster unit a body's name or code designates ("Sở Thông tin và Truyền thông tỉnh
        Thừa Thiên Huế", "STTTT"), or None: names compare without case, and a trailing mention
        of the province (the campaign issuer's locality) is ignored."""
        wanted = _plain(name, self.issuer.get("place", ""))
        for u in self.units:
            if wanted in (u.code.casefold(), _plain(u.name, ""), _plain(u.heading_name, "")):
                return u
        return None

    def body(self, unit: Unit) -> Body:
        """The heading of the documents a unit issues (roster columns, else sensible defaults:
        no parent line, the locality the name says, else the campaign issuer's, its code)."""
        from .documents import place_of

        place = unit.place or place_of(unit.heading_name) or self.issuer.get("place", "")
        return Body(unit.heading_name, unit.parent, place, unit.abbreviation or unit.code)

    def province(self) -> tuple[Body, Signer]:
        """The province's heading and signer, from the recipe's [report] table."""
        r = self.report
        name = r.get("issuer") or full_name(self.issuer.get("name", ""))
        symbol = r.get("symbol") or str(r.get("number", "")).rpartition("/")[2].strip() or "BC-UBND"
        abbreviation = symbol.split("-", 1)[1] if "-" in symbol else symbol
        body = Body(name, r.get("issuer_parent", ""), r.get("place") or self.issuer.get("place", ""), abbreviation)
        return body, Signer(r.get("signer_title", "CHỦ TỊCH"), r.get("signer_authority", "TM. ỦY BAN NHÂN DÂN"), r.get("signer_name", ""),
                            where=self.key_where("report", "signer_name"))

    def sender(self) -> tuple[Body, Signer, Unit | None]:
        """Who writes to the units (the recipe's [contact]): its heading and signer, and the roster
        unit it is, if it is one (it then gets no letter from itself)."""
        c = self.contact
        unit = self.find(c.get("code", "")) if c.get("code") else None
        unit = unit or self.find(c.get("unit", ""))
        if unit is not None:
            body = self.body(unit)
        else:
            body = Body(full_name(c.get("unit", "")), c.get("parent", ""), c.get("place") or self.issuer.get("place", ""), c.get("code", ""))
        if c.get("parent"):
            body = replace(body, parent=c["parent"])
        title = c.get("signer_title") or (unit.signer_title if unit else "") or "GIÁM ĐỐC"
        authority = c.get("signer_authority") or (unit.signer_authority if unit else "")
        return body, Signer(title, authority, c.get("signer_name") or (unit.signer_name if unit else ""),
                            where=self.key_where("contact", "signer_name")), unit

    def key_where(self, table: str, key: str) -> str:
        """Where a value of the recipe is filled in, in the words of a warning."""
        return f"khóa {key} của mục [{table}] trong tệp {self.path}"

    def unit(self, code: str) -> Unit:
        for u in self.units:
            if u.code.casefold() == code.strip().casefold():
                return u
        raise NotFound(f"không có đơn vị {code!r} trong danh sách {self.path.name} (có: {', '.join(u.code for u in self.units)})")

    @property
    def deadline_vi(self) -> str:
        return self.deadline.strftime("%d/%m/%Y")


def default_recipe(name: str = DEFAULT_RECIPE) -> Path:
    """The shipped generator/<name> (campaign-2020.toml): the same from any folder (another campaign: --recipe)."""
    from .data import shipped

    return shipped("generator", name)


def _nfc(text: object) -> str:
    return unicodedata.normalize("NFC", str(text)).strip()


def _plain(name: str, province: str) -> str:
    text = " ".join(_nfc(name).casefold().split())
    for tail in (f" tỉnh {province.casefold()}", f" {province.casefold()}"):
        if province and text.endswith(tail):
            text = text[: -len(tail)]
    return text


def section(raw: dict, key: str) -> dict:
    """A TOML table with its texts in NFC (lists of texts too: recipients)."""
    out: dict = {}
    for k, v in raw.get(key, {}).items():
        out[k] = [_nfc(x) for x in v] if isinstance(v, list) else _nfc(v)
    return out


def load(path: str | Path | None = None) -> Campaign:
    """The campaign of a recipe (default: the shipped 2020 one), with the campaigns before it."""
    return _load(Path(path) if path else default_recipe(), ())


def _load(path: Path, after: tuple[Path, ...]) -> Campaign:
    if not path.is_file():
        raise CampaignError(f"Không tìm thấy tệp đợt đánh giá: {path}")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise CampaignError(f"{path}: không phải văn bản UTF-8 (byte lạ ở vị trí {exc.start}); lưu lại tệp dạng UTF-8") from None
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
    units = load_roster(roster)
    previous, previous_archive = _previous(raw, path, after)
    links = lineage_mod.Links({}, ())
    if previous is not None:
        if previous.period == str(raw["period"]):
            raise CampaignError(f"{path}: đợt trước ({previous.path.name}) cùng kỳ {previous.period}; [previous] phải là đợt của kỳ trước")
        rows = [lineage_mod.Row(u.code, u.previous, u.line) for u in units]
        try:
            links = lineage_mod.check(rows, [u.code for u in previous.units], str(roster), previous.roster.name if previous.roster else "")
        except lineage_mod.LineageError as exc:
            raise CampaignError(str(exc)) from None
    archive = _path_of(raw.get("archive"), path, "archive") or DEFAULT_ARCHIVE
    previous_archive = previous_archive or (previous.archive if previous is not None else None)
    if previous_archive is not None:
        same_archive(archive, previous_archive, f"{path}: kho lưu trữ")
    return Campaign(
        catalog=str(raw["catalog"]),
        period=str(raw["period"]),
        deadline=deadline,
        issuer=section(raw, "issuer"),
        contact=section(raw, "contact"),
        units=units,
        path=path,
        report=section(raw, "report"),
        appraisal=raw.get("appraisal", {}),
        publish=section(raw, "publish"),
        archive=archive,
        previous=previous,
        previous_archive=previous_archive,
        lineage=dict(links.units),
        removed=links.removed,
        roster=roster,
    )


def same_archive(archive: Path, previous: Path, what: str) -> None:
    """Each campaign keeps its own archive: this year's cannot be the year before's."""
    if archive.resolve() == previous.resolve():
        raise CampaignError(f"{what} {archive} trùng kho của đợt trước: mỗi đợt một kho lưu trữ và sổ cái riêng; "
                            "đặt archive = \"…\" khác cho đợt này (hoặc --archive THƯ_MỤC khác)")


def _path_of(value: object, recipe: Path, key: str) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise CampaignError(f"{recipe}: {key} phải là một đường dẫn thư mục (chữ), gặp {value!r}")
    return Path(value.strip())


def _previous(raw: dict, path: Path, after: tuple[Path, ...]) -> tuple[Campaign | None, Path | None]:
    """The campaign a recipe's [previous] table names (its recipe relative to this one's folder),
    and the archive it gives for it (relative to the working folder, as every archive)."""
    table = raw.get("previous")
    if table is None:
        return None, None
    if not isinstance(table, dict) or not isinstance(table.get("recipe"), str) or not table["recipe"].strip():
        raise CampaignError(f"{path}: mục [previous] cần recipe = \"tệp đợt đánh giá năm trước.toml\"")
    unknown = set(table) - {"recipe", "archive"}
    if unknown:
        raise CampaignError(f"{path}: mục [previous] có khóa không dùng: {', '.join(sorted(unknown))} (có: recipe, archive)")
    target = (path.parent / table["recipe"].strip())
    chain = (*after, path.resolve())
    if target.resolve() in chain or len(chain) > SERIES_DEPTH:
        raise CampaignError(f"{path}: [previous] recipe = {table['recipe']!r} quay lại một đợt đã có trong chuỗi: "
                            + " → ".join(p.name for p in chain) + f" → {target.name}")
    if not target.is_file():
        raise CampaignError(f"{path}: [previous] recipe: không tìm thấy tệp đợt đánh giá năm trước {target}")
    return _load(target, chain), _path_of(table.get("archive"), path, "[previous] archive")


def load_roster(path: Path) -> tuple[Unit, ...]:
    try:
        return _roster(path)
    except UnicodeDecodeError as exc:
        raise CampaignError(f"{path}: không phải văn bản UTF-8 (byte lạ ở vị trí {exc.start}); lưu lại tệp CSV dạng UTF-8") from None


def _roster(path: Path) -> tuple[Unit, ...]:
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
            extra = {key: _nfc(row.get(key) or "") for key in OPTIONAL_COLUMNS}
            try:
                email = addresses(row.get("email") or "")
            except AddressError as exc:
                raise CampaignError(f"{path}, dòng {line} (đơn vị {code}), cột email: {exc}; nhiều địa chỉ thì cách nhau bằng dấu ';'") from None
            units.append(Unit(code, _nfc(row["name"]), _nfc(row["level"]), _nfc(row["group"]), **extra, email=email, line=line))
    return tuple(units)


def check_levels(campaign: Campaign, levels: dict[str, str]) -> None:
    for u in campaign.units:
        if u.level not in levels:
            raise CatalogError(f"{campaign.path.name}: đơn vị {u.code} có cấp {u.level!r} không có trong bộ tiêu chí (có: {', '.join(levels)})")
