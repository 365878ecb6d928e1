"""Couple mode's flow (shared/spec/couple-mode.md): create a pair, take a partner's answers, withdraw,
void and re-invite, rotate the report link, decide and store the joint view, erase.

A partner's submission is decided by the same Evaluator as /v1/assessments and reads nothing of the
other partner: only the pair's meta (to find which partner the invite is for) and that partner's own
part. The joint view is decided later (after the response is sent) by decide_joint.
"""

import base64
import secrets
import uuid
from dataclasses import dataclass

from schemas.contract import dump_result
from schemas.couple_contract import joint_view_schema
from service.audit.couples_store import (
    MAX_EVENTS,
    ROLES,
    CouplesStore,
    Pair,
    PairGone,
    code_hash,
    filler,
    iso,
    new_code,
    now,
    same_hash,
)
from service.core.couple import JointDecider
from service.core.couple_result import HistoryEvent, PairMemory, Submission
from service.core.decision import Evaluator
from service.core.exceptions import AnswersInvalid
from service.core.result import Result


@dataclass(frozen=True)
class Accepted:
    """A partner's accepted answers: their own result (as a single person gets it), the token that
    withdraws them, and what the alert and log need (never shown to the other partner)."""

    result: Result
    withdraw_token: str
    pair_id: str
    role: str
    decision_id: str | None = None  # its decision record's id (None: the log is off or its spool full)


def _event(meta: dict, event: str, role: str) -> None:
    meta["events"] = (meta["events"] + [{"event": event, "partner": role, "at": iso(now())}])[-MAX_EVENTS:]


def _fill(partner: dict, **slots) -> None:
    """Put hashes in a partner's code slots (invite, withdraw); the store writes the rows."""
    for slot, digest in slots.items():
        partner[f"{slot}_row"] = digest


def _forget_submission(pair: Pair, role: str) -> list[str]:
    """Clear a partner's submission (withdrawn or voided); the gate remembers a signal it had. Returns
    the ids of its decision records, for the log's erasure."""
    partner = pair.meta["partners"][role]
    memory = pair.meta["memory"]
    if partner["signal"] and role not in memory["signal_before"]:
        memory["signal_before"].append(role)
    decisions = list(partner["decisions"])  # their ids; their keys go with the meta's old copy
    partner.update(answered=False, answered_at=None, signal=False, decisions={}, withdraw=None)
    pair.parts[role] = {}
    pair.meta["joint"] = None
    return decisions


class CoupleFlow:
    def __init__(self, store: CouplesStore, evaluator: Evaluator, decision_log=None, store_answers=False):
        self.store, self.evaluator, self.decision_log = store, evaluator, decision_log
        self.store_answers = store_answers
        self.decider = JointDecider(evaluator.rulebook)

    # the practice -----------------------------------------------------------------------------------
    def create(self, label: str | None) -> tuple[Pair, dict]:
        return self.store.create(label)

    def reinvite(self, pair_id: str, role: str) -> tuple[str, str]:
        """A fresh invite for one partner; their old invite, withdrawal token and submission are gone."""
        code = new_code()

        def edit(pair: Pair):
            partner = pair.meta["partners"][role]
            voided = partner["answered"]
            decisions = _forget_submission(pair, role) if voided else []
            _event(pair.meta, "voided" if voided else "replaced", role)
            expires = self.store._invite_expiry(now())
            partner.update(invite=code_hash(code), invite_expires_at=iso(expires), withdraw=None)
            _fill(partner, invite=partner["invite"], withdraw=filler())
            return decisions, partner["invite_expires_at"]

        _, (decisions, expires_at) = self.store.change(pair_id, edit, (role,))
        self._erase_decisions(decisions)
        return code, expires_at

    def rotate_report(self, pair_id: str) -> str:
        token = new_code()

        def edit(pair: Pair):
            pair.meta["report"] = pair.meta["report_row"] = code_hash(token)

        self.store.change(pair_id, edit)
        return token

    def erase(self, pair_id: str) -> bool:
        meta = self.store.erase(pair_id)
        if meta is None:
            return False
        self._erase_decisions([d for role in ROLES for d in meta["partners"][role]["decisions"]])
        return True

    def purge_expired(self) -> int:
        """The retention pass: erase every pair past retention, with its decision records."""
        ids = self.store.expired()
        for pair_id in ids:
            self._erase_decisions(self.store.purge_expired_pair(pair_id))
        return len(ids)

    # a partner --------------------------------------------------------------------------------------
    def open_invite(self, code: str) -> str:
        """Trade a live invite for a fresh one with the same expiry; the old code stops working. The form
        does this when it opens, so the link (which a shared device's browser history keeps) works
        once. PairGone for anything but a live, unspent invite."""
        pair_id, digest, role = self.store.holder(code, "invite")
        fresh = new_code()

        def edit(pair: Pair):
            partner = pair.meta["partners"][role]
            if partner["invite"] != digest:  # spent or replaced meanwhile
                raise PairGone()
            partner["invite"] = code_hash(fresh)
            _fill(partner, invite=partner["invite"])

        self.store.change(pair_id, edit)
        return fresh

    def submit(self, code: str, raw, request_id: str = "") -> Accepted:
        """Decide a partner's answers (AnswersInvalid as for one person: the invite stays unspent) and
        keep them; the invite is spent. PairGone for anything but a live, unspent invite."""
        pair_id, digest, role = self.store.holder(code, "invite")
        assessment = self.evaluator.decide(raw)  # raises AnswersInvalid before anything changes
        result, token = assessment.result, new_code()
        decision_id = uuid.uuid4().hex if self.decision_log is not None else None
        decision_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode() if decision_id else None

        def edit(pair: Pair):
            partner = pair.meta["partners"][role]
            if partner["invite"] != digest:  # spent or replaced meanwhile
                raise PairGone()
            partner.update(
                invite=None,
                withdraw=code_hash(token),
                answered=True,
                answered_at=iso(now()),
                signal=bool(result.safety),
                decisions={decision_id: decision_key} if decision_id else {},
            )
            pair.parts[role] = {
                "answers": assessment.answers,
                "result": dump_result(result),
                "answered_at": partner["answered_at"],
            }
            pair.meta["joint"] = None
            _fill(partner, invite=filler(), withdraw=partner["withdraw"])

        self.store.change(pair_id, edit, (role,))
        if decision_id:
            decision_id = self._log(
                decision_id, decision_key, result, assessment, (pair_id, role), request_id
            )
        return Accepted(result, token, pair_id, role, decision_id)

    def withdraw(self, token: str) -> str:
        """Erase a partner's answers and result (and the joint view); the pair's id. PairGone otherwise."""
        pair_id, digest, role = self.store.holder(token, "withdraw")

        def edit(pair: Pair):
            if pair.meta["partners"][role]["withdraw"] != digest:
                raise PairGone()
            decisions = _forget_submission(pair, role)
            if role not in pair.meta["memory"]["withdrew"]:
                pair.meta["memory"]["withdrew"].append(role)
            _event(pair.meta, "withdrawn", role)
            _fill(pair.meta["partners"][role], withdraw=filler())
            return decisions

        _, decisions = self.store.change(pair_id, edit, (role,))
        self._erase_decisions(decisions)
        return pair_id

    # the joint view ---------------------------------------------------------------------------------
    def decide_joint(self, pair_id: str) -> bool:
        """Decide and store the joint view when both answered and it is not stored yet; whether it was
        stored now (the practice's webhook is told then).

        The same work whether or not it is due, and whether or not the pair is gated: read both parts,
        decide both submissions and the pair, write the pair back. It runs after a partner's response,
        in that partner's worker, so its cost must not tell that partner (by the timing of their next
        request) whether the other partner answered, or had a safety signal.
        """

        def edit(pair: Pair):
            due = self._due(pair.meta)
            view = self.joint_of(pair, stand_in=not due)
            if due:
                pair.meta["joint"] = view
            return due

        _, stored = self.store.change(pair_id, edit, ROLES)
        return stored

    @staticmethod
    def _due(meta: dict) -> bool:
        return meta["joint"] is None and all(meta["partners"][role]["answered"] for role in ROLES)

    def joint_of(self, pair: Pair, stand_in: bool = False) -> dict:
        """The joint view's JSON, decided by the couple rules on both submissions, each decided again
        (typed) from its stored answers. stand_in: not due yet, so decide as if each partner had given
        the answers that are there (or the calm baseline), for the same cost; the view is thrown away."""
        meta = pair.meta
        if stand_in:
            given = [pair.parts[role] for role in ROLES if pair.parts[role]]
            stand = (
                given[0] if given else {"answers": self.evaluator.rulebook.case_baseline, "answered_at": ""}
            )
            pair = Pair(
                pair.id,
                pair.created_at,
                pair.retain_until,
                meta,
                pair.sealed_meta,
                dict.fromkeys(ROLES, stand),
            )
        memory = PairMemory(
            frozenset(meta["memory"]["signal_before"]),
            frozenset(meta["memory"]["withdrew"]),
            tuple(HistoryEvent(e["event"], e["partner"], e["at"]) for e in meta["events"]),
        )
        partners = {}
        for role in ROLES:
            signal = meta["partners"][role]["signal"]
            try:
                assessment = self.evaluator.decide(pair.parts[role]["answers"])
            except AnswersInvalid:
                # Kept answers the rules (changed since) no longer take: nothing to compare them with,
                # so the pair is seen alone, as with a signal (the work stays the same: the baseline).
                assessment, signal = self.evaluator.decide(self.evaluator.rulebook.case_baseline), True
            partners[role] = Submission(
                assessment.answers,
                assessment.result,
                assessment.fired,
                pair.parts[role]["answered_at"],
                signal_at_submission=signal,
            )
        return joint_view_schema.dump(self.decider.decide(partners, memory))

    # reads ------------------------------------------------------------------------------------------
    def practice_view(self, pair_id: str) -> dict:
        """GET /v1/couples/{id}: status, each partner's own result, the joint view (decided now if due)."""
        pair = self.store.read(pair_id, ROLES)
        if self._due(pair.meta):
            self.decide_joint(pair_id)
            pair = self.store.read(pair_id, ROLES)
        partners = {
            role: {
                "answered": pair.meta["partners"][role]["answered"],
                "invite_expires_at": pair.meta["partners"][role]["invite_expires_at"]
                if pair.meta["partners"][role]["invite"]
                else None,
                "result": pair.parts[role].get("result"),
            }
            for role in ROLES
        }
        return {
            "id": pair.id,
            "label": pair.meta["label"],
            "status": _status(pair.meta),
            "retain_until": iso(pair.retain_until),
            "partners": partners,
            "joint": pair.meta["joint"],
        }

    def _report_pair(self, pair_id: str, token: str, roles: tuple) -> Pair:
        found, digest = self.store.find_code(token)
        pair = self.store.read(found, roles)
        if found != pair_id or not same_hash(pair.meta["report"], digest):
            raise PairGone()
        return pair

    def report_view(self, pair_id: str, token: str) -> dict:
        """GET /v1/couples/{id}/report: status and the joint view; no partner's result."""
        pair = self._report_pair(pair_id, token, ())
        if self._due(pair.meta):
            self.decide_joint(pair_id)
            pair = self.store.read(pair_id, ())
        return {
            "id": pair.id,
            "label": pair.meta["label"],
            "status": _status(pair.meta),
            "partners": {role: {"answered": pair.meta["partners"][role]["answered"]} for role in ROLES},
            "joint": pair.meta["joint"],
        }

    def report_partner(self, pair_id: str, token: str, role: str) -> dict | None:
        """One partner's own result, for its own report page (None until they answered)."""
        return self._report_pair(pair_id, token, (role,)).parts[role].get("result")

    # the decision log -------------------------------------------------------------------------------
    def _log(
        self, decision_id, key: str, result: Result, assessment, where: tuple, request_id: str
    ) -> str | None:
        """Spool the couple decision record, sealed under its own key (kept in the pair's meta)."""
        pair_id, role = where
        value = {
            "pair": pair_id,
            "role": role,
            "recommendation": result.recommendation,
            "urgent": result.urgent,
            "safety": {k: list(getattr(result.safety, k)) for k in ("urgent", "noted", "declined")},
            "fired_rules": [reason.rule for reason in result.reasons],
            "request_id": request_id,
            **({"answers": assessment.answers} if self.store_answers else {}),
        }
        sealed = self.store.seal_decision(decision_id, value, base64.urlsafe_b64decode(key))
        return self.decision_log.record_sealed(
            decision_id, result.ruleset, base64.urlsafe_b64encode(sealed).decode()
        )

    def _erase_decisions(self, ids: list[str]) -> None:
        if self.decision_log is None:
            return
        for decision_id in ids:
            self.decision_log.erase(decision_id)


def _status(meta: dict) -> str:
    return "complete" if all(meta["partners"][role]["answered"] for role in ROLES) else "waiting"
