"""Printable, signable reports: a unit's self-assessment and the province's ranking.

HTML from jinja2 templates (``templates/reports/``), laid out after Nghị định 30/2020/NĐ-CP,
self-contained (inline CSS, charts as inline SVG) so it opens and prints from a browser; PDF
by WeasyPrint, which follows CSS paged media (A4, margins, page numbers "Trang n/N") and
embeds the fonts. Why WeasyPrint and not LibreOffice: the report is a document, not a
spreadsheet; WeasyPrint lays out HTML and CSS for print, is a pure-Python package with a
stable API, and needs only Pango from the system. Signing: PAdES with pyHanko.

Every report states the criteria set, the period, when it was made and the SHA-256 of every
file it was built from, so a signed page leads back to the exact files in the archive.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from pathlib import Path
from typing import Any

from . import __version__, sanitize
from .campaign import Campaign
from .catalog import Catalog, code_key
from .data import shipped
from .issues import TYPES
from .rules import fmt_num

SEVERITY_VI = {"error": "lỗi", "warning": "cảnh báo", "info": "thông tin"}
STATUS_CSS = {"invalid": "status-loi", "missing": "status-thieu", "na": "status-na", "ok": ""}


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


def _date_parts(when: dt.datetime) -> dict[str, str]:
    return {"day": f"{when.day:02d}", "month": f"{when.month:02d}", "year": str(when.year)}


def _num(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")


def bar_chart_svg(labels: list[str], values: list[float | None], title: str, width: int = 620) -> str:
    """A horizontal bar chart of indices 0–1 as inline SVG (prints crisp, needs nothing)."""
    row, label_width, top = 20, 230, 28
    height = top + row * len(labels) + 26
    scale = width - label_width - 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'font-family="Times New Roman" font-size="11" role="img" aria-label="{html.escape(title)}">',  # one family: lists are not read in SVG
             f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">{html.escape(title)}</text>']
    for tick in range(0, 11, 2):
        x = label_width + scale * tick / 10
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 22}" stroke="#ccc" stroke-width="0.6"/>')
        tick_label = f"{tick / 10:.1f}".replace(".", ",")
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="#444">{tick_label}</text>')
    for n, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + n * row
        short = label if len(label) <= 38 else label[:37] + "…"
        parts.append(f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">{html.escape(short)}</text>')
        if value is not None:
            w = max(0.0, min(1.0, value)) * scale
            parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row - 7}" fill="#4f81bd"/>')
            shown = f"{value:.4f}".replace(".", ",")  # the Vietnamese decimal comma, as in the tables
            parts.append(f'<text x="{label_width + w + 4:.1f}" y="{y + 13}" fill="#222">{shown}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _heading(campaign: Campaign, report: dict[str, str], when: dt.datetime, unit_name: str | None = None) -> dict[str, Any]:
    return {
        "issuer_parent": report.get("issuer_parent", "") if unit_name is None else "",
        "issuer": (unit_name or report.get("issuer", campaign.issuer.get("name", ""))).upper(),
        "number": report.get("number", "Số:        /BC") if unit_name is None else "Số:        /BC",
        "place": report.get("place", campaign.issuer.get("place", "Huế")),
        **_date_parts(when),
    }


def unit_html(catalog: Catalog, campaign: Campaign, result, when: dt.datetime | None = None) -> str:
    """One unit's self-assessment from a checked file (``check_file(..., details=True)``)."""
    when = when or dt.datetime.now()
    unit = campaign.unit(result.unit)
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
        evidence = " · ".join(t for t in result.evidence.get(item.code, []) if t)
        rows.append({"kind": "criterion", "code": item.code, "title": item.title, "inputs": inputs, "max": fmt_num(item.max),
                     "score": "" if points is None else _num(points), "status": words, "css": STATUS_CSS.get(status, ""),
                     "evidence": evidence})
    titles = {p.code: p.title for p in catalog.pillars}
    pillars = [{"code": c, "title": titles[c], "points": _num(p), "max": fmt_num(m), "index": _num(i, 4)} for c, p, m, i in result.pillars]
    issues = [{"severity": SEVERITY_VI[i.severity], "where": " · ".join(x for x in (i.sheet, i.cell, i.criterion and f"tiêu chí {i.criterion}") if x),
               "message": i.message, "hint": i.hint} for i in sorted(result.issues, key=lambda i: ["error", "warning", "info"].index(i.severity))]
    points, top, index = result.total
    context = {
        **_heading(campaign, {}, when, unit.name), "title": f"Phiếu tự đánh giá chuyển đổi số {campaign.period} – {unit.name}",
        "footer": f"{unit.name} – tự đánh giá chuyển đổi số {campaign.period}", "orientation": "portrait",
        "period": campaign.period, "unit_name": unit.name, "unit_code": unit.code, "catalog_title": catalog.title,
        "source": f"{catalog.source.get('appendix', '')} {catalog.source.get('document', '')}",
        "pillars": pillars, "total": {"points": _num(points), "max": fmt_num(top), "index": _num(index, 4)},
        "chart": bar_chart_svg([f"{c}. {titles[c]}" for c, *_ in result.pillars], [i for *_, i in result.pillars], "Chỉ số theo trụ cột"),
        "rows": rows, "issues": issues, "preparer": result.contacts.get("unit_preparer", ""), "head": result.contacts.get("unit_head", ""),
        "version": __version__, "made_at": when.strftime("%d/%m/%Y %H:%M"), "catalog_id": catalog.id, "catalog_version": catalog.version,
        "file_name": result.name, "sha256": result.sha256,
    }
    return _env().get_template("unit.html.j2").render(**context)


def _shown(value: object) -> str:
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, float):
        return fmt_num(value)
    return str(value)


def ranking_html(consolidation, report: dict[str, str] | None = None, when: dt.datetime | None = None) -> str:
    """The province's ranking report from a consolidation."""
    when = when or dt.datetime.now()
    report = report or {}
    c = consolidation
    catalog, campaign = c.catalog, c.campaign
    groups = []
    for name, members in c.groups.items():
        ranked = [r for r in members if r.result]
        rows = [{"rank": r.rank, "name": r.unit.name, "points": _num(r.final.final.total.points), "max": fmt_num(r.final.final.total.applicable_max),
                 "index": _num(r.index, 4), "self_index": _num(r.self_index, 4),
                 "note": "; ".join(x for x in ("nộp muộn" if r.late else "", f"thẩm định {len(r.final.applied)} tiêu chí" if r.final.applied else "") if x)}
                for r in ranked]
        groups.append({"name": name, "rows": rows, "chart": bar_chart_svg([r.unit.name for r in ranked], [r.index for r in ranked],
                                                                           f"Chỉ số — {name}")})
    ranked_all = [r for members in c.groups.values() for r in members if r.result]
    pillars = [{"code": p.code, "short": p.short_title or p.title} for p in catalog.pillars]
    pillar_rows = [{"name": r.unit.name, "cells": [_num(r.pillar_index(n), 4) for n in range(len(pillars))]} for r in ranked_all]
    averages = []
    for n in range(len(pillars)):
        values = [v for r in ranked_all if (v := r.pillar_index(n)) is not None]
        averages.append(sum(values) / len(values) if values else None)
    province = [{"code": p["code"], "title": p["title"], "units": p["units"],
                 "sums": "; ".join(f"{k} = {_num(v, 0)}" for k, v in p["sums"].items()),
                 "share": "—" if p["share"] is None else f"{p['share'] * 100:.2f}%".replace(".", ",")} for p in c.province]
    counts = Counter((i.severity, i.code) for i in c.issues)
    units_with = {key: len({i.unit for i in c.issues if (i.severity, i.code) == key and i.unit}) for key in counts}
    summary = [{"severity": SEVERITY_VI[s], "code": code, "title": TYPES[code].title, "count": n, "units": units_with[(s, code)]}
               for (s, code), n in sorted(counts.items(), key=lambda x: (["error", "warning", "info"].index(x[0][0]), -x[1]))]
    context = {
        **_heading(campaign, report, when), "title": f"Báo cáo xếp hạng chuyển đổi số {campaign.period}",
        "footer": f"Xếp hạng chuyển đổi số {campaign.period} – bộ tiêu chí {catalog.id}", "orientation": "portrait",
        "period": campaign.period, "catalog_title": catalog.title,
        "source": f"{catalog.source.get('appendix', '')} {catalog.source.get('document', '')}",
        "files_seen": c.seen, "ranked": len(ranked_all), "roster": len(campaign.units), "missing": [u.name for u in c.missing],
        "late": sum(1 for r in ranked_all if r.late), "late_units": [r.unit.name for r in ranked_all if r.late],
        "groups": groups, "pillars": pillars, "pillar_rows": pillar_rows,
        "pillar_chart": bar_chart_svg([f"{p['code']}. {p['short']}" for p in pillars], averages, "Chỉ số trung bình theo trụ cột"),
        "province": province, "issue_summary": summary,
        "differences": [{**d, "self": _num(d["self"]), "final": _num(d["final"]), "difference": _num(d["difference"])}
                        for d in c.differences[:20]],
        "signer_authority": report.get("signer_authority", "TM. ỦY BAN NHÂN DÂN"), "signer_title": report.get("signer_title", "CHỦ TỊCH"),
        "signer_name": report.get("signer_name", ""),
        "version": __version__, "made_at": when.strftime("%d/%m/%Y %H:%M"), "catalog_id": catalog.id, "catalog_version": catalog.version,
        "used_files": [{"unit": r.unit.code, "name": r.result.name, "sha256": r.result.sha256} for r in ranked_all],
    }
    return _env().get_template("ranking.html.j2").render(**context)


def write_pdf(html_text: str, path: Path) -> None:
    """Lay the HTML out for print with WeasyPrint and write the PDF atomically."""
    from weasyprint import HTML

    from .generate import write_atomic

    write_atomic(path, HTML(string=html_text, base_url=str(shipped("templates", "reports"))).write_pdf())


def write_html(html_text: str, path: Path) -> None:
    from .generate import write_atomic

    write_atomic(path, html_text.encode("utf-8"))


def sign_pdf(path: Path, pkcs12: Path, passphrase: bytes | None = None, reason: str = "Phê duyệt báo cáo") -> None:
    """Sign a PDF in place (PAdES, pyHanko) with a PKCS#12 certificate; written atomically."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    from .generate import write_atomic

    signer = signers.SimpleSigner.load_pkcs12(pfx_file=str(pkcs12), passphrase=passphrase)
    if signer is None:
        raise ValueError(f"Không đọc được chứng thư số {pkcs12} (sai mật khẩu hoặc tệp hỏng)")
    with path.open("rb") as f:
        writer = IncrementalPdfFileWriter(f)
        meta = signers.PdfSignatureMetadata(field_name="ChuKySo", reason=reason, subfilter=fields.SigSeedSubFilter.PADES)
        out = signers.sign_pdf(writer, meta, signer=signer)
        data = out.getvalue()
    write_atomic(path, data)
