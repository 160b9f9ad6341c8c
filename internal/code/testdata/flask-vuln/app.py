import os

import requests
from flask import Flask, jsonify, request

from config import Config

app = Flask(__name__)
app.config.from_object(Config)

billing = requests.Session()
billing.headers.update({"Authorization": "Bearer " + Config.API_TOKEN})


def auth_headers():
    return {"Authorization": f"Bearer {os.environ['API_TOKEN']}"}


@app.route("/report", methods=["POST"])
def report():
    resp = requests.post(app.config["METRICS_URL"], json=request.get_json(), headers=auth_headers())
    return jsonify(resp.json())


@app.route("/charge", methods=["POST"])
def charge():
    r = billing.post(Config.BILLING_URL, json=request.get_json(), timeout=5, verify=False)
    return jsonify(r.json())


@app.route("/preview")
def preview():
    target = request.args.get("url")
    r = requests.get(target, headers=auth_headers(), timeout=5)
    return r.text


def fetch_following(url):
    r = requests.get(url, headers=auth_headers(), allow_redirects=False, timeout=5)
    if r.status_code in (301, 302, 307, 308):
        r = requests.get(r.headers["Location"], headers=auth_headers(), timeout=5)
    return r
