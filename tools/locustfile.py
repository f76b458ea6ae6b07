"""Locust load: village kiosks refreshing and bursts of phone QR scans.

URLs come from LOAD_TARGETS (a file of JSON written by tools/load.py, which
crawls the running board's public pages first)."""

import json
import os
import random

from locust import HttpUser, between, task

TARGETS = json.loads(open(os.environ["LOAD_TARGETS"], encoding="utf-8").read())


class Kiosk(HttpUser):
    """A touch screen: the attract/home screen every few seconds, sometimes a deeper page."""

    weight = 6
    wait_time = between(3, 8)

    @task(3)
    def home(self) -> None:
        self.client.get(random.choice(TARGETS["kiosk_home"]), name="kiosk home")

    @task(2)
    def deeper(self) -> None:
        self.client.get(random.choice(TARGETS["kiosk"]), name="kiosk page")


class PhoneScan(HttpUser):
    """A villager scanning a notice's QR code: the phone page, then maybe the verify page."""

    weight = 1
    wait_time = between(0.2, 1.5)

    @task(3)
    def mobile(self) -> None:
        self.client.get(random.choice(TARGETS["mobile"]), name="phone page")

    @task(1)
    def verify(self) -> None:
        if TARGETS["verify"]:
            self.client.get(random.choice(TARGETS["verify"]), name="verify page")
