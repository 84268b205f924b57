"""`hue-dx publish`: the static site of the results, read as its visitors would.

In headless Chromium (tests/browser/check.mjs: playwright-core driving Debian's Chromium, axe-core
injected from node_modules): every page from disk and from a web server, with no console error,
no failed or external request, no sideways scrolling at 360 px, the first Tab on the skip link,
nothing but the page when printed, and no serious or critical accessibility violation. In Python:
no script, every link and file inside the site, headings and table headers, the figures of the
consolidation, the open data valid against its own datapackage.json, and years before shown when
given and never invented when not."""

from __future__ import annotations

import dataclasses
import html
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from engines import browser_checker
from frictionless import validate

import hue_dx
from hue_dx import campaign as campaign_mod
from hue_dx import cli, demo, publish
from hue_dx.intake.consolidate import consolidate
from hue_dx.vn import fixed as vn_number

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "generator" / "campaign-2020.toml"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The demo's returned files published by the command, and the consolidation they make."""
    folder = tmp_path_factory.mktemp("publish")
    catalog, campaign = hue_dx.load_catalog(), campaign_mod.load(RECIPE)
    outputs = demo.run(catalog, campaign, folder / "demo", say=lambda _: None)
    site = folder / "site"
    code = cli.main(["publish", str(outputs.returned), "--out", str(site), "--archive", str(outputs.archive), "--recipe", str(RECIPE)])
    consolidation = consolidate(catalog, campaign, [outputs.returned], outputs.archive, workers=1)
    return {"site": site, "code": code, "consolidation": consolidation, "folder": folder, "catalog": catalog}


@pytest.fixture(scope="module")
def with_years(world):
    """The same results with previous periods filled in as issue 22 will: a unit up, one down,
    one whose previous result cannot be compared (with the reason), and histories."""
    c = world["consolidation"]
    site = publish.site_of(c)
    groups = {}
    for group, members in site.groups.items():
        changed = []
        for n, u in enumerate(members):
            if n == 0:
                history = (publish.Standing("2018", 0.41, 6), publish.Standing("2019", 0.5, 4), publish.Standing("2020", u.index, u.rank))
                u = dataclasses.replace(u, previous=history[1], history=history)
            elif n == 1:
                u = dataclasses.replace(u, previous=publish.Standing("2019", 0.95, 1))
            elif n == 2:
                u = dataclasses.replace(u, previous=None, previous_reason="năm 2019 đánh giá theo bộ tiêu chí khác, không so sánh được")
            changed.append(u)
        groups[group] = tuple(changed)
    site = dataclasses.replace(site, groups=groups)
    folder = world["folder"] / "site-nhieu-nam"
    publish.write_site(c, folder, site)
    return folder, site


def pages_of(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))


class Page(HTMLParser):
    """Tags and text of a page, as far as these tests need them."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag]


def read(site: Path, page: str) -> Page:
    return Page((site / page).read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------ what is written


def test_the_command_writes_every_page_and_the_open_data(world):
    site, c = world["site"], world["consolidation"]
    assert world["code"] == 1  # three units sent nothing: the same exit code as consolidate on these files
    ranked = [r for rows in c.groups.values() for r in rows if r.final]
    assert pages_of(site) == sorted(["index.html", "tru-cot.html", "phan-bo.html", "du-lieu.html",
                                     *[f"don-vi/{r.unit.code}.html" for r in ranked]])
    assert sorted(p.name for p in (site / "du-lieu").iterdir()) == ["datapackage.json", "tieu-chi.csv", "xep-hang.csv"]
    report = validate(site / "du-lieu" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_pages_need_no_script_and_nothing_from_elsewhere(world):
    site = world["site"]
    css = (site / "site.css").read_text(encoding="utf-8")
    assert "@import" not in css and "url(" not in css and "@font-face" not in css
    for page in pages_of(site):
        p = read(site, page)
        assert not p.all("script") and not p.all("iframe") and not p.all("img"), page
        assert not [a for _, a in p.tags for k in a if k.startswith("on")], page  # no event handler either
        for tag, attrs in p.tags:
            for key in ("href", "src"):
                target = attrs.get(key)
                if target is None or target.startswith(("#", "data:")):
                    continue
                if re.match(r"[a-z]+:", target):  # the licence's text is the one link out, and nothing needs it to be read
                    assert tag == "a" and attrs.get("rel") == "license", (page, target)
                    continue
                assert (site / page).parent.joinpath(target.split("#")[0]).resolve().is_file(), (page, target)


def test_every_page_is_vietnamese_with_one_heading_and_headed_tables(world):
    site = world["site"]
    for page in pages_of(site):
        text = (site / page).read_text(encoding="utf-8")
        p = Page(text)
        assert p.all("html")[0]["lang"] == "vi" and len(p.all("h1")) == 1 and p.all("title"), page
        assert any(m["name"] == "viewport" for m in p.all("meta") if "name" in m), page
        tables = text.count("<table")
        assert tables and text.count("<caption") == tables, page  # every table says what it holds
        for th in p.all("th"):
            assert th.get("scope") in ("col", "row"), (page, th)
        for svg in p.all("svg"):
            assert svg.get("role") == "img" and (svg.get("aria-label") or svg.get("aria-labelledby")), page
        for region in [d for d in p.all("div") if "scroll" in d.get("class", "")]:
            assert region.get("role") == "region" and region.get("tabindex") == "0" and region.get("aria-labelledby"), page


def test_the_figures_are_the_consolidations_in_vietnamese_style(world):
    site, c, catalog = world["site"], world["consolidation"], world["catalog"]
    index = (site / "index.html").read_text(encoding="utf-8")
    for rows in c.groups.values():
        for r in rows:
            if r.final:
                assert f">{vn_number(r.index, 4)}<" in index and html.escape(r.unit.name) in index, r.unit.code
            else:
                assert html.escape(r.unit.name) in index  # named as not received, with no page
    row = next(r for rows in c.groups.values() for r in rows if r.unit.code == "HALUOI")
    unit = (site / "don-vi" / "HALUOI.html").read_text(encoding="utf-8")
    for n, p in enumerate(catalog.pillars):
        assert f">{vn_number(row.pillar_index(n), 4)}<" in unit, p.code
    assert unit.count('<tr class="status-') == len(catalog.criteria)
    ranked = sum(1 for r in c.groups[row.unit.group] if r.final)
    assert ranked < len(c.groups[row.unit.group]) and f"{row.rank} <span class=\"words\">trên {ranked} đơn vị được xếp hạng" in unit


def test_without_previous_years_the_pages_compare_nothing(world):
    site = world["site"]
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "So với kỳ trước" not in index and "Không có cột so sánh với năm trước" in index
    unit = (site / "don-vi" / "STTTT.html").read_text(encoding="utf-8")
    assert "Không so sánh được: chưa có kết quả kỳ trước." in unit and "Chưa có kết quả các kỳ trước" in unit
    for page in pages_of(site):
        assert not re.search(r"[+−-]\s?\d+([.,]\d+)?\s?%", " ".join(read(site, page).text)), page


def test_previous_years_given_are_shown_as_changes_in_index_points(with_years):
    folder, site = with_years
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "So với kỳ trước" in index
    first, second, third = site.groups["Sở, ban, ngành"][:3]
    up = publish.change_words(first)
    assert up["figure"] == "+" + vn_number(round(first.index, 4) - 0.5, 4) and f"lên 3 bậc (hạng 4 → {first.rank})" in up["words"]
    assert f">{up['figure']}<" in index and up["words"] in index
    down = publish.change_words(second)
    assert down["figure"].startswith("−") and "xuống 1 bậc" in down["words"] and down["words"].startswith("Giảm")
    assert "Không so sánh được: năm 2019 đánh giá theo bộ tiêu chí khác, không so sánh được." in index
    unit = (folder / first.page).read_text(encoding="utf-8")
    assert "Qua các kỳ" in unit and ">2018<" in unit and ">0,4100<" in unit and "Chưa có kết quả các kỳ trước" not in unit
    assert not re.search(r"\d\s?%", " ".join(Page(index).text))  # what is read: no percentage (the bars' widths aside)


def test_a_change_is_never_a_percentage_and_never_made_up():
    unit = publish.SiteUnit("X", "Sở X", "Nhóm", 2, 0.6, 60, 100, (), (), previous=publish.Standing("2019", 0.0, 9))
    assert publish.change_words(unit) == {"figure": "+0,6000", "words": "Tăng 0,6000 so với 2019 (0,0000); lên 7 bậc (hạng 9 → 2).",
                                          "period": "2019"}
    same = dataclasses.replace(unit, previous=publish.Standing("2019", 0.60001, 2))
    assert publish.change_words(same)["figure"] == "0,0000" and "giữ hạng" in publish.change_words(same)["words"]
    unknown = dataclasses.replace(unit, previous=publish.Standing("2019", None, None))
    assert publish.change_words(unknown)["figure"] == "—"
    assert publish.change_words(dataclasses.replace(unit, previous=None))["words"] == "Không so sánh được: chưa có kết quả kỳ trước."


def test_value_bands_are_closed_below_and_the_last_one_at_one():
    assert [publish.band_of(v) for v in (0.0, 0.1999, 0.2, 0.5999, 0.6, 0.8, 1.0, None)] == [0, 0, 1, 2, 3, 4, 4, None]
    assert publish.band_label(0) == "dưới 0,2" and publish.band_label(4) == "từ 0,8 đến 1"


# ------------------------------------------------------------------------------ in a real browser


def check(site: Path, pages: list[str], *options: str) -> dict:
    command, env = browser_checker()
    done = subprocess.run([*command, str(site), *pages, *options], capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def problems_of(report: dict) -> list:
    """Everything a visitor would trip over, per visit; axe's minor and moderate findings aside."""
    found = []
    for v in report["visits"]:
        layout, printed = v["layout"], v["printed"]
        wrong = {
            "console": v["console"], "failed": v["failed"], "external": v["external"], "status": v["status"],
            "sideways": layout["sticking"] if layout["scrollWidth"] > v["width"] or layout["sticking"] else [],
            "script": layout["scripts"], "first tab": v["firstTab"]["cls"] != "skip",
            "printed": printed is not None and (printed["nav"] != "none" or printed["scrollWidth"] > printed["innerWidth"]),
            "axe": [a for a in v["axe"] or [] if a["impact"] in ("serious", "critical")],
        }
        wrong = {k: w for k, w in wrong.items() if w}
        if wrong:
            found.append((v["url"], v["width"], wrong))
    return found


def test_every_page_in_chromium_from_disk_at_360_px_and_from_a_web_server(world):
    site = world["site"]
    pages = pages_of(site)
    served = ["index.html", "tru-cot.html", "phan-bo.html", "du-lieu.html", "don-vi/STTTT.html", "don-vi/HALUOI.html"]
    report = check(site, pages, "--http", ",".join(served), "--widths", "360,1280", "--axe", "360")
    visits = report["visits"]
    # every page from disk at 360 and 1280 px; served at 1280 px, each kind of page (their links
    # are relative like every page's, and every link's target is checked above)
    assert len(visits) == 2 * len(pages) + len(served)
    assert all(v["printed"] is not None for v in visits if v["width"] == 1280)  # the print layout was looked at
    assert {v["url"].split(":", 1)[0] for v in visits} == {"file", "http"}
    assert all(v["axe"] is not None for v in visits if v["width"] == 360)  # axe really ran on every page
    assert problems_of(report) == []


def test_wide_pages_and_the_years_before_in_chromium(world, with_years):
    """axe on the wide layout (pillars beside the chart, tables side by side) and on the pages
    with a change column and a history, at both widths."""
    main = ["index.html", "tru-cot.html", "phan-bo.html", "du-lieu.html", "don-vi/STTTT.html", "don-vi/HALUOI.html"]
    report = check(world["site"], main, "--widths", "1280", "--axe", "1280")
    assert problems_of(report) == [] and all(v["axe"] is not None for v in report["visits"])
    folder, site = with_years
    first = site.groups["Sở, ban, ngành"][0].page
    report = check(folder, ["index.html", first], "--widths", "360,1280", "--axe", "360,1280")
    assert problems_of(report) == [] and len(report["visits"]) == 4


def test_the_browser_check_sees_what_it_is_there_to_see(world, tmp_path):
    """Not vacuous: a page with a web font, a table wider than a phone, a script error and an
    image without text fails on each count."""
    bad = tmp_path / "xau"
    bad.mkdir()
    (bad / "index.html").write_text(
        '<!DOCTYPE html><html><head><title>x</title><link rel="stylesheet" href="https://fonts.example.com/css?family=X"></head>'
        '<body><nav>n</nav><table style="width:900px"><tr><td>rộng</td></tr></table><img src="khong-co.png">'
        '<script>undefined_function()</script></body></html>', encoding="utf-8")
    report = check(bad, ["index.html"], "--widths", "360", "--axe", "360")
    (url, width, wrong), = problems_of(report)
    assert {"console", "external", "failed", "sideways", "script", "first tab", "axe"} <= set(wrong), wrong
    assert any(a["id"] in ("image-alt", "html-has-lang") for a in wrong["axe"])
