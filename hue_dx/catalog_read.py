"""Reading a criteria workbook's sheets into a catalog's data, every problem on its cell (pure).

The stage after ``catalog_book.read`` (pyxform's spec stage): ``read_tables`` matches sheets and
columns to ``catalog_sheets.SHEETS`` (aliases, no case, no diacritics, "did you mean" for a
misspelling), reads every row into the data ``catalog.from_data`` takes, and records each problem
as an issue naming the sheet and the cell, errors apart from warnings; a row in error is left out
so the others are still read. ``locate`` then places ``audit``'s findings on the cells to fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from . import rules
from .audit import ERROR as AUDIT_ERROR
from .audit import Finding
from .catalog import INPUT_TYPES, Catalog
from .catalog_sheets import (
    GUIDE,
    NUMBER_SETTINGS,
    OVER_WORDS,
    REQUIRED_SETTINGS,
    ROW_ALIASES,
    ROW_KINDS,
    SETTING_FAMILIES,
    SETTING_INFO,
    SETTINGS,
    SHEET,
    SHEETS,
    TYPE_WORDS,
    YES_WORDS,
    ZERO_WORDS,
    SheetSpec,
    Table,
    cell_text,
    did_you_mean,
    plain,
)
from .issues import Issue, issue


def _kind_words() -> dict[str, str]:
    """Every spelling of a rule kind a person may write -> its name."""
    out = {}
    for name, kind in rules.KINDS.items():
        out[plain(name)] = name
        out[plain(name.replace("_", " "))] = name
        out[plain(kind.title)] = name
    return out


def parse_number(value: Any) -> int | float | str:
    """A parameter as written: a number cell as it is; text "3" is 3, "0,7" and "0.7" are 0.7,
    "70%" is 0.7, "1/3" stays the exact fraction "1/3"."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        return value
    text = cell_text(value).replace(" ", "")
    if "/" in text:
        Fraction(text)  # raises ValueError when it is not a fraction
        return text
    if text.endswith("%"):
        return float(text[:-1].replace(",", ".")) / 100
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+[.,]\d+(e-?\d+)?|-?\d+e-?\d+", text):
        return float(text.replace(",", "."))
    raise ValueError(text)


def _fraction(value: Any) -> int | float | str:
    """An option's share of the max: written as text it stays the exact text ("1", "1/3"), as
    the shipped catalogs keep fractions; a number cell stays a number."""
    if isinstance(value, str):
        text = cell_text(value).replace(" ", "").replace(",", ".")
        Fraction(text)  # raises ValueError when it is not a number
        return text
    return parse_number(value)


def _number_cell(value: Any) -> float:
    """A number column (max, caps, bounds): a number cell, or a number written as text."""
    parsed = parse_number(value)
    return float(Fraction(parsed)) if isinstance(parsed, str) else float(parsed)




@dataclass
class Read:
    """What reading the sheets gave: the catalog's data (for ``catalog.from_data``), every
    problem found, and where each row was (to place later findings on their cells)."""

    data: dict[str, Any]
    issues: list[Issue]
    rows: dict[tuple[str, str], tuple[str, int]]  # (sheet key, code or "code key") -> (sheet name, row)
    columns: dict[tuple[str, str], str]  # (sheet key, column key) -> column letter
    broken: set[str]  # codes left out because of an error (their findings would only repeat it)
    file: str = ""

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    def cell(self, sheet: str, row_key: str, column: str) -> tuple[str, str]:
        """(sheet name, cell) of a row's column; the row's first column when that column is absent."""
        name, row = self.rows.get((sheet, row_key), (SHEET[sheet].title, 0))
        letter = self.columns.get((sheet, column)) or self.columns.get((sheet, SHEET[sheet].columns[0].key), "A")
        return name, f"{letter}{row}" if row else ""


class _Reader:
    """Reads matched tables row by row, recording problems where they are."""

    def __init__(self, tables: Sequence[Table], file: str):
        self.file = file
        self.issues: list[Issue] = []
        self.tables: dict[str, Table] = {}
        self.columns: dict[tuple[str, str], str] = {}
        self.rows: dict[tuple[str, str], tuple[str, int]] = {}
        self._match_sheets(tables)

    def add(self, code: str, sheet: str = "", cell: str = "", criterion: str = "", value: object = "", read: object = "") -> None:
        self.issues.append(issue(code, file=self.file, sheet=sheet, cell=cell, criterion=criterion, value=value, read=read))

    # sheets and columns ------------------------------------------------------------------

    def _match_sheets(self, tables: Sequence[Table]) -> None:
        names = {plain(s.title): s.key for s in SHEETS} | {plain(a): s.key for s in SHEETS for a in s.aliases}
        unmatched = []
        for table in tables:
            key = names.get(plain(table.name))
            if key is None or key in self.tables:
                if plain(table.name) != plain(GUIDE):
                    unmatched.append(table)
                continue
            self.tables[key] = table
        missing = [s for s in SHEETS if s.key not in self.tables]
        for table in unmatched:
            guess = did_you_mean(table.name, [s.title for s in missing])
            if guess:
                self.add("cb-sheet-misspelled", sheet=table.name, value=table.name, read=guess)
            else:
                self.add("cb-sheet-unknown", sheet=table.name, value=table.name, read=", ".join(s.title for s in SHEETS))
        spelled = {i.read for i in self.issues if i.code == "cb-sheet-misspelled"}
        for spec in missing:
            if spec.required and spec.title not in spelled:
                self.add("cb-sheet-missing", value=spec.title)
        for key, table in list(self.tables.items()):
            if not self._match_columns(SHEET[key], table):
                del self.tables[key]  # a required column is missing: its rows cannot be read

    def _match_columns(self, spec: SheetSpec, table: Table) -> bool:
        names = {plain(c.title): c.key for c in spec.columns} | {plain(a): c.key for c in spec.columns for a in c.aliases}
        found: dict[str, str] = {}
        strays = []
        for letter, header in table.headers.items():
            if not cell_text(header):
                continue
            key = names.get(plain(header))
            if key is None or key in found:
                strays.append((letter, header))
            else:
                found[key] = letter
        absent = [c for c in spec.columns if c.key not in found]
        spelled = set()
        for letter, header in strays:
            guess = did_you_mean(str(header), [c.title for c in absent])
            if guess:
                spelled.add(guess)
                self.add("cb-column-misspelled", sheet=table.name, cell=f"{letter}1", value=header, read=guess)
            else:
                self.add("cb-column-unknown", sheet=table.name, cell=f"{letter}1", value=header)
        complete = True
        for c in absent:
            if c.required:
                complete = False
                if c.title not in spelled:
                    self.add("cb-column-missing", sheet=table.name, cell="A1", value=c.title)
        for key, letter in found.items():
            self.columns[(spec.key, key)] = letter
        return complete

    def each(self, sheet: str) -> Iterable[_Row]:
        table = self.tables.get(sheet)
        if table is None:
            return
        for number, cells in table.rows:
            row = _Row(self, sheet, table.name, number, cells)
            if any(row.text(c.key) for c in SHEET[sheet].columns if c.key in ("code", "criterion", "key", "label", "name")):
                yield row


@dataclass
class _Row:
    reader: _Reader
    sheet: str
    name: str
    line: int
    cells: dict[str, Any]

    def letter(self, key: str) -> str:
        return self.reader.columns.get((self.sheet, key), "")

    def at(self, key: str) -> str:
        letter = self.letter(key) or self.reader.columns.get((self.sheet, SHEET[self.sheet].columns[0].key), "A")
        return f"{letter}{self.line}"

    def raw(self, key: str) -> Any:
        letter = self.letter(key)
        return self.cells.get(letter) if letter else None

    def text(self, key: str) -> str:
        return cell_text(self.raw(key))

    def problem(self, code: str, key: str, criterion: str = "", value: object = "", read: object = "") -> None:
        self.reader.add(code, sheet=self.name, cell=self.at(key), criterion=criterion, value=value, read=read)

    def blank(self, key: str, criterion: str = "", what: str = "") -> None:
        column = SHEET[self.sheet].column(key)
        self.problem("cb-blank", key, criterion, what or column.title, column.help)

    def number(self, key: str, criterion: str = "", required: bool = False) -> float | None:
        value = self.raw(key)
        if cell_text(value) == "":
            if required:
                self.blank(key, criterion)
            return None
        try:
            return _number_cell(value)
        except (ValueError, ZeroDivisionError):
            self.problem("cb-not-number", key, criterion, cell_text(value), SHEET[self.sheet].column(key).title)
            return None

    def word(self, key: str, words: Mapping[str, str], criterion: str = "", aliases: Mapping[str, str] | None = None) -> str | None:
        """A value among fixed words (``words``: meaning -> the word written; ``aliases``: other
        spellings -> meaning); None (recorded, with the word probably meant) when it is none of them."""
        accepted = {plain(w): meaning for meaning, w in words.items()} | {plain(a): m for a, m in (aliases or {}).items()}
        text = self.text(key)
        found = accepted.get(plain(text))
        if found is None:
            guess = did_you_mean(text, [*words.values(), *(aliases or {})])
            meant = words[accepted[plain(guess)]] if guess else ""
            hint = (f"có lẽ là «{meant}»; " if meant else "") + "dùng một trong: " + ", ".join(words.values())
            self.problem("cb-word-unknown", key, criterion, text, hint)
        return found


def read_tables(tables: Sequence[Table], file: str = "") -> Read:
    """The catalog's data from the sheets of a criteria workbook, and every problem found."""
    reader = _Reader(tables, file)
    data: dict[str, Any] = {"schema": 1}
    _settings(reader, data)
    levels = _levels(reader, data)
    data["scales"] = {}
    for row in reader.each("scales"):
        name = row.text("name")
        bound = row.number("max", required=True)
        if bound is not None:
            data["scales"][name] = {"max": int(bound) if bound.is_integer() else bound, **({"label": row.text("label")} if row.text("label") else {})}
    data["policies"] = {row.text("key"): row.text("text") for row in reader.each("policies") if row.text("key")}
    grades = []
    for row in reader.each("grades"):
        bound = row.number("min", required=True)
        if bound is not None:
            grades.append({"label": row.text("label"), "min": bound})
    if grades:
        data["grades"] = grades
    broken: set[str] = set()
    tree = _tree(reader, levels, broken)
    _details(reader, tree, data, broken)
    return Read(data, reader.issues, reader.rows, reader.columns, broken, file)


def _settings(reader: _Reader, data: dict[str, Any]) -> None:
    by_label = {plain(label): key for key, label, _ in SETTINGS}
    seen: set[str] = set()
    for row in reader.each("settings"):
        key = row.text("key") or by_label.get(plain(row.text("label")), "")
        if not key:
            continue
        if key not in SETTING_INFO and not key.startswith(SETTING_FAMILIES):
            row.problem("cb-setting-unknown", "key", value=key, read=did_you_mean(key, SETTING_INFO))
            continue
        seen.add(key)
        reader.rows[("settings", key)] = (row.name, row.line)
        raw = row.raw("value")
        if cell_text(raw) == "":
            continue
        if key in NUMBER_SETTINGS:
            value = row.number("value")
            if value is not None:
                data.setdefault("totals", {})[key.split(".", 1)[1]] = value
            continue
        text = cell_text(raw)
        if key.startswith("comparable."):
            _comparable_setting(row, key[11:], text, data.setdefault("comparable", {}))
            continue
        if key.startswith("source."):
            data.setdefault("source", {})[key[7:]] = text
        elif key.startswith("evidence."):
            data.setdefault("evidence_fields", {})[key[9:]] = text
        else:
            data[key] = text
    for key in REQUIRED_SETTINGS:
        if key not in data:
            where = reader.rows.get(("settings", key))
            sheet = where[0] if where else SHEET["settings"].title
            cell = f"{reader.columns.get(('settings', 'value'), 'C')}{where[1]}" if where else ""
            reader.add("cb-setting-missing", sheet=sheet, cell=cell, value=SETTING_INFO[key][0], read=SETTING_INFO[key][1])
    if "id" in data and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", data["id"]):
        name, line = reader.rows[("settings", "id")]
        reader.add("cb-id-bad", sheet=name, cell=f"{reader.columns.get(('settings', 'value'), 'C')}{line}", value=data["id"])


def _comparable_setting(row: _Row, key: str, text: str, out: dict[str, Any]) -> None:
    """comparable.*: the earlier set, Có/Không for the index, "2 = 3; 3 = 4" for the pillars, a note."""
    if key == "index":
        found = row.word("value", {"yes": "Có", "no": "Không"}, aliases={"true": "yes", "false": "no", "x": "yes"})
        if found is not None:
            out["index"] = found == "yes"
    elif key == "pillars":
        pairs = {}
        for part in (p.strip() for p in text.split(";")):
            mine, sep, theirs = part.partition("=")
            if not part:
                continue
            if not sep or not mine.strip() or not theirs.strip():
                row.problem("cb-param-bad", "value", value=text, read="trụ cột của bộ này = trụ cột của bộ năm trước; …, ví dụ 2 = 3; 3 = 4")
                return
            pairs[mine.strip()] = theirs.strip()
        out["pillars"] = pairs
    else:
        out[key] = text


def _levels(reader: _Reader, data: dict[str, Any]) -> dict[str, str]:
    levels: dict[str, str] = {}
    for row in reader.each("levels"):
        key = row.text("key")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            row.problem("cb-key-bad", "key", value=key)
            continue
        levels[key] = row.text("name") or key
    data["levels"] = levels
    return levels


_CODE = re.compile(r"\d+(\.\d+)*")


def _tree(reader: _Reader, levels: Mapping[str, str], broken: set[str]) -> list[tuple[str, dict[str, Any], _Row]]:
    """Every row of the tree, as (table name in the catalog data, table, row) in tree order."""
    kinds = _kind_words()
    out: list[tuple[str, dict[str, Any], _Row]] = []
    seen: dict[str, int] = {}
    for row in reader.each("tree"):
        raw_code = row.raw("code")
        code = row.text("code")
        if isinstance(raw_code, float) and not raw_code.is_integer():
            row.problem("cb-code-number", "code", code, code)
        if not _CODE.fullmatch(code):
            row.problem("cb-code-bad", "code", value=code)
            continue
        if code in seen:
            row.problem("cb-code-duplicate", "code", code, code, seen[code])
            continue
        seen[code] = row.line
        reader.rows[("tree", code)] = (row.name, row.line)
        what = row.word("row", ROW_KINDS, code, ROW_ALIASES) if row.text("row") else _guess_row(row, code)
        if what is None:
            broken.add(code)
            continue
        title = row.text("title")
        if not title:
            row.blank("title", code)
        if what in ("pillar", "group"):
            table: dict[str, Any] = {"code": code, "title": title}
            if row.text("short_title"):
                table["short_title"] = row.text("short_title")
            for key in ("stated_max", "bonus_cap", "penalty_cap"):
                value = row.number(key, code)
                if value is not None:
                    table[key] = value
            out.append(("groups", table, row))
        elif what == "unscored":
            scored_in = row.text("scored_in")
            if not scored_in:
                row.blank("scored_in", code)
            out.append(("unscored", {"code": code, "title": title, "scored_in": scored_in}, row))
        else:
            criterion = _criterion(row, code, title, kinds, levels)
            if criterion is None:
                broken.add(code)
            else:
                out.append(("criteria", criterion, row))
    return out


def _guess_row(row: _Row, code: str) -> str:
    """The kind of a row whose 'Loại dòng' is blank: a criterion has a rule or a max."""
    if row.text("kind") or row.text("max"):
        return "criterion"
    if row.text("scored_in"):
        return "unscored"
    return "group" if "." in code else "pillar"


def _criterion(row: _Row, code: str, title: str, kinds: Mapping[str, str], levels: Mapping[str, str]) -> dict[str, Any] | None:
    top = row.number("max", code, required=True)
    if not row.text("kind"):
        row.blank("kind", code)
        kind = None
    else:
        kind = kinds.get(plain(row.text("kind")))
        if kind is None:
            guess = did_you_mean(row.text("kind"), [k.title for k in rules.KINDS.values()] + list(rules.KINDS))
            row.problem("cb-rule-unknown", "kind", code, row.text("kind"),
                        (f"có lẽ là «{guess}»; " if guess else "") + "có: " + ", ".join(k.title for k in rules.KINDS.values()))
    applies = [a for a in re.split(r"[,;\s]+", row.text("applies_to")) if a]
    if not applies:
        row.blank("applies_to", code)
    for level in applies:
        if level not in levels:
            named = {plain(v): k for k, v in levels.items()}
            guess = named.get(plain(level)) or did_you_mean(level, levels)
            row.problem("cb-level-unknown", "applies_to", code, level, (f"có lẽ là «{guess}»; " if guess else "") + "có: " + ", ".join(levels))
    if top is None or kind is None:
        return None
    table: dict[str, Any] = {"code": code, "title": title}
    for key in ("how", "note"):
        if row.text(key):
            table[key] = row.text(key)
    table["max"] = int(top) if top.is_integer() else top
    table["kind"] = kind
    table["applies_to"] = applies
    params = _params(row, code, kind)
    if params is None:
        return None
    table["params"] = params
    table["inputs"], table["decisions"] = [], []
    return table


_CONSTRAINT = re.compile(r"^(.+?)(?:≤|<=)(.+)$")
_FULL_AT = re.compile(r"^([a-z][a-z0-9_]*)\s*(?:≥|>=)\s*(.+)$")


def _keys(text: str) -> list[str]:
    keys = [k.strip() for k in re.split(r"[+,]", text) if k.strip()]
    if not keys or any(not re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in keys):
        raise ValueError(text)
    return keys


_SYNTAX = {"num": "tên số liệu nối bằng '+', ví dụ b + d", "den": "tên số liệu nối bằng '+', ví dụ a + c",
           "weights": "số liệu = trọng số, cách nhau dấu chấm phẩy, ví dụ b = 1/2; c = 1",
           "target": "một số: 0,7 hoặc 70% hoặc 1/3", "full_at": "số liệu ≥ tỷ lệ, ví dụ c ≥ 0,8",
           "constraints": "phần ≤ tổng, cách nhau dấu chấm phẩy, ví dụ b ≤ a; d ≤ c"}


def _params(row: _Row, code: str, kind: str) -> dict[str, Any] | None:
    """The rule's parameters from their columns, in the order the shipped catalogs write them;
    a filled column the rule does not read is a warning (and is left out)."""
    wanted = set(rules.KINDS[kind].param_names)
    params: dict[str, Any] = {}
    ok = True
    for key in ("num", "den", "weights", "target", "full_at", "zero", "over", "constraints"):
        text = row.text(key)
        if not text:
            continue
        if key not in wanted:
            row.problem("cb-param-unused", key, code, SHEET["tree"].column(key).title, rules.KINDS[kind].title)
            continue
        try:
            if key in ("num", "den"):
                params[key] = _keys(text)
            elif key == "weights":
                params[key] = {k.strip(): parse_number(w) for k, w in (part.split("=", 1) for part in text.split(";") if part.strip())}
                if any(not re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in params[key]):
                    raise ValueError(text)
            elif key == "target":
                params[key] = parse_number(row.raw(key))
            elif key == "full_at":
                found = _FULL_AT.match(text)
                if not found:
                    raise ValueError(text)
                params[key] = {"input": found.group(1), "target": parse_number(found.group(2))}
            elif key == "constraints":
                params[key] = []
                for part in (p for p in text.split(";") if p.strip()):
                    found = _CONSTRAINT.match(part.strip())
                    if not found:
                        raise ValueError(part)
                    params[key].append({"lhs": _keys(found.group(1)), "rhs": _keys(found.group(2))})
            else:
                words = ZERO_WORDS if key == "zero" else OVER_WORDS
                meaning = row.word(key, words, code, {k: k for k in words})
                if meaning is None:
                    ok = False
                    continue
                params[key] = meaning
        except (ValueError, ZeroDivisionError):
            row.problem("cb-param-bad", key, code, text, _SYNTAX[key])
            ok = False
    return params if ok else None


class _Owners:
    """The rows of the tree that the other sheets' rows belong to, by code."""

    def __init__(self, tree: list[tuple[str, dict[str, Any], _Row]], broken: set[str]):
        self.criteria = {t["code"]: t for kind, t, _ in tree if kind == "criteria"}
        self.others = {t["code"]: t for kind, t, _ in tree if kind != "criteria"}
        self.broken = broken
        self.codes = [*self.criteria, *self.others, *broken]

    def of(self, row: _Row, column: str, pool: Mapping[str, Any]) -> Any:
        """The tree's table a row names in ``column``, or None (an unknown code is recorded, with the code probably meant)."""
        code = row.text(column)
        if code in pool:
            return pool[code]
        if code not in self.broken:
            row.problem("cb-code-unknown", column, code, code, did_you_mean(code, self.codes, 0.5) or "")
        return None


_TYPE_SPELLINGS = {k: k for k in INPUT_TYPES} | {v: k for k, v in INPUT_TYPES.items()}


def _details(reader: _Reader, tree: list[tuple[str, dict[str, Any], _Row]], data: dict[str, Any], broken: set[str]) -> None:
    """Inputs, options, evidence and decisions joined to their rows of the tree."""
    owners = _Owners(tree, broken)
    _inputs(reader, owners, data["scales"])
    _options(reader, owners, broken)
    for row in reader.each("evidence"):
        c = owners.of(row, "criterion", owners.criteria)
        if c is not None:
            c["evidence"] = row.text("evidence")
            reader.rows[("evidence", c["code"])] = (row.name, row.line)
    _decisions(reader, owners)
    for kind, table, _ in tree:
        if kind == "criteria":
            if not table["decisions"]:
                del table["decisions"]
            table.setdefault("evidence", "")
        elif kind == "unscored":
            table.setdefault("decision", "")
    data["rows"] = [(kind, table) for kind, table, _ in tree if table["code"] not in broken]
    data["groups"] = [t for kind, t in data["rows"] if kind == "groups"]
    data["criteria"] = [t for kind, t in data["rows"] if kind == "criteria"]
    data["unscored"] = [t for kind, t in data["rows"] if kind == "unscored"]


def _inputs(reader: _Reader, owners: _Owners, scales: Mapping[str, Any]) -> None:
    """Each row of 'Số liệu' as an input of its criterion; points and caps as the parts of its rule."""
    parts: dict[str, list[dict[str, Any]]] = {}
    for row in reader.each("inputs"):
        c = owners.of(row, "criterion", owners.criteria)
        if c is None:
            continue
        key = row.text("key")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            row.problem("cb-key-bad", "key", c["code"], key)
            continue
        if any(i["key"] == key for i in c["inputs"]):
            row.problem("cb-input-duplicate", "key", c["code"], f"{c['code']} {key}")
            continue
        reader.rows[("inputs", f"{c['code']} {key}")] = (row.name, row.line)
        c["inputs"].append(_input(row, c["code"], key, scales))
        part = _part(row, c, key)
        if part is not None:
            parts.setdefault(c["code"], []).append(part)
    for code, found in parts.items():
        owners.criteria[code]["params"]["parts"] = found


def _input(row: _Row, code: str, key: str, scales: Mapping[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"key": key, "label": row.text("label")}
    if not item["label"]:
        row.blank("label", code)
    if not row.text("type"):
        row.blank("type", code)
    item["type"] = (row.word("type", TYPE_WORDS, code, _TYPE_SPELLINGS) if row.text("type") else None) or "count"
    default = row.number("default", code)
    if default is not None:
        item["default"] = int(default) if default.is_integer() else default
    if row.text("scale"):
        if row.text("scale") not in scales:
            row.problem("cb-word-unknown", "scale", code, row.text("scale"), "dùng một trong: " + ", ".join(scales))
        else:
            item["scale"] = row.text("scale")
    if row.text("central"):
        if plain(row.text("central")) in YES_WORDS:
            item["central"] = True
        elif plain(row.text("central")) not in ("khong", "no", "false", "0"):
            row.problem("cb-word-unknown", "central", code, row.text("central"), "Có, hoặc để trống")
    return item


def _part(row: _Row, c: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The input's part of a per-item rule (points per item, cap), or None."""
    if not (row.text("points") or row.text("cap")):
        return None
    kind = rules.KINDS[c["kind"]]
    if "parts" not in kind.param_names:
        row.problem("cb-param-unused", "points", c["code"], SHEET["inputs"].column("points").title, kind.title)
        return None
    try:
        return {"input": key, "points": parse_number(row.raw("points")), "cap": parse_number(row.raw("cap"))}
    except (ValueError, ZeroDivisionError):
        row.problem("cb-param-bad", "points" if row.text("cap") else "cap", c["code"], f"{row.text('points')} / {row.text('cap')}",
                    "điểm mỗi mục và tối đa của phần đều là số: 1, 1/3, 0,5")
        return None


def _options(reader: _Reader, owners: _Owners, broken: set[str]) -> None:
    """The options of each choice criterion; one without options is left out (recorded)."""
    options: dict[str, list[dict[str, Any]]] = {}
    for row in reader.each("choices"):
        c = owners.of(row, "criterion", owners.criteria)
        if c is None:
            continue
        if "options" not in rules.KINDS[c["kind"]].param_names:
            row.problem("cb-param-unused", "label", c["code"], SHEET["choices"].title, rules.KINDS[c["kind"]].title)
            continue
        try:
            fraction = _fraction(row.raw("fraction"))
        except (ValueError, ZeroDivisionError):
            row.problem("cb-param-bad", "fraction", c["code"], row.text("fraction"), "một số từ 0 đến 1: 1, 1/2, 1/3, 0")
            continue
        options.setdefault(c["code"], []).append({"label": row.text("label"), "fraction": fraction})
        reader.rows.setdefault(("choices", c["code"]), (row.name, row.line))
    for code, c in owners.criteria.items():
        if code in options:
            c["params"]["options"] = options[code]
        elif "options" in rules.KINDS[c["kind"]].param_names:
            broken.add(code)  # left out: its rule cannot be checked without its options
            if "choices" in reader.tables:  # a missing or misspelled sheet is reported once, as such
                name, line = reader.rows[("tree", code)]
                reader.add("cb-choices-missing", sheet=name, cell=f"{reader.columns.get(('tree', 'kind'), 'A')}{line}", criterion=code, value=code)


def _decisions(reader: _Reader, owners: _Owners) -> None:
    """A criterion's decisions (topic, text); a group's or an unscored row's one decision."""
    pool = {**owners.criteria, **owners.others}
    for row in reader.each("decisions"):
        item = owners.of(row, "code", pool)
        if item is None:
            continue
        if row.text("code") in owners.criteria:
            item["decisions"].append({"topic": row.text("topic") or "cách đọc", "text": row.text("text")})
        elif "decision" in item:
            row.problem("cb-decision-twice", "code", item["code"], item["code"])
        else:
            item["decision"] = row.text("text")


# --------------------------------------------------------------------------- findings on cells


def locate(read: Read, findings: Sequence[Finding], catalog: Catalog) -> list[Issue]:
    """``audit``'s errors placed on the cells to fix: a printed total on the group's 'Điểm in'
    cell, an unused input on its row of 'Số liệu', a parameter on the rule's cell, a field on
    its column; nothing for a code already left out with an error of its own."""
    out = []
    for f in findings:
        # a finding about a row left out, or about a group holding one (its total is short of it), would only repeat that row's error
        if f.severity != AUDIT_ERROR or any(f.code == b or f.code.startswith(b + ".") or (f.code and b.startswith(f.code + "."))
                                            for b in read.broken if b):
            continue
        sheet, cell = _where(read, f, catalog)
        code = {"totals": "cb-totals-differ", "input-unused": "cb-input-unused", "input-undeclared": "cb-input-undeclared"}.get(f.check,
                                                                                                                              "cb-integrity")
        value = f.subject if code in ("cb-input-unused", "cb-input-undeclared") else f.message
        out.append(issue(code, file=read.file, sheet=sheet, cell=cell, criterion=f.code, value=value))
    return out


_FIELD_COLUMNS = {"max": "max", "title": "title", "how": "how", "applies_to": "applies_to", "short_title": "short_title",
                  "scored_in": "scored_in", "bonus_cap": "bonus_cap", "penalty_cap": "penalty_cap"}


def _where(read: Read, f: Finding, catalog: Catalog) -> tuple[str, str]:
    if f.check == "totals":
        return read.cell("tree", f.code, "stated_max")
    if f.check in ("input-unused", "input-label", "input-type", "input") and ("inputs", f"{f.code} {f.subject}") in read.rows:
        column = {"input-unused": "key", "input-label": "label", "input-type": "type"}.get(f.check, "key")
        return read.cell("inputs", f"{f.code} {f.subject}", column)
    if f.check == "input-undeclared" and f.code in catalog.by_code:
        params = catalog.by_code[f.code].params
        for column in ("num", "den", "weights", "full_at", "constraints"):
            if f.subject in str(params.get(column, "")):
                return read.cell("tree", f.code, column)
        return read.cell("inputs", f.code, "criterion") if ("inputs", f.code) in read.rows else read.cell("tree", f.code, "kind")
    if f.check == "param":
        return read.cell("tree", f.code, "kind")
    if f.check == "field" and f.subject == "evidence":
        return read.cell("tree", f.code, "code")
    if f.check == "field" and f.subject in _FIELD_COLUMNS:
        return read.cell("tree", f.code, _FIELD_COLUMNS[f.subject])
    if f.check == "field" and f.subject.startswith("totals."):
        return read.cell("settings", f.subject, "value")
    if f.check == "field" and f.subject == "grades":
        return SHEET["grades"].title, ""
    return read.cell("tree", f.code, "code")
