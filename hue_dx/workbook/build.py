"""Build the official assessment workbook of one unit level with openpyxl.

The workbook is built once per level as a *template* whose unit-specific texts are tokens;
``stamp`` then writes each unit's file by replacing the tokens in the saved bytes, which is
what makes generating hundreds of workbooks fast. Building a whole workbook per unit (the
obvious way, kept for the benchmark) goes through the same code with real values.

Sheets: Hướng dẫn (guide), Thông tin đơn vị (unit), one per pillar, Tổng hợp (summary with
chart and signature block). Columns of a pillar sheet:

    A Mã | B Nội dung | C Cách tính điểm | D Số liệu | E Điểm tối đa | F Điểm | G Trạng thái |
    H–K Tài liệu kiểm chứng (số, ngày, trích yếu, đường dẫn) | L Tối đa áp dụng | M row kind (hidden)

A criterion takes one row (score, status, evidence) and each of its inputs one row below it
(label, the cell to fill, its own check).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .. import __version__, names, vn
from ..campaign import Campaign
from ..catalog import Catalog, Criterion, Group, Unscored, code_key
from ..documents import full_name, heading_lines
from ..totals import BONUS, PENALTY, SCORE, xl_adjusted, xl_bonus, xl_grade, xl_index, xl_penalty
from . import formulas as fx
from .identity import fingerprint
from .style import (
    BORDER,
    CENTER,
    FILL_CENTRAL,
    FILL_EVIDENCE,
    FILL_FORMULA,
    FILL_GROUP,
    FILL_HEADER,
    FILL_INPUT,
    FILL_NA,
    PROTECTION_PASSWORD,
    fit_rows,
    font,
    print_setup,
    protect,
    put,
    put_formula,
    ref,
    style_chart,
    validation,
    write,
    write_formula,
)

TOKENS = {"unit_code": "HDXTKUNITCODEX", "unit_name": "HDXTKUNITNAMEX", "unit_name_upper": "HDXTKUNITUPPERX",
          "generation_id": "HDXTKGENIDX", "unit_parent": "HDXTKUNITPARENTX", "unit_place": "HDXTKUNITPLACEX"}
HEADING_CHARS = 34  # capitals of 12 pt bold that fit the summary sheet's heading column (A:B)


def heading_of(name: str) -> list[str]:
    """The lines an issuing body's name takes in the summary sheet's heading (whole word groups)."""
    return heading_lines(full_name(name), lambda text: len(text) <= HEADING_CHARS)


def with_derived(values: dict[str, str]) -> dict[str, str]:
    """Unit values plus the texts derived from them: the issuing body in capitals, cut into
    lines between word groups (``unit_heading``: its name in full, else ``unit_name``), the
    parent body's line above it ("" for none) and the place of the date line."""
    parent = values.get("unit_parent", "")
    return {**values,
            "unit_name_upper": values.get("unit_name_upper") or "\n".join(heading_of(values.get("unit_heading") or values["unit_name"])),
            "unit_parent": parent.upper(),
            "unit_place": values.get("unit_place") or "……………"}
SHEET_GUIDE, SHEET_UNIT, SHEET_SUMMARY = "Hướng dẫn", "Thông tin đơn vị", "Tổng hợp"


HEADER_ROW = 4
FIRST_ROW = 5

COLUMNS = [("Mã", 8), ("Nội dung", 46), ("Cách tính điểm / loại số liệu", 40), ("Số liệu", 14), ("Điểm tối đa", 8),
           ("Điểm", 8), ("Trạng thái", 24), ("Số, ký hiệu", 13), ("Ngày", 11), ("Trích yếu", 22),
           ("Đường dẫn hoặc giải trình", 22), ("Tối đa áp dụng", 8), ("Loại", 5)]
EVIDENCE_COLUMNS = "".join(names.EVIDENCE_COLUMNS)  # on the criterion's row, beside its score (see names.py)
KIND_CRITERION, KIND_INPUT, KIND_GROUP, KIND_UNSCORED, KIND_TOTAL = "TC", "SL", "NH", "KD", "TONG"
# Bonus and penalty criteria rows: kept apart from "TC" so that the max and the base points add up
# only the scored criteria (SUMIF on "TC"), and their own points are capped apart.
KIND_BONUS, KIND_PENALTY = "TH", "TR"
ROW_KIND = {SCORE: KIND_CRITERION, BONUS: KIND_BONUS, PENALTY: KIND_PENALTY}
MAX_FORMAT = {SCORE: "0.##", BONUS: "+0.##", PENALTY: "-0.##"}  # "+3" most it adds, "-5" most it subtracts
SCORE_FORMAT = {SCORE: "0.00", BONUS: "+0.00", PENALTY: "0.00"}

TYPE_HINTS = {"count": "Số nguyên ≥ 0", "number": "Số ≥ 0", "amount": "Số tiền (đồng) ≥ 0", "yesno": "Chọn Có/Không",
              "choice": "Chọn một mức trong danh sách"}















@dataclass
class Built:
    """A built workbook and what the rest of hue-dx needs to know about it."""

    data: bytes
    fingerprint: str
    names: dict[str, str] = field(default_factory=dict)  # defined name -> destination


def build(catalog: Catalog, campaign: Campaign, level: str, values: dict[str, str] | None = None, formulas: str = "native") -> Built:
    """The workbook of one level. ``values`` fills unit_code, unit_name and generation_id;
    without it the tokens of TOKENS stay in place, to be replaced by ``stamp``.

    ``formulas="udf"`` writes score and status cells that call the add-in's worksheet
    functions (HUEDX_SCORE, HUEDX_STATUS), for desks that have the add-in; the default native
    formulas compute everywhere."""
    if formulas not in ("native", "udf"):
        raise ValueError(f"formulas phải là 'native' hoặc 'udf', gặp {formulas!r}")
    values = with_derived(values) if values else dict(TOKENS)
    wb = Workbook()
    wb._named_styles["Normal"].font = font()  # empty cells print in the same font
    guide = wb.active
    guide.title = SHEET_GUIDE
    unit_ws = wb.create_sheet(SHEET_UNIT)
    pillar_totals: dict[str, dict[str, str]] = {}
    name_map: dict[str, str] = {}
    for pillar in catalog.pillars:
        ws = wb.create_sheet(pillar.sheet_name)
        pillar_totals[pillar.code] = _pillar_sheet(ws, catalog, campaign, pillar, level, values, name_map, formulas)
    summary = wb.create_sheet(SHEET_SUMMARY)
    _summary_sheet(summary, catalog, campaign, level, values, pillar_totals, name_map)
    _unit_sheet(unit_ws, catalog, campaign, level, values, name_map)
    _guide_sheet(guide, catalog, campaign, values)
    for name, destination in name_map.items():
        wb.defined_names[name] = DefinedName(name, attr_text=destination)
    print_ = fingerprint(wb)
    identity = {"catalog_id": catalog.id, "catalog_version": catalog.version, "period": campaign.period,
                "unit_code": values["unit_code"], "level": level, "generation_id": values["generation_id"], "fingerprint": print_}
    for key, value in identity.items():
        name = names.identity_name(key)
        wb.defined_names[name] = DefinedName(name, attr_text='"' + value.replace('"', '""') + '"')
        wb.custom_doc_props.append(StringProperty(name=name, value=value))
    wb.custom_doc_props.append(StringProperty(name="hdx_generator", value=f"hue-dx {__version__}"))
    wb.properties.title = f"Phiếu tự đánh giá chuyển đổi số {campaign.period} – {values['unit_name']}"
    wb.properties.subject = f"{catalog.title} ({catalog.id} {catalog.version})"
    wb.properties.creator = f"hue-dx {__version__}"
    wb.properties.keywords = f"{catalog.id}; {campaign.period}; {values['unit_code']}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return Built(buffer.getvalue(), print_, name_map)


# --------------------------------------------------------------------------------- helpers









# ----------------------------------------------------------------------------- pillar sheet


def _pillar_sheet(ws, catalog: Catalog, campaign: Campaign, pillar: Group, level: str, values, name_map, formulas: str) -> dict[str, str]:
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.column_dimensions["M"].hidden = True
    ws.merge_cells("A1:L1")
    put(ws, "A1", f"PHIẾU TỰ ĐÁNH GIÁ CHUYỂN ĐỔI SỐ NĂM {campaign.period} — TRỤ CỘT {pillar.code}: {pillar.title.upper()}",
         f=font(13, bold=True), border=False, align=Alignment(vertical="center"))
    ws.merge_cells("A2:L2")
    put(ws, "A2", f"Đơn vị: {values['unit_name']} · Bộ tiêu chí: {catalog.id} (phiên bản {catalog.version}) · "
                   f"Hạn gửi: {campaign.deadline_vi}", f=font(11, italic=True), border=False)
    ws.merge_cells("A3:L3")
    central = " · Ô màu tím: số liệu do Sở cung cấp, không sửa" if catalog.central_inputs else ""
    put(ws, "A3", f"Ô màu vàng: nhập số liệu · Ô màu xanh: tài liệu kiểm chứng · Ô màu xám: tự tính, không sửa{central}. "
                   "Xem trang Hướng dẫn.", f=font(10, italic=True, color="555555"), border=False)
    for i, (title, _) in enumerate(COLUMNS, start=1):
        put(ws, f"{get_column_letter(i)}{HEADER_ROW}", title, f=font(10, bold=True), fill=FILL_HEADER, align=CENTER)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.freeze_panes = f"C{FIRST_ROW}"

    validations: dict[tuple, DataValidation] = {}
    items: list = [g for g in catalog.groups if g.code.startswith(pillar.code + ".")]
    items += list(catalog.criteria_under(pillar.code))
    items += [u for u in catalog.unscored if u.code.startswith(pillar.code + ".")]
    items.sort(key=lambda item: code_key(item.code))
    row = FIRST_ROW
    group_rows: dict[str, int] = {}
    for item in items:
        if isinstance(item, Group):
            group_rows[item.code] = row
            _group_row(ws, row, item, catalog)
            row += 1
        elif isinstance(item, Unscored):
            _unscored_row(ws, row, item)
            row += 1
        else:
            row = _criterion_rows(ws, row, item, level, validations, name_map, formulas, catalog.id)
    last = row - 1
    for code, start in group_rows.items():
        end = start
        while end + 1 <= last and _belongs(ws.cell(end + 1, 1).value, ws, end + 1, code):
            end += 1
        kinds = {ws.cell(r, 13).value for r in range(start + 1, end + 1)}
        for col in ("F", "L"):
            # a group shows its criteria's points, bonus and penalty included; the max only the scored ones
            found = (KIND_CRITERION, KIND_BONUS, KIND_PENALTY) if col == "F" else (KIND_CRITERION,)
            terms = [f'SUMIF($M${start + 1}:$M${end},"{kind}",{col}{start + 1}:{col}{end})' for kind in found
                     if kind == KIND_CRITERION or kind in kinds]
            write_formula(ws[f"{col}{start}"], "=" + "+".join(terms))
    for dv in validations.values():
        ws.add_data_validation(dv)
    totals, written = _pillar_totals(ws, catalog, pillar, row, last)
    for what in ("points", "max", "index", "base", "bonus", "penalty"):
        if what in totals:
            name_map[names.pillar_name(pillar.code, what)] = totals[what]
    index = row + written - 1
    ws.conditional_formatting.add(f"G{FIRST_ROW}:G{last}", FormulaRule(formula=[f'LEFT(G{FIRST_ROW},3)="lỗi"'], font=Font(color="C00000", bold=True)))
    ws.conditional_formatting.add(f"G{FIRST_ROW}:G{last}", FormulaRule(formula=[f'LEFT(G{FIRST_ROW},5)="thiếu"'], font=Font(color="C65911")))
    ws.conditional_formatting.add(f"G{FIRST_ROW}:G{last}", FormulaRule(formula=[f'G{FIRST_ROW}="{fx.OK_TEXT}"'], font=Font(color="375623")))
    totals.update({"status_range": f"{quote_sheetname(ws.title)}!$G${FIRST_ROW}:$G${last}",
                   "kind_range": f"{quote_sheetname(ws.title)}!$M${FIRST_ROW}:$M${last}"})
    ws.print_area = f"A1:L{index}"
    fit_rows(ws)
    print_setup(ws, landscape=True, footer=f"{values['unit_name']} – Tự đánh giá chuyển đổi số {campaign.period} – {pillar.sheet_name}")
    protect(ws)
    return totals


def _pillar_totals(ws, catalog: Catalog, pillar: Group, row: int, last: int) -> tuple[dict[str, str], int]:
    """The total rows under a pillar's criteria, from ``row``: its points and index; where the
    pillar has bonus or penalty criteria, first its criteria's points, its bonus and its penalty
    (each within the pillar's cap), then the points after them (``totals``). Returns the
    references of each figure and the number of rows written."""
    bonus, penalty = catalog.with_role(BONUS, pillar.code), catalog.with_role(PENALTY, pillar.code)
    policy = catalog.totals
    lines: list[tuple[str, str]] = []
    if bonus or penalty:
        lines.append(("base", f"Điểm các tiêu chí trụ cột {pillar.code}"))
        if bonus:
            lines.append(("bonus", "Điểm thưởng" + (f" (tối đa {vn.number(pillar.bonus_cap)} điểm)" if pillar.bonus_cap else "")))
        if penalty:
            lines.append(("penalty", "Điểm trừ" + (f" (trừ tối đa {vn.number(pillar.penalty_cap)} điểm)" if pillar.penalty_cap else "")))
        lines += [("points", f"TỔNG ĐIỂM TRỤ CỘT {pillar.code} (sau thưởng, trừ)"),
                  ("index", "Chỉ số trụ cột ((điểm + thưởng − trừ) / tối đa áp dụng)")]
    else:
        lines += [("points", f"TỔNG ĐIỂM TRỤ CỘT {pillar.code}"), ("index", "Chỉ số trụ cột (điểm / tối đa áp dụng, 0–1)")]
    at = {key: row + n for n, (key, _) in enumerate(lines)}
    for key, label in lines:
        r = at[key]
        ws.merge_cells(f"A{r}:D{r}")
        put(ws, f"A{r}", label, f=font(bold=key in ("points", "index")), fill=FILL_GROUP)
        for col in "BCDEGHIJKL":
            ws[f"{col}{r}"].border = BORDER
            ws[f"{col}{r}"].fill = FILL_GROUP
        _kind(ws, r, KIND_TOTAL)

    def sumif(kind: str, col: str = "F") -> str:
        return f'SUMIF($M${FIRST_ROW}:$M${last},"{kind}",{col}{FIRST_ROW}:{col}{last})'

    bold = font(bold=True)
    first = at.get("base", at["points"])
    put(ws, f"E{first}", catalog.max_of(pillar.code), f=bold, fill=FILL_GROUP, fmt="0.##")
    put_formula(ws, f"F{first}", "=" + sumif(KIND_CRITERION), f=bold, fill=FILL_GROUP, fmt="0.00")
    put_formula(ws, f"L{first}", "=" + sumif(KIND_CRITERION, "L"), f=bold, fill=FILL_GROUP, fmt="0.##")
    out: dict[str, str] = {}
    if "base" in at:
        p = at["points"]
        if bonus:
            put_formula(ws, f"F{at['bonus']}", "=" + xl_bonus(sumif(KIND_BONUS), pillar.bonus_cap), f=bold, fill=FILL_GROUP, fmt="+0.00")
            out["bonus"] = ref(ws, f"F{at['bonus']}")
        if penalty:
            put_formula(ws, f"F{at['penalty']}", "=" + xl_penalty(sumif(KIND_PENALTY), pillar.penalty_cap), f=bold, fill=FILL_GROUP, fmt="0.00")
            out["penalty"] = ref(ws, f"F{at['penalty']}")
        put(ws, f"E{p}", catalog.max_of(pillar.code), f=bold, fill=FILL_GROUP, fmt="0.##")
        adjusted = xl_adjusted(f"F{first}", f"F{at['bonus']}" if bonus else None, f"F{at['penalty']}" if penalty else None, policy.floor)
        put_formula(ws, f"F{p}", "=" + adjusted, f=bold, fill=FILL_GROUP, fmt="0.00")
        put_formula(ws, f"L{p}", f"=L{first}", f=bold, fill=FILL_GROUP, fmt="0.##")
        put_formula(ws, f"F{at['index']}", "=" + xl_index(f"F{p}", f"L{p}", policy.index_max), f=bold, fill=FILL_GROUP, fmt="0.0000")
        out["base"] = ref(ws, f"F{first}")
    else:
        p = at["points"]
        put_formula(ws, f"F{at['index']}", f'=IF(L{p}>0,F{p}/L{p},"")', f=bold, fill=FILL_GROUP, fmt="0.0000")
    out.update({"points": ref(ws, f"F{at['points']}"), "max": ref(ws, f"L{at['points']}"), "index": ref(ws, f"F{at['index']}")})
    return out, len(lines)


def _kind(ws: Worksheet, row: int, kind: str) -> None:
    """The hidden column M says what a row is; totals add up only criterion rows (SUMIF on "TC")."""
    write(ws[f"M{row}"], kind)
    ws[f"M{row}"].font = font(8)


def _belongs(code_value, ws, row: int, group: str) -> bool:
    """Whether a row lies inside a group's block: input rows follow their criterion."""
    if ws.cell(row, 13).value == KIND_INPUT:
        return True
    return isinstance(code_value, str) and code_value.startswith(group + ".")


def _group_row(ws, row: int, group: Group, catalog: Catalog) -> None:
    put(ws, f"A{row}", group.code, f=font(bold=True), fill=FILL_GROUP)
    ws.merge_cells(f"B{row}:D{row}")
    put(ws, f"B{row}", group.title, f=font(bold=True), fill=FILL_GROUP)
    put(ws, f"E{row}", catalog.max_of(group.code), f=font(bold=True), fill=FILL_GROUP, fmt="0.##")
    for col in "CDFGHIJKL":
        ws[f"{col}{row}"].border = BORDER
        ws[f"{col}{row}"].fill = FILL_GROUP
    ws[f"F{row}"].font = font(bold=True)
    ws[f"F{row}"].number_format = "0.00"
    ws[f"L{row}"].font = font()
    ws[f"L{row}"].number_format = "0.##"
    _kind(ws, row, KIND_GROUP)


def _unscored_row(ws, row: int, item: Unscored) -> None:
    put(ws, f"A{row}", item.code, fill=FILL_FORMULA)
    put(ws, f"B{row}", item.title, fill=FILL_FORMULA)
    ws.merge_cells(f"C{row}:K{row}")
    put(ws, f"C{row}", f"Không có điểm riêng: số liệu nhập ở tiêu chí {item.scored_in}, chấm chung với tiêu chí đó.",
         f=font(italic=True), fill=FILL_FORMULA)
    ws[f"L{row}"].border = BORDER
    _kind(ws, row, KIND_UNSCORED)


def _criterion_rows(ws, row: int, c: Criterion, level: str, validations, name_map, formulas: str = "native",
                    catalog_id: str = "") -> int:
    applies = c.applies(level)
    top = row
    inputs = {i.key: f"$D${top + 1 + n}" for n, i in enumerate(c.inputs)}
    checks = {i.key: f"$G${top + 1 + n}" for n, i in enumerate(c.inputs)}
    cells = fx.CriterionCells(max_ref=f"$E${top}", status_ref=f"$G${top}", inputs=inputs, checks=checks)
    how = c.how if not c.decisions else f"{c.how}\n— hue-dx chấm: {c.describe()}"
    shade = None if applies else FILL_NA
    grey = None if applies else "808080"
    put(ws, f"A{top}", c.code, f=font(bold=True, color=grey), fill=shade)
    put(ws, f"B{top}", c.title, f=font(bold=True, color=grey), fill=shade)
    put(ws, f"C{top}", how, f=font(10, color=grey), fill=shade)
    put(ws, f"D{top}", None, fill=shade or FILL_FORMULA)
    role = c.role
    put(ws, f"E{top}", c.max, fill=shade or FILL_FORMULA, fmt=MAX_FORMAT[role], align=CENTER)
    if applies:
        score, status = (fx.udf_formulas(c, cells, catalog_id) if formulas == "udf" else (fx.score_formula(c, cells), fx.status_formula(c, cells)))
        put_formula(ws, f"F{top}", score, fill=FILL_FORMULA, fmt=SCORE_FORMAT[role], align=CENTER)
        put_formula(ws, f"G{top}", status, fill=FILL_FORMULA)
        # bonus and penalty never enter the max (totals)
        if role == SCORE:
            put_formula(ws, f"L{top}", fx.amax_formula(cells), fill=FILL_FORMULA, fmt="0.##", align=CENTER)
        else:
            put(ws, f"L{top}", 0, fill=FILL_FORMULA, fmt="0.##", align=CENTER)
        for col in names.EVIDENCE_COLUMNS:
            put(ws, f"{col}{top}", None, fill=FILL_EVIDENCE, unlocked=True, fmt="@")
    else:
        put(ws, f"F{top}", None, fill=shade)
        put(ws, f"G{top}", fx.NA_TEXT, f=font(color=grey), fill=shade)
        put(ws, f"L{top}", 0, fill=shade, fmt="0.##", align=CENTER)
        for col in EVIDENCE_COLUMNS:
            put(ws, f"{col}{top}", None, fill=shade)
    _kind(ws, top, ROW_KIND[role])
    name_map[names.score_name(c.code)] = ref(ws, f"F{top}")
    name_map[names.status_name(c.code)] = ref(ws, f"G{top}")
    name_map[names.amax_name(c.code)] = ref(ws, f"L{top}")
    for n, spec in enumerate(c.inputs):
        r = top + 1 + n
        hint = TYPE_HINTS[spec.type] + (f", tối đa {vn.whole(spec.max)}" if spec.max is not None else "")
        hint += "" if spec.required else f" — để trống = {vn.number(spec.default or 0)}"
        if spec.central:
            hint = f"Số liệu do Sở cung cấp cho mọi đơn vị: điền sẵn, không sửa ({hint[0].lower() + hint[1:]})"
        put(ws, f"A{r}", None, fill=shade)
        put(ws, f"B{r}", f"{spec.key}: {spec.label}", f=font(color=grey), fill=shade)
        put(ws, f"C{r}", hint, f=font(10, italic=True, color=grey), fill=shade)
        for col in "EFHIJKL":
            put(ws, f"{col}{r}", None, fill=shade)
        if applies and spec.central:
            # Locked: the Sở's figure is stamped in for each unit (stamp.Template), and the
            # consolidation uses the Sở's own figures whatever the cell holds (hue_dx.central).
            put(ws, f"D{r}", None, fill=FILL_CENTRAL, align=CENTER)
            put_formula(ws, f"G{r}", fx.check_formula(spec, inputs[spec.key]), f=font(10), fill=FILL_FORMULA)
        elif applies:
            put(ws, f"D{r}", None, fill=FILL_INPUT, unlocked=True, align=CENTER)
            put_formula(ws, f"G{r}", fx.check_formula(spec, inputs[spec.key]), f=font(10), fill=FILL_FORMULA)
            key = (spec.type, spec.choices, spec.max)
            if key not in validations:
                validations[key] = validation(spec)
            validations[key].add(f"D{r}")
        else:
            put(ws, f"D{r}", None, fill=shade)
            put(ws, f"G{r}", None, fill=shade)
        _kind(ws, r, KIND_INPUT)
        name_map[names.input_name(c.code, spec.key)] = ref(ws, f"D{r}")
    return top + 1 + len(c.inputs)


# ----------------------------------------------------------------------------- other sheets


def _summary_columns(catalog: Catalog) -> list[tuple[str, str, int]]:
    """(key, heading, width) of the summary table: a set with bonus or penalty shows each pillar's
    criteria points, bonus and penalty before its points."""
    adjusted = catalog.with_role(BONUS) or catalog.with_role(PENALTY)
    cols = [("n", "STT", 6), ("pillar", "Trụ cột", 42 if not adjusted else 34)]
    if adjusted:
        cols += [("base", "Điểm các tiêu chí", 9), ("bonus", "Điểm thưởng", 9), ("penalty", "Điểm trừ", 9)]
    cols += [("points", "Điểm đạt", 11 if not adjusted else 9), ("max", "Điểm tối đa áp dụng", 11 if not adjusted else 9),
             ("index", "Chỉ số (0–1)", 11 if not adjusted else 9), ("missing", "Tiêu chí thiếu số liệu", 10 if not adjusted else 9),
             ("invalid", "Tiêu chí lỗi", 10 if not adjusted else 8)]
    return cols


def _summary_sheet(ws, catalog: Catalog, campaign: Campaign, level: str, values, totals, name_map) -> None:
    cols = _summary_columns(catalog)
    at = {key: get_column_letter(n) for n, (key, _, _) in enumerate(cols, start=1)}
    last_col = get_column_letter(len(cols))
    for key, _, width in cols:
        ws.column_dimensions[at[key]].width = width
    policy = catalog.totals
    adjusted = "base" in at
    # Parent body (regular) over the issuing body (bold), cut between word groups; the rows are as
    # tall as the longest heading of the level's units needs, since the template is stamped for
    # every unit (Nghị định 30/2020: a name is never broken inside a word group).
    units = [u for u in campaign.units if u.level == level]
    has_parent = any(u.parent for u in units) or not units
    if has_parent:
        ws.merge_cells("A1:B1")
        put(ws, "A1", values["unit_parent"], f=font(12), align=CENTER, border=False)
    ws.merge_cells("A2:B3" if has_parent else "A1:B3")
    put(ws, "A2" if has_parent else "A1", values["unit_name_upper"], f=font(12, bold=True),
         align=Alignment(horizontal="center", vertical="top", wrap_text=True), border=False)
    ws.merge_cells(f"C1:{last_col}1")
    put(ws, "C1", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", f=font(12, bold=True), align=CENTER, border=False)
    ws.merge_cells(f"C2:{last_col}2")
    put(ws, "C2", "Độc lập - Tự do - Hạnh phúc", f=font(13, bold=True), align=Alignment(horizontal="center", vertical="top"), border=False)
    ws.merge_cells(f"A4:{last_col}4")
    put(ws, "A4", f"BẢNG TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ CHUYỂN ĐỔI SỐ NĂM {campaign.period}", f=font(14, bold=True), align=CENTER, border=False)
    ws.merge_cells(f"A5:{last_col}5")
    put(ws, "A5", f"(Theo {catalog.source.get('appendix', '')} {catalog.source.get('document', '')}; bộ tiêu chí {catalog.id}, phiên bản {catalog.version})",
         f=font(11, italic=True), align=CENTER, border=False)
    for key, heading, _ in cols:
        put(ws, f"{at[key]}7", heading, f=font(10, bold=True), fill=FILL_HEADER, align=CENTER)
    row = 8
    for n, pillar in enumerate(catalog.pillars, start=1):
        t = totals[pillar.code]
        put(ws, f"{at['n']}{row}", n, align=CENTER)
        put(ws, f"{at['pillar']}{row}", pillar.sheet_name)
        if adjusted:
            put_formula(ws, f"{at['base']}{row}", f"={t.get('base', t['points'])}", fill=FILL_FORMULA, fmt="0.00", align=CENTER)
            if "bonus" in t:
                put_formula(ws, f"{at['bonus']}{row}", f"={t['bonus']}", fill=FILL_FORMULA, fmt="+0.00", align=CENTER)
            else:
                put(ws, f"{at['bonus']}{row}", 0, fill=FILL_FORMULA, fmt="+0.00", align=CENTER)
            if "penalty" in t:
                put_formula(ws, f"{at['penalty']}{row}", f"={t['penalty']}", fill=FILL_FORMULA, fmt="0.00", align=CENTER)
            else:
                put(ws, f"{at['penalty']}{row}", 0, fill=FILL_FORMULA, fmt="0.00", align=CENTER)
        put_formula(ws, f"{at['points']}{row}", f"={t['points']}", fill=FILL_FORMULA, fmt="0.00", align=CENTER)
        put_formula(ws, f"{at['max']}{row}", f"={t['max']}", fill=FILL_FORMULA, fmt="0.##", align=CENTER)
        put_formula(ws, f"{at['index']}{row}", f"={t['index']}", fill=FILL_FORMULA, fmt="0.0000", align=CENTER)
        put_formula(ws, f"{at['missing']}{row}", f'=COUNTIF({t["status_range"]},"thiếu số liệu*")', fill=FILL_FORMULA, align=CENTER)
        put_formula(ws, f"{at['invalid']}{row}", f'=COUNTIF({t["status_range"]},"lỗi*")', fill=FILL_FORMULA, align=CENTER)
        row += 1
    first, last, total = 8, row - 1, row
    ws.merge_cells(f"A{total}:B{total}")
    put(ws, f"A{total}", "TỔNG CỘNG", f=font(bold=True), align=CENTER)
    ws[f"B{total}"].border = BORDER
    bold = font(bold=True)

    def column_sum(key: str) -> str:
        return f"SUM({at[key]}{first}:{at[key]}{last})"

    if adjusted:
        put_formula(ws, f"{at['base']}{total}", "=" + column_sum("base"), f=bold, fill=FILL_FORMULA, fmt="0.00", align=CENTER)
        put_formula(ws, f"{at['bonus']}{total}", "=" + xl_bonus(column_sum("bonus"), policy.bonus_cap), f=bold, fill=FILL_FORMULA, fmt="+0.00", align=CENTER)
        put_formula(ws, f"{at['penalty']}{total}", "=" + xl_penalty(column_sum("penalty"), policy.penalty_cap), f=bold, fill=FILL_FORMULA, fmt="0.00",
             align=CENTER)
        points = "=" + xl_adjusted(f"{at['base']}{total}", f"{at['bonus']}{total}", f"{at['penalty']}{total}", policy.floor)
        index = "=" + xl_index(f"{at['points']}{total}", f"{at['max']}{total}", policy.index_max)
    else:
        points = "=" + column_sum("points")
        index = f'=IF({at["max"]}{total}>0,{at["points"]}{total}/{at["max"]}{total},"")'
    put_formula(ws, f"{at['points']}{total}", points, f=bold, fill=FILL_FORMULA, fmt="0.00", align=CENTER)
    put_formula(ws, f"{at['max']}{total}", "=" + column_sum("max"), f=bold, fill=FILL_FORMULA, fmt="0.##", align=CENTER)
    put_formula(ws, f"{at['index']}{total}", index, f=bold, fill=FILL_FORMULA, fmt="0.0000", align=CENTER)
    put_formula(ws, f"{at['missing']}{total}", "=" + column_sum("missing"), f=bold, fill=FILL_FORMULA, align=CENTER)
    put_formula(ws, f"{at['invalid']}{total}", "=" + column_sum("invalid"), f=bold, fill=FILL_FORMULA, align=CENTER)
    for what in ("points", "max", "index", *(("base", "bonus", "penalty") if adjusted else ())):
        name_map[names.total_name(what)] = ref(ws, f"{at[what]}{total}")
    note = total + 1
    if policy.grades:
        # the grade of the index, named, for the consolidation and the add-in to read as the workbook shows it
        ws.merge_cells(f"A{note}:B{note}")
        put(ws, f"A{note}", "XẾP LOẠI", f=bold, align=CENTER)
        ws[f"B{note}"].border = BORDER
        ws.merge_cells(f"C{note}:{last_col}{note}")
        put_formula(ws, f"C{note}", "=" + xl_grade(f"{at['index']}{total}", policy.grades), f=font(12, bold=True), fill=FILL_FORMULA, align=CENTER)
        for col in range(4, len(cols) + 1):
            ws[f"{get_column_letter(col)}{note}"].border = BORDER
        name_map[names.total_name("grade")] = ref(ws, f"C{note}")
        note += 1
    ws.merge_cells(f"A{note}:{last_col}{note}")
    put(ws, f"A{note}", _summary_note(catalog), f=font(10, italic=True), border=False)
    extra = note - (total + 1)

    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = "Chỉ số theo trụ cột"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.majorGridlines = None
    chart.legend = None
    index_col = len(cols) - 2
    chart.add_data(Reference(ws, min_col=index_col, min_row=7, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, min_row=first, max_row=last))
    chart.height, chart.width = 8.5, 17.0
    chart.x_axis.scaling.orientation = "maxMin"  # pillar 1 on top, as in the table
    chart.y_axis.number_format, chart.y_axis.majorUnit = "0.0", 0.2
    style_chart(chart)
    chart_row = total + 3 + extra
    ws.add_chart(chart, f"A{chart_row}")

    sign = chart_row + 18
    ws.merge_cells(f"D{sign}:{last_col}{sign}")
    put(ws, f"D{sign}", f"{values['unit_place']}, ngày … tháng … năm …", f=font(12, italic=True), align=CENTER, border=False)
    head_title = names.identity_name("unit_head_title")
    for col_from, col_to, title, hint, name_ref in (("A", "C", "NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)", "unit_preparer"),
                                                     ("D", last_col, f'=IF(TRIM({head_title})="","THỦ TRƯỞNG ĐƠN VỊ",UPPER(TRIM({head_title})))',
                                                      "(Ký tên, đóng dấu)", "unit_head")):
        ws.merge_cells(f"{col_from}{sign + 1}:{col_to}{sign + 1}")
        put(ws, f"{col_from}{sign + 1}", title, f=font(12, bold=True), align=CENTER, border=False)
        ws.merge_cells(f"{col_from}{sign + 2}:{col_to}{sign + 2}")
        put(ws, f"{col_from}{sign + 2}", hint, f=font(11, italic=True), align=CENTER, border=False)
        ws.merge_cells(f"{col_from}{sign + 7}:{col_to}{sign + 7}")
        put_formula(ws, f"{col_from}{sign + 7}", f'=IF({names.identity_name(name_ref)}="","",{names.identity_name(name_ref)})',
             f=font(12, bold=True), align=CENTER, border=False)
    ws.print_area = f"A1:{last_col}{sign + 8}"
    fit_rows(ws)
    lines = max([(1 if has_parent else 0) + len(heading_of(u.heading_name)) for u in units] or [3])
    ws.row_dimensions[1].height = ws.row_dimensions[2].height = 17.0
    ws.row_dimensions[3].height = max(4.0, 17.0 * (lines - 2) + 4)
    print_setup(ws, landscape=False, footer=f"{values['unit_name']} – Tự đánh giá chuyển đổi số {campaign.period}", fit_height=1)
    protect(ws)


def _summary_note(catalog: Catalog) -> str:
    """The line under the summary table: how the index is made, and the grades."""
    policy = catalog.totals
    if not (catalog.with_role(BONUS) or catalog.with_role(PENALTY)):
        text = ("Chỉ số = điểm đạt / điểm tối đa áp dụng. Tiêu chí không áp dụng cho đơn vị không tính vào điểm tối đa; "
                "tiêu chí thiếu số liệu hoặc lỗi được 0 điểm.")
    else:
        caps = [f"điểm thưởng cả bộ tối đa {vn.number(policy.bonus_cap)}" if policy.bonus_cap else "",
                f"điểm trừ cả bộ tối đa {vn.number(policy.penalty_cap)}" if policy.penalty_cap else ""]
        text = ("Điểm đạt = điểm các tiêu chí + điểm thưởng − điểm trừ (mỗi phần trong mức tối đa của trụ cột và của cả bộ"
                + (": " + ", ".join(c for c in caps if c) if any(caps) else "") + f"), không thấp hơn {vn.number(policy.floor)}. "
                f"Chỉ số = điểm đạt / điểm tối đa áp dụng, từ 0 đến {vn.number(policy.index_max)}; điểm thưởng, điểm trừ không tính vào "
                "điểm tối đa. Tiêu chí thiếu số liệu hoặc lỗi được 0 điểm; tiêu chí điểm trừ thiếu số liệu hoặc lỗi bị trừ đủ mức.")
    if policy.grades:
        bands = "; ".join(f"{g.label}: từ {vn.number(g.min)}" for g in sorted(policy.grades, key=lambda g: -g.min))
        text += f" Xếp loại theo chỉ số làm tròn 4 chữ số: {bands}."
    return text


def _unit_sheet(ws, catalog: Catalog, campaign: Campaign, level: str, values, name_map) -> None:
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 60
    ws.merge_cells("A1:B1")
    put(ws, "A1", "THÔNG TIN ĐƠN VỊ", f=font(14, bold=True), border=False)
    rows = [
        ("Mã đơn vị", values["unit_code"], None),
        ("Tên đơn vị", values["unit_name"], "unit_name"),
        ("Cấp đơn vị", catalog.levels.get(level, level), None),
        ("Kỳ đánh giá", campaign.period, None),
        ("Người lập biểu (họ và tên)", None, "unit_preparer"),
        ("Chức vụ người lập biểu", None, "unit_preparer_title"),
        ("Điện thoại", None, "unit_phone"),
        ("Thư điện tử", None, "unit_email"),
        ("Thủ trưởng đơn vị (họ và tên)", None, "unit_head"),
        ("Chức vụ thủ trưởng", None, "unit_head_title"),
    ]
    for n, (label, value, name) in enumerate(rows, start=3):
        put(ws, f"A{n}", label, f=font(bold=True))
        editable = value is None
        put(ws, f"B{n}", value, fill=FILL_INPUT if editable else FILL_FORMULA, unlocked=editable, fmt="@")
        if name:
            name_map[names.identity_name(name)] = ref(ws, f"B{n}")
    office = campaign.issuer.get("office") or "Sở Thông tin và Truyền thông"
    put(ws, "A14", f"Ô màu vàng: đơn vị điền. Mã, tên, cấp và kỳ đánh giá do {office} điền sẵn, không sửa.",
         f=font(10, italic=True), border=False)
    ws.merge_cells("A14:B14")
    fit_rows(ws)
    print_setup(ws, landscape=False, footer=f"{values['unit_name']} – Tự đánh giá chuyển đổi số {campaign.period}")
    protect(ws)


def _guide_extras(catalog: Catalog, campaign: Campaign) -> list[tuple[str, str, Font]]:
    """Guide lines for the shapes a set uses beyond plain criteria: figures the Sở supplies,
    bonus and penalty points, grades (none for a set without them)."""
    office = campaign.issuer.get("office") or "Sở"
    policy = catalog.totals
    out: list[tuple[str, str, Font]] = []
    if catalog.central_inputs:
        codes = ", ".join(dict.fromkeys(c.code for c, _ in catalog.central_inputs))
        out.append(("Số liệu của Sở", f"Ô màu tím (tiêu chí {codes}): số liệu do {office} cung cấp cho mọi đơn vị, đã điền sẵn và khóa, "
                                      "đơn vị không sửa; khi tổng hợp, Sở dùng số liệu của mình.", font()))
    if catalog.with_role(BONUS) or catalog.with_role(PENALTY):
        out.append(("Thưởng, trừ", "Tiêu chí điểm thưởng (điểm tối đa ghi '+') cộng thêm vào điểm trụ cột và không tính vào điểm tối đa; "
                                   "tiêu chí điểm trừ (ghi '-') bị trừ, và bị trừ đủ mức khi thiếu số liệu hoặc số liệu lỗi. "
                                   "Mức thưởng, trừ tối đa của từng trụ cột và của cả bộ ghi ở cuối mỗi trang và ở trang Tổng hợp.", font()))
    if policy.grades:
        bands = "; ".join(f"{g.label}: chỉ số từ {vn.number(g.min)}" for g in sorted(policy.grades, key=lambda g: -g.min))
        out.append(("Xếp loại", f"Theo chỉ số chung làm tròn 4 chữ số: {bands}.", font()))
    return out


def _guide_sheet(ws, catalog: Catalog, campaign: Campaign, values) -> None:
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 100
    contact = campaign.contact
    send_to = contact.get("unit", "Sở Thông tin và Truyền thông") + (f" — {contact['email']}" if contact.get("email") else "")
    lines: list[tuple[str, str, Font]] = [
        ("", f"HƯỚNG DẪN ĐIỀN PHIẾU TỰ ĐÁNH GIÁ CHUYỂN ĐỔI SỐ NĂM {campaign.period}", font(14, bold=True)),
        ("", f"Đơn vị: {values['unit_name']} (mã {values['unit_code']})", font(12, bold=True)),
        ("Bộ tiêu chí", f"{catalog.title} — {catalog.source.get('appendix', '')} {catalog.source.get('document', '')} "
                        f"của {catalog.source.get('issuer', '')}; mã bộ tiêu chí {catalog.id}, phiên bản {catalog.version}.", font()),
        ("Hạn gửi", f"{campaign.deadline_vi}", font(bold=True)),
        ("Gửi về", send_to, font()),
        ("Phát hành", f"{campaign.issuer.get('office', '')} — {campaign.issuer.get('name', '')}", font()),
        ("", "", font()),
        ("Cách điền", "1. Trang 'Thông tin đơn vị': điền người lập biểu, điện thoại, thư điện tử, thủ trưởng đơn vị và chức vụ của "
                      "từng người (chức vụ thủ trưởng in trên khối chữ ký của báo cáo, ví dụ 'Giám đốc', 'Phó Chủ tịch').", font()),
        ("", f"2. Mỗi trang trụ cột (1. … đến {len(catalog.pillars)}. …): với từng tiêu chí, nhập các số liệu a, b, c… vào ô màu vàng ở cột "
             "'Số liệu', đúng theo nhãn bên cạnh; ghi tài liệu kiểm chứng (số, ngày, trích yếu, đường dẫn hoặc giải trình) vào các ô màu xanh.", font()),
        ("", "3. Điểm và trạng thái tự tính ngay khi nhập. Sửa các tiêu chí có trạng thái 'lỗi' hoặc 'thiếu số liệu' trước khi gửi.", font()),
        ("", "4. Trang 'Tổng hợp': kiểm tra điểm, chỉ số; in trang này, người lập biểu và thủ trưởng ký, đóng dấu.", font()),
        ("", "5. Gửi lại chính tệp này (định dạng .xlsx); có thể đổi tên tệp, nhưng không thêm, xóa dòng hay sửa công thức.", font()),
        ("", "", font()),
        ("Màu ô", "Vàng: số liệu đơn vị nhập · Xanh: tài liệu kiểm chứng · Xám: tự tính, không sửa · Xám đậm: tiêu chí không áp dụng cho cấp đơn vị.", font()),
        ("Trạng thái", "đạt: đã tính điểm · thiếu số liệu: còn ô bắt buộc để trống (ghi rõ a, b…) · lỗi: số liệu sai hoặc mâu thuẫn "
                       "(ví dụ 'b lớn hơn a') · không áp dụng: tiêu chí không tính cho đơn vị (mẫu số bằng 0 hoặc khác cấp).", font()),
        ("Số liệu", "Số nguyên không âm cho số lượng; số tiền bằng đồng; Có/Không và các mức chọn từ danh sách. "
                    "Ô để trống là 'thiếu số liệu', không được coi là 0: nếu số liệu là 0, hãy nhập 0.", font()),
        *_guide_extras(catalog, campaign),
        ("Bảo vệ", f"Các trang được khóa để tránh sửa nhầm công thức (mật khẩu: {PROTECTION_PASSWORD}); chỉ các ô vàng, xanh được nhập.", font()),
        ("Cách chấm", "Mỗi tiêu chí ghi nguyên văn cách tính điểm của Kế hoạch; chỗ nào Kế hoạch chưa rõ, dòng '— hue-dx chấm: …' "
                      "ngay dưới đó nói điểm được tính thế nào.", font()),
        ("Hỏi đáp", f"Vướng mắc khi điền sổ: liên hệ {send_to}.", font()),
    ]
    for n, (label, text, f) in enumerate(lines, start=1):
        put(ws, f"A{n}", label, f=font(bold=True), border=False)
        put(ws, f"B{n}", text, f=f, border=False)
    fit_rows(ws)
    print_setup(ws, landscape=False, footer=f"{values['unit_name']} – Hướng dẫn")
    protect(ws)


