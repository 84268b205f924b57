"""The official layout of each level is stored, not rebuilt on every run: the shipped layouts are
the generator's (a stale one fails here), a layout does not depend on the campaign, and a result
kept small (``Scores``) or restored from a check's stored figures equals the engine's."""

from __future__ import annotations

import dataclasses
import gzip
import json
from importlib import resources

import pytest

import hue_dx
from hue_dx import campaign as campaign_mod
from hue_dx import catalog as catalog_mod
from hue_dx.intake import layouts
from hue_dx.intake.results import Scores
from hue_dx.scoring import restore, score_unit

CATALOG = hue_dx.load_catalog()


@pytest.mark.parametrize("ref", catalog_mod.available())
def test_the_shipped_layouts_are_the_generators_own(ref):
    catalog = catalog_mod.load(ref)
    shipped = json.loads(gzip.decompress((resources.files("hue_dx.catalogs") / "layouts" / f"{catalog.id}.json.gz").read_bytes()))
    assert shipped["key"] == layouts.key(catalog), "stale: python -m hue_dx.intake.layouts"
    assert shipped["levels"] == json.loads(json.dumps(layouts.build(catalog, campaign_mod.load(None)))), \
        "stale: python -m hue_dx.intake.layouts"
    assert layouts.load(catalog) is not None, "a shipped catalog's layouts are found without building"


def test_a_layout_does_not_depend_on_the_campaign():
    campaign = campaign_mod.load(None)
    other = dataclasses.replace(campaign, period="2031", units=campaign.units[:3], issuer={**campaign.issuer, "name": "Khác"})
    assert layouts.build(CATALOG, campaign) == layouts.build(CATALOG, other)


def test_a_built_layout_is_kept_in_the_cache_folder_and_found_again(tmp_path, monkeypatch):
    monkeypatch.setenv("HUEDX_CACHE", str(tmp_path))
    monkeypatch.setattr(layouts, "_shipped", lambda catalog: None)
    assert layouts.load(CATALOG) is None
    built = layouts.layouts(CATALOG, campaign_mod.load(None))
    assert list(tmp_path.glob("layout-*.json.gz")) and layouts.load(CATALOG) == json.loads(json.dumps(built))


def test_compact_and_restored_results_equal_the_engines():
    import json as json_mod
    from pathlib import Path

    inputs = json_mod.loads((Path(__file__).resolve().parents[1] / "samples" / "inputs" / "HALUOI.json").read_text(encoding="utf-8"))["inputs"]
    result = score_unit(CATALOG, inputs, "huyen")
    kept = Scores(CATALOG, result)

    def shown(criteria):  # what outputs show of a criterion (the clean values are not kept)
        return [(c.code, c.status, c.points, c.max, c.applicable_max, c.status_vi, c.counted_points) for c in criteria]

    assert shown(kept.criteria) == shown(result.criteria)
    assert [(p.points, p.applicable_max, p.index) for p in kept.pillars] == [(p.points, p.applicable_max, p.index) for p in result.pillars]
    stored = [(c.code, c.points, c.status, c.status_vi, c.applicable_max) for c in result.criteria]
    again = restore(CATALOG, stored, "huyen")
    assert [(c.code, c.status, c.points, c.status_vi) for c in again.criteria] == [(c.code, c.status, c.points, c.status_vi) for c in result.criteria]
    assert again.total.points == result.total.points and again.total.index == result.total.index
