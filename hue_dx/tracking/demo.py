"""`hue-dx tasks demo`: four quarters of quarterly tracking on built-in data, for a newcomer and
for the README.

For each quarter of the year: generate every unit's workbook (from the second quarter on,
pre-filled from the previous quarter's consolidation), fill them as the units would (figures
from a deterministic model of each task's progress, ``random.Random`` seeded with the task
and unit, so every run writes the same figures), consolidate the returned files into one
archive and ledger, and write the consolidated workbook, open data, the provincial report and
the reminder letters. At the end, the year's trend.

The units behave as units do (``SCRIPT``): one sends a blank workbook, some skip a quarter or
send after the deadline (one by e-mail), one sends its third-quarter file only with the
fourth quarter's batch, one sends a file with mistakes and corrects it a few days later, some
contradict the lead of a task they cooperate on, one returns the pre-filled workbook
unchanged, and a few type what people type (text in number cells, a status not from the list,
a percent above 100, more disbursed than allocated, a date as text).

The default year is 2022: the plan's tasks that end in 2021 are then past their years, so the
consolidation has overdue tasks to report (no task of the plan ends in 2020).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from ..campaign import Unit
from ..documents import VIETNAM
from ..files import write_atomic
from . import answers as an
from .periods import Quarter, quarters
from .recipe import Recipe
from .roles import Duties, reporting_units
from .roles import duties as duties_of
from .summary import merged_status
from .tasks import Task, TaskCatalog

DEFAULT_YEAR = 2022
PLAN_START = Quarter(2020, 4)  # the plan was issued on 21/10/2020


@dataclass(frozen=True)
class Script:
    """What the units do in one quarter (by quarter number)."""

    skip: frozenset[str] = frozenset()  # send nothing
    blank: frozenset[str] = frozenset()  # send the workbook untouched (no report)
    late: frozenset[str] = frozenset()  # saved after the deadline
    by_mail: frozenset[str] = frozenset()  # sent by e-mail, after the deadline
    next_batch: frozenset[str] = frozenset()  # sent only with the next quarter's files (after the consolidation)
    corrected: frozenset[str] = frozenset()  # a file with mistakes, then a corrected one
    contradict: frozenset[str] = frozenset()  # say the opposite of the lead on one task they cooperate on
    unchanged: frozenset[str] = frozenset()  # return the pre-filled workbook as it came
    messy: Mapping[str, str] = field(default_factory=dict)  # unit -> kind of mistake left in the file sent


SCRIPT = {
    1: Script(skip=frozenset({"HALUOI"}), blank=frozenset({"SKHDT"}), late=frozenset({"SDL"}), contradict=frozenset({"SNV"}),
              messy={"SCT": "percent-text", "SYT": "status-text"}),
    2: Script(skip=frozenset({"SNGV"}), by_mail=frozenset({"SXD"}), contradict=frozenset({"SKHCN"}), messy={"SGDDT": "funds-date"}),
    3: Script(skip=frozenset({"TTT"}), late=frozenset({"SGTVT"}), next_batch=frozenset({"SLDTBXH"}), corrected=frozenset({"STNMT"}),
              contradict=frozenset({"VPUBND"}), messy={"SVHTT": "percent-over"}),
    4: Script(late=frozenset({"HNDONG"}), unchanged=frozenset({"BDT"}), contradict=frozenset({"STC"})),
}

DIFFICULTIES = (
    "Chưa bố trí được kinh phí trong năm", "Thủ tục đầu tư, đấu thầu kéo dài", "Thiếu nhân lực công nghệ thông tin chuyên trách",
    "Dữ liệu của các đơn vị chưa chuẩn hóa, khó liên thông", "Chờ hướng dẫn của bộ, ngành trung ương", "Hạ tầng mạng tại cơ sở chưa đồng bộ",
)
PROPOSALS = (
    "Đề nghị Sở Tài chính bố trí kinh phí bổ sung", "Đề nghị UBND tỉnh gia hạn thời gian thực hiện đến quý IV",
    "Đề nghị Sở Thông tin và Truyền thông hỗ trợ kỹ thuật", "Đề nghị tổ chức tập huấn cho cán bộ đầu mối",
    "Đề nghị Sở Nội vụ bổ sung biên chế chuyên trách công nghệ thông tin",
)
SOURCES = ("Hệ thống quản lý văn bản và điều hành", "Cổng dịch vụ công tỉnh", "Báo cáo của doanh nghiệp viễn thông", "Số liệu thống kê của Cục Thống kê",
           "Hệ thống thông tin báo cáo của tỉnh", "Khảo sát của đơn vị")
CONTRIBUTIONS = ("Cử cán bộ tham gia tổ soạn thảo", "Góp ý dự thảo bằng văn bản", "Cung cấp số liệu, dữ liệu chuyên ngành",
                 "Phối hợp tổ chức hội nghị, tập huấn", "Tham gia thẩm định hồ sơ")


def _index(q: Quarter) -> int:
    return q.year * 4 + q.quarter - 1


# ------------------------------------------------------------------------------- the model


def task_state(task: Task, q: Quarter, unit: str = "") -> tuple[str, float]:
    """The status and percent done of a task (or of one unit's part of it) in a quarter, from
    a fixed pace per task and unit: started in its first year, done at the end of its last
    year at pace 1, later at a slower pace (then late), one task in thirty stopped."""
    rng = random.Random(f"{task.id}|{unit}")
    start = max(_index(PLAN_START), task.start * 4 + rng.randint(0, 6 if task.kind == "document" else 3))
    # a document is drafted, consulted and issued within two years; other tasks take their years
    span = rng.randint(2, 8) if task.kind == "document" else task.end * 4 + 3 - start + 1
    pace = rng.choice((0.8, 1.0, 1.0, 1.25, 1.6, 2.0))
    stop = rng.random() < 0.035
    now = _index(q)
    if now < start:
        return an.NOT_STARTED, 0.0
    expected = min(100.0, (now - start + 1) / span * 100)
    percent = min(100.0, round((now - start + 1) / (span * pace) * 100 / 5) * 5)
    if percent >= 100:
        return an.DONE, 100.0
    if stop and now - start >= 2:
        return an.STOPPED, percent
    return (an.LATE if expected - percent > 15 else an.IN_PROGRESS), percent


def lead_answer(task: Task, q: Quarter, unit: str, catalog: TaskCatalog, leads: int = 1) -> dict[str, Any]:
    """What a lead unit types on a task's row (``leads``: units sharing the lead, who share its funds)."""
    status, percent = task_state(task, q, unit)
    rng = random.Random(f"{task.id}|{unit}|{q.id}")
    row: dict[str, Any] = {"status": status, "percent": percent, "output": None, "evidence": None, "allocated": None, "disbursed": None,
                           "difficulties": None, "proposals": None}
    if status == an.DONE:
        row["output"] = f"Đã hoàn thành; kết quả được nghiệm thu, đưa vào sử dụng ({task.kind_vi})"
        row["evidence"] = f"Quyết định số {rng.randint(100, 2900)}/QĐ-UBND ngày {rng.randint(1, 28):02d}/{q.last_month:02d}/{q.year}"
    elif status != an.NOT_STARTED:
        row["output"] = f"Đã thực hiện khoảng {percent:g}% khối lượng công việc"
    if status in (an.LATE, an.STOPPED) or (status == an.IN_PROGRESS and rng.random() < 0.2):
        row["difficulties"] = rng.choice(DIFFICULTIES)
        row["proposals"] = rng.choice(PROPOSALS)
    budget = catalog.budget.by_project.get(task.id)
    if budget is not None and budget.total and status in (an.IN_PROGRESS, an.LATE):
        quarters_left = max(1, task.end * 4 + 3 - _index(q) + 1)
        allocated = round(budget.total / leads * (100 - percent) / 100 / quarters_left * rng.uniform(0.6, 1.3), -6)
        row["allocated"] = int(allocated)
        row["disbursed"] = int(round(allocated * rng.uniform(0.3, 0.95), -6))
    return row


def indicator_answer(task: Task, q: Quarter, unit: str) -> dict[str, Any]:
    """The value a lead unit measures for an indicator: from a baseline at the plan's start
    towards the 2025 target, at the unit's pace."""
    rng = random.Random(f"{task.id}|{unit}")
    target = task.target.value if task.target else 100.0
    base = target * rng.uniform(0.15, 0.55)
    pace = rng.uniform(0.7, 1.2)
    share = min(1.0, (_index(q) - _index(PLAN_START) + 1) / (2025 * 4 + 3 - _index(PLAN_START) + 1) * pace)
    noise = random.Random(f"{task.id}|{unit}|{q.id}").uniform(-1.5, 1.5)
    value = round(min(100.0, max(0.0, base + (target - base) * share + noise)), 1)
    day = q.cutoff_end - dt.timedelta(days=random.Random(f"{task.id}|{q.id}").randint(0, 20))
    return {"value": value, "source": rng.choice(SOURCES), "measured_on": day, "difficulties": None, "proposals": None}


def lead_status(catalog: TaskCatalog, task: Task, q: Quarter, units: Sequence[Unit]) -> str | None:
    """The task's status as its leads report it (merged as the consolidation merges it)."""
    leads = reporting_units(catalog, task, units)
    return merged_status([task_state(task, q, u)[0] for u in leads], len(leads))


def cooperate_answer(task: Task, q: Quarter, unit: str, lead: str | None) -> dict[str, Any]:
    """A cooperator's part follows the lead's progress (its part is done when the lead's is,
    and may still be under way when the lead has stopped)."""
    status = lead or an.NOT_STARTED
    if status == an.STOPPED and random.Random(f"{task.id}|{unit}|stop").random() < 0.5:
        status = an.DONE
    rng = random.Random(f"{task.id}|{unit}|{q.id}|co")
    return {"status": status, "contribution": None if status == an.NOT_STARTED else rng.choice(CONTRIBUTIONS)}


def answers_of(catalog: TaskCatalog, units: Sequence[Unit], duty: Duties, q: Quarter,
               leads: Mapping[str, str | None]) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Every row of a unit's workbook as the unit fills it in a quarter (``leads``: each task's
    status as its leads report it)."""
    code = duty.unit.code
    lead = {t.id: indicator_answer(t, q, code) for t in duty.indicators}
    lead.update({t.id: lead_answer(t, q, code, catalog, len(reporting_units(catalog, t, units))) for t in duty.tasks})
    cooperate = {t.id: cooperate_answer(t, q, code, leads.get(t.id)) for t in duty.cooperate}
    return lead, cooperate


def _contradict(duty: Duties, leads: Mapping[str, str | None], cooperate: dict[str, dict[str, Any]]) -> None:
    """Say the opposite of the lead on the first task where a contradiction is possible."""
    for task in duty.cooperate:
        lead = leads.get(task.id)
        if lead == an.NOT_STARTED:
            cooperate[task.id] = {"status": an.DONE, "contribution": "Đã hoàn thành phần việc được giao"}
            return
        if lead == an.DONE:
            cooperate[task.id] = {"status": an.NOT_STARTED, "contribution": None}
            return


def _mess(kind: str, lead: dict[str, dict[str, Any]], duty: Duties) -> None:
    """Leave in the file a mistake people make."""
    rows = [t.id for t in duty.tasks if lead[t.id]["status"] in (an.IN_PROGRESS, an.LATE)] or [t.id for t in duty.tasks]
    first = lead[rows[0]]
    if kind == "percent-text":
        first["percent"] = f"{first['percent']:g}%"
    elif kind == "status-text":
        first["status"] = "Đang thực hiện"
    elif kind == "percent-over":
        first["percent"] = 120
    elif kind == "funds-date":
        first["allocated"], first["disbursed"] = 500_000_000, 750_000_000
        indicator = next((lead[t.id] for t in duty.indicators), None)
        if indicator is not None:
            indicator["measured_on"] = indicator["measured_on"].strftime("%d/%m/%Y")


# ------------------------------------------------------------------------------- the run


@dataclass
class QuarterRun:
    quarter: Quarter
    generated: int
    sent: int
    folder: Path
    workbook: Path
    report: Path | None
    letters: list[Path]
    reported: int
    late: int
    missing: int
    conflicts: int
    overdue: int
    issues: int
    seconds: float


@dataclass
class DemoRun:
    year: int
    folder: Path
    quarters: list[QuarterRun]
    trend: Path
    archive: Path
    seconds: float = 0.0


def _saved(deadline: dt.date, days: int) -> str:
    """An ISO time ``days`` after the deadline (negative: before), 9:00 Vietnam time."""
    day = deadline + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")


def _eml(data: bytes, name: str, sender: str, sent: dt.datetime) -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = sender, "stttt@thuathienhue.gov.vn"
    message["Subject"] = f"Gửi báo cáo quý: {name}"
    message["Date"] = format_datetime(sent)
    message.set_content("Kính gửi Sở Thông tin và Truyền thông, đơn vị gửi báo cáo quý (tệp đính kèm).")
    message.add_attachment(data, maintype="application", subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=name)
    return message.as_bytes()


def run(catalog: TaskCatalog, recipe: Recipe, folder: Path, year: int = DEFAULT_YEAR, say: Callable[[str], None] = print,
        reports: bool = True) -> DemoRun:
    from ..workbook.fill import set_saved_time
    from .fill import fill
    from .generate import generate
    from .intake import Context, consolidate
    from .outputs import write_answers, write_csv, write_json, write_trend, write_workbook

    started = time.perf_counter()
    archive = folder / "luu-tru"
    duties = duties_of(catalog, recipe.units)
    context = Context.create(catalog, recipe, Quarter(year, 1))
    previous = None
    carried_over: list[tuple[Path, bytes]] = []  # files of a quarter sent with the next quarter's batch
    runs: list[QuarterRun] = []
    result = None
    for q in quarters(year):
        began = time.perf_counter()
        script = SCRIPT[q.quarter]
        base = folder / q.id
        books, returned = base / "1-so-bao-cao", base / "2-so-gui-ve"
        made = generate(catalog, recipe, q, books, previous=previous)
        deadline = recipe.period(q).deadline
        returned.mkdir(parents=True, exist_ok=True)
        for path, data in carried_over:
            write_atomic(returned / path.name, data)
        carried_over = []
        sent = 0
        # an indicator is measured all along: its cooperators' part is always under way
        leads = {t.id: an.IN_PROGRESS if t.kind == "indicator" else lead_status(catalog, t, q, recipe.units) for t in catalog.tracked}
        for g in made:
            unit, duty = g.unit, duties[g.unit]
            if unit in script.skip:
                continue
            blank = (books / g.path).read_bytes()
            contacts = {"unit_preparer": f"Cán bộ đầu mối chuyển đổi số ({unit})", "unit_phone": "0234 3822 000",
                        "unit_head": f"Thủ trưởng {g.name}", "unit_head_title": "Giám đốc" if unit.startswith("S") else "Chủ tịch"}
            if unit in script.blank:
                data = blank
            elif unit in script.unchanged:
                data = fill(blank, contacts=contacts)
            else:
                lead, cooperate = answers_of(catalog, recipe.units, duty, q, leads)
                if unit in script.contradict:
                    _contradict(duty, leads, cooperate)
                if unit in script.messy:
                    _mess(script.messy[unit], lead, duty)
                if unit in script.corrected:
                    wrong = {k: dict(v) for k, v in lead.items()}
                    _mess("status-text", wrong, duty)
                    _mess("percent-text", wrong, duty)
                    first = set_saved_time(fill(blank, wrong, cooperate, contacts), _saved(deadline, -3))
                    write_atomic(returned / g.path, first)
                    sent += 1
                    data = fill(blank, lead, cooperate, contacts)
                    target = returned / "ban-sua" / g.path
                    write_atomic(target, set_saved_time(data, _saved(deadline, -1)))
                    continue
                data = fill(blank, lead, cooperate, contacts)
            days = 4 if unit in script.late | script.by_mail | script.next_batch else -2
            data = set_saved_time(data, _saved(deadline, days))
            sent += 1
            if unit in script.next_batch:
                carried_over.append((returned / g.path, data))
                sent -= 1
            elif unit in script.by_mail:
                when = dt.datetime.combine(deadline + dt.timedelta(days=5), dt.time(8, 30), tzinfo=VIETNAM)
                write_atomic(returned / f"thu-{unit}.eml", _eml(data, g.path, f"Văn thư {g.name} <vanthu.{unit.lower()}@thuathienhue.gov.vn>", when))
            else:
                write_atomic(returned / g.path, data)
        say(f"{q.id} · 1. Đã tạo {len(made)} sổ báo cáo {q.title_vi}" + (f", điền sẵn số liệu {q.previous.vi}" if previous else "") + f": {books}")
        say(f"{q.id} · 2. {sent} đơn vị gửi sổ: {returned}")
        result = consolidate(catalog, recipe, q, [returned], archive, context=context)
        out = base / "3-tong-hop"
        workbook = out / f"tong-hop-{q.id}.xlsx"
        write_workbook(result, workbook)
        write_json(result, out / f"tong-hop-{q.id}.json")
        write_csv(result, out / "csv")
        answers_file = out / f"tra-loi-{q.id}.json"
        write_answers(result, answers_file)
        _, _, previous = an.load_previous(answers_file)
        reported = sum(1 for u in result.units if u.reported)
        say(f"{q.id} · 3. Đã tổng hợp {result.seen} tệp: {reported}/{len(result.units)} đơn vị đã báo cáo, {len(result.late)} gửi muộn, "
            f"{len(result.summary.conflicts)} mâu thuẫn, {len(result.summary.overdue)} nhiệm vụ quá hạn: {workbook}")
        report, letters = None, []
        if reports:
            from .report import write_letters, write_report

            written = deadline + dt.timedelta(days=7)  # the officer writes a week after the deadline, late files in
            report = write_report(result, base / "4-bao-cao", written)
            letters = write_letters(result, base / "4-bao-cao" / "thu-don-doc", written)
            say(f"{q.id} · 4. Báo cáo UBND tỉnh: {report}; {len(letters)} thư đôn đốc đơn vị gửi muộn hoặc chưa gửi")
        runs.append(QuarterRun(q, len(made), sent, base, workbook, report, letters, reported, len(result.late), len(result.missing),
                               len(result.summary.conflicts), len(result.summary.overdue), len(result.issues), time.perf_counter() - began))
    assert result is not None
    trend = write_trend(result, folder / f"xu-huong-{year}.xlsx")
    say(f"Xu hướng năm {year} (chỉ tiêu, trạng thái nhiệm vụ, giải ngân qua bốn quý): {trend}")
    return DemoRun(year, folder, runs, trend, archive, time.perf_counter() - started)
