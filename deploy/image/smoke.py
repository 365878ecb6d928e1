"""Inside the built image, as its user: wait for the service the image's command started, then check
/livez and one POST; stop the service. Run by deploy/image/build.sh."""

import getpass
import json
import os
import signal
import sys
import time
import urllib.request

from service.core.rulebook import load_rulebook

port, server = int(sys.argv[1]), int(sys.argv[2])
base = f"http://127.0.0.1:{port}"
try:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/livez", timeout=2) as response:
                live = response.status
            break
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("image: the service did not answer /livez within 60 s") from None
            time.sleep(0.5)
    body = json.dumps(load_rulebook().case_baseline).encode()
    request = urllib.request.Request(f"{base}/v1/assessments", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        status, result = response.status, json.load(response)
    who = f"{getpass.getuser()} (uid {os.getuid()})"
    print(f"image: user {who}, /livez {live}, POST {status} {result['recommendation']}")
    if os.getuid() == 0 or live != 200 or status != 200 or result["recommendation"] != "rebuild":
        raise SystemExit("image: smoke test failed")
finally:
    os.kill(server, signal.SIGTERM)
