"""The sums the format implies, as named checks. A failed check is reported as a flag, never repaired.

    requests_results_sum.<column>   table 三, per column: (七)总计 = (一) + (二) + (三)… + (四)… + (五)… + (六)…
    requests_balance.<column>       table 三, per column: 一 本年新收 + 二 上年结转 = (七)总计 + 四 结转下年度
    requests_applicant_sum.<row>    table 三, per row: the 总计 column = 自然人 + the five 法人或其他组织 columns
    appeals_sum.<group>             table 四, per group: 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结

A check runs when its total and at least one of its parts are printed; a blank part counts as 0 (reports leave
zero cells blank).
"""

from __future__ import annotations

from collections.abc import Iterator

from nianbao import figures as schema

Number = int | float
# Sums of 万元 amounts are never compared; counts are integers: a difference above this is a real mismatch.
TOLERANCE = 1e-6

APPLICANTS = ("natural_person", "business", "research", "public_interest", "legal_services", "other_org")
RESULT_ROWS_2019 = ("granted", "partly_granted", "refused.*", "unavailable.*", "not_processed.*", "other.total")
RESULT_ROWS_2021 = ("granted", "partly_granted", "refused.*", "unavailable.*", "not_processed.*", "other.*")
APPEAL_GROUPS = ("review", "litigation_direct", "litigation_after_review")
APPEAL_PARTS = ("upheld", "corrected", "other", "pending")


def _rows(patterns: tuple[str, ...], fmt: str) -> list[str]:
    """The REQUESTS row keys of `fmt` named by `patterns` ("refused.*": every refused reason)."""
    keys = [row.key for row in schema.REQUESTS.rows if fmt in row.formats]
    out = []
    for pattern in patterns:
        if pattern.endswith(".*"):
            out += [k for k in keys if k.startswith(pattern[:-1]) and k != "other.total"]
        elif pattern in keys:
            out.append(pattern)
    return out


def _sums(fmt: str) -> Iterator[tuple[str, str, list[str]]]:
    """(flag, total key, part keys) of every check of format `fmt`."""
    results = _rows(RESULT_ROWS_2019 if fmt == "2019" else RESULT_ROWS_2021, fmt)
    columns = [c.key for c in schema.REQUESTS.columns]
    for col in columns:
        yield f"requests_results_sum.{col}", f"requests.total.{col}", [f"requests.{r}.{col}" for r in results]
    rows = [row.key for row in schema.REQUESTS.rows if fmt in row.formats]
    for row in rows:
        yield f"requests_applicant_sum.{row}", f"requests.{row}.total", [f"requests.{row}.{a}" for a in APPLICANTS]
    for group in APPEAL_GROUPS:
        yield f"appeals_sum.{group}", f"{group}.total", [f"{group}.{p}" for p in APPEAL_PARTS]


def _sum(values: dict[str, Number | None], keys: list[str]) -> Number | None:
    present = [values[k] for k in keys if values.get(k) is not None]
    return sum(v for v in present if v is not None) if present else None


def failed(values: dict[str, Number | None], fmt: str) -> list[str]:
    """The names of the checks that fail on `values` (a report's figures in format `fmt`)."""
    flags = []
    for flag, total_key, parts in _sums(fmt):
        total, summed = values.get(total_key), _sum(values, parts)
        if total is not None and summed is not None and abs(total - summed) > TOLERANCE:
            flags.append(flag)
    for col in (c.key for c in schema.REQUESTS.columns):
        incoming = _sum(values, [f"requests.new.{col}", f"requests.carried_over.{col}"])
        outgoing = _sum(values, [f"requests.total.{col}", f"requests.carried_forward.{col}"])
        printed = values.get(f"requests.total.{col}") is not None
        if printed and incoming is not None and outgoing is not None and abs(incoming - outgoing) > TOLERANCE:
            flags.append(f"requests_balance.{col}")
    return flags
