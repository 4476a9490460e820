"""The brief printed to PDF by a headless Chromium (found on PATH), killed with its process group on a
timeout.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path


class PdfEngineError(RuntimeError):
    """No PDF engine, or the engine failed; the message says which and what to do."""


#: Executables tried, in order, for printing HTML to PDF (Debian's chromium first).
PDF_ENGINES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_pdf_engine() -> str | None:
    """Path of a headless Chromium (env ``SIMULATOR_PDF_ENGINE`` first), or None."""
    override = os.environ.get("SIMULATOR_PDF_ENGINE")
    if override:
        return shutil.which(override)
    for name in PDF_ENGINES:
        found = shutil.which(name)
        if found:
            return found
    return None


def brief_pdf(html_text: str, engine: str | None = None, timeout: float = 900.0) -> bytes:
    """Print an HTML brief to PDF bytes with a headless Chromium (``chromium --print-to-pdf``).

    Parameters
    ----------
    html_text : str
        From ``brief_html``.
    engine : str, optional
        Chromium executable; ``find_pdf_engine()`` by default.
    timeout : float
        Seconds to wait for the engine [s].

    Raises
    ------
    PdfEngineError
        When no engine is installed (install Debian's ``chromium``, or print the HTML from a
        browser) or the engine produced no PDF.
    """
    exe = shutil.which(engine) if engine else find_pdf_engine()
    if exe is None:
        wanted = engine or os.environ.get("SIMULATOR_PDF_ENGINE") or " / ".join(PDF_ENGINES)
        raise PdfEngineError(
            f"no PDF engine: {wanted} not found; install Debian's chromium "
            "(apt-get install chromium) or print the HTML brief from a browser"
        )
    with tempfile.TemporaryDirectory(prefix="brief-") as tmp:
        source, target = Path(tmp) / "brief.html", Path(tmp) / "brief.pdf"
        source.write_text(html_text, encoding="utf-8")
        cmd = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-zygote",
            "--no-first-run",
            "--disable-extensions",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise PdfEngineError(f"{exe}: no PDF after {timeout:g} s") from None
        if not target.is_file() or target.read_bytes()[:5] != b"%PDF-":
            last = (err.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
            raise PdfEngineError(f"{exe}: printing to PDF failed (exit {proc.returncode}): {last}")
        return target.read_bytes()
