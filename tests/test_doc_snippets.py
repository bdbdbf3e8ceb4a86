"""Every Python snippet of the README and the documentation pages runs as written.

The snippets of one page run in order in one namespace, as a reader would paste them.
They run as written except for their budget: the fixture cuts training to one epoch
(TS2Vec's to two steps) and the groups they load to their first two tasks. This test
checks that the code works; the accuracy figures come from the benchmarks. Snippets
that need a Dask cluster are skipped, and those that read the UCR archive run only
where it is present.
"""

import re
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PAGES = ["README.md", "docs/index.rst", "docs/user_guide.rst", "docs/mtcs.rst",
         "docs/benchmarking.rst", "docs/sktime.rst"]

# what a snippet needs that this machine may not have (or minutes it cannot spend:
# sktime's harness on six tasks; tests/sktime/test_benchmark.py runs it on fewer)
NEEDS = {"tcp://HOST:8786": "a Dask scheduler", "/data/UCRArchive_2018": "the UCR archive",
         "make_classification_benchmark(": "minutes in sktime's harness"}


def snippets(page):
    """The Python code blocks of a page, in order (Markdown or reStructuredText)."""
    text = (REPO_ROOT / page).read_text(encoding="utf-8")
    if page.endswith(".md"):
        return [m.group(1) for m in re.finditer(r"```python\n(.*?)```", text, re.S)]
    blocks = []
    for m in re.finditer(r"^( *)\.\. code-block:: python\n\n((?:\1 +.*\n|\s*\n)+)", text,
                         re.M):
        lines = m.group(2).rstrip().splitlines()
        indent = min(len(ln) - len(ln.lstrip()) for ln in lines if ln.strip())
        blocks.append("\n".join(ln[indent:] for ln in lines) + "\n")
    return blocks


def test_every_page_is_read():
    assert len(snippets("docs/user_guide.rst")) >= 5
    assert all(snippets(page) for page in PAGES)


@pytest.fixture
def short_training(monkeypatch, tmp_path):
    import sktsmtl.datasets
    from sktsmtl.representation import ts2vec
    from sktsmtl.training.estimator import NetworkEstimator

    make_net = NetworkEstimator._make_net

    def one_epoch(self, module, **kwargs):
        kwargs["max_epochs"] = 1
        return make_net(self, module, **kwargs)

    monkeypatch.setattr(NetworkEstimator, "_make_net", one_epoch)
    monkeypatch.setattr(ts2vec, "default_n_iters", lambda size: 2)
    load = sktsmtl.datasets.load_task_group

    def two_tasks(name, *args, **kwargs):
        X, y = load(name, *args, **kwargs)
        kept = list(X)[:2]
        return {t: X[t] for t in kept}, {t: y[t] for t in kept}

    monkeypatch.setattr(sktsmtl.datasets, "load_task_group", two_tasks)
    monkeypatch.chdir(tmp_path)  # files the snippets write (checkpoints, results)


def _namespace(page):
    """Names a page's snippets use without defining them (``mtcs.rst``'s SVM stage)."""
    if page != "docs/mtcs.rst":
        return {}
    rng = np.random.default_rng(0)
    import sktsmtl.datasets

    tasks_X, tasks_y = sktsmtl.datasets.load_task_group("basic_motions", split="train")
    tasks_X_test, tasks_y_test = sktsmtl.datasets.load_task_group("basic_motions",
                                                                  split="test")
    y_train = np.repeat([0, 1], 20)
    return dict(tasks_X=tasks_X, tasks_y=tasks_y, tasks_X_test=tasks_X_test,
                tasks_y_test=tasks_y_test, y_train=y_train, y_test=y_train,
                train_embeddings=rng.normal(size=(40, 8)) + y_train[:, None],
                test_embeddings=rng.normal(size=(40, 8)) + y_train[:, None])


@pytest.mark.parametrize("page", PAGES)
def test_snippets_run(page, short_training, ucr_dir_or_none):
    namespace = _namespace(page)  # after the fixture: two tasks
    for i, code in enumerate(snippets(page)):
        missing = [what for marker, what in NEEDS.items() if marker in code]
        if "the UCR archive" in missing and ucr_dir_or_none is not None:
            code = code.replace("/data/UCRArchive_2018", str(ucr_dir_or_none))
            code = code.replace("seeds=[0, 1, 2]", "seeds=[0]")
            missing.remove("the UCR archive")
        if missing:
            continue  # needs what no test machine has; the rest of the page still runs
        try:
            exec(compile(code, f"{page} snippet {i + 1}", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(f"{page}, snippet {i + 1} fails:\n{code}") from exc
