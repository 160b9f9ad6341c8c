"""Where reports go."""
METRICS_ROOT = "https://metrics.cleanshop.test"
