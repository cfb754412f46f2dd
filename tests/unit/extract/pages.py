"""Pages shared by the extraction rule tests: a report's paragraphs, the replica's seed reports, pages around them.

Each test page reproduces one pattern seen on real portals and news sites, not any real page.
"""

from __future__ import annotations

import html
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[3] / "replica" / "seeds"

REPORT = (
    "2021年，我局坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党中央、国务院关于法治政府建设的决策部署。",
    "一是健全依法决策机制，重大行政决策全部经过合法性审查，全年审查规范性文件十二件。",
    "二是深化行政执法改革，全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度。",
    "三是加强普法宣传教育，开展法治宣传活动三十余场次，发放宣传资料五千余份，群众法治意识明显增强。",
    "四是强化行政权力监督，自觉接受人大监督、政协民主监督和社会舆论监督，按时办结人大代表建议和政协提案。",
    "五是依法化解矛盾纠纷，全年办理行政复议案件十二件，行政诉讼案件五件，行政机关负责人出庭应诉率达到百分之百。",
    "2022年，我局将继续深入学习贯彻习近平法治思想，统筹推进法治政府建设各项工作，为全县经济社会发展提供有力法治保障。",
)

# A report of four long sections (a paragraph of about 150 characters each) and its title, as the tests of old
# portals' layouts put them in a legacy page.
COUNTY_TITLE = "某某县2021年法治政府建设年度报告"
SECTIONS = (
    "2021年，我县坚持以习近平新时代中国特色社会主义思想为指导，深入推进依法行政，法治政府建设取得新成效。" * 3,
    "一、主要举措和成效。全面落实重大行政决策程序，严格规范公正文明执法，行政复议体制改革稳步推进。" * 3,
    "二、存在的不足。部分干部法治意识有待增强，基层执法队伍力量较为薄弱，执法规范化水平仍需提升。" * 3,
    "三、下一步工作打算。持续深化法治政府建设，加强行政执法监督，推动法治政府建设再上新台阶。" * 3,
)


def paragraphs() -> str:
    """The report as <p> paragraphs."""
    return "\n".join(f"<p>{line}</p>" for line in REPORT)


def page(title: str, body: str) -> bytes:
    """A UTF-8 page with this <title> and body."""
    return f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>'.encode()


def legacy_page(body: str, head: str = "<title>某某县人民政府</title>") -> bytes:
    """An old county portal's page: GB2312, titled with the site's name."""
    return f"<html><head><meta charset='gb2312'>{head}</head><body>{body}</body></html>".encode("gb18030")


def seed(prefix: str) -> str:
    """A seed report (replica/seeds) as it came off its portal, the portal's own lines around the body."""
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text("utf-8")


def body_of(text: str, start: str) -> str:
    """The report text from its first body sentence on (seed files begin with the portal's own lines)."""
    return text[text.index(start) :]


def portal_page(title: str, body: str, *, site: str = "常平镇人民政府", info: str = "", charset: str = "utf-8") -> str:
    """A page shaped like a county portal: header clock, nav, breadcrumbs, share bar, related links, footer."""
    paragraphs = "\n".join(f"<p>{html.escape(line.strip())}</p>" for line in body.splitlines() if line.strip())
    return f"""<!DOCTYPE html><html><head><meta charset="{charset}">
<title>{html.escape(title)}_{site}</title></head><body>
<div class="top">今天是2024年5月6日 星期一 <a href="/">首页</a> <a href="/wza">无障碍</a></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li>
<li><a href="/fzzf">法治政府</a></li><li><a href="/hdjl">互动交流</a></li></ul></div>
<div class="crumbs">您现在所在的位置：<a>首页</a> &gt; <a>专题</a> &gt; <a>法治政府</a></div>
<div class="main"><h1>{html.escape(title)}</h1>
<div class="info"><span>{info}</span> 【字体：<a>大</a> <a>中</a> <a>小</a>】 <a>打印</a></div>
<div class="TRS_Editor">{paragraphs}</div>
<div class="bdshare">分享到：<a>微信</a> <a>微博</a></div>
<div class="qr">扫一扫在手机打开当前页</div>
<div class="pn"><p>上一篇：<a>关于开展安全生产检查的通知</a></p><p>下一篇：<a>2021年第四季度工作动态</a></p></div>
<div class="xglj"><h3>相关链接</h3><ul><li><a>中国政府网</a></li><li><a>广东省人民政府</a></li></ul></div>
</div>
<div class="footer"><p>版权所有：东莞市人民政府办公室 网站标识码：4419000098</p>
<p>粤ICP备19114884号 粤公网安备 44190002000375号</p><p>技术支持：开普云 <a>网站地图</a> <a>联系我们</a></p></div>
</body></html>"""
