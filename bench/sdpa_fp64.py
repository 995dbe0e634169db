#!/usr/bin/env python3
"""PyTorch scaled_dot_product_attention in float64 (math backend) on the
shapes of bench/gpu_bench.c, as the baseline for the CUDA mirror.

Shapes: d in {64, 128}, N in {1024, 4096, 16384}, B*N = 16384, H*d = 2048,
non-causal and causal (is_causal, top-left). FLOPs = 4 B H N^2 d, halved for
causal. One warm-up call, then the median of --reps calls timed with CUDA
events.

The math backend materialises B*H*N^2 scores (68 GB at N = 16384, d = 64),
more than one GPU holds together with softmax's copy, so the heads are taken
in groups sized from the free memory (halved again on an out-of-memory
error), and the time is that of all groups (the label says so).

    python3 bench/sdpa_fp64.py [--reps 5] [--out sdpa.tsv] [--compare mirror.tsv]

--compare reads gpu_bench --out and prints both side by side with the ratio
mirror / SDPA. Without PyTorch or a GPU it says so and prints the mirror alone.
"""
import argparse
import gc
import statistics
import sys

SHAPES = [(d, n, c) for d in (64, 128) for n in (1024, 4096, 16384) for c in ("full", "causal")]


def flops(b, h, n, d, causal):
    f = 4.0 * b * h * n * n * d
    return f / 2 if causal == "causal" else f


def run_sdpa(reps):
    """{(d, N, causal): (ms, tflops, heads per call)}, or None with a reason."""
    try:
        import torch
        import torch.nn.functional as F
        from torch.nn.attention import SDPBackend, sdpa_kernel
    except ImportError as e:
        return None, f"PyTorch is not installed ({e})"
    if not torch.cuda.is_available():
        return None, "PyTorch sees no CUDA device"
    dev = torch.device("cuda")
    print(f"sdpa_fp64: torch {torch.__version__} on {torch.cuda.get_device_name(dev)}", flush=True)
    total = 16384 * 2048
    gen = torch.Generator(device=dev).manual_seed(1234)
    flat = [torch.rand(total, dtype=torch.float64, device=dev, generator=gen) * 2 - 1 for _ in range(3)]
    results = {}
    for d, n, causal in SHAPES:
        h, b = 2048 // d, 16384 // n
        q, k, v = (t.view(b, h, n, d) for t in flat)
        # Scores, scaled scores and softmax output are live at once, plus a
        # causal bias: about four B x group x N x N float64 tensors.
        free, _ = torch.cuda.mem_get_info(dev)
        group = h
        while group > 1 and 4 * 8 * b * group * n * n > 0.7 * free:
            group //= 2

        def call():
            for h0 in range(0, h, group):
                sl = slice(h0, h0 + group)
                F.scaled_dot_product_attention(q[:, sl], k[:, sl], v[:, sl], is_causal=causal == "causal")

        with sdpa_kernel(SDPBackend.MATH):
            while True:
                out_of_memory = False
                try:
                    call()
                    torch.cuda.synchronize()
                except torch.cuda.OutOfMemoryError:
                    if group == 1:
                        raise
                    out_of_memory = True
                if not out_of_memory:
                    break
                # Outside the handler, so the failed call's tensors are gone.
                gc.collect()
                torch.cuda.empty_cache()
                group //= 2
            times = []
            for _ in range(reps):
                start = torch.cuda.Event(enable_timing=True)
                stop = torch.cuda.Event(enable_timing=True)
                start.record()
                call()
                stop.record()
                stop.synchronize()
                times.append(start.elapsed_time(stop))
        ms = statistics.median(times)
        tf = flops(b, h, n, d, causal) / (ms * 1e-3) / 1e12
        results[(d, n, causal)] = (ms, tf, group)
        note = "" if group == h else f"  ({group} of {h} heads per call)"
        print(f"sdpa   d={d:3d} N={n:5d} B={b:2d} H={h:2d} {causal:<8s} {ms:9.3f} ms  {tf:6.2f} TFLOP/s{note}",
              flush=True)
        torch.cuda.empty_cache()
    return results, None


def read_mirror(path):
    rows = {}
    with open(path) as f:
        header = f.readline().split()
        for line in f:
            r = dict(zip(header, line.split()))
            rows[(int(r["d"]), int(r["N"]), r["causal"])] = (int(r["B"]), int(r["H"]), float(r["ms"]),
                                                            float(r["tflops"]))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--out", help="write d, N, B, H, causal, ms, TFLOP/s as TSV")
    ap.add_argument("--compare", help="gpu_bench --out TSV to print against")
    args = ap.parse_args()

    results, reason = run_sdpa(args.reps)
    if results is None:
        print(f"sdpa_fp64: no SDPA baseline: {reason}")
        results = {}
    if args.out and results:
        with open(args.out, "w") as f:
            f.write("d\tN\tB\tH\tcausal\tms\ttflops\theads_per_call\n")
            for (d, n, c), (ms, tf, g) in sorted(results.items()):
                f.write(f"{d}\t{n}\t{16384 // n}\t{2048 // d}\t{c}\t{ms:.4f}\t{tf:.4f}\t{g}\n")
    if args.compare:
        mirror = read_mirror(args.compare)
        print()
        print(" d      N   B   H  mask     mirror TFLOP/s  SDPA fp64 TFLOP/s  mirror/SDPA")
        for d, n, c in SHAPES:
            if (d, n, c) not in mirror:
                continue
            b, h, _, tf = mirror[(d, n, c)]
            if (d, n, c) in results:
                stf = results[(d, n, c)][1]
                print(f"{d:3d} {n:6d} {b:3d} {h:3d}  {c:<7s} {tf:15.2f} {stf:18.2f} {tf / stf:12.2f}")
            else:
                print(f"{d:3d} {n:6d} {b:3d} {h:3d}  {c:<7s} {tf:15.2f} {'-':>18s} {'-':>12s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
