import requests


class BaseAPI:
    def __init__(self, token):
        self.token = token

    def _request(self, method, path):
        return requests.request(method, self.base_url + path,
                                headers={"Authorization": "Bearer " + self.token}, timeout=5)
