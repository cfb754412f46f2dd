"""Rules of the extraction kept as data: vocabularies and thresholds, each with the reason it holds.

The small engines that apply them live beside the stage they serve (`html.py` prunes blocks, `metadata.py` reads
dates, `decode.py` chooses codecs, `__init__.py` tells languages apart); a rule changes here, not in their code.
Every rule is for a kind of page, measured on real pages nobody here wrote (tests/fixtures/realpages), and has a
test of its own in tests/unit/extract/test_<rule>.py.
"""

from __future__ import annotations

# --- story streams (html.py: `is_story_stream`) ------------------------------------------------------------------
# A stream of other stories after a short article (news portals' "more stories", a blog's other posts, a list of
# teasers with a picture each): a block whose children repeat one shape (same tag and class), each led by a
# linked headline, each short. Article paragraphs rarely each hold a link; a menu's links are shorter than a
# headline; an attachment list links files, not articles.
STREAM_TAGS = frozenset(("ul", "ol", "div", "section", "dl", "tbody"))
STREAM_MIN_ITEMS = 3  # two linked paragraphs are prose with links; three of one shape are a list
STREAM_MIN_SHARE = 0.6  # of the block's children: the rest may be a heading, a "more" button, an ad slot
STREAM_TEASER_SHARE = 0.8  # of the items: a picture-only, an ad or a long teaser does not make it prose
HEADLINE_MIN_CHARS = 6  # shorter link texts are menu words (首页, 新闻, 更多)
HEADLINE_MAX_CHARS = 80  # longer link texts are a linked paragraph
STREAM_ITEM_MAX_CHARS = 400  # a teaser (headline, one-paragraph summary, source, time) is shorter than this
# Links to files are an article's attachments, never other stories.
ATTACHMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".ofd", ".zip", ".rar", ".txt")

# --- information-disclosure boxes (html.py: `_is_disclosure_box`) -----------------------------------------------
# The 政府信息公开 metadata box above or below a government article, in whatever layout: "label：value" lines,
# label/value rows, two or three label columns, a label alone in its cell (the colon in its own cell, or none),
# labels spaced out ("索 引 号", "文　　号"). A label opens a text piece (a cell, a line) and is followed by a colon
# or ends the piece; three labels or more, each once, one of them a box's own, and no sentence make a box.
# A box's own labels: only the disclosure box says them.
BOX_LABELS = (
    "索引号", "索取号", "信息索引", "主题分类", "信息分类", "公开分类", "发文机关", "发文机构", "成文日期", "生成日期",
    "有效性", "体裁分类", "组配分类",
)  # fmt: skip
# Labels a box shares with a report's own lists (名称：… 文号：…) and bylines.
DISCLOSURE_LABELS = (
    "发布机构", "发布日期", "公开日期", "名称", "标题", "信息名称", "文号", "发文字号", "文件编号", "主题词",
    "公开方式", "公开范围", "公开时限", "所属机构", "信息来源", "信息类别", "内容概述", "访问次数", "责任部门",
)  # fmt: skip
DISCLOSURE_MIN_LABELS = 3  # two labels are a byline (发布日期：… 信息来源：…)
DISCLOSURE_MAX_CHARS = 600  # a box with a long 内容概述 is still short; the report is thousands of characters
DISCLOSURE_TAGS = frozenset(("table", "tbody", "tr", "ul", "dl", "div", "p"))  # a row of three labels is a box

# --- paragraphs written as <br>-separated text (html.py: `br_runs_as_paragraphs`) -------------------------------
# A block holding at least this many <br>s between at least this much loose text (its own text, inline children,
# tails) is a body written line by line, not a caption with one break or a cell with an address on two lines.
BR_HOLDERS = ("td", "div", "span", "font", "section", "article")
BR_MIN_BREAKS = 3
BR_MIN_CHARS = 60
