"""The tasks audit (`hue-dx tasks check`): stated versus summed funding, rows of Phụ lục 3
against Phụ lục 5, every body resolved to the roster, counts per appendix and group, and every
decision recorded in the tasks file.

Findings use the catalog audit's record (``hue_dx.audit.Finding``): "error" when the file is
broken or a defect of the plan has no recorded decision, "decided" where the plan is wrong or
ambiguous and the file says how hue-dx reads it, "info" for facts worth seeing (counts, totals
that agree).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from .. import vn
from ..audit import DECIDED, ERROR, INFO, Finding
from ..campaign import Unit
from . import roles
from .tasks import BUDGET_COLUMNS, GENERAL, KINDS, TaskCatalog, order_key, squash

_ID = re.compile(r"^(PL[1-5]|IV)(\.[A-Z0-9]+)+$")
TOPIC_TOTAL, TOPIC_COUNT, TOPIC_BODY, TOPIC_INTEGRITY = "tổng kinh phí", "số dòng", "cơ quan", "toàn vẹn"


def audit(catalog: TaskCatalog, units: Sequence[Unit] | None = None) -> list[Finding]:
    """Every finding: errors first, then decisions, then facts; in the plan's order within each.
    With ``units`` (a roster), also checks that bodies map to its units and that every unit has
    something to report."""
    findings = _integrity(catalog) + _budget(catalog) + _bodies(catalog, units) + _counts(catalog, units)
    reported = {f.decision for f in findings if f.decision}  # a typo is reported where it is used
    for d in catalog.all_decisions:
        if d.text not in reported:
            findings.append(Finding(d.code, DECIDED, d.topic, _title(catalog, d.code), d.text))
    order = {ERROR: 0, DECIDED: 1, INFO: 2}
    return sorted(findings, key=lambda f: (order[f.severity], order_key(f.code)))


def has_errors(findings: Sequence[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)


def _title(catalog: TaskCatalog, code: str, limit: int = 90) -> str:
    text = ""
    if code == GENERAL:
        text = "Quyết định chung"
    elif code in catalog.by_id:
        text = catalog.by_id[code].text
    elif code in catalog.groups_by_code:
        text = catalog.groups_by_code[code].title
    elif code in catalog.bodies_by_code:
        text = catalog.bodies_by_code[code].name
    else:
        text = next((r.text for r in catalog.budget.rows if r.id == code), "")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------------- integrity


def _integrity(catalog: TaskCatalog) -> list[Finding]:
    out: list[Finding] = []

    def error(code: str, message: str) -> None:
        out.append(Finding(code, ERROR, TOPIC_INTEGRITY, message))

    seen: set[str] = set()
    for code in [g.code for g in catalog.groups] + [t.id for t in catalog.tasks] + [r.id for r in catalog.budget.rows]:
        if code in seen:
            error(code, "mã bị trùng")
        seen.add(code)
    for g in catalog.groups:
        if g.is_appendix and g.kind and g.kind not in KINDS:
            error(g.code, f"loại {g.kind!r} không có")
    for t in catalog.tasks:
        if not _ID.match(t.id) or t.appendix != t.group.split(".")[0]:
            error(t.id, f"mã phải có dạng <phụ lục>.<…>.<số> của phụ lục chứa nhóm {t.group} (ví dụ PL1.3, PL3.A.I.1)")
        if not t.text or not t.lead:
            error(t.id, "thiếu nội dung hoặc đơn vị chủ trì")
        if t.start > t.end or t.start < catalog.plan_start or t.end > catalog.plan_end:
            error(t.id, f"năm thực hiện {t.years_vi} nằm ngoài giai đoạn {catalog.plan_start}–{catalog.plan_end} của Kế hoạch")
        if t.appendix == "PL3" and not t.years:
            error(t.id, "dự án của Phụ lục 3 phải có năm thực hiện")
        if t.kind == "indicator" and t.target is None:
            error(t.id, "chỉ tiêu phải có giá trị mục tiêu (target)")
        if t.same_as:
            other = catalog.by_id.get(t.same_as)
            if other is None:
                error(t.id, f"same_as trỏ tới nhiệm vụ không có: {t.same_as}")
            elif {b.code for b in catalog.resolve(other.lead).bodies} != {b.code for b in catalog.resolve(t.lead).bodies}:
                error(t.id, f"same_as {t.same_as}: hai dòng phải cùng đơn vị chủ trì")
            elif not t.decisions:
                error(t.id, "dòng trùng (same_as) cần ghi quyết định")
    receiver = catalog.resolve(catalog.reporting.get("receiver", ""))
    if len(receiver.mentions) != 1 or receiver.unresolved or not receiver.mentions[0].body.unit:
        error("IV.8", f"nơi nhận báo cáo quý {catalog.reporting.get('receiver', '')!r} phải là đúng một đơn vị của danh sách")
    return out


# ------------------------------------------------------------------------------------ budget


def _budget(catalog: TaskCatalog) -> list[Finding]:
    out: list[Finding] = []
    budget = catalog.budget
    label = budget.label or "Phụ lục 5"
    for column in BUDGET_COLUMNS:
        stated, summed = budget.stated[column], budget.summed(column)
        name = budget.columns.get(column, column)
        if stated is None:
            out.append(Finding("PL5", ERROR, TOPIC_TOTAL, f"{label} không in tổng cột \"{name}\"; các dòng cộng lại {vn.whole(summed)} đồng"))
            continue
        where = f"cột \"{name}\": Kế hoạch in {vn.whole(stated)} đồng ({vn.billions(stated)}), các dòng cộng lại {vn.whole(summed)} đồng"
        if stated == summed:
            out.append(Finding("PL5", INFO, TOPIC_TOTAL, f"{where}: khớp"))
        else:
            decided = [d for d in budget.decisions if d.topic == TOPIC_TOTAL]
            out.append(Finding("PL5", DECIDED if decided else ERROR, TOPIC_TOTAL, f"{where}: lệch {vn.whole(abs(stated - summed))} đồng",
                               decided[0].text if decided else "Chưa ghi quyết định: thêm [[budget.decisions]] với topic \"tổng kinh phí\"."))
    if budget.stated["state"] is not None and budget.stated["other"] is not None and budget.stated["total"] is not None:
        if budget.stated["state"] + budget.stated["other"] != budget.stated["total"]:
            out.append(Finding("PL5", ERROR, TOPIC_TOTAL, "tổng in: trung hạn + nguồn khác khác tổng kinh phí in"))
    projects = {t.id: t for t in catalog.tasks if t.appendix == "PL3"}
    counted = Counter(r.project for r in budget.rows)
    for r in budget.rows:
        topics = {d.topic for d in r.decisions}
        amounts = r.amounts
        if None in amounts.values():
            if set(amounts.values()) != {None}:
                out.append(Finding(r.id, ERROR, TOPIC_TOTAL, "dòng in \"-\" ở một cột nhưng có số ở cột khác"))
            if r.note not in budget.notes:
                out.append(Finding(r.id, ERROR, TOPIC_TOTAL, f"dòng in \"-\" phải trỏ tới một ghi chú (note = {', '.join(budget.notes)})"))
            if not r.decisions:
                out.append(Finding(r.id, ERROR, TOPIC_TOTAL, "dòng in \"-\" cần ghi quyết định (không có kinh phí, không phải 0)"))
        elif r.state + r.other != r.total:  # type: ignore[operator]
            out.append(Finding(r.id, DECIDED if r.decisions else ERROR, TOPIC_TOTAL,
                               f"trung hạn {vn.whole(r.state)} + nguồn khác {vn.whole(r.other)} = {vn.whole(r.state + r.other)}, "  # type: ignore[arg-type, operator]
                               f"Kế hoạch in tổng {vn.whole(r.total)}",  # type: ignore[arg-type]
                               r.decisions[0].text if r.decisions else "Chưa ghi quyết định cho dòng này."))
        project = projects.get(r.project)
        if project is None:
            out.append(Finding(r.id, ERROR, TOPIC_INTEGRITY, f"project trỏ tới dự án không có ở Phụ lục 3: {r.project}"))
            continue
        if counted[r.project] > 1:
            out.append(Finding(r.id, ERROR, TOPIC_INTEGRITY, f"dự án {r.project} có nhiều dòng kinh phí"))
        if squash(project.text) != squash(r.text) and "khác Phụ lục 3" not in topics:
            out.append(Finding(r.id, ERROR, "khác Phụ lục 3", f"lời văn khác dòng {r.project} của Phụ lục 3: cần ghi quyết định \"khác Phụ lục 3\""))
        lead_3 = {b.code for b in catalog.resolve(project.lead).bodies}
        lead_5 = {b.code for b in catalog.resolve(r.lead).bodies}
        if lead_3 != lead_5:
            out.append(Finding(r.id, ERROR, "khác Phụ lục 3", f"chủ trì {r.lead!r} khác chủ trì {project.lead!r} của {r.project}"))
    for project_id in projects:
        if project_id not in counted:
            out.append(Finding(project_id, ERROR, TOPIC_INTEGRITY, f"dự án không có dòng kinh phí ở {label}"))
    return out


# ------------------------------------------------------------------------------------ bodies


def _bodies(catalog: TaskCatalog, units: Sequence[Unit] | None) -> list[Finding]:
    out: list[Finding] = []
    owner: dict[str, str] = {}
    for b in catalog.bodies:
        for spelling in b.spellings:
            key = squash(spelling)
            if key in owner:
                out.append(Finding(b.code, ERROR, TOPIC_BODY, f"cách viết {spelling!r} đã thuộc cơ quan {owner[key]}"))
            owner[key] = b.code
        for spelling in b.typos:
            if spelling not in b.spellings:
                out.append(Finding(b.code, ERROR, TOPIC_BODY, f"typos nêu {spelling!r} nhưng spellings không có"))
        kinds = [bool(b.unit), bool(b.levels), b.external]
        if sum(kinds) != 1:
            out.append(Finding(b.code, ERROR, TOPIC_BODY, "cơ quan phải có đúng một trong: unit, levels, external"))
        for task_id in b.mentioned_in:
            task = catalog.by_id.get(task_id)
            if task is None or not any(squash(s) in squash(task.text) for s in b.spellings):
                out.append(Finding(b.code, ERROR, TOPIC_BODY, f"mentioned_in {task_id}: không thấy tên cơ quan trong lời văn của dòng đó"))
    used: set[str] = set()
    cells = [(t.id, "chủ trì", t.lead) for t in catalog.tasks] + [(t.id, "phối hợp", t.cooperating) for t in catalog.tasks if t.cooperating]
    cells += [(r.id, "chủ trì", r.lead) for r in catalog.budget.rows] + [("IV.8", "nơi nhận báo cáo", catalog.reporting.get("receiver", ""))]
    for code, role, cell in cells:
        found = catalog.resolve(cell)
        used.update(b.code for b in found.bodies)
        if found.unresolved or not found.mentions:
            out.append(Finding(code, ERROR, TOPIC_BODY, f"cột {role} {cell!r}: không nhận ra {', '.join(repr(u) for u in found.unresolved) or 'cơ quan nào'}; "
                                                         "thêm cách viết này vào spellings của một cơ quan ở [[bodies]]"))
        for m in found.mentions:
            if m.spelling in m.body.typos:
                out.append(Finding(code, DECIDED, TOPIC_BODY, f"cột {role} in {m.spelling!r}", m.body.typos[m.spelling]))
    for t in catalog.tracked:
        leads = catalog.resolve(t.lead).bodies
        if leads and all(b.external for b in leads) and not any(b.reported_by for b in leads):
            out.append(Finding(t.id, ERROR, TOPIC_BODY, "mọi đơn vị chủ trì đều ngoài danh sách và không có đơn vị báo cáo thay (reported_by)"))
    for b in catalog.bodies:
        if b.code not in used and not b.mentioned_in:
            out.append(Finding(b.code, INFO, TOPIC_BODY, f"{b.name}: không dòng nào dùng tên này"))
    if units is not None:
        codes = {u.code for u in units}
        levels = {u.level for u in units}
        for b in catalog.bodies:
            if b.unit and b.unit not in codes:
                out.append(Finding(b.code, ERROR, TOPIC_BODY, f"mã đơn vị {b.unit} không có trong danh sách đơn vị"))
            for level in b.levels:
                if level not in levels:
                    out.append(Finding(b.code, ERROR, TOPIC_BODY, f"cấp {level!r} không có đơn vị nào trong danh sách"))
            if b.reported_by and b.reported_by not in codes:
                out.append(Finding(b.code, ERROR, TOPIC_BODY, f"reported_by {b.reported_by} không có trong danh sách đơn vị"))
    return out


# ------------------------------------------------------------------------------------ counts


def _counts(catalog: TaskCatalog, units: Sequence[Unit] | None) -> list[Finding]:
    out: list[Finding] = []
    for group in catalog.groups:
        members = catalog.tasks_under(group.code)
        kinds = Counter(t.kind_vi for t in members)
        detail = ", ".join(f"{n} {k}" for k, n in kinds.items())
        title = f"{group.label} {group.title}" if group.label else group.title
        out.append(Finding(group.code, INFO, TOPIC_COUNT, f"{title}: {len(members)} dòng ({detail})"))
    funded = [r for r in catalog.budget.rows if r.total is not None]
    out.append(Finding("PL5", INFO, TOPIC_COUNT, f"{catalog.budget.label}: {len(catalog.budget.rows)} dòng kinh phí, "
                                                 f"{len(funded)} dòng có số, {len(catalog.budget.rows) - len(funded)} dòng in \"-\""))
    if units is not None:
        for unit, duty in roles.duties(catalog, units).items():
            if duty.empty:
                out.append(Finding(unit, ERROR, TOPIC_COUNT, f"{duty.unit.name}: không có nhiệm vụ nào để báo cáo"))
    return out
