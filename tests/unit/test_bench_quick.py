"""The benchmark suite runs end to end in its quick mode (CI proves it works; no numbers judged)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the suite drives a pty and reads /proc"
)


def test_quick_benchmark_prints_all_five_figures(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(out.read_text(encoding="utf-8"))
    figures = {row["figure"].split()[0] for row in data["rows"]}
    assert figures >= {"1", "2", "3", "4", "5"}, figures
    for row in data["rows"]:
        assert row["measured"]["values"], row
        assert all(v > 0 for v in row["measured"]["values"]), row
        if row["baseline"] is not None:
            assert all(v > 0 for v in row["baseline"]["values"]), row
    # The table on stdout names every figure and its baseline.
    assert "1 startup" in result.stdout and "5 memory" in result.stdout
    assert "bare Textual app" in result.stdout and "spaCy pipeline alone" in result.stdout
