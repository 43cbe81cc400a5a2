"""The metrics exposition a Prometheus server scrapes."""

from __future__ import annotations

from bot.telegram.metrics import Metrics


def test_histogram_buckets_are_cumulative_and_counters_are_labelled() -> None:
    metrics = Metrics()
    metrics.update_handled("text", 0.004)
    metrics.update_handled("text", 0.03)
    metrics.update_handled("button", 7.0)
    metrics.error("network")
    text = metrics.render(outbox_backlog=2)
    assert 'parley_updates_total{kind="text"} 2' in text
    assert 'parley_updates_total{kind="button"} 1' in text
    assert 'parley_update_seconds_bucket{le="0.005"} 1' in text
    assert 'parley_update_seconds_bucket{le="0.05"} 2' in text
    assert 'parley_update_seconds_bucket{le="5.0"} 2' in text
    assert 'parley_update_seconds_bucket{le="+Inf"} 3' in text
    assert "parley_update_seconds_count 3" in text
    assert 'parley_errors_total{kind="network"} 1' in text
    assert "parley_outbox_backlog 2" in text
