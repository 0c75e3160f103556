"""The outcome names the plugin writes to its report and the runner counts."""

PASSED = "passed"
FAILED = "failed"
DEVIATION = "deviation"
NOT_RUN = "not run"
SKIPPED = "skipped"
