"""``make bench-api BENCH_API_ARGS=--profile``: the action list requests in-process, profiled."""

import statistics
import time
from typing import Any


def profile(plan: dict[str, Any]) -> int:
    """The list requests, in-process through Django's test client, under pyinstrument."""
    from django.test import Client
    from pyinstrument import Profiler

    client = Client()
    requests = [(e["token"], url) for e in plan["users"]["list-api"] for url in e["lists"]]
    for token, url in requests:  # warm: imports, connections
        client.get(url, HTTP_AUTHORIZATION=f"Token {token}")
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    rounds = 5
    with profiler:
        for _ in range(rounds):
            for token, url in requests:
                answer = client.get(url, HTTP_AUTHORIZATION=f"Token {token}")
                assert answer.status_code == 200, (url, answer.status_code)
    took = time.perf_counter() - started
    print(profiler.output_text(unicode=False, color=False, show_all=False))
    timings = statistics.mean([took / (rounds * len(requests)) * 1000])
    print(f"{rounds * len(requests)} list requests, {timings:.1f} ms each (under the profiler)")
    return 0
