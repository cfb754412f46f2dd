"""The `nianbao` command line: harvest, inspect files, serve the portal replica."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows.sites import NATIONAL_REGISTRY as NATIONAL_REGISTRY_FILE
from flows.sites import select_sites
from nianbao.records import CaptureOutcome, RunSummary, SiteRow
from nianbao.reports import load_kinds
from nianbao.sites import RegistryError, Site, load_registry
from storage import layout

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

app = typer.Typer(
    help="nianbao (年报): harvest the annual reports Chinese governments publish on their portals.",
    no_args_is_help=True,
    add_completion=False,
)
replica_app = typer.Typer(help="The local portal replica used by the demo and the tests.", no_args_is_help=True)
sites_app = typer.Typer(help="The sites registry.", no_args_is_help=True)
store_app = typer.Typer(help="Look inside the object store.", no_args_is_help=True)
app.add_typer(replica_app, name="replica")
app.add_typer(store_app, name="store")
app.add_typer(sites_app, name="sites")

console = Console(stderr=True)
NATIONAL_REGISTRY = Path(NATIONAL_REGISTRY_FILE).resolve()
StoreOption = Annotated[
    str, typer.Option(envvar="NIANBAO_STORE", help="Object store: a directory or s3://bucket/prefix.")
]
RegistryOption = Annotated[Path, typer.Option("--sites", help="Sites registry YAML.")]
T = TypeVar("T")


def fail(message: str) -> NoReturn:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(2)


def _prefect_defaults() -> None:
    """Quiet, local Prefect unless the operator configured one (PREFECT_API_URL, PREFECT_HOME)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_HOME", str(Path(".nianbao/prefect").resolve()))
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)  # its SQLite database goes there
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("NIANBAO_LOG_LEVEL", "WARNING")


# -- harvest ---------------------------------------------------------------------------------------------------
def run_harvest(
    year: int, registry: Path, kinds: list[str], sites: list[str], store: str, workers: int | None, force: bool = False
) -> RunSummary:
    """Start the embedded services (or use the configured ones), run the harvest flow, show progress."""
    chosen = chosen_sites(registry, sites, store)
    _prefect_defaults()
    from flows.harvest import harvest

    params: dict[str, Any] = {"year": year, "registry": str(registry), "kinds": kinds or None, "store": store}
    params["force"] = force
    return with_services(lambda: harvest(sites=sites or None, **params), len(chosen), workers)


def chosen_sites(registry: Path, codes: list[str], store: str) -> list[Site]:
    """The registry's sites, or those named: checked before any service starts, so that a registry that does not
    load or a code it lacks is one clear error, not a failed flow run."""
    try:
        return select_sites(str(registry), codes)
    except RegistryError as e:
        fail(f"{e}\nFix the registry, then check it with `nianbao sites validate {registry}`.")
    except ValueError as e:
        fail(f"{e}{harvested_from(store, codes, registry)}")


def harvested_from(store: str, codes: list[str], registry: Path) -> str:
    """Where the store's latest run of one of `codes` took its sites from, as a hint; "" if no run did."""
    from storage.runs import read_runs
    from storage.store import Store

    try:
        runs = read_runs(Store(store))
    except Exception:  # a hint only: a store that cannot be read (gone, no credentials) gives none
        return ""
    for run in reversed(runs):
        known = sorted({row.site for row in run.sites} & set(codes))
        if known and run.registry and Path(run.registry).resolve() != registry.resolve():
            hint = f"\n{', '.join(known)}: harvested from {run.registry} by run {run.run_id}"
            hint += f"; pass `--sites {run.registry}`"
            if Path(run.registry).resolve() == demo_registry(store).resolve():
                hint += " (the demo's: its portal replica serves only while `nianbao demo` runs)"
            return hint + "."
    return ""


def demo_registry(store: str) -> Path:
    """The registry `nianbao demo` writes for its portal replica (the port changes at each demo)."""
    return Path(store if "://" not in store else ".nianbao") / "replica-sites.yaml"


def with_services(run: Callable[[], T], total_sites: int, workers: int | None, flow: bool = True) -> T:
    """Run a flow (or, `flow` False, Celery work only) with the embedded services (or the configured ones), with
    progress bars; stop all at the end."""
    from flows.batches import stop_crawls
    from flows.progress import listen
    from shell.runtime import RuntimeStartError, embedded_services
    from storage.store import StoreWriteError
    from workers.connection import RedisUnreachable

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        crawled = progress.add_task("sites crawled", total=total_sites)
        extracted = progress.add_task("reports extracted", total=0)

        def on_event(event: str, data: dict[str, Any]) -> None:
            if event == "crawled":
                progress.advance(crawled)
                progress.update(extracted, total=(progress.tasks[extracted].total or 0) + data["captures"])
            elif event == "extracted":
                progress.advance(extracted)
            elif event == "site-done":
                row: SiteRow = data["row"]
                if row.error:
                    progress.advance(crawled)
                note = f" [red]{row.error or row.blocked}" if row.error or row.blocked else ""
                progress.console.print(f"{row.site}: {site_line(row)}{note}")

        stop_listening = listen(on_event)
        # A stop request (SIGTERM from a scheduler or `kill`) unwinds like Ctrl-C, so what was started is stopped.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
        try:
            with embedded_services(workers=workers, prefect_api=flow):
                return run()
        except (RuntimeStartError, RedisUnreachable) as e:
            fail(str(e))
        except ValueError as e:
            fail(str(e))
        except StoreWriteError as e:  # a full disk: nothing more can be stored, so the run stops here
            fail(f"{e}.\nWhat is stored is kept; the next run fetches and extracts the rest.")
        finally:
            stop_crawls()
            stop_listening()
    raise AssertionError("unreachable")


SUMMARY_COUNTS = ("reports", "new", "changed", "unchanged", "failed", "pages")  # the run table's numbers, in order


def site_line(row: SiteRow) -> str:
    """What a run did on one site, as a sentence: the reports it knows and what became of them."""
    return (
        f"{row.reports} reports ({row.new} new, {row.changed} changed, {row.unchanged} unchanged), "
        f"{row.failed} failed, {row.pages} pages fetched"
    )


def print_summary(summary: RunSummary) -> None:
    """The run's table on stdout (wide enough for a log file too), then where the output lies.

    `reports` are the report pages the run met, fetched or known unchanged from the site's state; each is new,
    changed, unchanged or failed.
    """
    out = Console(width=max(Console().width, 140), soft_wrap=True)
    table = Table(title=f"Harvest {summary.run_id} — report year {summary.year}")
    table.add_column("site")
    table.add_column("level")
    for name in SUMMARY_COUNTS:
        table.add_column(name, justify="right")
    table.add_column("blocked / error")
    totals = dict.fromkeys(SUMMARY_COUNTS, 0)
    for row in summary.sites:
        values = [getattr(row, name) for name in SUMMARY_COUNTS]
        for name, value in zip(SUMMARY_COUNTS, values, strict=True):
            totals[name] += value
        note = (row.blocked or row.error)[:70]
        table.add_row(row.site, row.level, *map(str, values), note)
    table.add_row("[b]total", "", *(f"[b]{totals[name]}" for name in SUMMARY_COUNTS), "")
    out.print(table)
    out.print(f"Documents, WARC captures and manifests: {summary.store}")
    out.print(f"Run summary: {summary.store.rstrip('/')}/{layout.run(summary.run_id)}")
    if figures := summary.figures:
        out.print(
            f"Figures: {figures['with_figures']} of {figures['reports']} information-disclosure reports, "
            f"{len(figures['failed_checks'])} failing the format's checks (`nianbao figures --year {summary.year}`)"
        )
    from nianbao.coverage import STATUSES

    for kind, written in summary.coverage.items():
        counts = ", ".join(f"{written[status]} {status.replace('_', ' ')}" for status in STATUSES)
        out.print(f"Coverage of {kind}: {written['units']} units owe it: {counts} (nianbao coverage --kind {kind})")
    for row in summary.sites:
        for failure in row.failures[:5]:
            out.print(f"  failed {row.site}: {failure['url']}: {failure['reason']}")


def print_coverage(rows: list[dict[str, Any]], title: str, units: bool) -> None:
    """Rates by province and level, a total; with `units`, every unit whose portal is known, and its status."""
    from nianbao.coverage import STATUSES, rates

    out = Console(width=max(Console().width, 140), soft_wrap=True)
    table = Table(title=title)
    for column in ("province", "level", "units", *STATUSES, "published", "on time"):
        table.add_column(column.replace("_", " "), justify="left" if column in ("province", "level") else "right")
    for row in [*rates(rows), *({**r, "province": "[b]all", "level": ""} for r in rates(rows, by=()))]:
        counts = (str(row[c]) for c in ("units", *STATUSES))
        table.add_row(
            row["province"], row["level"], *counts, f"{row['published_rate']:.0%}", f"{row['on_time_rate']:.0%}"
        )
    out.print(table)
    if not units:
        return
    known = [r for r in rows if r["status"] != "portal_not_found"]
    listing = Table(title=f"Units with a known portal: {len(known)} of {len(rows)}")
    for column in ("division", "name", "level", "status", "published", "site", "report / reason"):
        listing.add_column(column)
    for r in sorted(known, key=lambda r: (r["division"], r["level"])):
        detail = r["report_url"] or r["reason"]
        listing.add_row(r["division"], r["name"], r["level"], r["status"], r["published"] or "", r["site"], detail)
    out.print(listing)


@app.command()
def harvest(
    year: Annotated[int, typer.Option(help="Report year: the year the reports cover (2021 → published in 2022).")],
    kind: Annotated[
        list[str], typer.Option(help="Report kind code (repeatable); default: every configured kind.")
    ] = [],  # noqa: B006
    site: Annotated[list[str], typer.Option(help="Harvest only this site code (repeatable).")] = [],  # noqa: B006
    sites: RegistryOption = NATIONAL_REGISTRY,
    store: StoreOption = "./data",
    workers: Annotated[
        int | None, typer.Option(help="Celery worker processes to start (default: one per core).")
    ] = None,
) -> None:
    """Harvest the reports on one year from the registry's sites (starting Redis, Celery and Prefect locally
    unless REDIS_URL / PREFECT_API_URL point at shared ones)."""
    print_summary(run_harvest(year, sites, kind, site, store, workers))


@app.command()
def demo(
    year: Annotated[int, typer.Option(help="Report year to harvest from the replica.")] = 2021,
    store: StoreOption = "./data",
    site_dir: Annotated[Path, typer.Option(help="Where to write the dataset site.")] = Path("site"),
) -> None:
    """Start the portal replica on localhost and harvest it: the whole system on one machine. Then pack the WARCs
    as WACZ files (`nianbao export --format wacz`) and write the dataset site (`nianbao publish`)."""
    from replica import Replica, sites_yaml

    with Replica(port=0) as replica:
        registry = demo_registry(store)
        registry.parent.mkdir(parents=True, exist_ok=True)
        registry.write_text(sites_yaml(replica.port), encoding="utf-8")
        console.print(f"Portal replica serving on port {replica.port}; registry {registry}")
        summary = run_harvest(year, registry, [], [], store, None)
        print_summary(summary)
        for kind in summary.kinds:
            coverage(kind=[kind], year=year, province=None, units=True, store=store)
    out = Console(width=max(Console().width, 140), soft_wrap=True)
    out.print("\nWACZ packages (open them in pywb or ReplayWeb.page):")
    export(year=year, kind=None, format="wacz", site=[], signing_url="", store=store)
    publish(out=site_dir, year=year, kind=[], replay="", store=store)


@app.command()
def rerun(
    site: Annotated[str, typer.Argument(help="Site code, as in the registry.")],
    year: Annotated[int, typer.Option(help="Report year.")],
    sites: RegistryOption = NATIONAL_REGISTRY,
    store: StoreOption = "./data",
    force: Annotated[bool, typer.Option(help="Fetch again what the site's state says is unchanged.")] = False,
) -> None:
    """Re-run one site through the `harvest-site` flow: on the Prefect server's workers when PREFECT_API_URL is
    set (the deployment made by `nianbao deploy`), else here on the embedded default."""
    chosen_sites(sites, [site], store)
    _prefect_defaults()
    params: dict[str, Any] = {"site": site, "year": year, "registry": str(sites.resolve()), "store": store}
    params["force"] = force
    if os.environ.get("PREFECT_API_URL"):
        from prefect.deployments import run_deployment

        flow_run: Any = run_deployment("harvest-site/harvest-site", parameters=params, timeout=None)
        state = flow_run.state
        console.print(f"flow run {flow_run.name} ({flow_run.id}): {state.name if state else 'unknown'}")
        if not state or not state.is_completed():
            raise typer.Exit(1)
        status(store=store, limit=1)
        return
    from flows.harvest_site import harvest_site

    print_summary(with_services(lambda: harvest_site(**params), 1, None))


@app.command()
def status(
    store: StoreOption = "./data",
    limit: Annotated[int, typer.Option(help="How many of the last runs to show.")] = 10,
) -> None:
    """The last harvests recorded in the store (runs/): sites, reports stored, failed, blocked."""
    from storage.runs import read_runs
    from storage.store import Store

    runs = read_runs(Store(store))[::-1]
    table = Table(title=f"Last runs in {store}")
    counts = ("reports", "new", "changed", "unchanged", "failed")
    for column in ("run", "year", "finished", "sites", *counts, "blocked"):
        table.add_column(column)
    for run in runs[:limit]:
        rows = run.sites
        table.add_row(
            run.run_id, str(run.year), run.finished_at, str(len(rows)),
            *(str(sum(getattr(r, k) for r in rows)) for k in counts), str(sum(bool(r.blocked) for r in rows)),
        )  # fmt: skip
    Console(width=max(Console().width, 140)).print(table if runs else f"No runs recorded in {store} yet.")


@app.command()
def failures(
    year: Annotated[int | None, typer.Option(help="Only this report year.")] = None,
    store: StoreOption = "./data",
    redrive: Annotated[bool, typer.Option(help="Send the failed captures to extraction again.")] = False,
    workers: Annotated[int | None, typer.Option(help="Celery worker processes to start for --redrive.")] = None,
) -> None:
    """List the captures that could not be extracted, with the reason; --redrive extracts them again."""
    from storage.store import Store

    target = Store(store)
    keys = list(target.keys(f"failures/{year}/" if year else "failures/"))
    records = [(key, target.get_json(key)) for key in keys]
    out = Console(width=max(Console().width, 140), soft_wrap=True)
    for key, record in records:
        out.print(f"{key}  {record['capture']['url']}  {record['reason']}")
    out.print(f"{len(records)} failure(s) in {store}")
    if redrive and records:
        fixed = with_services(lambda: redrive_failures(target, records), 0, workers, flow=False)
        out.print(f"re-driven: {fixed['stored']} stored, {fixed['failed']} failed again")


def redrive_failures(store: Any, records: list[tuple[str, dict[str, Any]]]) -> dict:
    """Queue each failed capture again; a failure record goes away when its capture is stored this time."""
    from workers.queue import send_extract

    stored = failed = 0
    for key, record in records:
        capture = record["capture"]
        if record.get("stage") == "fetch":  # never fetched: the site has to be crawled again
            console.print(
                f"{capture['url']}: not fetched; run `nianbao rerun {capture['site']} --year {capture['year']}`"
            )
            failed += 1
            continue
        result = send_extract(capture, store.url, record.get("division", ""), record.get("level", ""))
        answer = result.get(timeout=600, propagate=False)  # the task's JSON, or the exception it raised
        if isinstance(answer, dict) and CaptureOutcome.from_dict(answer).status != "failed":
            store.delete(key)
            stored += 1
        else:
            failed += 1
    return {"stored": stored, "failed": failed}


@app.command()
def coverage(
    year: Annotated[int, typer.Option(help="Report year.")],
    kind: Annotated[
        list[str], typer.Option(help="Report kind code (repeatable); default: every configured kind.")
    ] = [],  # noqa: B006
    province: Annotated[str | None, typer.Option(help="Only this province: its code (44) or name (广东省).")] = None,
    units: Annotated[bool, typer.Option("--units", help="List every unit whose portal is known.")] = False,
    store: StoreOption = "./data",
) -> None:
    """Which units that owe the report published it on time, late, not at all, or could not be harvested: the
    coverage table a harvest wrote (coverage/{kind}/{year}.parquet), with rates by province and level."""
    from nianbao.divisions import PROVINCES
    from nianbao.reports import load_kinds
    from storage.coverage import read_coverage
    from storage.store import Store

    target = Store(store)
    prefix = None
    if province:
        prefix = next(
            (code for code, name in PROVINCES.items() if province in (code, name) or name.startswith(province)), None
        )
        if prefix is None:
            fail(f"no province {province!r}: give its two-digit code (44) or its name (广东省)")
    for code in kind or list(load_kinds()):
        try:
            rows = read_coverage(target, code, year)
        except FileNotFoundError:
            fail(f"no coverage table for {code} {year} in {store}: run `nianbao harvest --year {year}` first")
        rows = [r for r in rows if prefix is None or r["division"].startswith(prefix)]
        if not rows:
            fail(f"no unit of province {province} in the coverage table of {code} {year}")
        print_coverage(rows, f"Coverage of {code} {year}: units that owe the report", units)


@app.command()
def export(
    year: Annotated[int, typer.Option(help="Report year.")],
    kind: Annotated[
        str | None, typer.Option(help="Report kind code, e.g. rule_of_law (csv and jsonl need one).")
    ] = None,
    format: Annotated[
        str, typer.Option(help="csv (manifest columns), jsonl (whole documents) or wacz (web archive packages).")
    ] = "csv",
    site: Annotated[list[str], typer.Option(help="wacz: only this site (repeatable); default every site.")] = [],  # noqa: B006
    signing_url: Annotated[
        str, typer.Option(envvar="NIANBAO_WACZ_SIGNING_URL", help="wacz: an authsign server that signs the packages.")
    ] = "",
    store: StoreOption = "./data",
) -> None:
    """Write the stored documents of one kind and year to stdout (CSV or JSON lines), or pack the year's WARCs
    as WACZ files in the store, one per site (wacz/{year}/{site}.wacz), with the reports as their pages."""
    import csv

    from storage.manifest import COLUMNS, manifest_rows
    from storage.store import Store

    if format not in ("csv", "jsonl", "wacz"):
        fail(f"--format must be csv, jsonl or wacz, not {format!r}")
    target = Store(store)
    if format == "wacz":
        export_wacz(target, year, kind, site, signing_url)
        return
    if not kind:
        fail(f"--format {format} needs --kind (one of: {', '.join(load_kinds())})")
    if format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(manifest_rows(target, kind, year))
        return
    for key in target.keys(layout.docs_prefix(kind, year)):
        if layout.is_current_doc(key):
            sys.stdout.write(json.dumps(target.get_json(key), ensure_ascii=False) + "\n")


def export_wacz(store: Any, year: int, kind: str | None, sites: list[str], signing_url: str) -> None:
    """One WACZ per site (validated by py-wacz before it is stored); a site that cannot be packed is said and the
    others still are; exit 1 if any failed."""
    from publish.wacz import export_site, sites_with_warcs

    kinds = [kind] if kind else list(load_kinds())
    if kind and kind not in load_kinds():
        fail(f"unknown report kind {kind!r}; configured: {', '.join(load_kinds())}")
    chosen = sites or sites_with_warcs(store, year)
    if not chosen:
        fail(f"no WARC for {year} in {store.url}: harvest first (`nianbao harvest --year {year}`)")
    out = Console(width=max(Console().width, 140), soft_wrap=True)
    failed = 0
    for code in chosen:
        try:
            package = export_site(store, year, code, kinds, kind, signing_url)
        except (ValueError, RuntimeError, OSError) as e:
            console.print(f"[red]error:[/red] {code}: {e}")
            failed += 1
            continue
        note = f", {package.revisits_completed} revisits completed" if package.revisits_completed else ""
        note += f", {package.revisits_orphaned} revisits without their original" if package.revisits_orphaned else ""
        note += f", pages not in the WARCs: {', '.join(package.unmatched_pages)}" if package.unmatched_pages else ""
        out.print(
            f"{store.url.rstrip('/')}/{package.key}: {len(package.warcs)} WARC(s), {package.pages} report page(s)"
            f"{note}; valid (wacz validate)"
        )
    if failed:
        raise typer.Exit(1)


@app.command()
def publish(
    out: Annotated[Path, typer.Argument(help="Folder to write the site into (created if missing).")],
    year: Annotated[int, typer.Option(help="Report year.")],
    kind: Annotated[list[str], typer.Option(help="Report kind (repeatable); default every configured kind.")] = [],  # noqa: B006
    replay: Annotated[
        str, typer.Option(help="Replay address with {ts} and {url}, e.g. http://host:8080/nianbao/{ts}/{url} (pywb).")
    ] = "",
    store: StoreOption = "./data",
) -> None:
    """Write the dataset site of one report year: coverage map, sites and their reports, a page per report,
    the Parquet manifests; plain files to open in a browser or host anywhere."""
    from publish.site import publish as publish_site
    from storage.store import Store

    unknown = [k for k in kind if k not in load_kinds()]
    if unknown:
        fail(f"unknown report kind(s) {', '.join(unknown)}; configured: {', '.join(load_kinds())}")
    if replay and not ("{ts}" in replay and "{url}" in replay):
        fail("--replay must hold {ts} and {url}, e.g. http://127.0.0.1:8080/nianbao/{ts}/{url}")
    done = publish_site(Store(store), year, kind or list(load_kinds()), out, replay)
    if not done["sites"]:
        fail(f"nothing harvested for {year} in {store}: run `nianbao harvest --year {year}` first")
    Console(width=max(Console().width, 140), soft_wrap=True).print(
        f"Dataset site: {out.resolve()}/index.html ({done['sites']} sites, {done['reports']} reports, "
        f"{done['wacz']} WACZ files)"
    )


@app.command()
def figures(
    year: Annotated[int, typer.Option(help="Report year.")],
    site: Annotated[str | None, typer.Option(help="Only this site code.")] = None,
    format: Annotated[str, typer.Option(help="csv (one column per cell) or jsonl (one report per line).")] = "csv",
    store: StoreOption = "./data",
) -> None:
    """The statistical tables of the stored information-disclosure reports of one year, one report per row."""
    import csv

    from storage.figures import COLUMNS, FIELDS, figure_rows
    from storage.store import Store

    if format not in ("csv", "jsonl"):
        fail(f"--format must be csv or jsonl, not {format!r}")
    rows = figure_rows(Store(store), year, site)
    if format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS + FIELDS)
        writer.writeheader()
        writer.writerows({**row, "figures_flags": " ".join(row["figures_flags"])} for row in rows)
        return
    for row in rows:
        head = {c: row[c] for c in COLUMNS}
        values = {f: row[f] for f in FIELDS} if row["figures_format"] else None
        sys.stdout.write(json.dumps({**head, "figures": values}, ensure_ascii=False) + "\n")


@store_app.command("ls")
def store_ls(
    prefix: Annotated[str, typer.Argument(help="Key prefix, e.g. docs/rule_of_law/2021/.")] = "",
    store: StoreOption = "./data",
) -> None:
    """List the keys under a prefix."""
    from storage.store import Store

    for key in Store(store).keys(prefix):
        sys.stdout.write(key + "\n")


@store_app.command("cat")
def store_cat(key: Annotated[str, typer.Argument(help="Object key.")], store: StoreOption = "./data") -> None:
    """Write one object to stdout."""
    from storage.store import Store

    try:
        sys.stdout.buffer.write(Store(store).get_bytes(key))
    except FileNotFoundError:
        fail(f"no object {key!r} in {store}; list them with `nianbao store ls`")


@app.command()
def worker(
    concurrency: Annotated[int | None, typer.Option(help="Processes (default: one per core).")] = None,
    queues: Annotated[str, typer.Option(help="Queues to consume, comma-separated.")] = "extract,default",
) -> None:
    """Start a Celery extraction worker against REDIS_URL (cluster mode; `harvest` starts its own otherwise)."""
    if not os.environ.get("REDIS_URL"):
        fail("REDIS_URL is not set: point it at the cluster's Redis, e.g. redis://:PASSWORD@redis:6379/0")
    from workers.connection import RedisConfigError, RedisUnreachable, check_redis

    try:  # a wrong password or certificate fails here, once, instead of a worker retrying in the background
        check_redis(os.environ["REDIS_URL"])
    except (RedisConfigError, RedisUnreachable) as e:
        fail(str(e))
    celery = [sys.executable, "-m", "celery", "-A", "workers.celery", "worker", "-Q", queues, "-l", "INFO"]
    os.execv(sys.executable, celery + (["-c", str(concurrency)] if concurrency else []))


LEASES_ON_DISK = "prefect.server.concurrency.lease_storage.filesystem"


@app.command()
def server(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the API and UI.")] = 4200,
) -> None:
    """Start a persistent Prefect server with its UI (analytics off); point PREFECT_API_URL at it.

    Its concurrency leases (the host limits crawls hold) are kept in files under PREFECT_HOME, not in the server's
    memory: a server restarted while crawls hold them still knows them, so their release frees the slots (and a
    holder that died has them taken back when its lease ends). Kept in memory they would be lost with the process,
    and every host limit held across the restart would stay taken for good.
    """
    _prefect_defaults()
    os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"
    os.environ.setdefault("PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE", LEASES_ON_DISK)
    console.print(f"Prefect UI on http://{host}:{port}; export PREFECT_API_URL=http://{host}:{port}/api")
    prefect = str(Path(sys.executable).parent / "prefect")
    os.execv(prefect, [prefect, "server", "start", "--host", host, "--port", str(port)])


@app.command()
def deploy(
    pool: Annotated[
        str, typer.Option(help="Prefect work pool (process type); created if missing.")
    ] = "nianbao-process",
    sites: RegistryOption = NATIONAL_REGISTRY,
    store: StoreOption = "./data",
) -> None:
    """Create the deployments national-harvest (yearly and monthly schedules) and harvest-site on the Prefect
    server at PREFECT_API_URL; then start workers with `prefect worker start --pool POOL`."""
    if not os.environ.get("PREFECT_API_URL"):
        fail("PREFECT_API_URL is not set: start a server (`nianbao server`) and export PREFECT_API_URL first")
    from flows.deployments import deploy_flows

    for name, deployment_id in deploy_flows(pool, store, str(sites.resolve())).items():
        console.print(f"deployment {name}: {deployment_id}")
    console.print(f"Start workers: prefect worker start --pool {pool} --type process")


# -- files -----------------------------------------------------------------------------------------------------
def _emit(objects: Iterator[dict[str, Any]], jsonl: bool) -> None:
    """Write each object as it comes; exit 1 at the end if any carried an error (the others were still done)."""
    errors = 0
    for obj in objects:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=None if jsonl else 1) + "\n")
        if "error" in obj:
            errors += 1
            console.print(f"[red]error:[/red] {obj.get('file', '')}: {obj['error']}")
    if errors:
        raise typer.Exit(1)


def _each_file(files: list[Path], work: Callable[[bytes], DataclassInstance]) -> Iterator[dict[str, Any]]:
    """Apply `work` to each file in order, its record's fields after the file's name; a bad file yields an object
    with `error` instead of stopping."""
    import dataclasses

    for path in files:
        try:
            yield {"file": str(path), **dataclasses.asdict(work(path.read_bytes()))}
        except (OSError, ValueError) as e:
            yield {"file": str(path), "error": str(e)}


@app.command()
def decode(
    files: list[Path],
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One compact JSON object per line.")] = False,
) -> None:
    """Decode pages: encoding, confidence, repairs applied and the text, one JSON object per file."""
    from workers.extract import decode as decode_body

    _emit(_each_file(files, decode_body), jsonl)


@app.command()
def extract(
    files: list[Path],
    url: Annotated[str, typer.Option(help="The URL the file came from (resolves links, names the site).")] = "",
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One compact JSON object per line.")] = False,
) -> None:
    """Extract text and metadata (title, published, report kind and year…) from pages or attachments."""
    from workers.extract import extract as extract_fields

    _emit(_each_file(files, lambda body: extract_fields(body, url=url)), jsonl)


@app.command()
def links(
    file: Path,
    url: Annotated[str, typer.Option(help="The listing page's URL, to make links absolute.")] = "http://localhost/",
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One compact JSON object per line.")] = False,
) -> None:
    """List the report and pagination links of a listing page."""
    from crawler.listing import listing_links
    from workers.extract import decode as decode_body

    try:
        text = decode_body(file.read_bytes()).text
    except (OSError, ValueError) as e:
        fail(f"{file}: {e}")
    _emit((link.to_dict() for link in listing_links(text, url) if link.rel in ("report", "next", "page")), jsonl)


# -- divisions --------------------------------------------------------------------------------------------------
@app.command("divisions")
def divisions_cmd(
    query: Annotated[
        str | None, typer.Argument(help="A GB/T 2260 code (440113, 4401) or a name (番禺区, 广州市番禺区人民政府).")
    ] = None,
    year: Annotated[int | None, typer.Option(help="The divisions in force that year (default: today's).")] = None,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One compact JSON object per line.")] = False,
) -> None:
    """Look up a division by code or name, with its parents and children; no argument lists the provinces."""
    import dataclasses

    from nianbao import divisions

    if query is None:
        found = divisions.children("", year)
    elif query.strip().isdigit():
        found = [d] if (d := divisions.lookup(query, year)) else []
    else:
        found = divisions.match_name(query, year=year)
    if not found:
        fail(f"no division {query!r}" + (f" in {year}" if year else ""))
    if len(found) > 1 and query is not None:
        console.print(f"{query!r} names {len(found)} divisions: ambiguous")
    if jsonl:
        for d in found:
            sys.stdout.write(json.dumps(dataclasses.asdict(d), ensure_ascii=False) + "\n")
        return
    table = Table()
    for column in ("code", "name", "level", "within", "children", "in force"):
        table.add_column(column)
    for d in found:
        within = " ".join(a.name for a in reversed(divisions.ancestors(d, year)))
        kids = divisions.children(d.code, year) if query is not None else []
        shown = "、".join(k.name for k in kids[:8]) + (f" … ({len(kids)})" if len(kids) > 8 else "")
        span = f"{d.since or ''}–{d.until or ''}" if d.since or d.until else ""
        table.add_row(d.code, d.name, d.level, within, shown, span)
    Console().print(table)


# -- replica and registry --------------------------------------------------------------------------------------
@replica_app.command("serve")
def replica_serve(
    port: Annotated[int, typer.Option(help="Port (on 127.0.0.11 and up).")] = 8421,
    national: Annotated[
        bool, typer.Option(help="The national-shaped replica (replica.national, on 127.0.1.1 and up) instead.")
    ] = False,
) -> None:
    """Serve the portal replica until Ctrl-C, and print its sites registry (national: its provincial seeds)."""
    import time

    if national:
        from replica.national import NationalReplica

        with NationalReplica(port) as served:
            sys.stdout.write(served.seeds_yaml())
            console.print(f"National replica serving on port {served.port}. Ctrl-C stops it.")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
        return

    from replica import Replica, sites_yaml

    with Replica(port=port) as replica:
        sys.stdout.write(sites_yaml(replica.port))
        console.print(f"Portal replica serving on port {replica.port}. Ctrl-C stops it.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


@sites_app.command("list")
def sites_list(registry: Annotated[Path, typer.Argument(help="Registry YAML.")] = NATIONAL_REGISTRY) -> None:
    """List the registry's sites."""
    try:
        entries = load_registry(registry)
    except RegistryError as e:
        fail(str(e))
    table = Table()
    for column in ("code", "name", "level", "division", "start URL"):
        table.add_column(column)
    for s in entries:
        table.add_row(s.code, s.name, s.level, s.division, s.start_urls[0])
    Console().print(table)


@sites_app.command("import")
def sites_import(
    csv_file: Annotated[
        Path, typer.Argument(help="CSV of portals (网站名称, 网站地址, 网站标识码, 行政区划代码, 层级).")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the YAML here (default: stdout).")
    ] = None,
) -> None:
    """Turn a CSV of portals into registry entries (YAML), every row validated."""
    from nianbao.sites import import_csv, registry_yaml

    try:
        entries = import_csv(csv_file.read_text(encoding="utf-8-sig"), str(csv_file))
    except (OSError, RegistryError) as e:
        fail(str(e))
    text = registry_yaml(entries, f"Imported from {csv_file.name}; check with `nianbao sites validate`.")
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


@sites_app.command("discover")
def sites_discover(
    out: Annotated[Path, typer.Option("--out", "-o", help="Registry YAML to write; updated when it exists.")],
    seeds: Annotated[
        Path, typer.Option(help="Registry whose portals discovery starts from (its provincial ones by default).")
    ] = NATIONAL_REGISTRY,
    province: Annotated[
        list[str] | None, typer.Option(help="Start from these divisions' portals only (44, 440000, 440100).")
    ] = None,
    depth: Annotated[
        int | None, typer.Option(help="Links from a seed portal to the deepest portal (default 4).")
    ] = None,
    max_portals: Annotated[int | None, typer.Option(help="Portals at most (default 20,000).")] = None,
    seconds: Annotated[float | None, typer.Option(help="Time bound of the crawl (default 6 hours).")] = None,
    warc: Annotated[Path | None, typer.Option(help="WARC of the crawl (default: next to --out).")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="A Scrapy setting, NAME=VALUE.")] = None,
) -> None:
    """Find the government portals below the seed portals by their link blocks, and write a registry of them."""
    from crawler.discover import discover_registry, seed_sites

    try:
        starts = seed_sites(seeds, province or [])
    except RegistryError as e:
        fail(str(e))
    if not starts:
        fail(f"{seeds}: no seed portal (provincial, or of --province {' '.join(province or [])})")
    console.print(f"Discovering from {len(starts)} portal(s): {', '.join(s.name for s in starts)}")
    bounds = {"max_depth": depth, "max_portals": max_portals, "seconds": seconds}  # None: crawler.discover's own
    summary = discover_registry(
        starts, out, warc=str(warc) if warc else None, overrides=dict(item.split("=", 1) for item in set_ or []),
        **{name: value for name, value in bounds.items() if value is not None},  # type: ignore[arg-type]
    )  # fmt: skip
    table = Table(title=f"Discovered: {out}")
    for column in ("what", "count"):
        table.add_column(column)
    for level, n in sorted(summary["levels"].items()):
        table.add_row(f"level {level}", str(n))
    for status, n in sorted(summary["status"].items()):
        table.add_row(f"status {status}", str(n))
    for decision, n in sorted(summary["decisions"].items()):
        table.add_row(f"decision {decision}", str(n))
    table.add_row("pages fetched", str(summary["pages"]))
    table.add_row("seconds", str(summary["seconds"]))
    Console().print(table)
    sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")


@sites_app.command("validate")
def sites_validate(
    registry: Annotated[Path, typer.Argument(help="Registry YAML.")] = NATIONAL_REGISTRY,
) -> None:
    """Check a registry; every problem is listed with its site and field."""
    try:
        entries = load_registry(registry)
    except RegistryError as e:
        fail(str(e))
    console.print(f"{registry}: {len(entries)} sites, valid")


if __name__ == "__main__":
    app()
