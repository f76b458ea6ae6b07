"""Demo data: one township, three villages, two years of monthly ledgers,
rosters of invented villagers, relief projects at every stage and notices in
every status. Seeded, so the same every time; loading twice changes nothing.

Rosters enter through the same intake as a clerk's spreadsheet: an .xlsx is
built in memory with invented ID-card numbers, bank accounts and phones and
goes through ``importing.parse_roster`` and ``intake.add_roster_rows``.
No real person's data: names are drawn from common characters at random.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from .clock import china_today
from . import keys, periods
from .catalogue import ROSTER_KINDS
from .extensions import db
from .importing import parse_roster
from .models import AssetLine, Notice, ProjectDetail, ProjectFund, Role, Status, Township, User, Village, VillageGroup
from .privacy import id_check_digit
from .services import decisions, intake, notices, users

TOWNSHIP_CODE = "qingshan"
VILLAGES = (("dongfeng", "东风村", 6), ("hongqi", "红旗村", 5), ("shiqiao", "石桥村", 4))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞单解区"
GIVEN = "建国华明英秀兰玉芳桂珍志强文军平红梅海霞永福生德祥成林春燕丽娟云峰刚勇涛家学富贵金银忠小子宝全顺发荣兴旺凤菊莲翠兵光辉"

# (subject, ((摘要, lowest 元, highest 元), …)): amounts as a village's books show them.
INCOME_ITEMS = (
    ("subsidy_income", (("镇财政拨付村级运转经费", 20000, 60000), ("上级拨付村干部报酬补助", 15000, 30000),
                        ("上级拨付公益事业一事一议奖补资金", 30000, 80000), ("县财政拨付人居环境整治补助", 8000, 20000))),
    ("contract_income", (("收取茶园承包费", 5000, 25000), ("收取砂石场资源使用费", 3000, 15000),
                         ("收取鱼塘发包租金", 1500, 6000), ("收取集体门面租金", 2000, 8000))),
    ("investment_income", (("村合作社分红", 3000, 18000), ("光伏电站收益分红", 4000, 12000))),
    ("operating_income", (("村集体茶叶销售收入", 2000, 12000), ("农机服务费收入", 800, 4000))),
    ("other_income", (("存款利息收入", 50, 600), ("收回借款", 1000, 3000))),
)
EXPENSE_ITEMS = (
    ("management_expense", (("村干部基本报酬", 8000, 16000), ("村部电费", 200, 900), ("村部网费电话费", 150, 400),
                            ("购买办公用品", 150, 1500), ("报刊征订费", 300, 1200), ("召开村民代表大会误工补贴", 800, 2500),
                            ("村务公开栏维护费", 300, 1500))),
    ("operating_expense", (("茶园除草施肥人工费", 3000, 12000), ("购买茶苗种苗", 2000, 15000),
                           ("集体林地抚育人工费", 2000, 9000), ("购买农资化肥", 1500, 8000))),
    ("other_expense", (("村组道路维修材料费", 2000, 20000), ("饮水管道维修费", 800, 6000),
                       ("人居环境整治保洁员工资", 1800, 3600), ("困难群众慰问金", 1000, 5000), ("防汛物资购置费", 1000, 8000))),
)


@dataclass(frozen=True)
class _Row:  # a ledger row, shaped like importing.LedgerRow
    occurred_on: dt.date
    voucher_no: str
    summary: str
    direction: str
    subject: str
    amount_fen: int
    handler: str = ""
    note: str = ""


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))


def _id_number(rng: random.Random) -> str:
    born = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 70))
    first17 = f"522401{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + id_check_digit(first17)


def _demo_grade(kind: str, monthly_yuan: int, n: int) -> str:
    """A 低保 household's 保障类别 by its monthly amount, a 特困 person's 供养方式 by turns
    (no random draw: the demo's other figures stay as they were)."""
    if kind == "dibao":
        return "一类" if monthly_yuan >= 560 else "二类" if monthly_yuan >= 320 else "三类"
    return ("分散供养", "集中供养")[n % 2]


def _roster_xlsx(title: str, headers: list[str], rows: list[list]) -> bytes:
    """A roster as a clerk would keep it: title row, header, data, 合计 row."""
    from openpyxl import Workbook  # deferred: web workers never load the demo's spreadsheets

    wb = Workbook()
    ws = wb.active
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _receipt_png(payer: str, line) -> bytes:  # noqa: ANN001 - LedgerLine
    """A plain receipt image drawn with the system's CJK font (demo only)."""
    from PIL import Image, ImageDraw, ImageFont

    from .money import format_yuan

    image = Image.new("RGB", (900, 560), (252, 250, 240))
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 34)
        big = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 48)
    except OSError:  # no CJK font on this machine: a plain receipt still shows the shape
        font = big = ImageFont.load_default()
    draw.rectangle((20, 20, 880, 540), outline=(160, 40, 40), width=4)
    draw.text((330, 45), "收  据", fill=(160, 40, 40), font=big)
    rows = [f"日期：{line.occurred_on:%Y年%m月%d日}", f"付款单位：{payer}村民委员会", f"事由：{line.summary}",
            f"金额：￥{format_yuan(line.amount_fen)}元", f"凭证号：{line.voucher_no}    经手人：{line.handler}"]
    for i, text in enumerate(rows):
        draw.text((70, 140 + i * 72), text, fill=(30, 30, 30), font=font)
    draw.ellipse((640, 360, 840, 520), outline=(200, 30, 30), width=5)
    draw.text((675, 418), "收款专用章", fill=(200, 30, 30), font=font)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _yuan(fen: int) -> float | int:
    return fen // 100 if fen % 100 == 0 else round(fen / 100, 2)


class _Loader:
    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.rng = random.Random(20251001)
        self.password = current_app.config["DEMO_PASSWORD"]

    # -- people and places -------------------------------------------------
    def places(self) -> tuple[Township, list[Village]]:
        township = Township(code=TOWNSHIP_CODE, name="青山镇", county="示范县", phone="0857-8123400",
                            settings={"standards": {"dibao": 90000, "linshi": 300000, "tekun": 120000},
                                      "kind_standards": {"dibao": {"standard": 65000}, "tekun": {"standard": 84500},
                                                         "gengdi": {"rate": 10550},
                                                         "canbu": {"living": 9000, "care": 9000},
                                                         "gaoling": {"80": 5000, "90": 10000, "100": 30000}}})
        db.session.add(township)
        villages = []
        for i, (code, name, groups) in enumerate(VILLAGES):
            village = Village(code=code, name=name, township=township, supervision_phone=f"0857-81234{i + 1:02d}",
                              opening_balance_fen=self.rng.randrange(260_000, 480_000) * 100,
                              opening_date=self.ledger_start - dt.timedelta(days=1))
            village.groups = [VillageGroup(number=n, name=f"第{n}村民小组") for n in range(1, groups + 1)]
            db.session.add(village)
            villages.append(village)
        db.session.flush()
        return township, villages

    def staff(self, township: Township, villages: list[Village]) -> dict[str, User]:
        accounts = {"admin": users.create_user(username="admin", display_name="青山镇经管站 王主任",
                                               password=self.password, role=Role.TOWNSHIP_ADMIN, township=township),
                    "county": users.create_user(username="county", display_name="示范县农业农村局 李科长",
                                                password=self.password, role=Role.COUNTY_ADMIN, township=township)}
        for village in villages:
            accounts[f"clerk-{village.code}"] = users.create_user(
                username=f"clerk-{village.code}", display_name=f"{village.name}报账员", password=self.password,
                role=Role.CLERK, township=township, village=village)
            accounts[f"supervisor-{village.code}"] = users.create_user(
                username=f"supervisor-{village.code}", display_name=f"{village.name}监委会成员",
                password=self.password, role=Role.SUPERVISOR, township=township, village=village)
        return accounts

    # -- workflow ------------------------------------------------------------
    def publish(self, notice: Notice, clerk: User, supervisor: User, start: dt.date) -> None:
        notices.submit(notice, clerk)
        notices.approve(notice, supervisor)
        days = 10 if notice.category == "project" else 7
        notices.publish(notice, clerk, start, periods.notice_end(start, days), today=start)
        # Demo history: the version was published on its start day, not today.
        notice.published_at = dt.datetime.combine(start, dt.time(9, 0))
        if notice.notice_end < self.today - dt.timedelta(days=60):
            notices.archive(notice, clerk, self.today)

    # -- ledgers -------------------------------------------------------------
    @property
    def ledger_start(self) -> dt.date:
        last_quarter = periods.quarter_of(periods.quarter_of(self.today).start - dt.timedelta(days=1))
        return periods.quarter_of(last_quarter.start - dt.timedelta(days=7 * 91 - 1)).start

    def ledger_rows(self, quarter: periods.Period, handlers: list[str]) -> list[_Row]:
        rows: list[_Row] = []
        for month in periods.months_in(quarter):
            days = (month.end - month.start).days + 1
            plan = [("income", INCOME_ITEMS[0])] + [("expense", EXPENSE_ITEMS[0])] * 2
            plan += [("income", self.rng.choice(INCOME_ITEMS)) for _ in range(self.rng.randrange(1, 4))]
            plan += [("expense", self.rng.choice(EXPENSE_ITEMS)) for _ in range(self.rng.randrange(5, 11))]
            for direction, (subject, items) in plan:
                summary, low, high = self.rng.choice(items)
                amount = self.rng.randrange(low * 100, high * 100)
                if self.rng.random() < 0.4:
                    amount -= amount % 10000  # many payments are round sums
                rows.append(_Row(month.start + dt.timedelta(days=self.rng.randrange(days)), "", summary,
                                 direction, subject, max(amount, 100), self.rng.choice(handlers)))
        rows.sort(key=lambda r: r.occurred_on)
        return [_Row(r.occurred_on, f"记{i + 1:03d}", r.summary, r.direction, r.subject, r.amount_fen, r.handler)
                for i, r in enumerate(rows)]

    def finance(self, village: Village, clerk: User, supervisor: User) -> list[Notice]:
        handlers = [_name(self.rng) for _ in range(3)]
        made, quarter = [], periods.quarter_of(self.ledger_start)
        last = periods.quarter_of(periods.quarter_of(self.today).start - dt.timedelta(days=1))
        while quarter.start <= last.start:
            notice = notices.create_draft(village, clerk, category="finance", period=quarter,
                                          title=f"{village.name}{quarter.label}财务收支公示",
                                          body="现将本村本期财务收支情况公示如下，如有疑问请向村务监督委员会反映。")
            lines = intake.add_ledger_rows(notice, clerk, self.ledger_rows(quarter, handlers))
            if quarter.start >= periods.quarter_of(last.start - dt.timedelta(days=1)).start:
                self.vouchers(village, clerk, supervisor, lines)
            self.publish(notice, clerk, supervisor, quarter.end + dt.timedelta(days=15))
            made.append(notice)
            quarter = periods.quarter_of(quarter.end + dt.timedelta(days=1))
        return made

    def vouchers(self, village: Village, clerk: User, supervisor: User, lines: list) -> None:
        """A drawn receipt (收据) for the two largest expenses; the supervisor
        makes them public, so the kiosk shows them."""
        from . import vouchers

        expenses = sorted((l for l in lines if l.direction == "expense"), key=lambda l: -l.amount_fen)[:2]
        for line in expenses:
            vouchers.set_public(vouchers.attach(line, clerk, _receipt_png(village.name, line)), supervisor, True)

    # -- rosters -------------------------------------------------------------
    def roster(self, village: Village, clerk: User, kind: str, period: periods.Period, count: int,
               extra: tuple[tuple[str, str, int], ...] = ()) -> Notice:
        spec = ROSTER_KINDS[kind]
        groups = len(village.groups)
        title = f"{village.name}{period.label}{spec.name}名单公示"
        if kind == "gengdi":
            headers = ["序号", "组别", "姓名", "身份证号码", "补贴面积（亩）", "补贴标准（元/亩）", "补贴金额（元）", "一卡通账号", "联系电话"]
        elif kind in ("dibao", "tekun"):
            headers = ["序号", "村民小组", "户主姓名", "身份证号码", "保障人口", spec.label("grade") or "等级",
                       "月保障金额（元）", "银行账号", "联系电话"]
        else:
            headers = ["序号", "村民小组", "姓名", "身份证号码", "救助金额（元）", "救助原因", "发放日期", "银行账号", "联系电话"]
        rows = []
        for n in range(1, count + 1):
            name, group = _name(self.rng), self.rng.randrange(1, groups + 1)
            id_no = _id_number(self.rng)
            account = "6217" + "".join(str(self.rng.randrange(10)) for _ in range(15))
            phone = self.rng.choice(("138", "139", "150", "158", "187")) + f"{self.rng.randrange(10**8):08d}"
            if kind == "gengdi":
                area = self.rng.randrange(5, 120) / 10
                rows.append([n, f"{group}组", name, id_no, area, 105.5, round(area * 105.5, 2), account, phone])
            elif kind in ("dibao", "tekun"):
                persons = self.rng.randrange(1, 6) if kind == "dibao" else 1
                monthly = self.rng.choice((285, 320, 410, 560, 705)) if kind == "dibao" else 980
                rows.append([n, f"第{group}村民小组", name, id_no, persons, _demo_grade(kind, monthly, n), monthly,
                             account, phone])
            else:
                amount = self.rng.choice((500, 800, 1000, 1500, 2000, 3000))
                reason = self.rng.choice(("因病", "因灾", "因意外事故", "因学"))
                paid = period.start + dt.timedelta(days=self.rng.randrange((period.end - period.start).days + 1))
                rows.append([n, f"第{group}村民小组", name, id_no, amount, reason, paid, account, phone])
        for name, id_no, yuan in extra:  # fixed people the oversight demo needs
            n = len(rows) + 1
            if kind == "gengdi":
                area = round(yuan / 105.5, 1)
                rows.append([n, "1组", name, id_no, area, 105.5, round(area * 105.5, 2), "6217000011112222333", "13900001111"])
            else:
                rows.append([n, "第1村民小组", name, id_no, 2, _demo_grade(kind, yuan, n), yuan, "6217000011112222333",
                             "13900001111"])
        data = _roster_xlsx(title, headers, rows)
        result = parse_roster(data, f"{kind}.xlsx", id_key=keys.root_key(), kind=kind)
        if not result.ok:
            raise RuntimeError(f"demo roster did not import: {result.errors[:3]}")
        category = spec.category if spec.category != "other" else "other"
        notice = notices.create_draft(village, clerk, category=category, roster_kind=kind, period=period, title=title,
                                      body=f"经村民小组评议、村委会审核，现将{period.label}{spec.name}名单公示如下。")
        intake.add_roster_rows(notice, clerk, result.rows, kind=kind)
        return notice

    # -- projects and assets ---------------------------------------------------
    def project(self, village: Village, clerk: User, key: str, stage: str, name: str, funds: list[tuple[str, int, int]],
                start: dt.date, end: dt.date, **fields: object) -> Notice:
        label = "计划公示" if stage == "planned" else "实施情况公告"
        notice = notices.create_draft(village, clerk, category="project", period=periods.Period(start, end, f"{start.year}年"),
                                      title=f"{village.name}{name}{label}",
                                      body="根据衔接资金项目公告公示制度要求，现将项目情况公示如下。")
        notice.project = ProjectDetail(project_key=key, name=name, stage=stage, starts_on=start, ends_on=end, **fields)
        notice.project.funds = [ProjectFund(source=s, allocated_fen=a * 100, spent_fen=sp * 100) for s, a, sp in funds]
        return notice

    def assets(self, village: Village, clerk: User, quarter: periods.Period) -> Notice:
        notice = notices.create_draft(village, clerk, category="assets", period=quarter,
                                      title=f"{village.name}{quarter.label}集体资产资源公示",
                                      body="本村集体资产资源及发包租赁情况如下。")
        items = [("村部办公楼", "房屋", "村委会", "420平方米", "", None, None, 0),
                 ("茶园", "土地", "第1村民小组", "180亩", "青山茶业专业合作社", dt.date(2021, 3, 1), dt.date(2031, 2, 28), 3240000),
                 ("集体鱼塘", "水面", "第3村民小组", "12亩", "个体经营户", dt.date(2023, 1, 1), dt.date(2027, 12, 31), 960000),
                 ("沿街门面", "房屋", "村委会旁", "3间", "便民超市", dt.date(2024, 7, 1), dt.date(2027, 6, 30), 1800000),
                 ("集体林地", "林地", "后山", "650亩", "", None, None, 0),
                 ("光伏电站", "设备", "村部屋顶", "100千瓦", "县光伏扶贫运维公司", dt.date(2019, 6, 1), dt.date(2039, 5, 31), 0)]
        for seq, (name, kind, loc, size, lessee, cs, ce, income) in enumerate(items, 1):
            notice.asset_lines.append(AssetLine(seq=seq, name=name, kind=kind, location=loc, size=size, lessee=lessee,
                                                contract_start=cs, contract_end=ce, annual_income_fen=income))
        return notice

    # -- everything ------------------------------------------------------------
    def run(self) -> dict[str, User]:
        township, villages = self.places()
        staff = self.staff(township, villages)
        this_month = periods.month_of(self.today)
        last_month = periods.month_of(this_month.start - dt.timedelta(days=1))
        year = periods.year(self.today.year)
        last_quarter = periods.quarter_of(periods.quarter_of(self.today).start - dt.timedelta(days=1))
        recent = self.today - dt.timedelta(days=3)  # in its notice period now
        # Invented people for the red-flag demo: one paid 低保 in two villages,
        # one above the township's standard, one a cadre's relative.
        twice = (_name(self.rng), _id_number(self.rng), 560)
        high = (_name(self.rng), _id_number(self.rng), 1280)
        relative = (_name(self.rng), _id_number(self.rng), 633)
        extras = {("dongfeng", "dibao", "now"): (twice,), ("hongqi", "dibao", "now"): (twice,),
                  ("shiqiao", "dibao", "now"): (high,), ("shiqiao", "gengdi", "year"): (relative,)}
        for index, village in enumerate(villages):
            clerk, sup = staff[f"clerk-{village.code}"], staff[f"supervisor-{village.code}"]
            self.finance(village, clerk, sup)
            sizes = (40, 12, 15, 120) if index == 0 else (30, 8, 10, 80)
            for kind, period, count, start, when in (
                ("gengdi", year, sizes[3], year.start + dt.timedelta(days=160), "year"),
                ("dibao", last_month, sizes[0], last_month.start + dt.timedelta(days=5), "last"),
                ("tekun", last_month, sizes[1], last_month.start + dt.timedelta(days=5), "last"),
                ("linshi", last_quarter, sizes[2], last_quarter.end + dt.timedelta(days=10), "quarter"),
                ("dibao", this_month, sizes[0], recent, "now"),
            ):
                notice = self.roster(village, clerk, kind, period, count, extras.get((village.code, kind, when), ()))
                self.publish(notice, clerk, sup, start)
            self.publish(self.assets(village, clerk, last_quarter), clerk, sup, last_quarter.end + dt.timedelta(days=12))
        self.projects(villages, staff)
        self.every_status(villages, staff)
        self.library(township, villages, staff)
        self.oversight(township, villages, staff, relative)
        return staff

    def library(self, township: Township, villages: list[Village], staff: dict[str, User]) -> None:
        """Standing documents: the township's rules, each village's 村规民约
        (东风村's revised once), one repealed subsidy standard."""
        from .services import library

        admin, year = staff["admin"], self.today.year
        library.create(admin, township, None, kind="财务管理制度", title="青山镇村级财务管理制度",
                       doc_no=f"青政发〔{year - 2}〕5号", effective_on=dt.date(year - 2, 3, 1), body=(
                           "第一条 村级财务实行“村账镇代管”，村报账员每月到镇经管站报账。\n"
                           "第二条 单笔支出5000元以上的，须经村“两委”会议研究、村务监督委员会审核。\n"
                           "第三条 村级财务收支每季度公开一次，收支较多的村每月公开一次。"))
        old = library.create(admin, township, None, kind="补助标准", title=f"青山镇{year - 2}年村干部误工补贴标准",
                             effective_on=dt.date(year - 2, 1, 1), body="参加村民代表大会误工补贴每人每次50元。")
        library.repeal(old, admin, ended_on=dt.date(year - 1, 1, 1), reason="由县里统一的误工补贴标准取代。")
        for village in villages:
            clerk = staff[f"clerk-{village.code}"]
            rules = library.create(clerk, township, village, kind="村规民约", title=f"{village.name}村规民约",
                                   effective_on=dt.date(year - 3, 6, 1), body=(
                                       "一、爱护村组道路、路灯和饮水管道，损坏的照价赔偿。\n"
                                       "二、红白喜事从简办理，不大操大办。\n三、垃圾分类投放，不乱倒乱堆。"))
            if village.code == "dongfeng":
                library.create(clerk, township, village, kind="村规民约", title=f"{village.name}村规民约（修订）",
                               effective_on=dt.date(year - 1, 7, 1), replaces=rules, body=(
                                   "一、爱护村组道路、路灯和饮水管道，损坏的照价赔偿。\n"
                                   "二、红白喜事从简办理，婚事宴请不超过20桌。\n三、垃圾分类投放，不乱倒乱堆。\n"
                                   "四、茶园防火期内不在林边野外用火。\n五、村内修路、架桥等一事一议项目，按村民代表会议决议筹资筹劳。"))

    def oversight(self, township: Township, villages: list[Village], staff: dict[str, User],
                  relative: tuple[str, str, int]) -> None:
        """Questions (answered, open, overdue), information requests, the
        cadre register and the red flags they raise."""
        from .services import feedback, oversight

        dongfeng, hongqi, shiqiao = villages
        admin = staff["admin"]
        latest_finance = db.session.execute(select(Notice).where(
            Notice.village_id == dongfeng.id, Notice.category == "finance", Notice.status == Status.PUBLISHED
        )).scalars().first()
        asked = self.today - dt.timedelta(days=16)
        question = feedback.ask(latest_finance, channel="phone", concern="金额不对", today=asked,
                                text="七月份“茶园除草施肥人工费”是给哪些人发的？每人多少？")
        question.created_at = dt.datetime.combine(asked, dt.time(10, 30))
        feedback.answer(question, staff["clerk-dongfeng"],
                        "该笔人工费支付给第2、第3村民小组参与茶园管护的村民，共9人，按实际出工天数每天120元计算，"
                        "花名册和签字表已交村务监督委员会核查，可到村委会查阅。")
        feedback.ask(latest_finance, channel="kiosk", concern="看不懂", today=self.today - dt.timedelta(days=1))
        dibao_now = db.session.execute(select(Notice).where(
            Notice.village_id == hongqi.id, Notice.roster_kind == "dibao", Notice.status == Status.PUBLISHED
        ).order_by(Notice.period_start.desc())).scalars().first()
        late = feedback.ask(dibao_now, channel="phone", concern="名单有误", is_objection=True, today=asked,
                            text="第1村民小组有一户已经外出务工多年，家里有车，不应该再吃低保。")
        late.created_at = dt.datetime.combine(asked, dt.time(15, 0))
        for village, requester, subject, days_ago in (
            (dongfeng, "村民", "申请公开2024年村组道路硬化工程的结算审计报告。", 35),
            (shiqiao, "村民", "申请公开光伏电站近两年的发电收益及分配明细。", 4),
        ):
            feedback.register_request(village, admin, requester=requester, contact="", subject=subject,
                                      received_on=self.today - dt.timedelta(days=days_ago))
        self.answered_request(hongqi, admin)
        oversight.add_cadre_relative(admin, shiqiao, name=relative[0], id_number=relative[1], cadre_name="石建华（村委会主任）",
                                     relation="配偶")
        oversight.run_checks(township, admin)

    def answered_request(self, village: Village, admin: User) -> None:
        """A villager's application from the phone, answered 部分公开 with its
        ground and the released document attached (its 告知书 prints)."""
        from . import printing
        from .services import requests

        req = requests.apply(village, channel="phone", subject="申请公开本村2025年低保评议会议的记录和评议结果。",
                             requester="红旗村村民", contact="", today=self.today - dt.timedelta(days=12))
        requests.reply(req, admin, reply_type=requests.PARTIAL, ground="个人隐私",
                       text="评议结果和会议记录现予公开；会上个别申请人的家庭收入和病情属于个人隐私，已删去。",
                       replied_on=self.today - dt.timedelta(days=3))
        document = ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"></head><body>"
                    "<h1>红旗村2025年低保评议会议记录（公开部分）</h1><p>评议时间：2025年9月18日。"
                    "参加人员：村民代表23人，村务监督委员会3人。</p><p>评议结果：新纳入3户，退出2户，续保41户。"
                    "名单已于2025年10月张榜公示。</p></body></html>")
        requests.attach(req, admin, printing.render_pdf(document, "/"))

    def projects(self, villages: list[Village], staff: dict[str, User]) -> None:
        dongfeng, hongqi, shiqiao = villages
        y = self.today.year
        common = dict(implementer="青山镇人民政府", responsible="李国强",
                      benefit_mechanism="项目建成后资产归村集体所有，收益优先用于脱贫户和监测户分红及公益岗位。",
                      procurement="按规定公开招标，中标单位示范县路桥建设有限公司，合同价见附件。")

        def staff_of(v: Village) -> tuple[User, User]:
            return staff[f"clerk-{v.code}"], staff[f"supervisor-{v.code}"]

        # 1. Road: planned last year, completed this year (two stages, one key).
        road = dict(location="东风村第2、第3村民小组", content="硬化茶园产业路3.2公里，宽4.5米，C25混凝土路面",
                    subsidy_standard="每公里补助45万元", performance_goal="惠及茶农156户、623人，其中脱贫户41户",
                    households_benefiting=156, persons_benefiting=623, **common)
        clerk, sup = staff_of(dongfeng)
        n = self.project(dongfeng, clerk, "DF-ROAD", "planned", "茶园产业路硬化项目",
                         [("中央财政衔接资金", 1200000, 0), ("县级财政衔接资金", 240000, 0)],
                         dt.date(y - 1, 9, 1), dt.date(y, 5, 31), **road)
        self.publish(n, clerk, sup, dt.date(y - 1, 8, 10))
        n = self.project(dongfeng, clerk, "DF-ROAD", "completed", "茶园产业路硬化项目",
                         [("中央财政衔接资金", 1200000, 1186400), ("县级财政衔接资金", 240000, 240000)],
                         dt.date(y - 1, 9, 1), dt.date(y, 5, 31),
                         result="已于5月完工并通过县级验收，路面质量合格，结余资金13600元按规定收回。", **road)
        self.publish(n, clerk, sup, dt.date(y, 6, 20))
        # 2. Cattle cooperative, underway, with beneficiary households.
        clerk, sup = staff_of(hongqi)
        n = self.project(hongqi, clerk, "HQ-CATTLE", "underway", "肉牛养殖合作社扩建项目",
                         [("中央财政衔接资金", 800000, 520000), ("村集体自筹", 50000, 50000)],
                         dt.date(y, 3, 1), dt.date(y, 12, 31), location="红旗村第1村民小组",
                         content="新建标准化牛舍1200平方米，购置能繁母牛60头",
                         subsidy_standard="按建设内容据实补助", performance_goal="带动脱贫户和监测户32户增收，户均年增收2000元以上",
                         households_benefiting=32, persons_benefiting=118, **common)
        self.publish(n, clerk, sup, self.today - dt.timedelta(days=5))
        # 3. Drinking water, planned (事前公示), in its notice period now.
        clerk, sup = staff_of(shiqiao)
        n = self.project(shiqiao, clerk, "SQ-WATER", "planned", "农村饮水安全巩固提升项目",
                         [("省级财政衔接资金", 360000, 0), ("县级财政衔接资金", 90000, 0)],
                         self.today + dt.timedelta(days=20), self.today + dt.timedelta(days=140),
                         location="石桥村全村", content="新建200立方米蓄水池1座，铺设供水管网8.6公里",
                         subsidy_standard="按工程预算据实补助", performance_goal="解决412户1530人饮水稳定问题",
                         households_benefiting=412, persons_benefiting=1530, **common)
        self.publish(n, clerk, sup, self.today - dt.timedelta(days=2))
        # 4. Solar plant, accepted years ago.
        n = self.project(shiqiao, clerk, "SQ-SOLAR", "accepted", "村级光伏电站项目",
                         [("中央财政衔接资金", 700000, 700000)], dt.date(y - 2, 3, 1), dt.date(y - 2, 8, 31),
                         location="石桥村村部屋顶", content="建设100千瓦屋顶光伏电站",
                         subsidy_standard="每千瓦7000元", performance_goal="年发电收益约8万元，设置公益岗位12个",
                         households_benefiting=40, persons_benefiting=152,
                         result="已并网发电并通过验收，收益纳入村集体统一管理。", **common)
        self.publish(n, clerk, sup, dt.date(y - 2, 9, 15))

    def every_status(self, villages: list[Village], staff: dict[str, User]) -> None:
        """Drafts, a submitted and an approved notice, a correction and a withdrawal."""
        dongfeng, hongqi, shiqiao = villages
        month = periods.month_of(self.today)
        for village, status in ((dongfeng, Status.DRAFT), (hongqi, Status.SUBMITTED), (shiqiao, Status.APPROVED)):
            clerk, sup = staff[f"clerk-{village.code}"], staff[f"supervisor-{village.code}"]
            notice = notices.create_draft(village, clerk, category="major", period=month,
                                          title=f"{village.name}关于实施村内道路路灯安装一事一议项目的公示",
                                          body="经村党组织提议、村“两委”会议商议、党员大会审议、村民代表会议决议，"
                                               "拟安装太阳能路灯86盏，总投资25.8万元，其中一事一议财政奖补15万元，村民筹资筹劳10.8万元。")
            # 石桥村 met two weeks ago and has not published yet: late on the township dashboard.
            self.decision(notice, clerk, resolved=self.today - dt.timedelta(days=14 if village is shiqiao else 1))
            if status != Status.DRAFT:
                notices.submit(notice, clerk)
            if status == Status.APPROVED:
                notices.approve(notice, sup)
        # A correction: the latest dibao roster of 东风村 had one amount wrong.
        clerk, sup = staff["clerk-dongfeng"], staff["supervisor-dongfeng"]
        old = db.session.execute(select(Notice).where(
            Notice.village_id == dongfeng.id, Notice.roster_kind == "dibao", Notice.status == Status.PUBLISHED
        ).order_by(Notice.period_start.desc())).scalars().first()
        new = notices.start_correction(old, clerk, "第3户保障人口由3人核减为2人，月保障金额相应调整。")
        new.roster_lines[2].household_size = 2
        new.roster_lines[2].amount_fen = 41000
        self.publish(new, clerk, sup, self.today - dt.timedelta(days=1))
        # A withdrawal: a notice published by mistake in 红旗村.
        clerk, sup = staff["clerk-hongqi"], staff["supervisor-hongqi"]
        notice = notices.create_draft(hongqi, clerk, category="other", period=month,
                                      title=f"{hongqi.name}关于村集体经济组织成员身份确认的公示",
                                      body="（本公示因名单尚未经村民代表会议确认而撤回。）")
        self.publish(notice, clerk, sup, self.today - dt.timedelta(days=6))
        notices.withdraw(notice, clerk, "名单尚未经村民代表会议确认，提前发布有误，予以撤回。")


    def decision(self, notice: Notice, clerk: User, resolved: dt.date) -> None:
        """The 四议 of a 一事一议 street-light decision, the villagers' representatives meeting on ``resolved``."""
        decisions.set_decision(notice, clerk, subject="安装太阳能路灯86盏（一事一议）", stage="resolution",
                               proposal="全村主干道和各组连接路安装太阳能路灯，财政奖补不足部分由村民筹资筹劳。",
                               is_yishi=True, levy_per_person_fen=3000, labour_days_per_worker=2, households=215,
                               raised_fen=10_800_000, spent_fen=0)
        for step, days_before, counts in (("proposal", 12, (7, 7, 7, 0, 0)), ("deliberation", 9, (9, 9, 9, 0, 0)),
                                          ("review", 5, (34, 31, 29, 1, 1)), ("resolution", 0, (52, 47, 43, 3, 1))):
            decisions.add_meeting(notice, clerk, decisions.MeetingInput(
                step, resolved - dt.timedelta(days=days_before), *counts), today=self.today)


def load(today: dt.date | None = None) -> tuple[bool, dict[str, str]]:
    """Load the demo unless it is there. Returns (loaded_now, {username: role label})."""
    existing = db.session.execute(select(Township).where(Township.code == TOWNSHIP_CODE)).scalar_one_or_none()
    if existing is None:
        _Loader(today or china_today()).run()
        db.session.commit()
        loaded = True
    else:
        loaded = False
    accounts = db.session.execute(
        select(User).join(Township).where(Township.code == TOWNSHIP_CODE).order_by(User.id)
    ).scalars()
    return loaded, {u.username: u.role.label for u in accounts}
