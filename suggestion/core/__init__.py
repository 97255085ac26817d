"""What every feature shares: the database base class, time, errors, languages."""
