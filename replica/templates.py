"""HTML templates of the replica portals: the chrome real CMSs wrap around a report.

Each function takes plain data (a site dict, a Doc) and returns text; encoding happens in `build.py`.
The chrome carries the traps an extractor must survive: a stale header clock, breadcrumbs, font-size and
share bars, "扫一扫在手机打开当前页", a related-links block listing other reports, and a footer.
"""

from __future__ import annotations

from html import escape
from typing import Any

from replica.content import Doc

Site = dict[str, Any]

CLOCK = "今天是2024年5月6日 星期一"  # a header clock: never a publication date

FOOTER_STRINGS = ["扫一扫在手机打开当前页", "版权所有", "网站标识码", "技术支持", "公网安备", "相关链接"]


def _charset_meta(site: Site) -> str:
    declared = site["declared"]
    if declared is None:
        return ""
    if declared == "gb2312":
        return "<meta charset=gb2312>"
    return f'<meta http-equiv="Content-Type" content="text/html; charset={declared}">'


def _head(site: Site, title: str, extra: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
{_charset_meta(site)}
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{escape(title)}</title>
<meta name="SiteName" content="{escape(site["name"])}">
{f'<meta name="SiteIDCode" content="{site["site_id"]}">' if site["site_id"] else ""}
{extra}<link rel="stylesheet" type="text/css" href="/images/style.css">
<script type="text/javascript" src="/images/jquery.min.js"></script>
</head>
"""


def _top(site: Site, *, gate_link: str = "") -> str:
    lang = f'<a href="{gate_link}">繁體</a>' if gate_link else '<a href="javascript:void(0)">繁體</a>'
    cols = "".join(f'<li><a href="{href}">{escape(name)}</a></li>' for name, href in site["nav"])
    return f"""<body>
<div class="topbar"><div class="w1200"><span class="clock" id="clock">{CLOCK}</span>
<span class="tools">{lang} | <a href="javascript:void(0)">无障碍浏览</a> | <a href="javascript:void(0)">长者模式</a>
| <a href="/">设为首页</a></span></div></div>
<div class="header"><div class="w1200"><a href="/" class="logo">
<img src="/images/logo.png" alt="{escape(site["name"])}"></a>
<form class="search" action="/search/" method="get"><input type="text" name="q" placeholder="请输入关键字">
<button type="submit">搜索</button></form></div></div>
<div class="nav"><ul class="w1200"><li><a href="/">首页</a></li>{cols}</ul></div>
"""


def _footer(site: Site) -> str:
    site_id = f"网站标识码：{site['site_id']}　　" if site["site_id"] else ""
    return f"""{site.get("link_blocks", "")}<div class="footer"><div class="w1200">
<p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a> | <a href="/sysm/">使用帮助</a></p>
<p>版权所有：{escape(site["owner"])}　　主办：{escape(site["name"])}　　承办：{escape(site["host_unit"])}</p>
<p>{site_id}<a href="https://beian.miit.gov.cn/">{site["icp"]}</a>
<img src="/images/ga.png" alt="">{site["gongan"]}</p>
<p>技术支持：{site["vendor"]}　　建议使用1920×1080分辨率浏览</p>
</div></div>
</body>
</html>
"""


def crumbs(items: list[tuple[str, str]]) -> str:
    links = " &gt; ".join(f'<a href="{href}">{escape(name)}</a>' for name, href in items)
    return f'<div class="position">您现在所在的位置：<a href="/">首页</a> &gt; {links}</div>\n'


def _meta_tags(site: Site, doc: Doc, column_name: str) -> str:
    if not site["meta_tags"]:
        return ""
    return (
        f'<meta name="ColumnName" content="{escape(column_name)}">\n'
        f'<meta name="ArticleTitle" content="{escape(doc.title)}">\n'
        f'<meta name="PubDate" content="{doc.published} {doc.time}">\n'
        f'<meta name="ContentSource" content="{escape(doc.source)}">\n'
    )


def _info_line(site: Site, doc: Doc) -> str:
    if site["info_style"] == "bullets":  # as 常平镇's portal shows it
        return (
            f'<ul class="info"><li>{doc.published} {doc.time}</li><li>来源: {escape(doc.source)}</li>'
            '<li>【字体：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> '
            '<a href="javascript:doZoom(14)">小</a>】 <a href="javascript:window.print()">打印</a></li>'
            "<li>分享到：</li></ul>\n"
        )
    return (
        f'<div class="info"><span>发布时间：{doc.published} {doc.time}</span>'
        f'<span>来源：{escape(doc.source)}</span><span>浏览次数：<em id="hits">-</em></span>'
        '<span>【字体：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> '
        '<a href="javascript:doZoom(14)">小</a>】</span></div>\n'
    )


def _body(doc: Doc) -> str:
    paras = doc.body_html or "\n".join(f'<p style="text-indent:2em;">{escape(p)}</p>' for p in doc.paragraphs)
    if doc.attachment:
        name = doc.attachment.rsplit("/", 1)[-1]
        paras += (
            f'\n<p>附件：<a href="{doc.attachment}" title="{escape(doc.title)}">{escape(doc.title)}'
            f".{name.rsplit('.', 1)[-1]}</a></p>"
        )
    return paras


def detail(
    site: Site,
    doc: Doc,
    column: tuple[str, str],
    related: list[Doc],
    *,
    gate_link: str = "",
    extra_links: str = "",
) -> str:
    """A detail page: the report (or news item) inside the site's chrome."""
    column_name, column_href = column
    rel = "".join(f'<li><a href="{r.path}">{escape(r.title)}</a><span>{r.published}</span></li>' for r in related)
    container = site["container"]
    return (
        _head(site, f"{doc.title}_{site['name']}", _meta_tags(site, doc, column_name))
        + _top(site, gate_link=gate_link)
        + '<div class="main w1200">\n'
        + crumbs([(column_name, column_href), ("正文", "javascript:void(0)")])
        + '<div class="article">\n'
        + f'<h1 class="article-title">{escape(doc.title)}</h1>\n'
        + _info_line(site, doc)
        + f"<div {container}>\n{_body(doc)}\n</div>\n"
        + '<div class="share">分享到：<a href="javascript:void(0)" class="wx">微信</a>'
        '<a href="javascript:void(0)" class="wb">微博</a>　'
        '<a href="javascript:window.print()">【打印本页】</a> '
        '<a href="javascript:window.close()">【关闭窗口】</a></div>\n'
        + '<div class="qrcode"><img src="/images/qrcode.png" alt=""><p>扫一扫在手机打开当前页</p></div>\n'
        + extra_links
        + f'<div class="related"><h3>相关链接</h3><ul>{rel}</ul></div>\n'
        + "</div>\n</div>\n"
        + _footer(site)
    )


def _items(docs: list[Doc]) -> str:
    rows = []
    for d in docs:
        shown = d.list_title or d.title
        title_attr = "" if d.list_title else f' title="{escape(d.title)}"'  # truncated: full title hidden
        rows.append(
            f'<li><a href="{d.path}"{title_attr} target="_blank">{escape(shown)}</a><span>{d.published}</span></li>'
        )
    return '<ul class="list">\n' + "\n".join(rows) + "\n</ul>\n"


_CREATE_PAGE_JS = """<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount<=1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0) document.write("<span>首页</span> ");
  else document.write("<a href=\\""+_sPageName+"."+_sPageExt+"\\">首页</a> ");
  if(nCurrIndex > 0){
    var prev = nCurrIndex-1 == 0 ? _sPageName+"."+_sPageExt : _sPageName+"_"+(nCurrIndex-1)+"."+_sPageExt;
    document.write("<a href=\\""+prev+"\\">上一页</a> ");
  }
  if(nCurrIndex+1 < _nPageCount){
    document.write("<a href=\\""+_sPageName+"_"+(nCurrIndex+1)+"."+_sPageExt+"\\">下一页</a> ");
    document.write("<a href=\\""+_sPageName+"_"+(_nPageCount-1)+"."+_sPageExt+"\\">尾页</a>");
  }
  document.write(" 共"+_nPageCount+"页");
}
</script>
"""


def listing_trs(site: Site, column: tuple[str, str], docs: list[Doc], page: int, pages: int) -> str:
    """A TRS WCM column page; the pager exists only as a createPageHTML call (no plain links)."""
    name, href = column
    return (
        _head(site, f"{name}_{site['name']}")
        + _top(site)
        + '<div class="main w1200">\n'
        + crumbs([(name, href)])
        + f'<div class="column"><h2>{escape(name)}</h2>\n'
        + _items(docs)
        + _CREATE_PAGE_JS
        + f'<div class="page"><script type="text/javascript">createPageHTML({pages}, {page}, "index", "html");'
        "</script></div>\n" + "</div>\n</div>\n" + _footer(site)
    )


def listing_next(
    site: Site,
    column: tuple[str, str],
    docs: list[Doc],
    page: int,
    pages: int,
    page_url: Any,
) -> str:
    """A column page with plain 上一页/下一页 links; `page_url(n)` gives page n's URL (1-based)."""
    name, href = column
    links = [f"<span>共{pages}页 当前第{page}页</span>", f'<a href="{page_url(1)}">首页</a>']
    if page > 1:
        links.append(f'<a href="{page_url(page - 1)}">上一页</a>')
    if page < pages:
        links.append(f'<a href="{page_url(page + 1)}" class="next">下一页</a>')
        links.append(f'<a href="{page_url(pages)}">尾页</a>')
    return (
        _head(site, f"{name}_{site['name']}")
        + _top(site)
        + '<div class="main w1200">\n'
        + crumbs([(name, href)])
        + f'<div class="column"><h2>{escape(name)}</h2>\n'
        + _items(docs)
        + '<div class="pagination">'
        + " ".join(links)
        + "</div>\n</div>\n</div>\n"
        + _footer(site)
    )


def jcms_record(doc: Doc) -> str:
    """One record as 大汉 JCMS's dataproxy.jsp returns it inside CDATA."""
    shown = doc.list_title or doc.title
    return (
        f'<li><a href="{doc.path}" title="{escape(doc.title)}" target="_blank">{escape(shown)}</a>'
        f"<span>{doc.published}</span></li>"
    )


def column_jcms(site: Site, column: tuple[str, str], columnid: int, unitid: int, total: int) -> str:
    """A JCMS /col/colN/index.html page: the items arrive from dataproxy.jsp by script, none inline."""
    name, href = column
    script = f"""<div id="{unitid}"></div>
<script type="text/javascript" src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>
<script type="text/javascript">
$(document).ready(function(){{
  $('#{unitid}').jpage({{
    dataStore: null,
    proxyUrl: '/module/web/jpage/dataproxy.jsp',
    perPage: 15, groupSize: 3, totalRecord: {total},
    ajaxParam: {{col:1, appid:1, webid:1, path:'/', columnid:{columnid}, sourceContentType:1,
                unitid:'{unitid}', webname:'{site["name"]}', permissiontype:0}},
    barPosition: 'bottom', dataBefore: '<ul class="list">', dataAfter: '</ul>'
  }});
}});
</script>
"""
    return (
        _head(site, f"{name}_{site['name']}")
        + _top(site)
        + '<div class="main w1200">\n'
        + crumbs([(name, href)])
        + f'<div class="column"><h2>{escape(name)}</h2>\n'
        + script
        + "</div>\n</div>\n"
        + _footer(site)
    )


def home(site: Site, blocks: list[tuple[str, str, list[Doc]]], extra_links: list[tuple[str, str]]) -> str:
    """The home page: a few column blocks with their newest items, and service links."""
    html_blocks = "".join(
        f'<div class="block"><h3><a href="{href}">{escape(name)}</a><a class="more" href="{href}">更多&gt;&gt;</a></h3>'
        + _items(docs)
        + "</div>\n"
        for name, href, docs in blocks
    )
    extra = "".join(f'<li><a href="{href}">{escape(text)}</a></li>' for text, href in extra_links)
    gate = site.get("home_gate", "")
    return (
        _head(site, site["name"])
        + _top(site, gate_link=gate)
        + '<div class="main w1200">\n'
        + html_blocks
        + f'<div class="block links"><h3>便民服务</h3><ul>{extra}</ul></div>\n'
        + "</div>\n"
        + _footer(site)
    )


def simple_page(site: Site, title: str, inner: str) -> str:
    """A page with the site chrome and free content (the calendar, a robots-disallowed preview)."""
    return (
        _head(site, f"{title}_{site['name']}")
        + _top(site)
        + f'<div class="main w1200">\n{inner}\n</div>\n'
        + _footer(site)
    )
