import os


class Config:
    # The metrics upstream was decommissioned; its DNS name still points at
    # the deleted cloud app.
    METRICS_URL = os.environ.get("METRICS_URL", "https://metrics.vulnshop.test/v1/push")
    BILLING_URL = "http://billing.vulnshop.test/charge"
    API_TOKEN = "vs7Qm2Xr9Lp4Vt8Wz3Nb6Yc1Hd5Kf0Rj"
