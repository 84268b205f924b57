"""`hue-dx consolidate`: returned self-assessment and appraisal workbooks in, checked scores and
the provincial ranking out.

The assessment plugs into the intake engine (``engine``: receiving, recording, which file
counts, lateness by e-mail, the listing) as ``Assessment``, whose check of one file is
``check.check_file``. The ranking is computed from each unit's file in use only, appraisals
applied, by group, ties sharing a rank. Nothing a file holds can stop the run: an unexpected
failure on one file is a record for that file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import central as central_mod
from ..appraisal import Appraisal
from ..campaign import Campaign
from ..catalog import Catalog, code_key
from ..issues import ERROR, WARNING, Issue, issue
from ..ranking import competition_ranks
from ..rules import KINDS
from ..scoring import OK, restore
from . import approval, engine, states, versions
from .check import Context, FileResult, check_file
from .engine import ArchiveKindError, Run, Wording
from .ledger import Choice, Entry, FileRow, Ledger, archived
from .received import InputError, Item
from .results import Consolidation, FileSummary, Final, LedgerFiles, Scores, UnitRow

__all__ = ["ArchiveKindError", "Assessment", "InputError", "Item", "Consolidation", "UnitRow", "consolidate", "detailed", "from_ledger"]

DEFAULT_ARCHIVE = Path("out") / "luu-tru"


@dataclass
class Assessment(engine.ReturnKind):
    """The assessment's returns: self-assessment workbooks (they count for a unit) and
    appraisal workbooks (laid over them)."""

    context: Context  # how each file is checked
    catalog: Catalog  # what the outcome ranks by, and for which campaign
    campaign: Campaign

    kind = "self"
    kinds = frozenset({"self", "appraisal"})
    default_archive = DEFAULT_ARCHIVE
    wording = Wording(other="đã lưu, không chấm", blank="không tính là đơn vị đã gửi số liệu")

    def check(self, data: bytes, source: str, sha256: str) -> Entry:
        # The consolidation prints no evidence text: only whether evidence was given is read (its text
        # is read again from the archive by what prints it: appraisal workbooks, a unit's report).
        return check_file(data, source, sha256, self.context, details=True, evidence_text=False).entry()

    def state(self, row: FileRow) -> tuple[str, str] | None:
        return ("phiếu thẩm định", row.appraiser) if row.kind == "appraisal" else None


def consolidate(catalog: Catalog, campaign: Campaign, inputs: list[Path], archive_root: Path, *, workers: int | None = None,
                progress: Callable[[int, int, float], None] | None = None, context: Context | None = None,
                central: central_mod.Central | None = None, by: str = "") -> Consolidation:
    """``central``: the figures the Sở supplies for every unit (they replace what a unit typed);
    ``by``: who runs it (recorded with the run). While the campaign is approved the result is
    the approved one, rebuilt from its snapshot (``approval.settle``), the files received since
    listed apart."""
    kind = Assessment(context or Context.create(catalog, campaign), catalog, campaign)
    live = engine.consolidate(kind, inputs, archive_root, lambda ledger, run: _outcome(kind, ledger, run, archive_root, central),
                              workers=workers, progress=progress, by=by)
    return approval.settle(live, archive_root)


def from_ledger(catalog: Catalog, campaign: Campaign, archive_root: Path, *, central: central_mod.Central | None = None,
                context: Context | None = None) -> Consolidation:
    """The consolidation an archive holds as it stands, nothing received and no run recorded: each
    unit's file in use read back from the ledger (``Ledger.current`` and the stored checks,
    appraisals applied), as a run's outcome gives it; no file is read or checked again (what
    ``hue-dx approve`` freezes, and how an earlier year is read: ``intake.years``)."""
    if not (archive_root / "ledger.sqlite").is_file():
        raise InputError(f"Không có sổ cái ở {archive_root}: tổng hợp trước (hue-dx consolidate), hoặc chỉ --archive THƯ_MỤC")
    kind = Assessment(context or Context(catalog, campaign, {}), catalog, campaign)  # nothing is checked: no layout needed
    ledger = engine.open_ledger(kind, archive_root)
    try:
        return _outcome(kind, ledger, Run(), archive_root, central)
    finally:
        ledger.close()


def detailed(c: Consolidation, row: UnitRow, ctx: Context | None = None) -> FileResult:
    """The full check of a unit's file in use, evidence texts included, read again from the
    archive: for what prints them (appraisal workbooks), one unit at a time."""
    if row.result is None or c.ledger is None:
        raise ValueError(f"{row.unit.code}: chưa có tệp được dùng")
    data = archived(c.ledger.root, row.result.sha256).read_bytes()
    return check_file(data, row.result.name, row.result.sha256, ctx or Context.create(c.catalog, c.campaign), details=True)


def _outcome(kind: Assessment, ledger: Ledger, run: Run, archive_root: Path, central: central_mod.Central | None = None) -> Consolidation:
    """The ranking from each unit's file in use, read back from the ledger one unit at a time:
    only what the outputs need is kept (``results``), so memory stays flat in the number of units."""
    catalog, campaign = kind.catalog, kind.campaign
    current = ledger.current(campaign.period, kind.kind)
    chosen = ledger.choices(campaign.period)
    appraisals: dict[str, list[tuple]] = {}
    for record in ledger.appraisals(campaign.period):
        appraisals.setdefault(record[0], []).append(record)
    files_reader = LedgerFiles(archive_root)
    outcome = Consolidation(catalog, campaign, {}, [], [], [], ledger=files_reader)
    issues = list(run.issues) + (central.issues if central is not None else [])  # what the Sở's file could not give
    province = _Province(catalog)
    for unit in campaign.units:
        sha = current.get(unit.code)
        row = UnitRow(unit, None)
        if sha is not None:
            result = FileResult.from_stored(ledger.stored(sha))  # one unit at a time: nothing of it is kept but its summary
            row.result, unit_issues = _summary(kind, ledger, campaign, result, chosen.get(unit.code), files_reader)
            for found in unit_issues:
                outcome.count(found)
            items = []
            for _, code, who, inputs, reason, saved, source, sha_a, self_sha in appraisals.get(unit.code, []):
                items.append(Appraisal(code, who, inputs, reason, saved or "", source, sha_a))
                if self_sha and self_sha != result.sha256:
                    issues.append(issue("appraisal-unknown-file", file=source, unit=unit.code, criterion=code, value=self_sha[:16], sha=sha_a))
            self_scores = Scores.stored(catalog, result.criteria, result.pillars, result.total)  # scored once, by the check
            figures = central.of(unit.code) if central is not None else {}  # the Sở's own figures for this unit
            used = result.inputs  # the province's figures are those the ranking uses (the Sở's and appraisers' laid over)
            # only an appraisal, or a figure of the Sở other than the file's, changes a unit's inputs, and so its scores
            if items or central_mod.changed(result.scored_inputs, figures):
                final = central_mod.apply(catalog, unit.level, result.scored_inputs, figures, items, restore(catalog, result.criteria, unit.level),
                                          *((central.supplier, central.file, central.sha256) if central is not None else ()))
                row.final = Final(self_scores, Scores(catalog, final.final), final.applied, final.conflicts)
                used = {c.code: dict(c.values) for c in final.final.criteria if c.status == OK}
            else:
                row.final = Final(self_scores, self_scores)
            for code, conflicting in row.final.conflicts.items():
                issues.append(issue("appraisal-conflict", unit=unit.code, criterion=code,
                                    value="; ".join(f"{a.appraiser} ({a.file})" for a in conflicting)))
            province.add(used)
        outcome.groups.setdefault(unit.group, []).append(row)
    pillars = [p.code for p in catalog.pillars]
    for rows in outcome.groups.values():
        for rank, row in zip(competition_ranks([r.index for r in rows]), rows, strict=True):
            row.rank = rank
        for n, code in enumerate(pillars):
            for rank, row in zip(competition_ranks([r.pillar_index(n) for r in rows]), rows, strict=True):
                row.pillar_ranks[code] = rank
        rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.unit.code))
    outcome.missing = [u for u in campaign.units if u.code not in current]
    blank = ledger.blank_units(campaign.period, kind.kind)
    for unit in outcome.missing:
        issues.append(issue("unit-not-received", unit=unit.code,
                            value=f"{unit.name}; chỉ nhận được sổ chưa có số liệu" if unit.code in blank else unit.name))
    listed = engine.listing(kind, ledger, campaign.period, current, chosen, run)
    outcome.files, outcome.others, outcome.not_in_use = listed.files, listed.others, listed.not_in_use
    outcome.superseded = listed.superseded
    for found in listed.superseded:
        outcome.count(found)
    for sha in listed.not_in_use:
        for found in ledger.issues_of(sha):
            outcome.count(found)
    outcome.run_issues = issues
    for found in issues:
        outcome.count(found)
    outcome.province = province.rows()
    outcome.differences = _differences(catalog, outcome.groups)
    _standing(kind, ledger, outcome, current)
    return outcome


def _standing(kind: Assessment, ledger: Ledger, outcome: Consolidation, current: dict[str, str]) -> None:
    """[approval] Each unit's state, and what its file in use changed against the one before."""
    catalog, period = kind.catalog, kind.campaign.period
    rows = ledger.files(current.values())
    several = ledger.several(period, kind.kind)  # one query: most units sent one file, nothing to compare
    letters: dict[str, list] = {}
    for sent in ledger.requests(period):
        letters.setdefault(sent.unit, []).append(sent)
    for members in outcome.groups.values():
        for r in members:
            code = r.unit.code
            row = rows.get(current.get(code, ""))
            # when the latest appraisal workbook applied was received (its own saved time is the appraiser's clock)
            sheets = {a.sha256 for a in r.final.applied.values() if a.kind == "appraisal"} if r.final else set()
            appraised = max((f.received_at for f in ledger.files(sheets).values()), default="") if sheets else ""
            outcome.states[code] = states.unit_state(code, row, letters.get(code, []), appraised)
            if row is None or r.result is None or code not in several:
                continue
            before = versions.previous(ledger, code, period, kind.kind, row.sha256)
            if before is not None:
                outcome.versions[code] = versions.between(ledger, catalog, before.sha256, FileResult.from_stored(ledger.stored(row.sha256)))


def _summary(kind: Assessment, ledger: Ledger, campaign: Campaign, result: FileResult, choice: Choice | None,
             files: LedgerFiles) -> tuple[FileSummary, list[Issue]]:
    """The summary of a unit's file in use, with what the consolidation adds to its records:
    lateness by the e-mail's date, the officer's choice, fewer figures than an earlier file."""
    row = ledger.files([result.sha256])[result.sha256]
    mail_late, late = engine.late_by_mail(kind, row, campaign.deadline)
    # an officer's choice is said; otherwise a file with fewer figures than an earlier one is
    said = engine.chosen_issue(kind, row, choice) or engine.fewer_figures(kind, ledger, row, campaign.period)
    extra = [found for found in (late, said) if found is not None]
    stored = result.issues if mail_late is None else engine.without_saved_lateness(result.issues)
    everything = [*stored, *extra]
    summary = FileSummary(result.name, result.sha256, result.modified, result.figures, sum(1 for i in everything if i.severity == ERROR),
                          sum(1 for i in everything if i.severity == WARNING), any(i.code == "file-late" for i in everything),
                          tuple(result.pillars), (result.total[0], result.total[1], result.total[2]), extra, mail_late, files)
    return summary, everything


def _differences(catalog: Catalog, groups: dict[str, list[UnitRow]]) -> list[dict]:
    """Every appraised criterion: self-score, final score, difference, appraiser, reason; largest first."""
    out = []
    for rows in groups.values():
        for r in rows:
            if not r.final or not r.final.applied:
                continue
            self_by = {c.code: c for c in r.final.self_result.criteria}
            for c in r.final.final.criteria:
                a = r.final.applied.get(c.code)
                if a is None:
                    continue
                before, after = self_by[c.code].counted_points, c.counted_points
                out.append({"unit": r.unit.code, "name": r.unit.name, "code": c.code, "self": before, "final": after,
                            "difference": after - before, "self_status": self_by[c.code].status_vi, "final_status": c.status_vi,
                            "appraiser": a.appraiser, "reason": a.reason, "file": a.file})
    return sorted(out, key=lambda d: (-abs(d["difference"]), d["unit"], code_key(d["code"])))


class _Province:
    """Province-wide figures: each ratio criterion's counts added over the units' files in use,
    added up one file at a time."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.criteria = [c for c in catalog.criteria if c.kind in ("proportional", "threshold", "step", "weighted_shares")
                         and all(i.type in ("count", "amount") for i in c.inputs)]
        self.sums = {c.code: {i.key: 0.0 for i in c.inputs} for c in self.criteria}
        self.units = dict.fromkeys(self.sums, 0)

    def add(self, inputs: dict[str, dict[str, float]]) -> None:
        for code, sums in self.sums.items():
            values = inputs.get(code)
            if values:
                self.units[code] += 1
                for key in sums:
                    sums[key] += float(values.get(key, 0.0))

    def rows(self) -> list[dict]:
        out = []
        for c in self.criteria:
            sums, units = self.sums[c.code], self.units[c.code]
            if not units:
                continue
            den = sum(sums[k] for k in c.params["den"])
            parts = list(c.params["num"]) if "num" in c.params else list(c.params["weights"])
            num = sum(sums[k] for k in parts)
            outcome = KINDS[c.kind].score(c.params, sums, c.max)
            out.append(dict(code=c.code, title=c.title, units=units, sums=sums, share=(num / den) if den else None,
                            points=outcome.points, max=c.max, labels={i.key: i.label for i in c.inputs}))
        return out
