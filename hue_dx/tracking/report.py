"""The provincial quarterly report ("Báo cáo tình hình triển khai Kế hoạch 222/KH-UBND quý N năm
YYYY") that Sở Thông tin và Truyền thông sends to UBND tỉnh (mục IV.2, IV.8 of the plan), and a
reminder letter to each unit that reported late or not at all, both from a consolidation.

What the documents say is worked out here, in Python (``content``, ``letter_content``): the
units' reporting, results by appendix, indicators against their 2025 targets, funds against
Phụ lục 5, what is late and who leads it, conflicts between leads and cooperators, the
difficulties and proposals quoted from the units with their names, an annex of every task.
Every number a person reads is written the Vietnamese way. The documents are the document
layer's (``hue_dx.documents``, Nghị định 30: heading, number, date, signer, annexes); the
templates ``templates/reports/tracking.html.j2`` and ``tracking-letter.html.j2`` fill the body.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import vn
from ..documents import Annex, Document, in_vietnam, recipients, unsigned_warning
from ..intake.engine import BLANK_ONLY, NOT_USED, OTHER_PERIOD, ReceivedFile
from ..intake.layout import MAIL_DATE, SAVED_DATE
from .answers import DONE, IN_PROGRESS, LATE, NOT_STARTED, STOPPED, TaskAnswer
from .figures import figures
from .intake import Quarterly, UnitState
from .periods import PeriodError, Quarter
from .summary import NO_REPORT, STATUS_ORDER, TaskRow

if TYPE_CHECKING:
    from ..reports import Report

PARTS = (("PL2", "Văn bản, chương trình (Phụ lục 2)"), ("PL3", "Dự án (Phụ lục 3)"), ("IV", "Nhiệm vụ thường xuyên (mục IV của Kế hoạch)"))
WHY = {"overdue": "quá thời hạn", "due": "đến hạn trong năm, chưa hoàn thành", LATE: "chậm tiến độ", STOPPED: "dừng"}


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{vn.fixed(value, digits, trim=True)}%"


def billions(amount: int | None) -> str:
    """An amount in đồng as tỷ đồng with two decimals, for a table's narrow column: '279,18'."""
    return vn.fixed(None if amount is None else amount / vn.BILLION, 2, trim=True)


def _years(row: TaskRow) -> str:
    return row.task.years or f"{row.task.start}–{row.task.end}"


def _counts(rows: Sequence[TaskRow]) -> list[dict[str, Any]]:
    """Statuses present among the rows, in the list's order, with how many."""
    found = {s: sum(1 for r in rows if r.status_vi == s) for s in STATUS_ORDER}
    return [{"status": s, "count": n} for s, n in found.items() if n]


def leads_text(row: TaskRow, names: Mapping[str, str]) -> str:
    """Who leads a task, as a reader wants it: the units' names; a group by its count and the
    plan's words; an external lead with the unit reporting for it."""
    if row.external:
        proxy = ", ".join(names.get(u, u) for u in row.reporting)
        return f"{', '.join(row.external)} ({proxy} báo cáo thay)" if proxy else ", ".join(row.external)
    if len(row.reporting) > 3:
        return f"{row.task.lead} ({vn.fixed(len(row.reporting))} đơn vị)"
    return ", ".join(names.get(u, u) for u in row.reporting)


BODY_UNITS = 15  # units named one by one in section I; more, and the body gives counts, the annex the names
BODY_QUOTES = 8  # difficulties and proposals quoted in the body (most often said first); all are in the annex
BODY_DONE = 12  # tasks done in the quarter named in the body


def plan_order(q: Quarterly) -> dict[str, int]:
    """Each task's place in the tasks file (the plan's order: PL1, PL2, PL3 by group, mục IV)."""
    return {t.id: n for n, t in enumerate(q.catalog.tasks)}


def _quotes(q: Quarterly, key: str) -> list[dict[str, Any]]:
    """Every text the units wrote under ``key`` (difficulties, proposals), the same words
    grouped, with how many units and tasks said it and who, where; most often said first."""
    names = q.summary.names
    order = plan_order(q)
    grouped: dict[str, list[tuple[str, str]]] = {}
    rows: list[tuple[str, Mapping[str, TaskAnswer]]] = [(r.task.id, r.answers) for r in q.summary.indicators]
    rows += [(r.task.id, r.answers) for r in q.summary.tasks]
    for task_id, answers in sorted(rows, key=lambda x: order.get(x[0], len(order))):
        for unit, answer in answers.items():
            text = " ".join(str(getattr(answer, key) or "").split())
            if text:
                grouped.setdefault(text, []).append((unit, task_id))
    out = []
    for text, said in sorted(grouped.items(), key=lambda kv: (-len({u for u, _ in kv[1]}), kv[0])):
        units = list(dict.fromkeys(u for u, _ in said))
        tasks = list(dict.fromkeys(t for _, t in said))
        quote = {"text": text, "units": len(units), "tasks": len(tasks), "who": [f"{names.get(u, u)} ({t})" for u, t in said],
                 "task_ids": tasks, "unit_names": [names.get(u, u) for u in units]}
        out.append({**quote, "said_by": _said_by(quote)})
    return out


def _said_by(quote: Mapping[str, Any]) -> str:
    """Who said a text, in the body: the unit and task when one, else how many."""
    if quote["units"] == 1 and quote["tasks"] <= 2:
        return f"{quote['unit_names'][0]}, {', '.join(quote['task_ids'])}"
    return f"{vn.fixed(quote['units'])} đơn vị, {vn.fixed(quote['tasks'])} nhiệm vụ"


def late_words(state: UnitState) -> str:
    """When a late unit's file came, saying which date it is: the e-mail's, or the file's last save."""
    if state.late_by == MAIL_DATE:
        return f"gửi qua thư điện tử ngày {state.late_on}"
    if state.late_by == SAVED_DATE:
        return f"sổ lưu lần cuối ngày {state.late_on}"
    return f"ngày {state.late_on}"


def _sent(f: ReceivedFile) -> str:
    """When a received file came, in words that say which date: its e-mail's, else when received."""
    when = in_vietnam(f.sent)
    if when is not None:
        return f"gửi qua thư điện tử ngày {when:%d/%m/%Y}"
    received = in_vietnam(f.received)
    return f"nhận ngày {received:%d/%m/%Y}" if received is not None else ""


def arrived_words(q: Quarterly, state: UnitState) -> list[str]:
    """What arrived from a unit whose file does not count, one phrase per file, with why."""
    out = []
    for f in state.arrived:
        name, when = f.name, _sent(f)
        at = f" ({when})" if when else ""
        if f.state == OTHER_PERIOD:
            try:
                of = Quarter.parse(f.period).vi
            except PeriodError:
                of = f.period
            out.append(f"tệp {name}{at} là sổ báo cáo {of}, không phải {q.quarter.vi}")
        elif f.state == BLANK_ONLY:
            out.append(f"tệp {name}{at} là sổ chưa có số liệu nào")
        elif f in state.refused:
            out.append(f"tệp {name}{at} không dùng được: {f.reason.rstrip('.') or f.state}")
        elif f.state == NOT_USED:
            continue  # replaced by a newer file of the same unit
        else:
            out.append(f"tệp {name}{at}: {f.state}")
    return out


def missing_words(q: Quarterly, state: UnitState) -> str:
    """Why a unit has not reported, from what arrived from it (nothing, a refused file…)."""
    said = arrived_words(q, state)
    if said:
        return "đã nhận " + "; ".join(said)
    if state.blank_only:
        return "đã nhận sổ chưa có số liệu nào"
    return "chưa nhận được tệp nào"


def _unit_rows(q: Quarterly) -> list[dict[str, Any]]:
    """Every unit of the roster: how it reported, the file used (with its SHA-256) or what arrived."""
    rows = []
    for state in q.units:
        if state.file is not None:
            how = (f"gửi muộn: {late_words(state)}" if state.late else "đúng hạn") + ("; giữ nguyên số liệu quý trước" if state.unchanged else "")
            rows.append({"unit": state.unit.name, "state": how, "file": Path(state.file.name.replace("!/", "/")).name,
                         "sha256": state.file.sha256})
        else:
            rows.append({"unit": state.unit.name, "state": "chưa báo cáo: " + missing_words(q, state), "file": "", "sha256": ""})
    return rows


def content(q: Quarterly) -> dict[str, Any]:
    """Everything the quarterly report says, ready for the template: every figure from one
    computed summary (``figures``), tasks in the plan's order, the body kept to what a Director
    decides on and the detail per unit and per task in the annexes."""
    s = q.summary
    f = figures(q)
    names = q.summary.names
    quarter = q.quarter
    order = plan_order(q)

    def planned(rows):
        return sorted(rows, key=lambda r: order.get(r.task.id, len(order)))

    missing = [{"name": u.unit.name, "why": missing_words(q, u)} for u in q.missing]
    units = {
        "total": f.units, "reported": f.units_reported, "on_time": f.units_on_time,
        "late": [{"name": u.unit.name, "on": u.late_on, "words": late_words(u)} for u in q.late],
        "missing": missing, "missing_named": len(missing) <= BODY_UNITS, "late_named": len(q.late) <= BODY_UNITS,
        "unchanged": [u.unit.name for u in q.units if u.unchanged],
        "stray": [{"name": u.unit.name, "what": "; ".join(arrived_words(q, u))} for u in q.units if u.reported and u.other_period],
    }
    previous = s.before_quarter
    indicators = []
    for ind in s.indicators:
        before = ind.trend[-2][1] if len(ind.trend) > 1 and ind.trend[-2][0] == previous else None
        change = None if ind.value is None or before is None else ind.value - before
        indicators.append({"id": ind.task.id, "text": ind.task.text, "target": percent(ind.target, 0), "value": percent(ind.value),
                           "progress": percent(ind.progress), "change": "—" if change is None else ("+" if change > 0 else "") + vn.fixed(change, 1, trim=True),
                           "reported": f"{len(ind.reported)}/{len(ind.reporting)}", "leads": leads_text_indicator(ind.reporting, ind.task.lead, names),
                           "met": ind.value is not None and ind.target is not None and ind.value >= ind.target})
    parts = []
    for code, title in PARTS:
        rows = [r for r in s.tasks if r.task.appendix == code]
        done = planned(r for r in s.newly_done if r.task.appendix == code)
        groups = []
        if code == "PL3":
            for group in (g for g in q.catalog.groups if g.parent == "PL3"):
                members = [r for r in rows if r.task.group == group.code or r.task.group.startswith(group.code + ".")]
                groups.append({"code": group.code.split(".")[-1], "title": group.title, "total": len(members), "counts": _counts(members),
                               "done": sum(1 for r in members if r.status == DONE)})
        parts.append({"code": code, "title": title, "total": len(rows), "counts": _counts(rows), "groups": groups,
                      "done": sum(1 for r in rows if r.status == DONE), "newly_done_count": len(done),
                      "newly_done": [{"id": r.task.id, "text": r.task.text, "leads": leads_text(r, names)} for r in done[:BODY_DONE]]})
    by_id = {r.task.id: r for r in s.tasks}
    fund_groups = []
    for group in (g for g in q.catalog.groups if g.parent == "PL3"):
        budget_rows = [b for b in q.catalog.budget.rows if b.project.startswith(group.code + ".")]
        plan_total = sum(b.total or 0 for b in budget_rows)
        members = [by_id[b.project] for b in budget_rows if b.project in by_id]
        to_date = sum(r.disbursed_to_date or 0 for r in members)
        fund_groups.append({"code": group.code.split(".")[-1], "title": group.title, "planned": vn.billions(plan_total),
                            "disbursed": vn.billions(sum(r.disbursed or 0 for r in members)), "to_date": vn.billions(to_date),
                            "share": percent(to_date / plan_total * 100 if plan_total else None)})
    late: list[dict[str, Any]] = []
    for r in s.tasks:
        why = [WHY[k] for k, flag in (("overdue", r.overdue), ("due", r.due), (LATE, r.status == LATE), (STOPPED, r.status == STOPPED)) if flag]
        if why:
            saying = [u for u, a in r.answers.items() if a.difficulties]
            late.append({"id": r.task.id, "text": r.task.text, "years": _years(r), "leads": leads_text(r, names), "status": r.status_vi,
                         "why": "; ".join(why), "overdue": r.overdue, "said": len(saying)})
    late.sort(key=lambda x: (not x["overdue"], order.get(str(x["id"]), len(order))))
    conflicts = []
    for row in planned({row.task.id: row for row, _ in s.conflicts}.values()):
        against = list(row.conflicts)
        by_status: dict[str, list[str]] = {}
        for c in against:
            by_status.setdefault(c.cooperator_status, []).append(names.get(c.cooperator, c.cooperator))
        conflicts.append({"id": row.task.id, "text": row.task.text, "leads": leads_text(row, names), "lead_status": row.status_vi,
                          "pairs": len(against), "why": against[0].why,
                          "cooperators": "; ".join(f"{_some(who)}: {status}" for status, who in by_status.items()),
                          "each": [{"cooperator": names.get(c.cooperator, c.cooperator), "status": c.cooperator_status} for c in against]})
    over = [{"id": r.task.id, "leads": leads_text(r, names), "to_date": vn.whole(r.disbursed_to_date or 0),
             "planned": vn.whole(r.budget.total or 0)} for r in planned(r for r in s.tasks if r.over_budget and r.budget)]
    overdue_leads = sorted({names.get(u, u) for r in s.overdue for u in r.reporting})
    proposals = []
    if f.tasks_overdue:
        proposals.append(f"Chỉ đạo {vn.fixed(len(overdue_leads))} đơn vị chủ trì {vn.fixed(f.tasks_overdue)} nhiệm vụ đã quá thời hạn nhưng chưa hoàn thành "
                         "(Mục III) báo cáo rõ nguyên nhân, giải pháp và thời hạn hoàn thành mới.")
    if f.units_missing:
        proposals.append(f"Chỉ đạo {vn.fixed(f.units_missing)} đơn vị chưa gửi báo cáo {quarter.vi} gửi báo cáo về Sở Thông tin và Truyền thông; "
                         "Sở đã có văn bản đôn đốc từng đơn vị.")
    if f.conflict_tasks:
        proposals.append(f"Yêu cầu các đơn vị chủ trì và phối hợp của {vn.fixed(f.conflict_tasks)} nhiệm vụ có báo cáo khác nhau "
                         f"({vn.fixed(f.conflict_pairs)} cặp đơn vị chủ trì – phối hợp) thống nhất tình hình thực hiện và báo cáo lại ở kỳ sau.")
    if over:
        proposals.append(f"Xem xét kinh phí của {vn.fixed(len(over))} dự án có số giải ngân lũy kế vượt kinh phí dự kiến ở Phụ lục 5.")
    annex = [{"id": r.task.id, "text": r.task.text, "kind": r.task.kind_vi, "years": _years(r), "leads": leads_text(r, names),
              "status": r.status_vi, "percent": percent(r.percent, 0) if r.percent is not None else "—",
              "reported": f"{len(r.reported)}/{len(r.reporting)}", "to_date": billions(r.disbursed_to_date) if r.disbursed_to_date else "",
              "planned": billions(r.budget.total) if r.budget and r.budget.total is not None else ("-" if r.budget else ""),
              "flag": "quá hạn" if r.overdue else "đến hạn" if r.due else ""} for r in planned(s.tasks)]
    said: list[dict[str, Any]] = []
    for r in planned([*s.indicators, *s.tasks]):
        for unit, a in r.answers.items():
            if a.difficulties or a.proposals:
                said.append({"id": r.task.id, "unit": names.get(unit, unit), "difficulties": a.difficulties, "proposals": a.proposals})
    trend = [{"quarter": t.quarter, "reported": t.units_reported, "done": t.statuses.get(DONE, 0), "in_progress": t.statuses.get(IN_PROGRESS, 0),
              "late": t.statuses.get(LATE, 0), "not_started": t.statuses.get(NOT_STARTED, 0), "stopped": t.statuses.get(STOPPED, 0),
              "no_report": t.statuses.get(NO_REPORT, 0), "disbursed": vn.billions(t.disbursed), "to_date": vn.billions(t.disbursed_to_date)}
             for t in s.trend]
    difficulties, unit_proposals = _quotes(q, "difficulties"), _quotes(q, "proposals")
    return {
        "quarter": quarter.vi, "title": quarter.title_vi, "annual": quarter.is_annual, "year": quarter.year,
        "cutoff": quarter.cutoff_vi, "annual_cutoff": f"từ ngày {quarter.annual_cutoff_start:%d/%m/%Y} đến ngày {quarter.cutoff_end:%d/%m/%Y}",
        "deadline": q.period.deadline_vi, "figures": f.as_dict(), "units": units, "indicators": indicators,
        "indicators_met": f.indicators_met, "indicators_reported": f.indicators_reported,
        "previous": Quarter.parse(previous).vi if previous else None, "previous_missing": quarter.previous.vi if previous is None else None,
        "parts": parts, "tasks_total": f.tasks, "done_total": f.tasks_done, "done_share": percent(f.tasks_done / f.tasks * 100 if f.tasks else None),
        "funds": {"allocated": vn.billions(f.allocated), "disbursed": vn.billions(f.disbursed),
                  "to_date": vn.billions(f.disbursed_to_date), "planned": vn.billions(f.planned),
                  "share": percent(f.disbursed_to_date / f.planned * 100 if f.planned else None, 2),
                  "since": funds_since_words(q), "groups": fund_groups, "over": over},
        "late": late, "overdue": f.tasks_overdue, "conflicts": conflicts, "conflict_tasks": f.conflict_tasks, "conflict_pairs": f.conflict_pairs,
        "difficulties": difficulties[:BODY_QUOTES], "difficulties_total": len(difficulties),
        "unit_proposals": unit_proposals[:BODY_QUOTES], "unit_proposals_total": len(unit_proposals),
        "said": said, "proposals": proposals, "annex": annex, "unit_rows": _unit_rows(q), "trend": trend if len(trend) > 1 else [],
    }


def _some(names: Sequence[str], shown: int = 3) -> str:
    """A few names and how many more: 'Sở A, Sở B, Sở C và 4 đơn vị khác'."""
    if len(names) <= shown + 1:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} và {vn.fixed(len(names) - shown)} đơn vị khác"


def funds_since_words(q: Quarterly) -> str:
    """From when the amount disbursed to date counts, in words."""
    s = q.summary
    since = Quarter.parse(s.funds_since).vi if s.funds_since else q.quarter.vi
    if s.opening_as_of and q.recipe.opening is not None:
        return (f"gồm số đã giải ngân đến ngày {q.recipe.opening.as_of_vi} ({vn.billions(s.opening_total)}, nhập một lần theo tệp "
                f"{q.recipe.opening.file.name}) và giải ngân các quý đã tổng hợp từ {since} đến {q.quarter.vi}")
    return (f"tính từ {since}, quý đầu tiên được tổng hợp, đến {q.quarter.vi}; chưa gồm số đã giải ngân trước đó "
            "(nhập một lần ở bảng [opening] của tệp đợt báo cáo)")


def leads_text_indicator(reporting: Sequence[str], printed: str, names: Mapping[str, str]) -> str:
    return f"{printed} ({vn.fixed(len(reporting))} đơn vị)" if len(reporting) > 3 else ", ".join(names.get(u, u) for u in reporting)


# ------------------------------------------------------------------------------ letters


def letter_units(q: Quarterly) -> list[UnitState]:
    """The units a reminder goes to: those that reported late, and those that did not report."""
    return [u for u in q.units if u.late or not u.reported]


def letter_content(q: Quarterly, state: UnitState, due: dt.date) -> dict[str, Any]:
    """What the reminder to one unit says: what was (not) received and by when to send it, and
    the tasks it leads that are past their years."""
    names = q.summary.names
    code = state.unit.code
    overdue = [{"id": r.task.id, "text": r.task.text, "years": r.task.years_vi, "status": r.status_vi}
               for r in q.summary.overdue if code in r.reporting]
    rows = state.duties.rows
    arrived = arrived_words(q, state)
    return {"unit": state.unit.name, "quarter": q.quarter.vi, "title": q.quarter.title_vi, "deadline": q.period.deadline_vi,
            "cutoff": q.quarter.cutoff_vi, "missing": not state.reported, "blank": state.blank_only and not arrived, "late_on": state.late_on,
            "late_words": late_words(state) if state.late else "", "arrived": arrived, "refused": bool(state.refused),
            "other_period": bool(state.other_period),
            "rows": rows, "indicators": len(state.duties.indicators), "lead": len(state.duties.tasks), "cooperate": len(state.duties.cooperate),
            "due": due.strftime("%d/%m/%Y"), "overdue": overdue, "next": q.quarter.next.vi, "names": names}


def due_date(q: Quarterly, written: dt.date, days: int = 5) -> dt.date:
    """By when a unit that has not reported is asked to: ``days`` working days after the letter."""
    from .periods import add_working_days

    return add_working_days(max(written, q.period.deadline), days, q.recipe.holidays)


def _recipients(items: Sequence[str], default_archive: str) -> tuple[str, ...]:
    listed = [r for r in items if r.strip().casefold().startswith("lưu:")]
    archive = listed[-1].split(":", 1)[1].strip().rstrip(".") if listed else default_archive
    return recipients(items, archive)


def report_document(q: Quarterly, when: dt.date | None = None) -> Report:
    """The report as a document of the layer (Nghị định 30: heading, number, date, signer,
    annexes): Sở Thông tin và Truyền thông to UBND tỉnh; a draft when no unit reported."""
    from .. import reports

    when = when or dt.date.today()
    campaign = q.recipe.campaign(q.quarter)
    body, signer, _ = campaign.sender()
    used = [u for u in q.units if u.file is not None]
    draft = not used
    drafting = q.recipe.contact.get("drafting", "")
    title = f"Báo cáo tình hình triển khai Kế hoạch 222/KH-UBND {q.quarter.title_vi}"
    files = [(u.file.name, u.file.sha256) for u in used if u.file]
    told = content(q)
    doc = Document(
        body=body, kind="BÁO CÁO", code="BC", summary=f"Tình hình triển khai Kế hoạch 222/KH-UBND {q.quarter.title_vi}", signer=signer,
        date=when, addressees=(q.recipe.report.get("addressee") or "Ủy ban nhân dân tỉnh",),
        recipients=_recipients(q.recipe.report.get("recipients") or ["Như trên"], "VT, " + drafting if drafting else "VT"),
        annexes=() if draft else _annexes(told),
        draft=draft, title=title,
        metadata=reports.pdf_metadata(title, body.name, f"{q.catalog.title}, tệp nhiệm vụ {q.catalog.id} phiên bản {q.catalog.version}, "
                                   f"kỳ {q.quarter.id}", files))
    from .. import __version__

    return reports.render("tracking.html.j2", doc, **told, sender=body.name, document=q.catalog.source.get("document", "Kế hoạch số 222/KH-UBND"),
                          annex_of={a.block: a.number for a in doc.annexes}, files=len(files),
                          tasks_id=q.catalog.id, tasks_version=q.catalog.version, version=__version__)


def _annexes(told: Mapping[str, Any]) -> tuple[Annex, ...]:
    """The annexes, numbered in order: every task (landscape: a row a task, its columns side by
    side); what each unit said (per task and unit) when any said something; every conflicting
    pair when there is one; every unit's reporting with the file used and its SHA-256."""
    wanted = [("Tình hình thực hiện từng nhiệm vụ", "annex_tasks", True)]
    if told["said"]:
        wanted.append(("Khó khăn, vướng mắc và đề xuất của từng đơn vị theo nhiệm vụ", "annex_said", True))
    if told["conflicts"]:
        wanted.append(("Các nhiệm vụ đơn vị chủ trì và đơn vị phối hợp báo cáo khác nhau", "annex_conflicts", False))
    wanted.append(("Tình hình gửi báo cáo của từng đơn vị và sổ dùng để tổng hợp", "annex_units", False))
    return tuple(Annex(_ROMAN[n], title, block, landscape) for n, (title, block, landscape) in enumerate(wanted))


_ROMAN = ("I", "II", "III", "IV", "V", "VI")


def letter_document(q: Quarterly, state: UnitState, when: dt.date | None = None) -> Report:
    """A reminder (công văn đôn đốc) to one unit, from the sender of the campaign."""
    from .. import reports

    when = when or dt.date.today()
    campaign = q.recipe.campaign(q.quarter)
    body, signer, _ = campaign.sender()
    drafting = q.recipe.contact.get("drafting", "")
    summary = f"đôn đốc gửi báo cáo tình hình triển khai Kế hoạch 222/KH-UBND {q.quarter.vi}"
    doc = Document(body=body, summary=summary, signer=signer, drafting=drafting, date=when, addressees=(state.unit.heading_name,),
                   recipients=recipients(["Như trên"], "VT, " + drafting if drafting else "VT"), title=f"V/v {summary} – {state.unit.name}",
                   metadata=reports.pdf_metadata(f"V/v {summary} – {state.unit.name}", body.name, f"Gửi {state.unit.heading_name}",
                                              [(state.file.name, state.file.sha256)] if state.file else []))
    return reports.render("tracking-letter.html.j2", doc, **letter_content(q, state, due_date(q, when)), sender=body.name,
                          email=q.recipe.contact.get("email", ""), document=q.catalog.source.get("document", "Kế hoạch số 222/KH-UBND"))


def signer_warning(q: Quarterly) -> str:
    """The report and the reminders share one signer (the campaign's sender): the one-line
    warning when it has no name, so that they are drafts ("" when named)."""
    _, signer, _ = q.recipe.campaign(q.quarter).sender()
    return unsigned_warning(f"Báo cáo và thư đôn đốc {q.quarter.vi}", signer)


def write_report(q: Quarterly, folder: Path, when: dt.date | None = None) -> Path:
    """The report as PDF and HTML in ``folder``; returns the PDF's path."""
    from .. import reports

    report = report_document(q, when)
    path = folder / f"bao-cao-trien-khai-ke-hoach-222-{q.quarter.id}.pdf"
    reports.write_pdf(report, path)
    reports.write_html(report, path.with_suffix(".html"))
    return path


def write_letters(q: Quarterly, folder: Path, when: dt.date | None = None) -> list[Path]:
    """One reminder PDF per unit late or missing, in ``folder``; none to the sender itself."""
    from .. import reports
    from ..files import slug

    _, signer, own = q.recipe.campaign(q.quarter).sender()
    out = []
    listed = []
    for state in letter_units(q):
        if own is not None and state.unit.code == own.code:
            continue  # no letter to oneself: its own delay is in the report
        path = folder / f"don-doc-{q.quarter.id}-{state.unit.code}-{slug(state.unit.name)[:40]}.pdf"
        reports.write_pdf(letter_document(q, state, when), path)
        out.append(path)
        listed.append({"unit": state.unit.code, "name": state.unit.name, "pdf": path.name, "missing": not state.reported,
                       "late_on": state.late_on, "due": due_date(q, when or dt.date.today()).isoformat(), "draft": not signer.name})
    _manifest(q, folder, listed)
    return out


MANIFEST = "manifest.json"


def _manifest(q: Quarterly, folder: Path, letters: list[dict[str, Any]]) -> None:
    """What was written, for ``hue-dx tasks mail reminders`` (each letter's unit and file)."""
    import json

    from .. import __version__
    from ..files import write_atomic

    listing = {"generator": f"hue-dx {__version__}", "kind": "reminders", **q.period.as_dict(), "letters": letters}
    write_atomic(folder / MANIFEST, (json.dumps(listing, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
