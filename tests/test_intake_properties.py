"""Properties of intake on files filled the way people fill them, drawn by hypothesis:

1. nothing in any cell a unit fills (inputs, evidence, contacts: control characters,
   surrogates, 40,000-character text, formulas, NFD) can crash ``check`` or a whole
   consolidation with every output it writes (ranking workbook, JSON, CSV, letters, reports);
2. one number everywhere: for any returned file, messy or not, re-saved by LibreOffice or
   Gnumeric or not, the score and the status words ``check`` gives every criterion are the
   ones the workbook's own formulas show for that file, recomputed by LibreOffice.

Examples drawn per run: see ``EXAMPLES`` (more with HYPOTHESIS_PROFILE=ci); each example is a
batch of files so that LibreOffice starts once per batch."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import unicodedata
from pathlib import Path

import engines
import pytest
import xlsxedit as xe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from hue_dx import names
from hue_dx.catalog import YES_NO
from hue_dx.generate import generate
from hue_dx.intake.check import check_file
from hue_dx.intake.consolidate import consolidate
from hue_dx.intake.outputs import write_csv, write_json, write_workbook

CI = os.environ.get("HYPOTHESIS_PROFILE") == "ci"
# (examples, files per example): the README states what a CI run draws
EXAMPLES = {"crash": (25, 3) if CI else (6, 3), "parity": (4, 8) if CI else (2, 6)}
SLOW = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
UNITS = {"so": "SKHCN", "huyen": "HQDIEN"}


@pytest.fixture(scope="module")
def world(corpus_world, tmp_path_factory):
    cases, campaign, catalog, ctx = corpus_world
    folder = tmp_path_factory.mktemp("blank-prop")
    generate(catalog, campaign, folder, [campaign.unit(u) for u in UNITS.values()], manifest=False)
    blanks = {level: next(folder.glob(f"*_{unit}_*.xlsx")).read_bytes() for level, unit in UNITS.items()}
    return campaign, catalog, ctx, blanks


# --------------------------------------------------------------------------- what a cell may hold

ANY_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=40),  # surrogates and control characters included
    st.sampled_from(["\x0b", "Dòng 1\x0bDòng 2", "=HYPERLINK(\"http://x\",\"y\")", "+84 234", "-", "@SUM(1)", "\t", "\r\n",
                     "_x000B_", "<b>&amp;</b>", "\ud83d\ude00", "\ud800", "🙂"]),
    st.builds(lambda t: unicodedata.normalize("NFD", t), st.text(max_size=20)),
    st.builds(lambda n: "Ậ" * n, st.integers(1000, 40_000)),
)


def _raw(value) -> xe.Raw:
    if isinstance(value, tuple) and value[0] == "formula":
        return xe.formula(value[1], value[2])
    if isinstance(value, tuple) and value[0] == "error":
        return xe.error(value[1], value[2])
    if isinstance(value, bool):
        return xe.boolean(value)
    if isinstance(value, (int, float)):
        return xe.number(repr(float(value)) if isinstance(value, float) else value)
    return xe.text(value)


@st.composite
def fuzzed_file(draw, catalog, blank: bytes, level: str):
    """A blank workbook with random text (or a random formula) in inputs, evidence and contacts."""
    cells: dict[tuple[str, str], xe.Raw] = {}
    defined = xe.xlsx.read(blank, formulas=False).names
    criteria = [c for c in catalog.criteria if c.applies(level)]
    for c in draw(st.lists(st.sampled_from(criteria), min_size=1, max_size=12, unique_by=lambda c: c.code)):
        for spec in c.inputs:
            place = xe.xlsx.destination(defined[names.input_name(c.code, spec.key)])
            choice = draw(st.sampled_from(["text", "formula", "number"]))
            if choice == "formula":
                cells[place] = xe.formula(draw(ANY_TEXT).replace("\x00", ""), draw(st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False))))
            elif choice == "number":
                cells[place] = xe.number(draw(st.sampled_from(["1E+300", "-0", "3", "0.1", "4.94065645841247E-324"])))
            else:
                cells[place] = xe.text(draw(ANY_TEXT))
        score = xe.xlsx.destination(defined[names.score_name(c.code)])
        for ref in names.evidence_refs(score[1]).values():
            cells[(score[0], ref)] = xe.text(draw(ANY_TEXT))
    for field in ("unit_preparer", "unit_head", "unit_head_title", "unit_email"):
        cells[xe.xlsx.destination(defined[names.identity_name(field)])] = xe.text(draw(ANY_TEXT))
    return xe.set_cells(blank, cells)


@settings(max_examples=EXAMPLES["crash"][0], deadline=None, suppress_health_check=SLOW)
@given(data=st.data())
def test_no_text_in_any_cell_can_crash_check_consolidate_or_an_output(world, tmp_path_factory, data):
    campaign, catalog, ctx, blanks = world
    folder = tmp_path_factory.mktemp("fuzz")
    inbox = folder / "nhan"
    inbox.mkdir()
    for n in range(EXAMPLES["crash"][1]):
        level = data.draw(st.sampled_from(sorted(blanks)))
        content = data.draw(fuzzed_file(catalog, blanks[level], level))
        result = check_file(content, f"tep-{n}.xlsx", hashlib.sha256(content).hexdigest(), ctx, details=True)
        assert result.accepted and not any(i.code == "file-internal-error" for i in result.issues), [i for i in result.issues][:3]
        (inbox / f"tệp {n}.xlsx").write_bytes(content)
    consolidation = consolidate(catalog, campaign, [inbox], folder / "kho", workers=1, context=ctx)
    assert not any(i.code == "file-internal-error" for i in consolidation.issues)
    _write_every_output(consolidation, catalog, campaign, ctx, inbox, folder / "ra")


def _write_every_output(consolidation, catalog, campaign, ctx, inbox: Path, out: Path) -> None:
    from hue_dx import reports
    from hue_dx.corrections import write_letters

    write_workbook(consolidation, out / "xep-hang.xlsx")
    load_workbook(out / "xep-hang.xlsx")
    write_json(consolidation, out / "xep-hang.json")
    json.loads((out / "xep-hang.json").read_text(encoding="utf-8"))
    for path in write_csv(consolidation, out / "csv"):
        list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    for letter in write_letters(consolidation, out / "thu", pdf=False):
        letter.html.read_text(encoding="utf-8")
        letter.text.read_text(encoding="utf-8")
    reports.write_html(reports.ranking_html(consolidation, campaign.report), out / "bao-cao.html")
    from hue_dx.publish import write_site

    for page in write_site(consolidation, out / "cong-bo"):  # the public site: every text escaped and cleaned
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text.lower() and not any(ch in text for ch in "\x00\x0b\x0c\x1b"), page
    first = sorted(inbox.iterdir())[0]
    data = first.read_bytes()
    detailed = check_file(data, first.name, hashlib.sha256(data).hexdigest(), ctx, details=True)
    reports.write_html(reports.unit_html(catalog, campaign, detailed), out / "phieu.html")


def test_the_worst_text_prints_in_every_pdf(world, tmp_path):
    """A file holding every kind of hostile text, through the PDF writers too (slow: once)."""
    campaign, catalog, ctx, blanks = world
    evil = "".join(chr(c) for c in range(32)) + "\ud800\udfff" + "=cmd|' /C calc'!A0" + "Ậ" * 5000 + "\u202e\u0301"
    defined = xe.xlsx.read(blanks["so"], formulas=False).names
    score = xe.xlsx.destination(defined[names.score_name("1.1.1")])
    cells = {(score[0], ref): xe.text(evil) for ref in names.evidence_refs(score[1]).values()}
    cells[xe.xlsx.destination(defined[names.input_name("1.1.1", "a")])] = xe.text(evil)
    cells[xe.xlsx.destination(defined[names.identity_name("unit_head")])] = xe.text(evil)
    content = xe.set_cells(blanks["so"], cells)
    inbox = tmp_path / "nhan"
    inbox.mkdir()
    (inbox / "xấu.xlsx").write_bytes(content)
    consolidation = consolidate(catalog, campaign, [inbox], tmp_path / "kho", workers=1, context=ctx)
    _write_every_output(consolidation, catalog, campaign, ctx, inbox, tmp_path / "ra")
    from hue_dx import reports

    detailed = check_file(content, "xấu.xlsx", hashlib.sha256(content).hexdigest(), ctx, details=True)
    reports.write_pdf(reports.unit_html(catalog, campaign, detailed), tmp_path / "ra" / "phieu.pdf")
    assert (tmp_path / "ra" / "phieu.pdf").read_bytes().startswith(b"%PDF")


# --------------------------------------------------------------------------- one number everywhere


def _number_values(spec):
    top = spec.max or 1e9
    valid = st.one_of(st.integers(0, int(min(top, 5000))), st.just(int(top)),
                      st.integers(0, int(min(top, 10**7))))
    if spec.type != "count":
        valid = st.one_of(valid, st.floats(0, min(top, 1e7), allow_nan=False).map(lambda x: round(x, 3)))
    messy = st.sampled_from([-3, 2.5, int(top) + 1, 1e15, "12", " 12 ", "1.234", "1,5", "1 234", "", "   ", "\u00a0", True, False,
                             ("error", "#N/A", "NA()"), ("error", "#DIV/0!", "1/0"), ("formula", "100+20", 120.0), ("formula", "7*3", None),
                             ("formula", "(10+5)/5", 3.0)])
    return st.one_of(valid, valid, valid, messy, st.none())


def _option_values(spec):
    options = list(YES_NO if spec.type == "yesno" else spec.choices)
    variants = [o.upper() for o in options] + [f" {o} " for o in options] + [f"{o}\u00a0" for o in options] + \
        [unicodedata.normalize("NFD", o) for o in options] + [o.replace(" ", "  ") for o in options]
    messy = st.sampled_from(["x", "*", "?", "", "  ", True, 1, 0, ("error", "#N/A", "NA()")] + variants)
    return st.one_of(st.sampled_from(options), st.sampled_from(options), messy, st.none())


@st.composite
def messy_file(draw, catalog, blank: bytes, level: str):
    defined = xe.xlsx.read(blank, formulas=False).names
    cells = {}
    for c in catalog.criteria:
        if not c.applies(level):
            continue
        for spec in c.inputs:
            value = draw(_option_values(spec) if spec.type in ("yesno", "choice") else _number_values(spec))
            if value is not None:
                cells[xe.xlsx.destination(defined[names.input_name(c.code, spec.key)])] = _raw(value)
    return xe.set_cells(blank, cells)


def _blank(value) -> bool:
    return value is None or value == ""


@settings(max_examples=EXAMPLES["parity"][0], deadline=None, suppress_health_check=SLOW)
@given(data=st.data())
def test_check_gives_the_scores_the_workbooks_own_formulas_show(world, tmp_path_factory, data):
    campaign, catalog, ctx, blanks = world
    folder = tmp_path_factory.mktemp("parity")
    sent, to_libreoffice, to_gnumeric = folder / "gui", folder / "lo-in", folder / "gn-in"
    for d in (sent, to_libreoffice, to_gnumeric):
        d.mkdir()
    returned: list[tuple[str, Path]] = []
    for n in range(EXAMPLES["parity"][1]):
        level = data.draw(st.sampled_from(sorted(blanks)))
        content = data.draw(messy_file(catalog, blanks[level], level))
        how = data.draw(st.sampled_from(["as filled", "LibreOffice", "Gnumeric"]))
        name = f"don-vi-{n:02d}.xlsx"
        target = {"as filled": sent, "LibreOffice": to_libreoffice, "Gnumeric": to_gnumeric}[how] / name
        target.write_bytes(content)
        returned.append((how, target))
    final: list[tuple[str, Path]] = []
    resaved = {p.name: p for p in engines.libreoffice_resave(sorted(to_libreoffice.iterdir()), folder / "lo-out")} \
        if any(to_libreoffice.iterdir()) else {}
    for how, path in returned:
        if how == "LibreOffice":
            final.append((how, resaved[path.name]))
        elif how == "Gnumeric":
            final.append((how, engines.gnumeric_resave(path, folder / "gn-out" / path.name)))
        else:
            final.append((how, path))
    # the unit's returned files, computed by LibreOffice (every formula recomputed on load)
    staged = folder / "recalc-in"
    staged.mkdir()
    for n, (_, path) in enumerate(final):
        (staged / f"{n:02d}.xlsx").write_bytes(path.read_bytes())
    computed = engines.libreoffice_resave(sorted(staged.iterdir()), folder / "recalc-out")
    problems = []
    for (how, path), recalculated in zip(final, computed, strict=True):
        content = path.read_bytes()
        result = check_file(content, path.name, hashlib.sha256(content).hexdigest(), ctx)
        assert result.accepted, (how, [i.message for i in result.issues][:3])
        shown = engines.read_by_names(recalculated, [n for c in catalog.criteria for n in (names.score_name(c.code), names.status_name(c.code))])
        for code, points, _, words, _ in result.criteria:
            score, status = shown[names.score_name(code)], shown[names.status_name(code)]
            same_score = _blank(score) if points is None else isinstance(score, (int, float)) and math.isclose(score, points, rel_tol=1e-9, abs_tol=1e-9)
            if not same_score or status != words:
                problems.append(f"{how} {path.name} {code}: workbook {score!r} / {status!r}, check {points!r} / {words!r}")
    assert not problems, "\n".join(problems[:20])
