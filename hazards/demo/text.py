"""Chinese wording of the demo ledger: kinds of hazard with their title phrase, categories and measures,
and the notes people write along the way. Phrasing follows the year-end reports in the project's seeds
(五小工程, 一点一策, 临水临崖, 穿村过镇, 提前完成 ...).

A kind ties a title phrase to its categories and measures, so that a title saying 急弯 always carries
the sharp-curve category and a plan for it always lists signs and guidance devices, never lighting.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class HazardKind:
    key: str
    phrase: str  # the title after the location: 'G208线K1052+300处' + '急弯视距不良'
    categories: tuple[str, ...]  # at most two, leaving room for crash_prone
    shape: str  # 'point' or 'section'
    roads: str  # where it occurs: G S X Y C, and E for an expressway
    measures: tuple[str, ...]
    measure_lines: tuple[str, ...]  # one per measure; placeholders filled by `render_measures`
    situation: str
    weight: int
    school: bool = False


KINDS: tuple[HazardKind, ...] = (
    HazardKind("sharp_sight", "急弯视距不良", ("sharp_curve", "poor_sight"), "point", "GSXYC",
               ("signs_markings", "warning_devices", "five_small"),
               ("增设急弯警告标志{n}块，施划减速标线{short}米", "设置线形诱导标{m}块", "弯道内侧设置凸面镜{n}面，清除遮挡视线的树木"),
               "弯道半径小，内侧山体和树木遮挡视线，对向来车难以提前发现", 10),
    HazardKind("curves", "连续急弯", ("continuous_curves", "sharp_curve"), "section", "GSXYC",
               ("signs_markings", "warning_devices", "guardrail"),
               ("设置连续弯路警告标志和限速40公里/小时标志", "增设线形诱导标{m}块、轮廓标{many}个", "弯道外侧增设波形梁护栏{guard}米"),
               "连续急弯，路面较窄，弯道外侧无防护，夜间线形不清", 8),
    HazardKind("curves_grade", "连续急弯陡坡", ("continuous_curves", "steep_grade"), "section", "SXYC",
               ("signs_markings", "warning_devices", "guardrail"),
               ("设置急弯、陡坡警告标志，施划纵向减速标线{short}米", "增设线形诱导标{m}块", "外侧增设波形梁护栏{guard}米"),
               "急弯与陡坡相连，下坡车辆入弯速度过快，路侧防护不足", 4),
    HazardKind("downgrade", "长下坡路段缺少避险设施", ("long_downgrade", "steep_grade"), "section", "GSE",
               ("signs_markings", "speed_camera", "warning_devices", "other"),
               ("设置长下坡提示标志和货车限速标志，施划减速振动标线{short}米", "增设区间测速设备1套",
                "设置“检查制动”提示标志{n}块", "完善避险车道{n}处"),
               "连续下坡约{km}公里，纵坡较大，重载货车制动失效风险高", 5),
    HazardKind("roadside", "临水临崖缺护栏", ("roadside_danger", "missing_guardrail"), "section", "GSXYC",
               ("guardrail", "warning_devices"),
               ("临崖一侧增设波形梁护栏{guard}米", "设置临水临崖警告标志和轮廓标{many}个"),
               "路侧为深沟和河道，落差约{drop}米，现有防护缺失", 10),
    HazardKind("bridge_edge", "桥头路侧险要无防护", ("roadside_danger", "bridge_tunnel"), "point", "GSXY",
               ("guardrail", "warning_devices"),
               ("桥头增设护栏过渡段{n}处、波形梁护栏{small_guard}米", "设置窄桥警告标志和立面标记"),
               "桥头与路基衔接处无护栏过渡，桥面窄于路面", 3),
    HazardKind("junction", "平交路口安全设施缺失", ("junction", "missing_signs"), "point", "GSXYC",
               ("five_small", "junction_works", "signs_markings"),
               ("设置减速带、停车让行标志、凸面镜、道口桩、爆闪灯等“五小”设施", "对路口进行渠化，设置导流岛",
                "施划停止线、导向箭头和减速标线"),
               "支路与主路平面交叉，支路车辆直接驶入主路，缺少让行和警示设施", 10),
    HazardKind("junction_sight", "路口视距不良", ("junction", "poor_sight"), "point", "GSXYC",
               ("five_small", "slope_roadside", "signs_markings"),
               ("设置凸面镜{n}面和减速让行标志", "削坡清障，拓宽路口视野", "施划减速标线{short}米"),
               "路口一侧为土坡和建筑，视距三角区内有遮挡", 5),
    HazardKind("median", "中央分隔带开口车辆违法掉头", ("median_opening",), "point", "GS",
               ("junction_works", "signs_markings"),
               ("封闭中央分隔带开口，增设隔离护栏{short}米", "就近设置掉头车道并完善指路标志"),
               "中央分隔带开口未设信号控制，车辆随意掉头、横穿", 4),
    HazardKind("village", "穿村过镇人车混行", ("through_village", "missing_signs"), "section", "GSXY",
               ("signs_markings", "five_small", "speed_camera", "lighting"),
               ("设置村庄路段提示和限速标志，施划人行横道{n}处", "增设减速带和爆闪灯", "安装测速抓拍设备1套", "增设路灯{m}盏"),
               "道路穿村而过，两侧住户和商铺密集，行人、电动车与过境车辆混行", 8),
    HazardKind("school", "{school}门前缺少减速让行设施", ("school_area", "missing_signs"), "point", "GSXYC",
               ("five_small", "signs_markings"),
               ("增设减速带{n}道、爆闪灯和道口桩，上下学时段设置护学岗", "设置注意儿童警告标志，施划人行横道和预告标识"),
               "{school}校门直接面向道路，上下学时段学生横穿，过往车辆车速较快", 5, school=True),
    HazardKind("tunnel", "隧道照明不良", ("bridge_tunnel", "poor_lighting"), "point", "GSE",
               ("lighting", "warning_devices"),
               ("更换隧道照明灯具{many}盏，增设洞口减光设施", "设置隧道提示标志和轮廓标"),
               "隧道内照明亮度不足，洞口明暗过渡段驾驶人视觉适应困难", 3),
    HazardKind("bridge", "桥梁护栏防护等级不足", ("bridge_tunnel", "missing_guardrail"), "point", "GSXE",
               ("guardrail", "warning_devices"),
               ("更换桥梁护栏{small_guard}米，增设桥头护栏过渡段", "设置桥梁警示标志和防撞桶"),
               "桥梁护栏高度和强度不足，桥头无过渡段", 4),
    HazardKind("fog", "团雾多发路段", ("weather",), "section", "GSE",
               ("warning_devices", "lighting", "other"),
               ("设置雾区诱导灯{many}套", "增设团雾路段照明", "建设团雾监测预警系统1套并接入可变情报板"),
               "临近河谷，秋冬季早晚团雾多发，能见度骤降", 4),
    HazardKind("ice", "冬季积雪结冰路段", ("weather", "steep_grade"), "section", "GSXY",
               ("warning_devices", "signs_markings", "other"),
               ("设置路面结冰警告标志{n}块", "施划防滑标线{short}米", "设置融雪剂储料点{n}处"),
               "阴坡路段冬季积雪结冰时间长，坡度较大，车辆易侧滑", 4),
    HazardKind("signs", "标志标线缺失", ("missing_signs",), "section", "GSXYC",
               ("signs_markings",), ("重新施划中心线和边缘线{km}公里，补设限速、警告标志{m}块",),
               "标线磨损严重、标志缺失，夜间行车线形不清", 7),
    HazardKind("work_zone", "施工路段安全设施不规范", ("work_zone", "missing_signs"), "section", "GSE",
               ("warning_devices", "signs_markings"),
               ("按规范设置警告区、上游过渡区标志和锥桶，增设夜间警示灯", "设置施工绕行指示标志{n}块"),
               "道路改扩建施工，作业区布设不规范，夜间警示不足", 3),
    HazardKind("steep_curve", "陡坡急弯线形指标低", ("steep_grade", "sharp_curve"), "point", "SXYC",
               ("alignment", "signs_markings", "guardrail"),
               ("对弯道进行线形改造，加宽弯道内侧路面", "设置陡坡、急弯警告标志", "外侧增设护栏{small_guard}米"),
               "坡底接急弯，下坡车辆入弯速度过快，线形指标不满足规范", 5),
    HazardKind("dark_junction", "路口照明不良", ("poor_lighting", "junction"), "point", "GSX",
               ("lighting", "five_small"), ("增设路灯{m}盏", "设置爆闪灯和道口桩"),
               "路口无照明，夜间行人和非机动车难以发现", 3),
    HazardKind("clutter", "路侧违规堆放物料占道", ("other",), "point", "XYC",
               ("slope_roadside", "other"), ("清理路侧堆放物料，恢复路肩", "设置禁止占道堆放提示牌"),
               "路侧长期堆放砂石料和秸秆，挤占行车道", 2),
)

# Title words and the categories a title containing them must carry (checked by the tests).
TITLE_KEYWORDS: dict[str, set[str]] = {
    "急弯": {"sharp_curve", "continuous_curves"}, "临水临崖": {"roadside_danger"}, "缺护栏": {"missing_guardrail"},
    "平交路口": {"junction"}, "视距不良": {"poor_sight"}, "长下坡": {"long_downgrade"}, "穿村过镇": {"through_village"},
    "隧道": {"bridge_tunnel"}, "桥梁": {"bridge_tunnel"}, "桥头路侧": {"bridge_tunnel"}, "团雾": {"weather"}, "结冰": {"weather"},
    "学校": {"school_area"}, "中学": {"school_area"}, "小学": {"school_area"}, "事故多发": {"crash_prone"},
    "施工": {"work_zone"}, "中央分隔带": {"median_opening"}, "陡坡": {"steep_grade"},
}

TEMPORARY_CONTROLS = (
    "设置临时警告标志和限速{speed}公里/小时标志", "摆放锥桶和水马，夜间开启爆闪灯",
    "安排民辅警在早晚高峰定点值守", "两端设置“前方危险路段 减速慢行”提示牌",
    "冬季结冰期安排养护人员撒布融雪剂", "设置临时减速带和警示桩",
)
REJECT_REASONS = (
    "经现场核查，该处已设置警告标志和减速设施，不构成隐患", "属城市道路，已移交住建部门处理",
    "经核查系养护作业临时占道，作业已结束", "位置描述有误，经复核现场无此隐患",
)
REFUSE_REASONS = (
    "护栏端头未做处理，部分立柱埋深不足，不予验收", "标线反光性能不达标，需重新施划",
    "凸面镜安装角度不当，未能覆盖支路来车方向", "警告标志版面尺寸不符合规范",
)
PROGRESS_NOTES = (
    "施工单位已进场，完成材料备料和现场放线", "护栏立柱已完成打设，正在安装板件", "标志基础已浇筑，等待养生",
    "已完成工程量约{pct}%", "受降雨影响暂停施工，天晴后复工",
)
EXTENSION_REASONS = (
    "涉及线形改造，需办理用地手续，工期无法按期完成", "冬季低温无法施划标线，申请顺延至春季施工",
    "资金尚未全部到位，申请延期", "需与铁路部门协调施工，申请延期",
)
ESCALATION_NOTES = (
    "该隐患涉及线形改造，整改难度大、投资高，县级难以独立完成，提级为市级督办",
    "该点段近年多次发生亡人事故，经市道安委研判提级为市级督办",
)
REOPEN_REASONS = ("回头看发现防护栏被撞损未修复，重新整改", "回头看发现减速带损毁脱落，重新整改",
                  "回头看发现标线磨损严重、夜间不可见，重新整改")
LOOKBACK_NOTES = ("回头看：设施完好，运行效果良好", "回头看：部分轮廓标缺失，已通知养护单位补设")
ACCEPTANCE_NOTE = "经现场验收，{measures}等治理措施已按方案完成，符合规范要求，同意销号"
FIX_ON_SPOT_NOTES = ("现场清除遮挡视线的树枝，立即整改完毕", "现场补设临时警告标志，立即整改完毕",
                     "通知养护单位当日修复损坏的减速带")

SURNAMES = "王李张刘赵郭杨武贾郝阎霍韩梁高段薛白田任孙胡冯邢乔温史程苏侯"
GIVEN_NAMES = ("建国", "志强", "海军", "晓东", "文斌", "俊杰", "立新", "卫东", "永红", "丽娟", "秀英", "建平", "红梅",
               "国庆", "宏伟", "鹏飞", "振华", "晋生", "晋平", "利军", "海燕", "雪梅", "向东", "志刚", "春生", "玉芳",
               "亚军", "小龙", "瑞", "敏", "婷", "磊", "斌", "勇", "军", "涛", "强", "鑫", "静", "超")


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def office_phone(rng: random.Random) -> str:
    # 0350 is Xinzhou's area code; the numbers themselves are made up.
    return f"0350-{rng.randrange(2_000_000, 8_000_000)}"


def render_measures(kind: HazardKind, rng: random.Random, length_m: int | None) -> tuple[str, dict[str, int]]:
    """The measures sentence of a plan, with quantities that fit the section's length."""
    span = length_m or 0
    quantities = {
        "n": rng.randint(1, 4), "m": rng.randint(4, 12), "many": rng.randrange(20, 120, 5),
        "short": rng.randrange(60, 300, 10), "small_guard": rng.randrange(40, 200, 8),
        "guard": max(40, int(span * rng.uniform(0.3, 0.9)) // 4 * 4) if span else rng.randrange(40, 200, 8),
        "km_x10": max(1, round(span / 100)) if span else rng.randint(3, 20),
    }
    text = "；".join(line.format(km=f"{quantities['km_x10'] / 10:.1f}", **quantities) for line in kind.measure_lines)
    return text, quantities


def situation(kind: HazardKind, rng: random.Random, length_m: int | None, school: str | None) -> str:
    km = f"{(length_m or rng.randint(1500, 6000)) / 1000:.1f}"
    return kind.situation.format(km=km, drop=rng.randrange(5, 40), school=school or "")


def temporary_controls(rng: random.Random, school: bool) -> str:
    picks = rng.sample(TEMPORARY_CONTROLS, 2)
    text = "；".join(p.format(speed=rng.choice((30, 40, 50, 60))) for p in picks)
    return text + ("；上下学时段安排护学岗" if school else "")


def acceptance_note(measures_text: str) -> str:
    # Name what was built without the quantities: the note reads like an inspector's summary.
    main = re.split(r"[；，,]", measures_text)[0]
    return ACCEPTANCE_NOTE.format(measures=main)


def cn_date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
