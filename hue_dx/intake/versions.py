"""Versions compared: what a unit changed between two of its files (the file in use and the one
before it, or the one a correction letter was about), from the checks the ledger keeps.

For each criterion: every input whose value changed (old → new, as the unit typed it where the
ledger kept that, else as read), evidence added or removed, and the effect on the criterion's
score; for the file: the effect on each pillar's index and on the index. Nothing is read again
from the archive: ``FileResult.from_stored`` gives both files' checks as they were made. A
file recorded before the presence of evidence was kept (ledger version 3) says so
(``evidence_known`` False) instead of reporting evidence changes it cannot see.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .. import vn
from ..catalog import Catalog
from .check import FileResult
from .ledger import FileRow, Ledger


@dataclass(frozen=True)
class InputChange:
    key: str
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class CriterionChange:
    """What changed in one criterion between two files of a unit."""

    code: str
    inputs: tuple[InputChange, ...]
    evidence: str  # "thêm", "bỏ" or ""
    old_points: float | None
    new_points: float | None
    old_status: str
    new_status: str

    @property
    def difference(self) -> float:
        return (self.new_points or 0.0) - (self.old_points or 0.0)

    def words(self) -> str:
        """In a line, for a sheet or a letter: "a: 10 → 12; kiểm chứng: thêm; điểm 1,2 → 1,6"."""
        parts = [f"{i.key}: {shown(i.old)} → {shown(i.new)}" for i in self.inputs]
        if self.evidence:
            parts.append(f"tài liệu kiểm chứng: {self.evidence}")
        if self.old_points != self.new_points or self.old_status != self.new_status:
            parts.append(f"điểm {points_words(self.old_points, self.old_status)} → {points_words(self.new_points, self.new_status)}")
        return "; ".join(parts)


@dataclass(frozen=True)
class VersionChange:
    """A unit's file in use against an earlier one: per criterion what changed, and the index."""

    unit: str
    old_sha256: str
    new_sha256: str
    old_name: str
    new_name: str
    old_index: float | None
    new_index: float | None
    pillars: tuple[tuple[str, float | None, float | None], ...]  # (code, old index, new index)
    criteria: tuple[CriterionChange, ...]
    evidence_known: bool = True

    def criterion(self, code: str) -> CriterionChange | None:
        return next((c for c in self.criteria if c.code == code), None)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["pillars"] = [list(p) for p in self.pillars]
        for c, change in zip(out["criteria"], self.criteria, strict=True):
            c["difference"] = change.difference
            c["words"] = change.words()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VersionChange:
        criteria = tuple(CriterionChange(c["code"], tuple(InputChange(**i) for i in c["inputs"]), c["evidence"], c["old_points"],
                                         c["new_points"], c["old_status"], c["new_status"]) for c in data["criteria"])
        return cls(data["unit"], data["old_sha256"], data["new_sha256"], data["old_name"], data["new_name"], data["old_index"],
                   data["new_index"], tuple(tuple(p) for p in data["pillars"]), criteria, data.get("evidence_known", True))  # type: ignore[misc]


def shown(value: Any) -> str:
    """A value as a person reads it in a comparison ("(trống)" for nothing typed)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "(trống)"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, float | int):
        return vn.number(float(value))
    return str(value)


def points_words(points: float | None, status: str) -> str:
    return vn.number(points) if points is not None else status


def _values(result: FileResult, code: str) -> dict[str, Any]:
    """A criterion's inputs as the unit typed them where the ledger kept that, else as read."""
    read = result.scored_inputs.get(code, {})
    typed = result.typed.get(code)
    return {**read, **typed} if typed else dict(read)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool) and not isinstance(b, bool):
        return float(a) == float(b)
    return type(a) is type(b) and a == b


def compare(catalog: Catalog, old: FileResult, new: FileResult) -> VersionChange:
    """What changed from ``old`` to ``new`` (two checked files of one unit), criterion by criterion."""
    old_by = {c[0]: c for c in old.criteria}
    new_by = {c[0]: c for c in new.criteria}
    known = old.evidence_given is not None and new.evidence_given is not None
    old_evidence, new_evidence = set(old.evidence_given or ()), set(new.evidence_given or ())
    changes = []
    for c in catalog.criteria:
        was, now = _values(old, c.code), _values(new, c.code)
        if was == now and not any(isinstance(v, bool) for v in (*was.values(), *now.values())):  # most criteria: unchanged (TRUE == 1 would hide a change)
            inputs: tuple[InputChange, ...] = ()
        else:
            inputs = tuple(InputChange(i.key, i.label, was.get(i.key), now.get(i.key)) for i in c.inputs
                           if not _same(was.get(i.key), now.get(i.key)))
        evidence = "" if not known else "thêm" if c.code in new_evidence - old_evidence else "bỏ" if c.code in old_evidence - new_evidence else ""
        before, after = old_by.get(c.code), new_by.get(c.code)
        old_points, old_status = (before[1], before[3]) if before else (None, "")
        new_points, new_status = (after[1], after[3]) if after else (None, "")
        if inputs or evidence or old_points != new_points or old_status != new_status:
            changes.append(CriterionChange(c.code, inputs, evidence, old_points, new_points, old_status, new_status))
    old_pillars = {p[0]: p[3] for p in old.pillars}
    pillars = tuple((p[0], old_pillars.get(p[0]), p[3]) for p in new.pillars)
    return VersionChange(new.unit, old.sha256, new.sha256, old.name, new.name, old.total[2], new.total[2], pillars, tuple(changes), known)


def previous(ledger: Ledger, unit: str, period: str, kind: str, sha256: str) -> FileRow | None:
    """The unit's file sent just before the one given (accepted, with figures), or None."""
    files = [f for f in ledger.unit_files(unit, period, kind) if f.filled]
    current = next((f for f in files if f.sha256 == sha256), None)
    if current is None:
        return None
    earlier = [f for f in files if f.dated < current.dated]
    return earlier[-1] if earlier else None


def between(ledger: Ledger, catalog: Catalog, old_sha256: str, new: FileResult) -> VersionChange:
    """``new`` against a recorded file of the same unit, read back from the ledger."""
    return compare(catalog, FileResult.from_stored(ledger.stored(old_sha256)), new)


def since_request(ledger: Ledger, catalog: Catalog, period: str, kind: str, current: FileResult) -> VersionChange | None:
    """What a unit changed since the latest letter asking it to correct (against the file the
    letter was about), else since its file before; None when there is nothing to compare with."""
    letters = [r for r in ledger.requests(period) if r.unit == current.unit and r.sha256 and r.sha256 != current.sha256]
    base = letters[-1].sha256 if letters else ""
    if not base:
        before = previous(ledger, current.unit, period, kind, current.sha256)
        base = before.sha256 if before is not None else ""
    if not base or not ledger.files([base]):
        return None
    return between(ledger, catalog, base, current)
