"""Beyond one machine: the same run on a (local) Dask cluster gives the same outputs."""

from __future__ import annotations

import shutil

import pytest
from conftest import SAMPLES
from test_batch import legacy_documents
from test_faults import outputs, states

from pipeline import api
from pipeline.exceptions import UsageError
from pipeline.options import BatchOptions, Options

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as local:
        yield local


def test_a_folder_on_a_dask_cluster_equals_a_local_run(tmp_path, cluster):
    folder = tmp_path / "in"
    legacy_documents(folder, 3)
    shutil.copy(SAMPLES / "minutes_2024_textlayer.pdf", folder / "textlayer.pdf")
    shutil.copy(SAMPLES / "minutes_2024_p1_clean.png", folder / "scan.png")
    local = api.run([folder], tmp_path / "local", Options(
        batch=BatchOptions(jobs=1, in_process=True)))
    on_dask = api.run([folder], tmp_path / "dask", Options(batch=BatchOptions(
        scheduler=cluster.scheduler_address)))
    assert local.count("done") == on_dask.count("done") == 5 and not on_dask.failures
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "local")
    assert set(states(tmp_path / "dask").values()) == {"done"}
    with api.manifest(tmp_path / "dask") as manifest:
        assert manifest.runs()[-1]["scheduler"] == cluster.scheduler_address
    rerun = api.run([folder], tmp_path / "dask", Options(batch=BatchOptions(
        scheduler=cluster.scheduler_address)))
    assert rerun.count("skipped") == 5


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path):
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), pytest.raises(
            UsageError, match="cannot use the Dask cluster"):
        api.run([SAMPLES / "minutes_2024_truth.txt"], tmp_path, Options(
            batch=BatchOptions(scheduler="tcp://127.0.0.1:9")))
