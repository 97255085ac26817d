"""Data-subject requests (PDPA ss.30–36): the register, its deadline and the actions on a filer's data."""
