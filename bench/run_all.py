"""Run every ``bench/bench_*.py`` in turn and print their figures."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

failed = []
for script in sorted(HERE.glob("bench_*.py")):
    print(f"\n=== {script.name} ===", flush=True)
    if subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode:
        failed.append(script.name)
if failed:
    sys.exit(f"benchmarks failed: {', '.join(failed)}")
