"""Catalog audit: where the plan's printed totals disagree with its criteria, every reading
hue-dx chose, and the catalog's own integrity.

A finding is "error" when the catalog is broken or a defect of the plan has no recorded
decision, "decided" when the plan is wrong or ambiguous and the catalog says how hue-dx
reads it, and "info" for facts worth seeing.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from . import vn
from .catalog import INPUT_TYPES, Catalog, code_key
from .rules import number

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

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


def audit(catalog: Catalog) -> list[Finding]:
    """Every finding, totals first, then integrity, then the recorded decisions, in code order."""
    findings = _totals(catalog) + _integrity(catalog)
    reported = {(f.code, f.decision) for f in findings}
    titles = {c.code: c.title for c in catalog.criteria} | {u.code: u.title for u in catalog.unscored}
    for d in catalog.decisions:
        if (d.code, d.text) not in reported:
            findings.append(Finding(d.code, DECIDED, d.topic, _short(titles.get(d.code, "")), d.text))
    order = {ERROR: 0, DECIDED: 1, INFO: 2}
    return sorted(findings, key=lambda f: (order[f.severity], code_key(f.code) if _CODE.match(f.code) else (999,)))


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _totals(catalog: Catalog) -> list[Finding]:
    out = []
    for g in catalog.groups:
        actual = catalog.max_of(g.code)
        what = "trụ cột" if g.is_pillar else "nhóm"
        children = [c for c in catalog.groups if c.parent == g.code]
        if g.stated_max is None:
            message = f"Kế hoạch không in điểm tối đa của {what} {g.code}; các tiêu chí cộng lại {vn.number(actual)}"
        elif g.stated_max != actual:
            message = f"Kế hoạch in {vn.number(g.stated_max)} điểm cho {what} {g.code}, các tiêu chí cộng lại {vn.number(actual)}"
            stated_children = [c.stated_max for c in children]
            if children and None not in stated_children:
                message += f" (các nhóm in cộng lại {vn.number(sum(stated_children))})"  # type: ignore[arg-type]
        else:
            continue
        out.append(Finding(g.code, DECIDED if g.decision else ERROR, "điểm tối đa", message,
                           g.decision or "Chưa ghi quyết định: thêm 'decision' cho nhóm này trong bộ tiêu chí."))
    return out


def _integrity(catalog: Catalog) -> list[Finding]:
    out: list[Finding] = []

    def error(code: str, message: str) -> None:
        out.append(Finding(code, ERROR, "toàn vẹn", message))

    codes = [g.code for g in catalog.groups] + [c.code for c in catalog.criteria] + [u.code for u in catalog.unscored]
    seen: set[str] = set()
    for code in codes:
        if not _CODE.match(code):
            error(code, f"mã {code!r} không đúng dạng số chấm số (1.2.3)")
        if code in seen:
            error(code, "mã bị trùng")
        seen.add(code)
    for p in catalog.pillars:
        if len(p.sheet_name) > 31 or set(p.sheet_name) & set("/\\?*[]:"):
            error(p.code, f"tên trang tính {p.sheet_name!r} dài quá 31 ký tự hoặc có ký tự cấm (/ \\ ? * [ ] :): đặt short_title")
    for u in catalog.unscored:
        if u.scored_in not in catalog.by_code:
            error(u.code, f"scored_in trỏ tới tiêu chí không có: {u.scored_in}")
    for c in catalog.criteria:
        rule = c.rule
        for problem in rule.check_params(c.params, [i.key for i in c.inputs], c.max):
            error(c.code, f"tham số của quy tắc {c.kind}: {problem}")
        if c.max <= 0:
            error(c.code, "điểm tối đa phải lớn hơn 0")
        for field_name in ("title", "how", "evidence"):
            if not getattr(c, field_name):
                error(c.code, f"thiếu {field_name}")
        if not c.applies_to or set(c.applies_to) - set(catalog.levels):
            error(c.code, f"applies_to phải là các cấp trong {sorted(catalog.levels)}")
        keys = [i.key for i in c.inputs]
        if len(set(keys)) != len(keys):
            error(c.code, "tên số liệu bị trùng")
        for i in c.inputs:
            if not _KEY.match(i.key):
                error(c.code, f"tên số liệu {i.key!r} phải là chữ thường, không dấu (a, b, …)")
            if not i.label:
                error(c.code, f"số liệu {i.key} thiếu nhãn")
            if i.type not in rule.input_types:
                error(c.code, f"số liệu {i.key} kiểu {i.type} không dùng được cho quy tắc {c.kind} (được: {', '.join(sorted(rule.input_types))})")
            if i.type not in INPUT_TYPES:
                error(c.code, f"số liệu {i.key}: kiểu {i.type} không có")
        try:
            used = rule.used_inputs(c.params, keys)
        except (KeyError, TypeError):
            continue  # already reported by check_params
        for key in sorted(set(keys) - used):
            error(c.code, f"số liệu {key} được khai báo nhưng quy tắc không dùng")
        for key in sorted(used - set(keys)):
            error(c.code, f"quy tắc dùng số liệu {key} nhưng không khai báo")
        if c.kind == "per_item":
            caps = sum(number(p["cap"]) for p in c.params["parts"])
            if caps > c.max and not c.decisions:
                error(c.code, f"các mức trần cộng lại {vn.number(caps)} vượt điểm tối đa {vn.number(c.max)}: cần ghi quyết định")
            if caps < c.max:
                error(c.code, f"các mức trần cộng lại {vn.number(caps)} nhỏ hơn điểm tối đa {vn.number(c.max)}: không bao giờ đạt điểm tối đa")
    return out


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)
