"""The tasks file against an independent transcription of the plan (tests/data/plan_*.csv, typed by
hand from the seed), the body registry, who reports what, and the tasks audit."""

from __future__ import annotations

import csv
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from hue_dx import campaign as campaign_mod
from hue_dx import vn
from hue_dx.audit import DECIDED, ERROR, INFO
from hue_dx.tracking import audit, roles, tasks

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
TASKS_FILE = ROOT / "hue_dx" / "catalogs" / "hue-222-2020-tasks.toml"
UNITS = campaign_mod.load_roster(ROOT / "generator" / "roster-hue-2020.csv")


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def cat():
    return tasks.load()


# ------------------------------------------------------------------ the plan, row by row


def test_every_row_of_phu_luc_1_2_3_and_muc_iv_is_transcribed(cat):
    plan = rows("plan_tasks.csv")
    assert len(plan) == 114
    assert [t.id for t in cat.tasks] == [r["id"] for r in plan]
    for row in plan:
        t = cat.task(row["id"])
        assert t.lead == row["lead"], t.id
        assert t.cooperating == row["cooperating"], t.id
        assert t.text.startswith(row["title_start"]), t.id
        if t.appendix == "PL1":
            assert t.target is not None and f"{t.target.value:g}{t.target.unit}" == row["extra"] and t.target.year == 2025, t.id
        elif t.appendix == "PL2":
            assert t.doc_type == row["extra"], t.id
        elif t.appendix == "PL3":
            assert f"{t.start}-{t.end}" == row["extra"], t.id
        else:
            assert row["extra"] == "" and (t.start, t.end) == (2020, 2025)


def test_counts_per_group_are_those_of_the_plan(cat):
    for row in rows("plan_task_counts.csv"):
        assert len(cat.tasks_under(row["group"])) == int(row["rows"]), row["group"]
    assert len(cat.tasks_under("PL1")) == 14
    assert len(cat.tasks_under("PL2")) == 28 and len(cat.tasks_under("PL3")) == 56
    assert [len(cat.tasks_under(f"PL3.{g}")) for g in "ABCDE"] == [30, 7, 4, 4, 11]


def test_every_row_of_phu_luc_5_is_transcribed_with_its_amounts(cat):
    plan = rows("plan_funding.csv")
    assert [r.id for r in cat.budget.rows] == [r["id"] for r in plan]
    for row in plan:
        b = next(r for r in cat.budget.rows if r.id == row["id"])
        assert b.lead == row["lead"], b.id
        assert b.project == "PL3." + b.id[4:]
        for column in tasks.BUDGET_COLUMNS:
            typed = row[f"{column}_billion"]
            expected = None if typed == "-" else round(float(typed) * tasks.BILLION)
            assert b.amounts[column] == expected, (b.id, column)


def test_phu_luc_5_totals_stated_and_summed(cat):
    budget = cat.budget
    assert budget.unit == "đồng"
    assert budget.stated == {"state": 554_500_000_000, "other": 2_177_500_000_000, "total": 2_732_000_000_000}
    assert {k: budget.summed(k) for k in tasks.BUDGET_COLUMNS} == budget.stated
    assert vn.billions(budget.stated["state"]) == "554,5 tỷ đồng"
    assert vn.billions(budget.stated["other"]) == "2.177,5 tỷ đồng"
    assert vn.whole(budget.stated["total"]) == "2.732.000.000.000"
    no_amount = [r.id for r in budget.rows if r.total is None]
    assert no_amount == ["PL5.A.II.5", "PL5.A.II.7", "PL5.C.3", "PL5.C.4", "PL5.D.1", "PL5.E.11"]
    assert all(budget.by_project[t.id] for t in cat.tasks_under("PL3"))


def test_printed_amounts_are_kept_as_printed(cat):
    row = cat.budget.by_project["PL3.A.I.6"]
    assert dict(row.printed) == {"state": "2.500.000.000", "other": "1.500.000.000", "total": "4.000.000.000"}
    assert cat.budget.by_project["PL3.A.II.5"].printed["total"] == "-"
    with pytest.raises(tasks.TasksError, match="không đúng dạng"):
        tasks.parse_amount("2,5 tỷ", "PL5.X")


def test_broken_rows_of_the_plan_are_transcribed_as_printed_with_a_decision(cat):
    joined = cat.task("PL2.II.3")  # printed across a page break
    assert joined.text == "Tổ chức ít nhất 15 cuộc họp, hội nghị do Chủ tịch UBND tỉnh chủ trì về chuyển đổi số"
    assert joined.doc_type == "Hội thảo, hội ngị" and {d.topic for d in joined.decisions} == {"dòng bị ngắt", "lỗi in"}
    assert "trục LGSP" in cat.task("PL3.A.III.4").text and "trực LGSP" in cat.budget.by_project["PL3.A.III.4"].text
    assert cat.budget.by_project["PL3.A.III.4"].decisions
    assert cat.task("IV.2.2").text.endswith("giai đoạn 2021-2025 định hướng 2030, trình phê duyệt triển khai cho giai đoạn.")
    assert cat.task("PL2.I.13").doc_type == "" and cat.task("PL2.I.13").decisions
    assert cat.reporting["receiver"] == "Sở Thông tin Thông tin và Truyền thông"


def test_the_tasks_file_is_nfc_and_listed_apart_from_criteria_catalogs():
    from hue_dx import catalog as catalog_mod

    assert unicodedata.is_normalized("NFC", TASKS_FILE.read_text(encoding="utf-8"))
    assert "hue-222-2020-tasks" not in catalog_mod.available()
    assert tasks.available() == ["hue-222-2020-tasks"]


# -------------------------------------------------------------------------------- bodies


def test_every_cell_resolves_to_known_bodies(cat):
    cells = [t.lead for t in cat.tasks] + [t.cooperating for t in cat.tasks if t.cooperating] + [r.lead for r in cat.budget.rows]
    for cell in cells:
        found = cat.resolve(cell)
        assert found.mentions and not found.unresolved, cell


def test_group_names_with_commas_are_read_whole(cat):
    found = cat.resolve("Các sở, ban, ngành; Doanh nghiệp")
    assert [b.code for b in found.bodies] == ["SBN", "DN"]
    assert [b.code for b in cat.resolve("Văn phòng UBND tỉnh, sở Nội vụ").bodies] == ["VPUBND", "SNV"]
    assert [b.code for b in cat.resolve("Sở Công Thương/ Sở TNMT").bodies] == ["SCT", "STNMT"]
    unknown = cat.resolve("Sở Nội vụ, Công an tỉnh")
    assert unknown.unresolved == ("Công an tỉnh",)


def test_bodies_map_to_the_roster(cat):
    def units(code):
        return roles.units_of(cat.bodies_by_code[code], UNITS)

    assert len(units("SBN")) == 21 and "VPUBND" in units("SBN") and "TPHUE" not in units("SBN")
    assert len(units("SNDP")) == 30 and len(units("HUYEN")) == 9
    assert units("STTTT") == ("STTTT",) and units("NHNN") == () and units("DN") == ()
    receiver = cat.resolve(cat.reporting["receiver"]).mentions[0]
    assert receiver.body.unit == "STTTT" and receiver.spelling in receiver.body.typos


# ---------------------------------------------------------------------------------- roles


def test_who_reports_what(cat):
    duties = roles.duties(cat, UNITS)
    stttt = duties["STTTT"]
    assert {"PL3.C.4", "IV.5.1", "IV.5.4"} <= stttt.on_behalf  # external leads
    assert stttt.role("PL3.C.4") == roles.ON_BEHALF and stttt.role("PL1.2") == roles.LEAD
    assert stttt.role("PL1.4") == roles.LEAD  # collective lead wins over its cooperating cell
    for code in ("TPHUE", "HALUOI"):
        assert [t.id for t in duties[code].lead] == ["IV.8.1"] and not duties[code].cooperate
    assert duties["SCT"].role("PL3.E.9") == roles.LEAD and duties["STNMT"].role("PL3.E.9") == roles.LEAD
    assert duties["SYT"].role("PL1.3") == roles.COOPERATE
    assert duties["SNGV"].role("IV.4.1") == roles.LEAD
    for duty in duties.values():  # a duplicated duty is reported at the appendix row only
        assert duty.role("IV.3.1") is None and duty.role("IV.3.3") is None
        assert not {t.id for t in duty.lead} & {t.id for t in duty.cooperate}
        assert not duty.empty
    assert duties["SKHCN"].role("PL3.E.11") == roles.LEAD and duties["SKHCN"].role("PL2.II.6") == roles.LEAD


# ---------------------------------------------------------------------------------- audit


def test_the_shipped_file_passes_its_audit(cat):
    findings = audit.audit(cat, UNITS)
    assert not audit.has_errors(findings), [f for f in findings if f.severity == ERROR]
    totals = [f.message for f in findings if f.topic == audit.TOPIC_TOTAL and f.severity == INFO]
    assert any("554.500.000.000" in m and "khớp" in m for m in totals)
    decided = {(f.code, f.topic) for f in findings if f.severity == DECIDED}
    assert ("PL5.E.3", "khác Phụ lục 3") in decided and ("PL5.D.1", "không có kinh phí") in decided
    assert ("IV.8", audit.TOPIC_BODY) in decided  # the "Thông tin Thông tin" typo where it is used
    counts = {f.code: f.message for f in findings if f.topic == audit.TOPIC_COUNT}
    assert "22 văn bản, 6 chương trình" in counts["PL2"]


def broken(text: str, old: str, new: str) -> tasks.TaskCatalog:
    assert old in text
    return tasks.parse(text.replace(old, new, 1).encode("utf-8"), "broken.toml")


@pytest.mark.parametrize("old, new, code, words", [
    ('state = "5.000.000.000"\nother = "20.000.000.000"', 'state = "6.000.000.000"\nother = "20.000.000.000"', "PL5.A.I.1", "Kế hoạch in tổng"),
    ('stated = { state = "554.500.000.000"', 'stated = { state = "555.500.000.000"', "PL5", "lệch 1.000.000.000"),
    ('lead = "Sở Du lịch"', 'lead = "Sở Du lịch, Công an tỉnh"', "PL3.E.4", "Công an tỉnh"),
    ('project = "PL3.B.7"', 'project = "PL3.B.8"', "PL5.B.7", "không có ở Phụ lục 3"),
    ('text = "Triển khai Wifi công cộng phục vụ du khách, người dân."\nlead = "Sở TT&TT"',
     'text = "Triển khai Wifi công cộng phục vụ du khách."\nlead = "Sở TT&TT"', "PL5.D.4", "lời văn khác"),
    ('years = "2021 – 2022"', 'years = "2021 – 2027"', "PL3.A.V.2", "ngoài giai đoạn"),
    ('reported_by = "STTTT"\nspellings = ["Chi nhánh', 'spellings = ["Chi nhánh', "PL3.C.4", "báo cáo thay"),
])
def test_the_audit_finds_broken_files(old, new, code, words):
    cat = broken(TASKS_FILE.read_text(encoding="utf-8"), old, new)
    errors = [f for f in audit.audit(cat, UNITS) if f.severity == ERROR]
    assert any(f.code == code and words in f.message for f in errors), errors


def test_a_row_printing_no_amount_needs_a_decision():
    text = TASKS_FILE.read_text(encoding="utf-8")
    start = text.index('id = "PL5.E.11"')
    cut = text[:start] + text[start:].split("[[budget.rows.decisions]]")[0] + "\n" + text[start:].split("\n\n", 1)[1]
    errors = [f for f in audit.audit(tasks.parse(cut.encode(), "x.toml"), UNITS) if f.severity == ERROR]
    assert any(f.code == "PL5.E.11" and "cần ghi quyết định" in f.message for f in errors)


def test_the_audit_checks_bodies_against_the_roster(cat):
    roster = [u for u in UNITS if u.code != "SNGV"]
    errors = [f for f in audit.audit(cat, roster) if f.severity == ERROR]
    assert any(f.code == "SNGV" and "không có trong danh sách" in f.message for f in errors)


def test_a_malformed_file_says_where():
    with pytest.raises(tasks.TasksError, match="nhiệm vụ PL3.A.I.1: năm thực hiện"):
        broken(TASKS_FILE.read_text(encoding="utf-8"), 'years = "2020 - 2022"', 'years = "2020 đến 2022"')


def test_the_tracking_core_imports_no_excel_library():
    code = ("import sys, hue_dx.tracking.tasks, hue_dx.tracking.roles, hue_dx.tracking.audit, hue_dx.tracking.periods, "
            "hue_dx.tracking.answers, hue_dx.tracking.names, hue_dx.tracking.recipe, hue_dx.tracking.cli; "
            "print(sorted(m for m in ['openpyxl', 'xlwings', 'jinja2', 'pandas', 'numpy'] if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
