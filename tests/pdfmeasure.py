"""Measuring a printed document the way Nghị định 30/2020/NĐ-CP Phụ lục I states its rules:
positions in mm from the page's top left, font sizes in pt, bold and italic from font names,
horizontal rules, page numbers. Built on pdfplumber; used by the tests of every document kind.

A *segment* is a run of characters on one baseline with no gap wider than 3 mm: the heading's
two columns, "Số:" and the symbol after the blank, a signer's block and "Nơi nhận" beside it
come out as separate segments.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber

PT = 25.4 / 72  # mm per point
A4 = (210.0, 297.0)


@dataclass
class Segment:
    page: int
    text: str
    x0: float  # mm from the left edge
    x1: float
    top: float  # mm from the top edge
    baseline: float
    chars: list[dict] = field(repr=False, default_factory=list)

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def sizes(self) -> set[float]:
        return {round(c["size"], 1) for c in self.chars if c["text"].strip()}

    @property
    def fonts(self) -> set[str]:
        return {c["fontname"].split("+")[-1] for c in self.chars if c["text"].strip()}

    @property
    def bold(self) -> bool:
        return all("Bold" in f for f in self.fonts)

    @property
    def italic(self) -> bool:
        return all("Italic" in f or "Oblique" in f for f in self.fonts)

    @property
    def regular(self) -> bool:
        return not any("Bold" in f or "Italic" in f for f in self.fonts)


@dataclass
class Rule:
    page: int
    x0: float
    x1: float
    y: float

    @property
    def length(self) -> float:
        return self.x1 - self.x0

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.replace("\u00a0", " ").split()))


class Measured:
    """A PDF read once: segments and rules of every page."""

    def __init__(self, path: Path):
        self.path = path
        with pdfplumber.open(path) as pdf:
            self.sizes = [(float(p.width) * PT, float(p.height) * PT) for p in pdf.pages]
            self.segments = [self._segments(n, p) for n, p in enumerate(pdf.pages)]
            self.rules = [self._rules(n, p) for n, p in enumerate(pdf.pages)]
            self.metadata = dict(pdf.metadata)

    @property
    def pages(self) -> int:
        return len(self.segments)

    @staticmethod
    def _segments(n: int, page) -> list[Segment]:
        height = float(page.height)
        rows: dict[float, list[dict]] = {}
        for c in page.chars:
            base = round((height - c["matrix"][5]) * PT, 1)
            key = next((k for k in rows if abs(k - base) <= 0.4), base)
            rows.setdefault(key, []).append(c)
        out = []
        for base, chars in sorted(rows.items()):
            chars.sort(key=lambda c: c["x0"])
            run: list[dict] = []
            for c in chars:
                if run and (c["x0"] - run[-1]["x1"]) * PT > 3.0:
                    out.append(Measured._segment(n, base, run))
                    run = []
                run.append(c)
            if run:
                out.append(Measured._segment(n, base, run))
        return out

    @staticmethod
    def _segment(n: int, base: float, chars: list[dict]) -> Segment:
        text = ""
        for i, c in enumerate(chars):
            if i and (c["x0"] - chars[i - 1]["x1"]) > 0.15 * c["size"] and not text.endswith(" "):
                text += " "  # a space the PDF does not draw as a character
            text += c["text"]
        visible = [c for c in chars if c["text"].strip()] or chars
        return Segment(n, _norm(text), min(c["x0"] for c in visible) * PT, max(c["x1"] for c in visible) * PT,
                       min(c["top"] for c in visible) * PT, base, chars)

    @staticmethod
    def _rules(n: int, page) -> list[Rule]:
        """Thin horizontal strokes: a rect at most 1.5 pt high, or (how a border is drawn) two
        rects sharing left, right and top whose heights differ by at most 1.5 pt."""
        rects = [r for r in page.rects if r["width"] > 5]
        out = []
        for r in rects:
            if r["height"] <= 1.5:
                out.append(Rule(n, r["x0"] * PT, r["x1"] * PT, (r["top"] + r["height"] / 2) * PT))
        for a in rects:
            for b in rects:
                if a is not b and abs(a["x0"] - b["x0"]) < 0.1 and abs(a["x1"] - b["x1"]) < 0.1 and abs(a["top"] - b["top"]) < 0.1 \
                        and 0 < b["height"] - a["height"] <= 1.5:
                    out.append(Rule(n, a["x0"] * PT, a["x1"] * PT, (a["top"] + (a["height"] + b["height"]) / 2) * PT))
        for line in page.lines:
            if abs(line["top"] - line["bottom"]) < 0.5 and line["width"] > 5:
                out.append(Rule(n, line["x0"] * PT, line["x1"] * PT, line["top"] * PT))
        return out

    # ------------------------------------------------------------------ finding

    def find(self, text: str, page: int | None = None, *, start: bool = False) -> Segment:
        found = self.find_all(text, page, start=start)
        assert found, f"{text!r} not found in {self.path.name}" + (f" page {page + 1}" if page is not None else "")
        return found[0]

    def find_all(self, text: str, page: int | None = None, *, start: bool = False) -> list[Segment]:
        wanted = _norm(text)
        pages = range(self.pages) if page is None else [page]
        return [s for n in pages for s in self.segments[n] if (s.text.startswith(wanted) if start else wanted in s.text)]

    def text(self, page: int | None = None) -> str:
        pages = range(self.pages) if page is None else [page]
        return " ".join(s.text for n in pages for s in self.segments[n])

    def rule_under(self, seg: Segment, within: float = 4.0) -> Rule | None:
        """The rule just below a segment's baseline (within ``within`` mm), horizontally overlapping it."""
        candidates = [r for r in self.rules[seg.page] if 0 < r.y - seg.baseline <= within and r.x1 > seg.x0 and r.x0 < seg.x1]
        return min(candidates, key=lambda r: r.y - seg.baseline) if candidates else None

    def page_numbers(self) -> list[Segment | None]:
        """Per page, the text in the top margin (above 20 mm), if any."""
        out = []
        for n in range(self.pages):
            top = [s for s in self.segments[n] if s.baseline < 20.0]
            out.append(top[0] if top else None)
        return out

    def text_area(self, page: int) -> tuple[float, float, float, float]:
        """Left, right, top and bottom of what is printed on a page, page numbers aside."""
        segs = [s for s in self.segments[page] if s.baseline >= 20.0]
        return min(s.x0 for s in segs), max(s.x1 for s in segs), min(s.top for s in segs), max(s.baseline for s in segs)


NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d+")
