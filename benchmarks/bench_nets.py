"""Training throughput, achieved GFLOP/s and peak memory of ResNet1D and ResNet2D, in
float32 and bfloat16.

Usage::

    python benchmarks/bench_nets.py            # the full report (several minutes)
    python benchmarks/bench_nets.py --quick    # fewer timed steps
    python benchmarks/bench_nets.py --config '{"model": "resnet2d", "width": 32}'
    python benchmarks/bench_nets.py --device cuda --config '{"model": "resnet2d", ...}'

Every configuration runs once per precision (``--precisions``, default float32 and
bfloat16): bfloat16 is the estimators' ``precision="bfloat16"``, i.e. the forward pass
under ``torch.autocast`` (convolutions and products in bfloat16, weights, optimiser,
loss and batch-norm statistics in float32). Each row's matmul rate ('mm') is timed in
the row's own dtype, and the speed-up of bfloat16 over float32 is printed as a ratio of
the two rows' samples/s measured in the same run.

What is measured, for each configuration, on a synthetic 3-task group (random-walk
series of lengths 288, 300 and 312, one length per task, 2/3/4 classes):

* training samples/s: forward + cross-entropy + backward + AdamW step (lr 1e-4) on
  task-homogeneous batches of 40, the tasks taken in turn, after warm-up steps;
* GFLOP per sample and achieved GFLOP/s: FLOPs of one training step of each task counted
  with ``torch.utils.flop_counter.FlopCounterMode`` (matmuls and convolutions, forward and
  backward; element-wise work such as batch norm is not counted), divided by the
  measured step time;
* the machine's fp32 matmul GFLOP/s, timed on 2048x2048 matrices in the same run, and the
  ratio of the two;
* peak memory: ``ru_maxrss`` of a fresh Python subprocess per configuration (the peak
  resident set of the whole process: interpreter, torch libraries, data, model,
  activations), with the resident set just before the model was built for reference.

The reference is the float32 code before the speed work: ResNet2D at its defaults with
``fuse_template_stem=False``, i.e. the ``k`` distance maps formed and read by the stem
convolution (the same function; the default computes the stem from the series, see
:func:`sktsmtl.nets.template_conv2d`). It has its own row.

Then one epoch over 1,000 series of length 300 (three tasks of 334/333/333 series,
:class:`sktsmtl.training.TaskBatchSampler`, batch 40, after one warm-up step per task):
the reference in float32 and ResNet2D at its defaults in each precision, checked against
the speed bars of the defaults: the defaults' epoch at least 2.5x faster than the reference epoch
of the same run, at least 60 % of the float32 matmul rate in float32 (executed FLOPs:
the stem read from the series does far fewer), and the epoch time of the defaults
against 15 s.

Threads: torch's default (one per core) unless ``--threads`` is given.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

from sktsmtl.nets import RESNET2D_PRESETS

BATCH_SIZE = 40
TASK_LENGTHS = (288, 300, 312)
TASK_CLASSES = (2, 3, 4)
GIB = 1024.0**3

RESNET1D_CONFIGS = [
    {"model": "resnet1d", "label": "ResNet1D default (64,128,128)"},
]


def _size_label(name, preset):
    """``"ResNet2D <name> (k64 m128 w64 stem4)"`` from a preset's sizes."""
    size = RESNET2D_PRESETS[preset]
    return (f"ResNet2D {name} (k{size['n_templates']} m{size['template_length']} "
            f"w{size['width']} stem{size['stem_stride']})")


# labels and sizes from the presets, so that they follow a change of the defaults
DEFAULT_RESNET2D_LABEL = _size_label("default", "cpu")
#: the float32 code the speed bars compare with: the same network, its maps formed
REFERENCE = {"model": "resnet2d", "label": "ResNet2D default, maps formed (reference)",
             "fuse_template_stem": False}
#: glibc's malloc gives freed memory back to the system past a threshold that adapts to
#: the largest freed block (a few MB here), so every training step page-faults its
#: activations in again; a high trim threshold keeps the memory (a process setting of
#: the user's, not the library's; see the Benchmarks page)
MALLOC_KEEPS_MEMORY = {"MALLOC_TRIM_THRESHOLD_": str(2**34), "MALLOC_MMAP_THRESHOLD_": str(2**25)}
RESNET2D_CONFIGS = [
    REFERENCE,
    {"model": "resnet2d", "label": DEFAULT_RESNET2D_LABEL},
    {"model": "resnet2d", "label": "ResNet2D default, malloc keeps memory",
     "env": MALLOC_KEEPS_MEMORY},
    {"model": "resnet2d", "label": _size_label("large", "large"), **RESNET2D_PRESETS["large"]},
    {"model": "resnet2d", "label": "ResNet2D k16 m64 w64 no stem", "n_templates": 16,
     "template_length": 64, "width": 64, "stem_stride": 1},
]
PRECISIONS = ("float32", "bfloat16")


def _peak_rss_bytes():
    # Linux reports ru_maxrss in KiB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024.0


def _current_rss_bytes():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return float("nan")


def cpu_idle_fraction(seconds=1.0):
    """Fraction of the machine's CPU time idle over ``seconds`` (from /proc/stat)."""
    def snapshot():
        with open("/proc/stat") as f:
            values = [float(v) for v in f.readline().split()[1:]]
        return values[3] + values[4], sum(values)  # idle + iowait, total

    try:
        idle0, total0 = snapshot()
        time.sleep(seconds)
        idle1, total1 = snapshot()
    except OSError:
        return float("nan")
    return (idle1 - idle0) / max(total1 - total0, 1e-9)


def wait_until_idle(max_wait, threshold=0.9):
    """Wait (up to ``max_wait`` seconds) until other processes leave the CPUs idle."""
    t0 = time.perf_counter()
    while True:
        idle = cpu_idle_fraction(2.0)
        if idle >= threshold or time.perf_counter() - t0 > max_wait:
            return idle
        time.sleep(3.0)


def _sync(device):
    import torch

    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def matmul_gflops(n=2048, repeats=10, dtype="float32", device="cpu"):
    """GFLOP/s of an ``n x n`` matmul in ``dtype`` (best of a few timings)."""
    import torch

    dt = getattr(torch, dtype)
    a, b = torch.randn(n, n, device=device, dtype=dt), torch.randn(n, n, device=device, dtype=dt)
    for _ in range(3):
        a @ b
    _sync(device)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(repeats):
            a @ b
        _sync(device)
        best = min(best, (time.perf_counter() - t0) / repeats)
    return 2.0 * n**3 / best / 1e9


def _random_walks(n, length, generator):
    import torch

    x = torch.randn(n, 1, length, generator=generator).cumsum(-1)
    x = x - x.mean(-1, keepdim=True)
    return x / x.std(-1, keepdim=True)


def _build(config):
    import torch

    from sktsmtl.nets import MultiTaskHead, MultiTaskNetwork, ResNet1D, ResNet2D

    params = {k: v for k, v in config.items()
              if k not in ("model", "label", "epoch", "count_only", "precision", "device", "env")}
    if config["model"] == "resnet1d":
        backbone = ResNet1D(**params)
    else:
        backbone = ResNet2D(**params)
    net = MultiTaskNetwork(backbone, MultiTaskHead(backbone.embedding_dim, list(TASK_CLASSES)))
    net = net.to(config.get("device", "cpu"))
    optimizer = torch.optim.AdamW(net.parameters(), lr=1e-4)
    net.autocast_dtype = (None if config.get("precision", "float32") == "float32"
                          else getattr(torch, config["precision"]))
    return net, optimizer


def _step(net, optimizer, x, y, task):
    """One training step as the estimators take it (autocast for bfloat16)."""
    from torch.nn import functional as F

    from sktsmtl.training.precision import autocast

    optimizer.zero_grad(set_to_none=True)
    with autocast(x.device, net.autocast_dtype):
        logits = net(x, task)
    loss = F.cross_entropy(logits.float(), y)
    loss.backward()
    optimizer.step()
    return loss


def worker(config, min_seconds, min_steps):
    """Measure one configuration in this process; return a dict of figures."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    device = config.get("device", "cpu")
    precision = config.get("precision", "float32")
    out = {"label": config.get("label", json.dumps(config)), "threads": torch.get_num_threads(),
           "precision": precision}

    def peak_gib():
        if torch.device(device).type == "cuda":
            return torch.cuda.max_memory_allocated() / GIB
        return _peak_rss_bytes() / GIB

    if config.get("epoch"):
        from sktsmtl.training import TaskBatchSampler

        sizes = (334, 333, 333)
        X = torch.cat([_random_walks(n, 300, g) for n in sizes]).to(device)
        y = torch.cat([torch.randint(0, c, (n,), generator=g)
                       for n, c in zip(sizes, TASK_CLASSES)]).to(device)
        task_of_row = torch.cat([torch.full((n,), t) for t, n in enumerate(sizes)])
        rss_before = _current_rss_bytes()
        net, optimizer = _build(config)
        net.train()
        sampler = TaskBatchSampler.from_task_ids(task_of_row.numpy(), BATCH_SIZE, random_state=0)
        for t in range(3):  # warm-up: one step per task
            rows = torch.nonzero(task_of_row == t).flatten()[:BATCH_SIZE]
            _step(net, optimizer, X[rows.to(device)], y[rows.to(device)], t)
        _sync(device)
        n_seen = 0
        t0 = time.perf_counter()
        for batch in sampler:
            rows = torch.as_tensor(batch)
            task = int(task_of_row[rows[0]])
            rows = rows.to(device)
            _step(net, optimizer, X[rows], y[rows], task)
            n_seen += len(batch)
        _sync(device)
        out.update(epoch_seconds=time.perf_counter() - t0, epoch_samples=n_seen,
                   epoch_batches=len(sampler), rss_before_gib=rss_before / GIB,
                   peak_rss_gib=peak_gib())
        return out

    if config.get("count_only"):
        # FLOPs of one training sample (batch of 1, length 300), not timed
        net, optimizer = _build(config)
        x, y = _random_walks(1, 300, g), torch.zeros(1, dtype=torch.long)
        t0 = time.perf_counter()
        with FlopCounterMode(display=False) as counter:
            _step(net, optimizer, x, y, 0)
        out.update(gflop_per_sample=counter.get_total_flops() / 1e9,
                   n_parameters=sum(p.numel() for p in net.parameters()),
                   one_sample_seconds=time.perf_counter() - t0,
                   peak_rss_gib=_peak_rss_bytes() / GIB)
        return out

    data = []
    for t, (length, n_cls) in enumerate(zip(TASK_LENGTHS, TASK_CLASSES)):
        data.append((_random_walks(BATCH_SIZE, length, g).to(device),
                     torch.randint(0, n_cls, (BATCH_SIZE,), generator=g).to(device)))
    rss_before = _current_rss_bytes()
    net, optimizer = _build(config)
    net.train()
    out["n_parameters"] = sum(p.numel() for p in net.parameters())

    flops = []
    for t, (x, y) in enumerate(data):
        with FlopCounterMode(display=False) as counter:
            _step(net, optimizer, x, y, t)
        flops.append(counter.get_total_flops())
    flops_per_step = sum(flops) / len(flops)
    for t, (x, y) in enumerate(data):  # warm-up (the counted steps were slow)
        _step(net, optimizer, x, y, t)

    mm_before = matmul_gflops(repeats=5, dtype=precision, device=device)
    _sync(device)
    steps = 0
    t0 = time.perf_counter()
    while steps < min_steps or time.perf_counter() - t0 < min_seconds:
        t = steps % len(data)
        _step(net, optimizer, *data[t], t)
        steps += 1
        if torch.device(device).type == "cuda" and steps % 5 == 0:
            _sync(device)
    _sync(device)
    elapsed = time.perf_counter() - t0
    out.update(
        matmul_gflops=0.5 * (mm_before + matmul_gflops(repeats=5, dtype=precision,
                                                       device=device)),
        steps=steps,
        samples_per_s=steps * BATCH_SIZE / elapsed,
        step_seconds=elapsed / steps,
        gflop_per_sample=flops_per_step / BATCH_SIZE / 1e9,
        gflops=flops_per_step * steps / elapsed / 1e9,
        rss_before_gib=rss_before / GIB,
        peak_rss_gib=peak_gib(),
    )
    return out


def run_in_subprocess(config, args):
    if args.wait_idle:
        wait_until_idle(args.wait_idle)
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", json.dumps(config),
           "--min-seconds", str(args.min_seconds), "--min-steps", str(args.min_steps)]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    env = dict(os.environ, **config.get("env", {}))
    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if res.returncode != 0:
        return {"label": config.get("label", ""), "error": res.stderr.strip().splitlines()[-1:]}
    return json.loads(res.stdout.strip().splitlines()[-1])


def _print_row(r, peak_matmul):
    if "error" in r:
        print(f"{r['label']:<48} FAILED: {r['error']}")
        return
    print(
        f"{r['label']:<48} {r['precision']:>8} "
        f"{r['n_parameters'] / 1e3:>8.0f}k {r['gflop_per_sample']:>9.3f} "
        f"{r['samples_per_s']:>9.1f} {r['gflops']:>8.1f} {r['matmul_gflops']:>7.1f} "
        f"{100 * r['gflops'] / r['matmul_gflops']:>6.1f}% "
        f"{r['peak_rss_gib']:>7.2f} {r['rss_before_gib']:>7.2f}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter timings")
    parser.add_argument("--config", action="append", default=[],
                        help="JSON of one configuration (repeatable); replaces the defaults")
    parser.add_argument("--precisions", nargs="+", default=list(PRECISIONS),
                        choices=list(PRECISIONS))
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--no-epoch", action="store_true", help="skip the epoch timing")
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads")
    parser.add_argument("--min-seconds", type=float, default=None)
    parser.add_argument("--min-steps", type=int, default=None)
    parser.add_argument("--wait-idle", type=float, default=0.0,
                        help="before each configuration wait up to this many seconds for "
                             "the CPUs to be idle (shared machines)")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.min_seconds is None:
        args.min_seconds = 3.0 if args.quick else 10.0
    if args.min_steps is None:
        args.min_steps = 3 if args.quick else 6

    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    if args.worker is not None:
        print(json.dumps(worker(json.loads(args.worker), args.min_seconds, args.min_steps)))
        return 0

    import platform

    import torch

    base = [json.loads(c) for c in args.config] or RESNET1D_CONFIGS + RESNET2D_CONFIGS
    idle = cpu_idle_fraction()
    peaks = {p: matmul_gflops(dtype=p, device=args.device) for p in args.precisions}
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, device "
          f"{args.device}")
    print("matmul 2048x2048: " + ", ".join(f"{p} {v:.1f} GFLOP/s" for p, v in peaks.items())
          + f" (CPU idle before the run: {100 * idle:.0f}%; 'mm' below = the same matmul "
          "in the row's dtype, timed inside each configuration's process before and after "
          "its timed steps, and '%mm' = GFLOP/s / mm)")
    print(f"batch {BATCH_SIZE}, 3 tasks of lengths {TASK_LENGTHS}; training step = forward + "
          "backward + AdamW step")
    print("peak memory: ru_maxrss of a fresh subprocess per configuration (whole process; "
          "CUDA: max allocated); 'before' = RSS just before the model was built\n")
    header = (f"{'configuration':<48} {'dtype':>8} {'params':>9} {'GFLOP/smp':>9} "
              f"{'smp/s':>9} {'GFLOP/s':>8} {'mm':>7} {'%mm':>7} {'peakGiB':>7} "
              f"{'before':>7}")
    print(header)
    print("-" * len(header))
    results = {}
    for config in base:
        for precision in args.precisions:
            r = run_in_subprocess(dict(config, precision=precision, device=args.device), args)
            results[(config.get("label", ""), precision)] = r
            _print_row(r, peaks[precision])
        sys.stdout.flush()
    if len(args.precisions) == 2:
        print("\nbfloat16 speed-up over float32 (samples/s ratio, same run):")
        for config in base:
            a, b = (results[(config.get("label", ""), p)] for p in PRECISIONS)
            if "error" not in a and "error" not in b:
                print(f"  {config.get('label', ''):<48} "
                      f"{b['samples_per_s'] / a['samples_per_s']:.2f}x")

    if not args.config and not args.quick:
        paper = run_in_subprocess(
            {"model": "resnet2d", "label": "paper", "count_only": True,
             **RESNET2D_PRESETS["paper"]}, args)
        if "error" not in paper:
            print(f"{'ResNet2D paper preset (k64 m512 w64 no stem)':<48} "
                  f"{paper['n_parameters'] / 1e3:>8.0f}k {paper['gflop_per_sample']:>9.3f}   "
                  f"(FLOPs counted on one sample of length 300, not timed: one untimed "
                  f"step took {paper['one_sample_seconds']:.1f} s)")
    sys.stdout.flush()

    if args.no_epoch:
        return 0
    print("\nOne epoch over 1,000 series of length 300 (TaskBatchSampler, batch 40):")
    epochs = {}
    runs = [("reference", dict(REFERENCE, precision="float32"))]
    runs += [(p, {"model": "resnet2d", "precision": p}) for p in args.precisions]
    for name, config in runs:
        epoch = run_in_subprocess(dict(config, label="epoch", epoch=True, device=args.device),
                                  args)
        if "error" in epoch:
            print(f"  {name}: FAILED:", epoch["error"])
            return 1
        epochs[name] = epoch
        what = ("reference float32 (maps formed)" if name == "reference"
                else f"defaults {name}")
        print(f"  {what:>31}: {epoch['epoch_seconds']:.1f} s for {epoch['epoch_samples']} "
              f"samples in {epoch['epoch_batches']} batches "
              f"({epoch['epoch_samples'] / epoch['epoch_seconds']:.1f} samples/s); peak "
              f"memory {epoch['peak_rss_gib']:.2f} GiB")
    reference = epochs.pop("reference")["epoch_seconds"]
    print("\nBars (ResNet2D defaults):")
    for name, epoch in epochs.items():
        ratio = reference / epoch["epoch_seconds"]
        print(f"  {name} epoch >= 2.5x faster than the float32 reference: {ratio:.2f}x -> "
              f"{'PASS' if ratio >= 2.5 else 'FAIL'}")
    if len(epochs) == 2:
        print(f"  (bfloat16 over float32, same code: "
              f"{epochs['float32']['epoch_seconds'] / epochs['bfloat16']['epoch_seconds']:.2f}x)")
    fastest = min(e["epoch_seconds"] for e in epochs.values())
    print(f"  fastest epoch < 15 s: {fastest:.1f} s -> {'PASS' if fastest < 15 else 'FAIL'}")
    default = results.get((DEFAULT_RESNET2D_LABEL, "float32"))
    if default is not None and "error" not in default:
        frac = default["gflops"] / default["matmul_gflops"]
        print(f"  float32 >= 60% of the float32 matmul rate: {100 * frac:.1f}% -> "
              f"{'PASS' if frac >= 0.6 else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
