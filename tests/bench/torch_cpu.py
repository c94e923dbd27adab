#!/usr/bin/env python3
"""PyTorch CPU reference for `cargo xtask bench`: the same workloads, data and initial weights as
pixelgrad's `bench_cpu` (a 1:1 port of the peer harness's mulberry32 data, so the first LeNet
loss is 2.3265 in both). Prints one JSON object on stdout.

Usage: python torch_cpu.py [--threads 2] [--W 5] [--N 30] [--work lenet,mlp,matmul]
"""
import argparse, json, math, statistics, time

import torch
import torch.nn.functional as F


def mulberry32(seed):
    a = seed & 0xFFFFFFFF
    M = 0xFFFFFFFF
    imul = lambda x, y: (x * y) & M
    while True:
        a = (a + 0x6D2B79F5) & M
        t = imul(a ^ (a >> 15), 1 | a)
        t = ((t + imul(t ^ (t >> 7), 61 | t)) & M) ^ t
        yield ((t ^ (t >> 14)) & M) / 4294967296.0


def fill(g, n, lo, hi):
    return torch.tensor([lo + (hi - lo) * next(g) for _ in range(n)], dtype=torch.float32)


def labels(g, n):
    return torch.tensor([math.floor(next(g) * 10) for _ in range(n)], dtype=torch.long)


def param(g, n, fan_in):
    b = 1 / math.sqrt(fan_in)
    return fill(g, n, -b, b)


def lenet_data():
    B, g = 64, mulberry32(42)
    x = fill(g, B * 784, 0, 1).view(B, 1, 28, 28)
    y = labels(g, B)
    spec = [("w1", 6 * 25, 25, (6, 1, 5, 5)), ("b1", 6, 25, (6,)), ("w2", 16 * 150, 150, (16, 6, 5, 5)),
            ("b2", 16, 150, (16,)), ("w3", 400 * 120, 400, (400, 120)), ("b3", 120, 400, (120,)),
            ("w4", 120 * 84, 120, (120, 84)), ("b4", 84, 120, (84,)), ("w5", 84 * 10, 84, (84, 10)),
            ("b5", 10, 84, (10,))]
    return x, y, {k: param(g, n, fi).view(*s) for k, n, fi, s in spec}


def mlp_data():
    B, g = 128, mulberry32(43)
    x = fill(g, B * 784, 0, 1).view(B, 784)
    y = labels(g, B)
    spec = [("w1", 784 * 256, 784, (784, 256)), ("b1", 256, 784, (256,)), ("w2", 256 * 256, 256, (256, 256)),
            ("b2", 256, 256, (256,)), ("w3", 256 * 10, 256, (256, 10)), ("b3", 10, 256, (10,))]
    return x, y, {k: param(g, n, fi).view(*s) for k, n, fi, s in spec}


class LeNet(torch.nn.Module):
    def __init__(s, p):
        super().__init__()
        s.c1 = torch.nn.Conv2d(1, 6, 5, padding=2)
        s.c2 = torch.nn.Conv2d(6, 16, 5)
        s.f1, s.f2, s.f3 = torch.nn.Linear(400, 120), torch.nn.Linear(120, 84), torch.nn.Linear(84, 10)
        with torch.no_grad():
            s.c1.weight.copy_(p["w1"]); s.c1.bias.copy_(p["b1"]); s.c2.weight.copy_(p["w2"]); s.c2.bias.copy_(p["b2"])
            for i, l in ((3, s.f1), (4, s.f2), (5, s.f3)):
                l.weight.copy_(p[f"w{i}"].t()); l.bias.copy_(p[f"b{i}"])

    def forward(s, x):
        x = F.max_pool2d(F.relu(s.c1(x)), 2)
        x = F.max_pool2d(F.relu(s.c2(x)), 2)
        return s.f3(F.relu(s.f2(F.relu(s.f1(x.flatten(1))))))


class MLP(torch.nn.Module):
    def __init__(s, p):
        super().__init__()
        s.f1, s.f2, s.f3 = torch.nn.Linear(784, 256), torch.nn.Linear(256, 256), torch.nn.Linear(256, 10)
        with torch.no_grad():
            for i, l in ((1, s.f1), (2, s.f2), (3, s.f3)):
                l.weight.copy_(p[f"w{i}"].t()); l.bias.copy_(p[f"b{i}"])

    def forward(s, x):
        return s.f3(F.relu(s.f2(F.relu(s.f1(x)))))


def time_steps(fn, W, N):
    warm, times, losses = [], [], []
    cpu0 = None
    for i in range(W + N):
        if i == W:
            cpu0 = time.process_time()
        t0 = time.perf_counter()
        losses.append(fn())
        (warm if i < W else times).append((time.perf_counter() - t0) * 1e3)
    # process CPU time (all threads) per timed step, comparable with pixelgrad's cpu_ms_per_step
    cpu = (time.process_time() - cpu0) * 1e3 / max(N, 1)
    return dict(warmup_ms=warm, times_ms=times, losses=losses, median_ms=statistics.median(times),
                min_ms=min(times), n_timed=len(times), cpu_ms_per_step=cpu)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--W", type=int, default=5)
    ap.add_argument("--N", type=int, default=30)
    ap.add_argument("--work", default="lenet,mlp,matmul")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    out = dict(lib="pytorch", torch=torch.__version__, threads=torch.get_num_threads(), results=[])
    for name, data, Model in (("lenet", lenet_data, LeNet), ("mlp", mlp_data, MLP)):
        if name not in a.work:
            continue
        x, y, p = data()
        m = Model(p)
        opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)

        def step():
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(m(x), y)
            loss.backward()
            opt.step()
            return loss.item()

        r = time_steps(step, a.W, a.N)
        r.update(lib="pytorch", backend=f"cpu-{a.threads}t", workload=name)
        out["results"].append(r)
    if "matmul" in a.work:
        g = mulberry32(44)
        A = fill(g, 1024 * 1024, -1, 1).view(1024, 1024)
        Bm = fill(g, 1024 * 1024, -1, 1).view(1024, 1024)
        r = time_steps(lambda: torch.mm(A, Bm)[0, 0].item(), a.W, a.N)
        r.update(lib="pytorch", backend=f"cpu-{a.threads}t", workload="matmul",
                 gflops=2 * 1024 ** 3 / (r["median_ms"] * 1e6))
        out["results"].append(r)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
