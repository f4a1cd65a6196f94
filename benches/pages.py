"""List pages at scale (issue 14): p50/p99 of every list page — plain, searched and at a deep
page — for one organization's administrator, against one running `licensedesk serve`.
Standard library only.

    python3 benches/pages.py BASE_URL EMAIL PASSWORD USERS DEVICES AUDIT

Prints a Markdown table, one row per page.
"""
import html
import http.cookiejar
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

base, email, password = sys.argv[1], sys.argv[2], sys.argv[3]
users, devices, audit = (int(n) for n in sys.argv[4:7])
ROUNDS = 20
SIZE = 50


def deep(rows):
    """A page near the end of a list of `rows` rows, `SIZE` a page."""
    return max(1, (rows * 9 // 10) // SIZE)


# A deep page is timed twice: reached as an administrator reaches it, through the Next link of
# the page before (which names the row the page starts after, so the database seeks to it),
# and typed by hand as `?page=N` (counted off from the top, OFFSET).
PAGES = [
    "/mobile-users",
    "/mobile-users?q=smith",
    "/mobile-users?q=novak",
    "/mobile-users?q=3f2a",
    "/mobile-users?state=Enabled",
    "/mobile-users?q=novak&state=Enabled",
    "/mobile-users?sort=email",
    "/mobile-users?q=novak&sort=email",
    "/mobile-users?sort=last_sync&dir=desc",
    "/mobile-users?page=3000",
    f"next:/mobile-users?page={deep(users) - 1}",
    f"/mobile-users?page={deep(users)}",
    f"next:/mobile-users?q=novak&page={deep(users) // 12}",
    "/devices",
    "/devices?q=north",
    f"next:/devices?page={deep(devices) - 1}",
    f"/devices?page={deep(devices)}",
    "/devices?page=1500",
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
    f"next:/audit?page={deep(audit) - 1}",
    f"/audit?page={deep(audit)}",
    f"next:/audit?q=enabled&page={deep(audit) // 4}",
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


def resolve(path):
    """`next:PATH`: the Next link of PATH (fetched once, untimed). Reaching that page typed
    by number can run past the server's 5 s statement limit (a search walked to an offset of
    millions on PostgreSQL): then a page half as deep is tried, and the table names it."""
    if not path.startswith("next:"):
        return path
    path = path[5:]
    for _ in range(8):
        try:
            page = opener.open(base + path).read().decode()
            break
        except urllib.error.HTTPError:
            number = int(re.search(r"page=(\d+)", path).group(1))
            path = path.replace(f"page={number}", f"page={max(1, number // 2)}")
    link = re.search(r'<a class="button" href="([^"]+)" rel="next">', page).group(1)
    return html.unescape(link)


PAGES = [resolve(path) for path in PAGES]
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
