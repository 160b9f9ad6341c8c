import os
from urllib.parse import urlparse

ALLOWED_UPSTREAMS = {"metrics.cleanshop.test", "api.cleanshop.test"}


class Config:
    METRICS_URL = os.environ.get("METRICS_URL", "https://metrics.cleanshop.test/v1/push")
    BILLING_URL = "https://api.cleanshop.test/charge"
    API_TOKEN = os.environ["API_TOKEN"]


for url in (Config.METRICS_URL, Config.BILLING_URL):
    if urlparse(url).hostname not in ALLOWED_UPSTREAMS:
        raise RuntimeError("upstream not allowed: " + url)
