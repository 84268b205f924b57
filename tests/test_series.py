"""Results against the years before (hue_dx.series), on small years made by hand: each lineage case
(same, renamed, merged, split, new, removed), ranks, averages and distribution, the leaders, the
history through several years, and two criteria sets that compare only what the newer declares."""

from __future__ import annotations

import dataclasses

import pytest

import hue_dx
from hue_dx import catalog as catalog_mod
from hue_dx import series
from hue_dx.catalog import Comparable
from hue_dx.lineage import MERGED, NEW, RENAMED, SAME, SPLIT, Lineage

OLD = hue_dx.load_catalog()  # hue-222-2020: pillars 1..7
NEW_SET = catalog_mod.load("mau-thu-nghiem-2026")  # pillars 1..6, declares [comparable] with hue-222-2020
DEPTS = "Sở, ban, ngành"


def figures(catalog, code, index, rank, group=DEPTS, pillar=None, name=None):
    """A unit's figures: every pillar at ``pillar`` (else the index), rank 1 in each pillar when it is first."""
    value = index if pillar is None else pillar
    pillars = {p.code: series.PillarFigures(value, rank, 10 * (value or 0), 10) for p in catalog.pillars}
    return series.Figures(code, name or f"Đơn vị {code}", group, "so", index, rank, 100 * (index or 0), 100, pillars,
                          tuple(0.5 * n for n in range(len(catalog.criteria))))


def year(period, catalog, units, lineage=None, roster=None, removed=(), reason=""):
    roster = roster or {f.code: (f.name, f.group) for f in units}
    return series.Year(period, catalog, {f.code: f for f in units} if not reason else {}, roster, lineage or {}, removed, reason)


def test_the_same_unit_compares_its_index_rank_and_pillars_as_published():
    before = year("2020", OLD, [figures(OLD, "A", 0.61234, 2), figures(OLD, "B", 0.7, 1)])
    now = year("2021", OLD, [figures(OLD, "A", 0.70006, 1), figures(OLD, "B", 0.69994, 2)], {"A": Lineage(SAME, ("A",)), "B": Lineage(SAME, ("B",))})
    k = series.compare(now, [before])
    a = k.unit("A")
    assert a.index.before == 0.6123 and a.index.delta == round(0.7001 - 0.6123, 4) == 0.0878  # rounded first, as printed
    assert a.rank_before == 2 and a.rank_change == 1 and series.rank_words(a) == "tăng 1 bậc" and a.rule == "cùng đơn vị"
    assert series.change_text(a.index) == "+0,0878" and series.standing_text(a) == "0,6123 · hạng 2"
    assert k.unit("B").rank_change == -1 and series.rank_words(k.unit("B")) == "giảm 1 bậc"
    assert all(c.compared for c in a.pillars.values()) and len(a.criteria) == len(OLD.criteria)
    record = a.previous()
    assert record["period"] == "2020" and record["index"] == 0.6123 and record["rank"] == 2 and record["index_change"] == 0.0878
    assert record["pillars"]["5"] == {"index": 0.6123, "change": 0.0878, "reason": ""}


def test_a_renamed_unit_is_compared_with_what_it_was_and_keeps_its_rank_history():
    before = year("2020", OLD, [figures(OLD, "BDT", 0.5, 3, name="Ban Dân tộc tỉnh")])
    now = year("2021", OLD, [figures(OLD, "SDTTG", 0.6, 1)], {"SDTTG": Lineage(RENAMED, ("BDT",))})
    u = series.compare(now, [before]).unit("SDTTG")
    assert u.index.delta == 0.1 and u.rank_change == 2 and u.basis == ("BDT",) and "Ban Dân tộc tỉnh" in u.rule
    assert [(h.period, h.index, h.rank) for h in u.history] == [("2020", 0.5, 3), ("2021", 0.6, 1)]


def test_a_merged_unit_is_compared_with_the_mean_of_its_predecessors_and_no_rank():
    before = year("2020", OLD, [figures(OLD, "SKHCN", 0.7218, 7), figures(OLD, "STTTT", 0.8721, 2), figures(OLD, "X", 0.3, 9)],
                  roster={"SKHCN": ("Sở KH&CN", DEPTS), "STTTT": ("Sở TT&TT", DEPTS), "X": ("X", DEPTS), "Y": ("Sở Y", DEPTS)})
    now = year("2021", OLD, [figures(OLD, "SKHCN", 0.8409, 4), figures(OLD, "Z", 0.5, 5)],
               {"SKHCN": Lineage(MERGED, ("SKHCN", "STTTT")), "Z": Lineage(MERGED, ("X", "Y"))})
    k = series.compare(now, [before])
    m = k.unit("SKHCN")
    assert m.index.before == round((0.7218 + 0.8721) / 2, 4) == 0.797 and m.index.delta == 0.0439
    assert m.rank_change is None and m.rank_reason == "hợp nhất: không so sánh hạng" and m.previous()["rank"] is None
    assert "hạng 7" in m.rule and "hạng 2" in m.rule and series.standing_text(m) == "0,7970 (bình quân 2 đơn vị)"
    z = k.unit("Z")  # one predecessor sent nothing: the mean of those that did, and it says so
    assert z.index.before == 0.3 and z.basis == ("X",) and "Sở Y chưa gửi sổ năm 2020, không tính" in z.rule
    assert m.history[0].note.startswith("bình quân của") and m.history[0].rank is None


def test_a_merged_unit_whose_predecessors_all_sent_nothing_is_not_compared():
    before = year("2020", OLD, [figures(OLD, "Q", 0.4, 1)], roster={"Q": ("Q", DEPTS), "A": ("Sở A", DEPTS), "B": ("Sở B", DEPTS)})
    now = year("2021", OLD, [figures(OLD, "AB", 0.5, 1)], {"AB": Lineage(MERGED, ("A", "B"))})
    u = series.compare(now, [before]).unit("AB")
    assert not u.compared and u.previous() is None and u.why == "năm 2020 Sở A, Sở B chưa gửi sổ có số liệu"


def test_units_split_from_one_are_each_compared_with_the_whole_without_rank():
    before = year("2020", OLD, [figures(OLD, "SNN", 0.6, 3, name="Sở NN")])
    now = year("2021", OLD, [figures(OLD, "SNN", 0.65, 2), figures(OLD, "SMT", 0.55, 4)],
               {"SNN": Lineage(SAME, ("SNN",)), "SMT": Lineage(SPLIT, ("SNN",))})
    k = series.compare(now, [before])
    assert k.unit("SNN").rank_change == 1  # the part that goes on as the unit keeps its rank
    s = k.unit("SMT")
    assert s.index.before == 0.6 and s.index.delta == -0.05 and s.rank_change is None and s.rank_reason == "tách: không so sánh hạng"
    assert "trước khi tách" in s.rule


def test_a_new_unit_is_new_never_a_change_and_a_removed_one_is_listed():
    before = year("2020", OLD, [figures(OLD, "OLD1", 0.4, 1)], roster={"OLD1": ("Sở cũ", DEPTS)})
    now = year("2021", OLD, [figures(OLD, "N", 0.8, 1)], {"N": Lineage(NEW)}, removed=("OLD1",))
    k = series.compare(now, [before])
    u = k.unit("N")
    assert u.is_new and u.index.delta is None and u.previous() is None and u.why == "đơn vị mới năm 2021"
    assert series.standing_text(u) == "mới" and series.rank_words(u) == "mới" and "%" not in series.change_text(u.index)
    assert k.removed == (("OLD1", "Sở cũ"),)


def test_a_unit_whose_group_changed_compares_its_index_but_not_its_rank():
    before = year("2020", OLD, [figures(OLD, "A", 0.5, 1, group="UBND cấp huyện")])
    now = year("2021", OLD, [figures(OLD, "A", 0.6, 3, group="UBND xã, phường")], {"A": Lineage(SAME, ("A",))})
    u = series.compare(now, [before]).unit("A")
    assert u.index.delta == 0.1 and u.rank_change is None and u.rank_reason == "nhóm xếp hạng khác năm 2020 (UBND cấp huyện)"


def test_averages_distribution_and_leaders_against_the_year_before():
    before = year("2020", OLD, [figures(OLD, "A", 0.4, 2), figures(OLD, "B", 0.52, 1)])
    now = year("2021", OLD, [figures(OLD, "A", 0.61, 1), figures(OLD, "B", 0.55, 2), figures(OLD, "C", 0.1, 3)],
               {"A": Lineage(SAME, ("A",)), "B": Lineage(SAME, ("B",)), "C": Lineage(NEW)})
    g = series.compare(now, [before]).groups[0]
    assert g.average.now == round((0.61 + 0.55 + 0.1) / 3, 4) and g.average.before == 0.46 and g.average.delta == round(0.42 - 0.46, 4)
    assert g.at_least_half == (2, 1) and g.bands == ((1, 0, 1, 1, 0), (0, 0, 2, 0, 0))  # 0,1; 0,55; 0,61 — 0,4; 0,52
    assert g.ranked == 3 and g.ranked_before == 2
    assert g.leaders["1"] == ((("Đơn vị A", 0.61),), (("Đơn vị B", 0.52),))
    assert series.percent_text(g.average) == "−8,7%"  # an average's relative change, for averages only


def test_a_year_that_cannot_be_read_makes_every_comparison_say_why():
    gap = year("2020", OLD, [], reason="không có kho lưu trữ out/luu-tru (sổ cái ledger.sqlite)", roster={"A": ("A", DEPTS)})
    now = year("2021", OLD, [figures(OLD, "A", 0.6, 1)], {"A": Lineage(SAME, ("A",))})
    k = series.compare(now, [gap])
    assert not k.available and k.previous == "2020" and "không có kho lưu trữ" in k.reason
    assert k.unit("A").previous() is None and "chưa đọc được kết quả năm 2020" in k.unit("A").why
    none = series.compare(now, [])
    assert none.previous == "" and none.unit("A").why == "đợt 2021 không có đợt trước (mục [previous] của tệp đợt đánh giá)"


# ------------------------------------------------------------------ two criteria sets


def test_the_sample_set_declares_what_compares_with_the_2020_set():
    declared = NEW_SET.comparable
    assert declared == Comparable("hue-222-2020", True, {"2": "3", "3": "4", "5": "6", "6": "7"}, declared.note) and declared.note


def test_on_different_sets_only_what_the_newer_declares_compares_and_the_rest_says_so():
    before = year("2020", OLD, [figures(OLD, "A", 0.5, 2), figures(OLD, "B", 0.6, 1)])
    a_now = dataclasses.replace(figures(NEW_SET, "A", 0.7, 1), pillars={
        p.code: series.PillarFigures(0.1 * int(p.code), 1, 1, 10) for p in NEW_SET.pillars})
    now = year("2026", NEW_SET, [a_now, figures(NEW_SET, "B", 0.65, 2)], {"A": Lineage(SAME, ("A",)), "B": Lineage(SAME, ("B",))})
    k = series.compare(now, [before])
    assert not k.bridge.same and k.bridge.index and k.bridge.pillars == {"2": "3", "3": "4", "5": "6", "6": "7"} and not k.bridge.criteria
    a = k.unit("A")
    assert a.index.delta == 0.2 and a.rank_change == 1  # the overall index is declared comparable: so is its rank
    assert a.pillars["2"].before == 0.5 and a.pillars["2"].delta == round(0.2 - 0.5, 4)  # this set's pillar 2 against 2020's pillar 3
    for code in ("1", "4"):
        assert not a.pillars[code].compared and a.pillars[code].reason.startswith("không so sánh được: trụ cột")
        assert series.change_text(a.pillars[code]) == "không so sánh được"
    assert a.criteria == ()  # never criterion by criterion across sets
    record = a.previous()
    assert record["pillars"]["1"] == {"index": None, "change": None, "reason": a.pillars["1"].reason}
    assert "mau-thu-nghiem-2026" in k.bridge.reason and "chỉ số chung" in k.bridge.reason


def test_on_different_sets_with_nothing_declared_nothing_compares():
    undeclared = dataclasses.replace(NEW_SET, comparable=None)
    before = year("2020", OLD, [figures(OLD, "A", 0.5, 2)])
    now = year("2026", undeclared, [figures(undeclared, "A", 0.7, 1)], {"A": Lineage(SAME, ("A",))})
    k = series.compare(now, [before])
    a = k.unit("A")
    assert not a.compared and a.previous() is None and a.rank_change is None
    assert a.why == "không so sánh được: bộ tiêu chí mau-thu-nghiem-2026 khác bộ hue-222-2020 và không khai báo phần nào so sánh được với bộ đó"
    assert not k.groups[0].average.compared and k.groups[0].average.reason.startswith("không so sánh được")


def test_history_and_trend_follow_the_lineage_and_leave_out_a_set_that_does_not_compare():
    y2019 = year("2019", dataclasses.replace(OLD, id="bo-2019"), [figures(OLD, "X", 0.2, 5), figures(OLD, "Y", 0.4, 3)])
    y2020 = year("2020", OLD, [figures(OLD, "X", 0.3, 4), figures(OLD, "Y2", 0.5, 2)],
                 {"X": Lineage(SAME, ("X",)), "Y2": Lineage(RENAMED, ("Y",))})
    now = year("2021", OLD, [figures(OLD, "XY", 0.6, 1)], {"XY": Lineage(MERGED, ("X", "Y2"))})
    k = series.compare(now, [y2019, y2020])
    history = k.unit("XY").history
    assert [(h.period, h.index, h.rank) for h in history] == [("2019", 0.3, None), ("2020", 0.4, None), ("2021", 0.6, 1)]
    assert not history[0].compared and "không so sánh được" in history[0].note and history[1].compared
    assert [(p.period, p.compared) for p in k.trend] == [("2019", False), ("2020", True), ("2021", True)]
    assert k.trend[1].averages == {DEPTS: 0.4}


def test_a_comparable_table_is_checked_when_a_catalog_loads(tmp_path):
    text = (catalog_mod.Path(catalog_mod.__file__).parent / "catalogs" / "mau-thu-nghiem-2026.toml").read_text(encoding="utf-8")
    for wrong, says in (('pillars = { 9 = "3" }', "không phải trụ cột của bộ này"), ('index = "có"', "index phải là true hoặc false"),
                        ('pillars = { 2 = "3", 3 = "3" }', "được ghép với hai trụ cột"), ('catalog = "mau-thu-nghiem-2026"', "là chính bộ này"),
                        ('extra = 1', "khóa không dùng")):
        key = wrong.split(" = ")[0]
        changed = "\n".join(wrong if line.startswith(key + " = ") and "[comparable]" in text else line for line in text.splitlines())
        if key == "extra":
            changed = text.replace("[comparable]\n", "[comparable]\nextra = 1\n")
        path = tmp_path / "x.toml"
        path.write_text(changed, encoding="utf-8")
        with pytest.raises(catalog_mod.CatalogError, match=says):
            catalog_mod.load(path)


def test_a_comparable_declaration_written_in_the_criteria_workbook_builds_into_the_set(tmp_path):
    from openpyxl import load_workbook

    from hue_dx import catalog_book

    book = tmp_path / "bo.xlsx"
    book.write_bytes(catalog_book.write(OLD))
    wb = load_workbook(book)
    ws = wb["Thông tin chung"]
    rows = {ws.cell(r, 2).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(rows["id"], 3).value = "bo-2021"
    for key, value in (("comparable.catalog", "hue-222-2020"), ("comparable.index", "Có"), ("comparable.pillars", "1 = 1; 2 = 2")):
        ws.cell(rows[key], 3).value = value
    wb.save(book)
    built = catalog_book.build(book)
    assert built.catalog is not None, [(i.code, i.cell, i.message) for i in built.issues]
    assert built.catalog.comparable == Comparable("hue-222-2020", True, {"1": "1", "2": "2"}, "")
    link = series.bridge(built.catalog, OLD)
    assert link.index and link.pillars == {"1": "1", "2": "2"} and not link.same and not link.criteria


def test_the_demo_fills_a_workbook_fast_with_the_cells_openpyxl_would_write(tmp_path):
    """fill_fast (the demo's) and fill (openpyxl) give workbooks that check identically, mistakes included."""
    import hashlib
    import random

    from hue_dx import campaign as campaign_mod
    from hue_dx import demo
    from hue_dx.generate import generate
    from hue_dx.intake.check import Context, check_file
    from hue_dx.workbook.fill import fill, fill_fast

    campaign = campaign_mod.load(None)
    units = [campaign.unit(code) for code in ("SXD", "HPVANG")]
    made = generate(OLD, campaign, tmp_path, units)
    ctx = Context.create(OLD, campaign)
    for g, unit in zip(made, units, strict=True):
        blank = (tmp_path / g.path).read_bytes()
        inputs = demo.unit_inputs(OLD, unit.code, unit.level)
        typed = {code: {**values, **demo.MISTAKES[unit.code].get(code, {})} for code, values in inputs.items()}
        contacts = demo.demo_contacts(unit.code, unit.level, random.Random(1))
        evidence = {"1.1.1": {"number": "12/KH", "date": "01/02/2020", "title": "=Kế hoạch", "link": "https://x.vn"}}
        slow, fast = fill(blank, typed, contacts, evidence), fill_fast(blank, typed, contacts, evidence)
        a = check_file(slow, "a.xlsx", hashlib.sha256(slow).hexdigest(), ctx, details=True)
        b = check_file(fast, "b.xlsx", hashlib.sha256(fast).hexdigest(), ctx, details=True)
        assert (a.criteria, a.typed, a.evidence, a.contacts) == (b.criteria, b.typed, b.evidence, b.contacts)
        assert sorted((i.code, i.cell) for i in a.issues) == sorted((i.code, i.cell) for i in b.issues)
        assert b.evidence["1.1.1"][2] == "=Kế hoạch"  # a text beginning with "=" stays text
