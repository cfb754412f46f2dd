"""The figures engine: label and value variants, the 2019 and 2021 row sets, every check flag, the grid readers,
and a real report page whose cells were transcribed by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nianbao import figures as schema
from replica import figures as F
from replica import ground_truth
from workers.extract import extract
from workers.extract.figures import read_figures
from workers.extract.figures.checks import failed
from workers.extract.figures.engine import compact, figures_from_grids, parse_value
from workers.extract.figures.grids import html_grids_from_text

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "realpages" / "gov-reports"
REPLICA_SITE = Path(__file__).resolve().parents[2] / "replica" / "site"


def table(rows: list[list[str]]) -> str:
    """An HTML table from rows of cells; a cell "text|r2|c3" spans 2 rows and 3 columns."""
    out = []
    for row in rows:
        cells = []
        for cell in row:
            text, *spans = cell.split("|")
            attrs = "".join(f' {"rowspan" if s[0] == "r" else "colspan"}="{s[1:]}"' for s in spans)
            cells.append(f"<td{attrs}>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return "<table>" + "".join(out) + "</table>"


def read(html: str, year: int | None = 2022) -> dict:
    return figures_from_grids(html_grids_from_text(f"<html><body>{html}</body></html>"), year).__dict__


APPEALS_HTML = table([
    ["行政复议|c5", "行政诉讼|c10"],
    ["结果维持|r2", "结果纠正|r2", "其他结果|r2", "尚未审结|r2", "总计|r2", "未经复议直接起诉|c5", "复议后起诉|c5"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
    ["1", "1", "0", "0", "2", "4", "0", "0", "1", "5", "1", "0", "1", "0", "2"],
])  # fmt: skip


# ---- values ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", (True, 0)),
        ("12", (True, 12)),
        ("１２３", (True, 123)),  # full-width digits
        ("1,234", (True, 1234)),
        ("5949.088667", (True, 5949.088667)),  # 万元 with decimals
        ("12.5万元", (True, 12.5)),
        ("3件", (True, 3)),
        ("-2", (True, -2)),  # 2019's 本年增/减
        ("", (True, None)),
        ("—", (True, None)),
        ("——", (True, None)),
        ("/", (True, None)),
        ("／", (True, None)),
        ("无", (True, None)),
        ("\xa0", (True, None)),
        ("行政许可", (False, None)),
        ("1.属于国家秘密", (False, None)),
    ],
)
def test_value_variants(text: str, expected: tuple) -> None:
    assert parse_value(text) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("一、本年新收政府信息公开申请数量", "本年新收政府信息公开申请数量"),
        ("（三）不予公开", "不予公开"),
        ("1.属于国家秘密", "属于国家秘密"),
        ("2、重复申请", "重复申请"),
        ("本 年 新 收", "本年新收"),
        ("自然人*", "自然人"),
    ],
)
def test_labels_lose_numbering_spaces_and_footnote_marks(label: str, expected: str) -> None:
    assert compact(label) == expected


# ---- labels to keys ---------------------------------------------------------------------------------------


def requests_rows(labels: list[str], numbers: list[list[str]]) -> str:
    """Table 三 with the standard three header rows and the given rows (label cells spanning three columns)."""
    head = [
        ["说明|r3|c3", "申请人情况|c7"],
        ["自然人|r2", "法人或其他组织|c5", "总计|r2"],
        ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
    ]
    return table(head + [[f"{label}|c3", *row] for label, row in zip(labels, numbers, strict=True)])


@pytest.mark.parametrize(
    "label",
    ["一、本年新收政府信息公开申请数量", "一、本年新收申请", "本年新收申请数", "本 年 新 收 政 府 信 息 公 开 申 请",
     "（一）本年新收政府信息公开申请数量"],
)  # fmt: skip
def test_label_variants_of_one_row_map_to_one_key(label: str) -> None:
    html = requests_rows([label, "二、上年结转政府信息公开申请数量", "（一）予以公开"],
                         [["3", "1", "0", "0", "0", "0", "4"]] * 3)  # fmt: skip
    values = read(html)["values"]
    assert values["requests.new.natural_person"] == 3
    assert values["requests.new.total"] == 4
    assert values["requests.carried_over.business"] == 1
    assert values["requests.granted.total"] == 4


def test_a_group_printed_as_its_own_heading_row_gives_its_rows_their_reasons() -> None:
    html = requests_rows(
        ["一、本年新收", "（三）不予公开", "1.属于国家秘密", "2.其他法律行政法规禁止公开", "（四）无法提供",
         "1.本机关不掌握相关政府信息", "（五）不予处理", "2.重复申请", "（七）总计"],
        [["9"] * 7, [""] * 7, ["1"] * 7, ["2"] * 7, [""] * 7, ["3"] * 7, [""] * 7, ["4"] * 7, ["5"] * 7],
    )  # fmt: skip
    values = read(html)["values"]
    assert values["requests.refused.state_secret.research"] == 1
    assert values["requests.refused.prohibited_by_law.research"] == 2
    assert values["requests.unavailable.not_held.total"] == 3
    assert values["requests.not_processed.repeated.other_org"] == 4
    assert values["requests.total.legal_services"] == 5


def test_a_row_of_slashes_under_a_group_heading_keeps_the_group_for_the_rows_after_it() -> None:
    html = requests_rows(
        ["一、本年新收", "（一）予以公开", "（五）不予处理", "3.要求提供公开出版物", "4.无正当理由大量反复申请"],
        [["1"] * 7, ["1"] * 7, [""] * 7, ["/"] * 7, ["4"] * 7],
    )
    values = read(html)["values"]
    assert values["requests.not_processed.publication.total"] is None
    assert values["requests.not_processed.mass_repeated.total"] == 4


def test_the_2019_and_2021_row_sets() -> None:
    keys_2019, keys_2021 = set(schema.all_keys("2019")), set(schema.all_keys("2021"))
    assert "requests.other.total.natural_person" in keys_2019 - keys_2021
    assert {"requests.other.no_correction.total", "requests.other.unpaid_fee.total", "requests.other.other.total"} <= (
        keys_2021 - keys_2019
    )
    assert {"active.regulations.made", "active.licensing.items_last_year", "active.procurement.amount"} <= (
        keys_2019 - keys_2021
    )
    assert {"active.regulations.issued", "active.fees.amount"} <= keys_2021 - keys_2019
    # The contract's keys, named exactly so.
    contract = [
        "active.regulations.issued", "active.regulations.abolished", "active.regulations.in_force",
        "active.normative_documents.issued", "active.licensing.decisions", "active.penalties.decisions",
        "active.coercion.decisions", "active.fees.amount", "requests.new.natural_person",
        "requests.carried_over.business", "requests.granted.research", "requests.partly_granted.public_interest",
        "requests.refused.state_secret.legal_services", "requests.unavailable.not_held.other_org",
        "requests.not_processed.repeated.total", "requests.other.other.total", "requests.total.total",
        "requests.carried_forward.total", "review.upheld", "review.corrected", "review.other",
        "review.pending", "review.total", "litigation_direct.total", "litigation_after_review.pending",
    ]  # fmt: skip
    assert [key for key in contract if key not in keys_2021] == []


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_each_version_of_the_format_is_read_whole_and_recognised(fmt: str) -> None:
    values = F.make_values(f"unit-{fmt}", fmt)
    assert set(values) == set(schema.all_keys(fmt))  # the replica prints every cell of the version
    _, body = F.report_body(
        "某县人民政府", 2020 if fmt == "2019" else 2022, values, fmt, "flat" if fmt == "2021" else "2019"
    )
    got = read(body, year=None)  # the version is read from the tables, not the year
    assert got["format"] == fmt
    assert got["values"] == values
    assert got["flags"] == []


@pytest.mark.parametrize("style", ["word", "flat", "split"])
def test_markups_give_the_same_figures(style: str) -> None:
    values = F.make_values("unit-markup", "2021")
    _, body = F.report_body("某县人民政府", 2022, values, "2021", style)
    assert read(body)["values"] == values


def test_the_appeals_table_either_way_round() -> None:
    values = read(APPEALS_HTML)["values"]
    assert (values["review.upheld"], values["review.total"]) == (1, 2)
    assert (
        values["litigation_direct.upheld"],
        values["litigation_direct.pending"],
        values["litigation_direct.total"],
    ) == (4, 1, 5)
    assert (values["litigation_after_review.other"], values["litigation_after_review.total"]) == (1, 2)
    transposed = table([
        ["", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
        ["行政复议", "1", "1", "0", "0", "2"],
        ["行政诉讼（未经复议直接起诉）", "4", "0", "0", "1", "5"],
        ["行政诉讼（复议后起诉）", "1", "0", "1", "0", "2"],
    ])  # fmt: skip
    assert {k: v for k, v in read(transposed)["values"].items() if v is not None} == {
        k: v for k, v in values.items() if v is not None
    }


def test_a_table_split_in_two_continues_under_the_first_parts_headings_and_group() -> None:
    first = requests_rows(["一、本年新收", "（一）予以公开"], [["1"] * 7, ["2"] * 7]).replace(
        "</table>",
        table([["（五）不予处理|r2|c2", "1.信访举报投诉类申请", *["5"] * 7], ["2.重复申请", *["6"] * 7]])[7:],
    )
    # The second part: no header, and the group's spanned cell stayed on the first page.
    second = table([["", "", "3.要求提供公开出版物", *["3"] * 7], ["", "", "4.无正当理由大量反复申请", *["4"] * 7]])
    values = read(first + second)["values"]
    assert values["requests.not_processed.petition.natural_person"] == 5
    assert values["requests.not_processed.repeated.total"] == 6
    assert values["requests.not_processed.publication.business"] == 3
    assert values["requests.not_processed.mass_repeated.total"] == 4


def test_a_row_printing_only_its_total_and_slashes_for_nothing() -> None:
    html = requests_rows(
        ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（一）予以公开"],
        [["", "", "", "", "", "", "0"], ["/", "/", "/", "/", "/", "/", "2"], ["1", "", "", "", "", "", "1"]],
    )
    active = table([["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"], ["规章", "/", "/", "/"],
                    ["行政规范性文件", "0", "1", "25"]])  # fmt: skip
    got = read(active + html)
    values = got["values"]
    assert (values["requests.new.total"], values["requests.new.natural_person"]) == (0, None)
    assert (values["requests.carried_over.total"], values["requests.carried_over.business"]) == (2, None)
    assert values["active.regulations.issued"] is None and values["active.normative_documents.in_force"] == 25
    assert "requests_applicant_sum.carried_over" not in got["flags"]  # a total with no part printed: not checked
    assert "requests_applicant_sum.granted" not in got["flags"]


def test_a_table_split_after_its_first_rows_goes_on_under_its_headings() -> None:
    html = requests_rows(
        ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量"], [["3"] * 7, ["0"] * 7]
    )
    rest = table([["（一）予以公开|c3", *["2"] * 7], ["（二）部分公开|c3", *["1"] * 7], ["（七）总计|c3", *["3"] * 7]])
    values = read(html + rest)["values"]
    assert (values["requests.new.business"], values["requests.granted.research"]) == (3, 2)
    assert values["requests.total.total"] == 3


def test_headings_in_a_table_of_their_own_head_the_table_below() -> None:
    row = ["1", "2", "0", "0", "0", "0", "3"]
    html = requests_rows(["一、本年新收政府信息公开申请数量", "（一）予以公开"], [row, row])
    head, body = html.split('<tr><td colspan="3">一、', 1)
    values = read(head + '</table><table><tr><td colspan="3">一、' + body)["values"]
    assert (values["requests.new.natural_person"], values["requests.granted.business"]) == (1, 2)
    assert values["requests.granted.total"] == 3


@pytest.mark.parametrize("style", ["word", "flat"])
def test_the_three_tables_printed_as_one(style: str) -> None:
    import re

    values = F.make_values(f"unit-one-table-{style}", "2021")
    _, body = F.report_body("某县人民政府", 2022, values, "2021", style)
    one = re.sub(r"</table>\s*(<p[^>]*>[^<]*</p>\s*)*<table[^>]*>", "", body)
    assert one.count("<table") == 1
    got = read(one)
    assert got["values"] == values
    assert got["flags"] == []


def test_a_traditional_report_is_read_through_its_simplified_labels() -> None:
    import opencc

    values = F.make_values("unit-traditional", "2021")
    _, body = F.report_body("某县人民政府", 2022, values, "2021", "word")
    html = opencc.OpenCC("s2t").convert(f"<html><body>{body}</body></html>")
    assert "處理" in html
    assert read_figures(html, "html", report_year=2022, traditional=True).values == values


def test_no_tables_says_why() -> None:
    assert read("<p>全年共收到政府信息公开申请12件。</p>", year=2018)["flags"] == [schema.BEFORE_FORMAT]
    assert read("<p>全年共收到政府信息公开申请12件。</p>", year=2022)["flags"] == [schema.NO_TABLES]
    assert read(table([["序号", "名称"], ["1", "某文件"]]), year=2022)["values"] is None


# ---- checks -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "flags"),
    [
        ("requests.total.research", ["requests_results_sum.research", "requests_applicant_sum.total",
                                     "requests_balance.research"]),
        ("requests.granted.business", ["requests_results_sum.business", "requests_applicant_sum.granted"]),
        ("requests.new.total", ["requests_applicant_sum.new", "requests_balance.total"]),
        ("requests.carried_forward.natural_person", ["requests_applicant_sum.carried_forward",
                                                     "requests_balance.natural_person"]),
        ("review.total", ["appeals_sum.review"]),
        ("litigation_direct.upheld", ["appeals_sum.litigation_direct"]),
        ("litigation_after_review.total", ["appeals_sum.litigation_after_review"]),
    ],
)  # fmt: skip
def test_each_check_names_the_sum_that_fails(cell: str, flags: list[str]) -> None:
    values = F.make_values("unit-checks", "2021")
    assert failed(values, "2021") == []
    assert sorted(failed({**values, cell: (values[cell] or 0) + 1}, "2021")) == sorted(flags)


def test_the_2019_other_row_is_one_term_of_the_results_sum() -> None:
    values = F.make_values("unit-checks-2019", "2019")
    assert failed(values, "2019") == []
    bumped = {**values, "requests.other.total.natural_person": (values["requests.other.total.natural_person"] or 0) + 2}
    assert "requests_results_sum.natural_person" in failed(bumped, "2019")


def test_blank_cells_count_as_zero_and_a_blank_total_is_not_checked() -> None:
    values = F.make_values("unit-blank", "2021")
    zeros = [k for k, v in values.items() if v == 0 and k.startswith("requests.refused.")]
    assert zeros and failed({**values, **dict.fromkeys(zeros)}, "2021") == []
    assert "appeals_sum.review" not in failed({**values, "review.total": None, "review.upheld": 99}, "2021")


# ---- the real page, and the replica ---------------------------------------------------------------------------


def test_the_real_report_pages_transcribed_cells() -> None:
    (truth,) = [json.loads(line) for line in (REAL / "truth.jsonl").read_text("utf-8").splitlines() if line.strip()]
    record = extract((REAL / truth["file"]).read_bytes(), url=truth["url"])
    assert record.report_kind == "info_disclosure"
    assert record.figures_format == "2021"
    assert record.figures_flags == ()
    assert record.figures_source == {"format": "html", "tables": [0, 1, 2]}
    assert len(truth["figures"]) == 16
    assert {key: record.figures[key] for key in truth["figures"]} == truth["figures"]


def test_every_replica_report_gives_its_printed_figures() -> None:
    meta = json.loads((REPLICA_SITE / "_meta.json").read_text("utf-8"))["sites"]
    by_host = {site["host"]: label for label, site in meta.items()}
    reports = [t for t in ground_truth() if t["kind"] == "info_disclosure"]
    assert {t["format"] for t in reports if t["figures"]} == {"html", "pdf", "docx"}
    for truth in reports:
        label = by_host[truth["host"]]
        body = (REPLICA_SITE / label / truth["path"].lstrip("/")).read_bytes()
        record = extract(
            body, url=f"http://{truth['host']}{truth['path']}", content_type=meta[label]["headers"][truth["path"]]
        )
        assert record.figures == truth["figures"], truth["path"]
        assert record.figures_format == truth["figures_format"], truth["path"]
        assert list(record.figures_flags) == truth["figures_flags"], truth["path"]


def test_pages_of_other_kinds_are_not_read_for_tables() -> None:
    title = "某区2021年法治政府建设年度报告"
    html = f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{APPEALS_HTML}</body></html>"
    record = extract(html.encode("utf-8"))
    assert record.figures is None and record.figures_flags == ()  # read and found none would say why


VARIANTS = Path(__file__).resolve().parents[2] / "replica" / "attachments" / "figures"


@pytest.mark.parametrize(
    "truth",
    [json.loads(line) for line in (VARIANTS / "truth.jsonl").read_text("utf-8").splitlines()],
    ids=lambda truth: truth["file"],
)
def test_every_markup_made_into_pdf_and_docx_by_libreoffice_gives_its_figures(truth: dict) -> None:
    fmt = truth["file"].rsplit(".", 1)[1]
    body = (VARIANTS / truth["file"]).read_bytes()
    got = read_figures(body, fmt, report_year=truth["report_year"], traditional=truth["traditional"])
    assert got.values == truth["figures"]
    assert (got.format, got.flags) == (truth["figures_format"], truth["figures_flags"])


def ofd_of_tables(html: str) -> bytes:
    """An OFD page drawing the tables of `html` as an OFD writer does: a ruled PathObject round every (merged)
    cell, its text a TextCode near the cell's top left; the tables one under another, in millimetres."""
    import io
    import zipfile
    from html import escape

    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    objects, top, oid = [], 20.0, 10
    for grid in html_grids_from_text(html):
        width, row_height = 180 / len(grid[0]), 9.0
        boxes: dict[object, list] = {}
        for r, row in enumerate(grid):
            for c, cell in enumerate(row):
                box = boxes.setdefault(cell.ident if cell.ident >= 0 else (r, c), [r, c, r, c, cell.text])
                box[2], box[3] = max(box[2], r), max(box[3], c)
        for r0, c0, r1, c1, text in boxes.values():
            x, y, w, h = 15 + c0 * width, top + r0 * row_height, (c1 - c0 + 1) * width, (r1 - r0 + 1) * row_height
            objects.append(
                f'<ofd:PathObject ID="{oid}" Boundary="{x:.2f} {y:.2f} {w:.2f} {h:.2f}">'
                f"<ofd:AbbreviatedData>M 0 0 L {w:.2f} 0 L {w:.2f} {h:.2f} L 0 {h:.2f} C</ofd:AbbreviatedData>"
                f'</ofd:PathObject><ofd:TextObject ID="{oid + 1}" Boundary="{x + 0.5:.2f} {y + 0.5:.2f} {w:.2f} 5" '
                f'Font="1" Size="2.5"><ofd:TextCode X="0" Y="3">{escape(text)}</ofd:TextCode></ofd:TextObject>'
            )
            oid += 2
        top += len(grid) * row_height + 15
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", f'<ofd:OFD {ns}><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>'
                   "</ofd:DocBody></ofd:OFD>")  # fmt: skip
        z.writestr("Doc_0/Document.xml", f'<ofd:Document {ns}><ofd:Pages><ofd:Page ID="1" '
                   'BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>')  # fmt: skip
        z.writestr("Doc_0/Pages/Page_0/Content.xml", f'<ofd:Page {ns}><ofd:Content><ofd:Layer ID="2">'
                   f"{''.join(objects)}</ofd:Layer></ofd:Content></ofd:Page>")  # fmt: skip
    return buffer.getvalue()


@pytest.mark.parametrize(("style", "fmt"), [("word", "2021"), ("split", "2021"), ("2019", "2019")])
def test_the_ruled_tables_of_an_ofd_report(style: str, fmt: str) -> None:
    values = F.make_values(f"unit-ofd-{style}", fmt)
    _, body = F.report_body("某县人民政府", 2022, values, fmt, style)
    ofd = ofd_of_tables(f"<html><body>{body}</body></html>")
    got = read_figures(ofd, "ofd", report_year=2022)
    assert got.values == values
    assert (got.format, got.flags) == (fmt, [])
