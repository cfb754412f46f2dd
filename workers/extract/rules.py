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

# --- encodings by evidence (decode.py, charsets.py) -------------------------------------------------------------
# HZ (RFC 1843) writes GB2312 in 7-bit ASCII between "~{" and "~}": an all-ASCII body holding at least this many
# such runs is decoded as HZ when the result reads as Chinese (plausibility at least HZ_MIN_PLAUSIBILITY), so a
# script that happens to write "~{" stays ASCII.
HZ_MIN_RUNS = 1
HZ_MIN_PLAUSIBILITY = 0.3
# A detector's Japanese or Korean guess for bytes without a declaration is believed only when the decoded text
# holds that language's own script (kana, Hangul): a short GB2312 text is often guessed as one of them, and its
# Japanese or Korean reading is all Han characters (or half-width katakana, which real pages do not write).
SCRIPT_OF_CODEC = {
    "shift_jis": "kana", "cp932": "kana", "euc_jp": "kana", "iso2022_jp": "kana", "shift_jis_2004": "kana",
    "euc_jis_2004": "kana", "shift_jisx0213": "kana", "euc_jisx0213": "kana",
    "cp949": "hangul", "euc_kr": "hangul", "johab": "hangul", "iso2022_kr": "hangul",
}  # fmt: skip
SCRIPT_PATTERN = {"kana": "[\u3041-\u309f\u30a1-\u30fa]", "hangul": "[\uac00-\ud7a3\u3131-\u318e]"}
SCRIPT_MIN_SHARE = 0.05  # of the CJK-or-script characters: Japanese prose is a third kana or more
# …and any guess but UTF-8, GB18030 and Big5-HKSCS yields when the GB18030 reading is valid and plausible Chinese
# (real Chinese scores 0.6–0.9, Korean or Japanese bytes read as GB about 0.1–0.3) on at least this many characters.
GB_PLAUSIBLE = 0.5
GB_MIN_CHARS = 2
# Characters of written Cantonese that Hong Kong pages use all the time and that Big5 has only through its HKSCS
# extension (or GB only as rare characters): real text when they appear, so Big5-HKSCS bytes read as such are
# plausible, and their GB18030 reading is not. A declared GB charset yields to Big5-HKSCS on fewer characters
# than MIN_CJK_EVIDENCE when the Big5-HKSCS reading holds at least HKSCS_MIN_CHARS of them.
CANTONESE_CHARS = "佢哋喺嘅咗啲冇嘢㗎嚟噉乜睇咁嗰啱嘥攰瞓揾搵諗噃喎囉咩嘞嗱畀俾"
HKSCS_MIN_CHARS = 2
# Mojibake of UTF-8 read as Latin-1/cp1252 ("å\x8f\x91å¸\x83") is repaired run by run, and only when the run comes
# back as plausible Chinese: "Ã©" or "São" in a UTF-8 page are what the page says, not damage.
LATIN1_RUN_MIN_CHARS = 3

# --- language before the Traditional test (__init__.py: `language`) ---------------------------------------------
# Japanese writes Han characters in forms OpenCC takes for Traditional (國, 學, 會, 經 …): a Japanese text got a
# "Traditional" flag and a bogus Simplified copy. Japanese prose is a third kana or more; Chinese writes kana only
# in a quoted name or title (13 % of a short sentence quoting one): at this share of kana among kana and Han
# characters a text is Japanese, and the Traditional test is not asked. Korean likewise by Hangul.
LANGUAGE_SCRIPTS = (("ja", "[\u3041-\u309f\u30a1-\u30fa\u30fc]"), ("ko", "[\uac00-\ud7a3]"))
LANGUAGE_MIN_SHARE = 0.2
