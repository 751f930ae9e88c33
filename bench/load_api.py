"""Bounded load benchmark on loopback (issue 14 item 9): N simulated users with a think time, against a running
IPOC with the demo loaded (``ipoc serve``). Each user signs its requests with its own API token and cycles
through the mix: lexical/hybrid search, the patent list, the demand list, a filtered search, a demand's detail
and its match page. The run stops after ``--seconds`` (and at most ``--max-requests``); only loopback addresses
are accepted as targets.

The same run also measures a baseline: the same users and think time with the demand list, detail and matches
left out (the mix that was fast before the demand list was fixed), so the two figures are comparable.

    IPOC_HOME=/tmp/ipoc-demo .venv/bin/ipoc serve --port 8100 &
    .venv/bin/python bench/load_api.py --url http://127.0.0.1:8100 --users 50 --think 2 --seconds 60 \
        --json bench/results/runs/load_api.json
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urlparse

import requests

QUERIES = ["锂电池 正极材料", "图像识别", "半导体封装", "传感器", "新能源汽车 电机", "生物医药 制剂", "5G 天线",
           "智能制造 机器人", "复合材料", "污水处理"]


def loopback_only(url: str) -> None:
    host = urlparse(url).hostname or ""
    address = socket.gethostbyname(host)
    if not ipaddress.ip_address(address).is_loopback:
        sys.exit(f"refusing to load {host} ({address}): only loopback targets are allowed")


def make_tokens(n: int, usernames: list[str]) -> list[str]:
    tokens = []
    for i in range(n):
        user = usernames[i % len(usernames)]
        out = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ipoc"), "token", "create", user,
                              "--name", f"load-{i}", "--days", "1", "--json"],
                             capture_output=True, text=True, check=True)
        tokens.append(json.loads(out.stdout)["token"])
    return tokens


def solo(url: str, token: str, demand_ids: list[int], repeat: int) -> dict:
    """What each request of the mix costs with one client and nothing else in the server's queue: ``repeat``
    sequential requests per endpoint (GETs only), median and max in seconds."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    session.get(url + f"/api/v1/search/patents?q={QUERIES[0]}&limit=10", timeout=120)  # loads the index and vectors
    out = {}
    for name, target in mix(demand_ids, True):
        times = []
        for i in range(repeat):
            random.seed(i)
            t = time.perf_counter()
            response = session.get(url + target(), timeout=120)
            times.append(time.perf_counter() - t)
            if response.status_code >= 500:
                sys.exit(f"{name}: HTTP {response.status_code}")
        out[name] = {"n": len(times), "median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)}
        print("solo", name, out[name], flush=True)
    return out


def mix(demand_ids: list[int], with_demands: bool, page_demand_ids: list[int] | None = None,
        match_ids: list[int] | None = None):
    steps = [
        ("search", lambda: f"/api/v1/search/patents?q={random.choice(QUERIES)}&limit=10"),
        ("patent list", lambda: "/api/v1/patents?limit=20"),
        ("filtered search", lambda: f"/api/v1/search/patents?q={random.choice(QUERIES)}&patent_type=invention"
                                    "&legal_status=valid&limit=10"),
    ]
    if with_demands:
        steps += [
            ("demand list", lambda: "/api/v1/demands?limit=20"),
            ("demand detail", lambda: f"/api/v1/demands/{random.choice(demand_ids)}"),
            ("demand matches", lambda: f"/api/v1/matching/demands/{random.choice(demand_ids)}/matches"),
        ]
        if match_ids:  # a live match (the product's hybrid matching, run now) as a center's staff start it
            steps += [("live match (POST)", lambda: ("POST", f"/api/v1/matching/demands/{random.choice(match_ids)}/match"))]
        if page_demand_ids:  # the HTML pages a center's staff open (signed in with a session)
            steps += [
                ("demand page", lambda: f"/demands/{random.choice(page_demand_ids)}/"),
                ("match page", lambda: f"/matching/demands/{random.choice(page_demand_ids)}/"),
            ]
    return steps


def login(session: requests.Session, url: str, username: str, password: str) -> None:
    """A browser-like sign-in: the session cookie then opens the HTML pages."""
    page = session.get(url + "/login/", timeout=30)
    token = page.cookies.get("csrftoken") or session.cookies.get("csrftoken")
    response = session.post(url + "/login/", data={"username": username, "password": password,
                                                   "csrfmiddlewaretoken": token},
                            headers={"Referer": url + "/login/"}, timeout=30, allow_redirects=False)
    if response.status_code != 302:
        raise SystemExit(f"sign-in as {username} failed ({response.status_code})")


def run(url: str, tokens: list[str], steps, *, think: float, seconds: float, max_requests: int,
        page_login: tuple[str, str] | None = None, match_tokens: list[str] | None = None) -> dict:
    lock = threading.Lock()
    samples: dict[str, list[float]] = {name: [] for name, _ in steps}
    errors: list[str] = []
    count = [0]

    sessions = []
    for n, token in enumerate(tokens):  # sign in before the clock starts: 50 password hashes at once are not the load measured
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        if page_login:
            login(session, url, *page_login)
        session.match_token = match_tokens[n] if match_tokens else token
        sessions.append(session)
    stop = time.monotonic() + seconds

    def user(session: requests.Session, offset: int):
        i = offset
        time.sleep(random.uniform(0, think))  # users do not start in lockstep
        while time.monotonic() < stop:
            with lock:
                if count[0] >= max_requests:
                    return
                count[0] += 1
            name, path = steps[i % len(steps)]
            i += 1
            start = time.perf_counter()
            try:
                target = path()
                if isinstance(target, tuple):  # ("POST", path): a write, signed with a center staff token
                    response = session.post(url + target[1], timeout=60,
                                            headers={"Authorization": f"Bearer {session.match_token}"})
                else:
                    response = session.get(url + target, timeout=30)
                elapsed = time.perf_counter() - start
                with lock:
                    samples[name].append(elapsed)
                    if response.status_code >= 400:
                        errors.append(f"{name}: HTTP {response.status_code}")
            except requests.RequestException as exc:
                with lock:
                    errors.append(f"{name}: {type(exc).__name__}")
            time.sleep(think)

    threads = [threading.Thread(target=user, args=(s, n)) for n, s in enumerate(sessions)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - began
    everything = sorted(x for v in samples.values() for x in v)

    def pct(values, p):
        values = sorted(values)
        return round(values[min(len(values) - 1, int(p * len(values)))] * 1000, 1) if values else None

    return {
        "requests": len(everything), "errors": len(errors), "error_examples": errors[:5],
        "requests_per_second": round(len(everything) / wall, 1),
        "p50_ms": pct(everything, 0.50), "p95_ms": pct(everything, 0.95), "max_ms": pct(everything, 1.0),
        "by_endpoint": {name: {"n": len(v), "p50_ms": pct(v, 0.5), "p95_ms": pct(v, 0.95),
                               "mean_ms": round(statistics.mean(v) * 1000, 1) if v else None}
                        for name, v in samples.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8100")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think", type=float, default=2.0)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--usernames", default="center,enterprise,office,university")
    parser.add_argument("--json", default="")
    parser.add_argument("--page-user", default="center", help="demo user whose session opens the HTML pages")
    parser.add_argument("--live-match", action="store_true",
                        help="add a third phase: the full mix plus live matching (POST …/match) as center staff")
    parser.add_argument("--solo", type=int, default=0, metavar="N",
                        help="first time N sequential requests per endpoint with one client (what each costs alone)")
    parser.add_argument("--password", default=os.environ.get("IPOC_DEMO_PASSWORD", "ipoc-demo-2026"))
    args = parser.parse_args()
    loopback_only(args.url)
    tokens = make_tokens(args.users, args.usernames.split(","))
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {tokens[0]}"
    demand_ids = [d["id"] for d in session.get(args.url + "/api/v1/demands?limit=200", timeout=60).json()["items"]]
    page_session = requests.Session()
    login(page_session, args.url, args.page_user, args.password)
    page_demand_ids = [pk for pk in demand_ids[:60]
                       if page_session.get(f"{args.url}/matching/demands/{pk}/", timeout=60).status_code == 200][:20]
    result = {"users": args.users, "think_s": args.think, "seconds": args.seconds,
              "load_before": os.getloadavg()[0]}
    if args.solo:
        result["solo_one_client"] = solo(args.url, tokens[0], demand_ids, args.solo)
    result["baseline_without_demand_pages"] = run(args.url, tokens, mix(demand_ids, False), think=args.think,
                                                  seconds=args.seconds, max_requests=args.max_requests)
    result["full_mix"] = run(args.url, tokens, mix(demand_ids, True, page_demand_ids), think=args.think,
                             seconds=args.seconds, max_requests=args.max_requests,
                             page_login=(args.page_user, args.password))
    if args.live_match:
        match_tokens = make_tokens(args.users, [args.page_user])
        check = requests.Session()
        check.headers["Authorization"] = f"Bearer {match_tokens[0]}"
        match_ids = [pk for pk in page_demand_ids
                     if check.get(f"{args.url}/api/v1/matching/demands/{pk}/matches", timeout=60).status_code == 200]
        result["full_mix_with_live_matching"] = run(
            args.url, tokens, mix(demand_ids, True, page_demand_ids, match_ids), think=args.think,
            seconds=args.seconds, max_requests=args.max_requests, page_login=(args.page_user, args.password),
            match_tokens=match_tokens)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=2)


if __name__ == "__main__":
    main()
