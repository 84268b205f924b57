"""The `hue-dx tasks …` commands (declared in ``tracking.cli``): list, check, show, unit, bodies,
periods, generate, consolidate, report, demo, mail. Each returns the exit status."""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

from .. import vn
from ..audit import DECIDED, ERROR, Finding
from ..commandline import EXIT_OK, EXIT_PROBLEMS
from . import audit, periods, roles
from . import recipe as recipe_mod
from . import tasks as tasks_mod
from .cli import DEFAULT_ARCHIVE, TasksUsageError
from .tasks import TaskCatalog


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
    if action == "consolidate":
        return _consolidate(catalog, args, out)
    if action == "report":
        return _report(catalog, args, out)
    if action == "choose":
        return _choose(catalog, args, out)
    if action == "demo":
        return _demo(catalog, args, out)
    if action == "mail":
        from ..outbox.commands import run_tracking

        return run_tracking(*_campaign(catalog, args), args, out)
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
              f"tổng kinh phí dự kiến {vn.billions(budget.summed('total'))}.\n")
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
                extra += f" · {vn.billions(row.total)}" if row.total is not None else " · -"
            if t.same_as:
                extra = f"báo cáo ở {t.same_as}"
            out.write(f"{t.id:<12}{_cut(t.text, text_width):<{text_width}} {_cut(t.lead, 30):<30} {extra}\n")
    out.write(f"\n{budget.label}: {len(budget.rows)} dòng kinh phí (dự án của Phụ lục 3); trung hạn {vn.billions(budget.summed('state'))}, "
              f"nguồn khác {vn.billions(budget.summed('other'))}, tổng {vn.billions(budget.summed('total'))}.\n")
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
        amounts = " · ".join(f"{catalog.budget.columns.get(k, k)}: {b.printed[k]}" + (f" ({vn.billions(v)})" if v is not None else "")
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


def _needs_openpyxl(what: str) -> None:
    try:
        import openpyxl  # noqa: F401  (the Excel edge needs it; the core does not)
    except ImportError:
        raise TasksUsageError(f'cần gói openpyxl để {what}: pip install "hue-dx[excel]"') from None


def _generate(catalog: TaskCatalog, args: argparse.Namespace, out) -> int:
    _needs_openpyxl("tạo sổ Excel")
    from .answers import load_previous
    from .generate import MANIFEST, generate

    catalog, recipe = _campaign(catalog, args)
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


def _campaign(catalog: TaskCatalog, args: argparse.Namespace) -> tuple[TaskCatalog, recipe_mod.Recipe]:
    recipe = recipe_mod.load(args.recipe)
    if recipe.tasks != catalog.id and not args.tasks:
        catalog = tasks_mod.load(recipe.tasks)
    return catalog, recipe


def _consolidate(catalog: TaskCatalog, args: argparse.Namespace, out) -> int:
    _needs_openpyxl("tổng hợp")
    from .figures import figures
    from .intake import InputError, consolidate
    from .outputs import write_answers, write_csv, write_json, write_workbook

    catalog, recipe = _campaign(catalog, args)
    quarter = periods.Quarter.parse(args.period)
    archive = args.archive or DEFAULT_ARCHIVE
    if not args.inputs and not (archive / "ledger.sqlite").is_file():
        raise TasksUsageError(f"Không có tệp nào để tổng hợp: chỉ ra các tệp, thư mục gửi về, hoặc một kho lưu trữ đã có ({archive} chưa có sổ cái)")
    target = args.out or Path("out") / f"tong-hop-quy-{quarter.id}"
    show = sys.stderr.isatty()

    def progress(done: int, total: int, seconds: float) -> None:
        if show and (done == total or done % 10 == 0):
            print(f"\r  đọc tệp {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)

    try:
        result = consolidate(catalog, recipe, quarter, list(args.inputs), archive, progress=progress)
    except InputError as exc:  # an input not found, or an assessment archive given for a quarterly one
        raise TasksUsageError(str(exc)) from None
    paths = {"workbook": target / f"tong-hop-{quarter.id}.xlsx", "json": target / f"tong-hop-{quarter.id}.json",
             "answers": target / f"tra-loi-{quarter.id}.json", "csv": target / "csv"}
    write_workbook(result, paths["workbook"])
    write_json(result, paths["json"])
    write_csv(result, paths["csv"])
    write_answers(result, paths["answers"])
    summary = result.summary
    f = figures(result)
    out.write(f"Đã đọc {vn.number(result.seen)} tệp ({vn.number(result.new)} tệp mới) trong {vn.number(result.seconds, 1)} giây; {quarter.title_vi}: "
              f"{f.units_reported}/{f.units} đơn vị đã báo cáo, {f.units_late} gửi muộn, {f.units_missing} chưa báo cáo.\n")
    counts = summary.by_appendix()
    out.write(f"Nhiệm vụ ({f.tasks}): " + ", ".join(f"{n} {s}" for s, n in sum(counts.values(), Counter()).most_common()) + ".\n")
    errors = sum(1 for i in result.issues if i.severity == "error")
    out.write(f"Cần xem: {errors} lỗi trong tệp, {f.conflict_tasks} nhiệm vụ có đơn vị phối hợp báo cáo khác đơn vị chủ trì "
              f"({f.conflict_pairs} cặp chủ trì – phối hợp), {f.tasks_overdue} nhiệm vụ quá hạn chưa hoàn thành.\n")
    if f.files_other_period or f.files_refused:
        out.write(f"Tệp không tính vào {quarter.vi}: {f.files_other_period} sổ của kỳ khác, {f.files_refused} tệp không dùng được "
                  "(trang 'Tệp đã nhận', 'Đơn vị').\n")
    if result.missing:
        out.write(_wrap("Chưa báo cáo: " + ", ".join(u.unit.name for u in result.missing), 0, _width()) + "\n")
    out.write(f"Bảng tổng hợp: {paths['workbook']}\nDữ liệu: {paths['json']}, {paths['csv']}/\n")
    out.write(f"Sổ quý sau điền sẵn từ: {paths['answers']}\n  hue-dx tasks generate --period {quarter.next.id} --previous {paths['answers']}\n")
    return EXIT_PROBLEMS if result.needs_review else EXIT_OK


def _choose(catalog: TaskCatalog, args: argparse.Namespace, out) -> int:
    from ..intake.choice import choose
    from .intake import Context, QuarterlyKind

    catalog, recipe = _campaign(catalog, args)
    quarter = periods.Quarter.parse(args.period)
    unit = recipe.unit(args.unit)
    kind = QuarterlyKind(Context(catalog, recipe, quarter))
    return choose(kind, args.archive or DEFAULT_ARCHIVE, (unit.code, unit.name), quarter.id, args.sha, args.reason, undo=args.undo,
                  rerun=f"hue-dx tasks consolidate --period {quarter.id}", out=out)


def _report(catalog: TaskCatalog, args: argparse.Namespace, out) -> int:
    from .intake import InputError, consolidate, was_consolidated
    from .report import signer_warning, write_letters, write_report

    catalog, recipe = _campaign(catalog, args)
    quarter = periods.Quarter.parse(args.period)
    archive = args.archive or DEFAULT_ARCHIVE
    if not (archive / "ledger.sqlite").is_file():
        raise TasksUsageError(f"Chưa có kho lưu trữ {archive}: chạy hue-dx tasks consolidate … --period {quarter.id} trước")
    if not was_consolidated(archive, quarter):  # a report is of a quarter consolidated as such, never of a stray file's
        raise TasksUsageError(f"{quarter.title_vi} chưa được tổng hợp trong kho {archive}: chạy hue-dx tasks consolidate … --period {quarter.id} trước")
    try:
        result = consolidate(catalog, recipe, quarter, [], archive, record=False)
    except InputError as exc:  # an assessment archive given for a quarterly one
        raise TasksUsageError(str(exc)) from None
    target = args.out or Path("out") / f"bao-cao-ubnd-quy-{quarter.id}"
    report = write_report(result, target, args.date)
    letters = write_letters(result, target / "thu-don-doc", args.date)
    out.write(f"Báo cáo {quarter.title_vi}: {report} (và .html)\n")
    out.write(f"{len(letters)} thư đôn đốc đơn vị gửi muộn hoặc chưa gửi: {target / 'thu-don-doc'}\n")
    warning = signer_warning(result)
    if warning:
        out.write(f"Cảnh báo: {warning}\n")
    return EXIT_PROBLEMS if result.needs_review or warning else EXIT_OK


def _demo(catalog: TaskCatalog, args: argparse.Namespace, out) -> int:
    import time

    _needs_openpyxl("chạy demo")
    from . import demo

    catalog, recipe = _campaign(catalog, args)
    started = time.perf_counter()
    run = demo.run(catalog, recipe, args.folder, args.year or demo.DEFAULT_YEAR, say=lambda text: out.write(text + "\n"))
    size = sum(p.stat().st_size for p in args.folder.rglob("*") if p.is_file())
    files = sum(1 for p in args.folder.rglob("*") if p.is_file())
    out.write(f"Xong trong {vn.number(time.perf_counter() - started, 1)} giây: {vn.number(files)} tệp, {vn.number(size / 1024 / 1024, 1)} MB "
              f"trong {args.folder}.\n"
              f"Mở {run.quarters[-1].report or run.quarters[-1].workbook} để xem báo cáo {periods.Quarter(run.year, 4).title_vi}; "
              f"{run.trend} để xem xu hướng của năm.\n")
    return EXIT_OK
