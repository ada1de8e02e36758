"""``GET /api/v1/wechat/signature``: the JS-SDK signature a page inside WeChat needs.

Public and CORS-open like ``/api/v1/share`` (the widget calls it from the
publisher's page), limited to pages on ``ALLOWED_HOSTS`` and rate-limited per
client. Off (404 ``wechat_not_configured``) unless ``WECHAT_APP_ID`` and
``WECHAT_APP_SECRET`` are set; the widget takes that 404 as "leave WeChat's
defaults alone".
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, redirect, request

from share import services
from share.config import SettingError
from share.links.urls import host_allowed, host_of
from share.wechat.signature import page_url
from share.wechat.tickets import Credentials, TicketSource, WeChatApi, WeChatUnavailable

from .errors import ApiError
from .extensions import limiter, share_rate_limit

bp = Blueprint("wechat", __name__)


def init_app(app: Flask) -> None:
    """Give the app its ticket source when both WeChat settings are set; one alone stops start-up."""
    app_id, secret = app.config.get("WECHAT_APP_ID"), app.config.get("WECHAT_APP_SECRET")
    if not app_id and not secret:
        return
    if not (app_id and secret):
        missing = "SHARE_WECHAT_APP_SECRET" if app_id else "SHARE_WECHAT_APP_ID"
        raise SettingError(
            f"{missing} is not set: the WeChat signature service needs both "
            "SHARE_WECHAT_APP_ID and SHARE_WECHAT_APP_SECRET (or neither)."
        )
    credentials = Credentials(str(app_id).strip(), str(secret).strip(), app.config["WECHAT_API"])
    holder = services.of(app)
    holder.wechat = TicketSource(holder.engine, WeChatApi(credentials))


@bp.get("/api/v1/wechat/signature")
@limiter.limit(share_rate_limit)
def signature():
    """``{appId, timestamp, nonceStr, signature}`` for ``wx.config`` on the page ``url``."""
    source = services.current().wechat
    if source is None:
        raise ApiError(
            404,
            "wechat_not_configured",
            "This service has no WeChat official account configured "
            "(SHARE_WECHAT_APP_ID and SHARE_WECHAT_APP_SECRET).",
        )
    url = page_url(request.args.get("url"))
    host = host_of(url)
    if not host_allowed(host, current_app.config["ALLOWED_HOSTS"]):
        raise ApiError(
            403,
            "host_not_allowed",
            f"Pages on {host} are not served by this service; "
            "ask its operator to add the host to SHARE_ALLOWED_HOSTS.",
        )
    try:
        signed = source.signed(url)
    except WeChatUnavailable as exc:
        current_app.logger.error("WeChat signature unavailable: %s", exc)
        raise ApiError(503, "wechat_unavailable", f"{exc} Try again in a minute.") from None
    response = jsonify(
        appId=source.app_id,
        timestamp=signed.timestamp,
        nonceStr=signed.nonce,
        signature=signed.signature,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/wechat-jssdk.js")
def jssdk():
    """A redirect to WeChat's JS-SDK script (``SHARE_WECHAT_JSSDK_URL``), which the widget loads.

    The widget asks for it only inside WeChat and only after a signature was
    granted, so the one third-party script stays opt-in; pointing the setting
    elsewhere (a stub in tests, a self-hosted copy) needs no change to the widget.
    """
    if services.current().wechat is None:
        raise ApiError(
            404,
            "wechat_not_configured",
            "This service has no WeChat official account configured.",
        )
    response = redirect(current_app.config["WECHAT_JSSDK_URL"], 302)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.after_request
def _cors(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET"
    return response
