"""The production proxy routes as scripts/run_production.sh promises (real nginx, stand-in instances).

nginx is rendered from deploy/nginx.conf.template by scripts/nginx_config.sh, exactly as the
production script does, in front of two small HTTP servers that answer with their own name:
the web chat's socket.io requests from one client must all reach one instance (its session
starts with long-polling that only the opening instance knows), SMS goes round robin, and when
an instance is down the others take its requests. The REST channel is not routed at all: it is
for the practice's own integrations, which reach the instances directly with a token. Never skipped: without nginx
the test fails and says how to install it (`.ci/run` does).
"""

from __future__ import annotations

import collections
import http.server
import json
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from tests.support.receivers import free_port

ROOT = Path(__file__).resolve().parents[2]


class NamedInstance:
    """A stand-in Rasa instance: answers every request with its name and the headers it got."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.port = free_port()
        instance = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                body = json.dumps({"instance": instance.name, "headers": dict(self.headers)}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = _answer  # noqa: N815
            do_POST = _answer  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def proxy(tmp_path: Path) -> Iterator[Dict[str, object]]:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.fail("nginx is missing: apt-get install -y nginx-light (Debian's package; .ci/run installs it).")
    instances = [NamedInstance("a"), NamedInstance("b")]
    port = free_port()
    conf = subprocess.run(
        [str(ROOT / "scripts/nginx_config.sh"), str(tmp_path / "nginx"), str(port), *(str(i.port) for i in instances)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    process = subprocess.Popen([nginx, "-c", conf, "-g", "daemon off;"], stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                urllib.request.urlopen(url + "/", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError) as error:
                if process.poll() is not None or time.monotonic() > deadline:
                    stderr = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"nginx did not start: {stderr}") from error
                time.sleep(0.1)
        yield {"url": url, "instances": instances}
    finally:
        process.terminate()
        process.wait(timeout=10)
        for instance in instances:
            instance.stop()


def request(url: str, path: str, body: bytes | None = None, headers: Dict[str, str] | None = None) -> Dict:
    req = urllib.request.Request(url + path, data=body, headers=headers or {}, method="POST" if body else "GET")
    with urllib.request.urlopen(req, timeout=10) as reply:
        assert reply.status == 200
        return json.loads(reply.read())


def instances_reached(url: str, path: str, count: int, body: bytes | None = None) -> List[str]:
    return [request(url, f"{path}{'&' if '?' in path else '?'}n={n}", body)["instance"] for n in range(count)]


def test_web_chat_requests_from_one_client_all_reach_one_instance(proxy: Dict) -> None:
    reached = instances_reached(proxy["url"], "/socket.io/?EIO=4&transport=polling", 20)
    assert len(set(reached)) == 1, reached


def test_sms_requests_are_shared_round_robin(proxy: Dict) -> None:
    sms = collections.Counter(instances_reached(proxy["url"], "/webhooks/sms/webhook", 20, b"Body=hi"))
    assert sms == {"a": 10, "b": 10}


@pytest.mark.parametrize(
    "path",
    [
        "/webhooks/rest/webhook",
        "/webhooks/rest/",
        "/webhooks/rest",
        "//webhooks//rest/webhook",
        "/webhooks/%72est/webhook",
        "/webhooks/sms/../rest/webhook",
        "/webhooks/REST/webhook",
        "/webhooks/rest/webhook?x=1",
    ],
)
def test_the_rest_channel_is_not_routed_publicly(proxy: Dict, path: str) -> None:
    # REST is for the practice's own integrations, which reach the instances directly with a token.
    req = urllib.request.Request(proxy["url"] + path, data=b'{"sender": "x", "message": "hi"}', method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=10)
    assert refused.value.code == 404
    assert json.loads(refused.value.read())["error"] == "not_found"


def test_the_web_chat_upgrade_to_a_websocket_is_passed_on(proxy: Dict) -> None:
    seen = request(
        proxy["url"],
        "/socket.io/?EIO=4&transport=websocket",
        headers={"Upgrade": "websocket", "Connection": "Upgrade"},
    )["headers"]
    assert seen.get("Upgrade") == "websocket"
    assert seen.get("Connection", "").lower() == "upgrade"


def test_sms_requests_go_on_at_the_other_instance_when_one_is_down(proxy: Dict) -> None:
    proxy["instances"][0].stop()
    reached = instances_reached(proxy["url"], "/webhooks/sms/webhook", 10, b"Body=hi")
    assert reached == ["b"] * 10


def test_the_client_address_is_appended_to_x_forwarded_for(proxy: Dict) -> None:
    # Rasa counts rate limits per client: it reads the entry nginx appends (the rightmost), never
    # what the client wrote itself.
    for path in ("/socket.io/?EIO=4&transport=polling", "/webhooks/sms/webhook"):
        seen = request(proxy["url"], path, body=b"Body=hi", headers={"X-Forwarded-For": "6.6.6.6"})["headers"]
        assert seen.get("X-Forwarded-For") == "6.6.6.6, 127.0.0.1"
