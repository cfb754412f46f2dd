"""The statistical tables of the 政府信息公开工作年度报告 as data: every cell's English key and its printed labels.

The national format (国办公开办函〔2019〕60号, revised by 〔2021〕30号) prints three tables:
  二、主动公开政府信息情况 (ACTIVE), 三、收到和处理政府信息公开申请情况 (REQUESTS),
  四、政府信息公开行政复议、行政诉讼情况 (APPEALS).
A cell's key is the product of its table's dimensions: a row (what is counted) and a column (how). Each
dimension value carries the labels a report prints for it, as regular expressions searched in the label text
with spaces, numbering and punctuation removed (see engine.compact). Within a dimension the first value whose
labels match wins, so the narrower labels come first. A reader checks these tables against the format, not
the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Label:
    """One value of a dimension: its key part, the label patterns, and the section its row belongs to (if any).

    `section` names a row group (不予公开, 无法提供 …) that the row's own label or a heading row above must show;
    `formats` limits a value to the format versions that print it.
    """

    key: str
    patterns: tuple[str, ...]
    section: str | None = None
    formats: tuple[str, ...] = ("2019", "2021")


@dataclass(frozen=True)
class Table:
    """A statistical table: how to recognise it, and its dimensions.

    `signature`: every group of patterns must match somewhere in the table's text. `rows` are matched against a
    row's label (the text left of its numbers, with the section heading above it); `columns` against the
    column's header text. When `either_way` the rows and columns may be printed transposed (some reports turn
    the appeals table on its side), so both are matched against the row label and the header together.
    """

    name: str
    signature: tuple[tuple[str, ...], ...]
    rows: tuple[Label, ...]
    columns: tuple[Label, ...]
    either_way: bool = False

    def keys(self, fmt: str | None = None) -> list[str]:
        return [
            f"{self.name}.{row.key}.{col.key}"
            for row in self.rows
            if fmt is None or fmt in row.formats
            for col in self.columns
            if fmt is None or fmt in col.formats
        ]


# -- 二、主动公开政府信息情况 --------------------------------------------------------------------------------------
# 2021: 规章 / 行政规范性文件 × 本年制发件数, 本年废止件数, 现行有效件数;
# 行政许可, 行政处罚, 行政强制 × 本年处理决定数量;
# 行政事业性收费 × 本年收费金额（万元）. 2019: 规章 / 规范性文件 × 本年新制作数量, 本年新公开数量, 对外公开总数量;
# 行政许可, 其他对外管理服务事项, 行政处罚, 行政强制 × 上一年项目数量, 本年增/减, 处理决定数量; 行政事业性收费 ×
# 上一年项目数量, 本年增/减; 政府集中采购 × 采购项目数量, 采购总金额.
ACTIVE = Table(
    name="active",
    signature=(
        ("规章", "规范性文件", "行政许可", "行政处罚", "行政强制", "行政事业性收费"),
        ("制发", "废止", "现行有效", "处理决定", "收费金额", "新制作", "新公开", "项目数量"),
    ),
    rows=(
        Label("regulations", (r"^规章", r"^(本级)?政府规章")),
        Label("normative_documents", (r"规范性文件",)),
        Label("licensing", (r"行政许可",)),
        Label("other_services", (r"其他对外管理服务",), formats=("2019",)),
        Label("penalties", (r"行政处罚",)),
        Label("coercion", (r"行政强制",)),
        Label("fees", (r"行政事业性收费", r"^收费")),
        Label("procurement", (r"政府集中采购", r"集中采购"), formats=("2019",)),
    ),
    columns=(
        Label("issued", (r"制发",), formats=("2021",)),
        Label("abolished", (r"废止",), formats=("2021",)),
        Label("in_force", (r"现行有效",), formats=("2021",)),
        Label("made", (r"新制作",), formats=("2019",)),
        Label("published", (r"新公开",), formats=("2019",)),
        Label("published_total", (r"对外公开总",), formats=("2019",)),
        Label("items_last_year", (r"上一?年.{0,2}项目数",), formats=("2019",)),
        Label("items_change", (r"增[/／、]?减", r"增减"), formats=("2019",)),
        Label("procurement_items", (r"采购项目数",), formats=("2019",)),
        Label("procurement_amount", (r"采购总?金额",), formats=("2019",)),
        Label("decisions", (r"处理决定", r"决定数")),
        Label("amount", (r"收费金额", r"金额"), formats=("2021",)),
    ),
)

# Which (row, column) pairs of ACTIVE a report can print; other pairs (规章 × 处理决定) are not cells.
ACTIVE_CELLS: dict[str, tuple[str, ...]] = {
    "regulations": ("issued", "abolished", "in_force", "made", "published", "published_total"),
    "normative_documents": ("issued", "abolished", "in_force", "made", "published", "published_total"),
    "licensing": ("decisions", "items_last_year", "items_change"),
    "other_services": ("decisions", "items_last_year", "items_change"),
    "penalties": ("decisions", "items_last_year", "items_change"),
    "coercion": ("decisions", "items_last_year", "items_change"),
    "fees": ("amount", "items_last_year", "items_change"),
    "procurement": ("procurement_items", "procurement_amount"),
}
# The contract's names for the 2019 procurement cells read better without the repeated word.
ACTIVE_RENAME = {
    "procurement.procurement_items": "procurement.items",
    "procurement.procurement_amount": "procurement.amount",
}

# -- 三、收到和处理政府信息公开申请情况 ------------------------------------------------------------------------------
REFUSED, UNAVAILABLE, NOT_PROCESSED, OTHER = "不予公开", "无法提供", "不予处理", "其他处理"
SECTIONS = (REFUSED, UNAVAILABLE, NOT_PROCESSED, OTHER)

REQUESTS = Table(
    name="requests",
    # Two of its row labels (or a row and an applicant column), so that either part of a table split in two shows.
    signature=(
        ("本年新收", "上年结转", "予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "结转下年"),
        ("自然人", "商业企业", "予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "结转下年"),
    ),
    rows=(
        Label("new", (r"本年.{0,3}新收", r"^新收")),
        Label("carried_over", (r"上年.{0,4}结转", r"上年度?遗留")),
        Label("carried_forward", (r"结转下一?年", r"转入下一?年")),
        Label("partly_granted", (r"部分公开",)),
        Label("refused.state_secret", (r"国家秘密",), REFUSED),
        Label("refused.prohibited_by_law", (r"法律行政法规禁止", r"法规禁止公开", r"禁止公开"), REFUSED),
        Label("refused.security_stability", (r"三安全一稳定", r"危及"), REFUSED),
        Label("refused.third_party", (r"第三方",), REFUSED),
        Label("refused.internal_affairs", (r"内部事务",), REFUSED),
        Label("refused.process_information", (r"过程性信息",), REFUSED),
        Label("refused.enforcement_files", (r"执法案卷",), REFUSED),
        Label("refused.administrative_query", (r"查询事项",), REFUSED),
        Label("unavailable.not_held", (r"不掌握",), UNAVAILABLE),
        Label("unavailable.needs_creation", (r"另行制作", r"没有现成"), UNAVAILABLE),
        Label("unavailable.unclear", (r"仍不明确", r"不明确"), UNAVAILABLE),
        Label("not_processed.petition", (r"信访", r"举报投诉"), NOT_PROCESSED),
        Label("not_processed.repeated", (r"^重复申请", r"(?<!反复)重复申请"), NOT_PROCESSED),
        Label("not_processed.publication", (r"公开出版物",), NOT_PROCESSED),
        Label("not_processed.mass_repeated", (r"大量反复",), NOT_PROCESSED),
        Label("not_processed.confirm_or_reissue", (r"确认或重新出具", r"重新出具"), NOT_PROCESSED),
        Label("other.no_correction", (r"逾期不补正", r"不补正"), OTHER, formats=("2021",)),
        Label("other.unpaid_fee", (r"缴纳费用", r"收费通知"), OTHER, formats=("2021",)),
        Label("other.other", (r"^其他$",), OTHER, formats=("2021",)),
        # The 2019 format prints (六)其他处理 as one row: this key. In 2021 the row is a heading only.
        Label("other.total", (r"其他处理$",), formats=("2019",)),
        Label("granted", (r"^予以公开", r"(?<!不)予以公开$")),
        Label("total", (r"^总计$", r"^合计$", r"办理结果.{0,2}总计", r"^总数$")),
    ),
    columns=(
        Label("natural_person", (r"自然人",)),
        Label("business", (r"商业企业",)),
        Label("research", (r"科研机构",)),
        Label("public_interest", (r"公益组织",)),
        Label("legal_services", (r"法律服务",)),
        Label("other_org", (r"其他$", r"其他组织$")),
        Label("total", (r"总计$", r"合计$", r"总数$")),
    ),
)

# -- 四、政府信息公开行政复议、行政诉讼情况 ---------------------------------------------------------------------------
APPEALS = Table(
    name="appeals",
    signature=(("行政复议",), ("行政诉讼", "起诉"), ("维持",)),
    rows=(
        Label("litigation_after_review", (r"复议后起诉", r"(?<!未)经复议.{0,2}起诉")),
        Label("litigation_direct", (r"未经复议", r"直接起诉")),
        Label("review", (r"行政复议", r"^复议")),
    ),
    columns=(
        Label("upheld", (r"维持",)),
        Label("corrected", (r"纠正",)),
        Label("other", (r"其他",)),
        Label("pending", (r"未审结", r"审理中", r"未结")),
        Label("total", (r"总计", r"合计", r"小计")),
    ),
    either_way=True,
)

TABLES = (ACTIVE, REQUESTS, APPEALS)


def field_key(table: Table, row: str, column: str) -> str | None:
    """The contract's dotted key of one cell, or None when the format has no such cell."""
    if table is ACTIVE:
        if column not in ACTIVE_CELLS.get(row, ()):
            return None
        return "active." + ACTIVE_RENAME.get(f"{row}.{column}", f"{row}.{column}")
    if table is APPEALS:
        return f"{row}.{column}"  # review.*, litigation_direct.*, litigation_after_review.*
    return f"requests.{row}.{column}"


@cache
def all_keys(fmt: str | None = None) -> tuple[str, ...]:
    """Every key of the format `fmt` (both formats when None), in the tables' order: the Parquet columns."""
    keys: list[str] = []
    for table in TABLES:
        for row in table.rows:
            for col in table.columns:
                if fmt is not None and (fmt not in row.formats or fmt not in col.formats):
                    continue
                key = field_key(table, row.key, col.key)
                if key and key not in keys:
                    keys.append(key)
    return tuple(keys)


# Where a report's tables are missing, the reason the figures say so.
NO_TABLES = "no_figure_tables"
BEFORE_FORMAT = "no_figure_tables_before_2019_format"  # report years before 2019 had no national table format
FIRST_FORMAT_YEAR = 2019  # reports on 2019 were the first in the national format
SECOND_FORMAT_YEAR = 2021  # 国办公开办函〔2021〕30号 applies from the reports on 2021
