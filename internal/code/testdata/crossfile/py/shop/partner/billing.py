from .base import BaseAPI


class Billing(BaseAPI):
    base_url = "https://billing.pybase.svc-sample.io/v2"
    status_url = "https://status.pybase.svc-sample.io/billing"

    def charge(self, amount):
        return self._request("POST", "/charge")


class Unrelated:
    base_url = "https://other.pybase.svc-sample.io"
