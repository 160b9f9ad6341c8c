from shop.partner.transport import authed_get, plain_get, post_callback

DAILY = "https://reports.pywrap.svc-sample.io/daily"


def run(token):
    authed_get(DAILY, token)
    authed_get("https://audit.pywrap.svc-sample.io/log", token)
    post_callback("https://callback.pyclean.svc-sample.io/done", token)
    plain_get("https://public.pyclean.svc-sample.io/status")
