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
    return response
