import pytest
import torch

from sktsmtl.nets import ResNet1D, ResNet2D
from sktsmtl.training import available_memory, check_training_memory, inference_batch_size
from sktsmtl.training import memory


def test_available_memory_on_cpu_is_a_positive_byte_count():
    free = available_memory("cpu")
    assert isinstance(free, int) and free > 0


def test_a_backbone_without_an_estimate_is_not_checked(monkeypatch):
    monkeypatch.setattr(memory, "available_memory", lambda device: 1)
    check_training_memory(ResNet1D(), {0: 10_000}, 64, "cpu")
    assert inference_batch_size(ResNet1D(), 10_000, 64, "cpu") == 64


def test_the_estimate_grows_with_batch_and_length_and_the_check_uses_task_sizes(monkeypatch):
    net = ResNet2D.from_preset("tiny")
    one = net.activation_bytes(100, 1)
    assert net.activation_bytes(100, 4) == 4 * one and net.activation_bytes(200, 1) > one
    monkeypatch.setattr(memory, "available_memory",
                        lambda device: int(3.5 * one / memory._BUDGET_SHARE))
    # a task of three rows trains in a batch of three, which fits
    check_training_memory(net, {0: 100}, 40, "cpu", ["small"], {0: 3})
    with pytest.raises(MemoryError, match="task 'big': a training batch of 5 series .*"
                                          "batch_size=3 would fit"):
        check_training_memory(net, {0: 100, 1: 100}, 40, "cpu", ["small", "big"],
                              {0: 3, 1: 5})
    assert inference_batch_size(net, 100, 40, "cpu") == 3


def test_the_estimate_is_close_to_the_measured_activations():
    """Bytes of the tensors autograd keeps, summed through saved-tensor hooks."""
    net = ResNet2D.from_preset("tiny")
    x = torch.randn(4, 1, 64)
    saved = []

    def pack(t):
        saved.append(t.numel() * t.element_size())
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        net(x).sum()
    estimate = net.activation_bytes(64, 4)
    assert 0.3 * estimate < sum(saved) < 3 * estimate


def _fake_cgroup(tmp_path, proc_line, files):
    (tmp_path / "proc").write_text(proc_line + "\n")
    for relative, value in files.items():
        path = tmp_path / "cg" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{value}\n")
    return dict(root=tmp_path / "cg", proc_cgroup=tmp_path / "proc")


def test_a_cgroup_v2_limit_and_its_parents_limits_are_read(tmp_path):
    from sktsmtl._memory import _cgroup_headroom

    gb = 2**30
    paths = _fake_cgroup(tmp_path, "0::/batch/job1", {
        "batch/job1/memory.max": 4 * gb, "batch/job1/memory.current": 1 * gb,
        "batch/memory.max": 10 * gb, "batch/memory.current": 9 * gb})
    assert _cgroup_headroom(**paths) == 1 * gb  # the parent binds tighter
    unlimited = _fake_cgroup(tmp_path, "0::/", {"memory.max": "max",
                                                "memory.current": gb})
    assert _cgroup_headroom(**unlimited) is None


def test_a_cgroup_v1_limit_is_read_also_from_inside_a_container(tmp_path):
    from sktsmtl._memory import _cgroup_headroom

    gb = 2**30
    # the container sees its cgroup mounted as the root: /docker/abc does not exist
    paths = _fake_cgroup(tmp_path, "9:memory:/docker/abc\n8:cpu,cpuacct:/docker/abc", {
        "memory/memory.limit_in_bytes": 2 * gb, "memory/memory.usage_in_bytes": gb // 2})
    assert _cgroup_headroom(**paths) == gb + gb // 2
    no_limit = _fake_cgroup(tmp_path, "9:memory:/", {
        "memory/memory.limit_in_bytes": 2**63 - 4096, "memory/memory.usage_in_bytes": 1})
    assert _cgroup_headroom(**no_limit) is None


def test_the_address_space_limit_is_seen_and_named(tmp_path):
    # ulimit -v in a child process: the check must refuse instead of torch failing
    import subprocess
    import sys

    code = """
import resource
import torch
from sktsmtl._memory import _address_space_headroom, limiting_memory
from sktsmtl.nets import ResNet2D
from sktsmtl.training import available_memory, check_training_memory
with open("/proc/self/status") as f:
    size = next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmSize:"))
resource.setrlimit(resource.RLIMIT_AS, (size + 2**30, resource.RLIM_INFINITY))
free, name = limiting_memory("cpu")
assert name == "address-space limit (ulimit -v)", name
assert 0.5 * 2**30 < free <= 2**30 and available_memory("cpu") == free
try:
    check_training_memory(ResNet2D(), {0: 5000}, 40, "cpu", ["big"])
except MemoryError as exc:
    print(exc)
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert "task 'big'" in run.stdout and "under the address-space limit" in run.stdout
