"""The one refusal type users see, and the one error edge: every error a
person can meet (400/CSRF, 403, 404, 405, 413, 429, 500, a ServiceError that
reached the commit) is answered here, once, in the face the request came
from: the kiosk's page (templates/kiosk/error.html, with 返回/首页 and the
idle timer), the phone's (templates/mobile/error.html), the staff side's
(templates/admin/error.html) or JSON for /api. Never Werkzeug's English page."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError


class ServiceError(ValueError):
    """A refusal the user must see; ``str(err)`` is a Chinese message.
    ``field`` names the form field it belongs to, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class ErrorText:
    title: str
    message: str


#: What a person reads for each status; a villager's words, not HTTP's.
TEXTS = {
    400: ErrorText("页面已过期", "这一页放得太久或者来源不明，没有保存任何内容。请返回上一页，重新点一次。"),
    403: ErrorText("无权访问", "您的账号无权查看或操作此内容。"),
    404: ErrorText("没有找到这一页", "要找的内容不存在，或者已经不再公开。请返回，或回到首页重新选择。"),
    405: ErrorText("没有找到这一页", "这个地址不能这样打开。请返回，或回到首页重新选择。"),
    413: ErrorText("文件太大", "上传的文件太大了。请删去多余的工作表或图片，或分成几个文件上传。"),
    429: ErrorText("请稍后再试", "按得太频繁了。请过几分钟再试，或直接打电话给村务监督委员会、乡镇。"),
    500: ErrorText("出了点问题", "系统暂时出了点问题，您的操作没有完成。请稍后再试，或回到首页。"),
}
#: The staff side's own words where they differ (admin/error.html).
ADMIN_TEXTS = {
    400: ErrorText("页面已过期", "表单已过期或来源不明，请返回上一页刷新后重新提交。"),
    404: ErrorText("找不到页面", "没有找到您要的内容，或者它不属于您负责的村。"),
}
#: The open-data API's JSON errors: a stable code and a Chinese message
#: (the ``Error`` schema of /api/openapi.json).
API_ERRORS = {
    400: ("bad_request", "请求格式不对"),
    403: ("forbidden", "无权访问"),
    404: ("not_found", "没有这个地址，或内容不存在、未公开"),
    405: ("method_not_allowed", "开放数据接口只接受 GET 请求"),
    413: ("too_large", "请求太大"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试"),
    500: ("server_error", "服务器出错，请稍后再试"),
}


def face_of(path: str) -> str:
    """Which face answers for a path: kiosk, admin, api or mobile (the phone,
    also for /p, /v, /card and anything else a villager opens)."""
    for prefix, face in (("/kiosk", "kiosk"), ("/admin", "admin"), ("/api/", "api")):
        if path.startswith(prefix):
            return face
    return "mobile"


def error_page(status: int, message: str | None = None, title: str | None = None):
    """The response for an error: the status's text (or the given one) in the
    face of the current request."""
    from .extensions import db

    db.session.rollback()
    face = face_of(request.path)
    if face == "api":
        code, api_message = API_ERRORS.get(status, ("error", "请求未能完成"))
        return jsonify(error=code, message=message or api_message), status
    text = (ADMIN_TEXTS.get(status) if face == "admin" else None) or TEXTS.get(status) \
        or TEXTS[500 if status >= 500 else 404]
    if status == 413 and request.max_content_length and not message:
        limit = request.max_content_length // (1024 * 1024)
        message = f"上传的文件超过了{limit}MB的限制。请删去多余的工作表或图片，或分成几个文件上传。"
    title, message = title or text.title, message or text.message
    if face == "admin":
        return render_template("admin/error.html", title=title, message=message, status=status), status
    village = g.get("village")
    home = url_for(f"{face}.home", code=village.code) if village else url_for(f"{face}.village_list")
    return render_template(f"{face}/error.html", title=title, message=message, status=status, face=face,
                           base_template=f"{face}/base.html", home_url=home, back_url=_back_url(face) or home,
                           phone_qr=False,
                           idle_seconds=int(current_app.config.get("KIOSK_IDLE_SECONDS", 90))), status


def _back_url(face: str) -> str | None:
    """The page the person came from, when it is one of this face's own pages."""
    came_from = urlsplit(request.referrer or "")
    if came_from.netloc != request.host or not came_from.path.startswith(f"/{'kiosk' if face == 'kiosk' else 'm'}/"):
        return None
    if came_from.path == request.path:
        return None
    return came_from.path + (f"?{came_from.query}" if came_from.query else "")


#: A Host header outside TRUSTED_HOSTS: a fixed page, since nothing about that
#: request (its host above all) may shape the answer.
_UNTRUSTED_HOST = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>地址不正确</title>
<link rel="stylesheet" href="/static/common/error.css"></head>
<body><main><h1>地址不正确</h1><p>本系统不接受以这个地址访问。请使用管理员公布的网址；管理员可设置
PUBLIC_BASE_URL 或 TRUSTED_HOSTS。</p></main></body></html>"""


def register(app: Flask) -> None:
    """Register the error edge on the app, once."""

    @app.errorhandler(SecurityError)
    def _untrusted_host(error: SecurityError):  # noqa: ANN202
        """A Host header outside TRUSTED_HOSTS: it would decide QR codes and cache names."""
        return Response(_UNTRUSTED_HOST, status=400, mimetype="text/html")

    @app.errorhandler(ServiceError)
    def _refused(error: ServiceError):  # noqa: ANN202
        """A refusal that reached the commit (e.g. text longer than its column):
        nothing is written, the person reads why."""
        return error_page(400, title="未能保存", message=f"{error.message} 没有写入任何内容。请返回上一页修改后再试。")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):  # noqa: ANN202
        if error.code is None or error.code < 400 or error.response is not None:
            return error
        response, status = error_page(error.code)
        if error.code == 405 and getattr(error, "valid_methods", None):
            response = current_app.make_response((response, status))
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response, status

    @app.errorhandler(InternalServerError)
    def _crash(error: InternalServerError):  # noqa: ANN202
        return error_page(500)
