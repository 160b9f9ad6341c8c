import os

import requests

from .upstream import METRICS_ROOT


def push(report):
    token = os.environ["METRICS_TOKEN"]
    return requests.post(METRICS_ROOT + "/v1/push", json=report,
                         headers={"Authorization": f"Bearer {token}"}, timeout=5)
