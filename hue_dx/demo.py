"""`hue-dx demo`: the whole chain on built-in data, for a newcomer and for the README.

1. generate the province's workbooks (the default campaign and roster);
2. fill them as the units would: realistic figures, a few typical mistakes, one unit that
   sends a corrected file a week later, one renamed file, three units that send nothing;
3. consolidate the returned files (archive, ledger, ranking workbook, JSON, CSV);
4. print the reports: the province's ranking and one unit's self-assessment (PDF and HTML).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from .campaign import Campaign
from .catalog import Catalog, Criterion
from .data import shipped

NOT_SENT = ("SNGV", "BDT", "HNDONG")  # three units that never send their file
MISTAKES: dict[str, dict[str, dict[str, object]]] = {  # typical mistakes: text where numbers belong, parts larger than the whole, blanks
    "SXD": {"5.1.1": {"a": "1.234", "b": "mười"}},
    "STNMT": {"5.2.1": {"a": 100, "b": 40, "c": 70}},
    "HPVANG": {"7.1.1": {"a": None, "b": 12}, "2.1.1": {"a": "x"}},
}


def synthetic_inputs(c: Criterion, effort: float, rng: random.Random) -> dict[str, object]:
    """Plausible figures for one criterion from a unit whose work is about ``effort`` (0–1)."""
    share = min(1.0, max(0.0, rng.gauss(effort, 0.15)))
    if c.kind in ("proportional", "threshold", "step"):
        target = float(c.params.get("target", 1) or 1)
        den = rng.randint(2, 12) if target > 1 else rng.randint(20, 400)
        if c.input(c.params["den"][0]).type == "amount":
            den = rng.randint(20, 80) * 1_000_000_000
        values: dict[str, object] = {i.key: 0 for i in c.inputs}
        if len(c.params["den"]) > 1:  # 5.9: levels 3 and 4 pooled
            a, cc = rng.randint(20, 120), rng.randint(10, 80)
            return {"a": a, "b": int(a * share * 0.9), "c": cc, "d": int(cc * share)}
        ratio = share * (target * 1.3 if c.kind != "proportional" else 1)
        num = den * ratio if c.params.get("over") == "cap" else min(den, den * ratio)
        values[c.params["den"][0]] = den
        key = c.params["num"][0]
        values[key] = int(num) if c.input(key).type == "count" else round(num, -3)
        return values
    if c.kind == "weighted_shares":
        den = rng.randint(50, 3000)
        values = {c.params["den"][0]: den}
        room = den
        for key in c.params["weights"]:
            take = int(room * min(1.0, max(0.0, rng.gauss(effort, 0.2))) * 0.8)
            values[key], room = take, room - take
        return values
    if c.kind == "per_item":
        return {p["input"]: ("Có" if rng.random() < effort else "Không") if c.input(p["input"]).type == "yesno"
                else int(rng.random() * 6 * effort + 0.5) for p in c.params["parts"]}
    if c.kind in ("yes_no", "checklist"):
        return {i.key: "Có" if rng.random() < effort + 0.1 else "Không" for i in c.inputs}
    choices = c.inputs[0].choices
    return {"a": choices[0] if rng.random() < effort else choices[1] if rng.random() < 0.5 else choices[-1]}


def unit_inputs(catalog: Catalog, code: str, level: str) -> dict[str, dict[str, object]]:
    sample = shipped("samples") / f"{code}.json"
    if sample.is_file():
        return json.loads(sample.read_text(encoding="utf-8"))["inputs"]
    rng = random.Random(code)
    effort = 0.35 + 0.6 * rng.random()
    return {c.code: synthetic_inputs(c, effort, rng) for c in catalog.criteria if c.applies(level)}


def _evidence(catalog: Catalog, inputs: dict, rng: random.Random) -> dict[str, dict[str, str]]:
    out = {}
    for n, c in enumerate(catalog.criteria):
        if c.code in inputs and rng.random() < 0.7:
            out[c.code] = {"number": f"{100 + n}/KH-UBND", "date": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2020",
                           "title": f"Văn bản làm căn cứ cho tiêu chí {c.code}"}
    return out


FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
GIVEN = ("Văn An", "Thị Bình", "Hữu Cường", "Thị Dung", "Quang Hải", "Thị Hoa", "Minh Khoa", "Thị Lan", "Đức Long", "Thị Mai",
         "Công Nam", "Thị Nga", "Xuân Phúc", "Thị Quỳnh", "Văn Sơn", "Thanh Tâm", "Ngọc Thảo", "Đình Trung", "Thị Vân", "Quốc Việt")
HEAD_TITLE = {"so": ("Giám đốc", "Phó Giám đốc"), "huyen": ("Chủ tịch", "Phó Chủ tịch")}
HEAD_OF = {"VPUBND": ("Chánh Văn phòng", "Phó Chánh Văn phòng"), "TTT": ("Chánh Thanh tra", "Phó Chánh Thanh tra"),
           "BDT": ("Trưởng ban", "Phó Trưởng ban"), "BQLKKT": ("Trưởng ban", "Phó Trưởng ban")}


def demo_contacts(code: str, level: str, rng: random.Random) -> dict[str, str]:
    """The unit sheet as a unit fills it: a preparer and a head with their positions (some heads sign as deputies)."""
    def person() -> str:
        return f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}"

    titles = HEAD_OF.get(code) or HEAD_TITLE.get(level, ("Thủ trưởng đơn vị", "Phó Thủ trưởng đơn vị"))
    return {"unit_preparer": person(), "unit_preparer_title": "Chuyên viên", "unit_phone": f"0234.38{rng.randint(10000, 99999)}",
            "unit_email": f"{code.lower()}@thuathienhue.gov.vn", "unit_head": person(),
            "unit_head_title": titles[1] if rng.random() < 0.3 else titles[0]}


@dataclass
class DemoOutputs:
    workbooks: Path
    returned: Path
    ranking: Path
    report_pdf: Path
    report_html: Path
    unit_pdf: Path
    archive: Path
    csv: Path
    json: Path
    drafts: Path  # the e-mail to each unit carrying its workbook (.eml drafts)


def run(catalog: Catalog, campaign: Campaign, folder: Path, say=print) -> DemoOutputs:
    from . import reports
    from .files import write_atomic
    from .generate import generate
    from .intake.check import Context
    from .intake.consolidate import consolidate, detailed
    from .intake.outputs import write_csv, write_json, write_workbook
    from .workbook.fill import fill, set_saved_time

    workbooks, returned = folder / "1-so-danh-gia", folder / "2-so-gui-ve"
    archive = folder / "luu-tru"
    made = generate(catalog, campaign, workbooks)
    drafts = write_drafts(campaign, workbooks, archive)
    say(f"1. Đã tạo {len(made)} sổ đánh giá: {workbooks}; thư gửi từng đơn vị kèm sổ (thư nháp .eml, mở bằng Outlook, Thunderbird): {drafts}")
    returned.mkdir(parents=True, exist_ok=True)
    sent = 0
    for g in made:
        if g.unit in NOT_SENT:
            continue
        unit = campaign.unit(g.unit)
        inputs = unit_inputs(catalog, unit.code, unit.level)
        rng = random.Random("evidence" + unit.code)
        contacts = demo_contacts(unit.code, unit.level, rng)
        blank = (workbooks / g.path).read_bytes()
        mistakes = MISTAKES.get(unit.code, {})
        first = {code: {**values, **mistakes.get(code, {})} for code, values in inputs.items()}
        first.update({code: v for code, v in mistakes.items() if code not in first})
        name = g.path if unit.code != "SYT" else "Bao cao chuyen doi so - So Y te.xlsx"  # renamed by the unit
        path = returned / name
        saved = "2020-12-20T09:00:00Z"
        write_atomic(path, set_saved_time(fill(blank, first, contacts, _evidence(catalog, inputs, rng)), saved))
        sent += 1
        if unit.code == "STNMT":  # a corrected file, a week later (after the deadline: late)
            later = returned / "sua-lan-2" / g.path
            write_atomic(later, set_saved_time(fill(blank, inputs, contacts, _evidence(catalog, inputs, rng)), "2020-12-27T09:00:00Z"))

    say(f"2. {sent} đơn vị đã điền và gửi lại sổ (một đơn vị gửi bản sửa, một tệp bị đổi tên, "
        f"{len(NOT_SENT)} đơn vị không gửi): {returned}")

    out = folder / "3-tong-hop"
    ctx = Context.create(catalog, campaign)
    result = consolidate(catalog, campaign, [returned], archive, context=ctx)
    ranking, json_path, csv_dir = out / f"xep-hang-{campaign.period}.xlsx", out / f"xep-hang-{campaign.period}.json", out / "csv"
    write_workbook(result, ranking)
    write_json(result, json_path)
    write_csv(result, csv_dir)
    ranked = sum(1 for rows in result.groups.values() for r in rows if r.result)
    say(f"3. Đã tổng hợp {result.seen} tệp, xếp hạng {ranked} đơn vị, {len(result.missing)} chưa gửi: {ranking}")

    printed = folder / "4-bao-cao"
    report = reports.ranking_report(result)
    report_pdf, report_html = printed / f"bao-cao-xep-hang-{campaign.period}.pdf", printed / f"bao-cao-xep-hang-{campaign.period}.html"
    reports.write_pdf(report, report_pdf)
    reports.write_html(report, report_html)
    sample_unit = next(r for r in result.groups[campaign.unit("STTTT").group] if r.unit.code == "STTTT")
    # Read back from the archive, as a clerk's later `hue-dx report unit` would: the name the
    # consolidation stored is the path as given on the command line, relative or not.
    unit_pdf = printed / "phieu-tu-danh-gia-STTTT.pdf"
    reports.write_pdf(reports.unit_report(catalog, campaign, detailed(result, sample_unit, ctx)), unit_pdf)
    say(f"4. Báo cáo in: {report_pdf} (và .html), phiếu của Sở Thông tin và Truyền thông: {unit_pdf}")
    return DemoOutputs(workbooks, returned, ranking, report_pdf, report_html, unit_pdf, archive, csv_dir, json_path, drafts)


def write_drafts(campaign: Campaign, workbooks: Path, archive: Path) -> Path:
    """The e-mail to every unit with its workbook, as drafts (``hue-dx mail workbooks``),
    recorded in the campaign's ledger so that the units' replies are matched on intake."""
    from .intake.ledger import Ledger
    from .outbox import letters, sending
    from .outbox.compose import Sender

    sender = Sender.of_campaign(campaign)
    drafts = workbooks / "thu-nhap"
    ledger = Ledger(archive)
    try:
        sending.run(letters.workbooks(campaign, workbooks, sender), sender, ledger, drafts)
    finally:
        ledger.close()
    return drafts
