"""What each unit of a year's roster was the year before: the roster's ``previous`` column.

A unit is the same unit (its code is in the previous roster), renamed from one unit, merged from
several, split from one, or new; a unit of the previous roster that no unit of this one names is
removed. Pure: codes and words only. ``campaign.load`` checks a roster against the one of the
campaign before it (``check``); every error names the roster file, its line and the column.

How the column is written (docs/series.md), case and diacritics optional:

    (empty), =, giữ nguyên, same        the same unit: its code is in the previous roster
    đổi tên từ BDT, renamed from BDT    one unit under another name (or code)
    hợp nhất từ SKHCN; STTTT            several units into this one (also: sáp nhập, merged from)
    tách từ SNNPTNT, split from …       a part of one unit (the others parts, or the unit, go on)
    mới, new                            a unit that did not exist
    BDT   /   SKHCN; STTTT              codes alone: one is that unit (same or renamed), several a merger
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

COLUMN = "previous"
SAME, RENAMED, MERGED, SPLIT, NEW = "same", "renamed", "merged", "split", "new"
KINDS = (SAME, RENAMED, MERGED, SPLIT, NEW)
#: each kind as a person reads it in a table ("hợp nhất từ …")
KIND_VI = {SAME: "giữ nguyên", RENAMED: "đổi tên", MERGED: "hợp nhất", SPLIT: "tách", NEW: "mới"}
#: one to one: the unit goes on, so its rank compares with the one before
ONE_TO_ONE = frozenset({SAME, RENAMED})
FORMS = "để trống (cùng đơn vị), 'đổi tên từ MÃ', 'hợp nhất từ MÃ; MÃ', 'tách từ MÃ' hoặc 'mới'"

# keyword (without diacritics, lower case) -> kind; the longest first, so "don vi moi" is not "moi"
_VERBS = (("giu nguyen", SAME), ("same", SAME), ("doi ten tu", RENAMED), ("doi ten", RENAMED), ("renamed from", RENAMED),
          ("renamed", RENAMED), ("hop nhat tu", MERGED), ("hop nhat", MERGED), ("sap nhap tu", MERGED), ("sap nhap", MERGED),
          ("merged from", MERGED), ("merged", MERGED), ("tach tu", SPLIT), ("tach", SPLIT), ("split from", SPLIT), ("split", SPLIT),
          ("don vi moi", NEW), ("moi", NEW), ("new", NEW))
_CODE = re.compile(r"[A-Za-z0-9_-]+")


class LineageError(ValueError):
    """A ``previous`` cell that cannot be read or does not fit the previous roster (the message
    says what was found and how to write it; ``check`` adds the file, line and column)."""


@dataclass(frozen=True)
class Lineage:
    """What a unit was the year before: its kind and the codes of the previous roster it comes from."""

    kind: str
    sources: tuple[str, ...] = ()

    @property
    def one_to_one(self) -> bool:
        return self.kind in ONE_TO_ONE

    def text(self) -> str:
        """As the column is written, in Vietnamese ("hợp nhất từ SKHCN; STTTT")."""
        if self.kind == NEW:
            return "mới"
        if self.kind == SAME:
            return "giữ nguyên"
        return f"{KIND_VI[self.kind]} từ {'; '.join(self.sources)}"

    def words(self, names: Mapping[str, str], own: str = "") -> str:
        """In words, with the names of the units it comes from ("hợp nhất từ Sở A và Sở B"; a unit
        that takes others in under its own code, ``own``: "hợp nhất với Sở B")."""
        if self.kind in (NEW, SAME):
            return self.text()
        others = [c for c in self.sources if c != own] if self.kind == MERGED and own in self.sources else list(self.sources)
        named = [names.get(code, code) for code in others]
        joined = ", ".join(named[:-1]) + " và " + named[-1] if len(named) > 1 else named[0]
        return f"hợp nhất với {joined}" if len(others) < len(self.sources) else f"{KIND_VI[self.kind]} từ {joined}"


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).lower().split())


def parse(text: str, code: str) -> Lineage:
    """The lineage a ``previous`` cell says for the unit ``code``; LineageError when it says nothing readable."""
    raw = unicodedata.normalize("NFC", text or "").strip()
    if raw in ("", "="):
        return Lineage(SAME, (code,))
    plain = _plain(raw)
    kind, rest = None, raw
    for verb, found in _VERBS:
        if plain == verb or plain.startswith(verb + " "):
            kind = found
            rest = " ".join(raw.split())[len(verb):]  # the same letters with their diacritics: codes are ASCII
            break
    codes = _codes(rest, raw)
    if kind is None:  # codes alone: one is that unit, several a merger
        if not codes:
            raise LineageError(f"không đọc được {raw!r}; viết {FORMS}")
        kind = MERGED if len(codes) > 1 else SAME if codes[0].casefold() == code.casefold() else RENAMED
    if kind == NEW:
        if codes:
            raise LineageError(f"{raw!r}: đơn vị mới không có đơn vị trước (bỏ các mã {', '.join(codes)}, hoặc viết 'tách từ MÃ')")
        return Lineage(NEW)
    if kind == SAME:
        if codes and [c.casefold() for c in codes] != [code.casefold()]:
            raise LineageError(f"{raw!r}: 'giữ nguyên' là cùng mã {code}; đơn vị mang mã khác năm trước: viết 'đổi tên từ MÃ'")
        return Lineage(SAME, (code,))
    if not codes:
        raise LineageError(f"{raw!r}: thiếu mã đơn vị năm trước sau '{KIND_VI[kind]} từ'")
    if kind == MERGED and len(codes) < 2:
        raise LineageError(f"{raw!r}: hợp nhất cần ít nhất hai đơn vị năm trước; một đơn vị đổi tên: viết 'đổi tên từ {codes[0]}'")
    if kind in (RENAMED, SPLIT) and len(codes) > 1:
        raise LineageError(f"{raw!r}: {KIND_VI[kind]} từ một đơn vị; nhiều đơn vị thành một: viết 'hợp nhất từ {'; '.join(codes)}'")
    if len(set(c.casefold() for c in codes)) < len(codes):
        raise LineageError(f"{raw!r}: một mã được ghi hai lần")
    return Lineage(kind, tuple(codes))


def _codes(text: str, raw: str) -> list[str]:
    """The codes after the verb ("từ A; B", "from A, B", "A và B"); anything else is an error, never dropped."""
    text = text.strip()
    for word in ("từ ", "tu ", "from "):
        if text.casefold().startswith(word):
            text = text[len(word):]
            break
    parts = [p.strip() for p in re.split(r"[;,+]|\s(?:và|va|and)\s", text)]
    parts = [p for p in parts if p]
    bad = [p for p in parts if not _CODE.fullmatch(p)]
    if bad:
        raise LineageError(f"không đọc được {raw!r}: {bad[0]!r} không phải mã đơn vị; viết {FORMS}")
    return parts


@dataclass(frozen=True)
class Row:
    """A roster row as ``check`` needs it: the unit's code, its ``previous`` cell, its line."""

    code: str
    previous: str
    line: int


@dataclass(frozen=True)
class Links:
    """A roster's lineage against the previous roster: each unit's, and the units removed."""

    units: Mapping[str, Lineage]
    removed: tuple[str, ...]  # codes of the previous roster that no unit of this one comes from


def check(rows: Sequence[Row], previous: Sequence[str], where: str, before: str) -> Links:
    """Each row's lineage, checked against the codes of the previous roster (``before``: its
    file's name, for the messages): a CampaignError-worthy LineageError names ``where`` (the
    roster file), the line and the column."""
    known = {c.casefold(): c for c in previous}
    out: dict[str, Lineage] = {}
    continued: dict[str, tuple[str, int]] = {}  # previous code -> the unit that continues it, and its line

    def fail(row: Row, message: str) -> LineageError:
        return LineageError(f"{where}, dòng {row.line}, cột {COLUMN}: {message}")

    for row in rows:
        try:
            found = parse(row.previous, row.code)
        except LineageError as exc:
            raise fail(row, str(exc)) from None
        if found.kind == NEW and row.code.casefold() in known:
            raise fail(row, f"mã {row.code} đã có trong danh sách năm trước ({before}): cùng đơn vị thì để trống; "
                            "đơn vị mới thì dùng mã khác")
        sources = []
        for code in found.sources:
            if code.casefold() not in known:
                if found.kind == SAME:
                    raise fail(row, f"mã {row.code} không có trong danh sách năm trước ({before}); viết {FORMS}")
                raise fail(row, f"mã {code} không có trong danh sách năm trước ({before})")
            sources.append(known[code.casefold()])
        found = Lineage(found.kind, tuple(sources))
        if found.kind != SPLIT:  # any number of units may split from one; only one goes on as it
            for code in found.sources:
                if code in continued:
                    other, line = continued[code]
                    raise fail(row, f"{code} năm trước đã được đơn vị {other} (dòng {line}) tiếp nối; một đơn vị chỉ tiếp nối một lần "
                                    "(các phần tách ra: 'tách từ MÃ')")
                continued[code] = (row.code, row.line)
        out[row.code] = found
    named = {code for lineage in out.values() for code in lineage.sources}
    return Links(out, tuple(c for c in previous if c not in named))
