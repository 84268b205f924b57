"""Catalog audit: where the plan's printed totals disagree with its criteria, every reading
hue-dx chose, and the catalog's own integrity.

A finding is "error" when the catalog is broken or a defect of the plan has no recorded
decision, "decided" when the plan is wrong or ambiguous and the catalog says how hue-dx
reads it, and "info" for facts worth seeing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import vn
from .catalog import INPUT_TYPES, Catalog, code_key
from .rules import PerItem, number
from .totals import BONUS, PENALTY

ERROR, DECIDED, INFO = "error", "decided", "info"
_CODE = re.compile(r"^\d+(\.\d+)*$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    topic: str
    message: str
    decision: str | None = None
    #: which check found it ("totals", "input-unused", "param", …) and what it is about (an
    #: input key, a field name): what a criteria workbook needs to point at the cell to fix
    check: str = field(default="", compare=False)
    subject: str = field(default="", compare=False)

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "severity": self.severity, "topic": self.topic, "message": self.message, "decision": self.decision}


def audit(catalog: Catalog) -> list[Finding]:
    """Every finding, totals first, then integrity, then the recorded decisions, in code order."""
    findings = _totals(catalog) + _integrity(catalog) + policy_findings(catalog)
    reported = {(f.code, f.decision) for f in findings}
    titles = {c.code: c.title for c in catalog.criteria} | {u.code: u.title for u in catalog.unscored}
    for d in catalog.decisions:
        if (d.code, d.text) not in reported:
            findings.append(Finding(d.code, DECIDED, d.topic, _short(titles.get(d.code, "")), d.text))
    order = {ERROR: 0, DECIDED: 1, INFO: 2}
    return sorted(findings, key=lambda f: (order[f.severity], code_key(f.code) if _CODE.match(f.code) else (999,)))


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def document_word(catalog: Catalog) -> str:
    """How messages name the text a set transcribes: "Kế hoạch" for "Kế hoạch số 222/KH-UBND",
    "Quyết định" for "Quyết định số 931/QĐ-UBND", else "Văn bản"."""
    document = catalog.source.get("document", "")
    return document.split(" số ")[0].strip() if " số " in document else "Văn bản"


def _totals(catalog: Catalog) -> list[Finding]:
    out = []
    text = document_word(catalog)
    for g in catalog.groups:
        actual = catalog.max_of(g.code)
        what = "trụ cột" if g.is_pillar else "nhóm"
        children = [c for c in catalog.groups if c.parent == g.code]
        if g.stated_max is None and not any(c.role == "score" for c in catalog.criteria_under(g.code)):
            continue  # a group of bonus or penalty criteria only: it has no max to print
        if g.stated_max is None:
            message = f"{text} không in điểm tối đa của {what} {g.code}; các tiêu chí cộng lại {vn.number(actual)}"
        elif g.stated_max != actual:
            message = f"{text} in {vn.number(g.stated_max)} điểm cho {what} {g.code}, các tiêu chí cộng lại {vn.number(actual)}"
            stated_children = [c.stated_max for c in children]
            if children and None not in stated_children:
                message += f" (các nhóm in cộng lại {vn.number(sum(stated_children))})"  # type: ignore[arg-type]
        else:
            continue
        out.append(Finding(g.code, DECIDED if g.decision else ERROR, "điểm tối đa", message,
                           g.decision or "Chưa ghi quyết định: thêm 'decision' cho nhóm này trong bộ tiêu chí.", "totals"))
    return out


def _integrity(catalog: Catalog) -> list[Finding]:
    out: list[Finding] = []

    def error(code: str, message: str, check: str = "", subject: str = "") -> None:
        out.append(Finding(code, ERROR, "toàn vẹn", message, check=check, subject=subject))

    codes = [g.code for g in catalog.groups] + [c.code for c in catalog.criteria] + [u.code for u in catalog.unscored]
    seen: set[str] = set()
    for code in codes:
        if not _CODE.match(code):
            error(code, f"mã {code!r} không đúng dạng số chấm số (1.2.3)", "code")
        if code in seen:
            error(code, "mã bị trùng", "code")
        seen.add(code)
    for p in catalog.pillars:
        if len(p.sheet_name) > 31 or set(p.sheet_name) & set("/\\?*[]:"):
            error(p.code, f"tên trang tính {p.sheet_name!r} dài quá 31 ký tự hoặc có ký tự cấm (/ \\ ? * [ ] :): đặt short_title", "field",
                  "short_title")
    for u in catalog.unscored:
        if u.scored_in not in catalog.by_code:
            error(u.code, f"scored_in trỏ tới tiêu chí không có: {u.scored_in}", "field", "scored_in")
    for c in catalog.criteria:
        rule = c.rule
        for problem in rule.check_params(c.params, [i.key for i in c.inputs], c.max):
            error(c.code, f"tham số của quy tắc {c.kind}: {problem}", "param")
        if c.max <= 0:
            error(c.code, "điểm tối đa phải lớn hơn 0", "field", "max")
        for field_name in ("title", "how", "evidence"):
            if not getattr(c, field_name):
                error(c.code, f"thiếu {field_name}", "field", field_name)
        if not c.applies_to or set(c.applies_to) - set(catalog.levels):
            error(c.code, f"applies_to phải là các cấp trong {sorted(catalog.levels)}", "field", "applies_to")
        keys = [i.key for i in c.inputs]
        if len(set(keys)) != len(keys):
            error(c.code, "tên số liệu bị trùng", "input", "")
        for i in c.inputs:
            if not _KEY.match(i.key):
                error(c.code, f"tên số liệu {i.key!r} phải là chữ thường, không dấu (a, b, …)", "input", i.key)
            if not i.label:
                error(c.code, f"số liệu {i.key} thiếu nhãn", "input-label", i.key)
            if i.type not in rule.input_types:
                error(c.code, f"số liệu {i.key} kiểu {i.type} không dùng được cho quy tắc {c.kind} (được: {', '.join(sorted(rule.input_types))})",
                      "input-type", i.key)
            if i.type not in INPUT_TYPES:
                error(c.code, f"số liệu {i.key}: kiểu {i.type} không có", "input-type", i.key)
        try:
            used = rule.used_inputs(c.params, keys)
        except (KeyError, TypeError):
            continue  # already reported by check_params
        for key in sorted(set(keys) - used):
            error(c.code, f"số liệu {key} được khai báo nhưng quy tắc không dùng", "input-unused", key)
        for key in sorted(used - set(keys)):
            error(c.code, f"quy tắc dùng số liệu {key} nhưng không khai báo", "input-undeclared", key)
        if isinstance(rule, PerItem):
            caps = sum(number(p["cap"]) for p in c.params["parts"])
            if caps > c.max and not c.decisions:
                error(c.code, f"các mức trần cộng lại {vn.number(caps)} vượt điểm tối đa {vn.number(c.max)}: cần ghi quyết định", "param")
            if caps < c.max:
                error(c.code, f"các mức trần cộng lại {vn.number(caps)} nhỏ hơn điểm tối đa {vn.number(c.max)}: không bao giờ đạt điểm tối đa", "param")
    out += _totals_integrity(catalog)
    return out


def _totals_integrity(catalog: Catalog) -> list[Finding]:
    """Caps only on pillars and positive; a floor not above 0; an index bound of at least 1;
    grades with distinct names and distinct lower bounds within [0, index bound]."""
    out: list[Finding] = []
    policy = catalog.totals

    def error(code: str, message: str, subject: str) -> None:
        out.append(Finding(code, ERROR, "toàn vẹn", message, check="field", subject=subject))

    for g in catalog.groups:
        for cap, role, words in ((g.bonus_cap, BONUS, "điểm thưởng"), (g.penalty_cap, PENALTY, "điểm trừ")):
            if cap is None:
                continue
            subject = "bonus_cap" if role == BONUS else "penalty_cap"
            if not g.is_pillar:
                error(g.code, f"mức {words} tối đa chỉ đặt cho trụ cột, không cho nhóm", subject)
            elif not catalog.with_role(role, g.code):
                error(g.code, f"trụ cột {g.code} đặt mức {words} tối đa nhưng không có tiêu chí {words} nào", subject)
    if policy.floor > 0:
        error("", f"điểm sàn {vn.number(policy.floor)} phải nhỏ hơn hoặc bằng 0 (điểm sàn là mức thấp nhất sau khi trừ)", "totals.floor")
    if policy.index_max < 1:
        error("", f"chỉ số tối đa {vn.number(policy.index_max)} phải từ 1 trở lên", "totals.index_max")
    labels = [band.label for band in policy.grades]
    bounds = [band.min for band in policy.grades]
    if len(set(labels)) != len(labels) or len(set(bounds)) != len(bounds):
        error("", "các loại xếp loại phải có tên khác nhau và mức chỉ số khác nhau", "grades")
    for band in policy.grades:
        if not 0 <= band.min <= policy.index_max:
            error("", f"loại {band.label}: mức chỉ số {vn.number(band.min)} phải từ 0 đến {vn.number(policy.index_max)}", "grades")
    return out


def policy_findings(catalog: Catalog) -> list[Finding]:
    """How this set adds up, in words, as info findings (``catalog check`` prints them): bonus,
    penalty and their caps, the floor, how the index is made, the grades, the figures the Sở
    supplies. Nothing for a set that uses none of them but the index."""
    policy = catalog.totals
    out: list[Finding] = []
    bonus, penalty = catalog.with_role(BONUS), catalog.with_role(PENALTY)

    def cap_words(role: str, cap: float | None) -> str:
        pillars = [f"trụ cột {p.code}: {vn.number(c)}" for p in catalog.pillars
                   if (c := p.bonus_cap if role == BONUS else p.penalty_cap) is not None]
        whole = f"cả bộ: {vn.number(cap)}" if cap is not None else "cả bộ: không giới hạn"
        return "; ".join([*pillars, whole])

    if bonus:
        out.append(Finding("", INFO, "điểm thưởng", f"Tiêu chí điểm thưởng: {', '.join(c.code for c in bonus)}; cộng vào điểm của trụ cột, "
                           f"không tính vào điểm tối đa; mức tối đa — {cap_words(BONUS, policy.bonus_cap)}."))
    if penalty:
        out.append(Finding("", INFO, "điểm trừ", f"Tiêu chí điểm trừ: {', '.join(c.code for c in penalty)}; trừ vào điểm của trụ cột, "
                           f"không tính vào điểm tối đa; thiếu số liệu hoặc số liệu lỗi: trừ đủ mức; mức tối đa — "
                           f"{cap_words(PENALTY, policy.penalty_cap)}."))
    if bonus or penalty:
        out.append(Finding("", INFO, "chỉ số", f"Điểm = điểm các tiêu chí + điểm thưởng − điểm trừ (mỗi phần trong mức tối đa của trụ cột, "
                           f"rồi của cả bộ), không thấp hơn {vn.number(policy.floor)}; chỉ số = điểm / điểm tối đa áp dụng, giữ trong "
                           f"[0; {vn.number(policy.index_max)}], cho từng trụ cột và toàn bộ."))
    else:
        out.append(Finding("", INFO, "chỉ số", "Chỉ số = điểm đạt / điểm tối đa áp dụng (0–1), cho từng trụ cột và toàn bộ; "
                           "bộ tiêu chí không có điểm thưởng, điểm trừ."))
    if policy.grades:
        bands = "; ".join(f"{g.label}: từ {vn.number(g.min)}" for g in sorted(policy.grades, key=lambda g: -g.min))
        lowest = min(g.min for g in policy.grades)
        tail = f"; dưới {vn.number(lowest)}: không xếp loại" if lowest > 0 else ""
        out.append(Finding("", INFO, "xếp loại", f"Xếp loại theo chỉ số chung làm tròn 4 chữ số (như hàm ROUND của Excel): {bands}{tail}."))
    if catalog.central_inputs:
        listed = ", ".join(f"{c.code} {i.key}" for c, i in catalog.central_inputs)
        out.append(Finding("", INFO, "số liệu của Sở", f"Số liệu do Sở cung cấp cho mọi đơn vị (điền sẵn, khóa trong sổ; tổng hợp dùng số liệu "
                           f"của Sở): {listed}."))
    return out


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)
