"""Active Devices at scale (issue 5): search latency of the page and the Devices Report's
time and server memory, for an organization with many devices beside one with few, against
one running `licensedesk serve`. Standard library only.

    python3 benches/devices.py BASE_URL SERVER_PID LABEL:EMAIL[,LABEL:EMAIL...] PASSWORD

Prints one Markdown table row per organization.
"""
import http.cookiejar
import re
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request

base, pid, accounts, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
# Team, version, platform, a licence number part that matches nothing, a nickname, and
# text too short for a trigram.
SEARCHES = ["north", "5.4", "galaxy", "DEV-0000", "Zebra 7", "ip"]
ROUNDS = 20


def session(email):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
    opener.open(base + "/login", form.encode())
    return opener


def rss_kib():
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def measure(label, email):
    opener = session(email)
    page = opener.open(base + "/devices").read().decode()
    assert "Active devices" in page, "logged in"
    # Three untimed rounds: the pool opens its connections and each PostgreSQL backend fills
    # its catalog cache (its first queries take up to ~100 ms), statements get prepared.
    for _ in range(3):
        for q in SEARCHES:
            opener.open(base + "/devices?" + urllib.parse.urlencode({"q": q})).read()
    timings = []
    for _ in range(ROUNDS):
        for q in SEARCHES:
            start = time.perf_counter()
            body = opener.open(base + "/devices?" + urllib.parse.urlencode({"q": q})).read()
            timings.append((time.perf_counter() - start) * 1000)
            assert b"Registered devices" in body
    # The report, with the server's resident memory sampled while it streams.
    baseline = rss_kib()
    peak = [baseline]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kib())
            time.sleep(0.002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = time.perf_counter()
    rows = 0
    with opener.open(base + "/devices/report") as response:
        for line in response:
            rows += 1
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    print(
        f"| {label} | {rows - 1} | {percentile(timings, 50):.1f} | {percentile(timings, 99):.1f} "
        f"| {seconds * 1000:.0f} | {(peak[0] - baseline) / 1024:.1f} | {baseline / 1024:.1f} |"
    )


print("| organization | devices in report | search p50 ms | search p99 ms | report ms | report peak RSS growth MiB | RSS before MiB |")
print("|---|---|---|---|---|---|---|")
for account in accounts.split(","):
    label, email = account.split(":")
    measure(label, email)
