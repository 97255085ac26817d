"""Administration: staff accounts and reply templates (more comes with the
deadlines and reports: policies, holidays, categories)."""
