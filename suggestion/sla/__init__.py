"""Service-level policies and the deadlines they give a case."""
