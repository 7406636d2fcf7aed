"""Made-up but plausible Chinese names, addresses and permit numbers for the demo county."""

from __future__ import annotations

import numpy as np

ROADS = ("天目路", "昌硕路", "浦源大道", "胜利路", "灵芝路", "凤凰路", "鹤鹿溪路", "迎宾大道",
         "玉磬路", "云鸿路", "阳光大道", "递铺路", "孝丰路", "溪龙路", "横山路", "塘浦路",
         "竹乡路", "白茶路", "灵峰大道", "良朋路")
_FIRMS = ("恒林", "永艺", "竹海", "万竹", "溪龙", "鸿泰", "荣华", "绿源", "中南", "昌盛", "梅溪",
          "天荒", "天子岭", "大竹园", "龙山", "凤凰", "天润", "博远", "森禾", "嘉泰")
INDUSTRIES = (("椅业", "椅业家具制造"), ("竹木制品", "竹制品加工"), ("白茶", "茶叶加工"),
              ("纺织", "纺织"), ("食品", "食品加工"), ("印刷包装", "印刷"),
              ("机械", "机械加工"), ("表面处理", "电镀"), ("生物医药", "医药制造"))
_PROJECTS = ("雨污分流改造工程", "道路提升改造工程", "安置小区建设工程", "综合管廊工程",
             "商业综合体项目", "学校扩建工程", "污水管网提标改造工程")
_FOOD = ("土菜馆", "面馆", "农家乐", "小吃店", "火锅店", "大酒店", "快餐店", "烧烤店")
_ADJ = ("竹乡", "老街", "溪畔", "灵峰", "阿婆", "好味道", "聚福", "天目", "余村", "山水")
_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def enterprise_name(rng: np.random.Generator) -> tuple[str, str]:
    """A company name and its industry."""
    short, industry = INDUSTRIES[int(rng.integers(len(INDUSTRIES)))]
    return f"安吉{_FIRMS[int(rng.integers(len(_FIRMS)))]}{short}有限公司", industry


def construction_name(rng: np.random.Generator) -> str:
    """A construction project."""
    return f"{ROADS[int(rng.integers(len(ROADS)))]}{_PROJECTS[int(rng.integers(len(_PROJECTS)))]}"


def restaurant_name(rng: np.random.Generator, kind: str) -> str:
    """A restaurant, car wash, hospital, hotel or farm name."""
    adj = _ADJ[int(rng.integers(len(_ADJ)))]
    if kind == "car_wash":
        return f"{adj}汽车美容洗车店"
    if kind == "hospital":
        return f"安吉{adj}医院"
    if kind == "hotel":
        return f"灵峰{adj}度假酒店"
    if kind == "livestock_farm":
        return f"孝丰{adj}生态养殖场"
    return f"{adj}{_FOOD[int(rng.integers(len(_FOOD)))]}"


def street_address(rng: np.random.Generator, town: str) -> str:
    """A street address in a town."""
    return f"安吉县{town}{ROADS[int(rng.integers(len(ROADS)))]}{int(rng.integers(1, 999))}号"


def permit_no(rng: np.random.Generator) -> str:
    """A discharge-permit number: credit code (18) + serial (3) + category letter."""
    body = "".join(_USCC[int(i)] for i in rng.integers(len(_USCC), size=10))
    return f"91330523{body}001{'UVW'[int(rng.integers(3))]}"
