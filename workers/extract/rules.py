"""Rules of the extraction kept as data: vocabularies, patterns and tuned numbers, each with the reason it holds.

Grouped by concept, each group naming the engine that applies it and its tests (trafilatura's `xpaths.py` is the
model). The small engines live beside the stage they serve: `html.py` prunes blocks (its named pruning rules,
`html.PRUNING_RULES`, applied by one walk) and cleans the text's lines, `metadata.py` finds the title, date and
issuer (ordered tuples of named finders, applied by `metadata.first_found`), `__init__.py` tells languages
apart; the decoder's rules are in `nianbao/encoding_rules.py`. A rule changes here, not in their code. Every rule
is for a kind of page, measured on real pages nobody here wrote (tests/fixtures/realpages), and has a test of its
own in tests/unit/extract/test_<rule>.py.
"""

from __future__ import annotations

import re

from nianbao.dates import ANY_YEAR


def with_traditional(pattern: str) -> str:
    """The pattern or its Traditional spelling: `/gate/big5/` copies and Traditional portals print the same
    furniture in Traditional characters ("掃一掃在手機打開當前頁", "版權所有")."""
    import opencc

    # OpenCC's standard and Taiwan/Hong Kong spellings differ in places (發佈 / 發布, 聯繫 / 聯絡).
    spellings = dict.fromkeys([pattern, *(opencc.OpenCC(c).convert(pattern) for c in ("s2t", "s2tw", "s2hk"))])
    return "|".join(f"(?:{p})" for p in spellings)


# --- what a reader never sees, and what breaks a line (html.py: `prune_scripts`, `tree_text`,
# `text_divs_as_paragraphs`; tests: test_layout.py, test_text_divs.py) -------------------------------------------------
# Scripts, styles and form controls hold no text of the page's.
HIDDEN_TAGS = ("script", "style", "noscript", "iframe", "select", "button", "input", "textarea")
# Tags that start a line of the page's text (a table row is one line, its cells split by " | ").
BLOCK_TAGS = frozenset(
    "p div li tr h1 h2 h3 h4 h5 h6 br table section article blockquote pre dd dt ul ol td th".split()
)
# Block tags a <div> holding only a run of text (and inline markup) does not contain (`text_divs_as_paragraphs`;
# tests: test_text_divs.py).
INNER_BLOCK_TAGS = tuple(sorted(BLOCK_TAGS - {"br"}))

# --- content containers (html.py: `_HOLDS_REPORT`, `_INSIDE_REPORT`, `container_text`; tests: test_containers.py) -----
# Containers CMSs put the article body in, most specific first. The named ones (TRS, UCAP, …) hold the report
# wherever a page has one: a block holding or inside one is the report's, not furniture; the generic ones are
# tried last, for the text of a page trafilatura found too little in. The one list of content containers.
CMS_CONTAINERS = (
    ".TRS_Editor",
    "#zoom",
    "#UCAP-CONTENT",
    ".view.TRS_UEDITOR",
    ".TRS_UEDITOR",
    "#Zoom",
    ".article-content",
)
GENERIC_CONTAINERS = (".article", ".content", "#content", "article")
CONTENT_SELECTORS = CMS_CONTAINERS + GENERIC_CONTAINERS
# A container must hold at least this much text to be taken for the article (CMSs reuse `.content` for menus).
MIN_CONTAINER_CHARS = 100
# Without a container, the text is the block with the most text directly in it or in these children of it (not
# in nested layout boxes).
DENSE_BLOCKS = ("div", "td", "article", "section", "body")
DENSE_CHILDREN = ("p", "span", "font", "strong", "b", "h2", "h3", "h4", "br", "center", "table")

# --- layout tables (html.py: `unwrap_layout_tables`; tests: test_layout.py) -------------------------------------------
# A table is page layout, not data, when one of its cells holds another table, or at least this many paragraphs
# of at least this many characters in all: a report's data table (even one pasted from Word, a <p> in every cell)
# has short cells.
LAYOUT_CELL_BLOCKS = 3
LAYOUT_CELL_CHARS = 200
CELL_BLOCKS = ("p", "div", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote")
# In a cell alone in its row of a table that is no grid a line break counts too: old portals write the whole
# report into a one-column layout table, its paragraphs split by <br> (a data table's cells, and its full-width
# note row, may list items with <br>s).
LONE_CELL_BLOCKS = (*CELL_BLOCKS, "br")

# --- furniture (html.py: the pruning rule `furniture`, `clean_lines`; tests: test_furniture.py, test_pruning.py) ------
# Text that marks an element as portal furniture rather than report text.
BOILERPLATE = re.compile(
    with_traditional(
        r"字体[:：]?\s*[【\[]?\s*[大中小]|【\s*字体|字号[:：]?\s*[大中小]|扫一扫在手机|在手机上?打开当前页|"
        r"您(?:现在)?(?:当前)?所在(?:的)?位置|当前位置|您的位置|^\s*位置\s*[:：]|首页\s*(?:>|＞|»|›|→)|"
        r"上一篇|下一篇|上一条|下一条|相关链接|相关文章|相关阅读|相关新闻|相关文件|"
        r"版权所有|ICP[备证]|公网安备|网站标识码|技术支持[:：]|网站地图|联系我们|主办单位|承办单位|"
        r"打印本页|关闭窗口|【\s*打印\s*】|【\s*关闭\s*】|分享到[:：]?|今天是\s*\d{4}年|"
        r"您访问的链接即将离开|继续访问放弃|Copyright|copyright|©"
    )
)
# An element is dropped for boilerplate text only when its whole text is this short: a footer or a bar, never
# the container that also holds the report (which is thousands of characters).
BOILERPLATE_MAX_CHARS = 400
# A line of the final text is dropped when it is this short and boilerplate (long lines are report prose that
# happens to mention 联系我们 or 技术支持).
BOILERPLATE_MAX_LINE = 120
# class/id tokens of navigation, share bars, breadcrumbs and footers on Chinese portals.
FURNITURE_ATTR = re.compile(
    r"(?:^|[\s_-])(?:share|bdshare|fenxiang|print|dayin|crumb|breadcrumb|position|location|dqwz|"
    r"footer|foot|bottom|copyright|banquan|related|xglj|xgwz|pagebar|prev|next|sxp|nav|navbar|menu|"
    r"topbar|header|toolbar|fontsize|zihao)(?:$|[\s_-])",
    re.I,
)
# A sentence: prose inside the report (kept, however much furniture it names), never a disclosure box.
PROSE = re.compile(r"[^。！？!?\n]{30,}[。！？!?]")

# --- lists of other articles (html.py: the pruning rule `related_list`; tests: test_furniture.py) ---------------------
# A block that opens with a heading naming a list of other articles (相关新闻, 推荐阅读, 热点排行) and holds only
# linked items after it is that list, however long its teasers make it (up to RELATED_MAX_CHARS); the heading
# alone is at most this long.
RELATED_HEADING = re.compile(
    with_traditional(
        r"(?:相关|推荐|延伸|热点|热门|精彩|最新|往期|更多)(?:阅读|新闻|文章|链接|推荐|报道|资讯|图集|排行|专题|视频|稿件)|"
        r"猜你喜欢|为你推荐|大家都在看"
    )
)
RELATED_HEADING_MAX_CHARS = 12
RELATED_MAX_CHARS = 3000
RELATED_CHARS_PER_LINK = 300  # a teaser is shorter than this; a report with a link or two is longer
HEADING_DECOR = re.compile(r"[\s:：>》»+]+|更多(?=[\s:：>》»+]*$)")  # "热点排行 >>", "相关新闻 更多+"

# --- information-disclosure boxes (html.py: the pruning rule `disclosure_box`; tests: test_disclosure_box.py) ---------
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

# --- story streams (html.py: the pruning rule `story_stream`; tests: test_story_stream.py) ----------------------------
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

# --- comment and reply threads (html.py: the pruning rule `comment_thread`; tests: test_comment_thread.py) ------------
# Readers' comments and a forum's replies: a block whose children repeat one shape (not paragraphs), each stamped
# with its own time (a date with a clock time, "3楼", "发表于", "5分钟前"), each short. A report's paragraphs
# carry dates but not clock times, and are <p>s. A forum thread's first item is the post itself when it is at
# least COMMENT_POST_RATIO times as long as the median reply: then only the replies go.
COMMENT_ITEM_TAGS = frozenset(("div", "li", "dl", "table", "section", "article", "dd"))
COMMENT_TIME = (
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*\d{1,2}:\d{2}|\d+\s*楼|发表于|"
    r"\d+\s*(?:分钟|小时|天)前"
)
COMMENT_MIN_ITEMS = 3
COMMENT_STAMPED_SHARE = 0.8
COMMENT_ITEM_MAX_CHARS = 1500
COMMENT_POST_RATIO = 3

# --- paragraphs written as <br>-separated text (html.py: `br_runs_as_paragraphs`; tests: test_br_runs.py) -------------
# A block holding at least this many <br>s between at least this much loose text (its own text, inline children,
# tails) is a body written line by line, not a caption with one break or a cell with an address on two lines.
BR_HOLDERS = ("td", "div", "span", "font", "section", "article")
BR_MIN_BREAKS = 3
BR_MIN_CHARS = 60

# --- lines of the text that are not the report (html.py: `clean_lines`, `trim_tail`,
# `cut_after_editor`; tests: test_toolbar_lines.py, test_tail_lines.py, test_furniture.py) -----------------------------
# Lines of page metadata and toolbar words that trafilatura keeps beside the body (the values are read from
# the whole page by `metadata`, not from the text).
META_LINE = re.compile(
    with_traditional(
        r"^(?:[•·]\s*)?(?:(?:发布|發布|发表|成文|印发)?(?:时间|日期)|(?:信息|文章)?来源|浏览(?:次数)?|阅读(?:次数)?|点击(?:数|量|率)?|"
        r"访问(?:次数|量)|作者|编辑|责任编辑|发布机构|索引号|字体大小)\s*[:：]|"
        r"^(?:打印|关闭|分享|收藏|返回顶部|字体大小|登录|注册|(?:pdf|word|PDF|WORD|Word)\s*下载|[【\[]?\s*[大中小]\s*[】\]]?)$|"
        r"^[•·]?\s*(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$|"
        r"^[—\-－]\s*\d{1,3}\s*[—\-－]$"  # page numbers of a pasted Word document: "— 5 —"
    )
)
# Widgets after the report (留言/评论/有用, app QR codes): a run of at least this many short lines at the end
# that are neither sentences nor the signature (issuer, date) is dropped.
TAIL_JUNK_MIN_LINES = 3
TAIL_JUNK_MAX_CHARS = 12
SENTENCE_OR_SIGNATURE = re.compile(
    r"(?:19|20)\d{2}\s*年|[。！？；.]$|(?:政府|办事处|委员会|局|院|所|室|处|中心|街道|镇|乡)$"
)
# The editor's line closes an article ("责任编辑：王某", "（责任编辑：HN666）"); what follows it at the end of the
# text is a teaser of another article, a statement or a reposting note, not the report.
EDITOR_LINE = re.compile(with_traditional(r"^[（(【\[]?\s*(?:责任编辑|责编|编辑)\s*[:：]"))
EDITOR_TAIL_MAX_CHARS = 400
EDITOR_TAIL_MAX_SHARE = 0.25  # of the text before the editor's line
# A signature date on a line of its own after the editor's line: the tail is the report's signature block.
SIGNATURE_DATE_LINE = re.compile(
    r"(?:(?:19|20)\d{2}|[〇○零一二三四五六七八九]{4})年[\d〇○零一二三四五六七八九十]{1,3}月[\d〇○零一二三四五六七八九十]{1,3}日"
)

# --- trafilatura's focus (html.py: `main_text`; tests: test_precision_focus.py) ---------------------------------------
# trafilatura's precision mode (`favor_precision`), measured on zh-extraction-dev (58 real pages, bigram F1):
# 0.864 balanced → 0.880 precision, both fast; without `fast` (its readability/jusText fallbacks) 0.875 and
# 0.893, at twice the time. It drops comment threads, reply floors and appended teaser lists its balanced
# mode keeps, but on some pages it loses the body and keeps a stray box: a short precision result is taken only
# when it is at least this share of what the balanced mode finds (on the dev pages good short texts were
# 0.35–0.62 of it, lost bodies 0–0.16).
PRECISION_MIN_SHARE = 0.25

# --- language before the Traditional test (__init__.py: `language`; tests: test_language.py) --------------------------
# Japanese writes Han characters in forms OpenCC takes for Traditional (國, 學, 會, 經 …): a Japanese text got a
# "Traditional" flag and a bogus Simplified copy. Japanese prose is a third kana or more; Chinese writes kana only
# in a quoted name or title (13 % of a short sentence quoting one): at this share of kana among kana and Han
# characters a text is Japanese, and the Traditional test is not asked. Korean likewise by Hangul.
LANGUAGE_SCRIPTS = (("ja", "[\u3041-\u309f\u30a1-\u30fa\u30fc]"), ("ko", "[\uac00-\ud7a3]"))
LANGUAGE_MIN_SHARE = 0.2

# --- <meta> tags (metadata.py: the finders `title_in_meta_tag`, `date_in_meta_tag`,
# `issuer_in_meta_tag`; tests: test_finders.py, test_printed_date.py) --------------------------------------------------
# The CMS's own records of an article. Only ArticleTitle is trusted before the page's headings: og:title is the
# social card's, often the site's name (it is the last resort, `title_in_og_tag`).
META_ARTICLE_TITLE = ("ArticleTitle", "articletitle")
META_OG_TITLE = ("og:title",)
META_DATE = (
    "PubDate",
    "pubdate",
    "publishdate",
    "firstpublishedtime",
    "publishedtime",
    "article:published_time",
    "og:release_date",
    "dc.date",
    "dcterms.created",
    "dc.date.issued",
    "datePublished",
    "weibo:article:create_at",
)
META_SOURCE = ("ContentSource", "contentsource", "source")
# Portals put the editor's own name in <meta name="author"> ("马娟"): it names an issuer only when it is an organ.
META_AUTHOR = ("author", "Author")

# --- titles (metadata.py: TITLE_FINDERS, TEXT_TITLE_FINDERS; tests: test_titles.py, test_finders.py) ------------------
# Separators between an article title and the site's name in <title>.
TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|—|--|\s-\s|\s－\s)\s*")
# …and those a report's title is looked for between: also breadcrumbs and a tight hyphen (not "2020-2021").
TITLE_PARTS = re.compile(r"\s*(?:_|\||｜|—|--|>|＞|»)\s*|\s+[-－]\s+|(?<=\D)[-－](?=\D)")
# A trailing "-新华网" / "_百度百科" without spaces is a site suffix when it is this short and what remains is long.
SITE_SUFFIX_MAX_CHARS = 12
MIN_TITLE_CHARS = 6
MAX_TITLE_CHARS = 120
# The headings a title is written in (an <h4> and below head the article's own sections, or a sidebar's boxes).
HEADING_TAGS = ("h1", "h2", "h3")
MIN_HEADING_CHARS = 4  # a heading shorter than this is a label ("正文", "附件"), not a title
TIGHT_SUFFIX = re.compile(rf"^(.{{{MIN_TITLE_CHARS},}}?)\s*[-_|｜—]\s*[^-_|｜—]{{2,{SITE_SUFFIX_MAX_CHARS}}}$")
# A first part this short is a site or column label put before the title ("新闻_..."); names ("蔡健雅") are longer.
SITE_FIRST_MAX_CHARS = 2
# A <title> part this short that names no report is a column's name ("新闻动态", "通知公告"), not an article's.
COLUMN_NAME_MAX_CHARS = 8
# A <title> that is only the site's name ("某某区人民政府门户网站"), and words every report title has one of.
SITE_NAME = re.compile(r"(?:政府|门户|門戶|网站|網站|[网網])$")
REPORT_HINT = re.compile(r"报|報|情况|情況")
# Blocks a title may be written in when the page has no heading, and the blocks such a block does not hold.
TITLE_BLOCKS = ("div", "p", "td", "span", "strong", "b", "font", "h4", "h5", "h6")
INNER_BLOCKS = ("div", "p", "td", "table", "ul", "ol", "li", "h4", "h5", "h6")
# A block naming a report in a sentence ("…见《某某县2021年…报告》。") or a breadcrumb ending in one is no title.
SENTENCE_ENDS = ("。", "；")
QUOTE_OPENS = "《"
CRUMB = re.compile(r"[>＞»›→]")  # "首页 > 法治政府 > 某某县2021年法治政府建设年度报告"
# Blocks that old CMSs name after the title they hold: <td class="title">, <div id="biaoti">, <span id="lblTitle">.
TITLE_NAME = re.compile(r"title|biaoti", re.I)
NOT_TITLE_NAME = re.compile(r"sub|site|web|logo|column|lanmu|nav|list|small|tip", re.I)
# A heading over a box of links labels the box ("最新动态" over a sidebar): at least this many links, nearly all
# its text theirs, each an article's title rather than a tool's word (字号 大 中 小 打印, 微信 微博 under a
# heading are a toolbar, not a box).
LABEL_MIN_LINKS = 3
LABEL_LINK_SHARE = 0.7
LABEL_MIN_LINK_CHARS = 6  # on average
# A heading may be broken over this many lines of a text (a PDF's hard wrap, a page's <br> in its <h1>).
TITLE_MAX_LINES = 3
# A document without HTML (PDF, DOCX, OFD) writes its title among its first lines, and a labelled date (发布日期：…)
# above its body among its first characters.
TEXT_TITLE_LINES = 5
TEXT_OPENING_CHARS = 200

# --- labelled dates (metadata.py: `ranked_labelled_date`; tests: test_dates.py, test_printed_date.py) -----------------
# The label is followed by a colon, by spaces on the same line ("发布时间 2021-03-05"), or by the next table
# cell ("发文日期： | 2021年03月05日", as tree_text writes a row).
LABELLED_DATE = re.compile(
    r"(发布|發布|發佈|发表|發表|公开|公開|发稿|發稿|成文|更新|印发|印發|生成|发文|發文)?(?:时间|時間|日期)"
    r"(?:\s*[:：]\s*(?:\|\s*)?|[ \t\u3000]*\|\s*|\s*[】\]]\s*|[ \t\u3000]+)(?:[\[【]\s*)?"
    rf"({ANY_YEAR}\s*(?:[-/.]|年)\s*\d{{1,2}}\s*(?:[-/.]|月)\s*\d{{1,2}})"
)
# What separates a label from its date when the label says so plainly (a colon, a closing bracket).
LABEL_COLON = re.compile("[:：】\\]]")
# Which labelled date is the publication date: 发布… first (rank 0), then a bare 日期/时间 (rank 1), then the rest
# (rank 2; another word's date, 实施日期, rank 3); only the labels within this many characters of the first are
# compared (an information-disclosure table's row).
PUBLICATION_LABEL_RANK = 0
BARE_LABEL_RANK = 1
OTHER_WORD_LABEL_RANK = 3
LABEL_GROUP_CHARS = 200
LABEL_RANK = {label: 0 for label in ("发布", "發布", "發佈", "发表", "發表", "公开", "公開", "发稿", "發稿")} | {
    label: 2 for label in ("成文", "更新", "印发", "印發", "生成", "发文", "發文")
}
SITE_LABEL = re.compile(r"(?:网站|網站|本站|本网|系统)$")  # "网站更新时间": the site's, not the article's
SITE_LABEL_REACH = 4  # characters before the label looked at for those words

# --- signature dates (metadata.py: `signature_date`; tests: test_dates.py) --------------------------------------------
# The signature date is among the last characters of a report (after the issuer's name).
SIGNATURE_WINDOW = 200
SIGNATURE_DATE = re.compile(
    r"(?:((?:19|20)\d{2})|(?:中華民國|中华民国|民國|民国)\s*(\d{2,3}))\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
)
# Not a date inside a sentence ("因管道维修，定于2021年3月10日全天停水"): the clause before it ends at one of
# these, holds no comma, and nothing goes on after it ("本通知自2021年3月1日起施行", "2010年3月4日，全国政协…").
CLAUSE_ENDS = "。！？"
IN_SENTENCE = re.compile(r"[，,；;]")
SENTENCE_GOES_ON = re.compile(
    r"\s*(?:[，,、]|" + with_traditional(r"起|至|前|施行|实施|生效|通过|批准|召开|举行") + ")"
)

# --- bylines under the heading (metadata.py: `header_date`, `_header_text`; tests: test_dates.py) ---------------------
# The byline under an article's heading: how far below it, its date (年月日, or one separator used twice), what
# may stand before a date that opens it, and the words or clock beside a date that does not.
BYLINE_LINES = 5
BYLINE_MAX_CHARS = 30  # a short line ending with its date ("某某县水务局 2023-05-06") is a byline
MIN_HEADING_PREFIX = 6  # the first line of a heading broken over two
BYLINE_DATE = re.compile(
    r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|((?:19|20)\d{2})([-/.])(\d{1,2})\5(\d{1,2})(?![\d.])"
)
BYLINE_LEAD = re.compile(r"[\s\[【•·]+")
BYLINE_TRAIL = re.compile(r"^[\s\]】]*(?:\d{1,2}:\d{2}(?::\d{2})?)?[\s\]】]*$")
OPEN_BRACKET = re.compile(r"[(（]\s*$")
CLOSED_AFTER = re.compile(r"\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*[)）]")
BYLINE_WORDS = re.compile(
    r"\d:\d\d|星期|来源|來源|作者|记者|記者|编辑|編輯|浏览|瀏覽|点击|點擊|阅读|閱讀|字号|打印|发表于|发布于"
)
# A date that bounds a period or a validity, or dates a decision or a start ("（2021年3月5日县政府常务会议通过）").
BOUNDED_BEFORE = re.compile(
    "(?:" + with_traditional(r"至|到|止|截至|截止|有效期|修改|修订|更新") + r"|[\d日]\s*[-－–—～~])[:：]?\s*$"
)
BOUNDED_AFTER = re.compile(r"\s*(?:[-－–—～~]\s*\d|" + with_traditional(r"[至到起止前]") + ")")
DECIDED_AFTER = re.compile(with_traditional(r"施行|实施|生效|通过|批准|印发"))  # anywhere later on the line
# How much of the body's first paragraph (a line longer than a title) locates it in the page's text: the page's
# header is what comes before.
HEADER_PROBE_CHARS = 30
MIN_PROBE_CHARS = 8

# --- issuers (metadata.py: ISSUER_FINDERS; tests: test_issuer.py, test_finders.py) ------------------------------------
SOURCE = re.compile(
    r"(?:信息|文章)?(?:来源|來源)\s*[:：]\s*([^\s:：|,，]{2,40}?)(?=\s|$|发布|时间|日期|作者|浏览|点击|【|\|)"
)
# Sources that name the website itself, not an issuer.
GENERIC_SOURCES = frozenset(
    ("本网", "本站", "原创", "网站", "本网站", "转载", "其他", "未知", "本網", "網站", "本網站")
)
GENERIC_SOURCE_WORDS = re.compile(r"(?:本站|本网|本網|原创|原創|转载|轉載|编辑|編輯|整理)+")  # "本站原创"
# A source that names a website ("湘潭县人民政府门户网站", "中国政府网") is where the page was posted, not who
# issued the report: the signature block or the title says that better.
SITE_SOURCE = re.compile(r"网站|網站|门户|門戶|[网網]$|www\.|https?:")
# What an organ's name ends with, and what stands before the year in a title that opens with its issuer.
ISSUER_SUFFIX = re.compile(
    r"(?:人民政府|政府|办事处|办公室|办公厅|委员会|局|厅|院|署|部|处|中心|街道|镇|乡|县|区|市|司法所|管委会)$"
)
ISSUER_IN_TITLE = re.compile(r"(.{2,40}?)(?:关于)?(?:(?:19|20)\d{2}|[二一][〇○零][一二三四五六七八九〇○零]{2})年")
MAX_ISSUER_CHARS = 40
# A title that starts with a bare division name ("常平镇2021年…") was issued by that division's government.
BARE_DIVISION = re.compile(r"(?:省|市|县|縣|区|區|旗|镇|鎮|乡|鄉)$")
BARE_SUBDISTRICT = re.compile(r"街道$")
# The signature: an organ's name on the line above a short date line, among the text's last lines.
ISSUER_SEARCH_LINES = 3
ISSUER_DATE_LINE_MAX_CHARS = 20
