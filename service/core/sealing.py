"""Encryption at rest for couple mode: AES-GCM (`cryptography`) under the key ring CLOSENESS_DATA_KEY.

The ring is one or more 32-byte keys, URL-safe base64, comma-separated: the first seals, any opens,
so a key can be rotated by putting a new one first and dropping the old once nothing sealed under it
is left. A sealed value is: version byte, a 4-byte key id (from a hash of the key, never the key),
a random 12-byte nonce, and the ciphertext with its tag. The associated data binds each value to
where it belongs (a pair and a partner's role), so one value cannot be swapped for another.
Plaintexts are padded to whole blocks, so a sealed value's size says nothing of what it holds.
"""

import base64
import binascii
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"\x01"
BLOCK = 32768  # plaintexts are padded (with JSON whitespace) to a multiple of this
MAKE_ONE = (
    "python3 -c 'import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())'"
)


class KeyRingError(ValueError):
    """CLOSENESS_DATA_KEY cannot be used."""


class Unsealable(Exception):
    """A sealed value no key of the ring opens, or that was moved from where it was sealed."""


def new_key() -> str:
    """A fresh key for the ring, as URL-safe base64."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"closeness data key id\x00" + key).digest()[:4]


def parse_key_ring(value: str) -> list[bytes]:
    """Keys from CLOSENESS_DATA_KEY; a malformed one raises KeyRingError (said without the key)."""
    keys = []
    for index, text in enumerate(part.strip() for part in value.split(",")):
        try:
            key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != 32 or not text:
            raise KeyRingError(
                f"key {index + 1} is not 32 bytes of URL-safe base64; make one with: {MAKE_ONE}"
            )
        keys.append(key)
    return keys


class KeyRing:
    def __init__(self, keys: list[bytes]):
        if not keys:
            raise KeyRingError("no key")
        self._sealer = (_key_id(keys[0]), AESGCM(keys[0]))
        self._openers = {_key_id(key): AESGCM(key) for key in reversed(keys)}

    @classmethod
    def from_setting(cls, value: str) -> "KeyRing":
        return cls(parse_key_ring(value))

    def seal(self, plaintext: bytes, where: str) -> bytes:
        """Encrypt, padded to whole blocks, bound to `where` (for example "pair:<id>:a")."""
        padded = plaintext + b" " * (-len(plaintext) % BLOCK or 0)
        if not padded:
            padded = b" " * BLOCK
        key_id, aead = self._sealer
        nonce = os.urandom(12)
        return VERSION + key_id + nonce + aead.encrypt(nonce, padded, where.encode())

    def open(self, sealed: bytes, where: str) -> bytes:
        """Decrypt a value sealed for `where`; Unsealable if no key opens it there."""
        if len(sealed) < 33 or sealed[:1] != VERSION:
            raise Unsealable()
        aead = self._openers.get(bytes(sealed[1:5]))
        if aead is None:
            raise Unsealable()
        try:
            return aead.decrypt(bytes(sealed[5:17]), bytes(sealed[17:]), where.encode()).rstrip(b" ")
        except InvalidTag:
            raise Unsealable() from None
