"""How the suite is spread over two workers (tests/conftest.py): a module's tests form one group, run on
one worker, so a module's costly fixtures are built once; the long modules of SPLIT are cut into runs of
consecutive tests.  pytest-xdist's own loadgroup stopped grouping under pytest 9 (it renames
``item._nodeid``, which pytest no longer reads) and every test became a group of its own: these tests
keep the replacement honest."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from .conftest import SPLIT, pytest_xdist_make_scheduler, worker_groups


def test_a_module_is_one_group_and_a_split_module_consecutive_runs():
    split = next(iter(SPLIT))
    ids = [f"tests/test_a.py::t{i}" for i in range(3)] + [f"tests/{split}::c{i}" for i in range(8 * SPLIT[split])]
    groups = worker_groups(ids)
    assert {groups[i] for i in ids[:3]} == {"tests/test_a.py#0"}
    runs = [groups[i] for i in ids[3:]]
    assert len(set(runs)) == SPLIT[split] and runs == sorted(runs)  # consecutive tests, equal runs
    assert all(runs.count(g) == 8 for g in set(runs))


def test_the_scheduler_is_xdist_s_scope_scheduling_with_these_groups():
    xdist = pytest.importorskip("xdist")
    from xdist import newhooks
    from xdist.scheduler import LoadScopeScheduling

    assert hasattr(newhooks, "pytest_xdist_make_scheduler")  # the hook conftest answers

    class Config:  # what LoadScopeScheduling reads of pytest's options
        option = SimpleNamespace(maxworkerrestart=None, numprocesses=2, tx=["2*popen"], dist="loadgroup",
                                 loadscopereorder=True)

        def getvalue(self, name):
            return getattr(self.option, name)

    scheduler = pytest_xdist_make_scheduler(Config(), None)
    assert isinstance(scheduler, LoadScopeScheduling) and xdist
    ids = [f"tests/test_a.py::t{i}" for i in range(3)] + ["tests/test_b.py::u"]
    scheduler.registered_collections = {"node": ids}
    scheduler.groups = worker_groups(ids)
    assert [scheduler._split_scope(i) for i in ids] == ["tests/test_a.py#0"] * 3 + ["tests/test_b.py#0"]


def test_the_longest_groups_start_first_and_a_module_keeps_its_order():
    from .conftest import UNMEASURED, group_seconds, pytest_collection_modifyitems

    split = next(iter(SPLIT))
    ids = ([f"tests/test_short.py::s{i}" for i in range(2)] + [f"tests/{split}::c{i}" for i in range(SPLIT[split])]
           + [f"tests/test_new.py::n{i}" for i in range(3)] + ["tests/test_long.py::l"])
    measured = {"test_short.py": 1.0, split: 30.0 * SPLIT[split], "test_long.py": 40.0}
    seconds = group_seconds(ids, measured)
    assert seconds == {"tests/test_short.py": 1.0, f"tests/{split}": 30.0,
                       "tests/test_new.py": 3 * UNMEASURED, "tests/test_long.py": 40.0}
    items = [SimpleNamespace(nodeid=i) for i in ids]
    pytest_collection_modifyitems(None, items)  # with the suite's own table: its modules' order is checked below
    order = [i.nodeid for i in items]
    assert sorted(order) == sorted(ids)  # no test dropped or added
    for module in {i.split("::")[0] for i in ids}:  # each module's tests in their order, consecutive
        mine = [i for i in order if i.startswith(module + "::")]
        assert mine == [i for i in ids if i.startswith(module + "::")]
        assert order[order.index(mine[0]):order.index(mine[0]) + len(mine)] == mine
    from .durations import load
    table = load()
    assert table, "tests/durations.json is missing or unreadable"
    suite = group_seconds([f"tests/{m}::t" for m in table], table)
    ordered = [SimpleNamespace(nodeid=f"tests/{m}::t") for m in table]
    pytest_collection_modifyitems(None, ordered)
    firsts = [suite[i.nodeid.split("::")[0]] for i in ordered]
    assert firsts == sorted(firsts, reverse=True)  # longest group first


def test_the_scheduler_hands_the_groups_out_in_collection_order():
    pytest.importorskip("xdist")

    class Config:
        option = SimpleNamespace(maxworkerrestart=None, numprocesses=2, tx=["2*popen"], dist="loadgroup",
                                 loadscopereorder=True)

        def getvalue(self, name):
            return getattr(self.option, name)

    config = Config()
    pytest_xdist_make_scheduler(config, None)
    assert config.option.loadscopereorder is False  # xdist would otherwise sort the groups by test count
