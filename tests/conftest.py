"""Shared fixtures and hypothesis profiles (`HYPOTHESIS_PROFILE=ci` runs more examples)."""

import os

import pytest
from hypothesis import settings

import hue_dx

settings.register_profile("default", max_examples=100, deadline=None)
settings.register_profile("ci", max_examples=300, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def catalog():
    return hue_dx.load_catalog()


@pytest.fixture(scope="session")
def corpus_world(tmp_path_factory):
    """The corpus of returned files (tests/corpus.py), its campaign and a checking context, built
    once for the session; each test module writes the files it needs into its own folder."""
    import corpus

    from hue_dx import campaign as campaign_mod
    from hue_dx.intake.check import Context

    tmp = tmp_path_factory.mktemp("corpus")
    cases, recipe = corpus.build(tmp)
    campaign = campaign_mod.load(recipe)
    catalog = hue_dx.load_catalog()
    return cases, campaign, catalog, Context.create(catalog, campaign)


@pytest.fixture(scope="session")
def two_years(tmp_path_factory):
    """`hue-dx demo`'s two consecutive years (2020, then 2021 with a renamed unit and a merger),
    run once for the session: a list of the years' ``demo.DemoOutputs``, the second compared with
    the first (its printed reports too)."""
    from hue_dx import demo

    class Years(list):
        said: list[str]  # what the demo printed, its folder written as the README's command writes it (out/demo)

    folder = tmp_path_factory.mktemp("hai-nam") / "demo"
    lines: list[str] = []
    years = Years(demo.run_series(folder, say=lines.append))
    years.said = [line.replace(str(folder), "out/demo") for line in lines]
    return years
