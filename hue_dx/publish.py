"""`hue-dx publish`: the results as a folder of static pages a province can put on its portal.

Stages: a consolidation → ``site_of`` → a ``Site`` (small data classes holding only what the
pages show) → ``write_site`` lays it out with ``templates/publish/*.j2`` and copies the open
data (the Frictionless package of ``opendata``) beside it. The pages open from disk
(``file://``) and from any web server: links are relative, the style sheet is a file of the
site, charts are inline SVG with a table or text saying the same, there is no script, no web
font, no request to anywhere else. They are Vietnamese, readable on a 360 px phone (wide
tables scroll inside their own captioned region, the criteria stack), printable, and checked
in headless Chromium with axe-core (tests/test_publish.py).

Years before: a ``SiteUnit`` carries ``previous`` (its standing in the previous period, or None
with ``previous_reason`` saying why), ``previous_note`` (against whom: a renamed unit's former
name, the mean of a merged unit's predecessors) and ``history`` (its standings over the periods
whose index compares, oldest first, this one included). ``site_of`` fills them from the
consolidation's comparison with the years before (``Consolidation.comparison``, made by
``intake.years.attach``: ``series``); without one the pages say there is no comparison and
why, never a made-up change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__, opendata, sanitize, series, vn
from .documents import VIETNAM, as_date_text
from .series import BANDS, band_label, band_of

SITE_TABLES = ("xep-hang.csv", "tieu-chi.csv")  # the issues list stays with the officer: it names files and quotes cells
UNITS_FOLDER = "don-vi"
DATA_FOLDER = "du-lieu"
TYPE_WORDS = {"string": "chữ", "integer": "số nguyên", "number": "số", "boolean": "có/không (1/0)"}
NEW_UNIT = "đơn vị mới, không có kỳ trước"  # a new unit's reason: shown as new, never as a change
PAGES = (("index.html", "Xếp hạng"), ("tru-cot.html", "Trụ cột"), ("phan-bo.html", "Phân bố"), ("du-lieu.html", "Dữ liệu mở"))


@dataclass(frozen=True)
class Standing:
    """A unit's result in one period: its index and its rank in its group (None: not ranked)."""

    period: str
    index: float | None
    rank: int | None


@dataclass(frozen=True)
class PillarScore:
    code: str
    index: float | None
    rank: int | None  # in the unit's group
    group_average: float | None


@dataclass(frozen=True)
class CriterionScore:
    code: str
    title: str
    pillar: str
    points: float | None
    max: float  # applicable max (0: not applicable)
    status: str  # ok, na, missing, invalid
    words: str  # the status in words, with its reason
    source: str  # tự đánh giá, thẩm định


@dataclass(frozen=True)
class SiteUnit:
    """What the site shows of a unit that sent figures."""

    code: str
    name: str
    group: str
    rank: int | None
    index: float | None
    points: float
    max: float
    pillars: tuple[PillarScore, ...]
    criteria: tuple[CriterionScore, ...]
    late: bool = False
    appraised: int = 0  # criteria whose appraised score replaced the self-assessment's
    previous: Standing | None = None  # the previous period's standing (issue 22 fills it)
    previous_reason: str = ""  # why there is no previous standing, in words ("" = not known)
    history: tuple[Standing, ...] = ()  # every period known, oldest first, this one included or not
    previous_note: str = ""  # against whom ("Ban Dân tộc tỉnh năm 2020 (trước khi đổi tên)", a merged unit's predecessors' mean)

    @property
    def page(self) -> str:
        return f"{UNITS_FOLDER}/{self.code}.html"


@dataclass(frozen=True)
class Pillar:
    code: str
    title: str
    short: str
    max: float


@dataclass(frozen=True)
class Missing:
    code: str
    name: str
    group: str


@dataclass(frozen=True)
class Site:
    title: str
    period: str
    publisher: str
    catalog_id: str
    catalog_version: str
    catalog_title: str
    source: str  # "Phụ lục 4 của Kế hoạch số 222/KH-UBND ngày 21/10/2020 của UBND tỉnh Thừa Thiên Huế"
    pillars: tuple[Pillar, ...]
    groups: dict[str, tuple[SiteUnit, ...]]
    missing: tuple[Missing, ...]
    made: dt.datetime
    licence: dict[str, str]
    appraised: bool = False
    roster: int = 0

    @property
    def units(self) -> list[SiteUnit]:
        return [u for members in self.groups.values() for u in members]

    @property
    def compared(self) -> bool:
        """Whether any unit has a previous standing to compare with."""
        return any(u.previous is not None for u in self.units)


# ------------------------------------------------------------------------------ the model


def site_of(consolidation, made: dt.datetime | None = None) -> Site:
    """The site of one consolidation (no previous periods: see the module's docstring)."""
    c = consolidation
    catalog, campaign = c.catalog, c.campaign
    made = made or getattr(c, "made", None) or dt.datetime.now(VIETNAM)  # [approval] an approved result carries the approval's time
    pillars = tuple(Pillar(p.code, p.title, p.short_title or p.title, catalog.max_of(p.code)) for p in catalog.pillars)
    titles = {x.code: (x.title, x.pillar) for x in catalog.criteria}
    groups: dict[str, tuple[SiteUnit, ...]] = {}
    for group, rows in c.groups.items():
        ranked = [r for r in rows if r.final is not None]
        averages = [_mean([r.pillar_index(n) for r in ranked]) for n in range(len(pillars))]
        members = []
        for r in sorted(ranked, key=lambda r: (r.rank is None, r.rank or 0, r.unit.name)):
            final = r.final
            scores = tuple(PillarScore(p.code, r.pillar_index(n), r.pillar_ranks.get(p.code), averages[n]) for n, p in enumerate(pillars))
            criteria = tuple(CriterionScore(code, titles[code][0], titles[code][1], points, amax, status, words, final.source(code))
                             for code, points, amax, status, words in final.final.rows())
            members.append(SiteUnit(r.unit.code, r.unit.name, group, r.rank, r.index, final.final.total.points, final.final.total.applicable_max,
                                    scores, criteria, r.late, len(final.applied),
                                    **_years(c.comparison.unit(r.unit.code) if c.comparison is not None and c.comparison.previous else None)))
        groups[group] = tuple(members)
    source = catalog.source
    return Site(
        title=f"Chỉ số chuyển đổi số năm {campaign.period}", period=campaign.period, publisher=opendata.publisher(campaign),
        catalog_id=catalog.id, catalog_version=catalog.version, catalog_title=catalog.title,
        source=f"{source.get('appendix', '')} của {source.get('document', '')} ngày {as_date_text(source.get('date', ''))} "
               f"của {source.get('issuer', '')}".strip(),
        pillars=pillars, groups=groups, missing=tuple(Missing(u.code, u.name, u.group) for u in c.missing), made=made,
        licence=opendata.licence(campaign), appraised=any(u.appraised for members in groups.values() for u in members),
        roster=len(campaign.units))


def _years(found: series.UnitComparison | None) -> dict[str, Any]:
    """[issue 22] A unit's previous standing, or why there is none, and its history (the years whose index compares)."""
    if found is None:
        return {}
    history = tuple(Standing(h.period, h.index, h.rank) for h in found.history if h.compared)
    history = history if len(history) > 1 else ()  # this year alone is no history: the page says why there is none
    if not found.index.compared:
        return {"previous": None, "previous_reason": NEW_UNIT if found.is_new else found.why, "history": history}
    rank = found.rank_before if found.rank_change is not None else None  # a merged or split unit had no rank of its own
    note = "" if found.lineage.kind == "same" else f"so với {found.rule}"
    return {"previous": Standing(found.period, found.index.before, rank), "previous_note": note, "history": history}


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


# ------------------------------------------------------------------------------ what a page shows


def change_words(unit: SiteUnit) -> dict[str, str]:
    """The change against the previous period, in figures and in words; or why there is none.
    An index difference in index points (never a percentage: 0,5 → 0,6 is "tăng 0,1000")."""
    p = unit.previous
    if p is None and unit.previous_reason == NEW_UNIT:
        return {"figure": "mới", "words": "Đơn vị mới: không có kết quả kỳ trước để so sánh.", "period": ""}
    if p is None or p.index is None or unit.index is None:
        why = unit.previous_reason or ("không có chỉ số kỳ này" if unit.index is None and p is not None else "chưa có kết quả kỳ trước")
        return {"figure": "—", "words": f"Không so sánh được: {why}.", "period": p.period if p else ""}
    delta = round(unit.index, 4) - round(p.index, 4)
    if abs(delta) < 5e-5:
        figure, words = "0,0000", f"không đổi so với {p.period}"
    else:
        figure = ("+" if delta > 0 else "−") + vn.fixed(abs(delta), 4)
        words = f"{'tăng' if delta > 0 else 'giảm'} {vn.fixed(abs(delta), 4)} so với {p.period} ({vn.fixed(p.index, 4)})"
    if p.rank is not None and unit.rank is not None:
        moved = p.rank - unit.rank
        words += "; " + (f"lên {moved} bậc" if moved > 0 else f"xuống {-moved} bậc" if moved < 0 else "giữ hạng") + f" (hạng {p.rank} → {unit.rank})"
    if unit.previous_note:
        words += f"; {unit.previous_note}"
    return {"figure": figure, "words": words[:1].upper() + words[1:] + ".", "period": p.period}


def radar_svg(site: Site, unit: SiteUnit, size: int = 360) -> str:
    """The unit's pillar indices as a spider chart (inline SVG), its group's average dashed; the
    figures are in the table beside it, and in the chart's description for a screen reader."""
    import html
    import math

    centre, radius = size / 2, size / 2 - 58
    n = len(unit.pillars)

    def point(k: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * k / n
        return centre + radius * value * math.cos(angle), centre + radius * value * math.sin(angle)

    def polygon(values: list[float | None]) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(k, max(0.0, min(1.0, v or 0.0))) for k, v in enumerate(values)))

    title = f"Biểu đồ mạng nhện: chỉ số bảy trụ cột của {unit.name}"
    desc = "; ".join(f"trụ cột {p.code} {vn.fixed(p.index, 4)}, bình quân nhóm {vn.fixed(p.group_average, 4)}" for p in unit.pillars)
    ident = f"radar-{unit.code}"
    parts = [f'<svg class="radar" viewBox="0 0 {size} {size}" role="img" aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{ident}-t">{html.escape(title)}</title><desc id="{ident}-d">{html.escape(desc)}</desc>']
    for ring in (0.2, 0.4, 0.6, 0.8, 1.0):
        parts.append(f'<polygon points="{polygon([ring] * n)}" class="ring"/>')
    for k in range(n):
        x, y = point(k, 1.0)
        parts.append(f'<line x1="{centre}" y1="{centre}" x2="{x:.1f}" y2="{y:.1f}" class="spoke"/>')
    parts.append(f'<polygon points="{polygon([p.group_average for p in unit.pillars])}" class="average"/>')
    parts.append(f'<polygon points="{polygon([p.index for p in unit.pillars])}" class="unit"/>')
    for k, p in enumerate(unit.pillars):
        x, y = point(k, 1.16)
        anchor = "middle" if abs(x - centre) < 8 else ("start" if x > centre else "end")
        parts.append(f'<text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="{anchor}">TC {html.escape(p.code)}</text>')
    for ring in (0.5, 1.0):
        x, y = point(0, ring)
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 12:.1f}" class="tick">{vn.fixed(ring, 1)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bands_svg(counts: list[int], title: str) -> str:
    """Units per value band as vertical bars (the table beside it holds the same counts)."""
    import html

    width, height, top, bottom = 320, 180, 16, 40
    most = max([1, *counts])
    step = (width - 20) / len(counts)
    parts = [f'<svg class="bands" viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}" xmlns="http://www.w3.org/2000/svg">']
    for n, count in enumerate(counts):
        h = (height - top - bottom) * count / most
        x = 10 + n * step
        parts.append(f'<rect x="{x + 6:.1f}" y="{height - bottom - h:.1f}" width="{step - 12:.1f}" height="{h:.1f}" class="band band-{n}"/>')
        parts.append(f'<text x="{x + step / 2:.1f}" y="{height - bottom - h - 4:.1f}" text-anchor="middle">{count}</text>')
        low, high = BANDS[n]
        parts.append(f'<text x="{x + step / 2:.1f}" y="{height - bottom + 16:.1f}" text-anchor="middle" class="tick">'
                     f'{vn.fixed(low, 1)}–{vn.fixed(high, 1)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def leaders(site: Site) -> list[dict[str, Any]]:
    """Per pillar, per group, the unit(s) ranked first."""
    out = []
    for n, p in enumerate(site.pillars):
        by_group = {}
        for group, members in site.groups.items():
            first = [u for u in members if u.pillars[n].rank == 1]
            by_group[group] = [{"name": u.name, "page": u.page, "index": vn.fixed(u.pillars[n].index, 4)} for u in first]
        out.append({"pillar": p, "groups": by_group})
    return out


def distribution(site: Site) -> dict[str, Any]:
    """Units per value band: overall per group, and per pillar (all groups together)."""
    def counts(values: list[float | None]) -> list[int]:
        bands = [band_of(v) for v in values]
        return [sum(1 for b in bands if b == n) for n in range(len(BANDS))]

    groups = []
    for group, members in site.groups.items():
        found = counts([u.index for u in members])
        units: list[list[SiteUnit]] = [[] for _ in BANDS]
        for u in members:
            b = band_of(u.index)
            if b is not None:
                units[b].append(u)
        groups.append({"name": group, "counts": found, "units": units, "chart": bands_svg(found, f"Số đơn vị theo mức chỉ số — {group}")})
    pillars = [{"pillar": p, "counts": counts([u.pillars[n].index for u in site.units])} for n, p in enumerate(site.pillars)]
    return {"groups": groups, "pillars": pillars, "labels": [band_label(n) for n in range(len(BANDS))]}


# ------------------------------------------------------------------------------ writing


def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
    from markupsafe import Markup

    from .data import shipped

    def printable(value: Any) -> Any:  # text from returned files, cleaned of what HTML cannot hold
        if isinstance(value, Markup):
            return Markup(sanitize.for_xml(str(value)))
        return sanitize.for_xml(value) if isinstance(value, str) else value

    env = Environment(loader=FileSystemLoader(shipped("templates", "publish")), undefined=StrictUndefined, finalize=printable,
                      autoescape=select_autoescape(["html.j2"], default=True))
    env.filters["num"] = lambda value, digits=4: vn.fixed(value, digits)
    return env


def write_site(consolidation, folder: Path, site: Site | None = None) -> list[Path]:
    """The site in ``folder`` (made if needed): pages, style sheet and open data; returns the pages."""
    from .data import shipped
    from .files import write_atomic
    from .intake.outputs import write_csv

    site = site or site_of(consolidation)
    env = _env()
    data = write_csv(consolidation, folder / DATA_FOLDER, SITE_TABLES, created=site.made)  # first: the pages give their sizes
    descriptor = opendata.descriptor(consolidation.catalog, consolidation.campaign, list(SITE_TABLES), site.made,
                                     getattr(consolidation, "approval_record", None))
    sizes = {path.name: _size(path.stat().st_size) for path in data}
    common = {"site": site, "pages": PAGES, "version": __version__, "bands": [band_label(n) for n in range(len(BANDS))],
              "made": site.made.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M"), "standing": getattr(consolidation, "standing", "")}
    pages: list[tuple[str, str, dict[str, Any]]] = [
        ("index.html", "index.html.j2", {"change": {u.code: change_words(u) for u in site.units}}),
        ("tru-cot.html", "pillars.html.j2", {"leaders": leaders(site)}),
        ("phan-bo.html", "bands.html.j2", {"distribution": distribution(site)}),
        ("du-lieu.html", "data.html.j2", {"package": descriptor, "data": DATA_FOLDER, "files": sizes, "types": TYPE_WORDS}),
    ]
    written = []
    for name, template, context in pages:
        path = folder / name
        write_atomic(path, env.get_template(template).render(root="", current=name, **common, **context).encode("utf-8"))
        written.append(path)
    unit_template = env.get_template("unit.html.j2")
    for unit in site.units:
        path = folder / unit.page
        html = unit_template.render(root="../", current="", unit=unit, change=change_words(unit), radar=radar_svg(site, unit), **common)
        write_atomic(path, html.encode("utf-8"))
        written.append(path)
    write_atomic(folder / "site.css", shipped("templates", "publish", "site.css").read_bytes())
    return written


def _size(count: int) -> str:
    return f"{vn.fixed(count / 1024, 1)} KB" if count < 1024 * 1024 else f"{vn.fixed(count / 1024 / 1024, 1)} MB"
