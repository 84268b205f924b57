"""The plan's tasks as data: indicators, documents, programmes, projects and duties with their
lead and cooperating bodies, the funding of the projects, and the registry of bodies.

The file (``hue_dx/catalogs/hue-222-2020-tasks.toml``) transcribes the plan word for word:
texts, bodies and amounts are kept as printed, and parsed here (years "2021 – 2025", amounts
"5.000.000.000" in đồng, "-" for no amount). Loading checks the shape and fails with a
Vietnamese message that names the file and the row; the deeper checks (totals, bodies, rows
of Phụ lục 3 against Phụ lục 5) are in ``tracking.audit``.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from .. import vn
from ..catalog import Decision
from ..errors import HueDxError, NotFound

DEFAULT_TASKS = "hue-222-2020-tasks"

#: task kinds, with the Vietnamese words people read
KINDS = {
    "indicator": "chỉ tiêu",
    "document": "văn bản",
    "programme": "chương trình",
    "project": "dự án",
    "duty": "nhiệm vụ thường xuyên",
}
BUDGET_COLUMNS = ("state", "other", "total")
NO_AMOUNT = "-"
BILLION = vn.BILLION

_YEARS = re.compile(r"^(\d{4})\s*[-–]\s*(\d{4})$")
_AMOUNT = re.compile(r"^(0|[1-9]\d{0,2}(\.\d{3})*)$")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}


class TasksError(HueDxError, ValueError):
    """The tasks file is malformed; the message says where and what to fix."""


def nfc(text: object) -> str:
    return unicodedata.normalize("NFC", str(text)).strip()


def squash(text: str) -> str:
    """NFC with runs of white space made one space: how cell texts are compared."""
    return " ".join(nfc(text).split())


def parse_amount(printed: str, where: str) -> int | None:
    """An amount as printed in Phụ lục 5: '5.000.000.000' -> 5000000000, '0' -> 0, '-' -> None."""
    text = printed.strip()
    if text == NO_AMOUNT:
        return None
    if not _AMOUNT.match(text):
        raise TasksError(f"{where}: số tiền {printed!r} không đúng dạng in của Kế hoạch (ví dụ 5.000.000.000, 0 hoặc -)")
    return int(text.replace(".", ""))


def parse_years(printed: str, where: str) -> tuple[int, int]:
    """'2021 – 2025' or '2020 - 2022' -> (2021, 2025)."""
    match = _YEARS.match(printed.strip())
    if not match:
        raise TasksError(f"{where}: năm thực hiện {printed!r} không đúng dạng 'NNNN - NNNN'")
    return int(match.group(1)), int(match.group(2))


def id_key(code: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key for ids such as PL3.A.IV.2 and PL2.II.10: numbers and Roman numerals by value."""
    parts: list[tuple[int, int | str]] = []
    for part in code.split("."):
        if part.isdigit():
            parts.append((1, int(part)))
        elif part in _ROMAN:
            parts.append((1, _ROMAN[part]))
        else:
            parts.append((0, part))
    return tuple(parts)


GENERAL = "chung"  # code of the decisions that concern the whole file
APPENDIX_ORDER = (GENERAL, "PL1", "PL2", "PL3", "IV", "PL5")


def order_key(code: str) -> tuple[int, tuple[tuple[int, int | str], ...]]:
    """General decisions, then appendices in the plan's order (Phụ lục 1, 2, 3, mục IV, Phụ lục 5),
    then anything else (bodies, units); by id within each."""
    head = code.split(".")[0]
    return (APPENDIX_ORDER.index(head) if head in APPENDIX_ORDER else len(APPENDIX_ORDER), id_key(code))


@dataclass(frozen=True)
class Target:
    """A quantified target: value and unit as printed, and the year by which it is due (if any)."""

    value: float
    unit: str
    year: int | None

    def describe(self) -> str:
        value = f"{self.value:g}".replace(".", ",")
        amount = f"{value}%" if self.unit == "%" else f"{value} {self.unit}"
        return f"{amount} đến năm {self.year}" if self.year else amount


@dataclass(frozen=True)
class Group:
    """An appendix (code without a dot: PL1, PL2, PL3, IV) or a group inside it (PL3.A.II)."""

    code: str
    title: str
    label: str
    kind: str
    decision: str
    parent: str | None

    @property
    def is_appendix(self) -> bool:
        return self.parent is None


@dataclass(frozen=True)
class Task:
    id: str
    group: str
    kind: str
    text: str
    lead: str  # the "Chủ trì" cell as printed
    cooperating: str  # the "Phối hợp" cell as printed ("" where the appendix has no such column)
    doc_type: str  # "Loại hình" of Phụ lục 2
    years: str  # "Năm thực hiện" as printed ("" where the appendix prints none)
    start: int
    end: int
    target: Target | None
    same_as: str | None  # a duty that is the same work as an appendix row is reported there
    decisions: tuple[Decision, ...]

    @property
    def appendix(self) -> str:
        return self.id.split(".")[0]

    @property
    def tracked(self) -> bool:
        """Whether the task has its own row in the quarterly workbooks."""
        return self.same_as is None

    @property
    def kind_vi(self) -> str:
        return KINDS[self.kind]

    @property
    def years_vi(self) -> str:
        return self.years if self.years else f"{self.start}–{self.end} (cả giai đoạn)"


@dataclass(frozen=True)
class BudgetRow:
    """One row of Phụ lục 5: the funding of one project of Phụ lục 3, in đồng."""

    id: str
    project: str
    text: str
    lead: str
    printed: Mapping[str, str]  # state, other, total as printed
    state: int | None  # None: printed "-", no amount (see note)
    other: int | None
    total: int | None
    note: str | None  # key of budget.notes explaining a "-"
    decisions: tuple[Decision, ...]

    @property
    def amounts(self) -> dict[str, int | None]:
        return {"state": self.state, "other": self.other, "total": self.total}


@dataclass(frozen=True)
class Budget:
    label: str
    title: str
    unit: str
    columns: Mapping[str, str]
    stated_printed: Mapping[str, str]
    stated: Mapping[str, int | None]
    notes: Mapping[str, str]
    rows: tuple[BudgetRow, ...]
    decisions: tuple[Decision, ...]

    def summed(self, column: str) -> int:
        """The sum of a column over the rows that print an amount (rows printing "-" count nothing)."""
        return sum(getattr(r, column) or 0 for r in self.rows)

    @cached_property
    def by_project(self) -> dict[str, BudgetRow]:
        return {r.project: r for r in self.rows}


@dataclass(frozen=True)
class Body:
    """A body named in the plan: one roster unit, a set of roster levels, or an external body."""

    code: str
    name: str
    unit: str | None
    levels: tuple[str, ...]
    external: bool
    reported_by: str | None
    spellings: tuple[str, ...]
    typos: Mapping[str, str]
    mentioned_in: tuple[str, ...]
    decision: str

    @property
    def kind_vi(self) -> str:
        if self.external:
            return "ngoài danh sách"
        return "một đơn vị" if self.unit else "nhóm đơn vị"


@dataclass(frozen=True)
class Mention:
    """A body found in a cell, with the spelling printed there."""

    body: Body
    spelling: str


@dataclass(frozen=True)
class Resolution:
    """A cell (lead, cooperating) read as bodies; ``unresolved`` holds what matched no spelling."""

    mentions: tuple[Mention, ...]
    unresolved: tuple[str, ...]

    @property
    def bodies(self) -> tuple[Body, ...]:
        return tuple(m.body for m in self.mentions)


_SEPARATORS = " ,;/"


@dataclass(frozen=True)
class TaskCatalog:
    id: str
    version: str
    title: str
    source: Mapping[str, str]
    plan_start: int
    plan_end: int
    reporting: Mapping[str, str]
    groups: tuple[Group, ...]
    tasks: tuple[Task, ...]
    budget: Budget
    bodies: tuple[Body, ...]
    decisions: tuple[Decision, ...]
    path: str = field(default="", compare=False)

    @cached_property
    def by_id(self) -> dict[str, Task]:
        return {t.id: t for t in self.tasks}

    @cached_property
    def groups_by_code(self) -> dict[str, Group]:
        return {g.code: g for g in self.groups}

    @cached_property
    def bodies_by_code(self) -> dict[str, Body]:
        return {b.code: b for b in self.bodies}

    @property
    def appendices(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.is_appendix)

    @property
    def tracked(self) -> tuple[Task, ...]:
        return tuple(t for t in self.tasks if t.tracked)

    def task(self, task_id: str) -> Task:
        key = task_id.strip().upper()
        for t in self.tasks:
            if t.id.upper() == key:
                return t
        raise NotFound(f"không có nhiệm vụ {task_id!r} trong {self.id} (ví dụ: PL1.3, PL2.I.5, PL3.B.2, IV.8.1)")

    def tasks_under(self, code: str) -> tuple[Task, ...]:
        """Every task of an appendix or group (PL3, PL3.A, PL3.A.II)."""
        return tuple(t for t in self.tasks if t.group == code or t.group.startswith(code + "."))

    def group_path(self, task: Task) -> tuple[Group, ...]:
        """The appendix and the groups a task lies in, outermost first."""
        out: list[Group] = []
        code: str | None = task.group
        while code:
            group = self.groups_by_code[code]
            out.append(group)
            code = group.parent
        return tuple(reversed(out))

    @cached_property
    def _spellings(self) -> list[tuple[str, Body]]:
        table = [(squash(s), b) for b in self.bodies for s in b.spellings]
        return sorted(table, key=lambda item: -len(item[0]))  # longest first: "Văn phòng UBND tỉnh" before "UBND tỉnh"

    def resolve(self, cell: str) -> Resolution:
        """Read a lead or cooperating cell as bodies. Names are separated by ',', ';' or '/',
        but a group name contains commas ("Các sở, ban, ngành"), so the cell is matched
        against every known spelling, longest first, from left to right."""
        text = squash(cell)
        mentions: list[Mention] = []
        unresolved: list[str] = []
        pos = 0
        while pos < len(text):
            if text[pos] in _SEPARATORS:
                pos += 1
                continue
            for spelling, body in self._spellings:
                end = pos + len(spelling)
                if text.startswith(spelling, pos) and (end == len(text) or text[end] in _SEPARATORS):
                    mentions.append(Mention(body, spelling))
                    pos = end
                    break
            else:
                stop = min((i for i in (text.find(c, pos) for c in ",;/") if i >= 0), default=len(text))
                unresolved.append(text[pos:stop].strip())
                pos = stop
        return Resolution(tuple(mentions), tuple(unresolved))

    @cached_property
    def all_decisions(self) -> tuple[Decision, ...]:
        """Every reading hue-dx chose, in the plan's order: general, appendices and groups,
        tasks, funding, bodies."""
        out = list(self.decisions)
        out += [Decision(g.code, "phụ lục" if g.is_appendix else "nhóm", g.decision) for g in self.groups if g.decision]
        for t in self.tasks:
            out.extend(t.decisions)
        out.extend(self.budget.decisions)
        for r in self.budget.rows:
            out.extend(r.decisions)
        for b in self.bodies:
            out += [Decision(b.code, f"tên cơ quan: {spelling}", text) for spelling, text in b.typos.items()]
            if b.decision:
                out.append(Decision(b.code, "cơ quan", b.decision))
        return tuple(out)


# ---------------------------------------------------------------------------------- loading


def available() -> list[str]:
    """Ids of the tasks files shipped inside the package."""
    return sorted(p.name[:-5] for p in resources.files("hue_dx.catalogs").iterdir() if p.name.endswith("-tasks.toml"))


def load(ref: str | Path | None = None) -> TaskCatalog:
    """Load a tasks file by id of a shipped one (default: the 2020 plan) or by path."""
    ref = DEFAULT_TASKS if ref is None else ref
    path = Path(ref)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise TasksError(f"Không tìm thấy tệp nhiệm vụ: {path}")
        return parse(path.read_bytes(), str(path))
    resource = resources.files("hue_dx.catalogs") / f"{ref}.toml"
    if not resource.is_file():
        raise TasksError(f"Không có tệp nhiệm vụ {str(ref)!r}. Có sẵn: {', '.join(available())}; hoặc chỉ đường dẫn tới tệp .toml.")
    return parse(resource.read_bytes(), f"{ref}.toml")


def parse(data: bytes, origin: str = "<tasks>") -> TaskCatalog:
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TasksError(f"{origin}: không đọc được TOML: {exc}") from exc
    try:
        return _build(raw, origin)
    except KeyError as exc:
        raise TasksError(f"{origin}: thiếu trường {exc}") from exc


def _decisions(code: str, items: list[dict[str, Any]]) -> tuple[Decision, ...]:
    return tuple(Decision(code, nfc(d["topic"]), nfc(d["text"])) for d in items)


def _parent(code: str, codes: set[str]) -> str | None:
    parts = code.split(".")
    for n in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in codes:
            return candidate
    return None


def _build(raw: dict[str, Any], origin: str) -> TaskCatalog:
    if raw.get("schema") != 1:
        raise TasksError(f"{origin}: schema {raw.get('schema')!r} không được hỗ trợ (cần 1)")
    plan = raw["plan"]
    start, end = int(plan["start"]), int(plan["end"])
    codes = {str(g["code"]) for g in raw.get("groups", [])}
    groups = []
    for g in raw.get("groups", []):
        code = str(g["code"])
        parent = _parent(code, codes)
        if "." in code and parent is None:
            raise TasksError(f"{origin}: nhóm {code} không nằm trong phụ lục nào")
        groups.append(Group(code, nfc(g["title"]), nfc(g.get("label", "")), str(g.get("kind", "")), nfc(g.get("decision", "")), parent))
    tasks = [_task(t, codes, start, end, origin) for t in raw.get("tasks", [])]
    return TaskCatalog(
        id=str(raw["id"]),
        version=str(raw["version"]),
        title=nfc(raw["title"]),
        source={k: nfc(v) for k, v in raw.get("source", {}).items()},
        plan_start=start,
        plan_end=end,
        reporting={k: nfc(v) for k, v in raw.get("reporting", {}).items()},
        groups=tuple(groups),
        tasks=tuple(tasks),
        budget=_budget(raw.get("budget", {}), origin),
        bodies=tuple(_body(b) for b in raw.get("bodies", [])),
        decisions=tuple(Decision(str(d["code"]), nfc(d["topic"]), nfc(d["text"])) for d in raw.get("decisions", [])),
        path=origin,
    )


def _task(t: dict[str, Any], codes: set[str], plan_start: int, plan_end: int, origin: str) -> Task:
    task_id = str(t["id"])
    where = f"{origin}: nhiệm vụ {task_id}"
    if t["group"] not in codes:
        raise TasksError(f"{where}: nhóm {t['group']!r} không có")
    if t["kind"] not in KINDS:
        raise TasksError(f"{where}: loại {t['kind']!r} không có (có: {', '.join(KINDS)})")
    years = nfc(t.get("years", ""))
    start, end = parse_years(years, where) if years else (plan_start, plan_end)
    target = None
    if "target" in t:
        raw = t["target"]
        target = Target(float(raw["value"]), nfc(raw["unit"]), int(raw["year"]) if "year" in raw else None)
    return Task(
        id=task_id,
        group=str(t["group"]),
        kind=str(t["kind"]),
        text=nfc(t["text"]),
        lead=nfc(t["lead"]),
        cooperating=nfc(t.get("cooperating", "")),
        doc_type=nfc(t.get("doc_type", "")),
        years=years,
        start=start,
        end=end,
        target=target,
        same_as=t.get("same_as"),
        decisions=_decisions(task_id, t.get("decisions", [])),
    )


def _budget(raw: dict[str, Any], origin: str) -> Budget:
    stated_printed = {k: nfc(raw.get("stated", {}).get(k, NO_AMOUNT)) for k in BUDGET_COLUMNS}
    rows = []
    for r in raw.get("rows", []):
        where = f"{origin}: dòng kinh phí {r.get('id')}"
        printed = {k: nfc(r[k]) for k in BUDGET_COLUMNS}
        amounts = {k: parse_amount(v, where) for k, v in printed.items()}
        rows.append(BudgetRow(
            id=str(r["id"]), project=str(r["project"]), text=nfc(r["text"]), lead=nfc(r["lead"]), printed=printed,
            state=amounts["state"], other=amounts["other"], total=amounts["total"], note=r.get("note"),
            decisions=_decisions(str(r["id"]), r.get("decisions", [])),
        ))
    return Budget(
        label=nfc(raw.get("label", "")),
        title=nfc(raw.get("title", "")),
        unit=nfc(raw.get("unit", "đồng")),
        columns={k: nfc(v) for k, v in raw.get("columns", {}).items()},
        stated_printed=stated_printed,
        stated={k: parse_amount(v, f"{origin}: tổng in của Phụ lục 5") for k, v in stated_printed.items()},
        notes={k: nfc(v) for k, v in raw.get("notes", {}).items()},
        rows=tuple(rows),
        decisions=_decisions("PL5", raw.get("decisions", [])),
    )


def _body(b: dict[str, Any]) -> Body:
    return Body(
        code=str(b["code"]),
        name=nfc(b["name"]),
        unit=b.get("unit"),
        levels=tuple(b.get("levels", [])),
        external=bool(b.get("external", False)),
        reported_by=b.get("reported_by"),
        spellings=tuple(nfc(s) for s in b.get("spellings", [])),
        typos={nfc(k): nfc(v) for k, v in b.get("typos", {}).items()},
        mentioned_in=tuple(b.get("mentioned_in", [])),
        decision=nfc(b.get("decision", "")),
    )
