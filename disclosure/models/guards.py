"""Text longer than its column is refused before it reaches the database,
with a Chinese message, the same on every backend (PostgreSQL would raise a
DataError, SQLite would silently keep it)."""

from __future__ import annotations

from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session

from ..errors import ServiceError

#: Chinese names of the columns people type into.
LABELS = {
    "title": "标题", "name": "名称", "display_name": "姓名", "username": "用户名", "summary": "摘要",
    "voucher_no": "凭证号", "handler": "经手人", "note": "备注", "location": "地点", "lessee": "承租方",
    "size": "面积/数量", "kind": "类型", "source": "资金来源", "responsible": "责任人", "implementer": "实施单位",
    "period_label": "期间", "phone": "电话", "supervision_phone": "监督电话", "code": "代码", "contact": "联系方式",
    "requester": "申请人", "cadre_name": "干部姓名", "relation": "关系", "county": "县",
    "grade": "等级",
}


def check_lengths(obj: object) -> None:
    mapper = inspect(obj).mapper
    for column in mapper.columns:
        length = getattr(column.type, "length", None)
        if not isinstance(column.type, String) or not length:
            continue
        value = getattr(obj, mapper.get_property_by_column(column).key, None)
        if isinstance(value, str) and len(value) > length:
            label = LABELS.get(column.key, column.key)
            raise ServiceError(f"{label}太长：最多{length}个字，现有{len(value)}个字", column.key)


@event.listens_for(Session, "before_flush")
def _refuse_overlong_text(session: Session, flush_context, instances) -> None:  # noqa: ANN001
    for obj in list(session.new) + list(session.dirty):
        check_lengths(obj)
