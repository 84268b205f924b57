"""Text a unit types stays text in every file hue-dx writes (issue 27).

Returned workbooks as a careless or hostile unit sends them: every typed cell of an assessment
workbook (inputs that take text, evidence H–K of every criterion, contacts) and of a quarterly
return (text answers, notes, contacts) holds formula-like text (=HYPERLINK, +1+1, -2+3, a DDE
call), HTML, a javascript: link or template syntax, stored as text as Excel stores '=…. Then
every command that writes files runs on them, and every file written is opened:

- no formula of any xlsx holds typed text (each sheet's XML parsed: every <f> is one the
  generator writes, none holds a hostile fragment), and the text is there as text;
- no HTML element or attribute comes from typed text (the HTML parsed);
- no template evaluates it (typed "tpl{{7*7}}end" never becomes "tpl49end");
- no CSV field begins with a formula sign, unless it is a number;
- LibreOffice opens every appraisal workbook (one batched conversion) and shows the text,
  with no formula error.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import corpus
import pytest
import xlsxedit as xe
from engines import libreoffice_recalc
from openpyxl import load_workbook

import hue_dx
from hue_dx import campaign as campaign_mod
from hue_dx import cli, names
from hue_dx.generate import generate
from hue_dx.intake import xlsx
from hue_dx.tracking import answers as an
from hue_dx.tracking import names as tn
from hue_dx.tracking import periods, recipe, tasks
from hue_dx.tracking.generate import generate as generate_quarter

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = [
    '=HYPERLINK("http://example.invalid/?x","x")',
    "+1+1",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1\x0bdòng hai",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">bấm</a>',
    "javascript:alert(1)",
    "tpl{{7*7}}end",
    "{% raw %}",
]
# Fragments of the hostile texts that no formula hue-dx writes contains (checked on clean workbooks).
MARKERS = ["example.invalid", "HYPERLINK", "cmd|", "SUM(1+1)", "+1+1", "-2+3", "1+1", "script", "onerror", "javascript", "7*7", "raw"]
UNITS = ("STTTT", "SNV", "HALUOI")
TRACKING_UNITS = ("STTTT", "SNV", "SCT", "TPHUE")
Q3 = periods.Quarter(2021, 3)
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _text(n: int) -> str:
    return HOSTILE[n % len(HOSTILE)]


# ------------------------------------------------------------------------- returned files


def _assessment_returns(folder: Path, tmp: Path) -> tuple[Path, Path]:
    """Three units' returned workbooks: sample figures, and hostile text in every typed cell."""
    recipe_path = corpus.late_recipe(tmp)
    catalog = hue_dx.load_catalog()
    campaign = campaign_mod.load(recipe_path)
    blanks = tmp / "blank"
    made = generate(catalog, campaign, blanks, [campaign.unit(u) for u in UNITS], manifest=False)
    folder.mkdir()
    n = 0
    for g in made:
        data = (blanks / g.path).read_bytes()
        defined = xlsx.read(data, formulas=False).names
        level = campaign.unit(g.unit).level
        sample = json.loads((ROOT / "samples" / "inputs" / f"{'STTTT' if level == 'so' else 'HALUOI'}.json").read_text(encoding="utf-8"))["inputs"]
        cells: dict[tuple[str, str], xe.Raw] = {}
        for c in catalog.criteria:
            if not c.applies(level):
                continue
            for spec in c.inputs:
                place = xlsx.destination(defined[names.input_name(c.code, spec.key)])
                value = sample.get(c.code, {}).get(spec.key)
                if spec.type in ("yesno", "choice") and c.code.endswith(".1"):
                    cells[place] = xe.text(_text(n))  # an input that takes text, typed as text
                    n += 1
                elif isinstance(value, str):
                    cells[place] = xe.text(value)
                elif value is not None:
                    cells[place] = xe.number(value)
            score = xlsx.destination(defined[names.score_name(c.code)])
            for ref in names.evidence_refs(score[1]).values():
                cells[(score[0], ref)] = xe.text(_text(n))
                n += 1
        for field in names.UNIT_FIELDS[1:]:
            cells[xlsx.destination(defined[names.identity_name(field)])] = xe.text(_text(n))
            n += 1
        (folder / g.path).write_bytes(xe.set_cells(data, cells))
    return recipe_path, blanks


def _tracking_returns(folder: Path, tmp: Path) -> Path:
    """Four units' quarterly returns: a status on every row, hostile text in every text answer,
    note and contact."""
    rec = recipe.load(ROOT / "generator" / "tracking-hue-222.toml")
    catalog = tasks.load(rec.tasks)
    blanks = tmp / "so-quy"
    made = generate_quarter(catalog, rec, Q3, blanks, units=[rec.unit(u) for u in TRACKING_UNITS])
    folder.mkdir()
    kinds = {spec.key: spec.type for specs in an.FIELDS.values() for spec in specs}
    n = 0
    for g in made:
        data = (blanks / g.path).read_bytes()
        defined = xlsx.read(data, formulas=False).names
        cells: dict[tuple[str, str], xe.Raw] = {}
        for name, definition in defined.items():
            parsed = tn.parse_cell_name(name)
            if parsed is None:
                continue
            kind = kinds[parsed[2]]
            if kind == "text":
                cells[xlsx.destination(definition)] = xe.text(_text(n))
                n += 1
            elif kind == "status":
                cells[xlsx.destination(definition)] = xe.text(an.IN_PROGRESS)
            elif kind == "percent":
                cells[xlsx.destination(definition)] = xe.number(50)
        for field in names.UNIT_FIELDS[1:]:
            name = names.identity_name(field)
            if name in defined:
                cells[xlsx.destination(defined[name])] = xe.text(_text(n))
                n += 1
        (folder / g.path).write_bytes(xe.set_cells(data, cells))
    return blanks


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Every command that writes files, run on the hostile returns; the folder they wrote into."""
    tmp = tmp_path_factory.mktemp("hostile")
    sent, out = tmp / "gui-ve", tmp / "ra"
    recipe_path, blanks = _assessment_returns(sent, tmp)
    quarterly = tmp / "gui-ve-quy"
    clean_quarterly = _tracking_returns(quarterly, tmp)
    first = sorted(sent.glob("*.xlsx"))[0]
    runs = [
        ["report", "unit", str(first), "-o", str(out / "phieu.pdf"), "--html", str(out / "phieu.html"), "--recipe", str(recipe_path)],
        ["consolidate", str(sent), "-o", str(out / "xep-hang.xlsx"), "--json", str(out / "xep-hang.json"), "--csv", str(out / "csv"),
         "--archive", str(tmp / "kho"), "--recipe", str(recipe_path), "--workers", "1"],
        ["report", "ranking", str(sent), "-o", str(out / "bao-cao.pdf"), "--html", str(out / "bao-cao.html"), "--archive", str(tmp / "kho"),
         "--recipe", str(recipe_path)],
        ["requests", str(sent), "--out", str(out / "de-nghi"), "--archive", str(tmp / "kho"), "--no-pdf", "--recipe", str(recipe_path)],
        ["appraise", str(sent), "--out", str(out / "tham-dinh"), "--archive", str(tmp / "kho"), "--recipe", str(recipe_path)],
        ["tasks", "consolidate", str(quarterly), "--period", Q3.id, "--archive", str(tmp / "kho-quy"), "--out", str(out / "tong-hop-quy")],
        ["tasks", "report", "--period", Q3.id, "--archive", str(tmp / "kho-quy"), "--out", str(out / "bao-cao-quy")],
        ["tasks", "generate", "--period", Q3.next.id, "--previous", str(out / "tong-hop-quy" / f"tra-loi-{Q3.id}.json"),
         "--out", str(out / "so-quy-sau")],
    ]
    for argv in runs:
        assert cli.main(argv) in (0, 1), argv
    for path in sorted(sent.glob("*.xlsx")):  # check --json prints; what it printed is a file a person keeps
        stdout = io.StringIO()
        code = _main_to(stdout, ["check", str(path), "--json", "--recipe", str(recipe_path)])
        assert code in (0, 1)
        (out / "check" / f"{path.stem}.json").parent.mkdir(exist_ok=True)
        (out / "check" / f"{path.stem}.json").write_text(stdout.getvalue(), encoding="utf-8")
    return out, blanks, clean_quarterly


def _main_to(stdout: io.StringIO, argv: list[str]) -> int:
    import sys

    saved, sys.stdout = sys.stdout, stdout
    try:
        return cli.main(argv)
    finally:
        sys.stdout = saved


def _files(out: Path, suffix: str) -> list[Path]:
    found = sorted(p for p in out.rglob(f"*{suffix}") if p.is_file())
    assert found, f"no {suffix} written"
    return found


# ------------------------------------------------------------------------- xlsx


def _sheets(path: Path) -> list[tuple[str, ElementTree.Element]]:
    with zipfile.ZipFile(path) as zf:
        return [(name, ElementTree.fromstring(zf.read(name))) for name in zf.namelist()
                if name.startswith("xl/worksheets/sheet") and name.endswith(".xml")]


def _formulas(path: Path) -> list[tuple[str, str, str]]:
    return [(sheet, c.get("r") or "", f.text or "") for sheet, root in _sheets(path)
            for c in root.iter(f"{{{NS['m']}}}c") for f in c.findall("m:f", NS)]


def _texts(path: Path) -> set[str]:
    """Every text a workbook's cells hold (inline strings and shared strings)."""
    found = set()
    with zipfile.ZipFile(path) as zf:
        if "xl/sharedStrings.xml" in zf.namelist():
            root = ElementTree.fromstring(zf.read("xl/sharedStrings.xml"))
            found |= {"".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in root.findall("m:si", NS)}
    for _, root in _sheets(path):
        found |= {"".join(t.text or "" for t in c.iter(f"{{{NS['m']}}}t")) for c in root.iter(f"{{{NS['m']}}}c") if c.get("t") == "inlineStr"}
    return found


def test_the_markers_are_in_no_formula_the_generator_writes(written):
    """The check below cannot be fooled: the clean workbooks' formulas hold none of the markers."""
    _, blanks, clean_quarterly = written
    for path in [*blanks.glob("*.xlsx"), *clean_quarterly.glob("*.xlsx")]:
        formulas = _formulas(path)
        assert formulas
        assert not [(f, m) for *_, f in formulas for m in MARKERS if m in f], path.name


def test_no_formula_of_any_workbook_holds_typed_text(written):
    out, _, _ = written
    books = _files(out, ".xlsx")
    assert {p.parent.name for p in books} >= {"ra", "tham-dinh", "tong-hop-quy", "so-quy-sau"}
    for path in books:
        bad = [(sheet, ref, f) for sheet, ref, f in _formulas(path) if any(m in f for m in MARKERS)]
        assert not bad, (path.name, bad[:3])


def test_the_typed_text_is_in_the_workbooks_as_text(written):
    out, _, _ = written
    appraisal = _files(out / "tham-dinh", ".xlsx")
    assert len(appraisal) >= 3
    for path in appraisal:
        texts = _texts(path)
        joined = "\n".join(texts)
        assert '=HYPERLINK("http://example.invalid/?x","x")' in joined and "@SUM(1+1)*cmd|' /C calc'!A0" in joined, path.name
    prefilled = "\n".join("\n".join(_texts(p)) for p in _files(out / "so-quy-sau", ".xlsx"))
    for text in ('=HYPERLINK("http://example.invalid/?x","x")', "+1+1", "-2+3", "<script>alert(1)</script>"):
        assert text in prefilled  # last quarter's answers pre-filled as the unit typed them, as text


def test_libreoffice_opens_every_appraisal_workbook_and_shows_the_text(written, tmp_path):
    out, _, _ = written
    books = _files(out / "tham-dinh", ".xlsx")
    copies = libreoffice_recalc(books, tmp_path / "lo")  # one soffice call for all of them
    for original, copy in zip(books, copies, strict=True):
        typed = {(c.parent.title, c.coordinate): c.value for row in load_workbook(original).active.iter_rows() for c in row
                 if isinstance(c.value, str) and c.data_type == "s" and any(m in c.value for m in MARKERS)}
        assert typed, original.name
        shown = load_workbook(copy, data_only=True)
        errors = [(ws.title, c.coordinate, c.value) for ws in shown.worksheets for row in ws.iter_rows() for c in row
                  if c.data_type == "e" or (isinstance(c.value, str) and re.match(r"^(#[A-Z/0]+[!?]?|Err:\d+)$", c.value))]
        assert not errors, (original.name, errors[:3])
        for (sheet, ref), text in typed.items():
            assert shown[sheet][ref].value == text, (original.name, ref)


# ------------------------------------------------------------------------- HTML, text, PDF


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def test_no_html_element_or_attribute_comes_from_typed_text(written):
    out, _, _ = written
    pages = _files(out, ".html")
    assert {p.name for p in pages} >= {"phieu.html", "bao-cao.html"}
    shown_somewhere = False
    for path in pages:
        parsed = _Elements()
        parsed.feed(path.read_text(encoding="utf-8"))
        assert not [t for t, _ in parsed.tags if t in ("script", "img", "a", "iframe", "object")], path.name
        bad = [(t, a, v) for t, attrs in parsed.tags for a, v in attrs
               if a.startswith("on") or (v or "").strip().lower().startswith("javascript:") or "example.invalid" in (v or "")]
        assert not bad, (path.name, bad[:3])
        text = "".join(parsed.text)
        assert "tpl49end" not in text, path.name
        shown_somewhere = shown_somewhere or ("<script>alert(1)</script>" in text and "tpl{{7*7}}end" in text)
    assert shown_somewhere  # the typed text is shown, as text


def test_no_template_evaluates_typed_text(written):
    out, _, _ = written
    letters = _files(out, ".txt")
    assert any("tpl{{7*7}}end" in p.read_text(encoding="utf-8") and "{% raw %}" in p.read_text(encoding="utf-8") for p in letters)
    for path in [*letters, *_files(out, ".json")]:
        assert "tpl49end" not in path.read_text(encoding="utf-8"), path.name
    for path in _files(out, ".pdf")[:6]:
        shown = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "tpl49end" not in shown, path.name


def test_the_json_outputs_keep_the_typed_text_unchanged(written):
    out, _, _ = written
    for path in _files(out, ".json"):
        json.loads(path.read_text(encoding="utf-8"))
    checked = "\n".join(p.read_text(encoding="utf-8") for p in _files(out / "check", ".json"))
    assert json.dumps("@SUM(1+1)*cmd|' /C calc'!A0", ensure_ascii=False) in checked


# ------------------------------------------------------------------------- CSV


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_no_csv_field_begins_with_a_formula_sign(written):
    out, _, _ = written
    tables = _files(out, ".csv")
    assert {p.parent.name for p in tables} >= {"csv"}
    seen = 0
    for path in tables:
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))):
            for field in row:
                if field[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    assert _number(field), (path.name, field)
                seen += "example.invalid" in field
    assert seen  # the typed text reached the CSVs, made safe

