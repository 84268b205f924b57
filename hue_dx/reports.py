"""Printable, signable documents: a unit's self-assessment report, the province's ranking
report, and the layout every outgoing document shares (signing a PDF: ``hue_dx.signing``).

Each document is a ``documents.Document`` (heading, number, date, signer: data) laid out by
``templates/reports/base.html.j2`` after Nghị định 30/2020/NĐ-CP Phụ lục I; the template of
each kind fills the body. HTML is self-contained (inline CSS, charts as inline SVG) so it
opens and prints from a browser; PDF by WeasyPrint, which follows CSS paged media (A4,
margins, page numbers) and embeds the fonts. Why WeasyPrint and not LibreOffice: a report is
a document, not a spreadsheet; WeasyPrint lays out HTML and CSS for print, is a pure-Python
package with a stable API, and needs only Pango from the system.

What a document was made from (files, SHA-256, tool version) is written in the PDF's
metadata, and for the ranking report in an annex the text refers to; never on the face of a
letter.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import __version__, sanitize, series, series_print, vn
from .campaign import Campaign, Unit
from .catalog import Catalog, Criterion, code_key
from .data import shipped
from .documents import Annex, Document, Signer, as_date_text, heading_lines, recipients, upper, vn_equals
from .issues import SEVERITY_VI, TYPES
from .totals import grade

STATUS_CSS = {"invalid": "status-loi", "missing": "status-thieu", "na": "status-na", "ok": ""}
# Layout of the heading (base.html.j2 uses the same values): the text is 165 mm wide (A4 less
# 30 mm left and 15 mm right); the issuing body's column takes 42% of it.
ISSUER_COLUMN_MM = 165 * 0.42 - 2
HEADING_PT = 12
SIGNATURE_ANCHOR = "chu-ky"  # the signing space of the signer's block; a visible signature goes there


def environment():
    """The templates' Jinja environment: HTML escaped, every printed value cleaned (``_printable``)."""
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

FONT_FILES = {
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
    candidates = list(FONT_FILES[bold])
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
        """Printed "DỰ THẢO", not to be signed: no figures, or no signer's name."""
        return self.document.is_draft

    @property
    def warning(self) -> str:
        """The one-line warning of a draft for want of a signer's name ("" otherwise)."""
        return self.document.signer_warning


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
    text = environment().get_template(template).render(doc=doc, layout=layout, signature_anchor=SIGNATURE_ANCHOR, **context)
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
    from .files import write_atomic

    if isinstance(html_text, Report):
        write_atomic(path, pdf_of(html_text).data)
        return
    from weasyprint import HTML

    write_atomic(path, HTML(string=html_text, base_url=str(shipped("templates", "reports"))).write_pdf(custom_metadata=True))


def write_html(html_text: str | Report, path: Path) -> None:
    from .files import write_atomic

    write_atomic(path, (html_text.html if isinstance(html_text, Report) else html_text).encode("utf-8"))


# ------------------------------------------------------------------------------- numbers and charts


def _wrap_label(label: str, limit: int = 40) -> list[str]:
    """A chart label on one line, or two cut at the space nearest the middle (never shortened)."""
    if len(label) <= limit or " " not in label:
        return [label]
    middle = len(label) // 2
    cut = min((i for i, ch in enumerate(label) if ch == " "), key=lambda i: abs(i - middle))
    return [label[:cut], label[cut + 1:]]


def bar_chart_svg(labels: list[str], values: list[float | None], title: str, width: int = 620) -> str:
    """A horizontal bar chart of indices 0–1 as inline SVG (prints crisp, needs nothing): black
    labels, grey bars and grid (black ink: a document prints the same on any printer)."""
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
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="#000">{vn.fixed(tick / 10, 1)}</text>')
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
            parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row - 7}" fill="#8c8c8c"/>')
            parts.append(f'<text x="{label_width + w + 4:.1f}" y="{y + row / 2 + 3}" fill="#000">{vn.fixed(value, 4)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def ratio_is_share(c: Criterion) -> bool:
    """Whether a criterion's ratio is a share of a whole (printed in %), not a rate per person or
    per unit that may pass 1 (7.2.2: trainings per officer; 3.1.x: devices per officer)."""
    if c.kind == "weighted_shares":
        return True
    return c.params.get("over", "invalid") == "invalid" and float(c.params.get("target", 1) or 1) <= 1


def pdf_metadata(doc_title: str, author: str, subject: str, files: list[tuple[str, str]], extra: dict[str, str] | None = None) -> dict[str, str]:
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
    deputy signs KT. for the head; the name the unit typed, else the roster's."""
    typed = contacts.get("unit_head_title", "")
    head = unit.signer_title
    name = " ".join(contacts.get("unit_head", "").split()) or unit.signer_name
    signer = Signer.from_title(typed, head, unit.signer_authority, name)
    if not typed and unit.signer_authority:
        signer = replace(signer, authority=unit.signer_authority)
    where = (f"ô \"Thủ trưởng đơn vị (họ và tên)\" của trang \"Thông tin đơn vị\" trong sổ của {unit.name} "
             f"(hoặc cột signer_name, dòng {unit.code} của danh sách đơn vị)")
    return replace(signer, where=where)


def unit_report(catalog: Catalog, campaign: Campaign, result, when: dt.datetime | None = None,
                comparison: series.UnitComparison | None = None) -> Report:
    """One unit's self-assessment report from a checked file (``check_file(..., details=True)``);
    ``comparison``: the unit against the year before (issue 22: its pillars, criteria and history)."""
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
        rows.append({"kind": "criterion", "code": item.code, "title": item.title, "inputs": inputs, "max": vn.number(item.max),
                     "score": "" if points is None else vn.fixed(points, 2), "status": words, "css": STATUS_CSS.get(status, ""),
                     "evidence": _evidence(result.evidence.get(item.code, []))})
    titles = {p.code: p.title for p in catalog.pillars}
    pillars = [{"code": c, "title": titles[c], "points": vn.fixed(p, 2), "max": vn.number(m), "index": vn.fixed(i, 4)} for c, p, m, i in result.pillars]
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
        metadata=pdf_metadata(f"Báo cáo kết quả tự đánh giá chuyển đổi số năm {campaign.period} – {unit.name}", body.name,
                           f"{catalog.title}, bộ tiêu chí {catalog.id} phiên bản {catalog.version}, kỳ {campaign.period}",
                           [(result.name, result.sha256)]),
    )
    contact_bits = [x for x in (contacts.get("unit_preparer", ""), contacts.get("unit_preparer_title", "")) if x.strip()]
    reach = [x for x in (f"điện thoại {contacts['unit_phone']}" if contacts.get("unit_phone", "").strip() else "",
                         f"thư điện tử {contacts['unit_email']}" if contacts.get("unit_email", "").strip() else "") if x]
    return render(
        "unit.html.j2", doc, period=campaign.period, unit_name=body.name, catalog_title=catalog.title, source=catalog_source(catalog),
        pillars=pillars, total={"points": vn.fixed(points, 2), "max": vn.number(top), "index": vn.fixed(index, 4)},
        chart=bar_chart_svg([f"{c}. {titles[c]}" for c, *_ in result.pillars], [i for *_, i in result.pillars], "Chỉ số theo trụ cột"),
        rows=rows, issues=issues, missing=counts.get("missing", 0), invalid=counts.get("invalid", 0),
        errors=sum(1 for i in result.issues if i.severity == "error"), warnings=sum(1 for i in result.issues if i.severity == "warning"),
        preparer=", ".join(contact_bits), reach="; ".join(reach), addressee=addressee,
        compare=series_print.unit_context(comparison, catalog),
    )


def unit_html(catalog: Catalog, campaign: Campaign, result, when: dt.datetime | None = None) -> str:
    return unit_report(catalog, campaign, result, when).html


def catalog_source(catalog: Catalog) -> dict[str, str]:
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
        return vn.fixed(value, 4, trim=True)
    if isinstance(value, int):
        return vn.fixed(value)
    return str(value)


# ------------------------------------------------------------------------------- the province's ranking


def ranking_report(consolidation, when: dt.datetime | None = None) -> Report:
    """The province's ranking report from a consolidation; a draft when no unit is ranked. While
    it reproduces an approval it carries the approval's time, and is the same byte for byte."""
    c = consolidation
    made = getattr(c, "made", None)  # [approval] the approval's time, in Vietnam
    when = when or (made.replace(tzinfo=None) if made is not None else None) or dt.datetime.now()
    catalog, campaign = c.catalog, c.campaign
    body, signer = campaign.province()
    appraised = any(r.final and r.final.applied for members in c.groups.values() for r in members)
    groups = []
    for name, members in c.groups.items():
        ranked = [r for r in members if r.result]
        rows = [{"rank": r.rank, "code": r.unit.code, "name": r.unit.name,
                 "points": vn.fixed(r.final.final.total.points, 2), "max": vn.number(r.final.final.total.applicable_max),
                 "index": vn.fixed(r.index, 4), "self_index": vn.fixed(r.self_index, 4), "note": _flags(r),
                 "grade": grade(r.index, catalog.totals.grades) or "—"} for r in ranked]
        groups.append({"name": name, "rows": rows, "average": vn.fixed(series.mean(r.index for r in ranked), 4),  # of the indices as printed
                       "chart": bar_chart_svg([r.unit.name for r in ranked], [r.index for r in ranked], f"Chỉ số — {name}")})
    ranked_all = [r for members in c.groups.values() for r in members if r.result]
    pillars = [{"code": p.code, "short": p.short_title or p.title, "title": p.title} for p in catalog.pillars]
    pillar_rows = [{"name": r.unit.name, "cells": [vn.fixed(r.pillar_index(n), 4) for n in range(len(pillars))]} for r in ranked_all]
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
        ratio = "—" if share is None else (vn.percent(share, 2) if ratio_is_share(crit) else vn.fixed(share, 2))
        province.append({"code": p["code"], "title": p["title"], "units": p["units"], "ratio": ratio,
                         "sums": [vn_equals(f"{k}: {p['labels'].get(k, '')}", vn.fixed(v, 0)) for k, v in p["sums"].items()]})
    counts = c.issue_counts  # counted as the consolidation read each file: never all issues in memory
    units_with = {key: len(c.issue_units.get(key, ())) for key in counts}
    summary = [{"severity": SEVERITY_VI[s], "title": TYPES[code].title, "count": n, "units": units_with[(s, code)]}
               for (s, code), n in sorted(counts.items(), key=lambda x: (["error", "warning", "info"].index(x[0][0]), -x[1]))]
    self_files = [f for f in c.files if f.kind != "appraisal"]
    used = [(r.unit, r.result) for r in ranked_all]
    draft = not ranked_all
    annexes = [Annex("I", "Chỉ số chuyển đổi số theo trụ cột của các đơn vị", "annex_pillars")]
    compare = series_print.ranking_context(c.comparison, catalog, {u.code: u.name for u in campaign.units})  # [issue 22]
    if compare and not compare.get("unavailable"):
        annexes.append(Annex("II", f"Chỉ số theo trụ cột so với năm {compare['previous']}", "annex_previous"))
    if province:
        annexes.append(Annex(_roman(len(annexes) + 1), "Số liệu toàn tỉnh", "annex_province"))
    if c.differences:
        annexes.append(Annex(_roman(len(annexes) + 1), "Kết quả thẩm định: các chênh lệch lớn nhất", "annex_appraisal"))
    if summary:
        annexes.append(Annex(_roman(len(annexes) + 1), "Tóm tắt các vấn đề trong sổ gửi về", "annex_issues"))
    states = [{"name": r.unit.name, "state": found.state, "detail": found.detail}
              for members in c.groups.values() for r in members if (found := getattr(c, "states", {}).get(r.unit.code)) is not None]
    if states:  # [approval] where each unit stands, and whether this is the approved result
        annexes.append(Annex(_roman(len(annexes) + 1), "Tình trạng của các đơn vị và phê duyệt kết quả", "annex_states"))
    if used:
        annexes.append(Annex(_roman(len(annexes) + 1), "Danh mục sổ tự đánh giá dùng để xếp hạng", "annex_files"))
    title = f"Báo cáo kết quả đánh giá, xếp hạng chỉ số chuyển đổi số năm {campaign.period}"
    doc = Document(
        body=body, kind="BÁO CÁO", code="BC",
        summary=f"Kết quả đánh giá, xếp hạng chỉ số chuyển đổi số năm {campaign.period}" + (" (sau thẩm định)" if appraised else ""),
        signer=signer, date=when.date(), recipients=recipients(campaign.report.get("recipients") or ["Như trên"], _archive(campaign)),
        annexes=tuple(annexes) if not draft else (), draft=draft, title=title,
        metadata=pdf_metadata(title, body.name, f"{catalog.title}, bộ tiêu chí {catalog.id} phiên bản {catalog.version}, kỳ {campaign.period}",
                           [(res.name, res.sha256) for _, res in used], {"hue-dx-approval": getattr(c, "standing", "")}),
    )
    return render(
        "ranking.html.j2", doc, period=campaign.period, graded=bool(catalog.totals.grades), catalog_title=catalog.title, source=catalog_source(catalog),
        roster=len(campaign.units), files_seen=len(self_files), appraisal_files=len(c.files) - len(self_files),
        ranked=len(ranked_all), missing=[u.name for u in c.missing], late_units=[r.unit.name for r in ranked_all if r.late],
        with_errors=sum(1 for r in ranked_all if r.errors), appraised=appraised,
        groups=groups, pillars=pillars, pillar_rows=pillar_rows,
        pillar_chart=bar_chart_svg([f"{p['code']}. {p['short']}" for p in pillars], averages, "Chỉ số trung bình theo trụ cột"),
        best=best and {"code": best[1]["code"], "title": best[1]["title"], "value": vn.fixed(best[0], 4)},
        worst=worst and {"code": worst[1]["code"], "title": worst[1]["title"], "value": vn.fixed(worst[0], 4)},
        province=province, issue_summary=summary,
        differences=[{**d, "self": vn.fixed(d["self"], 2), "final": vn.fixed(d["final"], 2), "difference": vn.fixed(d["difference"], 2)}
                     for d in c.differences[:20]],
        used_files=[{"unit": u.name, "name": res.name, "sha256": res.sha256} for u, res in used],
        states=states, standing=getattr(c, "standing", ""), approved=getattr(c, "approval", None) is not None,
        keeper=campaign.sender()[0].name, made_at=when.strftime("%d/%m/%Y %H:%M"), catalog_id=catalog.id, catalog_version=catalog.version, version=__version__,
        compare=compare,
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
        flags.append(f"{vn.fixed(r.errors)} lỗi chưa sửa")
    if r.final and r.final.applied:
        flags.append(f"thẩm định {vn.fixed(len(r.final.applied))} tiêu chí")
    return "; ".join(flags)


def _archive(campaign: Campaign) -> str:
    listed = [r for r in campaign.report.get("recipients") or [] if r.strip().casefold().startswith("lưu:")]
    return listed[-1].split(":", 1)[1].strip().rstrip(".") if listed else "VT"


def _roman(n: int) -> str:
    return ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][n - 1]
