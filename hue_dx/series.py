"""Years in series: one campaign's results against the years before it (pure).

Each year's results are held as a ``Year``: per ranked unit its index, rank, points and applicable
max, the same per pillar, and each criterion's points (``year_of`` makes it from a consolidation;
``intake.years`` reads earlier years back from their archives' ledgers). ``compare`` sets this
year against the ones before and gives a ``Comparison``: per unit (``UnitComparison``) its index,
rank and pillars against last year and its history; per group the average, the distribution and
the leaders of each pillar against last year; the trend over every year; the reorganisations.

The rules (docs/series.md says them to the reader, and every output repeats the one it applies):

- Figures are compared as they are published: indices rounded to 4 decimals; a change is the
  difference of the two rounded figures, in index points (never a percentage); an average is the
  mean of the rounded indices of the units ranked in the group.
- The same unit, or a renamed one, is compared with itself: index, rank in its group (when the
  group is the same), pillars, criteria.
- A merged unit is compared with the mean of its predecessors' indices (each predecessor ranked
  the year before counts once, as DTI did for the merged provinces in 2025), pillar by pillar
  alike; its rank change is not shown (it had no rank): the predecessors' ranks are listed.
- A unit split from another is compared with the whole unit it came from; no rank change.
- A new unit is "mới": no change is shown, never +100%.
- Two years on different criteria sets compare only what the newer set declares comparable
  (its catalog's ``[comparable]``: the overall index, pillars it maps); criteria never. Every
  other comparison is "không so sánh được", with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import vn
from .catalog import Catalog
from .lineage import MERGED, NEW, SAME, SPLIT, Lineage

NOT_COMPARABLE = "không so sánh được"
BANDS = ((0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.0))  # value bands of an index, the last one closed
HALF = 0.5  # "units at 0,5 or more", as DTI counts them
RULE_TEXT = ("Chỉ số so sánh là chỉ số đã làm tròn 4 chữ số; thay đổi là hiệu hai chỉ số đó (điểm chỉ số, không tính phần trăm). "
             "Đơn vị hợp nhất so với bình quân cộng chỉ số các đơn vị tiền thân năm trước (mỗi đơn vị tính một lần, như DTI với các tỉnh "
             "hợp nhất năm 2025), không so sánh hạng; đơn vị tách ra so với cả đơn vị cũ, không so sánh hạng; đơn vị mới ghi \"mới\", "
             "không có thay đổi. Hạng chỉ so sánh khi đơn vị giữ nguyên hoặc đổi tên và ở cùng nhóm xếp hạng.")


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def mean(values: Iterable[float | None]) -> float | None:
    """The mean of the known values, each rounded to 4 decimals as published; None when none is known."""
    known = [round(v, 4) for v in values if v is not None]
    return round(sum(known) / len(known), 4) if known else None


def band_of(value: float | None) -> int | None:
    """The value band of an index (0 for below 0,2 … 4 for 0,8 to 1), None for no index."""
    if value is None:
        return None
    for n, (_, high) in enumerate(BANDS[:-1]):
        if value < high:
            return n
    return len(BANDS) - 1


def band_label(n: int) -> str:
    low, high = BANDS[n]
    if n == 0:
        return f"dưới {vn.fixed(high, 1)}"
    if n == len(BANDS) - 1:
        return f"từ {vn.fixed(low, 1)} đến {vn.fixed(high, 0)}"
    return f"từ {vn.fixed(low, 1)} đến dưới {vn.fixed(high, 1)}"


def band_counts(values: Iterable[float | None]) -> tuple[int, ...]:
    bands = [band_of(rounded(v)) for v in values]
    return tuple(sum(1 for b in bands if b == n) for n in range(len(BANDS)))


# ------------------------------------------------------------------------------ one year


@dataclass(frozen=True)
class PillarFigures:
    index: float | None
    rank: int | None
    points: float
    max: float


@dataclass(frozen=True)
class Figures:
    """One unit's results in one year (a unit that sent figures)."""

    code: str
    name: str
    group: str
    level: str
    index: float | None
    rank: int | None
    points: float
    max: float
    pillars: Mapping[str, PillarFigures]  # by the year's pillar code
    criteria: tuple[float | None, ...] = ()  # each criterion's points, in the catalog's order (None: not scored)


@dataclass(frozen=True)
class Year:
    """One campaign's results, or why they cannot be read (``reason``: then ``units`` is empty)."""

    period: str
    catalog: Catalog
    units: Mapping[str, Figures]  # the units ranked (that sent figures), by code
    roster: Mapping[str, tuple[str, str]]  # every roster unit: code -> (name, group)
    lineage: Mapping[str, Lineage] = field(default_factory=dict)  # each unit against the year before this one
    removed: tuple[str, ...] = ()  # the year before's units that no unit of this one comes from
    reason: str = ""  # why its results are not available ("" when they are)
    archive: str = ""  # where they were read from

    @property
    def available(self) -> bool:
        return not self.reason

    def name(self, code: str) -> str:
        return self.roster.get(code, (code, ""))[0]

    def ranked(self, group: str) -> list[Figures]:
        return [f for f in self.units.values() if f.group == group]

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(group for _, group in self.roster.values()))


def year_of(consolidation, lineage: Mapping[str, Lineage] | None = None, removed: Sequence[str] = (), archive: str = "") -> Year:
    """The results of a consolidation as a ``Year`` (the final results: appraisals applied)."""
    c = consolidation
    codes = [p.code for p in c.catalog.pillars]
    units: dict[str, Figures] = {}
    for group, rows in c.groups.items():
        for r in rows:
            if r.final is None:
                continue
            scores = r.final.final
            pillars = {code: PillarFigures(node.index, r.pillar_ranks.get(code), node.points, node.applicable_max)
                       for code, node in zip(codes, scores.pillars, strict=True)}
            units[r.unit.code] = Figures(r.unit.code, r.unit.name, group, r.unit.level, scores.total.index, r.rank, scores.total.points,
                                         scores.total.applicable_max, pillars, tuple(scores.points()))
    campaign = c.campaign
    return Year(campaign.period, c.catalog, units, {u.code: (u.name, u.group) for u in campaign.units},
                dict(lineage if lineage is not None else campaign.lineage), tuple(removed or campaign.removed), "", archive)


# ------------------------------------------------------------------------------ comparing two sets


@dataclass(frozen=True)
class Bridge:
    """What of an older year's results compares with a newer year's: the overall index, the
    newer set's pillars mapped to the older's, criterion by criterion (the same set only)."""

    index: bool
    pillars: Mapping[str, str]  # newer pillar -> older pillar
    criteria: bool
    reason: str = ""  # why some part does not compare ("" when everything does)
    same: bool = False  # the same criteria set


def bridge(newer: Catalog, older: Catalog) -> Bridge:
    """Between two consecutive years: everything on the same set; on different sets, only what
    the newer declares comparable with the older ([comparable] of its catalog)."""
    if newer.id == older.id:
        return Bridge(True, {p.code: p.code for p in newer.pillars}, True, same=True)
    declared = newer.comparable
    if declared is None or declared.catalog != older.id:
        return Bridge(False, {}, False, f"bộ tiêu chí {newer.id} khác bộ {older.id} và không khai báo phần nào so sánh được với bộ đó")
    theirs = {p.code for p in older.pillars}
    pillars = {mine: other for mine, other in declared.pillars.items() if other in theirs}
    parts = (["chỉ số chung"] if declared.index else []) + [f"trụ cột {m} (với trụ cột {o})" for m, o in pillars.items()]
    said = f"theo khai báo của bộ {newer.id}, chỉ so sánh được " + (", ".join(parts) if parts else "không phần nào")
    return Bridge(declared.index, pillars, False, f"bộ tiêu chí {newer.id} khác bộ {older.id}: {said}")


def chained(newer: Bridge, older: Bridge) -> Bridge:
    """Across two steps (a year, the one before, the one before that): what compares all the way."""
    pillars = {mine: older.pillars[mid] for mine, mid in newer.pillars.items() if mid in older.pillars}
    reason = "; ".join(r for r in (newer.reason, older.reason) if r)
    return Bridge(newer.index and older.index, pillars, newer.criteria and older.criteria, reason, newer.same and older.same)


# ------------------------------------------------------------------------------ a unit against last year


@dataclass(frozen=True)
class Change:
    """One figure against the year before: both values, or why they do not compare."""

    now: float | None
    before: float | None
    reason: str = ""  # "" when compared

    @property
    def compared(self) -> bool:
        return not self.reason and self.now is not None and self.before is not None

    @property
    def delta(self) -> float | None:
        if not self.compared:
            return None
        return round(round(self.now, 4) - round(self.before, 4), 4)  # type: ignore[arg-type]

    @property
    def relative(self) -> float | None:
        """The change as a share of the value before (for averages only: a unit's change is never a percentage)."""
        delta = self.delta
        return None if delta is None or not self.before else delta / round(self.before, 4)


@dataclass(frozen=True)
class Standing:
    """A unit's result in one year of its history (its predecessors' for the years before it existed)."""

    period: str
    index: float | None
    rank: int | None
    note: str = ""  # whose figures, when not the unit's own ("bình quân của …")
    compared: bool = True  # comparable with this year's index


@dataclass(frozen=True)
class UnitComparison:
    code: str
    name: str
    lineage: Lineage
    period: str  # the year before ("" when there is none)
    basis: tuple[str, ...]  # the year before's units whose figures it is compared with (those ranked)
    rule: str  # how, in words ("cùng đơn vị", "bình quân của …")
    index: Change
    rank_now: int | None
    rank_before: int | None
    rank_reason: str  # why the rank is not compared ("" when it is)
    pillars: Mapping[str, Change]  # by this year's pillar code
    criteria: tuple[Change, ...] = ()  # this year's criteria in order (the same set only; else empty)
    reason: str = ""  # why nothing compares ("" when something does)
    history: tuple[Standing, ...] = ()  # every year known, oldest first, this one last

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive) or lost; None when the rank is not compared."""
        if self.rank_reason or self.rank_now is None or self.rank_before is None:
            return None
        return self.rank_before - self.rank_now

    @property
    def compared(self) -> bool:
        return self.index.compared or any(c.compared for c in self.pillars.values())

    @property
    def is_new(self) -> bool:
        return self.lineage.kind == NEW

    def previous(self) -> dict[str, Any] | None:
        """The record of the year before for machines (JSON), or None when nothing compares (``reason`` says why)."""
        if not self.compared:
            return None
        return {"period": self.period, "index": rounded(self.index.before), "rank": self.rank_before if not self.rank_reason else None,
                "index_change": self.index.delta, "rank_change": self.rank_change, "index_reason": self.index.reason,
                "rank_reason": self.rank_reason, "units": list(self.basis), "rule": self.rule,
                "pillars": {code: {"index": rounded(c.before) if c.compared else None, "change": c.delta, "reason": c.reason}
                            for code, c in self.pillars.items()}}

    @property
    def why(self) -> str:
        """Why there is no comparison of the index, in words ("" when there is one)."""
        return self.reason or self.index.reason


@dataclass(frozen=True)
class GroupChange:
    """A ranking group against the year before."""

    name: str
    ranked: int
    ranked_before: int | None  # None: the group did not exist, or the year is not available
    average: Change
    at_least_half: tuple[int, int | None]  # units at 0,5 or more: this year, the year before
    bands: tuple[tuple[int, ...], tuple[int, ...] | None]
    pillars: Mapping[str, Change]  # average of each pillar
    leaders: Mapping[str, tuple[tuple[tuple[str, float | None], ...], tuple[tuple[str, float | None], ...] | None]]  # pillar -> (now, before)


@dataclass(frozen=True)
class TrendPoint:
    period: str
    averages: Mapping[str, float | None]  # by group name
    compared: bool  # its index compares with this year's
    reason: str = ""


@dataclass(frozen=True)
class Comparison:
    """This year against the ones before (``previous``: the year before's period, "" when there is none)."""

    period: str
    previous: str
    reason: str  # why there is no year before to compare with ("" when there is)
    catalog: str
    previous_catalog: str
    bridge: Bridge | None
    units: Mapping[str, UnitComparison]
    groups: tuple[GroupChange, ...] = ()
    changes: tuple[tuple[str, Lineage, str], ...] = ()  # every unit not the same as the year before: code, lineage, in words
    removed: tuple[tuple[str, str], ...] = ()  # the year before's units no unit comes from: code, name
    trend: tuple[TrendPoint, ...] = ()
    rule: str = RULE_TEXT

    @property
    def available(self) -> bool:
        return not self.reason

    def unit(self, code: str) -> UnitComparison | None:
        return self.units.get(code)

    def head(self) -> dict[str, Any]:
        """What the JSON says of the comparison as a whole."""
        return {"period": self.previous or None, "reason": self.reason, "catalog": self.previous_catalog or None,
                "same_catalog": bool(self.bridge and self.bridge.same), "index_comparable": bool(self.bridge and self.bridge.index),
                "pillars_comparable": dict(self.bridge.pillars) if self.bridge else {}, "comparable_reason": self.bridge.reason if self.bridge else "",
                "rule": self.rule, "removed": [{"unit": c, "name": n} for c, n in self.removed],
                "lineage": [{"unit": c, "kind": lin.kind, "from": list(lin.sources)} for c, lin, _ in self.changes]}


def unavailable(now: Year, reason: str) -> Comparison:
    """No year to compare with: every unit says why."""
    units = {code: UnitComparison(code, f.name, now.lineage.get(code, Lineage(SAME, (code,))), "", (), "", Change(f.index, None, reason),
                                  f.rank, None, reason, {p: Change(pf.index, None, reason) for p, pf in f.pillars.items()}, (), reason,
                                  (Standing(now.period, f.index, f.rank),))
             for code, f in now.units.items()}
    return Comparison(now.period, "", reason, now.catalog.id, "", None, units)


def compare(now: Year, before: Sequence[Year]) -> Comparison:
    """This year against the years before it (oldest first; the last is the year before). The
    years whose results could not be read are still in ``before`` (with their reason and roster):
    their lineage links the years around them."""
    if not before:
        return unavailable(now, f"đợt {now.period} không có đợt trước (mục [previous] của tệp đợt đánh giá)")
    last = before[-1]
    if not last.available:
        return _with_units(now, before, last, None, f"chưa đọc được kết quả năm {last.period}: {last.reason}")
    link = bridge(now.catalog, last.catalog)
    return _with_units(now, before, last, link, "")


def _with_units(now: Year, before: Sequence[Year], last: Year, link: Bridge | None, reason: str) -> Comparison:
    units = {code: compare_unit(now, code, f, before) for code, f in now.units.items()}
    changes = tuple((code, lin, lin.words({c: last.name(c) for c in lin.sources}, code)) for code, lin in now.lineage.items() if lin.kind != SAME)
    removed = tuple((code, last.name(code)) for code in now.removed)
    groups = tuple(_group(now, last, link, name) for name in now.groups) if link is not None else ()
    return Comparison(now.period, last.period, reason, now.catalog.id, last.catalog.id, link, units, groups, changes, removed,
                      trend(now, before))


def _basis(lineage: Lineage) -> tuple[str, ...]:
    return () if lineage.kind == NEW else lineage.sources


def compare_unit(now: Year, code: str, figures: Figures, before: Sequence[Year]) -> UnitComparison:
    """One unit against the year before (``before[-1]``), and its history over every year."""
    lineage = now.lineage.get(code, Lineage(SAME, (code,)))
    history = _history(now, code, figures, lineage, before)
    last = before[-1] if before else None
    pillars_now = {p: pf.index for p, pf in figures.pillars.items()}

    def nothing(why: str, period: str = "") -> UnitComparison:
        return UnitComparison(code, figures.name, lineage, period, (), "", Change(figures.index, None, why), figures.rank, None, why,
                              {p: Change(v, None, why) for p, v in pillars_now.items()}, (), why, history)

    if last is None:
        return nothing(f"đợt {now.period} không có đợt trước")
    if not last.available:
        return nothing(f"chưa đọc được kết quả năm {last.period}: {last.reason}", last.period)
    if lineage.kind == NEW:
        return nothing(f"đơn vị mới năm {now.period}", last.period)
    sources = _basis(lineage)
    ranked = [last.units[c] for c in sources if c in last.units]
    unsent = [c for c in sources if c not in last.units]
    if not ranked:
        named = ", ".join(last.name(c) for c in sources)
        return nothing(f"năm {last.period} {named} chưa gửi sổ có số liệu", last.period)
    link = bridge(now.catalog, last.catalog)
    rule = _rule(lineage, ranked, unsent, last)
    index = Change(figures.index, mean(f.index for f in ranked), "" if link.index else f"{NOT_COMPARABLE}: {link.reason}")
    pillars = {}
    for p, value in pillars_now.items():
        older = link.pillars.get(p)
        if older is None:
            pillars[p] = Change(value, None, f"{NOT_COMPARABLE}: trụ cột {p} không có trụ cột tương ứng trong bộ {last.catalog.id}")
        else:
            pillars[p] = Change(value, mean(f.pillars[older].index for f in ranked if older in f.pillars),
                                "" if value is not None else "năm nay không có chỉ số trụ cột này")
    criteria: tuple[Change, ...] = ()
    if link.criteria:
        criteria = tuple(Change(points, _mean_points(f.criteria[n] for f in ranked if n < len(f.criteria)))
                         for n, points in enumerate(figures.criteria))
    rank_before = ranked[0].rank if len(ranked) == 1 else None
    rank_reason = _rank_reason(lineage, ranked, figures, link, last)
    why = "" if index.compared or any(c.compared for c in pillars.values()) else (index.reason or f"{NOT_COMPARABLE}")
    return UnitComparison(code, figures.name, lineage, last.period, tuple(f.code for f in ranked), rule, index, figures.rank, rank_before,
                          rank_reason, pillars, criteria, why, history)


def _mean_points(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _rule(lineage: Lineage, ranked: list[Figures], unsent: list[str], last: Year) -> str:
    if lineage.kind == MERGED:
        parts = "; ".join(f"{f.name} {vn.fixed(f.index, 4)}" + (f", hạng {f.rank}" if f.rank else "") for f in ranked)
        missing = f"; {', '.join(last.name(c) for c in unsent)} chưa gửi sổ năm {last.period}, không tính" if unsent else ""
        return f"bình quân cộng chỉ số năm {last.period} của các đơn vị hợp nhất ({parts}){missing}"
    if lineage.kind == SPLIT:
        return f"cả {ranked[0].name} năm {last.period} (trước khi tách)"
    if lineage.kind == SAME:
        return "cùng đơn vị"
    return f"{ranked[0].name} năm {last.period} (trước khi đổi tên)"


def _rank_reason(lineage: Lineage, ranked: list[Figures], figures: Figures, link: Bridge, last: Year) -> str:
    if not link.index:
        return f"{NOT_COMPARABLE}: {link.reason}"
    if lineage.kind == MERGED:
        return "hợp nhất: không so sánh hạng"
    if lineage.kind == SPLIT:
        return "tách: không so sánh hạng"
    if ranked[0].group != figures.group:
        return f"nhóm xếp hạng khác năm {last.period} ({ranked[0].group})"
    if figures.rank is None or ranked[0].rank is None:
        return "chưa có hạng"
    return ""


def _history(now: Year, code: str, figures: Figures, lineage: Lineage, before: Sequence[Year]) -> tuple[Standing, ...]:
    """The unit's standing in every year, oldest first: the years before it existed as it is, its
    predecessors' (the mean of their indices when several; a rank only when one), through each
    year's lineage."""
    out = [Standing(now.period, figures.index, figures.rank)]
    codes, one_to_one, link = _basis(lineage), lineage.one_to_one, None
    catalog = now.catalog
    for year in reversed(before):
        step = bridge(catalog, year.catalog)
        link = step if link is None else chained(link, step)
        catalog = year.catalog
        if not codes:
            break
        found = [year.units[c] for c in codes if c in year.units]
        if year.available and found:
            note = "" if codes == (code,) else (f"{found[0].name}" if len(found) == 1 else "bình quân của " + ", ".join(f.name for f in found))
            if not link.index:
                note = (note + "; " if note else "") + f"{NOT_COMPARABLE}: {link.reason}"
            rank = found[0].rank if one_to_one and len(found) == 1 else None
            out.append(Standing(year.period, mean(f.index for f in found), rank, note, link.index))
        else:
            why = year.reason or ("chưa gửi sổ có số liệu" if year.available else "")
            out.append(Standing(year.period, None, None, why, link.index))
        nxt: list[str] = []
        for c in codes:
            earlier = year.lineage.get(c)
            if earlier is None:
                continue
            one_to_one = one_to_one and earlier.one_to_one
            nxt += [s for s in _basis(earlier) if s not in nxt]
        codes = tuple(nxt)
    return tuple(reversed(out))


def _group(now: Year, last: Year, link: Bridge, name: str) -> GroupChange:
    mine, theirs = now.ranked(name), last.ranked(name)
    exists = name in last.groups
    why = "" if link.index else f"{NOT_COMPARABLE}: {link.reason}"
    if not exists:
        why = f"nhóm này không có năm {last.period}"
    average = Change(mean(f.index for f in mine), mean(f.index for f in theirs) if exists else None, why)
    half = sum(1 for f in mine if (rounded(f.index) or 0) >= HALF)
    half_before = sum(1 for f in theirs if (rounded(f.index) or 0) >= HALF) if exists and link.index else None
    pillars, leaders = {}, {}
    for p in now.catalog.pillars:
        older = link.pillars.get(p.code)
        now_avg = mean(f.pillars[p.code].index for f in mine)
        if older is None or not exists:
            pillars[p.code] = Change(now_avg, None, why or f"{NOT_COMPARABLE}: trụ cột {p.code} không có trụ cột tương ứng trong bộ {last.catalog.id}")
        else:
            pillars[p.code] = Change(now_avg, mean(f.pillars[older].index for f in theirs if older in f.pillars))
        first = tuple((f.name, f.pillars[p.code].index) for f in mine if f.pillars[p.code].rank == 1)
        first_before = (tuple((f.name, f.pillars[older].index) for f in theirs if older in f.pillars and f.pillars[older].rank == 1)
                        if older is not None and exists else None)
        leaders[p.code] = (first, first_before)
    return GroupChange(name, len(mine), len(theirs) if exists else None, average, (half, half_before),
                       (band_counts(f.index for f in mine), band_counts(f.index for f in theirs) if exists and link.index else None),
                       pillars, leaders)


def trend(now: Year, before: Sequence[Year]) -> tuple[TrendPoint, ...]:
    """Each group's average index over every year, oldest first: a year whose index does not
    compare with this year's (another criteria set, not declared comparable) or that could not
    be read is kept with its reason, not drawn as if it did."""
    out = [TrendPoint(now.period, {g: mean(f.index for f in now.ranked(g)) for g in now.groups}, True)]
    link, catalog = None, now.catalog
    for year in reversed(before):
        step = bridge(catalog, year.catalog)
        link = step if link is None else chained(link, step)
        catalog = year.catalog
        if not year.available:
            out.append(TrendPoint(year.period, {}, False, year.reason))
            continue
        out.append(TrendPoint(year.period, {g: mean(f.index for f in year.ranked(g)) for g in year.groups}, link.index,
                              "" if link.index else f"{NOT_COMPARABLE}: {link.reason}"))
    return tuple(reversed(out))


# ------------------------------------------------------------------------------ in words, for people


def signed(delta: float | None, digits: int = 4) -> str:
    """A change in the Vietnamese style with its sign: +0,0512, −0,0100, 0,0000."""
    if delta is None:
        return "—"
    if abs(delta) < 0.5 * 10 ** -digits:
        return vn.fixed(0.0, digits)
    return ("+" if delta > 0 else "−") + vn.fixed(abs(delta), digits)


def change_text(change: Change, digits: int = 4) -> str:
    """A figure's change, or "không so sánh được" (never a blank that hides it)."""
    return signed(change.delta, digits) if change.compared else NOT_COMPARABLE


def rank_words(uc: UnitComparison) -> str:
    """"tăng 2 bậc", "giảm 1 bậc", "giữ hạng", or why the rank does not compare."""
    moved = uc.rank_change
    if moved is None:
        return "mới" if uc.is_new else (uc.rank_reason or uc.why or NOT_COMPARABLE)
    return f"tăng {moved} bậc" if moved > 0 else f"giảm {-moved} bậc" if moved < 0 else "giữ hạng"


def standing_text(uc: UnitComparison) -> str:
    """The year before in one cell: "0,5123 · hạng 4", "0,5800 (bình quân 2 đơn vị)", "mới", or why not."""
    if uc.is_new:
        return "mới"
    if not uc.index.compared:
        return uc.why.removeprefix(f"{NOT_COMPARABLE}: ") or NOT_COMPARABLE  # the change beside it says "không so sánh được"
    text = vn.fixed(uc.index.before, 4)
    if uc.lineage.kind == MERGED:
        return f"{text} (bình quân {len(uc.basis)} đơn vị)"
    if uc.rank_before is not None and not uc.rank_reason:
        text += f" · hạng {uc.rank_before}"
    return text


def percent_text(change: Change) -> str:
    """An average's relative change (+12,3%), for averages only."""
    relative = change.relative
    return "" if relative is None else ("+" if relative > 0 else "−" if relative < 0 else "") + vn.percent(abs(relative), 1)
