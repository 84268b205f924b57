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

import datetime as dt
import gc
import hashlib
import multiprocessing as mp
import os
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..appraisal import Appraisal, Final, apply
from ..campaign import Campaign, Unit
from ..catalog import Catalog
from ..issues import ERROR, Issue, issue
from ..ranking import competition_ranks
from ..rules import KINDS
from . import xlsx
from .check import Context, FileResult, check_file
from .ledger import Entry, Ledger, archive, entry
from .received import InputError, Item, Spool, walk

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
    """Hash, archive and check one file; (item, None, sha) when the ledger already has it."""
    try:
        return _work_on(item)
    except Exception as exc:  # noqa: BLE001  (the last guard: one file never stops a run)
        return _unread(item, "file-internal-error", type(exc).__name__)


def _work_on(item: Item) -> tuple[Item, Entry | None, str]:
    assert _CTX is not None and _ARCHIVE is not None
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
    if sha in _KNOWN:
        return item, None, sha
    archive(_ARCHIVE, sha, data, item.suffix)
    if item.kind == "other" or (item.kind == "maybe" and not _looks_like_workbook(data)):
        result = FileResult(item.source, sha, len(data))
        result.kind = "other"
        result.issues.append(issue("file-other", file=item.source, value=item.note, sha=sha))
        return item, entry(result), sha
    return item, entry(check_file(data, item.source, sha, _CTX, details=True)), sha


def _looks_like_workbook(data: bytes) -> bool:
    """A file named otherwise that is in fact a workbook (an .xlsx renamed .doc) is checked."""
    if data.startswith(xlsx.OLE_MAGIC):
        return "Workbook".encode("utf-16-le") in data[:65536] or "EncryptedPackage".encode("utf-16-le") in data
    return data.startswith(xlsx.ZIP_MAGIC) and b"xl/workbook.xml" in data[-65536:]


# ------------------------------------------------------------------------------ the run


@dataclass
class UnitRow:
    unit: Unit
    result: FileResult | None  # the self-assessment file that counts
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
        return bool(self.result) and any(i.code == "file-late" for i in self.result.issues)  # type: ignore[union-attr]

    @property
    def errors(self) -> int:
        return self.result.errors if self.result else 0


@dataclass
class Consolidation:
    catalog: Catalog
    campaign: Campaign
    groups: dict[str, list[UnitRow]]
    missing: list[Unit]
    issues: list[Issue]
    files: list[dict]
    province: list[dict]
    seen: int = 0
    new: int = 0
    others: list[str] = field(default_factory=list)  # files received that are not workbooks (kept, listed)
    seconds: float = 0.0
    differences: list[dict] = field(default_factory=list)  # appraised criteria, largest difference first

    @property
    def has_errors(self) -> bool:
        return any(i.severity == ERROR for i in self.issues)

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

        return pd.DataFrame([i.as_dict() for i in self.issues])


def consolidate(catalog: Catalog, campaign: Campaign, inputs: list[Path], archive_root: Path, *, workers: int | None = None,
                progress: Callable[[int, int, float], None] | None = None, context: Context | None = None) -> Consolidation:
    started = time.perf_counter()
    with Spool() as spool:
        items = walk(inputs, spool)
        ctx = context or Context.create(catalog, campaign)
        ledger = Ledger(archive_root)
        try:
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
            outcome = _outcome(catalog, campaign, ledger, received, first_source, run_issues)
            ledger.finish_run(len(items), new)
        finally:
            ledger.close()
    outcome.seen, outcome.new = len(items), new
    outcome.seconds = time.perf_counter() - started
    return outcome


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
             run_issues: list[Issue]) -> Consolidation:
    current = ledger.current(campaign.period)
    chosen = ledger.choices(campaign.period)
    results = {unit: ledger.load(sha) for unit, sha in current.items()}
    appraisals: dict[str, list[tuple]] = {}
    for record in ledger.appraisals(campaign.period):
        appraisals.setdefault(record[0], []).append(record)
    issues = list(run_issues)
    groups: dict[str, list[UnitRow]] = {}
    for unit in campaign.units:
        result = results.get(unit.code)
        row = UnitRow(unit, result)
        if result is not None:
            _late_by_mail(ledger, campaign, result)
            _flag_choice_and_fewer(ledger, campaign.period, unit.code, result, chosen.get(unit.code))
            issues.extend(result.issues)
            items = []
            for _, code, who, inputs, reason, saved, source, sha, self_sha in appraisals.get(unit.code, []):
                items.append(Appraisal(code, who, inputs, reason, saved or "", source, sha))
                if self_sha and self_sha != result.sha256:
                    issues.append(issue("appraisal-unknown-file", file=source, unit=unit.code, criterion=code, value=self_sha[:16], sha=sha))
            row.final = apply(catalog, unit.level, result.scored_inputs, items)
            for code, conflicting in row.final.conflicts.items():
                issues.append(issue("appraisal-conflict", unit=unit.code, criterion=code,
                                    value="; ".join(f"{a.appraiser} ({a.file})" for a in conflicting)))
        groups.setdefault(unit.group, []).append(row)
    pillars = [p.code for p in catalog.pillars]
    for rows in groups.values():
        for rank, row in zip(competition_ranks([r.index for r in rows]), rows, strict=True):
            row.rank = rank
        for n, code in enumerate(pillars):
            for rank, row in zip(competition_ranks([r.pillar_index(n) for r in rows]), rows, strict=True):
                row.pillar_ranks[code] = rank
        rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.unit.code))
    missing = [u for u in campaign.units if u.code not in results]
    for unit in missing:
        blank = any(accepted for _, _, accepted, _, figures in ledger.unit_files(unit.code, campaign.period) if figures == 0)
        issues.append(issue("unit-not-received", unit=unit.code, value=f"{unit.name}; chỉ nhận được sổ chưa có số liệu" if blank else unit.name))
    files, others = _received_files(ledger, current, chosen, received, first_source, results, issues)
    outcome = Consolidation(catalog, campaign, groups, missing, issues, files, _province(catalog, list(results.values())),
                            differences=_differences(catalog, groups))
    outcome.others = others
    return outcome


def _late_by_mail(ledger: Ledger, campaign: Campaign, result: FileResult) -> None:
    """A file that came by e-mail is late when the e-mail is (sent after the deadline, local
    time), whatever the time it was saved: the received date is the message's."""
    sent = ledger.first_sent(result.sha256)
    if not sent:
        return
    try:
        when = dt.datetime.fromisoformat(sent)
    except ValueError:
        return
    local = when.astimezone(dt.timezone(dt.timedelta(hours=7))) if when.tzinfo else when
    result.issues = [i for i in result.issues if i.code != "file-late"]
    if local.date() > campaign.deadline:
        result.issues.append(issue("file-late", file=result.name, unit=result.unit, value=local.strftime("%d/%m/%Y") + " (ngày gửi thư)",
                                   sha=result.sha256))


def _flag_choice_and_fewer(ledger: Ledger, period: str, unit: str, result: FileResult, choice: tuple[str, str, str] | None) -> None:
    """Say when the file in use was chosen by an officer, and when it holds fewer figures than
    an earlier file of the unit (a later file never silently replaces a fuller one)."""
    if choice is not None and choice[0] == result.sha256:
        result.issues.append(issue("file-chosen", file=result.name, unit=unit, value=f"{_local(choice[1])}; lý do: {choice[2] or '(không ghi)'}",
                                   sha=result.sha256))
        return
    fuller = [(source, figures) for sha, source, accepted, _, figures in ledger.unit_files(unit, period)
              if sha != result.sha256 and accepted and figures > result.figures >= 0]
    if fuller:
        source, figures = max(fuller, key=lambda f: f[1])
        result.issues.append(issue("file-fewer-figures", file=result.name, unit=unit,
                                   value=f"{result.figures} ô so với {figures} ô của {source}", sha=result.sha256))


def _local(iso: str) -> str:
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    local = when.astimezone(dt.timezone(dt.timedelta(hours=7))) if when.tzinfo else when
    return local.strftime("%d/%m/%Y %H:%M")


def _received_files(ledger: Ledger, current: dict[str, str], chosen: dict[str, tuple[str, str, str]], received: list[tuple[Item, str]],
                    first_source: dict[str, str], results: dict[str, FileResult], issues: list[Issue]) -> tuple[list[dict], list[str]]:
    """One row per file received in this run, with what was done with it and why; the issues
    of every file that is not in use are added (those in use come with their unit)."""
    recorded = ledger.files({sha for _, sha in received})
    in_use = {sha: unit for unit, sha in current.items()}
    picked = {choice[0] for choice in chosen.values()}
    files: list[dict] = []
    others: list[str] = []
    done: set[str] = set()
    for item, sha in received:
        row = recorded.get(sha)
        if row is None:
            continue
        received_at, accepted, unit, modified, index, errors, kind, appraiser, size, figures = row
        result = results.get(in_use[sha]) if sha in in_use else None
        if result is None and sha not in done:
            result = ledger.load(sha)
        duplicate = first_source.get(sha) != item.source
        state, reason = _state(sha, kind, accepted, figures, unit, appraiser, in_use, picked, current, first_source, result, duplicate)
        if kind in ("other", "problem"):
            others.append(item.source)
        if sha not in done and sha not in in_use and result is not None:
            if kind == "self" and accepted and figures != 0:
                newer = current.get(unit)
                issues.append(issue("file-superseded", file=item.source, unit=unit, value=first_source.get(newer or "", newer or ""), sha=sha))
            else:
                issues.extend(result.issues)
        done.add(sha)
        files.append(dict(source=item.source, name=item.name, sha256=sha, size=size, kind=kind, unit=unit, sender=item.sender,
                          sent=item.sent, modified=modified, received=received_at, index=index, errors=errors, figures=figures,
                          state=state, reason=reason))
    return files, others


_KIND_WORDS = {"other": "không phải sổ đánh giá", "problem": "không đọc được"}


def _state(sha: str, kind: str, accepted: int, figures: int, unit: str, appraiser: str | None, in_use: dict[str, str], picked: set[str],
           current: dict[str, str], first_source: dict[str, str], result: FileResult | None, duplicate: bool) -> tuple[str, str]:
    """What was done with a received file, and why, in words."""
    if duplicate:
        return "trùng tệp đã nhận", f"giống hệt {first_source.get(sha, '')}"
    if kind == "other":
        found = next((i for i in result.issues if i.code == "file-other"), None) if result else None
        return "đã lưu, không chấm", found.value if found else ""
    if kind == "problem":
        found = result.issues[0] if result and result.issues else None
        return "đã ghi nhận, không đọc được", found.message if found else ""
    if kind == "appraisal":
        return "phiếu thẩm định", appraiser or ""
    if not accepted:
        found = next((i for i in result.issues if i.severity == ERROR), None) if result else None
        return "không dùng được", found.message if found else ""
    if figures == 0:
        return "sổ chưa có số liệu", "không tính là đơn vị đã gửi số liệu"
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
            if not r.final:
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
    return sorted(out, key=lambda d: (-abs(d["difference"]), d["unit"], catalog_code_key(d["code"])))


def catalog_code_key(code: str) -> tuple[int, ...]:
    return tuple(int(p) for p in code.split("."))


def _province(catalog: Catalog, results: list[FileResult]) -> list[dict]:
    """Province-wide figures: each ratio criterion's counts added over the units' current files."""
    out = []
    for c in catalog.criteria:
        if c.kind not in ("proportional", "threshold", "step", "weighted_shares") or any(i.type not in ("count", "amount") for i in c.inputs):
            continue
        sums = {i.key: 0.0 for i in c.inputs}
        units = 0
        for r in results:
            values = r.inputs.get(c.code)
            if values:
                units += 1
                for key in sums:
                    sums[key] += float(values.get(key, 0.0))
        if not units:
            continue
        den = sum(sums[k] for k in c.params["den"])
        parts = list(c.params["num"]) if "num" in c.params else list(c.params["weights"])
        num = sum(sums[k] for k in parts)
        outcome = KINDS[c.kind].score(c.params, sums, c.max)
        out.append(dict(code=c.code, title=c.title, units=units, sums=sums, share=(num / den) if den else None,
                        points=outcome.points, max=c.max, labels={i.key: i.label for i in c.inputs}))
    return out
