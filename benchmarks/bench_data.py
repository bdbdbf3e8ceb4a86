"""Speed of the data layer: ``TaskPanel.from_dict`` against ``np.concatenate``.

The input is 100,000 series of length 100 in 10 tasks (float64, no missing values, the
common case), and the same with 10% of the series NaN-padded to shorter lengths.
Both are timed in one run, best of several repeats, as CPU time of this process, so
that the ratio holds on a loaded machine.

Run: ``python benchmarks/bench_data.py [--series 100000] [--length 100] [--tasks 10]``.
The bar: from_dict within 3x of np.concatenate on the first input.
"""

import argparse
import time

import numpy as np

from sktsmtl.data import TaskPanel


def best_cpu_seconds(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=100_000)
    parser.add_argument("--length", type=int, default=100)
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    per_task = args.series // args.tasks
    data = {f"task{t}": rng.standard_normal((per_task, args.length))
            for t in range(args.tasks)}
    padded = {}
    for task, arr in data.items():
        arr = arr.copy()
        rows = rng.choice(per_task, per_task // 10, replace=False)
        for r in rows:
            arr[r, rng.integers(args.length // 2, args.length):] = np.nan
        padded[task] = arr

    print(f"{args.series} series of length {args.length} in {args.tasks} tasks, float64; "
          f"best of {args.repeats}, CPU seconds")
    base = best_cpu_seconds(lambda: np.concatenate(list(data.values())), args.repeats)
    print(f"{'np.concatenate':<36} {base * 1e3:8.1f} ms")
    for name, tasks in (("TaskPanel.from_dict", data),
                        ("TaskPanel.from_dict, 10% NaN-padded", padded)):
        t = best_cpu_seconds(lambda: TaskPanel.from_dict(tasks), args.repeats)
        print(f"{name:<36} {t * 1e3:8.1f} ms   {t / base:5.2f}x np.concatenate")
    panel = TaskPanel.from_dict(data)
    assert len(panel) == per_task * args.tasks and panel.tasks == list(data)


if __name__ == "__main__":
    main()
