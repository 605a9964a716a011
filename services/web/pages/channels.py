"""The published complaint channels (plan §4: 公布投诉电话、地址和网址).

No service publishes them yet, so the web application carries the list; 12345 is the
provincial government service hotline."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Channel:
    office_zh: str
    office_en: str
    phone: str
    address: str
    website: str


CHANNELS: tuple[Channel, ...] = (
    Channel(
        "江西省人民政府法制办公室",
        "Legal Affairs Office of the Jiangxi Provincial Government",
        "12345（政务服务热线）",
        "江西省南昌市红谷滩新区卫东路 999 号 省政府大院",
        "/tip",
    ),
    Channel(
        "南昌市人民政府法制办公室",
        "Legal Affairs Office of the Nanchang Municipal Government",
        "12345（政务服务热线）",
        "江西省南昌市红谷滩新区市民中心",
        "/tip",
    ),
)
