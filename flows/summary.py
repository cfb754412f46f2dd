"""Step 5 of a harvest: the run summary and what operators see of it in the Prefect UI (run table, hosts,
coverage, figures), in the order they read it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from nianbao.records import CaptureOutcome, CrawlSummary, RunSummary, SiteRow
from nianbao.sites import Site
from storage import layout
from storage.runs import write_run
from storage.store import Store

# A site's line of a run in the order an operator reads it (the run summary's JSON is stored with sorted keys, so
# the order is kept here, not in the stored rows).
SITE_COLUMNS = ("site", "name", "level", "reports", "new", "changed", "unchanged", "failed", "blocked", "error",
                "stored", "with_figures", "pages", "reports_found", "seconds")  # fmt: skip


def site_row(site: Site, crawl: CrawlSummary, outcomes: Sequence[CaptureOutcome] = ()) -> SiteRow:
    """One site's line of the run from its crawl and the outcomes of the captures it sent to extraction (none when
    the crawl failed: `crawl.error`)."""
    statuses = Counter(outcome.status for outcome in outcomes)
    # A detail page that only wraps its attachments is not a report of its own.
    fetched = crawl.captures - statuses["wrapper"]
    # Unchanged: not modified (304) or the same bytes at the crawl, or the same document at extraction.
    unchanged = crawl.unchanged + statuses["unchanged"]
    # Pages the crawl could not fetch (timeouts, resets, 5xx after retries, size caps), then captures not extracted.
    failures = crawl.fetch_failed + [{"url": o.url, "reason": o.reason} for o in outcomes if o.status == "failed"]
    return SiteRow(
        site=site.code,
        name=site.name,
        level=site.level,
        reports=fetched + crawl.unchanged,
        new=statuses["new"],
        changed=statuses["changed"],
        unchanged=unchanged,
        failed=len(failures) + (1 if crawl.error else 0),
        blocked=crawl.blocked or "",
        error=crawl.error or "",
        stored=statuses["new"] + statuses["changed"] + unchanged,
        with_figures=sum(outcome.figures for outcome in outcomes),
        pages=crawl.pages,
        reports_found=fetched,
        seconds=crawl.seconds,
        host=crawl.host or site.host,
        statuses=crawl.statuses,
        robots_forbidden=crawl.robots_forbidden,
        throttled=crawl.throttled,
        refusing=bool(crawl.refused_by_host),
        failures=failures,
    )


HOST_COLUMNS = ("2xx", "3xx", "4xx", "5xx", "timeouts", "download_errors")


def host_rows(rows: list[SiteRow]) -> list[dict[str, Any]]:
    """Per host, what it answered over the run (its sites together): the status classes, timeouts, requests
    refused by robots.txt, 429/503 answers that slowed it down, and whether it kept refusing."""
    hosts: dict[str, dict[str, Any]] = {}
    for row in rows:
        host = hosts.setdefault(
            row.host,
            {"host": row.host, "sites": 0, **dict.fromkeys(HOST_COLUMNS, 0), "robots_forbidden": 0, "throttled": 0,
             "refusing": False},
        )  # fmt: skip
        host["sites"] += 1
        for column in HOST_COLUMNS:
            host[column] += row.statuses.get(column, 0)
        host["robots_forbidden"] += row.robots_forbidden
        host["throttled"] += row.throttled
        host["refusing"] = host["refusing"] or row.refusing
    return sorted(hosts.values(), key=lambda h: (not h["refusing"], -h["throttled"], h["host"]))


@task(name="write-run-summary", retries=2, retry_delay_seconds=[2, 5])
def write_run_summary(store_url: str, summary: RunSummary) -> None:
    write_run(Store(store_url), summary)


def markdown_table(rows: list[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Rows as a markdown table, in the order of `columns` (default: the first row's), numbers right-aligned."""
    if not rows:
        return "Nothing to show.\n"
    columns = list(columns or rows[0])

    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    numeric = [all(isinstance(r.get(c), int | float) for r in rows) for c in columns]
    lines = ["| " + " | ".join(c.replace("_", " ") for c in columns) + " |"]
    lines.append("|" + "|".join("---:" if n else "---" for n in numeric) + "|")
    lines += ["| " + " | ".join(cell(r.get(c, "")) for c in columns) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def markdown_rows(markdown: str) -> list[dict[str, str]]:
    """The rows of a table `markdown_table` wrote (in an artifact read back through the API), by column name."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    if len(lines) < 2:
        return []
    names = [c.strip() for c in lines[0].strip("|").split(" | ")]
    return [dict(zip(names, (c.strip() for c in line.strip("|").split(" | ")), strict=False)) for line in lines[2:]]


def publish_artifacts(summary: RunSummary) -> None:
    """What an operator reads in the Prefect UI: the run table, coverage, and the failures to re-drive."""
    run_id, year, store, kinds = summary.run_id, summary.year, summary.store, summary.kinds
    # Markdown tables, not table artifacts: Prefect's UI lays a table artifact's columns out alphabetically
    # (blocked, changed, error, … site twelfth); a markdown table keeps the operator's order.
    create_markdown_artifact(
        key="harvest-summary",
        markdown=f"# Harvest {run_id}: report year {year}\n\n"
        + markdown_table([row.to_dict() for row in summary.sites], SITE_COLUMNS),
        description=f"Harvest {run_id}: report year {year}, {len(summary.sites)} sites, store {store}",
    )
    coverage = [
        {"province": row["province"], "level": row["level"], "kind": kind, **row}
        for kind, table in summary.coverage.items()
        for row in table["rates"]
    ]
    create_markdown_artifact(
        key="harvest-coverage",
        markdown=f"# Coverage of report year {year}\n\n" + markdown_table(coverage),
        description=f"Units that owe each kind's report on {year}, by province and level: on time, late, missing, "
        f"portal blocked, not crawled, no portal known (tables: {', '.join(layout.coverage(k, year) for k in kinds)})",
    )
    failures = [(row.site, f) for row in summary.sites for f in row.failures]
    errors = [(row.site, row.error or row.blocked) for row in summary.sites if row.error or row.blocked]
    lines = [f"# Failures of harvest {run_id}", ""]
    lines += [f"- `{site}` {f['url']}: {f['reason']}" for site, f in failures] or ["No extraction failed."]
    lines += ["", "## Sites not harvested", ""]
    lines += [f"- `{site}`: {reason}" for site, reason in errors] or ["Every site was crawled."]
    lines += [
        "",
        "Re-drive the failed extractions:",
        "",
        f"    nianbao failures --year {year} --redrive --store {store}",
    ]
    lines += ["", "Re-run one site:", "", f"    nianbao rerun SITE --year {year} --store {store}"]
    create_markdown_artifact(key="harvest-failures", markdown="\n".join(lines), description="Failures to re-drive")
    if summary.figures:
        publish_figures(summary.figures, run_id, year)


def publish_figures(figures: dict[str, Any], run_id: str, year: int) -> None:
    """The information-disclosure figures of the run's year: national totals per field, and the reports whose
    printed figures fail the format's checks."""
    create_table_artifact(
        key="figures-totals",
        table=[{"field": field, "total": total} for field, total in figures["totals"].items()],
        description=f"Harvest {run_id}: totals over the {figures['with_figures']} information-disclosure reports on "
        f"{year} with figures (of {figures['reports']})",
    )
    lines = [f"# Figures that do not add up — harvest {run_id}", ""]
    lines += [
        f"- `{row['site']}` [{row['title']}]({row['url']}): {', '.join(row['flags'])}"
        for row in figures["failed_checks"]
    ] or ["Every report's figures pass the format's checks."]
    if figures["without_figures"]:
        lines += ["", "## Reports without figures", ""]
        lines += [f"- {reason}: {count}" for reason, count in figures["without_figures"].items()]
    create_markdown_artifact(key="figures-checks", markdown="\n".join(lines), description="Figures failing checks")
