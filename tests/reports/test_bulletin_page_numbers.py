"""Every .docx the product writes carries "第 X 页 共 Y 页" centred in its footer, with live
PAGE and NUMPAGES fields, on every section (the landscape tables too)."""

from __future__ import annotations

import io
import re
import zipfile

from docx import Document

from app.core import word
from tests.reports.conftest import OCTOBER

FOOTER = re.compile(r"第 .*PAGE.* 页 共 .*NUMPAGES.* 页")


def _footer_xml(data: bytes) -> list[str]:
    files = zipfile.ZipFile(io.BytesIO(data))
    return [files.read(n).decode("utf-8") for n in files.namelist() if "footer" in n]


def _footer_text(xml: str) -> str:
    """The footer as Word reads it: the text runs with each field's code in its place."""
    pieces = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>|<w:instrText[^>]*>([^<]*)</w:instrText>",
                        xml)  # fmt: skip
    return "".join(text or code.strip() for text, code in pieces)


def test_a_new_document_has_centred_page_numbers_in_every_section():
    doc = word.new_document()
    word.body(doc, "正文")
    word.landscape_section(doc)
    word.body(doc, "横排附表")
    data = word.to_bytes(doc)
    reread = Document(io.BytesIO(data))
    assert len(reread.sections) == 2
    for section in reread.sections:
        paragraph = section.footer.paragraphs[0]
        assert paragraph.alignment == 1  # WD_ALIGN_PARAGRAPH.CENTER
        assert FOOTER.search(_footer_text(paragraph._p.xml))
    assert reread.sections[1].footer.is_linked_to_previous
    (xml,) = _footer_xml(data)
    assert xml.count('w:fldCharType="begin"') == 2 and xml.count('w:fldCharType="end"') == 2
    assert "PAGE" in xml and "NUMPAGES" in xml
    assert 'w:eastAsia="仿宋_GB2312"' in xml


def test_the_downloaded_bulletin_has_page_numbers(district, client, login, people):
    login(people["bureau"])
    response = client.get(
        f"/bulletins/download?year={OCTOBER.year}&month={OCTOBER.month}&format=docx"
    )
    assert response.status_code == 200
    footers = _footer_xml(response.data)
    assert footers and all(FOOTER.search(_footer_text(x)) for x in footers)
    assert any("第 " in x for x in footers)
