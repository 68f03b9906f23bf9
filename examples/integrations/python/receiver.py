#!/usr/bin/env python3
"""Receive the low-code platform's webhook deliveries, with nothing but Python's standard library.

Each delivery's Standard Webhooks signature is verified; a tampered or replayed delivery is
refused; order.created and customer.updated are handled as the source document's Flask
handler does (here without Flask, so that python3 alone runs it).

    WEBHOOK_SECRET=whsec_... python3 receiver.py --listen 127.0.0.1:9090

WEBHOOK_SECRET is the webhook's signing secret; during a rotation give the new and the old one,
comma-separated. Deliveries are POSTed to /webhooks/lowcode.
"""
import argparse
import base64
import collections
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 5 * 60  # as the Standard Webhooks libraries
MAX_BODY = 1 << 20
SEEN_MAX = 10000


def signing_key(secret: str) -> bytes:
    """The platform's generated secrets are whsec_ and base64; a secret you chose is raw bytes."""
    if secret.startswith("whsec_"):
        return base64.b64decode(secret[len("whsec_"):])
    return secret.encode()


class VerificationError(Exception):
    pass


def verify(keys, msg_id: str, timestamp: str, signatures: str, body: bytes, now=None) -> None:
    """Raise VerificationError unless one of the signatures is valid for one of the keys.

    The signature covers the id, the timestamp and the body, so a changed body fails; the
    timestamp must be within 5 minutes, so a captured delivery sent again later fails too.
    """
    if not (msg_id and timestamp and signatures):
        raise VerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        sent = int(timestamp)
    except ValueError:
        raise VerificationError("webhook-timestamp is not a number")
    now = time.time() if now is None else now
    if now - sent > TOLERANCE_SECONDS:
        raise VerificationError("message timestamp too old")
    if sent - now > TOLERANCE_SECONDS:
        raise VerificationError("message timestamp too new")
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    for key in keys:
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        for candidate in signatures.split():
            version, _, sig = candidate.partition(",")
            if version == "v1" and hmac.compare_digest(sig, expected):
                return
    raise VerificationError("no matching signature found")


class SeenIDs:
    """The last SEEN_MAX delivery ids, oldest forgotten first."""

    def __init__(self, limit: int):
        self.limit = limit
        self.ids = collections.OrderedDict()
        self.lock = threading.Lock()

    def add(self, msg_id: str) -> bool:
        with self.lock:
            if msg_id in self.ids:
                return False
            self.ids[msg_id] = True
            if len(self.ids) > self.limit:
                self.ids.popitem(last=False)
            return True


def handle_new_order(delivery_id: str, data: dict) -> None:
    """Process a new order from the platform: your order processing starts here."""
    order_id = data["order_id"]
    print(f"order.created: order {order_id} handed to order processing (delivery {delivery_id})", flush=True)


def handle_customer_update(delivery_id: str, data: dict) -> None:
    """A customer changed: your CRM sync starts here."""
    customer_id = data.get("customer_id", "")
    print(f"customer.updated: customer {customer_id} synced to the CRM (delivery {delivery_id})", flush=True)


def make_handler(keys, seen):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            if self.path != "/webhooks/lowcode":
                return self.answer(404, {"error": "not found"})
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self.answer(413, {"error": "body too large"})
            body = self.rfile.read(length)
            msg_id = self.headers.get("webhook-id", "")
            try:
                verify(keys, msg_id, self.headers.get("webhook-timestamp", ""),
                       self.headers.get("webhook-signature", ""), body)
            except VerificationError as e:
                print(f"rejected delivery {msg_id}: {e}", flush=True)
                return self.answer(401, {"error": "signature verification failed"})
            # Within the 5 minutes, the id tells a replay (or the platform's retry of a delivery
            # whose answer it did not see) from a new delivery: handle each id once.
            if not seen.add(msg_id):
                print(f"duplicate delivery {msg_id}: already handled", flush=True)
                return self.answer(200, {"status": "duplicate"})
            try:
                payload = json.loads(body)
            except ValueError:
                return self.answer(400, {"error": "the body is not JSON"})
            event_type = payload.get("type")
            if event_type == "order.created":
                handle_new_order(msg_id, payload["data"])
            elif event_type == "customer.updated":
                handle_customer_update(msg_id, payload["data"])
            else:
                print(f"{event_type}: not handled here (delivery {msg_id})", flush=True)
            return self.answer(200, {"status": "received"})

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass  # one line per delivery is printed above

    return Handler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:9090", help="address to listen on")
    args = parser.parse_args()
    secrets = [s.strip() for s in os.environ.get("WEBHOOK_SECRET", "").split(",") if s.strip()]
    if not secrets:
        print("set WEBHOOK_SECRET to the webhook's signing secret", file=sys.stderr)
        return 2
    keys = [signing_key(s) for s in secrets]
    host, _, port = args.listen.rpartition(":")
    server = ThreadingHTTPServer((host, int(port)), make_handler(keys, SeenIDs(SEEN_MAX)))
    print(f"listening on http://{host}:{server.server_address[1]}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
