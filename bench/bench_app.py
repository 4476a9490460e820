"""How long the Region page takes to answer a slider move (issue #6: within half a second).

Runs the real app script through Streamlit's AppTest (the same code path as a browser session,
without the network and the browser's drawing), opens the Region page on one kabupaten/kota and one
province, then moves the subsidy slider to new values and times each rerun. The first runs (data,
baseline from the disk cache) are timed apart: they are what a user waits for once per session.

    python bench/bench_app.py            # 1.000 paths, like the app
    SIMULATOR_PATHS=200 python bench/bench_app.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

APP = str(ROOT / "app.py")
MOVES = (20_000, 40_000, 60_000, 80_000, 100_000)


def _clock(func) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    func()
    return time.perf_counter() - w0, time.process_time() - c0


def main() -> None:
    paths = os.environ.get("SIMULATOR_PATHS", "1000")
    print(f"paths: {paths}, cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    at = AppTest.from_file(APP, default_timeout=3600)
    wall, cpu = _clock(at.run)
    print(f"first page (data + baseline, from the disk cache when warm): {wall:.1f} s wall, {cpu:.1f} s CPU")
    wall, cpu = _clock(lambda: at.switch_page("app_pages/wilayah.py").run())
    print(f"switch to the Region page (first scenario run): {wall:.2f} s wall, {cpu:.2f} s CPU")
    for code, name in (("61.72", "Kota Singkawang"), ("61", "Kalimantan Barat")):
        at.selectbox(key="rg_region").set_value(code).run()
        walls, cpus = [], []
        for value in MOVES:
            w, c = _clock(lambda v=value: at.select_slider(key="rg_headcount").set_value(v).run())
            assert not at.exception, at.exception
            walls.append(w)
            cpus.append(c)
        print(
            f"slider move on {code} {name}: median {np.median(walls) * 1e3:.0f} ms wall "
            f"(best {min(walls) * 1e3:.0f}, worst {max(walls) * 1e3:.0f}), median CPU "
            f"{np.median(cpus) * 1e3:.0f} ms, "
            f"{len(MOVES)} moves; goal 500 ms"
        )


if __name__ == "__main__":
    main()
