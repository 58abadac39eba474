"""Word documents in the form of Chinese government papers (GB/T 9704): title, body, tables.

python-docx's `font.name` sets only the Latin typeface; Chinese text needs the `w:eastAsia`
attribute of `rFonts` as well (docs/pitfalls.md, "Chinese text and documents"), which every
run written here gets.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"


def new_document(created: datetime | None = None) -> Document:
    """An A4 document with the margins of GB/T 9704 and fixed metadata (reproducible)."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    props = doc.core_properties
    props.author = props.last_modified_by = "招商引资管理系统"
    if created is not None:
        props.created = props.modified = created
    props.revision = 1
    page_footer(section)
    return doc


def _field(paragraph, instruction: str, size: float) -> None:
    """A Word field (PAGE, NUMPAGES) that the reader's word processor fills in."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None),
                       ("text", "1"), ("end", None)):
        run = paragraph.add_run()
        _font(run, BODY_FONT, size)
        if kind == "instr":
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = f" {text} "
            run._element.append(code)
        elif kind == "text":
            run._element.append(_text(text))
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)


def _text(value: str):
    element = OxmlElement("w:t")
    element.text = value
    return element


def page_footer(section, size: float = 10.5) -> None:
    """"第 X 页 共 Y 页" centred in the footer; later sections inherit it (linked)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for piece in ("第 ", "PAGE", " 页 共 ", "NUMPAGES", " 页"):
        if piece in ("PAGE", "NUMPAGES"):
            _field(paragraph, piece, size)
        else:
            _font(paragraph.add_run(piece), BODY_FONT, size)


def _font(run, name: str, size: float, bold: bool = False, color: str | None = None) -> None:
    run.font.name = LATIN_FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)


def _spacing(paragraph, line_pt: float = 28, before: float = 0, after: float = 0) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line_pt)
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)


def title(doc: Document, text: str) -> None:
    """The document title: 二号小标宋, centred."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(paragraph, 36, after=12)
    _font(paragraph.add_run(text), TITLE_FONT, 22)


def centred(doc: Document, text: str, size: float = 16, font: str = BODY_FONT) -> None:
    """A centred line (issuing body, document number, date)."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(paragraph)
    _font(paragraph.add_run(text), font, size)


def heading(doc: Document, text: str) -> None:
    """A first-level heading (一、……): 三号黑体, indented two characters."""
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(32)
    _spacing(paragraph, before=6)
    _font(paragraph.add_run(text), HEADING_FONT, 16)


def body(doc: Document, text: str) -> None:
    """A body paragraph: 三号仿宋, first line indented two characters, 28-point lines."""
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(32)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _spacing(paragraph)
    _font(paragraph.add_run(text), BODY_FONT, 16)


def note(doc: Document, text: str) -> None:
    """A small note under a table."""
    paragraph = doc.add_paragraph()
    _spacing(paragraph, 18, after=6)
    _font(paragraph.add_run(text), BODY_FONT, 10.5)


def _shade(cell, fill: str) -> None:
    properties = cell._element.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def table(doc: Document, headers: Sequence[str], rows: Sequence[Sequence[Any]],
          widths_mm: Sequence[float] | None = None,
          fills: Sequence[Sequence[str | None]] | None = None):
    """A bordered table with a bold, shaded header row; numbers right-aligned; no row split
    across pages. `fills` gives an optional background colour (hex) per cell, e.g. for
    lights. Returns the python-docx table."""
    grid = doc.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(grid.rows[0].cells, headers, strict=True):
        _cell_text(cell, str(text), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _shade(cell, "D9E2F3")
    for r, values in enumerate(rows):
        cells = grid.add_row().cells
        for c, (cell, value) in enumerate(zip(cells, values, strict=True)):
            numeric = isinstance(value, int | float) or _looks_numeric(value)
            _cell_text(cell, "" if value is None else str(value),
                       align=WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT)
            fill = fills[r][c] if fills and r < len(fills) and c < len(fills[r]) else None
            if fill:
                _shade(cell, fill)
    _repeat_header(grid.rows[0])
    for row in grid.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    if widths_mm:
        grid.autofit = False  # fixed layout: Word, WPS and LibreOffice keep these widths
        for column, width in zip(grid.columns, widths_mm, strict=False):
            column.width = Mm(width)
        for row in grid.rows:
            for cell, width in zip(row.cells, widths_mm, strict=False):
                cell.width = Mm(width)
    return grid


def _looks_numeric(value: Any) -> bool:
    text = str(value).replace(",", "").replace("%", "").strip()
    try:
        float(text)
    except ValueError:
        return False
    return bool(text)


def _cell_text(cell, text: str, bold: bool = False,
               align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    _spacing(paragraph, 16)
    _font(paragraph.add_run(text), TABLE_FONT, 10.5, bold=bold)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def landscape_section(doc: Document) -> None:
    """Continue on A4 landscape pages (for wide tables)."""
    section = doc.add_section()
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(25), Mm(25)
    section.left_margin, section.right_margin = Mm(20), Mm(20)
    section.footer.is_linked_to_previous = True  # the same page numbers as the first pages


def to_bytes(doc: Document) -> bytes:
    """The document as .docx bytes."""
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
