"""smsnb's benchmarks: `make bench` (or `python benchmarks/run.py [--write] [--smoke]`).

Each figure is a median of repeated runs; where two things are compared, both are measured
in the same run, interleaved, and the ratio is what counts: these machines are noisy.
``--write`` records the table in RESULTS.md and the figures in results.json, against which the
next run reports any regression of the sandbox's figures. ``--smoke`` runs every benchmark a
few times only, to prove that they still start (the test suite does this).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from smsnb.card.recipients import number_hints  # noqa: E402
from smsnb.card.render import result_html, result_text  # noqa: E402
from smsnb.card.words import plural  # noqa: E402
from smsnb.knowledge.rules import MAX_CLIENT_REFERENCE  # noqa: E402
from smsnb.sandbox import triggers  # noqa: E402

MOBILE = triggers.ORDINARY_MOBILE


def ms(seconds: float) -> float:
    return seconds * 1000.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Bench:
    def __init__(self, smoke: bool):
        self.smoke = smoke
        self.rows: list[dict] = []
        self.shell = InteractiveShell.instance()
        self.shell.run_line_magic("load_ext", "smsnb")
        self.sms(f"{MOBILE} -m warm-up")  # starts the embedded sandbox
        self.session = self.shell.magics_manager.registry["SmsMagic"].session
        self.sandbox = self.session.sandbox

    def n(self, full: int, smoke: int = 3) -> int:
        return smoke if self.smoke else full

    def sms(self, line: str):
        return self.shell.run_line_magic("sms", line)

    def add(self, figure: str, value: float, unit: str, target: str = "", ok: bool | None = None,
            note: str = ""):
        self.rows.append({"figure": figure, "value": round(value, 3), "unit": unit, "target": target,
                          "ok": ok, "note": note})
        status = "" if ok is None else ("ok" if ok else "MISSED")
        print(f"  {figure:<48} {value:>10.2f} {unit:<6} {target:<12} {status:<6} {note}", flush=True)

    # --- the figures ----------------------------------------------------------------------------

    def load_cost(self) -> None:
        """Whole `ipython --quick` processes, with and without %load_ext smsnb, interleaved."""
        ipython = str(Path(sys.executable).with_name("ipython"))
        with tempfile.TemporaryDirectory() as ipydir:
            env = {**os.environ, "IPYTHONDIR": ipydir}
            subprocess.run([ipython, "--quick", "-c", "%load_ext smsnb"], env=env, check=True,
                           capture_output=True)

            def once(code: str) -> float:
                started = time.perf_counter()
                subprocess.run([ipython, "--quick", "-c", code], env=env, check=True, capture_output=True)
                return time.perf_counter() - started

            def line_itself() -> float:  # what the user waits for: the line, not the process's exit
                timed = ("import time; started = time.perf_counter(); "
                         "get_ipython().run_line_magic('load_ext', 'smsnb'); "
                         "print(time.perf_counter() - started)")
                done = subprocess.run([ipython, "--quick", "-c", timed], env=env, check=True,
                                      capture_output=True, text=True)
                return float(done.stdout.split()[-1])

            bare, loaded, lines = [], [], []
            for _ in range(self.n(21, 2)):
                bare.append(once("pass"))
                loaded.append(once("%load_ext smsnb"))
                lines.append(line_itself())
        extra = ms(statistics.median(loaded) - statistics.median(bare))
        # The whole process includes the warm-up thread's imports (smsnb/ipython/warm_up.py) as far
        # as they get before the process exits; a kernel goes on, so the line itself is what shows.
        self.add("extension load cost (+ over ipython --quick)", extra, "ms", "<= +50 ms", extra <= 50,
                 f"ipython alone {ms(statistics.median(bare)):.0f} ms")
        line = ms(statistics.median(lines))
        self.add("extension load: the %load_ext line itself", line, "ms", "<= 50 ms", line <= 50,
                 "the first card's imports follow in a background thread")

    def per_send_overhead(self, fresh: bool = False) -> None:
        """%sms to the sandbox against a raw requests.Session().post of the same body. With
        ``fresh``, every send is a new line (smsnb memoizes the parsing of a line it has seen)."""
        url = f"{self.sandbox.url}/xms/v1/{self.sandbox.service_plan_id}/batches"
        raw = requests.Session()
        headers = {"Authorization": f"Bearer {self.sandbox.api_token}", "Content-Type": "application/json"}
        magic, plain = [], []
        texts = iter(range(10**9))

        def via_magic():
            text = f"benchmark{next(texts)}" if fresh else "benchmark"
            started = time.perf_counter()
            result = self.sms(f"{MOBILE} -m {text}")
            magic.append(time.perf_counter() - started)
            assert result.ok

        def via_requests():
            text = f"benchmark{next(texts)}" if fresh else "benchmark"
            body = json.dumps({"to": [MOBILE], "body": text})
            started = time.perf_counter()
            answer = raw.post(url, data=body, headers=headers, timeout=10)
            plain.append(time.perf_counter() - started)
            assert answer.status_code == 201

        for i in range(self.n(400, 6)):
            first, second = (via_magic, via_requests) if i % 2 else (via_requests, via_magic)  # no order bias
            first()
            second()
        ratio = statistics.median(magic) / statistics.median(plain)
        label = "a new line each send" if fresh else "the same line again"
        self.add(f"per-send: %sms / raw requests.post ({label})", ratio, "x", "<= 1.15", ratio <= 1.15,
                 f"%sms {ms(statistics.median(magic)):.2f} ms, raw {ms(statistics.median(plain)):.2f} ms")

    def sandbox_throughput(self) -> None:
        url = f"{self.sandbox.url}/xms/v1/{self.sandbox.service_plan_id}/batches"
        headers = {"Authorization": f"Bearer {self.sandbox.api_token}", "Content-Type": "application/json"}
        body = json.dumps({"to": [MOBILE], "body": "throughput"})

        def client(count: int, latencies: list[float]) -> None:
            session = requests.Session()
            for _ in range(count):
                started = time.perf_counter()
                assert session.post(url, data=body, headers=headers, timeout=10).status_code == 201
                latencies.append(time.perf_counter() - started)

        sequential: list[float] = []
        started = time.perf_counter()
        client(self.n(500, 5), sequential)
        rate = len(sequential) / (time.perf_counter() - started)
        self.add("sandbox sequential throughput", rate, "req/s", "report")
        self.add("sandbox sequential latency p50", ms(percentile(sequential, 0.5)), "ms", "report")
        self.add("sandbox sequential latency p99", ms(percentile(sequential, 0.99)), "ms", "report")
        concurrent: list[float] = []
        lock_free = [[] for _ in range(8)]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda i: client(self.n(150, 2), lock_free[i]), range(8)))
        elapsed = time.perf_counter() - started
        for part in lock_free:
            concurrent += part
        self.add("sandbox 8-client throughput", len(concurrent) / elapsed, "req/s", "report")
        self.add("sandbox 8-client latency p50", ms(percentile(concurrent, 0.5)), "ms", "report")
        self.add("sandbox 8-client latency p99", ms(percentile(concurrent, 0.99)), "ms", "report")

    def large_batch(self) -> None:
        """A 1000-recipient dry run: smsnb's own work (number checks and hints, the card in text,
        HTML and widget form), apart from the sandbox's answer."""
        from smsnb.card.widgets import card_for

        client_side, end_to_end = [], []
        for run in range(self.n(7, 1)):
            numbers = [f"+4673{run}{i:06d}" for i in range(1000)]  # fresh mobiles: no cache helps
            line = "--dry-run " + " ".join(numbers) + " -m 'Hello, a long batch'"
            started = time.perf_counter()
            hints = number_hints(numbers)
            checked = time.perf_counter() - started
            result = self.sms(line)
            sent = time.perf_counter()
            assert result.ok and result.data["number_of_recipients"] == 1000, result
            rendered_started = time.perf_counter()
            result_text(result), result_html(result)
            card = card_for(result)
            rendered = time.perf_counter() - rendered_started
            card.close()
            client_side.append(checked + rendered)
            end_to_end.append(sent - started + rendered)
            assert hints == [] or all(isinstance(h, str) for h in hints)
        value = ms(statistics.median(client_side))
        self.add("1000-recipient dry run: checks + card", value, "ms", "<= 100 ms", value <= 100,
                 f"end to end with the sandbox {ms(statistics.median(end_to_end)):.0f} ms")

    def error_cards(self) -> None:
        from smsnb.card.widgets import card_for

        self.shell.run_line_magic("config", 'SmsMagic.default_country = "SE"')
        lines = {
            "syntax_invalid_parameter_format": "0701234567 -m hi",
            "missing_callback_url": f"{MOBILE} -m hi --delivery-report full",
            "illegal_number_type": f"{triggers.FIXED_LINE} -m hi",
            "syntax_constraint_violation":
                f"{MOBILE} -m hi --client-reference {'r' * (MAX_CLIENT_REFERENCE + 1)}",
            "unknown_group": f"{triggers.UNKNOWN_GROUP_ID} -m hi",
            "http_429": f"{triggers.RATE_LIMITED} -m hi",
            "http_500": f"{triggers.SERVER_ERROR} -m hi",
        }
        worst = 0.0
        for key, line in lines.items():
            result = self.sms(line)
            assert result.code == key, (result.code, key)
            times = []
            for _ in range(self.n(25, 2)):
                started = time.perf_counter()
                card = card_for(result)
                times.append(time.perf_counter() - started)
                card.close()
            worst = max(worst, ms(statistics.median(times)))
            self.add(f"error card: {key}", ms(statistics.median(times)), "ms", "<= 30 ms",
                     ms(statistics.median(times)) <= 30)
        json_card = self.shell.run_cell_magic("sms", "--json", '{"to": [}')
        started = time.perf_counter()
        card_for(json_card).close()
        self.add("error card: syntax_invalid_json", ms(time.perf_counter() - started), "ms", "<= 30 ms",
                 ms(time.perf_counter() - started) <= 30, "one build")
        self.shell.run_line_magic("config", "SmsMagic.default_country = None")

    def connection_reuse(self) -> None:
        self.sandbox.journal.clear()
        count = self.n(100, 5)
        for _ in range(count):
            assert self.sms(f"{MOBILE} -m reuse").ok
        connections = {e["client_port"] for e in self.sandbox.journal.entries()}
        per = count / max(1, len(connections))
        self.add("connection reuse: requests per connection", per, "req", f">= {count // 2}",
                 per >= count // 2,
                 f"{count} sends over {plural(len(connections), 'connection')}")

    def browser(self) -> None:
        """Shift+Enter to a visible card in JupyterLab, against print() (benchmarks/browser.py)."""
        import browser

        browser.run(self.add, self.smoke)

    def close(self) -> None:
        self.shell.run_line_magic("unload_ext", "smsnb")


def machine() -> dict:
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "python": platform.python_version(),
            "platform": platform.platform(), "cpu": model or platform.processor(), "cores": os.cpu_count()}


def compare(rows: list[dict], previous: dict) -> list[str]:
    """Regressions of the sandbox's figures against the last recorded run (beyond noise: 25 %)."""
    before = {row["figure"]: row["value"] for row in previous.get("rows", [])}
    notes = []
    for row in rows:
        if not row["figure"].startswith("sandbox") or row["figure"] not in before:
            continue
        old, new = before[row["figure"]], row["value"]
        worse = new < old * 0.75 if row["unit"] == "req/s" else new > old * 1.25
        change = (new - old) / old * 100 if old else 0.0
        notes.append(f"{row['figure']}: {old:g} -> {new:g} {row['unit']} ({change:+.0f} %)"
                     + (" REGRESSION" if worse else ""))
    return notes


def write(rows: list[dict], info: dict, notes: list[str]) -> None:
    (HERE / "results.json").write_text(json.dumps({"machine": info, "rows": rows}, indent=2) + "\n")
    lines = ["# Benchmark results", "",
             "Made by `make bench` (`python benchmarks/run.py --write`); medians of repeated runs, ratios "
             "measured in the same run.", "",
             f"Machine: {info['cpu']}, {info['cores']} cores; {info['platform']}; Python {info['python']}; "
             f"{info['date']}.", "",
             "| figure | value | target | met | note |", "|---|---|---|---|---|"]
    for row in rows:
        met = "" if row["ok"] is None else ("yes" if row["ok"] else "**no**")
        value = f"{row['value']:g} {row['unit']}"
        lines.append(f"| {row['figure']} | {value} | {row['target']} | {met} | {row['note']} |")
    if notes:
        lines += ["", "Against the previous recorded run:", ""] + [f"- {note}" for note in notes]
    notes_file = HERE / "NOTES.md"
    if notes_file.exists():
        lines += ["", notes_file.read_text().strip()]
    (HERE / "RESULTS.md").write_text("\n".join(lines) + "\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="record RESULTS.md and results.json")
    parser.add_argument("--smoke", action="store_true", help="a few iterations of each, to prove they run")
    args = parser.parse_args(argv)
    print(f"  {'figure':<48} {'value':>10} {'unit':<6} {'target':<12} {'met':<6} note")
    bench = Bench(args.smoke)
    try:
        for step in (bench.load_cost, bench.per_send_overhead, lambda: bench.per_send_overhead(fresh=True),
                     bench.sandbox_throughput, bench.large_batch,
                     bench.error_cards, bench.connection_reuse, bench.browser):
            step()
    finally:
        bench.close()
    previous_file = HERE / "results.json"
    previous = json.loads(previous_file.read_text()) if previous_file.exists() else {}
    notes = compare(bench.rows, previous)
    for note in notes:
        print("  " + note)
    if args.write and not args.smoke:
        write(bench.rows, machine(), notes)
        print(f"  written to {HERE / 'RESULTS.md'}")
    missed = [row["figure"] for row in bench.rows if row["ok"] is False]
    if missed:
        print(f"  targets missed: {', '.join(missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
