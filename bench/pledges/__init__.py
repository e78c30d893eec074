"""Pledge PDFs: PDFs per second of the pledge renderer for a batch of 1,000, against bare reportlab
drawing the same page, measured in the same run.

Target (issue 4): the renderer >= 50 % of bare reportlab. The renderer is timed the way a site's
zip makes its PDFs (:func:`plugin.pledges.batches.rendered_slices`): pledges loaded from a SQLite
database in slices with their children, ID numbers and signatures decrypted, masked, laid out and
drawn. Bare reportlab draws the same page (same strings, embedded font, QR code and signature
image) from values prepared beforehand, with the text already broken into lines. Rounds alternate
between the two, and the best round of each counts.
"""
from __future__ import annotations

import io
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from .bare import BarePage, draw_bare_page
from .seed import seed_pledges

VERIFY_BASE = "https://care.example.com/v/"


def add_arguments(parser) -> None:
    parser.add_argument("--count", type=int, default=1000, help="PDFs per round (default 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each (default 3)")


def _app(directory: Path):
    from employer_portal import create_app
    from plugin.privacy.crypto import KeyRing

    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'bench.db'}",
                       "SECRET_KEY": "bench",
                       "CAREBRIDGE_DATA_KEY": KeyRing.generate().serialize()})


def _renderer_round(ids: list[int], as_of: date) -> tuple[float, int]:
    from plugin.core.db import session
    from plugin.pledges.batches import rendered_slices

    session.expire_all()
    started = time.perf_counter()
    size = 0
    count = 0
    for documents in rendered_slices(ids, VERIFY_BASE, as_of):
        count += len(documents)
        size += sum(len(pdf) for _name, pdf in documents)
        session.commit()  # as the batch does after each slice
    elapsed = time.perf_counter() - started
    assert count == len(ids)
    return count / elapsed, size // count


def _bare_round(pages: list[BarePage]) -> tuple[float, int]:
    started = time.perf_counter()
    size = 0
    for page in pages:
        out = io.BytesIO()
        draw_bare_page(out, page)
        size += len(out.getvalue())
    elapsed = time.perf_counter() - started
    return len(pages) / elapsed, size // len(pages)


def run(arguments) -> None:
    from flask_migrate import upgrade

    from plugin.core.db import session

    with tempfile.TemporaryDirectory(prefix="carebridge-bench-") as work:
        app = _app(Path(work))
        with app.app_context():
            upgrade()
            today = date(2026, 11, 22)
            ids = seed_pledges(arguments.count, signed_on=today - timedelta(days=10))
            session.commit()
            pages = [BarePage.of(pledge_id, VERIFY_BASE) for pledge_id in ids]
            session.commit()
            renderer, bare = [], []
            for _ in range(max(1, arguments.rounds)):
                bare.append(_bare_round(pages))
                renderer.append(_renderer_round(ids, today))
    best_renderer = max(rate for rate, _size in renderer)
    best_bare = max(rate for rate, _size in bare)
    ratio = best_renderer / best_bare
    print(f"{'PDFs':>6} {'renderer PDFs/s':>16} {'bare reportlab PDFs/s':>22} {'ratio':>7} "
          f"{'KB/PDF (renderer / bare)':>25}  target: ratio >= 50 %")
    print(f"{len(ids):>6} {best_renderer:>16,.1f} {best_bare:>22,.1f} {ratio:>6.1%} "
          f"{renderer[0][1] / 1024:>14,.1f} / {bare[0][1] / 1024:<8,.1f}  "
          f"{'ok' if ratio >= 0.5 else 'BELOW TARGET'}", flush=True)
    median_ratio = statistics.median(r / b for (r, _), (b, _) in zip(renderer, bare, strict=True))
    print("rounds (renderer / bare PDFs/s): " + ", ".join(
        f"{r:,.1f} / {b:,.1f}" for (r, _), (b, _) in zip(renderer, bare, strict=True))
          + f"; median ratio {median_ratio:.1%}")
