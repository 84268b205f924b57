"""Quarterly implementation tracking of plan 222/KH-UBND: the plan's tasks as data, reporting
periods, and a quarterly workbook per unit.

Pure modules (no Excel library): ``tasks`` (the tasks file: indicators, documents,
programmes, projects, duties, funding, bodies), ``roles`` (who leads and who cooperates, per
unit of a roster), ``audit`` (the tasks check), ``periods`` (quarters, data cut-off and
deadlines after Nghị định 09/2019/NĐ-CP), ``answers`` (one unit's answer about one task, and
the checks the workbook also makes), ``names`` (defined names of the workbook's cells),
``recipe`` (a tracking campaign). The Excel edge: ``workbook`` (openpyxl) and ``generate``.
"""
