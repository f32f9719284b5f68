"""The DOCX as LibreOffice lays it out (many communes open reports in LibreOffice): converted to PDF, it has a
sensible page count and the Quốc hiệu stays on one line (grid widths = cell widths). Skipped, with the reason,
where LibreOffice or poppler's pdftotext is not installed (.ci/run installs them)."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from support.app import VN
from support.summary_data import golden_snapshot

from core.i18n import Translator
from plan.loader import load_plan
from plan.periods import Period
from summaries.compile import compile_summary
from summaries.docx import render_docx
from summaries.model import DocumentSettings

PLAN = load_plan("plan/plans/nam_cuong_2026.yaml")
MISSING = [tool for tool in ("soffice", "pdftotext", "pdfinfo") if shutil.which(tool) is None]
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"not installed: {', '.join(MISSING)} "
                                                      "(apt-get install libreoffice-writer-nogui poppler-utils)")


def _pdf(tmp_path: Path, party: bool = False) -> Path:
    summary = compile_summary(PLAN, golden_snapshot(), Period.quarter(2026, 2), datetime(2026, 6, 20, 9, tzinfo=VN))
    t = Translator(Path("locales")).for_language("vi")
    source = tmp_path / "baocao.docx"
    source.write_bytes(render_docx(summary, PLAN, t, DocumentSettings(signer_name="Hoàng Văn Mẫu"), party=party))
    env = {**os.environ, "HOME": str(tmp_path)}  # a fresh LibreOffice profile, no lock shared with a user
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=240, env=env)
    return tmp_path / "baocao.pdf"


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


def test_libreoffice_keeps_the_header_on_one_line_and_the_report_a_few_pages(tmp_path):
    pdf = _pdf(tmp_path)
    pages = int(next(line.split()[-1] for line in _run("pdfinfo", str(pdf)).splitlines() if line.startswith("Pages:")))
    assert 3 <= pages <= 12, pages
    first_page = _run("pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-").splitlines()
    assert any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in line for line in first_page), first_page[:6]
    assert any("Độc lập - Tự do - Hạnh phúc" in line for line in first_page)
    assert any("ỦY BAN MTTQ VIỆT NAM" in line for line in first_page)


def test_libreoffice_keeps_the_party_header_on_one_line(tmp_path):
    first_page = _run("pdftotext", "-layout", "-f", "1", "-l", "1", str(_pdf(tmp_path, party=True)), "-")
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in first_page
    assert any("ĐẢNG ỦY XÃ NAM CƯỜNG" in line for line in first_page.splitlines())
