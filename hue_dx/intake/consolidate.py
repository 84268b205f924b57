"""`hue-dx consolidate`: returned files in, checked scores and the provincial ranking out.

Inputs are files, folders (searched recursively), archives (nested ones too), e-mails and
mailboxes (``received``). Each file is read in a worker process (hash, archive the bytes
unchanged, check and score; a file that is not a workbook is kept and listed), recorded once
in the ledger, and the unit's current file chosen: the latest file with figures, unless an
officer chose another (``Ledger.current``). The ranking is computed from current files only,
by group, ties sharing a rank. Nothing a file holds can stop the run: an unexpected failure
on one file is a record for that file.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing as mp
import os
import threading
import time
import zipfile
from collections.abc import Callable, Container, Iterator
from pathlib import Path

from .. import central as central_mod  # [central] issue 24
from ..appraisal import Appraisal
from ..campaign import Campaign
from ..catalog import Catalog, code_key
from ..documents import in_vietnam, local_time
from ..issues import ERROR, WARNING, Issue, issue
from ..ranking import competition_ranks
from ..rules import KINDS
from ..scoring import restore
from . import xlsx
from .check import Context, FileResult, check_file
from .ledger import Entry, Ledger, archive, entry
from .received import InputError, Item, Spool, walk
from .results import Consolidation, FileSummary, Final, LedgerFiles, Scores, UnitRow

__all__ = ["InputError", "Item", "Consolidation", "UnitRow", "consolidate"]

WINDOW = 64  # files in flight per worker: enough to keep every core busy, few enough to keep memory flat
CHUNK = 8  # files handed to a worker at once


# ------------------------------------------------------------------------------ workers

_CTX: Context | None = None
_ARCHIVE: Path | None = None
_KNOWN: frozenset[str] = frozenset()


def _init(ctx: Context, archive_root: Path, known: frozenset[str]) -> None:
    global _CTX, _ARCHIVE, _KNOWN
    _CTX, _ARCHIVE, _KNOWN = ctx, archive_root, known


def _init_worker(ctx: Context, archive_root: Path, known: frozenset[str]) -> None:
    _init(ctx, archive_root, known)
    # What a worker holds for the whole run (catalog, layouts, the known hashes) is set aside
    # from the cyclic garbage collector, which otherwise walks it again and again while
    # thousands of files are checked (measured: 0.19 ms of GC per file, 0.07 once frozen).
    gc.collect()
    gc.freeze()


def _read_bytes(item: Item) -> bytes:
    if item.member is None:
        with open(item.path, "rb") as f:
            return f.read(xlsx.MAX_FILE_BYTES + 1)
    with zipfile.ZipFile(item.path) as zf:
        info = zf.getinfo(item.member)
        if info.file_size > xlsx.MAX_FILE_BYTES:
            raise xlsx.FileProblem("file-too-large", f"{info.file_size // 1024 // 1024} MB")
        return zf.read(info)


def _unread(item: Item, code: str, detail: str = "", read: str = "") -> tuple[Item, Entry, str]:
    """A received item whose bytes could not be read: recorded under a hash of its name."""
    sha = hashlib.sha256(("received:" + item.source).encode("utf-8", "replace")).hexdigest()
    result = FileResult(item.source, sha, 0)
    result.kind = "problem"
    result.issues.append(issue(code, file=item.source, value=detail, read=read, sha=sha))
    return item, entry(result), sha


def _work(item: Item) -> tuple[Item, Entry | None, str]:
    assert _CTX is not None and _ARCHIVE is not None
    ctx = _CTX
    # The consolidation prints no evidence text: only whether evidence was given is read (its text
    # is read again from the archive by what prints it: appraisal workbooks, a unit's report).
    return work_item(item, _ARCHIVE, _KNOWN,
                     lambda data, source, sha: entry(check_file(data, source, sha, ctx, details=True, evidence_text=False)))


def work_item(item: Item, root: Path, known: Container[str], check: Callable[[bytes, str, str], Entry]) -> tuple[Item, Entry | None, str]:
    """Read, hash, archive (under ``root``) and ``check`` one received item; (item, None, sha)
    when the ledger already ``known``s it. Shared by the assessment and quarterly tracking: an
    item that cannot be read, or is not a workbook, is recorded the same way in both, and an
    unexpected error on one file becomes its issue record instead of stopping the run."""
    try:
        return _work_on(item, root, known, check)
    except Exception as exc:  # noqa: BLE001  (the last guard: one file never stops a run)
        return _unread(item, "file-internal-error", type(exc).__name__)


def _work_on(item: Item, root: Path, known: Container[str], check: Callable[[bytes, str, str], Entry]) -> tuple[Item, Entry | None, str]:
    if item.kind == "problem":
        return _unread(item, item.note, item.name if item.note == "archive-too-deep" else item.detail,
                       item.detail if item.note == "archive-too-deep" else "")
    try:
        data = _read_bytes(item)
    except xlsx.FileProblem as problem:
        return _unread(item, problem.code, problem.detail)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, RuntimeError, EOFError, NotImplementedError):
        return _unread(item, "file-corrupt", "không đọc được tệp")
    sha = hashlib.sha256(data).hexdigest()
    if sha in known:
        return item, None, sha
    archive(root, sha, data, item.suffix)
    if item.kind == "other" or (item.kind == "maybe" and not _looks_like_workbook(data)):
        result = FileResult(item.source, sha, len(data))
        result.kind = "other"
        result.issues.append(issue("file-other", file=item.source, value=item.note, sha=sha))
        return item, entry(result), sha
    return item, check(data, item.source, sha), sha


def _looks_like_workbook(data: bytes) -> bool:
    """A file named otherwise that is in fact a workbook (an .xlsx renamed .doc) is checked."""
    if data.startswith(xlsx.OLE_MAGIC):
        return "Workbook".encode("utf-16-le") in data[:65536] or "EncryptedPackage".encode("utf-16-le") in data
    return data.startswith(xlsx.ZIP_MAGIC) and b"xl/workbook.xml" in data[-65536:]


# ------------------------------------------------------------------------------ the run


def consolidate(catalog: Catalog, campaign: Campaign, inputs: list[Path], archive_root: Path, *, workers: int | None = None,
                progress: Callable[[int, int, float], None] | None = None, context: Context | None = None,
                central: central_mod.Central | None = None) -> Consolidation:
    started = time.perf_counter()
    with Spool() as spool:
        items = walk(inputs, spool)
        ctx = context or Context.create(catalog, campaign)
        ledger = Ledger(archive_root)
        try:
            if ledger.db.execute("SELECT 1 FROM files WHERE kind = 'tracking' LIMIT 1").fetchone():
                raise InputError(f"Thư mục lưu trữ {archive_root} là kho của báo cáo quý (hue-dx tasks consolidate): "
                                 "dùng thư mục khác cho đợt đánh giá (mặc định out/luu-tru)")
            ledger.start_run([str(p) for p in inputs])
            known = frozenset(ledger.known())
            workers = workers or max(1, min(os.cpu_count() or 1, 8))
            received: list[tuple[Item, str]] = []
            first_source: dict[str, str] = {}
            run_issues: list[Issue] = []
            new = done = 0
            for item, found, sha in _results(items, ctx, archive_root, known, workers):
                done += 1
                received.append((item, sha))
                if sha in first_source:
                    unit = found.unit if found else ledger.unit(sha)
                    run_issues.append(issue("file-duplicate", file=item.source, unit=unit, value=first_source[sha], sha=sha))
                first_source.setdefault(sha, item.source)
                if found is None:
                    ledger.seen(sha, item.source, item.sender, item.sent)  # known from an earlier run: nothing changes
                elif ledger.record(found, item.source, item.sender, item.sent):
                    new += 1
                if done % 200 == 0:
                    ledger.commit()
                if progress:
                    progress(done, len(items), time.perf_counter() - started)
            ledger.commit()
            outcome = _outcome(catalog, campaign, ledger, received, first_source, run_issues, archive_root, central)
            ledger.finish_run(len(items), new)
        finally:
            ledger.close()
    outcome.seen, outcome.new = len(items), new
    outcome.seconds = time.perf_counter() - started
    return outcome


def detailed(c: Consolidation, row: UnitRow, ctx: Context | None = None) -> FileResult:
    """The full check of a unit's file in use, evidence texts included, read again from the
    archive: for what prints them (appraisal workbooks), one unit at a time."""
    if row.result is None or c.ledger is None:
        raise ValueError(f"{row.unit.code}: chưa có tệp được dùng")
    found = sorted((c.ledger.root / "files" / row.result.sha256[:2]).glob(row.result.sha256 + ".*"))
    if not found:
        raise FileNotFoundError(f"kho lưu trữ thiếu tệp {row.result.sha256[:16]} của {row.unit.code}")
    data = found[0].read_bytes()
    return check_file(data, row.result.name, row.result.sha256, ctx or Context.create(c.catalog, c.campaign), details=True)


def _results(items: list[Item], ctx: Context, root: Path, known: frozenset[str], workers: int):
    """Each item's (item, entry, sha), in input order (so a re-run reports duplicates the same
    way). At most WINDOW files per worker are in flight: the pool never waits for a batch to
    drain, and memory stays flat whatever the number of files."""
    if workers <= 1 or len(items) < 4:
        _init(ctx, root, known)
        for item in items:
            yield _work(item)
        return
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    window = threading.Semaphore(WINDOW * workers)
    stop = threading.Event()

    def feed() -> Iterator[Item]:
        for item in items:
            while not window.acquire(timeout=0.5):
                if stop.is_set():
                    return
            yield item

    with mp.get_context(method).Pool(workers, initializer=_init_worker, initargs=(ctx, root, known)) as pool:
        try:
            for result in pool.imap(_work, feed(), chunksize=CHUNK):
                window.release()
                yield result
        finally:
            stop.set()


def _outcome(catalog: Catalog, campaign: Campaign, ledger: Ledger, received: list[tuple[Item, str]], first_source: dict[str, str],
             run_issues: list[Issue], archive_root: Path, central: central_mod.Central | None = None) -> Consolidation:
    """The ranking from each unit's file in use, read back from the ledger one unit at a time:
    only what the outputs need is kept (``results``), so memory stays flat in the number of units."""
    current = ledger.current(campaign.period)
    chosen = ledger.choices(campaign.period)
    appraisals: dict[str, list[tuple]] = {}
    for record in ledger.appraisals(campaign.period):
        appraisals.setdefault(record[0], []).append(record)
    files_reader = LedgerFiles(archive_root)
    outcome = Consolidation(catalog, campaign, {}, [], [], [], ledger=files_reader)
    issues = list(run_issues) + (central.issues if central is not None else [])  # [central] what the Sở's file could not give
    province = _Province(catalog)
    for unit in campaign.units:
        sha = current.get(unit.code)
        row = UnitRow(unit, None)
        if sha is not None:
            result = ledger.load(sha)  # one unit at a time: nothing of it is kept but its summary
            row.result, unit_issues = _summary(ledger, campaign, unit.code, result, chosen.get(unit.code), files_reader)
            for found in unit_issues:
                outcome.count(found)
            items = []
            for _, code, who, inputs, reason, saved, source, sha_a, self_sha in appraisals.get(unit.code, []):
                items.append(Appraisal(code, who, inputs, reason, saved or "", source, sha_a))
                if self_sha and self_sha != result.sha256:
                    issues.append(issue("appraisal-unknown-file", file=source, unit=unit.code, criterion=code, value=self_sha[:16], sha=sha_a))
            self_scores = Scores.stored(catalog, result.criteria, result.pillars, result.total)  # scored once, by the check
            figures = central.of(unit.code) if central is not None else {}  # [central] the Sở's own figures for this unit
            # only an appraisal, or a figure of the Sở other than the file's, changes a unit's inputs, and so its scores
            if items or central_mod.changed(result.scored_inputs, figures):
                final = central_mod.apply(catalog, unit.level, result.scored_inputs, figures, items, restore(catalog, result.criteria, unit.level),
                                          *((central.supplier, central.file, central.sha256) if central is not None else ()))
                row.final = Final(self_scores, Scores(catalog, final.final), final.applied, final.conflicts)
            else:
                row.final = Final(self_scores, self_scores)
            for code, conflicting in row.final.conflicts.items():
                issues.append(issue("appraisal-conflict", unit=unit.code, criterion=code,
                                    value="; ".join(f"{a.appraiser} ({a.file})" for a in conflicting)))
            province.add(result.inputs)
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
    for unit in outcome.missing:
        blank = any(accepted for _, _, accepted, _, figures in ledger.unit_files(unit.code, campaign.period) if figures == 0)
        issues.append(issue("unit-not-received", unit=unit.code, value=f"{unit.name}; chỉ nhận được sổ chưa có số liệu" if blank else unit.name))
    _received_files(ledger, current, chosen, received, first_source, outcome)
    outcome.run_issues = issues
    for found in issues:
        outcome.count(found)
    outcome.province = province.rows()
    outcome.differences = _differences(catalog, outcome.groups)
    return outcome


def _summary(ledger: Ledger, campaign: Campaign, unit: str, result: FileResult, choice: tuple[str, str, str] | None,
             files: LedgerFiles) -> tuple[FileSummary, list[Issue]]:
    """The summary of a unit's file in use, with what the consolidation adds to its records: a
    file that came by e-mail is late when the e-mail is (sent after the deadline day, Vietnam
    time, whenever it was saved); the officer's choice; fewer figures than an earlier file (a
    later file never silently replaces a fuller one)."""
    extra: list[Issue] = []
    mail_late: bool | None = None
    local = in_vietnam(ledger.first_sent(result.sha256))
    if local is not None:
        mail_late = local.date() > campaign.deadline
        if mail_late:
            extra.append(issue("file-late", file=result.name, unit=unit, value=local.strftime("%d/%m/%Y") + " (ngày gửi thư)",
                               sha=result.sha256))
    if choice is not None and choice[0] == result.sha256:
        extra.append(issue("file-chosen", file=result.name, unit=unit, value=f"{local_time(choice[1])}; lý do: {choice[2] or '(không ghi)'}",
                           sha=result.sha256))
    else:
        fuller = [(source, figures) for sha, source, accepted, _, figures in ledger.unit_files(unit, campaign.period)
                  if sha != result.sha256 and accepted and figures > result.figures >= 0]
        if fuller:
            source, figures = max(fuller, key=lambda f: f[1])
            extra.append(issue("file-fewer-figures", file=result.name, unit=unit, value=f"{result.figures} ô so với {figures} ô của {source}",
                               sha=result.sha256))
    stored = [i for i in result.issues if not (mail_late is not None and i.code == "file-late")]
    everything = [*stored, *extra]
    summary = FileSummary(result.name, result.sha256, result.modified, result.figures, sum(1 for i in everything if i.severity == ERROR),
                          sum(1 for i in everything if i.severity == WARNING), any(i.code == "file-late" for i in everything),
                          tuple(result.pillars), (result.total[0], result.total[1], result.total[2]), extra, mail_late, files)
    return summary, everything


def _received_files(ledger: Ledger, current: dict[str, str], chosen: dict[str, tuple[str, str, str]], received: list[tuple[Item, str]],
                    first_source: dict[str, str], outcome: Consolidation) -> None:
    """One row per file received in this run, with what was done with it and why; the records of
    every file that is not in use are counted now and read back by outputs when they ask."""
    recorded = ledger.files({sha for _, sha in received})
    in_use = {sha: unit for unit, sha in current.items()}
    picked = {choice[0] for choice in chosen.values()}
    done: set[str] = set()
    for item, sha in received:
        row = recorded.get(sha)
        if row is None:
            continue
        received_at, accepted, unit, modified, index, errors, kind, appraiser, size, figures = row
        duplicate = first_source.get(sha) != item.source
        own = ledger.issues_of(sha) if sha not in in_use and sha not in done and not (kind == "self" and accepted and figures != 0) else []
        state, reason = _state(sha, kind, accepted, figures, unit, appraiser, in_use, picked, current, first_source, own, duplicate)
        if kind in ("other", "problem"):
            outcome.others.append(item.source)
        if sha not in done and sha not in in_use:
            if kind == "self" and accepted and figures != 0:
                newer = current.get(unit)
                found = issue("file-superseded", file=item.source, unit=unit, value=first_source.get(newer or "", newer or ""), sha=sha)
                outcome.superseded.append(found)
                outcome.count(found)
            else:
                outcome.not_in_use.append(sha)
                for found in own:
                    outcome.count(found)
        done.add(sha)
        outcome.files.append(dict(source=item.source, name=item.name, sha256=sha, size=size, kind=kind, unit=unit, sender=item.sender,
                                  sent=item.sent, modified=modified, received=received_at, index=index, errors=errors, figures=figures,
                                  state=state, reason=reason))


# States of a received file that does not count, whose reason a letter repeats to the unit.
UNUSABLE, BLANK_ONLY = "không dùng được", "sổ chưa có số liệu"


def _state(sha: str, kind: str, accepted: int, figures: int, unit: str, appraiser: str | None, in_use: dict[str, str], picked: set[str],
           current: dict[str, str], first_source: dict[str, str], own: list[Issue], duplicate: bool) -> tuple[str, str]:
    """What was done with a received file, and why, in words."""
    if duplicate:
        return "trùng tệp đã nhận", f"giống hệt {first_source.get(sha, '')}"
    if kind == "other":
        found = next((i for i in own if i.code == "file-other"), None)
        return "đã lưu, không chấm", found.value if found else ""
    if kind == "problem":
        return "đã ghi nhận, không đọc được", own[0].message if own else ""
    if kind == "appraisal":
        return "phiếu thẩm định", appraiser or ""
    if not accepted:
        found = next((i for i in own if i.severity == ERROR), None)
        return UNUSABLE, found.message if found else ""
    if figures == 0:
        return BLANK_ONLY, "không tính là đơn vị đã gửi số liệu"
    if sha in in_use:
        return "đang dùng", "do cán bộ chọn" if sha in picked else "bản có số liệu lưu sau cùng của đơn vị"
    newer = current.get(unit)
    because = "cán bộ đã chọn bản khác" if newer in picked else "đã có bản mới hơn"
    return "không dùng", f"{because}: {first_source.get(newer or '', newer or '')}"


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
