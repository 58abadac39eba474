"""The OpenAPI document (/api/v1/openapi.json) and its browsable page (/api/v1/docs)."""

from __future__ import annotations

import copy

from flask import Blueprint, current_app, jsonify, render_template, url_for

from app.core.permissions import public

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1", template_folder="templates")

# Every operation may answer these (documented once, referenced by each operation).
ERROR_STATUSES = {
    "400": "请求无效（如 JSON 格式错误）",
    "401": "缺少、无效或已撤销的 API 令牌",
    "403": "角色无权进行此操作",
    "404": "接口或记录不存在（含其他单位的记录）",
    "409": "记录已被他人修改（version 过期），附当前内容",
    "413": "请求内容超过 1 MB",
    "422": "字段校验未通过（含未知字段），fields 逐项说明",
    "429": "请求过于频繁（按令牌限流），见 Retry-After",
}
PUBLIC_PATHS = ("/api/v1/openapi.json", "/api/v1/docs")


def spec_document() -> dict:
    """The spec of every API resource, with the bearer scheme and the errors documented."""
    spec = copy.deepcopy(current_app.extensions["crm_api"].spec.to_dict())
    components = spec.setdefault("components", {})
    components.setdefault("securitySchemes", {})["bearerAuth"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "个人 API 令牌（个人设置页面创建，或 flask create-token）",
    }
    responses = components.setdefault("responses", {})
    for status, description in ERROR_STATUSES.items():
        responses[f"Error{status}"] = {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    spec["security"] = [{"bearerAuth": []}]
    for operations in spec.get("paths", {}).values():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            documented = operation.setdefault("responses", {})
            documented.pop("default", None)
            for status in ERROR_STATUSES:
                documented.setdefault(status, {"$ref": f"#/components/responses/Error{status}"})
    return spec


@bp.route("/openapi.json")
@public
def openapi_json():
    """The OpenAPI 3 document, generated from the code."""
    return jsonify(spec_document())


@bp.route("/docs")
@public
def docs():
    """Swagger UI on the spec, from vendored assets."""
    return render_template("api/docs.html", spec_url=url_for("api_docs.openapi_json"))
