"""What went wrong where in a spreadsheet: sheet, row, column, message (all shown in Chinese)."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from tracker.errors import ValidationError


@dataclass
class Issue:
    sheet: str
    row: int
    column: str
    message: str

    def text(self) -> str:
        """"Sheet1 第12行「完成时限」：无法识别的日期“十二月份”"."""
        where = f"{self.sheet} 第{self.row}行" if self.row else self.sheet
        column = f"「{self.column}」" if self.column else ""
        return f"{where}{column}：{self.message}".strip()

    def to_dict(self) -> dict:
        return asdict(self)


class SheetRejected(ValidationError):
    """The workbook cannot be imported: every issue found, nothing written (400, field "file")."""

    def __init__(self, issues: list[Issue]):
        count = len(issues)
        super().__init__(f"表格有{count}处错误，未导入任何内容：{issues[0].text()}"
                         + ("等" if count > 1 else ""), "file")
        self.issues = issues
