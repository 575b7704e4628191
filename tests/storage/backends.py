"""Backends and sample files for the storage and full-text tests.

Object stores: always the local directory, plus the real S3 server when ``CHAIR_TEST_STORAGE_URL``
is set (each test gets its own fresh bucket, emptied and removed afterwards). Extractors: always
the embedded one, plus the real Tika server when ``CHAIR_TEST_TIKA_URL`` is set.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from hub.samples.pdf import PdfLine, build_pdf

S3_URL = os.environ.get("CHAIR_TEST_STORAGE_URL", "")
TIKA_URL = os.environ.get("CHAIR_TEST_TIKA_URL", "")

STORE_PARAMS = ["local"] + ([pytest.param("s3", marks=pytest.mark.services)] if S3_URL else [])
EXTRACTOR_PARAMS = ["embedded"] + ([pytest.param("tika", marks=pytest.mark.services)] if TIKA_URL else [])

CHINESE = "基于深度学习的古籍文字识别研究"
ENGLISH = "Optical character recognition of ancient Chinese books with deep learning"
SCAN_ENGLISH = ("Machine learning for wetland monitoring", "Remote sensing of water levels and reed beds",
                "Field survey of the Poyang Lake basin")
SCAN_CHINESE = "机器学习方法研究"
# Fonts of the rendered scan (Debian packages fonts-dejavu-core and fonts-wqy-zenhei; scripts/test installs them).
LATIN_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)
CHINESE_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",)


def fresh_s3_url() -> str:
    """The test S3 URL with a new, unique bucket name."""
    parts = urlsplit(S3_URL)
    return parts._replace(path=f"/{parts.path.strip('/')}-{uuid.uuid4().hex[:10]}").geturl()


def drop_bucket(store) -> None:
    """Empty and remove an S3 store's bucket."""
    for key in list(store.keys()):
        store.client.remove_object(store.bucket, key)
    store.client.remove_bucket(store.bucket)


def store_url(kind: str, tmp_path) -> str:
    """A storage URL of ``kind`` (local or s3) private to one test."""
    return f"file://{tmp_path / 'objects'}" if kind == "local" else fresh_s3_url()


def cleanup_store(url: str) -> None:
    """Remove what a test stored on S3 (a local directory goes with tmp_path)."""
    if url.startswith("s3"):
        from storage import open_store

        drop_bucket(open_store(url))


def bilingual_pdf(extra: str = "") -> bytes:
    """A PDF with Chinese and English lines (and ``extra`` to make its bytes unique)."""
    lines = [PdfLine(CHINESE, 16), PdfLine(ENGLISH, 12),
             PdfLine("The results of this study show that the method is accurate for the collection."),
             PdfLine("本文提出了一种新的方法，并在图书馆的馆藏上进行了实验。"),
             PdfLine("实验结果表明，该方法在古籍数字化项目中具有较高的识别准确率和实用价值。"),
             PdfLine("关键词：古籍；文字识别；深度学习；图书馆；数字人文")]
    if extra:
        lines.append(PdfLine(extra))
    return build_pdf(lines, title=ENGLISH)


def english_pdf(pages_text: str = ENGLISH) -> bytes:
    """A PDF with English text only."""
    return build_pdf([PdfLine(pages_text), PdfLine("We report on the work and the results of it for the library.")])


def scanned_pdf() -> bytes:
    """An image-only PDF (a grey scan with no text layer): extraction finds no text."""
    width = height = 64
    pixels = zlib.compress(bytes((x * 3 + y) % 256 for y in range(height) for x in range(width)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
    ]
    content = b"q 500 0 0 700 40 80 cm /Im1 Do Q"
    objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                   b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % (width, height, len(pixels))
                   + pixels + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@functools.cache
def tika_has_tesseract() -> bool:
    """Whether the test Tika server lists its Tesseract OCR parser (scripts/services installs Tesseract if apt can).

    Asked here, not through the extractor, so that a wrong answer of the extractor's own check fails the OCR tests.
    """
    import requests

    with requests.Session() as session:
        session.trust_env = False
        response = session.get(f"{TIKA_URL.rstrip('/')}/parsers", headers={"Accept": "text/plain"}, timeout=10)
    response.raise_for_status()
    return "TesseractOCRParser" in response.text


def find_font(candidates: tuple[str, ...], fc_pattern: str, package: str) -> str:
    """The first existing font file of ``candidates``, else what fontconfig lists for ``fc_pattern``; fails clearly."""
    for path in candidates:
        if os.path.isfile(path):
            return path
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list", fc_pattern, "file"], capture_output=True, text=True, check=False).stdout
        files = sorted(line.strip().rstrip(":") for line in listed.splitlines() if line.strip())
        if files:
            return files[0]
    pytest.fail(f"no font for {fc_pattern!r} (looked at {', '.join(candidates)} and fc-list): "
                f"apt-get install {package} (scripts/test installs it)")


def rendered_scan_pdf() -> bytes:
    """A scanned-looking page: English lines and a Chinese line drawn as an image (Pillow), no text layer.

    A4 at 300 dpi, black on white, bilevel (CCITT G4, as a document scanner saves it), image-only
    PDF. English at 50 px, Chinese at 48 px: Tesseract 5.3's chi_sim+eng reads the Chinese line
    at 40, 46, 48 or 50 px but mistakes it for Latin script at 44 and at 52 px and above.
    """
    from PIL import Image, ImageDraw, ImageFont

    latin = ImageFont.truetype(find_font(LATIN_FONTS, "DejaVu Sans:style=Book", "fonts-dejavu-core"), 50)
    han = ImageFont.truetype(find_font(CHINESE_FONTS, ":lang=zh-cn", "fonts-wqy-zenhei"), 48)
    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    y = 300
    for line in SCAN_ENGLISH:
        draw.text((250, y), line, font=latin, fill=0)
        y += 110
    draw.text((250, y + 40), SCAN_CHINESE, font=han, fill=0)
    out = io.BytesIO()
    page.convert("1").save(out, "PDF", resolution=300)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    """The bilingual PDF encrypted with a user password."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(bilingual_pdf()))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def corrupt_pdf() -> bytes:
    """PDF magic followed by garbage: no parser can read it."""
    return b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n1 0 obj << /Type /Catalog /Pages 9 0 R"


def zip_bomb(unpacked: int = 256 * 1024 * 1024) -> bytes:
    """A small zip whose one text member unpacks to ``unpacked`` bytes (256 MB by default)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("bomb.txt", "w", force_zip64=True) as member:
            block = b"A" * (1024 * 1024)
            for _ in range(unpacked // len(block)):
                member.write(block)
    return out.getvalue()


def generated_chunks(total: int, chunk: int = 1024 * 1024) -> Iterator[bytes]:
    """Deterministic non-repeating-looking bytes, generated on the fly, ``total`` long."""
    seed = b"CHAIR" * 13107 + b"H"  # 65536 bytes
    block = (seed * (chunk // len(seed) + 1))[:chunk]
    sent = 0
    n = 0
    while sent < total:
        piece = block[: min(chunk, total - sent)]
        yield n.to_bytes(8, "big") + piece[8:] if len(piece) > 8 else piece
        sent += len(piece)
        n += 1
