"""Bulletin files: the .docx in official-document style (GB/T 9704-2012, python-docx, with
a completion chart drawn by matplotlib) and .xlsx tables (openpyxl).

`docx.py` lays out the document, `wordml.py` holds the WordprocessingML python-docx has no
API for, `xlsx.py` writes workbooks, `cells.py` what both share about a table's values
(formats, text XML can carry, column widths)."""
from tracker.regime.documents.chart import chart_png
from tracker.regime.documents.docx import DOCX_TABLE_ROWS, docx_bytes
from tracker.regime.documents.xlsx import table_xlsx, xlsx_bytes

__all__ = ["DOCX_TABLE_ROWS", "chart_png", "docx_bytes", "table_xlsx", "xlsx_bytes"]
