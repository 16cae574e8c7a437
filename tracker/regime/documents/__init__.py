"""Bulletin files: the .docx in official-document style (GB/T 9704-2012, python-docx, with
a completion chart drawn by matplotlib) and .xlsx tables (openpyxl).

`docx.py` lays out the document, `wordml.py` holds the WordprocessingML python-docx has no
API for, `xlsx.py` writes workbooks, `cells.py` what both share about a table's values
(formats, text XML can carry, column widths).

The names below load their module on first use: python-docx, openpyxl, matplotlib and numpy
are imported only by a process that builds a document, so a web worker does not carry
them (start-up, memory, and full garbage collections over their objects)."""
from importlib import import_module

_HOMES = {"DOCX_TABLE_ROWS": "docx", "docx_bytes": "docx", "chart_png": "chart",
          "table_xlsx": "xlsx", "xlsx_bytes": "xlsx"}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value
