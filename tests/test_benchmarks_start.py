"""The benchmarks are not tests, but they must still start: each runs a few iterations."""
import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def test_every_benchmark_still_runs():
    result = subprocess.run([sys.executable, str(RUN), "--smoke"], capture_output=True, text=True,
                            timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    for figure in ("extension load cost", "the %load_ext line itself", "per-send",
                   "sandbox sequential throughput",
                   "1000-recipient dry run",
                   "error card: missing_callback_url", "connection reuse"):
        assert figure in result.stdout, figure
    if Path("/usr/bin/chromium").exists():  # the browser benchmark needs it, as the browser test does
        assert "browser: warm error card" in result.stdout and "browser: first card" in result.stdout
