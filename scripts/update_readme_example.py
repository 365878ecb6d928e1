"""Regenerate README.md's example from the real API (run from the repo root)."""

import json
import logging
import re
import sys

sys.path.insert(0, ".")
from service import create_app  # noqa: E402

REQUEST = {
    "afraid_of_partner": False,
    "partner_harmed_me": False,
    "partner_controls": False,
    "partner_insults": False,
    "wished_dead": False,
    "suicidal_thoughts": False,
    "past_attempt": False,
    "self_harm": "declined",
    "ready_to_share": 4,
    "walls_when_close": 2,
    "time_to_listen": 4,
    "missing_needs": ["quality_time"],
    "self_willing": "yes",
    "partner_willing": "not_discussed",
    "partner_refuses_to_talk": False,
    "partner_always_blames": False,
    "attempts_keep_failing": False,
    "partner_ignores_feelings": False,
    "connecting_leaves_me_worse": False,
}
logging.disable(logging.CRITICAL)
response = create_app({"TESTING": True}).test_client().post("/v1/assessments", json=REQUEST).get_json()
example = (
    "<!-- example-request -->\n```sh\n"
    "curl -s -X POST http://127.0.0.1:8000/v1/assessments \\\n"
    "  -H 'Content-Type: application/json' \\\n"
    "  -d @- <<'EOF'\n" + json.dumps(REQUEST, indent=2) + "\nEOF\n```\n\n"
    "<!-- example-response -->\n```json\n" + json.dumps(response, indent=2, ensure_ascii=False) + "\n```\n"
    "<!-- end-example -->"
)
text = open("README.md", encoding="utf-8").read()
text = re.sub(r"<!-- example-request -->.*<!-- end-example -->", lambda m: example, text, flags=re.S)
open("README.md", "w", encoding="utf-8").write(text)
