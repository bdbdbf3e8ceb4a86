"""How much memory a process may still allocate: the smallest of every limit on it.

``MemAvailable`` alone is the machine's view. In a container or under a batch
scheduler a cgroup limits the process to less, and ``ulimit -v`` (``RLIMIT_AS``)
bounds its address space; past either, the allocation fails (or the kernel kills the
process) although the machine has memory free. Every limit that applies is read and
the smallest headroom wins.
"""

import os
from pathlib import Path

__all__ = ["available_memory", "cpu_memory_limits", "limiting_memory"]

_CGROUP_ROOT = "/sys/fs/cgroup"
_PROC_CGROUP = "/proc/self/cgroup"


def _read_int(path):
    try:
        text = Path(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if text == "max" or not text.lstrip("-").isdigit():
        return None
    return int(text)


def _meminfo_available():
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return None


def _cgroup_headroom(root=_CGROUP_ROOT, proc_cgroup=_PROC_CGROUP):
    """Bytes left under the process's cgroup memory limits (v2 or v1), or None.

    Every level from the process's cgroup up to the root is read: a parent's limit
    binds its children. Inside a container the process's path may not exist under
    the mounted hierarchy (the container sees its own cgroup as the root); the root's
    files then hold the limit.
    """
    try:
        lines = Path(proc_cgroup).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    best = None
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":  # cgroup v2
            base, limit_file, usage_file = Path(root), "memory.max", "memory.current"
        elif "memory" in controllers.split(","):  # cgroup v1
            base = Path(root) / "memory"
            limit_file, usage_file = "memory.limit_in_bytes", "memory.usage_in_bytes"
        else:
            continue
        relative = Path(path.lstrip("/"))
        folders = [base / relative, *[base / p for p in relative.parents]]
        if not (base / relative).is_dir():
            folders = [base]
        for folder in folders:
            limit = _read_int(folder / limit_file)
            # cgroup v1 reports "no limit" as a huge number near 2**63
            if limit is None or limit >= 2**60:
                continue
            usage = _read_int(folder / usage_file) or 0
            headroom = max(0, limit - usage)
            best = headroom if best is None else min(best, headroom)
    return best


def _address_space_headroom():
    """Bytes left under ``RLIMIT_AS`` (``ulimit -v``), or None when unlimited."""
    try:
        import resource
    except ImportError:  # not on this platform
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft < 0:
        return None
    used = 0
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    used = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    return max(0, soft - used)


def cpu_memory_limits():
    """Headroom in bytes under every limit that applies to this process.

    Returns
    -------
    dict
        ``{name: bytes}`` with the names ``"MemAvailable"`` (the machine's free
        memory), ``"cgroup memory limit"`` (container or scheduler) and
        ``"address-space limit (ulimit -v)"``, for the limits that exist here.

    Examples
    --------
    >>> from sktsmtl._memory import cpu_memory_limits
    >>> "MemAvailable" in cpu_memory_limits()
    True
    """
    limits = {"MemAvailable": _meminfo_available(),
              "cgroup memory limit": _cgroup_headroom(),
              "address-space limit (ulimit -v)": _address_space_headroom()}
    return {name: value for name, value in limits.items() if value is not None}


def available_memory(device="cpu"):
    """Bytes that can still be allocated on ``device``, or None when unknown.

    Parameters
    ----------
    device : str or torch.device
        ``"cpu"``: the smallest headroom of :func:`cpu_memory_limits` (the machine's
        ``MemAvailable``, the cgroup limit, ``RLIMIT_AS``). A CUDA device: torch's
        count of its free memory.

    Returns
    -------
    int or None

    Examples
    --------
    >>> from sktsmtl.training import available_memory
    >>> available_memory("cpu") > 0
    True
    """
    device = str(device)
    if device.startswith("cuda"):
        import torch

        free, _ = torch.cuda.mem_get_info(torch.device(device))
        return int(free)
    limits = cpu_memory_limits()
    return min(limits.values()) if limits else None


def limiting_memory(device="cpu"):
    """``(bytes, name)`` of the tightest limit on ``device``, for messages."""
    device = str(device)
    if device.startswith("cuda"):
        return available_memory(device), f"free on {device}"
    limits = cpu_memory_limits()
    if not limits:
        return None, None
    name = min(limits, key=limits.get)
    return limits[name], name
