"""The official assessment workbook: build (openpyxl), stamp per unit, identity, fill.

This subpackage is the Excel edge of hue-dx; it needs the `excel` extra (openpyxl). The
domain core never imports it.
"""
