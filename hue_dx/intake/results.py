"""What a consolidation returns, kept small: thousands of units are held at once.

A unit's result (109 criteria, pillars, total) is held as two arrays of numbers and a byte per
criterion (``Scores``, about 3 KB), not as 109 objects; a file's issues stay in the ledger and
are read back when an output asks for them (``FileSummary.issues``, ``Consolidation.iter_issues``),
so memory does not grow with the issues of thousands of files. Objects that look like the
engine's (``CriterionResult``) are made on demand, one unit at a time.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..appraisal import Appraisal
from ..campaign import Campaign, Unit
from ..catalog import Catalog
from ..issues import ERROR, WARNING, Issue
from ..scoring import INVALID, MISSING, NA, OK, STATUS_VI, CriterionResult, UnitResult, reason_of, status_words
from ..series import Comparison
from .engine import ReceivedFile, without_saved_lateness
from .ledger import Approval, Reopening
from .states import UnitState, approval_record, standing_short, standing_words
from .versions import VersionChange

_STATUS_BYTE = {OK: b"o", NA: b"n", MISSING: b"m", INVALID: b"i"}
_BYTE_STATUS = {v[0]: k for k, v in _STATUS_BYTE.items()}


@dataclass(frozen=True, slots=True)
class Node:
    """Totals of a pillar or of the whole assessment."""

    code: str
    points: float
    applicable_max: float
    index: float | None


class Scores:
    """A unit's result, compact. ``criteria`` makes the engine's objects when asked."""

    __slots__ = ("_catalog", "_points", "_amax", "_status", "_reasons", "pillars", "total")

    def __init__(self, catalog: Catalog, result: UnitResult):
        self._catalog = catalog
        self._points = array("d", (math.nan if c.points is None else c.points for c in result.criteria))
        self._amax = array("d", (c.applicable_max for c in result.criteria))
        self._status = b"".join(_STATUS_BYTE[c.status] for c in result.criteria)
        self._reasons = {n: c.reason for n, c in enumerate(result.criteria) if c.reason and c.status in (INVALID, MISSING)}
        self.pillars = tuple(Node(p.code, p.points, p.applicable_max, p.index) for p in result.pillars)
        self.total = Node("", result.total.points, result.total.applicable_max, result.total.index)

    @classmethod
    def stored(cls, catalog: Catalog, criteria, pillars, total) -> Scores:
        """From what a check stored (per criterion: code, points, status, words, applicable max;
        pillars and total as added up then): nothing is scored or added up again."""
        self = cls.__new__(cls)
        self._catalog = catalog
        self._points = array("d", (math.nan if c[1] is None else c[1] for c in criteria))
        self._amax = array("d", (c[4] for c in criteria))
        self._status = b"".join(_STATUS_BYTE[c[2]] for c in criteria)
        self._reasons = {}
        for n, (_, _, status, words, _) in enumerate(criteria):
            reason = reason_of(status, words)
            if reason:
                self._reasons[n] = reason
        self.pillars = tuple(Node(code, points, amax, index) for code, points, amax, index in pillars)
        self.total = Node("", total[0], total[1], total[2])
        return self

    @property
    def criteria(self) -> tuple[CriterionResult, ...]:
        out = []
        for n, c in enumerate(self._catalog.criteria):
            points = self._points[n]
            out.append(CriterionResult(c.code, _BYTE_STATUS[self._status[n]], None if math.isnan(points) else points, c.max,
                                       self._amax[n], self._reasons.get(n)))
        return tuple(out)

    def points(self) -> list[float | None]:
        """Each criterion's points (None where not scored), for outputs that need only them."""
        return [None if math.isnan(p) else p for p in self._points]

    def shown(self) -> list[float | str]:
        """Each criterion as a table of scores shows it: the points, else its status in a word."""
        return [STATUS_VI[_BYTE_STATUS[self._status[n]]] if math.isnan(p) else p for n, p in enumerate(self._points)]

    def rows(self) -> list[tuple[str, float | None, float, str, str]]:
        """(code, points, applicable max, status, status in words) of each criterion, without
        making the engine's objects."""
        out = []
        for n, c in enumerate(self._catalog.criteria):
            status = _BYTE_STATUS[self._status[n]]
            words = status_words(status, self._reasons.get(n))
            points = self._points[n]
            out.append((c.code, None if math.isnan(points) else points, self._amax[n], status, words))
        return out


@dataclass
class Final:
    """A unit's self-assessment and its final result (appraisals applied; the same object when
    nothing was appraised)."""

    self_result: Scores
    final: Scores
    applied: dict[str, Appraisal] = field(default_factory=dict)
    conflicts: dict[str, list[Appraisal]] = field(default_factory=dict)

    def source(self, code: str) -> str:
        return self.applied[code].source_words if code in self.applied else "tự đánh giá"


@dataclass
class FileSummary:
    """The file that counts for a unit, as the outputs need it; its issues are read back from
    the ledger only when asked for (the full check, evidence included, is read again from the
    archive by ``consolidate.detailed``)."""

    name: str  # as received
    sha256: str
    modified: str | None
    figures: int
    errors: int
    warnings: int
    late: bool
    pillars: tuple[tuple[str, float, float, float | None], ...]  # the self-assessment's (code, points, amax, index)
    total: tuple[float, float, float | None]
    extra: list[Issue] = field(default_factory=list)  # records the consolidation added (late by e-mail, chosen, fewer figures)
    mail_late: bool | None = None  # None: lateness by the file's saved time; else decided by its e-mail's date
    files: LedgerFiles | None = field(default=None, repr=False)

    @property
    def issues(self) -> list[Issue]:
        stored = self.files.issues(self.sha256) if self.files is not None else []
        if self.mail_late is not None:
            stored = without_saved_lateness(stored)
        return [*stored, *self.extra]


@dataclass
class UnitRow:
    unit: Unit
    result: FileSummary | None  # the self-assessment file that counts
    rank: int | None = None
    pillar_ranks: dict[str, int | None] = field(default_factory=dict)
    final: Final | None = None  # the self-assessment with appraisals applied: what the ranking uses

    @property
    def index(self) -> float | None:
        """The final index (after appraisal)."""
        return self.final.final.total.index if self.final else None

    @property
    def self_index(self) -> float | None:
        return self.result.total[2] if self.result else None

    def pillar_index(self, n: int) -> float | None:
        return self.final.final.pillars[n].index if self.final else None

    @property
    def late(self) -> bool:
        return bool(self.result and self.result.late)

    @property
    def errors(self) -> int:
        return self.result.errors if self.result else 0


@dataclass
class Consolidation:
    catalog: Catalog
    campaign: Campaign
    groups: dict[str, list[UnitRow]]
    missing: list[Unit]
    files: list[ReceivedFile]  # every file received, with what was done with it and why
    province: list[dict]
    seen: int = 0
    new: int = 0
    others: list[str] = field(default_factory=list)  # files received that are not workbooks (kept, listed)
    seconds: float = 0.0
    differences: list[dict] = field(default_factory=list)  # appraised criteria, largest difference first
    run_issues: list[Issue] = field(default_factory=list)  # raised by the run itself (duplicates, units not received…)
    not_in_use: list[str] = field(default_factory=list)  # sha256 of each received file not in use (its issues are listed apart)
    superseded: list[Issue] = field(default_factory=list)
    issue_counts: Counter = field(default_factory=Counter)  # (severity, code) -> records
    issue_units: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (severity, code) -> units concerned
    ledger: LedgerFiles | None = field(default=None, repr=False)
    # [approval] issue 23: each unit's state, what changed between its versions, and the approvals
    states: dict[str, UnitState] = field(default_factory=dict)  # unit code -> its state
    versions: dict[str, VersionChange] = field(default_factory=dict)  # unit code -> its file in use against the one before
    approval: Approval | None = None  # the approval this consolidation reproduces (from its snapshot), else None
    reopened: Reopening | None = None  # the reopening of the latest approval, when it was reopened
    after_approval: list[ReceivedFile] = field(default_factory=list)  # files received since the approval (listed, not counted)
    live: Consolidation | None = field(default=None, repr=False)  # while approved: what the archive would give if reopened

    @property
    def standing(self) -> str:
        """Whether the outputs made from this consolidation are an approved result, in a sentence."""
        return standing_words(self.approval, self.reopened, reproduced=self.approval is not None)

    @property
    def made(self):
        """The time its documents carry: the approval's while it reproduces one (so that they come
        out byte for byte as issued), else None (the time they are written)."""
        from ..documents import in_vietnam

        return in_vietnam(self.approval.at) if self.approval is not None else None

    @property
    def standing_short(self) -> str:
        return standing_short(self.approval, self.reopened)

    @property
    def approval_record(self) -> dict | None:
        """``approval`` for machines: number, by, at, reason, snapshot SHA-256; None when not approved."""
        return approval_record(self.approval)
    comparison: Comparison | None = field(default=None, repr=False)  # against the years before (issue 22: intake.years.attach)

    @property
    def has_errors(self) -> bool:
        return any(n for (severity, _), n in self.issue_counts.items() if severity == ERROR)

    @property
    def errors(self) -> int:
        return sum(n for (severity, _), n in self.issue_counts.items() if severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(n for (severity, _), n in self.issue_counts.items() if severity == WARNING)

    def iter_issues(self) -> Iterator[Issue]:
        """Every issue of the run, read back from the ledger one file at a time: the run's own,
        those of each unit's file in use (roster order), then those of the other files received."""
        yield from self.run_issues
        for rows in self.groups.values():
            for row in rows:
                if row.result is not None:
                    yield from row.result.issues
        yield from self.superseded
        for sha in self.not_in_use:
            if self.ledger is not None:
                yield from self.ledger.issues(sha)

    @property
    def issues(self) -> list[Issue]:
        """All issues as a list (small runs, tests); outputs stream ``iter_issues`` instead."""
        return list(self.iter_issues())

    def count(self, issue: Issue) -> None:
        key = (issue.severity, issue.code)
        self.issue_counts[key] += 1
        if issue.unit:
            self.issue_units.setdefault(key, set()).add(issue.unit)

    # pandas-friendly views for analysts (pandas imported only here)

    def ranking_frame(self):
        """One row per roster unit: group, rank, points, max, index, pillar indices and ranks."""
        import pandas as pd

        rows = []
        for group, members in self.groups.items():
            for r in members:
                row = {"group": group, "rank": r.rank, "unit": r.unit.code, "name": r.unit.name, "index": r.index,
                       "self_index": r.self_index, "points": r.final.final.total.points if r.final else None,
                       "max": r.final.final.total.applicable_max if r.final else None, "late": r.late, "errors": r.errors}
                for n, p in enumerate(self.catalog.pillars):
                    row[f"index_{p.code}"] = r.pillar_index(n)
                    row[f"rank_{p.code}"] = r.pillar_ranks.get(p.code)
                rows.append(row)
        return pd.DataFrame(rows)

    def criteria_frame(self):
        """One row per unit and criterion of the files used: score, applicable max, status."""
        import pandas as pd

        return pd.DataFrame([{"unit": r.unit.code, "code": c.code, "self_score": s.points, "score": c.points, "max": c.applicable_max,
                              "status": c.status, "status_vi": c.status_vi, "source": r.final.source(c.code)}
                             for members in self.groups.values() for r in members if r.final
                             for s, c in zip(r.final.self_result.criteria, r.final.final.criteria, strict=True)])

    def issues_frame(self):
        import pandas as pd

        return pd.DataFrame([i.as_dict() for i in self.iter_issues()])


class LedgerFiles:
    """Files' checks read back from an archive's ledger, on demand (one read-only connection)."""

    def __init__(self, root: Path):
        self.root = root
        self._ledger = None

    def _open(self):
        if self._ledger is None:
            from .ledger import Ledger

            self._ledger = Ledger.reader(self.root)
        return self._ledger

    def issues(self, sha256: str) -> list[Issue]:
        return self._open().issues_of(sha256)

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None
