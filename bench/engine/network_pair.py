#!/usr/bin/env python3
"""network create + network rm through an engine's API socket, timed inside one client process
(no CLI or curl start-up in the figure). Prints: create_median rm_median pair_median (ms).
usage: network_pair.py SOCKET SUBNET_PREFIX(e.g. 10.197) N NAME_PREFIX"""
import json, socket, statistics, sys, time

sock_path, prefix, n, name_prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

def request(method, path, body=None):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock_path)
    data = json.dumps(body).encode() if body is not None else b""
    s.sendall(f"{method} {path} HTTP/1.0\r\nHost: engine\r\nContent-Type: application/json\r\n"
              f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
    out = b""
    while chunk := s.recv(65536):
        out += chunk
    s.close()
    head, _, payload = out.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if status >= 300:
        raise SystemExit(f"{method} {path}: {status} {payload[:200]!r}")
    return payload

times = []
for i in range(n + 2):  # two warm-up pairs
    t0 = time.perf_counter()
    created = request("POST", "/v1.41/networks/create",
                      {"Name": f"{name_prefix}{i}", "Driver": "bridge", "CheckDuplicate": True,
                       "IPAM": {"Config": [{"Subnet": f"{prefix}.{i + 1}.0/24"}]}})
    t1 = time.perf_counter()
    request("DELETE", "/v1.41/networks/" + json.loads(created)["Id"])
    t2 = time.perf_counter()
    if i >= 2:
        times.append(((t1 - t0) * 1e3, (t2 - t1) * 1e3))
print("%.1f %.1f %.1f" % (statistics.median(t[0] for t in times), statistics.median(t[1] for t in times),
                          statistics.median(t[0] + t[1] for t in times)))
