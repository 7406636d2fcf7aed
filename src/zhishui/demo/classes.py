"""Component (部件) class catalogue, GB/T 30428.2-2013 style (major 2 + minor 2 digits)."""

from __future__ import annotations

# Modelled on the management-component classes of GB/T 30428.2-2013 and CJ/T 214-2007 as well
# as they are publicly known; the list is plausible, not a verbatim copy of the standard.
# Codes listed in MINOR_NOTES as "local" are local extensions.

ClassRow = tuple[str, str, str, str, str]  # code4, major code, major name, minor zh, minor en

MAJORS: dict[str, str] = {
    "01": "公用设施",
    "02": "道路交通",
    "03": "市容环境",
    "04": "园林绿化",
    "05": "房屋土地",
    "06": "其他设施",
}

_MINORS: dict[str, tuple[tuple[str, str], ...]] = {
    "01": (
        ("上水井盖", "water supply manhole cover"),
        ("污水井盖", "sewer manhole cover"),
        ("雨水井盖", "storm water manhole cover"),
        ("雨水箅子", "storm drain grate"),
        ("电力井盖", "power manhole cover"),
        ("路灯井盖", "street-light manhole cover"),
        ("通讯井盖", "telecom manhole cover"),
        ("电视井盖", "cable TV manhole cover"),
        ("网络井盖", "data network manhole cover"),
        ("热力井盖", "district heating manhole cover"),
        ("燃气井盖", "gas manhole cover"),
        ("公安井盖", "public security manhole cover"),
        ("无主井盖", "ownerless manhole cover"),
        ("综合井盖", "shared utility manhole cover"),
        ("消防栓", "fire hydrant"),
        ("路灯", "street lamp"),
        ("地灯", "ground light"),
        ("景观灯", "landscape light"),
        ("电力设施", "power facility"),
        ("通讯交接箱", "telecom cabinet"),
        ("邮筒", "post box"),
        ("报刊亭", "newsstand"),
        ("信息亭", "information kiosk"),
        ("变压器(箱)", "transformer"),
        ("监控电子眼", "surveillance camera"),
        ("燃气调压设施", "gas pressure regulator"),
        ("民用水井", "civil water well"),
    ),
    "02": (
        ("停车场", "car park"),
        ("停车咪表", "parking meter"),
        ("公交站亭", "bus shelter"),
        ("出租车站牌", "taxi stand sign"),
        ("加油站", "filling station"),
        ("交通标志牌", "traffic sign"),
        ("交通信号灯", "traffic light"),
        ("交通护栏", "traffic barrier"),
        ("交通岗亭", "traffic police box"),
        ("过街天桥", "pedestrian overpass"),
        ("地下通道", "pedestrian underpass"),
        ("高架立交桥", "interchange"),
        ("跨河桥", "river bridge"),
        ("隔音屏", "noise barrier"),
        ("路名牌", "street name sign"),
        ("存车支架", "bicycle rack"),
        ("道路信息显示屏", "road information display"),
        ("公共自行车站点", "public bicycle station"),
    ),
    "03": (
        ("公共厕所", "public toilet"),
        ("公厕指示牌", "public toilet sign"),
        ("垃圾间(楼)", "refuse room"),
        ("垃圾箱", "litter bin"),
        ("灯箱霓虹灯", "light box and neon sign"),
        ("广告牌匾", "billboard and shop sign"),
        ("环保监测站", "environmental monitoring station"),
        ("气象监测站", "weather station"),
        ("垃圾中转站", "refuse transfer station"),
        ("户外电子屏", "outdoor video screen"),
    ),
    "04": (
        ("古树名木", "heritage tree"),
        ("行道树", "street tree"),
        ("护树设施", "tree guard"),
        ("花架花钵", "planter"),
        ("绿地", "green space"),
        ("城市雕塑", "sculpture"),
        ("街头座椅", "street bench"),
        ("绿地护栏", "green space fence"),
        ("绿地维护设施", "green space maintenance facility"),
        ("喷泉", "fountain"),
    ),
    "05": (
        ("宣传栏", "notice board"),
        ("人防工事", "civil air defence works"),
        ("地下室", "basement"),
        ("公房", "public housing"),
    ),
    "06": (
        ("重大危险源", "major hazard installation"),
        ("工地", "construction site"),
        ("水域附属设施", "waterside facility"),
        ("水域护栏", "waterside railing"),
        ("化粪池", "septic tank"),
        ("防汛设施", "flood control facility"),
        ("排水泵站", "drainage pump station"),
    ),
}

MINOR_NOTES = {"0118": "local", "0218": "local", "0310": "local", "0605": "local",
               "0606": "local", "0607": "local"}


def component_classes() -> list[ClassRow]:
    """All classes as (code4, major_code, major_name, minor_name_zh, minor_name_en)."""
    rows: list[ClassRow] = []
    for major, minors in _MINORS.items():
        for k, (zh, en) in enumerate(minors, start=1):
            rows.append((f"{major}{k:02d}", major, MAJORS[major], zh, en))
    return rows


def class_code(minor_name_zh: str) -> str:
    """The 4-digit code of a minor class by its Chinese name."""
    for code, _, _, zh, _ in component_classes():
        if zh == minor_name_zh:
            return code
    raise KeyError(minor_name_zh)
