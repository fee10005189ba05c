"""The metrics count alike requests in one update: the histogram they build is the one observe() would."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from elg_decorators.runtime.metrics import DURATION_BUCKETS, _observe_all

DURATIONS = [0.0, 0.001, 0.005, 0.0050001, 0.01, 0.3, 1.0, 2.49, 300.0, 301.0, 1e9] * 7


def exposition(fill: str) -> dict[tuple[str, str], float]:
    registry = CollectorRegistry()
    histogram = Histogram("elg_test_seconds", "test", buckets=DURATION_BUCKETS, registry=registry)
    if fill == "observe":
        for duration in DURATIONS:
            histogram.observe(duration)
    else:
        _observe_all(histogram, DURATIONS)
    return {
        (sample.name, sample.labels.get("le", "")): sample.value
        for family in text_string_to_metric_families(generate_latest(registry).decode())
        for sample in family.samples if not sample.name.endswith("_created")
    }


def test_observing_many_at_once_gives_the_buckets_count_and_sum_of_observing_each() -> None:
    one_by_one, at_once = exposition("observe"), exposition("all")
    assert one_by_one.keys() == at_once.keys()
    for key, value in one_by_one.items():
        assert abs(at_once[key] - value) <= 1e-9 * max(1.0, abs(value)), key
    assert at_once[("elg_test_seconds_bucket", "0.005")] == 3 * 7
    assert at_once[("elg_test_seconds_bucket", "+Inf")] == at_once[("elg_test_seconds_count", "")] == len(DURATIONS)
