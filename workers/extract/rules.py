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
