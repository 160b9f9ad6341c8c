"""Where reports go."""
METRICS_ROOT = "https://metrics.vulnshop.test"
