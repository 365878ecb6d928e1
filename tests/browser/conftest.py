"""The browser tests' shared parts: a real gunicorn with host pages beside it, and Chromium pages."""

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest

from tests.servers import LiveServer, free_port

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
HOST_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Practice intake</title></head>
<body><h1>Riverside practice intake</h1>
<script src="{service}/form/embed.js"></script>
<script>
document.addEventListener("closeness:result", function (e) {{ window.closenessResult = e.detail; }});
document.addEventListener("closeness:exit", function () {{ window.name = "exit-event"; }});
</script>
</body></html>"""
EXIT_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Weather</title></head>
<body><h1>Weather today</h1></body></html>"""


def _need_browser():
    missing = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "the playwright package"
    if not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} (Debian package chromium)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests need {missing}; .ci/run installs it")
        pytest.skip(f"browser tests need {missing}")


class _HostPages:
    """Two embedding pages on their own loopback ports: one allowed to frame the form, one not."""

    def __init__(self, root: Path):
        self.allowed_port, self.other_port = free_port(), free_port()
        self.root, self.servers = root, []

    def start(self, service_url: str):
        (self.root / "index.html").write_text(HOST_PAGE.format(service=service_url))
        (self.root / "exit.html").write_text(EXIT_PAGE)
        handler = functools.partial(_QuietHandler, directory=str(self.root))
        for port in (self.allowed_port, self.other_port):
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.servers.append(server)

    def stop(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    _need_browser()
    hosts = _HostPages(tmp_path_factory.mktemp("hosts"))
    env = {
        "CLOSENESS_FRAME_ANCESTORS": f"http://127.0.0.1:{hosts.allowed_port}",
        "CLOSENESS_QUICK_EXIT_URL": f"http://127.0.0.1:{hosts.other_port}/exit.html",
    }
    server = LiveServer(tmp_path_factory.mktemp("server") / "gunicorn.log", env=env)
    hosts.start(server.url)
    try:
        yield server, hosts
    finally:
        hosts.stop()
        server.stop()


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser, request):
    """A fresh page; every request it makes is recorded and must stay on 127.0.0.1."""
    phone = "phone" in request.node.name
    context = browser.new_context(
        viewport={"width": 360, "height": 780} if phone else {"width": 1280, "height": 900}
    )
    urls = []
    context.on("request", lambda req: urls.append(req.url))
    new_page = context.new_page()
    yield new_page
    context.close()
    outside = [url for url in urls if not url.startswith(("http://127.0.0.1:", "data:"))]
    assert urls and not outside, outside


AXE = Path(__file__).resolve().parents[2] / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def axe_page(browser, request):
    """A page whose CSP is bypassed so that axe-core (npm) can be injected; phone-sized when asked."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"accessibility tests need {AXE}; make test installs it with npm")
        pytest.skip("accessibility tests need axe-core (make axe)")
    phone = "phone" in request.node.name
    context = browser.new_context(
        bypass_csp=True, viewport={"width": 360, "height": 780} if phone else {"width": 1280, "height": 900}
    )
    yield context.new_page()
    context.close()
