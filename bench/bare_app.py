"""The baseline for the redirect benchmark: a bare Flask app answering the
same 302 (same headers) with no lookup and no recording."""

from flask import Flask, redirect

app = Flask(__name__)


@app.get("/s/<code>")
def scan(code):
    response = redirect("https://example.com/article", 302)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


_HEADERS = [
    ("Location", "https://example.com/article"),
    ("Cache-Control", "no-store"),
    ("X-Robots-Tag", "noindex"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Length", "0"),
]


def raw(environ, start_response):
    """The Python ceiling: the same 302 from a bare WSGI function, no framework at all."""
    start_response("302 Found", _HEADERS)
    return [b""]
