"""Builders that typeset tiny PDFs inside a test, with known Norwegian text on
known printed pages (reportlab, a TTF font with æøå).

`make_pdf(path, [PageSpec(...), ...])` draws every page: an optional running
header, the body (one column, or two columns written row by row so the content
stream interleaves them, as many typesetters do), and the printed page number
where the layout puts it. `make_image_pdf` embeds pictures of text, like a scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT = "LitsokSans"
_FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)


def font_path() -> str:
    """A TTF with æøå: DejaVu when the system has it, else reportlab's bundled Vera."""
    for p in _FONT_FILES:
        if Path(p).exists():
            return p
    import reportlab

    return str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")


def _register() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, font_path()))


@dataclass(frozen=True)
class PageSpec:
    """One page. `body` is one column; `columns` (left, right) makes two.

    "\\n" in the text forces a line break (to place a hyphenated word at the
    end of a line); longer lines are wrapped to the column width.
    `number` is printed at `number_at`: "footer-center", "footer-outer",
    "header-outer" (outer corner: right on odd `number`s, left on even ones).
    """

    body: str = ""
    columns: tuple[str, str] | None = None
    header: str = ""
    number: str | None = None
    number_at: str = "footer-center"
    footer: str = ""
    image: object | None = None  # a PIL image filling the page (a scanned page)


MARGIN = 57.0
SIZE = 10.0
LEADING = 13.0


def _wrap(text: str, width: float) -> list[str]:
    lines: list[str] = []
    for para in text.split("\n"):
        lines.extend(simpleSplit(para, FONT, SIZE, width) or [""])
    return lines


def _is_odd(number: str) -> bool:
    return number.isdigit() and int(number) % 2 == 1


def draw_page(c: canvas.Canvas, spec: PageSpec, size: tuple[float, float] = A4) -> None:
    w, h = size
    if spec.image is not None:
        c.drawImage(ImageReader(spec.image), 0, 0, width=w, height=h)
        return
    c.setFont(FONT, SIZE)
    top = h - MARGIN
    num = spec.number
    if spec.header or (num and spec.number_at == "header-outer"):
        y = h - 36
        if spec.header:
            if num and spec.number_at == "header-outer" and _is_odd(num):
                c.drawString(MARGIN, y, spec.header)
            elif num and spec.number_at == "header-outer":
                c.drawRightString(w - MARGIN, y, spec.header)
            else:
                c.drawCentredString(w / 2, y, spec.header)
        if num and spec.number_at == "header-outer":
            if _is_odd(num):
                c.drawRightString(w - MARGIN, y, num)
            else:
                c.drawString(MARGIN, y, num)
    if spec.columns is not None:
        col_w = (w - 2 * MARGIN - 20) / 2
        left = _wrap(spec.columns[0], col_w)
        right = _wrap(spec.columns[1], col_w)
        x_right = MARGIN + col_w + 20
        # row by row: the content stream interleaves the columns
        for k in range(max(len(left), len(right))):
            y = top - k * LEADING
            if k < len(left):
                c.drawString(MARGIN, y, left[k])
            if k < len(right):
                c.drawString(x_right, y, right[k])
    else:
        for k, line in enumerate(_wrap(spec.body, w - 2 * MARGIN)):
            c.drawString(MARGIN, top - k * LEADING, line)
    if spec.footer:
        c.drawCentredString(w / 2, 44, spec.footer)
    if num and spec.number_at == "footer-center":
        c.drawCentredString(w / 2, 30, num)
    elif num and spec.number_at == "footer-outer":
        if _is_odd(num):
            c.drawRightString(w - MARGIN, 30, num)
        else:
            c.drawString(MARGIN, 30, num)


def make_pdf(
    path: Path,
    pages: Sequence[PageSpec],
    *,
    page_labels: Sequence[tuple[int, int, str, int]] = (),
    user_password: str | None = None,
    owner_password: str | None = None,
    compress: bool = True,
) -> Path:
    """Typeset `pages` to `path`.

    `page_labels`: (from_index, to_index, style, start) ranges written as the
    PDF's /PageLabels, style "/D" (arabic) or "/r" (roman). `user_password`
    (may be "") encrypts the file with RC4-128.
    """
    _register()
    buf = BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1 if compress else 0)
    c.setTitle("litsok testdokument")
    for spec in pages:
        draw_page(c, spec)
        c.showPage()
    c.save()
    data = buf.getvalue()
    if page_labels or user_password is not None:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(BytesIO(data)))
        for start_i, end_i, style, start in page_labels:
            writer.set_page_label(start_i, end_i, style=style, start=start)  # type: ignore[arg-type]
        if user_password is not None:
            writer.encrypt(user_password, owner_password or "eier-passord", algorithm="RC4-128")
        out = BytesIO()
        writer.write(out)
        data = out.getvalue()
    path.write_bytes(data)
    return path


def text_image(blocks: Sequence[tuple[str, str]], size_px: tuple[int, int], font_px: int = 40):
    """A white picture with text: blocks of (body, page number) side by side
    (one block: a page; two: a two-page spread). The number sits at the bottom."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", size_px, 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(font_path(), font_px)
    w, h = size_px
    block_w = w // len(blocks)
    for b, (body, number) in enumerate(blocks):
        x0 = b * block_w + int(block_w * 0.1)
        y = int(h * 0.08)
        for line in body.split("\n"):
            draw.text((x0, y), line, font=font, fill=0)
            y += int(font_px * 1.5)
        if number:
            nx = b * block_w + block_w // 2 - font_px
            draw.text((nx, int(h * 0.92)), number, font=font, fill=0)
    return img


def make_image_pdf(path: Path, images: Sequence[object], *, spread: bool = False) -> Path:
    """A PDF whose pages are only pictures (a scan). `spread` makes the pages
    landscape A4, as a two-page spread scan is."""
    page_size = landscape(A4) if spread else A4
    c = canvas.Canvas(str(path), pagesize=page_size)
    for img in images:
        c.drawImage(ImageReader(img), 0, 0, width=page_size[0], height=page_size[1])
        c.showPage()
    c.save()
    return path
