"""`hue-dx demo`: the whole chain on built-in data, for a newcomer and for the README.

Two consecutive years (``run_series``: the campaigns of 2020 and 2021, the second naming the first
as its [previous] and a roster where a unit is renamed and two are merged), each one ``run``:

1. generate the province's workbooks (the year's campaign and roster);
2. fill them as the units would: realistic figures (a little better the second year), a few
   typical mistakes, one unit that sends a corrected file a week later (2020), one renamed file,
   units that send nothing;
3. consolidate the returned files (the year's own archive and ledger, ranking workbook, JSON, CSV),
   compared with the year before read back from its archive;
4. print the reports (the second year): the province's ranking and the receiving Sở's own
   self-assessment, both against the year before (PDF and HTML).
"""

from __future__ import annotations

import dataclasses
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .campaign import Campaign
from .catalog import Catalog, Criterion
from .data import shipped

NOT_SENT = ("SNGV", "TTT", "HNDONG")  # three units that never send their file (2020)
NOT_SENT_LATER = ("SNGV",)  # the year after: one of them again
YEARS = ("campaign-2020.toml", "campaign-2021.toml")  # the demo's series, in generator/
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


def unit_inputs(catalog: Catalog, code: str, level: str, period: str = "2020", was: str = "") -> dict[str, dict[str, object]]:
    """A unit's figures: the sample file of five units, else plausible ones for its effort. A later
    year (``period``) starts from the effort of the unit it was (``was``: its code the first year)
    and mostly does a little better."""
    sample = shipped("samples") / f"{code}.json"
    if period == "2020" and sample.is_file():
        return json.loads(sample.read_text(encoding="utf-8"))["inputs"]
    rng = random.Random(was or code)
    effort = 0.35 + 0.6 * rng.random()
    if period != "2020":
        rng = random.Random(f"{period}:{code}")
        effort = min(0.98, max(0.2, effort + rng.gauss(0.06, 0.08)))
    return {c.code: synthetic_inputs(c, effort, rng) for c in catalog.criteria if c.applies(level)}


def _evidence(catalog: Catalog, inputs: dict, rng: random.Random, year: str = "2020") -> dict[str, dict[str, str]]:
    out = {}
    for n, c in enumerate(catalog.criteria):
        if c.code in inputs and rng.random() < 0.7:
            out[c.code] = {"number": f"{100 + n}/KH-UBND", "date": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}",
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
    report_pdf: Path | None  # None: the year's reports were not printed (the first year of the series)
    report_html: Path | None
    unit_pdf: Path | None
    archive: Path
    csv: Path
    json: Path
    drafts: Path  # the e-mail to each unit carrying its workbook (.eml drafts)


@dataclass
class DemoYear:
    """One year of the demo: its period, what it wrote, and its consolidation (compared with the year before)."""

    period: str
    outputs: DemoOutputs
    result: Any = field(repr=False)


def run(catalog: Catalog, campaign: Campaign, folder: Path, say=print) -> DemoOutputs:
    """One year of the demo in ``folder`` (``run_year``), its reports printed."""
    return run_year(catalog, campaign, folder, say).outputs


def run_year(catalog: Catalog, campaign: Campaign, folder: Path, say=print, *, reports: bool = True) -> DemoYear:
    """One year of the demo in ``folder``: generate, fill, consolidate (against the year before
    when the campaign names one: its archive is read), and print the reports (``reports``)."""
    from . import reports as reports_mod
    from .files import write_atomic
    from .generate import generate
    from .intake.check import Context
    from .intake.consolidate import consolidate, detailed
    from .intake.outputs import write_csv, write_json, write_workbook
    from .intake.years import attach, unit_comparison
    from .workbook.fill import fill_fast as fill  # the same cells as openpyxl would write, in a few ms
    from .workbook.fill import set_saved_time

    first = campaign.period == "2020"
    not_sent = NOT_SENT if first else NOT_SENT_LATER
    workbooks, returned = folder / "1-so-danh-gia", folder / "2-so-gui-ve"
    made = generate(catalog, campaign, workbooks)
    archive = folder / "luu-tru"
    drafts = write_drafts(campaign, workbooks, archive)
    say(f"1. Đã tạo {len(made)} sổ đánh giá: {workbooks}; thư gửi từng đơn vị kèm sổ (thư nháp .eml, mở bằng Outlook, Thunderbird): {drafts}")
    returned.mkdir(parents=True, exist_ok=True)
    sent = 0
    for g in made:
        if g.unit in not_sent:
            continue
        unit = campaign.unit(g.unit)
        was = campaign.lineage[unit.code].sources[0] if unit.code in campaign.lineage and campaign.lineage[unit.code].sources else ""
        inputs = unit_inputs(catalog, unit.code, unit.level, campaign.period, was)
        rng = random.Random("evidence" + unit.code + ("" if first else campaign.period))
        contacts = demo_contacts(unit.code, unit.level, rng)
        blank = (workbooks / g.path).read_bytes()
        mistakes = MISTAKES.get(unit.code, {}) if first or unit.code == "HPVANG" else {}
        typed = {code: {**values, **mistakes.get(code, {})} for code, values in inputs.items()}
        typed.update({code: v for code, v in mistakes.items() if code not in typed})
        name = g.path if unit.code != "SYT" else "Bao cao chuyen doi so - So Y te.xlsx"  # renamed by the unit
        path = returned / name
        saved = f"{campaign.period}-12-20T09:00:00Z"
        write_atomic(path, set_saved_time(fill(blank, typed, contacts, _evidence(catalog, inputs, rng, campaign.period)), saved))
        sent += 1
        if first and unit.code == "STNMT":  # a corrected file, a week later (after the deadline: late)
            later = returned / "sua-lan-2" / g.path
            write_atomic(later, set_saved_time(fill(blank, inputs, contacts, _evidence(catalog, inputs, rng)), "2020-12-27T09:00:00Z"))

    corrected = "một đơn vị gửi bản sửa, " if first else ""
    say(f"2. {sent} đơn vị đã điền và gửi lại sổ ({corrected}một tệp bị đổi tên, {len(not_sent)} đơn vị không gửi): {returned}")

    out = folder / "3-tong-hop"
    ctx = Context.create(catalog, campaign)
    result = consolidate(catalog, campaign, [returned], archive, context=ctx)
    comparison = attach(result)
    ranking, json_path, csv_dir = out / f"xep-hang-{campaign.period}.xlsx", out / f"xep-hang-{campaign.period}.json", out / "csv"
    write_workbook(result, ranking)
    write_json(result, json_path)
    write_csv(result, csv_dir)
    ranked = sum(1 for rows in result.groups.values() for r in rows if r.result)
    against = ""
    if comparison.previous:
        compared = sum(1 for u in comparison.units.values() if u.index.compared)
        against = f"; so với năm {comparison.previous}: {compared} đơn vị so sánh được chỉ số" + (
            f", {len(comparison.units) - compared} không so sánh được" if compared < len(comparison.units) else "")
    say(f"3. Đã tổng hợp {result.seen} tệp, xếp hạng {ranked} đơn vị, {len(result.missing)} chưa gửi{against}: {ranking}")
    outputs = DemoOutputs(workbooks, returned, ranking, None, None, None, archive, csv_dir, json_path, drafts)
    if not reports:
        return DemoYear(campaign.period, outputs, result)

    printed = folder / "4-bao-cao"
    report = reports_mod.ranking_report(result)
    report_pdf, report_html = printed / f"bao-cao-xep-hang-{campaign.period}.pdf", printed / f"bao-cao-xep-hang-{campaign.period}.html"
    reports_mod.write_pdf(report, report_pdf)
    reports_mod.write_html(report, report_html)
    own = campaign.sender()[2] or campaign.unit("STTTT")  # the Sở that receives the files: its own self-assessment
    sample_unit = next(r for r in result.groups[own.group] if r.unit.code == own.code)
    # Read back from the archive, as a clerk's later `hue-dx report unit` would: the name the
    # consolidation stored is the path as given on the command line, relative or not.
    unit_pdf = printed / f"phieu-tu-danh-gia-{own.code}.pdf"
    checked = detailed(result, sample_unit, ctx)
    against_unit = comparison.unit(own.code) if comparison.previous else unit_comparison(catalog, campaign, checked)
    reports_mod.write_pdf(reports_mod.unit_report(catalog, campaign, checked, comparison=against_unit), unit_pdf)
    say(f"4. Báo cáo in: {report_pdf} (và .html), phiếu của {own.name}: {unit_pdf}")
    return DemoYear(campaign.period, dataclasses.replace(outputs, report_pdf=report_pdf, report_html=report_html, unit_pdf=unit_pdf), result)


def run_series(folder: Path, say=print) -> list[DemoYear]:
    """The demo's two years, each in its own folder with its own archive: the first without its
    printed reports, the second compared with it (its [previous] archive is the first's)."""
    from . import campaign as campaign_mod
    from . import catalog as catalog_mod
    from .campaign import default_recipe

    done: list[DemoYear] = []
    for n, name in enumerate(YEARS):
        campaign = campaign_mod.load(default_recipe(name))
        if done:
            campaign = dataclasses.replace(campaign, previous_archive=done[-1].outputs.archive)
        changes = ""
        if campaign.previous is not None:
            names = {u.code: u.name for u in campaign.previous.units}
            said = [f"{u.name} {campaign.lineage[u.code].words(names, u.code)}" for u in campaign.units if campaign.lineage[u.code].kind != "same"]
            changes = "; " + "; ".join(said) if said else ""
        target = folder / campaign.period
        say(f"Năm {campaign.period} ({target}{changes}):")
        done.append(run_year(catalog_mod.load(campaign.catalog), campaign, target, say, reports=n == len(YEARS) - 1))
    return done


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
