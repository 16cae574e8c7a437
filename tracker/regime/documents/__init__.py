"""Bulletin files: the .docx in official-document style (python-docx, with a completion
chart drawn by matplotlib) and .xlsx tables (openpyxl).

`docx.py` lays out the document, `xlsx.py` writes workbooks, `cells.py` what the workbooks
need to know about a table's values (formats, text XML can carry, column widths)."""
from tracker.regime.documents.chart import chart_png
from tracker.regime.documents.docx import DOCX_TABLE_ROWS, docx_bytes
from tracker.regime.documents.xlsx import table_xlsx, xlsx_bytes

__all__ = ["DOCX_TABLE_ROWS", "chart_png", "docx_bytes", "table_xlsx", "xlsx_bytes"]
