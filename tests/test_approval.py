"""Issue 23: a ranking the Chairman signs stays what he signed. Approval and locking (the approved
documents come out byte for byte after a later correction, until a recorded reopening), every
decision on record with a name (append-only ledger, upgraded in place), units' states, versions
compared, follow-ups carried into the next letter and the next year's appraisal workbook."""

from __future__ import annotations

import io
import json
import sqlite3
import time
import zipfile
from pathlib import Path

import corpus
import pytest
from openpyxl import load_workbook

import hue_dx
from hue_dx import campaign as campaign_mod
from hue_dx import cli
from hue_dx.demo import unit_inputs
from hue_dx.generate import generate
from hue_dx.intake import approval, states
from hue_dx.intake.consolidate import consolidate
from hue_dx.intake.ledger import VERSION, Ledger
from hue_dx.scoring import score_unit
from hue_dx.workbook import appraisal_book as book
from hue_dx.workbook.fill import cell_named, fill, set_saved_time

UNITS = ("STTTT", "SYT", "SNV", "HALUOI")  # distinct units, each its own figures
BY_OFFICER, BY_LEADER = "Trần Thị Bình", "Nguyễn Văn An"


def _recipe(tmp: Path, period: str = "2020") -> Path:
    path = corpus.late_recipe(tmp)
    if period != "2020":
        text = path.read_text(encoding="utf-8").replace('period = "2020"', f'period = "{period}"')
        path = tmp / f"campaign-{period}.toml"
        path.write_text(text, encoding="utf-8")
    return path


def _evidence(codes) -> dict:
    return {code: {"number": f"{n + 10}/QĐ-UBND", "date": "15/03/2020", "title": "Văn bản làm căn cứ"} for n, code in enumerate(codes)}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("approval")
    recipe = _recipe(tmp)
    catalog = hue_dx.load_catalog()
    campaign = campaign_mod.load(recipe)
    generate(catalog, campaign, tmp / "blank", [campaign.unit(u) for u in UNITS])
    blank = {u: next((tmp / "blank").glob(f"2020_{u}_*.xlsx")).read_bytes() for u in UNITS}
    inputs = {u: unit_inputs(catalog, u, campaign.unit(u).level) for u in UNITS}
    first = tmp / "dot-1"
    first.mkdir()
    for u in UNITS:
        (first / f"{u}.xlsx").write_bytes(set_saved_time(fill(blank[u], inputs[u], evidence=_evidence(list(inputs[u])[:20])),
                                                         "2025-12-01T08:00:00Z"))
    return tmp, recipe, catalog, campaign, blank, inputs, first


def _corrected(world, name: str, saved: str):
    """Sở Y tế's correction: a yes/no criterion flipped, one count changed, evidence moved."""
    tmp, recipe, catalog, campaign, blank, inputs, first = world
    new = {k: dict(v) for k, v in inputs["SYT"].items()}
    flipped = next(c.code for c in catalog.criteria if c.kind == "yes_no" and c.code in new)
    new[flipped] = {"a": "Không" if new[flipped].get("a") == "Có" else "Có"}
    counted = next(c for c in catalog.criteria if c.kind == "proportional" and c.code in new and len(c.inputs) == 2
                   and isinstance(new[c.code].get(c.inputs[0].key), int) and new[c.code][c.inputs[0].key] > 4)
    den = counted.params["den"][0]
    num = next(i.key for i in counted.inputs if i.key != den)
    new[counted.code] = {den: new[counted.code][den], num: new[counted.code][den] // 2}
    codes = list(inputs["SYT"])[:20]
    proof = _evidence([c for c in codes if c != codes[0]] + [list(inputs["SYT"])[25]])  # one removed, one added
    folder = tmp / name
    folder.mkdir()
    (folder / "SYT da sua.xlsx").write_bytes(set_saved_time(fill(blank["SYT"], new, evidence=proof), saved))
    return folder, new, flipped, counted.code, codes[0], list(inputs["SYT"])[25]


def _main(capsys, *argv) -> tuple[int, str]:
    code = cli.main([str(a) for a in argv])
    return code, capsys.readouterr().out


def test_approve_lock_receive_after_reopen_each_step_on_record(world, tmp_path, capsys):
    """The acceptance scenario: consolidate, approve, receive a later correction, consolidate and
    report again: the approved ranking workbook, JSON and report are what they were, byte for byte,
    the correction listed as received after the approval; reopen: the new figures count; the
    history shows each step with its name."""
    _, recipe, catalog, campaign, *_, first = world
    archive, out = tmp_path / "kho", tmp_path / "ra"
    common = ["--archive", archive, "--recipe", recipe]
    code, _ = _main(capsys, "consolidate", first, "-o", out / "r0.xlsx", "--json", out / "r0.json", *common, "--workers", "1", "--by", BY_OFFICER)
    before = json.loads((out / "r0.json").read_text(encoding="utf-8"))
    assert before["approval"] is None and "KHÔNG phải bản đã duyệt" in before["standing"]
    assert {s["unit"]: s["state"] for s in before["states"]}["SYT"] == states.RECEIVED

    code, said = _main(capsys, "approve", *common, "--by", BY_LEADER, "--reason", "Chủ tịch UBND tỉnh ký", "--out", out / "duyet")
    assert code == 0 and "bản số 1" in said
    approved = {p.name: p.read_bytes() for p in (out / "duyet").iterdir() if p.is_file()}
    issued = json.loads(approved["xep-hang-2020.json"])
    assert issued["approval"]["by"] == BY_LEADER and issued["approval"]["number"] == 1 and len(issued["approval"]["snapshot_sha256"]) == 64
    assert {s["unit"]: s["state"] for s in issued["states"]}["SYT"] == states.APPROVED
    # the workbook carries the approval's time, not the moment it was written
    core = zipfile.ZipFile(io.BytesIO(approved["xep-hang-2020.xlsx"])).read("docProps/core.xml").decode()
    ledger = Ledger.reader(archive)
    at = ledger.approvals("2020")[0].at
    ledger.close()
    assert f"<dcterms:created xsi:type=\"dcterms:W3CDTF\">{_utc(at)}</dcterms:created>" in core

    time.sleep(1.1)  # a later second: nothing written after this may carry the time it was written
    later, *_ = _corrected(world, "dot-2", "2025-12-20T08:00:00Z")
    code, said = _main(capsys, "consolidate", later, "-o", out / "r1.xlsx", "--json", out / "r1.json", "--csv", out / "csv", *common,
                       "--workers", "1")
    assert "tài liệu này lập lại đúng bản đã duyệt" in said and "Nhận sau khi duyệt (1 tệp" in said and "SYT da sua.xlsx" in said
    assert "trùng từng byte" in said and "KHÁC" not in said
    code, said = _main(capsys, "report", "ranking", later, "-o", out / "r1.pdf", "--html", out / "r1.html", *common)
    assert (out / "r1.xlsx").read_bytes() == approved["xep-hang-2020.xlsx"]
    assert (out / "r1.json").read_bytes() == approved["xep-hang-2020.json"]
    assert (out / "r1.pdf").read_bytes() == approved["bao-cao-xep-hang-2020.pdf"]
    assert (out / "r1.html").read_bytes() == approved["bao-cao-xep-hang-2020.html"]
    for table in ("xep-hang.csv", "tieu-chi.csv", "van-de.csv", "datapackage.json"):
        assert (out / "csv" / table).read_bytes() == (out / "duyet" / "du-lieu-mo" / table).read_bytes(), table
    code, said = _main(capsys, "publish", later, "--out", out / "site", *common)
    assert "tài liệu này lập lại đúng bản đã duyệt" in (out / "site" / "index.html").read_text(encoding="utf-8")
    assert (out / "site" / "du-lieu" / "xep-hang.csv").read_bytes() == (out / "duyet" / "du-lieu-mo" / "xep-hang.csv").read_bytes()
    in_python = consolidate(catalog, campaign, [later], archive, workers=1)
    assert [f.state for f in in_python.after_approval] == [approval.AFTER] and in_python.approval is not None
    assert in_python.live is not None and in_python.live.states["SYT"].state == states.RECEIVED  # what a reopening would give

    code, said = _main(capsys, "approve", *common)  # one approval at a time
    assert code == 2
    code, said = _main(capsys, "reopen", *common, "--by", BY_LEADER, "--reason", "Sở Y tế gửi bản sửa được chấp nhận")
    assert code == 0
    code, said = _main(capsys, "consolidate", later, "-o", out / "r2.xlsx", "--json", out / "r2.json", *common, "--workers", "1")
    reopened = json.loads((out / "r2.json").read_text(encoding="utf-8"))
    index = {r["unit"]: r for rows in reopened["ranking"].values() for r in rows}
    was = {r["unit"]: r for rows in issued["ranking"].values() for r in rows}
    assert index["SYT"]["file"] == "SYT da sua.xlsx" and index["SYT"]["index"] != was["SYT"]["index"]
    assert index["STTTT"]["index"] == was["STTTT"]["index"]
    assert reopened["approval"] is None and "đã được mở lại" in reopened["standing"] and "Sở Y tế gửi bản sửa" in reopened["standing"]
    assert "KHÔNG phải bản đã duyệt" in load_workbook(out / "r2.xlsx")["Xếp hạng"]["A2"].value
    assert any(v["unit"] == "SYT" for v in reopened["versions"])

    code, said = _main(capsys, "log", *common)
    lines = said.splitlines()[1:]
    steps = [(next(w for w in ("[tổng hợp]", "[duyệt]", "[ban hành]", "[nhận tệp]", "[mở lại]") if w in line), line) for line in lines]
    kinds = [k for k, _ in steps]
    assert kinds.index("[duyệt]") < kinds.index("[ban hành]") < [n for n, k in enumerate(kinds) if k == "[tổng hợp]"][1] < kinds.index("[mở lại]")
    assert lines[0].endswith(BY_OFFICER) and all(line.endswith(BY_LEADER) for k, line in steps if k in ("[duyệt]", "[ban hành]", "[mở lại]"))
    assert any("SYT da sua.xlsx" in line and "nhận sau khi duyệt (bản số 1)" in line for line in lines)
    code, said = _main(capsys, "log", *common, "--json")
    events = json.loads(said)["events"]
    assert {e["what"] for e in events} >= {"run", "received", "approval", "document", "reopening"}


def _utc(iso: str) -> str:
    import datetime as dt

    return dt.datetime.fromisoformat(iso).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _same(a, b) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return a == b


def test_versions_compared_against_an_independent_reckoning(world, tmp_path):
    """A unit's two files: the inputs that differ, evidence added and removed, and each
    criterion's score and the index as the engine scores each set of inputs on its own."""
    _, recipe, catalog, campaign, blank, inputs, first = world
    folder, new, flipped, counted, removed, added = _corrected(world, "dot-v", "2025-12-20T08:00:00Z")
    result = consolidate(catalog, campaign, [first, folder], tmp_path / "kho", workers=1)
    change = result.versions["SYT"]
    level = campaign.unit("SYT").level
    old_score, new_score = score_unit(catalog, inputs["SYT"], level), score_unit(catalog, new, level)
    expected = {}
    for c in catalog.criteria:
        was, now = inputs["SYT"].get(c.code, {}), new.get(c.code, {})
        differ = {k for k in set(was) | set(now) if not _same(was.get(k), now.get(k))}
        points = (old_score.criterion(c.code).points, new_score.criterion(c.code).points)
        evidence = "bỏ" if c.code == removed else "thêm" if c.code == added else ""
        if differ or evidence or points[0] != points[1]:
            expected[c.code] = (differ, evidence, points)
    assert {c.code for c in change.criteria} == set(expected)
    assert {flipped, counted, removed, added} <= set(expected)
    for c in change.criteria:
        differ, evidence, (old, now) = expected[c.code]
        assert {i.key for i in c.inputs} == differ and c.evidence == evidence
        assert c.old_points == pytest.approx(old) and c.new_points == pytest.approx(now)
        for i in c.inputs:
            assert _same(i.old, inputs["SYT"][c.code].get(i.key)) and _same(i.new, new[c.code].get(i.key))
    assert change.old_index == pytest.approx(old_score.total.index) and change.new_index == pytest.approx(new_score.total.index)
    assert "STTTT" not in result.versions  # one file: nothing to compare
    # the ranking workbook shows it
    from hue_dx.intake.outputs import write_workbook

    write_workbook(result, tmp_path / "x.xlsx")
    sheet = load_workbook(tmp_path / "x.xlsx")["Thay đổi"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    assert any(r[0] == "SYT" and r[2] == flipped and "→" in r[3] for r in rows)


def test_the_ledger_is_append_only_and_an_undo_is_a_decision(tmp_path):
    ledger = Ledger(tmp_path)
    ledger.choose("2020", "SYT", "a" * 64, "bản đúng", "Trần Thị Bình")
    assert ledger.unchoose("2020", "SYT", "đơn vị xác nhận bản sau", "Nguyễn Văn An") == 1
    assert ledger.choices("2020") == {}
    decisions = ledger.decisions("2020")
    assert [(c.sha256, c.by) for _, c in decisions] == [("a" * 64, "Trần Thị Bình"), ("", "Nguyễn Văn An")]
    from hue_dx.intake.ledger import Issued, Request

    ledger.approve("2020", "Nguyễn Văn An", "", "{}", "0" * 64)
    ledger.reopen("2020", 1, "Nguyễn Văn An", "sửa")
    ledger.request("2020", Request("SYT", "a" * 64, "2025-12-01T08:00:00+07:00", "2025-12-15", 3, 0, "Trần Thị Bình", "de-nghi-SYT.txt"))
    ledger.issued("2020", Issued(1, "JSON", "x.json", "b" * 64, "2025-12-02T08:00:00+07:00", "Nguyễn Văn An"))
    ledger.db.execute("INSERT INTO appraisals (sha256, criterion, unit, appraiser, inputs, reason, saved) VALUES ('c', '1.1.1', 'SYT', 'Sở', '{}', '', '')")
    for statement in ("DELETE FROM choices", "UPDATE choices SET reason = 'x'", "DELETE FROM approvals", "UPDATE requests SET items = 0",
                      "DELETE FROM reopenings", "DELETE FROM appraisals", "DELETE FROM documents"):
        with pytest.raises(sqlite3.DatabaseError, match="chỉ ghi thêm"):
            ledger.db.execute(statement)
    ledger.close()


def test_an_older_ledger_is_upgraded_in_place_and_keeps_its_decisions(tmp_path):
    db = sqlite3.connect(tmp_path / "ledger.sqlite")
    db.executescript("""
        CREATE TABLE files (sha256 TEXT PRIMARY KEY, size INTEGER, received_at TEXT, source TEXT, accepted INTEGER, unit TEXT, period TEXT,
            catalog TEXT, level TEXT, generation_id TEXT, modified TEXT, total REAL, max REAL, idx REAL, result TEXT, kind TEXT DEFAULT 'self',
            errors INTEGER DEFAULT 0, issues TEXT DEFAULT '[]', figures INTEGER DEFAULT -1);
        CREATE TABLE sources (sha256 TEXT, source TEXT, seen_at TEXT, run INTEGER, sender TEXT DEFAULT '', sent TEXT DEFAULT '',
            PRIMARY KEY (sha256, source));
        CREATE TABLE choices (period TEXT, unit TEXT, sha256 TEXT, decided_at TEXT, reason TEXT);
        CREATE TABLE appraisals (sha256 TEXT, criterion TEXT, unit TEXT, appraiser TEXT, inputs TEXT, reason TEXT, saved TEXT,
            PRIMARY KEY (sha256, criterion));
        CREATE TABLE runs (id INTEGER PRIMARY KEY, started TEXT, finished TEXT, inputs TEXT, files INTEGER, new INTEGER);
        INSERT INTO choices VALUES ('2020', 'SYT', 'abc', '2025-12-10T08:00:00+07:00', 'bản đúng');
        INSERT INTO runs (started, inputs) VALUES ('2025-12-09T08:00:00+07:00', '[]');
        PRAGMA user_version = 3;""")
    db.commit()
    db.close()
    ledger = Ledger(tmp_path)
    assert ledger.db.execute("PRAGMA user_version").fetchone()[0] == VERSION == 4
    assert ledger.choices("2020")["SYT"].reason == "bản đúng" and ledger.choices("2020")["SYT"].by == ""
    ledger.choose("2020", "SYT", "def", "bản sau", "Trần Thị Bình")
    assert ledger.choices("2020")["SYT"].by == "Trần Thị Bình" and ledger.runs()[0][6] == ""
    with pytest.raises(sqlite3.DatabaseError):
        ledger.db.execute("DELETE FROM choices")
    ledger.close()


def test_a_snapshot_altered_outside_hue_dx_is_refused(world, tmp_path):
    _, recipe, catalog, campaign, *_, first = world
    archive = tmp_path / "kho"
    consolidate(catalog, campaign, [first], archive, workers=1)
    from hue_dx.intake.consolidate import from_ledger

    approved, _ = approval.approve(from_ledger(catalog, campaign, archive), archive, BY_LEADER, "")
    assert approved.approval is not None
    ledger = Ledger.reader(archive)
    text = ledger.snapshot("2020", 1)
    ledger.close()
    with pytest.raises(approval.SnapshotError, match="SHA-256"):
        approval.restore(text.replace('"rank":1', '"rank":2', 1), approved.approval.snapshot_sha256, catalog, campaign, archive)
    with pytest.raises(approval.SnapshotError, match="SHA-256"):
        approval.restore(text, "0" * 64, catalog, campaign, archive)


def _row_of(folder: Path, code: str):
    """The appraisal workbook of Sở Y tế that holds ``code``, its sheet and the criterion's row."""
    for path in sorted(folder.glob("*SYT*.xlsx")):
        ws = load_workbook(path)[book.SHEET]
        row = next((r for r in range(5, ws.max_row + 1) if ws[f"A{r}"].value == code), None)
        if row is not None:
            return path, ws, row
    raise AssertionError(f"no appraisal workbook holds {code}")


def _appraised(data: bytes, follow: dict[str, str], reasons: dict[str, str], saved: str) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    for code, text in follow.items():
        cell_named(wb, book.follow_up_name(code)).value = text
    for code, text in reasons.items():
        cell_named(wb, book.reason_name(code)).value = text
    out = io.BytesIO()
    wb.save(out)
    return set_saved_time(out.getvalue(), saved)


def test_states_letters_follow_ups_and_next_year(world, tmp_path, capsys):
    """A letter makes a unit "đề nghị sửa" (recorded with its date and deadline), its correction
    "đã sửa", an appraisal "đã thẩm định"; the appraisal workbook shows what changed since the
    letter and takes a follow-up, which comes back in the next letter and in next year's
    appraisal workbook (``--previous-archive``)."""
    tmp, recipe, catalog, campaign, blank, inputs, first = world
    archive, out = tmp_path / "kho", tmp_path / "ra"
    common = ["--archive", archive, "--recipe", recipe]
    code, said = _main(capsys, "requests", first, "--out", out / "thu-1", "--no-pdf", *common, "--by", BY_OFFICER)
    ledger = Ledger.reader(archive)
    letters = {r.unit: r for r in ledger.requests("2020")}
    ledger.close()
    assert "SYT" in letters and letters["SYT"].by == BY_OFFICER and letters["SYT"].deadline and letters["SYT"].items > 0
    later, new, flipped, *_ = _corrected(world, "dot-s", "2025-12-20T08:00:00Z")
    result = consolidate(catalog, campaign, [later], archive, workers=1)
    assert result.states["SYT"].state == states.CORRECTED and result.states["SNV"].state == states.ASKED
    assert result.states["SNV"].requested == letters["SNV"].issued_at and result.states["BDT"].state == states.NOT_SENT

    code, said = _main(capsys, "appraise", later, "--out", out / "tham-dinh", "--unit", "SYT", *common)
    path, ws, row = _row_of(out / "tham-dinh", flipped)
    assert "→" in (ws[f"N{row}"].value or "")  # what changed since the letter
    follow = {flipped: "Kiểm tra văn bản cử cán bộ năm sau"}
    (later / "phieu-SYT.xlsx").write_bytes(_appraised(path.read_bytes(), follow, {flipped: "Đồng ý"}, "2025-12-22T08:00:00Z"))
    result = consolidate(catalog, campaign, [later], archive, workers=1)
    assert result.states["SYT"].state == states.APPRAISED

    code, said = _main(capsys, "requests", later, "--out", out / "thu-2", "--no-pdf", *common)
    text = (out / "thu-2" / "de-nghi-SYT.txt").read_text(encoding="utf-8")
    assert "Kiểm tra văn bản cử cán bộ năm sau" in text and f"tiêu chí {flipped}" in text

    # next year: a campaign of 2021 whose appraisal workbook shows last year's follow-up
    recipe21 = _recipe(tmp_path, "2021")
    campaign21 = campaign_mod.load(recipe21)
    generate(catalog, campaign21, tmp_path / "blank21", [campaign21.unit("SYT")])
    inbox = tmp_path / "dot-2021"
    inbox.mkdir()
    (inbox / "SYT.xlsx").write_bytes(fill(next((tmp_path / "blank21").glob("2021_SYT_*.xlsx")).read_bytes(), inputs["SYT"]))
    code, said = _main(capsys, "appraise", inbox, "--out", out / "tham-dinh-2021", "--unit", "SYT", "--archive", tmp_path / "kho21",
                       "--recipe", recipe21, "--previous-archive", archive)
    path, ws, row = _row_of(out / "tham-dinh-2021", flipped)
    assert "Kiểm tra văn bản cử cán bộ năm sau" in ws[f"O{row}"].value and "2020" in ws[f"O{row}"].value


def test_an_approval_whose_documents_cannot_be_written_is_not_recorded(world, tmp_path):
    _, recipe, catalog, campaign, *_, first = world
    archive = tmp_path / "kho"
    consolidate(catalog, campaign, [first], archive, workers=1)
    from hue_dx.intake.consolidate import from_ledger

    def full_disk(approved):
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        approval.approve(from_ledger(catalog, campaign, archive), archive, BY_LEADER, "", full_disk)
    ledger = Ledger.reader(archive)
    assert ledger.approvals("2020") == [] and ledger.documents("2020") == []
    ledger.close()
    assert consolidate(catalog, campaign, [first], archive, workers=1).approval is None


def test_an_approved_year_of_a_series_reproduces_its_comparison_with_the_year_before(two_years, tmp_path, monkeypatch):
    """A year compared with the one before (issue 22), approved (issue 23): the documents issued
    carry the comparison, and a later consolidation of the same archive gives them byte for byte,
    the year before read from its own archive both times."""
    import shutil

    from hue_dx.campaign import default_recipe

    first, second = two_years
    monkeypatch.chdir(tmp_path)
    shutil.copytree(first.outputs.archive, tmp_path / "out" / "luu-tru")  # where the recipes say each year's archive is
    shutil.copytree(second.outputs.archive, tmp_path / "out" / "luu-tru-2021")
    recipe = str(default_recipe("campaign-2021.toml"))
    assert cli.main(["approve", "--recipe", recipe, "--by", BY_LEADER, "--reason", "Kết quả năm 2021", "--no-pdf", "--out", "da-duyet"]) == 0
    issued = (tmp_path / "da-duyet" / "xep-hang-2021.json").read_bytes()
    record = json.loads(issued)
    assert record["previous"]["period"] == "2020" and record["approval"]["by"] == BY_LEADER
    assert any(u["previous"] for rows in record["ranking"].values() for u in rows)
    again = tmp_path / "lai.json"
    cli.main(["consolidate", str(second.outputs.returned), "--recipe", recipe, "-o", str(tmp_path / "lai.xlsx"), "--json", str(again)])
    assert again.read_bytes() == issued
