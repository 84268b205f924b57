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
