"""A real quarter, as the officer of Sở TT&TT lives it (issue 21): 2022-Q3, the files as units
send them — in a zip, by e-mail after the deadline (saved before it), re-saved by LibreOffice
and by Gnumeric, one as .xls, one blank, one for the wrong quarter, one corrected, percentages
typed as "60%" — consolidated and reported with the commands. The report's words and figures
are read from the PDF and compared with the JSON of the same consolidation; the letters say
what arrived from each unit and what is asked of it; the consolidated workbook says the same;
the stray file of another quarter makes no period; the opening balance of disbursement is
counted once and the funds line says from when."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import shutil
import zipfile
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from engines import gnumeric_resave, libreoffice_convert, libreoffice_resave
from openpyxl import load_workbook
from test_reports import pdf_text

from hue_dx import cli
from hue_dx.documents import VIETNAM
from hue_dx.tracking import answers as an
from hue_dx.tracking import demo, periods, recipe, roles, tasks
from hue_dx.tracking import names as tn
from hue_dx.tracking.fill import fill
from hue_dx.tracking.generate import generate
from hue_dx.workbook.fill import set_saved_time

ROOT = Path(__file__).resolve().parents[1]
Q2, Q3 = periods.Quarter(2022, 2), periods.Quarter(2022, 3)
SENDING = ("STTTT", "SCT", "SNV", "STC", "TPHUE")  # their files count
OPENING = {"PL3.A.I.1": 1_500_000_000, "PL5.B.1": 2_000_000_000}  # disbursed before 2022, entered once


def run(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def _recipe(tmp: Path) -> Path:
    """The shipped campaign, with an opening balance of disbursement to 14/12/2021."""
    shipped = ROOT / "generator" / "tracking-hue-222.toml"
    (tmp / "giai-ngan-dau-ky.csv").write_text("ma,da_giai_ngan\n" + "".join(f"{k},{v}\n" for k, v in OPENING.items()), encoding="utf-8")
    text = shipped.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^roster = "(.*)"$', lambda m: f'roster = "{(shipped.parent / m.group(1)).as_posix()}"', text)
    text += '\n[opening]\nfile = "giai-ngan-dau-ky.csv"\nas_of = "2021-12-14"\n'
    path = tmp / "dot-bao-cao.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _saved(day: dt.date) -> str:
    return dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")


def _eml(data: bytes, name: str, sent: dt.datetime) -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = "Văn thư Sở Công Thương <vanthu.sct@thuathienhue.gov.vn>", "stttt@thuathienhue.gov.vn"
    message["Subject"], message["Date"] = f"Gửi báo cáo quý: {name}", format_datetime(sent)
    message.set_content("Kính gửi Sở Thông tin và Truyền thông, đơn vị gửi báo cáo quý (tệp đính kèm).")
    message.add_attachment(data, maintype="application", subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=name)
    return message.as_bytes()


def _typed_percent(data: bytes, task_id: str, fraction: float) -> bytes:
    """The workbook with a percentage typed as Excel stores "60%": 0.6 in a percent-formatted cell."""
    wb = load_workbook(io.BytesIO(data))
    sheet, coord = next(iter(wb.defined_names[tn.cell_name(tn.LEAD_TAG, task_id, "percent")].destinations))
    cell = wb[sheet][coord.replace("$", "")]
    cell.value, cell.number_format = fraction, "0%"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def quarter(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("quy-that")
    recipe_path = _recipe(tmp)
    rec = recipe.load(recipe_path)
    catalog = tasks.load(rec.tasks)
    duties = roles.duties(catalog, rec.units)
    deadline = rec.period(Q3).deadline
    units = [rec.unit(u) for u in (*SENDING, "SXD", "SYT", "SGDDT")]
    made = {g.unit: g for g in generate(catalog, rec, Q3, tmp / "so", units=units)}
    leads = {t.id: an.IN_PROGRESS if t.kind == "indicator" else demo.lead_status(catalog, t, Q3, rec.units) for t in catalog.tracked}
    contacts = {"unit_preparer": "Nguyễn Văn An", "unit_head": "Trần Thị Bình"}

    def filled(code: str, lead_changes=None, cooperate_changes=None, quarter=Q3, books=tmp / "so") -> bytes:
        g = made[code] if quarter == Q3 else generate(catalog, rec, quarter, books, units=[rec.unit(code)])[0]
        lead, cooperate = demo.answers_of(catalog, rec.units, duties[code], quarter, leads)
        for key, changes in ((lead, lead_changes or {}), (cooperate, cooperate_changes or {})):
            for task_id, values in changes.items():
                key[task_id] = {**key.get(task_id, {}), **values}
        return fill((books / g.path).read_bytes(), lead, cooperate, contacts)

    sent = tmp / "gui-ve"
    sent.mkdir()
    before = _saved(deadline - dt.timedelta(days=2))
    # STTTT says PL2.I.1 has not started; two of its partners say their part is done: one task, two pairs
    sttt = set_saved_time(filled("STTTT", {"PL2.I.1": {"status": an.NOT_STARTED, "percent": 0, "output": None}}), before)
    snv_wrong = set_saved_time(filled("SNV", {next(t.id for t in duties["SNV"].tasks): {"status": "xong rồi"}},
                                      {"PL2.I.1": {"status": an.DONE, "contribution": "Đã góp ý dự thảo"}}), before)
    with zipfile.ZipFile(sent / "bao-cao-dot-1.zip", "w") as z:
        z.writestr(f"2022/{made['STTTT'].path}", sttt)
        z.writestr(f"2022/{made['SNV'].path}", snv_wrong)
    # SNV's correction, saved a day later: it counts
    snv_lead = next(t.id for t in duties["SNV"].tasks)
    (sent / "ban-sua").mkdir()
    (sent / "ban-sua" / made["SNV"].path).write_bytes(set_saved_time(
        filled("SNV", {snv_lead: {"status": an.IN_PROGRESS, "percent": 40}}, {"PL2.I.1": {"status": an.DONE, "contribution": "Đã góp ý"}}),
        _saved(deadline - dt.timedelta(days=1))))
    # SCT: "60%" typed as Excel stores it, saved before the deadline, e-mailed four days after it
    sct_task = next(t.id for t in duties["SCT"].tasks)
    sct = filled("SCT", {sct_task: {"status": an.IN_PROGRESS, "percent": 60, "output": "Đang triển khai"}},
                 {"PL2.I.1": {"status": an.NOT_STARTED, "contribution": None}})
    sct = set_saved_time(_typed_percent(sct, sct_task, 0.6), before)
    mailed = dt.datetime.combine(deadline + dt.timedelta(days=4), dt.time(8, 30), tzinfo=VIETNAM)
    (sent / "thu-SCT.eml").write_bytes(_eml(sct, made["SCT"].path, mailed))
    # STC re-saved by LibreOffice, TPHUE by Gnumeric
    resave = tmp / "resave"
    resave.mkdir()
    (resave / made["STC"].path).write_bytes(set_saved_time(filled("STC", {}, {"PL2.I.1": {"status": an.DONE, "contribution": "Cử cán bộ"}}),
                                                            before))
    (lo,) = libreoffice_resave([resave / made["STC"].path], tmp / "lo")
    shutil.copy(lo, sent / made["STC"].path)
    (resave / made["TPHUE"].path).write_bytes(set_saved_time(filled("TPHUE"), before))
    gnumeric_resave(resave / made["TPHUE"].path, sent / made["TPHUE"].path)
    # SYT sends an .xls; SGDDT the blank workbook; SXD its workbook of the second quarter
    (resave / made["SYT"].path).write_bytes(filled("SYT"))
    xls = libreoffice_convert(resave / made["SYT"].path, tmp / "xls", "xls")
    shutil.copy(xls, sent / xls.name)
    shutil.copy(tmp / "so" / made["SGDDT"].path, sent / made["SGDDT"].path)
    q2 = filled("SXD", quarter=Q2, books=tmp / "so-q2")
    (sent / "2022-Q2_SXD_bao-cao.xlsx").write_bytes(set_saved_time(q2, before))

    archive, out, reports = tmp / "kho", tmp / "tong-hop", tmp / "bao-cao"
    base = ("tasks", "--recipe", recipe_path)
    consolidated = run(*base, "consolidate", sent, "--period", Q3.id, "--archive", archive, "--out", out)
    reported = run(*base, "report", "--period", Q3.id, "--archive", archive, "--out", reports, "--date", "26/09/2022")
    data = json.loads((out / f"tong-hop-{Q3.id}.json").read_text(encoding="utf-8"))
    return {"tmp": tmp, "recipe": recipe_path, "archive": archive, "out": out, "reports": reports, "json": data, "made": made,
            "consolidated": consolidated, "reported": reported, "sct_task": sct_task, "xls": xls.name, "deadline": deadline,
            "mailed": mailed, "text": pdf_text(reports / f"bao-cao-trien-khai-ke-hoach-222-{Q3.id}.pdf")}


def test_the_commands_run_and_ask_for_review(quarter):
    code, out, err = quarter["consolidated"]
    assert code == 1, err
    assert quarter["reported"][0] == 1, quarter["reported"][2]
    f = quarter["json"]["figures"]
    assert f"{f['conflict_tasks']} nhiệm vụ có đơn vị phối hợp báo cáo khác đơn vị chủ trì ({f['conflict_pairs']} cặp" in " ".join(out.split())


def test_who_reported_and_what_arrived_from_the_others(quarter):
    f = quarter["json"]["figures"]
    units = {u["unit"]: u for u in quarter["json"]["units"]}
    assert sorted(u for u, x in units.items() if x["reported"]) == sorted(SENDING)
    assert (f["units"], f["units_reported"], f["units_late"], f["units_blank"], f["units_refused"], f["units_other_period"]) == (30, 5, 1, 1, 1, 1)
    assert units["SCT"]["late"] and units["SCT"]["late_by"] == "ngày của thư gửi tệp"
    assert units["SCT"]["late_on"] == quarter["mailed"].strftime("%d/%m/%Y")
    assert [a["state"] for a in units["SXD"]["arrived"]] == ["sổ của kỳ khác"] and units["SXD"]["arrived"][0]["period"] == Q2.id
    assert [a["state"] for a in units["SYT"]["arrived"]] == ["không dùng được"]
    assert Path(units["SNV"]["file"]).name == quarter["made"]["SNV"].path and len(units["SNV"]["arrived"]) == 1  # the first file, replaced
    codes = {i["code"] for i in quarter["json"]["issues"]}
    assert {"tk-period-other", "file-xls", "file-blank", "file-superseded", "file-late"} <= codes


def test_a_typed_percentage_counts_as_the_percent_meant(quarter):
    task = next(t for t in quarter["json"]["tasks"] if t["id"] == quarter["sct_task"])
    assert task["answers"]["SCT"]["percent"] == 60


def test_the_stray_file_makes_no_quarter(quarter):
    data = quarter["json"]
    assert [t["period"] for t in data["trend"]] == [Q3.id] and data["compared_with"] is None
    assert "V. DIỄN BIẾN QUA CÁC QUÝ" not in quarter["text"] and "quý II năm 2022 chưa được tổng hợp nên không so sánh" in quarter["text"]
    code, _, err = run("tasks", "--recipe", quarter["recipe"], "report", "--period", Q2.id, "--archive", quarter["archive"],
                       "--out", quarter["tmp"] / "q2")
    assert code == 2 and "quý II năm 2022 chưa được tổng hợp" in err


def test_the_report_says_the_figures_of_the_json(quarter):
    f, text = quarter["json"]["figures"], quarter["text"]
    expected = [
        f"{f['units_reported']}/{f['units']} cơ quan, đơn vị đã gửi báo cáo", f"{f['units_on_time']} đơn vị gửi đúng hạn",
        f"{f['units_late']} đơn vị gửi muộn (Sở Công Thương: gửi qua thư điện tử ngày {quarter['mailed']:%d/%m/%Y})",
        f"{f['units_missing']} đơn vị chưa báo cáo (chưa nhận được tệp nào: {f['units_nothing']}; gửi sổ chưa có số liệu: {f['units_blank']}; "
        f"gửi tệp không dùng được: {f['units_refused']}; gửi sổ của kỳ khác: {f['units_other_period']})",
        f"{f['indicators_reported']}/{f['indicators']} chỉ tiêu có số liệu",
        f"{f['tasks_overdue']} nhiệm vụ đã quá thời hạn nhưng chưa hoàn thành",
        f"khác nhau ở {f['conflict_tasks']} nhiệm vụ ({f['conflict_pairs']} cặp đơn vị chủ trì – phối hợp, {f['conflict_units']} đơn vị phối hợp",
        f"{f['conflict_tasks']} nhiệm vụ có báo cáo khác nhau ({f['conflict_pairs']} cặp đơn vị chủ trì – phối hợp)",
        "Thừa Thiên Huế, ngày 26 tháng 9 năm 2022",
    ]
    for words in expected:
        assert words in text, words
    assert f["conflict_pairs"] > f["conflict_tasks"] >= 1  # PL2.I.1: Sở Nội vụ and Sở Tài chính against the lead
    # the annex of units says what arrived from each, which date a late file's date is (file names
    # may wrap at a hyphen in a narrow column: joined again)
    text = re.sub(r"(?<=[-_.])\s", "", text)
    for words in ("Sở Xây dựng chưa báo cáo: đã nhận tệp 2022-Q2_SXD_bao-cao.xlsx (nhận ngày", "là sổ báo cáo quý II năm 2022, không phải quý III năm 2022",
                  f"Sở Y tế chưa báo cáo: đã nhận tệp {quarter['xls']}", "định dạng Excel 97-2003 (.xls)",
                  "Sở Giáo dục và Đào tạo chưa báo cáo: đã nhận tệp", "là sổ chưa có số liệu nào"):
        assert words in text, words


def test_the_funds_count_the_opening_balance_once_and_say_from_when(quarter):
    f, text = quarter["json"]["figures"], quarter["text"]
    assert f["opening"] == sum(OPENING.values())
    in_quarter = sum(t["disbursed"] or 0 for t in quarter["json"]["tasks"])
    assert f["disbursed_to_date"] == f["opening"] + in_quarter
    b1 = next(t for t in quarter["json"]["tasks"] if t["id"] == "PL3.B.1")
    assert b1["disbursed_to_date"] == OPENING["PL5.B.1"] + (b1["disbursed"] or 0)
    assert "gồm số đã giải ngân đến ngày 14/12/2021 (3,5 tỷ đồng, nhập một lần theo tệp giai-ngan-dau-ky.csv)" in text
    assert "giải ngân các quý đã tổng hợp từ quý III" in text and quarter["json"]["funds_since"] == Q3.id


def test_the_report_follows_the_plans_order_and_never_breaks_an_id(quarter):
    text = quarter["text"]
    annex = text[text.index("Phụ lục I TÌNH HÌNH THỰC HIỆN TỪNG NHIỆM VỤ"):]
    ids = re.findall(r"\b(PL2\.I{1,3}\.\d+|PL3\.[A-E](?:\.[IVX]+)?\.\d+|IV\.\d\.\d)\b", annex[:annex.index("Phụ lục II")])
    catalog = tasks.load(recipe.load(quarter["recipe"]).tasks)
    order = {t.id: n for n, t in enumerate(catalog.tasks)}
    seen = list(dict.fromkeys(i for i in ids if i in order))
    assert seen == sorted(seen, key=order.__getitem__) and len(seen) == 98
    assert "PL2.I.11" in seen and seen.index("PL2.I.6") < seen.index("PL2.I.11")
    assert not re.search(r"PL\d\.[IVX]*\.? \d", text)  # an id cut by a line break reads "PL2.I. 1"
    # section III: overdue tasks first, each part in the plan's order (never IV.* before PL2.*, PL2.I.11 before PL2.I.6)
    section = text[text.index("III. NHIỆM VỤ CHẬM, QUÁ HẠN"):text.index("Đơn vị chủ trì và đơn vị phối hợp báo cáo khác nhau ở")]
    late = list(dict.fromkeys(i for i in re.findall(r"\b((?:PL[23]|IV)\.[0-9A-Z.]*[0-9])\b", section) if i in order))
    overdue = {t["id"] for t in quarter["json"]["tasks"] if t["overdue"]}
    assert late and late == sorted(late, key=lambda i: (i not in overdue, order[i]))
    assert any(i.startswith("IV.") for i in late) and any(i.startswith("PL2.") for i in late)


def test_the_letters_say_what_arrived_and_what_is_asked(quarter):
    folder = quarter["reports"] / "thu-don-doc"
    letters = {p.name.split("-")[4]: pdf_text(p) for p in folder.glob("*.pdf")}
    assert {"SCT", "SXD", "SYT", "SGDDT"} <= set(letters) and "STTTT" not in letters
    assert f"Báo cáo của Quý đơn vị: gửi qua thư điện tử ngày {quarter['mailed']:%d/%m/%Y}, sau hạn gửi ngày {quarter['deadline']:%d/%m/%Y}" in letters["SCT"]
    assert "là sổ báo cáo quý II năm 2022, không phải quý III năm 2022" in letters["SXD"] and "điền đúng sổ báo cáo quý III năm 2022" in letters["SXD"]
    assert quarter["xls"] in letters["SYT"] and "không dùng được" in letters["SYT"] and "dạng .xlsx" in letters["SYT"]
    assert "chưa nhận được báo cáo" not in letters["SYT"]
    assert "sổ chưa có số liệu nào" in letters["SGDDT"]
    assert "chưa nhận được báo cáo của Quý đơn vị" in letters["SKHDT"]  # nothing arrived from it


def test_the_consolidated_workbook_says_the_same(quarter):
    wb = load_workbook(quarter["out"] / f"tong-hop-{Q3.id}.xlsx")
    ws = wb["Tổng quan"]
    facts = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(4, 16)}
    f = quarter["json"]["figures"]
    assert facts["Nhiệm vụ có đơn vị phối hợp báo cáo khác đơn vị chủ trì"] == f["conflict_tasks"]
    assert facts["Cặp đơn vị chủ trì – phối hợp báo cáo khác nhau"] == f["conflict_pairs"]
    assert "Sở Y tế: đã nhận tệp" in facts["Chưa báo cáo"] and "Sở Công Thương: gửi qua thư điện tử ngày" in facts["Gửi muộn"]
