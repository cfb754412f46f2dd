"""Extraction quality: nianbao (`workers.extract.extract`) beside plain trafilatura given the raw bytes.

    .venv/bin/python bench/extract_quality.py [--verbose]

Score: F1 of character bigrams (a multiset), after removing whitespace and punctuation, against ground truth.

- replica: every report in `replica/ground_truth.json` (and its `/gate/big5/` alias), as the bytes the
  replica serves from `replica/site/`. Truth is the report's body as its portal published it: the body
  paragraphs of the replica's own `Doc` (rebuilt in memory with `replica.build`, which writes nothing;
  a page's title is a field of its own, not a line of its text); for the Traditional gate copy the same text
  through OpenCC s2t, as the gate produced it; for the PDF and DOCX reports the title line and the seed body they
  were made from (`content.seed_body`). Inline pinyin annotations
  ("鎮(zhèn)") are removed from the truth, as issue 4 asks the extraction to do.
- readability-zh: text of `expected.html` (mozilla/readability's expected main content).
- readability-zh as served: the same pages in the charset they declare. The suite stores UTF-8 conversions, so a
  page declaring gb2312 or gbk (qq) is encoded back to GB18030 (byte for byte GB2312/GBK where those have the
  character): the bytes its portal sent, as most Chinese pages of the held-out set are.
- trafilatura-zh: share of "with" snippets present and "without" snippets absent (trafilatura's own eval set).
- dates: `published` against htmldate-zh's expected_dates.json and trafilatura-zh's dates.
- zh-extraction-dev: 58 real Chinese pages (news, blogs, forums, a few Japanese) with hand-made main text, scored
  with the held-out check's own metric (`heldout_f1`: NFKC first, and symbols S* removed too).
- gov-portals: real portal pages with hand-made truth. A detail page is right when its title and date are the
  ones shown, its text holds the body's first and last words and none of the `must_not` boilerplate (pages whose
  body someone edited, `tampered_suspected`, are checked for title, date and boilerplate only); a listing page
  when every item (title, URL, date) and the next page are found (`crawler.links`, `crawler.pagination`).

Then one table of rule hits: on how many distinct pages (each page once, in whichever sets it is) each title, date
and issuer finder gave the field (`title_by`, `published_by`, `issuer_by`; "none" when no finder did) and each
pruning rule dropped something (and how many elements in all), so that a rule nobody hits shows as 0.

Prints one table per set, the rule hits and, last, the summary line
`extract_quality: replica_f1=… realpages_f1=… trafilatura_realpages_f1=… realpages_served_f1=…
trafilatura_realpages_served_f1=… dates=k/n zh_dev_f1=… trafilatura_zh_dev_f1=… zh_dev_worst_vs_trafilatura=…
gov_portals=k/n`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import sys
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from workers.extract import Extracted

REALPAGES = ROOT / "tests" / "fixtures" / "realpages"


def normalise(text: str) -> str:
    """Text without whitespace and punctuation (Unicode categories Z*, P*, and control characters)."""
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] not in "PZC")


def heldout_normalise(text: str) -> str:
    """The held-out check's normalisation: NFKC, then no whitespace and no character of the Unicode categories
    P* (punctuation), S* (symbols), Z* (separators) or C* (control, format, private use)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] not in "PSZC")


def bigram_f1(got: str, truth: str, normaliser: Callable[[str], str] = normalise) -> float:
    a, b = normaliser(got), normaliser(truth)
    grams_a = Counter(a[i : i + 2] for i in range(len(a) - 1))
    grams_b = Counter(b[i : i + 2] for i in range(len(b) - 1))
    if not grams_a or not grams_b:
        return 1.0 if not grams_a and not grams_b else 0.0
    overlap = sum((grams_a & grams_b).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(grams_a.values()), overlap / sum(grams_b.values())
    return 2 * precision * recall / (precision + recall)


# --- the two extractors ------------------------------------------------------------------------------


def nianbao_text(raw: bytes, url: str, content_type: str | None) -> dict[str, Any]:
    from workers.extract import ExtractError, extract

    try:
        record = extract(raw, url=url, content_type=content_type)
    except ExtractError as e:
        return {"text": "", "published": None, "title": "", "error": str(e)}
    HITS.count(raw, url, content_type, record)
    return {"text": record.text, "published": record.published, "title": record.title}


class RuleHits:
    """Which finder gave each field and which pruning rules dropped something, counted once per distinct page."""

    FIELDS = ("title", "published", "issuer")

    def __init__(self) -> None:
        self.seen: set[tuple[str, str, str | None]] = set()
        self.finders: Counter[tuple[str, str]] = Counter()
        self.pruned_pages: Counter[str] = Counter()
        self.pruned_elements: Counter[str] = Counter()

    def count(self, raw: bytes, url: str, content_type: str | None, record: Extracted) -> None:
        key = (hashlib.sha256(raw).hexdigest(), url, content_type)
        if key in self.seen:
            return
        self.seen.add(key)
        for name in self.FIELDS:
            self.finders[(name, getattr(record, f"{name}_by") or "none")] += 1
        from workers.extract import decode, detect_format
        from workers.extract.html import parse, prune

        if detect_format(raw, url, content_type) != "html":
            return
        dropped: Counter[str] = Counter()
        # The same decoding, parsing and pruning as extract's (which succeeded on these bytes), counted.
        prune(parse(decode(raw, content_type=content_type).text), dropped)
        self.pruned_pages.update(dropped.keys())
        self.pruned_elements.update(dropped)

    def table(self) -> None:
        """Every rule, hit or not, in its order of application."""
        from workers.extract import metadata
        from workers.extract.html import PRUNING_RULES

        rows = []
        for name, finders in (
            ("title", metadata.TITLE_FINDERS + metadata.TEXT_TITLE_FINDERS),
            ("published", metadata.PUBLISHED_FINDERS + metadata.TEXT_PUBLISHED_FINDERS),
            ("issuer", metadata.ISSUER_FINDERS),
        ):
            known = [*dict.fromkeys(f.__name__ for f in finders), "none"]
            rows += [[f"{name}_by", rule, str(self.finders[(name, rule)]), ""] for rule in known]
        for rule in PRUNING_RULES:
            pages, elements = self.pruned_pages[rule.__name__], self.pruned_elements[rule.__name__]
            rows.append(["pruning", rule.__name__, str(pages), str(elements)])
        _table(f"rule hits on {len(self.seen)} distinct pages", ["field", "rule", "pages", "elements"], rows)


HITS = RuleHits()


def trafilatura_text(raw: bytes, url: str, content_type: str | None) -> dict[str, Any]:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(raw, url=url or None, with_metadata=True, include_tables=True)
    except Exception as e:  # plain trafilatura on a PDF or odd bytes: score it as nothing extracted
        return {"text": "", "published": None, "title": "", "error": str(e)}
    if doc is None:
        return {"text": "", "published": None, "title": ""}
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return {"text": data.get("text") or "", "published": data.get("date"), "title": data.get("title") or ""}


Extractor = Callable[[bytes, str, "str | None"], dict[str, Any]]
EXTRACTORS: dict[str, Extractor] = {"nianbao": nianbao_text, "trafilatura": trafilatura_text}


# --- the sets ----------------------------------------------------------------------------------------


def replica_cases() -> list[dict[str, Any]]:
    """(name, raw bytes, content type, truth text) for every ground-truth report the replica serves."""
    import opencc

    from nianbao.normalise import strip_pinyin
    from replica import ground_truth
    from replica.build import BUILDERS, SITES, SiteTree
    from replica.content import seed_body
    from replica.server import SITE_DIR, load_meta

    meta = load_meta()
    docs: dict[tuple[str, str], Any] = {}
    for site in SITES:
        tree = SiteTree(dict(site))
        for doc in BUILDERS[site["label"]](tree):
            docs[(site["host"], doc.path)] = doc
    label_of = {s["host"]: label for label, s in meta["sites"].items()}
    s2t = opencc.OpenCC("s2t")
    cases = []
    for g in ground_truth():
        if g.get("figures"):  # the tables' reports: their text holds the tables' cells; bench/figures_quality.py
            continue
        doc = docs[(g["host"], g["detail_path"])]
        label = label_of[g["host"]]
        # A page's text is its body (the title is a field of its own); a PDF or DOCX's text opens with the title.
        if g["format"] == "html":
            lines = doc.paragraphs
        else:
            lines = [g["title"], *seed_body(doc.key.removeprefix("seed-"))]
        # The issue asks for inline pinyin annotations ("鎮(zhèn)") to be removed: the truth is without them.
        truth = strip_pinyin("\n".join(lines))[0]
        for path in [g["path"], *g["aliases"]]:
            gate = path.startswith("/gate/big5/")
            cases.append(
                {
                    "name": f"{label}{path}"[:60],
                    "raw": (SITE_DIR / label / path.lstrip("/")).read_bytes(),
                    "url": f"http://{g['host']}{path}",
                    "content_type": meta["sites"][label]["headers"].get(path),
                    "truth": s2t.convert(truth) if gate else truth,
                    # An attachment's date is the listing's (workers/documents.py merges it), not in its bytes.
                    "published": g["published"] if g["format"] == "html" else None,
                }
            )
    return cases


def readability_cases() -> list[dict[str, Any]]:
    import lxml.html

    cases = []
    for folder in sorted((REALPAGES / "readability-zh").iterdir()):
        expected = lxml.html.fromstring((folder / "expected.html").read_bytes().decode("utf-8"))
        cases.append(
            {
                "name": folder.name,
                "raw": (folder / "source.html").read_bytes(),
                "url": "",
                "content_type": None,
                "truth": expected.text_content(),
            }
        )
    return cases


def as_served(raw: bytes) -> bytes:
    """`raw` in the GB charset its `<meta>` declares, when the stored bytes are a UTF-8 conversion; else `raw`."""
    declared = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?(gb2312|gbk|gb18030)", raw[:4096], re.IGNORECASE)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw
    return text.encode("gb18030") if declared else raw


def served_cases(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**case, "raw": as_served(case["raw"])} for case in cases]


def trafilatura_cases() -> list[dict[str, Any]]:
    data = json.loads((REALPAGES / "trafilatura-zh" / "evaldata_subset.json").read_text("utf-8"))
    return [
        {
            "name": entry["file"],
            "raw": (REALPAGES / "trafilatura-zh" / entry["file"]).read_bytes(),
            "url": url,
            "content_type": None,
            "with": entry.get("with", []),
            "without": entry.get("without", []),
            "published": entry.get("date"),
        }
        for url, entry in data.items()
    ]


def htmldate_cases() -> list[dict[str, Any]]:
    data = json.loads((REALPAGES / "htmldate-zh" / "expected_dates.json").read_text("utf-8"))
    return [
        {
            "name": entry["file"],
            "raw": (REALPAGES / "htmldate-zh" / entry["file"]).read_bytes(),
            "url": url,
            "content_type": None,
            "published": entry["date"],
        }
        for url, entry in data.items()
    ]


def zh_dev_cases() -> list[dict[str, Any]]:
    folder = REALPAGES / "zh-extraction-dev"
    lines = (folder / "truth.jsonl").read_text("utf-8").splitlines()
    return [
        {
            "name": entry["file"].removesuffix(".html"),
            "raw": (folder / entry["file"]).read_bytes(),
            "url": entry["url"] or "",
            "content_type": None,
            "truth": entry["text"],
        }
        for entry in map(json.loads, filter(None, lines))
    ]


def gov_portal_cases(kind: str) -> list[dict[str, Any]]:
    folder = REALPAGES / "gov-portals"
    lines = (folder / kind / "truth.jsonl").read_text("utf-8").splitlines()
    return [{**entry, "raw": (folder / entry["file"]).read_bytes()} for entry in map(json.loads, filter(None, lines))]


# --- running and printing ----------------------------------------------------------------------------


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _means(scores: dict[str, list[float]]) -> dict[str, float]:
    return {name: _mean(values) for name, values in scores.items()}


def _table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n## {title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))


def f1_set(
    title: str, cases: list[dict[str, Any]], normaliser: Callable[[str], str] = normalise
) -> dict[str, list[float]]:
    """Every page's F1 by extractor (a table with the difference and the means)."""
    rows: list[list[str]] = []
    scores: dict[str, list[float]] = {name: [] for name in EXTRACTORS}
    for case in cases:
        row = [case["name"]]
        for name, fn in EXTRACTORS.items():
            result = fn(case["raw"], case["url"], case["content_type"])
            score = bigram_f1(result["text"], case["truth"], normaliser)
            scores[name].append(score)
            row.append(f"{score:.3f}")
        row.append(f"{scores['nianbao'][-1] - scores['trafilatura'][-1]:+.3f}")
        rows.append(row)
    means = {name: _mean(values) for name, values in scores.items()}
    rows.append(["mean", *(f"{means[n]:.3f}" for n in EXTRACTORS), f"{means['nianbao'] - means['trafilatura']:+.3f}"])
    _table(f"{title}: character-bigram F1", ["page", *EXTRACTORS, "difference"], rows)
    return scores


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def gov_detail_failures(case: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """What a detail page got wrong: title, date, the body's first and last words, boilerplate in the text."""
    wrong = []
    if got["title"] != case["title"]:
        wrong.append(f"title {got['title']!r}")
    if got["published"] != case["published"]:
        wrong.append(f"date {got['published']}")
    text = _squeeze(got["text"])
    if not case.get("tampered_suspected"):  # an edited body: its template is real, its text is not
        if _squeeze(case["body_start"]) not in text:
            wrong.append("body start missing")
        if _squeeze(case["body_end"]) not in text:
            wrong.append("body end missing")
    wrong += [f"boilerplate {s!r}" for s in case["must_not"] if _squeeze(s) in text]
    if got.get("error"):
        wrong.append(got["error"])
    return wrong


def gov_listing_failures(case: dict[str, Any]) -> list[str]:
    """What a listing page got wrong: items (title, URL, date) not found, the next page not found."""
    from html import unescape
    from urllib.parse import urljoin

    from crawler.links import listing_items, parse_html
    from crawler.pagination import pagination_links

    url = case["url"]
    found = {(link.url, link.title, link.date) for link in listing_items(case["raw"], url)}
    # A truth title is as the markup spells it ("Bausch &amp;Lomb"); a link's title is the text shown.
    missing = [i for i in case["items"] if (urljoin(url, i["href"]), unescape(i["title"]), i["date"]) not in found]
    wrong = [f"{len(missing)}/{len(case['items'])} items missing"] if missing else []
    doc = parse_html(case["raw"])
    nexts = [link.url for link in pagination_links(doc, url)] if doc is not None else []
    if case.get("next") and urljoin(url, case["next"]) not in nexts:
        wrong.append(f"next page {case['next']} not found ({nexts[:2]})")
    return wrong


def gov_portal_set() -> tuple[int, int]:
    """Pages of gov-portals right with nianbao (each failing page listed with what it got wrong)."""
    rows = []
    for case in gov_portal_cases("detail"):
        got = nianbao_text(case["raw"], case["url"] or "", None)
        rows.append([case["file"], "; ".join(gov_detail_failures(case, got)) or "right"])
    for case in gov_portal_cases("listing"):
        rows.append([case["file"], "; ".join(gov_listing_failures(case)) or "right"])
    right = sum(1 for row in rows if row[1] == "right")
    rows.append(["right", f"{right}/{len(rows)}"])
    _table(
        "gov-portals: title, date, body start/end, no boilerplate; listing items and next page",
        ["page", "nianbao"],
        rows,
    )
    return right, len(rows) - 1


def snippet_set(cases: list[dict[str, Any]]) -> dict[str, float]:
    rows, totals = [], {name: [0, 0] for name in EXTRACTORS}
    for case in cases:
        row = [case["name"][:40]]
        for name, fn in EXTRACTORS.items():
            text = fn(case["raw"], case["url"], case["content_type"])["text"]
            ok = sum(s in text for s in case["with"]) + sum(s not in text for s in case["without"])
            n = len(case["with"]) + len(case["without"])
            totals[name][0] += ok
            totals[name][1] += n
            row.append(f"{ok}/{n}")
        rows.append(row)
    shares = {name: ok / n if n else 0.0 for name, (ok, n) in totals.items()}
    rows.append(["share satisfied", *(f"{shares[n]:.3f}" for n in EXTRACTORS)])
    _table("trafilatura-zh: snippets with / without", ["page", *EXTRACTORS], rows)
    return shares


def is_chinese(raw: bytes) -> bool:
    """A page whose text is mostly Han characters (the Japanese control page is not)."""
    from workers.extract import ExtractError, decode

    try:
        text = decode(raw).text
    except ExtractError:
        return False
    kana = sum(1 for ch in text if "\u3040" <= ch <= "\u30ff")
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return han > 0 and kana < han * 0.05


def date_set(cases: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    rows, totals = [], {name: [0, 0] for name in EXTRACTORS}
    for case in cases:
        if not case.get("published") or not is_chinese(case["raw"]):
            continue
        row = [case["name"][:40], case["published"]]
        for name, fn in EXTRACTORS.items():
            got = fn(case["raw"], case["url"], case["content_type"])["published"]
            right = got == case["published"]
            totals[name][0] += right
            totals[name][1] += 1
            row.append(f"{got}{'' if right else ' ✗'}")
        rows.append(row)
    rows.append(["right", "", *(f"{ok}/{n}" for ok, n in totals.values())])
    _table("Chinese publication dates (htmldate-zh, trafilatura-zh, replica)", ["page", "expected", *EXTRACTORS], rows)
    return {name: (ok, n) for name, (ok, n) in totals.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")

    replica = replica_cases()
    replica_f1 = _means(f1_set("replica (ground_truth.json reports, served bytes)", replica))
    real = readability_cases()
    real_f1 = _means(f1_set("readability-zh (expected.html text)", real))
    served_f1 = _means(f1_set("readability-zh as served (in the charset each page declares)", served_cases(real)))
    traf = trafilatura_cases()
    snippet_set(traf)
    dates = date_set(htmldate_cases() + traf + replica)
    ok, n = dates["nianbao"]
    dev = f1_set("zh-extraction-dev (held-out metric: NFKC, no P*/S*/Z*/C*)", zh_dev_cases(), heldout_normalise)
    dev_f1 = _means(dev)
    worst = min(a - b for a, b in zip(dev["nianbao"], dev["trafilatura"], strict=True))
    gov_ok, gov_n = gov_portal_set()
    HITS.table()
    print(
        f"\nextract_quality: replica_f1={replica_f1['nianbao']:.3f} realpages_f1={real_f1['nianbao']:.3f} "
        f"trafilatura_realpages_f1={real_f1['trafilatura']:.3f} realpages_served_f1={served_f1['nianbao']:.3f} "
        f"trafilatura_realpages_served_f1={served_f1['trafilatura']:.3f} dates={ok}/{n} "
        f"zh_dev_f1={dev_f1['nianbao']:.3f} trafilatura_zh_dev_f1={dev_f1['trafilatura']:.3f} "
        f"zh_dev_worst_vs_trafilatura={worst:+.3f} gov_portals={gov_ok}/{gov_n}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
