"""Import and ``--help`` time: medians of fresh processes, measured interleaved in one run.

``uv run python tests/benchmarks/bench_import.py --repeat 7 [--baseline DIR]``

Each round starts, in turn, ``python -c "import polars"``, ``python -c "import linkedin_capi"``,
``linkedin-capi --help`` (the console script, ``_linkedin_capi_cli:main``) and the same help
through the plain import (``linkedin_capi.cli:main``, the console script before issue 16
item 4), and times the whole process with
``time.perf_counter`` around ``subprocess.run`` (and its CPU time, user + system, from
``getrusage(RUSAGE_CHILDREN)``, which moves less with other people's load). Interleaving
means a burst of load on the shared machine hits all three alike; the ratios and the
difference of medians are what to read. It also lists which heavy stacks a bare
``import linkedin_capi`` loaded.

Two regimes, run separately: with the bytecode cache (``env -u PYTHONDONTWRITEBYTECODE``:
``.pyc`` files are written in the unmeasured first round, as an installed wheel has them;
this machine sets ``PYTHONDONTWRITEBYTECODE=1``), and without it
(``PYTHONDONTWRITEBYTECODE=1 PYTHONPYCACHEPREFIX=<empty dir>``: every process compiles
all it imports, Polars included — existing ``.pyc`` files would otherwise still be read).

``--baseline DIR`` adds the same import and plain-import help of another copy of the
package, interleaved in the same rounds: ``DIR`` holds an older ``linkedin_capi/`` (e.g.
``git archive main linkedin_capi | tar -x -C /tmp/base``) and goes first on ``PYTHONPATH``,
so before and after share one run, one interpreter and one load.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

HEAVY = ("requests", "urllib3", "oauthlib", "requests_oauthlib", "pydantic", "typer", "rich")


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one fresh process."""
    cpu, start = _cpu_children(), time.perf_counter()
    cwd = env.get("PYTHONPATH") if env else None  # `-c` puts the working directory first
    subprocess.run(
        cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd
    )
    return time.perf_counter() - start, _cpu_children() - cpu


#: In one fresh process: Polars first, then the package alone, timed from the inside (wall
#: and this process's CPU time), so neither interpreter start nor Polars is in the figure.
INCREMENT = (
    "import time, polars; w, c = time.perf_counter(), time.process_time(); "
    "import linkedin_capi; "
    "print(time.perf_counter() - w, time.process_time() - c)"
)


def _increment(env: dict[str, str] | None) -> tuple[float, float]:
    """Wall and CPU seconds of ``import linkedin_capi`` on top of an imported Polars."""
    cwd = env.get("PYTHONPATH") if env else None
    out = subprocess.run(
        [sys.executable, "-c", INCREMENT], env=env, cwd=cwd, capture_output=True, text=True
    )
    wall, cpu = out.stdout.split()
    return float(wall), float(cpu)


#: ``linkedin-capi --help`` through ``import linkedin_capi`` (the old console script).
PLAIN_HELP = (
    "import sys; sys.argv = ['linkedin-capi', '--help']; from linkedin_capi.cli import main; main()"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--baseline", help="a directory holding an older linkedin_capi/")
    args = parser.parse_args()
    cli = shutil.which("linkedin-capi", path=os.path.dirname(sys.executable))
    if cli is None:
        raise SystemExit("linkedin-capi is not installed next to this interpreter")
    commands: dict[str, tuple[list[str], dict[str, str] | None]] = {
        "import polars": ([sys.executable, "-c", "import polars"], None),
        "import linkedin_capi": ([sys.executable, "-c", "import linkedin_capi"], None),
        "linkedin-capi --help": ([cli, "--help"], None),
        "cli:main --help": ([sys.executable, "-c", PLAIN_HELP], None),
    }
    if args.baseline:
        base = {**os.environ, "PYTHONPATH": os.path.abspath(args.baseline)}
        probe = "import linkedin_capi; print(linkedin_capi.__file__)"
        where = subprocess.run(
            [sys.executable, "-c", probe],
            env=base,
            cwd=base["PYTHONPATH"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        print(f"baseline package: {where}")
        commands["baseline: import linkedin_capi"] = (commands["import linkedin_capi"][0], base)
        commands["baseline: cli:main --help"] = (commands["cli:main --help"][0], base)
    # Python compiles every module it imports unless a .pyc is cached: with
    # PYTHONDONTWRITEBYTECODE set nothing is cached and every start compiles Polars and the
    # package again (an installed wheel has its .pyc files). One unmeasured round first,
    # so with caching on every measured start finds them.
    caching = not os.environ.get("PYTHONDONTWRITEBYTECODE")
    print(f"bytecode cache: {'on' if caching else 'off (PYTHONDONTWRITEBYTECODE is set)'}")
    for cmd, env in commands.values():
        _timed(cmd, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, (cmd, env) in commands.items():
            wall, cpu = _timed(cmd, env)
            times[name].append(wall)
            cpus[name].append(cpu)
    envs = {"this tree": None}
    if args.baseline:
        envs["baseline"] = {**os.environ, "PYTHONPATH": os.path.abspath(args.baseline)}
    inside: dict[str, list[tuple[float, float]]] = {name: [] for name in envs}
    for _ in range(args.repeat):
        for name, env in envs.items():
            inside[name].append(_increment(env))
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    for name, median in medians.items():
        spread = f"{min(times[name]):.3f}–{max(times[name]):.3f}"
        print(
            f"{name:32s} median {median:.3f} s  (min–max {spread}, n={args.repeat}; "
            f"CPU median {statistics.median(cpus[name]):.3f} s)"
        )
    cpu_extra = statistics.median(cpus["import linkedin_capi"]) - statistics.median(
        cpus["import polars"]
    )
    print(f"CPU: import linkedin_capi − import polars = {cpu_extra:+.3f} s")
    extra = medians["import linkedin_capi"] - medians["import polars"]
    print(f"import linkedin_capi − import polars = {extra:+.3f} s (target ≤ +0.060 s)")
    print(f"linkedin-capi --help = {medians['linkedin-capi --help']:.3f} s (target ≤ 0.600 s)")
    for name, pairs in inside.items():
        wall = statistics.median(w for w, _ in pairs)
        cpu = statistics.median(c for _, c in pairs)
        print(
            f"{name}: `import linkedin_capi` after `import polars`, inside one process: "
            f"wall median {wall:.3f} s, CPU median {cpu:.3f} s (n={args.repeat})"
        )
    if args.baseline:
        old = medians["baseline: import linkedin_capi"] - medians["import polars"]
        print(f"baseline: import linkedin_capi − import polars = {old:+.3f} s")
    probe = f"import sys, linkedin_capi; print([m for m in {HEAVY!r} if m in sys.modules])"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout.strip()
    print(f"heavy stacks loaded by `import linkedin_capi`: {loaded}")
    print(f"load average: {os.getloadavg()[0]:.2f} (2 CPUs shared)")


if __name__ == "__main__":
    main()
