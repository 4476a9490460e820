"""Hostile-input suite (issue 24): every case of tests/hostile_cases.py in its own process, with its
time and peak memory, through each way in: the app's loader (upload, ``u=`` link) and the command
line (``validate`` / ``run``, exit code 2 and one line). Prints one row per case and a summary:
tracebacks, hangs (over 60 s), wrong outcomes, and inputs under 1 MB whose process peaked above
500 MB (the interpreter with pandas alone is printed as the floor).

    .venv/bin/python bench/hostile_suite.py            # all cases (about 3-6 minutes on 2 cores)
    .venv/bin/python bench/hostile_suite.py xlsx laughs # only cases whose id contains a word
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from hostile_cases import OK, data_cases, link_token_cases, scenario_cases  # noqa: E402

from simulator.loaders import upload_name  # noqa: E402

LIMIT_S = 60
CHILD = r"""
import contextlib, io, json, sys, time, traceback
from pathlib import Path
kind, path, extra = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
t0 = time.perf_counter()
out = {}
def run(label, func):
    start = time.perf_counter()
    try:
        value = func()
        out[label] = {"ok": True, "message": value, "ms": (time.perf_counter() - start) * 1e3}
    except Exception as err:
        from simulator.errors import InputError
        out[label] = {"ok": False, "message": str(err), "input_error": isinstance(err, InputError),
                      "ms": (time.perf_counter() - start) * 1e3,
                      "traceback": None if isinstance(err, InputError) else traceback.format_exc()[-600:]}
def cli(args):
    from simulator import cli as shell
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = shell.main(args)
    return {"code": code, "stderr": err.getvalue()}
import simulator.loaders, simulator.scenario, simulator.share  # imported before the clock: the floor
if kind == "floor":
    pass
elif kind == "data":
    from simulator.loaders import load_upload
    data = Path(path).read_bytes()
    run("upload", lambda: len(load_upload(data, extra["name"], extra["kind"])))
    run("validate", lambda: cli(["validate", path]))
elif kind == "scenario":
    from simulator.scenario import parse_scenario
    from simulator.share import decode_scenario, encode_scenario
    raw = Path(path).read_bytes()
    if extra["expect_ok"]:
        run("file", lambda: parse_scenario(raw.decode("utf-8"), source="hostile.yaml").name)
    else:
        run("run", lambda: cli(["run", path]))
    if extra["link"]:
        def link():
            from simulator.errors import InputError
            try:
                token = encode_scenario(raw.decode("utf-8"))
            except InputError as err:
                return "too long for a link: " + str(err)
            return parse_scenario(decode_scenario(token), source="link").name
        run("link", link)
elif kind == "token":
    from simulator.share import decode_scenario
    run("token", lambda: decode_scenario(Path(path).read_text()))
# VmHWM is this program's own high-water mark (ru_maxrss would carry the parent's over exec)
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024
print(json.dumps({"paths": out, "peak_mib": peak}))
"""


def child(kind: str, path: str, extra: dict) -> tuple[dict | None, float, str]:
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, kind, path, json.dumps(extra)],
            capture_output=True,
            text=True,
            timeout=LIMIT_S,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - start, "HANG"
    wall = time.perf_counter() - start
    if proc.returncode != 0 or not proc.stdout.strip():
        return None, wall, f"CRASH rc={proc.returncode}: {proc.stderr[-300:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall, ""


def judge(paths: dict, expect: str) -> tuple[bool, str, bool]:
    """(outcome as expected on every path, the message shown, any traceback)."""
    good, shown, traceback = True, "", False
    for res in paths.values():
        message = res["message"]
        if isinstance(message, dict):  # a command: exit code and stderr
            code, err = message["code"], message["stderr"]
            lines = err.strip().splitlines()
            refused_ok = code == 2 and len(lines) == 1 and "Traceback" not in err
            good &= (code == 0) if expect == OK else refused_ok
            shown = shown or err.strip()
            continue
        if res.get("traceback"):
            traceback = True
            good = False
            shown = res["traceback"].strip().splitlines()[-1]
            continue
        if expect == OK:
            good &= res["ok"] or str(message).startswith("too long")
        else:
            accepted_link_limit = res["ok"] and str(message).startswith("too long for a link")
            good &= accepted_link_limit or (
                not res["ok"]
                and len(message) <= 300
                and "\n" not in message
                and re.search(expect, message) is not None
            )
            shown = shown or str(message)
    return good, shown, traceback


def main(words: list[str]) -> int:
    def wanted(case_id: str) -> bool:
        return not words or any(w in case_id for w in words)

    floor, _, _ = child("floor", "-", {})
    floor_mib = floor["peak_mib"] if floor else float("nan")
    print(
        f"hostile-input suite, {time.strftime('%Y-%m-%d %H:%M')}, load average {os.getloadavg()[0]:.1f}; "
        f"interpreter with the loaders imported: {floor_mib:.0f} MiB peak RSS"
    )
    print(f"{'case':<36} {'bytes':>11} {'want':<7} {'ok':<3} {'work ms':>8} {'peak MiB':>9}  message")
    print(
        "(work ms: the slowest way in (upload, validate, run, link) after the imports; peak: the "
        "process's VmHWM)"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        jobs = []
        for c in data_cases():
            if wanted(c.id):
                path = Path(tmp) / "data" / c.id / upload_name(c.name)
                path.parent.mkdir(parents=True)
                path.write_bytes(c.data)
                jobs.append(
                    (
                        f"data/{c.id}",
                        "data",
                        str(path),
                        {"name": c.name, "kind": c.kind},
                        c.expect,
                        len(c.data),
                    )
                )
        for c in scenario_cases():
            if wanted(c.id):
                raw = c.text if isinstance(c.text, bytes) else c.text.encode("utf-8")
                path = Path(tmp) / "scenario" / c.id / "hostile.yaml"
                path.parent.mkdir(parents=True)
                path.write_bytes(raw)
                jobs.append(
                    (
                        f"scenario/{c.id}",
                        "scenario",
                        str(path),
                        {"expect_ok": c.expect == OK, "link": c.link and isinstance(c.text, str)},
                        c.expect,
                        len(raw),
                    )
                )
        for case_id, token, expect in link_token_cases():
            if wanted(case_id):
                path = Path(tmp) / f"{case_id}.txt"
                path.write_text(token)
                jobs.append((f"link/{case_id}", "token", str(path), {}, expect, len(token)))
        for label, kind, path, extra, expect, size in jobs:
            report, wall, problem = child(kind, path, extra)
            if report is None:
                good, shown, tb, peak, work = (
                    False,
                    problem,
                    problem.startswith("CRASH"),
                    float("nan"),
                    float("nan"),
                )
            else:
                good, shown, tb = judge(report["paths"], expect)
                peak = report["peak_mib"]
                work = max(res["ms"] for res in report["paths"].values())
            rows.append((label, size, expect, good, wall, peak, tb, problem, work))
            want = "accept" if expect == OK else "refuse"
            print(
                f"{label:<36} {size:>11,} {want:<7} {'yes' if good else 'NO':<3} {work:>8.0f} {peak:>9.0f}  "
                f"{shown[:110]}",
                flush=True,
            )
    small_heavy = [r for r in rows if r[1] < 1_000_000 and r[5] > 500]
    print()
    print(
        f"cases: {len(rows)} ({sum(r[0].startswith('data/') for r in rows)} data files, "
        f"{sum(not r[0].startswith('data/') for r in rows)} scenario texts and link tokens)"
    )
    print(
        f"as expected: {sum(r[3] for r in rows)}; wrong: {sum(not r[3] for r in rows)}; "
        f"tracebacks: {sum(r[6] for r in rows)}; hangs (> {LIMIT_S} s): {sum(r[7] == 'HANG' for r in rows)}"
    )
    peaks = [r[5] for r in rows if r[5] == r[5]]
    print(
        f"peak RSS per process: max {max(peaks):.0f} MiB, median {sorted(peaks)[len(peaks) // 2]:.0f} MiB "
        f"(floor {floor_mib:.0f} MiB); inputs under 1 MB above 500 MiB: {len(small_heavy)} "
        f"{[r[0] for r in small_heavy]}"
    )
    slowest = max(rows, key=lambda r: r[8] if r[8] == r[8] else float("inf"))
    print(
        f"slowest case: {slowest[0]} {slowest[8]:.0f} ms of work ({slowest[4]:.2f} s wall with the "
        "interpreter start)"
    )
    return 0 if all(r[3] for r in rows) and not small_heavy else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
