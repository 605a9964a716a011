"""Just enough of the Kafka protocol to tell whether a broker is up: ApiVersions (which a
SASL listener answers before authentication), SCRAM authentication (SaslHandshake v1 +
SaslAuthenticate v1) and Metadata v4..v7. Standard library only (used by kafkactl.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import socket
import struct
from dataclasses import dataclass

API_KEY_METADATA = 3
API_KEY_SASL_HANDSHAKE = 17
API_KEY_API_VERSIONS = 18
API_KEY_SASL_AUTHENTICATE = 36

CORRELATION_ID = 0x6B63746C  # "kctl"
CLIENT_ID = b"kafkactl"
SCRAM_HASHES = {"SCRAM-SHA-512": "sha512", "SCRAM-SHA-256": "sha256"}


class ProtocolError(ConnectionError):
    """The broker answered, but not as a ready broker that accepts these credentials."""


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    mechanism: str = "SCRAM-SHA-512"


def recv_exact(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise ConnectionError("connection closed by broker")
        chunks += chunk
    return bytes(chunks)


def string(value: str) -> bytes:
    encoded = value.encode()
    return struct.pack(">h", len(encoded)) + encoded


def request(sock: socket.socket, api_key: int, api_version: int, body: bytes) -> bytes:
    """One request with a v1 (non-flexible) header; returns the response after its header."""
    header = struct.pack(">hhi", api_key, api_version, CORRELATION_ID) + string(CLIENT_ID.decode())
    payload = header + body
    sock.sendall(struct.pack(">i", len(payload)) + payload)
    (size,) = struct.unpack(">i", recv_exact(sock, 4))
    response = recv_exact(sock, size)
    (got_id,) = struct.unpack_from(">i", response)
    if got_id != CORRELATION_ID:
        raise ProtocolError(f"unexpected correlation id {got_id}")
    return response[4:]


def api_versions(sock: socket.socket) -> dict[int, tuple[int, int]]:
    """ApiVersions v0: {api_key: (min_version, max_version)}."""
    body = request(sock, API_KEY_API_VERSIONS, 0, b"")
    error_code, count = struct.unpack_from(">hi", body)
    if error_code != 0:
        raise ProtocolError(f"ApiVersions error code {error_code}")
    entries = (struct.unpack_from(">hhh", body, 6 + 6 * i) for i in range(count))
    return {key: (low, high) for key, low, high in entries}


def metadata_broker_ids(sock: socket.socket, version: int) -> list[int]:
    """Metadata v4..v7 for no topics; returns the node ids of the live brokers."""
    body = struct.pack(">i", 0) + b"\x00"  # topics: empty array; allow_auto_topic_creation
    response = request(sock, API_KEY_METADATA, version, body)
    offset = 4  # throttle_time_ms (v3+)
    (count,) = struct.unpack_from(">i", response, offset)
    offset += 4
    ids = []
    for _ in range(count):
        (node_id, host_len) = struct.unpack_from(">ih", response, offset)
        offset += 6 + host_len + 4  # node_id, host, port
        (rack_len,) = struct.unpack_from(">h", response, offset)
        offset += 2 + max(rack_len, 0)
        ids.append(node_id)
    return ids


# --------------------------------------------------------------------------- SCRAM (RFC 5802)


def _saslname(name: str) -> str:
    return name.replace("=", "=3D").replace(",", "=2C")


def _authenticate_step(sock: socket.socket, message: bytes) -> bytes:
    """SaslAuthenticate v1: send one SASL message, return the broker's answer."""
    body = request(sock, API_KEY_SASL_AUTHENTICATE, 1, struct.pack(">i", len(message)) + message)
    (error_code, message_len) = struct.unpack_from(">hh", body)
    offset = 4 + max(message_len, 0)
    if error_code != 0:
        reason = body[4:offset].decode(errors="replace") if message_len > 0 else ""
        raise ProtocolError(f"authentication failed (error {error_code}): {reason}")
    (auth_len,) = struct.unpack_from(">i", body, offset)
    return body[offset + 4 : offset + 4 + max(auth_len, 0)]


def scram_login(sock: socket.socket, login: Login) -> None:
    """Authenticate the connection with SCRAM; raise ``ProtocolError`` if refused."""
    digest = SCRAM_HASHES[login.mechanism]
    body = request(sock, API_KEY_SASL_HANDSHAKE, 1, string(login.mechanism))
    (error_code,) = struct.unpack_from(">h", body)
    if error_code != 0:
        raise ProtocolError(f"the listener does not offer {login.mechanism} (error {error_code})")
    nonce = base64.b64encode(os.urandom(24)).decode()
    first_bare = f"n={_saslname(login.username)},r={nonce}"
    server_first = _authenticate_step(sock, f"n,,{first_bare}".encode()).decode()
    fields = dict(item.split("=", 1) for item in server_first.split(","))
    if not fields.get("r", "").startswith(nonce):
        raise ProtocolError("the broker's SCRAM nonce does not extend ours")
    salted = hashlib.pbkdf2_hmac(
        digest, login.password.encode(), base64.b64decode(fields["s"]), int(fields["i"])
    )
    client_key = hmac.digest(salted, b"Client Key", digest)
    without_proof = f"c=biws,r={fields['r']}"
    auth_message = f"{first_bare},{server_first},{without_proof}".encode()
    signature = hmac.digest(hashlib.new(digest, client_key).digest(), auth_message, digest)
    proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
    final = f"{without_proof},p={base64.b64encode(proof).decode()}"
    server_final = _authenticate_step(sock, final.encode()).decode()
    server_key = hmac.digest(salted, b"Server Key", digest)
    expected = base64.b64encode(hmac.digest(server_key, auth_message, digest)).decode()
    if server_final != f"v={expected}":
        raise ProtocolError("the broker's SCRAM signature is wrong")


# --------------------------------------------------------------------------- probes


def broker_answers(
    host: str, port: int, node_id: int, login: Login | None, timeout: float = 2.0
) -> bool:
    """A real Kafka round trip: ApiVersions; then, given a login, SCRAM authentication
    and a Metadata request that lists ``node_id`` as a live broker. Without a login, an
    answer to ApiVersions alone (enough to tell a Kafka broker from another process)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            versions = api_versions(sock)
            if login is None:
                return bool(versions)
            scram_login(sock, login)
            low, high = versions.get(API_KEY_METADATA, (0, -1))
            usable = [v for v in range(4, 8) if low <= v <= high]
            if not usable:
                return bool(versions)
            return node_id in metadata_broker_ids(sock, usable[-1])
    except (OSError, ConnectionError, struct.error, KeyError, ValueError):
        return False
