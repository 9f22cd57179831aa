"""Excel workbooks (.xlsx) for admins, through openpyxl: a registry sent as a spreadsheet read as rows of
cell values, and the registry template written. No decisions here: bot/services/agency.py checks rows."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

_TITLE_UNSAFE = re.compile(r"[\[\]:*?/\\]")  # what a sheet's title may not hold (and 31 characters at most)
MAX_CELLS = 1_000_000  # a sheet larger than a registry could be (50,000 rows of 12 columns, and room)


class SheetError(ValueError):
    """Not a workbook openpyxl can read (a renamed file, an old .xls, a damaged or encrypted one)."""


def cell_value(value: Any) -> Any:
    """What a cell holds, as the registry's checks take it: text, a date, or a whole number as text
    (a permit number typed as a number is 123, not 123.0)."""
    if value is None or isinstance(value, (datetime, date)):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    """The first sheet's rows (their row numbers, and their cells' values), blank rows left out."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a zip that is not a workbook, damaged XML (ParseError), an old .xls renamed...
        raise SheetError(type(error).__name__) from None
    try:
        sheet = workbook.worksheets[0]
        cells = 0
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = [cell_value(v) for v in row]
            cells += len(values)
            if cells > MAX_CELLS:
                raise SheetError("too many cells")
            if any(v is not None and str(v).strip() for v in values):
                yield number, values
    except SheetError:
        raise
    except Exception as error:  # damaged rows show only as they are read
        raise SheetError(type(error).__name__) from None
    finally:
        workbook.close()


def workbook(sheets: list[tuple[str, list[list[Any]]]]) -> bytes:
    """A workbook of sheets (title, rows of text and numbers); the first row of each in bold and frozen.
    Text is always text: one that begins with "=" is not made a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets:
        sheet = book.create_sheet(_TITLE_UNSAFE.sub(" ", title)[:31])
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(zip(*rows, strict=False), start=1):
            longest = max(len(str(v)) for v in column)
            sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 10), 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
