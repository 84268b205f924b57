"""The quarterly consolidation: real generated workbooks filled as units fill them (mistakes
included), received as files, folders, e-mails; each cell's issue where it is, conflicting and
missing reports, corrections, blank files, files of another quarter, and the answers that
pre-fill the next quarter read back from the next quarter's workbook."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import zipfile
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from engines import cell_of
from openpyxl import load_workbook

from hue_dx.intake.engine import ArchiveKindError, open_ledger
from hue_dx.intake.ledger import Ledger
from hue_dx.tracking import answers as an
from hue_dx.tracking import names as tn
from hue_dx.tracking import periods, recipe, tasks
from hue_dx.tracking.answers import TaskAnswer
from hue_dx.tracking.fill import fill
from hue_dx.tracking.generate import generate
from hue_dx.tracking.intake import Context, QuarterlyKind, consolidate
from hue_dx.tracking.outputs import write_answers, write_csv, write_json, write_workbook
from hue_dx.workbook.fill import set_saved_time

ROOT = Path(__file__).resolve().parents[1]
RECIPE = recipe.load(ROOT / "generator" / "tracking-hue-222.toml")
CATALOG = tasks.load(RECIPE.tasks)
Q2, Q3, Q4 = periods.Quarter(2021, 2), periods.Quarter(2021, 3), periods.Quarter(2021, 4)
UNITS = ("STTTT", "SNV", "SCT", "SKHCN", "TPHUE", "STNMT")
CONTACTS = {"unit_preparer": "Nguyễn Văn A", "unit_head": "Trần Thị B"}
BEFORE, AFTER = "2021-09-15T02:00:00Z", "2021-09-23T02:00:00Z"  # the deadline of 2021-Q3 is 20/09/2021


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tracking-intake")
    made = {g.unit: g for g in generate(CATALOG, RECIPE, Q3, tmp / "so", units=[RECIPE.unit(u) for u in UNITS])}
    q2 = generate(CATALOG, RECIPE, Q2, tmp / "so-q2", units=[RECIPE.unit("SNV")])[0]
    blank = {u: (tmp / "so" / g.path).read_bytes() for u, g in made.items()}
    sent = tmp / "gui-ve"
    (sent / "ban-sua").mkdir(parents=True)

    def put(path: Path, data: bytes, saved: str = BEFORE) -> None:
        path.write_bytes(set_saved_time(data, saved))

    put(sent / made["SNV"].path, fill(blank["SNV"], {
        "PL2.I.11": {"status": "hoàn thành", "percent": 100, "output": "Quyết định 12/QĐ-SNV"},
        "PL1.5": {"value": 40.5, "source": "Hệ thống quản lý văn bản", "measured_on": dt.datetime(2021, 9, 1)},
    }, {"PL2.I.1": {"status": "Hoàn thành", "contribution": "Góp ý dự thảo"}}, CONTACTS))
    put(sent / "STTTT.xlsx", fill(blank["STTTT"], {  # renamed by the unit: identity is read from inside the file
        "PL2.I.1": {"status": "chưa triển khai"},
        "PL3.B.1": {"status": "đang triển khai", "percent": "50%", "allocated": 2_000_000_000, "disbursed": 3_000_000_000,
                    "difficulties": "Chậm giải ngân"},
        "PL2.I.2": {"status": "xong"},
        "PL3.A.I.1": {"status": "chậm tiến độ", "percent": 150, "difficulties": "Thiếu kinh phí"},
        "PL1.2": {"value": 120, "source": "Cổng dịch vụ công", "measured_on": dt.datetime(2021, 9, 10)},
        "PL1.3": {"value": 80, "source": "Khảo sát", "measured_on": "10/09/2021"},
        "PL2.I.3": {"status": "hoàn thành", "percent": 100},
    }, None, CONTACTS))
    put(sent / made["SCT"].path, blank["SCT"])  # returned untouched: no report
    put(sent / made["SKHCN"].path, fill(blank["SKHCN"], {"PL3.E.11": {"status": "đang triển khai", "percent": 30}}, None, CONTACTS),
        "2021-09-10T02:00:00Z")
    put(sent / "ban-sua" / made["SKHCN"].path, fill(blank["SKHCN"], {"PL3.E.11": {"status": "đang triển khai", "percent": 45}}, None, CONTACTS),
        "2021-09-16T02:00:00Z")
    tphue = set_saved_time(fill(blank["TPHUE"], {"IV.8.1": {"status": "đang triển khai", "percent": 60}}, None, CONTACTS), BEFORE)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "Văn thư UBND thành phố Huế <vanthu@hue.gov.vn>", "stttt@thuathienhue.gov.vn", "Báo cáo quý"
    message["Date"] = format_datetime(dt.datetime(2021, 9, 22, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))))
    message.set_content("Gửi báo cáo quý III.")
    message.add_attachment(tphue, maintype="application", subtype="octet-stream", filename=made["TPHUE"].path)
    (sent / "thu-tphue.eml").write_bytes(message.as_bytes())
    put(sent / q2.path, fill((tmp / "so-q2" / q2.path).read_bytes(), {"PL2.I.11": {"status": "đang triển khai", "percent": 70}}, None, CONTACTS),
        "2021-06-16T02:00:00Z")
    (sent / "ghi-chu.txt").write_text("Đơn vị gửi kèm ghi chú", encoding="utf-8")
    (sent / "hong.xlsx").write_bytes(blank["SNV"][:2000])
    archive = tmp / "luu-tru"
    context = Context.create(CATALOG, RECIPE, Q3)
    result = consolidate(CATALOG, RECIPE, Q3, [sent], archive, context=context)
    return tmp, made, sent, archive, context, result


def issues_of(result, code: str, unit: str | None = None):
    return [i for i in result.issues if i.code == code and (unit is None or i.unit == unit)]


def where(tmp: Path, made, unit: str, tag: str, task: str, key: str) -> tuple[str, str]:
    """The sheet and cell of an answer in the unit's workbook, looked up by openpyxl."""
    return cell_of(load_workbook(tmp / "so" / made[unit].path), tn.cell_name(tag, task, key))


def state(result, unit: str):
    return next(u for u in result.units if u.unit.code == unit)


def test_every_cell_issue_names_the_cell_and_says_what_was_found(world):
    tmp, made, *_, result = world
    cases = [
        ("tk-number-text", "PL3.B.1", "percent", "50%", "50"),
        ("tk-disbursed-over", "PL3.B.1", "disbursed", "3.000.000.000", "2.000.000.000"),
        ("tk-status-unknown", "PL2.I.2", "status", "xong", ""),
        ("tk-percent-range", "PL3.A.I.1", "percent", "150", ""),
        ("tk-value-range", "PL1.2", "value", "120", ""),
        ("tk-date-text", "PL1.3", "measured_on", "10/09/2021", "10/09/2021"),
    ]
    for code, task, key, value, read in cases:
        found = [i for i in issues_of(result, code, "STTTT") if i.criterion == task]
        assert len(found) == 1, (code, task, found)
        record = found[0]
        assert (record.sheet, record.cell) == where(tmp, made, "STTTT", tn.LEAD_TAG, task, key), code
        assert (record.value, record.read) == (value, read), code
        assert record.file.endswith("STTTT.xlsx")
    message = issues_of(result, "tk-number-text", "STTTT")[0].message
    assert "'50%'" in message and "có lẽ là số 50" in message and "không được tổng hợp" in message
    # a row complete in every cell but failing the workbook's own check is reported with the check's words
    row = [i for i in issues_of(result, "tk-row-incomplete", "STTTT") if i.criterion == "PL2.I.3"]
    assert [i.value for i in row] == [an.check_lead({"status": an.DONE, "percent": 100})] == ["ghi kết quả, sản phẩm"]


def test_answers_keep_what_can_be_used_and_drop_what_cannot(world):
    *_, result = world
    answers = state(result, "STTTT").file.answers
    assert answers.lead["PL3.B.1"] == TaskAnswer(status=an.IN_PROGRESS, allocated=2_000_000_000, disbursed=3_000_000_000, difficulties="Chậm giải ngân")
    assert "PL2.I.2" not in answers.lead  # "xong" is not a status of the list, and the row holds nothing else
    assert answers.lead["PL3.A.I.1"].percent is None and answers.lead["PL3.A.I.1"].status == an.LATE
    assert answers.lead["PL1.2"].value is None and answers.lead["PL1.2"].source == "Cổng dịch vụ công"
    assert answers.lead["PL1.3"].measured_on == dt.date(2021, 9, 10)  # a date typed as text, read day first
    snv = state(result, "SNV").file.answers
    assert snv.cooperate["PL2.I.1"].status == an.DONE  # "Hoàn thành": text compares ignoring case, as in the workbook
    assert snv.lead["PL1.5"] == TaskAnswer(value=40.5, source="Hệ thống quản lý văn bản", measured_on=dt.date(2021, 9, 1))


def test_a_cooperator_contradicting_the_lead_is_a_conflict(world):
    *_, result = world
    conflicts = [(row.task.id, c.cooperator, c.lead_status, c.cooperator_status) for row, c in result.summary.conflicts]
    assert conflicts == [("PL2.I.1", "SNV", an.NOT_STARTED, an.DONE)]
    record = issues_of(result, "tk-conflict")
    assert [(i.unit, i.criterion) for i in record] == [("SNV", "PL2.I.1")]
    assert record[0].value == "chủ trì STTTT: chưa triển khai; phối hợp SNV: hoàn thành"


def test_missing_blank_late_and_corrected_reports(world):
    *_, result = world
    reported = {u.unit.code for u in result.units if u.reported}
    assert reported == {"STTTT", "SNV", "SKHCN", "TPHUE"}
    assert state(result, "SCT").blank_only and not state(result, "STNMT").blank_only
    assert {i.unit for i in issues_of(result, "unit-not-received")} == {u.code for u in RECIPE.units} - reported
    assert "chỉ nhận được sổ chưa có số liệu" in issues_of(result, "unit-not-received", "SCT")[0].message
    assert issues_of(result, "file-blank", "SCT")
    late = state(result, "TPHUE")
    assert late.late and late.late_on == "22/09/2021"  # saved before the deadline, e-mailed after it: late by the e-mail
    assert [u.unit.code for u in result.late] == ["TPHUE"]
    skhcn = state(result, "SKHCN").file
    assert skhcn.name.endswith("ban-sua/" + skhcn.name.rsplit("/", 1)[-1]) and skhcn.answers.lead["PL3.E.11"].percent == 45
    assert [i.unit for i in issues_of(result, "file-superseded")] == ["SKHCN"]
    states = {f.source.rsplit("/", 2)[-2] + "/" + f.name if "ban-sua" in f.source else f.name: f.state for f in result.files}
    assert states["ghi-chu.txt"] == "đã lưu, không đọc số liệu" and states["hong.xlsx"] == "không dùng được"
    assert issues_of(result, "file-corrupt")


def test_a_file_of_another_quarter_is_recorded_for_its_quarter(world):
    _, _, _, archive, context, result = world
    other = issues_of(result, "tk-period-other", "SNV")
    assert len(other) == 1 and other[0].value == "quý II năm 2021"
    q2 = consolidate(CATALOG, RECIPE, Q2, [], archive, context=context)  # from the ledger alone
    assert [u.unit.code for u in q2.units if u.reported] == ["SNV"]
    assert state(q2, "SNV").file.answers.lead["PL2.I.11"].percent == 70
    # the trend of Q3 now starts with Q2 (rebuilt from the ledger)
    again = consolidate(CATALOG, RECIPE, Q3, [], archive, context=context)
    assert [t.quarter for t in again.summary.trend] == ["2021-Q2", "2021-Q3"]
    assert again.new == 0 and again.answers() == result.answers()


def test_receiving_the_same_files_again_changes_nothing(world):
    _, _, sent, archive, context, result = world
    again = consolidate(CATALOG, RECIPE, Q3, [sent], archive, context=context)
    assert again.new == 0 and again.seen == result.seen
    assert again.answers() == result.answers()
    assert sorted(i.code for i in again.issues) == sorted(i.code for i in result.issues)


def test_a_damaged_workbook_inside_a_zip_is_a_corrupt_file_like_in_the_assessment(world, tmp_path):
    tmp, made, _, _, context, _ = world
    data = (tmp / "so" / made["SNV"].path).read_bytes()
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(made["SNV"].path, data)
    raw = bytearray(packed.getvalue())
    raw[raw.find(data) + len(data) // 2] ^= 0xFF  # the member fails its CRC when read
    (tmp_path / "gui").mkdir()
    (tmp_path / "gui" / "bao-cao.zip").write_bytes(bytes(raw))
    result = consolidate(CATALOG, RECIPE, Q3, [tmp_path / "gui"], tmp_path / "kho", context=context)
    assert [i.code for i in result.issues if i.code.startswith("file-")] == ["file-corrupt"]


def test_an_assessment_archive_is_refused(tmp_path):
    Ledger(tmp_path).close()
    with sqlite3.connect(tmp_path / "ledger.sqlite") as db:
        db.execute("INSERT INTO files (sha256, kind, accepted, period) VALUES ('ab', 'self', 1, '2020')")
    with pytest.raises(ArchiveKindError, match="kho của đợt đánh giá"):
        open_ledger(QuarterlyKind(Context.create(CATALOG, RECIPE, Q3)), tmp_path)


def test_outputs_are_written_and_machine_outputs_are_locale_free(world, tmp_path):
    *_, result = world
    write_workbook(result, tmp_path / "tong-hop.xlsx")
    write_json(result, tmp_path / "tong-hop.json")
    written = write_csv(result, tmp_path / "csv")
    wb = load_workbook(tmp_path / "tong-hop.xlsx")
    assert wb.sheetnames[:4] == ["Tổng quan", "Nhiệm vụ", "Chỉ tiêu", "Kinh phí"]
    assert sum(len(ws._charts) for ws in wb.worksheets) >= 2
    for ws in wb.worksheets:
        assert int(ws.page_setup.paperSize) == 9  # A4
        for chart in ws._charts:
            assert chart.x_axis.delete is False and chart.y_axis.delete is False
    fonts = {c.font.name for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    assert fonts == {"Times New Roman"}
    sheet = wb["Chỉ tiêu"]
    (sources,) = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "Hệ thống quản lý văn bản" in c.value]
    assert "40,5% — Hệ thống quản lý văn bản" in sources, sources  # for a person: the decimal comma
    tasks_csv = next(p for p in written if p.name == "nhiem-vu.csv").read_text(encoding="utf-8-sig").splitlines()
    header = tasks_csv[0].split(",")
    row = dict(zip(header, next(line for line in tasks_csv if ",PL3.B.1," in line).split(","), strict=True))
    assert (row["trang_thai"], row["kinh_phi_giao_trong_ky"], row["giai_ngan_trong_ky"]) == ("đang triển khai", "2000000000", "3000000000")
    import json

    data = json.loads((tmp_path / "tong-hop.json").read_text(encoding="utf-8"))
    snv = next(t for t in data["tasks"] if t["id"] == "PL2.I.1")["contributions"]["SNV"]
    assert snv == {"status": "hoàn thành", "contribution": "Góp ý dự thảo"}
    pl13 = next(t for t in data["indicators"] if t["id"] == "PL1.3")
    assert pl13["answers"]["STTTT"]["measured_on"] == "2021-09-10"


def test_the_next_quarter_is_prefilled_from_the_consolidation_and_read_back(world, tmp_path):
    _, _, _, archive, context, result = world
    answers_file = tmp_path / "tra-loi-2021-Q3.json"
    write_answers(result, answers_file)
    tasks_id, period, previous = an.load_previous(answers_file)
    assert (tasks_id, period) == (CATALOG.id, "2021-Q3")
    assert previous["SNV"]["PL2.I.1"] == TaskAnswer(status=an.DONE, contribution="Góp ý dự thảo")
    made = generate(CATALOG, RECIPE, Q4, tmp_path / "q4", units=[RECIPE.unit("STTTT"), RECIPE.unit("SNV")], previous=previous)
    path = tmp_path / "q4" / next(g.path for g in made if g.unit == "STTTT")
    wb = load_workbook(path)

    def value(task: str, key: str):
        sheet, ref = cell_of(wb, tn.cell_name(tn.LEAD_TAG, task, key))
        return wb[sheet][ref].value

    assert (value("PL3.B.1", "status"), value("PL3.B.1", "difficulties")) == (an.IN_PROGRESS, "Chậm giải ngân")
    assert value("PL3.B.1", "allocated") is None and value("PL3.B.1", "disbursed") is None  # funds are the period's own
    assert value("PL1.3", "value") == 80 and value("PL1.3", "measured_on").date() == dt.date(2021, 9, 10)
    # the unit returns the pre-filled workbook as it came: read back, it says what the consolidation said
    returned = tmp_path / "q4-gui-ve"
    returned.mkdir()
    (returned / path.name).write_bytes(set_saved_time(fill(path.read_bytes(), contacts=CONTACTS), "2021-12-15T02:00:00Z"))
    q4 = consolidate(CATALOG, RECIPE, Q4, [returned], archive, context=context)
    back = state(q4, "STTTT").file.answers
    assert {k: a.carried() for k, a in back.lead.items()} == {k: a.carried() for k, a in result.answers()["STTTT"].lead.items()}
    assert state(q4, "STTTT").unchanged and issues_of(q4, "tk-unchanged", "STTTT")


def test_a_tracking_archive_is_refused_by_the_assessment(tmp_path):
    import hue_dx
    from hue_dx import campaign as campaign_mod
    from hue_dx.intake.consolidate import InputError
    from hue_dx.intake.consolidate import consolidate as consolidate_assessment

    Ledger(tmp_path / "kho").close()
    with sqlite3.connect(tmp_path / "kho" / "ledger.sqlite") as db:
        db.execute("INSERT INTO files (sha256, kind, accepted, period) VALUES ('ab', 'tracking', 1, '2021-Q3')")
    (tmp_path / "nhan").mkdir()
    with pytest.raises(InputError, match="kho của báo cáo quý"):
        consolidate_assessment(hue_dx.load_catalog(), campaign_mod.load(None), [tmp_path / "nhan"], tmp_path / "kho", workers=1)


def _mailed(data: bytes, name: str, day: dt.datetime) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "Văn thư <vanthu@example.vn>", "stttt@thuathienhue.gov.vn", "Báo cáo quý"
    message["Date"] = format_datetime(day)
    message.set_content("Gửi báo cáo quý.")
    message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def test_the_correction_mailed_last_counts_whatever_time_it_was_saved(world, tmp_path):
    """A correction e-mailed on 19/09 but saved on 16/09 replaces the original saved on 17/09:
    the date it was sent decides, not the internal save time (issue 19)."""
    tmp, made, *_ , context, _ = world
    blank = (tmp / "so" / made["SNV"].path).read_bytes()
    vn = dt.timezone(dt.timedelta(hours=7))
    original = set_saved_time(fill(blank, {"PL2.I.11": {"status": "đang triển khai", "percent": 40}}, None, CONTACTS), "2021-09-17T02:00:00Z")
    correction = set_saved_time(fill(blank, {"PL2.I.11": {"status": "đang triển khai", "percent": 55}}, None, CONTACTS), "2021-09-16T02:00:00Z")
    inbox = tmp_path / "thu"
    inbox.mkdir()
    (inbox / "1-ban-dau.eml").write_bytes(_mailed(original, "SNV.xlsx", dt.datetime(2021, 9, 17, 9, 0, tzinfo=vn)))
    (inbox / "2-ban-sua.eml").write_bytes(_mailed(correction, "SNV.xlsx", dt.datetime(2021, 9, 19, 9, 0, tzinfo=vn)))
    result = consolidate(CATALOG, RECIPE, Q3, [inbox], tmp_path / "kho", context=context)
    assert state(result, "SNV").file.answers.lead["PL2.I.11"].percent == 55
    states = {f.source.rsplit("/", 2)[-2]: (f.state, f.reason) for f in result.files if f.unit == "SNV"}
    assert states["2-ban-sua.eml!"][0] == "đang dùng" and "gửi sau cùng" in states["2-ban-sua.eml!"][1]
    assert states["1-ban-dau.eml!"][0] == "không dùng"
    assert [i.unit for i in issues_of(result, "file-superseded")] == ["SNV"]


def test_an_officer_chooses_the_file_of_a_quarter(world, tmp_path, capsys):
    """`hue-dx tasks choose` lists a unit's files of the quarter and records the officer's choice,
    which the next consolidation honours and says (issue 19)."""
    from hue_dx import cli

    tmp, made, *_ , context, _ = world
    blank = (tmp / "so" / made["SNV"].path).read_bytes()
    inbox = tmp_path / "gui"
    inbox.mkdir()
    first = set_saved_time(fill(blank, {"PL2.I.11": {"status": "đang triển khai", "percent": 40}}, None, CONTACTS), "2021-09-14T02:00:00Z")
    later = set_saved_time(fill(blank, {"PL2.I.11": {"status": "đang triển khai", "percent": 20}}, None, CONTACTS), "2021-09-18T02:00:00Z")
    (inbox / "a.xlsx").write_bytes(first)
    (inbox / "b.xlsx").write_bytes(later)
    archive = tmp_path / "kho"
    before = consolidate(CATALOG, RECIPE, Q3, [inbox], archive, context=context)
    assert state(before, "SNV").file.answers.lead["PL2.I.11"].percent == 20
    common = ["--period", "2021-Q3", "--archive", str(archive)]
    tasks = ["tasks", "--recipe", str(RECIPE.path), "choose"]
    assert cli.main([*tasks, "SNV", *common]) == 0
    listing = capsys.readouterr().out
    assert "a.xlsx" in listing and "b.xlsx" in listing and "(chưa có tệp nào)" not in listing
    sha = __import__("hashlib").sha256(first).hexdigest()
    assert cli.main([*tasks, "SNV", sha[:12], "--reason", "Bản sau điền nhầm", *common]) == 0
    assert "a.xlsx" in capsys.readouterr().out
    after = consolidate(CATALOG, RECIPE, Q3, [], archive, context=context)
    assert state(after, "SNV").file.answers.lead["PL2.I.11"].percent == 40
    chosen = issues_of(after, "file-chosen", "SNV")
    assert len(chosen) == 1 and "Bản sau điền nhầm" in chosen[0].message
    assert {f.source.rsplit("/", 1)[-1]: f.state for f in after.files if f.unit == "SNV"} == {"a.xlsx": "đang dùng", "b.xlsx": "không dùng"}
    assert cli.main([*tasks, "SNV", "--undo", *common]) == 0
    assert state(consolidate(CATALOG, RECIPE, Q3, [], archive, context=context), "SNV").file.answers.lead["PL2.I.11"].percent == 20


def test_a_quarterly_intake_speaks_of_quarterly_reports(world, tmp_path):
    """What is no workbook in a quarterly zip is "not a quarterly report", and the help of every
    `hue-dx tasks` command states the exit codes in the words of quarterly reports (issue 19)."""
    from hue_dx import cli

    *_, context, _ = world
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as zf:
        zf.writestr("cong-van.pdf", b"%PDF-1.4 cong van")
    (tmp_path / "gui").mkdir()
    (tmp_path / "gui" / "bao-cao.zip").write_bytes(packed.getvalue())
    result = consolidate(CATALOG, RECIPE, Q3, [tmp_path / "gui"], tmp_path / "kho", context=context)
    (other,) = [i for i in result.issues if i.code.endswith("file-other")]
    assert other.code == "tk-file-other" and "sổ báo cáo quý" in other.message and "sổ đánh giá" not in other.message
    assert {f.state for f in result.files if f.name == "cong-van.pdf"} == {"đã lưu, không đọc số liệu"}
    parser = cli.build_parser()
    tasks_parser = next(a for a in parser._subparsers._group_actions[0].choices.items() if a[0] == "tasks")[1]  # type: ignore[union-attr]
    for each in cli.parsers(tasks_parser):
        text = each.format_help()
        assert "tiêu chí thiếu số liệu" not in text and "đơn vị chưa gửi báo cáo" in text, each.prog
