"""The intake engine: what every kind of return shares, from the files received to the files
that count, once.

A kind of return (the assessment's self-assessment and appraisal workbooks, the quarterly
report, and any kind added later) plugs in by subclassing ``ReturnKind``: it names its ledger
kind, its wording and its default archive, and supplies its check of one file (bytes → an
``Entry``, run in worker processes). Everything else is here:

1. receiving: inputs walked into items (``received``: folders, nested archives, e-mails,
   mailboxes), each read, hashed and archived unchanged (``work_item``) on a pool of worker
   processes with at most ``WINDOW`` files in flight per worker (``receive``);
2. recording: each file once in the ledger, every source it came as, duplicates within a run;
3. which file counts for a unit and period: an officer's recorded choice, else the latest
   accepted file with figures by the date it was sent (its e-mail), else saved (``Ledger.current``),
   never a blank one; a later file with fewer figures is said, never a silent loss (``fewer_figures``);
4. lateness by the mail's date (``late_by_mail``);
5. the listing of every file received, with what was done with it and why (``listing``), the
   message of hue-dx a reply answers (``hue-dx mail``, the ledger's ``messages``), and the
   refusal of another kind's archive (``open_ledger``).

The kind then computes its outcome (a ranking, a quarter's summary) from the ledger.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import io
import multiprocessing as mp
import os
import threading
import time
import zipfile
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..issues import ERROR, Issue, issue
from . import xlsx
from .layout import MAIL_DATE
from .ledger import MESSAGE_KINDS, NEUTRAL_KINDS, Choice, Entry, FileRow, Ledger, Record, archive, archive_stream, dumps, issue_rows
from .received import InputError, Item, Spool, walk

WINDOW = 64  # files in flight per worker: enough to keep every core busy, few enough to keep memory flat
CHUNK = 8  # files handed to a worker at once


class ArchiveKindError(InputError):
    """The archive named holds another kind of return (an assessment archive given to the quarterly intake)."""


@dataclass(frozen=True)
class Wording:
    """How a kind of return speaks of its files in the received-file listing."""

    other: str  # a file that is no workbook of this kind, kept
    blank: str  # why a workbook without figures does not count


#: what an archive holding files of each ledger kind is, in words (each intake keeps its own)
ARCHIVE_OF = {"self": "đợt đánh giá chuyển đổi số (hue-dx consolidate)", "appraisal": "đợt đánh giá chuyển đổi số (hue-dx consolidate)",
              "tracking": "báo cáo quý (hue-dx tasks consolidate)"}


class ReturnKind:
    """A kind of return plugged into the intake. Subclasses set the attributes and ``check``;
    the other methods have the common answer."""

    kind: str  # the ledger kind of the files that can count for a unit
    kinds: frozenset[str]  # every ledger kind this intake records (other intakes' archives hold others)
    default_archive: Path
    wording: Wording
    codes: Mapping[str, str] = {}  # generic issue code -> this kind's own, where its words differ

    def check(self, data: bytes, source: str, sha256: str) -> Entry:
        """One file's check (bytes in, an entry to record out); never raises."""
        raise NotImplementedError

    def prepare(self) -> None:
        """Work done once in the parent before the files are read (and inherited by workers)."""

    def issue(self, code: str, **where: Any) -> Issue:
        return issue(self.codes.get(code, code), **where)

    def measures(self, row: FileRow) -> dict[str, Any]:
        """What the listing shows of a file's results (the assessment: its index)."""
        return {"index": row.idx}

    def state(self, row: FileRow) -> tuple[str, str] | None:
        """A state of a received file particular to this kind (an appraisal workbook), else None."""
        return None

    def period_vi(self, period: str) -> str:
        return period


# ------------------------------------------------------------------------------ one file


def _size(item: Item) -> int:
    if item.member is None:
        return os.path.getsize(item.path)
    with zipfile.ZipFile(item.path) as zf:
        return zf.getinfo(item.member).file_size


def _chunks(item: Item) -> Iterator[bytes]:
    """The item's bytes a megabyte at a time (a large mailbox or archive is never held whole)."""
    if item.member is None:
        with open(item.path, "rb") as f:
            yield from iter(lambda: f.read(1 << 20), b"")
        return
    with zipfile.ZipFile(item.path) as zf, zf.open(item.member) as member:
        yield from iter(lambda: member.read(1 << 20), b"")


def _read_bytes(item: Item) -> bytes:
    return b"".join(_chunks(item))


def record_of(sha256: str, size: int, kind: str, issues: Sequence[Issue], name: str, note: str = "") -> Record:
    """The record of a file that is no workbook of any kind (kept, listed, never scored)."""
    body = {"name": name, "note": note}
    return Record(sha256, size, False, "", None, None, None, None, None, None, None, None, dumps(body), kind,
                  sum(1 for i in issues if i.severity == ERROR), issue_rows(issues), 0)


def _unread(kind: ReturnKind, item: Item, code: str, detail: str = "", read: str = "") -> tuple[Item, Entry, str]:
    """A received item whose bytes could not be read: recorded under a hash of its name."""
    sha = hashlib.sha256(("received:" + item.source).encode("utf-8", "replace")).hexdigest()
    found = [kind.issue(code, file=item.source, value=detail, read=read, sha=sha)]
    return item, Entry(record_of(sha, 0, "problem", found, item.name)), sha


def work_item(item: Item, root: Path, known: Container[str], kind: ReturnKind) -> tuple[Item, Entry | None, str]:
    """Read, hash, archive (under ``root``) and check one received item; (item, None, sha) when
    the ledger already knows it. An item that cannot be read, is no workbook or is a container
    is recorded the same way for every kind; an unexpected error on one file becomes its issue
    record instead of stopping the run."""
    try:
        return _work_on(item, root, known, kind)
    except Exception as exc:  # noqa: BLE001  (the last guard: one file never stops a run)
        return _unread(kind, item, "file-internal-error", type(exc).__name__)


def _work_on(item: Item, root: Path, known: Container[str], kind: ReturnKind) -> tuple[Item, Entry | None, str]:
    if item.kind == "problem":
        deep = item.note == "archive-too-deep"
        return _unread(kind, item, item.note, item.name if deep else item.detail, item.detail if deep else "")
    try:
        if _size(item) > xlsx.MAX_FILE_BYTES:
            return _large(item, root, known, kind)
        data = _read_bytes(item)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, RuntimeError, EOFError, NotImplementedError):
        return _unread(kind, item, "file-corrupt", "không đọc được tệp")
    sha = hashlib.sha256(data).hexdigest()
    if sha in known:
        return item, None, sha
    archive(root, sha, data, item.suffix)
    if item.kind == "container":  # opened by the walk: its items follow it
        return item, Entry(record_of(sha, len(data), "container", (), item.name, item.note)), sha
    if item.kind == "other" or (item.kind == "maybe" and not _looks_like_workbook(data)):
        found = [kind.issue("file-other", file=item.source, value=item.note, sha=sha)]
        return item, Entry(record_of(sha, len(data), "other", found, item.name, item.note)), sha
    return item, kind.check(data, item.source, sha), sha


def _large(item: Item, root: Path, known: Container[str], kind: ReturnKind) -> tuple[Item, Entry | None, str]:
    """A file larger than any workbook: archived whole and unchanged (streamed), listed, never
    read as a workbook (a workbook that large is ``file-too-large``)."""
    sha, size = archive_stream(root, _chunks(item), item.suffix)
    if sha in known:
        return item, None, sha
    if item.kind == "container":
        return item, Entry(record_of(sha, size, "container", (), item.name, item.note)), sha
    if item.kind in ("other", "maybe"):  # named as no workbook: too large to be one anyway
        found = [kind.issue("file-other", file=item.source, value=item.note, sha=sha)]
        return item, Entry(record_of(sha, size, "other", found, item.name, item.note)), sha
    found = [kind.issue("file-too-large", file=item.source, value=f"{size // 1024 // 1024} MB", sha=sha)]
    return item, Entry(record_of(sha, size, "problem", found, item.name)), sha


def _looks_like_workbook(data: bytes) -> bool:
    """A file named otherwise that is in fact a workbook (an .xlsx renamed .doc) is checked."""
    if data.startswith(xlsx.OLE_MAGIC):
        return "Workbook".encode("utf-16-le") in data[:65536] or "EncryptedPackage".encode("utf-16-le") in data
    if not data.startswith(xlsx.ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return xlsx.is_workbook_package(zf)
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


# ------------------------------------------------------------------------------ workers

_KIND: ReturnKind | None = None
_ARCHIVE: Path | None = None
_KNOWN: frozenset[str] = frozenset()


def _init(kind: ReturnKind, archive_root: Path, known: frozenset[str]) -> None:
    global _KIND, _ARCHIVE, _KNOWN
    _KIND, _ARCHIVE, _KNOWN = kind, archive_root, known


def _init_worker(kind: ReturnKind, archive_root: Path, known: frozenset[str]) -> None:
    _init(kind, archive_root, known)
    # What a worker holds for the whole run (catalog, layouts, the known hashes) is set aside
    # from the cyclic garbage collector, which otherwise walks it again and again while
    # thousands of files are checked (measured: 0.19 ms of GC per file, 0.07 once frozen).
    gc.collect()
    gc.freeze()


def _work(item: Item) -> tuple[Item, Entry | None, str]:
    assert _KIND is not None and _ARCHIVE is not None
    return work_item(item, _ARCHIVE, _KNOWN, _KIND)


def _results(items: list[Item], kind: ReturnKind, root: Path, known: frozenset[str], workers: int):
    """Each item's (item, entry, sha), in input order (so a re-run reports duplicates the same
    way). At most WINDOW files per worker are in flight: the pool never waits for a batch to
    drain, and memory stays flat whatever the number of files."""
    if workers <= 1 or len(items) < 4:
        _init(kind, root, known)
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

    with mp.get_context(method).Pool(workers, initializer=_init_worker, initargs=(kind, root, known)) as pool:
        try:
            for result in pool.imap(_work, feed(), chunksize=CHUNK):
                window.release()
                yield result
        finally:
            stop.set()


# ------------------------------------------------------------------------------ the run


@dataclass
class Run:
    """What one run received, in input order."""

    items: list[tuple[Item, str]] = field(default_factory=list)  # each item with its SHA-256
    first_source: dict[str, str] = field(default_factory=dict)  # SHA-256 -> how it first came in this run
    issues: list[Issue] = field(default_factory=list)  # the run's own: the same file received twice
    new: int = 0


class Outcome(Protocol):
    seen: int
    new: int
    seconds: float


def open_ledger(kind: ReturnKind, root: Path) -> Ledger:
    """The archive's ledger, refused when it holds another kind of return (each intake keeps
    its own archive: neither reads the other's files)."""
    ledger = Ledger(root)
    foreign = sorted(ledger.kinds() - kind.kinds - NEUTRAL_KINDS)
    if foreign:
        ledger.close()
        theirs = ARCHIVE_OF.get(foreign[0], f"loại tệp {foreign[0]}")
        raise ArchiveKindError(f"Thư mục lưu trữ {root} là kho của {theirs}: dùng thư mục khác cho {ARCHIVE_OF.get(kind.kind, kind.kind)} "
                               f"(mặc định {kind.default_archive.as_posix()})")
    return ledger


def receive(kind: ReturnKind, ledger: Ledger, items: list[Item], root: Path, *, workers: int | None = None,
            progress: Callable[[int, int, float], None] | None = None) -> Run:
    """Read, archive, check and record every item (known files are only noted as seen again)."""
    started = time.perf_counter()
    known = frozenset(ledger.known())
    if items:
        kind.prepare()
    workers = workers or max(1, min(os.cpu_count() or 1, 8))
    run = Run()
    for done, (item, found, sha) in enumerate(_results(items, kind, root, known, workers), start=1):
        run.items.append((item, sha))
        if sha in run.first_source:
            unit = found.unit if found else ledger.unit(sha)
            run.issues.append(kind.issue("file-duplicate", file=item.source, unit=unit, value=run.first_source[sha], sha=sha))
        run.first_source.setdefault(sha, item.source)
        if found is None:
            ledger.seen(sha, item.source, item.sender, item.sent, replies_to=item.replies_to)  # known from an earlier run: nothing changes
        elif ledger.record(found, item.source, item.sender, item.sent, item.replies_to):
            run.new += 1
        if done % 200 == 0:
            ledger.commit()
        if progress:
            progress(done, len(items), time.perf_counter() - started)
    ledger.commit()
    return run


def consolidate(kind: ReturnKind, inputs: Sequence[Path], root: Path, outcome: Callable[[Ledger, Run], Any], *,
                workers: int | None = None, progress: Callable[[int, int, float], None] | None = None, by: str = "") -> Any:
    """Receive ``inputs`` into the archive at ``root`` and return ``outcome(ledger, run)``, the
    kind's own result, with ``seen``, ``new`` and ``seconds`` set; ``by``: who runs it (recorded)."""
    started = time.perf_counter()
    with Spool() as spool:
        items = walk(inputs, spool)
        ledger = open_ledger(kind, root)
        try:
            ledger.start_run([str(p) for p in inputs], by)
            run = receive(kind, ledger, items, root, workers=workers, progress=progress)
            result = outcome(ledger, run)
            ledger.finish_run(len(items), run.new)
        finally:
            ledger.close()
    result.seen, result.new, result.seconds = len(items), run.new, time.perf_counter() - started
    return result


# ------------------------------------------------------------------------------ the file that counts


def late_by_mail(kind: ReturnKind, row: FileRow, deadline: dt.date) -> tuple[bool | None, Issue | None]:
    """A file that came by e-mail is late when the e-mail is (sent after the deadline day,
    Vietnam time), whenever it was saved: (late or not, its record); (None, None) when it never
    came by e-mail (then the check's own lateness by the saved time stands)."""
    from ..documents import in_vietnam

    local = in_vietnam(row.sent)
    if local is None:
        return None, None
    if local.date() <= deadline:
        return False, None
    return True, kind.issue("file-late", file=row.name, unit=row.unit, value=local.strftime("%d/%m/%Y"), read=MAIL_DATE, sha=row.sha256)


def without_saved_lateness(issues: Sequence[Issue]) -> list[Issue]:
    """The check's lateness by the saved time left out (the e-mail's date decides instead)."""
    return [i for i in issues if not (i.code == "file-late" and i.read != MAIL_DATE)]


def fewer_figures(kind: ReturnKind, ledger: Ledger, row: FileRow, period: str) -> Issue | None:
    """A file in use with fewer figures than an earlier accepted file of its unit: said, so that
    a later, emptier file never silently replaces a fuller one."""
    fuller = [f for f in ledger.unit_files(row.unit, period, kind.kind)
              if f.sha256 != row.sha256 and f.accepted and f.figures > row.figures >= 0]
    if not fuller:
        return None
    best = max(fuller, key=lambda f: f.figures)
    return kind.issue("file-fewer-figures", file=row.name, unit=row.unit, value=f"{row.figures} ô so với {best.figures} ô của {best.source}",
                      sha=row.sha256)


def chosen_issue(kind: ReturnKind, row: FileRow, choice: Choice | None) -> Issue | None:
    if choice is None or choice.sha256 != row.sha256:
        return None
    from ..documents import local_time

    return kind.issue("file-chosen", file=row.name, unit=row.unit, value=f"{local_time(choice.decided_at)}; lý do: {choice.reason or '(không ghi)'}",
                      sha=row.sha256)


# ------------------------------------------------------------------------------ the listing


@dataclass
class ReceivedFile:
    """One file in the listing of what was received, with what was done with it and why."""

    source: str
    name: str
    sha256: str
    size: int | None
    kind: str
    unit: str
    period: str
    sender: str
    sent: str
    modified: str | None
    received: str | None
    errors: int
    figures: int
    state: str
    reason: str
    index: float | None = None  # a self-assessment's index
    rows: int = 0  # a quarterly report's rows answered
    expected: int = 0  # and rows its unit's workbook holds
    reply_to_unit: str = ""  # it came in a reply to a message hue-dx wrote to this unit
    reply_to: str = ""  # that message's Message-ID
    reply_note: str = ""  # the message answered, in words (and a sender not in the roster)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Listing:
    files: list[ReceivedFile] = field(default_factory=list)
    # what the listing says of files besides their own checks: accepted files with figures replaced by a newer one
    # (or of another period), replies from an address not in the roster
    superseded: list[Issue] = field(default_factory=list)
    not_in_use: list[str] = field(default_factory=list)  # SHA-256 of listed files whose own issues belong to the run
    others: list[str] = field(default_factory=list)  # sources of what is no workbook or could not be read


DUPLICATE = "trùng tệp đã nhận"
UNUSABLE, BLANK_ONLY, IN_USE, NOT_USED = "không dùng được", "sổ chưa có số liệu", "đang dùng", "không dùng"
UNREADABLE, OTHER_PERIOD, OPENED = "đã ghi nhận, không đọc được", "sổ của kỳ khác", "đã mở"


def listing(kind: ReturnKind, ledger: Ledger, period: str, current: Mapping[str, str], choices: Mapping[str, Choice], run: Run) -> Listing:
    """Every file recorded for ``period`` (in any run) and every item received in this run,
    once each, with what was done with it and why; the same file received again in this run is
    listed as such. The records of the files that are not in use are said here too: a file
    replaced by a newer one (``file-superseded``), one recorded for another period, and the
    SHA-256 of the others, whose own records belong to the run."""
    out = Listing()
    in_use = {sha: unit for unit, sha in current.items()}
    picked = {c.sha256 for c in choices.values()}
    this_run = [sha for _, sha in run.items]
    shas = list(dict.fromkeys([*ledger.period_files(period), *this_run]))
    rows = ledger.files(shas)
    via = {sha: item for item, sha in reversed(run.items)}  # how this run received each file first
    names = {sha: run.first_source.get(sha) or row.source for sha, row in rows.items()}
    for sha in shas:
        row = rows.get(sha)
        if row is None:
            continue
        item = via.get(sha)
        state, reason = _state(kind, row, period, in_use, picked, current, names, ledger)
        if row.kind in ("other", "problem"):
            out.others.append(item.source if item else row.source)
        if sha not in in_use:
            if row.filled and row.kind == kind.kind and row.period == period:
                newer = current.get(row.unit, "")
                out.superseded.append(kind.issue("file-superseded", file=names[sha], unit=row.unit, value=names.get(newer, newer), sha=sha))
            elif row.filled and row.kind == kind.kind:
                out.superseded.append(kind.issue("file-other-period", file=names[sha], unit=row.unit, value=kind.period_vi(row.period),
                                                 read=kind.period_vi(period), sha=sha))
            elif row.kind != "container":
                out.not_in_use.append(sha)
        out.files.append(ReceivedFile(item.source if item else row.source, item.name if item else row.name, sha, row.size, row.kind,
                                      row.unit, row.period, item.sender if item else row.sender, item.sent if item else row.sent,
                                      row.modified, row.received_at, row.errors, row.figures, state, reason, **kind.measures(row)))
    for item, sha in run.items:  # the same file received again in this run
        if run.first_source.get(sha) != item.source:
            row = rows.get(sha)
            out.files.append(ReceivedFile(item.source, item.name, sha, row.size if row else None, row.kind if row else "", row.unit if row else "",
                                          row.period if row else "", item.sender, item.sent, row.modified if row else None,
                                          row.received_at if row else None, 0, 0, DUPLICATE, f"giống hệt {run.first_source.get(sha, '')}"))
    out.superseded += _replies(kind, ledger, out.files)
    return out


def _replies(kind: ReturnKind, ledger: Ledger, files: Sequence[ReceivedFile]) -> list[Issue]:
    """Files that came in a reply to a message hue-dx wrote: the unit and the campaign it answers
    are said on each; a reply from an address hue-dx never wrote to (not in the roster) is an
    information record, once per e-mail."""
    from ..addresses import plain
    from ..documents import local_time

    answered = ledger.answered(f.sha256 for f in files)
    if not answered:
        return []
    addressed = ledger.addressed()
    found: dict[tuple[str, str], Issue] = {}
    for f in files:
        message = answered.get(f.sha256)
        if message is None:
            continue
        what = MESSAGE_KINDS.get(message.kind, message.kind)
        f.reply_to_unit, f.reply_to = message.unit, message.message_id
        f.reply_note = f"trả lời {what} kỳ {kind.period_vi(message.period)} gửi {message.unit} ({local_time(message.at)})"
        if f.unit and f.unit != message.unit:
            f.reply_note += f"; tệp là của {f.unit}"
        sender = plain(f.sender)
        if sender and sender not in addressed:
            f.reply_note += f"; gửi từ {sender}, địa chỉ không có trong danh sách đơn vị"
            found.setdefault((sender, message.message_id), kind.issue("mail-reply-unknown-sender", file=f.source, unit=message.unit, value=sender,
                                                                      read=what, sha=f.sha256))
    return list(found.values())


def _state(kind: ReturnKind, row: FileRow, period: str, in_use: Mapping[str, str], picked: set[str], current: Mapping[str, str],
           names: Mapping[str, str], ledger: Ledger) -> tuple[str, str]:
    """What was done with a received file, and why, in words."""
    if row.kind == "other":
        found = next((i for i in ledger.issues_of(row.sha256) if i.code == kind.codes.get("file-other", "file-other")), None)
        return kind.wording.other, found.value if found else ""
    if row.kind == "problem":
        own = ledger.issues_of(row.sha256)
        return UNREADABLE, own[0].message if own else ""
    if row.kind == "container":
        note = ledger.stored(row.sha256).body.get("note", "")
        return OPENED, note
    special = kind.state(row)
    if special is not None:
        return special
    if not row.accepted:
        found = next((i for i in ledger.issues_of(row.sha256) if i.severity == ERROR), None)
        return UNUSABLE, found.message if found else ""
    if row.period != period:
        return OTHER_PERIOD, f"ghi nhận cho {kind.period_vi(row.period)}"
    if row.figures == 0:
        return BLANK_ONLY, kind.wording.blank
    if row.sha256 in in_use:
        return IN_USE, "do cán bộ chọn" if row.sha256 in picked else "bản có số liệu gửi sau cùng của đơn vị"
    newer = current.get(row.unit, "")
    because = "cán bộ đã chọn bản khác" if newer in picked else "đã có bản mới hơn"
    return NOT_USED, f"{because}: {names.get(newer, newer)}"
