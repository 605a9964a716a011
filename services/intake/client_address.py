"""The client a request comes from, as seen through the configured trusted proxies.

``X-Forwarded-For`` is honoured only when the direct peer is a trusted proxy; then
the right-most hop that is not itself a trusted proxy is the client (hops further
left were written by the client and prove nothing). A peer that is not trusted is
the client, whatever header it sends, so rotating the header gains nothing."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:5050"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class TrustedProxies:
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, setting: str) -> TrustedProxies:
        """``"10.0.0.5, 172.18.0.0/16"``; a malformed entry is refused at start."""
        entries = [e.strip() for e in setting.split(",") if e.strip()]
        try:
            return cls(tuple(ipaddress.ip_network(e, strict=False) for e in entries))
        except ValueError as exc:
            raise ValueError(f"TRUSTED_PROXIES: {exc}") from exc

    def trusts(self, host: str) -> bool:
        address = _address(host)
        return address is not None and any(address in n for n in self.networks)

    def client_of(self, peer: str, forwarded_for: Iterable[str] = ()) -> str:
        """The client's address for a request from ``peer`` carrying these
        ``X-Forwarded-For`` header values (in order)."""
        if not self.trusts(peer):
            return peer
        hops: Sequence[str] = [h.strip() for v in forwarded_for for h in v.split(",") if h.strip()]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                # A hop that is no address was forged or garbled; the proxy that
                # appended it is the last one we can vouch for.
                return peer
            if not self.trusts(hop):
                return str(address)
        return str(_address(hops[0])) if hops else peer
