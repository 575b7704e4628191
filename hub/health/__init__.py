"""Harvest health of the network: the dashboard, explanations of error kinds, failure notices,
count snapshots and completeness checks."""
