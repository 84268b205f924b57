"""The ledger: a checked file comes back from it as it went in; the issues and scores views
answer SQL as tables did; a ledger written by an earlier version is upgraded without losing
a record; the archive keeps the bytes unchanged."""

from __future__ import annotations

import hashlib
import json
import sqlite3

from hue_dx.intake.check import FileResult
from hue_dx.intake.ledger import Ledger, archive, archive_path
from hue_dx.issues import issue


def _result() -> FileResult:
    r = FileResult("SYT.xlsx", "ab" * 32, 1234, accepted=True, unit="SYT", level="so",
                   identity={"period": "2020", "catalog_id": "hue-222-2020", "unit_code": "SYT"}, modified="2020-12-01T08:00:00Z")
    r.criteria = [("1.1.1", 1.0, "ok", "đạt", 5.0), ("1.1.2", None, "missing", "thiếu số liệu: a", 5.0)]
    r.pillars = [("1", 1.0, 10.0, 0.1)]
    r.total = (1.0, 10.0, 0.1)
    r.inputs = {"1.1.1": {"a": 12.5}}
    r.scored_inputs = {"1.1.1": {"a": 12.5}, "1.1.2": {"a": None}}
    r.typed = {"1.1.1": {"a": "12,5"}, "1.1.2": {"a": None}}  # typed as text in 1.1.1, read as 12.5
    r.evidence = {"1.1.1": ["CV 12", "", "", ""], "1.1.2": ["", "", "", ""]}
    r.contacts = {"unit_head": "Nguyễn Văn A"}
    r.issues = [issue("input-text-number", file=r.name, unit="SYT", sheet="1. Nhận thức", cell="D7", criterion="1.1.1",
                      value="12,5", read="12,5", sha=r.sha256),
                issue("input-missing", file=r.name, unit="SYT", sheet="1. Nhận thức", cell="D9", criterion="1.1.2", value="a (Số văn bản)", sha=r.sha256)]
    return r


def test_a_checked_file_comes_back_as_it_went_in(tmp_path):
    ledger = Ledger(tmp_path)
    original = _result()
    assert ledger.record(original.entry(), "thu/SYT.xlsx") is True
    assert ledger.record(original.entry(), "thu/SYT (1).xlsx") is False  # recorded once, seen twice
    ledger.commit()
    back = FileResult.from_stored(ledger.stored(original.sha256))
    for field in ("name", "sha256", "size", "accepted", "unit", "level", "identity", "modified", "inputs", "scored_inputs",
                  "typed", "contacts", "issues", "kind", "figures"):
        assert getattr(back, field) == getattr(original, field), field
    assert back.criteria == original.criteria and back.pillars == original.pillars and back.total == original.total
    assert back.evidence == {"1.1.1": ["CV 12", "", "", ""]}  # criteria without evidence are not stored
    db = sqlite3.connect(tmp_path / "ledger.sqlite")
    assert db.execute("SELECT code, severity, cell, value, read FROM issues ORDER BY seq").fetchall() == [
        ("input-text-number", "error", "D7", "12,5", "12,5"), ("input-missing", "error", "D9", "a (Số văn bản)", "")]
    assert db.execute("SELECT code, score, max, status FROM scores ORDER BY code").fetchall() == [
        ("1.1.1", 1.0, 5.0, "ok"), ("1.1.2", None, 5.0, "missing")]
    assert db.execute("SELECT errors FROM files").fetchone() == (2,)
    assert db.execute("SELECT COUNT(*) FROM sources").fetchone() == (2,)
    ledger.close()


def test_a_ledger_of_the_earlier_layout_is_upgraded_without_losing_a_record(tmp_path):
    db = sqlite3.connect(tmp_path / "ledger.sqlite")
    db.executescript("""
        CREATE TABLE files (sha256 TEXT PRIMARY KEY, size INTEGER, received_at TEXT, source TEXT, accepted INTEGER,
            unit TEXT, period TEXT, catalog TEXT, level TEXT, generation_id TEXT, modified TEXT,
            total REAL, max REAL, idx REAL, result TEXT);
        CREATE TABLE sources (sha256 TEXT, source TEXT, seen_at TEXT, run INTEGER, PRIMARY KEY (sha256, source));
        CREATE TABLE issues (sha256 TEXT, seq INTEGER, code TEXT, severity TEXT, unit TEXT, sheet TEXT, cell TEXT, criterion TEXT,
            value TEXT, message TEXT, hint TEXT, PRIMARY KEY (sha256, seq));
        CREATE TABLE scores (sha256 TEXT, code TEXT, score REAL, max REAL, status TEXT, PRIMARY KEY (sha256, code));
        CREATE TABLE runs (id INTEGER PRIMARY KEY, started TEXT, finished TEXT, inputs TEXT, files INTEGER, new INTEGER);
    """)
    body = {"identity": {"period": "2020"}, "criteria": [["1.1.1", 2.0, "ok", "đạt", 5.0]], "pillars": [], "total": [2.0, 5.0, 0.4],
            "inputs": {}, "name": "A.xlsx", "typed": {"1.1.1": {"a": 3.0}}, "evidence": {}}
    db.execute("INSERT INTO files VALUES ('s1', 10, 't', 'A.xlsx', 1, 'SYT', '2020', 'c', 'so', 'g', NULL, 2, 5, 0.4, ?)",
               (json.dumps(body),))
    db.executemany("INSERT INTO issues VALUES ('s1', ?, ?, ?, 'SYT', 'S', ?, '1.1.1', ?, 'm', 'h')",
                   [(0, "input-negative", "error", "D7", "-3"), (1, "file-late", "warning", "", "02/01/2021")])
    db.execute("INSERT INTO scores VALUES ('s1', '1.1.1', 2.0, 5.0, 'ok')")
    db.commit()
    db.close()

    ledger = Ledger(tmp_path)
    back = FileResult.from_stored(ledger.stored("s1"))
    assert [(i.code, i.severity, i.cell, i.value) for i in back.issues] == [("input-negative", "error", "D7", "-3"),
                                                                           ("file-late", "warning", "", "02/01/2021")]
    assert back.typed == {"1.1.1": {"a": 3.0}}
    view = sqlite3.connect(tmp_path / "ledger.sqlite")
    assert view.execute("SELECT code, score FROM scores").fetchall() == [("1.1.1", 2.0)]
    assert view.execute("SELECT errors FROM files").fetchone() == (1,)
    assert view.execute("SELECT type FROM sqlite_master WHERE name = 'issues'").fetchone() == ("view",)
    ledger.close()


def test_the_archive_keeps_the_bytes_once_and_leaves_no_temporary_file(tmp_path):
    data = b"PK\x03\x04 received bytes" * 100
    sha = hashlib.sha256(data).hexdigest()
    path = archive(tmp_path, sha, data, ".xlsx")
    assert path == archive_path(tmp_path, sha) and path.read_bytes() == data
    assert archive(tmp_path, sha, data, ".xlsx").read_bytes() == data  # written once
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]  # no temporary file left behind
