"""``flask --app wsgi …`` commands: users, demo, import, verify-chain, backup, places, jobs, keys,
catalogue, files, privacy."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from .extensions import db
from .models import Role, Township, User, Village


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(verify_chain)
    app.cli.add_command(import_cli)
    app.cli.add_command(backup_cmd)
    app.cli.add_command(places_cli)
    app.cli.add_command(restore_cmd)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(search_reindex)
    app.cli.add_command(catalogue_cli)
    app.cli.add_command(files_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(library_cli)


register_cli = register


@click.group("users", cls=AppGroup, help="管理工作人员账号")
def users_cli() -> None:
    pass


@users_cli.command("create")
@click.option("--username", prompt="用户名")
@click.option("--name", "display_name", prompt="姓名（显示用）")
@click.option("--role", type=click.Choice([r.value for r in Role]), prompt="角色", default=Role.CLERK.value)
@click.option("--township", "township_code", help="乡镇代码（只有一个乡镇时可省略；县级管理员填本县任一乡镇）")
@click.option("--village", "village_code", help="村代码（村报账员、监督委员会成员必填）")
def users_create(username: str, display_name: str, role: str, township_code: str | None, village_code: str | None) -> None:
    """Create a staff account. The password is prompted, never an argument."""
    from .services import ServiceError
    from .services.users import create_user

    village = None
    if village_code:
        village = db.session.execute(select(Village).where(Village.code == village_code)).scalar_one_or_none()
        if village is None:
            raise click.ClickException(f"没有代码为 {village_code} 的村")
    if village is not None:
        township = village.township
    elif township_code:
        township = db.session.execute(select(Township).where(Township.code == township_code)).scalar_one_or_none()
    else:
        townships = db.session.execute(select(Township)).scalars().all()
        township = townships[0] if len(townships) == 1 else None
    if township is None:
        raise click.ClickException("请用 --township 指定乡镇代码")
    password = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    try:
        user = create_user(username=username, display_name=display_name, password=password, role=Role(role),
                           township=township, village=village)
    except ServiceError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    db.session.commit()
    click.echo(f"已创建 {user.username}（{user.role.label}）")


@click.group("demo", cls=AppGroup, help="演示数据")
def demo_cli() -> None:
    pass


@demo_cli.command("load")
def demo_load() -> None:
    """Load the demo township (does nothing if it is already there)."""
    from .demo import load

    loaded, accounts = load()
    click.echo("演示数据已载入。" if loaded else "演示数据已存在，未作改动。")
    click.echo(f"演示账号（仅供演示，密码均为 {current_app.config['DEMO_PASSWORD']}）：")
    for username, role in accounts.items():
        click.echo(f"  {username:24s} {role}")


@click.command("verify-chain")
@with_appcontext
@click.option("--anchor", "anchors", multiple=True, metavar="村代码:链头码",
              help="核对一份旧公示或旧订阅上的链头码，如 dongfeng:17-K3F9-QX2M（可多次）")
def verify_chain(anchors: tuple[str, ...]) -> None:
    """Check every published version against its hash and the village chain,
    and any chain head held outside the database (printed 链头 codes, feeds)."""
    from .services.chain import check_head_code, verify_all

    problems: list[object] = list(verify_all())
    for anchor in anchors:
        village_code, _, code = anchor.partition(":")
        village = db.session.execute(select(Village).where(Village.code == village_code.strip())).scalar_one_or_none()
        if village is None:
            raise click.ClickException(f"没有代码为 {village_code} 的村")
        problem = check_head_code(village, code)
        if problem:
            problems.append(problem)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise SystemExit(1)
    count = db.session.execute(select(db.func.count()).select_from(Village)).scalar_one()
    click.echo(f"哈希链完好：{count}个村的全部已公布版本均未被改动。")
    if anchors:
        click.echo(f"所核对的{len(anchors)}个链头码均与现在的链条一致。")


@click.command("search-reindex")
@with_appcontext
def search_reindex() -> None:
    """Build the keyword index afresh from every published notice and library document."""
    from .services import search

    count = search.rebuild()
    db.session.commit()
    click.echo(f"关键词索引已重建：{count}条。")


@click.command("import")
@with_appcontext
@click.argument("what", type=click.Choice(["ledger", "roster"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--village", "village_code", required=True, help="村代码")
@click.option("--kind", help="名单类型（dibao、gengdi …）；不填则从表格标题识别")
@click.option("--user", "username", help="以哪个工作人员的名义导入（默认乡镇管理员）")
@click.option("--dry-run", is_flag=True, help="只检查，不写入")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果")
def import_cli(what: str, file: Path, village_code: str, kind: str | None, username: str | None,
               dry_run: bool, as_json: bool) -> None:
    """Import a ledger or roster file into a new draft notice."""
    from .services import ServiceError
    from .services.imports import import_file

    village = db.session.execute(select(Village).where(Village.code == village_code)).scalar_one_or_none()
    if village is None:
        raise click.ClickException(f"没有代码为 {village_code} 的村")
    query = select(User).where(User.township_id == village.township_id)
    query = query.where(User.username == username) if username else query.where(User.role == Role.TOWNSHIP_ADMIN)
    user = db.session.execute(query.order_by(User.id)).scalars().first()
    if user is None:
        raise click.ClickException("找不到执行导入的工作人员账号")
    try:
        outcome = import_file(what, file.read_bytes(), file.name, village=village, user=user, kind=kind,
                              dry_run=dry_run)
    except ServiceError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    if outcome.notice is not None and not dry_run:
        db.session.commit()
    else:
        db.session.rollback()
    summary = outcome.result.summary_json()
    if outcome.notice is not None:
        summary["notice_id"] = outcome.notice.id
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
    else:
        click.echo(outcome.message)
        tally = outcome.result.tally()
        if tally["file_rows"]:
            from .importing import SKIP_KINDS

            skipped = "".join(f"，{label}{tally[k]}行" for k, label in SKIP_KINDS.items() if tally[k])
            good = "导入" if outcome.result.ok else "没有错误的行"
            click.echo(f"表格共{tally['file_rows']}行：{good}{tally['imported']}行{skipped}，"
                       f"有错误的行{tally['problem_rows']}行。")
        for problem in outcome.result.problems_in_order():
            column = f" {problem.column}" if problem.column else ""
            click.echo(f"  {problem.where}{column}：{problem.message}{'（提醒）' if problem.is_warning else ''}")
    if not outcome.result.ok:
        sys.exit(1)


@click.command("backup")
@with_appcontext
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup_cmd(target: Path | None) -> None:
    """Write a consistent backup of the database (safe while the board runs)."""
    import datetime as dt

    from .backup import BackupError, backup

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if target is None:
        suffix = "sqlite" if url.startswith("sqlite") else "pgdump"
        target = Path(current_app.instance_path) / "backups" / f"board-{dt.datetime.now():%Y%m%d-%H%M%S}.{suffix}"
    db.session.remove()
    try:
        backup(url, target)
    except BackupError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"已备份到 {target}")


@click.command("restore")
@with_appcontext
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="不再确认")
def restore_cmd(source: Path, yes: bool) -> None:
    """Replace the database by a backup. Stop the board first."""
    from .backup import BackupError, restore

    if not yes:
        click.confirm("恢复将覆盖当前数据库中的全部数据，确定继续？", abort=True)
    db.session.remove()
    db.engine.dispose()
    try:
        restore(current_app.config["SQLALCHEMY_DATABASE_URI"], source)
    except BackupError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"已从 {source} 恢复")


@click.group("places", cls=AppGroup, help="乡镇和村的设置")
def places_cli() -> None:
    pass


@places_cli.command("add-township")
@click.argument("code")
@click.argument("name")
@click.option("--phone", default="", help="乡镇受理异议的办公电话")
@click.option("--county", default="", help="所属县（市、区）")
def places_add_township(code: str, name: str, phone: str, county: str) -> None:
    """Add a township: CODE (for URLs) and its Chinese NAME."""
    from .services import ServiceError
    from .services.places import create_township

    try:
        township = create_township(code, name, phone=phone, county=county)
    except ServiceError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    db.session.commit()
    click.echo(f"已添加乡镇 {township.name}（{township.code}）")


@places_cli.command("add-village")
@click.argument("code")
@click.argument("name")
@click.option("--township", "township_code", required=True, help="乡镇代码")
@click.option("--groups", type=int, required=True, help="村民小组数")
@click.option("--supervision-phone", default="", help="村务监督委员会电话")
@click.option("--opening-balance", default="0", help="账面期初余额（元），如 123456.78")
@click.option("--opening-date", type=click.DateTime(formats=["%Y-%m-%d"]), help="期初余额所在日期，如 2024-12-31")
def places_add_village(code: str, name: str, township_code: str, groups: int, supervision_phone: str,
                       opening_balance: str, opening_date) -> None:  # noqa: ANN001
    """Add a village: CODE (its kiosk URL is /kiosk/CODE) and its Chinese NAME."""
    from .money import MoneyError, parse_amount
    from .services import ServiceError
    from .services.places import create_village

    township = db.session.execute(select(Township).where(Township.code == township_code)).scalar_one_or_none()
    if township is None:
        raise click.ClickException(f"没有代码为 {township_code} 的乡镇")
    try:
        balance = parse_amount(opening_balance, allow_negative=True)
        village = create_village(township, code, name, groups=groups, supervision_phone=supervision_phone,
                                 opening_balance_fen=balance, opening_date=opening_date.date() if opening_date else None)
    except (ServiceError, MoneyError) as err:
        db.session.rollback()
        raise click.ClickException(str(err)) from None
    db.session.commit()
    click.echo(f"已添加 {township.name}{village.name}（{village.code}），{groups}个村民小组；触摸屏地址 /kiosk/{village.code}")


@click.group("files", cls=AppGroup, help="照片和PDF文件的存放")
def files_cli() -> None:
    pass


@files_cli.command("import-folder")
def files_import_folder() -> None:
    """Copy photos and PDFs kept in instance/ into the database (once, after moving to FILE_STORE=db)."""
    from .storage import import_folder

    count = import_folder()
    db.session.commit()
    click.echo(f"已存入数据库 {count} 个文件")


@click.group("library", cls=AppGroup, help="村规民约和制度（文件库）")
def library_cli() -> None:
    pass


@library_cli.command("render-pages")
def library_render_pages() -> None:
    """Page pictures for the kiosk and phone of library PDFs entered before
    there were any (idempotent: scripts/setup.sh runs it after each upgrade)."""
    from .services.library import render_missing_pages

    done, refused = render_missing_pages()
    db.session.commit()
    click.echo(f"已生成页面图片：{len(done)}份文件")
    for doc, reason in refused:
        click.echo(f"未生成（触摸屏仍显示二维码）：文件{doc.id}《{doc.title}》：{reason}")


@click.group("jobs", cls=AppGroup, help="后台任务（批量打印等）")
def jobs_cli() -> None:
    pass


@jobs_cli.command("worker")
@click.option("--once", is_flag=True, help="做完现在能做的任务就退出（测试用）")
@click.option("--poll", type=float, default=None, help="队列为空时每隔几秒查看一次（默认 JOBS_POLL_SECONDS，2 秒）")
def jobs_worker(once: bool, poll: float | None) -> None:
    """Run queued jobs until stopped (SIGTERM/Ctrl-C); a job it was on goes back to the queue."""
    import logging

    from .workqueue import work

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ran = work(current_app._get_current_object(), once=once, poll=poll)
    if once:
        click.echo(f"完成 {ran} 个任务")


@click.group("keys", cls=AppGroup, help="""身份证指纹密钥（独立于 SECRET_KEY，分版本）。

\b
身份证号从不保存，只保存它的带密钥指纹（HMAC-SHA256），用来发现重复领取和供村民自助查询。
密钥环在 instance/fingerprint_keys（首次启动时生成，0600），或环境变量
FINGERPRINT_KEYS（1:密钥,2:密钥）与 FINGERPRINT_KEY_ID（当前版本）。
第 1 版：指纹 = HMAC(密钥1, 身份证号)；以后每版套一层：指纹v = HMAC(密钥v, 指纹v-1)。
所以轮换时不需要身份证号就能把已存的指纹换成新版本，同一个人轮换前后的指纹仍然相同，
重复领取预警照常发现。已公布版本的名单行另外保留封存时的旧指纹（哈希和承诺值覆盖它，
公布的版本永不改变）。密钥只增不删。""")
def keys_cli() -> None:
    pass


@keys_cli.command("status")
@with_appcontext
def keys_status() -> None:
    """当前密钥版本、密钥来源，以及各版本下已存指纹的数量。"""
    from . import keys
    from .services.rekey import versions_in_use

    ring = keys.ring()
    source = {"file": current_app.config.get("FINGERPRINT_KEYS_FILE"), "environment": "环境变量 FINGERPRINT_KEYS",
              "config": "配置"}[ring.source]
    click.echo(f"当前版本：{ring.current}（共 {len(ring.keys)} 版；来源：{source}）")
    for table, counts in versions_in_use().items():
        listed = "，".join(f"第{v}版 {n} 条" for v, n in sorted(counts.items())) or "无"
        click.echo(f"  {table}: {listed}")
    if ring.key(1) == current_app.config["SECRET_KEY"].encode() and ring.current == 1:
        click.echo("注意：第 1 版指纹密钥沿用了旧的 SECRET_KEY，请运行 flask keys rotate 换成独立密钥。")


@keys_cli.command("rotate")
@with_appcontext
def keys_rotate() -> None:
    """生成新版本密钥并设为当前版本，再把所有已存指纹换到新版本。

    \b
    重新计算：名单行、干部亲属登记、自助查询记录的指纹，以及已有重复领取预警的键
    （预警不会重复提出）。已公布版本的名单行先保留封存时的指纹，以便继续核验哈希链。
    旧密钥留在密钥环中（旧承诺值和第 1 版指纹的计算需要它），但数据库里不再有只凭
    旧密钥就能核对的指纹（封存副本除外）。密钥来自环境变量时，请先在 FINGERPRINT_KEYS
    中加一版、把 FINGERPRINT_KEY_ID 改成它并重启，再运行 flask keys rekey。"""
    from . import keys
    from .services.rekey import rekey

    ring = keys.ring()
    if ring.source != "file":
        raise click.ClickException("密钥来自环境变量 FINGERPRINT_KEYS：请在其中加一版新密钥，"
                                   "把 FINGERPRINT_KEY_ID 改成新版本并重启，然后运行 flask keys rekey")
    new = ring.rotated()
    # The file first: should the database step fail, rows keep their versions
    # (still compared correctly, every comparison lifts) and `keys rekey` finishes.
    keys.write_file(Path(current_app.config["FINGERPRINT_KEYS_FILE"]), new)
    done = rekey(new)
    db.session.commit()
    click.echo(f"已生成第 {new.current} 版指纹密钥并设为当前版本；已换到新版本：{done}。")


@keys_cli.command("rekey")
@with_appcontext
def keys_rekey() -> None:
    """把低于当前版本的已存指纹换到当前版本（密钥来自环境变量时，改了 FINGERPRINT_KEY_ID 之后运行；
    或 rotate 中途失败后再运行一次）。"""
    from . import keys
    from .services.rekey import rekey

    ring = keys.ring()
    done = rekey(ring)
    db.session.commit()
    click.echo(f"当前版本 {ring.current}；已换到当前版本：{done}。")


@click.group("catalogue", cls=AppGroup, help="公开目录：公开类别和名单类型")
def catalogue_cli() -> None:
    pass


@catalogue_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出全部设置")
def catalogue_list(as_json: bool) -> None:
    """Every category and roster kind with its settings."""
    from . import catalogue

    data = catalogue.as_json()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    names = catalogue.FREQUENCY_NAMES
    for c in data["categories"]:
        click.echo(f"{c['code']:<12} {c['name']}（{names.get(c['frequency'], c['frequency'])}，公示不少于{c['min_notice_days']}天）")
        for k in (k for k in data["kinds"] if k["category"] == c["code"]):
            click.echo(f"  {k['code']:<12} {k['name']}（{names.get(k['frequency'], k['frequency'])}，"
                       f"公示不少于{k['min_notice_days']}天）")


@click.group("privacy", cls=AppGroup, help="个人隐私：检查已存文字中的号码")
def privacy_cli() -> None:
    pass


@privacy_cli.command("sweep")
@click.option("--fix", is_flag=True, help="遮盖未封存文字中的号码（草稿、提问答复、文件库、日志）")
@click.option("--correct-as", "correct_as", metavar="用户名",
              help="为已公布公示中含号码的，以该用户身份发起更正草稿（仍需审核后公布）")
def privacy_sweep(fix: bool, correct_as: str | None) -> None:
    """Find stored free text that still holds a full ID, account or mobile number.

    Prints tables, fields and row ids, never the text. Exits with 1 while
    something still needs a person."""
    from .services import ServiceError
    from .services import privacy_sweep as sweeping

    user = None
    if correct_as:
        user = db.session.execute(select(User).where(User.username == correct_as.strip().lower())).scalar_one_or_none()
        if user is None:
            raise click.ClickException(f"没有用户名为 {correct_as} 的账号")
    try:
        report = sweeping.sweep(fix=fix, correct_as=user)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"检查完毕：发现{len(report.findings)}处。")
    for table, count in sorted(report.fixed.items()):
        click.echo(f"已遮盖 {table}：{count}行")
    if report.audit_rows_fixed:
        click.echo(f"已遮盖 操作日志：{report.audit_rows_fixed}条")
    for notice_id in report.corrections:
        click.echo(f"已发起更正草稿 #{notice_id}，请提交审核后公布")
    for finding in report.remaining:
        click.echo(f"待处理 {finding.describe()}")
    if report.remaining:
        hints = (["未封存的文字：加 --fix 遮盖"] if any(not f.sealed for f in report.remaining) else []) + (
            ["已公布的公示须更正：加 --correct-as 用户名"] if any(f.sealed for f in report.remaining) else [])
        click.echo(f"仍有{len(report.remaining)}处待处理。{'；'.join(hints)}")
        raise SystemExit(1)
