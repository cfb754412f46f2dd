"""Information-disclosure reports with the national format's statistical tables, and the figures they print.

The figures come from `random.Random(key)` and add up as the format requires (unless a report is meant not to);
each report prints them in one of the markups portals use: Word pasted into the CMS (rowspan/colspan, <p> and
<span> in cells), a flat table with the groups as heading rows (no spans, full-width digits, spaced labels),
a table split in two with its header repeated and the appeals table on its side, the 2019 version of the format.
The ground truth is the dict of figures as printed (a cell printed as "—" is None, as the contract says).
`attachments.py` turns one of them into DOCX and PDF with LibreOffice.
"""

from __future__ import annotations

import random
from html import escape

Number = int | float
Values = dict[str, Number | None]

APPLICANTS = ["natural_person", "business", "research", "public_interest", "legal_services", "other_org"]
COLUMNS = [*APPLICANTS, "total"]
APPLICANT_LABELS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]

# (row key, printed label, group heading or None) of table 三 as each version prints it.
RESULT_GROUPS = [
    ("refused", "（三）不予公开", ["state_secret", "prohibited_by_law", "security_stability", "third_party",
                                  "internal_affairs", "process_information", "enforcement_files",
                                  "administrative_query"],
     ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
      "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"]),
    ("unavailable", "（四）无法提供", ["not_held", "needs_creation", "unclear"],
     ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"]),
    ("not_processed", "（五）不予处理", ["petition", "repeated", "publication", "mass_repeated", "confirm_or_reissue"],
     ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
      "5.要求行政机关确认或重新出具已获取信息"]),
    ("other", "（六）其他处理", ["no_correction", "unpaid_fee", "other"],
     ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
      "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他"]),
]  # fmt: skip


def result_rows(fmt: str) -> list[str]:
    rows = ["granted", "partly_granted"]
    for group, _label, reasons, _labels in RESULT_GROUPS:
        if group == "other" and fmt == "2019":
            rows.append("other.total")
        else:
            rows += [f"{group}.{r}" for r in reasons]
    return rows


def make_values(key: str, fmt: str) -> Values:
    """Figures that add up: per applicant column the results sum to (七)总计, 新收 + 结转 = 总计 + 结转下年度;
    the 总计 column sums the applicants; each appeal total sums its four results."""
    r = random.Random(key)
    v: Values = {}
    if fmt == "2021":
        for item in ("regulations", "normative_documents"):
            v[f"active.{item}.issued"] = r.randint(0, 9)
            v[f"active.{item}.abolished"] = r.randint(0, 5)
            v[f"active.{item}.in_force"] = r.randint(10, 400)
        for item in ("licensing", "penalties", "coercion"):
            v[f"active.{item}.decisions"] = r.randint(0, 3000)
        v["active.fees.amount"] = round(r.uniform(0, 900), 4)
    else:
        for item in ("regulations", "normative_documents"):
            v[f"active.{item}.made"] = r.randint(0, 9)
            v[f"active.{item}.published"] = r.randint(0, 9)
            v[f"active.{item}.published_total"] = r.randint(10, 300)
        for item in ("licensing", "other_services", "penalties", "coercion"):
            v[f"active.{item}.items_last_year"] = r.randint(0, 200)
            v[f"active.{item}.items_change"] = r.randint(-5, 9)
            v[f"active.{item}.decisions"] = r.randint(0, 2000)
        v["active.fees.items_last_year"] = r.randint(0, 20)
        v["active.fees.items_change"] = r.randint(-2, 2)
        v["active.procurement.items"] = r.randint(0, 40)
        v["active.procurement.amount"] = round(r.uniform(0, 5000), 2)
    rows = result_rows(fmt)
    for col in APPLICANTS:
        busy = col in ("natural_person", "business") or r.random() < 0.3
        for row in rows:
            v[f"requests.{row}.{col}"] = r.choice([0, 0, 0, 1, 2, 5, 13]) if busy else 0
        total = sum(v[f"requests.{row}.{col}"] or 0 for row in rows)
        carried_over = r.randint(0, 2) if busy else 0
        carried_forward = min(total + carried_over, r.randint(0, 3)) if busy else 0
        v[f"requests.total.{col}"] = total
        v[f"requests.carried_over.{col}"] = carried_over
        v[f"requests.carried_forward.{col}"] = carried_forward
        v[f"requests.new.{col}"] = total + carried_forward - carried_over
    for row in ["new", "carried_over", *rows, "total", "carried_forward"]:
        v[f"requests.{row}.total"] = sum(v[f"requests.{row}.{c}"] or 0 for c in APPLICANTS)
    for group in ("review", "litigation_direct", "litigation_after_review"):
        parts = [r.choice([0, 0, 1, 2, 4]) for _ in range(4)]
        v.update({f"{group}.{p}": n for p, n in zip(("upheld", "corrected", "other", "pending"), parts, strict=True)})
        v[f"{group}.total"] = sum(parts)
    return v


# ---- printing a number ------------------------------------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789.-", "０１２３４５６７８９．－")


def show(value: Number | None, style: str) -> str:
    """How a markup prints a value: None as its blank mark, digits ASCII or full-width."""
    if value is None:
        return {"flat": "", "split": "—", "2019": "/"}.get(style, "")
    text = str(value)
    return text.translate(FULL_WIDTH) if style == "flat" else text


def blank_zeros(values: Values, keys: list[str]) -> Values:
    """Print these cells blank (reports leave zeros empty or write "—"): their truth is None."""
    return {k: (None if k in keys and values.get(k) == 0 else v) for k, v in values.items()}


# ---- table 二 -------------------------------------------------------------------------------------------

TD = (
    '<td style="border:solid windowtext 1.0pt;padding:0cm 5.4pt" {attrs}><p align="center">'
    '<span style="font-size:10.5pt;font-family:仿宋_GB2312">{text}</span></p></td>'
)


def _td(text: str, style: str, rowspan: int = 1, colspan: int = 1) -> str:
    attrs = (f'rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    if style in ("word", "traditional", "inconsistent"):
        return TD.format(attrs=attrs, text=escape(text) or "&nbsp;")
    return f"<td {attrs}>{escape(text)}</td>".replace("<td >", "<td>")


def _table(rows: list[str], style: str) -> str:
    if style in ("word", "traditional", "inconsistent"):
        return (
            '<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
            'style="border-collapse:collapse;border:none"><tbody>\n'
            + "\n".join(f"<tr>{r}</tr>" for r in rows)
            + "\n</tbody></table>"
        )
    return '<table border="1" width="100%">\n' + "\n".join(f"<tr>{r}</tr>" for r in rows) + "\n</table>"


def active_table(v: Values, fmt: str, style: str) -> str:
    td = lambda text, **kw: _td(text, style, **kw)  # noqa: E731
    rows: list[str] = []
    if fmt == "2021":
        rows.append(td("第二十条第（一）项", colspan=4))
        rows.append(td("信息内容") + td("本年制发件数") + td("本年废止件数") + td("现行有效件数"))
        for key, label in (("regulations", "规章"), ("normative_documents", "行政规范性文件")):
            cells = "".join(td(show(v[f"active.{key}.{c}"], style)) for c in ("issued", "abolished", "in_force"))
            rows.append(td(label) + cells)
        sections = [
            ("第二十条第（五）项", [("licensing", "行政许可")]),
            ("第二十条第（六）项", [("penalties", "行政处罚"), ("coercion", "行政强制")]),
        ]
        for section, items in sections:
            rows.append(td(section, colspan=4))
            rows.append(td("信息内容") + td("本年处理决定数量", colspan=3))
            rows += [td(label) + td(show(v[f"active.{key}.decisions"], style), colspan=3) for key, label in items]
        rows.append(td("第二十条第（八）项", colspan=4))
        rows.append(td("信息内容") + td("本年收费金额（单位：万元）", colspan=3))
        rows.append(td("行政事业性收费") + td(show(v["active.fees.amount"], style), colspan=3))
        return _table(rows, style)
    rows.append(td("第二十条第（一）项", colspan=4))
    rows.append(td("信息内容") + td("本年新制作数量") + td("本年新公开数量") + td("对外公开总数量"))
    for key, label in (("regulations", "规章"), ("normative_documents", "规范性文件")):
        cells = "".join(td(show(v[f"active.{key}.{c}"], style)) for c in ("made", "published", "published_total"))
        rows.append(td(label) + cells)
    rows.append(td("第二十条第（五）项", colspan=4))
    rows.append(td("信息内容") + td("上一年项目数量") + td("本年增/减") + td("处理决定数量"))
    for key, label in (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")):
        cells = "".join(
            td(show(v[f"active.{key}.{c}"], style)) for c in ("items_last_year", "items_change", "decisions")
        )
        rows.append(td(label) + cells)
    rows.append(td("第二十条第（六）项", colspan=4))
    rows.append(td("信息内容") + td("上一年项目数量") + td("本年增/减") + td("处理决定数量"))
    for key, label in (("penalties", "行政处罚"), ("coercion", "行政强制")):
        cells = "".join(
            td(show(v[f"active.{key}.{c}"], style)) for c in ("items_last_year", "items_change", "decisions")
        )
        rows.append(td(label) + cells)
    rows.append(td("第二十条第（八）项", colspan=4))
    rows.append(td("信息内容") + td("上一年项目数量") + td("本年增/减", colspan=2))
    rows.append(td("行政事业性收费") + td(show(v["active.fees.items_last_year"], style))
                + td(show(v["active.fees.items_change"], style), colspan=2))  # fmt: skip
    rows.append(td("第二十条第（九）项", colspan=4))
    rows.append(td("信息内容") + td("采购项目数量") + td("采购总金额", colspan=2))
    rows.append(td("政府集中采购") + td(show(v["active.procurement.items"], style))
                + td(show(v["active.procurement.amount"], style), colspan=2))  # fmt: skip
    return _table(rows, style)


# ---- table 三 -------------------------------------------------------------------------------------------


def _numbers(v: Values, row: str, style: str) -> str:
    return "".join(_td(show(v[f"requests.{row}.{c}"], style), style) for c in COLUMNS)


def _spaced(label: str) -> str:
    """A label typed with spaces between its characters, as some portals' editors leave them."""
    return " ".join(label)


def requests_tables(v: Values, fmt: str, style: str) -> list[str]:
    """Table 三: one table, or two (split before （四）, the header repeated) in the 'split' style."""
    td = lambda text, **kw: _td(text, style, **kw)  # noqa: E731
    flat = style in ("flat", "split", "2019")
    head = [
        td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3)
        + td("申请人情况", colspan=7),
        td("自然人", rowspan=2) + td("法人或其他组织", colspan=5) + td("总计", rowspan=2),
        "".join(td(label) for label in APPLICANT_LABELS[1:6]),
    ]
    new_label = "一、本年新收政府信息公开申请数量" if style != "flat" else _spaced("一、本年新收申请")
    body = [td(new_label, colspan=3) + _numbers(v, "new", style),
            td("二、上年结转政府信息公开申请数量", colspan=3) + _numbers(v, "carried_over", style)]  # fmt: skip
    results: list[str] = []
    n_results = len(result_rows(fmt)) + 1
    first = td("三、本年度办理结果", rowspan=n_results) if not flat else ""
    span = 2 if not flat else 3
    lead = (lambda text: td(text, colspan=span)) if not flat else (lambda text: td(text, colspan=3))
    results.append(first + lead("（一）予以公开") + _numbers(v, "granted", style))
    results.append(
        lead("（二）部分公开（区分处理的，只计这一情形，不计其他情形）") + _numbers(v, "partly_granted", style)
    )
    for group, heading, reasons, labels in RESULT_GROUPS:
        if group == "other" and fmt == "2019":
            results.append(lead(heading) + _numbers(v, "other.total", style))
            continue
        for i, (reason, label) in enumerate(zip(reasons, labels, strict=True)):
            row = f"{group}.{reason}"
            if flat:
                if i == 0:
                    results.append(td(heading, colspan=10))  # the group as a heading row of its own
                results.append(td(label, colspan=3) + _numbers(v, row, style))
            else:
                opener = td(heading, rowspan=len(reasons)) if i == 0 else ""
                results.append(opener + td(label) + _numbers(v, row, style))
    results.append(lead("（七）总计") + _numbers(v, "total", style))
    tail = [td("四、结转下年度继续办理", colspan=3) + _numbers(v, "carried_forward", style)]
    rows = body + results + tail
    if style == "split":
        cut = next(i for i, r in enumerate(rows) if "（四）无法提供" in r)
        return [_table(head + rows[:cut], style), _table(head + rows[cut:], style)]
    return [_table(head + rows, style)]


# ---- table 四 -------------------------------------------------------------------------------------------

GROUPS = [("review", "行政复议"), ("litigation_direct", "未经复议直接起诉"), ("litigation_after_review", "复议后起诉")]
RESULTS = [("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"),
           ("total", "总计")]  # fmt: skip


def appeals_table(v: Values, style: str) -> str:
    td = lambda text, **kw: _td(text, style, **kw)  # noqa: E731
    if style == "split":  # on its side: a row per case type, a column per result
        rows = [td("") + "".join(td(label) for _, label in RESULTS)]
        for group, label in GROUPS:
            name = label if group == "review" else f"行政诉讼（{label}）"
            rows.append(td(name) + "".join(td(show(v[f"{group}.{r}"], style)) for r, _ in RESULTS))
        return _table(rows, style)
    rows = [
        td("行政复议", colspan=5) + td("行政诉讼", colspan=10),
        "".join(td(label, rowspan=2) for _, label in RESULTS)
        + td("未经复议直接起诉", colspan=5)
        + td("复议后起诉", colspan=5),
        "".join(td(label) for _, label in RESULTS) * 2,
        "".join(td(show(v[f"{g}.{r}"], style)) for g, _ in GROUPS for r, _ in RESULTS),
    ]
    return _table(rows, style)


# ---- a whole report ---------------------------------------------------------------------------------------


def report_body(issuer: str, year: int, v: Values, fmt: str, style: str) -> tuple[list[str], str]:
    """(the report's paragraphs, its body HTML with the three tables in their places)."""
    paragraphs = [
        f"本报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》要求编制。"
        f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
        "一、总体情况",
        f"{year}年，{issuer}坚持以公开为常态、不公开为例外，"
        f"全年主动公开政府信息{int(v['requests.new.total'] or 0) * 37 + 512}条。",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "部分单位政策解读质量不高，下一步将加强业务培训，提升解读的针对性。",
        "六、其他需要报告的事项",
        "本年度未收取信息处理费。",
    ]
    tables = {
        "二、主动公开政府信息情况": [active_table(v, fmt, style)],
        "三、收到和处理政府信息公开申请情况": requests_tables(v, fmt, style),
        "四、政府信息公开行政复议、行政诉讼情况": [appeals_table(v, style)],
    }
    html = []
    for p in paragraphs:
        html.append(f'<p style="text-indent:2em;">{escape(p)}</p>')
        html += tables.get(p, [])
    return paragraphs, "\n".join(html)
