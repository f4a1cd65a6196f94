"""List pages at scale (issue 14): p50/p99 of every list page — plain, searched and at a deep
page — for one organization's administrator, against one running `licensedesk serve`.
Standard library only.

    python3 benches/pages.py BASE_URL EMAIL PASSWORD USERS DEVICES AUDIT

Prints a Markdown table, one row per page.
"""
import http.cookiejar
import re
import sys
import time
import urllib.parse
import urllib.request

base, email, password = sys.argv[1], sys.argv[2], sys.argv[3]
users, devices, audit = (int(n) for n in sys.argv[4:7])
ROUNDS = 20
SIZE = 50


def deep(rows):
    """A page near the end of a list of `rows` rows, `SIZE` a page."""
    return max(1, (rows * 9 // 10) // SIZE)


PAGES = [
    "/mobile-users",
    "/mobile-users?q=smith",
    "/mobile-users?q=novak",
    f"/mobile-users?page={deep(users)}",
    "/devices",
    "/devices?q=north",
    f"/devices?page={deep(devices)}",
    "/licenses",
    "/teams",
    "/employees",
    "/records",
    "/sync-log",
    "/outbox",
    "/audit",
    "/audit?q=enabled",
    "/audit?q=3f2a",
    "/audit?actor=admin3@example.com",
    f"/audit?page={deep(audit)}",
]


def session():
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
    opener.open(base + "/login", form.encode())
    return opener


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


opener = session()
assert "Mobile users" in opener.open(base + "/mobile-users").read().decode(), "signed in"
# Untimed rounds first: connections open, statements are prepared, caches fill.
for _ in range(3):
    for path in PAGES:
        opener.open(base + path).read()
print("| page | p50 ms | p99 ms |")
print("|---|---|---|")
for path in PAGES:
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        with opener.open(base + path) as response:
            response.read()
            assert response.status == 200, path
        timings.append((time.perf_counter() - start) * 1000)
    print(f"| `{path}` | {percentile(timings, 50):.1f} | {percentile(timings, 99):.1f} |")
