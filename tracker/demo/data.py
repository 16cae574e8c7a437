"""The demo's world, taken from the seeds: a city's 百千万工程 command office, its task forces,
member units and nine counties/districts, and a year's ledger of about seventy items.

Each leaf item names the story (`plan`) the demo plays out for it, so the ledger shows every
status: see `tracker.demo.seed.PLANS`. `due` is the deadline in days from today.
"""
from __future__ import annotations

from dataclasses import dataclass, field

DEMO_PASSWORD = "duban-demo"

# (login, unit name, kind, liaison name); the office unit comes first and is everyone's parent.
UNITS = [
    ("office", "市百千万工程指挥部办公室", "office", "张敏"),
    ("xyjj", "县域经济工作专班", "taskforce", "陈晓东"),
    ("czjs", "城镇建设工作专班", "taskforce", "李文华"),
    ("xczx", "乡村振兴工作专班", "taskforce", "黄志强"),
    ("zczc", "政策支持工作专班", "taskforce", "林海燕"),
    ("ysbz", "要素保障工作专班", "taskforce", "吴建平"),
    ("xxhjs", "信息化建设工作专班", "taskforce", "梁静"),
    ("fgj", "市发展改革局", "department", "王磊"),
    ("gxj", "市工业和信息化局", "department", "张丽娟"),
    ("tcj", "市投资促进局", "department", "刘洋"),
    ("zrj", "市自然资源局", "department", "杨帆"),
    ("zjj", "市住房城乡建设局", "department", "何伟"),
    ("jtj", "市交通运输局", "department", "郑敏"),
    ("nyj", "市农业农村局", "department", "周婷"),
    ("swj", "市商务局", "department", "谢志刚"),
    ("zsj", "市政务服务数据管理局", "department", "罗芳"),
    ("czj", "市财政局", "department", "邓超"),
    ("tjj", "市统计局", "department", "许丽"),
    ("chikan", "赤坎区", "county", "冯建华"),
    ("xiashan", "霞山区", "county", "曾晓明"),
    ("potou", "坡头区", "county", "蔡文静"),
    ("mazhang", "麻章区", "county", "彭辉"),
    ("suixi", "遂溪县", "county", "苏倩"),
    ("xuwen", "徐闻县", "county", "卢军"),
    ("lianjiang", "廉江市", "county", "蒋玲"),
    ("leizhou", "雷州市", "county", "钟华"),
    ("wuchuan", "吴川市", "county", "叶青"),
]
LEADER = ("leader", "王志强")
EMAIL_DOMAIN = "duban.example"


@dataclass(frozen=True)
class Item:
    """One ledger item; `plan` is the leaf's story ("rollup" for a parent)."""

    title: str
    lead: str
    co: tuple[str, ...] = ()
    target: float | None = None
    unit: str = ""
    plan: str = "rollup"
    due: int | None = None
    leader: str = ""
    kids: tuple[Item, ...] = field(default=())


def item(title: str, lead: str, co: str = "", **kw) -> Item:
    """Compact constructor: *co* is a space-separated list of unit logins."""
    return Item(title, lead, tuple(co.split()), **kw)


LEDGER = [
    item("县域经济综合实力明显提升", "xyjj", "", leader="林志明副市长", kids=(
        item("做大做强县域工业经济", "gxj", "fgj", kids=(
            item("加快推进重点工业项目建设", "gxj", "fgj", kids=(
                item("宝钢氢基竖炉项目完成年度投资", "gxj", "fgj", target=1.5, unit="亿元",
                     plan="overdue", due=-9),
                item("巴斯夫一体化项目完成年度投资", "gxj", "tcj", target=100, unit="亿元",
                     plan="on_track", due=40),
                item("核电一期工程项目完成年度投资", "fgj", "gxj", target=20, unit="亿元",
                     plan="awaiting", due=12),
                item("推动工业企业开展技术改造", "gxj", "chikan suixi lianjiang", target=120,
                     unit="家", plan="due_soon", due=5),
            )),
            item("建强承接产业有序转移主平台", "fgj", "gxj zrj", kids=(
                item("主平台新增建成标准厂房", "gxj", "zjj mazhang", target=20, unit="万平方米",
                     plan="lagging", due=45),
                item("主平台新整备产业用地", "zrj", "mazhang", target=2000, unit="亩",
                     plan="rejected", due=15),
                item("完成承接产业有序转移项目", "tcj", "gxj", target=44, unit="个",
                     plan="done", due=-20),
                item("组建广湛产业转移合作园管委会并实体化运作", "fgj", "czj",
                     plan="done", due=30),
                item("坡头区设立荔湾（坡头）科创基地", "potou", "tcj", plan="not_started", due=75),
            )),
        )),
        item("加大招商引资力度", "tcj", "swj", kids=(
            item("开展产业链招商、以商招商、乡贤招商", "tcj", "swj", kids=(
                item("新引进招商项目协议投资额", "tcj", "swj", target=1000, unit="亿元",
                     plan="on_track", due=44),
                item("引进亿元以上招商项目", "tcj", "lianjiang wuchuan", target=60, unit="个",
                     plan="extension", due=4),
                item("霞山区全年引进招商项目投资额", "xiashan", "tcj", target=50, unit="亿元",
                     plan="due_soon", due=3),
                item("廉江市在白云区建设小家电产业协作平台", "lianjiang", "tcj",
                     plan="on_track", due=38),
            )),
        )),
        item("发展特色优势产业", "nyj", "", kids=(
            item("推进现代农业产业园农产品加工项目", "nyj", "", kids=(
                item("13个农产品加工项目完成投资", "nyj", "suixi xuwen", target=3, unit="亿元",
                     plan="overdue", due=-16),
                item("编制现代化海洋牧场及全产业链建设规划", "nyj", "zrj", plan="done", due=-5),
                item("徐闻县预制菜产业园纳入省级现代农业产业园", "xuwen", "nyj",
                     plan="awaiting", due=-2),
            )),
        )),
    )),
    item("城镇承载能力和品质明显提升", "czjs", "", leader="黄建国副市长", kids=(
        item("夯实基础设施“生活圈”", "zjj", "", kids=(
            item("推进县城扩容提质", "zjj", "", kids=(
                item("新建改造县城污水管网", "zjj", "leizhou lianjiang", target=120, unit="公里",
                     plan="on_track", due=50),
                item("建强中心镇、专业镇、特色镇", "zjj", "wuchuan suixi", target=15, unit="个",
                     plan="lagging", due=35),
                item("雷州市城区老旧小区改造", "leizhou", "zjj", target=30, unit="个",
                     plan="silent", due=-12),
                item("赤坎区建设广州越秀（赤坎）科创中心", "chikan", "tcj", plan="done", due=20),
            )),
        )),
        item("完善交通物流网络", "jtj", "", kids=(
            item("构建“五龙入湛”高铁格局", "jtj", "fgj", kids=(
                item("广湛高铁沿线征地拆迁交付用地", "jtj", "zrj mazhang", target=100, unit="%",
                     plan="on_track", due=55),
                item("合湛高铁可研报告获批并开展前期工作", "fgj", "jtj", plan="done", due=-30),
                item("湛海高铁北港段水上勘探施工", "jtj", "fgj", plan="suspended", due=60),
                item("麻章区完成高铁站片区征拆", "mazhang", "jtj zrj", target=1200, unit="亩",
                     plan="overdue", due=-4),
            )),
            item("建设县镇村三级寄递物流体系", "swj", "jtj", kids=(
                item("行政村寄递物流服务全覆盖", "swj", "jtj", target=100, unit="%",
                     plan="extended", due=-3),
                item("国家骨干冷链物流基地建设", "fgj", "swj potou", plan="on_track", due=42),
            )),
        )),
        item("加快新型基础设施建设", "xxhjs", "", kids=(
            item("推进5G网络和千兆光网建设", "gxj", "zsj", kids=(
                item("新增5G基站", "gxj", "zsj xiashan chikan", target=1500, unit="个",
                     plan="due_soon", due=6),
                item("新增10G PON端口", "gxj", "zsj", target=16000, unit="个",
                     plan="on_track", due=48),
                item("霞山区实现5G信号城区全覆盖", "xiashan", "gxj", plan="awaiting", due=8),
            )),
            item("推进数字政府和智慧园区建设", "zsj", "", kids=(
                item("建立省市县三级粤政易工作群", "zsj", "xxhjs", plan="done", due=-40),
                item("建成园区信息化平台", "zsj", "gxj", target=3, unit="个",
                     plan="lagging", due=30),
            )),
        )),
    )),
    item("乡村振兴取得新进展", "xczx", "", leader="吴海波副市长", kids=(
        item("推动乡村特色产业升级", "nyj", "", kids=(
            item("创建特色产业集群和产业强镇", "nyj", "", kids=(
                item("申报金鲳鱼国家优势特色产业集群", "nyj", "potou", plan="done", due=-10),
                item("建设现代化海洋牧场项目", "nyj", "xuwen leizhou", target=5, unit="个",
                     plan="overdue", due=-25),
                item("吴川市长岐镇创建全国产业强镇", "wuchuan", "nyj", plan="on_track", due=46),
                item("举办芒果、春茶、荔枝、菠萝等农业节庆活动", "nyj", "xuwen suixi",
                     target=6, unit="场", plan="done", due=-8),
            )),
        )),
        item("抓好乡村示范建设", "jtj", "nyj", kids=(
            item("新建和改造提升农村公路", "jtj", "", kids=(
                item("新建和改造提升农村公路", "jtj", "lianjiang leizhou suixi", target=400,
                     unit="公里", plan="overdue", due=-6),
                item("新增建制村通双车道", "jtj", "xuwen", target=50, unit="个",
                     plan="lagging", due=40),
                item("遂溪县农村公路完工", "suixi", "jtj", target=60, unit="公里",
                     plan="due_soon", due=2),
            )),
            item("开展乡村振兴示范创建", "nyj", "", kids=(
                item("创建乡村振兴示范带", "nyj", "chikan potou", target=8, unit="条",
                     plan="extension", due=9),
            )),
        )),
        item("强化帮扶联动协作", "nyj", "", kids=(
            item("深化“千企帮千镇、万企兴万村”行动", "nyj", "swj", kids=(
                item("组织企业参与“千企帮千镇、万企兴万村”行动", "nyj", "swj", target=800,
                     unit="家", plan="on_track", due=52),
                item("推动行政村与农业龙头企业结成共建对子", "nyj", "suixi leizhou", target=220,
                     unit="个", plan="silent", due=-18),
                item("选派农村科技特派员团队", "nyj", "", target=45, unit="支",
                     plan="done", due=-15),
            )),
        )),
    )),
    item("要素保障和体制机制更加完善", "ysbz", "", leader="郑立新副市长", kids=(
        item("持续优化营商环境", "fgj", "zsj", kids=(
            item("落实优化营商环境行动方案", "fgj", "zsj", kids=(
                item("完成优化营商环境台账任务", "fgj", "zsj swj", target=472, unit="项",
                     plan="lagging", due=42),
                item("实现“免证办”事项", "zsj", "", target=3480, unit="个",
                     plan="awaiting", due=-1),
                item("制定与广州市优化营商环境对口帮扶举措清单", "fgj", "zczc",
                     plan="done", due=-35),
            )),
        )),
        item("强化用地保障", "zrj", "", kids=(
            item("盘活低效闲置用地", "zrj", "", kids=(
                item("盘活低效闲置工业用地", "zrj", "mazhang suixi", target=1000, unit="亩",
                     plan="overdue", due=-13),
                item("霞山区征拆土地", "xiashan", "zrj", target=4479, unit="亩",
                     plan="lagging", due=33),
                item("出台点状用地和乡村振兴产业用地办理指引等政策文件", "zrj", "zczc",
                     target=12, unit="个", plan="done", due=-12),
            )),
        )),
        item("强化资金保障", "czj", "", kids=(
            item("统筹资金支持县域发展", "czj", "", kids=(
                item("争取省下达新增债券资金", "czj", "fgj", target=100, unit="亿元",
                     plan="done", due=-45),
                item("下达县级基本财力保障资金", "czj", "", target=33, unit="亿元",
                     plan="on_track", due=36),
            )),
        )),
        item("强化县域经济统计监测", "tjj", "", kids=(
            item("开展县域经济统计监测", "tjj", "", kids=(
                item("核查镇（街）村委会农业年报", "tjj", "chikan mazhang", target=170,
                     unit="个", plan="due_soon", due=1),
                item("开展镇级统计员业务培训", "tjj", "", target=10, unit="场次",
                     plan="not_started", due=70),
            )),
        )),
    )),
]

# The three parts of a report, in the seeds' voice.
PROGRESS_LINES = [
    "召开专题调度会，逐项梳理进度，压实责任到人",
    "牵头单位赴现场督导，协调解决施工用地和用电问题",
    "会同配合单位建立周调度台账，实行清单式推进",
    "组织各县（市、区）开展对接，逐一明确时间节点",
    "加快前期手续办理，可研和用地预审已完成",
    "实行项目化管理，倒排工期、挂图作战",
]
ROLLUP_LINES = [
    "统筹推进各项重点工作，召开专班周调度会，协调解决跨部门问题",
    "梳理形成两账一单（经济运行情况台账、重点项目进展情况台账、重点支持事项清单）",
    "对进度滞后的事项发出督办提醒，压实牵头单位责任",
]
CO_LINES = [
    "配合牵头单位做好要素保障，已报送本单位承担部分的进展数据",
    "按分工完成配合事项，相关材料已报牵头单位汇总",
]
PROBLEMS = [
    "部分县（市、区）反映产业用地紧张，可用于招商的熟地资源不多，开发边界、用地规模限制明显",
    "项目资金到位不及时，专项债券资金拨付进度偏慢",
    "征地拆迁涉及群众诉求复杂，个别地块交地时间推迟",
    "受连续降雨天气影响，施工进度有所滞后",
    "报批环节较多，手续办理周期较长",
    "部分配合单位报送材料不及时，数据口径有待统一",
]
NEXT_STEPS = [
    "加强与省有关部门沟通对接，争取政策和资金支持",
    "倒排工期、挂图作战，确保按时间节点完成任务",
    "用足用好专项债和政策性金融工具，加快资金拨付",
    "加强统筹调度，每周通报进展，对滞后事项开展督办",
    "会同自然资源部门加快用地报批，力争尽快交地",
]
SIGNOFF_NOTE = "已完成年度目标任务，附验收材料及统计部门核实数据，申请销号。"
EVIDENCE_TEXT = "佐证材料（演示）：验收意见、统计部门核实数据及现场照片清单。\n"
REJECT_REASON = "佐证材料不完整，缺少竣工验收报告和统计部门核实数据，请补充后重新申请。"
EXTENSION_REASON = "受用地报批进度影响，项目建设时序推迟，申请延期。"
SUSPEND_NOTE = "下一步待国家有关部门批复后再行推进。"
