"""The one service loop: idle exit, busy stages, stop flag and the reporting hooks (with fakes)."""

from __future__ import annotations

import signal
from dataclasses import dataclass, field

from pipeline.runtime.loop import serve
from pipeline.runtime.metrics import Sensor
from pipeline.runtime.reports import SummaryReport
from pipeline.runtime.shutdown import StopFlag
from pipeline.runtime.worker import Stopped


@dataclass
class FakeStage:
    """Handles ``work`` records one per step; stays busy for ``busy_steps`` steps after that."""

    stage: str
    work: int = 0
    busy_steps: int = 0
    raise_stopped: bool = False
    sensor: Sensor = field(default_factory=Sensor)
    steps: int = 0

    @property
    def busy(self) -> bool:
        return self.work == 0 and self.busy_steps > 0

    def step(self, timeout_s: float | None = None) -> int:
        self.steps += 1
        if self.raise_stopped:
            raise Stopped("retrying")
        if self.work:
            self.work -= 1
            self.sensor.records_in(self.stage, 1)
            self.sensor.records_out(self.stage, 1)
            return 1
        self.busy_steps = max(0, self.busy_steps - 1)
        return 0


@dataclass
class Recorder:
    every_s: float = 0.0
    reports: int = 0
    finished: list[float] = field(default_factory=list)

    def report(self, period_s: float) -> None:
        self.reports += 1

    def finish(self, period_s: float, total_s: float) -> None:
        self.finished.append(total_s)


def test_until_idle_runs_every_stage_dry_then_reports_once_at_the_end():
    a, b = FakeStage("a", work=3), FakeStage("b", work=5)
    recorder = Recorder()
    seconds = serve([a, b], StopFlag(), 0.01, idle_exit_s=0.05, reporters=[recorder])
    assert a.work == 0 and b.work == 0
    assert recorder.finished == [seconds] and recorder.reports >= 1


def test_a_busy_stage_keeps_the_loop_from_calling_it_idle():
    stage = FakeStage("poll", busy_steps=40)
    serve([stage], StopFlag(), 0.0, idle_exit_s=0.0)
    assert stage.busy_steps == 0 and stage.steps >= 40


def test_stop_ends_the_loop_and_a_stopped_retry_is_not_fatal():
    stop = StopFlag()

    class StopAfter(Recorder):
        def report(self, period_s: float) -> None:
            super().report(period_s)
            if self.reports == 3:
                stop.set()

    stage = FakeStage("nlp", raise_stopped=True)
    recorder = StopAfter()
    before = signal.getsignal(signal.SIGTERM)
    serve([stage], stop, 0.0, reporters=[recorder])  # no idle exit: only the stop flag ends it
    assert signal.getsignal(signal.SIGTERM) is before  # the loop's handlers are gone with it
    assert stop.is_set() and stage.steps == 3 and len(recorder.finished) == 1


def test_summary_line_reads_the_sensor_totals():
    stage = FakeStage("index", work=2)
    stage.sensor.failures("index", 1)
    lines: list[str] = []
    serve([stage], StopFlag(), 0.0, idle_exit_s=0.0, reporters=[SummaryReport([stage], lines.append)])
    assert len(lines) == 1 and lines[0].startswith("index: 2 in, 2 out, 1 dead-lettered (")


@dataclass
class LeasedStage(FakeStage):
    """Gets its records only after ``locked_steps`` empty steps (a dead run's lease expiring)."""

    locked_steps: int = 0

    def step(self, timeout_s: float | None = None) -> int:
        if self.locked_steps:
            self.locked_steps -= 1
            self.steps += 1
            return 0
        return super().step(timeout_s)


def test_until_idle_waits_for_records_its_groups_have_not_committed():
    stage = LeasedStage("nlp", work=3, locked_steps=50)
    serve([stage], StopFlag(), 0.0, idle_exit_s=0.0, backlog=lambda: stage.work, backlog_wait_s=30.0)
    assert stage.work == 0  # without the backlog check it would have stopped at the first empty step


def test_until_idle_gives_up_on_a_backlog_that_makes_no_progress(caplog):
    stage = LeasedStage("nlp", work=3, locked_steps=10**9)
    serve([stage], StopFlag(), 0.0, idle_exit_s=0.0, backlog=lambda: stage.work, backlog_wait_s=0.05)
    assert stage.work == 3
    assert "3 record(s) left uncommitted" in caplog.text
