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
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..issues import Issue
from .check import FileResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    sha256 TEXT PRIMARY KEY, size INTEGER, received_at TEXT, source TEXT, accepted INTEGER,
    unit TEXT, period TEXT, catalog TEXT, level TEXT, generation_id TEXT, modified TEXT,
    total REAL, max REAL, idx REAL, result TEXT);
CREATE TABLE IF NOT EXISTS sources (
    sha256 TEXT, source TEXT, seen_at TEXT, run INTEGER, PRIMARY KEY (sha256, source));
CREATE TABLE IF NOT EXISTS issues (
    sha256 TEXT, seq INTEGER, code TEXT, severity TEXT, unit TEXT, sheet TEXT, cell TEXT, criterion TEXT,
    value TEXT, message TEXT, hint TEXT, PRIMARY KEY (sha256, seq));
CREATE TABLE IF NOT EXISTS scores (
    sha256 TEXT, code TEXT, score REAL, max REAL, status TEXT, PRIMARY KEY (sha256, code));
CREATE TABLE IF NOT EXISTS appraisals (
    sha256 TEXT, criterion TEXT, unit TEXT, appraiser TEXT, inputs TEXT, reason TEXT, saved TEXT, PRIMARY KEY (sha256, criterion));
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, started TEXT, finished TEXT, inputs TEXT, files INTEGER, new INTEGER);
CREATE INDEX IF NOT EXISTS files_unit ON files (period, unit);
"""


def now() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


def archive_path(root: Path, sha256: str, suffix: str = ".xlsx") -> Path:
    return root / "files" / sha256[:2] / f"{sha256}{suffix}"


def archive(root: Path, sha256: str, data: bytes, suffix: str) -> Path:
    """Keep the received bytes unchanged; written once, atomically."""
    path = archive_path(root, sha256, suffix)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    return path


class Ledger:
    def __init__(self, root: Path):
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.db = sqlite3.connect(root / "ledger.sqlite")
        self.db.executescript(SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(files)")}
        if "kind" not in columns:  # ledgers written before appraisals existed
            self.db.execute("ALTER TABLE files ADD COLUMN kind TEXT DEFAULT 'self'")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.run = 0

    def start_run(self, inputs: Iterable[str]) -> int:
        cur = self.db.execute("INSERT INTO runs (started, inputs) VALUES (?, ?)", (now(), json.dumps(list(inputs), ensure_ascii=False)))
        self.db.commit()
        self.run = int(cur.lastrowid or 0)
        return self.run

    def finish_run(self, files: int, new: int) -> None:
        self.db.execute("UPDATE runs SET finished = ?, files = ?, new = ? WHERE id = ?", (now(), files, new, self.run))
        self.db.commit()

    def known(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT sha256 FROM files")}

    def record(self, result: FileResult, source: str) -> bool:
        """Record a checked file (once) and where it was seen; True when the file is new."""
        seen = now()
        new = self.db.execute("SELECT 1 FROM files WHERE sha256 = ?", (result.sha256,)).fetchone() is None
        if new:
            body = {"identity": result.identity, "criteria": result.criteria, "pillars": result.pillars, "total": result.total,
                    "inputs": result.inputs, "name": result.name, "scored_inputs": result.scored_inputs, "kind": result.kind,
                    "appraiser": result.appraiser, "appraisal": result.appraisal, "typed": result.typed, "evidence": result.evidence,
                    "contacts": result.contacts}
            self.db.execute(
                "INSERT INTO files (sha256, size, received_at, source, accepted, unit, period, catalog, level, generation_id, modified, "
                "total, max, idx, result, kind) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (result.sha256, result.size, seen, source, int(result.accepted), result.unit, result.identity.get("period"),
                 result.identity.get("catalog_id"), result.level, result.identity.get("generation_id"), result.modified,
                 result.total[0], result.total[1], result.total[2], json.dumps(body, ensure_ascii=False, default=str), result.kind))
            self.db.executemany("INSERT INTO appraisals VALUES (?,?,?,?,?,?,?)",
                                [(result.sha256, code, result.unit, result.appraiser, json.dumps(item["inputs"], ensure_ascii=False, default=str),
                                  item["reason"], result.modified or seen) for code, item in result.appraisal.items()])
            self.db.executemany("INSERT INTO issues VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                                [(result.sha256, n, i.code, i.severity, i.unit, i.sheet, i.cell, i.criterion, i.value, i.message, i.hint)
                                 for n, i in enumerate(result.issues)])
            self.db.executemany("INSERT INTO scores VALUES (?,?,?,?,?)",
                                [(result.sha256, code, points, amax, status) for code, points, status, _, amax in result.criteria])
        self.db.execute("INSERT OR IGNORE INTO sources VALUES (?,?,?,?)", (result.sha256, source, seen, self.run))
        return new

    def commit(self) -> None:
        self.db.commit()

    def load(self, sha256: str) -> FileResult:
        row = self.db.execute("SELECT sha256, size, accepted, unit, level, modified, result, source FROM files WHERE sha256 = ?",
                              (sha256,)).fetchone()
        body = json.loads(row[6])
        result = FileResult(body.get("name") or row[7], row[0], row[1], bool(row[2]), row[3] or "", row[4] or "", body["identity"], row[5],
                            [tuple(c) for c in body["criteria"]], [tuple(p) for p in body["pillars"]], tuple(body["total"]),  # type: ignore[arg-type]
                            body["inputs"])
        result.scored_inputs = body.get("scored_inputs", {})
        result.kind, result.appraiser, result.appraisal = body.get("kind", "self"), body.get("appraiser", ""), body.get("appraisal", {})
        result.typed, result.evidence, result.contacts = body.get("typed", {}), body.get("evidence", {}), body.get("contacts", {})
        result.issues = [Issue(code, severity, message, hint, result.name, unit, sheet, cell, criterion, value)
                         for code, severity, unit, sheet, cell, criterion, value, message, hint in self.db.execute(
                             "SELECT code, severity, unit, sheet, cell, criterion, value, message, hint FROM issues "
                             "WHERE sha256 = ? ORDER BY seq", (sha256,))]
        return result

    def current(self, period: str) -> dict[str, str]:
        """Per unit, the file that counts: the accepted file saved last (its own 'modified'
        time, else when it was received); the others of the unit are superseded."""
        rows = self.db.execute(
            "SELECT unit, sha256, COALESCE(modified, received_at), received_at FROM files "
            "WHERE accepted = 1 AND period = ? AND COALESCE(kind, 'self') = 'self'",
            (period,)).fetchall()
        best: dict[str, tuple[str, str, str]] = {}
        for unit, sha, saved, received in rows:
            key = (saved or "", received or "", sha)
            if unit not in best or key > best[unit]:
                best[unit] = key
        return {unit: key[2] for unit, key in best.items()}

    def appraisals(self, period: str) -> list[tuple]:
        """Every recorded appraisal of the period: (unit, criterion, appraiser, inputs, reason, saved, source, sha256, self_sha256)."""
        rows = self.db.execute(
            "SELECT a.unit, a.criterion, a.appraiser, a.inputs, a.reason, a.saved, f.source, a.sha256, f.result FROM appraisals a "
            "JOIN files f ON f.sha256 = a.sha256 WHERE f.accepted = 1 AND f.period = ?", (period,)).fetchall()
        return [(u, c, who, json.loads(inputs), reason, saved, source, sha, json.loads(body)["identity"].get("self_sha256", ""))
                for u, c, who, inputs, reason, saved, source, sha, body in rows]

    def files(self, period: str | None = None) -> list[tuple]:
        query = ("SELECT f.sha256, f.source, f.received_at, f.accepted, f.unit, f.modified, f.idx, "
                 "(SELECT COUNT(*) FROM issues i WHERE i.sha256 = f.sha256 AND i.severity = 'error'), "
                 "(SELECT COUNT(*) FROM sources s WHERE s.sha256 = f.sha256) FROM files f")
        rows = self.db.execute(query + " ORDER BY f.received_at, f.source").fetchall()
        return [r for r in rows if period is None or r[3] == 0 or self._period(r[0]) == period]

    def _period(self, sha256: str) -> str | None:
        row = self.db.execute("SELECT period FROM files WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self.db.close()
