"""The memory of the consolidator: every file ever received, archived unchanged by its SHA-256,
and recorded in an SQLite ledger with when and where it came from, its identity, checks and
scores. A file is recorded once (re-running changes nothing); a corrected file of the same
unit and period supersedes the earlier one, and both stay listed.

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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..issues import TYPES, Issue, issue
from .check import FileResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    sha256 TEXT PRIMARY KEY, size INTEGER, received_at TEXT, source TEXT, accepted INTEGER,
    unit TEXT, period TEXT, catalog TEXT, level TEXT, generation_id TEXT, modified TEXT,
    total REAL, max REAL, idx REAL, result TEXT, kind TEXT DEFAULT 'self', errors INTEGER DEFAULT 0, issues TEXT DEFAULT '[]',
    figures INTEGER DEFAULT -1);
CREATE TABLE IF NOT EXISTS sources (
    sha256 TEXT, source TEXT, seen_at TEXT, run INTEGER, sender TEXT DEFAULT '', sent TEXT DEFAULT '', PRIMARY KEY (sha256, source));
CREATE TABLE IF NOT EXISTS choices (
    period TEXT, unit TEXT, sha256 TEXT, decided_at TEXT, reason TEXT);
CREATE TABLE IF NOT EXISTS appraisals (
    sha256 TEXT, criterion TEXT, unit TEXT, appraiser TEXT, inputs TEXT, reason TEXT, saved TEXT, PRIMARY KEY (sha256, criterion));
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, started TEXT, finished TEXT, inputs TEXT, files INTEGER, new INTEGER);
CREATE TABLE IF NOT EXISTS issue_types (code TEXT PRIMARY KEY, severity TEXT, title TEXT, message TEXT, hint TEXT);
CREATE INDEX IF NOT EXISTS files_unit ON files (period, unit);
"""

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
VERSION = 3  # PRAGMA user_version; 0/1: issues and scores were tables of their own; 2: no figures, senders, choices


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


@dataclass(frozen=True)
class Entry:
    """A checked file ready to be recorded: made in the worker process that checked it (the
    JSON is written there, in parallel), recorded by the one process that owns the ledger."""

    sha256: str
    unit: str
    row: tuple  # the files row, received_at and source excepted
    appraisals: tuple[tuple, ...]


def entry(result: FileResult) -> Entry:
    # Kept small (thousands of files): inputs as typed only where they differ from the values
    # scored, evidence only where some was given.
    typed_changes = {}
    for code, typed in result.typed.items():
        scored = result.scored_inputs.get(code, {})
        changed = {k: v for k, v in typed.items() if k not in scored or type(scored[k]) is not type(v) or scored[k] != v}
        if changed:
            typed_changes[code] = changed
    body = {"identity": result.identity, "criteria": result.criteria, "pillars": result.pillars, "total": result.total,
            "inputs": result.inputs, "name": result.name, "scored_inputs": result.scored_inputs, "kind": result.kind,
            "appraiser": result.appraiser, "appraisal": result.appraisal, "typed_changes": typed_changes,
            "details": bool(result.typed), "evidence": {code: texts for code, texts in result.evidence.items() if any(texts)},
            "contacts": result.contacts}
    issues = [[i.code, i.unit, i.sheet, i.cell, i.criterion, i.value, i.read] for i in result.issues]
    row = (result.sha256, result.size, int(result.accepted), result.unit, result.identity.get("period"),
           result.identity.get("catalog_id"), result.level, result.identity.get("generation_id"), result.modified,
           result.total[0], result.total[1], result.total[2], dumps(body), result.kind, result.errors, dumps(issues), result.figures)
    appraisals = tuple((result.sha256, code, result.unit, result.appraiser, dumps(item["inputs"]), item["reason"], result.modified)
                       for code, item in result.appraisal.items())
    return Entry(result.sha256, result.unit, row, appraisals)


try:  # orjson writes these records about ten times faster than json; json is the fallback
    import orjson

    def dumps(value: object) -> str:
        return orjson.dumps(value, default=str).decode("utf-8")

    loads = orjson.loads
except ImportError:  # pragma: no cover - orjson is a dependency of the consolidator
    def dumps(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)

    loads = json.loads  # type: ignore[assignment]


class Ledger:
    # The kind of file that can count for a unit (``current``): the assessment's self-assessment;
    # quarterly tracking keeps its workbooks in the same schema under its own kind.
    counted_kind = "self"

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
        self.db.executescript(SCHEMA + VIEWS)
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

    def issues_of(self, sha256: str) -> list[Issue]:
        """A file's issue records (not the rest of its check)."""
        row = self.db.execute("SELECT json_extract(result, '$.name'), source, issues FROM files WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            return []
        return issue_records(row[0] or row[1], sha256, row[2])

    def start_run(self, inputs: Iterable[str]) -> int:
        # Every file first seen in a run is received at the run's start: which of two files saved
        # at the same time counts must not depend on which second a worker finished it in.
        self.received = now()
        cur = self.db.execute("INSERT INTO runs (started, inputs) VALUES (?, ?)", (self.received, json.dumps(list(inputs), ensure_ascii=False)))
        self.db.commit()
        self.run = int(cur.lastrowid or 0)
        return self.run

    def finish_run(self, files: int, new: int) -> None:
        self.db.execute("UPDATE runs SET finished = ?, files = ?, new = ? WHERE id = ?", (now(), files, new, self.run))
        self.db.commit()

    def known(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT sha256 FROM files")}

    def record(self, found: Entry, source: str, sender: str = "", sent: str = "") -> bool:
        """Record a checked file (once) and where it was seen; True when the file is new."""
        seen = self.received or now()
        cur = self.db.execute(
            "INSERT OR IGNORE INTO files (sha256, size, accepted, unit, period, catalog, level, generation_id, modified, "
            "total, max, idx, result, kind, errors, issues, figures, received_at, source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (*found.row, seen, source))
        new = cur.rowcount == 1
        if new and found.appraisals:
            self.db.executemany("INSERT OR IGNORE INTO appraisals VALUES (?,?,?,?,?,?,?)",
                                [(*a[:6], a[6] or seen) for a in found.appraisals])
        self.seen(found.sha256, source, sender, sent, seen)
        return new

    def seen(self, sha256: str, source: str, sender: str = "", sent: str = "", when: str | None = None) -> None:
        """Where and how a file was received (a file already recorded may come again under another name)."""
        self.db.execute("INSERT OR IGNORE INTO sources (sha256, source, seen_at, run, sender, sent) VALUES (?,?,?,?,?,?)",
                        (sha256, source, when or now(), self.run, sender, sent))

    def first_sent(self, sha256: str) -> str:
        """The earliest e-mail date the file came with ("" when it never came by e-mail)."""
        row = self.db.execute("SELECT MIN(sent) FROM sources WHERE sha256 = ? AND sent != ''", (sha256,)).fetchone()
        return row[0] or "" if row else ""

    def choose(self, period: str, unit: str, sha256: str, reason: str) -> None:
        """An officer's decision: this file is the one that counts for the unit (the latest decision wins)."""
        self.db.execute("INSERT INTO choices VALUES (?,?,?,?,?)", (period, unit, sha256, now(), reason))
        self.db.commit()

    def unchoose(self, period: str, unit: str) -> int:
        cur = self.db.execute("DELETE FROM choices WHERE period = ? AND unit = ?", (period, unit))
        self.db.commit()
        return cur.rowcount

    def choices(self, period: str) -> dict[str, tuple[str, str, str]]:
        """Per unit, the officer's latest choice: (sha256, when, reason)."""
        out: dict[str, tuple[str, str, str]] = {}
        for unit, sha, when, reason in self.db.execute(
                "SELECT unit, sha256, decided_at, reason FROM choices WHERE period = ? ORDER BY rowid", (period,)):
            out[unit] = (sha, when, reason)
        return out

    def unit_files(self, unit: str, period: str) -> list[tuple[str, str, int, str, int]]:
        """A unit's self-assessment files: sha256, first source, accepted, modified, figures."""
        return self.db.execute("SELECT sha256, source, accepted, COALESCE(modified, received_at), figures FROM files "
                               "WHERE unit = ? AND period = ? AND COALESCE(kind, 'self') = 'self' ORDER BY 4",
                               (unit, period)).fetchall()

    def unit(self, sha256: str) -> str:
        row = self.db.execute("SELECT unit FROM files WHERE sha256 = ?", (sha256,)).fetchone()
        return (row[0] or "") if row else ""

    def commit(self) -> None:
        self.db.commit()

    def load(self, sha256: str) -> FileResult:
        row = self.db.execute("SELECT sha256, size, accepted, unit, level, modified, result, source, issues FROM files WHERE sha256 = ?",
                              (sha256,)).fetchone()
        body = loads(row[6])
        result = FileResult(body.get("name") or row[7], row[0], row[1], bool(row[2]), row[3] or "", row[4] or "", body["identity"], row[5],
                            [tuple(c) for c in body["criteria"]], [tuple(p) for p in body["pillars"]], tuple(body["total"]),  # type: ignore[arg-type]
                            body["inputs"])
        result.scored_inputs = body.get("scored_inputs", {})
        result.kind, result.appraiser, result.appraisal = body.get("kind", "self"), body.get("appraiser", ""), body.get("appraisal", {})
        result.evidence, result.contacts = body.get("evidence", {}), body.get("contacts", {})
        if "typed_changes" in body:  # ledger version 2 and later
            if body.get("details"):
                changes = body["typed_changes"]
                result.typed = {code: {**values, **changes.get(code, {})} for code, values in result.scored_inputs.items()}
        else:
            result.typed = body.get("typed", {})
        # messages and hints are made again from the codes (docs/issues.md), as when first found
        result.issues = issue_records(result.name, row[0], row[8])
        return result

    def current(self, period: str) -> dict[str, str]:
        """Per unit, the file that counts: the officer's choice if any (``choose``), else the
        accepted self-assessment with figures saved last (its own 'modified' time, else when
        it was received). A file with no figures never counts: a blank file sent after a
        filled one does not replace it (see docs/consolidate.md, what counts as a submission)."""
        rows = self.db.execute(
            "SELECT unit, sha256, COALESCE(modified, received_at), received_at FROM files "
            "WHERE accepted = 1 AND period = ? AND COALESCE(kind, 'self') = ? AND figures != 0",
            (period, self.counted_kind)).fetchall()
        best: dict[str, tuple[str, str, str]] = {}
        for unit, sha, saved, received in rows:
            key = (saved or "", received or "", sha)
            if unit not in best or key > best[unit]:
                best[unit] = key
        current = {unit: key[2] for unit, key in best.items()}
        accepted = {sha for (sha,) in self.db.execute(
            "SELECT sha256 FROM files WHERE accepted = 1 AND period = ? AND COALESCE(kind, 'self') = ?", (period, self.counted_kind))}
        for unit, (sha, _, _) in self.choices(period).items():
            if sha in accepted:
                current[unit] = sha
        return current

    def appraisals(self, period: str) -> list[tuple]:
        """Every recorded appraisal of the period: (unit, criterion, appraiser, inputs, reason, saved, source, sha256, self_sha256)."""
        rows = self.db.execute(
            "SELECT a.unit, a.criterion, a.appraiser, a.inputs, a.reason, a.saved, f.source, a.sha256, f.result FROM appraisals a "
            "JOIN files f ON f.sha256 = a.sha256 WHERE f.accepted = 1 AND f.period = ?", (period,)).fetchall()
        return [(u, c, who, json.loads(inputs), reason, saved, source, sha, json.loads(body)["identity"].get("self_sha256", ""))
                for u, c, who, inputs, reason, saved, source, sha, body in rows]

    def files(self, shas: Iterable[str]) -> dict[str, tuple]:
        """Recorded files by sha256: received_at, accepted, unit, modified, index, errors, kind, appraiser, size, figures."""
        wanted = list(shas)
        out: dict[str, tuple] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for row in self.db.execute(
                    "SELECT sha256, received_at, accepted, unit, modified, idx, errors, COALESCE(kind, 'self'), "
                    f"json_extract(result, '$.appraiser'), size, figures FROM files WHERE sha256 IN ({','.join('?' * len(chunk))})", chunk):
                out[row[0]] = row[1:]
        return out

    def close(self) -> None:
        self.db.close()


def issue_records(name: str, sha256: str, stored: str | None) -> list[Issue]:
    """Issue records as stored (codes and places); messages and hints are made again from the
    codes (docs/issues.md), as when first found."""
    return [issue(code, file=name, unit=unit, sheet=sheet, cell=cell, criterion=criterion, value=value, read=read, sha=sha256)
            if code in TYPES else Issue(code, "warning", code, "", name, unit, sheet, cell, criterion, value, read, sha256[:12])
            for code, unit, sheet, cell, criterion, value, read in loads(stored or "[]")]


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
    for column in ("sender", "sent"):
        if column not in source_columns:
            db.execute(f"ALTER TABLE sources ADD COLUMN {column} TEXT DEFAULT ''")
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
