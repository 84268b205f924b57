"""`hue-dx tasks …`: the plan's tasks, their audit, reporting periods and the quarterly workbooks.

``add_parser(subparsers)`` declares the command group, ``run(args, out)`` carries it out and
returns the exit status (0 done; 1 done with something to review; 2 could not run, raised as an
error that ``hue_dx.cli.main`` turns into one Vietnamese line).
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..audit import Finding
    from .tasks import TaskCatalog


class _Later:
    """A module imported on first use: building the command line (hue-dx --help, any other
    command) must not load the tasks data and its TOML reader."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        import importlib

        return getattr(importlib.import_module(self._name, __package__), attr)


audit, periods, roles = _Later(".audit"), _Later(".periods"), _Later(".roles")
recipe_mod, tasks_mod = _Later(".recipe"), _Later(".tasks")
ERROR, DECIDED = "error", "decided"  # hue_dx.audit's severities (imported later; tests/test_tracking_cli.py checks they agree)
DEFAULT_TASKS, DEFAULT_RECIPE = "hue-222-2020-tasks", "tracking-hue-222.toml"  # likewise tasks.DEFAULT_TASKS, recipe.DEFAULT_RECIPE


def fmt_billion(value: float) -> str:
    return str(tasks_mod.fmt_billion(value))

EXIT_OK, EXIT_PROBLEMS = 0, 1


class TasksUsageError(ValueError):
    """The command cannot run as asked; the message says why in Vietnamese."""


def add_parser(subparsers) -> None:
    tasks = subparsers.add_parser(
        "tasks", help="nhiệm vụ của Kế hoạch (Phụ lục 1, 2, 3, 5, mục IV), kỳ báo cáo quý, sổ báo cáo quý của từng đơn vị",
        description="Các nhiệm vụ của Kế hoạch 222/KH-UBND dưới dạng dữ liệu: chỉ tiêu (Phụ lục 1), văn bản và chương trình (Phụ lục 2), "
                    "dự án (Phụ lục 3) với kinh phí (Phụ lục 5), nhiệm vụ thường xuyên (mục IV); đơn vị chủ trì, phối hợp. Không có VIỆC: in danh sách.")
    tasks.add_argument("--tasks", metavar="ID|TỆP", help=f"tệp nhiệm vụ (mặc định {DEFAULT_TASKS}; hoặc đường dẫn .toml)")
    tasks.add_argument("--recipe", metavar="TỆP", type=Path, help=f"tệp đợt báo cáo quý .toml (mặc định generator/{DEFAULT_RECIPE})")
    tasks.add_argument("--format", choices=("table", "json", "csv"), default="table", help="định dạng in danh sách (mặc định: table)")
    actions = tasks.add_subparsers(dest="tasks_action", metavar="VIỆC")
    check = actions.add_parser("check", help="kiểm tra tệp nhiệm vụ: tổng kinh phí in và cộng lại, Phụ lục 3 với Phụ lục 5, tên cơ quan, các quyết định",
                               description="Đối chiếu tổng kinh phí in trong Phụ lục 5 với tổng các dòng, từng dự án của Phụ lục 3 với dòng kinh phí, "
                                           "mọi tên cơ quan với danh sách đơn vị; đếm số dòng; liệt kê mọi quyết định. Thoát 1 nếu có lỗi.")
    check.add_argument("--format", dest="check_format", choices=("table", "json", "markdown"), default=None,
                       help="định dạng in ra (markdown: trang docs/tracking-decisions.md)")
    show = actions.add_parser("show", help="một nhiệm vụ: nguyên văn, chủ trì, phối hợp, năm, chỉ tiêu, kinh phí, quyết định",
                              description="In một nhiệm vụ (mã như PL1.3, PL2.I.5, PL3.B.2, IV.8.1, hoặc dòng kinh phí PL5.B.2).")
    show.add_argument("id", metavar="MÃ", help="mã nhiệm vụ, ví dụ PL3.A.I.1")
    unit = actions.add_parser("unit", help="những gì một đơn vị báo cáo mỗi quý: chỉ tiêu, nhiệm vụ chủ trì, phối hợp",
                              description="Liệt kê các chỉ tiêu và nhiệm vụ một đơn vị chủ trì (kể cả báo cáo thay cơ quan ngoài danh sách) và phối hợp.")
    unit.add_argument("code", metavar="MÃ_ĐƠN_VỊ", help="mã đơn vị trong danh sách, ví dụ STTTT")
    actions.add_parser("bodies", help="các cơ quan có tên trong Kế hoạch, cách viết, đơn vị tương ứng",
                       description="Bảng các cơ quan có tên trong Kế hoạch: mọi cách viết như in, đơn vị của danh sách hoặc ngoài danh sách, ai báo cáo thay.")
    per = actions.add_parser("periods", help="các kỳ báo cáo quý của một năm: thời gian chốt số liệu và hạn gửi",
                             description="Bốn kỳ báo cáo quý của một năm: thời gian chốt số liệu theo Điều 12 Nghị định 09/2019/NĐ-CP "
                                         "và hạn gửi theo cách tính của đợt báo cáo; quý IV cũng là báo cáo năm.")
    per.add_argument("year", metavar="NĂM", type=int, help="năm, ví dụ 2021")
    per.add_argument("--format", dest="periods_format", choices=("table", "json"), default="table", help="định dạng in ra")
    gen = actions.add_parser("generate", help="tạo sổ báo cáo quý Excel cho từng đơn vị",
                             description="Tạo cho mỗi đơn vị một sổ báo cáo quý: chỉ tiêu, nhiệm vụ chủ trì và phối hợp của đơn vị, ô nhập có kiểm tra, "
                                         "cột kiểm tra tự tính, điền sẵn số liệu quý trước nếu có. Ghi kèm manifest.json.")
    gen.add_argument("--period", metavar="KỲ", required=True, help="kỳ báo cáo, ví dụ 2021-Q3 hoặc 'quý III năm 2021'")
    gen.add_argument("--out", metavar="THƯ_MỤC", type=Path, help="thư mục ghi sổ (mặc định out/bao-cao-quy-KỲ)")
    gen.add_argument("--unit", metavar="MÃ", action="append", help="chỉ tạo cho đơn vị này (dùng nhiều lần cho nhiều đơn vị)")
    gen.add_argument("--previous", metavar="TỆP.json", type=Path,
                     help="số liệu tổng hợp quý trước để điền sẵn (JSON: tasks, period, units → mã nhiệm vụ → câu trả lời)")


def run(args: argparse.Namespace, out) -> int:
    action = getattr(args, "tasks_action", None)
    catalog = tasks_mod.load(args.tasks)
    if action == "periods":
        return _periods(args, out)
    if action == "check":
        return _check(catalog, args, out)
    if action == "show":
        _show(catalog, args.id, out)
        return EXIT_OK
    if action == "unit":
        recipe = recipe_mod.load(args.recipe)
        _unit(catalog, recipe, recipe.unit(args.code).code, out)
        return EXIT_OK
    if action == "bodies":
        _bodies(catalog, recipe_mod.load(args.recipe), out)
        return EXIT_OK
    if action == "generate":
        return _generate(catalog, args, out)
    if args.format == "json":
        json.dump(as_dict(catalog, recipe_mod.load(args.recipe).units), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif args.format == "csv":
        _csv(catalog, recipe_mod.load(args.recipe).units, out)
    else:
        _list(catalog, out)
    return EXIT_OK


# ------------------------------------------------------------------------------------ views


def _width() -> int:
    return max(80, min(shutil.get_terminal_size((120, 24)).columns, 160))


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _wrap(text: str, indent: int, width: int) -> str:
    return textwrap.fill(text, width=width, initial_indent=" " * indent, subsequent_indent=" " * indent)


def _list(catalog: TaskCatalog, out) -> None:
    width = _width()
    budget = catalog.budget
    out.write(f"{catalog.title} — {catalog.source.get('document', '')}, {catalog.source.get('parts', '')}\n")
    out.write(f"Tệp nhiệm vụ: {catalog.id} phiên bản {catalog.version}; {len(catalog.tasks)} dòng, "
              f"tổng kinh phí dự kiến {fmt_billion(budget.summed('total'))}.\n")
    text_width = max(30, width - 11 - 32 - 18)
    for appendix in catalog.appendices:
        rows = catalog.tasks_under(appendix.code)
        out.write(f"\n{appendix.label.upper()} — {appendix.title} ({len(rows)} dòng)\n")
        out.write(f"{'Mã':<12}{'Nội dung':<{text_width}} {'Chủ trì':<30} {'Năm / kinh phí':<16}\n")
        out.write("─" * min(width, 12 + text_width + 48) + "\n")
        group = None
        for t in rows:
            if t.group != group and t.group != appendix.code:
                group = t.group
                g = catalog.groups_by_code[group]
                out.write(f"{group:<12}{_cut(g.title.upper(), text_width)}\n")
            extra = t.target.describe() if t.target and t.kind == "indicator" else t.years or ""
            row = budget.by_project.get(t.id)
            if row is not None:
                extra += f" · {fmt_billion(row.total)}" if row.total is not None else " · -"
            if t.same_as:
                extra = f"báo cáo ở {t.same_as}"
            out.write(f"{t.id:<12}{_cut(t.text, text_width):<{text_width}} {_cut(t.lead, 30):<30} {extra}\n")
    out.write(f"\n{budget.label}: {len(budget.rows)} dòng kinh phí (dự án của Phụ lục 3); trung hạn {fmt_billion(budget.summed('state'))}, "
              f"nguồn khác {fmt_billion(budget.summed('other'))}, tổng {fmt_billion(budget.summed('total'))}.\n")
    out.write("Xem một nhiệm vụ: hue-dx tasks show MÃ   ·   Kiểm tra: hue-dx tasks check   ·   Một đơn vị: hue-dx tasks unit MÃ_ĐƠN_VỊ\n")


def as_dict(catalog: TaskCatalog, units) -> dict[str, Any]:
    """The tasks for machines: every row with its bodies resolved to unit codes, amounts in đồng."""
    def row(t) -> dict[str, Any]:
        budget = catalog.budget.by_project.get(t.id)
        return {
            "id": t.id, "appendix": t.appendix, "group": t.group, "kind": t.kind, "text": t.text, "lead": t.lead,
            "cooperating": t.cooperating, "doc_type": t.doc_type, "years": t.years, "start": t.start, "end": t.end,
            "target": None if t.target is None else {"value": t.target.value, "unit": t.target.unit, "year": t.target.year},
            "same_as": t.same_as,
            "lead_units": list(roles.lead_units(catalog, t, units)),
            "reporting_units": list(roles.reporting_units(catalog, t, units)),
            "cooperating_units": list(roles.cooperating_units(catalog, t, units)),
            "budget": None if budget is None else {"id": budget.id, **budget.amounts, "note": budget.note},
            "decisions": [{"topic": d.topic, "text": d.text} for d in t.decisions],
        }

    b = catalog.budget
    return {
        "id": catalog.id, "version": catalog.version, "title": catalog.title, "source": dict(catalog.source),
        "plan": {"start": catalog.plan_start, "end": catalog.plan_end}, "reporting": dict(catalog.reporting),
        "groups": [{"code": g.code, "label": g.label, "title": g.title, "parent": g.parent} for g in catalog.groups],
        "tasks": [row(t) for t in catalog.tasks],
        "budget": {"unit": b.unit, "columns": dict(b.columns), "stated": dict(b.stated),
                   "summed": {k: b.summed(k) for k in tasks_mod.BUDGET_COLUMNS}, "notes": dict(b.notes),
                   "rows": [{"id": r.id, "project": r.project, "text": r.text, "lead": r.lead, **r.amounts, "printed": dict(r.printed),
                             "note": r.note} for r in b.rows]},
        "bodies": [{"code": x.code, "name": x.name, "unit": x.unit, "levels": list(x.levels), "external": x.external,
                    "reported_by": x.reported_by, "spellings": list(x.spellings), "units": list(roles.units_of(x, units))}
                   for x in catalog.bodies],
        "decisions": [{"code": d.code, "topic": d.topic, "text": d.text} for d in catalog.all_decisions],
    }


def _csv(catalog: TaskCatalog, units, out) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "appendix", "group", "kind", "text", "lead", "cooperating", "reporting_units", "cooperating_units", "doc_type",
                     "years", "start", "end", "target_value", "target_unit", "target_year", "budget_state", "budget_other", "budget_total"])
    for t in catalog.tasks:
        b = catalog.budget.by_project.get(t.id)
        amounts = ["" if b is None or b.amounts[k] is None else b.amounts[k] for k in tasks_mod.BUDGET_COLUMNS]
        target = [t.target.value, t.target.unit, t.target.year or ""] if t.target else ["", "", ""]
        writer.writerow([t.id, t.appendix, t.group, t.kind, t.text, t.lead, t.cooperating,
                         " ".join(roles.reporting_units(catalog, t, units)), " ".join(roles.cooperating_units(catalog, t, units)),
                         t.doc_type, t.years, t.start, t.end, *target, *amounts])


def _show(catalog: TaskCatalog, task_id: str, out) -> None:
    width = _width()
    key = task_id.strip().upper()
    row = next((r for r in catalog.budget.rows if r.id.upper() == key), None)
    if row is not None:
        key = row.project
    t = catalog.task(key)
    path = " › ".join(f"{g.label or g.code} {g.title}" for g in catalog.group_path(t))
    out.write(f"{t.id}  [{t.kind_vi}]  {path}\n")
    out.write(_wrap(t.text, 2, width) + "\n")
    lead = catalog.resolve(t.lead)
    out.write(f"Chủ trì: {t.lead}  →  {', '.join(f'{b.name} ({b.unit or b.kind_vi})' for b in lead.bodies)}\n")
    if t.cooperating:
        coop = catalog.resolve(t.cooperating)
        out.write(f"Phối hợp: {t.cooperating}  →  {', '.join(f'{b.name} ({b.unit or b.kind_vi})' for b in coop.bodies)}\n")
    if t.doc_type:
        out.write(f"Loại hình: {t.doc_type}\n")
    out.write(f"Năm thực hiện: {t.years_vi}\n")
    if t.target:
        out.write(f"Chỉ tiêu: {t.target.describe()}\n")
    if t.same_as:
        out.write(f"Trùng với {t.same_as}: báo cáo ở dòng đó.\n")
    b = catalog.budget.by_project.get(t.id)
    if b is not None:
        amounts = " · ".join(f"{catalog.budget.columns.get(k, k)}: {b.printed[k]}" + (f" ({fmt_billion(v)})" if v is not None else "")
                             for k, v in b.amounts.items())
        out.write(f"Kinh phí ({b.id}, {catalog.budget.unit}): {amounts}\n")
        if b.note:
            out.write(_wrap(f"Ghi chú: {catalog.budget.notes[b.note]}", 2, width) + "\n")
        if b.text != t.text:
            out.write(_wrap(f"Lời văn ở {catalog.budget.label}: {b.text}", 2, width) + "\n")
    decisions = list(t.decisions) + (list(b.decisions) if b is not None else [])
    if decisions:
        out.write("Quyết định của hue-dx:\n")
        for d in decisions:
            out.write(_wrap(f"[{d.topic}] {d.text}", 2, width) + "\n")


def _unit(catalog: TaskCatalog, recipe, code: str, out) -> None:
    width = _width()
    duty = roles.duties(catalog, recipe.units)[code]
    out.write(f"{duty.unit.name} ({code}) báo cáo mỗi quý:\n")
    sections = [("Chỉ tiêu chủ trì (Phụ lục 1)", duty.indicators), ("Nhiệm vụ chủ trì", duty.tasks), ("Nhiệm vụ phối hợp", duty.cooperate)]
    for title, rows in sections:
        out.write(f"\n{title} ({len(rows)}):\n")
        if not rows:
            out.write("  (không có)\n")
        for t in rows:
            behalf = "[báo cáo thay " + ", ".join(b.name for b in roles.external_leads(catalog, t)) + "] " if t.id in duty.on_behalf else ""
            out.write(f"  {t.id:<12}{_cut(behalf + t.text, width - 16)}\n")


def _bodies(catalog: TaskCatalog, recipe, out) -> None:
    width = _width()
    names = {u.code: u.name for u in recipe.units}
    for b in catalog.bodies:
        units = roles.units_of(b, recipe.units)
        if b.external:
            target = "ngoài danh sách" + (f", {names.get(b.reported_by, b.reported_by)} báo cáo thay" if b.reported_by else "")
        elif b.unit:
            target = f"{b.unit} {names.get(b.unit, '(không có trong danh sách)')}"
        else:
            target = f"{len(units)} đơn vị ({', '.join(b.levels)})"
        out.write(f"{b.code:<9}{b.name} → {target}\n")
        out.write(_wrap("cách viết: " + " | ".join(b.spellings), 9, width) + "\n")


def _periods(args: argparse.Namespace, out) -> int:
    recipe = recipe_mod.load(args.recipe)
    rows = [recipe.period(q) for q in periods.quarters(args.year)]
    if args.periods_format == "json":
        json.dump({"year": args.year, "basis": periods.LEGAL_BASIS, "periods": [p.as_dict() for p in rows]}, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    out.write(f"Kỳ báo cáo năm {args.year}. Chốt số liệu: {periods.LEGAL_BASIS}.\n")
    out.write(f"Hạn gửi: {recipe.schedule.quarterly.describe()} (tệp {recipe.path.name}).\n\n")
    out.write(f"{'Kỳ':<10}{'Tên kỳ':<26}{'Chốt số liệu từ':<17}{'đến':<13}{'Hạn gửi':<13}\n")
    for p in rows:
        q = p.quarter
        note = f"  cũng là báo cáo năm (chốt {q.annual_cutoff_start:%d/%m/%Y}–{q.cutoff_end:%d/%m/%Y})" if q.is_annual else ""
        out.write(f"{q.id:<10}{q.vi:<26}{q.cutoff_start:%d/%m/%Y}       {q.cutoff_end:%d/%m/%Y}   {p.deadline_vi:<13}{note}\n")
    return EXIT_OK


def _check(catalog: TaskCatalog, args: argparse.Namespace, out) -> int:
    recipe = recipe_mod.load(args.recipe)
    findings = audit.audit(catalog, recipe.units)
    if args.check_format == "markdown":
        _markdown(catalog, findings, out)
    elif args.check_format == "json":
        json.dump({"tasks": catalog.id, "findings": [f.as_dict() for f in findings]}, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        _print_check(catalog, findings, out)
    return EXIT_PROBLEMS if audit.has_errors(findings) else EXIT_OK


def _print_check(catalog: TaskCatalog, findings: list[Finding], out) -> None:
    width = _width()
    out.write(f"Kiểm tra tệp nhiệm vụ {catalog.id} ({catalog.source.get('document', '')}, {catalog.source.get('parts', '')}): "
              f"{len(catalog.tasks)} dòng nhiệm vụ, {len(catalog.budget.rows)} dòng kinh phí, {len(catalog.bodies)} cơ quan.\n")
    sections = [
        ("Lỗi cần sửa trong tệp nhiệm vụ", [f for f in findings if f.severity == ERROR]),
        ("Tổng kinh phí và số dòng", [f for f in findings if f.severity not in (ERROR, DECIDED)]),
        ("Các chỗ Kế hoạch sai hoặc chưa rõ, và cách hue-dx đọc", [f for f in findings if f.severity == DECIDED]),
    ]
    for title, items in sections:
        out.write(f"\n{title} ({len(items)}):\n")
        if not items:
            out.write("  (không có)\n")
        for f in items:
            out.write(_wrap(f"{f.code:<12} [{f.topic}] {f.message}", 2, width) + "\n")
            if f.decision:
                out.write(_wrap("→ " + f.decision, 15, width) + "\n")
    n_errors = sum(1 for f in findings if f.severity == ERROR)
    n_decided = sum(1 for f in findings if f.severity == DECIDED)
    out.write(f"\nKết quả: {n_errors} lỗi, {n_decided} chỗ đã có quyết định.\n")


def _markdown(catalog: TaskCatalog, findings: list[Finding], out) -> None:
    """The tasks' decisions page of the docs, generated so that it cannot drift from the file."""
    b = catalog.budget
    out.write(f"# Các quyết định về cách đọc nhiệm vụ của Kế hoạch ({catalog.id})\n\n")
    out.write(f"Nguồn: {catalog.source.get('document', '')} ngày 21/10/2020 của {catalog.source.get('issuer', '')}, "
              f"{catalog.source.get('parts', '')}. {len(catalog.tasks)} dòng nhiệm vụ, {len(b.rows)} dòng kinh phí, {len(catalog.bodies)} cơ quan.\n\n")
    out.write("Trang này được sinh bằng `hue-dx tasks check --format markdown`; mỗi quyết định cũng nằm ngay bên dòng "
              "của nó trong tệp nhiệm vụ.\n\n")
    out.write("## Số dòng và tổng kinh phí\n\n| Mã | Nội dung |\n|---|---|\n")
    for f in findings:
        if f.severity not in (ERROR, DECIDED):
            out.write(f"| {f.code} | {f.message} |\n")
    out.write("\n## Quyết định\n\n| Mã | Chủ đề | Quyết định |\n|---|---|---|\n")
    for f in findings:
        if f.severity == DECIDED:
            out.write(f"| {f.code} | {f.topic} | {f.decision} |\n")
    errors = [f for f in findings if f.severity == ERROR]
    if errors:
        out.write("\n## Lỗi chưa sửa\n\n")
        for f in errors:
            out.write(f"- {f.code}: {f.message}\n")


def _generate(catalog: TaskCatalog, args: argparse.Namespace, out) -> int:
    try:
        import openpyxl  # noqa: F401  (the Excel edge needs it; the core does not)
    except ImportError:
        raise TasksUsageError('cần gói openpyxl để tạo sổ Excel: pip install "hue-dx[excel]"') from None
    from .answers import load_previous
    from .generate import MANIFEST, generate

    recipe = recipe_mod.load(args.recipe)
    if recipe.tasks != catalog.id and not args.tasks:
        catalog = tasks_mod.load(recipe.tasks)
    quarter = periods.Quarter.parse(args.period)
    previous = None
    if args.previous:
        tasks_id, previous_period, previous = load_previous(args.previous)
        if tasks_id and tasks_id != catalog.id:
            raise TasksUsageError(f"{args.previous}: số liệu của tệp nhiệm vụ {tasks_id}, không phải {catalog.id}")
        if previous_period and previous_period != quarter.previous.id:
            raise TasksUsageError(f"{args.previous}: số liệu kỳ {previous_period}, nhưng kỳ trước của {quarter.id} là {quarter.previous.id}")
    units = [recipe.unit(code) for code in args.unit] if args.unit else None
    target = args.out or Path("out") / f"bao-cao-quy-{quarter.id}"
    show = sys.stderr.isatty()

    def progress(n: int, total: int, unit) -> None:
        if show:
            print(f"\r  [{n}/{total}] {unit.code:<10}", end="" if n < total else "\n", file=sys.stderr, flush=True)

    written = generate(catalog, recipe, quarter, target, units, previous, progress)
    out.write(f"Đã tạo {len(written)} sổ báo cáo {quarter.title_vi} (tệp nhiệm vụ {catalog.id}).\n")
    out.write(f"Chốt số liệu {quarter.cutoff_vi}; hạn gửi {recipe.period(quarter).deadline_vi}."
              + (f" Đã điền sẵn số liệu {quarter.previous.vi}." if previous else "") + "\n")
    out.write(f"Thư mục: {target.resolve()}\nDanh sách: {target / MANIFEST}\n")
    return EXIT_OK

