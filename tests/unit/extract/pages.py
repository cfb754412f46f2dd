"""Small synthetic pages shared by the extraction rule tests: a report's paragraphs and a page around them.

Each test page reproduces one pattern seen on real portals and news sites, not any real page.
"""

from __future__ import annotations

REPORT = (
    "2021年，我局坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党中央、国务院关于法治政府建设的决策部署。",
    "一是健全依法决策机制，重大行政决策全部经过合法性审查，全年审查规范性文件十二件。",
    "二是深化行政执法改革，全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度。",
    "三是加强普法宣传教育，开展法治宣传活动三十余场次，发放宣传资料五千余份，群众法治意识明显增强。",
    "四是强化行政权力监督，自觉接受人大监督、政协民主监督和社会舆论监督，按时办结人大代表建议和政协提案。",
    "五是依法化解矛盾纠纷，全年办理行政复议案件十二件，行政诉讼案件五件，行政机关负责人出庭应诉率达到百分之百。",
    "2022年，我局将继续深入学习贯彻习近平法治思想，统筹推进法治政府建设各项工作，为全县经济社会发展提供有力法治保障。",
)


def paragraphs() -> str:
    """The report as <p> paragraphs."""
    return "\n".join(f"<p>{line}</p>" for line in REPORT)


def page(title: str, body: str) -> bytes:
    """A UTF-8 page with this <title> and body."""
    return f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>'.encode()
