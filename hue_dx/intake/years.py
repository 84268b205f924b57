"""Earlier years read back from their archives: a consolidation against the years before it, and
the panel of every unit × year × pillar for analysts.

Each campaign of a series keeps its own archive and ledger (``Campaign.archive``; the year before's
is ``Campaign.previous_archive``, and so on back through ``Campaign.previous``). An earlier year's
results are read from its ledger as they stand (``consolidate.from_ledger``: each unit's file in
use by ``Ledger.current``, its stored check, appraisals applied), never by checking its files
again; what cannot be read (no archive, another intake's archive, no file of that period) is a
year with its reason, and every comparison with it says so. The comparing itself is pure:
``series``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import catalog as catalog_mod
from .. import series
from ..campaign import Campaign
from ..catalog import Catalog
from ..lineage import SAME, Lineage
from . import approval
from .consolidate import from_ledger
from .ledger import NEUTRAL_KINDS, Ledger
from .received import InputError
from .results import Consolidation

#: the columns of the panel (``hue-dx history``, ``panel``), one row per unit, year and pillar ("" for the whole index)
PANEL_COLUMNS = ("ky", "bo_tieu_chi", "ma_don_vi", "ten_don_vi", "nhom", "cap", "truoc_day", "tru_cot", "ten_tru_cot",
                 "chi_so", "hang", "diem", "diem_toi_da_ap_dung")


def read_year(campaign: Campaign, archive: Path | None) -> series.Year:
    """A campaign's results as its archive's ledger holds them, or a year saying why not."""
    def unread(reason: str, catalog: Catalog | None = None) -> series.Year:
        return series.Year(campaign.period, catalog or _placeholder(campaign), {}, _roster(campaign), dict(campaign.lineage),
                           campaign.removed, reason, str(archive or ""))

    try:
        catalog = catalog_mod.load(campaign.catalog)
    except catalog_mod.CatalogError as exc:
        return unread(f"không nạp được bộ tiêu chí {campaign.catalog} của đợt {campaign.path.name}: {exc}")
    if archive is None:
        return unread(f"tệp {campaign.path.name} không nói kho lưu trữ", catalog)
    if not (archive / "ledger.sqlite").is_file():
        return unread(f"không có kho lưu trữ {archive} (sổ cái ledger.sqlite); đặt archive trong mục [previous] của tệp đợt đánh giá", catalog)
    try:
        ledger = Ledger.reader(archive)
        try:
            foreign = sorted(ledger.kinds() - {"self", "appraisal"} - NEUTRAL_KINDS)
            held = bool(ledger.period_files(campaign.period))
        finally:
            ledger.close()
        if foreign:
            return unread(f"kho {archive} không phải kho sổ đánh giá (có tệp loại {foreign[0]})", catalog)
        if not held:
            return unread(f"kho {archive} không có sổ nào của kỳ {campaign.period}", catalog)
        c = approval.settle(from_ledger(catalog, campaign, archive), archive)  # an approved year: as approved
    except InputError as exc:  # another intake's archive
        return unread(str(exc), catalog)
    except sqlite3.DatabaseError as exc:  # damaged, or written by an older hue-dx and never opened since (read-only: not upgraded)
        return unread(f"không đọc được sổ cái {archive / 'ledger.sqlite'} ({exc}); chạy lại hue-dx consolidate của đợt "
                      f"{campaign.period} với --archive {archive} một lần", catalog)
    try:
        return series.year_of(c, campaign.lineage, campaign.removed, str(archive))
    finally:
        if c.ledger is not None:
            c.ledger.close()


def _roster(campaign: Campaign) -> dict[str, tuple[str, str]]:
    return {u.code: (u.name, u.group) for u in campaign.units}


def _placeholder(campaign: Campaign) -> Catalog:
    """A catalog with only its id, for a year whose criteria set cannot be loaded (nothing of it compares)."""
    return Catalog(campaign.catalog, "", campaign.catalog, {}, {}, {}, {}, (), (), ())


def years_before(campaign: Campaign) -> list[series.Year]:
    """Every campaign before this one (through [previous]), read from its archive; oldest first."""
    out = []
    current = campaign
    while current.previous is not None:
        out.append(read_year(current.previous, current.previous_archive))
        current = current.previous
    return list(reversed(out))


def attach(consolidation: Consolidation) -> series.Comparison:
    """Compare a consolidation with the years before it; the comparison is kept on it (``comparison``)
    for every output to show."""
    now = series.year_of(consolidation)
    consolidation.comparison = series.compare(now, years_before(consolidation.campaign))
    return consolidation.comparison


def unit_comparison(catalog: Catalog, campaign: Campaign, result) -> series.UnitComparison | None:
    """A checked workbook's unit (``check_file``) against the years before, for its own report:
    its index and pillars (no rank: one file has none); None when the campaign has no year before."""
    if campaign.previous is None:
        return None
    unit = campaign.unit(result.unit)
    points, amax, index = result.total
    pillars = {code: series.PillarFigures(i, None, p, m) for code, p, m, i in result.pillars}
    figures = series.Figures(unit.code, unit.name, unit.group, unit.level, index, None, points, amax, pillars,
                             tuple(c[1] for c in result.criteria))
    now = series.Year(campaign.period, catalog, {unit.code: figures}, _roster(campaign), dict(campaign.lineage), campaign.removed)
    return series.compare_unit(now, unit.code, figures, years_before(campaign))


# ------------------------------------------------------------------------------ the panel


@dataclass(frozen=True)
class Read:
    """Every year of a series as read for the panel: the years, oldest first (with why when not read)."""

    years: list[series.Year]

    def rows(self) -> Iterator[dict[str, Any]]:
        for year in self.years:
            yield from panel_rows(year)


def read_series(campaign: Campaign, archive: Path | None = None) -> Read:
    """This campaign's year (from its own archive, or ``archive``) and every year before it."""
    return Read([*years_before(campaign), read_year(campaign, archive or campaign.archive)])


def panel_rows(year: series.Year) -> Iterator[dict[str, Any]]:
    """One row per ranked unit and pillar of a year, and one for its whole index (``tru_cot`` "")."""
    titles = {p.code: p.title for p in year.catalog.pillars}
    for code, f in year.units.items():
        lineage = year.lineage.get(code, Lineage(SAME, (code,)))
        common = {"ky": year.period, "bo_tieu_chi": year.catalog.id, "ma_don_vi": code, "ten_don_vi": f.name, "nhom": f.group,
                  "cap": f.level, "truoc_day": lineage.text() if year.lineage else ""}
        yield {**common, "tru_cot": "", "ten_tru_cot": "Chỉ số chung", "chi_so": series.rounded(f.index), "hang": f.rank,
               "diem": round(f.points, 4), "diem_toi_da_ap_dung": f.max}
        for p, pf in f.pillars.items():
            yield {**common, "tru_cot": p, "ten_tru_cot": titles.get(p, p), "chi_so": series.rounded(pf.index), "hang": pf.rank,
                   "diem": round(pf.points, 4), "diem_toi_da_ap_dung": pf.max}


def panel(recipe: str | Path | None = None, archive: Path | None = None):
    """The panel as a pandas DataFrame: every unit × year × pillar (index, rank, points, max applied)
    of the series ending with the campaign of ``recipe`` (default: the shipped 2020 one), read from
    the archives. Columns: ``PANEL_COLUMNS``."""
    import pandas as pd

    from .. import campaign as campaign_mod

    read = read_series(campaign_mod.load(recipe), archive)
    return pd.DataFrame(list(read.rows()), columns=list(PANEL_COLUMNS))
