"""rules.STREAM_*: a stream of other stories after a short article is not its text; lists that are text stay."""

from __future__ import annotations

from tests.unit.extract.pages import COUNTY_TITLE, SECTIONS, legacy_page
from workers.extract import extract
from workers.extract.html import _compact_lengths, is_story_stream, parse, prune_scripts

ARTICLE = (
    "路透月度调查显示，日本企业信心五月保持稳定，但制造业及服务业反映日圆疲弱带来的通胀压力正损害利润。",
    "调查显示，五月制造业景气判断指数维持于正九，未来三个月预计略有改善，非制造业指数微升。",
)
TEASERS = (
    ("最新港产片热播好评如潮不少人建议复刻场景", "事实上现今旅游业讲求差异化特色，港产片正是香港文化最大特色之一。"),
    ("名人相继卖楼究竟是趁市况套现还是加速离场", "近日相继有名人卖楼，当中包括多位富商和艺人，市场议论纷纷。"),
    ("日元低位徘徊港人兑换日元准备旅行", "我们今日比较多间外币找换店及各大银行的兑换价，列出汇价连结。"),
    ("研究报告指游戏公司第一季利润率胜预期", "新游戏推出有助改善游戏业务前景，平均日活跃用户增长回升。"),
)


def page(stream: str = "", inside: str = "") -> bytes:
    """A short article; `stream` after its body in the same column, `inside` in its body."""
    body = "".join(f"<p>{line}</p>" for line in ARTICLE) + inside
    return (
        "<html><head><meta charset='utf-8'><title>日本企业信心保持稳定</title></head><body>"
        f"<div class='main'><h1>日本企业信心保持稳定</h1><div class='body'>{body}</div>{stream}</div></body></html>"
    ).encode()


def test_a_stream_of_teasers_with_linked_headlines_goes() -> None:
    items = "".join(
        f"<li class='stream-item'><h3><a href='/news/{i}.html'>{title}</a></h3><p>{summary}</p></li>"
        for i, (title, summary) in enumerate(TEASERS)
    )
    text = extract(page(f"<div class='more'><ul class='stream'>{items}<button>更多</button></ul></div>")).text
    assert all(line in text for line in ARTICLE)
    assert not any(title in text or summary in text for title, summary in TEASERS)


def test_paragraphs_with_an_attachment_link_each_stay() -> None:
    """An article's own list of documents links files: it is text, not other stories."""
    items = "".join(
        f"<p class='doc'>附件{i}：<a href='/files/{i}.pdf'>{title}</a>。{summary}</p>"
        for i, (title, summary) in enumerate(TEASERS)
    )
    text = extract(page(inside=f"<div class='files'>{items}</div>")).text
    assert all(title in text for title, _ in TEASERS)


def test_a_list_of_long_items_is_not_a_stream() -> None:
    """Items longer than a teaser (rules.STREAM_ITEM_MAX_CHARS) are the article's own points."""
    long_items = "".join(
        f"<li class='point'><a href='/law/{i}.html'>{title}</a>{summary * 16}</li>"
        for i, (title, summary) in enumerate(TEASERS)
    )
    text = extract(page(inside=f"<ol class='points'>{long_items}</ol>")).text
    assert all(summary in text for _, summary in TEASERS)


def _stream_verdicts(html: str) -> dict[str, bool]:
    """is_story_stream of every element carrying an id, by id."""
    tree = prune_scripts(parse(f"<html><body>{html}</body></html>"))
    lengths = _compact_lengths(tree)
    return {el.get("id"): is_story_stream(el, lengths) for el in tree.iter() if el.get("id")}


def test_the_engine_tells_streams_from_menus_attachments_and_points() -> None:
    teasers = "".join(
        f"<li class='s'><h3><a href='/n/{i}.html'>{t}</a></h3><p>{m}</p></li>" for i, (t, m) in enumerate(TEASERS)
    )
    ad = "<li class='ad'><img src='x.png'></li>"
    menu = "".join(
        f"<li class='m'><a href='/c/{i}/'>{w}</a></li>" for i, w in enumerate(("首页", "新闻", "财经", "体育"))
    )
    files = "".join(f"<p class='f'><a href='/f/{i}.pdf'>{t}</a></p>" for i, (t, _) in enumerate(TEASERS))
    points = "".join(f"<li class='p'><a href='/l/{i}.html'>{t}</a>{m * 16}</li>" for i, (t, m) in enumerate(TEASERS))
    two = "".join(f"<li class='s'><a href='/n/{i}.html'>{t}</a></li>" for i, (t, _) in enumerate(TEASERS[:2]))
    verdicts = _stream_verdicts(
        f"<ul id='stream'>{teasers}{ad}</ul><ul id='menu'>{menu}</ul><div id='files'>{files}</div>"
        f"<ol id='points'>{points}</ol><ul id='two'>{two}</ul>"
    )
    assert verdicts == {"stream": True, "menu": False, "files": False, "points": False, "two": False}


def test_a_stream_inside_the_cms_content_container_is_left_to_the_article() -> None:
    teasers = "".join(f"<li class='s'><a href='/n/{i}.html'>{t}</a></li>" for i, (t, _) in enumerate(TEASERS))
    assert _stream_verdicts(f"<div class='TRS_Editor'><ul id='list'>{teasers}</ul></div>") == {"list": False}


def test_short_link_lists_in_the_article_are_text() -> None:
    """Attachments with short names and lists of linked names are the article's, not navigation."""
    files = "".join(f"<li><a href='/f{i}.doc'>{i}.申报表</a></li>" for i in range(1, 4))
    towns = "、".join(f"<a href='/t{i}'>{name}</a>" for i, name in enumerate(("城关镇", "东关镇", "西关镇")))
    body = f"<h1>{COUNTY_TITLE}</h1><div id='zoom'>" + "".join(f"<div>{line}</div>" for line in SECTIONS)
    body += f"<div>获奖乡镇：</div><div>{towns}</div><div>附件：</div><ul>{files}</ul>"
    body += "<div>某某县人民政府办公室</div><div>2022年3月15日</div></div>"
    text = extract(legacy_page(body)).text
    assert all(name in text for name in ("城关镇", "东关镇", "西关镇", "1.申报表", "3.申报表"))
