"""Texts of the replica: the real seed reports, reports written for other years, look-alikes and filler.

Everything here is plain data and pure functions; `build.py` turns it into pages. Generated numbers come
from `random.Random(key)`, so every run writes the same bytes.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

SEED_DIR = Path(__file__).parent / "seeds"

_BLANKS = " \t\u3000\xa0•"


@dataclass
class Doc:
    """One page of a site: a report, a look-alike or filler news; `build.py` gives it a path."""

    key: str
    title: str
    published: str  # YYYY-MM-DD, the date the portal shows
    time: str  # HH:MM or HH:MM:SS
    paragraphs: list[str]
    source: str
    kind: str | None = None  # "rule_of_law" | "info_disclosure" for reports in the ground truth
    year: int | None = None
    issuer: str = ""
    format: str = "html"  # html | pdf | docx (pdf/docx: the body lives in an attachment)
    list_title: str | None = None  # what the listing shows when it differs (a truncated title)
    text_contains: list[str] = field(default_factory=list)
    path: str = ""
    attachment: str = ""  # path of the attachment, set by build.py
    aliases: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)  # related-link titles shown beside the report
    body_html: str = ""  # the body as HTML when it holds tables (figures.py); else the paragraphs are printed
    figures: dict[str, int | float | None] | None = None  # an information-disclosure report's printed figures
    figures_format: str | None = None  # "2019" | "2021"
    figures_flags: list[str] = field(default_factory=list)  # the checks its figures fail, or why it has none


def seed_lines(prefix: str) -> list[str]:
    """The lines of seed `prefix` (000 … 004) as copied from the portal, navigation included."""
    (path,) = SEED_DIR.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8").splitlines()


def seed_span(prefix: str, first: int, last: int) -> list[str]:
    """Lines first..last (1-based, inclusive) without blank lines or leading spaces: the report body."""
    lines = seed_lines(prefix)[first - 1 : last]
    return [s.strip(_BLANKS) for s in lines if s.strip(_BLANKS)]


# Where each seed's body starts and ends (the rest is the portal's navigation and footer).
SEED_BODY = {"000": (12, 82), "001": (3, 21), "002": (10, 84), "003": (2, 30), "004": (2, 47)}


def seed_body(prefix: str) -> list[str]:
    return seed_span(prefix, *SEED_BODY[prefix])


_PINYIN = re.compile(r"\([a-zǜ-ͯāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+\)")


def pick_sentences(paragraphs: list[str], n: int = 4, *, min_len: int = 12, max_len: int = 40) -> list[str]:
    """Distinctive fragments of a body for `text_contains`: spread over the text, free of pinyin notes.

    Fragments stop at punctuation so an extractor that rewrites spaces or quotes still matches them.
    """
    pieces: list[str] = []
    for para in paragraphs:
        for chunk in re.split(r"[，。；：、“”《》（）(),;:!?\s]|\([a-z\u00e0-\u01dc\u0300-\u036f]+\)", para):
            if min_len <= len(chunk) and not _PINYIN.search(chunk):
                pieces.append(chunk[:max_len])
    if len(pieces) <= n:
        return pieces
    step = len(pieces) / n
    return [pieces[int(i * step)] for i in range(n)]


def truncate(title: str, length: int = 24) -> str:
    """A listing title cut the way CMS templates cut them."""
    return title if len(title) <= length else title[:length] + "…"


# --- reports written for the replica -------------------------------------------------------------

_FOCUS = [
    "紧扣全面依法治国新部署",
    "围绕优化法治化营商环境",
    "聚焦基层治理法治化",
    "以法治政府示范创建为抓手",
    "坚持依法行政与改革创新相结合",
    "立足服务保障高质量发展",
]


def rule_of_law_report(issuer: str, year: int, local: str, *, superior: str, seed: str) -> list[str]:
    """A short but complete 法治政府建设年度报告 body; `local` is a sentence only this report has."""
    r = random.Random(seed)
    a, b, c = r.randint(6, 18), r.randint(2, 9), r.randint(120, 980)
    d, e, f = r.randint(3, 40), r.randint(12, 160), r.randint(20, 300)
    g, h = r.randint(1, 30), r.randint(1, 25)
    m, n = r.randint(40, 900), r.randint(85, 99)
    focus = _FOCUS[r.randrange(len(_FOCUS))]
    return [
        f"{year}年，{issuer}在{superior}的坚强领导下，坚持以习近平法治思想为指导，{focus}，"
        f"扎实推进法治政府建设各项任务，取得了新的成效。现将有关情况报告如下：",
        f"一、{year}年推进法治政府建设的主要举措和成效",
        "（一）坚持学法用法，提升领导干部法治素养",
        f"全年共组织领导干部集体学法{a}次，举办依法行政专题培训{b}期，参训人员{c}人次，"
        f"将习近平法治思想列入理论学习中心组年度学习计划。",
        "（二）严格合法性审查，推进依法科学民主决策",
        f"全年审查行政规范性文件{d}件、各类合同协议{e}份，法律顾问提出法律意见{f}条，"
        f"重大行政决策事项合法性审查率达100%。",
        "（三）规范行政执法，强化行政权力监督",
        f"全年办理行政复议案件{g}件、行政应诉案件{h}件，行政机关负责人出庭应诉率达100%，"
        f"全面落实行政执法公示、执法全过程记录、重大执法决定法制审核三项制度。",
        "（四）创新普法形式，推进基层依法治理",
        local,
        f"全年开展各类普法宣传活动{m}场次，群众法治宣传满意度达{n}%。",
        "二、存在的不足和原因",
        "一是部分干部运用法治思维和法治方式解决问题的能力还有待提高；二是基层执法力量相对薄弱，"
        "执法人员专业化水平不高；三是普法宣传的针对性和实效性有待增强。",
        f"三、{year + 1}年推进法治政府建设的主要安排",
        f"{year + 1}年，{issuer}将继续深入学习贯彻习近平法治思想，压紧压实法治建设第一责任人职责，"
        "持续推进严格规范公正文明执法，加强行政规范性文件监督管理，不断提升法治政府建设水平。",
        issuer,
    ]


def info_disclosure_report(issuer: str, year: int, local: str, *, seed: str) -> list[str]:
    """A 政府信息公开工作年度报告 body with the six parts the national template asks for."""
    r = random.Random(seed)
    p, q, s = r.randint(300, 4800), r.randint(5, 60), r.randint(3, 40)
    t, u, v = r.randint(0, 5), r.randint(0, 4), r.randint(2, 30)
    return [
        f"本报告依据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息与政务公开办公室有关要求编制，"
        f"内容包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
        f"存在的主要问题及改进情况、其他需要报告的事项。本报告所列数据统计期限自{year}年1月1日起至{year}年12月31日止。",
        "一、总体情况",
        f"{year}年，{issuer}认真贯彻落实政府信息公开工作各项要求，全年通过门户网站主动公开政府信息{p}条，"
        f"更新政府信息公开指南和目录{v}次。{local}",
        "二、主动公开政府信息情况",
        f"全年制发规范性文件{s}件，均按规定在政府网站公开；行政许可、行政处罚等信息做到应公开尽公开。",
        "三、收到和处理政府信息公开申请情况",
        f"全年共收到政府信息公开申请{q}件，均在法定期限内答复，无逾期答复情况。",
        "四、政府信息公开行政复议、行政诉讼情况",
        f"全年因政府信息公开引起的行政复议{t}件、行政诉讼{u}件，均未被纠错。",
        "五、存在的主要问题及改进情况",
        "政策解读形式还不够丰富，信息公开平台栏目设置有待优化。下一步将加强政策解读，完善公开目录，提高公开质量。",
        "六、其他需要报告的事项",
        "本年度未收取信息处理费。",
    ]


# Sentences that only one written report carries (its text_contains anchor).
LOCAL = {
    "panyu-2020": "番禺区在全区16个镇街推行“法治副镇长”制度，组织律师团队为市桥街道等基层单位提供驻点法律服务。",
    "panyu-2022": "番禺区建成覆盖275个村居的公共法律服务工作室，并在长隆旅游度假区设立涉旅纠纷巡回调解点。",
    "panyu-info-2021": "区政府门户网站开设“番禺区政策文件库”专栏，集中发布现行有效规范性文件共计412件。",
    "xiangtan-2019": "湘潭县在河口镇试点“屋场恳谈会”议事机制，组织村民就土地流转等事项依法协商。",
    "xiangtan-2021": "湘潭县建成县级公共法律服务中心，在易俗河镇、中路铺镇等乡镇设立法律援助工作站17个。",
    "yisuhe-2022": "易俗河镇在天易示范区沿线开展“送法进企业”活动，为园区企业梳理用工法律风险点46个。",
    "huashi-2021": "花石镇依托湘莲产业协会组建“莲乡调解队”，就近调处莲田承包纠纷。",
    "huashi-2020": "花石镇为全镇各村配备村级法律顾问，编印《花石镇村规民约汇编》发放到户。",
    "changping-2020": "常平镇在东莞东站周边商圈设立“法治驿站”，为来莞务工人员提供劳动争议咨询。",
    "changping-2023": "常平镇建成木棉湖法治文化长廊，引入粤剧、木偶戏等形式开展以案释法。",
    "guixi-2022": "桂溪街道在牡丹大道社区建立“楼栋长+法律顾问”联动机制，全年化解邻里纠纷132起。",
    "jinghai-sfj-2021": "区司法局牵头组建静海区行政复议咨询委员会，全年召开案审会议9次。",
    "jinghai-sfj-2023": "区司法局在团泊新城设立涉外法律服务工作站，为健康产业园企业提供合规指引。",
    "jinghai-sfj-info-2022": "区司法局在门户网站开设“法律援助办事指南”专栏，公开办事流程图和承诺时限。",
}

# --- filler ---------------------------------------------------------------------------------------

FILLER_TITLES = [
    "{name}召开{year}年安全生产工作部署会",
    "{name}开展“世界读书日”主题阅读活动",
    "{name}举办民法典宣传进社区活动",
    "关于做好{year}年春节期间值班值守工作的通知",
    "{name}{year}年第一季度重点项目建设进展情况",
    "关于公布{year}年度行政执法人员名单的公告",
    "{name}开展汛前防汛应急演练",
    "{name}召开{year}年党风廉政建设工作会议",
    "关于{year}年度城乡居民医保集中缴费的通告",
    "{name}持续深化“放管服”改革优化营商环境",
    "{name}开展国家宪法日系列宣传活动",
    "关于征求《{name}村规民约修订指引》意见的公告",
    "{name}组织开展森林防火专项检查",
    "{name}举行{year}年征兵入伍欢送会",
    "{name}召开人大代表建议办理工作座谈会",
    "{name}开展燃气安全隐患排查整治行动",
    "{name}召开{year}年农村人居环境整治推进会",
    "关于调整{name}政务服务大厅工作时间的公告",
    "{name}组织开展普法志愿者培训",
    "{name}{year}年上半年财政预算执行情况",
]

_FILLER_SENTENCES = [
    "会议强调，要压紧压实各方责任，确保各项工作落到实处。",
    "活动现场，工作人员向群众发放宣传资料，并耐心解答群众咨询的问题。",
    "下一步，将持续跟踪问效，及时协调解决工作中遇到的困难和问题。",
    "参会人员结合各自分管领域，就做好下一阶段工作作了发言。",
    "此次活动进一步增强了辖区群众的参与感和获得感。",
    "请各单位高度重视，按照时间节点认真抓好落实。",
    "如有疑问，请在工作时间拨打咨询电话。",
]


def filler_doc(key: str, name: str, index: int, year: int, month: int, day: int) -> Doc:
    """A plausible news item or notice, different for every (site, index)."""
    r = random.Random(f"{key}-{index}")
    title = FILLER_TITLES[index % len(FILLER_TITLES)].format(name=name, year=year)
    body = [
        f"{year}年{month}月{day}日，{name}{r.choice(['组织', '召开', '开展'])}相关工作，"
        f"{r.randint(20, 300)}余名干部群众参加。",
        *r.sample(_FILLER_SENTENCES, 2),
    ]
    return Doc(
        key=f"{key}-filler-{index}",
        title=title,
        published=f"{year}-{month:02d}-{day:02d}",
        time=f"{r.randint(8, 17):02d}:{r.randint(0, 59):02d}",
        paragraphs=body,
        source=name,
    )


def lookalike_docs(key: str, name: str, town_template: bool = False) -> list[Doc]:
    """Non-reports whose titles look like reports; a crawler or classifier must not keep them."""
    items = [
        ("2022年法治政府建设工作要点", "2022-03-15", ["为深入推进法治政府建设，现将2022年工作要点印发如下。"]),
        (f"{name}法治政府建设工作指引", "2021-06-08", ["本指引适用于本级各部门法治政府建设工作。"]),
        (
            "《2021年法治政府建设年度报告》政策解读",
            "2022-02-10",
            ["一、起草背景。二、主要内容。三、解读机关及联系方式。"],
        ),
        (
            "关于报送2021年法治政府建设年度报告的通知",
            "2021-12-01",
            ["请各单位于2022年1月15日前将本单位法治政府建设年度报告报送至办公室。"],
        ),
    ]
    if town_template:
        items.append(
            (
                "XX镇20XX年法治政府建设年度报告（模板）",
                "2023-01-05",
                ["一、主要举措和成效（请各镇结合实际填写）。二、存在的不足和原因。三、下一年度工作安排。"],
            )
        )
    return [
        Doc(key=f"{key}-like-{i}", title=t, published=d, time="09:30", paragraphs=p, source=name)
        for i, (t, d, p) in enumerate(items)
    ]
