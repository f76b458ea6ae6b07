"""Locust load: village kiosks refreshing and bursts of phone QR scans.

URLs come from LOAD_TARGETS (a file of JSON written by tools/load.py, which
crawls the running board's public pages and reads the printed QR codes first).
Every simulated device has its own address in X-Forwarded-For (the board runs
with TRUST_PROXY=1, as behind nginx), so per-address rate limits count per device."""

import itertools
import json
import os
import random

from locust import HttpUser, between, task

TARGETS = json.loads(open(os.environ["LOAD_TARGETS"], encoding="utf-8").read())
VILLAGES = sorted(TARGETS["villages"])
_addresses = itertools.count(1)
#: The nodes (LOAD_HOSTS, by tools/load.py): each device talks to one, as behind a load balancer.
HOSTS = os.environ.get("LOAD_HOSTS", "").split()
_next_host = itertools.cycle(HOSTS or [None])


def _own_node(user: HttpUser) -> None:
    host = next(_next_host)
    if host:
        user.client.base_url = host


def _own_address(user: HttpUser, prefix: int) -> None:
    n = next(_addresses)
    user.client.headers["X-Forwarded-For"] = f"10.{prefix}.{n // 250}.{n % 250 + 1}"


class Kiosk(HttpUser):
    """A village touch screen: the attract/home screen every few seconds, sometimes a deeper page."""

    fixed_count = int(os.environ.get("LOAD_KIOSKS", "300"))
    wait_time = between(3, 8)

    def on_start(self) -> None:
        _own_address(self, 1)
        _own_node(self)
        self.pages = TARGETS["villages"][random.choice(VILLAGES)]

    @task(3)
    def home(self) -> None:
        self.client.get(random.choice(self.pages["home"]), name="kiosk home")

    @task(2)
    def deeper(self) -> None:
        self.client.get(random.choice(self.pages["pages"]), name="kiosk page")


class PhoneScan(HttpUser):
    """A villager scanning the QR code on a paper notice: the verify page, then the
    notice's phone page, then a few more phone pages; then the next villager."""

    fixed_count = int(os.environ.get("LOAD_PHONES", "50"))
    wait_time = between(0.2, 1.5)

    def on_start(self) -> None:
        _own_address(self, 2)
        _own_node(self)

    @task(1)
    def scan(self) -> None:
        _own_address(self, 2)  # a burst: each scan comes from another phone
        verify, phone = random.choice(TARGETS["scans"])
        self.client.get(verify, name="QR scan /v/<code>")
        if phone:
            self.client.get(phone, name="phone notice page")

    @task(2)
    def browse(self) -> None:
        self.client.get(random.choice(TARGETS["mobile"]), name="phone page")
