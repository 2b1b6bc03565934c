"""Road traffic-safety hazard remediation tracker (道路交通安全隐患排查治理)."""
