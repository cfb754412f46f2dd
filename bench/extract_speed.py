"""Extraction speed: nianbao against plain trafilatura and bare lxml parsing, then Celery scaling.

    .venv/bin/python bench/extract_speed.py [--reps 7] [--tasks 200] [--celery-reps 3] [--no-celery]

Part 1, one process (= one core): documents per second for
- lxml: `lxml.html.document_fromstring` of the decoded page, the floor;
- trafilatura: `trafilatura.extract(decoded_text, include_tables=True)`, plain trafilatura on the same pages;
- nianbao: `workers.extract.extract(raw_bytes)`: decoding, boilerplate layer, trafilatura, metadata, normalisation.
The corpus is every HTML report the replica serves plus the real pages in tests/fixtures/realpages. The machine
is shared and noisy, so the three are run in interleaved repetitions (the order rotates each repetition) and the
overhead is the median of the per-repetition ratios nianbao / trafilatura, each pair measured back to back.

Part 2, Celery: a real redis-server and two Celery workers (`-c 1` each) started with shell.runtime; the same
N captures (written to a WARC in a local Store) are queued as `nianbao.extract` tasks, alternately with one
worker consuming (the other's consumer cancelled) and with both; the ratio is the median two-worker rate over
the median one-worker rate.

Last line: `extract_speed: nianbao_docs_per_s=… trafilatura_docs_per_s=… overhead=…% celery_2x_ratio=…`.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REALPAGES = ROOT / "tests" / "fixtures" / "realpages"


def corpus() -> list[tuple[str, bytes, str | None]]:
    """(url, raw bytes, content type) of the replica's HTML reports and the real HTML pages."""
    from replica import ground_truth
    from replica.server import SITE_DIR, load_meta

    meta = load_meta()
    label_of = {s["host"]: label for label, s in meta["sites"].items()}
    pages: list[tuple[str, bytes, str | None]] = []
    for g in ground_truth():
        if g["format"] != "html":
            continue
        label = label_of[g["host"]]
        for path in [g["path"], *g["aliases"]]:
            raw = (SITE_DIR / label / path.lstrip("/")).read_bytes()
            pages.append((f"http://{g['host']}{path}", raw, meta["sites"][label]["headers"].get(path)))
    real = sorted(REALPAGES.glob("*/*.htm*")) + sorted(REALPAGES.glob("readability-zh/*/source.html"))
    pages += [(f"http://realpages/{p.relative_to(REALPAGES)}", p.read_bytes(), None) for p in real]
    return [p for p in pages if "listing" not in p[0]]


def _time(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def single_core(reps: int) -> dict[str, Any]:
    import lxml.html
    import trafilatura

    from workers.extract import decode, extract
    from workers.extract.html import parse

    pages = corpus()
    texts = [decode(raw, content_type=ctype).text for _url, raw, ctype in pages]

    def run_lxml() -> None:
        for text in texts:
            parse(text) if text.lstrip().startswith("<?xml") else lxml.html.document_fromstring(text)

    def run_trafilatura() -> None:
        for text in texts:
            trafilatura.extract(text, include_tables=True)

    def run_nianbao() -> None:
        for url, raw, ctype in pages:
            extract(raw, url=url, content_type=ctype)

    runs = {"lxml": run_lxml, "trafilatura": run_trafilatura, "nianbao": run_nianbao}
    for fn in runs.values():  # warm up: imports, OpenCC dictionaries, regex compilation
        fn()
    times: dict[str, list[float]] = {name: [] for name in runs}
    ratios: list[float] = []
    names = list(runs)
    for rep in range(reps):
        order = names[rep % 3 :] + names[: rep % 3]
        for name in order:
            times[name].append(_time(runs[name]))
        ratios.append(times["nianbao"][-1] / times["trafilatura"][-1])
    n = len(pages)
    rates = {name: n / statistics.median(values) for name, values in times.items()}
    return {"docs": n, "reps": reps, "rates": rates, "ratios": ratios, "overhead": statistics.median(ratios) - 1}


# --- Celery ------------------------------------------------------------------------------------------


def write_captures(store_dir: Path, pages: list[tuple[str, bytes, str | None]], n: int) -> list[dict[str, Any]]:
    """A WARC holding `n` captures (the corpus repeated under distinct URLs) and their Capture dicts."""
    from nianbao.records import Capture
    from storage.warc import write_exchange

    key = "raw/2021/bench/bench.warc.gz"
    buffer = BytesIO()
    captures = []
    for i in range(n):
        url, raw, ctype = pages[i % len(pages)]
        url = f"{url}?copy={i}"
        headers = [("Content-Type", ctype or "text/html")]
        offset, length = write_exchange(
            buffer, url=url, method="GET", request_headers=[("User-Agent", "bench")], status=200, reason="OK",
            response_headers=headers, body=raw,
        )  # fmt: skip
        capture = Capture(
            site="bench", year=2021, url=url, final_url=url, status=200, headers=dict(headers),
            fetched_at="2024-01-01T00:00:00+00:00", sha256=hashlib.sha256(raw).hexdigest(),
            content_type=ctype or "text/html", warc_key=key, warc_offset=offset, warc_length=length, kind="rule_of_law",
            guessed_year=2021,
        )  # fmt: skip
        captures.append(capture.to_dict())
    target = store_dir / key
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(buffer.getvalue())
    return captures


def celery_scaling(tasks: int, reps: int) -> dict[str, Any]:
    from shell import runtime

    workdir = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    started: list[Any] = []
    try:
        redis_url = runtime.start_redis(workdir, started)
        os.environ["REDIS_URL"] = redis_url
        from workers.celery import app

        app.conf.broker_url = app.conf.result_backend = redis_url
        runtime.start_celery_workers(redis_url, workdir, 1, started, name="bench-a")
        runtime.start_celery_workers(redis_url, workdir, 1, started, name="bench-b")
        pid = os.getpid()
        worker_b = next(
            host
            for reply in app.control.ping(timeout=2.0) or []
            for host in reply
            if host.startswith(f"bench-b-{pid}@")
        )
        pages = corpus()
        phase = 0

        def run(n: int) -> float:
            nonlocal phase
            phase += 1
            store_dir = workdir / f"store-{phase}"
            captures = write_captures(store_dir, pages, n)
            start = time.perf_counter()
            results = [
                app.send_task("nianbao.extract", args=[c, str(store_dir), "000000"], queue="extract") for c in captures
            ]
            for r in results:
                r.get(timeout=600)
            return n / (time.perf_counter() - start)

        run(8)  # warm both workers' children: imports, OpenCC, trafilatura
        rates: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(reps):
            for workers in (1, 2):
                if workers == 1:
                    app.control.cancel_consumer("extract", destination=[worker_b], reply=True)
                else:
                    app.control.add_consumer("extract", destination=[worker_b], reply=True)
                time.sleep(0.5)
                rates[workers].append(run(tasks))
        one, two = statistics.median(rates[1]), statistics.median(rates[2])
        return {"one": one, "two": two, "ratio": two / one, "rates": rates, "tasks": tasks}
    finally:
        for proc in reversed(started):
            runtime._stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7, help="interleaved repetitions of the single-core runs")
    parser.add_argument("--tasks", type=int, default=200, help="captures queued per Celery phase")
    parser.add_argument("--celery-reps", type=int, default=3, help="one-worker/two-worker phase pairs")
    parser.add_argument("--no-celery", action="store_true", help="skip the Celery part")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")

    single = single_core(args.reps)
    rates = single["rates"]
    print(f"## one core: {single['docs']} pages, {single['reps']} interleaved repetitions (median)")
    print(f"{'extractor':<12} {'docs/s':>8} {'× lxml time':>12}")
    for name in ("lxml", "trafilatura", "nianbao"):
        print(f"{name:<12} {rates[name]:>8.1f} {rates['lxml'] / rates[name]:>12.1f}")
    print("nianbao/trafilatura time per repetition: " + " ".join(f"{r:.3f}" for r in single["ratios"]))
    print(f"overhead over plain trafilatura (median ratio − 1): {single['overhead'] * 100:.1f}%")

    ratio = float("nan")
    if not args.no_celery:
        celery = celery_scaling(args.tasks, args.celery_reps)
        ratio = celery["ratio"]
        cores = os.cpu_count()
        print(f"\n## Celery on redis: {celery['tasks']} captures per phase, workers with -c 1 ({cores} cores)")
        for workers in (1, 2):
            shown = " ".join(f"{r:.1f}" for r in celery["rates"][workers])
            print(f"{workers} worker{'s' if workers > 1 else ''}: {shown} docs/s")
        print(f"two workers / one worker (medians): {ratio:.2f}")
    print(
        f"\nextract_speed: nianbao_docs_per_s={rates['nianbao']:.1f} trafilatura_docs_per_s={rates['trafilatura']:.1f} "
        f"overhead={single['overhead'] * 100:.0f}% celery_2x_ratio={ratio:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
