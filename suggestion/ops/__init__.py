"""Operations: what probes and monitoring read, and backups (DESIGN §2 "Operations")."""
