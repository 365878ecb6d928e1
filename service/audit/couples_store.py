"""Couple mode's storage: pairs, their codes and each partner's submission, sealed at rest.

One row per pair in `couples` (id, created and retention times in the clear; `meta`, `part_a` and
`part_b` sealed with AES-GCM and bound to the pair and slot, each padded to whole blocks so their
sizes say nothing). Five rows per pair in `couple_codes`, always: one slot for each partner's invite,
one for each partner's withdrawal token, one for the report link. A slot holds the SHA-256 of its
live code, or of a random value nobody holds while it has none (a spent invite, no withdrawal token
yet), and every row lives until the pair's retention ends: so the rows say nothing of whether a
partner answered, withdrew or was re-invited (invite expiry is checked in the sealed meta). Codes and
tokens carry 256 bits from `secrets`; only hashes are stored, and what a hash is for is read from the
sealed meta, compared in constant time.

Every change to a pair is a compare-and-swap on its sealed meta (a fresh nonce each time), so two
workers or instances never overwrite each other's change: the loser reads again and retries.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
from sqlalchemy import Column, DateTime, LargeBinary, String, Table, delete, insert, select, update

from service.audit.decision_log import _engine, metadata
from service.core.sealing import KeyRing, Unsealable

couples = Table(
    "couples",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("retain_until", DateTime(timezone=True), nullable=False, index=True),
    Column("meta", LargeBinary, nullable=False),
    Column("part_a", LargeBinary, nullable=False),
    Column("part_b", LargeBinary, nullable=False),
)
couple_codes = Table(
    "couple_codes",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("couple_id", String(32), nullable=False, index=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
ROLES = ("a", "b")
MAX_EVENTS = 50  # the history keeps the last ones; its counts stay whole
RETRIES = 8


class PairGone(Exception):
    """No such pair, code or token (or it is spent, replaced, voided, expired or past retention)."""


class PairBusy(Exception):
    """The pair kept changing under a write: too many concurrent writers."""


def new_code() -> str:
    """A code or token: 256 bits from secrets, URL-safe."""
    return secrets.token_urlsafe(32)


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()


def same_hash(stored: str | None, digest: str) -> bool:
    """Whether a stored hash is this one, compared in constant time."""
    return hmac.compare_digest((stored or "").encode(), digest.encode())


def filler() -> str:
    """The hash in a code slot that holds no live code: of a random value nobody is given."""
    return code_hash(new_code())


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass
class Pair:
    """A pair as read: its id and times, its opened meta, and (when asked for) partners' parts."""

    id: str
    created_at: datetime
    retain_until: datetime
    meta: dict
    sealed_meta: bytes
    parts: dict  # role -> opened part ({} until that partner answered)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class CouplesStore:
    def __init__(self, url: str, key_ring: KeyRing, invite_days: int = 14, retention_days: int = 30):
        self.engine = _engine(url)
        self.ring = key_ring
        self.invite_days, self.retention_days = invite_days, retention_days

    @classmethod
    def from_settings(cls, config: dict) -> "CouplesStore":
        """The store the settings name: its database, key ring, invite and retention days."""
        ring, days = KeyRing.from_setting(config["DATA_KEY"]), config["COUPLE_INVITE_DAYS"]
        return cls(config["DATABASE_URL"], ring, days, config["COUPLE_RETENTION_DAYS"])

    # sealing ---------------------------------------------------------------------------------------
    def _seal(self, value: dict, pair_id: str, slot: str) -> bytes:
        return self.ring.seal(orjson.dumps(value), f"closeness:pair:{pair_id}:{slot}")

    def _open(self, sealed: bytes, pair_id: str, slot: str) -> dict:
        return orjson.loads(self.ring.open(sealed, f"closeness:pair:{pair_id}:{slot}"))

    @staticmethod
    def seal_decision(decision_id: str, value: dict, key: bytes) -> bytes:
        """A couple decision record, sealed under its own key, which only the pair's sealed meta keeps:
        erasing the pair (or the partner's answers) drops the key, and with it every copy of the record
        (the log's row, a spool segment, a backup) becomes unreadable."""
        return KeyRing([key]).seal(orjson.dumps(value), f"closeness:decision:{decision_id}")

    @staticmethod
    def open_decision(decision_id: str, sealed: bytes, key: bytes) -> dict:
        return orjson.loads(KeyRing([key]).open(sealed, f"closeness:decision:{decision_id}"))

    # reading ---------------------------------------------------------------------------------------
    def read(self, pair_id: str, roles: tuple = ROLES) -> Pair:
        """A live pair with the parts of `roles` opened (only those are read); PairGone otherwise."""
        columns = [couples.c.id, couples.c.created_at, couples.c.retain_until, couples.c.meta]
        columns += [couples.c[f"part_{role}"] for role in roles]
        with self.engine.connect() as connection:
            row = connection.execute(
                select(*columns).where(couples.c.id == pair_id, couples.c.retain_until > now())
            ).first()
        if row is None:
            raise PairGone()
        try:
            meta = self._open(row.meta, row.id, "meta")
            parts = {role: self._open(getattr(row, f"part_{role}"), row.id, role) for role in roles}
        except Unsealable:
            raise PairGone() from None  # sealed under a key no longer in the ring: as good as erased
        return Pair(row.id, _utc(row.created_at), _utc(row.retain_until), meta, row.meta, parts)

    def find_code(self, code: str) -> tuple[str, str]:
        """(pair id, hash) of a live code or token; PairGone for any other string."""
        if not isinstance(code, str) or not 20 <= len(code) <= 100:
            raise PairGone()
        digest = code_hash(code)
        with self.engine.connect() as connection:
            row = connection.execute(
                select(couple_codes.c.couple_id, couple_codes.c.hash).where(
                    couple_codes.c.hash == digest, couple_codes.c.expires_at > now()
                )
            ).first()
        if row is None or not hmac.compare_digest(row.hash, digest):
            raise PairGone()
        return row.couple_id, digest

    @staticmethod
    def role_of(meta: dict, digest: str, kind: str) -> str:
        """Which partner's `kind` (invite or withdraw) this hash is, compared in constant time; an
        invite past its expiry is no invite."""
        found = None
        for role in ROLES:
            if same_hash(meta["partners"][role].get(kind), digest):
                found = role
        if found is None:
            raise PairGone()
        if kind == "invite" and meta["partners"][found]["invite_expires_at"] <= iso(now()):
            raise PairGone()
        return found

    @staticmethod
    def _code_rows(pair_id: str, meta: dict, retain_until: datetime) -> list[dict]:
        """The pair's five code rows, from the slots in its meta, in a random order."""
        slots = [meta["report_row"]] + [
            meta["partners"][role][f"{slot}_row"] for role in ROLES for slot in ("invite", "withdraw")
        ]
        secrets.SystemRandom().shuffle(slots)
        return [{"hash": digest, "couple_id": pair_id, "expires_at": retain_until} for digest in slots]

    # writing ---------------------------------------------------------------------------------------
    def create(self, label: str | None) -> tuple[Pair, dict]:
        """A new pair: (the pair, {"a": invite, "b": invite, "report": token}) in plain text, once."""
        pair_id, moment = secrets.token_hex(16), now()
        retain_until = moment + timedelta(days=self.retention_days)
        codes = {"a": new_code(), "b": new_code(), "report": new_code()}
        report = code_hash(codes["report"])
        meta = {
            "label": label,
            "report": report,
            "report_row": report,
            "partners": {role: self._fresh_partner(codes[role], moment) for role in ROLES},
            "memory": {"signal_before": [], "withdrew": []},
            "events": [{"event": "invited", "partner": role, "at": iso(moment)} for role in ROLES],
            "joint": None,
        }
        sealed = self._seal(meta, pair_id, "meta")
        rows = self._code_rows(pair_id, meta, retain_until)
        with self.engine.begin() as connection:
            connection.execute(
                insert(couples).values(
                    id=pair_id,
                    created_at=moment,
                    retain_until=retain_until,
                    meta=sealed,
                    part_a=self._seal({}, pair_id, "a"),
                    part_b=self._seal({}, pair_id, "b"),
                )
            )
            connection.execute(insert(couple_codes), rows)
        return Pair(pair_id, moment, retain_until, meta, sealed, {}), codes

    def _invite_expiry(self, moment: datetime) -> datetime:
        return moment + timedelta(days=self.invite_days)

    def _fresh_partner(self, invite: str, moment: datetime) -> dict:
        return {
            "invite": code_hash(invite),
            "invite_row": code_hash(invite),
            "invite_expires_at": iso(self._invite_expiry(moment)),
            "withdraw": None,
            "withdraw_row": filler(),
            "answered": False,
            "answered_at": None,
            "signal": False,
            "decisions": [],
        }

    def change(self, pair_id: str, edit, roles: tuple = ()) -> tuple[Pair, object]:
        """Apply `edit(pair) -> outcome` atomically: the edit changes pair.meta (its code slots too) and
        pair.parts[role] for `roles` in place; retried when another writer came first.

        The pair's five code rows are written anew every time, in a random order, whatever changed:
        so neither which rows changed nor where they sit (SQLite's rowid, PostgreSQL's row order) tells
        which slot moved, that is, what either partner did."""
        for _ in range(RETRIES):
            pair = self.read(pair_id, roles)
            outcome = edit(pair)
            values = {"meta": self._seal(pair.meta, pair.id, "meta")}
            for role in roles:
                values[f"part_{role}"] = self._seal(pair.parts[role], pair.id, role)
            with self.engine.begin() as connection:
                swapped = connection.execute(
                    update(couples)
                    .where(couples.c.id == pair.id, couples.c.meta == pair.sealed_meta)
                    .values(**values)
                ).rowcount
                if not swapped:
                    continue
                connection.execute(delete(couple_codes).where(couple_codes.c.couple_id == pair.id))
                connection.execute(
                    insert(couple_codes), self._code_rows(pair.id, pair.meta, pair.retain_until)
                )
            pair.sealed_meta = values["meta"]
            return pair, outcome
        raise PairBusy()

    def holder(self, code: str, kind: str) -> tuple[str, str, str]:
        """(pair id, hash, role) of a live invite or withdrawal token (`kind`); PairGone otherwise."""
        pair_id, digest = self.find_code(code)
        return pair_id, digest, self.role_of(self.read(pair_id, ()).meta, digest, kind)

    def _delete(self, pair_id: str) -> bool:
        """Delete a pair's row and its code rows; whether there was a pair."""
        with self.engine.begin() as connection:
            connection.execute(delete(couple_codes).where(couple_codes.c.couple_id == pair_id))
            return connection.execute(delete(couples).where(couples.c.id == pair_id)).rowcount > 0

    def erase(self, pair_id: str) -> dict | None:
        """Delete a pair and its codes; its opened meta (for its decision records), or None."""
        try:
            pair = self.read(pair_id, ())
        except PairGone:
            pair = None
        gone = self._delete(pair_id)
        return pair.meta if pair is not None and gone else None

    def expired(self, limit: int = 500) -> list[str]:
        """Ids of pairs past retention (the retention pass erases them)."""
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    select(couples.c.id).where(couples.c.retain_until <= now()).limit(limit)
                ).scalars()
            )

    def purge_expired_pair(self, pair_id: str) -> list[str]:
        """Erase one pair past retention; the ids of its decision records (to erase from the log)."""
        with self.engine.connect() as connection:
            row = connection.execute(select(couples.c.meta).where(couples.c.id == pair_id)).first()
        decisions = []
        if row is not None:
            try:
                meta = self._open(row.meta, pair_id, "meta")
                decisions = [d for role in ROLES for d in meta["partners"][role]["decisions"]]  # their ids
            except Unsealable:
                pass
        self._delete(pair_id)
        return decisions

    def reseal(self) -> int:
        """Seal every pair again under the ring's first key (after a key is put first: then the old
        one can go); how many. What no key opens is left alone. (Couple decision records have keys of
        their own, kept in their pair: nothing to do for them.)"""
        with self.engine.connect() as connection:
            ids = list(connection.execute(select(couples.c.id)).scalars())
        done = 0
        for pair_id in ids:
            try:
                self.change(pair_id, lambda pair: None, ROLES)
                done += 1
            except PairGone:
                pass
        return done

    def list_ids(self, limit: int = 1000) -> list[tuple[str, datetime, datetime]]:
        """Live pairs, newest first: (id, created_at, retain_until)."""
        query = (
            select(couples.c.id, couples.c.created_at, couples.c.retain_until)
            .where(couples.c.retain_until > now())
            .order_by(couples.c.created_at.desc())
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [(r.id, _utc(r.created_at), _utc(r.retain_until)) for r in connection.execute(query)]
