"""Operations: what probes and monitoring read (DESIGN §2 "Operations")."""
