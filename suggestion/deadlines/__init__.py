"""SLA policies and the one computation of a case's deadlines (DESIGN §1.4)."""
