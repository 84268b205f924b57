"""Requests for correction: one letter per unit with problems, cell by cell, with a deadline."""

from __future__ import annotations

import datetime as dt

import corpus
import pytest

from hue_dx.corrections import working_days_after, write_letters
from hue_dx.intake.consolidate import consolidate


@pytest.fixture(scope="module")
def consolidation(corpus_world, tmp_path_factory):
    cases, campaign, catalog, ctx = corpus_world
    tmp = tmp_path_factory.mktemp("requests")
    # one file per unit where the corpus has many (Sở Ngoại vụ: the one with a word for a number)
    chosen = [c for c in cases if c.accepted and (c.unit != "SNGV" or c.name == "SNGV chu.xlsx")]
    folder = corpus.write(chosen, tmp / "in")
    return consolidate(catalog, campaign, [folder], tmp / "archive", workers=1, context=ctx), tmp


def test_working_days_skip_weekends():
    friday = dt.date(2026, 11, 27)
    assert working_days_after(friday, 1) == dt.date(2026, 11, 30)
    assert working_days_after(friday, 10) == dt.date(2026, 12, 11)


def test_one_letter_per_unit_with_problems_listing_every_cell(consolidation):
    result, tmp = consolidation
    letters = {letter.unit: letter for letter in write_letters(result, tmp / "letters", days=10, today=dt.date(2026, 11, 27), pdf=False)}
    # every unit with something to fix or explain, and every unit that sent nothing, gets one;
    # the sender, Sở TT&TT, writes none to itself
    asked = {r.unit.code for rows in result.groups.values() for r in rows
             if r.result is None or any(i.severity in ("error", "warning") for i in r.result.issues)}
    assert set(letters) == asked - {"STTTT"} and "BQLKKT" in letters and "SDL" in letters
    sngv = letters["SNGV"].text.read_text(encoding="utf-8")
    assert sngv.startswith("Kính gửi: Sở Ngoại vụ")
    assert "trước ngày 11/12/2026" in sngv
    assert "(tệp SNGV chu.xlsx," in sngv  # the unit's own file name, not the folder it was filed under here
    assert "ô D" in sngv and "tiêu chí 5.1.1" in sngv and "'mười', không phải là số" in sngv
    assert "&amp;" not in sngv and "&#" not in sngv  # plain text for an e-mail body, not HTML
    missing = letters["BQLKKT"].text.read_text(encoding="utf-8")
    assert "gửi sổ tự đánh giá đã điền đầy đủ" in missing
    html = letters["SNGV"].html.read_text(encoding="utf-8")
    assert "<table" in html and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html
    errors = sum(1 for i in next(r for rows in result.groups.values() for r in rows if r.unit.code == "SNGV").result.issues
                 if i.severity in ("error", "warning"))
    assert letters["SNGV"].items == errors


def test_letters_as_pdf(consolidation):
    result, tmp = consolidation
    letters = write_letters(result, tmp / "pdf", days=5)
    assert all(letter.pdf.is_file() and letter.pdf.read_bytes().startswith(b"%PDF") for letter in letters[:3])
