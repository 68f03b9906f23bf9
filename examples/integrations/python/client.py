#!/usr/bin/env python3
"""Call the low-code platform's API from Python with nothing but the standard library.

The source document's LowCodeIntegration against the real API: trigger a workflow, follow its
execution to the end, and register a webhook for the events your code wants to hear about.

    export LOWCODE_ENDPOINT=http://127.0.0.1:8080 LOWCODE_API_KEY=...
    python3 client.py --workflow wf_... \\
        --input '{"order_id": "ord-1001", "amount": 250, "customer": {"email": "jane@example.com"}}' \\
        --callback-url https://crm.example.com/webhooks/lowcode --events order.created,customer.updated

Exits 0 when the execution succeeded, 1 when it failed or was canceled (the reason is printed,
such as "Amount exceeds limit"), and 2 when the API could not be called.
"""
import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
from typing import Any, Dict, List, Optional


class APIError(Exception):
    """An answer outside 2xx; the platform sends RFC 9457 problems."""

    def __init__(self, status: int, problem: dict):
        self.status = status
        self.problem = problem
        detail = problem.get("detail") or problem.get("title") or ""
        fields = "".join(f"; {e['field']}: {e['message']}" for e in problem.get("errors") or [])
        super().__init__(f"HTTP {status}: {detail}{fields}")


class LowCodeIntegration:
    """Bridge custom code with the low-code platform."""

    def __init__(self, platform_url: str, api_key: str, timeout: float = 30):
        self.base = platform_url.rstrip("/") + "/api/v1"
        self.api_key = api_key
        self.timeout = timeout

    def trigger_workflow(self, workflow_id: str, data: Dict[str, Any]) -> dict:
        """Trigger a low-code workflow; answers at once with the execution's id."""
        return self._call("POST", f"/workflows/{workflow_id}/trigger", {"input": data})

    def get_workflow_status(self, execution_id: str) -> dict:
        """Check workflow execution status."""
        return self._call("GET", f"/executions/{execution_id}")

    def wait_for_execution(self, execution_id: str, deadline: float, on_change=None) -> dict:
        """Poll until the execution succeeded, failed or was canceled (100 ms growing to 2 s)."""
        wait, last = 0.1, None
        while True:
            execution = self.get_workflow_status(execution_id)
            if execution["status"] != last:
                last = execution["status"]
                if on_change:
                    on_change(execution)
            if execution["status"] in ("succeeded", "failed", "canceled"):
                return execution
            if time.monotonic() + wait > deadline:
                raise TimeoutError(f"execution {execution_id} is still {execution['status']}")
            time.sleep(wait)
            wait = min(wait * 2, 2.0)

    def register_webhook(self, event_types: List[str], callback_url: str, secret: Optional[str] = None) -> dict:
        """Register a webhook for platform events. Without a secret the platform generates one
        and returns it in this response only."""
        body = {"event_types": event_types, "callback_url": callback_url,
                "description": "registered by the Python integration example"}
        if secret:
            body["secret"] = secret
        return self._call("POST", "/webhooks", body)

    def _call(self, method: str, path: str, body: Optional[dict] = None) -> dict:
        """One API call. A POST carries an Idempotency-Key that stays the same across its
        retries, so a retried trigger never runs the workflow twice; 429 and 503 are retried
        after Retry-After, at most 3 times."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if method == "POST":
            headers["Idempotency-Key"] = uuid.uuid4().hex
        for attempt in range(4):
            request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read(16 << 20) or b"{}")
            except urllib.error.HTTPError as e:
                if e.code in (429, 503) and attempt < 3:
                    time.sleep(max(int(e.headers.get("Retry-After") or 1), 1))
                    continue
                raw = e.read(1 << 20)
                try:
                    problem = json.loads(raw)
                except ValueError:
                    problem = {"detail": raw.decode(errors="replace").strip()}
                raise APIError(e.code, problem) from None
        raise AssertionError("unreachable")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflow", required=True, help="the id of the workflow to trigger (wf_...)")
    parser.add_argument("--input", default="{}", help="the JSON document the workflow runs over")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to follow the execution")
    parser.add_argument("--callback-url", default="", help="register a webhook that delivers to this URL")
    parser.add_argument("--events", default="order.created,customer.updated", help="event types, comma-separated")
    args = parser.parse_args()
    endpoint, key = os.environ.get("LOWCODE_ENDPOINT"), os.environ.get("LOWCODE_API_KEY")
    if not endpoint or not key:
        print("set LOWCODE_ENDPOINT (such as http://127.0.0.1:8080) and LOWCODE_API_KEY", file=sys.stderr)
        return 2
    try:
        data = json.loads(args.input)
    except ValueError as e:
        print(f"--input is not JSON: {e}", file=sys.stderr)
        return 2

    platform = LowCodeIntegration(endpoint, key)
    deadline = time.monotonic() + args.timeout
    try:
        queued = platform.trigger_workflow(args.workflow, data)
        print(f"triggered workflow {args.workflow}: execution {queued['execution_id']} {queued['status']}", flush=True)
        execution = platform.wait_for_execution(
            queued["execution_id"], deadline,
            on_change=lambda e: print(f"execution {e['id']} {e['status']}", flush=True))
        if args.callback_url:
            hook = platform.register_webhook(args.events.split(","), args.callback_url, os.environ.get("WEBHOOK_SECRET"))
            print(f"registered webhook {hook['id']} for {', '.join(hook['event_types'])} -> {hook['callback_url']}", flush=True)
            if hook.get("secret"):
                # Generated by the platform and shown only now: hand it to your receiver.
                print(f"signing secret (shown once): {hook['secret']}", flush=True)
    except (APIError, urllib.error.URLError, TimeoutError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    if execution["status"] != "succeeded":
        print(f"execution {execution['id']} {execution['status']}: {execution.get('error', '')}", flush=True)
        return 1
    print(f"execution {execution['id']} succeeded in {execution.get('duration_ms', 0)} ms", flush=True)
    print("output: " + json.dumps(execution.get("output", {}), sort_keys=True, separators=(",", ":")), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
