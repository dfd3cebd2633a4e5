"""Reading rendered sheets back: text, type sizes, colours, page images and the QR code."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader


def pdf_text(path: Path) -> str:
    """All text of a PDF, whitespace collapsed (long names wrap inside table cells)."""
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def _mult(m: list[float], n: list[float]) -> list[float]:
    """The PDF matrix product ``m x n`` (6-element form)."""
    return [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]


def font_sizes(path: Path) -> list[float]:
    """The size on the page (points) of every piece of text drawn in the PDF: the font size
    scaled by the text and transformation matrices (rotated labels included)."""
    sizes: list[float] = []

    def visit(text: str, cm: list, tm: list, font: object, size: float) -> None:
        if text.strip():
            m = _mult(list(tm), list(cm))
            sizes.append(size * math.sqrt(abs(m[0] * m[3] - m[1] * m[2])))

    for page in PdfReader(path).pages:
        page.extract_text(visitor_text=visit)
    return sizes


_COLOUR = re.compile(rb"(?<![\w.])([\d.]+) ([\d.]+) ([\d.]+) (rg|RG)\b")


def colours(path: Path) -> set[tuple[float, float, float]]:
    """Every RGB colour set in the PDF's pages (grey levels set as gray are not listed)."""
    out = set()
    for page in PdfReader(path).pages:
        data = page.get_contents().get_data()
        for r, g, b, _op in _COLOUR.findall(data):
            out.add((float(r), float(g), float(b)))
    return out


def render_page(pdf: Path, tmp: Path, *, dpi: int, page: int = 1, gray: bool = False) -> Path:
    """One page as a PNG (Debian's pdftoppm)."""
    exe = shutil.which("pdftoppm")
    assert exe, "pdftoppm (poppler-utils) is needed; scripts/system-deps.sh installs it"
    stem = tmp / f"pg{page}-{dpi}"
    args = [exe, "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile"]
    subprocess.run([*args, *(["-gray"] if gray else []), str(pdf), str(stem)], check=True)
    return stem.with_suffix(".png")


def decode_qr(png: Path) -> list[str]:
    """The texts of the QR codes zxing-cpp finds in an image."""
    import zxingcpp
    from PIL import Image

    with Image.open(png) as img:
        return [
            r.text for r in zxingcpp.read_barcodes(img) if r.format == zxingcpp.BarcodeFormat.QRCode
        ]
