"""Printable, signable documents: a unit's self-assessment report, the province's ranking
report, and the layout and signing every outgoing document shares.

Each document is a ``documents.Document`` (heading, number, date, signer: data) laid out by
``templates/reports/base.html.j2`` after Nghị định 30/2020/NĐ-CP Phụ lục I; the template of
each kind fills the body. HTML is self-contained (inline CSS, charts as inline SVG) so it
opens and prints from a browser; PDF by WeasyPrint, which follows CSS paged media (A4,
margins, page numbers) and embeds the fonts. Why WeasyPrint and not LibreOffice: a report is
a document, not a spreadsheet; WeasyPrint lays out HTML and CSS for print, is a pure-Python
package with a stable API, and needs only Pango from the system. Signing: PAdES with pyHanko.

What a document was made from (files, SHA-256, tool version) is written in the PDF's
metadata, and for the ranking report in an annex the text refers to; never on the face of a
letter.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import os
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import __version__, sanitize
from .campaign import Campaign, Unit
from .catalog import Catalog, Criterion, code_key
from .data import shipped
from .documents import Annex, Document, Signer, as_date_text, heading_lines, recipients, upper, vn_equals, vn_number, vn_percent
from .issues import SEVERITY_VI, TYPES
from .rules import fmt_num
from .totals import grade

STATUS_CSS = {"invalid": "status-loi", "missing": "status-thieu", "na": "status-na", "ok": ""}
# Layout of the heading (base.html.j2 uses the same values): the text is 165 mm wide (A4 less
# 30 mm left and 15 mm right); the issuing body's column takes 42% of it.
ISSUER_COLUMN_MM = 165 * 0.42 - 2
HEADING_PT = 12
SIGNATURE_ANCHOR = "chu-ky"  # the signing space of the signer's block; a visible signature goes there


class SigningError(ValueError):
    """The certificate cannot sign: wrong password, unreadable file; the message says which."""


def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    folder = shipped("templates", "reports")
    # HTML templates are escaped; plain-text ones (e-mail bodies) are not.
    return Environment(loader=FileSystemLoader(folder), undefined=StrictUndefined, finalize=_printable,
                       autoescape=select_autoescape(["html.j2", "html"], default_for_string=False, default=False))


def _printable(value: Any) -> Any:
    """Every value a template prints, cleaned of what HTML, PDF and text letters cannot hold
    (the one place for those formats: a control character or lone surrogate from a returned
    file never reaches WeasyPrint or the encoder)."""
    from markupsafe import Markup

    if isinstance(value, Markup):
        return Markup(sanitize.for_xml(str(value)))
    return sanitize.for_xml(value) if isinstance(value, str) else value


# ------------------------------------------------------------------------------- measuring text

_FONT_FILES = {
    False: ("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf", "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
            "C:/Windows/Fonts/times.ttf", "/Library/Fonts/Times New Roman.ttf", "/System/Library/Fonts/Supplemental/Times New Roman.ttf"),
    True: ("/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf", "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf",
           "C:/Windows/Fonts/timesbd.ttf", "/Library/Fonts/Times New Roman Bold.ttf", "/System/Library/Fonts/Supplemental/Times New Roman Bold.ttf"),
}


@functools.cache
def _advances(bold: bool) -> tuple[dict[int, int], int] | None:
    """Advance widths of Times New Roman (or Liberation Serif, which has the same metrics)."""
    try:
        from fontTools.ttLib import TTFont
    except ImportError:
        return None
    candidates = list(_FONT_FILES[bold])
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", f"Times New Roman:{'bold' if bold else 'regular'}"],
                               capture_output=True, text=True, check=False).stdout.strip()
        if found:
            candidates.insert(0, found)
    for path in candidates:
        if Path(path).is_file():
            font = TTFont(path, lazy=True)
            metrics = font["hmtx"].metrics
            widths = {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()}
            return widths, font["head"].unitsPerEm
    return None


def text_mm(text: str, size_pt: float, bold: bool = False) -> float:
    """How wide a line of text prints, in mm (an estimate of 0.6 em a letter without the font)."""
    found = _advances(bold)
    if found is None:
        return len(text) * size_pt * 0.6 * 25.4 / 72
    widths, em = found
    fallback = widths.get(ord("N"), em // 2)
    return sum(widths.get(ord(ch), fallback) for ch in text) / em * size_pt * 25.4 / 72


# ------------------------------------------------------------------------------- rendering


@dataclass(frozen=True)
class Report:
    """A document ready to print: its data, its HTML, and whether it may be signed."""

    document: Document
    html: str

    @property
    def draft(self) -> bool:
        return self.document.draft


@dataclass(frozen=True)
class Pdf:
    data: bytes
    signature_box: tuple[int, tuple[float, float, float, float]] | None  # page index, (x1, y1, x2, y2) in PDF points


def render(template: str, doc: Document, **context: Any) -> Report:
    """Lay a document out with its kind's template (which extends base.html.j2)."""
    lines = heading_lines(doc.body.name, lambda t: text_mm(t, HEADING_PT, bold=True) <= ISSUER_COLUMN_MM)
    parent = upper(doc.body.parent)
    widest = max(text_mm(line, HEADING_PT, bold=True) for line in lines)
    summary_mm = min(text_mm(doc.summary, 14, bold=True), 150.0)
    layout = {
        "parent": parent, "issuer_lines": lines,
        "issuer_rule_mm": round(widest * 0.4, 1),  # 1/3 to 1/2 of the name (Phụ lục I, II.2)
        "summary_rule_mm": round(max(summary_mm * 0.4, 25.0), 1),
    }
    text = _env().get_template(template).render(doc=doc, layout=layout, signature_anchor=SIGNATURE_ANCHOR, **context)
    return Report(doc, text)


def pdf_of(report: Report) -> Pdf:
    """The PDF of a document and where its signer's signing space is."""
    from weasyprint import HTML

    rendered = HTML(string=report.html, base_url=str(shipped("templates", "reports"))).render()
    box = None
    for n, page in enumerate(rendered.pages):
        if SIGNATURE_ANCHOR in page.anchors:
            x1, y1, x2, y2 = page.anchors[SIGNATURE_ANCHOR]  # the signing space, CSS px from the top left
            height_pt = page.height * 0.75
            box = (n, (round(x1 * 0.75, 2), round(height_pt - y2 * 0.75, 2), round(x2 * 0.75, 2), round(height_pt - y1 * 0.75, 2)))
    return Pdf(rendered.write_pdf(custom_metadata=True), box)


def write_pdf(html_text: str | Report, path: Path) -> None:
    """Lay the HTML out for print with WeasyPrint and write the PDF atomically."""
    from .generate import write_atomic

    if isinstance(html_text, Report):
        write_atomic(path, pdf_of(html_text).data)
        return
    from weasyprint import HTML

    write_atomic(path, HTML(string=html_text, base_url=str(shipped("templates", "reports"))).write_pdf(custom_metadata=True))


def write_html(html_text: str | Report, path: Path) -> None:
    from .generate import write_atomic

    write_atomic(path, (html_text.html if isinstance(html_text, Report) else html_text).encode("utf-8"))


# ------------------------------------------------------------------------------- numbers and charts


def _num(value: float | None, digits: int = 2) -> str:
    return vn_number(value, digits)


def _wrap_label(label: str, limit: int = 40) -> list[str]:
    """A chart label on one line, or two cut at the space nearest the middle (never shortened)."""
    if len(label) <= limit or " " not in label:
        return [label]
    middle = len(label) // 2
    cut = min((i for i, ch in enumerate(label) if ch == " "), key=lambda i: abs(i - middle))
    return [label[:cut], label[cut + 1:]]


def bar_chart_svg(labels: list[str], values: list[float | None], title: str, width: int = 620) -> str:
    """A horizontal bar chart of indices 0–1 as inline SVG (prints crisp, needs nothing)."""
    wrapped = [_wrap_label(label) for label in labels]
    row = 26 if any(len(w) > 1 for w in wrapped) else 20
    label_width, top = 250, 28
    height = top + row * len(labels) + 26
    scale = width - label_width - 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'font-family="Times New Roman" font-size="11" role="img" aria-label="{html.escape(title)}">',  # one family: lists are not read in SVG
             f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">{html.escape(title)}</text>']
    for tick in range(0, 11, 2):
        x = label_width + scale * tick / 10
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 22}" stroke="#ccc" stroke-width="0.6"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="#444">{vn_number(tick / 10, 1)}</text>')
    for n, (lines, value) in enumerate(zip(wrapped, values, strict=True)):
        y = top + n * row
        if len(lines) == 1:
            parts.append(f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">{html.escape(lines[0])}</text>')
        else:
            parts.append(f'<text x="{label_width - 6}" y="{y + 10}" text-anchor="end" font-size="10">'
                         f'<tspan x="{label_width - 6}">{html.escape(lines[0])}</tspan>'
                         f'<tspan x="{label_width - 6}" dy="11">{html.escape(lines[1])}</tspan></text>')
        if value is not None:
            w = max(0.0, min(1.0, value)) * scale
            parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row - 7}" fill="#4f81bd"/>')
            parts.append(f'<text x="{label_width + w + 4:.1f}" y="{y + row / 2 + 3}" fill="#222">{vn_number(value, 4)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def ratio_is_share(c: Criterion) -> bool:
    """Whether a criterion's ratio is a share of a whole (printed in %), not a rate per person or
    per unit that may pass 1 (7.2.2: trainings per officer; 3.1.x: devices per officer)."""
    if c.kind == "weighted_shares":
        return True
    return c.params.get("over", "invalid") == "invalid" and float(c.params.get("target", 1) or 1) <= 1


def _metadata(doc_title: str, author: str, subject: str, files: list[tuple[str, str]], extra: dict[str, str] | None = None) -> dict[str, str]:
    """PDF metadata: what the document was made from, off its face."""
    traced = "; ".join(f"{name} SHA-256 {sha}" for name, sha in files)
    return {"title": doc_title, "author": author, "description": subject, "generator": f"hue-dx {__version__}",
            "keywords": traced, **({"hue-dx-files": traced} if traced else {}), **(extra or {})}


# ------------------------------------------------------------------------------- a unit's report


def is_blank(result) -> bool:
    """A returned workbook with no figure at all (no input holding a value the workbook accepts:
    the intake's ``figures``; not a submission). Nothing in it can be reported, let alone signed."""
    if getattr(result, "figures", None) is not None and result.accepted:
        return result.figures == 0
    if any(status not in ("missing", "na") for _, _, status, _, _ in result.criteria):
        return False
    return not any(v not in (None, "") and not (isinstance(v, str) and not v.strip())
                   for values in result.typed.values() for v in values.values())


def unit_signer(campaign: Campaign, unit: Unit, contacts: dict[str, str]) -> Signer:
    """The head's position as the unit typed it ("Chức vụ thủ trưởng"), else the roster's; a
    deputy signs KT. for the head; the name the unit typed."""
    typed = contacts.get("unit_head_title", "")
    head = unit.signer_title
    signer = Signer.from_title(typed, head, unit.signer_authority, contacts.get("unit_head", ""))
    if not typed and unit.signer_authority:
        signer = replace(signer, authority=unit.signer_authority)
    return signer


def unit_report(catalog: Catalog, campaign: Campaign, result, when: dt.datetime | None = None) -> Report:
    """One unit's self-assessment report from a checked file (``check_file(..., details=True)``)."""
    when = when or dt.datetime.now()
    unit = campaign.unit(result.unit)
    body = campaign.body(unit)
    sender_body, _, sender_unit = campaign.sender()
    if sender_unit is not None and sender_unit.code == unit.code:
        province, _ = campaign.province()
        addressee = province.name
    else:
        addressee = sender_body.name
    groups = {g.code: g for g in catalog.groups if not g.is_pillar}
    by_code = {c[0]: c for c in result.criteria}
    rows: list[dict[str, Any]] = []
    items: list[Any] = [*groups.values(), *catalog.criteria]
    for item in sorted(items, key=lambda i: code_key(i.code)):
        if item.code in groups:
            rows.append({"kind": "group", "code": item.code, "title": item.title})
            continue
        _, points, status, words, amax = by_code[item.code]
        typed = result.typed.get(item.code, {})
        inputs = [{"key": i.key, "label": i.label, "value": _shown(typed.get(i.key))} for i in item.inputs] if item.applies(unit.level) else []
        rows.append({"kind": "criterion", "code": item.code, "title": item.title, "inputs": inputs, "max": fmt_num(item.max),
                     "score": "" if points is None else _num(points), "status": words, "css": STATUS_CSS.get(status, ""),
                     "evidence": _evidence(result.evidence.get(item.code, []))})
    titles = {p.code: p.title for p in catalog.pillars}
    pillars = [{"code": c, "title": titles[c], "points": _num(p), "max": fmt_num(m), "index": _num(i, 4)} for c, p, m, i in result.pillars]
    issues = [{"severity": SEVERITY_VI[i.severity], "message": i.message, "hint": i.hint,
               "where": " · ".join(x for x in (i.sheet, i.cell and f"ô {i.cell}", i.criterion and f"tiêu chí {i.criterion}") if x)}
              for i in sorted(result.issues, key=lambda i: ["error", "warning", "info"].index(i.severity))]
    counts = Counter(status for _, _, status, _, _ in result.criteria)
    points, top, index = result.total
    contacts = result.contacts
    annexes = [Annex("I", "Chi tiết số liệu, điểm và tài liệu kiểm chứng từng tiêu chí", "annex_criteria")]
    if issues:
        annexes.append(Annex("II", "Các vấn đề phát hiện khi kiểm tra sổ tự đánh giá", "annex_issues"))
    doc = Document(
        body=body, kind="BÁO CÁO", code="BC", summary=f"Kết quả tự đánh giá chuyển đổi số năm {campaign.period}",
        signer=unit_signer(campaign, unit, contacts), date=when.date(), addressees=(addressee,),
        recipients=recipients(["Như trên"]), annexes=tuple(annexes),
        title=f"Báo cáo kết quả tự đánh giá chuyển đổi số năm {campaign.period} – {unit.name}",
        metadata=_metadata(f"Báo cáo kết quả tự đánh giá chuyển đổi số năm {campaign.period} – {unit.name}", body.name,
                           f"{catalog.title}, bộ tiêu chí {catalog.id} phiên bản {catalog.version}, kỳ {campaign.period}",
                           [(result.name, result.sha256)]),
    )
    contact_bits = [x for x in (contacts.get("unit_preparer", ""), contacts.get("unit_preparer_title", "")) if x.strip()]
    reach = [x for x in (f"điện thoại {contacts['unit_phone']}" if contacts.get("unit_phone", "").strip() else "",
                         f"thư điện tử {contacts['unit_email']}" if contacts.get("unit_email", "").strip() else "") if x]
    return render(
        "unit.html.j2", doc, period=campaign.period, unit_name=body.name, catalog_title=catalog.title, source=_source(catalog),
        pillars=pillars, total={"points": _num(points), "max": fmt_num(top), "index": _num(index, 4)},
        chart=bar_chart_svg([f"{c}. {titles[c]}" for c, *_ in result.pillars], [i for *_, i in result.pillars], "Chỉ số theo trụ cột"),
        rows=rows, issues=issues, missing=counts.get("missing", 0), invalid=counts.get("invalid", 0),
        errors=sum(1 for i in result.issues if i.severity == "error"), warnings=sum(1 for i in result.issues if i.severity == "warning"),
        preparer=", ".join(contact_bits), reach="; ".join(reach), addressee=addressee,
    )


def unit_html(catalog: Catalog, campaign: Campaign, result, when: dt.datetime | None = None) -> str:
    return unit_report(catalog, campaign, result, when).html


def _source(catalog: Catalog) -> dict[str, str]:
    s = catalog.source
    date = as_date_text(s.get("date", ""))
    return {"document": s.get("document", ""), "date": date, "issuer": s.get("issuer", ""), "title": s.get("title", ""),
            "appendix": s.get("appendix", "")}


def _evidence(fields: list[str]) -> str:
    """Number, date, title, link of an evidence document; a date typed as a real date shows as one."""
    shown = [as_date_text(v) if n == 1 else v for n, v in enumerate(fields)]
    return " · ".join(t for t in shown if t)


def _shown(value: object) -> str:
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, float):
        return vn_number(value, 4, trim=True)
    if isinstance(value, int):
        return vn_number(value)
    return str(value)


# ------------------------------------------------------------------------------- the province's ranking


def ranking_report(consolidation, when: dt.datetime | None = None) -> Report:
    """The province's ranking report from a consolidation; a draft when no unit is ranked."""
    when = when or dt.datetime.now()
    c = consolidation
    catalog, campaign = c.catalog, c.campaign
    body, signer = campaign.province()
    appraised = any(r.final and r.final.applied for members in c.groups.values() for r in members)
    groups = []
    for name, members in c.groups.items():
        ranked = [r for r in members if r.result]
        rows = [{"rank": r.rank, "name": r.unit.name, "points": _num(r.final.final.total.points), "max": fmt_num(r.final.final.total.applicable_max),
                 "index": _num(r.index, 4), "self_index": _num(r.self_index, 4), "note": _flags(r),
                 "grade": grade(r.index, catalog.totals.grades) or "—"} for r in ranked]  # [grades] issue 24
        values = [r.index for r in ranked if r.index is not None]
        groups.append({"name": name, "rows": rows, "average": _num(sum(values) / len(values), 4) if values else "—",
                       "chart": bar_chart_svg([r.unit.name for r in ranked], [r.index for r in ranked], f"Chỉ số — {name}")})
    ranked_all = [r for members in c.groups.values() for r in members if r.result]
    pillars = [{"code": p.code, "short": p.short_title or p.title, "title": p.title} for p in catalog.pillars]
    pillar_rows = [{"name": r.unit.name, "cells": [_num(r.pillar_index(n), 4) for n in range(len(pillars))]} for r in ranked_all]
    averages = []
    for n in range(len(pillars)):
        values = [v for r in ranked_all if (v := r.pillar_index(n)) is not None]
        averages.append(sum(values) / len(values) if values else None)
    known = [(a, p) for a, p in zip(averages, pillars, strict=True) if a is not None]
    best = max(known, key=lambda x: x[0]) if known else None
    worst = min(known, key=lambda x: x[0]) if known else None
    criteria = {x.code: x for x in catalog.criteria}
    province = []
    for p in c.province:
        share = p["share"]
        crit = criteria[p["code"]]
        ratio = "—" if share is None else (vn_percent(share) if ratio_is_share(crit) else vn_number(share, 2))
        province.append({"code": p["code"], "title": p["title"], "units": p["units"], "ratio": ratio,
                         "sums": [vn_equals(f"{k}: {p['labels'].get(k, '')}", vn_number(v, 0)) for k, v in p["sums"].items()]})
    counts = c.issue_counts  # counted as the consolidation read each file: never all issues in memory
    units_with = {key: len(c.issue_units.get(key, ())) for key in counts}
    summary = [{"severity": SEVERITY_VI[s], "title": TYPES[code].title, "count": n, "units": units_with[(s, code)]}
               for (s, code), n in sorted(counts.items(), key=lambda x: (["error", "warning", "info"].index(x[0][0]), -x[1]))]
    self_files = [f for f in c.files if f.get("kind", "self") != "appraisal"]
    used = [(r.unit, r.result) for r in ranked_all]
    draft = not ranked_all
    annexes = [Annex("I", "Chỉ số chuyển đổi số theo trụ cột của các đơn vị", "annex_pillars")]
    if province:
        annexes.append(Annex(_roman(len(annexes) + 1), "Số liệu toàn tỉnh", "annex_province"))
    if c.differences:
        annexes.append(Annex(_roman(len(annexes) + 1), "Kết quả thẩm định: các chênh lệch lớn nhất", "annex_appraisal"))
    if summary:
        annexes.append(Annex(_roman(len(annexes) + 1), "Tóm tắt các vấn đề trong sổ gửi về", "annex_issues"))
    if used:
        annexes.append(Annex(_roman(len(annexes) + 1), "Danh mục sổ tự đánh giá dùng để xếp hạng", "annex_files"))
    title = f"Báo cáo kết quả đánh giá, xếp hạng chỉ số chuyển đổi số năm {campaign.period}"
    doc = Document(
        body=body, kind="BÁO CÁO", code="BC",
        summary=f"Kết quả đánh giá, xếp hạng chỉ số chuyển đổi số năm {campaign.period}" + (" (sau thẩm định)" if appraised else ""),
        signer=signer, date=when.date(), recipients=recipients(campaign.report.get("recipients") or ["Như trên"], _archive(campaign)),
        annexes=tuple(annexes) if not draft else (), draft=draft, title=title,
        metadata=_metadata(title, body.name, f"{catalog.title}, bộ tiêu chí {catalog.id} phiên bản {catalog.version}, kỳ {campaign.period}",
                           [(res.name, res.sha256) for _, res in used]),
    )
    return render(
        "ranking.html.j2", doc, period=campaign.period, graded=bool(catalog.totals.grades), catalog_title=catalog.title, source=_source(catalog),
        roster=len(campaign.units), files_seen=len(self_files), appraisal_files=len(c.files) - len(self_files),
        ranked=len(ranked_all), missing=[u.name for u in c.missing], late_units=[r.unit.name for r in ranked_all if r.late],
        with_errors=sum(1 for r in ranked_all if r.errors), appraised=appraised,
        groups=groups, pillars=pillars, pillar_rows=pillar_rows,
        pillar_chart=bar_chart_svg([f"{p['code']}. {p['short']}" for p in pillars], averages, "Chỉ số trung bình theo trụ cột"),
        best=best and {"code": best[1]["code"], "title": best[1]["title"], "value": _num(best[0], 4)},
        worst=worst and {"code": worst[1]["code"], "title": worst[1]["title"], "value": _num(worst[0], 4)},
        province=province, issue_summary=summary,
        differences=[{**d, "self": _num(d["self"]), "final": _num(d["final"]), "difference": _num(d["difference"])} for d in c.differences[:20]],
        used_files=[{"unit": u.name, "name": res.name, "sha256": res.sha256} for u, res in used],
        keeper=campaign.sender()[0].name, made_at=when.strftime("%d/%m/%Y %H:%M"), catalog_id=catalog.id, catalog_version=catalog.version, version=__version__,
    )


def ranking_html(consolidation, report: dict[str, str] | None = None, when: dt.datetime | None = None) -> str:
    """The ranking report's HTML (``report``: kept for callers; the campaign's [report] is used)."""
    return ranking_report(consolidation, when).html


def _flags(r) -> str:
    """What a reader of the ranking must know about a unit's row."""
    flags = []
    if r.late:
        flags.append("nộp muộn")
    if r.errors:
        flags.append(f"{vn_number(r.errors)} lỗi chưa sửa")
    if r.final and r.final.applied:
        flags.append(f"thẩm định {vn_number(len(r.final.applied))} tiêu chí")
    return "; ".join(flags)


def _archive(campaign: Campaign) -> str:
    listed = [r for r in campaign.report.get("recipients") or [] if r.strip().casefold().startswith("lưu:")]
    return listed[-1].split(":", 1)[1].strip().rstrip(".") if listed else "VT"


def _roman(n: int) -> str:
    return ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][n - 1]


# ------------------------------------------------------------------------------- signing


def load_signer(pkcs12: Path, passphrase: bytes | None, chain: list[Path] | None = None):
    """A pyHanko signer from a PKCS#12 file; a wrong password or a bad file is one clear line."""
    from cryptography.hazmat.primitives.serialization import pkcs12 as p12
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko.sign import signers

    try:
        data = pkcs12.read_bytes()
    except OSError as exc:
        raise SigningError(f"Không đọc được tệp chứng thư số {pkcs12}: {exc.strerror or exc}") from None
    try:
        key, cert, extra = p12.load_key_and_certificates(data, passphrase)
    except ValueError:
        why = "thiếu mật khẩu (--password)" if not passphrase else "sai mật khẩu"
        raise SigningError(f"Không mở được chứng thư số {pkcs12.name}: {why}, hoặc tệp không phải PKCS#12 (.p12, .pfx)") from None
    if key is None or cert is None:
        raise SigningError(f"Tệp {pkcs12.name} không chứa khóa bí mật và chứng thư để ký")
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    key_der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    others = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in extra or []]
    for path in chain or []:
        try:
            others.extend(load_certs_from_pemder([str(path)]))
        except (OSError, ValueError) as exc:
            raise SigningError(f"Không đọc được chứng thư trong chuỗi {path}: {exc}") from None
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(others),
    )


def sign_pdf(data: bytes | Path, pkcs12: Path, passphrase: bytes | None = None, reason: str = "Phê duyệt báo cáo", *,
             box: tuple[int, tuple[float, float, float, float]] | None = None, chain: list[Path] | None = None,
             revocation: list[Path] | None = None, signer=None) -> bytes:
    """A signed copy of a PDF (PAdES, pyHanko); nothing is written here.

    ``box``: a visible signature there (page, rectangle in points), else invisible.
    ``chain`` (certificates: intermediates and the root) and ``revocation`` (CRLs, OCSP
    responses, DER or PEM, as files: nothing is fetched) embed long-term validation data."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    if isinstance(data, Path):  # the older call: sign a file in place
        path = data
        from .generate import write_atomic

        write_atomic(path, sign_pdf(path.read_bytes(), pkcs12, passphrase, reason, box=box, chain=chain, revocation=revocation))
        return path.read_bytes()
    signer = signer or load_signer(pkcs12, passphrase, chain)
    import io

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    field_name = "ChuKySo"
    validation = _validation_context(signer, chain or [], revocation or []) if (chain or revocation) else None
    meta = signers.PdfSignatureMetadata(field_name=field_name, reason=reason, subfilter=fields.SigSeedSubFilter.PADES,
                                        embed_validation_info=validation is not None, validation_context=validation)
    spec = None
    if box is not None:
        spec = fields.SigFieldSpec(field_name, on_page=box[0], box=tuple(round(v) for v in box[1]))  # type: ignore[arg-type]
    style = _stamp_style()
    pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style, new_field_spec=spec)
    try:
        out = pdf_signer.sign_pdf(writer)
    except Exception as exc:  # noqa: BLE001  (pyHanko raises many kinds; the officer needs one line)
        raise SigningError(f"Không ký được: {type(exc).__name__}: {exc}") from None
    return out.getvalue()


def _stamp_style():
    """The visible signature's text, in Times New Roman (or its metric twin) so that Vietnamese
    prints; without a font to embed (or harfbuzz), the same words without diacritics."""
    from pyhanko.stamp import TextStampStyle

    text, when = "Ký số bởi: %(signer)s\nNgày ký: %(ts)s", "%d/%m/%Y %H:%M:%S %z"
    font = _stamp_font()
    try:
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
        from pyhanko.pdf_utils.text import TextBoxStyle
    except ImportError:
        font = None
    if font is None:
        import unicodedata

        plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
        return TextStampStyle(stamp_text="".join(ch for ch in plain if not unicodedata.combining(ch)), timestamp_format=when)
    return TextStampStyle(stamp_text=text, timestamp_format=when, border_width=1,
                          text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(font), font_size=9))


@functools.cache
def _stamp_font() -> str | None:
    """Times New Roman (or Liberation Serif) scaled to 1000 units per em: pyHanko writes a
    TrueType font's glyph widths unscaled, and PDF reads them per 1000, so a 2048-unit font
    prints letter-spaced. Written once per process into the temporary folder."""
    import hashlib
    import tempfile

    source = next((p for p in _FONT_FILES[False] if Path(p).is_file()), None)
    if source is None:
        return None
    target = Path(tempfile.gettempdir()) / f"hue-dx-stamp-{hashlib.sha256(source.encode()).hexdigest()[:12]}.ttf"
    if not target.is_file():
        from fontTools.ttLib import TTFont
        from fontTools.ttLib.scaleUpem import scale_upem

        font = TTFont(source)
        if font["head"].unitsPerEm != 1000:
            scale_upem(font, 1000)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        font.save(partial)
        os.replace(partial, target)
    return str(target)


def _validation_context(signer, chain: list[Path], revocation: list[Path]):
    """Trust roots, intermediates and revocation data given as files; nothing fetched."""
    from asn1crypto import crl as asn1_crl
    from asn1crypto import ocsp as asn1_ocsp
    from asn1crypto import pem
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko_certvalidator import ValidationContext

    certs = []
    for path in chain:
        certs.extend(load_certs_from_pemder([str(path)]))
    roots = [c for c in certs if c.self_signed] or certs[-1:]
    others = [c for c in certs if c not in roots]
    crls, ocsps = [], []
    for path in revocation:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise SigningError(f"Không đọc được dữ liệu thu hồi {path}: {exc.strerror or exc}") from None
        if pem.detect(raw):
            _, _, raw = pem.unarmor(raw)
        try:
            crl = asn1_crl.CertificateList.load(raw)
            crl.native  # noqa: B018  (parse now: a bad file is reported here, not deep inside pyHanko)
            crls.append(crl)
        except ValueError:
            try:
                response = asn1_ocsp.OCSPResponse.load(raw)
                response.native  # noqa: B018
                ocsps.append(response)
            except ValueError:
                raise SigningError(f"{path.name} không phải CRL hay phản hồi OCSP") from None
    return ValidationContext(trust_roots=roots, other_certs=others, crls=crls, ocsps=ocsps, allow_fetching=False, revocation_mode="hard-fail")
