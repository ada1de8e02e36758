"""WeChat-native sharing: the JS-SDK signature service (opt-in).

Inside WeChat's browser, "···" → "Send to friend" shows an article's title,
summary and thumbnail only when the page has configured WeChat's JS-SDK with
a server-side signature. :mod:`.signature` signs a page URL with a jsapi
ticket; :mod:`.tickets` fetches and caches that ticket (and the access token
it needs) so every worker and instance shares one, refreshed by one process
at a time. Nothing here imports Flask.
"""
