"""What each unit of a roster was the year before (hue_dx.lineage, checked by campaign.load): every
form of the `previous` column, every lineage case (same, renamed, merged, split, new, removed), and
errors that name the roster file, its line and the column."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from hue_dx import campaign as campaign_mod
from hue_dx import lineage
from hue_dx.campaign import CampaignError
from hue_dx.lineage import MERGED, NEW, RENAMED, SAME, SPLIT, Lineage

ROOT = Path(__file__).resolve().parents[1]
BEFORE = ROOT / "generator" / "campaign-2020.toml"


@pytest.mark.parametrize("text, expected", [
    ("", Lineage(SAME, ("X",))), ("=", Lineage(SAME, ("X",))), ("giữ nguyên", Lineage(SAME, ("X",))), ("same", Lineage(SAME, ("X",))),
    ("X", Lineage(SAME, ("X",))),
    ("đổi tên từ BDT", Lineage(RENAMED, ("BDT",))), ("Doi ten tu BDT", Lineage(RENAMED, ("BDT",))), ("renamed from BDT", Lineage(RENAMED, ("BDT",))),
    ("BDT", Lineage(RENAMED, ("BDT",))),
    ("hợp nhất từ SKHCN; STTTT", Lineage(MERGED, ("SKHCN", "STTTT"))), ("sáp nhập SKHCN và STTTT", Lineage(MERGED, ("SKHCN", "STTTT"))),
    ("merged from A, B + C", Lineage(MERGED, ("A", "B", "C"))), ("SKHCN; STTTT", Lineage(MERGED, ("SKHCN", "STTTT"))),
    ("tách từ SNNPTNT", Lineage(SPLIT, ("SNNPTNT",))), ("split from SNNPTNT", Lineage(SPLIT, ("SNNPTNT",))),
    ("mới", Lineage(NEW)), ("Đơn vị mới", Lineage(NEW)), ("new", Lineage(NEW)),
])
def test_every_form_of_the_previous_column_reads(text, expected):
    assert lineage.parse(text, "X") == expected


@pytest.mark.parametrize("text, says", [
    ("hợp nhất từ A", "ít nhất hai đơn vị"), ("đổi tên từ A; B", "hợp nhất từ A; B"), ("tách từ", "thiếu mã"),
    ("mới từ A", "không có đơn vị trước"), ("đổi tên từ A/B", "'A/B' không phải mã"), ("chưa rõ lắm", "không đọc được"),
    ("hợp nhất từ A; A", "hai lần"), ("giữ nguyên Y", "cùng mã X"),
])
def test_an_unreadable_cell_says_what_to_write(text, says):
    with pytest.raises(lineage.LineageError, match=says):
        lineage.parse(text, "X")


def roster_2020() -> list[dict[str, str]]:
    with (ROOT / "generator" / "roster-hue-2020.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def recipe(tmp: Path, rows: list[dict[str, str]], previous: str = "previous = true") -> Path:
    """A 2021 recipe after the shipped 2020 one, with ``rows`` as its roster (a ``previous`` column)."""
    fields = list(dict.fromkeys(k for row in rows for k in row))
    with (tmp / "roster.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    text = BEFORE.read_text(encoding="utf-8").replace('period = "2020"', 'period = "2021"')
    text = text.replace('roster = "roster-hue-2020.csv"', 'roster = "roster.csv"').replace('archive = "out/luu-tru"', 'archive = "kho-2021"')
    if previous:
        text = text.replace("[issuer]", f'[previous]\nrecipe = "{BEFORE.as_posix()}"\narchive = "kho-2020"\n\n[issuer]', 1)
    (tmp / "dot.toml").write_text(text, encoding="utf-8")
    return tmp / "dot.toml"


def edited(changes: dict[str, dict[str, str]], drop: tuple[str, ...] = (), add: list[dict[str, str]] | None = None) -> list[dict[str, str]]:
    rows = []
    for row in roster_2020():
        if row["code"] in drop:
            continue
        rows.append({**row, "previous": "", **changes.get(row["code"], {})})
    return rows + (add or [])


def test_every_lineage_case_is_read_and_the_removed_units_found(tmp_path):
    rows = edited({"SKHCN": {"previous": "hợp nhất từ SKHCN; STTTT"},
                   "BDT": {"code": "SDTTG", "name": "Sở Dân tộc và Tôn giáo", "previous": "đổi tên từ BDT"},
                   "SGTVT": {"previous": "tách từ SXD"}},  # a part of SXD; SXD goes on as it is
                  drop=("STTTT", "SNGV", "SDL"),
                  add=[{"code": "SVHTTDL", "name": "Sở Văn hóa, Thể thao và Du lịch", "level": "so", "group": "Sở, ban, ngành",
                        "previous": "hợp nhất từ SVHTT; SDL"},
                       {"code": "TTHCC", "name": "Trung tâm Phục vụ hành chính công", "level": "so", "group": "Sở, ban, ngành", "previous": "mới"}])
    rows = [r for r in rows if r["code"] != "SVHTT"]
    c = campaign_mod.load(recipe(tmp_path, rows))
    assert c.previous is not None and c.previous.period == "2020" and c.previous_archive == Path("kho-2020") and c.archive == Path("kho-2021")
    assert c.lineage["SNV"] == Lineage(SAME, ("SNV",))
    assert c.lineage["SDTTG"] == Lineage(RENAMED, ("BDT",))
    assert c.lineage["SKHCN"] == Lineage(MERGED, ("SKHCN", "STTTT"))
    assert c.lineage["SVHTTDL"] == Lineage(MERGED, ("SVHTT", "SDL"))
    assert c.lineage["SGTVT"] == Lineage(SPLIT, ("SXD",)) and c.lineage["SXD"] == Lineage(SAME, ("SXD",))
    assert c.lineage["TTHCC"] == Lineage(NEW)
    assert c.removed == ("SGTVT", "SNGV")  # SGTVT's code goes on as a part of SXD, not as itself; SNGV is gone


def test_a_roster_without_the_column_is_the_same_units(tmp_path):
    c = campaign_mod.load(recipe(tmp_path, roster_2020()))
    assert all(v.kind == SAME for v in c.lineage.values()) and c.removed == ()


@pytest.mark.parametrize("changes, drop, add, says", [
    ({"BDT": {"code": "SDTTG"}}, (), None, "mã SDTTG không có trong danh sách năm trước"),
    ({"BDT": {"code": "SDTTG", "previous": "đổi tên từ BDX"}}, (), None, "mã BDX không có trong danh sách năm trước"),
    ({"SNV": {"previous": "mới"}}, (), None, "mã SNV đã có trong danh sách năm trước"),
    ({"SKHCN": {"previous": "hợp nhất từ SKHCN; STTTT"}}, (), None, "STTTT năm trước đã được đơn vị"),
    ({"SKHCN": {"previous": "hợp nhất từ A"}}, (), None, "hợp nhất cần ít nhất hai đơn vị"),
])
def test_a_wrong_lineage_names_the_roster_file_line_and_column(tmp_path, changes, drop, add, says):
    rows = edited(changes, drop, add)
    code = next(iter(changes))
    line = next(n for n, row in enumerate(rows, start=2) if row["code"] in (code, changes[code].get("code")))
    with pytest.raises(CampaignError) as caught:
        campaign_mod.load(recipe(tmp_path, rows))
    message = str(caught.value)  # (STTTT goes on as itself, line 12: SKHCN, later, is the second claim)
    assert f"roster.csv, dòng {line}, cột previous: " in message and says in message, message


def test_a_recipe_naming_itself_or_its_own_period_as_previous_is_refused(tmp_path):
    path = recipe(tmp_path, roster_2020(), previous="")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[issuer]", '[previous]\nrecipe = "dot.toml"\n\n[issuer]', 1), encoding="utf-8")
    with pytest.raises(CampaignError, match="quay lại một đợt đã có trong chuỗi"):
        campaign_mod.load(path)
    path.write_text(text.replace('period = "2021"', 'period = "2020"').replace("[issuer]", f'[previous]\nrecipe = "{BEFORE.as_posix()}"\n\n[issuer]', 1),
                    encoding="utf-8")
    with pytest.raises(CampaignError, match="cùng kỳ 2020"):
        campaign_mod.load(path)
    path.write_text(text.replace("[issuer]", '[previous]\nrecipe = "khong-co.toml"\n\n[issuer]', 1), encoding="utf-8")
    with pytest.raises(CampaignError, match="không tìm thấy tệp đợt đánh giá năm trước"):
        campaign_mod.load(path)


def test_the_shipped_2021_campaign_follows_2020_with_a_rename_and_a_merger():
    c = campaign_mod.load(ROOT / "generator" / "campaign-2021.toml")
    assert c.previous is not None and c.previous.period == "2020" and c.previous_archive == Path("out") / "luu-tru"
    assert c.archive == Path("out") / "luu-tru-2021" != c.previous.archive
    changed = {code: v for code, v in c.lineage.items() if v.kind != SAME}
    assert changed == {"SKHCN": Lineage(MERGED, ("SKHCN", "STTTT")), "SDTTG": Lineage(RENAMED, ("BDT",))} and c.removed == ()
    assert c.lineage["SKHCN"].words({"SKHCN": "Sở Khoa học và Công nghệ", "STTTT": "Sở Thông tin và Truyền thông"}, "SKHCN") \
        == "hợp nhất với Sở Thông tin và Truyền thông"


def test_each_campaign_keeps_its_own_archive(tmp_path, capsys):
    path = recipe(tmp_path, roster_2020())
    path.write_text(path.read_text(encoding="utf-8").replace('archive = "kho-2021"', 'archive = "kho-2020"'), encoding="utf-8")
    with pytest.raises(CampaignError, match="trùng kho của đợt trước: mỗi đợt một kho"):
        campaign_mod.load(path)
    from hue_dx import cli

    path = recipe(tmp_path, roster_2020())
    assert cli.main(["consolidate", str(tmp_path), "--recipe", str(path), "--archive", "kho-2020", "-o", str(tmp_path / "x.xlsx")]) == 2
    assert "--archive" in capsys.readouterr().err
