"""Run the tiny networks of these tests on one thread.

With the default thread pool, every small kernel is an OpenMP parallel region; on a
loaded 2-core machine a region waits for a descheduled thread, and a test that takes
milliseconds alone takes seconds. The thread count is restored after each test.
"""

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_torch_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
