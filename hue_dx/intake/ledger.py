"""The memory of an intake: every file ever received, archived unchanged by its SHA-256, and
recorded in an SQLite ledger with when and where it came from, its identity, checks and
results. A file is recorded once (re-running changes nothing); a corrected file of the same
unit and period supersedes the earlier one, and both stay listed.

The ledger knows nothing of what a kind of return holds: each kind (the assessment's
self-assessment and appraisal, the quarterly report) records a ``Record`` per file, its own
check kept as JSON in ``result``, and reads it back with ``stored``.

Layout of the archive folder:

    ledger.sqlite               the ledger
    files/ab/abcdef….xlsx       each received file, byte for byte, named by its SHA-256
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, fields
from pathlib import Path, PurePosixPath
from typing import Any

from ..documents import VIETNAM, in_vietnam
from ..issues import TYPES, Issue, issue

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    sha256 TEXT PRIMARY KEY, size INTEGER, received_at TEXT, source TEXT, accepted INTEGER,
    unit TEXT, period TEXT, catalog TEXT, level TEXT, generation_id TEXT, modified TEXT,
    total REAL, max REAL, idx REAL, result TEXT, kind TEXT DEFAULT 'self', errors INTEGER DEFAULT 0, issues TEXT DEFAULT '[]',
    figures INTEGER DEFAULT -1);
CREATE TABLE IF NOT EXISTS sources (
    sha256 TEXT, source TEXT, seen_at TEXT, run INTEGER, sender TEXT DEFAULT '', sent TEXT DEFAULT '', replies_to TEXT DEFAULT '',
    PRIMARY KEY (sha256, source));
CREATE TABLE IF NOT EXISTS choices (
    period TEXT, unit TEXT, sha256 TEXT, decided_at TEXT, reason TEXT, decided_by TEXT DEFAULT '', after_run INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS appraisals (
    sha256 TEXT, criterion TEXT, unit TEXT, appraiser TEXT, inputs TEXT, reason TEXT, saved TEXT, follow_up TEXT DEFAULT '',
    PRIMARY KEY (sha256, criterion));
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, started TEXT, finished TEXT, inputs TEXT, files INTEGER, new INTEGER, run_by TEXT DEFAULT '');
CREATE TABLE IF NOT EXISTS requests (
    period TEXT, unit TEXT, sha256 TEXT, issued_at TEXT, deadline TEXT, items INTEGER, follow_ups INTEGER, issued_by TEXT, letter TEXT,
    after_run INTEGER);
CREATE TABLE IF NOT EXISTS approvals (
    id INTEGER PRIMARY KEY, period TEXT, number INTEGER, approved_by TEXT, approved_at TEXT, reason TEXT, snapshot TEXT,
    snapshot_sha256 TEXT, after_run INTEGER);
CREATE TABLE IF NOT EXISTS reopenings (
    period TEXT, approval INTEGER, reopened_by TEXT, reopened_at TEXT, reason TEXT, after_run INTEGER);
CREATE TABLE IF NOT EXISTS documents (
    period TEXT, approval INTEGER, what TEXT, path TEXT, sha256 TEXT, issued_at TEXT, issued_by TEXT, after_run INTEGER);
CREATE TABLE IF NOT EXISTS consolidated (
    kind TEXT, period TEXT, run INTEGER, at TEXT);
CREATE TABLE IF NOT EXISTS issue_types (code TEXT PRIMARY KEY, severity TEXT, title TEXT, message TEXT, hint TEXT);
CREATE TABLE IF NOT EXISTS messages (
    message_id TEXT PRIMARY KEY, unit TEXT, period TEXT, kind TEXT, subject TEXT, recipients TEXT, attachment TEXT,
    attachment_name TEXT, state TEXT, reply TEXT DEFAULT '', at TEXT, UNIQUE (kind, period, unit, attachment));
CREATE INDEX IF NOT EXISTS files_unit ON files (period, unit);
"""

#: tables of decisions: written once, never changed nor removed (an undo is a decision of its own). Each
#: decision keeps ``after_run``, the last run recorded when it was made: with times to the second, it
#: is what orders a decision and the files received around it (``hue-dx log``, what came after an approval)
DECISIONS = ("choices", "appraisals", "requests", "approvals", "reopenings", "documents")
APPEND_ONLY = "".join(
    f"CREATE TRIGGER IF NOT EXISTS {table}_kept_{what.lower()} BEFORE {what} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, 'sổ cái chỉ ghi thêm: không sửa, không xóa quyết định đã ghi ({table})'); END;\n"
    for table in DECISIONS for what in ("UPDATE", "DELETE"))

# A file's issues and scores are kept with the file, as JSON (one row per file: recording
# thousands of files costs one insert each, not hundreds); these views give them back as
# tables for SQL, with each issue's severity and title from ``issue_types``.
VIEWS = """
CREATE VIEW IF NOT EXISTS issues AS
    SELECT f.sha256, CAST(j.key AS INTEGER) AS seq, json_extract(j.value, '$[0]') AS code, t.severity,
           json_extract(j.value, '$[1]') AS unit, json_extract(j.value, '$[2]') AS sheet, json_extract(j.value, '$[3]') AS cell,
           json_extract(j.value, '$[4]') AS criterion, json_extract(j.value, '$[5]') AS value,
           json_extract(j.value, '$[6]') AS read, t.title
    FROM files f, json_each(f.issues) j LEFT JOIN issue_types t ON t.code = json_extract(j.value, '$[0]');
CREATE VIEW IF NOT EXISTS scores AS
    SELECT f.sha256, json_extract(c.value, '$[0]') AS code, json_extract(c.value, '$[1]') AS score,
           json_extract(c.value, '$[4]') AS max, json_extract(c.value, '$[2]') AS status
    FROM files f, json_each(f.result, '$.criteria') c;
"""
VERSION = 4  # PRAGMA user_version; 0/1: issues and scores were tables of their own; 2: no figures, senders, choices;
#            3: decisions without a name, an undone choice deleted, no requests, approvals, follow-ups, messages, replies_to

#: kinds of file every intake records besides its own: what is no workbook, what could not be read, containers opened
NEUTRAL_KINDS = frozenset({"other", "problem", "container"})


def now() -> str:
    """The local time to the second, ISO 8601 (made once per second: thousands of files a run)."""
    second = int(time.time())
    if _now[0] != second:
        _now[0], _now[1] = second, dt.datetime.fromtimestamp(second, dt.UTC).astimezone().isoformat(timespec="seconds")
    return _now[1]


_now: list = [None, ""]


def archive_path(root: Path, sha256: str, suffix: str = ".xlsx") -> Path:
    return root / "files" / sha256[:2] / f"{sha256}{suffix}"


def archive(root: Path, sha256: str, data: bytes, suffix: str) -> Path:
    """Keep the received bytes unchanged; written once, atomically (a temporary file renamed
    into place, so an interrupted run never leaves half a file under a SHA-256 name)."""
    path = archive_path(root, sha256, suffix)
    if os.path.exists(path):
        return path
    temporary = path.parent / f".tmp-{os.getpid()}-{sha256}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(temporary, flags, 0o644)
    except FileNotFoundError:  # the first file of this folder
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(temporary, flags, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    os.replace(temporary, path)
    return path


def archive_stream(root: Path, chunks: Iterable[bytes], suffix: str) -> tuple[str, int]:
    """Keep a large received file unchanged without holding it in memory: hashed while copied,
    then renamed to its SHA-256 (once; a copy already there is kept). Returns (sha256, size)."""
    import hashlib

    folder = root / "files"
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".tmp-{os.getpid()}-stream"
    digest, size = hashlib.sha256(), 0
    with open(temporary, "wb") as out:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    sha = digest.hexdigest()
    path = archive_path(root, sha, suffix)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        temporary.unlink()
    else:
        os.replace(temporary, path)
    return sha, size


def archived(root: Path, sha256: str) -> Path:
    """The archived copy of a recorded file (whatever its suffix)."""
    found = sorted((root / "files" / sha256[:2]).glob(sha256 + ".*"))
    if not found:
        raise FileNotFoundError(f"kho lưu trữ {root} thiếu tệp {sha256[:16]}")
    return found[0]


@dataclass(frozen=True, slots=True)
class Record:
    """A checked file as the ledger's ``files`` table holds it, one field per column (when and
    where it was received excepted). ``result`` is the kind's own check, as JSON; for a
    quarterly report ``total`` and ``max`` hold the rows answered and expected."""

    sha256: str
    size: int
    accepted: bool
    unit: str
    period: str | None
    catalog: str | None
    level: str | None
    generation_id: str | None
    modified: str | None
    total: float | None
    max: float | None
    idx: float | None
    result: str
    kind: str
    errors: int
    issues: str
    figures: int


_COLUMNS = tuple(f.name for f in fields(Record))
_INSERT = (f"INSERT OR IGNORE INTO files ({', '.join(_COLUMNS)}, received_at, source) "
           f"VALUES ({', '.join('?' * (len(_COLUMNS) + 2))})")


@dataclass(frozen=True, slots=True)
class Appraised:
    """One criterion of an appraisal workbook, as the ``appraisals`` table holds it."""

    criterion: str
    appraiser: str
    inputs: dict[str, Any]
    reason: str
    saved: str | None
    follow_up: str = ""  # what the appraiser asks to follow up on this criterion ("": nothing)


@dataclass(frozen=True)
class Entry:
    """A checked file ready to be recorded: made in the worker process that checked it (the
    JSON is written there, in parallel), recorded by the one process that owns the ledger."""

    record: Record
    appraisals: tuple[Appraised, ...] = ()

    @property
    def sha256(self) -> str:
        return self.record.sha256

    @property
    def unit(self) -> str:
        return self.record.unit


def issue_rows(issues: Iterable[Issue]) -> str:
    """Issues as stored: code and places (messages are made again from the codes)."""
    return dumps([[i.code, i.unit, i.sheet, i.cell, i.criterion, i.value, i.read] for i in issues])


def issue_records(name: str, sha256: str, stored: str | None) -> list[Issue]:
    """Issue records as stored (codes and places); messages and hints are made again from the
    codes (docs/issues.md), as when first found."""
    return [issue(code, file=name, unit=unit, sheet=sheet, cell=cell, criterion=criterion, value=value, read=read, sha=sha256)
            if code in TYPES else Issue(code, "warning", code, "", name, unit, sheet, cell, criterion, value, read, sha256[:12])
            for code, unit, sheet, cell, criterion, value, read in loads(stored or "[]")]


try:  # orjson writes these records about ten times faster than json; json is the fallback
    import orjson

    def dumps(value: object) -> str:
        return orjson.dumps(value, default=str).decode("utf-8")

    loads = orjson.loads
except ImportError:  # pragma: no cover - orjson is a dependency of the consolidator
    def dumps(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)

    loads = json.loads  # type: ignore[assignment]


def moment(iso: str | None) -> dt.datetime | None:
    """An ISO time as a moment that compares with any other (one with no zone is Vietnam time)."""
    when = in_vietnam(iso)
    return when.replace(tzinfo=VIETNAM) if when is not None and when.tzinfo is None else when


@dataclass(frozen=True, slots=True)
class FileRow:
    """What a listing needs of a recorded file, without reading its check: identity, how it
    came (first source, sender and e-mail date), counts and results."""

    sha256: str
    size: int
    received_at: str
    source: str  # how it was first received
    name: str  # the file's own name, as the unit called it
    accepted: bool
    unit: str
    period: str
    level: str
    kind: str
    modified: str | None
    total: float | None
    max: float | None
    idx: float | None
    errors: int
    figures: int
    appraiser: str
    sender: str  # of the first e-mail it came in ("" when it never came by e-mail)
    sent: str  # the earliest date of those e-mails

    @property
    def filled(self) -> bool:
        """Identified, accepted and holding figures (-1: recorded before figures were counted)."""
        return self.accepted and self.figures != 0

    @property
    def dated(self) -> tuple[dt.datetime, dt.datetime, str]:
        """When the unit sent it: the date of its e-mail, else the time it was saved, else when
        it was received (then when received, and the SHA-256, so that no two files tie)."""
        received = moment(self.received_at) or _DAWN
        return (moment(self.sent) or moment(self.modified) or received, received, self.sha256)

    @property
    def sent_or_saved(self) -> str:
        """Which date ``dated`` is, in words, for a person."""
        return "ngày gửi thư" if moment(self.sent) else "lưu lần cuối" if moment(self.modified) else "ngày nhận"


_DAWN = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
_ROW = ("f.sha256, f.size, f.received_at, f.source, json_extract(f.result, '$.name'), f.accepted, f.unit, f.period, f.level, "
        "COALESCE(f.kind, 'self'), f.modified, f.total, f.max, f.idx, f.errors, f.figures, json_extract(f.result, '$.appraiser'), "
        "(SELECT s.sender FROM sources s WHERE s.sha256 = f.sha256 AND s.sent != '' ORDER BY s.sent LIMIT 1), "
        "(SELECT MIN(s.sent) FROM sources s WHERE s.sha256 = f.sha256 AND s.sent != '')")


def _row(r: Sequence[Any]) -> FileRow:
    source = r[3] or ""
    return FileRow(r[0], r[1] or 0, r[2] or "", source, r[4] or file_name(source), bool(r[5]), r[6] or "", r[7] or "", r[8] or "",
                   r[9], r[10], r[11], r[12], r[13], r[14] or 0, -1 if r[15] is None else r[15], r[16] or "", r[17] or "", r[18] or "")


def file_name(source: str) -> str:
    """The file's own name from how it was received (a path, or archive.zip!/folder/member)."""
    return PurePosixPath(source.rsplit("!/", 1)[-1].replace("\\", "/")).name


@dataclass(frozen=True)
class Stored:
    """A recorded file read back whole: its row, its kind's own check, its issue records."""

    row: FileRow
    body: dict[str, Any]
    issues: list[Issue]


@dataclass(frozen=True, slots=True)
class Choice:
    """An officer's decision that a file is the one that counts for a unit ("" for ``sha256``:
    the decision to go back to the rule, an undo kept as a decision of its own)."""

    sha256: str
    decided_at: str
    reason: str
    by: str = ""
    after_run: int = 0


@dataclass(frozen=True, slots=True)
class Request:
    """A letter asking a unit to correct (or to send) its file, as issued."""

    unit: str
    sha256: str  # the file in use the letter is about ("" when the unit had sent nothing)
    issued_at: str
    deadline: str  # ISO date
    items: int  # cells to fix or explain
    follow_ups: int  # criteria carried from an appraiser's follow-up
    by: str
    letter: str  # the letter's file name
    after_run: int = 0


@dataclass(frozen=True, slots=True)
class Approval:
    """An approval of a campaign's consolidation: who, when, why, and the snapshot it froze."""

    number: int  # 1, 2… within the period
    by: str
    at: str
    reason: str
    snapshot_sha256: str
    after_run: int = 0  # the last run before it: files first received in a later run came after it


@dataclass(frozen=True, slots=True)
class Reopening:
    """An approval undone, so that what was received since counts again."""

    approval: int  # the number of the approval reopened
    by: str
    at: str
    reason: str
    after_run: int = 0


@dataclass(frozen=True, slots=True)
class Issued:
    """A document issued from an approval (or from a consolidation that was not approved: 0)."""

    approval: int
    what: str  # its kind, in words
    path: str
    sha256: str
    at: str
    by: str
    after_run: int = 0


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A criterion an appraiser marked for follow-up, with what to follow up."""

    unit: str
    criterion: str
    appraiser: str
    text: str
    saved: str
    sha256: str  # of the appraisal workbook


def person(by: str | None = None) -> str:
    """Who made a decision: the name given (``--by``), else the system user."""
    if by and by.strip():
        return " ".join(by.split())
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no user name (a container without one)
        return os.environ.get("USERNAME") or os.environ.get("USER") or "(không rõ)"


#: what became of a message hue-dx wrote (``messages.state``)
WRITTEN, SENT, REFUSED, FAILED, UNKNOWN = "written", "sent", "refused", "failed", "unknown"
#: each kind of message hue-dx writes (``messages.kind``), in words
MESSAGE_KINDS = {"workbook": "thư gửi sổ tự đánh giá", "request": "thư đề nghị sửa, giải trình",
                 "tracking-workbook": "thư gửi sổ báo cáo quý", "reminder": "thư đôn đốc báo cáo quý"}


@dataclass(frozen=True, slots=True)
class MessageRow:
    """A message hue-dx wrote to a unit, as the ``messages`` table holds it: one per unit, kind of
    message, period and attached file (the SHA-256 of its bytes), whatever became of it: a draft
    written, sent, refused by the server (its reply kept), failed before the server took it (sent
    again by the next run), or unknown (the connection was lost after the message was handed
    over: it may have arrived, so it is never sent again unless asked)."""

    message_id: str  # without angle brackets
    unit: str
    period: str
    kind: str  # workbook, request, tracking-workbook, reminder
    subject: str
    recipients: tuple[str, ...]
    attachment: str  # SHA-256 of the attached file
    attachment_name: str
    state: str
    reply: str = ""  # the server's words (refusals, partial refusals)
    at: str = ""  # when the state was reached


_MESSAGE = "message_id, unit, period, kind, subject, recipients, attachment, attachment_name, state, reply, at"


def _message(r: Sequence[Any]) -> MessageRow:
    return MessageRow(r[0], r[1], r[2], r[3], r[4], tuple(loads(r[5] or "[]")), r[6], r[7], r[8], r[9] or "", r[10] or "")


class Ledger:
    def __init__(self, root: Path):
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.db = sqlite3.connect(root / "ledger.sqlite")
        self.db.execute("PRAGMA journal_mode=WAL")
        # WAL with synchronous=NORMAL: a commit is not flushed to disk at once, so a power cut
        # can lose the last files recorded (never corrupt the ledger); they are still in the
        # inputs and in the archive, and the next run records them again.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA wal_autocheckpoint=20000")  # copy the log into the database every ~80 MB, not every 4 MB
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        has_files = self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'files'").fetchone() is not None
        if has_files and version < VERSION:
            _upgrade(self.db)
        self.db.executescript(SCHEMA + VIEWS + APPEND_ONLY)
        self.db.executemany("INSERT OR REPLACE INTO issue_types VALUES (?,?,?,?,?)",
                            [(t.code, t.severity, t.title, t.message, t.hint) for t in TYPES.values()])
        self.db.execute(f"PRAGMA user_version = {VERSION}")
        self.db.commit()
        self.run = 0
        self.received = ""

    @classmethod
    def reader(cls, root: Path) -> Ledger:
        """The ledger opened read-only (to read files' checks back; nothing is set up or written)."""
        ledger = cls.__new__(cls)
        ledger.root, ledger.run, ledger.received = root, 0, ""
        ledger.db = sqlite3.connect(f"{(root / 'ledger.sqlite').resolve().as_uri()}?mode=ro", uri=True)
        return ledger

    # ------------------------------------------------------------------ a run

    def start_run(self, inputs: Iterable[str], by: str = "") -> int:
        # Every file first seen in a run is received at the run's start: which of two files saved
        # at the same time counts must not depend on which second a worker finished it in.
        self.received = now()
        cur = self.db.execute("INSERT INTO runs (started, inputs, run_by) VALUES (?, ?, ?)",
                              (self.received, json.dumps(list(inputs), ensure_ascii=False), by))
        self.db.commit()
        self.run = int(cur.lastrowid or 0)
        return self.run

    def finish_run(self, files: int, new: int) -> None:
        self.db.execute("UPDATE runs SET finished = ?, files = ?, new = ? WHERE id = ?", (now(), files, new, self.run))
        self.db.commit()

    def mark_consolidated(self, kind: str, period: str) -> None:
        """Record that ``period`` was consolidated as a period of its own (by this run): a file
        recorded for a period that never was (a stray file of another quarter) makes no period."""
        self.db.execute("INSERT INTO consolidated VALUES (?,?,?,?)", (kind, period, self.run, now()))
        self.db.commit()

    def consolidated(self, kind: str) -> set[str]:
        """The periods consolidated as such (none in a ledger written before this was recorded)."""
        try:
            return {p for (p,) in self.db.execute("SELECT DISTINCT period FROM consolidated WHERE kind = ?", (kind,))}
        except sqlite3.OperationalError:  # a read-only ledger of an earlier version: no such table
            return set()

    def received_for(self, kind: str, period: str) -> list[tuple[str, str, str, str]]:
        """(sha256, source, sender, sent) of every file received by the runs that consolidated
        ``period``, other than the current run, in the order seen: what arrived for that period,
        whatever it turned out to be (a file of another period, one that could not be read)."""
        try:
            rows = self.db.execute(
                "SELECT s.sha256, s.source, s.sender, s.sent FROM sources s JOIN (SELECT DISTINCT run FROM consolidated "
                "WHERE kind = ? AND period = ?) c ON c.run = s.run WHERE s.run != ? ORDER BY s.seen_at, s.rowid", (kind, period, self.run))
            return [(sha, source or "", sender or "", sent or "") for sha, source, sender, sent in rows]
        except sqlite3.OperationalError:
            return []

    def known(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT sha256 FROM files")}

    def kinds(self) -> set[str]:
        """The kinds of file recorded (an archive belongs to the intake whose kinds they are)."""
        return {k for (k,) in self.db.execute("SELECT DISTINCT COALESCE(kind, 'self') FROM files")}

    def record(self, found: Entry, source: str, sender: str = "", sent: str = "", replies_to: Sequence[str] = ()) -> bool:
        """Record a checked file (once) and where it was seen; True when the file is new."""
        seen = self.received or now()
        cur = self.db.execute(_INSERT, (*astuple(found.record), seen, source))
        new = cur.rowcount == 1
        if new and found.appraisals:
            self.db.executemany("INSERT OR IGNORE INTO appraisals (sha256, criterion, unit, appraiser, inputs, reason, saved, follow_up) "
                                "VALUES (?,?,?,?,?,?,?,?)",
                                [(found.sha256, a.criterion, found.unit, a.appraiser, dumps(a.inputs), a.reason, a.saved or seen, a.follow_up)
                                 for a in found.appraisals])
        self.seen(found.sha256, source, sender, sent, seen, replies_to)
        return new

    def seen(self, sha256: str, source: str, sender: str = "", sent: str = "", when: str | None = None, replies_to: Sequence[str] = ()) -> None:
        """Where and how a file was received (a file already recorded may come again under another
        name); ``replies_to``: the ids of the messages its e-mail answers (In-Reply-To, References)."""
        self.db.execute("INSERT OR IGNORE INTO sources (sha256, source, seen_at, run, sender, sent, replies_to) VALUES (?,?,?,?,?,?,?)",
                        (sha256, source, when or now(), self.run, sender, sent, " ".join(replies_to)))

    def commit(self) -> None:
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ reading back

    def files(self, shas: Iterable[str]) -> dict[str, FileRow]:
        """Recorded files by SHA-256 (those not recorded are left out)."""
        wanted = list(shas)
        out: dict[str, FileRow] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for row in self.db.execute(f"SELECT {_ROW} FROM files f WHERE f.sha256 IN ({','.join('?' * len(chunk))})", chunk):
                out[row[0]] = _row(row)
        return out

    def period_files(self, period: str) -> list[str]:
        """Every file recorded for a period, in the order received."""
        return [sha for (sha,) in self.db.execute("SELECT sha256 FROM files WHERE period = ? ORDER BY received_at, sha256", (period,))]

    def unit_files(self, unit: str, period: str, kind: str) -> list[FileRow]:
        """A unit's files of one kind and period, oldest first (by the date they were sent)."""
        rows = self.db.execute(f"SELECT {_ROW} FROM files f WHERE f.unit = ? AND f.period = ? AND COALESCE(f.kind, 'self') = ?",
                               (unit, period, kind)).fetchall()
        return sorted((_row(r) for r in rows), key=lambda r: r.dated)

    def stored(self, sha256: str) -> Stored:
        """A recorded file read back whole (messages and hints made again from the codes)."""
        row = self.db.execute(f"SELECT {_ROW}, f.result, f.issues FROM files f WHERE f.sha256 = ?", (sha256,)).fetchone()
        if row is None:
            raise KeyError(sha256)
        found = _row(row)
        return Stored(found, loads(row[-2] or "{}"), issue_records(found.name, sha256, row[-1]))

    def issues_of(self, sha256: str) -> list[Issue]:
        """A file's issue records (not the rest of its check)."""
        row = self.db.execute("SELECT json_extract(result, '$.name'), source, issues FROM files WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            return []
        return issue_records(row[0] or file_name(row[1] or ""), sha256, row[2])

    def unit(self, sha256: str) -> str:
        row = self.db.execute("SELECT unit FROM files WHERE sha256 = ?", (sha256,)).fetchone()
        return (row[0] or "") if row else ""

    # ------------------------------------------------------------------ which file counts

    def current(self, period: str, kind: str) -> dict[str, str]:
        """Per unit, the file of ``kind`` that counts: the officer's choice if any (``choose``),
        else the accepted file with figures that the unit sent last (by its e-mail's date,
        else the time it was saved, else when it was received: ``FileRow.dated``). A file
        with no figures never counts: a blank file sent after a filled one does not replace it
        (docs/consolidate.md, what counts as a submission)."""
        rows = [_row(r) for r in self.db.execute(f"SELECT {_ROW} FROM files f WHERE f.accepted = 1 AND f.period = ? "
                                                  "AND COALESCE(f.kind, 'self') = ?", (period, kind))]
        best: dict[str, FileRow] = {}
        for row in rows:
            if row.filled and (row.unit not in best or row.dated > best[row.unit].dated):
                best[row.unit] = row
        current = {unit: row.sha256 for unit, row in best.items()}
        accepted = {row.sha256 for row in rows}
        for unit, choice in self.choices(period).items():
            if choice.sha256 in accepted:
                current[unit] = choice.sha256
        return current

    def several(self, period: str, kind: str) -> set[str]:
        """Units of which more than one accepted file with figures was received (those with versions to compare)."""
        return {u for (u,) in self.db.execute("SELECT unit FROM files WHERE accepted = 1 AND period = ? AND figures != 0 "
                                              "AND COALESCE(kind, 'self') = ? GROUP BY unit HAVING COUNT(*) > 1", (period, kind))}

    def blank_units(self, period: str, kind: str) -> set[str]:
        """Units of which an accepted file with no figures was received."""
        return {u for (u,) in self.db.execute("SELECT DISTINCT unit FROM files WHERE accepted = 1 AND period = ? AND figures = 0 "
                                              "AND COALESCE(kind, 'self') = ?", (period, kind))}

    def choose(self, period: str, unit: str, sha256: str, reason: str, by: str = "") -> None:
        """An officer's decision: this file is the one that counts for the unit (the latest decision wins)."""
        self.db.execute("INSERT INTO choices (period, unit, sha256, decided_at, reason, decided_by, after_run) VALUES (?,?,?,?,?,?,?)",
                        (period, unit, sha256, now(), reason, by, self.last_run()))
        self.db.commit()

    def unchoose(self, period: str, unit: str, reason: str = "", by: str = "") -> int:
        """Back to the rule: a decision of its own (the earlier ones stay on record); 1 when a
        choice was in force, else 0 (nothing is recorded)."""
        if unit not in self.choices(period):
            return 0
        self.choose(period, unit, "", reason, by)
        return 1

    def choices(self, period: str) -> dict[str, Choice]:
        """Per unit, the officer's latest choice in force (a unit whose latest decision went back to the rule has none)."""
        out: dict[str, Choice] = {}
        for choice in self.decisions(period):
            out[choice[0]] = choice[1]
        return {unit: c for unit, c in out.items() if c.sha256}

    def decisions(self, period: str) -> list[tuple[str, Choice]]:
        """Every choice recorded for the period, undos included, oldest first: (unit, choice)."""
        return [(unit, Choice(sha or "", when, reason or "", by or "", after or 0))
                for unit, sha, when, reason, by, after in self.db.execute(
                    "SELECT unit, sha256, decided_at, reason, COALESCE(decided_by, ''), after_run FROM choices WHERE period = ? ORDER BY rowid",
                    (period,))]

    def last_run(self) -> int:
        """The id of the latest run recorded (0: none)."""
        return int(self.db.execute("SELECT COALESCE(MAX(id), 0) FROM runs").fetchone()[0])

    # ------------------------------------------------------------------ messages sent

    def message(self, kind: str, period: str, unit: str, attachment: str) -> MessageRow | None:
        """The message of this kind and period already written to the unit with this file, if any."""
        row = self.db.execute(f"SELECT {_MESSAGE} FROM messages WHERE kind = ? AND period = ? AND unit = ? AND attachment = ?",
                              (kind, period, unit, attachment)).fetchone()
        return _message(row) if row else None

    def messages(self, kind: str | None = None, period: str | None = None) -> list[MessageRow]:
        """Every message recorded (of a kind and period, when given), oldest first."""
        rows = self.db.execute(f"SELECT {_MESSAGE} FROM messages WHERE (? IS NULL OR kind = ?) AND (? IS NULL OR period = ?) ORDER BY at, rowid",
                               (kind, kind, period, period)).fetchall()
        return [_message(r) for r in rows]

    def note_message(self, message: MessageRow) -> None:
        """Record a message, or what became of it (committed at once: a run cut short keeps every
        message it handed to the server)."""
        self.db.execute(f"INSERT OR REPLACE INTO messages ({_MESSAGE}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        (message.message_id, message.unit, message.period, message.kind, message.subject, dumps(list(message.recipients)),
                         message.attachment, message.attachment_name, message.state, message.reply, message.at or now()))
        self.db.commit()

    def answered(self, shas: Iterable[str]) -> dict[str, MessageRow]:
        """Per received file, the message of hue-dx its e-mail answers (its In-Reply-To or
        References name that message's id), for the files that came in such a reply."""
        wanted = list(shas)
        named: dict[str, list[str]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for sha, ids in self.db.execute(f"SELECT sha256, replies_to FROM sources WHERE replies_to != '' AND sha256 IN "
                                            f"({','.join('?' * len(chunk))}) ORDER BY seen_at", chunk):
                named.setdefault(sha, []).extend(ids.split())
        every = sorted({i for ids in named.values() for i in ids})
        known: dict[str, MessageRow] = {}
        for start in range(0, len(every), 500):
            chunk = every[start:start + 500]
            for row in self.db.execute(f"SELECT {_MESSAGE} FROM messages WHERE message_id IN ({','.join('?' * len(chunk))})", chunk):
                known[row[0]] = _message(row)
        # In-Reply-To comes first: the message answered directly, before those further up the thread
        return {sha: next(known[i] for i in ids if i in known) for sha, ids in named.items() if any(i in known for i in ids)}

    def addressed(self) -> set[str]:
        """Every address hue-dx has written to (the roster's, as they were when the messages were made), lower-cased."""
        return {a.casefold() for (r,) in self.db.execute("SELECT recipients FROM messages") for a in loads(r or "[]")}

    def appraisals(self, period: str) -> list[tuple]:
        """Every recorded appraisal of the period: (unit, criterion, appraiser, inputs, reason, saved, source, sha256, self_sha256)."""
        rows = self.db.execute(
            "SELECT a.unit, a.criterion, a.appraiser, a.inputs, a.reason, a.saved, f.source, a.sha256, f.result FROM appraisals a "
            "JOIN files f ON f.sha256 = a.sha256 WHERE f.accepted = 1 AND f.period = ?", (period,)).fetchall()
        return [(u, c, who, json.loads(inputs), reason, saved, source, sha, json.loads(body)["identity"].get("self_sha256", ""))
                for u, c, who, inputs, reason, saved, source, sha, body in rows]

    def follow_ups(self, period: str) -> list[FollowUp]:
        """Every criterion marked for follow-up in the period's appraisal workbooks, oldest first."""
        rows = self.db.execute(
            "SELECT a.unit, a.criterion, a.appraiser, a.follow_up, a.saved, a.sha256 FROM appraisals a JOIN files f ON f.sha256 = a.sha256 "
            "WHERE f.accepted = 1 AND f.period = ? AND COALESCE(a.follow_up, '') != '' ORDER BY a.saved, a.sha256, a.criterion", (period,))
        return [FollowUp(*r) for r in rows]

    def follow_ups_before(self, period: str) -> tuple[str, list[FollowUp]]:
        """The follow-ups of the latest period before ``period`` this ledger holds (a previous
        campaign's archive): (that period, its follow-ups); ("", []) when there is none."""
        periods = sorted({p for (p,) in self.db.execute("SELECT DISTINCT period FROM files WHERE period IS NOT NULL")} - {period})
        earlier = [p for p in periods if p < period] or periods
        return (earlier[-1], self.follow_ups(earlier[-1])) if earlier else ("", [])

    # ------------------------------------------------------------------ requests, approvals (append-only)

    def request(self, period: str, sent: Request) -> None:
        self.db.execute("INSERT INTO requests VALUES (?,?,?,?,?,?,?,?,?,?)", (period, sent.unit, sent.sha256, sent.issued_at, sent.deadline,
                                                                              sent.items, sent.follow_ups, sent.by, sent.letter, self.last_run()))

    def requests(self, period: str) -> list[Request]:
        """Every letter issued for the period, oldest first."""
        return [Request(*r) for r in self.db.execute(
            "SELECT unit, sha256, issued_at, deadline, items, follow_ups, issued_by, letter, COALESCE(after_run, 0) FROM requests "
            "WHERE period = ? ORDER BY rowid", (period,))]

    def approve(self, period: str, by: str, reason: str, snapshot: str, snapshot_sha256: str) -> Approval:
        """Record an approval (numbered within the period) with its frozen snapshot."""
        number = 1 + self.db.execute("SELECT COUNT(*) FROM approvals WHERE period = ?", (period,)).fetchone()[0]
        at, after = now(), self.last_run()
        self.db.execute("INSERT INTO approvals (period, number, approved_by, approved_at, reason, snapshot, snapshot_sha256, after_run) "
                        "VALUES (?,?,?,?,?,?,?,?)", (period, number, by, at, reason, snapshot, snapshot_sha256, after))
        return Approval(number, by, at, reason, snapshot_sha256, after)

    def approvals(self, period: str) -> list[Approval]:
        return [Approval(*r) for r in self.db.execute(
            "SELECT number, approved_by, approved_at, reason, snapshot_sha256, COALESCE(after_run, 0) FROM approvals WHERE period = ? "
            "ORDER BY number", (period,))]

    def snapshot(self, period: str, number: int) -> str:
        row = self.db.execute("SELECT snapshot FROM approvals WHERE period = ? AND number = ?", (period, number)).fetchone()
        if row is None:
            raise KeyError(number)
        return row[0]

    def reopen(self, period: str, approval: int, by: str, reason: str) -> Reopening:
        at, after = now(), self.last_run()
        self.db.execute("INSERT INTO reopenings VALUES (?,?,?,?,?,?)", (period, approval, by, at, reason, after))
        return Reopening(approval, by, at, reason, after)

    def reopenings(self, period: str) -> list[Reopening]:
        return [Reopening(*r) for r in self.db.execute(
            "SELECT approval, reopened_by, reopened_at, reason, COALESCE(after_run, 0) FROM reopenings WHERE period = ? ORDER BY rowid", (period,))]

    def standing(self, period: str) -> tuple[Approval | None, Reopening | None]:
        """The approval in force (None when there is none), and the reopening of the latest
        approval when it was reopened (then no approval is in force)."""
        approvals = self.approvals(period)
        if not approvals:
            return None, None
        latest = approvals[-1]
        reopened = next((r for r in reversed(self.reopenings(period)) if r.approval == latest.number), None)
        return (None, reopened) if reopened else (latest, None)

    def issued(self, period: str, doc: Issued) -> None:
        self.db.execute("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?)", (period, doc.approval, doc.what, doc.path, doc.sha256, doc.at, doc.by,
                                                                          self.last_run()))

    def documents(self, period: str) -> list[Issued]:
        return [Issued(*r) for r in self.db.execute(
            "SELECT approval, what, path, sha256, issued_at, issued_by, COALESCE(after_run, 0) FROM documents WHERE period = ? ORDER BY rowid",
            (period,))]

    def runs(self) -> list[tuple[int, str, str, list[str], int, int, str]]:
        """Every run: (id, started, finished, inputs, files, new, by)."""
        return [(r[0], r[1] or "", r[2] or "", json.loads(r[3] or "[]"), r[4] or 0, r[5] or 0, r[6] or "")
                for r in self.db.execute("SELECT id, started, finished, inputs, files, new, COALESCE(run_by, '') FROM runs ORDER BY id")]

    def received_in(self, period: str) -> list[tuple[int, str, str, str, str, str]]:
        """Every file of the period as first received: (run, seen at, source, SHA-256, unit, kind)."""
        return [tuple(r) for r in self.db.execute(  # type: ignore[misc]
            "SELECT s.run, s.seen_at, s.source, f.sha256, f.unit, COALESCE(f.kind, 'self') FROM files f JOIN sources s ON s.sha256 = f.sha256 "
            "AND s.source = f.source WHERE f.period = ? ORDER BY s.seen_at, s.run, f.sha256", (period,))]

    def appraisal_records(self, period: str) -> list[tuple[str, str, str, int, str, str, int]]:
        """Each appraisal workbook of the period: (unit, appraiser, saved, criteria, received at, source, run first received in)."""
        return [tuple(r) for r in self.db.execute(  # type: ignore[misc]
            "SELECT a.unit, a.appraiser, MAX(a.saved), COUNT(*), f.received_at, f.source, "
            "(SELECT COALESCE(MIN(s.run), 0) FROM sources s WHERE s.sha256 = a.sha256) FROM appraisals a JOIN files f ON f.sha256 = a.sha256 "
            "WHERE f.period = ? GROUP BY a.sha256 ORDER BY f.received_at, a.sha256", (period,))]


def _upgrade(db: sqlite3.Connection) -> None:
    """A ledger written by an earlier version: add the columns of this one (figures, senders)
    and, before version 2 (issues and scores in tables of their own), move each file's issues
    into its row; keep everything else (the scores are already in each row)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(files)")}
    for column, kind in (("kind", "TEXT DEFAULT 'self'"), ("errors", "INTEGER DEFAULT 0"), ("issues", "TEXT DEFAULT '[]'"),
                         ("figures", "INTEGER DEFAULT -1")):  # -1: recorded before figures were counted (counts as filled)
        if column not in columns:
            db.execute(f"ALTER TABLE files ADD COLUMN {column} {kind}")
    source_columns = {row[1] for row in db.execute("PRAGMA table_info(sources)")}
    for column in ("sender", "sent", "replies_to"):
        if column not in source_columns:
            db.execute(f"ALTER TABLE sources ADD COLUMN {column} TEXT DEFAULT ''")
    # version 4: every decision carries who made it (older ones: ''), appraisals a follow-up
    for table, column, kind in (("choices", "decided_by", "TEXT DEFAULT ''"), ("runs", "run_by", "TEXT DEFAULT ''"),
                                ("appraisals", "follow_up", "TEXT DEFAULT ''"), ("choices", "after_run", "INTEGER DEFAULT 0")):
        present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if present and column not in present:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "issues" in tables:
        for (sha,) in db.execute("SELECT sha256 FROM files").fetchall():
            rows = db.execute("SELECT code, unit, sheet, cell, criterion, value, severity FROM issues WHERE sha256 = ? ORDER BY seq",
                              (sha,)).fetchall()
            db.execute("UPDATE files SET issues = ?, errors = ? WHERE sha256 = ?",
                       (dumps([[*r[:6], ""] for r in rows]), sum(1 for r in rows if r[6] == "error"), sha))
        db.execute("DROP TABLE issues")
    if "scores" in tables:
        db.execute("DROP TABLE scores")
    db.commit()
