"""The `hue-dx` command: a thin layer that parses arguments and calls the library.

Every command keeps one exit-code contract (``EXIT_CODES``, shown in every ``--help``): 0 done
and clean; 1 done, with something to review (errors in files, criteria missing or invalid,
units not received, drafts); 2 could not run (bad arguments, inputs missing, unreadable or
empty). Every error becomes one Vietnamese line on stderr, never a traceback (``--debug`` or
HUEDX_DEBUG=1 shows it to a developer). Start-up stays small: the library is imported inside
the command that needs it, so `hue-dx --help` loads nothing but argparse.
"""

from __future__ import annotations

import argparse
import csv
import errno
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .argparse_vi import Parser
from .commandline import DATE_HELP, EXIT_CODES, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, TRACKING_EXIT_CODES, document_date, positive_int
from .errors import HueDxError, UsageError

if TYPE_CHECKING:
    from . import audit, scoring
    from .catalog import Catalog

CENTRAL_HELP = ("số liệu do Sở cung cấp cho mọi đơn vị (CSV unit,code,key,value): thay cho số liệu trong sổ của đơn vị ở các tiêu chí "
                "có số liệu do Sở cung cấp")
ARCHIVE_HELP = "kho lưu trữ và sổ cái của đợt (mặc định: khóa archive của tệp đợt đánh giá, nếu không thì out/luu-tru)"
RECIPE_HELP = "tệp đợt đánh giá .toml (mặc định: đợt 2020 có sẵn trong hue-dx, generator/campaign-2020.toml)"


def input_file(path: Path, hint: str = "") -> Path:
    """``path`` if it is a readable file; otherwise a UsageError that says what it is instead."""
    if path.is_dir():
        raise UsageError(f"{path} là một thư mục, không phải tệp{hint}")
    if not path.is_file():
        raise UsageError(f"Không tìm thấy tệp: {path}" if not path.exists() else f"{path} không phải tệp thường")
    return path


#: options that name something the command reads, or writes: a file, or a folder
INPUT_FILES, OUTPUT_FILES, OUTPUT_FOLDERS = ("sign", "recipe", "central"), ("output", "json", "html"), ("out", "csv", "archive", "folder")


def check_paths(args: argparse.Namespace) -> None:
    """Refuse at once, before any work, a file to read that is not there and an output that
    cannot be written where it is named."""
    for dest in INPUT_FILES:
        if isinstance(getattr(args, dest, None), Path):
            input_file(getattr(args, dest))
    for dest in (*OUTPUT_FILES, *OUTPUT_FOLDERS):
        path = getattr(args, dest, None)
        if not isinstance(path, Path):
            continue
        folder = dest in OUTPUT_FOLDERS
        if folder and path.exists() and not path.is_dir():
            raise UsageError(f"{path} là một tệp, cần một thư mục để ghi vào")
        if not folder and path.is_dir():
            raise UsageError(f"{path} là một thư mục, cần đường dẫn của một tệp để ghi vào")
        ancestor = path if folder else path.parent
        while not ancestor.exists() and ancestor != ancestor.parent:
            ancestor = ancestor.parent
        if ancestor.exists() and not ancestor.is_dir():
            raise UsageError(f"không ghi được {path}: {ancestor} là một tệp, không phải thư mục")
        if not os.access(ancestor, os.W_OK):
            raise UsageError(f"không ghi được {path}: không có quyền ghi vào thư mục {ancestor}")


def _width() -> int:
    return max(80, min(shutil.get_terminal_size((120, 24)).columns, 160))


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _vn_date(iso: str) -> str:
    """2020-10-21 → 21/10/2020, the way Vietnamese documents write dates."""
    parts = iso.split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else iso


def _wrap(text: str, indent: int, width: int) -> str:
    return textwrap.fill(text, width=width, initial_indent=" " * indent, subsequent_indent=" " * indent)


# --------------------------------------------------------------------------- catalog views


def catalog_as_dict(cat: Catalog) -> dict[str, Any]:
    """The catalog for machines: every scored criterion with its rule, inputs and decisions."""
    from . import names
    from .totals import SCORE

    extra: dict[str, Any] = {}
    if not cat.totals.is_default:
        t = cat.totals
        extra["totals"] = {"bonus_cap": t.bonus_cap, "penalty_cap": t.penalty_cap, "floor": t.floor, "index_max": t.index_max,
                           "grades": [{"label": g.label, "min": g.min} for g in t.grades]}
    return {
        **extra,
        "id": cat.id,
        "version": cat.version,
        "title": cat.title,
        "source": dict(cat.source),
        "levels": dict(cat.levels),
        "policies": dict(cat.policies),
        "total_max": cat.total_max,
        "pillars": [
            {"code": p.code, "title": p.title, "max": cat.max_of(p.code), "stated_max": p.stated_max,
             **({"bonus_cap": p.bonus_cap} if p.bonus_cap is not None else {}), **({"penalty_cap": p.penalty_cap} if p.penalty_cap is not None else {})}
            for p in cat.pillars
        ],
        "groups": [
            {"code": g.code, "title": g.title, "parent": g.parent, "max": cat.max_of(g.code), "stated_max": g.stated_max,
             "decision": g.decision}
            for g in cat.groups if not g.is_pillar
        ],
        "criteria": [
            {
                "code": c.code,
                "pillar": c.pillar,
                "group": c.group,
                "title": c.title,
                "how": c.how,
                "note": c.note,
                "max": c.max,
                "kind": c.kind,
                **({"role": c.role} if c.role != SCORE else {}),
                "rule": c.describe(),
                "params": c.params,
                "score_name": names.score_name(c.code),
                "status_name": names.status_name(c.code),
                "inputs": [
                    {"key": i.key, "label": i.label, "type": i.type, "required": i.required, "cell_name": names.input_name(c.code, i.key),
                     **({"max": i.max, "scale": i.scale} if i.max is not None else {}),
                     **({"default": i.default} if i.default is not None else {}),
                     **({"choices": list(i.choices)} if i.choices else {}),
                     **({"central": True} if i.central else {})}
                    for i in c.inputs
                ],
                "applies_to": list(c.applies_to),
                "evidence": c.evidence,
                "decisions": [{"topic": d.topic, "text": d.text} for d in c.decisions],
            }
            for c in cat.criteria
        ],
        "unscored": [{"code": u.code, "title": u.title, "scored_in": u.scored_in, "decision": u.decision} for u in cat.unscored],
    }


def _print_tree(cat: Catalog, out) -> None:
    from . import catalog as catalog_mod
    from . import vn

    width = _width()
    out.write(f"{cat.title} — {cat.source.get('document', '')} ngày {_vn_date(cat.source.get('date', ''))}, {cat.source.get('appendix', '')}\n")
    out.write(f"Bộ tiêu chí: {cat.id} phiên bản {cat.version}; {len(cat.criteria)} tiêu chí chấm điểm, tổng {vn.number(cat.total_max)} điểm.\n\n")
    title_width = max(30, width - 50)
    out.write(f"{'Mã':<9}{'Tên':<{title_width}} {'Điểm':>5}  {'Quy tắc':<23}Số liệu\n")
    out.write("─" * min(width, 9 + title_width + 46) + "\n")
    rows: list[Any] = [*cat.groups, *cat.criteria, *cat.unscored]
    for item in sorted(rows, key=lambda item: catalog_mod.code_key(item.code)):
        if isinstance(item, catalog_mod.Group):
            title = _cut(item.title, title_width)
            out.write(f"{item.code:<9}{title.upper() if item.is_pillar else title:<{title_width}} {vn.number(cat.max_of(item.code)):>5}\n")
        elif isinstance(item, catalog_mod.Unscored):
            out.write(f"{item.code:<9}  {_cut(item.title, title_width - 2):<{title_width - 2}} {'—':>5}  chấm chung với {item.scored_in}\n")
        else:
            keys = ", ".join(i.key + ("*" if i.central else "") for i in item.inputs)
            points = {"bonus": "+", "penalty": "-"}.get(item.role, "") + vn.number(item.max)
            out.write(f"{item.code:<9}  {_cut(item.title, title_width - 2):<{title_width - 2}} {points:>5}  {item.rule.title:<23}{keys}\n")
    if cat.central_inputs:
        out.write("\n* số liệu do Sở cung cấp cho mọi đơn vị; +: điểm thưởng; -: điểm trừ (không tính vào tổng điểm tối đa).\n"
                  if cat.with_role("bonus") or cat.with_role("penalty") else "\n* số liệu do Sở cung cấp cho mọi đơn vị.\n")
    elif cat.with_role("bonus") or cat.with_role("penalty"):
        out.write("\n+: điểm thưởng; -: điểm trừ (không tính vào tổng điểm tối đa).\n")
    out.write("\nXem một tiêu chí: hue-dx catalog show MÃ   ·   Kiểm tra bộ tiêu chí: hue-dx catalog check\n")


def _print_csv(cat: Catalog, out) -> None:
    """Machine output: rule ids and plain numbers (dot decimal), whatever the reader's locale."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "pillar", "group", "title", "max", "kind", "applies_to", "inputs", "rule"])
    for c in cat.criteria:
        inputs = "; ".join(f"{i.key}={i.label} [{i.type}]" for i in c.inputs)
        writer.writerow([c.code, c.pillar, c.group, c.title, f"{c.max:g}", c.kind,
                         " ".join(c.applies_to), inputs, c.describe()])


def _print_show(cat: Catalog, code: str, out) -> None:
    from . import scoring, vn
    from .catalog import INPUT_TYPES

    width = _width()
    if code in {u.code for u in cat.unscored}:
        u = next(u for u in cat.unscored if u.code == code)
        out.write(f"{u.code}  {u.title}\n")
        out.write(_wrap(u.decision, 2, width) + "\n")
        out.write(f"Xem: hue-dx catalog show {u.scored_in}\n")
        return
    c = cat.criterion(code)
    group = cat.groups_by_code[c.group]
    pillar = cat.groups_by_code[c.pillar]
    out.write(f"{c.code}  {c.title}\n")
    out.write(f"  Trụ cột {pillar.code}: {pillar.title} · Nhóm {group.code}: {group.title}\n")
    out.write(f"  Điểm tối đa: {vn.number(c.max)}   Quy tắc: {c.rule.title}\n")
    out.write(f"  Áp dụng cho: {', '.join(cat.levels[level] for level in c.applies_to)}\n\n")
    from .audit import document_word

    text = document_word(cat)
    out.write(f"Cách tính điểm ({text}):\n" + _wrap(c.how, 2, width) + "\n")
    if c.note:
        out.write(f"Ghi chú ({text}):\n" + _wrap(c.note, 2, width) + "\n")
    out.write("Quy tắc hue-dx áp dụng:\n" + _wrap(c.describe(), 2, width) + "\n\n")
    out.write("Số liệu cần nhập:\n")
    for i in c.inputs:
        extra = "bắt buộc" if i.required else f"để trống = {vn.number(i.default or 0)}"
        extra += "; do Sở cung cấp cho mọi đơn vị" if i.central else ""
        bound = f", tối đa {vn.number(i.max)}" if i.max is not None else ""
        line = f"{i.key}: {i.label} ({INPUT_TYPES[i.type]}{bound}; {extra})"
        out.write(_wrap(line, 2, width) + "\n")
        if i.type == "choice":
            for choice in i.choices:
                out.write(f"      – {choice}\n")
    out.write("Tài liệu kiểm chứng:\n" + _wrap(c.evidence + " — " + "; ".join(cat.evidence_fields.values()), 2, width) + "\n")
    example = c.rule.example(c.params, [i.key for i in c.inputs])
    shown: dict[str, Any] = {}
    for i in c.inputs:
        value = example.get(i.key, 0.0)
        if i.type == "choice":
            shown[i.key] = i.choices[int(value)]
        elif i.type == "yesno":
            shown[i.key] = "Có" if value >= 1 else "Không"
        else:
            shown[i.key] = value
    result = scoring.score_criterion(c, shown)
    given = ", ".join(f"{k} = {v if isinstance(v, str) else vn.number(v)}" for k, v in shown.items())
    points = vn.number(result.points) if result.points is not None else "—"
    out.write(f"\nVí dụ: {given} → {points} điểm ({result.status_vi}).\n")
    if c.decisions:
        out.write("\nQuyết định của hue-dx về cách đọc Kế hoạch:\n")
        for d in c.decisions:
            out.write(_wrap(f"[{d.topic}] {d.text}", 2, width) + "\n")


def _print_check(cat: Catalog, findings: list[audit.Finding], out) -> None:
    from . import audit, vn

    width = _width()
    out.write(f"Kiểm tra bộ tiêu chí {cat.id} ({cat.source.get('document', '')}, {cat.source.get('appendix', '')}): "
              f"{len(cat.criteria)} tiêu chí, {len(cat.pillars)} trụ cột, tổng {vn.number(cat.total_max)} điểm.\n")
    decided = [f for f in findings if f.severity == audit.DECIDED]
    totals = [f for f in decided if f.code in cat.groups_by_code]
    sections = [
        ("Lỗi cần sửa trong bộ tiêu chí", [f for f in findings if f.severity == audit.ERROR]),
        (f"Tổng điểm in trong {audit.document_word(cat)} khác tổng các tiêu chí", totals),
        (f"Các chỗ {audit.document_word(cat)} sai hoặc chưa rõ, và cách hue-dx đọc", [f for f in decided if f not in totals]),
        ("Cách cộng điểm, chỉ số, xếp loại và số liệu của Sở", [f for f in findings if f.severity == audit.INFO]),
    ]
    for title, items in sections:
        out.write(f"\n{title} ({len(items)}):\n")
        if not items:
            out.write("  (không có)\n")
        for f in items:
            if not f.code:  # a finding about the whole set
                out.write(_wrap(f"[{f.topic}] {f.message}", 2, width) + "\n")
                continue
            out.write(f"  {f.code:<8} [{f.topic}] {f.message}\n")
            if f.decision:
                out.write(_wrap("→ " + f.decision, 11, width) + "\n")
    n_errors = sum(1 for f in findings if f.severity == audit.ERROR)
    n_decided = sum(1 for f in findings if f.severity == audit.DECIDED)
    out.write(f"\nKết quả: {n_errors} lỗi, {n_decided} chỗ đã có quyết định.\n")


def _print_decisions_markdown(cat: Catalog, findings: list[audit.Finding], out) -> None:
    """The decisions page of the docs, generated so that it cannot drift from the catalog."""
    from . import audit, vn

    out.write(f"# Các quyết định về cách đọc bộ tiêu chí {cat.id}\n\n")
    out.write(f"Nguồn: {cat.source.get('document', '')} ngày {_vn_date(cat.source.get('date', ''))} của "
              f"{cat.source.get('issuer', '')}, {cat.source.get('appendix', '')}. "
              f"{len(cat.criteria)} tiêu chí chấm điểm, tổng {vn.number(cat.total_max)} điểm.\n\n")
    out.write("Trang này được sinh bằng `hue-dx catalog check --format markdown`; "
              "mỗi quyết định cũng nằm ngay bên tiêu chí trong tệp bộ tiêu chí.\n\n")
    out.write("## Chính sách chung\n\n")
    for text in cat.policies.values():
        out.write(f"- {text}\n")
    if cat.scales:
        out.write("\n## Mức lớn nhất hợp lý của số liệu\n\n| Mức | Lớn nhất | Dùng cho | Số liệu dùng mức này |\n|---|---|---|---|\n")
        for scale in cat.scales.values():
            users = [f"{c.code} {i.key}" for c in cat.criteria for i in c.inputs if i.scale == scale.name]
            shown = ", ".join(users) if len(users) <= 40 else f"{len(users)} số liệu (mọi số liệu kiểu {scale.name} không ghi mức khác)"
            out.write(f"| `{scale.name}` | {vn.number(scale.max)} | {scale.label} | {shown} |\n")
    out.write("\n## Điểm tối đa của nhóm và trụ cột\n\n| Mã | Kế hoạch in | Tổng các tiêu chí | Quyết định |\n|---|---|---|---|\n")
    for g in cat.groups:
        if g.decision:
            stated = "không in" if g.stated_max is None else vn.number(g.stated_max)
            out.write(f"| {g.code} | {stated} | {vn.number(cat.max_of(g.code))} | {g.decision} |\n")
    out.write("\n## Quyết định theo tiêu chí\n\n| Mã | Chủ đề | Quyết định |\n|---|---|---|\n")
    for f in findings:
        if f.severity == audit.DECIDED and not cat.groups_by_code.get(f.code):
            out.write(f"| {f.code} | {f.topic} | {f.decision} |\n")
    errors = [f for f in findings if f.severity == audit.ERROR]
    if errors:
        out.write("\n## Lỗi chưa sửa\n\n")
        for f in errors:
            out.write(f"- {f.code}: {f.message}\n")


# --------------------------------------------------------------------------- scoring a unit


def read_unit_inputs(path: Path) -> tuple[dict[str, dict[str, Any]], str | None, str | None]:
    """Inputs of one unit from JSON ({"unit", "level", "inputs": {code: {key: value}}}) or CSV (code,key,value)."""
    input_file(path)
    if path.suffix.lower() not in (".json", ".csv"):
        raise UsageError(f"{path}: chỉ đọc được .json hoặc .csv")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: không phải văn bản UTF-8 (byte lạ ở vị trí {exc.start}); lưu lại tệp dạng UTF-8") from None
    if not text.strip():
        raise UsageError(f"{path}: tệp trống, cần số liệu của một đơn vị")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}: JSON không hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: kiểm tra dấu phẩy, ngoặc và dấu nháy") from None
        if not isinstance(data, dict) or not isinstance(data.get("inputs"), dict):
            raise UsageError(f"{path}: cần một đối tượng JSON có khóa 'inputs' (mã tiêu chí → số liệu)")
        for code, values in data["inputs"].items():
            if not isinstance(values, dict):
                raise UsageError(f"{path}: số liệu của tiêu chí {code} phải là một đối tượng {{\"a\": …, \"b\": …}}, gặp {json.dumps(values)[:40]}")
        return data["inputs"], data.get("level"), data.get("name") or data.get("unit")
    else:
        inputs: dict[str, dict[str, Any]] = {}
        reader = csv.DictReader(text.splitlines())
        if not reader.fieldnames or not {"code", "key", "value"} <= set(reader.fieldnames):
            raise UsageError(f"{path}: tệp CSV cần các cột code,key,value")
        for row in reader:
            inputs.setdefault((row["code"] or "").strip(), {})[(row["key"] or "").strip()] = _csv_value(row["value"])
        return inputs, None, None


def _csv_value(text: str | None) -> Any:
    """CSV holds only text: a plain number (dot decimal) becomes a number, anything else stays text."""
    text = (text or "").strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


def _print_unit(cat: Catalog, result: scoring.UnitResult, unit: str | None, out) -> None:
    from . import scoring, vn

    width = _width()
    level = cat.levels.get(result.level or "", "mọi cấp")
    out.write(f"Đơn vị: {unit or '(không tên)'} · cấp: {level} · bộ tiêu chí {cat.id}\n\n")
    out.write(f"{'Trụ cột':<52}{'Điểm':>8}{'Tối đa':>8}{'Chỉ số':>9}\n")
    for n in (*result.pillars, result.total):
        index = "—" if n.index is None else vn.number(n.index, 4)
        name = f"{n.code} {n.title}" if n.code else n.title.upper()
        out.write(f"{name[:51]:<52}{vn.number(n.points, 2):>8}{vn.number(n.applicable_max, 2):>8}{index:>9}\n")
    problems = [c for c in result.criteria if c.status in (scoring.MISSING, scoring.INVALID)]
    if problems:
        out.write(f"\nTiêu chí cần xem lại ({len(problems)}):\n")
        for c in problems:
            out.write(_wrap(f"{c.code}: {c.status_vi}", 2, width) + "\n")


def _print_ranking(units: list[tuple[str, Catalog, scoring.UnitResult]], out) -> None:
    """Units ranked by overall index within each level, ties sharing a rank (1, 2, 2, 4)."""
    from . import ranking, scoring, vn

    width = _width()
    cat = units[0][1]
    pillars = [p.code for p in cat.pillars]
    for level, label in [*cat.levels.items(), (None, "Không rõ cấp")]:
        members = [(u, r) for u, _, r in units if r.level == level]
        if not members:
            continue
        ranks = ranking.competition_ranks([r.total.index for _, r in members])
        order = sorted(zip(ranks, members, strict=True), key=lambda x: (x[0] is None, x[0] or 0, x[1][0]))
        out.write(f"\nXếp hạng: {label} ({len(members)} đơn vị)\n")
        out.write(f"{'Hạng':>4}  {'Đơn vị':<30}{'Điểm':>8}{'Tối đa':>8}{'Chỉ số':>8}  " + "".join(f"{'TC' + p:>7}" for p in pillars) + "  Cần xem\n")
        for rank, (unit, r) in order:
            index = "—" if r.total.index is None else vn.number(r.total.index, 4)
            cells = "".join(f"{'—' if n.index is None else vn.number(n.index, 4):>7}" for n in r.pillars)
            problems = sum(1 for c in r.criteria if c.status in (scoring.MISSING, scoring.INVALID))
            total = f"{vn.number(r.total.points, 2):>8}{vn.number(r.total.applicable_max, 2):>8}{index:>8}"
            out.write(f"{rank or '—':>4}  {_cut(unit, 29):<30}{total}  {cells}  {problems or ''}\n")
    out.write(_wrap("Chỉ số = điểm đạt / điểm tối đa áp dụng (0–1); TC = trụ cột; 'Cần xem' = số tiêu chí thiếu số liệu hoặc lỗi "
                    "(xem chi tiết: hue-dx score TỆP).", 0, width) + "\n")


def _score_as_dict(cat: Catalog, result: scoring.UnitResult, unit: str | None) -> dict[str, Any]:
    def node(n: scoring.NodeResult) -> dict[str, Any]:
        return {"code": n.code, "title": n.title, "points": n.points, "max": n.applicable_max, "stated_max": n.max,
                "index": n.index, "counts": dict(n.counts)}
    return {
        "unit": unit,
        "level": result.level,
        "catalog": cat.id,
        "total": result.total.points,
        "max": result.total.applicable_max,
        "index": result.total.index,
        "pillars": [node(p) for p in result.pillars],
        "criteria": [{"code": c.code, "score": c.points, "max": c.applicable_max, "status": c.status,
                      "status_vi": c.status_vi, "reason": c.reason} for c in result.criteria],
    }


# --------------------------------------------------------------------------- argument parsing


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="hue-dx",
        description="Bộ công cụ đánh giá chuyển đổi số (Kế hoạch 222/KH-UBND tỉnh Thừa Thiên Huế): "
                    "bộ tiêu chí, chấm điểm, sổ đánh giá Excel, tổng hợp và báo cáo.",
    )
    parser.add_argument("--version", action="version", version=f"hue-dx {__version__}", help="in số phiên bản rồi thoát")
    parser.add_argument("--debug", action="store_true", help="khi có lỗi bất ngờ, in toàn bộ dấu vết lỗi (cho người phát triển; "
                                                             "cũng bật bằng biến môi trường HUEDX_DEBUG=1)")
    commands = parser.add_subparsers(dest="command", metavar="LỆNH")

    cat = commands.add_parser("catalog", help="xem bộ tiêu chí (cây, JSON, CSV), một tiêu chí, hoặc kiểm tra bộ tiêu chí",
                              description="In bộ tiêu chí: mã, tên, điểm tối đa, quy tắc, số liệu cần nhập.")
    cat.add_argument("--catalog", metavar="MÃ|TỆP", help="bộ tiêu chí: mã của bộ có sẵn (mặc định hue-222-2020) hoặc đường dẫn tệp .toml")
    cat.add_argument("--format", choices=("table", "json", "csv"), default="table", help="định dạng in ra (mặc định: table)")
    actions = cat.add_subparsers(dest="action", metavar="VIỆC")
    show = actions.add_parser("show", help="giải thích một tiêu chí: nguyên văn, quy tắc, số liệu, ví dụ",
                              description="Giải thích một tiêu chí: nguyên văn Kế hoạch, quy tắc bằng lời, số liệu cần nhập, ví dụ và các quyết định.")
    show.add_argument("code", metavar="MÃ", help="mã tiêu chí, ví dụ 5.2.1")
    check = actions.add_parser("check", help="đối chiếu tổng điểm in trong Kế hoạch và kiểm tra tính toàn vẹn của bộ tiêu chí",
                               description="Đối chiếu điểm tối đa in trong Kế hoạch với tổng các tiêu chí, liệt kê mọi quyết định "
                                           "về cách đọc, và kiểm tra tính toàn vẹn. Thoát 1 nếu có lỗi.")
    check.add_argument("--format", dest="check_format", choices=("table", "json", "markdown"), default=None,
                       help="định dạng in ra (markdown: trang docs/decisions.md)")
    export = actions.add_parser("export", help="ghi bộ tiêu chí ra sổ Excel để cán bộ sửa (sổ bộ tiêu chí)",
                                description="Ghi bộ tiêu chí ra sổ Excel: trang Hướng dẫn, Thông tin chung, Cấp đơn vị, Cây tiêu chí, Số liệu, "
                                            "Lựa chọn, Kiểm chứng, Quyết định, Mức hợp lý, Xếp loại, Chính sách. Sửa sổ rồi dựng lại bằng "
                                            "hue-dx catalog build.")
    export.add_argument("-o", "--output", metavar="TỆP.xlsx", type=Path, required=True, help="sổ bộ tiêu chí ghi ra")
    export.add_argument("--catalog", dest="export_catalog", metavar="MÃ|TỆP", help="bộ tiêu chí ghi ra (mặc định hue-222-2020)")
    cbuild = actions.add_parser("build", help="dựng bộ tiêu chí (.toml) từ sổ bộ tiêu chí Excel, báo lỗi theo trang, dòng, cột",
                                description="Đọc sổ bộ tiêu chí do cán bộ viết, kiểm tra từng trang, dòng, cột (lỗi và cảnh báo, kèm gợi ý), "
                                            "kiểm tra toàn vẹn như hue-dx catalog check, rồi ghi tệp .toml dùng được cho generate, check, "
                                            "consolidate. Có lỗi: không ghi tệp, thoát 1.")
    cbuild.add_argument("book", metavar="SỔ.xlsx", type=Path, help="sổ bộ tiêu chí (.xlsx)")
    cbuild.add_argument("-o", "--output", metavar="TỆP.toml", type=Path, help="tệp bộ tiêu chí ghi ra (không có: chỉ kiểm tra)")
    cbuild.add_argument("--format", dest="build_format", choices=("table", "json"), default="table", help="định dạng báo cáo (mặc định: table)")

    score = commands.add_parser("score", help="chấm điểm một đơn vị từ tệp số liệu (JSON hoặc CSV code,key,value)",
                                description='Chấm điểm một đơn vị từ tệp số liệu. JSON: {"unit": "...", "level": "so", '
                                            '"inputs": {"5.2.1": {"a": 120, "b": 30, "c": 80}}}; CSV: các cột code,key,value.')
    score.add_argument("files", metavar="TỆP", type=Path, nargs="+", help="tệp số liệu .json hoặc .csv; nhiều tệp: in bảng xếp hạng")
    score.add_argument("--catalog", metavar="MÃ|TỆP", help="bộ tiêu chí (mặc định theo tệp hoặc hue-222-2020)")
    score.add_argument("--level", metavar="CẤP", help="cấp đơn vị: so, huyen, tinh (mặc định theo tệp)")
    score.add_argument("--format", choices=("table", "json"), default="table", help="định dạng in ra")
    gen = commands.add_parser("generate", help="tạo sổ đánh giá Excel cho từng đơn vị (công thức tự tính, không cần add-in)",
                              description="Tạo sổ đánh giá Excel chính thức cho mỗi đơn vị trong danh sách của đợt đánh giá: "
                                          "mỗi trụ cột một trang, ô nhập có kiểm tra, điểm và trạng thái tự tính bằng công thức Excel.")
    gen.add_argument("--recipe", metavar="TỆP", type=Path, help=RECIPE_HELP)
    gen.add_argument("--unit", metavar="MÃ", action="append", help="chỉ tạo cho đơn vị này (dùng nhiều lần cho nhiều đơn vị)")
    gen.add_argument("--out", metavar="THƯ_MỤC", type=Path, help="thư mục ghi sổ (mặc định out/so-danh-gia-KỲ)")
    gen.add_argument("--catalog", metavar="MÃ|TỆP", help="bộ tiêu chí (mặc định theo tệp đợt đánh giá)")
    gen.add_argument("--central", metavar="TỆP.csv", type=Path, help="số liệu do Sở cung cấp cho mọi đơn vị (CSV unit,code,key,value): "
                                                                      "điền sẵn vào ô khóa của sổ từng đơn vị")
    gen.add_argument("--formulas", choices=("native", "udf"), default="native",
                     help="native (mặc định): công thức Excel thường, tự tính ở mọi nơi; udf: gọi hàm của add-in hue-dx (cho bàn làm việc có add-in)")

    chk = commands.add_parser("check", help="kiểm tra và chấm điểm một sổ đánh giá gửi về",
                              description="Đọc một sổ đánh giá gửi về (không sửa tệp), nhận diện đơn vị theo thông tin trong sổ, "
                                          "kiểm tra từng ô, tính lại điểm và liệt kê mọi vấn đề. Thoát 1 nếu có lỗi.")
    chk.add_argument("file", metavar="TỆP", type=Path, help="tệp .xlsx gửi về")
    chk.add_argument("--recipe", metavar="TỆP", type=Path, help=RECIPE_HELP)
    chk.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    con = commands.add_parser("consolidate", help="tổng hợp các sổ gửi về thành bảng xếp hạng của tỉnh",
                              description="Đọc các tệp, thư mục (tìm cả thư mục con) và tệp .zip; lưu nguyên bản mọi tệp theo SHA-256 "
                                          "vào kho lưu trữ kèm sổ cái SQLite; kiểm tra, tính lại điểm; chọn bản mới nhất của mỗi đơn vị; "
                                          "xếp hạng theo nhóm. Thoát 1 nếu có lỗi trong các tệp được dùng hoặc có đơn vị chưa gửi.")
    con.add_argument("inputs", metavar="ĐẦU_VÀO", type=Path, nargs="+", help="tệp .xlsx, thư mục hoặc tệp .zip")
    con.add_argument("-o", "--output", metavar="TỆP.xlsx", type=Path, default=None, help="sổ tổng hợp (mặc định out/xep-hang-KỲ.xlsx)")
    con.add_argument("--archive", metavar="THƯ_MỤC", type=Path, default=None, help=ARCHIVE_HELP)
    con.add_argument("--json", metavar="TỆP", type=Path, help="ghi thêm kết quả dạng JSON")
    con.add_argument("--csv", metavar="THƯ_MỤC", type=Path, help="ghi thêm CSV dữ liệu mở (xếp hạng, tiêu chí, vấn đề)")
    con.add_argument("--recipe", metavar="TỆP", type=Path, help=RECIPE_HELP)
    con.add_argument("--workers", metavar="SỐ_TIẾN_TRÌNH", type=positive_int, default=None, help="số tiến trình đọc tệp, từ 1 (mặc định: số lõi CPU)")

    demo = commands.add_parser("demo", help="chạy cả chuỗi trên dữ liệu có sẵn: tạo sổ, điền, tổng hợp, báo cáo",
                               description="Chạy cả chuỗi trên dữ liệu có sẵn cho hai năm liền nhau (2020, rồi 2021 với một đơn vị đổi tên và "
                                           "một đơn vị hợp nhất): tạo sổ cho từng đơn vị, điền như đơn vị điền (có vài lỗi thường gặp, một bản sửa, "
                                           "một tệp đổi tên, đơn vị không gửi), tổng hợp, xếp hạng, so với năm trước, lập báo cáo PDF/HTML năm 2021.")
    demo.add_argument("folder", metavar="THƯ_MỤC", type=Path, nargs="?", default=Path("out") / "demo", help="thư mục ghi (mặc định out/demo)")

    his = commands.add_parser("history", help="bảng dài mọi đơn vị × năm × trụ cột của chuỗi đợt đánh giá, đọc từ các kho lưu trữ (CSV)",
                              description="Đọc kết quả của đợt đánh giá và mọi đợt trước nó (mục [previous] của tệp đợt đánh giá), mỗi đợt từ kho "
                                          "lưu trữ và sổ cái của nó (không chấm lại tệp nào), ghi một CSV: mỗi dòng một đơn vị, một năm, một trụ cột "
                                          "(và một dòng chỉ số chung): chỉ số, hạng, điểm, điểm tối đa áp dụng, đơn vị năm trước là gì. "
                                          "Thoát 1 khi có năm không đọc được.")
    his.add_argument("-o", "--output", metavar="TỆP.csv", type=Path, required=True, help="tệp CSV ghi ra")
    his.add_argument("--archive", metavar="THƯ_MỤC", type=Path, default=None, help="kho lưu trữ của đợt này (mặc định: khóa archive của tệp đợt đánh giá)")
    his.add_argument("--recipe", metavar="TỆP", type=Path, help=RECIPE_HELP)

    rep = commands.add_parser("report", help="báo cáo in, ký được: phiếu của một đơn vị hoặc báo cáo xếp hạng của tỉnh (PDF, HTML)",
                              description="Báo cáo theo thể thức Nghị định 30/2020/NĐ-CP (A4, Quốc hiệu, khối chữ ký), dạng PDF và HTML; "
                                          "ghi rõ bộ tiêu chí, kỳ, thời điểm lập và SHA-256 của mọi tệp dùng để lập.")
    rep_kinds = rep.add_subparsers(dest="kind", metavar="LOẠI", required=True)
    rep_unit = rep_kinds.add_parser("unit", help="phiếu tự đánh giá của một đơn vị từ sổ gửi về",
                                    description="Phiếu tự đánh giá của một đơn vị: mọi tiêu chí với số liệu, điểm, trạng thái, tài liệu kiểm chứng; "
                                                "tổng theo trụ cột, biểu đồ, các vấn đề; khối chữ ký người lập biểu và thủ trưởng.")
    rep_unit.add_argument("file", metavar="TỆP", type=Path, help="sổ .xlsx gửi về")
    rep_rank = rep_kinds.add_parser("ranking", help="báo cáo xếp hạng của tỉnh từ các sổ gửi về",
                                    description="Tổng hợp như hue-dx consolidate rồi lập báo cáo xếp hạng: bảng theo nhóm, theo trụ cột, biểu đồ, "
                                                "đơn vị chưa gửi, nộp muộn, tóm tắt vấn đề, số liệu toàn tỉnh.")
    rep_rank.add_argument("inputs", metavar="ĐẦU_VÀO", type=Path, nargs="+", help="tệp .xlsx, thư mục hoặc tệp .zip")
    rep_rank.add_argument("--archive", metavar="THƯ_MỤC", type=Path, default=None, help=ARCHIVE_HELP)
    for sub in (rep_unit, rep_rank):
        sub.add_argument("-o", "--output", metavar="TỆP.pdf", type=Path, required=True, help="tệp PDF ghi ra")
        sub.add_argument("--html", metavar="TỆP.html", type=Path, help="ghi thêm bản HTML (mở bằng trình duyệt, in được)")
        sub.add_argument("--sign", metavar="CHỨNG_THƯ.p12", type=Path, help="ký số tệp PDF (PAdES) bằng chứng thư PKCS#12")
        sub.add_argument("--password", metavar="MẬT_KHẨU", default=None, help="mật khẩu của chứng thư (nếu có)")
        sub.add_argument("--visible", action="store_true", help="chữ ký hiện trên trang, tại khối chữ ký của người ký")
        sub.add_argument("--chain", metavar="TỆP", type=Path, action="append", help="chứng thư trung gian, gốc (PEM/DER) để nhúng dữ liệu kiểm tra dài hạn")
        sub.add_argument("--crl", metavar="TỆP", type=Path, action="append", help="danh sách thu hồi (CRL) đã tải về, nhúng vào tệp ký")
        sub.add_argument("--ocsp", metavar="TỆP", type=Path, action="append", help="phản hồi OCSP đã tải về, nhúng vào tệp ký")
        sub.add_argument("--recipe", metavar="TỆP", type=Path, help=RECIPE_HELP)
        sub.add_argument("--date", metavar="NGÀY", type=document_date, default=None, help=DATE_HELP)

    req = commands.add_parser("requests", help="viết thư đề nghị mỗi đơn vị sửa, giải trình (HTML, PDF, văn bản cho thư điện tử)",
                              description="Tổng hợp như hue-dx consolidate rồi viết cho mỗi đơn vị có vấn đề (và mỗi đơn vị chưa gửi) một thư "
                                          "nêu rõ từng ô cần sửa hoặc giải trình, cách sửa và hạn.")
    req.add_argument("inputs", metavar="ĐẦU_VÀO", type=Path, nargs="+", help="tệp .xlsx, thư mục hoặc tệp .zip")
    req.add_argument("--out", metavar="THƯ_MỤC", type=Path, default=Path("out") / "de-nghi", help="thư mục ghi thư (mặc định out/de-nghi)")
    req.add_argument("--archive", metavar="THƯ_MỤC", type=Path, default=None, help=ARCHIVE_HELP)
    req.add_argument("--days", metavar="SỐ_NGÀY", type=positive_int, default=10, help="số ngày làm việc đến hạn sửa (mặc định 10)")
    req.add_argument("--no-pdf", action="store_true", help="chỉ ghi HTML và văn bản, không ghi PDF")
    req.add_argument("--recipe", metavar="TỆP", type=Path, help=RECIPE_HELP)
    req.add_argument("--date", metavar="NGÀY", type=document_date, default=None, help=DATE_HELP + "; hạn sửa tính từ ngày này")

    pub = commands.add_parser("publish", help="trang web tĩnh công bố kết quả (xếp hạng, trụ cột, từng đơn vị, dữ liệu mở) cho cổng thông tin",
                              description="Tổng hợp như hue-dx consolidate rồi ghi một thư mục trang web tĩnh: xếp hạng theo nhóm, chỉ số từng trụ cột "
                                          "và đơn vị dẫn đầu, phân bố theo mức, mỗi đơn vị một trang (biểu đồ mạng nhện, điểm từng tiêu chí), dữ liệu mở "
                                          "CSV kèm datapackage.json. Mở được thẳng từ ổ đĩa hoặc đặt lên bất kỳ máy chủ web nào; không tải gì từ nơi khác, "
                                          "không cần JavaScript; đọc được trên điện thoại, in được.")
    pub.add_argument("inputs", metavar="ĐẦU_VÀO", type=Path, nargs="+", help="tệp .xlsx, thư mục hoặc tệp .zip")
    pub.add_argument("--out", metavar="THƯ_MỤC", type=Path, default=None, help="thư mục ghi trang web (mặc định out/cong-bo-KỲ)")
    pub.add_argument("--archive", metavar="THƯ_MỤC", type=Path, default=None, help=ARCHIVE_HELP)
    pub.add_argument("--recipe", metavar="TỆP", type=Path, help=RECIPE_HELP)

    apr = commands.add_parser("appraise", help="tạo phiếu thẩm định cho mỗi đơn vị và mỗi bên thẩm định",
                              description="Tổng hợp như hue-dx consolidate rồi tạo, cho mỗi đơn vị đã gửi sổ và mỗi bên thẩm định (theo bảng phân công "
                                          "trong tệp đợt đánh giá), một sổ thẩm định: số liệu, tài liệu kiểm chứng, điểm tự đánh giá của đơn vị, cột số liệu "
                                          "thẩm định và lý do; điểm thẩm định tự tính bằng công thức Excel thường.")
    apr.add_argument("inputs", metavar="ĐẦU_VÀO", type=Path, nargs="+", help="tệp .xlsx, thư mục hoặc tệp .zip")
    apr.add_argument("--out", metavar="THƯ_MỤC", type=Path, default=Path("out") / "tham-dinh", help="thư mục ghi (mặc định out/tham-dinh)")
    apr.add_argument("--archive", metavar="THƯ_MỤC", type=Path, default=None, help=ARCHIVE_HELP)
    apr.add_argument("--unit", metavar="MÃ", action="append", help="chỉ đơn vị này (dùng nhiều lần cho nhiều đơn vị)")
    apr.add_argument("--recipe", metavar="TỆP", type=Path, help=RECIPE_HELP)
    apr.add_argument("--previous-archive", metavar="THƯ_MỤC", type=Path, default=None,
                     help="kho lưu trữ của đợt đánh giá năm trước: đưa các nội dung bên thẩm định năm trước đánh dấu cần theo dõi vào phiếu")

    ok = commands.add_parser("approve", help="duyệt kết quả tổng hợp như hiện có: khóa bảng xếp hạng và các tài liệu lập từ đó",
                             description="Ghi vào sổ cái việc duyệt kết quả tổng hợp như kho lưu trữ đang có: ai duyệt, lúc nào, lý do, các tệp được "
                                         "dùng (SHA-256) và mọi số liệu (bản chốt, kèm SHA-256 của nó); lập các tài liệu từ bản chốt (sổ xếp hạng, JSON, "
                                         "báo cáo) và ghi SHA-256 của từng tài liệu. Sau khi duyệt, tệp mới vẫn được nhận, lưu và liệt kê (nhận sau khi "
                                         "duyệt) nhưng bảng xếp hạng và tài liệu không đổi cho đến khi mở lại (hue-dx reopen).")
    ok.add_argument("--out", metavar="THƯ_MỤC", type=Path, default=None, help="thư mục ghi các tài liệu đã duyệt (mặc định out/da-duyet-KỲ)")
    ok.add_argument("--reason", metavar="LÝ_DO", default="", help="lý do, căn cứ duyệt (ghi vào sổ cái)")
    ok.add_argument("--no-pdf", action="store_true", help="không lập báo cáo PDF (chỉ sổ xếp hạng, JSON, CSV và HTML)")
    reo = commands.add_parser("reopen", help="mở lại kết quả đã duyệt (ghi lý do vào sổ cái) để các tệp nhận sau được tính",
                              description="Mở lại kết quả đang được duyệt: ghi vào sổ cái ai mở lại, lúc nào, vì sao. Từ lần tổng hợp sau, các tệp "
                                          "nhận sau khi duyệt được tính, và mọi tài liệu ghi rõ đó không phải bản đã duyệt.")
    reo.add_argument("--reason", metavar="LÝ_DO", required=True, help="lý do mở lại (bắt buộc, ghi vào sổ cái)")
    log = commands.add_parser("log", help="in lịch sử của đợt đánh giá: các lần tổng hợp, tệp nhận, lựa chọn, đề nghị sửa, thẩm định, duyệt, mở lại",
                              description="In lịch sử của đợt đánh giá từ sổ cái, cũ trước mới sau, mỗi bước với thời điểm và người thực hiện: "
                                          "các lần tổng hợp, tệp nhận được (kể cả nhận sau khi duyệt), quyết định chọn tệp, thư đề nghị sửa, phiếu "
                                          "thẩm định, các lần duyệt và tài liệu ban hành, các lần mở lại. Chỉ đọc, không ghi gì.")
    log.add_argument("--json", action="store_true", help="in dạng JSON")
    for sub in (ok, reo, log):
        sub.add_argument("--archive", metavar="THƯ_MỤC", type=Path, default=None, help="kho lưu trữ và sổ cái (mặc định out/luu-tru)")
        sub.add_argument("--recipe", metavar="TỆP", type=Path, help=RECIPE_HELP)
    for sub in (con, rep_rank, req, apr, ok):
        sub.add_argument("--central", metavar="TỆP.csv", type=Path, help=CENTRAL_HELP)

    addin = commands.add_parser("addin", help="dựng các phần của add-in Excel (VBA, ribbon, cấu hình) từ danh sách hàm",
                                description="Sinh mô-đun VBA bọc các hàm HUEDX_…, mô-đun VBA và XML của ribbon, tệp xlwings.conf "
                                            "và bản sao mô-đun Python của add-in, từ cùng một danh sách hàm (xem README, mục Excel).")
    addin_actions = addin.add_subparsers(dest="action", metavar="VIỆC", required=True)
    addin_build = addin_actions.add_parser("build", help="ghi các tệp của add-in vào một thư mục",
                                           description="Ghi hue_dx_udfs.bas, hue_dx_ribbon.bas, customUI14.xml, xlwings.conf và hue_dx_addin.py.")
    addin_build.add_argument("--out", metavar="THƯ_MỤC", type=Path, default=Path("addin") / "build", help="thư mục ghi (mặc định addin/build)")
    addin_build.add_argument("--interpreter", metavar="ĐƯỜNG_DẪN", default="", help="đường dẫn pythonw.exe trên máy Windows (để trống: Python mặc định)")
    addin_build.add_argument("--pythonpath", metavar="THƯ_MỤC", default="", help="thư mục chứa hue_dx_addin.py trên máy Windows (để trống: cạnh add-in)")

    cho = commands.add_parser("choose", help="chọn tệp được dùng cho một đơn vị (quyết định của cán bộ, ghi vào sổ cái)",
                              description="Ghi quyết định của cán bộ: tệp nào của đơn vị được dùng để xếp hạng, thay cho quy tắc mặc định "
                                          "(bản có số liệu gửi sau cùng). Quyết định ghi vào sổ cái kèm thời điểm và lý do; hue-dx consolidate "
                                          "dùng nó ở các lần chạy sau và ghi rõ trong kết quả. Không có MÃ_TỆP: in danh sách tệp của đơn vị.")
    cho.add_argument("unit", metavar="MÃ_ĐƠN_VỊ", help="mã đơn vị, ví dụ SYT")
    cho.add_argument("sha", metavar="MÃ_TỆP", nargs="?", help="mã SHA-256 của tệp (đủ vài ký tự đầu, như trong trang 'Tệp đã nhận')")
    cho.add_argument("--reason", metavar="LÝ_DO", default="", help="lý do chọn (ghi vào sổ cái)")
    cho.add_argument("--undo", action="store_true", help="trở lại quy tắc mặc định (ghi thành một quyết định mới; quyết định cũ vẫn lưu)")
    cho.add_argument("--archive", metavar="THƯ_MỤC", type=Path, default=None, help=ARCHIVE_HELP)
    cho.add_argument("--recipe", metavar="TỆP", type=Path, help="tệp đợt đánh giá .toml (mặc định generator/campaign-2020.toml)")
    for sub in (con, rep_rank, req, apr, pub, cho, ok, reo):
        sub.add_argument("--by", metavar="HỌ_TÊN", default=None, help="người thực hiện, ghi vào sổ cái (mặc định: tên người dùng của máy)")

    from .outbox.commands import add_assessment as add_mail

    add_mail(commands)

    commands.add_parser("issue-types", help="in bảng mã vấn đề (Markdown), nguồn của docs/issues.md",
                        description="In bảng mọi mã vấn đề mà kiểm tra và tổng hợp có thể ghi nhận, với mức, thông báo và cách sửa.")
    from .tracking import cli as tracking_cli

    tasks = tracking_cli.add_parser(commands)
    for each in parsers(parser):
        each.epilog = EXIT_CODES  # one contract, shown by every command's --help
    for each in parsers(tasks):
        each.epilog = TRACKING_EXIT_CODES  # the same contract, in the words of quarterly reports
    return parser


def parsers(parser: argparse.ArgumentParser):
    """``parser`` and every sub-command's parser, depth first."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                yield from parsers(sub)


def run(args: argparse.Namespace, out) -> int:
    if args.command == "tasks":
        from .tracking.commands import run as run_tasks

        return run_tasks(args, out)
    check_paths(args)
    if args.command == "catalog" and args.action in ("export", "build"):
        return _catalog_book(args, out)
    if args.command == "catalog":
        from . import audit
        from . import catalog as catalog_mod

        cat = catalog_mod.load(args.catalog)
        if args.action == "show":
            _print_show(cat, args.code, out)
            return EXIT_OK
        if args.action == "check":
            findings = audit.audit(cat)
            if args.check_format == "markdown":
                _print_decisions_markdown(cat, findings, out)
            elif (args.check_format or args.format) == "json":
                json.dump({"catalog": cat.id, "findings": [f.as_dict() for f in findings]}, out, ensure_ascii=False, indent=2)
                out.write("\n")
            else:
                _print_check(cat, findings, out)
            return EXIT_PROBLEMS if audit.has_errors(findings) else EXIT_OK
        if args.format == "json":
            json.dump(catalog_as_dict(cat), out, ensure_ascii=False, indent=2)
            out.write("\n")
        elif args.format == "csv":
            _print_csv(cat, out)
        else:
            _print_tree(cat, out)
        return EXIT_OK
    if args.command == "score":
        from . import catalog as catalog_mod
        from . import scoring

        units = []
        for path in args.files:
            inputs, level, unit = read_unit_inputs(path)
            cat = catalog_mod.load(args.catalog)
            units.append((unit or path.stem, cat, scoring.score_unit(cat, inputs, args.level or level)))
        if args.format == "json":
            payload = [_score_as_dict(cat, result, unit) for unit, cat, result in units]
            json.dump(payload[0] if len(payload) == 1 else payload, out, ensure_ascii=False, indent=2)
            out.write("\n")
        elif len(units) == 1:
            unit, cat, result = units[0]
            _print_unit(cat, result, unit, out)
        else:
            _print_ranking(units, out)
        bad = any(c.status in (scoring.MISSING, scoring.INVALID) for _, _, result in units for c in result.criteria)
        return EXIT_PROBLEMS if bad else EXIT_OK
    if args.command == "generate":
        return _generate(args, out)
    if args.command == "check":
        return _check(args, out)
    if args.command == "consolidate":
        return _consolidate(args, out)
    if args.command == "report":
        return _report(args, out)
    if args.command == "appraise":
        return _appraise(args, out)
    if args.command == "publish":
        return _publish(args, out)
    if args.command == "requests":
        from .corrections import write_letters

        _, _, consolidation = _consolidated(args, "viết thư đề nghị")
        if consolidation.approval is not None:  # the letters ask about what units must fix now, not what was approved
            out.write(f"Lưu ý: {consolidation.standing} Thư đề nghị viết theo số liệu hiện có, không làm thay đổi bản đã duyệt.\n")
            consolidation = consolidation.live or consolidation
        from .intake.ledger import person

        letters = write_letters(consolidation, args.out, args.days, today=args.date, pdf=not args.no_pdf,
                                archive=args.archive or consolidation.campaign.archive, by=person(args.by))
        missing = sum(1 for letter in letters if letter.items == 0)
        out.write(f"Đã viết {len(letters)} thư đề nghị ({len(letters) - missing} đơn vị cần sửa hoặc giải trình, "
                  f"{missing} đơn vị chưa gửi sổ): {args.out}\n")
        unsigned = {letter.warning for letter in letters if letter.warning}  # one signer for every letter: said once
        for warning in sorted(unsigned):
            out.write(f"Cảnh báo: {warning}\n")
        own = consolidation.campaign.sender()[2]
        row = next((r for rows in consolidation.groups.values() for r in rows if own and r.unit.code == own.code), None)
        if row is not None:
            found = sum(1 for i in (row.result.issues if row.result else []) if i.severity in ("error", "warning"))
            state = f"{found} nội dung cần tự sửa, xem trang 'Vấn đề' của sổ tổng hợp" if row.result else "chưa có sổ của chính mình"
            out.write(f"Không viết thư cho {row.unit.name} (cơ quan gửi thư): {state}.\n")
        return EXIT_PROBLEMS if unsigned else consolidation_exit(consolidation)
    if args.command == "demo":
        from . import demo as demo_mod

        _needs_openpyxl("chạy demo")
        years = demo_mod.run_series(args.folder, say=lambda text: out.write(text + "\n"))
        last = years[-1]
        out.write(f"Xong. Mở {last.outputs.report_pdf} để xem báo cáo xếp hạng năm {last.period} so với năm {years[-2].period}; "
                  f"{last.outputs.ranking} để xem bảng tổng hợp (trang 'So với năm trước', 'Qua các năm').\n")
        return EXIT_OK
    if args.command == "history":
        _needs_openpyxl("đọc kho lưu trữ")
        return _history(args, out)
    if args.command == "addin":
        if args.action != "build":
            raise UsageError("dùng: hue-dx addin build [--out THƯ_MỤC]")
        from .addin_build import build as build_addin

        written = build_addin(args.out, args.interpreter, args.pythonpath)
        out.write("Đã ghi các tệp của add-in:\n" + "".join(f"  {p}\n" for p in written))
        out.write("Bước còn lại cần Excel trên Windows: xem README, mục 'Dành cho bàn làm việc Excel'.\n")
        return EXIT_OK
    if args.command == "choose":
        return _choose(args, out)
    if args.command in ("approve", "reopen", "log"):
        from .approval_commands import run as run_approval

        return run_approval(args, out)
    if args.command == "mail":
        from .outbox.commands import run_assessment

        return run_assessment(args, out)
    if args.command == "issue-types":
        from .issues import markdown_table

        out.write(markdown_table())
        return EXIT_OK
    raise UsageError("thiếu lệnh; xem hue-dx --help")


def consolidation_exit(result) -> int:
    """The exit code of every command that starts from the returned files (consolidate, report
    ranking, requests, appraise), so that they agree on the same inputs: 1 when a file used has
    an error or a unit of the roster has sent nothing, else 0."""
    return EXIT_PROBLEMS if result.has_errors or result.missing else EXIT_OK


def _consolidated(args: argparse.Namespace, what: str, compare: bool = False, **options: Any):
    """Campaign, catalog and the consolidation of ``args.inputs`` (shared by the commands that
    start from the returned files: consolidate, requests, appraise, report ranking), compared with
    the years before when ``compare`` (the commands whose outputs show results)."""
    from . import campaign as campaign_mod
    from . import catalog as catalog_mod
    from .intake.consolidate import InputError, consolidate

    _needs_openpyxl(what)
    campaign = campaign_mod.load(args.recipe)
    cat = catalog_mod.load(campaign.catalog)
    archive = getattr(args, "archive", None) or campaign.archive
    if campaign.previous_archive is not None:
        campaign_mod.same_archive(archive, campaign.previous_archive, "--archive")
    central = _central(args, cat, campaign)
    from .intake.ledger import person

    try:
        result = consolidate(cat, campaign, list(args.inputs), archive, central=central, by=person(getattr(args, "by", None)), **options)
    except InputError as exc:
        raise UsageError(str(exc)) from None
    if compare:  # [issue 22] against the years before, read back from their archives
        from .intake.years import attach

        attach(result)
    return campaign, cat, result


def _central(args: argparse.Namespace, cat: Catalog, campaign) -> Any:
    """The Sở's figures of ``--central FILE.csv`` (hue_dx.central), or None."""
    from . import central as central_mod

    return central_mod.from_option(getattr(args, "central", None), cat, campaign)


def _needs_openpyxl(what: str) -> None:
    try:
        import openpyxl  # noqa: F401  (the Excel edge needs it; the core does not)
    except ImportError:
        raise UsageError(f"cần gói openpyxl để {what}: pip install \"hue-dx[excel]\"") from None


def _check(args: argparse.Namespace, out) -> int:
    import hashlib

    from . import campaign as campaign_mod
    from . import catalog as catalog_mod
    from . import vn
    from .intake.check import Context, check_file
    from .issues import ERROR, SEVERITY_VI

    input_file(args.file, " (tổng hợp cả thư mục: hue-dx consolidate THƯ_MỤC)")
    _needs_openpyxl("kiểm tra sổ")
    campaign = campaign_mod.load(args.recipe)
    cat = catalog_mod.load(campaign.catalog)
    data = args.file.read_bytes()
    result = check_file(data, args.file.name, hashlib.sha256(data).hexdigest(), Context.create(cat, campaign))
    if args.json:
        json.dump(result.as_dict(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        width = _width()
        out.write(f"Tệp: {args.file.name} · SHA-256 {result.sha256[:16]}…\n")
        if result.accepted and result.kind == "appraisal":
            unit = campaign.unit(result.unit)
            out.write(f"Phiếu thẩm định của {result.appraiser} cho {unit.name} ({unit.code}) · kỳ {campaign.period}\n")
            out.write(f"Ý kiến thẩm định cho {len(result.appraisal)} tiêu chí:\n")
            for code, item in result.appraisal.items():
                given: dict[str, Any] = item["inputs"]  # type: ignore[assignment]
                values = ", ".join(f"{k} = {v}" for k, v in given.items())
                out.write(_wrap(f"{code}: {values or 'giữ số liệu của đơn vị'}; lý do: {item['reason'] or '(không ghi)'}", 2, width) + "\n")
        elif result.accepted and result.figures == 0:
            unit = campaign.unit(result.unit)
            out.write(f"Đơn vị: {unit.name} ({unit.code}) · kỳ {campaign.period} · bộ tiêu chí {cat.id}\n"
                      "Sổ chưa có số liệu nào (mọi ô số liệu để trống hoặc không đọc được): không có điểm để chấm.\n")
        elif result.accepted:
            unit = campaign.unit(result.unit)
            out.write(f"Đơn vị: {unit.name} ({unit.code}) · kỳ {campaign.period} · bộ tiêu chí {cat.id}\n\n")
            out.write(f"{'Trụ cột':<52}{'Điểm':>8}{'Tối đa':>8}{'Chỉ số':>9}\n")
            titles = {p.code: p.title for p in cat.pillars}
            for code, points, amax, index in result.pillars:
                out.write(f"{(code + ' ' + titles[code])[:51]:<52}{vn.number(points, 2):>8}{vn.number(amax, 2):>8}"
                          f"{'—' if index is None else vn.number(index, 4):>9}\n")
            points, amax, index = result.total
            out.write(f"{'TỔNG CỘNG':<52}{vn.number(points, 2):>8}{vn.number(amax, 2):>8}{'—' if index is None else vn.number(index, 4):>9}\n")
        else:
            out.write("Không dùng được tệp này để xếp hạng.\n")
        out.write(f"\nVấn đề ({len(result.issues)}):\n" if result.issues else "\nKhông có vấn đề.\n")
        order = {"error": 0, "warning": 1, "info": 2}
        for i in sorted(result.issues, key=lambda i: order[i.severity]):
            where = " · ".join(x for x in (i.sheet, i.cell and f"ô {i.cell}", i.criterion and f"tiêu chí {i.criterion}") if x)
            out.write(_wrap(f"[{SEVERITY_VI[i.severity]}] {i.code}: {where + ': ' if where else ''}{i.message} → {i.hint}", 2, width) + "\n")
    blank = result.accepted and result.kind == "self" and result.figures == 0  # every criterion lacks figures
    return EXIT_PROBLEMS if blank or any(i.severity == ERROR for i in result.issues) else EXIT_OK


def _choose(args: argparse.Namespace, out) -> int:
    from . import campaign as campaign_mod
    from . import catalog as catalog_mod
    from .intake.check import Context
    from .intake.choice import choose
    from .intake.consolidate import Assessment

    campaign = campaign_mod.load(args.recipe)
    unit = campaign.unit(args.unit)
    catalog = catalog_mod.load(campaign.catalog)
    kind = Assessment(Context(catalog, campaign, {}), catalog, campaign)  # no file is checked: no layout needed
    return choose(kind, args.archive or campaign.archive, (unit.code, unit.name), campaign.period, args.sha, args.reason,
                  undo=args.undo, rerun="hue-dx consolidate", out=out, by=args.by)


def _consolidate(args: argparse.Namespace, out) -> int:
    from . import vn
    from .intake.outputs import write_csv, write_json, write_workbook

    show = sys.stderr.isatty()

    def progress(done: int, total: int, seconds: float) -> None:
        if show and (done == total or done % 10 == 0):
            rate = done / seconds if seconds else 0
            print(f"\r  đọc tệp {vn.number(done)}/{vn.number(total)} · {vn.number(rate, 0)} tệp/giây", end="" if done < total else "\n",
                  file=sys.stderr, flush=True)

    campaign, cat, result = _consolidated(args, "tổng hợp", compare=True, workers=args.workers, progress=progress)
    output = args.output or Path("out") / f"xep-hang-{campaign.period}.xlsx"
    archive_root = args.archive or campaign.archive
    write_workbook(result, output)
    written = [output]
    if args.json:
        write_json(result, args.json)
        written.append(args.json)
    tables: list[Path] = []
    if args.csv:
        tables = write_csv(result, args.csv)
        written += tables
    ranked = sum(1 for rows in result.groups.values() for r in rows if r.result)
    errors, warnings = result.errors, result.warnings
    run = result.live or result  # while approved: what this run read, not what the approved result was made from
    out.write(f"Đã đọc {vn.number(run.seen)} tệp ({vn.number(run.new)} tệp mới) trong {vn.number(run.seconds, 1)} giây; "
              f"xếp hạng {ranked}/{len(campaign.units)} đơn vị; chưa gửi: {len(result.missing)}.\n")
    if result.others:
        out.write(f"{vn.number(len(result.others))} tệp không phải sổ đánh giá hoặc không đọc được: đã lưu vào kho và liệt kê ở trang 'Tệp đã nhận'.\n")
    for group, rows in result.groups.items():
        top = [f"{r.rank}. {r.unit.name} ({vn.number(r.index, 4)})" for r in rows if r.rank is not None and r.index is not None][:3]
        out.write(f"  {group}: {'; '.join(top) if top else 'chưa có đơn vị nào'}\n")
    out.write(f"Vấn đề: {vn.number(errors)} lỗi, {vn.number(warnings)} cảnh báo (xem trang 'Vấn đề').\n")
    _say_comparison(result, out)
    out.write("Đã ghi: " + ", ".join(str(p) for p in written) + f"\nKho lưu trữ: {archive_root}\n")
    kinds = {output: "sổ xếp hạng", **({args.json: "JSON"} if args.json else {}), **{p: f"CSV {p.name}" for p in tables}}
    say_standing(result, archive_root, kinds, out)
    return consolidation_exit(result)


def say_standing(result, archive_root: Path, written: dict[Path, str], out) -> None:
    """[approval] Whether what was written is the approved result (and the same byte for byte as
    the documents issued from it), and the files received since the approval."""
    from .documents import local_time
    from .intake.approval import same_as_issued

    out.write(result.standing + "\n")
    if result.approval is None:
        return
    for path, what in written.items():
        same = same_as_issued(archive_root, result.campaign.period, result.approval, what, path)
        if same is not None:
            out.write(f"  {path}: {'trùng từng byte với' if same else 'KHÁC'} {what} đã ban hành từ bản duyệt số {result.approval.number}\n")
    if result.after_approval:
        out.write(f"Nhận sau khi duyệt ({len(result.after_approval)} tệp, chưa tính; muốn tính: hue-dx reopen --reason \"…\"):\n")
        for f in result.after_approval:
            out.write(f"  {f.source} · {f.unit or '(không rõ đơn vị)'} · nhận {local_time(f.received)} · {f.reason}\n")


def _say_comparison(result, out) -> None:
    """[issue 22] One line on the comparison with the year before, when the campaign names one."""
    k = result.comparison
    if k is None or result.campaign.previous is None:
        return
    if not k.available:
        out.write(f"Chưa so sánh được với năm trước: {k.reason}.\n")
        return
    compared = sum(1 for u in k.units.values() if u.index.compared)
    changed = "; ".join(words for _, _, words in k.changes)
    out.write(f"So với năm {k.previous}: {compared}/{len(k.units)} đơn vị so sánh được chỉ số" + (f" ({changed})" if changed else "")
              + (f"; không còn: {', '.join(name for _, name in k.removed)}" if k.removed else "") + " (xem trang 'So với năm trước').\n")


def _history(args: argparse.Namespace, out) -> int:
    """`hue-dx history`: the panel of every unit × year × pillar of the series, read from the archives."""
    from . import campaign as campaign_mod
    from .intake.outputs import write_table
    from .intake.years import PANEL_COLUMNS, read_series

    campaign = campaign_mod.load(args.recipe)
    read = read_series(campaign, args.archive)
    available = [y for y in read.years if y.available]
    for year in read.years:
        if year.available:
            out.write(f"Năm {year.period}: {len(year.units)} đơn vị có kết quả, bộ tiêu chí {year.catalog.id} (kho {year.archive}).\n")
        else:
            out.write(f"Năm {year.period}: chưa đọc được: {year.reason}.\n")
    if not available:
        raise UsageError("không đọc được kết quả năm nào của chuỗi đợt đánh giá: tổng hợp trước (hue-dx consolidate), "
                         "hoặc chỉ kho lưu trữ bằng --archive")
    rows = list(read.rows())
    write_table(args.output, [list(PANEL_COLUMNS), *([row[c] for c in PANEL_COLUMNS] for row in rows)])
    out.write(f"Đã ghi {len(rows)} dòng (đơn vị × năm × trụ cột, dòng trụ cột trống là chỉ số chung): {args.output}\n")
    return EXIT_OK if len(available) == len(read.years) else EXIT_PROBLEMS


def _report(args: argparse.Namespace, out) -> int:
    import hashlib

    from . import campaign as campaign_mod
    from . import catalog as catalog_mod
    from . import reports, signing
    from .files import write_atomic

    if args.kind == "unit":
        input_file(args.file, " (báo cáo của cả tỉnh: hue-dx report ranking THƯ_MỤC)")
    _needs_openpyxl("lập báo cáo")
    campaign = campaign_mod.load(args.recipe)
    cat = catalog_mod.load(campaign.catalog)
    # The certificate is opened first: a wrong password stops the run before any work, and
    # nothing is written under the requested name unless it is signed.
    signer = signing.load_signer(args.sign, args.password.encode() if args.password else None, args.chain) if args.sign else None
    if args.kind == "unit":
        from .intake.check import Context, check_file

        data = args.file.read_bytes()
        result = check_file(data, args.file.name, hashlib.sha256(data).hexdigest(), Context.create(cat, campaign), details=True)
        if not result.accepted:
            reasons = "; ".join(i.message for i in result.issues if i.severity == "error")
            raise UsageError(f"Không lập được phiếu từ tệp này: {reasons}")
        if reports.is_blank(result):
            out.write(f"Không lập báo cáo: sổ {args.file.name} chưa có số liệu nào (mọi tiêu chí để trống hoặc không áp dụng), "
                      "không có gì để ký. Đơn vị điền số liệu rồi gửi lại sổ.\n")
            return EXIT_PROBLEMS
        from .intake.years import unit_comparison

        report = reports.unit_report(cat, campaign, result, _document_time(args.date), comparison=unit_comparison(cat, campaign, result))
        status = EXIT_PROBLEMS if any(i.severity == "error" for i in result.issues) else EXIT_OK
    else:
        _, _, consolidation = _consolidated(args, "lập báo cáo", compare=True)
        report = reports.ranking_report(consolidation, _document_time(args.date))
        status = consolidation_exit(consolidation)
    if report.draft and signer is not None:
        why = report.warning or "chưa có đơn vị nào được xếp hạng, báo cáo chỉ là dự thảo."
        raise UsageError(f"Không ký: {why} Bỏ --sign để xem dự thảo.")
    pdf = reports.pdf_of(report)
    data = pdf.data
    if signer is not None:
        data = signing.sign_pdf(data, args.sign, signer=signer, box=pdf.signature_box if args.visible else None,
                                chain=args.chain, revocation=[*(args.crl or []), *(args.ocsp or [])])
    write_atomic(args.output, data)
    written = [args.output]
    if args.html:
        reports.write_html(report, args.html)
        written.append(args.html)
    out.write("Đã ghi: " + ", ".join(str(p) for p in written) + (" (đã ký số)" if signer is not None else "") + "\n")
    if args.kind == "ranking":
        compared = {} if signer is not None else {args.output: "báo cáo PDF", **({args.html: "báo cáo HTML"} if args.html else {})}
        say_standing(consolidation, args.archive or consolidation.campaign.archive, compared, out)
    if report.document.draft:
        out.write("Chưa có đơn vị nào được xếp hạng: báo cáo in chữ DỰ THẢO, không ký ban hành.\n")
    if report.warning:
        out.write(f"Cảnh báo: {report.warning}\n")
    return EXIT_PROBLEMS if report.draft else status


def _document_time(day):
    """The moment a document is dated: the day asked for (--date), at the present time of day
    (the time is printed as when the report was made); None: now."""
    import datetime as dt

    return None if day is None else dt.datetime.combine(day, dt.datetime.now().time())


def _publish(args: argparse.Namespace, out) -> int:
    from .publish import write_site

    campaign, _, consolidation = _consolidated(args, "lập trang công bố", compare=True)
    target = args.out or Path("out") / f"cong-bo-{campaign.period}"
    pages = write_site(consolidation, target)
    ranked = sum(1 for rows in consolidation.groups.values() for r in rows if r.final)
    out.write(f"Đã ghi {len(pages)} trang ({ranked} đơn vị được xếp hạng) và dữ liệu mở: {target}\n"
              f"Mở {target / 'index.html'} bằng trình duyệt, hoặc chép cả thư mục lên cổng thông tin.\n")
    if consolidation.missing:
        out.write(f"Chưa gửi sổ có số liệu: {len(consolidation.missing)} đơn vị (trang xếp hạng ghi tên, không có trang riêng).\n")
    return consolidation_exit(consolidation)


def _appraise(args: argparse.Namespace, out) -> int:
    from .appraisal import instead_of_self, plan, self_assignments
    from .files import slug, write_atomic
    from .intake.check import Context
    from .intake.consolidate import detailed
    from .workbook import appraisal_book

    campaign, cat, consolidation = _consolidated(args, "tạo phiếu thẩm định")
    if consolidation.approval is not None:
        out.write(f"Lưu ý: {consolidation.standing} Phiếu thẩm định lập theo số liệu hiện có; kết quả thẩm định chỉ được tính khi mở lại.\n")
        consolidation = consolidation.live or consolidation
    context = Context.create(cat, campaign)
    from .intake.ledger import Ledger
    from .intake.versions import since_request

    archive = args.archive or campaign.archive
    last_year: dict[str, dict[str, str]] = {}
    if args.previous_archive is not None:  # [approval] issue 22 will name the previous campaign in the recipe; until then, this option
        if not (args.previous_archive / "ledger.sqlite").is_file():
            raise UsageError(f"Không có sổ cái ở {args.previous_archive} (--previous-archive: kho lưu trữ của đợt năm trước)")
        earlier = Ledger.reader(args.previous_archive)
        try:
            before, marked = earlier.follow_ups_before(campaign.period)
        finally:
            earlier.close()
        for f in marked:
            last_year.setdefault(f.unit, {})[f.criterion] = f"{before}, {f.appraiser}: {f.text}"
    ledger = Ledger.reader(archive)
    wanted = {campaign.unit(code).code for code in args.unit} if args.unit else None
    written = []
    warnings: list[str] = []
    unresolved = False
    for rows in consolidation.groups.values():
        for row in rows:
            if row.result is None or (wanted and row.unit.code not in wanted):
                continue
            def is_self(appraiser: str, unit=row.unit) -> bool:
                return campaign.find(appraiser) == unit

            for assigned, codes in self_assignments(cat, row.unit.level, campaign.appraisal, is_self).items():
                instead = instead_of_self(campaign.appraisal, is_self)
                unresolved = unresolved or instead is None
                warnings.append(f"{row.unit.name} được giao tự thẩm định {len(codes)} tiêu chí ({assigned}): "
                                + (f"chuyển cho {instead}." if instead else "không có bên nào khác; thêm fallback vào mục [appraisal]."))
            checked = detailed(consolidation, row, context)  # figures as typed and evidence, read again from the archive
            changed = since_request(ledger, cat, campaign.period, "self", checked)
            words = {c.code: c.words() for c in changed.criteria} if changed is not None else {}
            for appraiser, codes in plan(cat, row.unit.level, campaign.appraisal, is_self).items():
                data = appraisal_book.build(cat, campaign, row.unit, appraiser, codes, checked, changes=words,
                                            since=changed.old_name if changed is not None else "", previous=last_year.get(row.unit.code))
                path = args.out / f"tham-dinh_{campaign.period}_{row.unit.code}_{slug(appraiser)}.xlsx"
                write_atomic(path, data)
                written.append(path)
    ledger.close()
    out.write(f"Đã tạo {len(written)} phiếu thẩm định: {args.out}\n"
              "Bên thẩm định điền số liệu thẩm định và lý do vào phiếu, gửi lại; hue-dx consolidate đọc cả sổ và phiếu.\n")
    for warning in warnings:
        out.write(f"Cảnh báo: {warning}\n")
    return EXIT_PROBLEMS if unresolved else consolidation_exit(consolidation)


def _catalog_book(args: argparse.Namespace, out) -> int:
    """`catalog export`: a catalog as the criteria workbook; `catalog build`: the workbook back as a catalog."""
    _needs_openpyxl("đọc, ghi sổ bộ tiêu chí")
    from . import catalog as catalog_mod
    from . import catalog_book
    from .files import write_atomic
    from .issues import SEVERITY_VI

    if args.action == "export":
        cat = catalog_mod.load(args.export_catalog or args.catalog)
        write_atomic(args.output, catalog_book.write(cat))
        out.write(f"Đã ghi sổ bộ tiêu chí {cat.id} ({len(cat.criteria)} tiêu chí): {args.output}\n"
                  f"Sửa sổ rồi dựng lại: hue-dx catalog build {args.output} -o {cat.id}.toml\n")
        return EXIT_OK
    input_file(args.book)
    built = catalog_book.build(args.book)
    errors, warnings = built.errors, [i for i in built.issues if i.severity != "error"]
    if built.catalog is not None and args.output:
        write_atomic(args.output, built.toml.encode("utf-8"))
    if args.build_format == "json":
        json.dump({"book": str(args.book), "catalog": built.catalog.id if built.catalog else None,
                   "written": str(args.output) if built.catalog is not None and args.output else None,
                   "issues": catalog_book.as_rows(built.issues)}, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_PROBLEMS if errors else EXIT_OK
    width = _width()
    for title, items in (("Lỗi", errors), ("Cảnh báo", warnings)):
        if items:
            out.write(f"{title} ({len(items)}):\n")
        for i in items:
            where = catalog_book.cell_words(i)
            out.write(_wrap(f"[{SEVERITY_VI[i.severity]}] {i.code}: {where + ': ' if where else ''}{i.message} → {i.hint}", 2, width) + "\n")
    if built.catalog is None:
        out.write(f"Chưa dựng được bộ tiêu chí từ {args.book}: {len(errors)} lỗi, {len(warnings)} cảnh báo. Sửa sổ rồi chạy lại.\n")
        return EXIT_PROBLEMS
    cat = built.catalog
    written = f"; đã ghi {args.output}" if args.output else " (thêm -o TỆP.toml để ghi tệp bộ tiêu chí)"
    out.write(f"Sổ {args.book} hợp lệ: bộ tiêu chí {cat.id} phiên bản {cat.version}, {len(cat.pillars)} trụ cột, {len(cat.criteria)} tiêu chí, "
              f"{len(warnings)} cảnh báo{written}.\n")
    return EXIT_OK


def _generate(args: argparse.Namespace, out) -> int:
    _needs_openpyxl("tạo sổ Excel")
    from . import campaign as campaign_mod
    from . import catalog as catalog_mod
    from . import vn
    from .generate import generate

    campaign = campaign_mod.load(args.recipe)
    cat = catalog_mod.load(args.catalog or campaign.catalog)
    units = [campaign.unit(code) for code in args.unit] if args.unit else None
    target = args.out or Path("out") / f"so-danh-gia-{campaign.period}"
    show = sys.stderr.isatty()

    def progress(n: int, total: int, unit) -> None:
        if show:
            print(f"\r  [{n}/{total}] {unit.code:<10}", end="" if n < total else "\n", file=sys.stderr, flush=True)

    central = _central(args, cat, campaign)
    written = generate(cat, campaign, target, units, progress, formulas=args.formulas, central=central.values if central else None)

    levels = ", ".join(f"{sum(1 for g in written if g.level == k)} {v}" for k, v in cat.levels.items() if any(g.level == k for g in written))
    largest = max(g.size for g in written) / 1024
    out.write(f"Đã tạo {len(written)} sổ đánh giá ({levels}) cho kỳ {campaign.period}, bộ tiêu chí {cat.id}.\n")
    out.write(f"Thư mục: {target.resolve()}\n")
    out.write(f"Hạn gửi lại: {campaign.deadline_vi}. Tệp lớn nhất {vn.number(largest, 0)} KB. Danh sách: {target / 'manifest.json'}\n")
    if central is not None:
        out.write(f"Đã điền sẵn số liệu của Sở từ {args.central} ({len(central.values)} đơn vị).\n")
        for found in central.issues:
            out.write(_wrap(f"[cảnh báo] {found.code}: {found.cell and 'ô ' + found.cell + ': '}{found.message} → {found.hint}", 2, _width()) + "\n")
        if central.issues:
            return EXIT_PROBLEMS
    return EXIT_OK


class PipeSafe:
    """Standard output that outlives its reader (`hue-dx … | head`): once the reader has gone,
    what is written is dropped and the command runs to its end, so its exit code says what it
    found (a shell's pipefail or PIPESTATUS sees 1 when there is something to review)."""

    def __init__(self, stream):
        self.stream = stream
        self.closed_reader = False

    def write(self, text: str) -> int:
        if not self.closed_reader:
            try:
                self.stream.write(text)
            except BrokenPipeError:
                self.gone()
        return len(text)

    def flush(self) -> None:
        if not self.closed_reader:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self.gone()

    def gone(self) -> None:
        """The reader has gone: nothing more is written, and Python's own flush at exit finds nothing to complain of."""
        self.closed_reader = True
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())
        except (OSError, ValueError, AttributeError):  # a stream with no file descriptor (a test's StringIO)
            pass

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")  # Windows consoles default to a code page without Vietnamese
    parser = build_parser()
    args = parser.parse_args(argv)  # bad arguments: one Vietnamese line and exit 2 (argparse_vi.Parser.error)
    if args.command is None:
        parser.print_help()
        print("hue-dx: lỗi: chưa chọn lệnh (một trong các LỆNH ở trên)", file=sys.stderr)
        return EXIT_USAGE
    debug = args.debug or os.environ.get("HUEDX_DEBUG", "") not in ("", "0")
    import logging

    # Libraries (pyHanko, WeasyPrint, fontTools) log in English, some with a traceback; the
    # person reads hue-dx's own line instead, a developer sees them all with --debug.
    if not logging.getLogger().handlers:
        logging.getLogger().addHandler(logging.StreamHandler() if debug else logging.NullHandler())
    stdout = sys.stdout
    out = sys.stdout = PipeSafe(stdout)
    try:
        status = run(args, out)
        out.flush()  # a reader that has gone (`| head`) is noticed here at the latest, not at exit
        return status  # kept whether or not the reader read it all: `tasks consolidate … | head` still says 1
    except BrokenPipeError:  # from a write that went around the wrapper: the reader has gone, nothing is wrong
        out.gone()
        return EXIT_OK
    except KeyboardInterrupt:
        print("\nhue-dx: đã dừng theo yêu cầu (Ctrl+C); chạy lại lệnh để làm tiếp", file=sys.stderr)
        return EXIT_USAGE
    except (HueDxError, OSError) as exc:  # what a person can fix; a bug's KeyError or ValueError goes on below
        if debug:
            raise
        print(f"hue-dx: lỗi: {error_message(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # the last resort: a fault of hue-dx itself, still never a traceback for a user
        if debug:
            raise
        print(f"hue-dx: lỗi không lường trước ({type(exc).__name__}: {str(exc)[:200]}). Xin báo lỗi này cho người phát triển, "
              "kèm lệnh đã chạy; chạy lại với hue-dx --debug … để xem chi tiết.", file=sys.stderr)
        return EXIT_USAGE
    finally:
        sys.stdout = stdout


#: errno → what a person is told about a file the system refused
_OS_ERRORS = {
    errno.ENOENT: "không tìm thấy (hoặc không tạo được) tệp hay thư mục này", errno.EACCES: "không có quyền truy cập", errno.EPERM: "không có quyền truy cập",
    errno.EISDIR: "là một thư mục, không phải tệp", errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.ENOSPC: "ổ đĩa đã đầy", errno.EROFS: "ổ đĩa chỉ cho đọc", errno.EEXIST: "đã có",
    errno.ENAMETOOLONG: "tên quá dài", errno.EINVAL: "tên không hợp lệ",
}


def error_message(exc: BaseException) -> str:
    """The Vietnamese line for an error: the library's own words, or what the system refused and where."""
    if isinstance(exc, OSError) and "cannot load library" in str(exc):  # WeasyPrint without Pango (Windows: MSYS2)
        return f"thiếu thư viện Pango của hệ điều hành, cần để ghi PDF; cách cài: docs/install.md, mục PDF ({exc})"
    if isinstance(exc, OSError) and exc.errno is not None:
        what = _OS_ERRORS.get(exc.errno, f"lỗi hệ thống số {exc.errno}")
        where = " → ".join(str(name) for name in (exc.filename, exc.filename2) if name)
        return f"{where}: {what}" if where else what
    return str(exc)
