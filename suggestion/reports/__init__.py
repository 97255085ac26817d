"""Reports: the fiscal-year indicators of DESIGN §1.6."""
