"""The criteria catalog: pillars, groups and criteria of one assessment, loaded from TOML data.

A catalog is data, not code: next year's criteria are a new file in ``hue_dx/catalogs/`` (or
anywhere, passed by path). Loading checks the shape and fails with a Vietnamese message
that names the file and the criterion; deeper checks (totals, unused inputs) are in
``audit``.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from . import rules
from .errors import HueDxError, NotFound
from .totals import SCORE, Grade, Totals

DEFAULT_CATALOG = "hue-222-2020"

#: input types, with the Vietnamese words a person filling a workbook reads
INPUT_TYPES = {
    "count": "số nguyên không âm",
    "number": "số không âm",
    "amount": "số tiền (đồng)",
    "yesno": "Có/Không",
    "choice": "chọn một mức",
}
YES_NO = ("Có", "Không")
#: the input types that hold numbers, and so have a largest plausible value (a scale)
NUMERIC_TYPES = ("count", "number", "amount")


class CatalogError(HueDxError, ValueError):
    """The catalog file is malformed; the message says where and what to fix."""


@dataclass(frozen=True)
class Input:
    key: str
    label: str
    type: str
    #: value used when the cell is left blank; None means the input is required
    default: float | None = None
    choices: tuple[str, ...] = ()
    #: the largest plausible value (numeric inputs; from the catalog's [scales]), None for no bound
    max: float | None = None
    #: the name of that scale ("count", "records", "amount", …)
    scale: str = ""
    #: supplied centrally by the Sở for every unit (locked, pre-filled in the unit's workbook;
    #: the consolidation uses the Sở's figure), not declared by the unit
    central: bool = False

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class Scale:
    """The largest value a real unit can report for a kind of figure (a count of staff, of
    documents; an amount in đồng): a larger one is a typing error, not an achievement."""

    name: str
    max: float
    label: str


@dataclass(frozen=True)
class Decision:
    """How hue-dx reads a defect or an ambiguity of the plan's text."""

    code: str
    topic: str
    text: str


@dataclass(frozen=True)
class Criterion:
    code: str
    title: str
    how: str
    note: str
    max: float
    kind: str
    params: Mapping[str, Any]
    inputs: tuple[Input, ...]
    applies_to: tuple[str, ...]
    evidence: str
    decisions: tuple[Decision, ...]
    pillar: str
    group: str

    @property
    def rule(self) -> rules.RuleKind:
        return rules.kind(self.kind)

    @property
    def role(self) -> str:
        """score, bonus or penalty (``totals``): how its points enter the totals."""
        return self.rule.role

    def input(self, key: str) -> Input:
        for item in self.inputs:
            if item.key == key:
                return item
        raise KeyError(f"{self.code}: không có số liệu {key!r}")

    def describe(self) -> str:
        return self.rule.describe(self.params, self.max)

    def applies(self, level: str | None) -> bool:
        return level is None or level in self.applies_to


@dataclass(frozen=True)
class Group:
    """A pillar (code without a dot) or a group of criteria, possibly nested (3.3.1)."""

    code: str
    title: str
    stated_max: float | None
    decision: str | None
    parent: str | None
    #: a pillar's name on its workbook sheet (sheet names hold 31 characters)
    short_title: str = ""
    #: the most the bonus (penalty) criteria below a pillar add (subtract); None for no cap
    bonus_cap: float | None = None
    penalty_cap: float | None = None

    @property
    def is_pillar(self) -> bool:
        return self.parent is None

    @property
    def sheet_name(self) -> str:
        return f"{self.code}. {self.short_title or self.title}"


@dataclass(frozen=True)
class Unscored:
    """A numbered row the plan prints without points, scored together with another criterion."""

    code: str
    title: str
    scored_in: str
    decision: str


@dataclass(frozen=True)
class Comparable:
    """What of an earlier criteria set this one's results compare with ([comparable]): the
    overall index, and pillars of this set mapped to pillars of that one. Whatever is not
    declared is "không so sánh được" against that set (``series``)."""

    catalog: str  # the earlier set's id
    index: bool = False  # whether the overall index compares
    pillars: Mapping[str, str] = field(default_factory=dict)  # this set's pillar code -> the earlier set's
    note: str = ""  # why, in words (printed with the comparison)


@dataclass(frozen=True)
class Catalog:
    id: str
    version: str
    title: str
    source: Mapping[str, str]
    levels: Mapping[str, str]
    policies: Mapping[str, str]
    evidence_fields: Mapping[str, str]
    groups: tuple[Group, ...]
    criteria: tuple[Criterion, ...]
    unscored: tuple[Unscored, ...]
    path: str = field(default="", compare=False)
    scales: Mapping[str, Scale] = field(default_factory=dict)
    #: how pillars and the set add up: bonus and penalty caps, floor, index bound, grades
    totals: Totals = field(default_factory=Totals)
    #: what of an earlier set compares with this one (None: only the same set compares)
    comparable: Comparable | None = None

    @cached_property
    def by_code(self) -> dict[str, Criterion]:
        return {c.code: c for c in self.criteria}

    @cached_property
    def groups_by_code(self) -> dict[str, Group]:
        return {g.code: g for g in self.groups}

    @property
    def pillars(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.is_pillar)

    def criterion(self, code: str) -> Criterion:
        try:
            return self.by_code[code.strip()]
        except KeyError:
            raise NotFound(f"không có tiêu chí {code!r} trong bộ tiêu chí {self.id}") from None

    def criteria_under(self, code: str) -> tuple[Criterion, ...]:
        """Every criterion whose code lies below a pillar or group code."""
        found = self._members.get(code)
        if found is None:
            prefix = code + "."
            found = tuple(c for c in self.criteria if c.code.startswith(prefix))
        return found

    @cached_property
    def _members(self) -> dict[str, tuple[Criterion, ...]]:
        return {g.code: tuple(c for c in self.criteria if c.code.startswith(g.code + ".")) for g in self.groups}

    def max_of(self, code: str) -> float:
        """The max hue-dx uses for a group or pillar: the sum of its criteria (see policies);
        bonus and penalty criteria are not part of it."""
        return sum(c.max for c in self.criteria_under(code) if c.role == SCORE)

    @property
    def total_max(self) -> float:
        return sum(c.max for c in self.criteria if c.role == SCORE)

    def with_role(self, role: str, code: str = "") -> tuple[Criterion, ...]:
        """The criteria of one role (bonus, penalty…), under a pillar or group, or in the whole set."""
        members = self.criteria_under(code) if code else self.criteria
        return tuple(c for c in members if c.role == role)

    @cached_property
    def central_inputs(self) -> tuple[tuple[Criterion, Input], ...]:
        """Every input the Sở supplies for all units, in catalog order."""
        return tuple((c, i) for c in self.criteria for i in c.inputs if i.central)

    @cached_property
    def decisions(self) -> tuple[Decision, ...]:
        """Every reading hue-dx chose, in catalog order: groups, unscored rows, criteria."""
        out: list[Decision] = []
        for g in self.groups:
            if g.decision:
                out.append(Decision(g.code, "điểm tối đa", g.decision))
        for u in self.unscored:
            out.append(Decision(u.code, "dòng không có điểm", u.decision))
        for c in self.criteria:
            out.extend(c.decisions)
        return tuple(sorted(out, key=lambda d: code_key(d.code)))


def code_key(code: str) -> tuple[int, ...]:
    """Sort key that puts 5.10 after 5.9."""
    return tuple(int(part) for part in code.split("."))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def available() -> list[str]:
    """Ids of the catalogs shipped inside the package."""
    return sorted(p.name[:-5] for p in resources.files("hue_dx.catalogs").iterdir()
                  if p.name.endswith(".toml") and not p.name.endswith("-tasks.toml"))  # tasks files: hue_dx.tracking


def load(ref: str | Path | None = None) -> Catalog:
    """Load a catalog by id of a shipped catalog (default: the 2020 plan) or by file path."""
    ref = DEFAULT_CATALOG if ref is None else ref
    path = Path(ref)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise CatalogError(f"Không tìm thấy tệp bộ tiêu chí: {path}")
        return parse(path.read_bytes(), str(path))
    resource = resources.files("hue_dx.catalogs") / f"{ref}.toml"
    if not resource.is_file():
        raise CatalogError(f"Không có bộ tiêu chí {str(ref)!r}. Có sẵn: {', '.join(available())}; hoặc chỉ đường dẫn tới tệp .toml.")
    return parse(resource.read_bytes(), f"{ref}.toml")


def parse(data: bytes, origin: str = "<catalog>") -> Catalog:
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{origin}: không đọc được TOML: {exc}") from exc
    return from_data(raw, origin)


def from_data(raw: dict[str, Any], origin: str = "<catalog>") -> Catalog:
    """A catalog from the data a TOML file gives (``tomllib.loads``), e.g. read from a criteria workbook."""
    try:
        return _build(raw, origin)
    except KeyError as exc:
        raise CatalogError(f"{origin}: thiếu trường {exc}") from exc


def _text(value: Any) -> str:
    return nfc(str(value)).strip()


def _build(raw: dict[str, Any], origin: str) -> Catalog:
    if raw.get("schema") != 1:
        raise CatalogError(f"{origin}: schema {raw.get('schema')!r} không được hỗ trợ (cần 1)")
    scales = _scales(raw.get("scales", {}), origin)
    group_codes = [str(g["code"]) for g in raw.get("groups", [])]
    groups = []
    for g in raw.get("groups", []):
        code = str(g["code"])
        parent = _parent(code, group_codes)
        if "." in code and parent is None:
            raise CatalogError(f"{origin}: nhóm {code} không nằm trong trụ cột nào")
        stated = g.get("stated_max")
        groups.append(Group(code, _text(g["title"]), None if stated is None else float(stated), g.get("decision"), parent,
                            _text(g.get("short_title", "")), _cap(g, "bonus_cap", origin, code), _cap(g, "penalty_cap", origin, code)))
    criteria = [_criterion(c, group_codes, scales, origin) for c in raw.get("criteria", [])]
    unscored = tuple(Unscored(str(u["code"]), _text(u["title"]), str(u["scored_in"]), _text(u["decision"])) for u in raw.get("unscored", []))
    return Catalog(
        id=str(raw["id"]),
        version=str(raw["version"]),
        title=_text(raw["title"]),
        source={k: _text(v) for k, v in raw.get("source", {}).items()},
        levels={k: _text(v) for k, v in raw.get("levels", {}).items()},
        policies={k: _text(v) for k, v in raw.get("policies", {}).items()},
        evidence_fields={k: _text(v) for k, v in raw.get("evidence_fields", {}).items()},
        groups=tuple(groups),
        criteria=tuple(criteria),
        unscored=unscored,
        path=origin,
        scales=scales,
        totals=_totals(raw, origin),
        comparable=_comparable(raw.get("comparable"), [g.code for g in groups if g.is_pillar], origin, str(raw["id"])),
    )


def _comparable(spec: Any, pillars: list[str], origin: str, own: str) -> Comparable | None:
    """[comparable]: catalog (the earlier set's id), index (true/false), pillars ({this = that}), note."""
    if spec is None:
        return None
    where = f"{origin}: [comparable]"
    if not isinstance(spec, dict):
        raise CatalogError(f"{where} phải là một bảng (catalog, index, pillars, note)")
    unknown = set(spec) - {"catalog", "index", "pillars", "note"}
    if unknown:
        raise CatalogError(f"{where} có khóa không dùng: {', '.join(sorted(unknown))} (có: catalog, index, pillars, note)")
    other = spec.get("catalog")
    if not isinstance(other, str) or not other.strip():
        raise CatalogError(f"{where}: catalog phải là mã của bộ tiêu chí trước (ví dụ \"hue-222-2020\")")
    index = spec.get("index", False)
    if not isinstance(index, bool):
        raise CatalogError(f"{where}: index phải là true hoặc false, gặp {index!r}")
    mapping = spec.get("pillars", {})
    if not isinstance(mapping, dict):
        raise CatalogError(f"{where}: pillars phải là một bảng {{ \"trụ cột của bộ này\" = \"trụ cột của bộ {other}\" }}")
    out: dict[str, str] = {}
    for mine, theirs in mapping.items():
        if str(mine) not in pillars:
            raise CatalogError(f"{where}: pillars: {mine!r} không phải trụ cột của bộ này (có: {', '.join(pillars)})")
        if not isinstance(theirs, str | int) or isinstance(theirs, bool) or not str(theirs).strip():
            raise CatalogError(f"{where}: pillars: trụ cột {mine} cần mã một trụ cột của bộ {other}, gặp {theirs!r}")
        out[str(mine)] = str(theirs).strip()
    if len(set(out.values())) < len(out):
        raise CatalogError(f"{where}: pillars: một trụ cột của bộ {other} được ghép với hai trụ cột của bộ này")
    if other.strip() == own:
        raise CatalogError(f"{where}: catalog là chính bộ này")
    return Comparable(other.strip(), index, out, _text(spec.get("note", "")))


def _cap(table: dict[str, Any], key: str, origin: str, where: str) -> float | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise CatalogError(f"{origin}: {where}: {key} phải là một số dương, gặp {value!r}")
    return float(value)


def _totals(raw: dict[str, Any], origin: str) -> Totals:
    """[totals] (caps of the whole set, floor, index bound) and [[grades]] (bands of the index)."""
    spec = raw.get("totals", {})
    unknown = set(spec) - {"bonus_cap", "penalty_cap", "floor", "index_max"}
    if unknown:
        raise CatalogError(f"{origin}: [totals] có khóa không dùng: {', '.join(sorted(unknown))} (có: bonus_cap, penalty_cap, floor, index_max)")
    numbers = {}
    for key, default in (("floor", 0.0), ("index_max", 1.0)):
        value = spec.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise CatalogError(f"{origin}: [totals] {key} phải là một số, gặp {value!r}")
        numbers[key] = float(value)
    grades = []
    for g in raw.get("grades", []):
        if not isinstance(g.get("min"), (int, float)) or isinstance(g.get("min"), bool) or not str(g.get("label", "")).strip():
            raise CatalogError(f"{origin}: [[grades]] cần 'label' (tên loại) và 'min' (chỉ số từ), gặp {g!r}")
        grades.append(Grade(_text(g["label"]), float(g["min"])))
    return Totals(_cap(spec, "bonus_cap", origin, "[totals]"), _cap(spec, "penalty_cap", origin, "[totals]"),
                  numbers["floor"], numbers["index_max"], tuple(grades))


def _scales(raw: dict[str, Any], origin: str) -> dict[str, Scale]:
    out = {}
    for name, spec in raw.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("max"), (int, float)) or spec["max"] <= 0:
            raise CatalogError(f"{origin}: [scales.{name}] cần 'max' là một số dương")
        out[name] = Scale(name, float(spec["max"]), _text(spec.get("label", "")))
    return out


def _parent(code: str, group_codes: list[str]) -> str | None:
    parts = code.split(".")
    for n in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in group_codes:
            return candidate
    return None


def _criterion(c: dict[str, Any], group_codes: list[str], scales: Mapping[str, Scale], origin: str) -> Criterion:
    code = str(c["code"])
    where = f"{origin}: tiêu chí {code}"
    group = _parent(code, group_codes)
    if group is None:
        raise CatalogError(f"{where}: không nằm trong nhóm nào")
    kind_name = c["kind"]
    if kind_name not in rules.KINDS:
        raise CatalogError(f"{where}: loại quy tắc {kind_name!r} không có (có: {', '.join(rules.KINDS)})")
    params = c.get("params", {})
    inputs = []
    for i in c.get("inputs", []):
        if i["type"] not in INPUT_TYPES:
            raise CatalogError(f"{where}: số liệu {i['key']} có kiểu {i['type']!r} không hợp lệ (có: {', '.join(INPUT_TYPES)})")
        choices: tuple[str, ...] = ()
        if i["type"] == "choice":
            choices = tuple(_text(o["label"]) for o in params.get("options", []))
        elif i["type"] == "yesno":
            choices = YES_NO
        default = i.get("default")
        scale_name = str(i.get("scale", i["type"])) if i["type"] in NUMERIC_TYPES else ""
        if "scale" in i and scale_name not in scales:
            raise CatalogError(f"{where}: số liệu {i['key']} dùng mức {scale_name!r} không có trong [scales] (có: {', '.join(scales)})")
        bound = scales[scale_name].max if scale_name in scales else None
        inputs.append(Input(str(i["key"]), _text(i["label"]), i["type"], None if default is None else float(default), choices,
                            bound, scale_name if bound is not None else "", bool(i.get("central", False))))
    decisions = tuple(Decision(code, _text(d["topic"]), _text(d["text"])) for d in c.get("decisions", []))
    return Criterion(
        code=code,
        title=_text(c["title"]),
        how=_text(c.get("how", "")),
        note=_text(c.get("note", "")),
        max=float(c["max"]),
        kind=kind_name,
        params=params,
        inputs=tuple(inputs),
        applies_to=tuple(c.get("applies_to", [])),
        evidence=_text(c.get("evidence", "")),
        decisions=decisions,
        pillar=code.split(".")[0],
        group=group,
    )
