"""Render the documents Duban produces to PNGs for docs/regime.md ("How the documents look").

A developer tool, not run in CI. It builds the demo ledger in a temporary SQLite database
(the app factory, every migration, `tracker.demo` seed, the clock pinned to 1 December
2026), compiles November's monthly bulletin and the dispatch table of the week before,
writes the .docx and the .xlsx, has LibreOffice print them to PDF and keeps chosen pages as
docs/images/documents-*.png.

Needs LibreOffice (Writer and Calc), poppler-utils and a CJK font, e.g. on Debian:

    apt-get install --no-install-recommends libreoffice-writer-nogui libreoffice-calc-nogui \\
        poppler-utils fonts-noto-cjk

Run from the repository root: `.venv/bin/python docs/render_documents.py [--keep DIR]`.
"""
from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.clock import LOCAL_TZ  # noqa: E402
from tracker.extensions import db  # noqa: E402

IMAGES = ROOT / "docs" / "images"
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=LOCAL_TZ)
LETTERHEAD = {"number": "百千万指办〔2026〕12号",
              "recipients": "各县（市、区）百千万工程指挥部，市直各有关单位：",
              "signed_on": date(2026, 12, 1), "date_style": "arabic"}
OPENING = ("为压实工作责任、加快推进百千万工程年度任务落实，市百千万工程指挥部办公室对11月各单位"
           "任务推进和报送情况进行了调度统计（统计截至11月30日），现将有关情况通报如下：")
COMMENTARY = ("各单位要对照通报指出的问题，逐项制定整改措施，于12月10日前将整改情况书面报送市百千万"
              "工程指挥部办公室。对连续两期上黑榜的单位，市指挥部将约谈分管领导。")
# Resolution of the PNGs: enough to read the layout, small enough for the repository.
DPI = 60
# The faces GB/T 9704 names are not free; LibreOffice asks fontconfig for a substitute, and
# these are the nearest free ones (a Song face for 仿宋, which has no free cut; AR PL UKai
# for 楷体; Liberation Serif has Times New Roman's metrics). Office PCs have the real ones.
SUBSTITUTES = {
    "方正小标宋简体": ("Noto Serif CJK SC", "bold"),
    "仿宋_GB2312": ("Noto Serif CJK SC", None), "仿宋": ("Noto Serif CJK SC", None),
    "楷体_GB2312": ("AR PL UKai CN", None), "楷体": ("AR PL UKai CN", None),
    "黑体": ("Noto Sans CJK SC", None), "SimHei": ("Noto Sans CJK SC", None),
    "宋体": ("Noto Serif CJK SC", None), "SimSun": ("Noto Serif CJK SC", None),
    "Times New Roman": ("Liberation Serif", None),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="also keep the .docx/.xlsx/.pdf files here")
    args = parser.parse_args()
    for tool in ("libreoffice", "pdftoppm", "pdfinfo", "pdftotext"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: install LibreOffice and poppler-utils (see --help)")
    with tempfile.TemporaryDirectory(prefix="duban-render-") as tmp:
        work = Path(tmp)
        files = build_files(work)
        IMAGES.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (work / name).write_bytes(data)
            pdf = to_pdf(work / name)
            for page, label in choose_pages(name, pdf):
                # A workbook prints its wide table small: show the top half, closer.
                png = to_png(pdf, page, work, top=0.5 if name.endswith(".xlsx") else 1.0)
                target = IMAGES / f"documents-{label}.png"
                shrink(png, target)
                print(f"{target.relative_to(ROOT)}  page {page} of {name}, "
                      f"{target.stat().st_size // 1024} KB")
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for path in work.iterdir():
                if path.suffix in (".docx", ".xlsx", ".pdf"):
                    shutil.copyfile(path, args.keep / path.name)


def build_files(work: Path) -> dict[str, bytes]:
    """bulletin.docx, bulletin.xlsx and dispatch.xlsx from the demo ledger."""
    app = create_app({"app": {"demo": True}, "database": {"url": f"sqlite:///{work / 'demo.db'}"},
                      "uploads": {"directory": str(work / "uploads")},
                      "scheduler": {"enabled": False}, "FIXED_NOW": NOW,
                      "security": {"password_hash": "pbkdf2:sha256:1000"}})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        from tracker.demo import seed

        seed.seed_demo(lambda items: contextlib.nullcontext(items))
        db.session.commit()
        return {"bulletin.docx": _bulletin_docx(), "bulletin-tables.xlsx": _bulletin_xlsx(),
                "dispatch.xlsx": _dispatch_xlsx()}


def _bulletin_content() -> dict:
    from tracker.regime.compilers import compile_content

    content = compile_content("monthly", "2026-11")
    content.update(opening=OPENING, commentary=COMMENTARY)
    # The monthly compiler prints every table inline; a real 通报 moves the long list of
    # problems to an annex, so the picture shows that layout too.
    for section in content["sections"]:
        if section["key"] == "problems" and section["table"]:
            section["annex"] = True
    return content


def _bulletin_docx() -> bytes:
    from tracker.accounts.lookups import office_name
    from tracker.regime import documents

    office = office_name()
    return documents.docx_bytes(_bulletin_content(),
                                {**LETTERHEAD, "mark": office, "issuer": office})


def _bulletin_xlsx() -> bytes:
    from tracker.regime import documents

    return documents.xlsx_bytes(_bulletin_content())


def _dispatch_xlsx() -> bytes:
    from tracker.regime import dispatch_table, documents
    from tracker.reports.periods import parse_period

    period = dispatch_table.current_period()
    today = NOW.date()
    rows = db.session.execute(dispatch_table.dispatch_query(period, today)).all()
    year, week = parse_period(period)
    return documents.table_xlsx(f"{year}年第{week}周工作调度表", dispatch_table.COLUMNS,
                                dispatch_table.dispatch_rows(rows, today))


def to_pdf(path: Path) -> Path:
    """*path* printed to PDF by LibreOffice, with its own profile and the font substitutes."""
    fonts = path.parent / "fonts.conf"
    fonts.write_text(fontconfig())
    subprocess.run(["libreoffice", "--headless", "--convert-to", "pdf", "--outdir",
                    str(path.parent), str(path)], check=True, capture_output=True, timeout=300,
                   env={"HOME": str(path.parent), "PATH": "/usr/bin:/bin",
                        "FONTCONFIG_FILE": str(fonts)})
    return path.with_suffix(".pdf")


def fontconfig() -> str:
    """A fontconfig file: the system's, plus SUBSTITUTES."""
    rules = []
    for family, (substitute, weight) in SUBSTITUTES.items():
        bold = f'<edit name="weight" mode="assign"><const>{weight}</const></edit>' if weight else ""
        rules.append(f'<match target="pattern"><test name="family"><string>{family}</string>'
                     f'</test><edit name="family" mode="assign" binding="same">'
                     f"<string>{substitute}</string></edit>{bold}</match>")
    return ('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
            '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
            + "".join(rules) + "</fontconfig>")


def choose_pages(name: str, pdf: Path) -> list[tuple[int, str]]:
    """(page, label) of the pages worth showing: for the document its first page, its first
    landscape page, the page with the signature and the first annex; for a workbook the
    first page of its first table (the page with the units table in the bulletin's)."""
    count = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(pdf))).group(1))
    # pdftotext spaces Chinese from digits ("附件 1"): compare without whitespace.
    texts = ["".join(_run("pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-").split())
             for n in range(1, count + 1)]
    if name.endswith(".xlsx"):
        units = [n for n, text in enumerate(texts, start=1) if "各单位推进情况序号" in text]
        return [((units or [1])[0], f"xlsx-{Path(name).stem}")]
    sizes = _run("pdfinfo", "-f", "1", "-l", str(count), str(pdf))
    wide = [int(n) for n, w, h in re.findall(r"Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)", sizes)
            if float(w) > float(h)]
    signed = [n for n, text in enumerate(texts, start=1) if "2026年12月1日" in text]
    annex = [n for n, text in enumerate(texts, start=1) if text.startswith("附件1")]
    chosen = [(1, "docx-first-page")]
    for pages, label in ((wide, "docx-landscape-table"), (signed, "docx-signature"),
                         (annex, "docx-annex")):
        if pages:
            chosen.append((pages[0], label))
    return chosen


def to_png(pdf: Path, page: int, work: Path, top: float = 1.0) -> Path:
    """*page* of *pdf* as a PNG; with *top* < 1 only that share of the page, from the top,
    at a resolution raised to keep the same image size (a closer look at a wide sheet)."""
    prefix = work / f"{pdf.stem}-{page}"
    dpi = round(DPI / top)
    size = re.search(r"size:\s+([\d.]+) x ([\d.]+)",
                     _run("pdfinfo", "-f", str(page), "-l", str(page), str(pdf)))
    height = round(float(size.group(2)) / 72 * dpi * top)
    _run("pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
         "-H", str(height), "-W", str(round(float(size.group(1)) / 72 * dpi)),
         "-singlefile", str(pdf), str(prefix))
    return prefix.with_suffix(".png")


def shrink(png: Path, target: Path) -> None:
    """*png* saved to *target* in 64 colours: a page of text needs no more, and the file
    stays a few dozen KB."""
    from PIL import Image

    with Image.open(png) as image:
        image.convert("RGB").quantize(colors=64).save(target, optimize=True)


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


if __name__ == "__main__":
    main()
