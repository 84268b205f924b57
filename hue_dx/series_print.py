"""What the printed documents show of a comparison with the years before (``series``): the context
the ranking report's and the unit report's templates print, and the trend chart (inline SVG, black
ink like the reports' other charts). Pure: dictionaries of Vietnamese text and numbers.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from . import vn
from .catalog import Catalog
from .series import HALF, NOT_COMPARABLE, Comparison, UnitComparison, band_label, change_text, percent_text, rank_words, standing_text

MOVERS = 3  # units that rose most, and fell most, named in the report
DASHES = ("", "6 3", "2 2", "8 3 2 3")  # one line style per group: the chart prints the same in black and white
MARKERS = ("circle", "square", "triangle", "diamond")


def change_cell(uc: UnitComparison) -> str:
    """A unit's change in one cell: "+0,0512 · tăng 2 bậc", "+0,0300 · hợp nhất: không so sánh hạng", "mới", or why not."""
    if uc.is_new:
        return "mới"
    if not uc.index.compared:
        return NOT_COMPARABLE
    return f"{change_text(uc.index)} · {rank_words(uc)}"


def comparability(k: Comparison) -> str:
    """What compares between the two years, in a sentence."""
    b = k.bridge
    if b is None:
        return f"Không so sánh được với năm {k.previous}: {k.reason}."
    if b.same:
        return (f"Hai năm cùng bộ tiêu chí {k.catalog}: so sánh được chỉ số chung, chỉ số từng trụ cột và điểm từng tiêu chí.")
    return f"Bộ tiêu chí năm {k.period} ({k.catalog}) khác năm {k.previous} ({k.previous_catalog}): {b.reason}; phần khác: {NOT_COMPARABLE}."


def ranking_context(k: Comparison | None, catalog: Catalog, names: Mapping[str, str]) -> dict[str, Any] | None:
    """The ranking report's comparison (None: no year before to compare with; the report then says why);
    ``names``: this year's units by code."""
    if k is None or not k.previous:
        return None
    if not k.available:
        return {"previous": k.previous, "unavailable": k.reason}
    pillars = [p.code for p in catalog.pillars]
    titles = {p.code: p.short_title or p.title for p in catalog.pillars}
    units = {code: {"before": standing_text(uc), "change": change_cell(uc)} for code, uc in k.units.items()}
    compared = [uc for uc in k.units.values() if uc.index.compared]
    rising = sorted((uc for uc in compared if (uc.index.delta or 0) > 0), key=lambda uc: (-(uc.index.delta or 0), uc.name))[:MOVERS]
    falling = sorted((uc for uc in compared if (uc.index.delta or 0) < 0), key=lambda uc: ((uc.index.delta or 0), uc.name))[:MOVERS]
    groups: list[dict[str, Any]] = []
    for g in k.groups:
        groups.append({"name": g.name, "ranked": g.ranked, "ranked_before": "—" if g.ranked_before is None else g.ranked_before,
                       "average": vn.fixed(g.average.now, 4), "average_before": vn.fixed(g.average.before, 4) if g.average.compared else "—",
                       "change": change_text(g.average), "percent": percent_text(g.average),
                       "half": g.at_least_half[0], "half_before": "—" if g.at_least_half[1] is None else g.at_least_half[1],
                       "bands": [f"{now} ({'—' if g.bands[1] is None else g.bands[1][n]})" for n, now in enumerate(g.bands[0])],
                       "pillars": [{"code": p, "now": vn.fixed(g.pillars[p].now, 4), "change": change_text(g.pillars[p])} for p in pillars],
                       "reason": g.average.reason})
    leaders = []
    for p in pillars:
        cells = []
        for g in k.groups:
            first, first_before = g.leaders[p]
            cells.append({"name": g.name, "now": _leaders(first), "before": _leaders(first_before) if first_before is not None else NOT_COMPARABLE})
        leaders.append({"code": p, "title": titles[p], "groups": cells})
    rows = []
    for uc in k.units.values():
        rows.append({"name": uc.name, "cells": [{"now": vn.fixed(uc.pillars[p].now, 4),
                                                 "change": "mới" if uc.is_new else change_text(uc.pillars[p]), "number": uc.pillars[p].compared}
                                                for p in pillars]})
    closed = [p for p in pillars if not any(uc.pillars[p].compared for uc in k.units.values())]
    not_compared = [{"name": uc.name, "why": uc.why} for uc in k.units.values() if not uc.index.compared and not uc.is_new]
    return {
        "previous": k.previous, "unavailable": "", "sentence": comparability(k), "rule": k.rule, "units": units, "groups": groups,
        "band_labels": [band_label(n) for n in range(len(groups[0]["bands"]))] if groups else [], "half": vn.fixed(HALF, 1),
        "rising": [_mover(uc) for uc in rising], "falling": [_mover(uc) for uc in falling],
        "renamed": [f"{names.get(code, code)} ({w})" for code, lin, w in k.changes if lin.kind == "renamed"],
        "merged": [{"name": names.get(code, code), "words": w, "rule": k.units[code].rule if code in k.units else ""}
                   for code, lin, w in k.changes if lin.kind == "merged"],
        "split": [f"{names.get(code, code)} ({w})" for code, lin, w in k.changes if lin.kind == "split"],
        "new": [names.get(code, code) for code, lin, _ in k.changes if lin.kind == "new"],
        "removed": [name for _, name in k.removed], "not_compared": not_compared,
        "pillar_codes": pillars, "pillar_titles": titles, "pillar_rows": rows, "closed_pillars": closed, "leaders": leaders,
        "trend_chart": trend_svg(k, "Chỉ số bình quân của từng nhóm qua các năm"), "trend_note": trend_note(k),
    }


def _leaders(found) -> str:
    return "; ".join(f"{name}: {vn.fixed(index, 4)}" for name, index in found) or "—"


def _mover(uc: UnitComparison) -> dict[str, str]:
    return {"name": uc.name, "change": change_text(uc.index), "from": vn.fixed(uc.index.before, 4), "to": vn.fixed(uc.index.now, 4),
            "rank": rank_words(uc)}


def trend_note(k: Comparison) -> str:
    """The years the chart leaves out, and why (never drawn as if they compared)."""
    left = [f"năm {p.period} ({p.reason})" for p in k.trend if not p.compared]
    return ("Không vẽ " + "; ".join(left) + ".") if left else ""


def trend_svg(k: Comparison, title: str, width: int = 620, height: int = 260) -> str:
    """Each group's average index over the years whose index compares, as lines (one dash style and
    marker per group, black ink), each point labelled with its value; a legend below."""
    points = [p for p in k.trend if p.compared]
    groups = list(dict.fromkeys(g for p in points for g in p.averages))
    left, right, top, legend = 60, 70, 30, 22 * max(1, len(groups))
    bottom = height - legend - 30
    values = [v for p in points for v in p.averages.values() if v is not None]
    low = int(max(0.0, min(values) - 0.1) * 10) / 10 if values else 0.0  # from the tenth below the lowest point
    span = max(0.1, 1.0 - low)
    inset = 50  # the first and last years stand inside the frame: their labels clear the axis
    step = (width - left - right - 2 * inset) / max(1, len(points) - 1) if len(points) > 1 else 0

    def x(n: int) -> float:
        return left + inset + (step * n if len(points) > 1 else (width - left - right - 2 * inset) / 2)

    def y(v: float) -> float:
        return bottom - (v - low) / span * (bottom - top)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'font-family="Times New Roman" font-size="11" role="img" aria-label="{html.escape(title)}">',
             f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">{html.escape(title)}</text>']
    tick = low
    while tick <= 1.0001:
        parts.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{width - right}" y2="{y(tick):.1f}" stroke="#ccc" stroke-width="0.6"/>')
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="#000">{vn.fixed(tick, 1)}</text>')
        tick = round(tick + 0.1, 1)
    for n, p in enumerate(points):
        parts.append(f'<text x="{x(n):.1f}" y="{bottom + 16}" text-anchor="middle" fill="#000">{html.escape(p.period)}</text>')
    for g_n, group in enumerate(groups):
        dash = DASHES[g_n % len(DASHES)]
        known = [(n, v) for n, p in enumerate(points) if (v := p.averages.get(group)) is not None]
        if len(known) > 1:
            path = " ".join(f"{x(n):.1f},{y(v):.1f}" for n, v in known)
            parts.append(f'<polyline points="{path}" fill="none" stroke="#000" stroke-width="1.4"'
                         + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        for n, v in known:
            parts.append(_marker(MARKERS[g_n % len(MARKERS)], x(n), y(v)))
            # the highest point of a year is labelled above it, the others below: labels never sit on each other's line
            highest = v >= max(a for a in points[n].averages.values() if a is not None)
            anchor = "end" if n == 0 and len(points) > 1 else "start"
            dx = -7 if anchor == "end" else 7
            parts.append(f'<text x="{x(n) + dx:.1f}" y="{y(v) + (-6 if highest else 14):.1f}" text-anchor="{anchor}" fill="#000">'
                         f'{vn.fixed(v, 4)}</text>')
        ly = bottom + 34 + 20 * g_n
        parts.append(f'<line x1="{left}" y1="{ly - 4}" x2="{left + 36}" y2="{ly - 4}" stroke="#000" stroke-width="1.4"'
                     + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        parts.append(_marker(MARKERS[g_n % len(MARKERS)], left + 18, ly - 4))
        parts.append(f'<text x="{left + 44}" y="{ly}" fill="#000">{html.escape(group)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _marker(shape: str, cx: float, cy: float) -> str:
    if shape == "square":
        return f'<rect x="{cx - 3.5:.1f}" y="{cy - 3.5:.1f}" width="7" height="7" fill="#000"/>'
    if shape == "triangle":
        return f'<polygon points="{cx:.1f},{cy - 4.5:.1f} {cx - 4:.1f},{cy + 3:.1f} {cx + 4:.1f},{cy + 3:.1f}" fill="#000"/>'
    if shape == "diamond":
        return f'<polygon points="{cx:.1f},{cy - 4.5:.1f} {cx - 4:.1f},{cy:.1f} {cx:.1f},{cy + 4.5:.1f} {cx + 4:.1f},{cy:.1f}" fill="#000"/>'
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.5" fill="#000"/>'


def unit_context(uc: UnitComparison | None, catalog: Catalog) -> dict[str, Any] | None:
    """The unit report's comparison: its pillars against the year before, its criteria (the same set),
    its history; None when it has no year before."""
    if uc is None or not uc.period:
        return None if uc is None else {"previous": "", "why": uc.why, "pillars": {}, "criteria": {}, "history": [], "sentence": ""}
    titles = {p.code: p.title for p in catalog.pillars}
    pillars = {code: {"before": vn.fixed(c.before, 4) if c.compared else ("mới" if uc.is_new else NOT_COMPARABLE),
                      "change": change_text(c) if not uc.is_new else "mới", "title": titles.get(code, code)}
               for code, c in uc.pillars.items()}
    criteria = {}
    if uc.criteria:
        for n, c in enumerate(catalog.criteria):
            if n < len(uc.criteria):
                change = uc.criteria[n]
                criteria[c.code] = vn.fixed(change.before, 2) if change.before is not None else "—"
    if uc.is_new:
        sentence = f"Đơn vị mới năm {uc.history[-1].period if uc.history else ''}: không có kết quả năm {uc.period} để so sánh."
    elif uc.index.compared:
        moved = rank_words(uc)
        if uc.rank_change is not None:
            rank = f"; hạng {uc.rank_before} → {uc.rank_now}, {moved}"
        else:
            rank = f"; hạng năm {uc.history[-1].period} là {uc.rank_now} ({moved})" if uc.rank_now and uc.history else ""
        sentence = (f"So với năm {uc.period} ({uc.rule}): chỉ số {vn.fixed(uc.index.before, 4)} → {vn.fixed(uc.index.now, 4)} "
                    f"({change_text(uc.index)}){rank}.")
    else:
        sentence = f"Không so sánh được chỉ số với năm {uc.period}: {uc.why}."
    history = [{"period": h.period, "index": vn.fixed(h.index, 4) if h.index is not None else "—", "rank": h.rank or "—",
                "note": h.note or ("" if h.compared else NOT_COMPARABLE)} for h in uc.history]
    index = uc.index
    return {"previous": uc.period, "why": uc.why, "sentence": sentence, "pillars": pillars, "criteria": criteria, "history": history,
            "lineage": uc.lineage.kind, "index_before": vn.fixed(index.before, 4) if index.compared else ("mới" if uc.is_new else NOT_COMPARABLE),
            "index_change": change_text(index) if not uc.is_new else "mới"}
