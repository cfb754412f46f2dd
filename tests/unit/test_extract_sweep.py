"""Page patterns found by sweeping real Chinese pages that nobody tuned for (synthetic pages of the same shape)."""

from __future__ import annotations

from workers.extract import extract

REPORT = (
    "2021年，我局坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党中央、国务院关于法治政府建设的决策部署。",
    "一是健全依法决策机制，重大行政决策全部经过合法性审查，全年审查规范性文件十二件。",
    "二是深化行政执法改革，全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度。",
    "三是加强普法宣传教育，开展法治宣传活动三十余场次，发放宣传资料五千余份，群众法治意识明显增强。",
)


def paragraphs() -> str:
    return "\n".join(f"<p>{line}</p>" for line in REPORT)


def test_a_page_wrapped_in_a_form_keeps_its_body() -> None:
    """ASP.NET portals wrap the whole page in <form id="form1">, VSB (博达) sites the article in a named form."""
    page = f"""<html><head><meta charset="utf-8"><title>2021年法治政府建设工作报告-某某局</title></head><body>
<form name="form1" method="post" action="./show.aspx" id="form1"><input type="hidden" name="__VIEWSTATE" value="x">
<div class="nav"><a href="/">首页</a> <a href="/a">机构概况</a></div>
<h1>2021年法治政府建设工作报告</h1><div>发布时间：2022-01-20</div>
<form name="_newscontent_fromname"><div id="vsb_content">{paragraphs()}</div></form>
<div class="footer">版权所有：某某局</div></form></body></html>"""
    record = extract(page.encode("utf-8"))
    for line in REPORT:
        assert line in record["text"]
    assert record["published"] == "2022-01-20"
